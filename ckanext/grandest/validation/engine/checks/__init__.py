"""Validata ``custom_checks`` as frictionless 5 ``Check`` classes (``frformat``, ``python-stdnum``).

Schemas declare them at their root::

    "custom_checks": [{"name": "french-siret-value", "params": {"column": "COLL_SIRET"}}, ...]

Both the historical names (``french-siret-value``, ``year-interval-value`` ...) and the short names
(``siret``, ``year-interval`` ...) are accepted. Behaviour follows Validata: a single-column check is
skipped on empty cells and when its column is absent; a multi-column check is skipped on a row when one of
its cells is empty (except ``cohesive-columns`` and ``one-of-required``, whose point is empty cells).
Values are compared after frictionless has cast them (dates as dates, integers as integers); cells with a
type error are already reported by frictionless and skipped here.

Error types are the Validata codes, so reports stay comparable with validata.fr.

``opening-hours-value`` and ``phone-number-value`` use the libraries Validata uses (``opening-hours-py``, the
OpenStreetMap grammar, and ``phonenumbers``, Google's libphonenumber); ``french-gps-coordinates`` uses
frformat's ``CoordonneesGPSFrancaises`` (the same bounding boxes as Validata). When a library is not installed
the check is reported as not available (``unsupported-check``) instead of failing the validation.

This module builds the checks a schema declares (:func:`build_check`, :func:`checks_from_schema`,
:func:`advisory_checks`); the checks are in :mod:`.identifiers` (SIRET, SIREN, year intervals, acts
nomenclature, INSEE and postal codes), :mod:`.formats` (opening hours, phone numbers, GPS coordinates) and
:mod:`.columns` (checks across columns); :mod:`.base` holds their error classes and base class.
"""
from __future__ import annotations

import importlib.util
from typing import Any

from frictionless import Check

from .base import SingleColumnCheck
from .columns import CohesiveColumnsCheck, CompareColumnsCheck, OneOfRequiredCheck, SumColumnsCheck
from .formats import FrenchGPSCoordinatesCheck, OpeningHoursCheck, PhoneNumberCheck
from .identifiers import (
    CodeCommuneInseeCheck,
    CodePostalCheck,
    NomenclatureActesCheck,
    SirenCheck,
    SiretCheck,
    YearIntervalCheck,
)


def _has_library(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


#: name in schema -> canonical Validata code
ALIASES: dict[str, str] = {
    "siret": "french-siret-value",
    "french-siret-value": "french-siret-value",
    "siren": "french-siren-value",
    "french-siren-value": "french-siren-value",
    "year-interval": "year-interval-value",
    "year-interval-value": "year-interval-value",
    "cohesive-columns": "cohesive-columns-value",
    "cohesive-columns-value": "cohesive-columns-value",
    "compare-columns": "compare-columns-value",
    "compare-columns-value": "compare-columns-value",
    "sum-columns": "sum-columns-value",
    "sum-columns-value": "sum-columns-value",
    "one-of-required": "one-of-required",
    "nomenclature-actes": "nomenclature-actes-value",
    "nomenclature-actes-value": "nomenclature-actes-value",
    "code-commune-insee": "code-commune-insee-value",
    "code-commune-insee-value": "code-commune-insee-value",
    "french-insee-code-value": "code-commune-insee-value",
    "code-postal": "code-postal-value",
    "code-postal-value": "code-postal-value",
    "french-postal-code-value": "code-postal-value",
    "opening-hours": "opening-hours-value",
    "opening-hours-value": "opening-hours-value",
    "phone-number": "phone-number-value",
    "phone-number-value": "phone-number-value",
    "french-gps-coordinates": "french-gps-coordinates",
}

#: checks that need a library besides frformat: without it, the check is reported as not available
REQUIRED_LIBRARIES: dict[str, str] = {
    "opening-hours-value": "opening_hours",
    "phone-number-value": "phonenumbers",
}

_TRUE = {"yes", "true", "oui", "1", True}


_SINGLE_COLUMN: dict[str, type[SingleColumnCheck]] = {
    "french-siret-value": SiretCheck,
    "french-siren-value": SirenCheck,
    "nomenclature-actes-value": NomenclatureActesCheck,
    "code-commune-insee-value": CodeCommuneInseeCheck,
    "code-postal-value": CodePostalCheck,
    "opening-hours-value": OpeningHoursCheck,
    "phone-number-value": PhoneNumberCheck,
    "french-gps-coordinates": FrenchGPSCoordinatesCheck,
}


def build_check(name: str, params: dict[str, Any], *, severity: str = "error") -> Check | None:
    """A frictionless Check for one ``custom_checks`` entry, or ``None`` if the name is unknown."""
    code = ALIASES.get(name)
    p = dict(params or {})
    if code is None:
        return None
    library = REQUIRED_LIBRARIES.get(code)
    if library is not None and not _has_library(library):
        return None
    single = _SINGLE_COLUMN.get(code)
    if single is not None:
        return single(column=p["column"], severity=severity)
    if code == "year-interval-value":
        allow = p.get("allow-year-only", p.get("allow_year_only", False))
        return YearIntervalCheck(
            column=p["column"], allow_year_only=(str(allow).lower() in _TRUE or allow is True), severity=severity
        )
    if code == "cohesive-columns-value":
        return CohesiveColumnsCheck(column=p["column"], othercolumns=list(p.get("othercolumns") or []), severity=severity)
    if code == "compare-columns-value":
        return CompareColumnsCheck(column=p["column"], column2=p["column2"], op=str(p.get("op", "==")), severity=severity)
    if code == "sum-columns-value":
        return SumColumnsCheck(column=p["column"], columns=list(p.get("columns") or []), severity=severity)
    if code == "one-of-required":
        first = str(p.get("column1", p.get("column")) or "")
        return OneOfRequiredCheck(column=first, column2=p["column2"], severity=severity)
    return None  # pragma: no cover


def checks_from_schema(descriptor: dict[str, Any]) -> tuple[list[Check], list[str]]:
    """Checks for the schema's ``custom_checks``; also returns the names that are not supported."""
    checks: list[Check] = []
    unsupported: list[str] = []
    for entry in descriptor.get("custom_checks") or []:
        name = str(entry.get("name", ""))
        try:
            check = build_check(name, entry.get("params") or {})
        except (KeyError, TypeError):
            check = None
        if check is None:
            if name not in unsupported:
                unsupported.append(name)
            continue
        checks.append(check)
    return checks, unsupported


#: Advisory checks added on national schemas whose columns hold INSEE codes or postcodes without a custom
#: check for them. Their findings are warnings: they never change conformity (Validata would not flag them).
ADVISORY_CHECKS: dict[str, list[tuple[str, str]]] = {
    "scdl/prenoms": [("code-commune-insee", "COLL_INSEE")],
    "scdl/menus-collectifs": [("code-commune-insee", "menuRestaurantInsee")],
    "scdl/plats-menus-collectifs": [("code-commune-insee", "platProduitFournisseurInsee")],
    "scdl/equipements": [("code-postal", "ADR_CODEPOSTAL")],
    "etalab/schema-lieux-covoiturage": [("code-commune-insee", "insee")],
    "etalab/schema-stationnement-cyclable": [("code-commune-insee", "code_com")],
}


def advisory_checks(schema_id: str | None) -> list[Check]:
    out: list[Check] = []
    for name, column in ADVISORY_CHECKS.get(schema_id or "", []):
        check = build_check(name, {"column": column}, severity="warning")
        if check is not None:
            out.append(check)
    return out
