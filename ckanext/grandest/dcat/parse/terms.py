"""Controlled vocabularies read from what portals write: frequencies (EU or purl.org/cld URIs, ISO 8601
durations, French or English literals), themes (EU data-theme or INSPIRE URIs, labels), languages, access
rights, file formats and media types. (The national Table Schema a distribution conforms to is read by
:func:`ckanext.grandest.common.schema_catalog.conforms_to`.)"""
from __future__ import annotations

import re

import isodate

from ckanext.grandest.common.referential import fold
from ckanext.grandest.metadata import vocabularies as voc

from .text import is_http

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
_HOUR, _DAY = 3600, 86400
#: ISO 8601 durations, as (months, seconds) -> EU frequency code (P1Y = P12M, P1W = P7D, P0.5D = PT12H...)
_DURATIONS = {
    (0, _HOUR): "HOURLY", (0, 12 * _HOUR): "DAILY_2", (0, _DAY): "DAILY", (0, 7 * _DAY): "WEEKLY",
    (0, 14 * _DAY): "BIWEEKLY", (0.5, 0): "MONTHLY_2", (1, 0): "MONTHLY", (2, 0): "BIMONTHLY", (3, 0): "QUARTERLY",
    (4, 0): "ANNUAL_3", (6, 0): "ANNUAL_2", (12, 0): "ANNUAL", (24, 0): "BIENNIAL", (36, 0): "TRIENNIAL",
    (60, 0): "QUINQUENNIAL",
}


def _duration_code(text: str) -> str | None:
    """The frequency code of an ISO 8601 duration (read by isodate), None if it is not one of the list's."""
    try:
        duration = isodate.parse_duration(text)
    except (ValueError, ArithmeticError):  # isodate.ISO8601Error is a ValueError
        return None
    if isinstance(duration, isodate.Duration):
        months, seconds = duration.years * 12 + duration.months, duration.tdelta.total_seconds()
    else:
        months, seconds = 0, duration.total_seconds()
    return _DURATIONS.get((months, seconds))


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
    code = _duration_code(iso) if iso.startswith("P") else None
    if code:
        return voc.FREQUENCY_BASE + code
    last = text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    for candidate in (last, text):
        term = voc.FREQUENCIES.find(candidate)
        if term:
            return term.value
        key = fold(candidate).replace(" ", "")
        code = _FREQ_ALIASES.get(key) or _FREQ_ALIASES.get(fold(candidate))
        if code is None:
            code = next((t.code for t in voc.FREQUENCIES if fold(t.fr) == fold(candidate)
                         or fold(t.en) == fold(candidate)), None)
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
