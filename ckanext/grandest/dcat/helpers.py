"""Template helpers of grandest_dcat."""
from __future__ import annotations

from . import pages


def grandest_dcat_feed_url(fmt: str = "ttl", organization: str | None = None) -> str:
    """Absolute URL of the DCAT catalog feed (optionally of one organization's datasets)."""
    return pages.feed_url(fmt if fmt in pages.FORMATS else "ttl",
                            {"organization": organization} if organization else {})


def grandest_regional_menu() -> list[dict]:
    """The header's « Administration régionale » menu (ckanext/grandest/common/nav.py); /grandest/dcat is in it."""
    from ckanext.grandest.common.nav import regional_menu

    return regional_menu()
