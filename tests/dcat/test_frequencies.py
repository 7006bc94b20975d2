"""The one frequency table (``dcat/frequencies.py``): every frequency of the schema exported and harvested back
is the same frequency; data.gouv.fr's frequency ids are read the same way by the export and the harvest;
« Ponctuelle » (data.gouv.fr ``punctual``, EU ``AS_NEEDED``) is an irregular frequency, not « Jamais »."""
from __future__ import annotations

import pytest
from rdflib import Graph

from ckanext.grandest.dcat import frequencies
from ckanext.grandest.dcat.mapping import frequency_uri
from ckanext.grandest.dcat.parse.terms import match_frequency
from ckanext.grandest.metadata import vocabularies as voc
from tests.dcat import udata_reader
from tests.dcat.conftest import EU, commune_org, minimal_dataset

STORED = [t.value for t in voc.FREQUENCIES]


@pytest.mark.parametrize("value", STORED)
def test_every_frequency_exported_then_read_back_is_unchanged(value):
    exported = frequency_uri(value)
    assert exported == value
    assert match_frequency(exported) == value
    assert exported[len(EU + "frequency/"):] in udata_reader.EU_FREQUENCIES  # data.gouv.fr reads it


@pytest.mark.parametrize("udata_id, code", sorted(frequencies.DATAGOUV.items()))
def test_datagouv_ids_are_read_alike_by_the_export_and_the_harvest(udata_id, code):
    assert match_frequency(udata_id) == EU + "frequency/" + code
    assert frequency_uri(udata_id) == EU + "frequency/" + code


@pytest.mark.parametrize("text", ["punctual", "Ponctuelle", EU + "frequency/AS_NEEDED", "asNeeded"])
def test_punctual_is_irregular(text):
    assert match_frequency(text) == EU + "frequency/IRREG"
    assert frequency_uri(text) == EU + "frequency/IRREG"


def test_never_stays_never():
    assert match_frequency("never") == frequency_uri("never") == EU + "frequency/NEVER"
    assert match_frequency(EU + "frequency/NOT_PLANNED") == EU + "frequency/NEVER"


@pytest.mark.usefixtures("clean_db", "clean_index", "with_plugins")
def test_export_then_harvest_of_every_frequency(app):
    """Through the portal: the dataset's Turtle page, read by this suite's harvester and by data.gouv.fr."""
    from ckan.tests import helpers
    from ckanext.dcat.processors import RDFParser

    org = commune_org()
    ds = minimal_dataset(org["id"])
    for value in STORED:
        helpers.call_action("package_patch", id=ds["id"], frequency=value)
        body = app.get(f"/dataset/{ds['id']}.ttl").body
        parser = RDFParser(profiles=["euro_dcat_ap_3", "grandest_dcat_ap"])
        parser.parse(body, _format="ttl")
        assert [d.get("frequency") for d in parser.datasets()] == [value]
        graph = Graph().parse(data=body, format="turtle")
        assert [d["frequency"] for d in udata_reader.read_page(graph)] == [value[len(EU + "frequency/"):]]
