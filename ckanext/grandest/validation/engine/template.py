"""Ready-to-fill templates of a Table Schema (no CKAN import): the header and one example row.

The example value of each column is the first candidate the field itself accepts (its type and constraints,
checked by frictionless): the schema's ``example``, the first allowed value (``enum``), then a value made from
the type, format and bounds. The plugin adds the French notice and builds the CSV and XLSX files.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from typing import Any

from frictionless import Field

TYPE_DEFAULTS = {
    "string": "exemple",
    "integer": "1",
    "number": "1.5",
    "boolean": "true",
    "date": "2024-01-31",
    "datetime": "2024-01-31T12:00:00Z",
    "time": "12:00:00",
    "year": "2024",
    "yearmonth": "2024-01",
    "duration": "P1D",
    "geopoint": "48.58,7.75",
    "geojson": '{"type": "Point", "coordinates": [7.75, 48.58]}',
    "object": "{}",
    "array": "[]",
    "any": "exemple",
}
FORMAT_DEFAULTS = {"email": "mairie@commune.example", "uri": "https://www.grandest.fr", "uuid":
                   "3fa85f64-5717-4562-b3fc-2c963f66afa6", "binary": "ZXhlbXBsZQ=="}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _candidates(field: dict[str, Any]) -> list[str]:
    constraints = field.get("constraints") or {}
    out: list[str] = []
    for key in ("example", "examples"):
        example = field.get(key)
        if isinstance(example, list):
            example = example[0] if example else None
        if example not in (None, ""):
            text = _text(example)
            out.append(text)
            if text.startswith("'"):  # a spreadsheet's "text" mark copied into the schema
                out.append(text[1:])
    if constraints.get("enum"):
        out.append(_text(constraints["enum"][0]))
    ftype = field.get("type") or "string"
    if ftype == "boolean" and field.get("trueValues"):
        out.append(_text(field["trueValues"][0]))
    if field.get("format") in FORMAT_DEFAULTS:
        out.append(FORMAT_DEFAULTS[field["format"]])
    for bound in ("minimum", "maximum"):
        if constraints.get(bound) is not None:
            out.append(_text(constraints[bound]))
    if constraints.get("minLength"):
        out.append("x" * int(constraints["minLength"]))
    out.append(TYPE_DEFAULTS.get(ftype, "exemple"))
    return out


def _accepts(field: Field, value: str) -> bool:
    try:
        _cell, notes = field.read_cell(value)
    except Exception:  # noqa: BLE001 - an exotic field: try the next candidate
        return False
    return not notes


def accepted_values(field: dict[str, Any]) -> list[str]:
    """The candidates the field accepts on its own (type and constraints), best first."""
    try:
        checker = Field.from_descriptor({k: v for k, v in field.items() if k in (
            "name", "type", "format", "constraints", "trueValues", "falseValues", "bareNumber", "groupChar",
            "decimalChar", "missingValues")})
    except Exception:  # noqa: BLE001 - a descriptor frictionless does not read: trust the example
        return _candidates(field)[:1]
    seen: list[str] = []
    for value in _candidates(field):
        if value not in seen and _accepts(checker, value):
            seen.append(value)
    return seen


def _csv(header: list[str], row: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(row)
    return buf.getvalue().encode("utf-8")


def example_row(descriptor: dict[str, Any], *, rounds: int = 4) -> tuple[list[str], list[str]]:
    """``(header, example row)`` of a Table Schema, checked by the engine itself: a column whose value breaks
    a check across columns or a French check (SIRET, nomenclature...) moves to its next accepted candidate."""
    from .validate import validate_file

    fields = [f for f in descriptor.get("fields") or [] if isinstance(f, dict) and f.get("name")]
    header = [f["name"] for f in fields]
    # an optional column may stay empty when no candidate passes every check
    choices = [accepted_values(f) + ([] if (f.get("constraints") or {}).get("required") else [""]) or [""]
               for f in fields]
    picked = [0] * len(fields)
    for _round in range(rounds):
        row = [choices[i][picked[i]] for i in range(len(fields))]
        fd, path = tempfile.mkstemp(prefix="grandest-template-", suffix=".csv")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_csv(header, row))
            report = validate_file(path, name="modele.csv", schema=descriptor)
        finally:
            os.unlink(path)
        bad = {e.get("column") for e in report.get("errors") or []} & set(header)
        moved = False
        for name in bad:
            index = header.index(name)
            if picked[index] + 1 < len(choices[index]):
                picked[index] += 1
                moved = True
        if not bad or not moved:
            break
    return header, [choices[i][picked[i]] for i in range(len(fields))]


def template_csv(descriptor: dict[str, Any]) -> bytes:
    """The CSV template: UTF-8 (no BOM), comma-separated, header + one example row."""
    return _csv(*example_row(descriptor))
