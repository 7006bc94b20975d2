"""Typed getters over the options declared (with their defaults) in ``config_declaration.yaml``, and the
ckanext-dcat / core ones this plugin reads."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.grandest.common import options

PREFIX = "ckanext.grandest.dcat."


def metadata_language() -> str | None:
    """Language tag of free-text literals ("fr"), or None for untagged literals."""
    return options.get_str(PREFIX + "metadata_language") or None


def catalog_title() -> str:
    return options.get_str(PREFIX + "catalog_title") or options.get_str("ckan.site_title") or "DataGrandEst"


def catalog_description() -> str:
    """The catalogue's ``dct:description``: an RDF literal in the metadata language (French, ``metadata_language``),
    the same for every visitor of the feed: data, not interface text, so the default is not translated."""
    return (options.get_str(PREFIX + "catalog_description") or options.get_str("ckan.site_description")
            or f"Catalogue des données ouvertes publiées sur {catalog_title()}.")


def publisher_name() -> str:
    """The catalogue publisher's ``foaf:name`` (a proper name: data, never translated)."""
    return options.get_str(PREFIX + "publisher_name")


def publisher_email() -> str:
    return options.get_str(PREFIX + "publisher_email") or options.get_str("email_to")


def publisher_url() -> str:
    return options.get_str(PREFIX + "publisher_url")


def publisher_siren() -> str:
    return options.get_str(PREFIX + "publisher_siren")


def publisher_type() -> str:
    return options.get_str(PREFIX + "publisher_type")


def spatial_outline() -> bool:
    return options.get_bool(PREFIX + "spatial_outline")


def quality() -> bool:
    return options.get_bool(PREFIX + "quality")


def export_page_size() -> int:
    return max(10, min(options.get_int(PREFIX + "export_page_size"), 1000))


def page_size() -> int:
    """Datasets per page of the feed: ckanext-dcat's ``ckanext.dcat.datasets_per_page`` (ckanext-dcat does not
    declare it; its default is ckanext-dcat's own constant)."""
    from ckanext.dcat.logic import DATASETS_PER_PAGE

    return max(1, min(tk.asint(tk.config.get("ckanext.dcat.datasets_per_page", DATASETS_PER_PAGE)), 1000))


def site_url() -> str:
    return options.get_str("ckan.site_url").rstrip("/")


def public_base() -> str:
    """Public root of the portal: ``ckan.site_url`` plus ``ckan.root_path`` without its language part.

    Links written in the feed (next pages, landing pages) are built from it, never from the request, so they
    stay right behind a reverse proxy."""
    root = options.get_str("ckan.root_path")
    if root:
        root = root.replace("/{{LANG}}", "").replace("{{LANG}}", "").rstrip("/")
        if root and not root.startswith("/"):
            root = "/" + root
    return site_url() + root
