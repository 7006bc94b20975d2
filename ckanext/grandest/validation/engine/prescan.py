"""Cheap streaming pre-scan, run before frictionless ever sees a file.

It reads the bytes once, in 1 MiB chunks, and decides:

* what the file really is (magic bytes beat the declared format): empty, HTML saved as CSV, PDF, binary
  garbage, gzip, zip, xlsx, ods, xls, JSON, or delimited text;
* for archives: the declared decompressed size and compression ratio from the zip ``infolist`` (zip bomb),
  then the **actual** decompressed size while streaming (the ``infolist`` can lie); gzip is stream-decompressed
  to a temporary file under the same cap;
* for text: the encoding (UTF-8 with/without BOM, cp1252/latin-1, UTF-16 transcoded, or a UTF-8 file that
  breaks mid-way and where), the longest physical line and the most delimiters on a line, so a 10 MB line of
  5 million delimiters is refused after reading its first megabyte, never handed to frictionless;
* the delimiter (``;`` of French Excel exports), decimal-comma columns and the header row.

The result tells :mod:`.validate` whether to run frictionless, with which encoding and dialect.
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import json
import os
import re
import tempfile
import zipfile
import zlib
from collections import Counter
from typing import Any

from .limits import DEFAULT_LIMITS, Limits
from .messages import human_size

CHUNK = 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
DELIMITERS = (",", ";", "\t", "|")
TABLE_EXTENSIONS = ("csv", "tsv", "txt", "xlsx", "xls", "ods", "json")
TEXT_FORMATS = ("csv", "tsv", "txt")

# Results that stop the pipeline: "rejected" = refused to protect the service or unreadable;
# "not-tabular" = a legitimate file that is simply not a table.
REJECTING = {
    "empty-file",
    "html-file",
    "binary-file",
    "line-too-long",
    "too-many-columns",
    "zip-bomb",
    "decompressed-too-large",
    "corrupt-archive",
    "invalid-json",
    "json-too-large",
    "xls-too-large",
    "source-error",
}
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:[ \u00a0\u202f]?\d{3})*,\d+$|^-?\d+,\d+$")
_NUMERIC_OR_DATE = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$|^\d{1,4}[-/]\d{1,2}[-/]\d{1,4}$")


@dataclasses.dataclass
class PrescanResult:
    path: str
    size: int = 0
    ok: bool = False
    """True when the file can be handed to frictionless (``format``/``encoding``/``delimiter`` set)."""
    fatal: dict[str, Any] | None = None
    """Why the file is not validated: ``{"type": code, ...params}`` (code in messages.ERRORS)."""
    kind: str = "unknown"
    """What the bytes are: csv, tsv, xlsx, xls, ods, json, geojson, html, pdf, image, xml, zip, binary, empty..."""
    format: str | None = None
    """Format handed to frictionless (csv, tsv, xlsx, xls, ods, inline for JSON)."""
    compression: str | None = None
    archive_member: str | None = None
    decompressed_size: int | None = None
    encoding: str | None = None
    """Python codec handed to frictionless: utf-8, utf-8-sig, cp1252, latin-1 (UTF-16 is transcoded)."""
    source_encoding: str | None = None
    """Encoding found in the file (``utf-16`` when transcoded)."""
    bom: bool = False
    encoding_break: dict[str, Any] | None = None
    delimiter: str | None = None
    decimal_comma_columns: list[str] = dataclasses.field(default_factory=list)
    header: list[str] = dataclasses.field(default_factory=list)
    line_count: int = 0
    max_line_bytes: int = 0
    max_fields: int = 0
    notes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """Non-fatal findings: ``{"type": code, "severity": "warning"|"info", ...params}``."""
    inline_data: list[Any] | None = None
    """Rows of a JSON table (parsed in memory, capped by ``max_json_bytes``)."""
    temp_files: list[str] = dataclasses.field(default_factory=list)

    @property
    def status(self) -> str:
        if self.ok:
            return "ok"
        if self.fatal and self.fatal.get("type") in REJECTING:
            return "rejected"
        return "not-tabular"

    def cleanup(self) -> None:
        for path in self.temp_files:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        self.temp_files.clear()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "format": self.format,
            "size": self.size,
            "compression": self.compression,
            "archive_member": self.archive_member,
            "decompressed_size": self.decompressed_size,
            "encoding": self.source_encoding or self.encoding,
            "bom": self.bom,
            "encoding_break": self.encoding_break,
            "delimiter": self.delimiter,
            "decimal_comma_columns": list(self.decimal_comma_columns),
            "line_count": self.line_count,
            "max_line_bytes": self.max_line_bytes,
            "max_fields": self.max_fields,
        }


def _ext(name: str | None) -> str:
    if not name:
        return ""
    base = name.rsplit("/", 1)[-1].split("?", 1)[0].lower()
    return base.rsplit(".", 1)[-1] if "." in base else ""


def prescan(
    path: str,
    *,
    name: str | None = None,
    declared_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> PrescanResult:
    """Inspect the file at ``path``. ``name`` (file name or URL) and ``declared_format`` are hints only."""
    return _prescan(path, name=name, declared_format=declared_format, limits=limits, depth=0)


def _prescan(
    path: str, *, name: str | None, declared_format: str | None, limits: Limits, depth: int
) -> PrescanResult:
    result = PrescanResult(path=path)
    try:
        result.size = os.path.getsize(path)
    except OSError:
        result.fatal = {"type": "source-error"}
        result.kind = "missing"
        return result
    hint = (declared_format or "").lower().strip(". ") or _ext(name)
    with open(path, "rb") as fh:
        head = fh.read(limits.sniff_bytes)
    if not head.strip(b" \t\r\n\x00" + UTF8_BOM):
        result.kind = "empty"
        result.fatal = {"type": "empty-file"}
        return result

    # -- magic bytes ------------------------------------------------------------------------------------
    if head[:2] == b"\x1f\x8b":
        return _gzip(result, path, name, hint, limits, depth)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _zip(result, path, name, hint, limits, depth)
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if hint in ("doc", "ppt", "msg", "dot"):
            result.kind = hint
            result.fatal = {"type": "unsupported-format", "format": hint.upper()}
            return result
        result.kind = result.format = "xls"
        if result.size > limits.max_xls_bytes:
            # xlrd loads the whole workbook in memory
            result.fatal = {"type": "xls-too-large", "limit": limits.max_xls_bytes}
            return result
        result.ok = True
        return result
    if head[:5] == b"%PDF-":
        result.kind = "pdf"
        result.fatal = {"type": "pdf-file"}
        return result
    for magic, kind in ((b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"),
                        (b"PAR1", "parquet"), (b"SQLite format 3", "sqlite")):
        if head.startswith(magic):
            result.kind = kind
            result.fatal = {"type": "unsupported-format", "format": kind.upper()}
            return result
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _utf16(result, path, name, hint, limits, depth)

    # -- text-like content ------------------------------------------------------------------------------
    text_head = head[3:] if head.startswith(UTF8_BOM) else head
    stripped = text_head.lstrip()
    lowered = stripped[:2048].lower()
    if (
        lowered.startswith(b"<!doctype html")
        or lowered.startswith(b"<html")
        or (lowered.startswith(b"<") and (b"<html" in lowered or b"<head" in lowered or b"<body" in lowered))
    ):
        result.kind = "html"
        result.fatal = {"type": "html-file"}
        return result
    if head.count(b"\x00") or _control_ratio(head) > 0.02:
        result.kind = "binary"
        result.fatal = {"type": "binary-file"}
        return result
    if lowered.startswith(b"<?xml") or lowered.startswith(b"<"):
        result.kind = "xml"
        result.fatal = {"type": "unsupported-format", "format": "XML"}
        return result
    if stripped[:1] in (b"[", b"{") or hint in ("json", "geojson"):
        return _json(result, path, limits)
    return _text(result, path, hint, limits)


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, CONTROL_BYTES))) / len(data)


# -------------------------------------------------------------------------------------------------------
# Archives
# -------------------------------------------------------------------------------------------------------

def _new_temp(result: PrescanResult, suffix: str) -> tuple[int, str]:
    fd, tmp = tempfile.mkstemp(prefix="grandest-prescan-", suffix=suffix)
    result.temp_files.append(tmp)
    return fd, tmp


def _gzip(result: PrescanResult, path: str, name: str | None, hint: str, limits: Limits, depth: int) -> PrescanResult:
    result.compression = "gzip"
    result.kind = "gzip"
    if depth:
        result.fatal = {"type": "unsupported-format", "format": "archive imbriquée"}
        return result
    inner_name = name[:-3] if name and name.lower().endswith(".gz") else (name or "")
    inner_ext = _ext(inner_name) if _ext(inner_name) not in ("gz", "") else (hint if hint not in ("gz", "gzip") else "")
    fd, tmp = _new_temp(result, "." + (inner_ext or "dat"))
    total = 0
    try:
        with gzip.open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > limits.max_decompressed_bytes:
                    code = "zip-bomb" if total / max(result.size, 1) > limits.max_compression_ratio else "decompressed-too-large"
                    result.fatal = _streamed_bomb(code, limits)
                    result.decompressed_size = total
                    return result
                out.write(chunk)
    except (OSError, EOFError, zlib.error):
        result.fatal = {"type": "corrupt-archive"}
        return result
    result.decompressed_size = total
    inner = _prescan(tmp, name=inner_name, declared_format=inner_ext or None, limits=limits, depth=depth + 1)
    return _merge_inner(result, inner)


def _merge_inner(outer: PrescanResult, inner: PrescanResult) -> PrescanResult:
    inner.temp_files = outer.temp_files + inner.temp_files
    inner.compression = outer.compression
    inner.archive_member = outer.archive_member
    inner.decompressed_size = outer.decompressed_size
    inner.size = outer.size
    inner.notes = outer.notes + inner.notes
    return inner


def _zip(result: PrescanResult, path: str, name: str | None, hint: str, limits: Limits, depth: int) -> PrescanResult:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        result.kind = "zip"
        result.fatal = {"type": "corrupt-archive"}
        return result
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        names = {i.filename for i in infos}
        declared = sum(i.file_size for i in infos)
        if len(infos) > limits.max_zip_members:
            result.kind = "zip"
            result.fatal = {"type": "zip-bomb", "size": declared, "limit": limits.max_decompressed_bytes}
            return result
        if declared > limits.max_decompressed_bytes:
            result.kind = "zip"
            result.fatal = {"type": "zip-bomb", "size": declared, "limit": limits.max_decompressed_bytes}
            return result
        for info in infos:
            if (
                info.file_size >= limits.ratio_min_bytes
                and info.file_size / max(info.compress_size, 1) > limits.max_compression_ratio
            ):
                result.kind = "zip"
                result.fatal = {"type": "zip-bomb", "size": declared, "limit": limits.max_decompressed_bytes}
                return result

        if "xl/workbook.xml" in names or (hint == "xlsx" and "[Content_Types].xml" in names):
            kind = "xlsx"
        elif "mimetype" in names and _read_small(zf, "mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            kind = "ods"
        elif "word/document.xml" in names or "ppt/presentation.xml" in names:
            result.kind = "docx" if "word/document.xml" in names else "pptx"
            result.fatal = {"type": "unsupported-format", "format": result.kind.upper()}
            return result
        elif "mimetype" in names:
            result.kind = "opendocument"
            result.fatal = {"type": "unsupported-format", "format": "OpenDocument"}
            return result
        else:
            kind = "zip"

        if kind in ("xlsx", "ods"):
            # The infolist can lie: stream every member and count what really comes out.
            result.kind = result.format = kind
            total = 0
            try:
                for info in infos:
                    with zf.open(info) as member:
                        while True:
                            chunk = member.read(CHUNK)
                            if not chunk:
                                break
                            total += len(chunk)
                            if total > limits.max_decompressed_bytes:
                                result.fatal = _streamed_bomb("zip-bomb", limits)
                                return result
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
                result.fatal = {"type": "corrupt-archive"}
                return result
            result.decompressed_size = total
            result.ok = True
            return result

        # A plain zip: validate the (first) table inside.
        result.kind = "zip"
        result.compression = "zip"
        if depth:
            result.fatal = {"type": "unsupported-format", "format": "archive imbriquée"}
            return result
        tables = [
            i for i in infos
            if _ext(i.filename) in TABLE_EXTENSIONS
            and not i.filename.startswith("__MACOSX/")
            and not i.filename.rsplit("/", 1)[-1].startswith(".")
        ]
        if not tables:
            result.fatal = {"type": "archive-no-table"}
            return result
        member = tables[0]
        result.archive_member = member.filename
        if len(infos) > 1:
            result.notes.append(
                {"type": "archive-several-tables", "severity": "warning", "count": len(infos), "name": member.filename}
            )
        fd, tmp = _new_temp(result, "." + _ext(member.filename))
        total = 0
        try:
            with zf.open(member) as src, os.fdopen(fd, "wb") as out:
                while True:
                    chunk = src.read(CHUNK)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > limits.max_decompressed_bytes:
                        result.fatal = _streamed_bomb("zip-bomb", limits)
                        return result
                    out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
            result.fatal = {"type": "corrupt-archive"}
            return result
        result.decompressed_size = total
    inner = _prescan(tmp, name=member.filename, declared_format=None, limits=limits, depth=depth + 1)
    return _merge_inner(result, inner)


def _streamed_bomb(code: str, limits: Limits) -> dict[str, Any]:
    """Decompression stopped at the cap: the real size is unknown, only that it exceeds the cap."""
    return {
        "type": code,
        "size": limits.max_decompressed_bytes,
        "size_h": "plus de " + human_size(limits.max_decompressed_bytes),
        "limit": limits.max_decompressed_bytes,
        "streamed": True,
    }


def _read_small(zf: zipfile.ZipFile, member: str, limit: int = 256) -> bytes:
    try:
        with zf.open(member) as fh:
            return fh.read(limit)
    except (zipfile.BadZipFile, OSError, KeyError, zlib.error):
        return b""


def _utf16(result: PrescanResult, path: str, name: str | None, hint: str, limits: Limits, depth: int) -> PrescanResult:
    """Excel's "Unicode text": transcode to UTF-8 (capped) and scan the copy."""
    fd, tmp = _new_temp(result, ".csv" if hint != "tsv" else ".tsv")
    total = 0
    try:
        with open(path, "rb") as raw, os.fdopen(fd, "wb") as out:
            reader = codecs.getreader("utf-16")(raw)
            while True:
                text = reader.read(CHUNK // 2)
                if not text:
                    break
                data = text.encode("utf-8")
                total += len(data)
                if total > limits.max_decompressed_bytes:
                    result.fatal = _streamed_bomb("decompressed-too-large", limits)
                    return result
                out.write(data)
    except UnicodeError:
        result.kind = "binary"
        result.fatal = {"type": "binary-file"}
        return result
    inner = _prescan(tmp, name=name, declared_format=hint or None, limits=limits, depth=depth)
    inner.temp_files = result.temp_files + inner.temp_files
    inner.size = os.path.getsize(path)
    if inner.ok or inner.encoding:
        inner.source_encoding = "utf-16"
        inner.notes.insert(0, {"type": "utf16-file", "severity": "warning"})
    return inner


# -------------------------------------------------------------------------------------------------------
# JSON
# -------------------------------------------------------------------------------------------------------

def _json(result: PrescanResult, path: str, limits: Limits) -> PrescanResult:
    result.kind = "json"
    if result.size > limits.max_json_bytes:
        result.fatal = {"type": "json-too-large", "limit": limits.max_json_bytes}
        return result
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        encoding = "utf-8-sig" if raw.startswith(UTF8_BOM) else "utf-8"
        try:
            text = raw.decode(encoding)
            result.encoding = encoding
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
            result.encoding = "cp1252"
            result.notes.append({"type": "encoding-not-utf8", "severity": "warning", "encoding": "Windows-1252"})
        del raw
        data = json.loads(text)
        del text
    except (ValueError, RecursionError):
        result.fatal = {"type": "invalid-json"}
        return result
    result.source_encoding = result.encoding
    if isinstance(data, dict):
        if data.get("type") in ("FeatureCollection", "Feature"):
            result.kind = "geojson"
            result.fatal = {"type": "unsupported-format", "format": "GeoJSON"}
            return result
        # {"data": [...]} style wrappers: take the single list property if there is exactly one.
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], (dict, list))]
        if len(lists) == 1:
            data = lists[0]
    if not isinstance(data, list) or not data:
        result.fatal = {"type": "json-not-tabular"}
        return result
    first = data[0]
    if isinstance(first, dict):
        keys: dict[str, None] = {}
        for item in data:
            if not isinstance(item, dict):
                result.fatal = {"type": "json-not-tabular"}
                return result
            for key in item:
                keys.setdefault(str(key), None)
        header = list(keys)
        rows: list[Any] = [header]
        for item in data:
            rows.append([_json_cell(item.get(k)) for k in header])
    elif isinstance(first, list):
        if not all(isinstance(item, list) for item in data):
            result.fatal = {"type": "json-not-tabular"}
            return result
        rows = [[_json_cell(c) for c in item] for item in data]
    else:
        result.fatal = {"type": "json-not-tabular"}
        return result
    result.inline_data = rows
    result.header = [str(c) for c in rows[0]]
    result.line_count = len(rows)
    result.max_fields = max(len(r) for r in rows)
    result.format = "inline"
    result.ok = True
    return result


def _json_cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


# -------------------------------------------------------------------------------------------------------
# Delimited text
# -------------------------------------------------------------------------------------------------------

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


def _text(result: PrescanResult, path: str, hint: str, limits: Limits) -> PrescanResult:
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
                    return _reject(result, "too-many-columns", line_no, limits.max_columns)
                if first_len > limits.max_line_bytes:
                    return _reject(result, "line-too-long", line_no, limits.max_line_bytes)
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
                                    return _reject(result, "too-many-columns", line_no + offset, limits.max_columns)
                                if len(part) > limits.max_line_bytes:
                                    return _reject(result, "line-too-long", line_no + offset, limits.max_line_bytes)
                    max_len = max(max_len, longest)
                line_no += len(parts) - 1
                cur_len = len(parts[-1])
                cur_delims = parts[-1].count(delim_b)
            if cur_delims + 1 > limits.max_columns:
                return _reject(result, "too-many-columns", line_no, limits.max_columns)
            if cur_len > limits.max_line_bytes:
                return _reject(result, "line-too-long", line_no, limits.max_line_bytes)
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


def _reject(result: PrescanResult, code: str, row: int, limit: int) -> PrescanResult:
    result.ok = False
    result.fatal = {"type": code, "row": row, "limit": limit}
    return result
