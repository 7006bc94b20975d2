"""Quality scores as W3C DQV measurements.

The score actions are grandest_validation's (``grandest_dataset_score_show``, ``grandest_resource_score_show``).
Most tests here use a test double of those two actions, registered for the test only, that answers in the
validation plugin's documented shape with scores computed by its real engine (so the figures are realistic
without running validation jobs); the last test loads the real grandest_validation plugin.
"""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD, Namespace

from tests.dcat.conftest import PLUGINS, commune_org, minimal_dataset, rich_dataset

DQV = Namespace("http://www.w3.org/ns/dqv#")
PROV = Namespace("http://www.w3.org/ns/prov#")
BASE = "http://test.datagrandest.example"
SCORED_AT = "2026-11-20T08:30:00"


@pytest.fixture
def score_double(monkeypatch, with_plugins):
    """Registers the two score actions (test double) in CKAN's action registry, for one test."""
    import ckan.plugins.toolkit as tk
    from ckan import logic
    from ckanext.grandest.validation.engine import score_dataset_data, score_metadata, score_resource

    calls = {"dataset": 0, "resource": 0}
    unknown: set[str] = set()

    def dataset_show(context, data_dict):
        calls["dataset"] += 1
        if data_dict["id"] in unknown:
            raise tk.ObjectNotFound("no such dataset")
        pkg = logic.get_action("package_show")({"ignore_auth": True}, {"id": data_dict["id"]})
        res_scores = [score_resource(None, resource=r, dataset=pkg, availability=True) for r in pkg["resources"]]
        return {
            "package_id": pkg["id"], "metadata_score": score_metadata(pkg),
            "data_score": score_dataset_data(res_scores) if res_scores else None, "has_broken": False,
            "scored_at": SCORED_AT,
            "resources": [{"resource_id": r["id"], "name": r["name"], "status": "valid",
                           "data_total": s["total"], "data_band": s["band"]}
                          for r, s in zip(pkg["resources"], res_scores)],
        }

    def resource_show(context, data_dict):
        calls["resource"] += 1
        return {"resource_id": data_dict["id"], "data_score": {"total": 50, "max": 100}, "scored_at": SCORED_AT}

    logic.get_action("package_search")  # build the registry first
    monkeypatch.setitem(logic._actions, "grandest_dataset_score_show", dataset_show)
    monkeypatch.setitem(logic._actions, "grandest_resource_score_show", resource_show)
    return calls, unknown


def feed(app) -> Graph:
    return Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")


def measurements(g: Graph, node) -> dict[str, Literal]:
    out = {}
    for m in g.objects(node, DQV.hasQualityMeasurement):
        assert (m, RDF.type, DQV.QualityMeasurement) in g
        assert g.value(m, DQV.computedOn) == node
        metric = g.value(m, DQV.isMeasurementOf)
        assert (metric, RDF.type, DQV.Metric) in g and g.value(metric, SKOS.prefLabel) is not None
        assert g.value(m, PROV.generatedAtTime) == Literal(SCORED_AT, datatype=XSD.dateTime)
        out[str(metric)[len(BASE) + len("/dcat/quality/"):]] = g.value(m, DQV.value)
    return out


def test_scores_as_dqv(app, clean_db, clean_index, score_double):
    from ckan import logic
    from ckanext.grandest.validation.engine import score_metadata

    calls, _ = score_double
    org = commune_org()
    ds = rich_dataset(org["id"])
    g = feed(app)
    d = URIRef(f"{BASE}/dataset/{ds['id']}")
    got = measurements(g, d)
    metadata = score_metadata(logic.get_action("package_show")({"ignore_auth": True}, {"id": ds["id"]}))
    assert got["metadata"] == Literal(str(metadata["total"]), datatype=XSD.decimal)
    # one measurement per MQA dimension, each with its dimension
    for dim in metadata["dimensions"]:
        assert got[f"metadata/{dim['key']}"] == Literal(str(dim["points"]).rstrip("0").rstrip(".")
                                                        if "." in str(dim["points"]) else str(dim["points"]),
                                                        datatype=XSD.decimal)
        metric = URIRef(f"{BASE}/dcat/quality/metadata/{dim['key']}")
        assert (g.value(metric, DQV.inDimension), RDF.type, DQV.Dimension) in g
    assert "data" in got
    # every distribution carries its data score, read from the dataset's scores (no call per resource)
    for res in ds["resources"]:
        res_got = measurements(g, URIRef(f"{BASE}/dataset/{ds['id']}/resource/{res['id']}"))
        assert set(res_got) == {"data"}
    assert calls == {"dataset": 1, "resource": 0}
    metric = URIRef(f"{BASE}/dcat/quality/metadata")
    assert "405" in str(g.value(metric, SKOS.definition))


def test_dqv_output_conforms(app, clean_db, clean_index, score_double):
    import pyshacl

    from tests.dcat.test_shacl import SHAPES

    org = commune_org()
    rich_dataset(org["id"])
    minimal_dataset(org["id"])
    conforms, _, text = pyshacl.validate(feed(app), shacl_graph=Graph().parse(SHAPES), inference="none")
    assert conforms, text


def test_unscored_dataset_has_no_measurement(app, clean_db, clean_index, score_double):
    _, unknown = score_double
    org = commune_org()
    ds = minimal_dataset(org["id"])
    unknown.add(ds["id"])
    g = feed(app)
    assert measurements(g, URIRef(f"{BASE}/dataset/{ds['id']}")) == {}


@pytest.mark.ckan_config("ckanext.grandest.dcat.quality", "false")
def test_scores_can_be_left_out(app, clean_db, clean_index, score_double):
    calls, _ = score_double
    org = commune_org()
    rich_dataset(org["id"])
    assert (None, DQV.hasQualityMeasurement, None) not in feed(app)
    # the dataset's validation results are still read once, to decide dct:conformsTo (issue #12)
    assert calls == {"dataset": 1, "resource": 0}


def test_no_validation_no_scores(app, clean_db, clean_index, with_plugins):
    org = commune_org()
    rich_dataset(org["id"])
    assert (None, DQV.hasQualityMeasurement, None) not in feed(app)


@pytest.mark.ckan_config("ckan.plugins", PLUGINS + " grandest_validation")
def test_with_the_real_validation_plugin(app, clean_db, clean_index, with_plugins):
    """The real actions: a dataset not scored yet gets no measurement, and the feed stays conformant."""
    import pyshacl
    from ckan import logic

    from tests.dcat.test_shacl import SHAPES

    org = commune_org()
    ds = rich_dataset(org["id"])
    result = logic.get_action("grandest_dataset_score_show")({"ignore_auth": True}, {"id": ds["id"]})
    g = feed(app)
    found = list(g.objects(URIRef(f"{BASE}/dataset/{ds['id']}"), DQV.hasQualityMeasurement))
    assert bool(found) == bool(result.get("metadata_score") or result.get("data_score"))
    conforms, _, text = pyshacl.validate(g, shacl_graph=Graph().parse(SHAPES), inference="none")
    assert conforms, text
