"""Checks across columns of a row: cohesive columns, comparisons, sums, one of several columns required."""
from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
from frictionless import Check, errors

from .base import (
    CohesiveColumnsError,
    CompareColumnsError,
    CustomTableError,
    OneOfRequiredError,
    SumColumnsError,
    cell_error,
    is_empty,
    row_field_names,
)


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
        empty = [c for c in columns if is_empty(row[c])]
        if empty and len(empty) != len(columns):
            yield cell_error(
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
        if is_empty(left) or is_empty(right):
            return
        try:
            ok = self._fn(left, right)  # type: ignore[misc]
        except TypeError:
            try:
                ok = self._fn(float(left), float(right))  # type: ignore[misc, arg-type]
            except (TypeError, ValueError):
                return
        if not ok:
            yield cell_error(
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
        if is_empty(total_value) or any(is_empty(p) for p in parts):
            return
        try:
            total = float(sum(float(p) for p in parts))
            expected = float(total_value)
        except (TypeError, ValueError):
            return
        if abs(total - expected) > 1e-9 * max(1.0, abs(expected)):
            shown = int(total) if total.is_integer() else total
            yield cell_error(SumColumnsError, row, self.column, "sum", columns=list(self.columns), total=str(shown))


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
        if all(is_empty(row[c]) for c in self._present):
            yield cell_error(OneOfRequiredError, row, self._present[0], "one-of-required", column2=self.column2)
