"""Template helpers of grandest_dcat."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from . import catalog


def grandest_dcat_feed_url(fmt: str = "ttl", organization: str | None = None) -> str:
    """Absolute URL of the DCAT catalog feed (optionally of one organization's datasets)."""
    return catalog.feed_url(fmt if fmt in catalog.FORMATS else "ttl",
                            {"organization": organization} if organization else {})


def grandest_dcat_is_regional_admin() -> bool:
    """The header links regional admins (not only sysadmins, who also have it in /ckan-admin) to /grandest/dcat."""
    from ckanext.grandest.common.roles import is_regional_admin

    user = tk.current_user
    return bool(user and getattr(user, "is_authenticated", False) and is_regional_admin(user.name))
