"""Pure parsing of DCAT / DCAT-AP / GeoDCAT-AP records into the Grand Est schema (ckanext/grandest/dcat/parse/).

The feeds are the ones the harvesting tests serve (tests/harvest/feeds/), in the shapes real portals emit:
CKAN + ckanext-dcat, udata (data.gouv.fr), OpenDataSoft, GeoNetwork (GeoDCAT-AP), a paged JSON-LD catalog.
No CKAN app is needed: the profile is a stand-in holding the graph (and optionally a scheming schema).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib

FEEDS = Path(__file__).resolve().parents[1] / "harvest" / "feeds"
BASE = "http://127.0.0.1:8999"
EU = "http://publications.europa.eu/resource/authority/"


class Profile:
    def __init__(self, g, schema=None):
        self.g = g
        self._dataset_schema = schema


def graph(name: str) -> rdflib.Graph:
    from ckanext.grandest.harvest import rdf as hrdf

    data = (FEEDS / name).read_bytes().replace(b"{BASE}", BASE.encode())
    ctx = (FEEDS / "jsonld_context.jsonld").read_bytes()
    fmt = hrdf.detect_format(data, None, name, None)
    return hrdf.parse_page(data, fmt, f"{BASE}/feeds/{name}", lambda url: ctx)


def records(name: str, schema=None) -> dict[str, dict]:
    """Parsed records of a feed, by title."""
    from ckanext.grandest.dcat.parse import parse_dataset
    from ckanext.grandest.harvest import rdf as hrdf

    g = graph(name)
    out = {}
    for ref in hrdf.datasets(g):
        d = parse_dataset(Profile(g, schema), {}, ref)
        out[d["title"]] = d
    return out


def extras(d: dict) -> dict:
    return {e["key"]: e["value"] for e in d.get("extras", [])}


# --- the five shapes --------------------------------------------------------------------------------------
def test_ckan_catalog_with_licence_on_distributions_and_literal_formats():
    recs = records("ckan_page1.ttl")
    budget = recs["Budget primitif 2024"]
    assert budget["license_id"] == "odc-odbl"  # only on the distributions, as ckanext-dcat writes it
    assert budget["frequency"] == EU + "frequency/ANNUAL"
    assert budget["theme"] == [EU + "data-theme/ECON"]
    assert (budget["temporal_start"], budget["temporal_end"]) == ("2024-01-01", "2024-12-31")  # schema:
    assert budget["territories"] == ["commune:67482"]  # "Strasbourg" matched in the referential
    geom = json.loads(extras(budget)["spatial"])
    assert geom["type"] == "Polygon" and geom["coordinates"][0][0] == [7.68, 48.49]
    assert (budget["contact_name"], budget["contact_email"]) == ("Service des finances",
                                                                 "finances@example-strasbourg.eu")
    assert budget["language"] == [EU + "language/FRA"]  # the literal "fr"
    assert budget["version"] == "2024.1"
    assert {t["name"] for t in budget["tags"]} == {"budget", "finances", "M57"}
    csv = next(r for r in budget["resources"] if r["name"].endswith("(CSV)"))
    assert csv["format"] == "CSV" and csv["size"] == 48211 and csv["mimetype"] == "text/csv"
    assert (csv["schema"], csv["schema_version"]) == ("scdl/budget", "0.8.1")
    assert csv["url"].endswith("budget-2024.csv") and "download_url" not in csv  # an access URL only
    assert extras(budget)["uri"] == "https://ckan.example-strasbourg.eu/dataset/8f1c5c7e-budget-primitif-2024"
    assert extras(budget)["identifier"] == "8f1c5c7e-0d7a-4b55-9d3c-1f1a7a3c2b10"

    velo = recs["Stationnements vélo"]
    assert velo["license_id"] == "cc-by"
    assert velo["frequency"] == EU + "frequency/MONTHLY"  # the literal "monthly"
    assert velo["territories"] == ["epci:246700488"]  # INSEE intercommunalité URI
    assert velo["temporal_start"] == "2019-06-01" and "temporal_end" not in velo
    assert velo["contact_url"] == "https://www.example-strasbourg.eu/velo/contact"
    assert velo["resources"][0]["format"] == "GEOJSON"


def test_ckan_second_page_html_description_iso_interval_and_download_url():
    air = records("ckan_page2.ttl")["Qualité de l'air - mesures horaires"]
    assert air["notes"] == "Mesures horaires des stations de qualité de l'air.\n\n- NO2\n- PM10"
    assert (air["temporal_start"], air["temporal_end"]) == ("2020-01-01", "2023-12-31")
    assert air["frequency"] == EU + "frequency/DAILY"  # purl.org/cld/freq/daily
    assert air["license_id"] == "cc-by"  # creativecommons.org/licenses/by/4.0/
    assert air["territories"] == ["commune:67482"]  # the literal "Strasbourg"
    assert air["contact_email"] == "contact@example-atmo.fr"  # a literal, not a mailto: URI
    res = air["resources"][0]
    assert res["url"] == res["download_url"] == "https://ckan.example-strasbourg.eu/air/mesures.csv?download=1"
    assert res["access_url"] == "https://ckan.example-strasbourg.eu/air/mesures.csv"
    assert res["format"] == "CSV" and res["size"] == 1048576


def test_udata_export():
    recs = records("udata_page1.rdf")
    delib = recs["Délibérations du conseil municipal de Colmar"]
    assert delib["license_id"] == "lov2"
    assert delib["frequency"] == EU + "frequency/MONTHLY"
    assert delib["territories"] == ["commune:68066"]  # zone id fr:commune:68066
    assert (delib["temporal_start"], delib["temporal_end"]) == ("2020-07-01", "2024-04-30")
    assert delib["url"] == "https://www.example-datagouv.fr/fr/datasets/deliberations-du-conseil-municipal-de-colmar/"
    assert "**SCDL délibérations**" in delib["notes"]  # markdown kept as is
    res = delib["resources"][0]
    assert (res["schema"], res["schema_version"]) == ("scdl/deliberations", "2.1.4")
    assert res["hash"] == "3f786850e387550fdab836ed7e6dc881de23001b" and res["hash_algorithm"] == "sha1"
    assert res["url"].startswith("https://static.example-datagouv.fr/")  # download URL wins over access URL
    assert res["format"] == "CSV" and res["size"] == 204800
    assert json.loads(extras(delib)["spatial"])["type"] == "MultiPolygon"

    sub = recs["Subventions aux associations - Colmar Agglomération"]
    assert sub["territories"] == ["epci:246800726"]
    assert (sub["temporal_start"], sub["temporal_end"]) == ("2021-01-01", "2023-12-31")  # gYear
    assert sub["license_id"] == "odc-odbl"
    assert sub["resources"][0]["schema"] == "scdl/subventions"

    prenoms = records("udata_page2.rdf")["Prénoms des nouveau-nés à Colmar"]
    # Licence Ouverte 1.0: lov1, exported with the URL data.gouv.fr reads as fr-lo
    assert prenoms["license_id"] == "lov1" and not prenoms.get("license_other_url")
    assert (prenoms["temporal_start"], prenoms["temporal_end"]) == ("2015-01-01", "2023-12-31")


def test_opendatasoft_export():
    recs = records("ods_catalog.rdf")
    equip = recs["Équipements sportifs de Metz"]
    assert equip["license_id"] == "lov2"  # "Licence Ouverte v2.0 (Etalab)"
    assert equip["frequency"] == EU + "frequency/ANNUAL"  # "Annuelle"
    assert equip["theme"] == [EU + "data-theme/EDUC"]  # "Sports, Loisirs"
    assert equip["territories"] == ["commune:57463"]  # locn:geographicName "Metz"
    assert equip["notes"].startswith("Liste des équipements sportifs municipaux")
    assert "<" not in equip["notes"]
    formats = {r["format"] for r in equip["resources"]}
    assert formats == {"CSV", "GEOJSON", "SHP", "XLSX"}
    for r in equip["resources"]:
        assert r["url"] == r["download_url"] and r["access_url"].endswith("/export/")
    assert json.loads(extras(equip)["spatial"])["coordinates"][0][0] == [6.13, 49.06]

    arbres = recs["Arbres remarquables"]
    assert arbres["license_id"] == "odc-odbl"
    assert arbres["frequency"] == EU + "frequency/IRREG"  # "Irrégulière"
    assert arbres["territories"] == ["epci:200039865"]  # "Metz Métropole"
    assert arbres["theme"] == [EU + "data-theme/ENVI"]


def test_geonetwork_geodcat_ap_record():
    rec = records("geonetwork_record.rdf")["Zones inondables du Bas-Rhin (PPRI)"]
    assert rec["theme"] == [EU + "data-theme/ENVI"]  # INSPIRE nz and hy
    assert rec["license_id"] == "lov2"  # licence node with an rdfs:label only
    assert rec["access_rights"] == EU + "access-right/PUBLIC"  # "Pas de restriction d'accès public"
    assert rec["frequency"] == EU + "frequency/IRREG"
    assert (rec["temporal_start"], rec["temporal_end"]) == ("2011-05-12", "2022-10-03")  # time:hasBeginning
    assert rec["territories"] == ["departement:67"]
    assert rec["contact_name"] == "DDT du Bas-Rhin - Service risques"
    assert (rec["maintainer"], rec["maintainer_email"]) == ("Claire Martin", "claire.martin@example-bas-rhin.gouv.fr")
    assert rec["provenance"].startswith("Numérisation des plans")
    assert rec["documentation"] == "https://geo.example-grandest.fr/docs/ppri-bas-rhin-notice.pdf"
    assert {t["name"] for t in rec["tags"]} == {"risque inondation", "PPRI"}  # French keywords only
    # GML envelope written latitude first (EPSG:4326): turned back to longitude, latitude
    geom = json.loads(extras(rec)["spatial"])
    xs = [pt[0] for pt in geom["coordinates"][0]]
    assert min(xs) == pytest.approx(6.94) and max(xs) == pytest.approx(8.23)
    by_format = {r.get("format"): r for r in rec["resources"]}
    assert by_format["WMS_SRVC"]["access_url"].startswith("https://geo.example-grandest.fr/geoserver/ows")
    assert by_format["GEOJSON"]["download_url"].endswith("ppri_67.geojson")
    assert by_format["GEOJSON"]["language"] == EU + "language/FRA"


def test_paged_jsonld_catalog_with_remote_context():
    recs = records("jsonld_page1.jsonld")
    assert set(recs) == {"Parkings relais", "Bornes de recharge"}
    bornes = recs["Bornes de recharge"]
    assert bornes["license_id"] == "odc-odbl"  # opendatacommons.org/licenses/odbl/1-0/
    assert bornes["territories"] == ["commune:54395"]
    assert bornes["resources"][0]["format"] == "JSON" and bornes["resources"][0]["size"] == 2000
    page2 = records("jsonld_page2.jsonld")
    assert page2["Toilettes publiques"]["license_id"] == "lov2"  # SPDX etalab-2.0
    assert page2["Marchés de plein air"]["license_id"] == "cc-zero"
    assert records("jsonld_page3.jsonld")["Aires de jeux"]["license_id"] == "cc-by-sa"


# --- vocabularies -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, expected", [
    (["https://www.etalab.gouv.fr/licence-ouverte-open-licence"], ("lov2", None)),
    (["http://www.etalab.gouv.fr/licence-ouverte-open-licence/"], ("lov2", None)),
    (["https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"], ("lov2", None)),
    (["Licence Ouverte / Open Licence version 2.0"], ("lov2", None)),
    (["Licence ouverte v2.0 (Etalab)"], ("lov2", None)),
    (["etalab-2.0"], ("lov2", None)),
    (["https://spdx.org/licenses/etalab-2.0"], ("lov2", None)),
    (["Licence Ouverte 1.0"], ("lov1", None)),
    (["fr-lo"], ("lov1", None)),
    # version by title, as data.gouv.fr: « Licence Ouverte / Open Licence » is 1.0's title
    (["Licence Ouverte Version 1.0"], ("lov1", None)),
    (["Licence ouverte / Open Licence"], ("lov1", None)),
    (["https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf"], ("lov1", None)),
    (["ODbL"], ("odc-odbl", None)),
    (["http://opendatacommons.org/licenses/odbl/1.0/"], ("odc-odbl", None)),
    (["http://www.opendefinition.org/licenses/odc-odbl"], ("odc-odbl", None)),
    (["https://spdx.org/licenses/ODbL-1.0.html"], ("odc-odbl", None)),
    (["http://publications.europa.eu/resource/authority/licence/ODC_BL"], ("odc-odbl", None)),
    (["CC-BY 4.0"], ("cc-by", None)),
    (["https://creativecommons.org/licenses/by/4.0/deed.fr"], ("cc-by", None)),
    (["CC BY-SA 4.0"], ("cc-by-sa", None)),
    (["https://creativecommons.org/licenses/by-sa/4.0/legalcode"], ("cc-by-sa", None)),
    (["CC0"], ("cc-zero", None)),
    (["http://creativecommons.org/publicdomain/zero/1.0/"], ("cc-zero", None)),
    (["https://creativecommons.org/licenses/by/3.0/fr/"], ("other", "https://creativecommons.org/licenses/by/3.0/fr/")),
    (["https://example.org/ma-licence", "Licence maison"], ("other", "https://example.org/ma-licence")),
    (["Licence maison"], (None, None)),
    ([], (None, None)),
])
def test_licences(values, expected):
    from ckanext.grandest.dcat.parse.licences import match_licence

    assert match_licence(values) == expected


@pytest.mark.parametrize("text, code", [
    (EU + "frequency/MONTHLY", "MONTHLY"), ("https://publications.europa.eu/resource/authority/frequency/WEEKLY", "WEEKLY"),
    ("http://purl.org/cld/freq/quarterly", "QUARTERLY"), ("http://purl.org/cld/freq/semiannual", "ANNUAL_2"),
    ("http://purl.org/cld/freq/irregular", "IRREG"), ("monthly", "MONTHLY"), ("ANNUAL", "ANNUAL"),
    ("Mensuelle", "MONTHLY"), ("Tous les ans", "ANNUAL"), ("quotidienne", "DAILY"), ("punctual", "IRREG"),
    ("P1M", "MONTHLY"), ("R/P1Y", "ANNUAL"), ("P1W", "WEEKLY"), (EU + "frequency/DECENNIAL", "QUINQUENNIAL"),
    (EU + "frequency/15MIN", "UPDATE_CONT"), ("n'importe quoi", None), ("", None),
])
def test_frequencies(text, code):
    from ckanext.grandest.dcat.parse.terms import match_frequency

    assert match_frequency(text) == (EU + "frequency/" + code if code else None)


@pytest.mark.parametrize("text, code", [
    (EU + "data-theme/ENVI", "ENVI"), ("https://publications.europa.eu/resource/authority/data-theme/TRAN/", "TRAN"),
    ("http://inspire.ec.europa.eu/theme/tn", "TRAN"), ("http://inspire.ec.europa.eu/theme/hh", "HEAL"),
    ("Environnement", "ENVI"), ("Economy and finance", "ECON"), ("Transports, Déplacements", "TRAN"),
    ("Santé", "HEAL"), ("Culture, Patrimoine", "EDUC"), ("https://example.org/theme/x", None), ("zzz", None),
])
def test_themes(text, code):
    from ckanext.grandest.dcat.parse.terms import match_theme

    assert match_theme(text) == (EU + "data-theme/" + code if code else None)


@pytest.mark.parametrize("text, expected", [
    ("2020-01-01/2020-12-31", ("2020-01-01", "2020-12-31")), ("2019/2021", ("2019-01-01", "2021-12-31")),
    ("2020", ("2020-01-01", "2020-12-31")), ("2020-02", ("2020-02-01", "2020-02-29")),
    ("2020-05-04", ("2020-05-04", "2020-05-04")), ("2020-01-01/", ("2020-01-01", None)),
    ("/2020-06-30", (None, "2020-06-30")), ("2020-13-45", (None, None)), ("hier", (None, None)),
])
def test_temporal_literals(text, expected):
    from ckanext.grandest.dcat.parse.dates import parse_interval

    start, end = parse_interval(text)
    assert (start and start.isoformat(), end and end.isoformat()) == expected


@pytest.mark.parametrize("text, key", [
    ("http://id.insee.fr/geo/commune/67482", "commune:67482"),
    ("https://id.insee.fr/geo/departement/68", "departement:68"),
    ("http://id.insee.fr/geo/region/44", "region:44"),
    ("http://id.insee.fr/geo/intercommunalite/246700488", "epci:246700488"),
    ("https://geo.api.gouv.fr/communes/57463", "commune:57463"),
    ("fr:commune:68066", "commune:68066"), ("commune:54395", "commune:54395"), ("fr:departement:88", "departement:88"),
    ("http://id.insee.fr/geo/commune/75056", None),  # Paris: outside the referential
    ("http://example.org/place/1", None),
])
def test_territory_identifiers(text, key):
    from ckanext.grandest.dcat.parse.spatial import territory_from_identifier

    assert territory_from_identifier(text) == key


@pytest.mark.parametrize("name, key", [
    ("Strasbourg", "commune:67482"), ("STRASBOURG", "commune:67482"), ("Ste-Marie-aux-Mines", None),
    ("Sainte-Marie-aux-Mines", "commune:68298"), ("Ville de Colmar", "commune:68066"),
    ("Bas-Rhin", "departement:67"), ("Grand Est", "region:44"), ("Eurométropole de Strasbourg", "epci:246700488"),
    ("Attigny", None),  # two communes of that name: ambiguous
    ("Attigny (08)", "commune:08025"), ("Paris", None), ("", None),
])
def test_territory_names(name, key):
    from ckanext.grandest.dcat.parse.spatial import territory_from_name

    assert territory_from_name(name) == key


@pytest.mark.parametrize("literal, gtype", [
    ("POLYGON((7.7 48.5, 7.8 48.5, 7.8 48.6, 7.7 48.5))", "Polygon"),
    ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(7.75 48.58)", "Point"),
    ('{"type": "MultiPolygon", "coordinates": [[[[7, 48], [8, 48], [8, 49], [7, 48]]]]}', "MultiPolygon"),
    ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [7, 48]}}', "Point"),
    ("<gml:Envelope><gml:lowerCorner>7.1 48.1</gml:lowerCorner><gml:upperCorner>7.9 48.9</gml:upperCorner></gml:Envelope>",
     "Polygon"),
    ("7.1,48.1,7.9,48.9", "Polygon"),
    ("POLYGON((", None), ("{not json", None), ('{"type": "Polygon"}', None), ("", None),
])
def test_geometries(literal, gtype):
    from ckanext.grandest.dcat.parse.spatial import parse_geometry

    geom = parse_geometry(rdflib.Literal(literal))
    assert (geom["type"] if geom else None) == gtype


@pytest.mark.parametrize("text, code", [
    (EU + "file-type/CSV", "CSV"), ("https://www.iana.org/assignments/media-types/text/csv", "CSV"),
    ("https://www.iana.org/assignments/media-types/application/vnd.geo+json", "GEOJSON"),
    ("text/csv", "CSV"), ("csv", "CSV"), ("ESRI Shapefile", "SHP"), ("Excel", "XLSX"), ("OGC:WMS", "WMS_SRVC"),
    ("CSV (UTF-8)", "CSV"), ("application/x-unknown", None), ("zzz", None),
])
def test_formats(text, code):
    from ckanext.grandest.dcat.parse.terms import match_format

    assert match_format(text) == code


@pytest.mark.parametrize("values, expected", [
    (["https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"], ("scdl/deliberations", "2.1.5")),
    (["https://schema.data.gouv.fr/scdl/subventions/2.1.1/"], ("scdl/subventions", "2.1.1")),
    (["https://schema.data.gouv.fr/schemas/scdl/budget/latest/schema.json"], ("scdl/budget", None)),
    (["scdl/prenoms"], ("scdl/prenoms", None)), (["scdl/prenoms@1.0.0"], ("scdl/prenoms", "1.0.0")),
    (["https://example.org/schema.json", "n'importe quoi"], (None, None)),
])
def test_table_schemas(values, expected):
    from ckanext.grandest.common.schema_catalog import conforms_to as match_table_schema

    assert match_table_schema(values) == expected


# --- how the dict is filled -------------------------------------------------------------------------------
TTL = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<http://ex.org/d/1> a dcat:Dataset ; dct:title "Titre"@fr, "Title"@en ; dct:description "Desc" ;
  dct:accrualPeriodicity <http://purl.org/cld/freq/weekly> ; dct:license "Licence inconnue" ;
  dcat:keyword "ab", "bon mot", "ok;encore" ; dct:spatial <http://id.insee.fr/geo/commune/67482> .
"""


def _one(ttl: str, dataset_dict=None, schema=None) -> dict:
    from ckanext.grandest.dcat.parse import parse_dataset

    g = rdflib.Graph().parse(data=ttl, format="turtle")
    ref = next(g.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset")))
    return parse_dataset(Profile(g, schema), dataset_dict if dataset_dict is not None else {}, ref)


def test_french_first_tags_of_three_characters_and_unknown_licence_kept_as_extra():
    d = _one(TTL)
    assert d["title"] == "Titre"
    assert [t["name"] for t in d["tags"]] == ["bon mot", "encore"]  # "ab" and "ok" are too short
    assert "license_id" not in d
    assert extras(d)["harvested_license"] == "Licence inconnue"


def test_what_a_previous_profile_wrote_is_replaced_and_conflicting_extras_dropped():
    schema = {"dataset_fields": [{"field_name": f} for f in (
        "title", "name", "notes", "tag_string", "owner_org", "theme", "territories", "license_id", "frequency",
        "contact_name", "custom_field")]}
    before = {"title": "ancien", "frequency": "weekly", "custom_field": "gardé", "has_version": ["x"],
              "extras": [{"key": "frequency", "value": "weekly"}, {"key": "theme", "value": "[]"}],
              "resources": [{"url": "http://old"}], "owner_org": "org-1"}
    d = _one(TTL, before, schema)
    assert d is not before or d is before  # filled in place
    assert before["title"] == "Titre" and before["frequency"] == EU + "frequency/WEEKLY"
    assert before["custom_field"] == "gardé" and before["owner_org"] == "org-1"
    assert "has_version" not in before
    keys = [e["key"] for e in before["extras"]]
    assert "frequency" not in keys and "theme" not in keys and "uri" in keys
    assert before["territories"] == ["commune:67482"]
    assert before["resources"] == []


def test_fields_the_schema_lacks_go_to_extras():
    schema = {"dataset_fields": [{"field_name": f} for f in ("title", "name", "notes", "owner_org")]}
    d = _one(TTL, schema=schema)
    assert "territories" not in d and json.loads(extras(d)["territories"]) == ["commune:67482"]
    assert extras(d)["frequency"] == EU + "frequency/WEEKLY"


@pytest.mark.parametrize("junk", [
    '""', '"   "', '"\\u0000"', '"9"^^<http://www.w3.org/2001/XMLSchema#integer>', "<mailto:>", "<http://>",
    '"' + "x" * 5000 + '"', "[]", '"POLYGON((((("', '"{\\"type\\": 1}"',
])
def test_odd_values_never_raise(junk):
    preds = ["dct:title", "dct:description", "dct:license", "dct:accrualPeriodicity", "dct:temporal",
             "dct:spatial", "dcat:contactPoint", "dcat:theme", "dct:language", "dct:accessRights", "dcat:keyword",
             "foaf:page", "dcat:landingPage", "dct:provenance"]
    body = " ; ".join(f"{p} {junk}" for p in preds)
    ttl = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . "
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> . "
        f"<http://ex.org/d/2> a dcat:Dataset ; {body} ; dcat:distribution [ dcat:accessURL {junk} ; "
        f"dct:format {junk} ; dcat:byteSize {junk} ; dct:conformsTo {junk} ] ."
    )
    d = _one(ttl)
    assert isinstance(d, dict) and isinstance(d["resources"], list)


def test_a_person_next_to_the_contact_point_is_the_maintainer():
    ttl = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
    <http://ex.org/d/3> a dcat:Dataset ; dct:title "T" ;
      dcat:contactPoint [ a vcard:Kind, vcard:Individual ; vcard:fn "Marie Dupont" ;
                          vcard:hasEmail <mailto:marie.dupont@example.org> ] ,
                        [ a vcard:Kind, vcard:Organization ; vcard:fn "Service SIG" ;
                          vcard:hasEmail <mailto:sig@example.org> ; vcard:hasURL <https://example.org/sig> ] .
    """
    d = _one(ttl)
    assert (d["contact_name"], d["contact_email"], d["contact_url"]) == (
        "Service SIG", "sig@example.org", "https://example.org/sig")
    assert (d["maintainer"], d["maintainer_email"]) == ("Marie Dupont", "marie.dupont@example.org")
    # a person alone is the contact
    d = _one(ttl.split(",\n")[0] + " .")
    assert d["contact_name"] == "Marie Dupont" and "maintainer" not in d
