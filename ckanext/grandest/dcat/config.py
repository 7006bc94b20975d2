"""Typed getters over the options declared in ``config_declaration.yaml`` (and the ckanext-dcat / core ones
this plugin reads)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

PREFIX = "ckanext.grandest.dcat."
DEFAULT_PAGE_SIZE = 100


def _str(key: str, default: str = "") -> str:
    value: Any = tk.config.get(key, default)
    return str(value).strip() if value is not None else default


def _bool(key: str, default: bool) -> bool:
    return tk.asbool(tk.config.get(key, default))


def _int(key: str, default: int) -> int:
    try:
        return int(tk.config.get(key, default))
    except (TypeError, ValueError):
        return default


def metadata_language() -> str | None:
    """Language tag of free-text literals ("fr"), or None for untagged literals."""
    return _str(PREFIX + "metadata_language", "fr") or None


def catalog_title() -> str:
    return _str(PREFIX + "catalog_title") or _str("ckan.site_title") or "DataGrandEst"


def catalog_description() -> str:
    """The catalogue's ``dct:description``: an RDF literal in the metadata language (French, ``metadata_language``),
    the same for every visitor of the feed: data, not interface text, so the default is not translated."""
    return (_str(PREFIX + "catalog_description") or _str("ckan.site_description")
            or f"Catalogue des données ouvertes publiées sur {catalog_title()}.")


def publisher_name() -> str:
    """The catalogue publisher's ``foaf:name`` (a proper name: data, never translated)."""
    return _str(PREFIX + "publisher_name", "Région Grand Est") or "Région Grand Est"


def publisher_email() -> str:
    return _str(PREFIX + "publisher_email") or _str("email_to")


def publisher_url() -> str:
    return _str(PREFIX + "publisher_url", "https://www.grandest.fr")


def publisher_siren() -> str:
    return _str(PREFIX + "publisher_siren", "200052264")


def publisher_type() -> str:
    return _str(PREFIX + "publisher_type", "region")


def spatial_outline() -> bool:
    return _bool(PREFIX + "spatial_outline", False)


def quality() -> bool:
    return _bool(PREFIX + "quality", True)


def export_page_size() -> int:
    return max(10, min(_int(PREFIX + "export_page_size", 500), 1000))


def page_size() -> int:
    """Datasets per page of the feed: ckanext-dcat's ``ckanext.dcat.datasets_per_page`` (100)."""
    return max(1, min(_int("ckanext.dcat.datasets_per_page", DEFAULT_PAGE_SIZE), 1000))


def site_url() -> str:
    return _str("ckan.site_url").rstrip("/")


def public_base() -> str:
    """Public root of the portal: ``ckan.site_url`` plus ``ckan.root_path`` without its language part.

    Links written in the feed (next pages, landing pages) are built from it, never from the request, so they
    stay right behind a reverse proxy."""
    root = _str("ckan.root_path")
    if root:
        root = root.replace("/{{LANG}}", "").replace("{{LANG}}", "").rstrip("/")
        if root and not root.startswith("/"):
            root = "/" + root
    return site_url() + root
