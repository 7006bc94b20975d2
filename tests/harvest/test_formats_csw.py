"""CSW sources end to end: GeoNetwork / Géoplateforme / Géo-IDE GetRecords pages (DCAT or ISO 19139 records,
``nextRecord`` paging) served on 127.0.0.1 and harvested through the real queues into the Grand Est schema."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from tests.harvest.helpers import FEEDS, Route, commune_org, gather_errors, object_errors, stats

EU = "http://publications.europa.eu/resource/authority/"
XML = "application/xml"


def csw_service(feed_server, path, pages):
    """Serves ``pages`` ({startPosition: feed file or bytes}) at ``path`` for any GetRecords query; records
    the queries received in ``feed_server.csw_queries``."""
    feed_server.csw_queries = []

    def route(full):
        parts = urlsplit(full)
        if parts.path != path:
            return None
        query = dict(parse_qsl(parts.query))
        feed_server.csw_queries.append(query)
        page = pages.get(int(query.get("startPosition", "1")))
        if page is None:
            return Route(status=404)
        body = (FEEDS / page).read_bytes() if isinstance(page, str) else page
        return Route(body=body, content_type=XML)

    feed_server.fallback = route
    return feed_server.url(path)


def _clean(report):
    assert gather_errors(report) == [], gather_errors(report)
    assert object_errors(report) == [], object_errors(report)


def _extras(d):
    return {e["key"]: e["value"] for e in d.get("extras", [])}


def test_geonetwork_csw_dcat_registered_as_a_csw_source_reads_every_page(harvest, feed_server):
    url = csw_service(feed_server, "/geonetwork/srv/fre/csw", {1: "csw_dcat_page1.xml", 4: "csw_dcat_page2.xml"})
    org = commune_org()
    config = json.dumps({"format": "csw", "csw_output_schema": "dcat", "csw_page_size": 3})
    report = harvest.run(harvest.source(url, org["id"], config=config)["id"])
    _clean(report)
    assert stats(report)["added"] == 5
    # the bare service address got a GetRecords request, then the page at nextRecord, then stopped (nextRecord=0)
    assert [q.get("startPosition") for q in feed_server.csw_queries] == ["1", "4"]
    first = feed_server.csw_queries[0]
    assert (first["service"], first["request"], first["maxRecords"]) == ("CSW", "GetRecords", "3")
    assert first["outputSchema"] == "http://www.w3.org/ns/dcat#"

    ds = harvest.datasets(org["id"])
    assert set(ds) == {"Pistes cyclables du Grand Est", "Zones d'activités économiques",
                       "Arrêts de transport scolaire", "Lycées de la région", "Gares et haltes ferroviaires"}
    pistes = ds["Pistes cyclables du Grand Est"]
    assert pistes["license_id"] == "lov2"
    assert (pistes["contact_name"], pistes["contact_email"]) == ("Région Grand Est - Direction des mobilités",
                                                                 "mobilites@example-grandest.fr")
    assert '"Polygon"' in _extras(pistes)["spatial"]
    assert pistes["resources"][0]["format"] == "GEOJSON"
    assert _extras(pistes)["guid"].endswith("a1f0c2d4-0001#resource")
    zae = ds["Zones d'activités économiques"]
    assert (zae["license_id"], zae["resources"][0]["format"]) == ("odc-odbl", "WFS_SRVC")


def test_geonetwork_csw_iso19139_is_detected_and_mapped(harvest, feed_server):
    gmd = "http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd"
    url = csw_service(feed_server, "/gn/srv/fre/csw", {1: "csw_iso_page1.xml", 3: "csw_iso_page2.xml"})
    url += f"?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema={gmd}" \
           "&elementSetName=full&resultType=results&startPosition=1&maxRecords=2"
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"])["id"])  # no configuration: detected from the answer
    _clean(report)
    assert stats(report)["added"] == 3
    assert [q["startPosition"] for q in feed_server.csw_queries] == ["1", "3"]
    assert all(q["typeNames"] == "gmd:MD_Metadata" for q in feed_server.csw_queries)  # the query is kept

    ds = harvest.datasets(org["id"])
    ppri = ds["Zones inondables du Bas-Rhin (PPRI)"]
    ex = _extras(ppri)
    assert ex["guid"] == "5e0b9c2a-ppri-67"  # fileIdentifier, as ckanext-spatial's harvester
    assert ppri["notes"].startswith("Zonage réglementaire des plans de prévention")
    assert ppri["license_id"] == "lov2"  # useConstraints/otherConstraints « Licence Ouverte 2.0 »
    assert (ppri["contact_name"], ppri["contact_email"]) == ("DDT du Bas-Rhin", "ddt-risques@example-bas-rhin.gouv.fr")
    assert ex["publisher_name"] == "Préfecture du Bas-Rhin"
    assert (ex["issued"], ex["modified"]) == ("2020-01-15", "2025-06-30")
    assert (ppri["temporal_start"], ppri["temporal_end"]) == ("2019-01-01", "2025-12-31")
    assert '"Polygon"' in ex["spatial"] and "8.23" in ex["spatial"]
    assert ppri["provenance"] == "Numérisation des plans approuvés au 1/5000, contrôlée par la DDT."
    assert ppri["theme"] == [EU + "data-theme/ENVI"]  # INSPIRE theme nz (natural risk zones)
    assert {"risque", "inondation"} <= {t["name"] for t in ppri["tags"]}
    res = {r["url"]: r for r in ppri["resources"]}
    assert res["https://geo.example-grandest.fr/geoserver/risques/wms"]["format"] == "WMS_SRVC"
    assert res["https://geo.example-grandest.fr/geoserver/risques/wms"]["name"] == "ppri_zonage"
    assert res["https://geo.example-grandest.fr/geoserver/risques/wfs"]["format"] == "WFS_SRVC"
    zip_ = res["https://geo.example-grandest.fr/telechargement/ppri_67.zip"]
    assert zip_["download_url"] == zip_["url"] and zip_["format"] == "SHP"

    haies = ds["Haies et alignements d'arbres de Meurthe-et-Moselle"]
    assert haies["license_id"] == "lov2"  # useLimitation « Licence Ouverte / Open Licence version 2.0 »
    assert haies["contact_name"] == "Conseil départemental de Meurthe-et-Moselle"  # custodian
    ecoles = ds["Écoles de la Moselle"]
    assert ecoles["license_id"] == "lov2"  # gmx:Anchor to the Etalab licence
    assert _extras(ecoles)["modified"] == "2024-02-01"


def test_geoplateforme_anchors_and_ogc_services(harvest, feed_server):
    url = csw_service(feed_server, "/csw", {1: "geoplateforme_csw_iso.xml"})
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"], config='{"format": "csw"}')["id"])
    _clean(report)
    ds = harvest.datasets(org["id"])
    assert set(ds) == {"BD TOPO® - Grand Est", "ADMIN EXPRESS - Grand Est"}
    assert feed_server.csw_queries[0]["outputSchema"] == "http://www.isotc211.org/2005/gmd"  # the default
    bdtopo = ds["BD TOPO® - Grand Est"]
    # the INSPIRE « no conditions apply » anchor is passed on; the licence named next to it decides
    assert bdtopo["license_id"] == "lov2"
    assert _extras(bdtopo)["publisher_name"].startswith("Institut national de l'information géographique")
    assert bdtopo["contact_email"] == "sav.bd@example-ign.fr"
    formats = sorted(r["format"] for r in bdtopo["resources"])
    assert formats == ["GPKG", "WFS_SRVC", "WMTS_SRVC"]
    assert ds["ADMIN EXPRESS - Grand Est"]["license_id"] == "lov2"


def test_geoide_record_without_title_fails_alone_in_french(harvest, feed_server):
    url = csw_service(feed_server, "/geoide/csw", {1: "geoide_csw_iso.xml"})
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"], config='{"format": "csw"}')["id"])
    assert list(harvest.datasets(org["id"])) == ["Périmètres des sites Natura 2000 en Grand Est"]
    assert stats(report)["added"] == 1 and stats(report)["errored"] == 1
    errors = object_errors(report) + gather_errors(report)
    assert len(errors) == 1 and "pas de titre" in errors[0], errors
    natura = harvest.datasets(org["id"])["Périmètres des sites Natura 2000 en Grand Est"]
    assert natura["resources"][0]["format"] == "WMS_SRVC"


def test_a_csw_source_that_is_not_a_csw_service_is_reported(harvest, feed_server):
    url = csw_service(feed_server, "/pas-un-csw", {1: "ckan_page2.ttl"})  # a DCAT feed, whatever the query
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"], config='{"format": "csw"}')["id"])
    assert stats(report)["added"] == 0
    assert any("service de catalogue (CSW GetRecords)" in e for e in gather_errors(report)), gather_errors(report)


def test_csw_configuration_is_checked_in_french(harvest):
    import pytest
    import ckan.plugins.toolkit as tk

    org = commune_org()
    for config, words in (('{"format": "wfs"}', "format"), ('{"csw_output_schema": "dc"}', "csw_output_schema"),
                          ('{"csw_page_size": 0}', "csw_page_size")):
        with pytest.raises(tk.ValidationError) as e:
            harvest.source("https://geo.example.org/csw", org["id"], config=config)
        assert words in str(e.value.error_dict) and "doit" in str(e.value.error_dict)
