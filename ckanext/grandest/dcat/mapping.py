"""Export-side mapping tables: from what the Grand Est schema stores to what DCAT-AP 3 and data.gouv.fr read.

Pure Python (no CKAN import). The vocabularies themselves (EU URIs, licence URLs, labels) come from
``ckanext.grandest.metadata.vocabularies``; this module only decides how each stored value is written:

* licence id -> the licence URL data.gouv.fr's matcher resolves (``License.guess``: URL, alternate URL, or
  host + path contained in its URL), never an ``rdfs:label``;
* frequency -> the EU frequency URI (legacy spellings of harvested datasets included);
* resource format code -> EU file-type URI + IANA media-type URI (``https://www.iana.org/...``, the prefix
  udata strips to keep ``type/subtype``);
* territory key -> an INSEE code-based URI, name, code, bbox (WKT polygon) and outline from the referential;
* national Table Schema id + version -> the exact ``schema_url`` of schema.data.gouv.fr's catalogue;
* organization ``actor_type`` -> ADMS publisher type.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Iterable

from ckanext.grandest.common import referential as ref
from ckanext.grandest.dcat import frequencies
from ckanext.grandest.metadata import table_schemas
from ckanext.grandest.metadata import vocabularies as voc

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
INSEE_GEO = "http://id.insee.fr/geo/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
EU_DATA_THEME_SCHEME = voc.THEME_BASE.rstrip("/")

# ------------------------------------------------------------------------------------------------------
# Licences
# ------------------------------------------------------------------------------------------------------


def licence_url(license_id: object, other_url: object = None) -> str | None:
    """URL written as ``dct:license`` for a dataset's licence.

    The vocabulary's URL (data.gouv.fr's own) for known ids; for ``other``, the URL the publisher gave
    (``license_other_url``) when it is an http(s) URL; None otherwise (nothing is better than a wrong licence).
    """
    lic = voc.licence(license_id)
    if lic is not None and lic.url:
        return lic.url
    if (license_id == voc.OTHER_LICENCE or lic is None) and _is_http(other_url):
        return str(other_url).strip()
    return None


def licence_table() -> dict[str, str | None]:
    """``{licence id: exported URL}`` for every licence of the vocabulary (documentation and tests)."""
    return {lic.id: licence_url(lic.id) for lic in voc.LICENCES}


# ------------------------------------------------------------------------------------------------------
# Frequencies
# ------------------------------------------------------------------------------------------------------

# One table for the export and the harvest: ckanext/grandest/dcat/frequencies.py (EU codes, data.gouv.fr ids,
# legacy spellings).
frequency_uri = frequencies.frequency_uri
frequency_table = frequencies.table


# ------------------------------------------------------------------------------------------------------
# Themes, languages, access rights
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    uri: str
    code: str
    fr: str
    en: str


def theme(value: object) -> Concept | None:
    term = voc.THEMES.get(value) or voc.THEMES.find(value)
    return Concept(term.value, term.code, term.fr, term.en) if term else None


def language_uri(value: object) -> str | None:
    term = voc.LANGUAGES.get(value) or voc.LANGUAGES.find(value)
    if term is not None:
        return term.value
    if isinstance(value, str):  # ISO 639-1 ("fr")
        for t in voc.LANGUAGES:
            if t.extra.get("iso639_1") == value.strip().lower():
                return t.value
    return None


def access_rights_uri(value: object) -> str | None:
    term = voc.ACCESS_RIGHTS.get(value) or voc.ACCESS_RIGHTS.find(value)
    return term.value if term else None


# ------------------------------------------------------------------------------------------------------
# Resource formats
# ------------------------------------------------------------------------------------------------------

#: Formats that are services or web pages, not files one downloads (no ``dcat:downloadURL``).
NOT_DOWNLOADABLE = frozenset({"HTML", "WMS_SRVC", "WFS_SRVC", "WMTS_SRVC"})
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


@dataclass(frozen=True)
class FileType:
    code: str  #: "CSV"
    uri: str  #: EU file-type URI
    media_type: str | None  #: "text/csv"

    @property
    def media_type_uri(self) -> str | None:
        return IANA_MEDIA_TYPES + self.media_type if self.media_type else None

    @property
    def downloadable(self) -> bool:
        return self.code not in NOT_DOWNLOADABLE


@functools.lru_cache(maxsize=256)
def file_type(value: object) -> FileType | None:
    """The EU file type for a resource format as stored (a code) or as harvested ("csv", a URI, a MIME type)."""
    code = voc.normalize_format(value) if isinstance(value, str) else None
    if code is None:
        return None
    term = voc.FILE_TYPES.get(code)
    media = term.extra.get("media_type") if term else None
    return FileType(code, voc.FILE_TYPE_BASE + code, media if isinstance(media, str) else None)


def media_type_uri(mimetype: object) -> str | None:
    """IANA media-type URI for a MIME type string ("text/csv; charset=utf-8" -> .../text/csv)."""
    if not isinstance(mimetype, str):
        return None
    value = mimetype.split(";", 1)[0].strip().lower()
    if value.startswith(IANA_MEDIA_TYPES):
        value = value[len(IANA_MEDIA_TYPES):]
    return IANA_MEDIA_TYPES + value if _MEDIA_TYPE.match(value) else None


def format_table() -> dict[str, tuple[str, str | None]]:
    """``{format code: (EU file-type URI, IANA media-type URI)}`` for every format of the vocabulary."""
    out = {}
    for t in voc.FILE_TYPES:
        ft = file_type(t.code)
        assert ft is not None
        out[t.code] = (ft.uri, ft.media_type_uri)
    return out


# ------------------------------------------------------------------------------------------------------
# Territories
# ------------------------------------------------------------------------------------------------------

_INSEE_KIND = {"commune": "commune", "epci": "intercommunalite", "departement": "departement", "region": "region"}


@dataclass(frozen=True)
class Place:
    key: str  #: "commune:67482"
    uri: str  #: "http://id.insee.fr/geo/commune/67482"
    kind: str
    code: str  #: INSEE code (SIREN for an EPCI)
    name: str
    bbox: tuple[float, float, float, float]

    @property
    def bbox_wkt(self) -> str:
        """The bounding box as a closed WKT polygon (lon lat, EPSG:4326)."""
        x1, y1, x2, y2 = self.bbox
        return (f"POLYGON(({_n(x1)} {_n(y1)}, {_n(x2)} {_n(y1)}, {_n(x2)} {_n(y2)}, "
                f"{_n(x1)} {_n(y2)}, {_n(x1)} {_n(y1)}))")

    @property
    def outline_wkt(self) -> str | None:
        t = ref.territory(self.key)
        return t.wkt if t is not None else None


def _n(x: float) -> str:
    return f"{x:.5f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=8192)
def place(key: object) -> Place | None:
    """The territory of a referential key ("commune:67482"...), or None if unknown."""
    if not isinstance(key, str):
        return None
    t = ref.territory(key)
    if t is None:
        return None
    uri = f"{INSEE_GEO}{_INSEE_KIND[t.kind]}/{t.code}"
    return Place(t.key, uri, t.kind, t.code, t.name, tuple(t.bbox))  # type: ignore[arg-type]


def places(keys: Iterable[object]) -> list[Place]:
    out: list[Place] = []
    seen: set[str] = set()
    for key in keys:
        p = place(key)
        if p is not None and p.key not in seen:
            seen.add(p.key)
            out.append(p)
    return out


def organization_place(org: dict[str, Any] | None) -> Place | None:
    """The territory an organization is (a commune, EPCI, département, the région) from its schema fields."""
    if not org:
        return None
    actor = org.get("actor_type")
    insee, siren = _s(org.get("insee_code")), _s(org.get("siren"))
    keys = []
    if actor == "commune" and insee:
        keys.append(f"commune:{insee}")
    elif actor == "epci" and (siren or org.get("epci")):
        keys.append(f"epci:{siren or _s(org.get('epci'))}")
    elif actor == "departement" and (insee or org.get("departement")):
        keys.append(f"departement:{insee or _s(org.get('departement'))}")
    elif actor == "region":
        keys.append(f"region:{insee or '44'}")
    for key in keys:
        p = place(key)
        if p is not None:
            return p
    return None


def organization_siren(org: dict[str, Any] | None) -> str | None:
    """The SIREN of an organization: its ``siren`` field, else its commune's / EPCI's from the referential."""
    if not org:
        return None
    siren = re.sub(r"\s+", "", _s(org.get("siren")) or "")
    if siren and ref.luhn_ok(siren) and len(siren) == 9:
        return siren
    actor, insee = org.get("actor_type"), _s(org.get("insee_code"))
    if actor == "commune" and insee:
        c = ref.commune(insee)
        if c is not None:
            return c.siren
    return None


#: Organization ``actor_type`` -> ADMS publisher type (code, French label, English label).
PUBLISHER_TYPES: dict[str, tuple[str, str, str]] = {
    "commune": ("LocalAuthority", "Autorité locale", "Local authority"),
    "epci": ("LocalAuthority", "Autorité locale", "Local authority"),
    "departement": ("LocalAuthority", "Autorité locale", "Local authority"),
    "region": ("RegionalAuthority", "Autorité régionale", "Regional authority"),
    "etat": ("NationalAuthority", "Autorité nationale", "National authority"),
    "association": ("NonProfitOrganisation", "Organisation à but non lucratif", "Non-profit organisation"),
    "entreprise": ("Company", "Entreprise", "Company"),
}


def publisher_type(actor_type: object) -> tuple[str, str, str] | None:
    """``(URI, French label, English label)`` of the ADMS publisher type of an actor, or None."""
    row = PUBLISHER_TYPES.get(actor_type) if isinstance(actor_type, str) else None
    return (ADMS_PUBLISHER_TYPE + row[0], row[1], row[2]) if row else None


# ------------------------------------------------------------------------------------------------------
# National Table Schemas
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standard:
    id: str  #: "scdl/deliberations"
    version: str | None
    url: str  #: the catalogue's schema_url of that version
    title: str


def standard(schema_id: object, version: object = None) -> Standard | None:
    """The schema a resource declares (any schema of the portal's registry), with the URL of its file: the
    catalogue's ``schema_url`` of that version for a schema.data.gouv.fr schema, the URL it was added from for
    one a regional admin added.

    An unknown version falls back to the latest one (the resource was validated against it)."""
    ts = table_schemas.find(schema_id) if isinstance(schema_id, str) else None
    if ts is None:
        return None
    ver = str(version).strip().lstrip("vV") if isinstance(version, str) and version.strip() else None
    if ver not in ts.versions:
        ver = ts.latest
    url = ts.url_of(ver) or ts.schema_url(ver)
    return Standard(ts.id, ver, url, ts.title)


# ------------------------------------------------------------------------------------------------------


def _s(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _is_http(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")) \
        and " " not in value.strip()
