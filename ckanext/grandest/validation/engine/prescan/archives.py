"""Archives and transcoded text: gzip, zip (and the zipped spreadsheets xlsx/ods), UTF-16.

The zip ``infolist`` gives the declared decompressed size and compression ratio (zip bomb); the **actual**
size is then counted while streaming, as the ``infolist`` can lie. gzip is stream-decompressed to a temporary
file under the same cap. What comes out of an archive (or of a UTF-16 transcoding) is scanned again by the
pre-scan (``rescan``), one level deep at most.
"""
from __future__ import annotations

import codecs
import gzip
import os
import zipfile
import zlib
from typing import Any

from ..limits import Limits
from ..messages import N_, _, human_size
from .result import CHUNK, TABLE_EXTENSIONS, PrescanResult, Rescan, ext, new_temp


def gzip_file(
    result: PrescanResult, path: str, name: str | None, hint: str, limits: Limits, depth: int, rescan: Rescan
) -> PrescanResult:
    result.compression = "gzip"
    result.kind = "gzip"
    if depth:
        result.fatal = {"type": "unsupported-format", "format": "archive imbriquée"}
        return result
    inner_name = name[:-3] if name and name.lower().endswith(".gz") else (name or "")
    inner_ext = ext(inner_name) if ext(inner_name) not in ("gz", "") else (hint if hint not in ("gz", "gzip") else "")
    fd, tmp = new_temp(result, "." + (inner_ext or "dat"))
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
                    result.fatal = streamed_bomb(code, limits)
                    result.decompressed_size = total
                    return result
                out.write(chunk)
    except (OSError, EOFError, zlib.error):
        result.fatal = {"type": "corrupt-archive"}
        return result
    result.decompressed_size = total
    inner = rescan(tmp, name=inner_name, declared_format=inner_ext or None, limits=limits, depth=depth + 1)
    return merge_inner(result, inner)


def merge_inner(outer: PrescanResult, inner: PrescanResult) -> PrescanResult:
    inner.temp_files = outer.temp_files + inner.temp_files
    inner.compression = outer.compression
    inner.archive_member = outer.archive_member
    inner.decompressed_size = outer.decompressed_size
    inner.size = outer.size
    inner.notes = outer.notes + inner.notes
    return inner


def zip_file(
    result: PrescanResult, path: str, name: str | None, hint: str, limits: Limits, depth: int, rescan: Rescan
) -> PrescanResult:
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
        elif "mimetype" in names and read_small(zf, "mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
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
                        total = _stream_member(member, None, total, limits)
                        if total < 0:
                            result.fatal = streamed_bomb("zip-bomb", limits)
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
            if ext(i.filename) in TABLE_EXTENSIONS
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
        fd, tmp = new_temp(result, "." + ext(member.filename))
        try:
            with zf.open(member) as src, os.fdopen(fd, "wb") as out:
                total = _stream_member(src, out, 0, limits)
                if total < 0:
                    result.fatal = streamed_bomb("zip-bomb", limits)
                    return result
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
            result.fatal = {"type": "corrupt-archive"}
            return result
        result.decompressed_size = total
    inner = rescan(tmp, name=member.filename, declared_format=None, limits=limits, depth=depth + 1)
    return merge_inner(result, inner)


def _stream_member(src: Any, out: Any, total: int, limits: Limits) -> int:
    """Read an archive member to its end (written to ``out`` unless None), counting what really comes out on top
    of ``total`` (the infolist can lie); -1 as soon as the count passes the decompressed-size limit."""
    while True:
        chunk = src.read(CHUNK)
        if not chunk:
            return total
        total += len(chunk)
        if total > limits.max_decompressed_bytes:
            return -1
        if out is not None:
            out.write(chunk)


def streamed_bomb(code: str, limits: Limits) -> dict[str, Any]:
    """Decompression stopped at the cap: the real size is unknown, only that it exceeds the cap."""
    return {
        "type": code,
        "size": limits.max_decompressed_bytes,
        "size_h": _(N_("more than {size}")).format(size=human_size(limits.max_decompressed_bytes)),
        "limit": limits.max_decompressed_bytes,
        "streamed": True,
    }


def read_small(zf: zipfile.ZipFile, member: str, limit: int = 256) -> bytes:
    try:
        with zf.open(member) as fh:
            return fh.read(limit)
    except (zipfile.BadZipFile, OSError, KeyError, zlib.error):
        return b""


def utf16_file(
    result: PrescanResult, path: str, name: str | None, hint: str, limits: Limits, depth: int, rescan: Rescan
) -> PrescanResult:
    """Excel's "Unicode text": transcode to UTF-8 (capped) and scan the copy."""
    fd, tmp = new_temp(result, ".csv" if hint != "tsv" else ".tsv")
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
                    result.fatal = streamed_bomb("decompressed-too-large", limits)
                    return result
                out.write(data)
    except UnicodeError:
        result.kind = "binary"
        result.fatal = {"type": "binary-file"}
        return result
    inner = rescan(tmp, name=name, declared_format=hint or None, limits=limits, depth=depth)
    inner.temp_files = result.temp_files + inner.temp_files
    inner.size = os.path.getsize(path)
    if inner.ok or inner.encoding:
        inner.source_encoding = "utf-16"
        inner.notes.insert(0, {"type": "utf16-file", "severity": "warning"})
    return inner
