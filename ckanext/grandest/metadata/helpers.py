"""Template helpers of grandest_metadata (all prefixed ``grandest_``).

Labels follow the user's language: French first (the portal's default), English when the page is in English.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.grandest.common import compat
from ckanext.grandest.metadata import table_schemas, territories
from ckanext.grandest.metadata import vocabularies as voc

#: Solr index fields of the territory, theme and frequency facets (Solr dynamic field ``vocab_*``: multi-valued
#: strings in CKAN's schema.xml).
FACET_DEPARTEMENT = "vocab_grandest_departement"
FACET_EPCI = "vocab_grandest_epci"
FACET_COMMUNE = "vocab_grandest_commune"
FACET_THEME = "vocab_grandest_theme"
FACET_FREQUENCY = "vocab_grandest_frequency"


def _lang() -> str:
    try:
        return (tk.h.lang() or "fr").split("_")[0]
    except Exception:  # no request (CLI, jobs)
        return "fr"


def grandest_lang() -> str:
    """Current UI language code ("fr", "en"...)."""
    return _lang()


def grandest_theme_label(uri: Any) -> str:
    """Label of an EU data theme (URI or code)."""
    return voc.theme_label(uri, _lang())


def grandest_frequency_label(uri: Any) -> str:
    """Label of an EU update frequency (URI or code)."""
    return voc.frequency_label(uri, _lang())


def grandest_language_label(uri: Any) -> str:
    return voc.language_label(uri, _lang())


def grandest_access_rights_label(uri: Any) -> str:
    return voc.access_rights_label(uri, _lang())


def grandest_format_label(code: Any) -> str:
    """Label of a resource format code ("GEOJSON" -> "GeoJSON")."""
    return voc.format_label(code, _lang()) if code else ""


def grandest_territory_label(key: Any, long: bool = False) -> str:
    """Name of a territory key ("commune:67482" -> "Strasbourg (67)"; long: "Strasbourg (commune, 67)")."""
    return territories.long_label(key, _lang()) if long else territories.label(key, _lang())


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
            return loaded if isinstance(loaded, list) else [loaded]
        except ValueError:
            return [v.strip() for v in value.split(",") if v.strip()]
    return [value]


def grandest_as_list(value: Any) -> list:
    """A field value as a list (stored JSON list, list, or comma-separated text)."""
    return _as_list(value)


def grandest_territory_items(keys: Any) -> list[dict[str, str]]:
    """[{key, label, long_label, url}] for a list of territory keys (url: the dataset search filtered on it)."""
    out = []
    for key in _as_list(keys):
        if not isinstance(key, str):
            continue
        kind, _sep, code = key.partition(":")
        params = {}
        if kind == "commune":
            params[FACET_COMMUNE] = code
        elif kind == "epci":
            params[FACET_EPCI] = code
        elif kind == "departement":
            params[FACET_DEPARTEMENT] = code
        try:
            url = tk.h.url_for("dataset.search", **params) if params else tk.h.url_for("dataset.search")
        except Exception:
            url = ""
        out.append({"key": key, "label": territories.label(key, _lang()),
                    "long_label": territories.long_label(key, _lang()), "url": url})
    return out


def grandest_license_link(pkg_or_license: Any = None, other_url: str | None = None) -> Markup:
    """The licence of a dataset (dict) or of a licence id, as a link to its text when it has one."""
    if isinstance(pkg_or_license, dict):
        license_id = pkg_or_license.get("license_id")
        other_url = other_url or pkg_or_license.get("license_other_url")
        fallback_title = pkg_or_license.get("license_title")
        fallback_url = pkg_or_license.get("license_url")
    else:
        license_id, fallback_title, fallback_url = pkg_or_license, None, None
    if not license_id:
        return Markup('<span>{}</span>').format(tk._("No License Provided"))
    lic = voc.licence(license_id)
    if lic is not None:
        title = lic.label(_lang())
        url = other_url if lic.id == voc.OTHER_LICENCE else lic.url
    else:  # a licence of an older schema
        title, url = fallback_title or license_id, fallback_url
    if url and str(url).startswith(("http://", "https://")):
        return Markup('<a href="{}" rel="dc:rights">{}</a>').format(url, title)
    return Markup('<span property="dc:rights">{}</span>').format(title)


def grandest_vocabulary_choices(field: dict) -> list[dict[str, Any]]:
    """choices_helper for ckanext-scheming: the choices of the field's ``vocabulary``."""
    return voc.vocabulary(field.get("vocabulary") or field["field_name"]).choices()


def grandest_license_choices(field: dict | None = None) -> list[dict[str, Any]]:
    """choices_helper: the licences data.gouv.fr recognises, with French and English labels (« licence non
    précisée » is given to harvested records only: a publisher of the portal chooses one)."""
    return [{"value": lic.id, "label": lic.labels} for lic in voc.LICENCES
            if lic.id in voc.CHOOSABLE_LICENCE_IDS]


def grandest_table_schema_choices(field: dict | None = None) -> list[dict[str, Any]]:
    """choices_helper: the schemas of the portal's registry (SCDL first), labelled with their publisher."""
    return [{"value": s.id, "label": {"fr": s.label, "en": s.label}} for s in table_schemas.all_schemas()]


def grandest_table_schema(schema_id: Any) -> dict[str, Any] | None:
    """{id, title, latest, versions, url, page_url} of a declared schema, or None."""
    s = table_schemas.find(schema_id)
    if s is None:
        return None
    return {"id": s.id, "title": s.title, "latest": s.latest, "versions": list(s.versions),
            "url": s.schema_url(), "page_url": s.page_url, "scdl": s.scdl, "publisher": s.publisher}


def grandest_organization_territory(org: Any) -> str | None:
    """Territory key of an organization dict (from its schema fields), or None."""
    if not isinstance(org, dict):
        return None
    fields = {k: org.get(k) for k in ("actor_type", "insee_code", "siren", "epci", "departement")}
    for extra in org.get("extras") or []:
        if extra.get("key") in fields and not fields[extra["key"]]:
            fields[extra["key"]] = extra.get("value")
    return territories.organization_territory(fields)


def grandest_facet_fields() -> dict[str, str]:
    """The Solr field of each facet added by the plugin."""
    return {"departement": FACET_DEPARTEMENT, "epci": FACET_EPCI, "commune": FACET_COMMUNE,
            "theme": FACET_THEME, "frequency": FACET_FREQUENCY, "license": "license_id", "format": "res_format"}


def grandest_site_statistics() -> dict[str, int]:
    """The portal's figures for the home page: {dataset_count, organization_count, group_count}."""
    return compat.site_statistics()
