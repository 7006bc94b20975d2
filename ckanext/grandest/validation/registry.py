"""The schema registry: the schemas a resource may declare, each with the Table Schema file of its versions.

Stored in the database (``grandest_schema_registry`` and ``grandest_schema_version``, see ``model.py``), so
every web node and worker sees the same registry. Three sources:

* **shipped**: the Table Schemas of ``schemas/table-schemas/`` (:func:`seed`, no network). Until they are
  seeded they are still offered and checked from the package files (a portal works offline at once);
* **catalogue**: ``ckan grandest validation schemas sync`` (``registry_sync.py``) downloads schema.data.gouv.fr's
  catalogue and the Table Schema file of every version it lists;
* **url** / **upload**: a regional admin adds a Table Schema (``grandest_schema_registry_add``).

:class:`Reader` is installed in :mod:`ckanext.grandest.common.schema_catalog` by the plugin: the resource form
offers exactly what it lists, the resource validators accept it, and the validation engine's
``get_schema_info`` / ``load_schema`` resolve any registry schema through it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

import sqlalchemy as sa

from ckanext.grandest.common import schema_catalog as sc

from .model import RegistrySchema, RegistryVersion, now

log = logging.getLogger(__name__)

SHIPPED, CATALOGUE, URL, UPLOAD = "shipped", "catalogue", "url", "upload"


def _session():
    from ckan import model

    return model.Session


# --- shipped schemas ------------------------------------------------------------------------------------------

def shipped_records() -> list[dict[str, Any]]:
    """The shipped Table Schemas as registry records (with their descriptor), from the package files."""
    out = []
    entries = sc.shipped_entries()
    for schema_id in sc.shipped_ids():
        descriptor = sc.shipped_descriptor(schema_id)
        if not sc.is_table_schema(descriptor):  # e.g. a JSON Schema for GeoJSON: not checkable here
            continue
        entry = entries.get(schema_id)
        meta = sc.descriptor_meta(descriptor)
        version = (entry.latest if entry else None) or sc.norm_version(meta.get("version")) or "latest"
        out.append({
            "id": schema_id,
            "title": (entry.title if entry else None) or meta.get("title") or schema_id,
            "publisher": entry.publisher if entry else sc.publisher_of(schema_id),
            "description": (entry.description if entry else None) or meta.get("description"),
            "homepage": (entry.homepage if entry else None) or meta.get("homepage"),
            "labels": list(entry.labels) if entry else [],
            "source": SHIPPED,
            "source_url": (entry.url_of(version) if entry else None) or meta.get("path"),
            "catalogue_versions": [list(v) for v in entry.versions] if entry else [],
            "version": version,
            "descriptor": descriptor,
        })
    return out


def _digest(descriptor: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(descriptor, sort_keys=True).encode()).hexdigest()


def store_version(schema_id: str, version: str, descriptor: dict[str, Any], url: str | None) -> bool:
    """Keep ``descriptor`` as ``version`` of ``schema_id`` (True when it is new or changed)."""
    session = _session()
    row = session.get(RegistryVersion, (schema_id, version))
    digest = _digest(descriptor)
    if row is not None and row.sha256 == digest:
        return False
    if row is None:
        row = RegistryVersion(schema_id=schema_id, version=version)
        session.add(row)
    row.descriptor, row.url, row.sha256, row.fetched_at = descriptor, url, digest, now()
    return True


def latest_stored(schema_id: str) -> str | None:
    versions = [v for (v,) in _session().query(RegistryVersion.version).filter_by(schema_id=schema_id)]
    return max(versions, key=sc.version_key) if versions else None


def upsert_schema(record: dict[str, Any], *, actor: str | None = None) -> RegistrySchema:
    """Create or update the registry row of ``record`` (keys of :func:`shipped_records`)."""
    session = _session()
    row = session.get(RegistrySchema, record["id"])
    if row is None:
        row = RegistrySchema(id=record["id"], created_by=actor, source=record["source"])
        session.add(row)
    for key in ("title", "publisher", "description", "homepage", "labels", "source_url", "catalogue_versions"):
        if record.get(key) is not None:
            setattr(row, key, record[key])
    if row.source != SHIPPED:  # a shipped schema stays « shipped » once synced (it cannot be deleted)
        row.source = record["source"]
    return row


def seed() -> int:
    """Store the shipped Table Schemas in the registry (idempotent, no network). Returns how many were new or
    changed."""
    changed = 0
    for record in shipped_records():
        row = upsert_schema(record)
        if store_version(record["id"], record["version"], record["descriptor"], record["source_url"]):
            changed += 1
        _session().flush()
        row.latest_version = latest_stored(record["id"])
        if row.synced_at is None:
            row.synced_at = now()
    _session().commit()
    forget_cache()
    return changed


# --- reading ------------------------------------------------------------------------------------------------

def portal_schema_url(schema_id: str, version: str) -> str:
    """Where the portal serves a kept version that has no address of its own (a file a regional admin
    uploaded): ``<site_url>/schemas/<owner>/<name>/<version>/schema.json`` (the DCAT export cites it)."""
    import ckan.plugins.toolkit as tk

    site = str(tk.config.get("ckan.site_url") or "").rstrip("/")
    return f"{site}/schemas/{schema_id}/{version}/schema.json"


def _offered(row_id: str, title: str, publisher: str, labels: Any, catalogue_versions: Any,
             stored: dict[str, str | None], source_url: str | None, description: str | None,
             homepage: str | None) -> sc.OfferedSchema:
    urls = {str(v): u for v, u in (catalogue_versions or []) if v and u}
    for version, url in stored.items():
        urls.setdefault(version, url or portal_schema_url(row_id, version))
    versions = sorted(set(urls) | set(stored), key=sc.version_key)
    labels = tuple(labels or ())
    return sc.OfferedSchema(id=row_id, title=title, publisher=publisher, versions=tuple(versions),
                            urls=tuple((v, urls[v]) for v in versions if v in urls), latest_url=source_url,
                            description=description or "", homepage=homepage,
                            scdl=sc.SCDL_LABEL in labels, schema_type="tableschema")


class Reader:
    """What :mod:`schema_catalog` asks the registry (installed by the plugin in ``configure``)."""

    def offered(self) -> list[sc.OfferedSchema] | None:
        import ckan.plugins as p

        if not p.plugin_loaded("grandest_validation"):
            return None
        cached = _request_cache()
        if cached is not None and "offered" in cached:
            return cached["offered"]
        from .dbguard import guarded

        # in a savepoint: tables not created yet (migrations not applied) must not abort the request's
        # transaction (a resource being published); the shipped files are offered meanwhile
        result = guarded("reading the schema registry", _read_offered, default=None)
        if result is None:
            result = [_offered(r["id"], r["title"], r["publisher"], r["labels"], r["catalogue_versions"],
                               {r["version"]: r["source_url"]}, r["source_url"], r["description"], r["homepage"])
                      for r in shipped_records()]
        if cached is not None:
            cached["offered"] = result
        return result

    def descriptor(self, schema_id: str, version: str | None) -> tuple[str, dict[str, Any]] | None:
        """(version used, Table Schema) of ``schema_id``: the declared version when stored, else the newest."""
        import ckan.plugins as p

        if not p.plugin_loaded("grandest_validation"):
            return None
        from .dbguard import guarded

        rows = guarded("reading the schema registry", lambda: {
            v: d for v, d in _session().query(RegistryVersion.version, RegistryVersion.descriptor)
            .filter_by(schema_id=schema_id)}, default={})
        if not rows:
            for record in shipped_records():
                if record["id"] == schema_id:
                    rows = {record["version"]: record["descriptor"]}
        if not rows:
            return None
        chosen: str = version if version is not None and version in rows else max(rows, key=sc.version_key)
        return chosen, rows[chosen]


def _read_offered() -> list[sc.OfferedSchema]:
    session = _session()
    stored: dict[str, dict[str, str | None]] = {}
    for schema_id, version, url in session.query(RegistryVersion.schema_id, RegistryVersion.version,
                                                 RegistryVersion.url):
        stored.setdefault(schema_id, {})[version] = url
    out = []
    for row in session.query(RegistrySchema).filter(RegistrySchema.id.in_(list(stored)) if stored else sa.false()):
        out.append(_offered(row.id, row.title, row.publisher, row.labels, row.catalogue_versions, stored[row.id],
                            row.source_url, row.description, row.homepage))
    known = {o.id for o in out}
    for r in shipped_records():  # offline until seeded
        if r["id"] not in known:
            out.append(_offered(r["id"], r["title"], r["publisher"], r["labels"], r["catalogue_versions"],
                                {r["version"]: r["source_url"]}, r["source_url"], r["description"],
                                r["homepage"]))
    return out


_LOCAL: dict[str, Any] = {}
_LOCAL_TTL = 10.0


def _request_cache() -> dict[str, Any] | None:
    """A dict living as long as the current web request: one registry query per page. Outside a request
    (CLI export, worker) a process-wide one that lives ``_LOCAL_TTL`` seconds (emptied by this process's own
    changes; another node's change is seen within the TTL)."""
    try:
        import flask

        if not flask.has_request_context():
            if time.monotonic() - _LOCAL.get("at", 0.0) > _LOCAL_TTL:
                _LOCAL.clear()
                _LOCAL["at"] = time.monotonic()
            return _LOCAL
        cache = getattr(flask.g, "_grandest_schema_registry", None)
        if cache is None:
            cache = {}
            flask.g._grandest_schema_registry = cache
        return cache
    except Exception:  # pragma: no cover - no flask
        return None


def forget_cache() -> None:
    """After a change of the registry in this process."""
    _LOCAL.clear()
    cache = _request_cache()
    if cache is not None:
        cache.clear()


def install() -> None:
    sc.set_registry(Reader())


# --- dicts for the actions ------------------------------------------------------------------------------------

def schema_dict(row: RegistrySchema, *, with_descriptors: bool = False) -> dict[str, Any]:
    from ckanext.grandest.common.orm import as_dict

    out = as_dict(row)
    versions = _session().query(RegistryVersion).filter_by(schema_id=row.id).all()
    versions.sort(key=lambda v: sc.version_key(v.version))
    out["versions"] = [
        {"version": v.version, "url": v.url, "fetched_at": v.fetched_at.isoformat() if v.fetched_at else None,
         "fields": len((v.descriptor or {}).get("fields") or []),
         **({"descriptor": v.descriptor} if with_descriptors else {})}
        for v in versions
    ]
    return out
