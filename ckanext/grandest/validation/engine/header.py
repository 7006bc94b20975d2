"""The schema of a run and the header compared with it.

:func:`resolve_schema` turns the schema reference of a run (national reference, publisher's descriptor or
none) into its descriptor and the report's ``schema`` section; :func:`compare_header` compares the file's
labels with the schema's fields (missing, misspelt, extra columns, order), which frictionless tolerates
(``fieldsMatch: partial``), and explains each difference.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from . import schemas as schema_catalogue
from .report import Collector


def resolve_schema(
    schema: str | dict[str, Any] | None, collector: Collector
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Return (descriptor or None, report["schema"] section)."""
    if schema is None or schema == "":
        return None, {"source": "inferred"}
    if isinstance(schema, dict):
        descriptor = schema
        if not isinstance(descriptor.get("fields"), list) or not descriptor["fields"] or not all(
            isinstance(f, dict) and f.get("name") for f in descriptor["fields"]
        ):
            collector.add({"type": "schema-error", "severity": "warning"})
            return None, {"source": "inferred"}
        info: dict[str, Any] = {
            "source": "publisher",
            "id": descriptor.get("name"),
            "title": descriptor.get("title"),
            "version": descriptor.get("version"),
        }
    else:
        schema_id, declared_version = schema_catalogue.split_schema_ref(str(schema))
        meta = schema_catalogue.get_schema_info(str(schema))
        descriptor = schema_catalogue.load_schema(str(schema)) if meta else None
        if meta is None or descriptor is None or meta.schema_type != "tableschema" or "fields" not in descriptor:
            collector.add({"type": "unknown-schema", "severity": "warning", "schema": str(schema)})
            return None, {"source": "inferred", "id": schema_id, "requested": str(schema)}
        info = {
            "source": "national",
            "id": meta.id,
            "title": meta.title,
            "version": meta.checked_version or meta.version,
            "publisher": meta.publisher,
            "declared_version": declared_version,
            "latest_version": meta.version,
            "is_latest": declared_version is None or declared_version == meta.version,
            "url": meta.url,
        }
        if not info["is_latest"]:
            collector.add({"type": "outdated-schema-version", "severity": "warning",
                           "version": declared_version, "latest": meta.version})
    fields = descriptor.get("fields") or []
    described = [f for f in fields if (f.get("description") or f.get("title"))]
    info["fields"] = len(fields)
    info["fields_described_share"] = round(len(described) / len(fields), 4) if fields else 0.0
    info["custom_checks"] = [c.get("name") for c in descriptor.get("custom_checks") or []]
    return descriptor, info


def norm_label(label: str) -> str:
    text = unicodedata.normalize("NFD", str(label)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def compare_header(labels: list[str], fields: list[dict[str, Any]], collector: Collector) -> dict[str, Any]:
    names = [f["name"] for f in fields]
    label_set = set(labels)
    missing = [f for f in fields if f["name"] not in label_set]
    extra = [lab for lab in labels if lab not in set(names)]
    by_norm = {norm_label(lab): lab for lab in extra}
    misspelt: list[tuple[str, str]] = []
    for field in list(missing):
        found = by_norm.get(norm_label(field["name"]))
        if found is not None:
            misspelt.append((field["name"], found))
            missing.remove(field)
            extra.remove(found)
    for expected, found in misspelt:
        collector.add({"type": "incorrect-label", "fieldName": expected, "cell": found,
                       "fieldNumber": labels.index(found) + 1})
    missing_required = []
    for field in missing:
        if (field.get("constraints") or {}).get("required"):
            missing_required.append(field["name"])
            collector.add({"type": "missing-required-column", "fieldName": field["name"]})
        else:
            collector.add({"type": "missing-optional-column", "fieldName": field["name"], "severity": "warning"})
    for lab in extra:
        collector.add({"type": "extra-column", "cell": lab, "severity": "warning"})
    present_order = [lab for lab in labels if lab in set(names)]
    expected_order = [n for n in names if n in label_set]
    if present_order != expected_order:
        collector.add({"type": "column-order", "severity": "info", "columns": ", ".join(names)})
    required_names = {f["name"] for f in fields if (f.get("constraints") or {}).get("required")}
    return {
        "missing_required": missing_required,
        "unreadable_required": missing_required + [e for e, _f in misspelt if e in required_names],
        "misspelt": [m[1] for m in misspelt],
        "label_errors": len(misspelt) + len(missing_required),
        "rename": {found: expected for expected, found in misspelt},
    }
