"""Automatic repairs of a delimited text file, offered to the publisher with a preview (no CKAN import).

:func:`repair_csv` reads the file twice, streaming (memory stays flat whatever its size):

1. an analysis pass finds, per column, what can be fixed without guessing: the order of numeric dates (a
   column of ``01/02/2024`` with no part above 12 is **ambiguous**: it is converted only with the publisher's
   explicit choice, never guessed), columns made only of numbers with a decimal comma or only of French dates
   (files without a schema), and the trailing columns that are empty from top to bottom;
2. a rewrite pass writes UTF-8, comma-separated CSV (when ``output`` is given; without it this is the
   preview: same counts, nothing written) and keeps a sample of the changed cells.

Repair kinds (``KINDS``): ``encoding`` (to UTF-8), ``delimiter`` (``;``/tab/``|`` to ``,``), ``header``
(a label differing from the schema's name only by case, accents, spaces or punctuation), ``decimal-comma``
(number columns), ``french-date`` (``31/01/2024``, « 5 avril 2024 » to ISO 8601 in date columns),
``boolean`` (Oui/Non/Vrai/Faux to the schema's ``trueValues``/``falseValues``), ``code-spaces`` (spaces in
SIRET/SIREN/postcodes/phone numbers), ``empty-rows`` and ``empty-columns`` (trailing).

The result carries codes and parameters only: the plugin turns them into French sentences.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime
import os
import re
import tempfile
from collections import Counter
from typing import Any

from . import schemas as schema_catalogue
from .limits import DEFAULT_LIMITS, Limits
from .prescan import prescan
from .header import norm_label

KINDS = ("encoding", "delimiter", "header", "decimal-comma", "french-date", "boolean", "code-spaces",
         "empty-rows", "empty-columns")
DATE_ORDERS = ("dmy", "mdy")
ISO_DATE_FORMATS = (None, "", "default", "any", "%Y-%m-%d")
SAMPLE_PER_KIND = 10

_SPACES = "[ \u00a0\u202f]"
_DECIMAL = re.compile(rf"^([-+]?)(\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d+),(\d+)$")
_PLAIN_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
MONTHS = {"janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
          "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12, "décembre": 12}
_WORD_DATE = re.compile(
    r"^(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(\d{1,2})(?:er)?\s+(" + "|".join(MONTHS)
    + r")\.?\s+(\d{4})$", re.IGNORECASE)
TRUE_WORDS = {"oui", "vrai"}
FALSE_WORDS = {"non", "faux"}
CODE_NAMES = ("siret", "siren", "codepostal", "telephone", "tel", "phone", "cp")
_CODE = re.compile(r"^\+?\d+$")


@dataclasses.dataclass
class RepairResult:
    ok: bool = False
    """The file could be read and rewritten (even if nothing needed fixing)."""
    refused: str | None = None
    """Why no repair is possible: ``not-csv``, ``compressed``, ``too-large``, ``broken-encoding``, ``unreadable``
    or a pre-scan code (``binary-file``, ``empty-file``...)."""
    refused_params: dict[str, Any] = dataclasses.field(default_factory=dict)
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    changes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """Sample of changes: ``{"kind", "row", "column", "before", "after"}`` (row 1 is the header)."""
    ambiguous_dates: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """Date columns left alone: ``{"column", "reason": "ambiguous"|"mixed", "examples"}``; an ``ambiguous``
    one is converted when the publisher picks its order (``date_orders``)."""
    date_orders: dict[str, str] = dataclasses.field(default_factory=dict)
    source_encoding: str | None = None
    delimiter: str | None = None
    rows: int = 0
    output: str | None = None

    @property
    def change_count(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["change_count"] = self.change_count
        return out


@dataclasses.dataclass
class _Column:
    index: int
    label: str
    field: dict[str, Any] | None = None
    number: bool = False
    date: bool = False
    boolean: bool = False
    code: bool = False
    # analysis (files without a schema, and the order of numeric dates)
    values: int = 0
    decimal_values: int = 0
    all_numbers: bool = True
    all_dates: bool = True
    first_over_12: bool = False
    second_over_12: bool = False
    numeric_dates: int = 0
    examples: list[str] = dataclasses.field(default_factory=list)
    order: str | None = None


def _fields(schema: str | dict[str, Any] | None) -> tuple[list[dict[str, Any]], set[str]]:
    """The schema's fields, and the columns its custom checks declare as SIRET/SIREN/phone/postcode."""
    if isinstance(schema, str):
        schema = schema_catalogue.load_schema(schema)
    if not isinstance(schema, dict):
        return [], set()
    codes = {str((c.get("params") or {}).get("column")) for c in schema.get("custom_checks") or []
             if isinstance(c, dict) and any(k in str(c.get("name")) for k in ("siret", "siren", "phone", "postal"))}
    return [f for f in schema.get("fields") or [] if isinstance(f, dict) and f.get("name")], codes


def _is_code(name: str) -> bool:
    norm = norm_label(name)
    return any(norm == c or (len(c) > 3 and c in norm) for c in CODE_NAMES)


def _columns(header: list[str], fields: list[dict[str, Any]],
             codes: set[str]) -> tuple[list[_Column], list[tuple[str, str]]]:
    by_name = {f["name"]: f for f in fields}
    by_norm = {norm_label(f["name"]): f for f in fields}
    renames: list[tuple[str, str]] = []
    columns: list[_Column] = []
    taken = {lab for lab in header if lab in by_name}
    for index, label in enumerate(header):
        clean = label.strip()
        field = by_name.get(label)
        if field is None and clean:
            candidate = by_name.get(clean) or by_norm.get(norm_label(clean))
            if candidate is not None and candidate["name"] not in taken:
                field = candidate
                taken.add(candidate["name"])
                renames.append((label, candidate["name"]))
        col = _Column(index=index, label=field["name"] if field else label, field=field)
        ftype = (field or {}).get("type")
        col.number = ftype == "number"
        col.date = ftype == "date" and (field or {}).get("format") in ISO_DATE_FORMATS
        col.boolean = ftype == "boolean"
        col.code = ftype in (None, "string", "any") and (col.label in codes or _is_code(col.label))
        columns.append(col)
    return columns, renames


def _parse_word_date(value: str) -> str | None:
    match = _WORD_DATE.match(value)
    if not match:
        return None
    return _iso(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _analyse(col: _Column, value: str) -> None:
    col.values += 1
    if _DECIMAL.match(value):
        col.decimal_values += 1
    elif not _PLAIN_NUMBER.match(value):
        col.all_numbers = False
    match = _NUMERIC_DATE.match(value)
    if match:
        col.numeric_dates += 1
        first, second = int(match.group(1)), int(match.group(2))
        col.first_over_12 = col.first_over_12 or first > 12
        col.second_over_12 = col.second_over_12 or second > 12
        if len(col.examples) < 3 and value not in col.examples:
            col.examples.append(value)
    elif not _parse_word_date(value):
        col.all_dates = False


def _decide(columns: list[_Column], date_orders: dict[str, str],
            result: RepairResult) -> None:
    for col in columns:
        if col.field is None and col.values:
            # without a schema field, only columns that are entirely numbers / dates are touched
            col.number = col.all_numbers and col.decimal_values > 0
            col.date = col.all_dates
        if not col.date or not col.numeric_dates:
            continue
        if col.first_over_12 and col.second_over_12:
            result.ambiguous_dates.append({"column": col.label, "reason": "mixed", "examples": col.examples})
        elif col.first_over_12:
            col.order = "dmy"
        elif col.second_over_12:
            col.order = "mdy"
        elif date_orders.get(col.label) in DATE_ORDERS:
            col.order = date_orders[col.label]
            result.date_orders[col.label] = col.order
        else:
            result.ambiguous_dates.append({"column": col.label, "reason": "ambiguous", "examples": col.examples})


def _fix(col: _Column, value: str) -> tuple[str, str] | None:
    """``(kind, new value)`` for a cell, or None to keep it."""
    stripped = value.strip()
    if not stripped:
        return None
    if col.number:
        match = _DECIMAL.match(stripped)
        if match:
            integer = re.sub(_SPACES, "", match.group(2))
            return "decimal-comma", f"{match.group(1)}{integer}.{match.group(3)}"
    if col.date:
        match = _NUMERIC_DATE.match(stripped)
        if match and col.order:
            a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
            iso = _iso(year, b, a) if col.order == "dmy" else _iso(year, a, b)
            return ("french-date", iso) if iso else None
        iso = _parse_word_date(stripped)
        if iso:
            return "french-date", iso
    if col.boolean:
        field = col.field or {}
        trues = [str(v) for v in field.get("trueValues") or ["true", "True", "TRUE", "1"]]
        falses = [str(v) for v in field.get("falseValues") or ["false", "False", "FALSE", "0"]]
        lowered = stripped.lower()
        if value not in trues and lowered in TRUE_WORDS:
            return "boolean", trues[0]
        if value not in falses and lowered in FALSE_WORDS:
            return "boolean", falses[0]
    if col.code:
        compact = re.sub(r"\s", "", value)
        if compact != value and _CODE.match(compact):
            return "code-spaces", compact
    return None


class _Recorder:
    def __init__(self, result: RepairResult) -> None:
        self.result = result
        self.counts: Counter[str] = Counter()
        self.per_kind: Counter[str] = Counter()

    def add(self, kind: str, row: int | None, column: str | None, before: Any, after: Any, n: int = 1) -> None:
        self.counts[kind] += n
        if self.per_kind[kind] < SAMPLE_PER_KIND:
            self.per_kind[kind] += 1
            self.result.changes.append({"kind": kind, "row": row, "column": column, "before": before,
                                        "after": after})


def _refuse(result: RepairResult, code: str, **params: Any) -> RepairResult:
    result.ok = False
    result.refused = code
    result.refused_params = params
    return result


def _open(path: str, encoding: str) -> Any:
    return open(path, encoding=encoding, newline="", errors="strict")


def repair_csv(
    path: str,
    *,
    schema: str | dict[str, Any] | None = None,
    name: str | None = None,
    output: str | None = None,
    date_orders: dict[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RepairResult:
    """Find (and with ``output``, write) the safe repairs of the delimited text file at ``path``.

    ``schema`` is a national schema reference or a Table Schema dict; ``date_orders`` maps a date column (its
    name after the header repair) to ``"dmy"`` or ``"mdy"``: the publisher's answer for an ambiguous column.
    ``output`` is written only when the file could be read entirely; on refusal it is not created.
    """
    result = RepairResult()
    try:
        size = os.path.getsize(path)
    except OSError:
        return _refuse(result, "unreadable")
    if size > limits.max_download_bytes:
        return _refuse(result, "too-large", size=size, limit=limits.max_download_bytes)
    scan = prescan(path, name=name, limits=limits)
    try:
        if not scan.ok:
            return _refuse(result, (scan.fatal or {}).get("type") or "not-csv", **{
                k: v for k, v in (scan.fatal or {}).items() if k != "type"})
        if scan.kind not in ("csv", "tsv"):
            return _refuse(result, "not-csv", kind=scan.kind)
        if scan.compression or scan.archive_member:
            return _refuse(result, "compressed")
        if scan.encoding_break:
            return _refuse(result, "broken-encoding", row=scan.encoding_break.get("row"))
        fields, codes = _fields(schema)
        return _repair(scan.path, scan, fields, codes, dict(date_orders or {}), output, result, limits)
    finally:
        scan.cleanup()


def _repair(path: str, scan: Any, fields: list[dict[str, Any]], codes: set[str], date_orders: dict[str, str],
            output: str | None, result: RepairResult, limits: Limits) -> RepairResult:
    encoding = scan.encoding or "utf-8"
    source_encoding: str = scan.source_encoding or encoding
    delimiter: str = scan.delimiter or ","
    result.source_encoding, result.delimiter = source_encoding, delimiter
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_line_bytes))
    # -- pass 1: analysis --------------------------------------------------------------------------------
    try:
        with _open(path, encoding) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, [])
            columns, renames = _columns(header, fields, codes)
            width = max((i + 1 for i, lab in enumerate(header) if lab.strip()), default=0)
            for row in reader:
                for index, value in enumerate(row):
                    value = value.strip()
                    if not value:
                        continue
                    width = max(width, index + 1)
                    if index < len(columns):
                        _analyse(columns[index], value)
    except (UnicodeDecodeError, csv.Error) as exc:
        return _refuse(result, "broken-encoding" if isinstance(exc, UnicodeDecodeError) else "unreadable")
    _decide(columns, date_orders, result)
    recorder = _Recorder(result)
    if source_encoding.lower().replace("_", "-") not in ("utf-8", "utf-8-sig"):
        recorder.add("encoding", None, None, source_encoding, "UTF-8")
    if delimiter != ",":
        recorder.add("delimiter", None, None, delimiter, ",")
    for before, after in renames:
        recorder.add("header", 1, after, before, after)
    if len(header) > width:
        recorder.add("empty-columns", 1, None, len(header), width, n=len(header) - width)
    # -- pass 2: rewrite ---------------------------------------------------------------------------------
    out_fh = None
    tmp = None
    try:
        if output is not None:
            fd, tmp = tempfile.mkstemp(prefix="grandest-repair-", suffix=".csv",
                                       dir=os.path.dirname(os.path.abspath(output)))
            out_fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        writer = csv.writer(out_fh, lineterminator="\r\n") if out_fh else None
        with _open(path, encoding) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            raw_header = next(reader, [])
            new_header = [c.label for c in columns][:width] if width else raw_header
            if writer:
                writer.writerow(new_header)
            pending_empty: list[list[str]] = []
            line = 1
            for row in reader:
                line += 1
                cells = row[:width] if len(row) > width else row
                if not any(c.strip() for c in cells):
                    pending_empty.append(cells)
                    continue
                if pending_empty and writer:
                    writer.writerows(pending_empty)
                pending_empty = []
                result.rows += 1
                fixed = list(cells)
                for index, value in enumerate(cells):
                    if index >= len(columns):
                        break
                    change = _fix(columns[index], value)
                    if change is not None:
                        kind, new = change
                        fixed[index] = new
                        recorder.add(kind, line, columns[index].label, value, new)
                if writer:
                    writer.writerow(fixed)
            if pending_empty:
                recorder.add("empty-rows", line - len(pending_empty) + 1, None, None, None, n=len(pending_empty))
        if out_fh is not None:
            out_fh.close()
            out_fh = None
            os.replace(tmp, output)  # type: ignore[arg-type]
            tmp = None
            result.output = output
    except (UnicodeDecodeError, csv.Error) as exc:
        return _refuse(result, "broken-encoding" if isinstance(exc, UnicodeDecodeError) else "unreadable")
    finally:
        if out_fh is not None:
            out_fh.close()
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    result.counts = {k: recorder.counts[k] for k in KINDS if recorder.counts[k]}
    result.ok = True
    return result
