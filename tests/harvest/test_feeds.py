"""End to end: feeds in the shapes real portals emit, served on 127.0.0.1, harvested through the real
ckanext-harvest queues (Redis) into the Grand Est schema, checked field by field in the database."""
from __future__ import annotations

import pytest

from tests.harvest.helpers import commune_org, epci_org, gather_errors, object_errors, stats

EU = "http://publications.europa.eu/resource/authority/"


def _clean(report):
    assert gather_errors(report) == [], gather_errors(report)
    assert object_errors(report) == [], object_errors(report)


def test_ckan_catalog_turtle_paged_with_hydra_paged_collection(harvest, feed_server):
    feed_server.add_file("/ckan/catalog.ttl", "ckan_page1.ttl")
    feed_server.add_file("/ckan/catalog.ttl?page=1", "ckan_page1.ttl")
    feed_server.add_file("/ckan/catalog.ttl?page=2", "ckan_page2.ttl")
    org = commune_org()
    source = harvest.source(feed_server.url("/ckan/catalog.ttl"), org["id"])
    report = harvest.run(source["id"])
    _clean(report)
    assert stats(report) == {"added": 3, "updated": 0, "not modified": 0, "errored": 0, "deleted": 0}
    assert feed_server.hits["/ckan/catalog.ttl?page=2"] == 1

    ds = harvest.datasets(org["id"])
    budget = ds["Budget primitif 2024"]
    assert budget["owner_org"] == org["id"]
    assert budget["license_id"] == "odc-odbl"
    assert budget["frequency"] == EU + "frequency/ANNUAL"
    assert budget["theme"] == [EU + "data-theme/ECON"]
    assert budget["territories"] == ["commune:67482"]
    assert (budget["temporal_start"], budget["temporal_end"]) == ("2024-01-01", "2024-12-31")
    assert (budget["contact_name"], budget["contact_email"]) == ("Service des finances",
                                                                 "finances@example-strasbourg.eu")
    assert budget["language"] == [EU + "language/FRA"]
    assert budget["version"] == "2024.1"
    assert sorted(t["name"] for t in budget["tags"]) == ["M57", "budget", "finances"]
    extras = {e["key"]: e["value"] for e in budget["extras"]}
    assert extras["guid"] == "https://ckan.example-strasbourg.eu/dataset/8f1c5c7e-budget-primitif-2024"
    assert '"Polygon"' in extras["spatial"]
    res = {r["name"]: r for r in budget["resources"]}
    csv = res["Budget primitif 2024 (CSV)"]
    assert (csv["format"], csv["size"], csv["schema"], csv["schema_version"]) == ("CSV", 48211, "scdl/budget", "0.8.1")
    assert res["Notice"]["format"] == "PDF"

    velo = ds["Stationnements vélo"]
    assert (velo["license_id"], velo["frequency"]) == ("cc-by", EU + "frequency/MONTHLY")
    assert velo["territories"] == ["epci:246700488"]
    air = ds["Qualité de l'air - mesures horaires"]
    assert air["theme"] == [EU + "data-theme/ENVI", EU + "data-theme/HEAL"]
    assert air["resources"][0]["url"] == "https://ckan.example-strasbourg.eu/air/mesures.csv?download=1"


def test_udata_export_rdfxml_paged_with_partial_collection_view(harvest, feed_server):
    feed_server.add_file("/udata/catalog.rdf", "udata_page1.rdf")
    feed_server.add_file("/udata/catalog.rdf?page=2", "udata_page2.rdf")
    org = commune_org(name="ville-de-colmar", title="Ville de Colmar", insee="68066")
    source = harvest.source(feed_server.url("/udata/catalog.rdf"), org["id"])
    report = harvest.run(source["id"])
    _clean(report)
    assert stats(report)["added"] == 3

    ds = harvest.datasets(org["id"])
    delib = ds["Délibérations du conseil municipal de Colmar"]
    assert (delib["license_id"], delib["frequency"]) == ("lov2", EU + "frequency/MONTHLY")
    assert delib["territories"] == ["commune:68066"]
    assert (delib["temporal_start"], delib["temporal_end"]) == ("2020-07-01", "2024-04-30")
    res = delib["resources"][0]
    assert (res["schema"], res["schema_version"], res["format"]) == ("scdl/deliberations", "2.1.4", "CSV")
    assert res["url"] == ("https://static.example-datagouv.fr/resources/deliberations-colmar/"
                          "deliberations-colmar-2024.csv")
    assert res["hash"] == "3f786850e387550fdab836ed7e6dc881de23001b"
    sub = ds["Subventions aux associations - Colmar Agglomération"]
    assert sub["territories"] == ["epci:246800726"] and sub["license_id"] == "odc-odbl"
    prenoms = ds["Prénoms des nouveau-nés à Colmar"]
    assert prenoms["license_id"] == "lov1" and not prenoms.get("license_other_url")  # Licence Ouverte 1.0
    assert prenoms["contact_url"] == "https://www.example-colmar.fr/etat-civil"


def test_opendatasoft_dcat_export(harvest, feed_server):
    url = feed_server.add_file("/api/explore/v2.1/catalog/exports/dcat", "ods_catalog.rdf")
    org = epci_org()
    report = harvest.run(harvest.source(url, org["id"])["id"])
    _clean(report)
    ds = harvest.datasets(org["id"])
    equip = ds["Équipements sportifs de Metz"]
    assert (equip["license_id"], equip["frequency"]) == ("lov2", EU + "frequency/ANNUAL")
    assert equip["theme"] == [EU + "data-theme/EDUC"]
    assert equip["territories"] == ["commune:57463"]
    assert sorted(r["format"] for r in equip["resources"]) == ["CSV", "GEOJSON", "SHP", "XLSX"]
    assert "<" not in equip["notes"]
    arbres = ds["Arbres remarquables"]
    assert (arbres["license_id"], arbres["territories"]) == ("odc-odbl", ["epci:200039865"])


def test_geonetwork_geodcat_ap_record(harvest, feed_server):
    url = feed_server.add_file(
        "/geonetwork/srv/api/records/8c5d1e1a-7b0b-4c7a-9f8e-0d2a3c4b5e6f/formatters/dcat",
        "geonetwork_record.rdf", content_type="application/rdf+xml")
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"])["id"])
    _clean(report)
    rec = harvest.datasets(org["id"])["Zones inondables du Bas-Rhin (PPRI)"]
    assert rec["theme"] == [EU + "data-theme/ENVI"]
    assert (rec["license_id"], rec["access_rights"]) == ("lov2", EU + "access-right/PUBLIC")
    assert (rec["temporal_start"], rec["temporal_end"]) == ("2011-05-12", "2022-10-03")
    assert rec["territories"] == ["departement:67"]
    assert (rec["maintainer"], rec["maintainer_email"]) == ("Claire Martin", "claire.martin@example-bas-rhin.gouv.fr")
    assert rec["provenance"].startswith("Numérisation")
    assert rec["documentation"] == "https://geo.example-grandest.fr/docs/ppri-bas-rhin-notice.pdf"
    assert sorted(r["format"] for r in rec["resources"]) == ["GEOJSON", "WMS_SRVC"]
    extras = {e["key"]: e["value"] for e in rec["extras"]}
    assert extras["guid"] == ("https://geo.example-grandest.fr/geonetwork/srv/api/records/"
                              "8c5d1e1a-7b0b-4c7a-9f8e-0d2a3c4b5e6f")
    assert "6.94" in extras["spatial"]  # latitude-first GML turned back to longitude, latitude


def test_paged_jsonld_catalog_with_remote_context_and_relative_next_links(harvest, feed_server):
    feed_server.add_file("/jsonld/catalog.jsonld", "jsonld_page1.jsonld")
    feed_server.add_file("/jsonld/catalog.jsonld?page=2", "jsonld_page2.jsonld")
    feed_server.add_file("/jsonld/catalog.jsonld?page=3", "jsonld_page3.jsonld")
    feed_server.add_file("/jsonld/context.jsonld", "jsonld_context.jsonld")
    org = commune_org(name="ville-de-nancy", title="Ville de Nancy", insee="54395")
    report = harvest.run(harvest.source(feed_server.url("/jsonld/catalog.jsonld"), org["id"])["id"])
    _clean(report)
    assert stats(report)["added"] == 5
    assert feed_server.hits["/jsonld/context.jsonld"] == 1  # fetched once, by the harvester's own fetcher
    ds = harvest.datasets(org["id"])
    assert set(ds) == {"Parkings relais", "Bornes de recharge", "Marchés de plein air", "Toilettes publiques",
                       "Aires de jeux"}
    assert {d["license_id"] for d in ds.values()} == {"lov2", "odc-odbl", "cc-zero", "cc-by-sa"}
    assert all(d["territories"] == ["commune:54395"] for d in ds.values())
    assert ds["Bornes de recharge"]["resources"][0]["size"] == 2000


@pytest.mark.parametrize("name, ctype", [("ckan_page2.ttl", None), ("udata_page2.rdf", None),
                                         ("jsonld_page3.jsonld", "application/json")])
def test_format_is_read_from_content_type_extension_or_content(harvest, feed_server, name, ctype):
    """Served under a path without extension and a vague or missing Content-Type, the format is sniffed."""
    from tests.harvest.helpers import FEEDS

    body = (FEEDS / name).read_bytes()
    url = feed_server.add("/export", body, content_type=ctype)
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"])["id"])
    _clean(report)
    assert stats(report)["added"] == 1
