"""Columnar fast path of the validation: polars finds the rows that *may* fail, frictionless checks only those.

How it keeps the findings of the reference path (frictionless row by row, ``validate._run_rows``):

* the file is read in chunks of whole lines (``CHUNK_BYTES``) by polars, every cell as text;
* each Table Schema rule becomes a column expression that is true only when the cell is **certainly**
  accepted by frictionless (a stricter test than frictionless' own: ``^-?[0-9]{1,18}$`` for an integer,
  a calendar date written ``YYYY-MM-DD``, a pattern run by polars' regex engine on a stricter translation…);
  the French custom checks on text columns run **once per distinct value** (same check objects as the
  reference path);
* a row where any test is not certain is *suspicious*: its exact bytes are copied to a small UTF-8 file that
  the reference path validates, with its row numbers mapped back. Every finding and every French message
  therefore comes from frictionless itself; rows proven clean only add to the counters (rows, empty cells,
  filled columns).

Whatever the fast path cannot prove identical makes :func:`prepare` return a reason instead, and the caller
validates the whole file with the reference path (logged): a schema type, format, constraint or custom check
it does not translate, a primary or foreign key, a header that is not exactly the schema's field names, a
cell that spans lines, a stray quote, a lone carriage return, a ragged row, an encoding it cannot decode.

Memory: one chunk of text (``CHUNK_BYTES``, 2 MiB) and its polars frame (≈ 3× the chunk), the value cache of
the custom checks (at most ``CACHE_SIZE`` values per check), 8 bytes per suspicious row, and for a ``unique``
column the set of its values (like frictionless, which keeps them too).
"""
from __future__ import annotations

import array
import csv
import dataclasses
import io
import logging
import os
import re
import tempfile
from typing import Any

log = logging.getLogger(__name__)

CHUNK_BYTES = 2 * 1024 * 1024
CACHE_SIZE = 200_000

SUPPORTED_TYPES = {"string", "integer", "number", "boolean", "date", "year"}
SUPPORTED_CONSTRAINTS = {
    "string": {"required", "unique", "enum", "pattern", "minLength", "maxLength"},
    "integer": {"required", "minimum", "maximum"},
    "number": {"required", "minimum", "maximum"},
    "year": {"required", "minimum", "maximum"},
    "boolean": {"required"},
    "date": {"required"},
}
#: field keys that change how frictionless reads a cell: not translated
READING_KEYS = {"bareNumber", "groupChar", "decimalChar", "floatNumber", "missingValues"}
SINGLE_COLUMN_CHECKS = {
    "french-siret-value", "french-siren-value", "year-interval-value", "nomenclature-actes-value",
    "code-commune-insee-value", "code-postal-value", "opening-hours-value", "phone-number-value",
}
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]

_RE_INTEGER = r"^-?[0-9]{1,18}$"
_RE_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
_RE_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_RE_YEAR = r"^[0-9]{4}$"
_RE_URI = r"^https?://[!-~]*$"


class Unsupported(Exception):
    """The fast path cannot prove it finds what the reference path finds: validate the whole file there."""


@dataclasses.dataclass
class Subset:
    """What :func:`prepare` hands to the reference path."""

    path: str
    """UTF-8 file: the header line and the suspicious rows, byte for byte."""
    row_map: array.array
    """Row number in the original file of each suspicious row (index = row number in ``path`` - 2)."""
    clean_rows: int
    clean_empty_cells: int
    clean_filled: set[str]
    """Columns with at least one filled cell among the clean rows."""

    def original_row(self, subset_row: int) -> int:
        return int(self.row_map[subset_row - 2])

    def cleanup(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


# -------------------------------------------------------------------------------------------------------
# Patterns
# -------------------------------------------------------------------------------------------------------

_SAFE_ESCAPES = set("dD.\\-+*?()[]{}|^$/ ,:;'\"#&%!=<>@_~`")
_WORD = "0-9A-Za-z_"
_SPACE = " \\t\\n\\r\\f\\v"


def translate_pattern(pattern: str) -> str:
    """A Rust-regex pattern (polars) accepting a **subset** of what Python's ``re.match("^{p}$")`` accepts.

    ``\\w`` and ``\\s`` become their ASCII classes (Python's and Rust's Unicode classes differ at the edges);
    constructs where the two engines may disagree (flags, look-arounds, back-references, nested or
    set-operation classes, Unicode properties, ``\\W``/``\\S``/``\\b``…) raise :class:`Unsupported`.
    """
    if not isinstance(pattern, str):
        raise Unsupported("pattern is not a string")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise Unsupported(f"pattern does not compile: {exc}") from None
    if "(?" in pattern or "[[" in pattern or "&&" in pattern or "--" in pattern or "~~" in pattern:
        raise Unsupported("pattern construct")
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern):
                raise Unsupported("pattern ends with a backslash")
            nxt = pattern[i + 1]
            if nxt == "w":
                out.append(_WORD if in_class else f"[{_WORD}]")
            elif nxt == "s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            elif nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", pattern[i + 2:i + 6]):
                char = chr(int(pattern[i + 2:i + 6], 16))
                if char.isascii() and not char.isalnum():
                    if not char.isprintable() or char in " <>":
                        raise Unsupported("pattern escape of a control character")
                    char = "\\" + char
                out.append(char)
                i += 6
                continue
            elif nxt in "tnr":
                out.append("\\" + nxt)
            elif nxt in "dD":
                out.append("\\" + nxt)
            elif nxt in _SAFE_ESCAPES:
                # punctuation: escaped for Rust, except the few it reads as something else when escaped
                out.append(nxt if nxt in " <>" else "\\" + nxt)
            else:
                raise Unsupported(f"pattern escape \\{nxt}")
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            # a ']' right after '[' or '[^' is a literal in Python, the end of an empty class in Rust
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                raise Unsupported("pattern class starting with ]")
            i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        if ch == "{" and not in_class and not re.match(r"\{\d+(,\d*)?\}", pattern[i:]):
            raise Unsupported("pattern brace")
        out.append(ch)
        i += 1
    return "^(?:" + "".join(out) + ")$"


# -------------------------------------------------------------------------------------------------------
# Plan: one expression per column
# -------------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Column:
    name: str
    type: str
    missing: list[str]
    required: bool = False
    unique: bool = False
    exprs: list[Any] = dataclasses.field(default_factory=list)  # each true when the non-missing cell is clean
    checks: list[Any] = dataclasses.field(default_factory=list)  # single-column custom checks (per value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unsupported("bound is not a number")
    return float(value)


def build_plan(descriptor: dict[str, Any], custom: list[Any]) -> tuple[list[_Column], list[tuple[str, ...]]]:
    """Columns to check and the one-of-required pairs; raises :class:`Unsupported`."""
    import polars as pl

    if descriptor.get("primaryKey") or descriptor.get("foreignKeys"):
        raise Unsupported("primary or foreign key")
    missing = descriptor.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise Unsupported("missingValues")
    columns: dict[str, _Column] = {}
    for field in descriptor.get("fields") or []:
        name, ftype = field["name"], field.get("type", "string")
        fmt = field.get("format", "default") or "default"
        if ftype not in SUPPORTED_TYPES:
            raise Unsupported(f"type {ftype}")
        if READING_KEYS.intersection(field):
            raise Unsupported(f"field option on {name}")
        if ftype == "date":
            if fmt not in ("default", "%Y-%m-%d"):
                raise Unsupported(f"date format {fmt}")
        elif ftype == "string" and fmt == "uri":
            pass  # frictionless (rfc3986) asks for a scheme: "http(s)://" + printable ASCII certainly has one
        elif fmt != "default":
            raise Unsupported(f"{ftype} format {fmt}")
        constraints = field.get("constraints") or {}
        unknown = set(constraints) - SUPPORTED_CONSTRAINTS[ftype]
        if unknown:
            raise Unsupported(f"constraint {sorted(unknown)} on {ftype}")
        col = _Column(name=name, type=ftype, missing=list(missing))
        c = pl.col(name)
        if ftype == "string" and fmt == "uri":
            col.exprs.append(c.str.contains(_RE_URI))
        if ftype == "integer":
            col.exprs.append(c.str.contains(_RE_INTEGER))
        elif ftype == "number":
            col.exprs.append(c.str.contains(_RE_NUMBER))
        elif ftype == "year":
            col.exprs.append(c.str.contains(_RE_YEAR))
        elif ftype == "boolean":
            true_values = field.get("trueValues", DEFAULT_TRUE)
            false_values = field.get("falseValues", DEFAULT_FALSE)
            col.exprs.append(c.is_in([str(v) for v in [*true_values, *false_values]]))
        elif ftype == "date":
            col.exprs.append(c.str.contains(_RE_DATE) & (c.str.slice(0, 4) != "0000")
                             & c.str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_not_null())
        for key, value in constraints.items():
            if key == "required":
                col.required = bool(value)
            elif key == "unique":
                col.unique = bool(value)
            elif key == "enum":
                if fmt != "default":
                    raise Unsupported("enum on a formatted string")  # frictionless casts the enum values too
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise Unsupported("enum values")
                col.exprs.append(c.is_in(value))
            elif key == "pattern":
                col.exprs.append(c.str.contains(translate_pattern(value)))
            elif key in ("minLength", "maxLength"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise Unsupported("length bound")
                n = c.str.len_chars()
                col.exprs.append(n >= value if key == "minLength" else n <= value)
            elif key in ("minimum", "maximum"):
                bound = _number(value)
                if ftype in ("integer", "year"):
                    if not float(bound).is_integer():
                        raise Unsupported("integer bound")
                    v = c.cast(pl.Int64, strict=False)
                    col.exprs.append(v >= int(bound) if key == "minimum" else v <= int(bound))
                else:
                    # decimals against a float: a margin sends the cells next to the bound to frictionless
                    margin = 1e-9 * (1 + abs(bound))
                    v = c.cast(pl.Float64, strict=False)
                    col.exprs.append(v >= bound + margin if key == "minimum" else v <= bound - margin)
        columns[name] = col
    pairs: list[tuple[str, ...]] = []
    for check in custom:
        kind = getattr(check, "type", "")
        if kind in SINGLE_COLUMN_CHECKS:
            col = columns.get(check.column)
            if col is None:
                continue  # a column outside the schema: the check never runs (see checks.row_field_names)
            if col.type != "string":
                raise Unsupported(f"{kind} on a {col.type} column")
            check._setup()
            col.checks.append(check)
        elif kind == "one-of-required":
            pairs.append(tuple(c for c in (check.column, check.column2)))
        else:
            raise Unsupported(f"custom check {kind}")
    return list(columns.values()), pairs


class _StubRow(dict):
    """Stands for a frictionless row in a custom check: building an error from it fails, which says "bad"."""


def _verdicts(check: Any, values: list[str], cache: dict[str, bool]) -> list[str]:
    """The values the check may flag (computed once per distinct value, cached)."""
    bad: list[str] = []
    for value in values:
        verdict = cache.get(value)
        if verdict is None:
            if value == "":
                verdict = True
            else:
                try:
                    verdict = check._check(_StubRow({check.column: value}), value) is None
                except Exception:  # noqa: BLE001 - the error could not be built on the stub: a finding
                    verdict = False
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            cache[value] = verdict
        if not verdict:
            bad.append(value)
    return bad


# -------------------------------------------------------------------------------------------------------
# Reading
# -------------------------------------------------------------------------------------------------------

def _header(path: str, bom: bool, encoding: str) -> tuple[bytes, list[str], int]:
    with open(path, "rb") as fh:
        if bom:
            start = fh.read(3)
            if start != b"\xef\xbb\xbf":
                raise Unsupported("BOM")
        line = fh.readline(1024 * 1024)
        offset = fh.tell()
    text = line.decode(encoding)
    if "\r" in text.rstrip("\r\n") or "\x00" in text:
        raise Unsupported("header line")
    return line, text, offset


def _chunks(path: str, offset: int, size: int):
    with open(path, "rb") as fh:
        fh.seek(offset)
        carry = b""
        while True:
            block = fh.read(size)
            if not block:
                if carry:
                    yield carry
                return
            data = carry + block
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[:cut + 1]


def _frame(chunk: bytes, names: list[str], delimiter: str):
    """(cells as text, rows proven to be read alike by polars and Python's csv module)."""
    import polars as pl

    if b"\x00" in chunk:
        raise Unsupported("NUL byte")
    if chunk.count(b"\r") != chunk.count(b"\r\n"):
        raise Unsupported("lone carriage return")
    lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    try:
        df = pl.read_csv(io.BytesIO(chunk), has_header=False, new_columns=names, separator=delimiter,
                         quote_char='"', infer_schema=False, empty_string_is_null=False,
                         truncate_ragged_lines=True, raise_if_empty=False,
                         schema_overrides={n: pl.String for n in names})
        raw = pl.read_csv(io.BytesIO(chunk), has_header=False, new_columns=["line"], separator="\x00",
                          quote_char=None, infer_schema=False, empty_string_is_null=False,
                          raise_if_empty=False, schema_overrides={"line": pl.String})
    except Exception as exc:  # noqa: BLE001 - ragged rows, broken quotes...
        raise Unsupported(f"polars cannot read a chunk: {type(exc).__name__}") from None
    if df.width != len(names) or df.height != lines or raw.height != lines:
        raise Unsupported("rows and lines differ (cell across lines, blank line)")
    # A short row reads as empty cells in polars, a stray quote differently from the csv module: only a line
    # of exactly len(names) cells, each plain or quoted as RFC 4180 says, is proven read alike.
    d = "\\t" if delimiter == "\t" else re.escape(delimiter)
    cell = f'(?:[^"{d}\\r\\n]*|"(?:[^"]|"")*")'
    rule = f"^{cell}(?:{d}{cell}){{{len(names) - 1}}}\\r?$"
    try:
        line = pl.col("line")
        marks = raw.select(line.str.contains(rule).alias("ok"), ((line == "") | (line == "\r")).any().alias("blank"))
    except Exception as exc:  # noqa: BLE001 - regex too big (thousands of columns)
        raise Unsupported(f"line rule: {type(exc).__name__}") from None
    if marks["blank"][0]:
        raise Unsupported("blank line")
    return df, marks["ok"]


def prepare(path: str, *, delimiter: str, encoding: str | None, bom: bool,
            descriptor: dict[str, Any], custom: list[Any], tmp_dir: str | None = None) -> Subset:
    """Scan ``path`` column by column and write its suspicious rows; raises :class:`Unsupported`."""
    import polars as pl

    if len(delimiter) != 1 or delimiter in '"\r\n' or not delimiter.isascii():
        raise Unsupported("delimiter")
    if len(descriptor.get("fields") or []) < 2:
        raise Unsupported("fewer than two columns (a blank line is a row then)")
    encoding = (encoding or "utf-8").lower()
    if encoding in ("utf-8-sig", "utf_8_sig"):
        encoding, bom = "utf-8", True
    try:
        "x".encode(encoding)
    except LookupError:
        raise Unsupported(f"encoding {encoding}") from None
    utf8 = encoding in ("utf-8", "utf8", "ascii", "us-ascii")
    columns, pairs = build_plan(descriptor, custom)
    try:
        header_bytes, header_text, offset = _header(path, bom, encoding)
    except UnicodeDecodeError:
        raise Unsupported("header encoding") from None
    labels = next(csv.reader([header_text.rstrip("\r\n")], delimiter=delimiter), [])
    names = [c.name for c in columns]
    if len(labels) != len(set(labels)) or set(labels) != set(names):
        raise Unsupported("header is not exactly the schema's field names")
    by_name = {c.name: c for c in columns}
    ordered = [by_name[label] for label in labels]

    def decoded(chunk: bytes) -> bytes:
        if utf8:
            return chunk
        try:
            return chunk.decode(encoding).encode("utf-8")
        except UnicodeError:
            raise Unsupported("chunk encoding") from None

    # unique columns: a first pass finds the duplicated values; every row holding one goes to frictionless
    duplicated: dict[str, list[str]] = {}
    unique_cols = [c for c in ordered if c.unique]
    if unique_cols:
        seen: dict[str, set[str]] = {c.name: set() for c in unique_cols}
        dups: dict[str, set[str]] = {c.name: set() for c in unique_cols}
        for chunk in _chunks(path, offset, CHUNK_BYTES):
            df, _wf = _frame(decoded(chunk), labels, delimiter)
            for col in unique_cols:
                s = df[col.name]
                s = s.filter(~s.is_in(col.missing) & s.is_not_null())
                counts = s.value_counts()
                for value, n in counts.iter_rows():
                    if n > 1 or value in seen[col.name]:
                        dups[col.name].add(value)
                    seen[col.name].add(value)
        duplicated = {k: sorted(v) for k, v in dups.items()}
        del seen

    paired = {p for pair in pairs for p in pair if p in by_name}
    fd, subset_path = tempfile.mkstemp(prefix="grandest-fast-", suffix=".csv", dir=tmp_dir)
    row_map = array.array("q")
    clean_rows = 0
    clean_empty = 0
    filled: set[str] = set()
    caches: dict[int, dict[str, bool]] = {}
    line_no = 1  # the header
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(header_bytes if utf8 else header_text.encode("utf-8"))
            if not header_bytes.endswith(b"\n"):
                out.write(b"\n")
            for raw_chunk in _chunks(path, offset, CHUNK_BYTES):
                chunk = decoded(raw_chunk)
                df, well_formed = _frame(chunk, labels, delimiter)
                n = df.height
                if n == 0:
                    continue
                clean_parts = []
                missing_parts = []
                for col in ordered:
                    c = pl.col(col.name)
                    is_missing = c.is_in(col.missing)
                    ok = c.is_not_null()
                    if col.required:
                        ok = ok & ~is_missing
                    for expr in col.exprs:
                        ok = ok & (is_missing | expr.fill_null(False))
                    if col.unique and duplicated.get(col.name):
                        ok = ok & ~c.is_in(duplicated[col.name])
                    for check in col.checks:
                        values = df[col.name].unique().to_list()
                        values = [v for v in values if v is not None and v not in col.missing]
                        bad = _verdicts(check, values, caches.setdefault(id(check), {}))
                        if bad:
                            ok = ok & ~c.is_in(bad)
                    clean_parts.append(ok.alias(f"ok:{col.name}"))
                    missing_parts.append(is_missing.alias(f"miss:{col.name}"))
                    if col.name in paired:  # one-of-required: an empty text is empty even when not missing
                        missing_parts.append((is_missing | (c == "")).alias(f"blank:{col.name}"))
                marks = df.select(clean_parts + missing_parts)
                ok_all = pl.all_horizontal([pl.col(f"ok:{c.name}") for c in ordered])
                all_missing = pl.all_horizontal([pl.col(f"miss:{c.name}") for c in ordered])
                clean_expr = ok_all & ~all_missing  # a blank row is frictionless' to report
                for pair in pairs:
                    present = [p for p in pair if p in by_name]
                    if present:
                        clean_expr = clean_expr & ~pl.all_horizontal([pl.col(f"blank:{p}") for p in present])
                clean = marks.select(clean_expr.alias("clean"))["clean"]
                clean = clean & well_formed
                n_clean = int(clean.sum())
                clean_rows += n_clean
                if n_clean:
                    stats = marks.filter(clean).select(
                        [pl.col(f"miss:{c.name}").sum().alias(c.name) for c in ordered]).row(0)
                    for col, empty in zip(ordered, stats):
                        clean_empty += int(empty)
                        if empty < n_clean:
                            filled.add(col.name)
                if n_clean < n:
                    bad_idx = (~clean).arg_true().to_list()
                    lines = chunk.split(b"\n")
                    for idx in bad_idx:
                        out.write(lines[idx] + b"\n")
                        row_map.append(line_no + 1 + idx)
                line_no += n
    except BaseException:
        os.unlink(subset_path)
        raise
    return Subset(path=subset_path, row_map=row_map, clean_rows=clean_rows, clean_empty_cells=clean_empty,
                  clean_filled=filled)


__all__ = ["prepare", "Subset", "Unsupported", "translate_pattern", "build_plan", "CHUNK_BYTES"]
