"""Delimited text: encoding, longest line, most delimiters on a line, delimiter, decimal commas, header.

The file is read once in chunks: the encoding is found on the way (UTF-8 with or without BOM, cp1252/latin-1,
or a UTF-8 file that breaks mid-way, and where), and a 10 MB line of 5 million delimiters is refused after
its first megabyte, never handed to frictionless.
"""
from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from typing import Any

from ..limits import Limits
from .result import CHUNK, UTF8_BOM, PrescanResult

CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
DELIMITERS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:[ \u00a0\u202f]?\d{3})*,\d+$|^-?\d+,\d+$")
_NUMERIC_OR_DATE = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$|^\d{1,4}[-/]\d{1,2}[-/]\d{1,4}$")


def sniff_dialect(sample: str, *, forced: str | None = None) -> tuple[str, list[str], list[list[str]]]:
    """Pick the delimiter giving the most consistent column count (header included).

    Returns ``(delimiter, header, rows)`` where ``rows`` are the parsed sample rows (header first).
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # last line was cut by the sample size
    lines = lines[:500]
    best: tuple[Any, ...] | None = None
    best_rows: list[list[str]] = []
    best_delim = forced or ","
    for delim in ([forced] if forced else list(DELIMITERS)):
        try:
            rows = [r for r in csv.reader(lines, delimiter=delim) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        counts = [len(r) for r in rows]
        mode, freq = Counter(counts).most_common(1)[0]
        if mode <= 1 and not forced:
            continue
        key = (counts[0] == mode, freq / len(counts), mode)
        if best is None or key > best:
            best, best_rows, best_delim = key, rows, delim
    if not best_rows:
        try:
            best_rows = [r for r in csv.reader(lines, delimiter=best_delim) if r]
        except csv.Error:
            best_rows = []
    header = [c.strip() for c in best_rows[0]] if best_rows else []
    return best_delim, header, best_rows


def decimal_comma_columns(header: list[str], rows: list[list[str]]) -> list[str]:
    columns: list[str] = []
    for index, label in enumerate(header):
        values = [r[index].strip() for r in rows[1:] if index < len(r) and r[index].strip()]
        if len(values) < 1:
            continue
        hits = sum(1 for v in values if _DECIMAL_COMMA.match(v))
        if hits >= max(1, len(values) // 2):
            columns.append(label or f"#{index + 1}")
    return columns


def looks_like_data_row(header: list[str]) -> bool:
    """A "header" made only of numbers or dates is in fact a data row (the header is missing)."""
    cells = [c for c in header if c]
    return bool(cells) and all(_NUMERIC_OR_DATE.match(c) for c in cells)


def text_file(result: PrescanResult, path: str, hint: str, limits: Limits) -> PrescanResult:
    result.kind = "tsv" if hint == "tsv" else "csv"
    forced = "\t" if hint == "tsv" else None

    with open(path, "rb") as fh:
        head = fh.read(limits.sniff_bytes)
    result.bom = head.startswith(UTF8_BOM)
    sample = (head[3:] if result.bom else head).decode("utf-8", errors="replace")
    delimiter, header, rows = sniff_dialect(sample, forced=forced)
    if delimiter == "\t":
        result.kind = "tsv"
    result.delimiter = delimiter
    result.header = header
    delim_b = delimiter.encode()
    # old Mac exports end lines with \r only: count those as line breaks
    newline = b"\r" if b"\n" not in head and b"\r" in head else b"\n"

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    seen_multibyte = False
    cp1252_undefined = False
    legacy = False
    line_no = 1
    cur_len = 0
    cur_delims = 0
    max_len = 0
    max_delims = 0
    last_byte = b""
    first = True
    consumed = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            data = chunk[3:] if first and result.bom else chunk
            data_start = consumed + (len(chunk) - len(data))
            consumed += len(chunk)
            first = False
            # -- encoding ----------------------------------------------------------------------------
            if not cp1252_undefined and any(b in data for b in CP1252_UNDEFINED):
                cp1252_undefined = True
            if utf8_ok:
                try:
                    decoder.decode(data)
                    if not seen_multibyte and not data.isascii():
                        seen_multibyte = True
                except UnicodeDecodeError as exc:
                    utf8_ok = False
                    start = max(min(exc.start, len(data)), 0)
                    before = data[:start]
                    if seen_multibyte or not before.isascii():
                        result.encoding_break = {
                            "row": line_no + before.count(newline),
                            "offset": data_start + start,
                        }
                    else:
                        legacy = True
            # -- lines and delimiters ------------------------------------------------------------------
            parts = data.split(newline)
            if len(parts) == 1:
                cur_len += len(data)
                cur_delims += data.count(delim_b)
            else:
                first_len = cur_len + len(parts[0])
                first_delims = cur_delims + parts[0].count(delim_b)
                if first_delims + 1 > limits.max_columns:
                    return reject(result, "too-many-columns", line_no, limits.max_columns)
                if first_len > limits.max_line_bytes:
                    return reject(result, "line-too-long", line_no, limits.max_line_bytes)
                max_len = max(max_len, first_len)
                max_delims = max(max_delims, first_delims)
                middle = parts[1:-1]
                if middle:
                    longest = max(map(len, middle))
                    if longest > limits.max_columns:
                        for offset, part in enumerate(middle, start=1):
                            if len(part) > limits.max_columns:
                                n = part.count(delim_b)
                                max_delims = max(max_delims, n)
                                if n + 1 > limits.max_columns:
                                    return reject(result, "too-many-columns", line_no + offset, limits.max_columns)
                                if len(part) > limits.max_line_bytes:
                                    return reject(result, "line-too-long", line_no + offset, limits.max_line_bytes)
                    max_len = max(max_len, longest)
                line_no += len(parts) - 1
                cur_len = len(parts[-1])
                cur_delims = parts[-1].count(delim_b)
            if cur_delims + 1 > limits.max_columns:
                return reject(result, "too-many-columns", line_no, limits.max_columns)
            if cur_len > limits.max_line_bytes:
                return reject(result, "line-too-long", line_no, limits.max_line_bytes)
            last_byte = data[-1:]
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            result.encoding_break = {"row": line_no, "offset": result.size}
    max_len = max(max_len, cur_len)
    max_delims = max(max_delims, cur_delims)
    result.line_count = line_no if cur_len or last_byte not in (newline, b"") else line_no - 1
    result.max_line_bytes = max_len
    result.max_fields = max_delims + 1

    if legacy:
        result.encoding = "latin-1" if cp1252_undefined else "cp1252"
        result.source_encoding = "ISO-8859-1" if cp1252_undefined else "Windows-1252"
        result.notes.append({"type": "encoding-not-utf8", "severity": "warning", "encoding": result.source_encoding})
        # Re-read the sample with the right codec for a correct header.
        sample = head.decode(result.encoding, errors="replace")
        delimiter, header, rows = sniff_dialect(sample, forced=delimiter)
        result.header = header
    else:
        result.encoding = "utf-8-sig" if result.bom else "utf-8"
        result.source_encoding = "UTF-8"
    if result.encoding_break:
        result.notes.append({"type": "encoding-break", "severity": "error", **result.encoding_break})
    if delimiter == ";":
        result.notes.append({"type": "semicolon-delimiter", "severity": "info"})
    if delimiter != ",":
        result.decimal_comma_columns = decimal_comma_columns(header, rows)
        if result.decimal_comma_columns:
            result.notes.append(
                {"type": "decimal-comma", "severity": "warning", "columns": list(result.decimal_comma_columns)}
            )
    result.format = result.kind
    result.ok = True
    return result


def reject(result: PrescanResult, code: str, row: int, limit: int) -> PrescanResult:
    result.ok = False
    result.fatal = {"type": code, "row": row, "limit": limit}
    return result
