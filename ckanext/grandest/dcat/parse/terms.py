"""Controlled vocabularies read from what portals write: frequencies (:func:`match_frequency`, from the one
table of :mod:`ckanext.grandest.dcat.frequencies`), themes (EU data-theme or INSPIRE URIs, labels), languages, access
rights, file formats and media types. (The national Table Schema a distribution conforms to is read by
:func:`ckanext.grandest.common.schema_catalog.conforms_to`.)"""
from __future__ import annotations

import re

from ckanext.grandest.common.referential import fold
from ckanext.grandest.dcat.frequencies import match_frequency  # noqa: F401 - the one frequency table
from ckanext.grandest.metadata import vocabularies as voc

from .text import is_http

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
    if is_http(text):
        return None
    folded = fold(text)
    for t in voc.THEMES:
        if folded in (fold(t.fr), fold(t.en), t.code.lower()):
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
    code = _LANG_CODES.get(key) or _LANG_CODES.get(fold(last))
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
    code = _ACCESS_ALIASES.get(fold(last).replace(" ", "").replace("-", ""))
    if code is None:
        folded = fold(text)
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
