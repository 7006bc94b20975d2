"""Per-record isolation, records that leave the feed (delete or keep), re-harvesting unchanged records."""
from __future__ import annotations

import pytest

from tests.harvest.helpers import commune_org, feed, gather_errors, object_errors, record, stats

def test_one_bad_record_is_reported_and_never_fails_the_others(harvest, feed_server):
    body = feed(
        record(1),
        record(2, title=""),  # no title: cannot be read
        record(3, extra='dcat:contactPoint [ a vcard:Kind ; vcard:fn "Sans moyen de contact" ] ; '),
        record(4),
        record(4, title="Doublon du 4"),  # same URI twice in the feed
        record(5, extra='dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2020-01-01" ; '
                        'dcat:endDate "2019-01-01" ] ; '),  # inverted period: end dropped, record kept
    )
    url = feed_server.add("/catalog.ttl", body)
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"])["id"])
    titles = set(harvest.datasets(org["id"]))
    assert {"Jeu numéro 1", "Jeu numéro 4", "Jeu numéro 5"} <= titles
    assert "Jeu numéro 2" not in titles
    errors = object_errors(report) + gather_errors(report)
    assert any("pas de titre" in e for e in errors), errors
    if "Jeu numéro 3" not in titles:  # the schema asks a contact for an email or a web address
        assert any("Jeu numéro 3" in e and "n'a pas été importé" in e for e in errors), errors
    s = stats(report)
    assert s["errored"] >= 1 and s["added"] == len(titles)
    assert harvest.datasets(org["id"])["Jeu numéro 5"].get("temporal_end") in (None, "")


def test_records_that_leave_the_feed_are_deleted_by_default(harvest, feed_server):
    url = feed_server.add("/catalog.ttl", feed(record(1), record(2), record(3)))
    org = commune_org()
    source = harvest.source(url, org["id"])
    assert stats(harvest.run(source["id"]))["added"] == 3
    feed_server.add("/catalog.ttl", feed(record(1), record(3)))
    report = harvest.run(source["id"])
    assert stats(report)["deleted"] == 1
    assert set(harvest.datasets(org["id"])) == {"Jeu numéro 1", "Jeu numéro 3"}


def test_records_that_leave_the_feed_are_kept_when_configured(harvest, feed_server):
    url = feed_server.add("/catalog.ttl", feed(record(1), record(2)))
    org = commune_org()
    source = harvest.source(url, org["id"], config='{"deleted_records": "keep"}')
    harvest.run(source["id"])
    feed_server.add("/catalog.ttl", feed(record(1)))
    report = harvest.run(source["id"])
    assert stats(report)["deleted"] == 0
    assert set(harvest.datasets(org["id"])) == {"Jeu numéro 1", "Jeu numéro 2"}


def test_a_record_that_turns_bad_keeps_its_previous_version(harvest, feed_server):
    url = feed_server.add("/catalog.ttl", feed(record(1), record(2)))
    org = commune_org()
    source = harvest.source(url, org["id"])
    harvest.run(source["id"])
    feed_server.add("/catalog.ttl", feed(record(1), record(2, title="")))
    report = harvest.run(source["id"])
    assert stats(report)["deleted"] == 0 and stats(report)["errored"] == 1
    assert set(harvest.datasets(org["id"])) == {"Jeu numéro 1", "Jeu numéro 2"}


def test_reharvesting_unchanged_records_changes_nothing(harvest, feed_server):
    from tests.harvest.helpers import FEEDS

    feed_server.add_file("/udata/catalog.rdf", "udata_page1.rdf")
    feed_server.add_file("/udata/catalog.rdf?page=2", "udata_page2.rdf")
    org = commune_org(name="ville-de-colmar", title="Ville de Colmar", insee="68066")
    source = harvest.source(feed_server.url("/udata/catalog.rdf"), org["id"])
    assert stats(harvest.run(source["id"]))["added"] == 3
    before = harvest.datasets(org["id"])

    report = harvest.run(source["id"])
    assert stats(report) == {"added": 0, "updated": 0, "not modified": 3, "errored": 0, "deleted": 0}
    after = harvest.datasets(org["id"])
    assert after == before  # metadata_modified, resource ids, everything

    from ckan import model

    import sqlalchemy as sa

    revisions = model.Session.execute(
        sa.text("select count(*) from activity where object_id = any(:ids)"),
        {"ids": [d["id"] for d in after.values()]}).scalar()
    assert revisions == 3  # only the "new package" activities

    # a real change updates that record only, and keeps the resource ids
    changed = (FEEDS / "udata_page2.rdf").read_bytes().replace(
        "Prénoms déclarés".encode(), "Liste des prénoms déclarés".encode())
    feed_server.add("/udata/catalog.rdf?page=2", changed, "application/rdf+xml")
    report = harvest.run(source["id"])
    assert stats(report) == {"added": 0, "updated": 1, "not modified": 2, "errored": 0, "deleted": 0}
    prenoms_before = before["Prénoms des nouveau-nés à Colmar"]
    prenoms_after = harvest.datasets(org["id"])["Prénoms des nouveau-nés à Colmar"]
    assert prenoms_after["notes"].startswith("Liste des prénoms")
    assert prenoms_after["name"] == prenoms_before["name"]
    assert [r["id"] for r in prenoms_after["resources"]] == [r["id"] for r in prenoms_before["resources"]]


def test_two_sources_never_take_over_each_others_datasets(harvest, feed_server):
    url = feed_server.add("/catalog.ttl", feed(record(1)))
    org1 = commune_org()
    org2 = commune_org(name="ville-de-colmar", title="Ville de Colmar", insee="68066")
    s1 = harvest.source(url, org1["id"], name="source-1")
    s2 = harvest.source(url + "?copie", org2["id"], name="source-2")
    feed_server.add("/catalog.ttl?copie", feed(record(1)))
    harvest.run(s1["id"])
    harvest.run(s2["id"])
    assert list(harvest.datasets(org1["id"])) == ["Jeu numéro 1"]
    assert list(harvest.datasets(org2["id"])) == ["Jeu numéro 1"]


def test_harvested_datasets_go_through_package_create_hooks(harvest, feed_server):
    """Datasets and resources are created by the normal actions: the Solr index (an IPackageController
    hook of core) and the activity stream see them like any other dataset."""
    import ckan.plugins.toolkit as tk

    url = feed_server.add("/catalog.ttl", feed(record(1)))
    org = commune_org()
    harvest.run(harvest.source(url, org["id"])["id"])
    found = tk.get_action("package_search")({"ignore_auth": True}, {
        "q": "numéro", "fq": f"owner_org:{org['id']} AND res_format:CSV"})
    assert found["count"] == 1


@pytest.mark.ckan_config("ckan.plugins", "activity harvest dcat scheming_datasets scheming_organizations "
                                         "grandest_metadata grandest_validation grandest_dcat_harvester")
def test_harvested_resources_are_queued_for_validation_like_any_other(harvest, feed_server):
    """With grandest_validation enabled, every harvested resource gets its validation run, because the
    harvester creates datasets with the normal actions (the plugin's IPackageController hooks fire)."""
    from ckan import model

    from ckanext.grandest.validation.model import ValidationRun

    url = feed_server.add("/catalog.ttl", feed(record(1), record(2)))
    org = commune_org()
    harvest.run(harvest.source(url, org["id"])["id"])
    resources = [r["id"] for d in harvest.datasets(org["id"]).values() for r in d["resources"]]
    assert len(resources) == 2
    queued = {r.resource_id for r in model.Session.query(ValidationRun).filter(
        ValidationRun.resource_id.in_(resources))}
    assert queued == set(resources)


@pytest.fixture
def breaking_harvester_extension():
    """A real ``IDCATRDFHarvester`` extension whose ``after_create`` raises for the record titled « Jeu numéro
    3 »: it fails after ``package_create`` has written the dataset and its activity, in the record's
    transaction, which ckanext-harvest (not the import) commits on CKAN 2.12. Registered for the test only."""
    import ckan.plugins as p
    from ckan.plugins import core

    from ckanext.dcat.interfaces import IDCATRDFHarvester

    class Breaking(p.SingletonPlugin):
        p.implements(IDCATRDFHarvester, inherit=True)

        def after_create(self, harvest_object, package_dict, temp_dict):
            if package_dict.get("title") == "Jeu numéro 3":
                raise RuntimeError("extension en panne")
            return None

    core._PLUGINS_SERVICE["test_breaking_harvester"] = Breaking()
    try:
        yield
    finally:
        core._PLUGINS_SERVICE.pop("test_breaking_harvester", None)


def test_a_record_failing_after_its_dataset_is_written_leaves_nothing_and_the_next_go_in(
        harvest, feed_server, breaking_harvester_extension):
    """The third of five records breaks after its dataset, activity and « to index » mark were written but before
    the record's commit: none of them is kept (no dataset, not even deleted; no activity), the object is an
    error, and the records before and after it are complete: datasets, activities, current harvest objects,
    found by the search when the job ends."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 6))))
    org = commune_org()
    source = harvest.source(url, org["id"])
    report = harvest.run(source["id"])
    assert stats(report)["added"] == 4 and stats(report)["errored"] == 1
    assert any("extension en panne" in e for e in object_errors(report)), object_errors(report)
    titles = {t for (t,) in model.Session.query(model.Package.title).filter(model.Package.owner_org == org["id"],
                                                                         model.Package.type == "dataset")}
    assert titles == {"Jeu numéro 1", "Jeu numéro 2", "Jeu numéro 4", "Jeu numéro 5"}  # any state
    datasets = harvest.datasets(org["id"])
    activities = {title: [a["activity_type"] for a in tk.get_action("package_activity_list")(
        {"ignore_auth": True}, {"id": dataset["id"], "include_hidden_activity": True})]
        for title, dataset in datasets.items()}
    assert activities == {title: ["new package"] for title in datasets}
    for dataset in datasets.values():
        current = model.Session.query(HarvestObject).filter(HarvestObject.package_id == dataset["id"],
                                                            HarvestObject.current == True).all()  # noqa: E712
        assert len(current) == 1 and current[0].state == "COMPLETE"
    broken = model.Session.query(HarvestObject).filter(
        HarvestObject.guid == "http://portail.example.org/dataset/3").one()
    assert broken.state == "ERROR" and broken.package_id is None and not broken.current
    found = tk.get_action("package_search")({"ignore_auth": True}, {"fq": f"owner_org:{org['id']}", "rows": 10})
    assert {d["title"] for d in found["results"]} == set(datasets)
    # the next job retries the record (the extension repaired): it goes in
    core_plugins = __import__("ckan.plugins.core", fromlist=["_PLUGINS_SERVICE"])
    core_plugins._PLUGINS_SERVICE.pop("test_breaking_harvester")
    report = harvest.run(source["id"])
    assert stats(report)["added"] == 1 and stats(report)["errored"] == 0
    assert "Jeu numéro 3" in harvest.datasets(org["id"])


def test_a_record_imported_outside_the_queue_is_committed(harvest, feed_server):
    """``harvest_objects_import`` (``ckan harvester import``) calls the import stage directly and commits nothing
    after it: the record is committed by the import itself (only ckanext-harvest's queue commits it for us)."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject

    url = feed_server.add("/catalog.ttl", feed(record(1), record(2)))  # the second one stays waiting
    org = commune_org()
    source = harvest.source(url, org["id"])
    harvest.action("harvest_job_create", source_id=source["id"], run=True)
    gather = queue.get_gather_consumer()
    queue.gather_callback(gather, *gather.basic_get(queue=queue.get_gather_queue_name()))
    obj_id = model.Session.query(HarvestObject.id).filter(
        HarvestObject.guid == "http://portail.example.org/dataset/1").scalar()
    queue.purge_queues()  # never fetched by the queue
    count = tk.get_action("harvest_objects_import")(
        {"user": harvest.admin["name"], "join_datasets": False}, {"harvest_object_id": obj_id})
    assert count == 1
    model.Session.remove()  # what was not committed is gone
    assert set(harvest.datasets(org["id"])) == {"Jeu numéro 1"}
    assert model.Session.get(HarvestObject, obj_id).current is True
