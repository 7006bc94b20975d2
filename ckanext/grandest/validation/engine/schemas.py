"""The catalogue of national Table Schemas shipped in ``ckanext.grandest.schemas`` (``schemas/table-schemas``).

Schema ids are the catalogue names of schema.data.gouv.fr (``scdl/deliberations``,
``etalab/schema-decp-dpa``...). The file of ``publisher/name`` is ``publisher_name.json``. A resource may
declare a version with ``id@version`` (``scdl/deliberations@2.1.4``); only the latest version is shipped, so
validation always uses it and the report says when the declared version is older.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

CATALOGUES = ("catalogue-scdl.json", "catalogue-schema-data-gouv.json")
TABLE_SCHEMA_KEYS = ("fields", "missingValues", "primaryKey", "foreignKeys")


@dataclasses.dataclass(frozen=True)
class SchemaInfo:
    id: str
    title: str
    version: str | None
    """Latest version according to the catalogue (falls back to the file's own ``version``)."""
    url: str | None
    schema_type: str
    """``tableschema``, ``jsonschema``, ``datapackage`` or ``other``."""
    available: bool
    """A copy of the schema file is shipped (so files can be validated against it)."""
    file_version: str | None = None
    description: str | None = None
    homepage: str | None = None
    labels: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["labels"] = list(self.labels)
        out["versions"] = list(self.versions)
        return out


def schemas_dir() -> Path:
    """Folder holding the shipped schema files (``schemas/table-schemas`` in the repository)."""
    try:
        base = resources.files("ckanext.grandest.schemas")
        path = Path(str(base)) / "table-schemas"
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - engine used outside the package
        pass
    return Path(__file__).resolve().parents[4] / "schemas" / "table-schemas"  # pragma: no cover


def _norm_version(version: Any) -> str | None:
    if version is None:
        return None
    text = str(version).strip()
    return text[1:] if text[:1] in ("v", "V") and text[1:2].isdigit() else text


def split_schema_ref(ref: str) -> tuple[str, str | None]:
    """``'scdl/deliberations@2.1.4'`` -> ``('scdl/deliberations', '2.1.4')``; also accepts catalogue URLs."""
    ref = ref.strip()
    version = None
    if ref.startswith(("http://", "https://")) and "/schemas/" in ref:
        # https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json
        tail = ref.split("/schemas/", 1)[1].split("/")
        if len(tail) >= 3:
            ref = f"{tail[0]}/{tail[1]}"
            version = None if tail[2] == "latest" else _norm_version(tail[2])
    elif "@" in ref:
        ref, version = ref.split("@", 1)
        version = _norm_version(version)
    return ref.strip().strip("/"), version


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    folder = schemas_dir()
    for name in CATALOGUES:
        path = folder / name
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data.get("schemas", []):
            entries.setdefault(entry["name"], entry)
    return entries


def _file_for(schema_id: str) -> Path:
    return schemas_dir() / (schema_id.replace("/", "_", 1) + ".json")


@functools.lru_cache(maxsize=64)
def _read_file(schema_id: str) -> dict[str, Any] | None:
    path = _file_for(schema_id)
    if not path.exists() or "/" not in schema_id or ".." in schema_id:
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _info(schema_id: str, entry: dict[str, Any] | None) -> SchemaInfo:
    raw = _read_file(schema_id)
    meta = raw
    if raw is not None and "allOf" in raw and raw["allOf"]:
        meta = raw["allOf"][0]
    versions = tuple(_norm_version(v["version_name"]) or "" for v in (entry or {}).get("versions", []))
    file_version = _norm_version((meta or {}).get("version"))
    return SchemaInfo(
        id=schema_id,
        title=(entry or {}).get("title") or (meta or {}).get("title") or schema_id,
        version=versions[-1] if versions else file_version,
        url=(entry or {}).get("schema_url") or (meta or {}).get("path"),
        schema_type=(entry or {}).get("schema_type")
        or ("tableschema" if raw is not None and "fields" in raw else "other"),
        available=raw is not None,
        file_version=file_version,
        description=(entry or {}).get("description") or (meta or {}).get("description"),
        homepage=(entry or {}).get("homepage") or (meta or {}).get("homepage"),
        labels=tuple((entry or {}).get("labels") or ()),
        versions=versions,
    )


def list_catalogue(*, available_only: bool = False, schema_type: str | None = "tableschema") -> list[SchemaInfo]:
    """Schemas of the catalogue, sorted by id.

    ``available_only`` keeps the ones whose file is shipped; ``schema_type`` filters on the catalogue type
    (``None`` for all).
    """
    ids = set(_catalogue())
    ids.update(
        p.stem.replace("_", "/", 1) for p in schemas_dir().glob("*.json") if not p.name.startswith("catalogue-")
    )
    infos = [_info(i, _catalogue().get(i)) for i in sorted(ids)]
    if available_only:
        infos = [i for i in infos if i.available]
    if schema_type:
        infos = [i for i in infos if i.schema_type == schema_type]
    return infos


def get_schema_info(ref: str) -> SchemaInfo | None:
    """Catalogue information for ``ref`` (an id, ``id@version`` or a schema.data.gouv.fr URL)."""
    schema_id, _version = split_schema_ref(ref)
    entry = _catalogue().get(schema_id)
    if entry is None and _read_file(schema_id) is None:
        return None
    return _info(schema_id, entry)


def load_schema(ref: str) -> dict[str, Any] | None:
    """The full descriptor (a deep copy) of a shipped schema, or ``None`` if it is not shipped."""
    schema_id, _version = split_schema_ref(ref)
    raw = _read_file(schema_id)
    return copy.deepcopy(raw) if raw is not None else None


def table_schema_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Only the Table Schema keys frictionless needs (drops ``custom_checks``, contributors, ``$schema``...)."""
    out = {k: copy.deepcopy(descriptor[k]) for k in TABLE_SCHEMA_KEYS if k in descriptor}
    return out
