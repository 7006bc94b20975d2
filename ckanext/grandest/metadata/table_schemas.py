"""The data schemas a resource can declare (``schema`` / ``schema_version`` resource fields).

A thin view over :mod:`ckanext.grandest.common.schema_catalog`: when the validation plugin is loaded, the
schemas of its registry (what the portal can actually check: shipped, synced from schema.data.gouv.fr or
added by a regional admin); otherwise the Table Schemas, JSON Schemas and Data Packages of the shipped
catalogue of schema.data.gouv.fr. Pure Python, no CKAN import.
"""
from __future__ import annotations

from pathlib import Path

from ckanext.grandest.common import schema_catalog as sc

CATALOGUE = sc.CATALOGUE_FILES[0]
SCDL_LABEL = sc.SCDL_LABEL
TYPES = sc.TYPES


class TableSchema(sc.OfferedSchema):
    """An offered schema, with the URLs the resource pages link to."""

    def schema_url(self, version: str | None = None) -> str:
        """URL of the schema file (``latest`` when no version is given)."""
        found = self.url_of(version) if version else self.latest_url
        if found:
            return found
        return f"https://schema.data.gouv.fr/schemas/{self.id}/{version or 'latest'}/schema.json"

    @property
    def page_url(self) -> str:
        if self.id in sc.shipped_entries():
            return f"https://schema.data.gouv.fr/{self.id}/"
        return self.homepage or self.schema_url()


def _wrap(s: sc.OfferedSchema | None) -> TableSchema | None:
    return TableSchema(**{f: getattr(s, f) for f in sc.OfferedSchema.__dataclass_fields__}) if s else None


def catalogue_dir() -> Path:
    return sc.shipped_dir()


def all_schemas() -> list[TableSchema]:
    return [_wrap(s) for s in sc.offered()]  # type: ignore[misc]


def get(schema_id: object) -> TableSchema | None:
    if not isinstance(schema_id, str):
        return None
    return next((s for s in all_schemas() if s.id == schema_id.strip()), None)


def find(text: object) -> TableSchema | None:
    """The schema for an id ("scdl/deliberations"), an ``id@version`` reference or a schema URL."""
    return _wrap(sc.find(text))
