"""JSON-LD catalogues end to end (flat ``@graph``, nested, framed, Hydra paging), dataset series, data services,
blank-node distributions and duplicated DOIs: each record imports or fails alone with a French reason."""
from __future__ import annotations

from tests.harvest.helpers import FEEDS as FEEDS_DIR
from tests.harvest.helpers import commune_org, gather_errors, object_errors, stats

JSONLD = "application/ld+json"


def test_udata_flat_graph_paged_with_series_and_a_duplicated_doi(harvest, feed_server):
    feed_server.add_file("/udata/catalog.jsonld", "udata_graph_page1.jsonld")
    feed_server.add_file("/udata/catalog.jsonld?page=2", "udata_graph_page2.jsonld")
    org = commune_org()
    report = harvest.run(harvest.source(feed_server.url("/udata/catalog.jsonld"), org["id"])["id"])
    assert feed_server.hits["/udata/catalog.jsonld?page=2"] == 1
    titles = set(harvest.datasets(org["id"]))
    assert titles == {"Inventaire des zones humides", "Qualité des eaux de baignade",
                      "Élections municipales (série)", "Élections municipales 2020", "Élections municipales 2026"}
    # the second record with the same DOI fails for itself only, naming the first one
    errors = object_errors(report) + gather_errors(report)
    assert len(errors) == 1, errors
    assert "même DOI (10.5281/zenodo.7654321)" in errors[0] and "Inventaire des zones humides" in errors[0]
    assert "Zones humides (copie moissonnée)" in errors[0] or "zones-humides-copie" in errors[0]
    s = stats(report)
    assert (s["added"], s["errored"]) == (5, 1)


def test_a_duplicated_doi_never_deletes_the_dataset_of_the_second_record(harvest, feed_server):
    feed_server.add_file("/udata/catalog.jsonld", "udata_graph_page1.jsonld")
    page2 = feed_server.add_file("/udata/catalog.jsonld?page=2", "udata_graph_page2.jsonld")
    org = commune_org()
    source = harvest.source(feed_server.url("/udata/catalog.jsonld"), org["id"])
    harvest.run(source["id"])
    report = harvest.run(source["id"])
    assert stats(report)["deleted"] == 0
    assert len(harvest.datasets(org["id"])) == 5
    assert page2


def test_dkan_nested_catalogue_blank_nodes_and_data_service(harvest, feed_server):
    url = feed_server.add_file("/dkan/catalog.jsonld", "dkan_nested.jsonld")
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"])["id"])
    # the dataset known only by URI through the service (no title) is skipped, not an error
    assert gather_errors(report) == [] and object_errors(report) == [], (gather_errors(report), object_errors(report))
    ds = harvest.datasets(org["id"])
    assert set(ds) == {"Arbres d'alignement de Metz", "Parcs et jardins"}
    arbres = ds["Arbres d'alignement de Metz"]  # a blank-node dataset with blank-node distributions
    assert {e["key"]: e["value"] for e in arbres["extras"]}["guid"] == "dkan-arbres-2025"
    assert sorted(r["format"] for r in arbres["resources"]) == ["CSV", "GEOJSON"]
    parcs = ds["Parcs et jardins"]
    res = {r["url"]: r for r in parcs["resources"]}
    wms = res["https://sig.example-metz.fr/geoserver/espaces_verts/wms"]  # the service serving it
    assert (wms["format"], wms["name"]) == ("WMS_SRVC", "Carte des espaces verts (WMS)")
    assert res["https://dkan.example-metz.fr/files/parcs.csv"]["format"] == "CSV"


def test_framed_jsonld_catalogue(harvest, feed_server):
    url = feed_server.add_file("/ods/catalog.jsonld", "ods_framed.jsonld")
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"])["id"])
    assert gather_errors(report) == [] and object_errors(report) == []
    ds = harvest.datasets(org["id"])
    assert set(ds) == {"Stations Vélhop", "Lieux de culte"}
    velhop = ds["Stations Vélhop"]
    assert velhop["license_id"] == "odc-odbl"
    assert {e["key"]: e["value"] for e in velhop["extras"]}["publisher_name"] == "Eurométropole de Strasbourg"
    assert velhop["resources"][0]["format"] == "CSV"
    assert ds["Lieux de culte"]["resources"] == []


def test_hydra_next_going_back_to_the_first_page_stops_and_keeps_both_pages(harvest, feed_server):
    first = (FEEDS_DIR / "udata_graph_page1.jsonld").read_bytes()
    second = (FEEDS_DIR / "udata_graph_page2.jsonld").read_bytes().replace(
        b'"hydra:first": {"@id": "{BASE}/udata/catalog.jsonld?page=1"}',
        b'"hydra:next": {"@id": "{BASE}/udata/catalog.jsonld"}')
    feed_server.add("/udata/catalog.jsonld", first, JSONLD)
    feed_server.add("/udata/catalog.jsonld?page=2", second, JSONLD)
    org = commune_org()
    source = harvest.source(feed_server.url("/udata/catalog.jsonld"), org["id"])
    report = harvest.run(source["id"])
    assert any("en boucle" in e for e in gather_errors(report)), gather_errors(report)
    assert feed_server.hits["/udata/catalog.jsonld"] == 1 and feed_server.hits["/udata/catalog.jsonld?page=2"] == 1
    assert len(harvest.datasets(org["id"])) == 5
    # a later harvest that loops again deletes nothing
    report = harvest.run(source["id"])
    assert stats(report)["deleted"] == 0 and len(harvest.datasets(org["id"])) == 5

