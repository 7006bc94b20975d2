"""What the custom checks share: their error classes (the Validata codes) and the single-column base class."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
from frictionless import Check, errors

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


def is_empty(value: Any) -> bool:
    return value is None or value == ""


def source_cell(row: Any, field_name: str) -> str | None:
    """The cell as written in the file (before frictionless cast it), or None if it cannot be found."""
    try:
        cell = row.cells[row.field_names.index(field_name)]
    except (AttributeError, ValueError, IndexError):
        return None
    return None if cell is None else str(cell)


def cell_error(cls: type[errors.CellError], row: Any, field_name: str, note: str, **extra: Any) -> errors.CellError:
    err = cls.from_row(row, note=note, field_name=field_name)
    err.extra = extra  # type: ignore[attr-defined]  # read back by report.raw_error
    return err


# -------------------------------------------------------------------------------------------------------
# Single-column checks
# -------------------------------------------------------------------------------------------------------


@attrs.define(kw_only=True, repr=False, slots=False)
class SingleColumnCheck(Check):
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
        if is_empty(value):
            return
        error = self._check(row, value)
        if error is not None:
            error.extra["severity"] = self.severity  # type: ignore[attr-defined]
            yield error

    def _check(self, row: Any, value: Any) -> errors.CellError | None:  # pragma: no cover - abstract
        raise NotImplementedError
