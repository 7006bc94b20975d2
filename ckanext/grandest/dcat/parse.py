"""DCAT → Grand Est schema: the parsing half of the ``grandest_dcat_ap`` RDF profile.

The profile (``profiles.py``) delegates its ``parse_dataset`` to :func:`parse_dataset`, which reads one
``dcat:Dataset`` of the graph and fills ``dataset_dict`` **in place** with the fields of the Grand Est schema
(docs/metadata-fields.md). It understands what real portals emit:

* DCAT 2/3 and DCAT-AP 2/3 (CKAN with ckanext-dcat, udata / data.gouv.fr, OpenDataSoft), GeoDCAT-AP
  (GeoNetwork: INSPIRE themes, GML or WKT geometries, ``dct:rights`` statements);
* licences by URL, title or known alias (Licence Ouverte 1/2, Etalab, ODbL, CC-*), EU and SPDX URIs;
* frequencies as EU or purl.org/cld URIs, ISO 8601 durations or literals (French or English);
* themes as EU data-theme URIs, INSPIRE theme URIs or labels (French or English);
* temporal coverage as ``dct:PeriodOfTime`` (dcat:, schema: or time: properties) or ISO literals;
* spatial coverage as INSEE / geo.api.gouv.fr / data.gouv.fr zone URIs or identifiers, or place names matched
  against the territorial referential; the geometry is kept (``spatial``, GeoJSON);
* contacts (``dcat:contactPoint`` vCards, publisher), distributions (download vs access URL, formats from EU
  file-type or IANA URIs or literals, byte size, checksum, national Table Schema from ``dct:conformsTo``).

Nothing here fetches anything over the network or raises on odd input: a value that cannot be understood is
left out (and the raw value kept where the schema has no place for it). Pure Python apart from rdflib; CKAN is
only consulted through the profile (``profile._dataset_schema``) to know which fields the schema has.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import html
import json
import re
from typing import Any, Iterable, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, Namespace

from ckanext.grandest.common import referential as ref
from ckanext.grandest.metadata import vocabularies as voc

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
DQV = Namespace("http://www.w3.org/ns/dqv#")
DC = Namespace("http://purl.org/dc/elements/1.1/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SCHEMA = Namespace("http://schema.org/")
SCHEMA_S = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CC = Namespace("http://creativecommons.org/ns#")
PROV = Namespace("http://www.w3.org/ns/prov#")

GEOJSON_DATATYPES = {
    "https://www.iana.org/assignments/media-types/application/vnd.geo+json",
    "http://www.iana.org/assignments/media-types/application/vnd.geo+json",
    "https://www.iana.org/assignments/media-types/application/geo+json",
    str(GSP.geoJSONLiteral),
}

#: Fields this module owns (set or removed on every parse).
DATASET_FIELDS = (
    "title", "notes", "tags", "theme", "license_id", "license_other_url", "frequency", "temporal_start",
    "temporal_end", "territories", "contact_name", "contact_email", "contact_url", "maintainer",
    "maintainer_email", "author", "author_email", "language", "provenance", "access_rights", "version",
    "documentation", "url", "resources", "extras",
)
#: Extras this module may write (when the schema has no field of the same name).
EXTRA_KEYS = ("uri", "identifier", "issued", "modified", "spatial", "spatial_uri", "publisher_name",
              "publisher_uri", "publisher_email", "publisher_url", "harvested_license", "harvested_frequency",
              "license_inferred")

MAX_TEXT = 100_000  # longest description kept (characters)
MAX_TAGS = 100
MAX_RESOURCES = 500
MAX_GEOMETRY = 2_000_000  # characters of a geometry literal looked at


# ----------------------------------------------------------------------------------------------------------
# entry point
# ----------------------------------------------------------------------------------------------------------
def parse_dataset(profile: Any, dataset_dict: dict, dataset_ref: Any) -> dict:
    """Fill ``dataset_dict`` (in place, also returned) from the ``dcat:Dataset`` ``dataset_ref`` of
    ``profile.g``.

    Keys written by profiles that ran before (e.g. euro_dcat_ap_3) are replaced where this module knows the
    field, dropped where the Grand Est schema has no such field (they would fail validation), and kept where
    they are schema fields this module does not handle.
    """
    g = profile.g
    schema_fields = _schema_field_names(profile)
    parsed = _Parser(g, dataset_ref).dataset()

    kept = {k: v for k, v in dataset_dict.items()
            if k not in DATASET_FIELDS and (k in _CORE_KEEP or (schema_fields and k in schema_fields))}
    extras: list[dict[str, str]] = []
    root_names = set(schema_fields or ()) | _CORE_FIELDS
    for key, value in parsed.pop("_extras").items():
        if value in (None, "", [], {}):
            continue
        if key in root_names:
            parsed.setdefault(key, value)
        else:
            extras.append({"key": key, "value": value if isinstance(value, str) else json.dumps(value)})
    # fields the schema does not have go to extras too (a schema without `territories` still keeps them)
    if schema_fields:
        for key in list(parsed):
            if key not in schema_fields and key not in _CORE_FIELDS and key != "resources":
                value = parsed.pop(key)
                if value not in (None, "", []):
                    extras.append({"key": key, "value": value if isinstance(value, str) else json.dumps(value)})
    dataset_dict.clear()
    dataset_dict.update(kept)
    dataset_dict.update({k: v for k, v in parsed.items() if v not in (None, "", [])})
    dataset_dict.setdefault("resources", [])
    dataset_dict["extras"] = sorted(extras, key=lambda e: e["key"])
    return dataset_dict


_CORE_FIELDS = {
    "name", "title", "notes", "url", "version", "tags", "license_id", "maintainer", "maintainer_email",
    "author", "author_email", "owner_org", "private", "state", "type", "id", "groups", "resources", "extras",
    "tag_string",
}
_CORE_KEEP = {"name", "owner_org", "private", "type", "id", "groups"}


def _schema_field_names(profile: Any) -> set[str] | None:
    schema = getattr(profile, "_dataset_schema", None)
    if not isinstance(schema, dict):
        return None
    return {f.get("field_name") for f in schema.get("dataset_fields", []) if f.get("field_name")}


# ----------------------------------------------------------------------------------------------------------
# literal helpers
# ----------------------------------------------------------------------------------------------------------
_LANG_RANK = {"fr": 0, "": 1, "en": 2}


def _lang_rank(lit: Literal) -> int:
    lang = (lit.language or "").split("-")[0].lower()
    return _LANG_RANK.get(lang, 3)


def _best(literals: Iterable[Any]) -> str | None:
    """French first, then untagged, then English, then anything; first in document order within a rank."""
    best: tuple[int, str] | None = None
    for lit in literals:
        if not isinstance(lit, Literal):
            continue
        text = str(lit).strip()
        if not text:
            continue
        rank = _lang_rank(lit)
        if best is None or rank < best[0]:
            best = (rank, text)
            if rank == 0:
                break
    return best[1] if best else None


def _clean_text(text: str | None, limit: int = MAX_TEXT) -> str | None:
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    return text[:limit] if text else None


_TAG_RE = re.compile(r"<[^>]{0,2000}>")
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|ul|ol|table|tr)\s*>|<br\s*/?>", re.I)
_LI = re.compile(r"<li[^>]{0,500}>", re.I)
_HTML_HINT = re.compile(r"</?(p|br|div|span|ul|ol|li|a|strong|em|b|i|h[1-6])\b[^>]{0,500}>", re.I)


def html_to_text(text: str) -> str:
    """Descriptions written as HTML (udata, some CKAN) become plain text with paragraphs kept."""
    if not _HTML_HINT.search(text):
        return text
    text = _LI.sub("\n- ", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _is_http(value: str | None) -> bool:
    return bool(value) and value.lower().startswith(("http://", "https://"))  # type: ignore[union-attr]


def _strip_mailto(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.split("?", 1)[0].strip()


_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def _email(value: str | None) -> str | None:
    if not value:
        return None
    value = _strip_mailto(value)
    return value if _EMAIL_RE.match(value) and len(value) <= 254 else None


# ----------------------------------------------------------------------------------------------------------
# vocabularies: lookups tolerant of what portals write
# ----------------------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    return ref.fold(text)


def _norm_url(url: str) -> str:
    """Comparable form of a URL: no scheme, no www., no trailing slash, lower case."""
    u = url.strip().lower()
    u = re.sub(r"^https?://", "", u)
    u = re.sub(r"^www\.", "", u)
    return u.split("#", 1)[0].rstrip("/")


# licence id -> (URLs, titles and aliases)
_LICENCE_ALIASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lov2": (
        ("etalab.gouv.fr/licence-ouverte-open-licence",
         "etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0.pdf",
         "etalab.gouv.fr/licence-ouverte-open-licence/licence-ouverte-v2",
         "spdx.org/licenses/etalab-2.0", "spdx.org/licenses/etalab-2.0.html",
         "data.gouv.fr/fr/licences", "data.gouv.fr/licences",
         "github.com/etalab/licence-ouverte/blob/master/lo.md",
         "opendatacommons.org/licenses/lov2", "publications.europa.eu/resource/authority/licence/etalab_2_0",
         "data.europa.eu/licences/etalab-2.0"),
        # 2.0 only when the text says 2.0 (or v2): the unversioned titles are Licence Ouverte 1.0's
        ("lov2", "etalab-2.0", "etalab 2.0", "etalab v2", "etalab v2.0",
         "licence ouverte 2.0", "licence ouverte v2.0", "licence ouverte version 2.0",
         "licence ouverte / open licence version 2.0",
         "licence ouverte / open licence v2.0", "licence ouverte open licence version 2.0",
         "licence ouverte v2.0 (etalab)", "licence ouverte 2.0 (etalab)",
         "licence ouverte / open licence version 2.0 (etalab)", "open licence 2.0",
         "open licence version 2.0", "open license 2.0", "lo 2.0", "lo-2.0", "lo2",
         "licence etalab 2.0", "licence etalab v2", "etalab licence ouverte 2.0",
         "licence ouverte / open licence 2.0"),
    ),
    "odc-odbl": (
        ("opendatacommons.org/licenses/odbl", "opendatacommons.org/licenses/odbl/1.0",
         "opendatacommons.org/licenses/odbl/1-0", "opendatacommons.org/licenses/odbl/summary",
         "opendefinition.org/licenses/odc-odbl", "spdx.org/licenses/odbl-1.0",
         "spdx.org/licenses/odbl-1.0.html", "publications.europa.eu/resource/authority/licence/odc_bl",
         "vvlibri.org/fr/licence/odbl-10/legalcode/unofficial", "data.europa.eu/licences/odbl"),
        ("odc-odbl", "odbl", "odbl-1.0", "odbl 1.0", "odbl v1.0", "open database license",
         "open database licence", "open database license (odbl)", "open database license 1.0",
         "open data commons open database license", "open data commons open database license (odbl)",
         "open data commons open database license v1.0", "licence odbl", "odc odbl"),
    ),
    "cc-by": (
        ("creativecommons.org/licenses/by/4.0", "creativecommons.org/licenses/by/4.0/legalcode",
         "creativecommons.org/licenses/by/4.0/deed.fr", "creativecommons.org/licenses/by",
         "opendefinition.org/licenses/cc-by", "spdx.org/licenses/cc-by-4.0", "spdx.org/licenses/cc-by-4.0.html",
         "publications.europa.eu/resource/authority/licence/cc_by_4_0", "data.europa.eu/licences/cc-by-4.0"),
        ("cc-by", "cc by", "cc-by-4.0", "cc by 4.0", "cc-by 4.0", "ccby", "cc_by_4_0",
         "creative commons attribution", "creative commons attribution 4.0",
         "creative commons attribution 4.0 international", "creative commons attribution (cc-by 4.0)",
         "creative commons attribution 4.0 international (cc by 4.0)", "creative commons by", "attribution 4.0 international"),
    ),
    "cc-by-sa": (
        ("creativecommons.org/licenses/by-sa/4.0", "creativecommons.org/licenses/by-sa/4.0/legalcode",
         "creativecommons.org/licenses/by-sa/4.0/deed.fr", "creativecommons.org/licenses/by-sa",
         "opendefinition.org/licenses/cc-by-sa", "spdx.org/licenses/cc-by-sa-4.0",
         "spdx.org/licenses/cc-by-sa-4.0.html", "publications.europa.eu/resource/authority/licence/cc_bysa_4_0",
         "data.europa.eu/licences/cc-by-sa-4.0"),
        ("cc-by-sa", "cc by-sa", "cc by sa", "cc-by-sa-4.0", "cc by-sa 4.0", "cc-by-sa 4.0", "cc_bysa_4_0",
         "creative commons attribution share-alike", "creative commons attribution share alike",
         "creative commons attribution-sharealike", "creative commons attribution-sharealike 4.0",
         "creative commons attribution-sharealike 4.0 international",
         "creative commons attribution share-alike (cc-by-sa 4.0)"),
    ),
    "cc-zero": (
        ("creativecommons.org/publicdomain/zero/1.0", "creativecommons.org/publicdomain/zero/1.0/legalcode",
         "creativecommons.org/publicdomain/zero/1.0/deed.fr", "opendefinition.org/licenses/cc-zero",
         "spdx.org/licenses/cc0-1.0", "spdx.org/licenses/cc0-1.0.html",
         "publications.europa.eu/resource/authority/licence/cc0", "data.europa.eu/licences/cc0"),
        ("cc-zero", "cc0", "cc0 1.0", "cc0-1.0", "cc 0", "cc zero", "creative commons zero",
         "creative commons cc0", "cc0 1.0 universal", "creative commons cc0 1.0 universal",
         "public domain dedication", "domaine public", "creative commons zero (cc0)"),
    ),
}
#: Licence Ouverte 1.0 (fr-lo on data.gouv.fr) has no id of its own here: kept as "other" with this URL,
#: the one data.gouv.fr recognises as "fr-lo".
LO1_URL = "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf"
_LO1_ALIASES = (
    ("etalab.gouv.fr/wp-content/uploads/2014/05/licence_ouverte.pdf",
     "etalab.gouv.fr/wp-content/uploads/2014/05/open_licence.pdf", "data.gouv.fr/licence-ouverte-open-licence",
     "etalab.gouv.fr/pages/licence-ouverte-open-licence-5899923.html",
     "spdx.org/licenses/etalab-1.0", "data.europa.eu/licences/etalab-1.0"),
    ("fr-lo", "lov1", "licence ouverte 1.0", "licence ouverte v1.0", "licence ouverte version 1.0",
     "licence ouverte / open licence version 1.0", "licence ouverte / open licence 1.0", "open licence 1.0",
     "lo 1.0", "lo-1.0", "etalab 1.0", "etalab-1.0", "etalab v1",
     # data.gouv.fr's title of fr-lo, and the other unversioned names
     "licence ouverte / open licence", "licence ouverte", "open licence", "licence ouverte (etalab)",
     "licence etalab", "etalab open licence", "licence ouverte d'etalab", "licence ouverte etalab"),
)
#: INSPIRE codes of dct:rights / dct:accessRights: access limitations are not licences; « no conditions
#: apply to access and use » is free reuse (mapped to Licence Ouverte 2.0, flagged as inferred)
INSPIRE_LIMITATIONS = "inspire.ec.europa.eu/metadata-codelist/limitationsonpublicaccess/"
INSPIRE_CONDITIONS = "inspire.ec.europa.eu/metadata-codelist/conditionsapplyingtoaccessanduse/"
INSPIRE_NO_CONDITIONS_LICENCE = "lov2"


@functools.lru_cache(maxsize=1)
def _licence_tables() -> tuple[dict[str, str], dict[str, str]]:
    by_url: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for lic in voc.LICENCES:
        if lic.url:
            by_url[_norm_url(lic.url)] = lic.id
        if lic.eu_uri:
            by_url[_norm_url(lic.eu_uri)] = lic.id
        by_name[_fold(lic.fr)] = lic.id
        by_name[_fold(lic.en)] = lic.id
    for lid, (urls, names) in _LICENCE_ALIASES.items():
        if voc.licence(lid) is None:
            continue
        for u in urls:
            by_url[_norm_url(u)] = lid
        for n in names:
            by_name[_fold(n)] = lid
    lo1 = "lov1" if voc.licence("lov1") is not None else "fr-lo"
    for u in _LO1_ALIASES[0]:
        by_url[_norm_url(u)] = lo1
    for n in _LO1_ALIASES[1]:
        by_name[_fold(n)] = lo1
    by_name.pop("", None)
    by_name.pop(_fold("other"), None)
    return by_url, by_name


def match_licence(values: Iterable[str]) -> tuple[str | None, str | None]:
    """``(license_id, license_other_url)`` for the texts describing one licence (its URI, labels,
    identifier...). Unknown licence with a URL → ``("other", url)``; unknown without URL → ``(None, None)``."""
    by_url, by_name = _licence_tables()
    url = None
    found = None
    values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    for v in values:
        if _is_http(v):
            url = url or v
            lid = by_url.get(_norm_url(v))
            if lid is None and "creativecommons.org/licenses/" in v.lower():
                lid = _cc_from_url(v)
            if lid:
                found = lid
                break
    if found is None:
        for v in values:
            if _is_http(v):
                continue
            lid = by_name.get(_fold(v))
            if lid:
                found = lid
                break
    if found == "fr-lo":  # a vocabulary without lov1
        return voc.OTHER_LICENCE, LO1_URL
    if found:
        return found, None
    if url:
        return voc.OTHER_LICENCE, url
    return None, None


def is_inspire_limitation(value: str) -> bool:
    """An INSPIRE access-limitation or « conditions unknown » code: not a licence."""
    low = value.strip().lower()
    return INSPIRE_LIMITATIONS in low or (INSPIRE_CONDITIONS in low and "noconditionsapply" not in low)


def is_inspire_no_conditions(value: str) -> bool:
    low = _fold(value)
    return (INSPIRE_CONDITIONS in value.strip().lower() and "noconditionsapply" in value.lower()) or low in (
        "no conditions apply to access and use", "no conditions apply", "aucune condition ne s applique",
        "aucune condition ne s applique a l acces et a l utilisation", "pas de restriction d utilisation")


# on folded text (lower case, no accents, punctuation as spaces: "CC-BY-SA 2.0" -> "cc by sa 2 0")
_TEXT_LICENCES = (
    (re.compile(r"\b(odbl|open database licen[cs]e)\b"), "odc-odbl"),
    (re.compile(r"\b(cc ?by ?sa|attribution share ?alike|paternite partage)\b"), "cc-by-sa"),
    (re.compile(r"\b(cc0|cc zero|creative commons zero)\b"), "cc-zero"),
    (re.compile(r"\b(licence ouverte|open licen[cs]e|etalab)\b.{0,40}?\b(v ?2|2 0|version 2)\b"), "lov2"),
    (re.compile(r"\b(etalab 2 0|lo ?2 0|lov2)\b"), "lov2"),
    (re.compile(r"\b(licence ouverte|open licen[cs]e|etalab)\b"), "lov1"),
    (re.compile(r"\b(cc ?by|creative commons attribution)\b"), "cc-by"),
)


def licence_in_text(text: str) -> str | None:
    """The licence a free-text rights statement names (« Utilisation libre sous Licence Ouverte v2.0 »...),
    version included: Licence Ouverte 2.0 only when the text says 2.0."""
    if not text or len(text) > 5000:
        return None
    folded = _fold(text)
    for pattern, lid in _TEXT_LICENCES:
        if pattern.search(folded):
            return lid if voc.licence(lid) is not None else None
    return None


def _cc_from_url(url: str) -> str | None:
    m = re.search(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", url.lower())
    if not m:
        return None
    kind, version = m.groups()
    if version != "4.0":
        return None  # an older CC version is another licence: kept as "other" with its URL
    return {"by": "cc-by", "by-sa": "cc-by-sa"}.get(kind)


# --- frequencies ------------------------------------------------------------------------------------------
_FREQ_ALIASES: dict[str, str] = {
    # purl.org/cld/freq (Dublin Core collection description frequency vocabulary)
    "triennial": "TRIENNIAL", "biennial": "BIENNIAL", "annual": "ANNUAL", "semiannual": "ANNUAL_2",
    "threetimesayear": "ANNUAL_3", "quarterly": "QUARTERLY", "bimonthly": "BIMONTHLY", "monthly": "MONTHLY",
    "semimonthly": "MONTHLY_2", "biweekly": "BIWEEKLY", "threetimesamonth": "MONTHLY_3", "weekly": "WEEKLY",
    "semiweekly": "WEEKLY_2", "threetimesaweek": "WEEKLY_3", "daily": "DAILY", "continuous": "CONT",
    "irregular": "IRREG",
    # udata frequency ids
    "punctual": "NEVER", "unknown": "UNKNOWN", "hourly": "HOURLY", "fourtimesaday": "DAILY_2",
    "threetimesaday": "DAILY_2", "semidaily": "DAILY_2", "fourtimesaweek": "WEEKLY_3", "quinquennial": "QUINQUENNIAL",
    "semiweekly ": "WEEKLY_2", "annually": "ANNUAL", "yearly": "ANNUAL", "never": "NEVER", "notplanned": "NEVER",
    "asneeded": "IRREG", "other": "IRREG", "update_cont": "UPDATE_CONT", "updatecont": "UPDATE_CONT",
    # EU codes that the Grand Est list folds into a neighbour
    "1min": "UPDATE_CONT", "5min": "UPDATE_CONT", "10min": "UPDATE_CONT", "15min": "UPDATE_CONT",
    "30min": "UPDATE_CONT", "bihourly": "HOURLY", "trihourly": "HOURLY", "12hrs": "DAILY_2",
    "quadrennial": "QUINQUENNIAL", "decennial": "QUINQUENNIAL", "bidecennial": "QUINQUENNIAL",
    "tridecennial": "QUINQUENNIAL", "op_datpro": "IRREG", "opdatpro": "IRREG",
    # ISO 19115 MD_MaintenanceFrequencyCode (GeoNetwork)
    "fortnightly": "BIWEEKLY", "biannually": "ANNUAL_2", "asneededs": "IRREG",
    # French
    "quotidien": "DAILY", "quotidienne": "DAILY", "journalier": "DAILY", "journaliere": "DAILY",
    "hebdomadaire": "WEEKLY", "mensuel": "MONTHLY", "mensuelle": "MONTHLY", "bimestriel": "BIMONTHLY",
    "bimestrielle": "BIMONTHLY", "trimestriel": "QUARTERLY", "trimestrielle": "QUARTERLY",
    "semestriel": "ANNUAL_2", "semestrielle": "ANNUAL_2", "annuel": "ANNUAL", "annuelle": "ANNUAL",
    "bisannuel": "BIENNIAL", "biennal": "BIENNIAL", "biennale": "BIENNIAL", "triennal": "TRIENNIAL",
    "triennale": "TRIENNIAL", "quinquennal": "QUINQUENNIAL", "irreguliere": "IRREG", "irregulier": "IRREG",
    "ponctuelle": "NEVER", "ponctuel": "NEVER", "jamais": "NEVER", "inconnue": "UNKNOWN", "inconnu": "UNKNOWN",
    "encontinu": "CONT", "continue": "CONT", "temps reel": "UPDATE_CONT", "tempsreel": "UPDATE_CONT",
    "horaire": "HOURLY", "bimensuel": "MONTHLY_2", "bimensuelle": "MONTHLY_2",
    "toutesles2semaines": "BIWEEKLY", "tous les ans": "ANNUAL",
}
_ISO_DURATIONS = {
    "PT1H": "HOURLY", "PT12H": "DAILY_2", "P1D": "DAILY", "P0.5D": "DAILY_2", "P1W": "WEEKLY", "P7D": "WEEKLY",
    "P2W": "BIWEEKLY", "P14D": "BIWEEKLY", "P1M": "MONTHLY", "P0.5M": "MONTHLY_2", "P2M": "BIMONTHLY",
    "P3M": "QUARTERLY", "P4M": "ANNUAL_3", "P6M": "ANNUAL_2", "P1Y": "ANNUAL", "P12M": "ANNUAL",
    "P2Y": "BIENNIAL", "P3Y": "TRIENNIAL", "P5Y": "QUINQUENNIAL",
}


def match_frequency(text: str | None) -> str | None:
    """EU frequency URI of the Grand Est list for a URI, ISO 8601 duration or literal; None if unknown."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    term = voc.FREQUENCIES.find(text)
    if term:
        return term.value
    iso = text.upper()
    if iso.startswith("R/"):
        iso = iso[2:]
    if iso in _ISO_DURATIONS:
        return voc.FREQUENCY_BASE + _ISO_DURATIONS[iso]
    last = text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    for candidate in (last, text):
        term = voc.FREQUENCIES.find(candidate)
        if term:
            return term.value
        key = _fold(candidate).replace(" ", "")
        code = _FREQ_ALIASES.get(key) or _FREQ_ALIASES.get(_fold(candidate))
        if code is None:
            code = next((t.code for t in voc.FREQUENCIES if _fold(t.fr) == _fold(candidate)
                         or _fold(t.en) == _fold(candidate)), None)
        if code and voc.FREQUENCIES.find(code):
            return voc.FREQUENCIES.find(code).value  # type: ignore[union-attr]
    return None


# --- themes -----------------------------------------------------------------------------------------------
# INSPIRE themes (GeoNetwork / GeoDCAT-AP) → EU data themes, after the DCAT-AP / GeoDCAT-AP alignment
_INSPIRE_THEMES = {
    "ad": "REGI", "au": "REGI", "rs": "REGI", "gg": "REGI", "gn": "REGI", "cp": "REGI", "tn": "TRAN",
    "hy": "ENVI", "ps": "ENVI", "el": "ENVI", "lc": "ENVI", "oi": "ENVI", "ge": "ENVI", "lu": "ENVI",
    "ac": "ENVI", "mf": "ENVI", "of": "ENVI", "sr": "ENVI", "br": "ENVI", "hb": "ENVI", "sd": "ENVI",
    "so": "ENVI", "nz": "ENVI", "ef": "ENVI", "hh": "HEAL", "pd": "SOCI", "su": "SOCI", "bu": "REGI",
    "us": "GOVE", "pf": "ECON", "af": "AGRI", "am": "GOVE", "er": "ENER", "mr": "ENVI",
}
# words found in theme labels of French portals (OpenDataSoft, udata, GeoNetwork keywords)
_THEME_WORDS: tuple[tuple[str, str], ...] = (
    ("agricultur", "AGRI"), ("peche", "AGRI"), ("foret", "AGRI"), ("sylvicult", "AGRI"),
    ("alimentation", "AGRI"), ("food", "AGRI"), ("fisher", "AGRI"), ("forestry", "AGRI"),
    ("econom", "ECON"), ("financ", "ECON"), ("budget", "ECON"), ("emploi", "ECON"), ("entreprise", "ECON"),
    ("commerce", "ECON"), ("tourism", "ECON"),
    ("educat", "EDUC"), ("enseignement", "EDUC"), ("culture", "EDUC"), ("sport", "EDUC"), ("loisir", "EDUC"),
    ("patrimoine", "EDUC"),
    ("energ", "ENER"),
    ("environnement", "ENVI"), ("environment", "ENVI"), ("climat", "ENVI"), ("biodiversit", "ENVI"),
    ("dechet", "ENVI"), ("eau", "ENVI"), ("nature", "ENVI"),
    ("gouvern", "GOVE"), ("secteur public", "GOVE"), ("administration", "GOVE"), ("citoyennet", "GOVE"),
    ("elections", "GOVE"), ("public sector", "GOVE"), ("services publics", "GOVE"),
    ("sante", "HEAL"), ("health", "HEAL"),
    ("international", "INTR"), ("europe", "INTR"),
    ("justice", "JUST"), ("juridique", "JUST"), ("securite", "JUST"), ("legal", "JUST"), ("public safety", "JUST"),
    ("region", "REGI"), ("ville", "REGI"), ("cities", "REGI"), ("urbanisme", "REGI"), ("amenagement", "REGI"),
    ("territoire", "REGI"), ("logement", "REGI"), ("habitat", "REGI"),
    ("population", "SOCI"), ("societ", "SOCI"), ("social", "SOCI"), ("solidarit", "SOCI"),
    ("demograph", "SOCI"),
    ("science", "TECH"), ("technolog", "TECH"), ("numerique", "TECH"), ("recherche", "TECH"),
    ("transport", "TRAN"), ("mobilit", "TRAN"), ("deplacement", "TRAN"), ("voirie", "TRAN"),
)


def match_theme(text: str | None) -> str | None:
    """EU data-theme URI for a theme URI (EU, INSPIRE) or label; None if unknown."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    term = voc.THEMES.find(text)
    if term:
        return term.value
    low = text.lower()
    if "/data-theme/" in low:
        term = voc.THEMES.find(text.rstrip("/").rsplit("/", 1)[-1])
        return term.value if term else None
    m = re.search(r"inspire\.ec\.europa\.eu/theme/([a-z]{2})\b", low)
    if m:
        code = _INSPIRE_THEMES.get(m.group(1))
        return voc.THEME_BASE + code if code else None
    if _is_http(text):
        return None
    folded = _fold(text)
    for t in voc.THEMES:
        if folded in (_fold(t.fr), _fold(t.en), t.code.lower()):
            return t.value
    padded = " " + folded
    for word, code in _THEME_WORDS:
        if " " + word in padded:  # at the start of a word: "transports" is not "sport"
            return voc.THEME_BASE + code
    return None


# --- languages --------------------------------------------------------------------------------------------
_LANG_CODES = {"fre": "FRA", "fra": "FRA", "ger": "DEU", "deu": "DEU", "eng": "ENG", "ltz": "LTZ",
               "ita": "ITA", "spa": "SPA", "dut": "NLD", "nld": "NLD", "por": "POR",
               "francais": "FRA", "french": "FRA", "anglais": "ENG", "english": "ENG", "allemand": "DEU",
               "german": "DEU", "luxembourgeois": "LTZ", "italien": "ITA", "espagnol": "SPA",
               "neerlandais": "NLD", "portugais": "POR"}


def match_language(text: str | None) -> str | None:
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    term = voc.LANGUAGES.find(text)
    if term:
        return term.value
    last = text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    term = voc.LANGUAGES.find(last)
    if term:
        return term.value
    key = last.split("-")[0].split("_")[0].lower()
    for t in voc.LANGUAGES:
        if t.extra.get("iso639_1") == key:
            return t.value
    code = _LANG_CODES.get(key) or _LANG_CODES.get(_fold(last))
    return voc.LANGUAGE_BASE + code if code and voc.LANGUAGES.find(code) else None


_ACCESS_ALIASES = {"public": "PUBLIC", "open": "PUBLIC", "restricted": "RESTRICTED", "restreint": "RESTRICTED",
                   "nonpublic": "NON_PUBLIC", "non_public": "NON_PUBLIC", "private": "NON_PUBLIC",
                   "prive": "NON_PUBLIC", "confidential": "NON_PUBLIC", "nopublic": "NON_PUBLIC"}


def match_access_rights(text: str | None) -> str | None:
    if not text or not isinstance(text, str):
        return None
    term = voc.ACCESS_RIGHTS.find(text)
    if term:
        return term.value
    last = text.strip().rstrip("/").rsplit("/", 1)[-1]
    term = voc.ACCESS_RIGHTS.find(last)
    if term:
        return term.value
    code = _ACCESS_ALIASES.get(_fold(last).replace(" ", "").replace("-", ""))
    if code is None:
        folded = _fold(text)
        if "pas de restriction" in folded or "no limitation" in folded or "aucune restriction" in folded:
            code = "PUBLIC"
    return voc.ACCESS_RIGHT_BASE + code if code else None


# --- formats ----------------------------------------------------------------------------------------------
_MEDIA_TYPE_FORMATS = {
    "application/vnd.geo+json": "GEOJSON", "application/geo+json": "GEOJSON", "text/comma-separated-values": "CSV",
    "application/csv": "CSV", "application/x-zip-compressed": "ZIP", "application/x-shapefile": "SHP",
    "application/x-esri-shape": "SHP", "application/vnd.shp": "SHP", "application/x-zipped-shp": "SHP",
    "application/x-ogc-wms": "WMS_SRVC", "application/x-ogc-wfs": "WFS_SRVC", "application/x-ogc-wmts": "WMTS_SRVC",
    "ogc:wms": "WMS_SRVC", "ogc:wfs": "WFS_SRVC", "ogc:wmts": "WMTS_SRVC", "ogc:wms-1.3.0-http-get-map": "WMS_SRVC",
    "ogc:wfs-1.0.0-http-get-capabilities": "WFS_SRVC", "esri shapefile": "SHP", "shp (zip)": "SHP",
    "shapefile (zip)": "SHP", "zip (shp)": "SHP", "csv (utf-8)": "CSV", "json-ld": "JSON_LD", "geo+json": "GEOJSON",
    "xls": "XLS", "xlsx": "XLSX", "ods": "ODS", "application/gml+xml": "GML", "application/x-gzip": None,
    "text/n3": None, "application/gpx+xml": None, "application/vnd.ms-excel.sheet.macroenabled.12": "XLSX",
}


def match_format(text: str | None) -> str | None:
    """EU file-type code of the Grand Est list for an EU file-type URI, IANA media-type URI or a literal."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    code = voc.normalize_format(text)
    if code:
        return code
    low = text.lower()
    if "/file-type/" in low:
        return voc.normalize_format(text.rstrip("/").rsplit("/", 1)[-1])
    if "iana.org/assignments/media-types/" in low:
        media = low.split("iana.org/assignments/media-types/", 1)[1].strip("/")
        return _MEDIA_TYPE_FORMATS.get(media) or voc.normalize_format(media)
    if low in _MEDIA_TYPE_FORMATS:
        return _MEDIA_TYPE_FORMATS[low]
    media = low.split(";")[0].strip()
    if media in _MEDIA_TYPE_FORMATS:
        return _MEDIA_TYPE_FORMATS[media]
    # "CSV (UTF-8)", "Fichier CSV", "zip / shp"
    words = [w for w in re.split(r"[^a-z0-9+_-]+", low) if w]
    for w in words:
        code = voc.normalize_format(w)
        if code:
            return code
    return None


def media_type_of(text: str | None) -> str | None:
    """``text/csv`` from an IANA URI or a literal media type; None otherwise."""
    if not text:
        return None
    low = text.strip()
    if "iana.org/assignments/media-types/" in low.lower():
        low = low.split("media-types/", 1)[1].strip("/")
    if re.match(r"^[a-z]+/[a-z0-9.+-]+$", low, re.I):
        return low.lower()
    return None


# --- Table Schemas (schema.data.gouv.fr) -----------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _schema_catalogue() -> tuple[dict[str, tuple[str, str | None]], set[str]]:
    from ckanext.grandest.common import schema_catalog

    urls: dict[str, tuple[str, str | None]] = {}
    names: set[str] = set()
    for entry in schema_catalog.shipped_entries().values():
        names.add(entry.id)
        if entry.latest_url:
            urls[_norm_url(entry.latest_url)] = (entry.id, None)
        for version, url in entry.versions:
            urls[_norm_url(url)] = (entry.id, version)
    return urls, names


def match_table_schema(values: Iterable[str]) -> tuple[str | None, str | None]:
    """``(schema id, version)`` of a national Table Schema from ``dct:conformsTo`` values (URLs like
    https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.0/schema.json, ids like scdl/deliberations)."""
    urls, names = _schema_catalogue()
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        if _is_http(value):
            hit = urls.get(_norm_url(value))
            if hit:
                return hit
            m = re.search(r"schema\.data\.gouv\.fr/(?:schemas/)?([a-z0-9_.-]+/[a-z0-9_.-]+)(?:/([^/]+))?", value,
                          re.I)
            if m and m.group(1) in names:
                version = m.group(2)
                if version in (None, "latest", "schema.json", "schema.yml") or version.startswith("schema"):
                    version = None
                return m.group(1), version.lstrip("v") if version else None
            continue
        text, _, version = value.partition("@")
        if text in names:
            return text, version or None
    return None, None


# --- dates ------------------------------------------------------------------------------------------------
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_FR_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def _date_bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """First and last day covered by an ISO date, year-month or year (or a French dd/mm/yyyy date)."""
    text = text.strip()
    try:
        m = _DATE.match(text)
        if m:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return d, d
        m = _YEAR_MONTH.match(text)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
        m = _YEAR.match(text)
        if m:
            y = int(m.group(1))
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        m = _FR_DATE.match(text)
        if m:
            d = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return d, d
    except ValueError:
        return None
    return None


def _date_ok(d: dt.date | None) -> dt.date | None:
    if d is None:
        return None
    today = dt.date.today()
    if d.year < 1800 or d > today.replace(year=min(today.year + 50, 9999)):
        return None
    return d


def parse_interval(text: str) -> tuple[dt.date | None, dt.date | None]:
    """ISO 8601 interval or single value: "2020-01-01/2020-12-31", "2019/2021", "2020", "2020-03"."""
    text = (text or "").strip()
    if not text or len(text) > 100:
        return None, None
    for sep in ("/", " -- ", "--", " to ", " au ", " à "):
        if sep in text and not _FR_DATE.match(text):
            a, _, b = text.partition(sep)
            sa, sb = _date_bounds(a) if a.strip() else None, _date_bounds(b) if b.strip() else None
            if sa or sb:
                return (sa[0] if sa else None), (sb[1] if sb else None)
    bounds = _date_bounds(text)
    return bounds if bounds else (None, None)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


# ----------------------------------------------------------------------------------------------------------
# spatial
# ----------------------------------------------------------------------------------------------------------
_INSEE_URI = re.compile(
    r"(?:id\.insee\.fr/geo|insee\.fr/geo|geo\.api\.gouv\.fr)/"
    r"(commune|communes|departement|departements|region|regions|intercommunalite|epci|epcis)/([0-9AB]{2,9})",
    re.I)
_ZONE_ID = re.compile(r"(?:^|[/:])(?:fr:)?(commune|departement|region|epci|intercommunalite):([0-9AB]{2,9})",
                      re.I)
_KIND = {"commune": "commune", "communes": "commune", "departement": "departement", "departements": "departement",
         "region": "region", "regions": "region", "intercommunalite": "epci", "epci": "epci", "epcis": "epci"}


def territory_from_identifier(text: str) -> str | None:
    """Referential key for an INSEE / geo.api.gouv.fr URI, a data.gouv.fr zone id (fr:commune:67482) or one
    of our keys (commune:67482); None if unknown or outside Grand Est."""
    if not text:
        return None
    m = _INSEE_URI.search(text) or _ZONE_ID.search(text)
    if not m:
        return None
    key = f"{_KIND[m.group(1).lower()]}:{m.group(2).upper()}"
    t = ref.territory(key)
    return t.key if t else None


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, list[str]]:
    """Folded names of EPCI, départements and the région -> keys (communes are searched separately)."""
    out: dict[str, list[str]] = {}
    for e in ref.epcis():
        out.setdefault(_fold(e.name), []).append(e.key)
    for d in ref.departements():
        out.setdefault(_fold(d.name), []).append(d.key)
        out.setdefault(_fold(f"departement {d.name}"), []).append(d.key)
        out.setdefault(_fold(f"{d.name} ({d.code})"), []).append(d.key)
    r = ref.region()
    if r is not None:
        out.setdefault(_fold(r.name), []).append(r.key)
        out.setdefault(_fold(f"region {r.name}"), []).append(r.key)
    return out


@functools.lru_cache(maxsize=1)
def _commune_names() -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for c in ref.communes():
        out.setdefault(_fold(c.name), []).append(c)
    return out


_DEPT_HINT = re.compile(r"\((\d{2}|2[AB])\)|\b(0[8]|10|5[1245]|5[57]|6[78]|88)\d{3}\b|\b(\d{2})\s*$")


def territory_from_name(name: str) -> str | None:
    """Referential key for a place name ("Strasbourg", "Bas-Rhin", "Eurométropole de Strasbourg",
    "Sainte-Marie (08)"); None if unknown or ambiguous."""
    if not name or len(name) > 200:
        return None
    name = name.strip()
    folded = _fold(name)
    if not folded:
        return None
    keys = _names().get(folded)
    if keys and len(keys) == 1:
        return keys[0]
    hint = _DEPT_HINT.search(name)
    dept = next((g for g in hint.groups() if g), None) if hint else None
    base = _fold(re.sub(r"\(.*?\)|\b\d{5}\b", " ", name))
    for prefix in ("commune de ", "commune d ", "ville de ", "ville d ", "mairie de ", "mairie d "):
        if base.startswith(prefix):
            base = base[len(prefix):]
            break
    candidates = _commune_names().get(base, [])
    if dept:
        candidates = [c for c in candidates if c.departement == dept or any(
            p.startswith(dept) for p in c.postcodes)] or candidates
    if len(candidates) == 1:
        return candidates[0].key
    keys = _names().get(base)
    if keys and len(keys) == 1:
        return keys[0]
    return None


def _swap_if_lat_lon(geom: dict) -> dict:
    """Some GeoDCAT-AP producers write EPSG:4326 in latitude, longitude order: in France longitudes are
    small and latitudes between 41 and 52, so a geometry whose "x" are all in 41..52 and "y" in -6..11 is
    swapped back."""
    coords = list(_iter_coords(geom.get("coordinates")))
    if coords and all(41 <= x <= 52 and -6 <= y <= 11 for x, y in coords):
        return {"type": geom["type"], "coordinates": _swap(geom["coordinates"])}
    return geom


def _iter_coords(value: Any) -> Iterator[tuple[float, float]]:
    if isinstance(value, (list, tuple)):
        if len(value) >= 2 and all(isinstance(v, (int, float)) for v in value[:2]):
            yield float(value[0]), float(value[1])
        else:
            for v in value:
                yield from _iter_coords(v)


def _swap(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if len(value) >= 2 and all(isinstance(v, (int, float)) for v in value[:2]):
            return [value[1], value[0], *value[2:]]
        return [_swap(v) for v in value]
    return value


_GML_CORNERS = re.compile(
    r"lowerCorner[^>]*>\s*([-\d.eE]+)\s+([-\d.eE]+)\s*<.*?upperCorner[^>]*>\s*([-\d.eE]+)\s+([-\d.eE]+)\s*<", re.S)
_GML_POSLIST = re.compile(r"posList[^>]*>\s*([-\d.eE\s]+)<", re.S)
_WKT_CRS = re.compile(r"^\s*<[^>]*>\s*")
_BBOX_NUMBERS = re.compile(r"^\s*([-\d.]+)\s*[, ]\s*([-\d.]+)\s*[, ]\s*([-\d.]+)\s*[, ]\s*([-\d.]+)\s*$")


def _bbox_polygon(x1: float, y1: float, x2: float, y2: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}


def parse_geometry(value: Any) -> dict | None:
    """GeoJSON geometry dict from a WKT, GeoJSON, GML (envelope or polygon) or "x1,y1,x2,y2" literal."""
    text = str(value).strip()
    if not text or len(text) > MAX_GEOMETRY:
        return None
    datatype = str(getattr(value, "datatype", "") or "")
    geom: dict | None = None
    try:
        if text.startswith("{") or datatype in GEOJSON_DATATYPES:
            data = json.loads(text)
            if isinstance(data, dict) and data.get("type") == "Feature":
                data = data.get("geometry")
            if isinstance(data, dict) and data.get("type") and "coordinates" in data:
                geom = {"type": data["type"], "coordinates": data["coordinates"]}
        elif text.startswith("<") and ("gml" in text[:200].lower() or "Envelope" in text or "Polygon" in text):
            m = _GML_CORNERS.search(text)
            if m:
                a, b, c, d = (float(x) for x in m.groups())
                geom = _bbox_polygon(a, b, c, d)
            else:
                m = _GML_POSLIST.search(text)
                if m:
                    nums = [float(x) for x in m.group(1).split()]
                    ring = [[nums[i], nums[i + 1]] for i in range(0, len(nums) - 1, 2)]
                    if len(ring) >= 4:
                        geom = {"type": "Polygon", "coordinates": [ring]}
        else:
            m = _BBOX_NUMBERS.match(text)
            if m:
                a, b, c, d = (float(x) for x in m.groups())
                geom = _bbox_polygon(a, b, c, d)
            else:
                from geomet import wkt

                geom = wkt.loads(_WKT_CRS.sub("", text))
                if isinstance(geom, dict):
                    geom = {"type": geom["type"], "coordinates": geom["coordinates"]}
    except Exception:  # any malformed literal: no geometry
        return None
    if not isinstance(geom, dict) or geom.get("type") not in (
            "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"):
        return None
    if not list(_iter_coords(geom.get("coordinates"))):
        return None
    return _swap_if_lat_lon(geom)


# ----------------------------------------------------------------------------------------------------------
# the parser of one dataset
# ----------------------------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, g: Any, ref_: Any):
        self.g = g
        self.ref = ref_

    # graph helpers ----------------------------------------------------------------------------------------
    def objects(self, s: Any, *preds: Any) -> list[Any]:
        out: list[Any] = []
        for p in preds:
            out.extend(self.g.objects(s, p))
        return out

    def text(self, s: Any, *preds: Any) -> str | None:
        """Best literal of the predicates (in order of preference); a node's label when not a literal."""
        for p in preds:
            objs = list(self.g.objects(s, p))
            value = _best(objs)
            if value:
                return value
            for o in objs:
                if not isinstance(o, Literal):
                    label = self.label(o)
                    if label:
                        return label
        return None

    def label(self, node: Any) -> str | None:
        return _best(self.objects(node, SKOS.prefLabel, RDFS.label, DCT.title, FOAF.name, VCARD.fn,
                                  SKOS.altLabel, DC.title))

    def values(self, node: Any) -> list[str]:
        """Every textual handle of a node: its URI, labels, identifiers, rdf:value (for vocabulary lookups)."""
        out: list[str] = []
        if isinstance(node, Literal):
            return [str(node)]
        if isinstance(node, URIRef):
            out.append(str(node))
        for p in (DCT.identifier, SKOS.notation, RDF.value, SKOS.prefLabel, RDFS.label, DCT.title,
                  SKOS.altLabel, DC.title, OWL.sameAs, SKOS.exactMatch, FOAF.page, DCT.source):
            for o in self.g.objects(node, p):
                out.append(str(o))
        return out

    def uris_or_literals(self, s: Any, *preds: Any) -> list[str]:
        return [str(o) for o in self.objects(s, *preds) if isinstance(o, (URIRef, Literal)) and str(o).strip()]

    # dataset ----------------------------------------------------------------------------------------------
    def dataset(self) -> dict[str, Any]:
        d = self.ref
        out: dict[str, Any] = {}
        extras: dict[str, Any] = {}

        title = _clean_text(self.text(d, DCT.title, DC.title, RDFS.label), 1000)
        notes = self.text(d, DCT.description, DCT.abstract, DC.description, RDFS.comment)
        notes = _clean_text(html_to_text(notes)) if notes else None
        out["title"] = title
        out["notes"] = notes or title

        out["tags"] = [{"name": t} for t in self.tags()]
        out["theme"] = self.themes()
        lic_id, lic_url, lic_raw, lic_how = self.licence()
        out["license_id"] = lic_id
        out["license_other_url"] = lic_url
        if lic_id is None and lic_raw:
            extras["harvested_license"] = lic_raw
        if lic_id and lic_how:
            extras["license_inferred"] = lic_how
        freq, freq_raw = self.frequency()
        out["frequency"] = freq
        if freq is None and freq_raw:
            extras["harvested_frequency"] = freq_raw
        start, end = self.temporal()
        out["temporal_start"], out["temporal_end"] = _iso(start), _iso(end)
        territories, geometry = self.spatial()
        out["territories"] = territories
        if geometry:
            extras["spatial"] = json.dumps(geometry, separators=(",", ":"))
        if self.zone_uris:
            extras["spatial_uri"] = json.dumps(self.zone_uris)
        out.update(self.contact())
        for key, value in self.people().items():
            if not out.get(key):
                out[key] = value
        out["language"] = self.languages(d)
        prov = self.text(d, DCT.provenance)
        out["provenance"] = _clean_text(prov, 10_000)
        access = [match_access_rights(v) for o in self.objects(d, DCT.accessRights) for v in self.values(o)]
        out["access_rights"] = next((a for a in access if a), None)
        out["version"] = _clean_text(self.text(d, DCAT.version, OWL.versionInfo, ADMS.version), 100)
        out["documentation"] = next((u for u in self.uris_or_literals(d, FOAF.page, DCAT.qualifiedRelation)
                                     if _is_http(u)), None)
        landing = [u for u in self.uris_or_literals(d, DCAT.landingPage) if _is_http(u)]
        out["url"] = landing[0] if landing else None
        out["resources"] = self.distributions()

        if isinstance(d, URIRef):
            extras["uri"] = str(d)
        ident = _best(self.objects(d, DCT.identifier)) or next(
            (str(o) for o in self.objects(d, DCT.identifier) if isinstance(o, URIRef)), None)
        if ident:
            extras["identifier"] = ident
        for key, pred in (("issued", DCT.issued), ("modified", DCT.modified)):
            value = _best(self.objects(d, pred))
            if value:
                extras[key] = value
        extras.update(self.publisher())
        out["_extras"] = extras
        return out

    def tags(self) -> list[str]:
        seen: dict[str, str] = {}
        lits = [o for o in self.objects(self.ref, DCAT.keyword, DC.subject) if isinstance(o, Literal)]
        # several languages for one keyword: keep French and untagged ones when there are some
        if any(_lang_rank(lit) <= 1 for lit in lits):
            lits = [lit for lit in lits if _lang_rank(lit) <= 1]
        for lit in lits:
            for raw in re.split(r"[,;]", str(lit)):
                tag = re.sub(r"[^\w \-.]", " ", raw, flags=re.UNICODE)
                tag = " ".join(tag.split()).strip(" .-")[:100]
                if len(tag) < 3:
                    continue
                seen.setdefault(tag.casefold(), tag)
        return sorted(seen.values(), key=str.casefold)[:MAX_TAGS]

    def themes(self) -> list[str]:
        found: set[str] = set()
        for o in self.objects(self.ref, DCAT.theme):
            for v in self.values(o):
                t = match_theme(v)
                if t:
                    found.add(t)
                    break
        return sorted(found)

    def licence(self) -> tuple[str | None, str | None, str | None, str | None]:
        """``(license_id, license_other_url, raw text, how)``: the dataset's ``dct:license``, else its
        ``dct:rights`` statement (a licence it names), else the licence every distribution states
        (``dct:license`` or ``dct:rights``), else INSPIRE « no conditions apply » (rights or access rights).
        INSPIRE access-limitation codes are never taken for a licence. ``how`` says where it came from when it
        was not the dataset's own licence (``rights``, ``distributions``, ``inspire``)."""
        raw: str | None = None
        no_conditions = False

        def pick(nodes: list[Any]) -> tuple[str | None, str | None]:
            nonlocal raw, no_conditions
            other: tuple[str, str] | None = None
            for node in nodes:
                values = [v for v in self.values(node) if not is_inspire_limitation(v)]
                if any(is_inspire_no_conditions(v) for v in values):
                    no_conditions = True
                    values = [v for v in values if not is_inspire_no_conditions(v)
                              and INSPIRE_CONDITIONS not in v.lower()]
                if not values:
                    continue
                raw = raw or values[0]
                lid, url = match_licence(values)
                if lid is None or lid == voc.OTHER_LICENCE:
                    named = next((licence_in_text(v) for v in values if not _is_http(v) and licence_in_text(v)),
                                 None)
                    if named:
                        lid, url = named, None
                if lid and lid != voc.OTHER_LICENCE:
                    return lid, None
                if lid and url and other is None:
                    other = (lid, url)
            return other if other else (None, None)

        lid, url = pick(self.objects(self.ref, DCT.license, CC.license))
        if lid:
            return lid, url, None, None
        lid, url = pick(self.objects(self.ref, DCT.rights))
        if lid:
            return lid, url, None, "rights"
        dists = [d for d in self.objects(self.ref, DCAT.distribution) if not isinstance(d, Literal)]
        if dists:
            found = []
            for dist in dists:
                found.append(pick(self.objects(dist, DCT.license, CC.license))
                             if self.objects(dist, DCT.license, CC.license) else pick(self.objects(dist, DCT.rights)))
            if found[0][0] and all(f == found[0] for f in found):
                return found[0][0], found[0][1], None, "distributions"
        for node in self.objects(self.ref, DCT.accessRights):
            if any(is_inspire_no_conditions(v) for v in self.values(node)):
                no_conditions = True
        if no_conditions and voc.licence(INSPIRE_NO_CONDITIONS_LICENCE) is not None:
            return INSPIRE_NO_CONDITIONS_LICENCE, None, None, "inspire"
        return None, None, raw, None

    def frequency(self) -> tuple[str | None, str | None]:
        raw = None
        for o in self.objects(self.ref, DCT.accrualPeriodicity):
            for v in self.values(o):
                raw = raw or v
                f = match_frequency(v)
                if f:
                    return f, None
        return None, raw

    def temporal(self) -> tuple[dt.date | None, dt.date | None]:
        starts: list[dt.date] = []
        ends: list[dt.date] = []
        for node in self.objects(self.ref, DCT.temporal):
            s = e = None
            if isinstance(node, Literal):
                s, e = parse_interval(str(node))
            else:
                sv = self.text(node, DCAT.startDate, SCHEMA.startDate, SCHEMA_S.startDate)
                ev = self.text(node, DCAT.endDate, SCHEMA.endDate, SCHEMA_S.endDate)
                if not sv:
                    for b in self.objects(node, TIME.hasBeginning):
                        sv = self.text(b, TIME.inXSDDate, TIME.inXSDDateTime, TIME.inXSDDateTimeStamp,
                                       TIME.inXSDgYear, TIME.inXSDgYearMonth)
                if not ev:
                    for b in self.objects(node, TIME.hasEnd):
                        ev = self.text(b, TIME.inXSDDate, TIME.inXSDDateTime, TIME.inXSDDateTimeStamp,
                                       TIME.inXSDgYear, TIME.inXSDgYearMonth)
                if sv:
                    sb = _date_bounds(sv[:10]) if _DATE.match(sv) else _date_bounds(sv)
                    s = sb[0] if sb else None
                if ev:
                    eb = _date_bounds(ev[:10]) if _DATE.match(ev) else _date_bounds(ev)
                    e = eb[1] if eb else None
                if not sv and not ev:
                    lit = _best(self.objects(node, RDF.value, RDFS.label, DCT.title))
                    if lit:
                        s, e = parse_interval(lit)
            s, e = _date_ok(s), _date_ok(e)
            if s:
                starts.append(s)
            if e:
                ends.append(e)
        start = min(starts) if starts else None
        end = max(ends) if ends else None
        if start and end and start > end:
            end = None
        return start, end

    def spatial(self) -> tuple[list[str], dict | None]:
        keys: list[str] = []
        geometry: dict | None = None
        self.zone_uris: list[str] = []  # zones outside the referential (another region, a GeoNames place)
        for node in self.objects(self.ref, DCT.spatial):
            key = None
            if isinstance(node, Literal):
                text = str(node)
                key = territory_from_identifier(text) or territory_from_name(text)
                if key is None:
                    geometry = geometry or parse_geometry(node)
            else:
                for v in self.values(node):
                    key = territory_from_identifier(v)
                    if key:
                        break
                if key is None:
                    for v in self.objects(node, SKOS.prefLabel, RDFS.label, LOCN.geographicName, DCT.title,
                                          SKOS.altLabel):
                        key = territory_from_name(str(v))
                        if key:
                            break
                for p in (LOCN.geometry, DCAT.bbox, DCAT.centroid):
                    if geometry is not None and p != LOCN.geometry:
                        break
                    for lit in self.objects(node, p):
                        if not isinstance(lit, Literal):  # a locn:Geometry node (gsp:asWKT / asGeoJSON)
                            lit = next(iter(self.objects(lit, GSP.asWKT, GSP.asGeoJSON, LOCN.geometry)), None)
                            if not isinstance(lit, Literal):
                                continue
                        geom = parse_geometry(lit)
                        if geom and (geometry is None or (geometry["type"] == "Point" and geom["type"] != "Point")):
                            geometry = geom
            if key and key not in keys:
                keys.append(key)
            elif key is None and isinstance(node, URIRef) and _is_http(str(node)) \
                    and str(node) not in self.zone_uris and len(self.zone_uris) < 20:
                self.zone_uris.append(str(node)[:500])
        return sorted(keys), geometry

    def _vcard(self, node: Any) -> tuple[str | None, str | None, str | None]:
        name = self.text(node, VCARD.fn, VCARD["organization-name"], VCARD["given-name"], FOAF.name, RDFS.label)
        emails = [_email(str(o)) for o in self.objects(node, VCARD.hasEmail, VCARD.email, FOAF.mbox)]
        email = next((e for e in emails if e), None)
        urls = [str(o) for o in self.objects(node, VCARD.hasURL, VCARD.url, FOAF.homepage)]
        url = next((u for u in urls if _is_http(u)), None)
        return _clean_text(name, 500), email, url

    def contact(self) -> dict[str, Any]:
        """The contact point -> ``contact_*``. With several, a person (``vcard:Individual`` only) next to an
        organization's or a service's contact is the maintainer (as the Grand Est export writes it)."""
        nodes = [n for n in self.objects(self.ref, DCAT.contactPoint, ADMS.contactPoint)]
        out: dict[str, Any] = {}
        for node in nodes:
            if isinstance(node, Literal):
                email = _email(str(node))
                if email and not out:
                    out = {"contact_email": email}
        cards = []
        for node in nodes:
            if isinstance(node, Literal):
                continue
            name, email, url = self._vcard(node)
            if name or email or url:
                types = set(self.g.objects(node, RDF.type))
                person = VCARD.Individual in types and VCARD.Organization not in types
                cards.append((person, str(node) if isinstance(node, URIRef) else "", name, email, url))
        if not cards:
            return out
        cards.sort(key=lambda c: (c[0], c[4] is None and c[3] is None, c[1], c[2] or "", c[3] or ""))
        _, _, name, email, url = cards[0]
        out = {"contact_name": name, "contact_email": email, "contact_url": url}
        people = [c for c in cards[1:] if c[0] and c[3]]
        if people:
            out["maintainer"] = people[0][2]
            out["maintainer_email"] = people[0][3]
        return out

    def people(self) -> dict[str, Any]:
        """CKAN's author (``dct:creator``) and maintainer (GeoDCAT-AP ``prov:qualifiedAttribution`` with the
        role custodian / point of contact / maintainer), when given as agents."""
        out: dict[str, Any] = {}
        for node in self.objects(self.ref, DCT.creator):
            if isinstance(node, Literal):
                continue
            name = self.text(node, FOAF.name, VCARD.fn, RDFS.label)
            email = next((e for e in (_email(str(o)) for o in self.objects(node, FOAF.mbox, VCARD.hasEmail))
                          if e), None)
            if name:
                out["author"] = _clean_text(name, 500)
            if email:
                out["author_email"] = email
            break
        for qa in self.objects(self.ref, PROV.qualifiedAttribution):
            role = " ".join(self.values(next(iter(self.objects(qa, DCAT.hadRole)), BNode()))).lower()
            agent = next(iter(self.objects(qa, PROV.agent)), None)
            if agent is None or not any(r in role for r in ("maintainer", "custodian", "pointofcontact")):
                continue
            name = self.text(agent, FOAF.name, VCARD.fn)
            email = next((e for e in (_email(str(o)) for o in self.objects(agent, FOAF.mbox, VCARD.hasEmail))
                          if e), None)
            if name:
                out.setdefault("maintainer", _clean_text(name, 500))
            if email:
                out.setdefault("maintainer_email", email)
        return out

    def publisher(self) -> dict[str, Any]:
        for node in self.objects(self.ref, DCT.publisher):
            if isinstance(node, Literal):
                return {"publisher_name": str(node)}
            out = {
                "publisher_name": self.text(node, FOAF.name, VCARD.fn, SKOS.prefLabel, RDFS.label),
                "publisher_uri": str(node) if isinstance(node, URIRef) else None,
                "publisher_email": next((e for e in (_email(str(o)) for o in self.objects(
                    node, FOAF.mbox, VCARD.hasEmail)) if e), None),
                "publisher_url": next((str(o) for o in self.objects(node, FOAF.homepage, VCARD.hasURL)
                                       if _is_http(str(o))), None),
            }
            return {k: v for k, v in out.items() if v}
        return {}

    def languages(self, s: Any) -> list[str]:
        found: list[str] = []
        for o in self.objects(s, DCT.language, DC.language):
            for v in self.values(o):
                lang = match_language(v)
                if lang:
                    if lang not in found:
                        found.append(lang)
                    break
        return sorted(found)

    # distributions ----------------------------------------------------------------------------------------
    _OGC = (("wms", "WMS_SRVC"), ("wfs", "WFS_SRVC"), ("wmts", "WMTS_SRVC"))

    def service_format(self, dist: Any, url: str) -> str | None:
        """WMS / WFS / WMTS for a distribution served by an OGC service: ``dcat:accessService`` whose
        ``dct:conformsTo`` (or endpoint) names the standard, the distribution's own ``dct:conformsTo``, or an
        access URL with ``service=WMS``."""
        texts: list[str] = []
        for svc in self.objects(dist, DCAT.accessService):
            for o in self.objects(svc, DCT.conformsTo, DCT.type):
                texts.extend(self.values(o))
            texts.extend(self.uris_or_literals(svc, DCAT.endpointURL, DCAT.endpointDescription))
        for o in self.objects(dist, DCT.conformsTo):
            texts.extend(self.values(o))
        texts.append(url)
        for text in texts:
            low = text.lower()
            m = re.search(r"service=(wmts|wms|wfs)\b", low)
            if m:
                return dict(self._OGC)[m.group(1)]
            for key, code in sorted(self._OGC, key=lambda kc: -len(kc[0])):
                if re.search(rf"(ogc|opengis)[^ ]*[/:#_ -]{key}\b|\bogc:{key}\b|\b{key}[ -]?1\.\d", low) \
                        or low in (key, f"ogc:{key}", f"ogc {key}"):
                    return code
        return None

    def external_schema(self, nodes: list[Any]) -> dict[str, str] | None:
        """A data schema the distribution conforms to that is not in the national catalogue (a URL naming a
        schema: ``.../schema.json``, ``.xsd``...): kept as ``harvested_schema_url`` / ``_name`` / ``_version``."""
        for node in nodes:
            urls = [v for v in ([str(node)] if isinstance(node, URIRef) else []) + self.values(node) if _is_http(v)]
            for u in urls:
                low = u.lower().split("?", 1)[0]
                if "opengis" in low or "inspire.ec.europa.eu" in low or "eur-lex" in low:
                    continue
                if "schema" in low or low.endswith((".json", ".yaml", ".yml", ".xsd")):
                    out = {"harvested_schema_url": u[:500]}
                    name = self.label(node) if not isinstance(node, Literal) else None
                    if name:
                        out["harvested_schema_name"] = _clean_text(name, 200) or ""
                    version = next((str(v).strip() for v in self.objects(node, OWL.versionInfo, DCAT.version,
                                                                          ADMS.version) if str(v).strip()), None)
                    if version:
                        out["harvested_schema_version"] = version[:50]
                    return out
        return None

    def distributions(self) -> list[dict[str, Any]]:
        out = []
        for dist in self.objects(self.ref, DCAT.distribution)[:MAX_RESOURCES]:
            if isinstance(dist, Literal):
                continue
            res = self.distribution(dist)
            if res:
                out.append(res)
        out.sort(key=lambda r: (r.get("url") or "", r.get("uri") or "", r.get("name") or ""))
        return out

    def distribution(self, dist: Any) -> dict[str, Any] | None:
        downloads = [u for u in self.uris_or_literals(dist, DCAT.downloadURL) if _is_http(u)]
        accesses = [u for u in self.uris_or_literals(dist, DCAT.accessURL) if _is_http(u)]
        url = (downloads or accesses or [None])[0]
        if not url:
            return None
        res: dict[str, Any] = {"url": url}
        if downloads:
            res["download_url"] = downloads[0]
        if accesses:
            res["access_url"] = accesses[0]
        name = self.text(dist, DCT.title, DC.title, RDFS.label)
        if not name:
            name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or url
        res["name"] = _clean_text(name, 1000)
        desc = self.text(dist, DCT.description, RDFS.comment)
        if desc:
            res["description"] = _clean_text(html_to_text(desc))

        fmt = None
        raw_format = None
        for o in self.objects(dist, DCT["format"], DC["format"]):
            for v in self.values(o):
                raw_format = raw_format or v
                fmt = match_format(v)
                if fmt:
                    break
            if fmt:
                break
        media_types = [v for o in self.objects(dist, DCAT.mediaType) for v in self.values(o)]
        if fmt is None:
            for v in media_types:
                fmt = match_format(v)
                if fmt:
                    break
        if fmt is None:
            fmt = self.service_format(dist, url)
        if fmt is None:
            fmt = voc.guess_format(downloads[0] if downloads else url)
        if fmt:
            res["format"] = fmt
        elif raw_format:
            res["harvested_format"] = raw_format[:100]
        media = next((m for m in (media_type_of(v) for v in media_types) if m), None)
        if media:
            res["mimetype"] = media

        size = _best(self.objects(dist, DCAT.byteSize))
        if size:
            try:
                value = int(float(size))
                if value >= 0:
                    res["size"] = value
            except (ValueError, OverflowError):
                pass

        conforms_nodes = self.objects(dist, DCT.conformsTo)
        if not conforms_nodes:
            # a declared schema exported without a conformity claim (grandest_dcat_ap: quality annotation)
            conforms_nodes = [ref for ann in self.objects(dist, DQV.hasQualityAnnotation)
                              for ref in self.objects(ann, DCT.references)]
        conforms = [v for o in conforms_nodes for v in self.values(o)]
        schema_id, schema_version = match_table_schema(conforms)
        if schema_id and not schema_version:
            schema_version = next((str(v).strip().lstrip("v") for o in conforms_nodes
                                   for v in self.objects(o, OWL.versionInfo, DCAT.version, ADMS.version)
                                   if str(v).strip()), None)
        if schema_id and schema_version:
            from ckanext.grandest.metadata import table_schemas

            ts = table_schemas.find(schema_id)
            if ts is not None and ts.versions and schema_version not in ts.versions:
                # a version the catalogue does not know: kept and flagged; the latest one is used
                res["harvested_schema_version"] = schema_version[:50]
                schema_version = None
        if not schema_id:
            external = self.external_schema(conforms_nodes)
            if external:
                res.update(external)
        if schema_id:
            res["schema"] = schema_id
            if schema_version:
                res["schema_version"] = schema_version
        langs = self.languages(dist)
        if langs:
            res["language"] = langs[0]
        lic = [v for o in self.objects(dist, DCT.license) for v in self.values(o)]
        if lic:
            res["license"] = lic[0]
        for cs in self.objects(dist, SPDX.checksum):
            value = _best(self.objects(cs, SPDX.checksumValue))
            algo = " ".join(self.values(next(iter(self.objects(cs, SPDX.algorithm)), BNode()))).lower()
            if value and re.fullmatch(r"[0-9a-fA-F]{16,128}", value):
                res["hash"] = value.lower()
                for name_ in ("sha512", "sha256", "sha1", "md5"):
                    if name_ in algo:
                        res["hash_algorithm"] = name_
                        break
            break
        for key, pred in (("issued", DCT.issued), ("modified", DCT.modified)):
            value = _best(self.objects(dist, pred))
            if value and _DATE.match(value):
                res[key] = value[:32]
        if isinstance(dist, URIRef):
            res["uri"] = str(dist)
        return res
