"""Controlled vocabularies of the Grand Est metadata schema, with French and English labels.

Pure Python (no CKAN import): the DCAT profile, the validation engine and the demo scripts import it too.

Stored values (see docs/metadata-fields.md):

* data themes, frequencies, languages, access rights: the full EU authority URI
  (``http://publications.europa.eu/resource/authority/data-theme/ENVI``);
* resource formats: the EU file-type *code* (``CSV``, ``GEOJSON``...);
* licences: the CKAN licence id of ``schemas/licenses.json`` (``lov2``, ``odc-odbl``...).

>>> theme_label(THEME_BASE + "ENVI")
'Environnement'
>>> normalize(THEMES, "envi") == THEME_BASE + "ENVI"
True
>>> normalize_format("geojson"), normalize_format("text/csv"), normalize_format("Shapefile")
('GEOJSON', 'CSV', 'SHP')

Sources: the EU Vocabularies authority tables (Publications Office, data-theme, frequency, file-type,
language, access-right); licence URLs as data.gouv.fr's licence list publishes them, so that its DCAT
harvester recognises each licence (udata ``License.guess``: id, title, URL or alternate URL).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
THEME_BASE = EU_AUTHORITY + "data-theme/"
FREQUENCY_BASE = EU_AUTHORITY + "frequency/"
FILE_TYPE_BASE = EU_AUTHORITY + "file-type/"
LANGUAGE_BASE = EU_AUTHORITY + "language/"
ACCESS_RIGHT_BASE = EU_AUTHORITY + "access-right/"
LICENCE_BASE = EU_AUTHORITY + "licence/"

LANGS = ("fr", "en")


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary: ``value`` is what is stored, ``code`` the last part of the URI."""

    value: str
    code: str
    fr: str
    en: str
    extra: Mapping[str, object] = field(default_factory=dict)

    def label(self, lang: str | None = "fr") -> str:
        return self.en if (lang or "fr").split("_")[0].lower() == "en" else self.fr

    @property
    def labels(self) -> dict[str, str]:
        """``{"fr": ..., "en": ...}``, the shape of ckanext-scheming's multilingual labels."""
        return {"fr": self.fr, "en": self.en}


class Vocabulary:
    """An ordered vocabulary; lookups by stored value, by code (any case) or by URI variant."""

    def __init__(self, name: str, base: str | None, terms: Iterable[Term]):
        self.name = name
        self.base = base
        self.terms: tuple[Term, ...] = tuple(terms)
        self._by_value = {t.value: t for t in self.terms}
        self._by_key: dict[str, Term] = {}
        for t in self.terms:
            for key in (t.value, t.code):
                self._by_key[key.casefold()] = t
            if base:
                for variant in (base, base.replace("http://", "https://")):
                    self._by_key[(variant + t.code).casefold()] = t

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self._by_value

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.terms)

    def get(self, value: object) -> Term | None:
        """The term stored as ``value`` (exact), or None."""
        return self._by_value.get(value) if isinstance(value, str) else None

    def find(self, text: object) -> Term | None:
        """The term matching ``text`` leniently: stored value, code or URI (http/https, any case)."""
        if not isinstance(text, str):
            return None
        key = text.strip().rstrip("/").casefold()
        return self._by_key.get(key)

    def label(self, value: object, lang: str | None = "fr") -> str:
        """Label of a stored value (or of any form :meth:`find` understands); the value itself if unknown."""
        term = self.get(value) or self.find(value)
        if term is not None:
            return term.label(lang)
        return "" if value is None else str(value)

    def choices(self) -> list[dict[str, object]]:
        """``[{"value": ..., "label": {"fr": ..., "en": ...}}]`` for ckanext-scheming."""
        return [{"value": t.value, "label": t.labels} for t in self.terms]


def _uri_terms(base: str, rows: Iterable[tuple]) -> list[Term]:
    out = []
    for row in rows:
        code, fr, en, *rest = row
        out.append(Term(base + code, code, fr, en, rest[0] if rest else {}))
    return out


# --- EU data themes (13 DCAT-AP themes) -------------------------------------------------------------------
THEMES = Vocabulary("theme", THEME_BASE, _uri_terms(THEME_BASE, [
    ("AGRI", "Agriculture, pêche, sylviculture et alimentation", "Agriculture, fisheries, forestry and food"),
    ("ECON", "Économie et finances", "Economy and finance"),
    ("EDUC", "Éducation, culture et sport", "Education, culture and sport"),
    ("ENER", "Énergie", "Energy"),
    ("ENVI", "Environnement", "Environment"),
    ("GOVE", "Gouvernement et secteur public", "Government and public sector"),
    ("HEAL", "Santé", "Health"),
    ("INTR", "Questions internationales", "International issues"),
    ("JUST", "Justice, système juridique et sécurité publique", "Justice, legal system and public safety"),
    ("REGI", "Régions et villes", "Regions and cities"),
    ("SOCI", "Population et société", "Population and society"),
    ("TECH", "Science et technologie", "Science and technology"),
    ("TRAN", "Transports", "Transport"),
]))

# --- EU frequencies ---------------------------------------------------------------------------------------
# ``days``: the longest expected interval between two updates (None: no expectation), for freshness checks.
FREQUENCIES = Vocabulary("frequency", FREQUENCY_BASE, _uri_terms(FREQUENCY_BASE, [
    ("CONT", "En continu", "Continuous", {"days": 1}),
    ("UPDATE_CONT", "Mise à jour en continu", "Continuously updated", {"days": 1}),
    ("HOURLY", "Toutes les heures", "Hourly", {"days": 1}),
    ("DAILY_2", "Deux fois par jour", "Twice a day", {"days": 1}),
    ("DAILY", "Tous les jours", "Daily", {"days": 1}),
    ("WEEKLY_3", "Trois fois par semaine", "Three times a week", {"days": 3}),
    ("WEEKLY_2", "Deux fois par semaine", "Semiweekly", {"days": 4}),
    ("WEEKLY", "Toutes les semaines", "Weekly", {"days": 7}),
    ("BIWEEKLY", "Toutes les deux semaines", "Biweekly", {"days": 14}),
    ("MONTHLY_3", "Trois fois par mois", "Three times a month", {"days": 11}),
    ("MONTHLY_2", "Deux fois par mois", "Semimonthly", {"days": 16}),
    ("MONTHLY", "Tous les mois", "Monthly", {"days": 31}),
    ("BIMONTHLY", "Tous les deux mois", "Bimonthly", {"days": 62}),
    ("QUARTERLY", "Tous les trois mois", "Quarterly", {"days": 92}),
    ("ANNUAL_3", "Trois fois par an", "Three times a year", {"days": 122}),
    ("ANNUAL_2", "Tous les six mois", "Semiannual", {"days": 183}),
    ("ANNUAL", "Tous les ans", "Annual", {"days": 366}),
    ("BIENNIAL", "Tous les deux ans", "Biennial", {"days": 731}),
    ("TRIENNIAL", "Tous les trois ans", "Triennial", {"days": 1096}),
    ("QUINQUENNIAL", "Tous les cinq ans", "Quinquennial", {"days": 1827}),
    ("IRREG", "Irrégulière", "Irregular", {"days": None}),
    ("NEVER", "Jamais (données figées)", "Never", {"days": None}),
    ("UNKNOWN", "Inconnue", "Unknown", {"days": None}),
]))

# --- EU languages -----------------------------------------------------------------------------------------
LANGUAGES = Vocabulary("language", LANGUAGE_BASE, _uri_terms(LANGUAGE_BASE, [
    ("FRA", "Français", "French", {"iso639_1": "fr"}),
    ("ENG", "Anglais", "English", {"iso639_1": "en"}),
    ("DEU", "Allemand", "German", {"iso639_1": "de"}),
    ("LTZ", "Luxembourgeois", "Luxembourgish", {"iso639_1": "lb"}),
    ("ITA", "Italien", "Italian", {"iso639_1": "it"}),
    ("SPA", "Espagnol", "Spanish", {"iso639_1": "es"}),
    ("NLD", "Néerlandais", "Dutch", {"iso639_1": "nl"}),
    ("POR", "Portugais", "Portuguese", {"iso639_1": "pt"}),
]))
DEFAULT_LANGUAGE = LANGUAGE_BASE + "FRA"

# --- EU access rights -------------------------------------------------------------------------------------
ACCESS_RIGHTS = Vocabulary("access_rights", ACCESS_RIGHT_BASE, _uri_terms(ACCESS_RIGHT_BASE, [
    ("PUBLIC", "Public : accès libre pour tous", "Public"),
    ("RESTRICTED", "Restreint : accès sous conditions", "Restricted"),
    ("NON_PUBLIC", "Non public", "Non-public"),
]))
DEFAULT_ACCESS_RIGHTS = ACCESS_RIGHT_BASE + "PUBLIC"

# --- EU file types (resource formats; the stored value is the code) ---------------------------------------
# extra: media_type (IANA), extensions, open (data.gouv.fr's "open format" criterion: not pdf, doc, docx,
# xls, xlsx), aliases (other spellings accepted on input, lower case).
_FILE_TYPES = [
    ("CSV", "CSV", "CSV", {"media_type": "text/csv", "extensions": ("csv",), "open": True,
                           "aliases": ("text/csv", "comma separated values")}),
    ("JSON", "JSON", "JSON", {"media_type": "application/json", "extensions": ("json",), "open": True,
                              "aliases": ("application/json",)}),
    ("GEOJSON", "GeoJSON", "GeoJSON", {"media_type": "application/geo+json", "extensions": ("geojson",),
                                       "open": True, "aliases": ("application/geo+json", "geo+json")}),
    ("XLSX", "Excel (XLSX)", "Excel (XLSX)", {
        "media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "extensions": ("xlsx",), "open": False, "aliases": ("excel", "ms excel", "excel xlsx",
                                                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}),
    ("XLS", "Excel 97-2003 (XLS)", "Excel 97-2003 (XLS)", {
        "media_type": "application/vnd.ms-excel", "extensions": ("xls",), "open": False,
        "aliases": ("application/vnd.ms-excel", "excel xls")}),
    ("ODS", "Tableur OpenDocument (ODS)", "OpenDocument spreadsheet (ODS)", {
        "media_type": "application/vnd.oasis.opendocument.spreadsheet", "extensions": ("ods",), "open": True,
        "aliases": ("application/vnd.oasis.opendocument.spreadsheet",)}),
    ("TSV", "TSV (valeurs séparées par des tabulations)", "TSV", {
        "media_type": "text/tab-separated-values", "extensions": ("tsv", "tab"), "open": True,
        "aliases": ("text/tab-separated-values",)}),
    ("PARQUET", "Parquet", "Parquet", {"media_type": "application/vnd.apache.parquet",
                                       "extensions": ("parquet",), "open": True}),
    ("XML", "XML", "XML", {"media_type": "application/xml", "extensions": ("xml",), "open": True,
                           "aliases": ("application/xml", "text/xml")}),
    ("RDF_XML", "RDF/XML", "RDF/XML", {"media_type": "application/rdf+xml", "extensions": ("rdf",),
                                       "open": True, "aliases": ("rdf", "rdf/xml", "application/rdf+xml")}),
    ("RDF_TURTLE", "RDF Turtle", "RDF Turtle", {"media_type": "text/turtle", "extensions": ("ttl",),
                                                "open": True, "aliases": ("turtle", "ttl", "text/turtle")}),
    ("JSON_LD", "JSON-LD", "JSON-LD", {"media_type": "application/ld+json", "extensions": ("jsonld",),
                                       "open": True, "aliases": ("json-ld", "jsonld", "application/ld+json")}),
    ("SHP", "Shapefile (SHP)", "Shapefile (SHP)", {"media_type": None, "extensions": ("shp",), "open": True,
                                                   "aliases": ("shapefile", "esri shapefile", "shape")}),
    ("GPKG", "GeoPackage", "GeoPackage", {"media_type": "application/geopackage+sqlite3",
                                          "extensions": ("gpkg",), "open": True, "aliases": ("geopackage",)}),
    ("KML", "KML", "KML", {"media_type": "application/vnd.google-earth.kml+xml", "extensions": ("kml",),
                           "open": True, "aliases": ("application/vnd.google-earth.kml+xml",)}),
    ("KMZ", "KMZ", "KMZ", {"media_type": "application/vnd.google-earth.kmz", "extensions": ("kmz",),
                           "open": True}),
    ("GML", "GML", "GML", {"media_type": "application/gml+xml", "extensions": ("gml",), "open": True}),
    ("GEOTIFF", "GeoTIFF", "GeoTIFF", {"media_type": "image/tiff", "extensions": (), "open": True}),
    ("GTFS", "GTFS (horaires de transport)", "GTFS", {"media_type": "application/zip", "extensions": (),
                                                      "open": True}),
    ("WMS_SRVC", "Service WMS (carte)", "WMS service", {"media_type": None, "extensions": (), "open": True,
                                                        "aliases": ("wms",)}),
    ("WFS_SRVC", "Service WFS (objets géographiques)", "WFS service", {
        "media_type": None, "extensions": (), "open": True, "aliases": ("wfs",)}),
    ("WMTS_SRVC", "Service WMTS (tuiles)", "WMTS service", {"media_type": None, "extensions": (),
                                                           "open": True, "aliases": ("wmts",)}),
    ("ZIP", "Archive ZIP", "ZIP archive", {"media_type": "application/zip", "extensions": ("zip",),
                                           "open": True, "aliases": ("application/zip",)}),
    ("TXT", "Texte brut (TXT)", "Plain text (TXT)", {"media_type": "text/plain", "extensions": ("txt",),
                                                     "open": True, "aliases": ("text", "text/plain")}),
    ("HTML", "Page web (HTML)", "Web page (HTML)", {"media_type": "text/html", "extensions": ("html", "htm"),
                                                    "open": True, "aliases": ("text/html", "web page")}),
    ("PDF", "PDF", "PDF", {"media_type": "application/pdf", "extensions": ("pdf",), "open": False,
                           "aliases": ("application/pdf",)}),
    ("ODT", "Texte OpenDocument (ODT)", "OpenDocument text (ODT)", {
        "media_type": "application/vnd.oasis.opendocument.text", "extensions": ("odt",), "open": True}),
    ("DOCX", "Word (DOCX)", "Word (DOCX)", {
        "media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "extensions": ("docx",), "open": False, "aliases": ("word",)}),
    ("DOC", "Word 97-2003 (DOC)", "Word 97-2003 (DOC)", {"media_type": "application/msword",
                                                        "extensions": ("doc",), "open": False}),
    ("PNG", "Image PNG", "PNG image", {"media_type": "image/png", "extensions": ("png",), "open": True}),
    ("JPEG", "Image JPEG", "JPEG image", {"media_type": "image/jpeg", "extensions": ("jpg", "jpeg"),
                                          "open": True, "aliases": ("jpg",)}),
    ("TIFF", "Image TIFF", "TIFF image", {"media_type": "image/tiff", "extensions": ("tif", "tiff"),
                                          "open": True, "aliases": ("tif",)}),
]
FILE_TYPES = Vocabulary("format", None, [Term(code, code, fr, en, extra) for code, fr, en, extra in _FILE_TYPES])

_FORMAT_KEYS: dict[str, str] = {}
for _t in FILE_TYPES:
    _FORMAT_KEYS[_t.code.casefold()] = _t.code
    _FORMAT_KEYS[(FILE_TYPE_BASE + _t.code).casefold()] = _t.code
    _FORMAT_KEYS[(FILE_TYPE_BASE.replace("http://", "https://") + _t.code).casefold()] = _t.code
    _FORMAT_KEYS[_t.fr.casefold()] = _t.code
    _FORMAT_KEYS[_t.en.casefold()] = _t.code
    for _a in _t.extra.get("aliases", ()):  # type: ignore[union-attr]
        _FORMAT_KEYS[str(_a).casefold()] = _t.code
    for _e in _t.extra.get("extensions", ()):  # type: ignore[union-attr]
        _FORMAT_KEYS.setdefault(str(_e).casefold(), _t.code)
        _FORMAT_KEYS.setdefault("." + str(_e).casefold(), _t.code)
_EXTENSIONS: dict[str, str] = {}
for _t in FILE_TYPES:
    for _e in _t.extra.get("extensions", ()):  # type: ignore[union-attr]
        _EXTENSIONS.setdefault(str(_e), _t.code)


def normalize_format(text: object) -> str | None:
    """EU file-type code for a format as people and tools write it ("geojson", "text/csv", "Shapefile",
    an EU file-type URI...); None if it is not in the vocabulary."""
    if not isinstance(text, str):
        return None
    key = " ".join(text.strip().split()).casefold()
    if not key:
        return None
    return _FORMAT_KEYS.get(key) or _FORMAT_KEYS.get(key.split(";")[0].strip())


def guess_format(url: object) -> str | None:
    """EU file-type code guessed from the extension of a URL or file name ("data.csv?x=1" -> "CSV")."""
    if not isinstance(url, str) or not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    name = path.rsplit("/", 1)[-1].lower()
    if "." not in name:
        return None
    return _EXTENSIONS.get(name.rsplit(".", 1)[-1])


def format_label(code: object, lang: str | None = "fr") -> str:
    return FILE_TYPES.label(code, lang)


def format_uri(code: object) -> str | None:
    """The EU file-type URI of a stored format code, or None."""
    term = FILE_TYPES.get(code) or FILE_TYPES.find(code)
    return FILE_TYPE_BASE + term.code if term else None


# --- Licences (CKAN licence ids; the list CKAN serves is schemas/licenses.json) ---------------------------
# url: the URL data.gouv.fr's licence list gives (what its harvester matches); eu_uri: the EU licence
# authority URI when there is one.
@dataclass(frozen=True)
class Licence:
    id: str
    fr: str
    en: str
    url: str | None
    datagouv_id: str | None
    eu_uri: str | None = None
    open: bool = True
    datagouv_title: str | None = None  #: the title data.gouv.fr gives it (its harvester matches titles too)
    short: str | None = None  #: a short label (search facets)

    def short_label(self, lang: str | None = "fr") -> str:
        return self.short or self.label(lang)

    def label(self, lang: str | None = "fr") -> str:
        return self.en if (lang or "fr").split("_")[0].lower() == "en" else self.fr

    @property
    def labels(self) -> dict[str, str]:
        return {"fr": self.fr, "en": self.en}


LICENCES: tuple[Licence, ...] = (
    Licence("lov2", "Licence Ouverte / Open Licence version 2.0 (Etalab)",
            "Licence Ouverte / Open Licence version 2.0 (Etalab)",
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence", "lov2",
            datagouv_title="Licence Ouverte / Open Licence version 2.0", short="Licence Ouverte 2.0"),
    Licence("odc-odbl", "Open Database License (ODbL)", "Open Database License (ODbL)",
            "https://opendatacommons.org/licenses/odbl/summary/", "odc-odbl", LICENCE_BASE + "ODC_BL",
            datagouv_title="Open Data Commons Open Database License (ODbL)", short="ODbL"),
    Licence("cc-by", "Creative Commons Attribution (CC-BY 4.0)", "Creative Commons Attribution (CC-BY 4.0)",
            "http://www.opendefinition.org/licenses/cc-by", "cc-by", LICENCE_BASE + "CC_BY_4_0",
            datagouv_title="Creative Commons Attribution", short="CC-BY 4.0"),
    Licence("cc-by-sa", "Creative Commons Attribution, partage dans les mêmes conditions (CC-BY-SA 4.0)",
            "Creative Commons Attribution Share-Alike (CC-BY-SA 4.0)",
            "http://www.opendefinition.org/licenses/cc-by-sa", "cc-by-sa", LICENCE_BASE + "CC_BYSA_4_0",
            datagouv_title="Creative Commons Attribution Share-Alike", short="CC-BY-SA 4.0"),
    Licence("cc-zero", "Creative Commons Zéro, domaine public (CC0)", "Creative Commons Zero (CC0)",
            "http://www.opendefinition.org/licenses/cc-zero", "cc-zero", LICENCE_BASE + "CC0",
            datagouv_title="Creative Commons CCZero", short="CC0"),
    Licence("lov1", "Licence Ouverte / Open Licence version 1.0 (Etalab, 2011)",
            "Licence Ouverte / Open Licence version 1.0 (Etalab, 2011)",
            "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf", "fr-lo",
            datagouv_title="Licence Ouverte / Open Licence", short="Licence Ouverte 1.0"),
    Licence("other", "Autre licence (précisez son adresse)", "Other licence (give its address)",
            None, None, None, open=False),
    # harvested records only: a publisher of the portal always chooses a licence (not offered in the form)
    Licence("notspecified", "Licence non précisée", "Licence not specified", None, "notspecified", None,
            open=False, datagouv_title="License Not Specified", short="Non précisée"),
)
LICENCE_IDS: tuple[str, ...] = tuple(lic.id for lic in LICENCES)
OTHER_LICENCE = "other"
#: what a harvested record that states no licence gets (data.gouv.fr's « Licence non spécifiée »)
NOT_SPECIFIED_LICENCE = "notspecified"
#: licences a publisher may choose in the form (``notspecified`` is for harvested records only)
CHOOSABLE_LICENCE_IDS: tuple[str, ...] = tuple(i for i in LICENCE_IDS if i != NOT_SPECIFIED_LICENCE)
_LICENCES = {lic.id: lic for lic in LICENCES}


def licence(license_id: object) -> Licence | None:
    return _LICENCES.get(license_id) if isinstance(license_id, str) else None


def ckan_licence_list() -> list[dict[str, object]]:
    """The licence list in CKAN's ``licenses_group_url`` format (what schemas/licenses.json holds).

    Titles are data.gouv.fr's own titles (an exporter that writes them as labels stays recognised); the
    French and English display labels are :attr:`Licence.fr` / :attr:`Licence.en`."""
    out = []
    for lic in LICENCES:
        out.append({
            "id": lic.id, "title": lic.datagouv_title or lic.fr, "url": lic.url or "", "status": "active",
            "od_conformance": "approved" if lic.open else "not reviewed",
            "osd_conformance": "not reviewed", "domain_data": True, "domain_content": True,
            "domain_software": False, "family": "", "maintainer": "",
        })
    return out


# --- Helpers ----------------------------------------------------------------------------------------------
VOCABULARIES: dict[str, Vocabulary] = {
    "theme": THEMES,
    "frequency": FREQUENCIES,
    "language": LANGUAGES,
    "access_rights": ACCESS_RIGHTS,
    "format": FILE_TYPES,
}


def vocabulary(name: str) -> Vocabulary:
    return VOCABULARIES[name]


def normalize(vocab: Vocabulary, text: object) -> str | None:
    """Stored value for ``text`` (a stored value, a code or a URI variant), or None if unknown."""
    if vocab is FILE_TYPES:
        return normalize_format(text)
    term = vocab.find(text)
    return term.value if term else None


def code_of(value: object) -> str | None:
    """Last part of an EU authority URI ("…/data-theme/ENVI" -> "ENVI"); the value itself otherwise."""
    if not isinstance(value, str) or not value:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1]


def theme_label(value: object, lang: str | None = "fr") -> str:
    return THEMES.label(value, lang)


def frequency_label(value: object, lang: str | None = "fr") -> str:
    return FREQUENCIES.label(value, lang)


def frequency_days(value: object) -> int | None:
    """Longest expected number of days between two updates for a frequency (None: no expectation)."""
    term = FREQUENCIES.get(value) or FREQUENCIES.find(value)
    days = term.extra.get("days") if term else None
    return days if isinstance(days, int) else None


def language_label(value: object, lang: str | None = "fr") -> str:
    return LANGUAGES.label(value, lang)


def access_rights_label(value: object, lang: str | None = "fr") -> str:
    return ACCESS_RIGHTS.label(value, lang)


def licence_label(license_id: object, lang: str | None = "fr") -> str:
    lic = licence(license_id)
    return lic.label(lang) if lic else ("" if license_id is None else str(license_id))
