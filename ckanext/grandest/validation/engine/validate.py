"""Validation of one resource: pre-scan, then frictionless with the national Table Schema and French checks.

The report is a JSON-serialisable dict (see :func:`validate_file` for its shape). Design choices:

* frictionless never sees a file the pre-scan refused;
* our own row loop replaces ``Resource.validate()`` so that errors are **counted** for the whole file (per
  type, rows with errors, structure errors, empty cells) while only a capped sample is kept: memory stays flat
  whatever the number of errors, and no ``skip_errors`` (very slow in frictionless) is needed;
* a schema-less run is never reported as "valid": its status is ``structure-only``;
* header problems against the schema (missing required columns, misspelt names, extra columns) are found by
  comparing the labels with the schema (frictionless runs with ``fieldsMatch: partial``, which tolerates them).
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import time
import unicodedata
from collections import Counter
from typing import Any

from frictionless import Detector, Dialect, FrictionlessException, Resource, Schema, formats, system
from frictionless.checks import baseline

from . import fastpath
from . import schemas as schema_catalogue
from .checks import advisory_checks, checks_from_schema
from .fetch import FetchResult, fetch
from .limits import DEFAULT_LIMITS, Limits
from .messages import (N_, PARTIAL_REASONS, STATUS_LABELS, _, fetch_error_message, is_impossible_date, ngettext, render,
                       render_error)
from .prescan import PrescanResult, looks_like_data_row, prescan

log = logging.getLogger(__name__)

ENGINE_VERSION = "1.0"
CONTENT_TYPE_HINTS = {
    "text/tab-separated-values": "tsv",
    "application/vnd.ms-excel": "xls",
    "application/json": "json",
    "application/geo+json": "geojson",
    "text/csv": "csv",
}
STRUCTURE_TYPES = {"extra-cell", "missing-cell", "blank-row"}
LABEL_TYPES = {"extra-label", "missing-label", "incorrect-label", "missing-required-column"}
HEADER_TYPES = {"blank-label", "duplicate-label", "blank-header", "no-header"}
READ_ERRORS = {"encoding-error", "source-error", "scheme-error", "format-error", "io-error", "resource-error",
               "dialect-error", "control-error"}


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
            return _failed_fetch_report(source, started)
        path = source.path
        name = name or source.final_url or source.url
        if not declared_format and source.content_type:
            declared_format = CONTENT_TYPE_HINTS.get(source.content_type.split(";", 1)[0].strip().lower())
    else:
        path = str(source)
        if not os.path.isfile(path):
            return _failed_fetch_report(
                FetchResult(url=name or path, error_code="not-found", error_message=fetch_error_message("not-found")),
                started,
            )
    report = _new_report(name or path, fetch_info)
    collector = _Collector(report, limits)
    t0 = time.monotonic()
    scan = prescan(path, name=name, declared_format=declared_format, limits=limits)
    report["timings"]["prescan"] = round(time.monotonic() - t0, 3)
    try:
        report["source"]["bytes"] = scan.size
        report["file"] = scan.to_dict()
        report["file"]["declared_format"] = (declared_format or "").lower() or None
        collector.add_notes(scan.notes)
        if not scan.ok:
            return _finish_unvalidated(report, scan, collector, started)
        try:
            _validate_table(report, scan, schema, collector, limits)
        except Exception as exc:  # noqa: BLE001 - a broken file must give a report, not crash the job
            log.exception("Validation failed on %s", name or path)
            report["status"] = "error"
            report["table"] = {"complete": False, "rows": 0}
            collector.add({"type": "task-error", "note": type(exc).__name__})
            _finish(report, collector, started)
    finally:
        scan.cleanup()
    report["timings"]["total"] = round(time.monotonic() - started, 3)
    return report


# -------------------------------------------------------------------------------------------------------
# Report skeleton
# -------------------------------------------------------------------------------------------------------

def _new_report(name: str, fetch_info: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "engine_version": ENGINE_VERSION,
        "status": "error",
        "status_label": "",
        "summary": "",
        "source": {"url": name, "bytes": None, "fetch": fetch_info},
        "file": {},
        "schema": {"source": "inferred"},
        "table": {},
        "error_count": 0,
        "warning_count": 0,
        "counts": {},
        "warning_counts": {},
        "count_details": [],
        "errors": [],
        "errors_truncated": False,
        "warnings": [],
        "timings": {"prescan": 0.0, "validation": 0.0, "total": 0.0},
    }


def _failed_fetch_report(fetched: FetchResult, started: float) -> dict[str, Any]:
    report = _new_report(fetched.url, fetched.to_dict())
    code = fetched.error_code or "connection-error"
    report["status"] = "error"
    error_label = STATUS_LABELS["error"]
    report["status_label"] = _(error_label)
    entry = {
        "type": "fetch-error",
        "title": _(N_("File not reachable")),
        "message": fetched.error_message or "",
        "fix": _(N_("Check that the link works in a browser and that it leads straight to the file.")),
        "row": None,
        "column": None,
        "value": None,
        "severity": "error",
        "code": code,
    }
    report["errors"] = [entry]
    report["counts"] = {"fetch-error": 1}
    report["error_count"] = 1
    report["count_details"] = [{"type": "fetch-error", "title": entry["title"], "count": 1, "severity": "error"}]
    report["summary"] = _(N_("The file could not be retrieved: {message}")).format(message=entry["message"])
    report["timings"]["total"] = round(time.monotonic() - started, 3)
    return report


class _Collector:
    """Counts every finding; keeps a capped sample of raw errors (rendered in French at the end)."""

    def __init__(self, report: dict[str, Any], limits: Limits) -> None:
        self.report = report
        self.limits = limits
        self.counts: Counter[str] = Counter()
        self.warning_counts: Counter[str] = Counter()
        self.sample: list[dict[str, Any]] = []
        self.warning_sample: list[dict[str, Any]] = []
        self.per_type: Counter[str] = Counter()
        self.truncated = False
        self.error_total = 0

    def add(self, raw: dict[str, Any]) -> None:
        severity = raw.get("severity", "error")
        key = raw.get("constraint") or raw["type"]
        if severity == "error":
            self.counts[key] += 1
            self.error_total += 1
            bucket = self.sample
        else:
            self.warning_counts[key] += 1
            bucket = self.warning_sample
        if self.per_type[key] < self.limits.error_sample_per_type and len(bucket) < self.limits.error_sample_size:
            self.per_type[key] += 1
            bucket.append(raw)
        elif severity == "error":
            self.truncated = True


    def snapshot(self) -> dict[str, Any]:
        return {k: (v.copy() if hasattr(v, "copy") else v) for k, v in vars(self).items() if k != "report"}

    def restore(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            setattr(self, key, value.copy() if hasattr(value, "copy") else value)

    def add_notes(self, notes: list[dict[str, Any]]) -> None:
        for note in notes:
            self.add(dict(note))

    def flush(self) -> None:
        self.report["counts"] = dict(self.counts)
        self.report["warning_counts"] = dict(self.warning_counts)
        self.report["errors_truncated"] = self.truncated


def _raw_error(err: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"type": err.type, "note": getattr(err, "note", "")}
    for attr, key in (("row_number", "rowNumber"), ("field_name", "fieldName"), ("field_number", "fieldNumber"),
                      ("cell", "cell"), ("label", "cell")):
        value = getattr(err, attr, None)
        if value is not None and key not in raw:
            raw[key] = value
    extra = getattr(err, "extra", None)
    if extra:
        raw.update(extra)
        if "code" in extra:
            raw["type"] = extra["code"]
    if raw["type"] == "type-error":
        # « 2024-02-30 » is written as asked but is no day of the calendar: say so, not "wrong format"
        match = re.search(r'type is "(\w+)/([^"]*)"', raw.get("note") or "")
        if match and is_impossible_date(raw.get("cell"), match.group(1), match.group(2)):
            raw["type"] = "impossible-date"
    if raw["type"] == "constraint-error":
        note = raw.get("note") or ""
        if note.startswith('constraint "'):
            raw["constraint"] = note.split('"', 2)[1]
    return raw


def _finish(
    report: dict[str, Any],
    collector: _Collector,
    started: float,
    field_types: dict[str, dict[str, Any]] | None = None,
) -> None:
    collector.flush()
    raw_errors = collector.sample
    raw_warnings = collector.warning_sample
    report["errors"] = [render_error(e, field_types=field_types) for e in raw_errors]
    report["warnings"] = [render_error(w, field_types=field_types) for w in raw_warnings]
    report["error_count"] = sum(report["counts"].values())
    report["warning_count"] = sum(report["warning_counts"].values())
    details = []
    for severity, counts in (("error", report["counts"]), ("warning", report["warning_counts"])):
        for code, count in sorted(counts.items(), key=lambda kv: -kv[1]):
            details.append({"type": code, "title": render(code)["title"], "count": count, "severity": severity})
    report["count_details"] = details
    report["status_label"] = _(STATUS_LABELS.get(report["status"], STATUS_LABELS["error"]))
    report["summary"] = _summary(report)
    report["timings"]["total"] = round(time.monotonic() - started, 3)


def _finish_unvalidated(
    report: dict[str, Any], scan: PrescanResult, collector: _Collector, started: float
) -> dict[str, Any]:
    fatal = dict(scan.fatal or {"type": "source-error"})
    report["status"] = scan.status
    fatal["severity"] = "error" if scan.status == "rejected" else "info"
    collector.add(fatal)
    report["table"] = {"complete": False, "rows": 0}
    _finish(report, collector, started)
    return report


# -------------------------------------------------------------------------------------------------------
# Schema
# -------------------------------------------------------------------------------------------------------

def _resolve_schema(
    schema: str | dict[str, Any] | None, collector: _Collector
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Return (descriptor or None, report["schema"] section)."""
    if schema is None or schema == "":
        return None, {"source": "inferred"}
    if isinstance(schema, dict):
        descriptor = schema
        if not isinstance(descriptor.get("fields"), list) or not descriptor["fields"] or not all(
            isinstance(f, dict) and f.get("name") for f in descriptor["fields"]
        ):
            collector.add({"type": "schema-error", "severity": "warning"})
            return None, {"source": "inferred"}
        info: dict[str, Any] = {
            "source": "publisher",
            "id": descriptor.get("name"),
            "title": descriptor.get("title"),
            "version": descriptor.get("version"),
        }
    else:
        schema_id, declared_version = schema_catalogue.split_schema_ref(str(schema))
        meta = schema_catalogue.get_schema_info(str(schema))
        descriptor = schema_catalogue.load_schema(str(schema)) if meta else None
        if meta is None or descriptor is None or meta.schema_type != "tableschema" or "fields" not in descriptor:
            collector.add({"type": "unknown-schema", "severity": "warning", "schema": str(schema)})
            return None, {"source": "inferred", "id": schema_id, "requested": str(schema)}
        info = {
            "source": "national",
            "id": meta.id,
            "title": meta.title,
            "version": meta.checked_version or meta.version,
            "publisher": meta.publisher,
            "declared_version": declared_version,
            "latest_version": meta.version,
            "is_latest": declared_version is None or declared_version == meta.version,
            "url": meta.url,
        }
        if not info["is_latest"]:
            collector.add({"type": "outdated-schema-version", "severity": "warning",
                           "version": declared_version, "latest": meta.version})
    fields = descriptor.get("fields") or []
    described = [f for f in fields if (f.get("description") or f.get("title"))]
    info["fields"] = len(fields)
    info["fields_described_share"] = round(len(described) / len(fields), 4) if fields else 0.0
    info["custom_checks"] = [c.get("name") for c in descriptor.get("custom_checks") or []]
    return descriptor, info


def _norm_label(label: str) -> str:
    text = unicodedata.normalize("NFD", str(label)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _compare_header(labels: list[str], fields: list[dict[str, Any]], collector: _Collector) -> dict[str, Any]:
    names = [f["name"] for f in fields]
    label_set = set(labels)
    missing = [f for f in fields if f["name"] not in label_set]
    extra = [lab for lab in labels if lab not in set(names)]
    by_norm = {_norm_label(lab): lab for lab in extra}
    misspelt: list[tuple[str, str]] = []
    for field in list(missing):
        found = by_norm.get(_norm_label(field["name"]))
        if found is not None:
            misspelt.append((field["name"], found))
            missing.remove(field)
            extra.remove(found)
    for expected, found in misspelt:
        collector.add({"type": "incorrect-label", "fieldName": expected, "cell": found,
                       "fieldNumber": labels.index(found) + 1})
    missing_required = []
    for field in missing:
        if (field.get("constraints") or {}).get("required"):
            missing_required.append(field["name"])
            collector.add({"type": "missing-required-column", "fieldName": field["name"]})
        else:
            collector.add({"type": "missing-optional-column", "fieldName": field["name"], "severity": "warning"})
    for lab in extra:
        collector.add({"type": "extra-column", "cell": lab, "severity": "warning"})
    present_order = [lab for lab in labels if lab in set(names)]
    expected_order = [n for n in names if n in label_set]
    if present_order != expected_order:
        collector.add({"type": "column-order", "severity": "info", "columns": ", ".join(names)})
    required_names = {f["name"] for f in fields if (f.get("constraints") or {}).get("required")}
    return {
        "missing_required": missing_required,
        "unreadable_required": missing_required + [e for e, _f in misspelt if e in required_names],
        "misspelt": [m[1] for m in misspelt],
        "label_errors": len(misspelt) + len(missing_required),
        "rename": {found: expected for expected, found in misspelt},
    }


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

def _open_resource(scan: PrescanResult, path: str, encoding: str | None, schema: Schema | None) -> Resource:
    options: dict[str, Any] = {"detector": Detector()}
    if schema is not None:
        options["schema"] = schema
    if scan.format == "inline":
        return Resource(data=scan.inline_data, format="inline", **options)
    if scan.format in ("csv", "tsv"):
        control = formats.CsvControl(delimiter=scan.delimiter or ",")
        options["dialect"] = Dialect(controls=[control])
        return Resource(path, format="csv", encoding=encoding or "utf-8", **options)
    return Resource(path, format=scan.format, **options)


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
    collector: _Collector,
    limits: Limits,
) -> None:
    started = time.monotonic()
    descriptor, schema_info = _resolve_schema(schema_ref, collector)
    report["schema"] = schema_info

    schema: Schema | None = None
    custom: list[Any] = []
    if descriptor is not None:
        try:
            table_schema = schema_catalogue.table_schema_descriptor(descriptor)
            # Columns are matched by name, in any order, missing or extra ones tolerated: the header is
            # compared with the schema by _compare_header, which explains the differences in French.
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
                    collector.add(_raw_error(exc.error))
                    report["status"] = "rejected"
                    report["table"] = {"complete": False, "rows": 0}
                    _finish(report, collector, started)
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
    _finish(report, collector, started, field_types)


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
    report["validation_path"] = {"path": "reference"}
    if not limits.fast_path or descriptor is None or scan.format not in ("csv", "tsv") or scan.encoding_break:
        return None
    t0 = time.monotonic()
    try:
        subset = fastpath.prepare(path, delimiter=scan.delimiter or ",", encoding=encoding, bom=scan.bom,
                                  descriptor=descriptor, custom=_fresh_checks(descriptor, schema_info))
    except fastpath.Unsupported as exc:
        log.info("Validation fast path not used for %s: %s", report["source"].get("url"), exc)
        report["validation_path"]["reason"] = str(exc)
        return None
    except ImportError as exc:  # pragma: no cover - polars missing
        log.warning("Validation fast path not available: %s", exc)
        return None
    except BaseException as exc:  # noqa: BLE001 - a polars panic (a BaseException) must not cost the report
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)) or "Timeout" in type(exc).__name__:
            raise
        log.warning("Validation fast path failed on %s, reference path used", report["source"].get("url"),
                    exc_info=True)
        report["validation_path"]["reason"] = f"fast path failed: {type(exc).__name__}"
        return None
    report["validation_path"]["path"] = "fast"
    report["validation_path"]["scan_seconds"] = round(time.monotonic() - t0, 3)
    report["validation_path"]["rows_checked_by_reference"] = len(subset.row_map)
    return subset


def _drop_subset(report: dict[str, Any], subset: fastpath.Subset, reason: str, collector: _Collector,
                 state: dict[str, Any]) -> None:
    log.info("Validation fast path dropped for %s: %s", report["source"].get("url"), reason)
    subset.cleanup()
    collector.restore(state)
    report["validation_path"]["path"] = "reference"
    report["validation_path"]["reason"] = reason
    return None


def _run_rows(
    resource: Resource,
    scan: PrescanResult,
    descriptor: dict[str, Any] | None,
    schema_info: dict[str, Any],
    custom: list[Any],
    collector: _Collector,
    limits: Limits,
    started: float,
    subset: fastpath.Subset | None = None,
) -> dict[str, Any]:
    labels = [str(label) for label in (resource.labels or [])]
    header_info: dict[str, Any] = {"missing_required": [], "label_errors": 0}
    if descriptor is not None:
        header_info = _compare_header(labels, descriptor.get("fields") or [], collector)
    header_problems: list[str] = []
    if labels and looks_like_data_row(labels):
        header_problems.append("no-header")
        collector.add({"type": "no-header", "severity": "warning"})

    checks = [baseline(), *custom]
    for check in checks:
        check.connect(resource)
    for check in checks:
        for err in check.validate_start():
            raw = _raw_error(err)
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
            raw = _raw_error(exc.error)
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
                raw = _raw_error(err)
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
            blank = row._Row__blank_cells  # filled by the processing above; avoids a cached_property lock
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
                add(_raw_error(err))

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


# -------------------------------------------------------------------------------------------------------
# Summary
# -------------------------------------------------------------------------------------------------------

def _summary(report: dict[str, Any]) -> str:
    status = report["status"]
    table = report.get("table") or {}
    rows = table.get("rows") or 0
    errors = report.get("error_count", 0)
    if status == "rejected":
        first = report["errors"][0] if report["errors"] else {"title": "", "message": ""}
        return _(N_("The file was not checked: {title}. {message}")).format(
            title=first["title"], message=first["message"]
        )
    if status == "not-tabular":
        first = report["warnings"][0] if report["warnings"] else {"message": ""}
        return first["message"]
    if status == "error":
        return _(N_("The check could not be carried out."))
    if rows == 0:
        return _(N_("The file holds no data row (only the header row)."))
    lines = ngettext("{n} data row", "{n} data rows", rows).format(n=f"{rows:,}".replace(",", " "))
    schema = report.get("schema") or {}
    if status == "valid":
        return _(N_('{lines} checked: the file conforms to the schema "{schema}".')).format(
            lines=lines, schema=schema.get("title") or schema.get("id") or ""
        )
    if status == "structure-only":
        return _(
            N_("{lines} read without structure errors. As no data schema is given, the content of the "
               "columns could not be checked: link a national schema for a complete check.")
        ).format(lines=lines)
    bad = table.get("rows_with_errors", 0)
    text = ngettext("{lines} checked: {errors} error to fix", "{lines} checked: {errors} errors to fix",
                    errors).format(lines=lines, errors=f"{errors:,}".replace(",", " "))
    if bad:
        text += ngettext(" (on {bad} row).", " (on {bad} rows).", bad).format(bad=f"{bad:,}".replace(",", " "))
    else:
        text += "."
    return text


__all__ = ["validate_file", "validate_url", "repair_mixed_encoding", "ENGINE_VERSION"]
