"""« Publier des données selon un schéma »: the national schemas by plain name and purpose, each with templates to
download (CSV UTF-8 and XLSX with a « Notice » sheet), generated on request and cached per schema version and
language. The schemas come from the catalogue lookup (:mod:`.engine.schemas`: ``list_catalogue``,
``get_schema_info``, ``load_schema``), whatever feeds it.
"""
from __future__ import annotations

import functools
import io
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.grandest.common.i18n import N_

from .engine import get_schema_info, list_catalogue, load_schema
from .engine.messages import plain_description
from .engine.template import example_row, template_csv

TYPE_WORDS = {
    "string": N_("Text"),
    "integer": N_("Whole number, without spaces (e.g. 1200)"),
    "number": N_("Number, with a point for decimals (e.g. 12.5)"),
    "boolean": N_("Yes or no: write {true} or {false}"),
    "date": N_("Date written YYYY-MM-DD (e.g. 2024-01-31)"),
    "datetime": N_("Date and time written YYYY-MM-DDThh:mm:ss (e.g. 2024-01-31T14:30:00)"),
    "time": N_("Time written hh:mm:ss"),
    "year": N_("Year, 4 digits"),
    "yearmonth": N_("Year and month written YYYY-MM"),
    "geopoint": N_("Coordinates: latitude,longitude"),
}
FORMAT_WORDS = {"email": N_("E-mail address"), "uri": N_("Web address starting with https://")}
NOTICE_SHEET = N_("Notice")
DATA_SHEET = N_("Data")


def schemas() -> list[dict[str, Any]]:
    """The schemas a template can be made of (Table Schemas whose file is available), by French title."""
    out = []
    for info in list_catalogue(available_only=True):
        descriptor = load_schema(info.id)
        if not descriptor or not descriptor.get("fields"):
            continue
        out.append({"id": info.id, "title": info.title, "version": info.version,
                    "description": plain_description(info.description or descriptor.get("description") or ""),
                    "url": info.homepage or info.url, "columns": len(descriptor["fields"])})
    return sorted(out, key=lambda s: s["title"].lower())


def _descriptor(schema_id: str) -> tuple[dict[str, Any], str]:
    info = get_schema_info(schema_id)
    descriptor = load_schema(schema_id) if info is not None else None
    if info is None or not descriptor or not descriptor.get("fields"):
        raise tk.ObjectNotFound(tk._("Unknown data schema."))
    return descriptor, str(info.version or info.file_version or "")


def file_name(schema_id: str, ext: str) -> str:
    return f"modele-{schema_id.replace('/', '-')}.{ext}"


def csv_bytes(schema_id: str) -> bytes:
    descriptor, version = _descriptor(schema_id)
    return _csv_cached(schema_id, version)


@functools.lru_cache(maxsize=64)
def _csv_cached(schema_id: str, version: str) -> bytes:
    return template_csv(load_schema(schema_id) or {})


@functools.lru_cache(maxsize=64)
def _row_cached(schema_id: str, version: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    header, row = example_row(load_schema(schema_id) or {})
    return tuple(header), tuple(row)


def type_words(field: dict[str, Any]) -> str:
    ftype = field.get("type") or "string"
    words = FORMAT_WORDS.get(str(field.get("format") or "")) or TYPE_WORDS.get(ftype) or TYPE_WORDS["string"]
    if field.get("format") in FORMAT_WORDS:
        text = tk._(words)
    elif ftype == "boolean":
        text = tk._(words).format(
            true=" / ".join(str(v) for v in field.get("trueValues") or ["true"]),
            false=" / ".join(str(v) for v in field.get("falseValues") or ["false"]))
    else:
        text = tk._(words)
    constraints = field.get("constraints") or {}
    extra = []
    if constraints.get("minimum") is not None:
        extra.append(tk._("at least {n}").format(n=constraints["minimum"]))
    if constraints.get("maximum") is not None:
        extra.append(tk._("at most {n}").format(n=constraints["maximum"]))
    if constraints.get("maxLength"):
        extra.append(tk._("{n} characters at most").format(n=constraints["maxLength"]))
    if constraints.get("pattern") and not constraints.get("enum"):
        extra.append(tk._("must follow the pattern {pattern}").format(pattern=constraints["pattern"]))
    return text + (" ; " + " ; ".join(extra) if extra else "")


def notice(schema_id: str) -> list[dict[str, str]]:
    descriptor, version = _descriptor(schema_id)
    _header, row = _row_cached(schema_id, version)
    out = []
    for field, example in zip([f for f in descriptor["fields"] if isinstance(f, dict) and f.get("name")], row):
        constraints = field.get("constraints") or {}
        meaning = " — ".join(p for p in (field.get("title") or "", plain_description(field.get("description") or ""))
                             if p)
        out.append({
            "name": field["name"], "meaning": meaning, "type": type_words(field),
            "required": tk._("Required") if constraints.get("required") else tk._("Optional"),
            "allowed": " | ".join(str(v) for v in constraints.get("enum") or []),
            "example": example,
        })
    return out


def xlsx_bytes(schema_id: str) -> bytes:
    descriptor, version = _descriptor(schema_id)
    lang = str(tk.h.lang() or "fr")
    return _xlsx_cached(schema_id, version, lang)


@functools.lru_cache(maxsize=64)
def _xlsx_cached(schema_id: str, version: str, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.styles import Alignment, Font

    header, row = _row_cached(schema_id, version)
    book = Workbook()
    data = book.active
    if not isinstance(data, Worksheet):  # (a new workbook has one worksheet, active)
        raise TypeError("openpyxl gave no worksheet")
    data.title = tk._(DATA_SHEET)
    data.append(list(header))
    data.append(list(row))
    for cell in data[1]:
        cell.font = Font(bold=True)
    for index, name in enumerate(header, start=1):
        data.cell(row=2, column=index).number_format = "@"  # text: Excel keeps dates and codes as written
        data.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 4))
    sheet = book.create_sheet(tk._(NOTICE_SHEET))
    sheet.append([tk._("Column"), tk._("Meaning"), tk._("Type and format"), tk._("Required?"),
                  tk._("Allowed values"), tk._("Example")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in notice(schema_id):
        sheet.append([entry["name"], entry["meaning"], entry["type"], entry["required"], entry["allowed"],
                      entry["example"]])
    for letter, width in zip("ABCDEF", (28, 70, 40, 14, 40, 28)):
        sheet.column_dimensions[letter].width = width
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
