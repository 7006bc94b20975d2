"""Who may manage harvest sources, and which organizations may own a Grand Est DCAT source."""
from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.grandest.common import referential as ref


def _org_extras(group: Any) -> dict[str, str]:
    try:
        return {k: v for k, v in (group.extras or {}).items() if isinstance(v, str)}
    except Exception:  # pragma: no cover - extras unavailable
        return {}


def is_regional_admin(user_name: str | None) -> bool:
    """Sysadmins and the users named in ``ckanext.grandest.regional_admins`` (see common/roles.py)."""
    from ckanext.grandest.common import roles

    return roles.is_regional_admin(user_name)


def territory_of_organization(org_id_or_name: str | None) -> str | None:
    """Referential key (``commune:67482`` / ``epci:246700488``) of a commune or EPCI organization, from its
    ``actor_type``, ``insee_code`` and ``siren``; None for any other organization."""
    if not org_id_or_name:
        return None
    group = model.Group.get(org_id_or_name)
    if group is None or not group.is_organization or group.state != "active":
        return None
    extras = _org_extras(group)
    actor = extras.get("actor_type")
    insee = (extras.get("insee_code") or "").strip()
    siren = (extras.get("siren") or "").replace(" ", "")
    if actor in (None, "", "commune") and insee:
        c = ref.commune(insee)
        if c is not None and (not siren or siren == c.siren):
            return c.key
    if actor in (None, "", "epci") and siren:
        e = ref.epci(siren)
        if e is not None:
            return e.key
    return None
