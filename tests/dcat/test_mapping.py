"""The export mapping tables, value by value: licences (and what data.gouv.fr resolves them to), frequencies,
formats, territories, national schemas, publisher types."""
from __future__ import annotations

import pytest

from tests.dcat import udata_reader

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"


@pytest.fixture
def mapping():
    from ckanext.grandest.dcat import mapping

    return mapping


# --- licences -------------------------------------------------------------------------------------------
LICENCES = {
    "lov2": ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "lov2"),
    "odc-odbl": ("https://opendatacommons.org/licenses/odbl/summary/", "odc-odbl"),
    "cc-by": ("http://www.opendefinition.org/licenses/cc-by", "cc-by"),
    "cc-by-sa": ("http://www.opendefinition.org/licenses/cc-by-sa", "cc-by-sa"),
    "cc-zero": ("http://www.opendefinition.org/licenses/cc-zero", "cc-zero"),
    "lov1": ("https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf", "fr-lo"),
    "other": (None, None),
    "notspecified": (None, None),  # harvested records that state none: no dct:license is written
}


def test_licence_table_covers_the_vocabulary(mapping):
    assert set(mapping.licence_table()) == set(LICENCES)


@pytest.mark.parametrize("license_id", sorted(LICENCES))
def test_licence_url_value_by_value(mapping, license_id):
    url, _ = LICENCES[license_id]
    assert mapping.licence_url(license_id) == url


@pytest.mark.parametrize("license_id", sorted(k for k, v in LICENCES.items() if v[0]))
def test_licence_url_is_resolved_by_datagouv(mapping, license_id):
    url, datagouv_id = LICENCES[license_id]
    assert udata_reader.match_licence(mapping.licence_url(license_id)) == datagouv_id


def test_licence_urls_datagouv_does_not_resolve_are_not_used(mapping):
    # what CKAN or other exporters write and data.gouv.fr files as "notspecified"
    for url in ("https://spdx.org/licenses/ODbL-1.0.html", "https://creativecommons.org/licenses/by/4.0/",
                "http://www.opendefinition.org/licenses/odc-odbl"):
        assert udata_reader.match_licence(url) is None
        assert url not in mapping.licence_table().values()


def test_other_licence(mapping):
    assert mapping.licence_url("other", "https://www.ville.fr/licence.pdf") == "https://www.ville.fr/licence.pdf"
    assert mapping.licence_url("other", "pas une adresse") is None
    assert mapping.licence_url("other", None) is None
    assert mapping.licence_url(None) is None
    # a known licence ignores a stray other-URL
    assert mapping.licence_url("lov2", "https://x.fr/l") == LICENCES["lov2"][0]


# --- frequencies ----------------------------------------------------------------------------------------
FREQUENCIES = ["CONT", "UPDATE_CONT", "HOURLY", "DAILY_2", "DAILY", "WEEKLY_3", "WEEKLY_2", "WEEKLY", "BIWEEKLY",
               "MONTHLY_3", "MONTHLY_2", "MONTHLY", "BIMONTHLY", "QUARTERLY", "ANNUAL_3", "ANNUAL_2", "ANNUAL",
               "BIENNIAL", "TRIENNIAL", "QUINQUENNIAL", "IRREG", "NEVER", "UNKNOWN"]


def test_frequency_table_covers_the_vocabulary(mapping):
    assert list(mapping.frequency_table()) == [EU + "frequency/" + c for c in FREQUENCIES]


@pytest.mark.parametrize("code", FREQUENCIES)
def test_frequency_value_by_value(mapping, code):
    uri = EU + "frequency/" + code
    assert mapping.frequency_uri(uri) == uri
    assert mapping.frequency_uri(code) == uri
    assert mapping.frequency_uri(uri.replace("http://", "https://")) == uri
    assert code in udata_reader.EU_FREQUENCIES  # data.gouv.fr maps it


@pytest.mark.parametrize("value, code", [
    ("http://purl.org/cld/freq/annual", "ANNUAL"), ("http://purl.org/cld/freq/monthly", "MONTHLY"),
    ("http://purl.org/cld/freq/semiannual", "ANNUAL_2"), ("http://purl.org/cld/freq/threeTimesAWeek", "WEEKLY_3"),
    ("http://purl.org/cld/freq/irregular", "IRREG"), ("punctual", "IRREG"), ("weekly", "WEEKLY"),
    ("continuous", "CONT"), ("quarterly", "QUARTERLY"), ("biennial", "BIENNIAL"),
])
def test_legacy_frequencies(mapping, value, code):
    assert mapping.frequency_uri(value) == EU + "frequency/" + code


@pytest.mark.parametrize("value", [None, "", "souvent", 12, "http://example.org/freq/monthly-ish"])
def test_unknown_frequencies(mapping, value):
    assert mapping.frequency_uri(value) is None


# --- formats --------------------------------------------------------------------------------------------
FORMATS = {
    "CSV": "text/csv", "JSON": "application/json", "GEOJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLS": "application/vnd.ms-excel",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet", "TSV": "text/tab-separated-values",
    "PARQUET": "application/vnd.apache.parquet", "XML": "application/xml", "RDF_XML": "application/rdf+xml",
    "RDF_TURTLE": "text/turtle", "JSON_LD": "application/ld+json", "SHP": None,
    "GPKG": "application/geopackage+sqlite3", "KML": "application/vnd.google-earth.kml+xml",
    "KMZ": "application/vnd.google-earth.kmz", "GML": "application/gml+xml", "GEOTIFF": "image/tiff",
    "GTFS": "application/zip", "WMS_SRVC": None, "WFS_SRVC": None, "WMTS_SRVC": None, "ZIP": "application/zip",
    "TXT": "text/plain", "HTML": "text/html", "PDF": "application/pdf",
    "ODT": "application/vnd.oasis.opendocument.text",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOC": "application/msword",
    "PNG": "image/png", "JPEG": "image/jpeg", "TIFF": "image/tiff",
}


def test_format_table_value_by_value(mapping):
    expected = {code: (EU + "file-type/" + code, IANA + mt if mt else None) for code, mt in FORMATS.items()}
    assert mapping.format_table() == expected


@pytest.mark.parametrize("value, code", [("csv", "CSV"), ("text/csv", "CSV"), ("Shapefile", "SHP"),
                                         (EU + "file-type/GEOJSON", "GEOJSON"), ("geojson", "GEOJSON")])
def test_harvested_format_spellings(mapping, value, code):
    assert mapping.file_type(value).code == code


def test_services_are_not_downloads(mapping):
    assert not mapping.file_type("WMS_SRVC").downloadable
    assert not mapping.file_type("HTML").downloadable
    assert mapping.file_type("CSV").downloadable


def test_media_type_uri(mapping):
    assert mapping.media_type_uri("text/csv; charset=utf-8") == IANA + "text/csv"
    assert mapping.media_type_uri(IANA + "application/json") == IANA + "application/json"
    assert mapping.media_type_uri("not a mime") is None
    assert mapping.media_type_uri(None) is None


# --- themes, languages ----------------------------------------------------------------------------------
def test_themes(mapping):
    t = mapping.theme(EU + "data-theme/ENVI")
    assert (t.uri, t.fr) == (EU + "data-theme/ENVI", "Environnement")
    assert mapping.theme("envi").uri == EU + "data-theme/ENVI"
    assert mapping.theme("nope") is None


def test_languages(mapping):
    assert mapping.language_uri(EU + "language/FRA") == EU + "language/FRA"
    assert mapping.language_uri("fr") == EU + "language/FRA"
    assert mapping.language_uri("de") == EU + "language/DEU"
    assert mapping.language_uri("xx") is None


# --- territories ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("key, uri, code, name", [
    ("commune:67482", "http://id.insee.fr/geo/commune/67482", "67482", "Strasbourg"),
    ("epci:246700488", "http://id.insee.fr/geo/intercommunalite/246700488", "246700488",
     "Eurométropole de Strasbourg"),
    ("departement:67", "http://id.insee.fr/geo/departement/67", "67", "Bas-Rhin"),
    ("region:44", "http://id.insee.fr/geo/region/44", "44", "Grand Est"),
])
def test_places(mapping, key, uri, code, name):
    place = mapping.place(key)
    assert (place.uri, place.code, place.name) == (uri, code, name)
    wkt = place.bbox_wkt
    assert wkt.startswith("POLYGON((") and wkt.endswith("))")
    points = wkt[len("POLYGON(("):-2].split(", ")
    assert len(points) == 5 and points[0] == points[-1]
    x1, y1, x2, y2 = place.bbox
    assert points[0] == f"{mapping._n(x1)} {mapping._n(y1)}" and points[2] == f"{mapping._n(x2)} {mapping._n(y2)}"
    assert place.outline_wkt.startswith(("POLYGON", "MULTIPOLYGON"))


def test_unknown_places(mapping):
    assert mapping.place("commune:75056") is None  # Paris is not in Grand Est
    assert mapping.place("nope") is None
    assert mapping.places(["commune:67482", "commune:67482", "x", "region:44"])[1].key == "region:44"


def test_organization_place_and_siren(mapping):
    assert mapping.organization_place({"actor_type": "commune", "insee_code": "67482"}).key == "commune:67482"
    assert mapping.organization_place({"actor_type": "epci", "siren": "246700488"}).key == "epci:246700488"
    assert mapping.organization_place({"actor_type": "departement", "insee_code": "67"}).key == "departement:67"
    assert mapping.organization_place({"actor_type": "region"}).key == "region:44"
    assert mapping.organization_place({"actor_type": "association"}) is None
    assert mapping.organization_siren({"actor_type": "commune", "insee_code": "67482"}) == "216704825"
    assert mapping.organization_siren({"siren": "246 700 488"}) == "246700488"
    assert mapping.organization_siren({"siren": "123456789"}) is None  # bad Luhn


def test_publisher_types(mapping):
    assert mapping.publisher_type("commune")[0] == "http://purl.org/adms/publishertype/LocalAuthority"
    assert mapping.publisher_type("region")[0] == "http://purl.org/adms/publishertype/RegionalAuthority"
    assert mapping.publisher_type("etat")[0] == "http://purl.org/adms/publishertype/NationalAuthority"
    assert mapping.publisher_type("entreprise")[0] == "http://purl.org/adms/publishertype/Company"
    assert mapping.publisher_type("etablissement_public") is None


# --- national schemas -----------------------------------------------------------------------------------
def test_standards(mapping):
    std = mapping.standard("scdl/deliberations", "2.1.4")
    assert (std.url, std.version) == ("https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.4/schema.json",
                                      "2.1.4")
    latest = mapping.standard("scdl/deliberations")
    assert latest.url.endswith(f"/scdl/deliberations/{latest.version}/schema.json")
    assert mapping.standard("scdl/deliberations", "9.9.9").version == latest.version
    # the catalogue's own URL, even when its file is not named schema.json
    irve = mapping.standard("etalab/schema-irve-statique", "2.3.1")
    assert irve.url == "https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/2.3.1/schema-statique.json"
    assert mapping.standard("nope/nope") is None
