"""The schemas the engine validates against: the portal's schema registry, or the shipped Table Schemas.

Schema ids are the catalogue names of schema.data.gouv.fr (``scdl/deliberations``,
``etalab/schema-decp-dpa``...). The catalogue is read by :mod:`ckanext.grandest.common.schema_catalog`.
When the validation plugin runs, it installs the registry (``validation/registry.py``): any schema it holds
(shipped, synced from schema.data.gouv.fr, added by a regional admin) resolves, in the version the resource
declares when that version is kept (else the newest kept; the report says when the declared one is older).
Without the registry (the engine used alone), the shipped files (latest version only) are used.

Stable entry points (other parts of the suite call them): ``get_schema_info(ref) -> SchemaInfo | None`` and
``load_schema(ref) -> dict | None``, ``ref`` being ``"scdl/deliberations"``, ``"scdl/deliberations@2.1.4"``
or a schema.data.gouv.fr URL.
"""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

from ckanext.grandest.common import schema_catalog as sc

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
    publisher: str | None = None
    """The organisation behind the schema (OpenDataFrance for the SCDL, CNIG, transport.data.gouv.fr...)."""
    checked_version: str | None = None
    """The version whose file :func:`load_schema` returns for this reference (registry schemas)."""

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["labels"] = list(self.labels)
        out["versions"] = list(self.versions)
        return out


def schemas_dir() -> Path:
    """Folder holding the shipped schema files (``schemas/table-schemas`` in the repository)."""
    return sc.shipped_dir()


_norm_version = sc.norm_version


def split_schema_ref(ref: str) -> tuple[str, str | None]:
    """``'scdl/deliberations@2.1.4'`` -> ``('scdl/deliberations', '2.1.4')``; also accepts catalogue URLs."""
    return sc.split_ref(ref)


def _read_file(schema_id: str) -> dict[str, Any] | None:
    return sc.shipped_descriptor(schema_id)


def _info(schema_id: str, entry: sc.CatalogEntry | None) -> SchemaInfo:
    raw = _read_file(schema_id)
    meta = sc.descriptor_meta(raw) if raw is not None else None
    versions = tuple(v for v, _ in entry.versions) if entry else ()
    file_version = _norm_version((meta or {}).get("version"))
    return SchemaInfo(
        id=schema_id,
        title=(entry.title if entry else None) or (meta or {}).get("title") or schema_id,
        version=versions[-1] if versions else file_version,
        url=(entry.latest_url if entry else None) or (meta or {}).get("path"),
        schema_type=(entry.schema_type if entry else None)
        or ("tableschema" if raw is not None and "fields" in raw else "other"),
        available=raw is not None,
        file_version=file_version,
        description=(entry.description if entry else None) or (meta or {}).get("description"),
        homepage=(entry.homepage if entry else None) or (meta or {}).get("homepage"),
        labels=entry.labels if entry else (),
        versions=versions,
        publisher=entry.publisher if entry else sc.publisher_of(schema_id),
    )


def list_catalogue(*, available_only: bool = False, schema_type: str | None = "tableschema") -> list[SchemaInfo]:
    """Schemas of the shipped catalogue, sorted by id.

    ``available_only`` keeps the ones whose file is shipped; ``schema_type`` filters on the catalogue type
    (``None`` for all).
    """
    entries = sc.shipped_entries()
    ids = set(entries) | set(sc.shipped_ids())
    infos = [_info(i, entries.get(i)) for i in sorted(ids)]
    if available_only:
        infos = [i for i in infos if i.available]
    if schema_type:
        infos = [i for i in infos if i.schema_type == schema_type]
    return infos


def _registry_info(schema_id: str, version: str | None) -> tuple[SchemaInfo, dict[str, Any]] | None:
    hit = sc.registry_descriptor(schema_id, version)
    if hit is None:
        return None
    used, descriptor = hit
    offered = sc.find(schema_id)
    meta = sc.descriptor_meta(descriptor)
    versions = offered.versions if offered else (used,)
    return SchemaInfo(
        id=schema_id,
        title=(offered.title if offered else None) or meta.get("title") or schema_id,
        version=versions[-1] if versions else used,
        url=(offered.url_of(used) if offered else None) or meta.get("path"),
        schema_type="tableschema",
        available=True,
        file_version=_norm_version(meta.get("version")),
        description=(offered.description if offered else None) or meta.get("description"),
        homepage=(offered.homepage if offered else None) or meta.get("homepage"),
        labels=(sc.SCDL_LABEL,) if offered and offered.scdl else (),
        versions=tuple(versions),
        publisher=offered.publisher if offered else sc.publisher_of(schema_id),
        checked_version=used,
    ), descriptor


def get_schema_info(ref: str) -> SchemaInfo | None:
    """Information on the schema ``ref`` names (an id, ``id@version`` or a schema.data.gouv.fr URL): from the
    portal's schema registry when the validation plugin installed one, else from the shipped catalogue."""
    schema_id, version = split_schema_ref(ref)
    found = _registry_info(schema_id, version)
    if found is not None:
        return found[0]
    entry = sc.shipped_entries().get(schema_id)
    if entry is None and _read_file(schema_id) is None:
        return None
    return _info(schema_id, entry)


def load_schema(ref: str) -> dict[str, Any] | None:
    """The full descriptor (a deep copy) of the schema ``ref`` names: the declared version when the registry
    keeps it, else the newest one kept (or the shipped file); ``None`` if no file of it is available."""
    schema_id, version = split_schema_ref(ref)
    found = _registry_info(schema_id, version)
    if found is not None:
        return copy.deepcopy(found[1])
    raw = _read_file(schema_id)
    return copy.deepcopy(raw) if raw is not None else None


def table_schema_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Only the Table Schema keys frictionless needs (drops ``custom_checks``, contributors, ``$schema``...)."""
    out = {k: copy.deepcopy(descriptor[k]) for k in TABLE_SCHEMA_KEYS if k in descriptor}
    return out
