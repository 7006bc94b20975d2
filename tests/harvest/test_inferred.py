"""Records that lack what the portal asks of its own publishers are imported, never refused: the licence is
read where geo-catalogues put it (INSPIRE codes, rights statements, distributions) or defaulted, the record's
own spatial coverage is kept (the organization's territory only when it has none, marked as inferred),
national schemas the catalogue does not know are kept and flagged; the job report says, per record and in
French, what was inferred or defaulted. Feeds: tests/harvest/feeds/ (each names the portal it imitates)."""
from __future__ import annotations

import json

import pytest

from tests.harvest.helpers import FEEDS, commune_org, epci_org, gather_errors, object_errors, stats


def _extra(d: dict, key: str):
    for e in d.get("extras") or []:
        if e["key"] == key:
            return e["value"]
    return d.get(key)


def _inferred(d: dict) -> list[str]:
    return json.loads(_extra(d, "harvest_inferred") or "[]")


def _notes_by_title(report: dict) -> dict[str, list[str]]:
    """The notes the job page lists, per imported record (by title)."""
    from ckanext.grandest.harvest.report import job_notes

    return {item["title"]: item["notes"] for item in job_notes(report["job"]["id"]).values()}


def _run(harvest, feed_server, name: str, ctype: str, org: dict, config: str | None = None):
    url = feed_server.add("/" + name, (FEEDS / name).read_bytes(), ctype)
    source = harvest.source(url, org["id"], config=config)
    return source, harvest.run(source["id"])


def test_geo_catalogue_records_without_a_plain_licence_are_all_imported(harvest, feed_server):
    org = epci_org("eurometropole", "Eurométropole de Strasbourg", "246700488")
    _, report = _run(harvest, feed_server, "geonetwork_licences.rdf", "application/rdf+xml", org)
    assert object_errors(report) == [] and gather_errors(report) == []
    assert stats(report)["added"] == 5 and stats(report)["errored"] == 0
    got = harvest.datasets(org["id"])

    inspire = got["Zones humides du Bas-Rhin"]
    # noLimitations is an access code, not a licence; noConditionsApply is free reuse
    assert inspire["license_id"] == "lov2" and not inspire.get("license_other_url")
    assert _inferred(inspire) == ["license:inspire"]
    assert json.loads(_extra(inspire, "spatial"))["type"] == "Polygon"
    assert inspire.get("territories") in (None, [], "")  # its own bbox, not the EPCI's territory

    assert got["Plan cadastral informatisé 2012"]["license_id"] == "lov1"
    assert got["Plan cadastral informatisé 2012"]["territories"] == ["commune:67482"]
    assert got["Pistes cyclables de l'Eurométropole"]["license_id"] == "lov2"
    assert _inferred(got["Pistes cyclables de l'Eurométropole"]) == ["license:rights"]
    assert got["Arrêts de bus"]["license_id"] == "odc-odbl"
    assert "license:distributions" in _inferred(got["Arrêts de bus"])

    nothing = got["Relevés piézométriques"]
    assert nothing["license_id"] == "notspecified"
    assert json.loads(_extra(nothing, "spatial"))["type"] == "Polygon"
    assert "territory:organization" not in _inferred(nothing)

    notes = _notes_by_title(report)
    assert any("licence non précisée" in n for n in notes["Relevés piézométriques"]), notes
    assert any("INSPIRE" in n for n in notes["Zones humides du Bas-Rhin"]), notes
    assert "Plan cadastral informatisé 2012" not in notes  # nothing inferred: nothing said


def test_source_default_licence_then_organization_territory_marked_inferred(harvest, feed_server):
    org = commune_org()
    _, report = _run(harvest, feed_server, "udata_records.ttl", "text/turtle", org,
                     config='{"default_license_id": "odc-odbl"}')
    assert object_errors(report) == [] and stats(report)["added"] == 3
    got = harvest.datasets(org["id"])

    bare = got["Horaires d'ouverture de la médiathèque"]
    assert bare["license_id"] == "odc-odbl"
    assert bare["territories"] == ["commune:67482"]
    assert set(_inferred(bare)) == {"license:source_default", "territory:organization"}
    notes = _notes_by_title(report)["Horaires d'ouverture de la médiathèque"]
    assert any("licence par défaut de la source" in n for n in notes), notes
    assert any("territoire de l'organisation" in n and "Strasbourg" in n for n in notes), notes

    paris = got["Fontaines à boire de Paris"]
    assert paris["license_id"] == "lov2"
    assert json.loads(_extra(paris, "spatial_uri")) == [
        "https://www.data.gouv.fr/api/1/spatial/zones/fr:commune:75056"]
    assert paris.get("territories") in (None, [], "") and "territory:organization" not in _inferred(paris)

    delib = got["Délibérations du conseil municipal"]
    assert delib["license_id"] == "lov1"  # « Licence Ouverte / Open Licence » is 1.0's title
    by_name = {r["name"]: r for r in delib["resources"]}
    csv = by_name["deliberations.csv"]
    assert csv["schema"] == "scdl/deliberations" and csv["harvested_schema_version"] == "9.9.9"
    ext = by_name["annexes.json"]
    assert ext["harvested_schema_url"] == "https://schemas.mairie.example.fr/annexes/schema.json"
    assert ext["harvested_schema_name"] == "Annexes des délibérations" and ext["harvested_schema_version"] == "0.3"
    assert not ext.get("schema")
    assert set(_inferred(delib)) == {"schema:version_unknown", "schema:external", "territory:organization"}
    delib_notes = " ".join(_notes_by_title(report)["Délibérations du conseil municipal"])
    assert "9.9.9" in delib_notes and "deliberations.csv" in delib_notes and "annexes.json" in delib_notes


def test_without_source_default_a_licence_less_record_is_not_specified(harvest, feed_server):
    org = commune_org()
    _, report = _run(harvest, feed_server, "udata_records.ttl", "text/turtle", org)
    bare = harvest.datasets(org["id"])["Horaires d'ouverture de la médiathèque"]
    assert bare["license_id"] == "notspecified" and "license:notspecified" in _inferred(bare)
    assert stats(report)["added"] == 3 and stats(report)["errored"] == 0


def test_service_references_are_skipped_and_ogc_services_get_their_formats(harvest, feed_server):
    org = commune_org()
    _, report = _run(harvest, feed_server, "geonetwork_services.ttl", "text/turtle", org)
    assert object_errors(report) == [] and gather_errors(report) == []
    assert stats(report)["added"] == 1 and stats(report)["errored"] == 0
    plu = harvest.datasets(org["id"])["Plan local d'urbanisme"]
    assert {r["name"]: r["format"] for r in plu["resources"]} == {"PLU (WMS)": "WMS_SRVC", "PLU (WFS)": "WFS_SRVC"}


def test_added_records_are_found_by_the_source_filter_at_once(harvest, feed_server):
    """Indexed with their harvest source at creation: found by the source's own filter without any later
    re-indexing, and every record the job counts as added is there."""
    import ckan.plugins.toolkit as tk

    org = commune_org()
    source, report = _run(harvest, feed_server, "geonetwork_licences.rdf", "application/rdf+xml", org)
    found = tk.get_action("package_search")({"ignore_auth": True}, {
        "fq": f'harvest_source_id:"{source["id"]}"', "rows": 100})
    assert found["count"] == stats(report)["added"] == 5
    assert {d["title"] for d in found["results"]} == set(harvest.datasets(org["id"]))


def test_clearing_a_source_leaves_no_dataset_in_the_search(harvest, feed_server):
    import ckan.plugins.toolkit as tk

    org = commune_org()
    source, _ = _run(harvest, feed_server, "udata_records.ttl", "text/turtle", org)
    assert tk.get_action("package_search")({"ignore_auth": True}, {"q": "*:*", "fq": f"owner_org:{org['id']}"})[
        "count"] == 3
    harvest.action("harvest_source_clear", id=source["id"])
    from ckan.lib import search

    search.commit()
    assert tk.get_action("package_search")({"ignore_auth": True}, {"q": "*:*", "fq": f"owner_org:{org['id']}"})[
        "count"] == 0


def test_the_job_page_lists_what_was_inferred_in_french(app, harvest, feed_server):
    org = commune_org()
    source, report = _run(harvest, feed_server, "udata_records.ttl", "text/turtle", org)
    page = app.get(f"/harvest/{source['name']}/job/{report['job']['id']}",
                   headers={"Authorization": harvest.regional["token"]}, environ_overrides={})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Ce qui a été déduit ou donné par défaut" in body
    assert "Horaires d&#39;ouverture de la médiathèque" in body or "Horaires d'ouverture de la médiathèque" in body
    assert "licence non précisée" in body


def test_the_dataset_page_says_when_the_territory_was_inferred_from_the_organization(app, harvest, feed_server):
    """A visitor of a harvested dataset whose record stated no spatial coverage reads, in French, that its
    territory comes from the organization; a record with its own coverage says nothing of the kind."""
    org = commune_org()
    _run(harvest, feed_server, "udata_records.ttl", "text/turtle", org)
    got = harvest.datasets(org["id"])
    note = ("Territoire déduit de l’organisation", "Territoire déduit de l'organisation",
            "Territoire déduit de l&#39;organisation")

    bare = got["Horaires d'ouverture de la médiathèque"]
    assert "territory:organization" in _inferred(bare)
    page = app.get(f"/dataset/{bare['name']}")
    assert page.status_code == 200
    assert any(n in page.get_data(as_text=True) for n in note)

    paris = got["Fontaines à boire de Paris"]
    assert "territory:organization" not in _inferred(paris)
    page = app.get(f"/dataset/{paris['name']}")
    assert page.status_code == 200
    assert not any(n in page.get_data(as_text=True) for n in note)


def test_a_refused_resource_is_named_in_french(harvest):
    """When the portal refuses a record for one of its files, the message says which file and why (not
    « Ressource(s) du paquet invalide(s) » alone)."""
    import ckan.plugins.toolkit as tk

    from ckanext.grandest.harvest import plugin as hplugin

    org = commune_org()
    dataset = {"name": "budget", "title": "Budget primitif", "notes": "Budget primitif voté.",
               "license_id": "lov2", "owner_org": org["id"],
               "resources": [{"name": "budget.csv", "url": "https://portail.example.org/budget.csv",
                              "format": "CSV"},
                             {"name": "annexe", "url": "https://portail.example.org/annexe",
                              "format": "pas-un-format"}]}
    with pytest.raises(tk.ValidationError) as e:
        tk.get_action("package_create")({"user": harvest.admin["name"], "ignore_auth": True}, dict(dataset))
    message = hplugin._error_summary(e.value, dataset)
    assert message.startswith("fichier « annexe » : format : "), message
    assert "budget.csv" not in message
