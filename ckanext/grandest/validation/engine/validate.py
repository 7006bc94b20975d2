"""Validation of one resource: pre-scan, then frictionless with the national Table Schema and French checks.

The report is a JSON-serialisable dict (see :func:`validate_file` for its shape). Design choices:

* frictionless never sees a file the pre-scan refused;
* our own row loop replaces ``Resource.validate()`` so that errors are **counted** for the whole file (per
  type, rows with errors, structure errors, empty cells) while only a capped sample is kept: memory stays flat
  whatever the number of errors, and no ``skip_errors`` (very slow in frictionless) is needed;
* a schema-less run is never reported as "valid": its status is ``structure-only``;
* header problems against the schema (missing required columns, misspelt names, extra columns) are found by
  comparing the labels with the schema (frictionless runs with ``fieldsMatch: partial``, which tolerates them).

This module runs one file through the pipeline; the parts live beside it: :mod:`.report` (report skeleton,
collector, rendering, summary), :mod:`.header` (schema resolution, header against the schema), :mod:`.rows`
(the row loop), :mod:`.fastpath` (the columnar pre-pass), :mod:`.prescan` and :mod:`.checks`.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
from typing import Any, cast

from frictionless import Detector, Dialect, FrictionlessException, Resource, Schema, formats, system
from frictionless.resources import TableResource

from . import fastpath
from . import schemas as schema_catalogue
from .checks import advisory_checks, checks_from_schema
from .fetch import FetchResult, fetch
from .header import resolve_schema
from .limits import DEFAULT_LIMITS, Limits
from .messages import _, fetch_error_message
from .messages.tables import PARTIAL_REASONS
from .prescan import PrescanResult, prescan
from .report import (ENGINE_VERSION, Collector, failed_fetch_report, finish, finish_unvalidated, new_report,
                     raw_error)
# the row loop under the name tests replace to simulate its crash
from .rows import run_rows as _run_rows

log = logging.getLogger(__name__)

CONTENT_TYPE_HINTS = {
    "text/tab-separated-values": "tsv",
    "application/vnd.ms-excel": "xls",
    "application/json": "json",
    "application/geo+json": "geojson",
    "text/csv": "csv",
}


def validate_url(
    url: str,
    *,
    declared_format: str | None = None,
    schema: str | dict[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    allow_loopback: bool = False,
) -> dict[str, Any]:
    """Fetch ``url`` safely (see :mod:`.fetch`) then validate it; the temporary file is always removed."""
    fetched = fetch(url, limits=limits, allow_loopback=allow_loopback)
    try:
        return validate_file(fetched, declared_format=declared_format, schema=schema, limits=limits)
    finally:
        fetched.cleanup()


def validate_file(
    source: str | FetchResult,
    *,
    name: str | None = None,
    declared_format: str | None = None,
    schema: str | dict[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Validate a local file (an upload) or a :class:`FetchResult`, and return the report dict.

    ``schema`` is a national schema reference (``"scdl/deliberations"``, ``"scdl/deliberations@2.1.4"`` or a
    schema.data.gouv.fr URL) or a publisher's Table Schema as a dict; ``None`` means inferred types only.

    Report shape::

        {
          "engine_version": "1.0",
          "status": "valid" | "invalid" | "structure-only" | "rejected" | "not-tabular" | "error",
          "status_label": "...", "summary": "...",            # plain French
          "source": {"url", "bytes", "fetch": {...} | None},
          "file": {"kind", "format", "encoding", "bom", "delimiter", "decimal_comma_columns",
                   "compression", "decompressed_size", "line_count", "max_line_bytes", ...},
          "schema": {"source": "national" | "publisher" | "inferred", "id", "title", "version",
                     "declared_version", "latest_version", "is_latest", "url", "fields",
                     "fields_described_share", "custom_checks", "unsupported_checks"},
          "table": {"rows", "columns", "header", "complete", "partial_reason", "rows_with_errors",
                    "rows_with_structure_errors", "valid_row_share", "structure_row_share",
                    "cells", "empty_cells", "required_cells", "empty_required_cells",
                    "empty_columns", "label_errors", "header_ok", "header_problems"},
          "error_count": int, "warning_count": int,
          "counts": {"<type>": n, ...},                        # errors by type (constraint name for
          "warning_counts": {"<type>": n, ...},                #   constraint errors: required, enum...)
          "count_details": [{"type", "title", "count", "severity"}],
          "errors": [{"type", "title", "message", "fix", "row", "column", "value", "severity"}],  # capped
          "errors_truncated": bool,
          "warnings": [... same shape ...],
          "timings": {"prescan", "validation", "total"},
        }
    """
    started = time.monotonic()
    fetch_info: dict[str, Any] | None = None
    if isinstance(source, FetchResult):
        fetch_info = source.to_dict()
        if not source.ok or not source.path:
            return failed_fetch_report(source, started)
        path = source.path
        name = name or source.final_url or source.url
        if not declared_format and source.content_type:
            declared_format = CONTENT_TYPE_HINTS.get(source.content_type.split(";", 1)[0].strip().lower())
    else:
        path = str(source)
        if not os.path.isfile(path):
            return failed_fetch_report(
                FetchResult(url=name or path, error_code="not-found", error_message=fetch_error_message("not-found")),
                started,
            )
    report = new_report(name or path, fetch_info)
    collector = Collector(report, limits)
    t0 = time.monotonic()
    scan = prescan(path, name=name, declared_format=declared_format, limits=limits)
    report["timings"]["prescan"] = round(time.monotonic() - t0, 3)
    try:
        report["source"]["bytes"] = scan.size
        report["file"] = scan.to_dict()
        report["file"]["declared_format"] = (declared_format or "").lower() or None
        collector.add_notes(scan.notes)
        if not scan.ok:
            return finish_unvalidated(report, scan, collector, started)
        try:
            _validate_table(report, scan, schema, collector, limits)
        except Exception as exc:  # noqa: BLE001 - a broken file must give a report, not crash the job
            log.exception("Validation failed on %s", name or path)
            report["status"] = "error"
            report["table"] = {"complete": False, "rows": 0}
            collector.add({"type": "task-error", "note": type(exc).__name__})
            finish(report, collector, started)
    finally:
        scan.cleanup()
    report["timings"]["total"] = round(time.monotonic() - started, 3)
    return report


# -------------------------------------------------------------------------------------------------------
# Mixed encodings
# -------------------------------------------------------------------------------------------------------

def repair_mixed_encoding(path: str, *, bom: bool = False) -> str:
    """Copy of ``path`` where each line that is not valid UTF-8 is decoded as Windows-1252.

    Only used for files whose encoding changes mid-way: the break is reported as an error, and the repaired
    copy lets the rest of the file be validated instead of stopping at the broken line.
    """
    fd, tmp = tempfile.mkstemp(prefix="grandest-repaired-", suffix=".csv")
    with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
        if bom:
            src.read(3)
        for line in src:
            try:
                line.decode("utf-8")
                out.write(line)
            except UnicodeDecodeError:
                out.write(line.decode("cp1252", errors="replace").encode("utf-8"))
    return tmp


# -------------------------------------------------------------------------------------------------------
# The table pass
# -------------------------------------------------------------------------------------------------------

def _open_resource(scan: PrescanResult, path: str, encoding: str | None, schema: Schema | None) -> TableResource:
    """frictionless' ``Resource(...)`` gives a ``TableResource`` for the tabular formats the prescan lets through
    (its stubs say ``Resource``)."""
    options: dict[str, Any] = {"detector": Detector()}
    if schema is not None:
        options["schema"] = schema
    if scan.format == "inline":
        return cast(TableResource, Resource(data=scan.inline_data, format="inline", **options))
    if scan.format in ("csv", "tsv"):
        control = formats.CsvControl(delimiter=scan.delimiter or ",")
        options["dialect"] = Dialect(controls=[control])
        return cast(TableResource, Resource(path, format="csv", encoding=encoding or "utf-8", **options))
    return cast(TableResource, Resource(path, format=scan.format, **options))


def _field_info(field: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"type": field.type, "format": field.format,
                            "title": getattr(field, "title", None), "description": getattr(field, "description", None),
                            "example": getattr(field, "example", None)}
    if field.type == "boolean":
        info["trueValues"] = list(getattr(field, "true_values", []) or [])
        info["falseValues"] = list(getattr(field, "false_values", []) or [])
    return info


def _validate_table(
    report: dict[str, Any],
    scan: PrescanResult,
    schema_ref: str | dict[str, Any] | None,
    collector: Collector,
    limits: Limits,
) -> None:
    started = time.monotonic()
    descriptor, schema_info = resolve_schema(schema_ref, collector)
    report["schema"] = schema_info

    schema: Schema | None = None
    custom: list[Any] = []
    if descriptor is not None:
        try:
            table_schema = schema_catalogue.table_schema_descriptor(descriptor)
            # Columns are matched by name, in any order, missing or extra ones tolerated: the header is
            # compared with the schema by compare_header, which explains the differences in French.
            table_schema["fieldsMatch"] = "partial"
            schema = Schema.from_descriptor(table_schema)
        except Exception:  # noqa: BLE001 - a publisher's broken schema is reported, not fatal
            collector.add({"type": "schema-error", "severity": "warning"})
            report["schema"] = schema_info = {"source": "inferred", "id": schema_info.get("id")}
            descriptor = None
        else:
            custom, unsupported = checks_from_schema(descriptor)
            schema_info["unsupported_checks"] = unsupported
            for name in unsupported:
                collector.add({"type": "unsupported-check", "severity": "info", "check": name})
            if schema_info.get("source") == "national":
                custom += advisory_checks(schema_info.get("id"))

    path = scan.path
    encoding = scan.encoding
    temp: list[str] = []
    if scan.encoding_break:
        path = repair_mixed_encoding(scan.path, bom=scan.bom)
        temp.append(path)
        encoding = "utf-8"
    field_types: dict[str, dict[str, Any]] = {}
    table: dict[str, Any] = {"complete": True, "partial_reason": None}
    subset = _fast_subset(report, scan, path, encoding, descriptor, schema_info, limits) if schema is not None else None
    try:
        # The path is ours (a temporary copy or an upload): "trusted" lifts frictionless' path-safety check.
        with system.use_context(trusted=True):
            state = collector.snapshot()
            while True:
                resource = _open_resource(scan, subset.path if subset else path,
                                          "utf-8" if subset else encoding, schema)
                try:
                    resource.open()
                except FrictionlessException as exc:
                    if subset is not None:  # let the reference path say it on the whole file
                        subset = _drop_subset(report, subset, "the subset does not open", collector, state)
                        continue
                    collector.add(raw_error(exc.error))
                    report["status"] = "rejected"
                    report["table"] = {"complete": False, "rows": 0}
                    finish(report, collector, started)
                    return
                with resource:
                    table = _run_rows(resource, scan, descriptor, schema_info, custom, collector, limits, started,
                                      subset=subset)
                    field_types = {f.name: _field_info(f) for f in resource.schema.fields}
                if subset is not None and not table["complete"]:
                    # stopped early (error budget, time, read error): the row counts of a partial run are
                    # those of the whole file read in order, which only the reference path gives
                    subset = _drop_subset(report, subset, f"partial run ({table['partial_reason']})",
                                          collector, state)
                    custom = _fresh_checks(descriptor, schema_info)
                    continue
                break
    finally:
        if subset is not None:
            subset.cleanup()
        for tmp in temp:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
    if scan.encoding_break:
        table["complete"] = False
        table["partial_reason"] = table.get("partial_reason") or "encoding-break"
    report["table"] = table
    report["timings"]["validation"] = round(time.monotonic() - started, 3)
    has_errors = bool(collector.counts)
    if has_errors:
        report["status"] = "invalid"
    elif schema_info.get("source") in ("national", "publisher"):
        report["status"] = "valid"
    else:
        report["status"] = "structure-only"
    partial_reason = table.get("partial_reason")
    if not table["complete"] and partial_reason in ("error-limit", "time-limit"):
        reason = PARTIAL_REASONS[partial_reason]
        collector.add({"type": "validation-partial", "severity": "warning", "rowNumber": table.get("rows"),
                       "reason": _(reason)})
    finish(report, collector, started, field_types)


def _fresh_checks(descriptor: dict[str, Any] | None, schema_info: dict[str, Any]) -> list[Any]:
    if descriptor is None:
        return []
    checks, _unsupported = checks_from_schema(descriptor)
    if schema_info.get("source") == "national":
        checks += advisory_checks(schema_info.get("id"))
    return checks


def _fast_subset(
    report: dict[str, Any],
    scan: PrescanResult,
    path: str,
    encoding: str | None,
    descriptor: dict[str, Any] | None,
    schema_info: dict[str, Any],
    limits: Limits,
) -> fastpath.Subset | None:
    """The suspicious rows of the file (see :mod:`.fastpath`), or None: the reference path reads it all."""
    path_info: dict[str, Any] = {"path": "reference"}
    report["validation_path"] = path_info
    if not limits.fast_path or descriptor is None or scan.format not in ("csv", "tsv") or scan.encoding_break:
        return None
    t0 = time.monotonic()
    try:
        subset = fastpath.prepare(path, delimiter=scan.delimiter or ",", encoding=encoding, bom=scan.bom,
                                  descriptor=descriptor, custom=_fresh_checks(descriptor, schema_info))
    except fastpath.Unsupported as exc:
        log.info("Validation fast path not used for %s: %s", report["source"].get("url"), exc)
        path_info["reason"] = str(exc)
        return None
    except ImportError as exc:  # pragma: no cover - polars missing
        log.warning("Validation fast path not available: %s", exc)
        return None
    except BaseException as exc:  # noqa: BLE001 - a polars panic (a BaseException) must not cost the report
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)) or "Timeout" in type(exc).__name__:
            raise
        log.warning("Validation fast path failed on %s, reference path used", report["source"].get("url"),
                    exc_info=True)
        path_info["reason"] = f"fast path failed: {type(exc).__name__}"
        return None
    path_info["path"] = "fast"
    path_info["scan_seconds"] = round(time.monotonic() - t0, 3)
    path_info["rows_checked_by_reference"] = len(subset.row_map)
    return subset


def _drop_subset(report: dict[str, Any], subset: fastpath.Subset, reason: str, collector: Collector,
                 state: dict[str, Any]) -> None:
    log.info("Validation fast path dropped for %s: %s", report["source"].get("url"), reason)
    subset.cleanup()
    collector.restore(state)
    report["validation_path"]["path"] = "reference"
    report["validation_path"]["reason"] = reason
    return None


__all__ = ["validate_file", "validate_url", "repair_mixed_encoding", "ENGINE_VERSION"]
