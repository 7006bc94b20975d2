"""Controlled vocabularies used by the scores (EU Publications Office authority tables, IANA media types).

Only what the scores need, embedded so scoring never touches the network:

* EU file types (``http://publications.europa.eu/resource/authority/file-type/``) with the MQA flags
  *non-proprietary* and *machine-readable* (curated from data.europa.eu's MQA vocabularies);
* the licences of our CKAN schema mapped to the EU licence authority table;
* EU access rights, data themes and frequencies (frequencies with udata's expected update delays).
"""
from __future__ import annotations

from datetime import timedelta

FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
LICENCE_BASE = "http://publications.europa.eu/resource/authority/licence/"
ACCESS_RIGHT_BASE = "http://publications.europa.eu/resource/authority/access-right/"
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
DATA_THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"

#: EU file-type codes known to the scores (a subset of the authority table: formats seen on open-data portals).
FILE_TYPES = frozenset(
    """
    7Z ARC_GZ ATOM BMP BZIP2 CSS CSV DBF DMP DOC DOCX DWG DXF E00 ECW EPUB EXE GDB GEOJSON GEOTIFF GIF GML GMZ
    GPKG GRID GRID_ASCII GTFS GZIP HDF HTML ICS JPEG JPEG2000 JS JSON JSON_LD KML KMZ LAS LAZ MAP_SRVC MDB
    MIF_MID MP3 MPEG4 MRSID MXD N3 NETCDF ODB ODF ODG ODP ODS ODT OWL PARQUET PDF PDFA1A PDFA1B PDFA2A PDFA2B
    PDFA3 PNG PPT PPTX PS PSD QGS RAR RDF RDFA RDF_N_QUADS RDF_N_TRIPLES RDF_TRIG RDF_TURTLE RDF_XML REST RSS
    RTF SDMX SHP SPARQLQ SPARQLQRES SQL SVG TAB TAR TAR_GZ TIFF TSV TXT WCS_SRVC WFS_SRVC WMS_SRVC WMTS_SRVC
    XHTML XLS XLSB XLSM XLSX XML XSLT XYZ YAML ZIP
    """.split()
)

#: MQA "non-proprietary" formats.
NON_PROPRIETARY = frozenset(
    """
    BMP CSV DBF GEOJSON GML GPKG GZIP HTML ICS JPEG2000 JSON JSON_LD KML KMZ N3 NETCDF ODG ODP ODS ODT PARQUET
    PNG RDF RDFA RDF_N_QUADS RDF_N_TRIPLES RDF_TRIG RDF_TURTLE RDF_XML RSS RTF SVG TAR TIFF TSV TXT WCS_SRVC
    WFS_SRVC WMS_SRVC WMTS_SRVC XHTML XML YAML ZIP 7Z TAR_GZ
    """.split()
)

#: MQA "machine-readable" formats (structured data a program can parse without human help).
MACHINE_READABLE = frozenset(
    """
    ATOM CSV DBF GDB GEOJSON GML GPKG GRID_ASCII GTFS ICS JSON JSON_LD KML KMZ LAS LAZ MDB MIF_MID N3 NETCDF
    ODS PARQUET RDF RDFA RDF_N_QUADS RDF_N_TRIPLES RDF_TRIG RDF_TURTLE RDF_XML REST RSS SDMX SHP SPARQLQ
    SPARQLQRES SQL TAB TSV WCS_SRVC WFS_SRVC WMS_SRVC WMTS_SRVC XLS XLSB XLSM XLSX XML YAML
    """.split()
)

#: Data-score points for the format of a tabular resource (the « Format » criterion, 10 points, of
#: docs/score-qualite.md).
TABULAR_FORMAT_POINTS = {
    "CSV": 10, "TSV": 10, "JSON": 10, "GEOJSON": 10, "PARQUET": 10, "ODS": 10,
    "XLS": 5, "XLSX": 5, "XLSM": 5, "XLSB": 5, "SHP": 5,
    "PDF": 0, "DOC": 0, "DOCX": 0,
}

TABULAR_FORMATS = frozenset({"CSV", "TSV", "XLS", "XLSX", "XLSM", "ODS", "JSON"})

#: Usual media type of each file type (to tell whether a declared mimetype is consistent).
MEDIA_TYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XML": "application/xml",
    "PDF": "application/pdf",
    "XLS": "application/vnd.ms-excel",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "ZIP": "application/zip",
    "HTML": "text/html",
    "TXT": "text/plain",
    "PARQUET": "application/vnd.apache.parquet",
    "SHP": "application/x-shapefile",
    "KML": "application/vnd.google-earth.kml+xml",
    "GPKG": "application/geopackage+sqlite3",
    "DOC": "application/msword",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ODT": "application/vnd.oasis.opendocument.text",
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "RDF_XML": "application/rdf+xml",
    "RDF_TURTLE": "text/turtle",
    "JSON_LD": "application/ld+json",
}

IANA_TOP_LEVEL = ("application", "audio", "font", "image", "message", "model", "multipart", "text", "video")

#: What the pre-scan found (``report["file"]["kind"]``) -> EU file type.
KIND_TO_FILE_TYPE = {
    "csv": "CSV", "tsv": "TSV", "xlsx": "XLSX", "xls": "XLS", "ods": "ODS", "json": "JSON",
    "geojson": "GEOJSON", "html": "HTML", "pdf": "PDF", "xml": "XML", "zip": "ZIP", "gzip": "GZIP",
    "docx": "DOCX", "doc": "DOC", "parquet": "PARQUET", "image": None, "binary": None, "empty": None,
}

_FORMAT_ALIASES = {
    "XLSX": "XLSX", "EXCEL": "XLS", "MS EXCEL": "XLS", "OPENDOCUMENT SPREADSHEET": "ODS",
    "GEOJSON": "GEOJSON", "GEO+JSON": "GEOJSON", "SHAPEFILE": "SHP", "ESRI SHAPEFILE": "SHP",
    "TEXT/CSV": "CSV", "APPLICATION/CSV": "CSV", "APPLICATION/JSON": "JSON", "APPLICATION/PDF": "PDF",
    "APPLICATION/GEO+JSON": "GEOJSON", "TEXT/HTML": "HTML", "APPLICATION/ZIP": "ZIP",
    "APPLICATION/VND.MS-EXCEL": "XLS",
    "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET": "XLSX",
    "APPLICATION/VND.OASIS.OPENDOCUMENT.SPREADSHEET": "ODS", "TEXT/TAB-SEPARATED-VALUES": "TSV",
    "JSON-LD": "JSON_LD", "TURTLE": "RDF_TURTLE", "TTL": "RDF_TURTLE", "RDF/XML": "RDF_XML",
    "WMS": "WMS_SRVC", "WFS": "WFS_SRVC", "WMTS": "WMTS_SRVC", "API": "REST", "GZ": "GZIP", "JPG": "JPEG",
    "TIF": "TIFF", "HTM": "HTML", "GEOPACKAGE": "GPKG",
}


def normalize_file_type(value: str | None) -> str | None:
    """``'csv'``, ``'.CSV'``, ``'text/csv'`` or the EU URI -> ``'CSV'``; ``None`` if unknown/empty."""
    if not value:
        return None
    text = str(value).strip()
    if text.startswith(FILE_TYPE_BASE):
        text = text[len(FILE_TYPE_BASE):]
    text = text.strip(". ").upper()
    if ";" in text:
        text = text.split(";", 1)[0].strip()
    if text in FILE_TYPES:
        return text
    return _FORMAT_ALIASES.get(text)


def is_iana_media_type(value: str | None) -> bool:
    if not value:
        return False
    text = str(value).strip().lower()
    if text.startswith("http://www.iana.org/assignments/media-types/") or text.startswith(
        "https://www.iana.org/assignments/media-types/"
    ):
        text = text.split("/media-types/", 1)[1]
    text = text.split(";", 1)[0].strip()
    top, _, sub = text.partition("/")
    return top in IANA_TOP_LEVEL and bool(sub) and " " not in sub


#: license_id of our CKAN schema -> EU licence authority code (``None``: not in the vocabulary).
LICENCES = {
    "lov2": "ETALAB_2_0",
    "odc-odbl": "ODC_BL",
    "cc-by": "CC_BY_4_0",
    "cc-by-sa": "CC_BYSA_4_0",
    "cc-zero": "CC0",
    "lov1": None,
    "other": None,
    "notspecified": None,
}
OPEN_LICENCES = frozenset({"lov2", "lov1", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero"})

ACCESS_RIGHTS = frozenset({"PUBLIC", "RESTRICTED", "NON_PUBLIC", "CONFIDENTIAL", "SENSITIVE", "NORMAL"})
DATA_THEMES = frozenset({"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "OP_DATPRO",
                         "REGI", "SOCI", "TECH", "TRAN"})


def access_right_code(value: str | None) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    if text.startswith(ACCESS_RIGHT_BASE):
        code = text[len(ACCESS_RIGHT_BASE):].strip("/")
        return code if code in ACCESS_RIGHTS else None
    return None


# -- frequencies --------------------------------------------------------------------------------------------
# udata rule (opendatateam/udata, Dataset.next_update): frequencies that happen n times in a period must
# be updated before the end of the period; "continuous", "irregular" and "punctual" cannot be late.

_DAY = timedelta(days=1)
FREQUENCY_DELAYS: dict[str, timedelta | None] = {
    "HOURLY": timedelta(hours=1),
    "BIHOURLY": _DAY, "TRIHOURLY": _DAY, "12HRS": _DAY, "DAILY": _DAY, "DAILY_2": _DAY,
    "WEEKLY": timedelta(weeks=1), "WEEKLY_2": timedelta(weeks=1), "WEEKLY_3": timedelta(weeks=1),
    "BIWEEKLY": timedelta(weeks=2),
    "MONTHLY": timedelta(days=31), "MONTHLY_2": timedelta(days=31), "MONTHLY_3": timedelta(days=31),
    "BIMONTHLY": timedelta(days=62),
    "QUARTERLY": timedelta(days=365 / 4),
    "ANNUAL": timedelta(days=365), "ANNUAL_2": timedelta(days=365), "ANNUAL_3": timedelta(days=365),
    "BIENNIAL": timedelta(days=365 * 2),
    "TRIENNIAL": timedelta(days=365 * 3),
    "QUADRENNIAL": timedelta(days=365 * 4),
    "QUINQUENNIAL": timedelta(days=365 * 5),
    "DECENNIAL": timedelta(days=365 * 10),
    "TRIDECENNIAL": timedelta(days=365 * 30),
    # cannot be late
    "CONT": None, "UPDATE_CONT": None, "1MIN": None, "5MIN": None, "10MIN": None, "15MIN": None,
    "30MIN": None, "IRREG": None, "NEVER": None, "OP": None, "OTHER": None,
}
UNDECLARED_FREQUENCIES = frozenset({"UNKNOWN", ""})

_UDATA_FREQUENCIES = {
    "hourly": "HOURLY", "fourtimesaday": "DAILY_2", "threetimesaday": "DAILY_2", "semidaily": "DAILY_2",
    "daily": "DAILY", "fourtimesaweek": "WEEKLY_3", "threetimesaweek": "WEEKLY_3", "semiweekly": "WEEKLY_2",
    "weekly": "WEEKLY", "biweekly": "BIWEEKLY", "threetimesamonth": "MONTHLY_3", "semimonthly": "MONTHLY_2",
    "monthly": "MONTHLY", "bimonthly": "BIMONTHLY", "quarterly": "QUARTERLY", "threetimesayear": "ANNUAL_3",
    "semiannual": "ANNUAL_2", "annual": "ANNUAL", "biennial": "BIENNIAL", "triennial": "TRIENNIAL",
    "quinquennial": "QUINQUENNIAL", "irregular": "IRREG", "punctual": "NEVER", "continuous": "CONT",
    "unknown": "UNKNOWN",
}


def frequency_code(value: str | None) -> str | None:
    """EU frequency URI, bare code or udata name -> EU code (``None`` when absent/unknown)."""
    if not value:
        return None
    text = str(value).strip()
    if text.startswith(FREQUENCY_BASE):
        text = text[len(FREQUENCY_BASE):].strip("/")
    if text.upper() in FREQUENCY_DELAYS or text.upper() in UNDECLARED_FREQUENCIES:
        return text.upper()
    return _UDATA_FREQUENCIES.get(text.lower().replace("_", ""))
