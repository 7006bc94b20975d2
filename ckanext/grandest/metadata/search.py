"""Search index fields and facets of grandest_metadata.

``before_dataset_index`` adds multi-valued string fields (Solr dynamic field ``vocab_*`` of CKAN's
schema.xml) holding codes: ``vocab_grandest_departement`` / ``_epci`` / ``_commune`` (from the dataset's
territories and their parents), ``vocab_grandest_theme`` (EU theme codes) and ``vocab_grandest_frequency``.
``license_id`` and ``res_format`` are CKAN's own fields. Facet items get labels instead of codes.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from ckanext.grandest.common import referential as ref
from ckanext.grandest.metadata import territories
from ckanext.grandest.metadata import vocabularies as voc
from ckanext.grandest.metadata.helpers import (FACET_COMMUNE, FACET_DEPARTEMENT, FACET_EPCI, FACET_FREQUENCY,
                                               FACET_THEME, grandest_as_list)

#: raw extras that are long free text: kept out of the catch-all string field of Solr (32 kB term limit)
_LONG_TEXT_FIELDS = ("provenance",)


def _strings(value: Any) -> list[str]:
    """The strings of a list field (a list, a JSON list or a comma-separated string; as the templates read it)."""
    return [v for v in grandest_as_list(value) if isinstance(v, str)]


def _extra(pkg_dict: dict, name: str) -> Any:
    """A schema field of a dataset dict being indexed (top-level, ``extras_<name>`` or in ``extras``)."""
    if pkg_dict.get(name) not in (None, ""):
        return pkg_dict[name]
    if pkg_dict.get("extras_" + name) not in (None, ""):
        return pkg_dict["extras_" + name]
    for extra in pkg_dict.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == name:
            return extra.get("value")
    return None


def index_fields(pkg_dict: dict) -> dict[str, list[str]]:
    """The facet fields to add to the Solr document of a dataset."""
    codes = territories.facet_codes(_strings(_extra(pkg_dict, "territories")))
    themes = []
    for value in _strings(_extra(pkg_dict, "theme")):
        term = voc.THEMES.get(value) or voc.THEMES.find(value)
        if term and term.code not in themes:
            themes.append(term.code)
    frequency = voc.FREQUENCIES.get(_extra(pkg_dict, "frequency")) or voc.FREQUENCIES.find(
        _extra(pkg_dict, "frequency"))
    return {
        FACET_DEPARTEMENT: codes["departement"],
        FACET_EPCI: codes["epci"],
        FACET_COMMUNE: codes["commune"],
        FACET_THEME: themes,
        FACET_FREQUENCY: [frequency.code] if frequency else [],
    }


def _schema_formats(pkg_dict: dict) -> list[str] | None:
    """The resources' formats as the dataset's schema stores them (our codes: ``GEOJSON``, ``CSV``...), from
    the validated dict CKAN indexes beside the document. CKAN 2.12 builds ``res_format`` from its default show
    schema, which rewrites formats (``GEOJSON`` -> ``GeoJSON``); the facet and its labels expect the codes."""
    validated = pkg_dict.get("validated_data_dict")
    if not isinstance(validated, str):
        return None
    try:
        resources = json.loads(validated).get("resources")
    except (ValueError, AttributeError):
        return None
    if not isinstance(resources, list):
        return None
    return [r.get("format") or "" for r in resources if isinstance(r, dict)]


def before_dataset_index(pkg_dict: dict) -> dict:
    formats = _schema_formats(pkg_dict)
    if formats is not None:
        pkg_dict["res_format"] = formats
    for name, values in index_fields(pkg_dict).items():
        if values:
            pkg_dict[name] = values
        else:
            pkg_dict.pop(name, None)
    for name in _LONG_TEXT_FIELDS:
        value = pkg_dict.get(name)
        if isinstance(value, str) and len(value.encode("utf-8")) > 8000:
            pkg_dict.pop(name, None)  # still searchable through extras_<name> (a text field)
    return pkg_dict


def _departement_label(code: str, lang: str) -> str:
    d = ref.departement(code)
    return f"{d.name} ({d.code})" if d else code


def _epci_label(code: str, lang: str) -> str:
    e = ref.epci(code)
    return e.name if e else code


def _commune_label(code: str, lang: str) -> str:
    c = ref.commune(code)
    return f"{c.name} ({c.departement})" if c else code


def _theme_label(code: str, lang: str) -> str:
    return voc.THEMES.label(voc.THEME_BASE + code, lang) if code in {t.code for t in voc.THEMES} else code


def _frequency_label(code: str, lang: str) -> str:
    term = voc.FREQUENCIES.find(code)
    return term.label(lang) if term else code


def _license_label(license_id: str, lang: str) -> str:
    lic = voc.licence(license_id)
    if lic is None:
        return license_id
    return lic.short_label(lang) if lic.id != voc.OTHER_LICENCE else (
        "Other licence" if lang == "en" else "Autre licence")


def _format_label(code: str, lang: str) -> str:
    term = voc.FILE_TYPES.get(code)
    return term.label(lang) if term else code


FACET_LABELLERS: dict[str, Callable[[str, str], str]] = {
    FACET_DEPARTEMENT: _departement_label,
    FACET_EPCI: _epci_label,
    FACET_COMMUNE: _commune_label,
    FACET_THEME: _theme_label,
    FACET_FREQUENCY: _frequency_label,
    "license_id": _license_label,
    "res_format": _format_label,
}


def label_facets(search_results: dict, lang: str) -> dict:
    """Give the items of our facets a ``display_name`` (labels instead of codes)."""
    facets = search_results.get("search_facets") or {}
    for field, labeller in FACET_LABELLERS.items():
        facet = facets.get(field)
        if not facet:
            continue
        for item in facet.get("items", []):
            name = item.get("name")
            if isinstance(name, str) and name:
                item["display_name"] = labeller(name, lang)
    return search_results
