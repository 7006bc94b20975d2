"""Auth functions, one per action (same names)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


@tk.auth_allow_anonymous_access
def grandest_dcat_catalog_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The DCAT feed is public (it lists public datasets only)."""
    return {"success": True}


def grandest_dcat_feed_info(context: Context, data_dict: DataDict) -> AuthResult:
    """The page explaining how to register the feed on data.gouv.fr: sysadmins and regional admins."""
    user = context.get("auth_user_obj") or context.get("user")
    try:
        from ckanext.grandest.common.roles import is_regional_admin
    except ImportError:  # pragma: no cover - common ships with the suite
        is_regional_admin = None  # type: ignore[assignment]
    if is_regional_admin is not None and is_regional_admin(user):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the regional administrators can see how the catalog is registered on data.gouv.fr.")}
