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

The result tells :mod:`..validate` whether to run frictionless, with which encoding and dialect.

Modules: this one recognises the file from its first bytes and hands it to its reader: :mod:`.archives`
(gzip, zip, xlsx/ods, UTF-16), :mod:`.json_table`, :mod:`.text` (delimited text); :mod:`.result` holds
:class:`PrescanResult`.
"""
from __future__ import annotations

import os

from ..limits import DEFAULT_LIMITS, Limits
from .archives import gzip_file, utf16_file, zip_file
from .json_table import json_file
from .result import UTF8_BOM, PrescanResult, ext
from .text import text_file

CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


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
    hint = (declared_format or "").lower().strip(". ") or ext(name)
    with open(path, "rb") as fh:
        head = fh.read(limits.sniff_bytes)
    if not head.strip(b" \t\r\n\x00" + UTF8_BOM):
        result.kind = "empty"
        result.fatal = {"type": "empty-file"}
        return result

    # -- magic bytes ------------------------------------------------------------------------------------
    if head[:2] == b"\x1f\x8b":
        return gzip_file(result, path, name, hint, limits, depth, _prescan)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return zip_file(result, path, name, hint, limits, depth, _prescan)
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
        return utf16_file(result, path, name, hint, limits, depth, _prescan)

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
        return json_file(result, path, limits)
    return text_file(result, path, hint, limits)


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, CONTROL_BYTES))) / len(data)


__all__ = ["PrescanResult", "prescan"]
