"""Translations of the suite: one catalog per plugin area, all in the top-level ``i18n/`` folder.

``i18n/<locale>/LC_MESSAGES/ckanext-grandest-<area>.po`` (area = metadata, onboarding, dcat, validation...).
Message ids are English; French is the portal's default locale. ``dev/i18n.sh`` extracts, updates and compiles.
"""
from __future__ import annotations

import os

from ckan.lib.plugins import DefaultTranslation


def N_(message: str) -> str:
    """Marks a msgid for the extractor (``dev/i18n.sh``); translated where it is shown."""
    return message


def i18n_dir() -> str:
    import ckanext.grandest.i18n as pkg

    return os.path.dirname(os.path.abspath(str(pkg.__file__)))


class GrandestTranslation(DefaultTranslation):
    """Mix into a plugin (with ``p.implements(p.ITranslation)``) and set ``i18n_area``."""

    i18n_area: str = ""

    def i18n_directory(self) -> str:
        return i18n_dir()

    def i18n_locales(self) -> list[str]:
        d = i18n_dir()
        return sorted(n for n in os.listdir(d) if os.path.isdir(os.path.join(d, n, "LC_MESSAGES")))

    def i18n_domain(self) -> str:
        return f"ckanext-grandest-{self.i18n_area}" if self.i18n_area else "ckanext-grandest"
