"""Template helpers of grandest_dcat."""
from __future__ import annotations

from . import catalog


def grandest_dcat_feed_url(fmt: str = "ttl", organization: str | None = None) -> str:
    """Absolute URL of the DCAT catalog feed (optionally of one organization's datasets)."""
    return catalog.feed_url(fmt if fmt in catalog.FORMATS else "ttl",
                            {"organization": organization} if organization else {})


def grandest_dcat_is_regional_admin() -> bool:
    """The header links regional admins (not only sysadmins, who also have it in /ckan-admin) to /grandest/dcat."""
    from ckanext.grandest.common.roles import current_user_is_regional_admin

    return current_user_is_regional_admin()
