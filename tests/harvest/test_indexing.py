"""Search indexing of harvested datasets by batches (harvest/indexing.py, issue #15), on the real Solr core.

Every test reads the index with ``package_search`` (no explicit Solr commit): what a visitor would find when
the job ends. Small batches (``index_batch_size`` 2) so that a job of a few records spans several batches.
"""
from __future__ import annotations

import pytest

from tests.harvest import helpers
from tests.harvest.helpers import commune_org, consume, feed, stats

pytestmark = pytest.mark.ckan_config("ckanext.grandest.harvest.index_batch_size", "2")


def batching() -> bool:
    from ckanext.grandest.harvest import indexing

    return indexing.batching()


def record(n: int, title: str | None = None) -> bytes:
    return helpers.record(n, title, label="Jeu indexé")


def search(org_id: str, q: str = "*:*") -> dict[str, str]:
    """Titles found by package_search among the organization's datasets, with their ids."""
    import ckan.plugins.toolkit as tk

    found = tk.get_action("package_search")({"ignore_auth": True}, {"q": q, "fq": f"owner_org:{org_id}",
                                                                     "rows": 1000})
    return {d["title"]: d["id"] for d in found["results"]}


def pending_marks() -> int:
    from ckan import model

    from ckanext.grandest.harvest.indexing import PENDING_KEY
    from ckanext.harvest.model import HarvestObjectExtra

    return model.Session.query(HarvestObjectExtra).filter(HarvestObjectExtra.key == PENDING_KEY).count()


def test_every_harvested_dataset_is_searchable_when_the_job_ends(harvest, feed_server):
    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 8))))
    org = commune_org()
    source = harvest.source(url, org["id"])
    report = harvest.run(source["id"])
    assert stats(report)["added"] == 7
    found = search(org["id"])
    assert set(found) == {f"Jeu indexé {i}" for i in range(1, 8)} == set(harvest.datasets(org["id"]))
    # indexed with their harvest source (ckanext-harvest's before_dataset_index hook ran)
    import ckan.plugins.toolkit as tk

    by_source = tk.get_action("package_search")({"ignore_auth": True}, {
        "fq": f'harvest_source_id:"{source["id"]}"', "rows": 100})
    assert by_source["count"] == 7
    assert pending_marks() == 0


def test_a_broken_record_in_the_middle_keeps_no_other_out_of_the_search(harvest, feed_server):
    """The third of five records fails inside ``package_create`` (its name was taken between the gather and the
    import: the action refuses it and the import rolls it back); the four others are indexed."""
    import json

    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 6))))
    org = commune_org()
    source = harvest.source(url, org["id"])
    job = harvest.action("harvest_job_create", source_id=source["id"], run=True)
    consume("gather")
    third = model.Session.query(HarvestObject).filter(
        HarvestObject.guid == "http://portail.example.org/dataset/3").one()
    tk.get_action("package_create")({"user": harvest.admin["name"], "ignore_auth": True}, {
        "name": json.loads(third.content)["name"], "title": "Jeu saisi à la main", "license_id": "lov2",
        "notes": "Un jeu créé dans le portail entre la lecture du flux et l'import.", "owner_org": org["id"]})
    consume("fetch")
    harvest.action("harvest_jobs_run", source_id=source["id"])
    job = harvest.action("harvest_job_show", id=job["id"])
    assert job["stats"]["added"] == 4 and job["stats"]["errored"] == 1
    assert set(search(org["id"])) == {"Jeu indexé 1", "Jeu indexé 2", "Jeu indexé 4", "Jeu indexé 5",
                                      "Jeu saisi à la main"}
    assert pending_marks() == 0


def test_datasets_are_searchable_batch_by_batch_while_a_consumer_imports_them(harvest, feed_server):
    """The fetch consumer imports objects one by one: each full batch is indexed at once, the rest when the
    job's last object is imported, before ``harvest_jobs_run`` finishes the job."""
    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 6))))
    org = commune_org()
    source = harvest.source(url, org["id"])
    harvest.action("harvest_job_create", source_id=source["id"], run=True)
    consume("gather")
    seen: list[int] = []
    consume("fetch", after_each=lambda: seen.append(len(search(org["id"]))))
    if batching():  # CKAN 2.12
        assert seen == [0, 2, 2, 4, 5]
    else:  # CKAN 2.11 indexes each record at its commit (Solr's auto soft commit may show some earlier)
        assert seen[-1] == 5
    harvest.action("harvest_jobs_run", source_id=source["id"])
    assert len(search(org["id"])) == 5 and pending_marks() == 0


def test_harvest_jobs_run_indexes_what_a_job_left_waiting(harvest, feed_server):
    """Objects that never reach the import (a job aborted, ``run-test --force-import`` skipping some) leave the
    last batch short: finishing the job indexes it."""
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject

    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 5))))
    org = commune_org()
    source = harvest.source(url, org["id"])
    harvest.action("harvest_job_create", source_id=source["id"], run=True)
    consume("gather")
    consume("fetch", limit=3)  # the fourth object stays waiting
    if batching():  # CKAN 2.12 (2.11 indexes each record at its commit, and commits Solr in harvest_jobs_run)
        assert len(search(org["id"])) == 2 and pending_marks() == 1
    waiting = model.Session.query(HarvestObject).filter(HarvestObject.state == "WAITING").one()
    waiting.state = "ERROR"  # given up, as ckanext-harvest does after too many retries
    waiting.save()
    harvest.action("harvest_jobs_run", source_id=source["id"])
    assert len(search(org["id"])) == 3 and pending_marks() == 0
    queue.purge_queues()


def test_a_reharvest_updates_the_index_and_removes_deleted_records(harvest, feed_server):
    url = feed_server.add("/catalog.ttl", feed(record(1), record(2), record(3)))
    org = commune_org()
    source = harvest.source(url, org["id"])
    harvest.run(source["id"])
    before = search(org["id"])
    assert set(before) == {"Jeu indexé 1", "Jeu indexé 2", "Jeu indexé 3"}
    # record 1 changes its title, record 2 leaves the feed, record 4 arrives
    feed_server.add("/catalog.ttl", feed(record(1, title="Jeu renommé 1"), record(3), record(4)))
    report = harvest.run(source["id"])
    assert stats(report) == {"added": 1, "updated": 1, "not modified": 1, "errored": 0, "deleted": 1}
    after = search(org["id"])
    assert set(after) == {"Jeu renommé 1", "Jeu indexé 3", "Jeu indexé 4"}
    assert after["Jeu renommé 1"] == before["Jeu indexé 1"]  # the same dataset, updated in place
    assert search(org["id"], q="renommé") == {"Jeu renommé 1": before["Jeu indexé 1"]}
    assert pending_marks() == 0


@pytest.mark.ckan_config("ckan.search.solr_commit", "false")
def test_without_solr_commits_the_datasets_are_sent_and_a_commit_makes_them_searchable(harvest, feed_server):
    """With ``ckan.search.solr_commit = false`` the harvester commits nothing itself, as CKAN's actions: the
    datasets are in the index, visible at Solr's next commit."""
    from ckan.lib import search as ckan_search

    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 4))))
    org = commune_org()
    harvest.run(harvest.source(url, org["id"])["id"])
    ckan_search.commit()
    assert len(search(org["id"])) == 3 and pending_marks() == 0


def test_the_activity_and_the_index_hold_the_dataset_as_package_show_gives_it(harvest, feed_server):
    """A new record is dictized once for its « new package » activity and its search document (CKAN 2.12:
    harvest/indexing.py): both hold exactly what ``package_show`` gives from the database when the job ends."""
    import json

    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search as ckan_search
    from ckanext.activity.model import Activity

    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 4))))
    org = commune_org()
    harvest.run(harvest.source(url, org["id"])["id"])
    def comparable(dataset: dict) -> dict:
        # extras come in no fixed order; ckanext-harvest adds its references to the indexed copy only (its
        # before_dataset_index)
        added = {"harvest_object_id", "harvest_source_id", "harvest_source_title"}
        return dict(dataset, extras=sorted((e["key"], e["value"]) for e in dataset.get("extras", [])
                                           if e["key"] not in added))

    found = search(org["id"])
    assert len(found) == 3
    for package_id in found.values():
        fresh = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False}, {"id": package_id})
        assert fresh["resources"] and fresh["territories"]
        indexed = json.loads(ckan_search.show(package_id)["validated_data_dict"])
        assert comparable(indexed) == comparable(fresh)
        activity = model.Session.query(Activity).filter_by(object_id=package_id, activity_type="new package").one()
        assert comparable(activity.data["package"]) == comparable(fresh)


def test_a_dataset_changed_between_its_import_and_its_batch_is_indexed_as_changed(harvest, feed_server):
    """A clerk corrects a harvested dataset after its import and before its batch is indexed: the search holds the
    correction, not the dictionary kept from the import."""
    import ckan.plugins.toolkit as tk

    url = feed_server.add("/catalog.ttl", feed(*(record(i) for i in range(1, 4))))
    org = commune_org()
    source = harvest.source(url, org["id"])
    harvest.action("harvest_job_create", source_id=source["id"], run=True)
    consume("gather")
    consume("fetch", limit=1)  # record 1 imported; on CKAN 2.12 its batch (2) is not full yet
    first = harvest.datasets(org["id"])["Jeu indexé 1"]
    tk.get_action("package_patch")({"user": harvest.admin["name"]}, {"id": first["id"],
                                                                      "title": "Jeu corrigé à la main"})
    consume("fetch")  # records 2 and 3: the batch of records 1 and 2 is indexed, then record 3
    harvest.action("harvest_jobs_run", source_id=source["id"])
    found = search(org["id"])
    assert set(found) == {"Jeu corrigé à la main", "Jeu indexé 2", "Jeu indexé 3"}
    assert found["Jeu corrigé à la main"] == first["id"]
    assert search(org["id"], q="corrigé") == {"Jeu corrigé à la main": first["id"]}
