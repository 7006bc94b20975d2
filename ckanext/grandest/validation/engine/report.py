"""The report of one validation run: its skeleton, the collector of findings and the rendering at the end.

:class:`Collector` counts every finding of a run (per type, errors and warnings apart) and keeps a capped
sample of raw errors; :func:`finish` renders the sample in plain language (:mod:`.messages`), fills the
counts, the status label and the one-sentence summary. :func:`raw_error` turns a frictionless error into the
engine's raw dict (``impossible-date`` and constraint names included).
"""
from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

from .fetch import FetchResult
from .limits import Limits
from .messages import N_, _, is_impossible_date, ngettext, render, render_error
from .messages.tables import STATUS_LABELS
from .prescan import PrescanResult

ENGINE_VERSION = "1.0"


def new_report(name: str, fetch_info: dict[str, Any] | None) -> dict[str, Any]:
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


def failed_fetch_report(fetched: FetchResult, started: float) -> dict[str, Any]:
    report = new_report(fetched.url, fetched.to_dict())
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


class Collector:
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


def raw_error(err: Any) -> dict[str, Any]:
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


def finish(
    report: dict[str, Any],
    collector: Collector,
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
    report["summary"] = summary(report)
    report["timings"]["total"] = round(time.monotonic() - started, 3)


def finish_unvalidated(
    report: dict[str, Any], scan: PrescanResult, collector: Collector, started: float
) -> dict[str, Any]:
    fatal = dict(scan.fatal or {"type": "source-error"})
    report["status"] = scan.status
    fatal["severity"] = "error" if scan.status == "rejected" else "info"
    collector.add(fatal)
    report["table"] = {"complete": False, "rows": 0}
    finish(report, collector, started)
    return report


def summary(report: dict[str, Any]) -> str:
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
