"""Fixtures of the harvesting tests.

* Every test here runs with the Grand Est schemas, ckanext-harvest, ckanext-dcat and grandest_dcat_harvester
  (markers added below; a test can override any option with its own ``ckan_config`` marker). Feeds on
  127.0.0.1 are allowed explicitly (``ckanext.grandest.harvest.allow_loopback``), as the option says: tests only.
* ``feed_server``: a real ``http.server`` on 127.0.0.1 (a thread) serving the feeds of ``feeds/`` and whatever
  a test adds (bytes, a generator streamed without ever being held in memory, redirects, status codes).
* ``harvest``: creates sources and runs jobs through the real ckanext-harvest queue functions on Redis:
  ``harvest_job_create`` puts the job on the gather queue, ``gather_callback`` / ``fetch_callback`` consume
  the messages as ``ckan harvester gather-consumer`` / ``fetch-consumer`` do, ``harvest_jobs_run`` closes
  the job.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.harvest.helpers import REGIONAL_ADMIN, FeedServer, Harvest

PLUGINS = ("activity harvest dcat scheming_datasets scheming_organizations grandest_metadata "
           "grandest_dcat_harvester")
HARVEST_CONFIG = {
    "ckan.plugins": PLUGINS,
    "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
    "licenses_group_url": "",
    "ckanext.grandest.harvest.allow_loopback": "true",
    "ckanext.grandest.regional_admins": REGIONAL_ADMIN,
}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            for key, value in reversed(list(HARVEST_CONFIG.items())):
                item.add_marker(pytest.mark.ckan_config(key, value), append=False)


@pytest.fixture
def feed_server():
    server = FeedServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def harvest(clean_db, clean_index):
    from ckanext.harvest import queue

    queue.purge_queues()
    h = Harvest()
    yield h
    queue.purge_queues()
