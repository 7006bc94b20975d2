"""Columnar fast path of the validation: polars finds the rows that *may* fail, frictionless checks only those.

How it keeps the findings of the reference path (frictionless row by row, ``rows.run_rows``):

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

Modules: this one reads the file and sorts its rows (:func:`prepare`); :mod:`.plan` translates the schema's
rules into polars expressions.
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

from .plan import Unsupported, build_plan

log = logging.getLogger(__name__)

CHUNK_BYTES = 2 * 1024 * 1024
CACHE_SIZE = 200_000


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

def _header(path: str, bom: bool, encoding: str) -> tuple[bytes, str, int]:
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


__all__ = ["prepare", "Subset", "Unsupported", "build_plan", "CHUNK_BYTES"]
