"""Validata ``custom_checks`` re-implemented as frictionless 5 ``Check`` classes, using ``frformat``.

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
"""
from __future__ import annotations

import importlib.util
import json
import operator
import re
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
from frictionless import Check, errors

from .messages import N_, _

# -------------------------------------------------------------------------------------------------------
# Errors
# -------------------------------------------------------------------------------------------------------


class _FrenchCellError(errors.CellError):
    tags = ["#table", "#row", "#cell"]
    template = "{note}"
    description = ""


class SiretError(_FrenchCellError):
    type = "french-siret-value"
    title = "SIRET"


class SirenError(_FrenchCellError):
    type = "french-siren-value"
    title = "SIREN"


class YearIntervalError(_FrenchCellError):
    type = "year-interval-value"
    title = "Year interval"


class CohesiveColumnsError(_FrenchCellError):
    type = "cohesive-columns-value"
    title = "Cohesive columns"


class CompareColumnsError(_FrenchCellError):
    type = "compare-columns-value"
    title = "Compare columns"


class SumColumnsError(_FrenchCellError):
    type = "sum-columns-value"
    title = "Sum columns"


class OneOfRequiredError(_FrenchCellError):
    type = "one-of-required"
    title = "One of required"


class NomenclatureActesError(_FrenchCellError):
    type = "nomenclature-actes-value"
    title = "Nomenclature actes"


class CodeCommuneInseeError(_FrenchCellError):
    type = "code-commune-insee-value"
    title = "Code commune INSEE"


class CodePostalError(_FrenchCellError):
    type = "code-postal-value"
    title = "Code postal"


class OpeningHoursError(_FrenchCellError):
    type = "opening-hours-value"
    title = "Opening hours"


class PhoneNumberError(_FrenchCellError):
    type = "phone-number-value"
    title = "Phone number"


class FrenchGPSCoordinatesError(_FrenchCellError):
    type = "french-gps-coordinates"
    title = "French GPS coordinates"


class ReversedFrenchGPSCoordinatesError(_FrenchCellError):
    type = "reversed-french-gps-coordinates"
    title = "Reversed French GPS coordinates"


class CustomTableError(errors.TableError):
    """A check that cannot run on this table (columns missing): reported once."""

    type = "custom-table-error"
    title = "Custom check"
    template = "{note}"
    description = ""


def row_field_names(resource: Any) -> set[str]:
    """Names of the fields rows really carry (schema fields found in the header, in any order)."""
    try:
        return {f.name for f in resource.header.get_expected_fields()}
    except Exception:  # noqa: BLE001 - no header (inline data without labels...)
        return set(resource.schema.field_names)


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _source_cell(row: Any, field_name: str) -> str | None:
    """The cell as written in the file (before frictionless cast it), or None if it cannot be found."""
    try:
        cell = row.cells[row.field_names.index(field_name)]
    except (AttributeError, ValueError, IndexError):
        return None
    return None if cell is None else str(cell)


def _error(cls: type[errors.CellError], row: Any, field_name: str, note: str, **extra: Any) -> errors.CellError:
    err = cls.from_row(row, note=note, field_name=field_name)
    err.extra = extra  # type: ignore[attr-defined]  # read back by validate._raw_error
    return err


# -------------------------------------------------------------------------------------------------------
# Single-column checks
# -------------------------------------------------------------------------------------------------------


@attrs.define(kw_only=True, repr=False, slots=False)
class _SingleColumnCheck(Check):
    """Skips itself when ``column`` is absent and skips empty cells."""

    type: ClassVar[str] = "single-column"
    column: str
    severity: str = "error"
    _active: bool = attrs.field(default=False, init=False)

    def validate_start(self) -> Iterable[errors.Error]:
        self._active = self.column in row_field_names(self.resource)
        self._setup()
        yield from []

    def _setup(self) -> None:
        pass

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not self._active:
            return
        value = row[self.column]
        if _empty(value):
            return
        error = self._check(row, value)
        if error is not None:
            error.extra["severity"] = self.severity  # type: ignore[attr-defined]
            yield error

    def _check(self, row: Any, value: Any) -> errors.CellError | None:  # pragma: no cover - abstract
        raise NotImplementedError


@attrs.define(kw_only=True, repr=False, slots=False)
class SiretCheck(_SingleColumnCheck):
    type: ClassVar[str] = "french-siret-value"
    Errors: ClassVar[list] = [SiretError]

    def _setup(self) -> None:
        from frformat import Siret

        self._is_valid = Siret().is_valid

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        text = str(value).strip()
        if not self._is_valid(text):
            return _error(SiretError, row, self.column, _(N_("invalid SIRET number")))
        return None


@attrs.define(kw_only=True, repr=False, slots=False)
class SirenCheck(_SingleColumnCheck):
    type: ClassVar[str] = "french-siren-value"
    Errors: ClassVar[list] = [SirenError]

    def _setup(self) -> None:
        from frformat import Siren

        self._is_valid = Siren().is_valid

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if not self._is_valid(str(value).strip()):
            return _error(SirenError, row, self.column, _(N_("invalid SIREN number")))
        return None


_YEAR_INTERVAL_RE = re.compile(r"^(\d{4})/(\d{4})$")
_YEAR_RE = re.compile(r"^\d{4}$")


@attrs.define(kw_only=True, repr=False, slots=False)
class YearIntervalCheck(_SingleColumnCheck):
    type: ClassVar[str] = "year-interval-value"
    Errors: ClassVar[list] = [YearIntervalError]
    allow_year_only: bool = False

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        text = str(value).strip()
        if self.allow_year_only and _YEAR_RE.match(text):
            return None
        match = _YEAR_INTERVAL_RE.match(text)
        if not match:
            note = (
                _(N_("expected format: YYYY or YYYY/YYYY"))
                if self.allow_year_only
                else _(N_("expected format: YYYY/YYYY"))
            )
            return _error(YearIntervalError, row, self.column, note)
        first, second = int(match.group(1)), int(match.group(2))
        if first == second:
            return _error(YearIntervalError, row, self.column, _(N_("the two years must be different")))
        if second < first:
            return _error(
                YearIntervalError, row, self.column, _(N_("the second year must be after the first one"))
            )
        return None


@attrs.define(kw_only=True, repr=False, slots=False)
class NomenclatureActesCheck(_SingleColumnCheck):
    type: ClassVar[str] = "nomenclature-actes-value"
    Errors: ClassVar[list] = [NomenclatureActesError]

    def _setup(self) -> None:
        from frformat import NomenclatureActe

        self._format = NomenclatureActe()

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        valid, details = self._format.is_valid_with_details(str(value))
        if valid:
            return None
        return _error(NomenclatureActesError, row, self.column, "; ".join(details or []))


@attrs.define(kw_only=True, repr=False, slots=False)
class CodeCommuneInseeCheck(_SingleColumnCheck):
    type: ClassVar[str] = "code-commune-insee-value"
    Errors: ClassVar[list] = [CodeCommuneInseeError]

    def _setup(self) -> None:
        from frformat import CodeCommuneInsee, Millesime

        self._is_valid = CodeCommuneInsee(Millesime.LATEST).is_valid

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if not self._is_valid(str(value).strip()):
            return _error(CodeCommuneInseeError, row, self.column, _(N_("unknown INSEE commune code")))
        return None


@attrs.define(kw_only=True, repr=False, slots=False)
class CodePostalCheck(_SingleColumnCheck):
    type: ClassVar[str] = "code-postal-value"
    Errors: ClassVar[list] = [CodePostalError]

    def _setup(self) -> None:
        from frformat import CodePostal

        self._is_valid = CodePostal().is_valid

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if not self._is_valid(str(value).strip()):
            return _error(CodePostalError, row, self.column, _(N_("unknown postcode")))
        return None


def _has_library(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# Common mistakes in opening hours, to point the publisher at the right fix (the value is invalid anyway).
_OH_QUOTED = re.compile(r'"[^"]*"')
_OH_FRENCH_DAYS = re.compile(
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mer|jeu|ven|sam|dim|lu|ma|me|je|ve|di)\b",
    re.IGNORECASE,
)
_OH_H_SEPARATOR = re.compile(r"\d\s?h(\s?\d{2})?\b", re.IGNORECASE)
_OH_CLOSED = re.compile(r"\b(ferm[ée]e?s?|sur rendez-vous|rdv)\b", re.IGNORECASE)


def opening_hours_hint(text: str) -> str:
    """A short French note on why ``text`` is not OpenStreetMap opening hours (best guess)."""
    bare = _OH_QUOTED.sub("", text)
    if _OH_FRENCH_DAYS.search(bare):
        return _(N_("days written in French: use Mo, Tu, We, Th, Fr, Sa, Su"))
    if _OH_H_SEPARATOR.search(bare):
        return _(N_('hours written with "h": write 08:30, not 8h30'))
    if _OH_CLOSED.search(bare):
        return _(N_('free text: write "off" for closed, or put the comment in quotes'))
    if bare.rstrip().endswith(";"):
        return _(N_("extra semicolon at the end"))
    return _(N_("syntax not recognised"))


@attrs.define(kw_only=True, repr=False, slots=False)
class OpeningHoursCheck(_SingleColumnCheck):
    """The cell follows the OpenStreetMap ``opening_hours`` syntax (``Mo-Fr 08:00-12:00,14:00-18:00``)."""

    type: ClassVar[str] = "opening-hours-value"
    Errors: ClassVar[list] = [OpeningHoursError]

    def _setup(self) -> None:
        import opening_hours

        self._is_valid = opening_hours.validate

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        text = str(value)
        try:
            valid = bool(self._is_valid(text))
        except Exception:  # noqa: BLE001 - the parser raising on odd input is an invalid value, not a crash
            valid = False
        if valid:
            return None
        return _error(OpeningHoursError, row, self.column, opening_hours_hint(text))


def is_valid_phone_number(text: str) -> bool:
    """Validata's rule: a valid French number (short numbers such as 115 or 3949 included), or a valid
    international number written with its country code (+49 30 1234567)."""
    import phonenumbers

    def valid_for(region: str | None) -> bool:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return False
        if phonenumbers.is_valid_number(number):
            return True
        return region is not None and phonenumbers.is_valid_short_number(number)

    return valid_for("FR") or valid_for(None)


@attrs.define(kw_only=True, repr=False, slots=False)
class PhoneNumberCheck(_SingleColumnCheck):
    type: ClassVar[str] = "phone-number-value"
    Errors: ClassVar[list] = [PhoneNumberError]

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if is_valid_phone_number(str(value).strip()):
            return None
        return _error(PhoneNumberError, row, self.column, _(N_("invalid phone number")))


def coordinates(value: Any) -> tuple[float, float] | None:
    """``(lon, lat)`` from a cell: a frictionless geopoint (any format), a list ``[lon, lat]``, an object
    ``{"lon": .., "lat": ..}`` or a text ``"lon,lat"`` / ``"[lon, lat]"`` / ``{"lon": .., "lat": ..}``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                value = json.loads(text)
            except ValueError:
                return None
        else:
            value = text.split(",")
    if isinstance(value, dict):
        if set(value) != {"lon", "lat"}:
            return None
        value = (value["lon"], value["lat"])
    if isinstance(value, (list, tuple)) and len(value) == 2:
        try:
            lon, lat = float(str(value[0]).strip()), float(str(value[1]).strip())
        except (TypeError, ValueError):
            return None
        if lon != lon or lat != lat:  # NaN
            return None
        return lon, lat
    return None


def in_france_test() -> Any:
    """``fn(lon, lat) -> bool``: frformat's ``CoordonneesGPSFrancaises.is_valid``. Its areas are rectangles
    (bounding boxes): when they still are, the same test (strictly inside, like shapely's ``within``) is
    done on their bounds, 20 times faster than building a shapely point for every row."""
    from frformat import CoordonneesGPSFrancaises

    try:
        from frformat.formats.coordonnees_gps_francaises import POLYGONS
        from shapely.geometry import box

        bounds = [poly.bounds for poly in POLYGONS]
        if not bounds or not all(poly.equals(box(*b)) for poly, b in zip(POLYGONS, bounds)):
            return CoordonneesGPSFrancaises.is_valid
    except Exception:  # noqa: BLE001 - frformat's internals changed: use its public test
        return CoordonneesGPSFrancaises.is_valid

    def in_france(lon: float, lat: float) -> bool:
        return any(x0 < lon < x1 and y0 < lat < y1 for x0, y0, x1, y1 in bounds)

    return in_france


@attrs.define(kw_only=True, repr=False, slots=False)
class FrenchGPSCoordinatesCheck(_SingleColumnCheck):
    """The point ``[lon, lat]`` is in France (metropolitan France or overseas departments, bounding boxes);
    a point that would be in France once its two numbers are swapped is reported as reversed."""

    type: ClassVar[str] = "french-gps-coordinates"
    Errors: ClassVar[list] = [FrenchGPSCoordinatesError, ReversedFrenchGPSCoordinatesError]

    def _setup(self) -> None:
        self._in_france = in_france_test()

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        point = coordinates(value)
        if point is not None and self._in_france(*point):
            return None
        shown = _source_cell(row, self.column)  # the text of the file, not the cast point
        extra = {"cell": shown} if shown is not None else {}
        if point is None:
            return _error(FrenchGPSCoordinatesError, row, self.column,
                          _(N_('unreadable coordinates: two numbers "longitude,latitude" expected')), **extra)
        lon, lat = point
        if self._in_france(lat, lon):
            return _error(ReversedFrenchGPSCoordinatesError, row, self.column,
                          _(N_("latitude and longitude swapped")), **extra)
        note = _(N_("read as longitude {lon}, latitude {lat}")).format(lon=f"{lon:g}", lat=f"{lat:g}")
        return _error(FrenchGPSCoordinatesError, row, self.column, note, **extra)


# -------------------------------------------------------------------------------------------------------
# Multi-column checks
# -------------------------------------------------------------------------------------------------------


@attrs.define(kw_only=True, repr=False, slots=False)
class CohesiveColumnsCheck(Check):
    """All the cells of ``column`` + ``othercolumns`` are filled, or all are empty."""

    type: ClassVar[str] = "cohesive-columns-value"
    Errors: ClassVar[list] = [CohesiveColumnsError, CustomTableError]
    column: str
    othercolumns: list[str] = attrs.field(factory=list)
    severity: str = "error"
    _active: bool = attrs.field(default=False, init=False)

    def validate_start(self) -> Iterable[errors.Error]:
        columns = [self.column, *self.othercolumns]
        names = row_field_names(self.resource)
        present = [c for c in columns if c in names]
        self._active = len(present) == len(columns)
        if present and not self._active:
            err = CustomTableError(note="cohesive-columns-missing")
            err.extra = {  # type: ignore[attr-defined]
                "code": "cohesive-columns-missing",
                "columns": columns,
                "missing": [c for c in columns if c not in present],
            }
            yield err

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not self._active:
            return
        columns = [self.column, *self.othercolumns]
        empty = [c for c in columns if _empty(row[c])]
        if empty and len(empty) != len(columns):
            yield _error(
                CohesiveColumnsError, row, self.column, "cohesive", columns=columns, missing=empty
            )


_OPERATORS = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "=": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
    "!=": operator.ne,
}


@attrs.define(kw_only=True, repr=False, slots=False)
class CompareColumnsCheck(Check):
    """``column op column2`` on every row where both cells are filled (dates, numbers or texts)."""

    type: ClassVar[str] = "compare-columns-value"
    Errors: ClassVar[list] = [CompareColumnsError]
    column: str
    column2: str
    op: str
    severity: str = "error"
    _active: bool = attrs.field(default=False, init=False)

    def validate_start(self) -> Iterable[errors.Error]:
        names = row_field_names(self.resource)
        self._active = self.column in names and self.column2 in names and self.op in _OPERATORS
        self._fn = _OPERATORS.get(self.op)
        yield from []

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not self._active:
            return
        left, right = row[self.column], row[self.column2]
        if _empty(left) or _empty(right):
            return
        try:
            ok = self._fn(left, right)  # type: ignore[misc]
        except TypeError:
            try:
                ok = self._fn(float(left), float(right))  # type: ignore[misc, arg-type]
            except (TypeError, ValueError):
                return
        if not ok:
            yield _error(
                CompareColumnsError,
                row,
                self.column,
                "compare",
                column2=self.column2,
                op=self.op,
                value2=str(right),
            )


@attrs.define(kw_only=True, repr=False, slots=False)
class SumColumnsCheck(Check):
    """``column`` equals the sum of ``columns`` on every row where all cells are filled."""

    type: ClassVar[str] = "sum-columns-value"
    Errors: ClassVar[list] = [SumColumnsError]
    column: str
    columns: list[str] = attrs.field(factory=list)
    severity: str = "error"
    _active: bool = attrs.field(default=False, init=False)

    def validate_start(self) -> Iterable[errors.Error]:
        names = row_field_names(self.resource)
        self._active = self.column in names and all(c in names for c in self.columns)
        yield from []

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not self._active:
            return
        total_value = row[self.column]
        parts = [row[c] for c in self.columns]
        if _empty(total_value) or any(_empty(p) for p in parts):
            return
        try:
            total = sum(float(p) for p in parts)
            expected = float(total_value)
        except (TypeError, ValueError):
            return
        if abs(total - expected) > 1e-9 * max(1.0, abs(expected)):
            shown = int(total) if total.is_integer() else total
            yield _error(SumColumnsError, row, self.column, "sum", columns=list(self.columns), total=str(shown))


@attrs.define(kw_only=True, repr=False, slots=False)
class OneOfRequiredCheck(Check):
    """At least one of ``column`` / ``column2`` is filled on every row."""

    type: ClassVar[str] = "one-of-required"
    Errors: ClassVar[list] = [OneOfRequiredError, CustomTableError]
    column: str
    column2: str
    severity: str = "error"
    _present: list[str] = attrs.field(factory=list, init=False)

    def validate_start(self) -> Iterable[errors.Error]:
        names = row_field_names(self.resource)
        self._present = [c for c in (self.column, self.column2) if c in names]
        if not self._present:
            err = CustomTableError(note="one-of-required-missing")
            err.extra = {"code": "one-of-required-missing", "column": self.column, "column2": self.column2}  # type: ignore[attr-defined]
            yield err

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        if not self._present:
            return
        if all(_empty(row[c]) for c in self._present):
            yield _error(OneOfRequiredError, row, self._present[0], "one-of-required", column2=self.column2)


# -------------------------------------------------------------------------------------------------------
# Building checks from a schema's custom_checks
# -------------------------------------------------------------------------------------------------------

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


def build_check(name: str, params: dict[str, Any], *, severity: str = "error") -> Check | None:
    """A frictionless Check for one ``custom_checks`` entry, or ``None`` if the name is unknown."""
    code = ALIASES.get(name)
    p = dict(params or {})
    if code is None:
        return None
    library = REQUIRED_LIBRARIES.get(code)
    if library is not None and not _has_library(library):
        return None
    if code == "french-siret-value":
        return SiretCheck(column=p["column"], severity=severity)
    if code == "french-siren-value":
        return SirenCheck(column=p["column"], severity=severity)
    if code == "year-interval-value":
        allow = p.get("allow-year-only", p.get("allow_year_only", False))
        return YearIntervalCheck(
            column=p["column"], allow_year_only=(str(allow).lower() in _TRUE or allow is True), severity=severity
        )
    if code == "nomenclature-actes-value":
        return NomenclatureActesCheck(column=p["column"], severity=severity)
    if code == "code-commune-insee-value":
        return CodeCommuneInseeCheck(column=p["column"], severity=severity)
    if code == "code-postal-value":
        return CodePostalCheck(column=p["column"], severity=severity)
    if code == "opening-hours-value":
        return OpeningHoursCheck(column=p["column"], severity=severity)
    if code == "phone-number-value":
        return PhoneNumberCheck(column=p["column"], severity=severity)
    if code == "french-gps-coordinates":
        return FrenchGPSCoordinatesCheck(column=p["column"], severity=severity)
    if code == "cohesive-columns-value":
        return CohesiveColumnsCheck(column=p["column"], othercolumns=list(p.get("othercolumns") or []), severity=severity)
    if code == "compare-columns-value":
        return CompareColumnsCheck(column=p["column"], column2=p["column2"], op=str(p.get("op", "==")), severity=severity)
    if code == "sum-columns-value":
        return SumColumnsCheck(column=p["column"], columns=list(p.get("columns") or []), severity=severity)
    if code == "one-of-required":
        first = p.get("column1", p.get("column"))
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
