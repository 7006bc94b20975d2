"""The national data schemas a resource can declare (``schema`` / ``schema_version`` resource fields).

Read from the catalogue of schema.data.gouv.fr shipped in ``schemas/table-schemas/`` (package
``ckanext.grandest.schemas``). Offered: Table Schemas (CSV, the SCDL...), and the JSON Schemas and Data Packages
of the catalogue (e.g. ``etalab/schema-amenagements-cyclables``, a GeoJSON schema); not the ``other`` entries
(specifications without a machine-readable schema). Pure Python, no CKAN import.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CATALOGUE = "catalogue-schema-data-gouv.json"
SCDL_LABEL = "Socle Commun des Données Locales"
TYPES = ("tableschema", "jsonschema", "datapackage")


@dataclass(frozen=True)
class TableSchema:
    id: str  #: "scdl/deliberations"
    title: str
    description: str
    versions: tuple[str, ...]  #: oldest first
    scdl: bool  #: part of the Socle commun des données locales
    homepage: str | None
    schema_type: str = "tableschema"  #: "tableschema", "jsonschema" or "datapackage"
    urls: tuple[tuple[str, str], ...] = ()  #: (version or "latest", URL of the schema file) from the catalogue

    @property
    def latest(self) -> str | None:
        return self.versions[-1] if self.versions else None

    def schema_url(self, version: str | None = None) -> str:
        """URL of the schema on schema.data.gouv.fr (``latest`` when no version is given)."""
        found = dict(self.urls).get(version or "latest")
        if found:
            return found
        name = "datapackage.json" if self.schema_type == "datapackage" else "schema.json"
        return f"https://schema.data.gouv.fr/schemas/{self.id}/{version or 'latest'}/{name}"

    @property
    def page_url(self) -> str:
        return f"https://schema.data.gouv.fr/{self.id}/"

    @property
    def label(self) -> str:
        return f"{self.title} ({self.id})"


def _version_key(version: str) -> tuple:
    parts = re.split(r"[.\-]", version.lstrip("vV"))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def catalogue_dir() -> Path:
    return Path(str(resources.files("ckanext.grandest.schemas"))) / "table-schemas"


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, TableSchema]:
    path = catalogue_dir() / CATALOGUE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, TableSchema] = {}
    for entry in data.get("schemas", []):
        if entry.get("schema_type") not in TYPES or not entry.get("name"):
            continue
        versions = sorted({str(v["version_name"]) for v in entry.get("versions", []) if v.get("version_name")},
                          key=_version_key)
        out[entry["name"]] = TableSchema(
            id=entry["name"], title=(entry.get("title") or entry["name"]).strip(),
            description=(entry.get("description") or "").strip(), versions=tuple(versions),
            scdl=SCDL_LABEL in (entry.get("labels") or []), homepage=entry.get("homepage"),
            schema_type=entry["schema_type"],
            urls=tuple([(str(v["version_name"]), v["schema_url"]) for v in entry.get("versions", [])
                        if v.get("version_name") and v.get("schema_url")]
                       + ([("latest", entry["schema_url"])] if entry.get("schema_url") else [])),
        )
    # SCDL first (what communes publish), then by title
    return dict(sorted(out.items(), key=lambda kv: (not kv[1].scdl, _fold(kv[1].title))))


def all_schemas() -> list[TableSchema]:
    return list(_load().values())


def get(schema_id: object) -> TableSchema | None:
    if not isinstance(schema_id, str):
        return None
    return _load().get(schema_id.strip())


def find(text: object) -> TableSchema | None:
    """The schema for an id ("scdl/deliberations"), an ``id@version`` reference or a schema.data.gouv.fr URL."""
    if not isinstance(text, str) or not text.strip():
        return None
    ref = text.strip()
    if ref.startswith(("http://", "https://")) and "schema.data.gouv.fr" in ref:
        tail = ref.split("schema.data.gouv.fr/", 1)[1]
        if tail.startswith("schemas/"):
            tail = tail[len("schemas/"):]
        parts = [p for p in tail.split("/") if p]
        ref = "/".join(parts[:2])
    ref = ref.split("@", 1)[0]
    return get(ref)
