"""The one reader of schema.data.gouv.fr's catalogue (``schemas.json`` format) and of the shipped copies.

Pure Python, no CKAN import. Used by the metadata plugin (resource form), the DCAT export and harvester, the
validation engine and the schema registry (issue #16: the catalogue was parsed in four places).

* :func:`parse_catalogue` reads a catalogue document (the shipped snapshot or one downloaded by
  ``ckan grandest validation schemas sync``) into :class:`CatalogEntry` objects;
* :func:`shipped_entries` is the snapshot shipped in ``schemas/table-schemas/`` (both catalogue files);
* :func:`shipped_descriptor` reads a shipped Table Schema file (``publisher_name.json``);
* :func:`publisher_of` names the organisation behind a schema (OpenDataFrance for the SCDL, the CNIG,
  transport.data.gouv.fr...), from the catalogue's owner of the schema id and its labels;
* :func:`split_ref` reads the references a resource may declare (``id``, ``id@version`` or a
  schema.data.gouv.fr URL);
* :func:`conforms_to` reads the ``dct:conformsTo`` of a harvested distribution (a catalogue schema URL however
  it is spelt, a schema.data.gouv.fr URL, an id) into a schema of the shipped catalogue.

A *registry* (the validation plugin's database table) may be installed with :func:`set_registry`: then
:func:`offered` and :func:`find` answer from it (what the portal can actually check); without it they answer
from the shipped snapshot.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Protocol

from .urls import comparable_url

CATALOGUE_FILES = ("catalogue-schema-data-gouv.json", "catalogue-scdl.json")
SCDL_LABEL = "Socle Commun des Données Locales"
TYPES = ("tableschema", "jsonschema", "datapackage")
DEFAULT_BASE_URL = "https://schema.data.gouv.fr"

#: owner of a catalogue id (``scdl/…``, ``cnigfr/…``) -> the organisation that publishes it
PUBLISHERS = {
    "scdl": "OpenDataFrance",
    "etalab": "Etalab (DINUM)",
    "cnigfr": "CNIG",
    "MTES-MCT": "Ministère de la Transition écologique",
    "betagouv": "beta.gouv.fr",
    "datagouv": "data.gouv.fr",
    "CEREMA": "Cerema",
    "datatourisme": "DATAtourisme",
    "openmaraude": "le.taxi",
    "gip-inclusion": "GIP Plateforme de l'inclusion",
    "LaMednum": "La MedNum",
    "GouvernementFR": "Services du Premier ministre",
    "datakode": "Datakode",
    "atlasante": "AtlaSanté (ARS)",
}
#: labels of the catalogue that name the publisher better than the owner of the id
LABEL_PUBLISHERS = {"transport.data.gouv.fr": "transport.data.gouv.fr", "CNIG": "CNIG"}


@dataclasses.dataclass(frozen=True)
class CatalogEntry:
    id: str  #: "scdl/deliberations"
    title: str
    description: str
    schema_type: str  #: "tableschema", "jsonschema", "datapackage" or "other"
    versions: tuple[tuple[str, str], ...]  #: (version, schema_url), oldest first
    latest_url: str | None
    homepage: str | None
    labels: tuple[str, ...]
    contact: str | None
    publisher: str

    @property
    def scdl(self) -> bool:
        return SCDL_LABEL in self.labels

    @property
    def latest(self) -> str | None:
        return self.versions[-1][0] if self.versions else None

    def url_of(self, version: str | None = None) -> str | None:
        return dict(self.versions).get(version or "") or self.latest_url


def version_key(version: str) -> tuple:
    parts = re.split(r"[.\-]", str(version).lstrip("vV"))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def norm_version(version: Any) -> str | None:
    if version is None:
        return None
    text = str(version).strip()
    if not text:
        return None
    return text[1:] if text[:1] in ("v", "V") and text[1:2].isdigit() else text


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def publisher_of(schema_id: str, labels: Iterable[str] = ()) -> str:
    """The organisation behind a catalogue schema (never « SCDL » itself: the SCDL is a label)."""
    for label in labels or ():
        if label in LABEL_PUBLISHERS:
            return LABEL_PUBLISHERS[label]
    owner = schema_id.split("/", 1)[0]
    return PUBLISHERS.get(owner, owner)


def parse_catalogue(data: Any) -> list[CatalogEntry]:
    """Entries of a ``schemas.json`` document; malformed entries are skipped. Raises ValueError when the
    document is not a catalogue at all."""
    if not isinstance(data, dict) or not isinstance(data.get("schemas"), list):
        raise ValueError("not a schema catalogue (no 'schemas' list)")
    out: list[CatalogEntry] = []
    for entry in data["schemas"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or "/" not in entry["name"]:
            continue
        name = entry["name"].strip()
        versions: dict[str, str] = {}
        for v in entry.get("versions") or []:
            if isinstance(v, dict) and v.get("version_name") and isinstance(v.get("schema_url"), str):
                versions[norm_version(v["version_name"]) or ""] = v["schema_url"]
        labels = tuple(str(x) for x in entry.get("labels") or [] if isinstance(x, str))
        out.append(CatalogEntry(
            id=name,
            title=str(entry.get("title") or name).strip(),
            description=str(entry.get("description") or "").strip(),
            schema_type=str(entry.get("schema_type") or "other"),
            versions=tuple(sorted(versions.items(), key=lambda kv: version_key(kv[0]))),
            latest_url=entry.get("schema_url") if isinstance(entry.get("schema_url"), str) else None,
            homepage=entry.get("homepage") if isinstance(entry.get("homepage"), str) else None,
            labels=labels,
            contact=entry.get("contact") if isinstance(entry.get("contact"), str) else None,
            publisher=publisher_of(name, labels),
        ))
    return out


def shipped_dir() -> Path:
    """Folder of the shipped snapshot (``schemas/table-schemas`` in the repository)."""
    try:
        path = Path(str(resources.files("ckanext.grandest.schemas"))) / "table-schemas"
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - outside the package
        pass
    return Path(__file__).resolve().parents[3] / "schemas" / "table-schemas"  # pragma: no cover


@functools.lru_cache(maxsize=1)
def shipped_entries() -> dict[str, CatalogEntry]:
    """The shipped catalogue snapshot, by id (the general catalogue wins over the SCDL one)."""
    out: dict[str, CatalogEntry] = {}
    for name in CATALOGUE_FILES:
        path = shipped_dir() / name
        try:
            entries = parse_catalogue(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        for entry in entries:
            out.setdefault(entry.id, entry)
    return out


def shipped_file(schema_id: str) -> Path | None:
    if not isinstance(schema_id, str) or schema_id.count("/") != 1 or ".." in schema_id:
        return None
    path = shipped_dir() / (schema_id.replace("/", "_", 1) + ".json")
    return path if path.is_file() else None


@functools.lru_cache(maxsize=64)
def _shipped_descriptor(schema_id: str) -> dict[str, Any] | None:
    path = shipped_file(schema_id)
    return json.loads(path.read_text(encoding="utf-8")) if path else None


def shipped_descriptor(schema_id: str) -> dict[str, Any] | None:
    """The shipped schema file of ``schema_id`` (shared object: copy it before changing it)."""
    return _shipped_descriptor(schema_id) if isinstance(schema_id, str) else None


def shipped_ids() -> list[str]:
    """Ids of the shipped schema files."""
    return sorted(p.stem.replace("_", "/", 1) for p in shipped_dir().glob("*_*.json")
                  if not p.name.startswith("catalogue-"))


def descriptor_meta(descriptor: dict[str, Any] | None) -> dict[str, Any]:
    """The part of a schema file holding title/version/path (the first ``allOf`` item of some schemas)."""
    if isinstance(descriptor, dict) and isinstance(descriptor.get("allOf"), list) and descriptor["allOf"]:
        first = descriptor["allOf"][0]
        return first if isinstance(first, dict) else {}
    return descriptor if isinstance(descriptor, dict) else {}


def is_table_schema(descriptor: Any) -> bool:
    """A Table Schema: a ``fields`` list of objects that each have a ``name``."""
    fields = descriptor.get("fields") if isinstance(descriptor, dict) else None
    return bool(isinstance(fields, list) and fields
                and all(isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"] for f in fields))


def split_ref(ref: str) -> tuple[str, str | None]:
    """``'scdl/deliberations@2.1.4'`` -> ``('scdl/deliberations', '2.1.4')``; also reads schema.data.gouv.fr
    URLs (``…/schemas/scdl/deliberations/2.1.5/schema.json``, ``…/scdl/deliberations/``)."""
    ref = ref.strip()
    version = None
    if ref.startswith(("http://", "https://")):
        if "/schemas/" in ref:
            tail = [p for p in ref.split("/schemas/", 1)[1].split("/") if p]
            if len(tail) >= 3:
                version = None if tail[2] == "latest" else norm_version(tail[2])
            return "/".join(tail[:2]), version
        if "schema.data.gouv.fr/" in ref:
            tail = [p for p in ref.split("schema.data.gouv.fr/", 1)[1].split("/") if p]
            return "/".join(tail[:2]), None
        return ref, None
    if "@" in ref:
        ref, version = ref.split("@", 1)
        version = norm_version(version)
    return ref.strip().strip("/"), version


@functools.lru_cache(maxsize=1)
def _shipped_urls() -> dict[str, tuple[str, str | None]]:
    """Every schema URL of the shipped catalogue (comparable form) -> (id, version; None for the latest)."""
    urls: dict[str, tuple[str, str | None]] = {}
    for entry in shipped_entries().values():
        if entry.latest_url:
            urls[comparable_url(entry.latest_url)] = (entry.id, None)
        for version, url in entry.versions:
            urls[comparable_url(url)] = (entry.id, version)
    return urls


_SITE_URL = re.compile(r"schema\.data\.gouv\.fr/(?:schemas/)?([a-z0-9_.-]+/[a-z0-9_.-]+)(?:/([^/]+))?", re.I)


def conforms_to(values: Iterable[Any]) -> tuple[str | None, str | None]:
    """``(schema id, version)`` of the first of ``values`` naming a schema of the shipped catalogue: one of its
    schema URLs (any scheme, ``www.`` or trailing slash), a schema.data.gouv.fr URL
    (``…/schemas/scdl/deliberations/2.1.0/schema.json``, ``…/scdl/deliberations/``), an id or ``id@version``;
    ``(None, None)`` when none does."""
    entries = shipped_entries()
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        if value.lower().startswith(("http://", "https://")):
            hit = _shipped_urls().get(comparable_url(value))
            if hit:
                return hit
            m = _SITE_URL.search(value)
            if m and m.group(1) in entries:
                version = m.group(2)
                if version in (None, "latest", "schema.json", "schema.yml") or version.startswith("schema"):
                    version = None
                return m.group(1), version.lstrip("v") if version else None
            continue
        text, _, version = value.partition("@")
        if text in entries:
            return text, version or None
    return None, None


# --- the registry (installed by the validation plugin) ------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class OfferedSchema:
    """A schema a resource may declare: what the form offers and the validators accept."""

    id: str
    title: str
    publisher: str
    versions: tuple[str, ...]  #: oldest first
    urls: tuple[tuple[str, str], ...] = ()  #: (version, URL of the schema file)
    latest_url: str | None = None
    description: str = ""
    homepage: str | None = None
    scdl: bool = False
    schema_type: str = "tableschema"

    @property
    def latest(self) -> str | None:
        return self.versions[-1] if self.versions else None

    def url_of(self, version: str | None = None) -> str | None:
        return dict(self.urls).get(version or "") or self.latest_url

    @property
    def label(self) -> str:
        return f"{self.title} — {self.publisher} ({self.id})"


def offered_from_entry(entry: CatalogEntry) -> OfferedSchema:
    return OfferedSchema(id=entry.id, title=entry.title, publisher=entry.publisher,
                         versions=tuple(v for v, _ in entry.versions), urls=entry.versions,
                         latest_url=entry.latest_url, description=entry.description, homepage=entry.homepage,
                         scdl=entry.scdl, schema_type=entry.schema_type)


class Registry(Protocol):
    def offered(self) -> list[OfferedSchema] | None:
        """The registry's schemas, or None when the registry is not available (plugin not loaded)."""

    def descriptor(self, schema_id: str, version: str | None) -> tuple[str, dict[str, Any]] | None:
        """(version used, Table Schema) of a registry schema: the declared version when stored, else the
        newest; None when the registry does not hold ``schema_id`` (or is not available)."""


_registry: Registry | None = None


def set_registry(registry: Registry | None) -> None:
    """Install the registry (``None``: back to the shipped snapshot)."""
    global _registry
    _registry = registry


def registry_descriptor(schema_id: str, version: str | None) -> tuple[str, dict[str, Any]] | None:
    return _registry.descriptor(schema_id, version) if _registry is not None else None


def registry_active() -> bool:
    return _registry is not None and _registry.offered() is not None


def sort_offered(items: Iterable[OfferedSchema]) -> list[OfferedSchema]:
    """SCDL first (what communes publish), then by title."""
    return sorted(items, key=lambda s: (not s.scdl, fold(s.title), s.id))


def offered() -> list[OfferedSchema]:
    """The schemas a resource may declare: the registry's when one is installed, else the shipped catalogue's
    Table Schemas, JSON Schemas and Data Packages."""
    found = _registry.offered() if _registry is not None else None
    if found is not None:
        return sort_offered(found)
    return sort_offered(offered_from_entry(e) for e in shipped_entries().values() if e.schema_type in TYPES)


def find(ref: Any) -> OfferedSchema | None:
    """The offered schema for an id, an ``id@version`` reference or a schema URL (a registry schema's own
    URL is recognised too)."""
    if not isinstance(ref, str) or not ref.strip():
        return None
    text = ref.strip()
    items = offered()
    if text.startswith(("http://", "https://")):
        for item in items:
            if text == item.latest_url or text in dict(item.urls).values():
                return item
    schema_id, _version = split_ref(text)
    for item in items:
        if item.id == schema_id:
            return item
    return None
