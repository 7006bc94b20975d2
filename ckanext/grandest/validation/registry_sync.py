"""Filling the schema registry from outside: ``schemas sync`` (schema.data.gouv.fr's catalogue) and a regional
admin's Table Schema (by URL or file).

Every download goes through the validator's SSRF-safe fetcher (``engine/fetch.py``: public addresses only,
``allow_loopback`` for tests, size and time caps). A failed download or a bad file never removes or replaces
a version already stored: the schema's ``last_error`` says what went wrong.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import re
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.grandest.common import schema_catalog as sc

from . import config, registry
from .engine import fetch
from .model import RegistrySchema, now

log = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
ADMIN_OWNER = "datagrandest"


class RegistryError(Exception):
    """A schema that cannot be stored; ``str()`` is the translated message for the person who sent it."""


# --- one schema file ------------------------------------------------------------------------------------------

def parse_schema(data: bytes, *, max_bytes: int | None = None) -> dict[str, Any]:
    """A Table Schema from the bytes of a file, or RegistryError with a clear message."""
    limit = max_bytes or config.schema_max_bytes()
    if len(data) > limit:
        raise RegistryError(tk._("The file is too large for a schema ({size} KiB, at most {limit} KiB).")
                            .format(size=len(data) // 1024, limit=limit // 1024))
    try:
        descriptor = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise RegistryError(tk._("The file is not valid JSON: a Table Schema is a JSON file (schema.json)."))
    if not sc.is_table_schema(descriptor):
        raise RegistryError(tk._("The file is JSON but not a Table Schema: it needs a \"fields\" list, each "
                                 "field with a \"name\". JSON Schemas and Data Packages cannot be used to check "
                                 "files."))
    return descriptor


def download(url: str, *, max_bytes: int | None = None) -> tuple[bytes, str]:
    """The body and final URL of ``url`` through the SSRF-safe fetcher; RegistryError (French) on failure."""
    result = fetch(url, limits=config.schema_limits(max_bytes), allow_loopback=config.allow_loopback())
    try:
        if not result.ok or not result.path:
            raise RegistryError(result.error_message or tk._("The file could not be downloaded."))
        if result.status is not None and result.status >= 400:
            raise RegistryError(tk._("The server answered with an error (HTTP {status}).")
                                .format(status=result.status))
        with open(result.path, "rb") as fh:
            return fh.read(), result.final_url or url
    finally:
        result.cleanup()


def _mirror(url: str, base_url: str) -> str:
    """A schema.data.gouv.fr URL read from ``base_url`` instead (a mirror, or a test server)."""
    if base_url != sc.DEFAULT_BASE_URL and url.startswith(sc.DEFAULT_BASE_URL + "/"):
        return base_url + url[len(sc.DEFAULT_BASE_URL):]
    return url


# --- sync -----------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class SchemaOutcome:
    id: str
    new_versions: list[str] = dataclasses.field(default_factory=list)
    kept_versions: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors) and not self.new_versions and not self.kept_versions


@dataclasses.dataclass
class SyncReport:
    catalogue_error: str | None = None
    outcomes: list[SchemaOutcome] = dataclasses.field(default_factory=list)

    @property
    def all_failed(self) -> bool:
        return self.catalogue_error is not None or (bool(self.outcomes) and all(o.failed for o in self.outcomes))

    def summary(self) -> str:
        if self.catalogue_error:
            return tk._("Schema catalogue not synchronised: {error}").format(error=self.catalogue_error)
        ok = sum(1 for o in self.outcomes if not o.failed)
        failed = len(self.outcomes) - ok
        new = sum(len(o.new_versions) for o in self.outcomes)
        return tk._("Schema catalogue synchronised: {ok} schemas usable, {new} new versions, {failed} failed "
                    "(out of {total} Table Schemas).").format(ok=ok, new=new, failed=failed,
                                                              total=len(self.outcomes))


def sync(base_url: str | None = None, *, only: set[str] | None = None) -> SyncReport:
    """Seed the shipped schemas, download the catalogue and every version of its Table Schemas not yet
    stored. ``only``: the schema ids to sync (all by default)."""
    from ckan import model

    base = (base_url or config.schemas_base_url()).rstrip("/")
    registry.seed()
    report = SyncReport()
    try:
        body, _final = download(base + "/schemas.json", max_bytes=10 * config.schema_max_bytes())
        entries = sc.parse_catalogue(json.loads(body.decode("utf-8")))
    except RegistryError as exc:
        report.catalogue_error = str(exc)
        return report
    except (UnicodeDecodeError, ValueError):
        report.catalogue_error = tk._("the file at {url} is not a schema.data.gouv.fr catalogue "
                                      "(schemas.json).").format(url=base + "/schemas.json")
        return report
    stored_ids = {i for (i,) in model.Session.query(registry.RegistryVersion.schema_id).distinct()}
    for entry in entries:
        if entry.schema_type != "tableschema" or (only and entry.id not in only):
            continue
        outcome = SchemaOutcome(entry.id)
        report.outcomes.append(outcome)
        try:
            _sync_entry(entry, base, outcome, entry.id in stored_ids)
            model.Session.commit()
        except Exception:  # one schema's surprise must not stop the others
            model.Session.rollback()
            log.exception("schema sync: %s", entry.id)
            outcome.errors.append(tk._("unexpected error (see the logs)"))
            _note_error(entry.id, outcome.errors[-1])
    registry.forget_cache()
    return report


def _sync_entry(entry: sc.CatalogEntry, base: str, outcome: SchemaOutcome, has_rows: bool) -> None:
    from ckan import model

    kept = {v for (v,) in model.Session.query(registry.RegistryVersion.version).filter_by(schema_id=entry.id)}
    outcome.kept_versions = len(kept)
    wanted = list(entry.versions) or ([("latest", entry.latest_url)] if entry.latest_url else [])
    fetched: list[tuple[str, dict[str, Any], str]] = []
    for version, url in wanted:
        if version in kept:
            continue
        try:
            data, _final = download(_mirror(url, base))
            descriptor = parse_schema(data)
        except RegistryError as exc:
            outcome.errors.append(f"{version}: {exc}")
            continue
        if version == "latest":
            version = sc.norm_version(sc.descriptor_meta(descriptor).get("version")) or "latest"
        fetched.append((version, descriptor, url))
    if not fetched and not kept:
        _note_error(entry.id, "; ".join(outcome.errors), entry=entry)
        return
    row = registry.upsert_schema({"id": entry.id, "title": entry.title, "publisher": entry.publisher,
                                  "description": entry.description, "homepage": entry.homepage,
                                  "labels": list(entry.labels), "source": registry.CATALOGUE,
                                  "source_url": entry.latest_url,
                                  "catalogue_versions": [list(v) for v in entry.versions]})
    for version, descriptor, url in fetched:
        registry.store_version(entry.id, version, descriptor, url)
        outcome.new_versions.append(version)
    model.Session.flush()
    row.latest_version = registry.latest_stored(entry.id)
    row.synced_at = now()
    if outcome.errors:
        row.last_error, row.last_error_at = "; ".join(outcome.errors)[:2000], now()
    else:
        row.last_error = None


def _note_error(schema_id: str, message: str, *, entry: sc.CatalogEntry | None = None) -> None:
    """Remember a failure on the schema's row (created when the schema has none yet: the admin page lists it)."""
    from ckan import model

    row = model.Session.get(RegistrySchema, schema_id)
    if row is None:
        if entry is None:
            return
        row = registry.upsert_schema({"id": entry.id, "title": entry.title, "publisher": entry.publisher,
                                      "description": entry.description, "homepage": entry.homepage,
                                      "labels": list(entry.labels), "source": registry.CATALOGUE,
                                      "source_url": entry.latest_url,
                                      "catalogue_versions": [list(v) for v in entry.versions]})
    row.last_error, row.last_error_at = message[:2000], now()
    model.Session.commit()


# --- a regional admin's schema --------------------------------------------------------------------------------

def slug(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80] or "schema"


def add(descriptor: dict[str, Any], *, source: str, source_url: str | None, actor: str | None,
        schema_id: str | None = None, title: str | None = None, publisher: str | None = None,
        version: str | None = None) -> RegistrySchema:
    """Store a regional admin's Table Schema (a new schema, or a new version of one already there)."""
    from ckan import model

    meta = sc.descriptor_meta(descriptor)
    schema_id = (schema_id or "").strip() or f"{ADMIN_OWNER}/{slug(str(meta.get('name') or title or meta.get('title') or ''))}"
    if not ID_PATTERN.match(schema_id):
        raise RegistryError(tk._("The schema identifier must look like « owner/name » (letters, digits, "
                                 "« - », « _ », « . »)."))
    version = sc.norm_version(version) or sc.norm_version(meta.get("version")) or "1.0.0"
    existing = model.Session.get(registry.RegistryVersion, (schema_id, version))
    if existing is not None and existing.sha256 != registry._digest(descriptor):
        raise RegistryError(tk._("Version {version} of the schema {id} is already in the registry with other "
                                 "content. Give this file another version number.").format(version=version,
                                                                                          id=schema_id))
    row = model.Session.get(RegistrySchema, schema_id)
    contributors = [c for c in meta.get("contributors") or [] if isinstance(c, dict)]
    guessed = next((c.get("organisation") or c.get("title") for c in contributors
                    if c.get("role") == "author" and (c.get("organisation") or c.get("title"))), None)
    registry.upsert_schema({
        "id": schema_id,
        "title": (title or "").strip() or (row.title if row else None) or meta.get("title") or schema_id,
        "publisher": (publisher or "").strip() or (row.publisher if row else None) or guessed
        or sc.publisher_of(schema_id),
        "description": (row.description if row else None) or meta.get("description"),
        "homepage": (row.homepage if row else None) or meta.get("homepage"),
        "source": source, "source_url": source_url or (row.source_url if row else None),
    }, actor=actor)
    registry.store_version(schema_id, version, descriptor, source_url)
    model.Session.flush()
    row = model.Session.get(RegistrySchema, schema_id)
    if row is None:  # (just written by registry.upsert_schema above)
        raise LookupError(schema_id)
    row.latest_version = registry.latest_stored(schema_id)
    row.synced_at, row.last_error = now(), None
    model.Session.commit()
    registry.forget_cache()
    return row
