"""What the pre-scan found in a file (:class:`PrescanResult`), and what its readers share."""
from __future__ import annotations

import dataclasses
import os
import tempfile
from typing import Any, Protocol

from ..limits import Limits

CHUNK = 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
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


@dataclasses.dataclass
class PrescanResult:
    path: str
    size: int = 0
    ok: bool = False
    """True when the file can be handed to frictionless (``format``/``encoding``/``delimiter`` set)."""
    fatal: dict[str, Any] | None = None
    """Why the file is not validated: ``{"type": code, ...params}`` (code in messages.tables.ERRORS)."""
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


def ext(name: str | None) -> str:
    if not name:
        return ""
    base = name.rsplit("/", 1)[-1].split("?", 1)[0].lower()
    return base.rsplit(".", 1)[-1] if "." in base else ""


def new_temp(result: PrescanResult, suffix: str) -> tuple[int, str]:
    """A temporary file that ``result.cleanup()`` deletes: (descriptor, path)."""
    fd, tmp = tempfile.mkstemp(prefix="grandest-prescan-", suffix=suffix)
    result.temp_files.append(tmp)
    return fd, tmp


class Rescan(Protocol):
    """The pre-scan itself, for a reader that unpacks a file and scans what came out (archives, UTF-16)."""

    def __call__(self, path: str, *, name: str | None, declared_format: str | None, limits: Limits,
                 depth: int) -> PrescanResult: ...
