"""JSON files: a list of objects or of lists becomes a table (in memory, capped by ``max_json_bytes``)."""
from __future__ import annotations

import json
from typing import Any

from ..limits import Limits
from .result import UTF8_BOM, PrescanResult


def json_file(result: PrescanResult, path: str, limits: Limits) -> PrescanResult:
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
            rows.append([json_cell(item.get(k)) for k in header])
    elif isinstance(first, list):
        if not all(isinstance(item, list) for item in data):
            result.fatal = {"type": "json-not-tabular"}
            return result
        rows = [[json_cell(c) for c in item] for item in data]
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


def json_cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value
