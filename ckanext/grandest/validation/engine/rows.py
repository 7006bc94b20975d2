"""The row loop of the reference path: frictionless reads and casts every row, the engine counts.

:func:`run_rows` replaces ``Resource.validate()``: every finding is counted for the whole file (per type, rows
with errors, structure errors, empty cells, columns never filled) while the collector keeps a capped sample,
so memory stays flat whatever the number of errors. With a fast-path subset (:mod:`.fastpath`) it reads only
the suspicious rows, maps their numbers back to the original file and adds the counters of the clean rows.
"""
from __future__ import annotations

import time
from typing import Any

from frictionless import FrictionlessException
from frictionless.checks import baseline
from frictionless.resources import TableResource

from . import fastpath
from .header import compare_header
from .limits import Limits
from .prescan import PrescanResult
from .prescan.text import looks_like_data_row
from .report import Collector, raw_error

STRUCTURE_TYPES = {"extra-cell", "missing-cell", "blank-row"}
LABEL_TYPES = {"extra-label", "missing-label", "incorrect-label", "missing-required-column"}
HEADER_TYPES = {"blank-label", "duplicate-label", "blank-header", "no-header"}
READ_ERRORS = {"encoding-error", "source-error", "scheme-error", "format-error", "io-error", "resource-error",
               "dialect-error", "control-error"}


def run_rows(
    resource: TableResource,
    scan: PrescanResult,
    descriptor: dict[str, Any] | None,
    schema_info: dict[str, Any],
    custom: list[Any],
    collector: Collector,
    limits: Limits,
    started: float,
    subset: fastpath.Subset | None = None,
) -> dict[str, Any]:
    labels = [str(label) for label in (resource.labels or [])]
    header_info: dict[str, Any] = {"missing_required": [], "label_errors": 0}
    if descriptor is not None:
        header_info = compare_header(labels, descriptor.get("fields") or [], collector)
    header_problems: list[str] = []
    if labels and looks_like_data_row(labels):
        header_problems.append("no-header")
        collector.add({"type": "no-header", "severity": "warning"})

    checks = [baseline(), *custom]
    for check in checks:
        check.connect(resource)
    for check in checks:
        for err in check.validate_start():
            raw = raw_error(err)
            if raw["type"] in HEADER_TYPES and raw["type"] not in header_problems:
                header_problems.append(raw["type"])
            if raw["type"] == "source-error" and not labels:
                raw["type"] = "empty-file"
            collector.add(raw)

    try:
        fields = resource.header.get_expected_fields()
    except Exception:  # noqa: BLE001
        fields = resource.schema.fields
    field_names = [f.name for f in fields]
    required = [f.name for f in fields if f.required] if descriptor is not None else []
    missing_required_cols = len(header_info.get("unreadable_required") or [])
    optional_present = {f["name"] for f in (descriptor or {}).get("fields", []) if not (f.get("constraints") or {}).get("required")}
    never_filled = set(field_names)

    rows = 0
    rows_with_errors = 0
    rows_with_structure = 0
    empty_cells = 0
    required_empty = 0
    complete = True
    partial_reason = None
    deadline = started + limits.max_seconds if limits.max_seconds else None
    max_errors = limits.max_errors
    row_checks = checks[1:]  # the baseline check only yields row.errors: read them directly below
    add = collector.add
    if subset is not None:
        # rows of the subset file carry the row numbers of the original file
        original_row = subset.original_row
        n_subset = len(subset.row_map)

        def add(raw: dict[str, Any]) -> None:
            number = raw.get("rowNumber")
            if isinstance(number, int) and 2 <= number < n_subset + 2:
                raw["rowNumber"] = original_row(number)
            collector.add(raw)
    stream = resource.row_stream
    while True:
        try:
            row = next(stream)
        except StopIteration:
            break
        except FrictionlessException as exc:
            raw = raw_error(exc.error)
            if not (scan.encoding_break and raw["type"] == "encoding-error"):
                add(raw)
            complete = False
            partial_reason = "read-error"
            break
        rows += 1
        errors = row.errors  # casts every cell once (frictionless' own row processing)
        if errors or row_checks:
            found = list(errors)
            for check in row_checks:
                found.extend(check.validate_row(row))
            bad = structural = False
            for err in found:
                raw = raw_error(err)
                add(raw)
                if raw.get("severity", "error") == "error":
                    bad = True
                    kind = raw["type"]
                    if kind in STRUCTURE_TYPES:
                        structural = True
                    elif kind == "constraint-error" and raw.get("constraint") == "required":
                        required_empty += 1
            if bad:
                rows_with_errors += 1
                if structural:
                    rows_with_structure += 1
            if collector.error_total >= max_errors:
                complete = False
                partial_reason = "error-limit"
                break
        try:
            # filled by the processing above; avoids a cached_property lock (a private name: no type of it)
            blank = row._Row__blank_cells  # pyright: ignore[reportAttributeAccessIssue]
        except AttributeError:  # pragma: no cover - frictionless internals changed
            blank = row.blank_cells
        if blank:
            empty_cells += len(blank)
        if never_filled:
            filled = [name for name in never_filled if name not in blank]
            if filled:
                never_filled.difference_update(filled)
        if deadline is not None and rows % 1000 == 0 and time.monotonic() > deadline:
            complete = False
            partial_reason = "time-limit"
            break
    if subset is not None:
        rows += subset.clean_rows
        empty_cells += subset.clean_empty_cells
        never_filled.difference_update(subset.clean_filled)
    if rows == 0 and complete and labels:
        collector.add({"type": "no-data-rows", "severity": "warning"})
    if complete:
        for check in checks:
            for err in check.validate_end():
                add(raw_error(err))

    if missing_required_cols:
        # a required column that cannot be read leaves every row without a required value
        rows_with_errors = rows
    n_cols = len(field_names)
    cells = rows * n_cols
    if descriptor is not None:
        required_cells = rows * (len(required) + missing_required_cols)
        required_empty_total = required_empty + rows * missing_required_cols
    else:
        required_cells = cells
        required_empty_total = empty_cells
    empty_columns = [name for name in field_names if name in never_filled] if rows else []

    def share(bad: int) -> float:
        return round((rows - bad) / rows, 6) if rows else 0.0

    return {
        "rows": rows,
        "columns": n_cols,
        "header": labels,
        "complete": complete,
        "partial_reason": partial_reason,
        "rows_with_errors": rows_with_errors,
        "rows_with_structure_errors": rows_with_structure,
        "valid_row_share": share(rows_with_errors),
        "structure_row_share": share(rows_with_structure),
        "cells": cells,
        "empty_cells": empty_cells,
        "required_cells": required_cells,
        "empty_required_cells": required_empty_total,
        "empty_columns": empty_columns,
        "empty_optional_columns": [c for c in empty_columns if c in optional_present],
        "label_errors": header_info.get("label_errors", 0),
        "missing_required_columns": header_info.get("missing_required", []),
        "header_ok": not header_problems,
        "header_problems": header_problems,
    }
