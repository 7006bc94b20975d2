"""Who is a *regional administrator* of DataGrandEst.

Regional administrators review the communes' requests, set hosting quotas and see every organization's usage.
They are the sysadmins, plus the users named (space-separated user names) in the config option
``ckanext.grandest.regional_admins``.

Shared by several plugins (onboarding, validation). A plugin that reads the option declares it with
:func:`declare_config`, which is idempotent: two plugins loaded together never declare it twice.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ckan.config.declaration import Declaration, Key
    from ckan.types import AuthResult

REGIONAL_ADMINS_KEY = "ckanext.grandest.regional_admins"

__all__ = ["REGIONAL_ADMINS_KEY", "current_user_is_regional_admin", "declare_config", "is_regional_admin",
           "regional_admin_auth", "regional_admin_names"]


def declare_config(declaration: Declaration, key: Key) -> None:
    """Declare ``ckanext.grandest.regional_admins`` unless another plugin already did.

    Call it from ``IConfigDeclaration.declare_config_options(declaration, key)``.
    """
    if REGIONAL_ADMINS_KEY in declaration:
        return
    option = declaration.declare_list(key.ckanext.grandest.regional_admins, [])
    option.set_description(
        "Space-separated user names of the regional administrators (besides the sysadmins): they review "
        "commune requests, set hosting quotas and see every organization's usage."
    )
    option.set_example("marie.dupont jean.martin")


def regional_admin_names() -> set[str]:
    """The user names listed in ``ckanext.grandest.regional_admins`` (sysadmins not included)."""
    import ckan.plugins.toolkit as tk

    value = tk.config.get(REGIONAL_ADMINS_KEY, None)
    if not value:
        return set()
    if isinstance(value, str):
        value = value.split()
    return {str(v).strip() for v in value if str(v).strip()}


def is_regional_admin(user: Any) -> bool:
    """True for a sysadmin or a user named in ``ckanext.grandest.regional_admins``.

    ``user`` is a user name, a user id, a ``model.User`` or a user dict; anything else (None, anonymous)
    gives False. Deleted or pending accounts are never regional admins.
    """
    from ckan import model

    obj = None
    if user is None or user == "":
        return False
    if isinstance(user, model.User):
        obj = user
    elif isinstance(user, dict):
        ident = user.get("id") or user.get("name")
        obj = model.User.get(ident) if ident else None
    elif isinstance(user, str):
        obj = model.User.get(user)
    else:  # flask-login's current_user proxy and the like
        name = getattr(user, "name", None)
        obj = model.User.get(name) if isinstance(name, str) and name else None
    if obj is None or obj.state != "active":
        return False
    return bool(obj.sysadmin) or obj.name in regional_admin_names()


def regional_admin_auth(context: Mapping[str, Any], refusal: str) -> AuthResult:
    """The auth result of an action kept for the regional administrators (the plugins' auth functions): allowed
    for them, refused with ``refusal`` (an already translated message) for anyone else. ``context`` is the
    action's: its ``auth_user_obj``, or else its ``user`` name."""
    if is_regional_admin(context.get("auth_user_obj") or context.get("user")):
        return {"success": True}
    return {"success": False, "msg": refusal}


def current_user_is_regional_admin() -> bool:
    """Whether the user of the current web request is a regional admin (the plugins' template helpers)."""
    import ckan.plugins.toolkit as tk

    user = tk.current_user
    return bool(user and getattr(user, "is_authenticated", False) and is_regional_admin(user))
