"""Issue #12: no false conformity claim in DCAT. A distribution is ``dct:conformsTo`` its schema only when its
latest validation (the REAL worker) against that schema passed; a failing file keeps its DQV measurements and
cites the declared schema without claiming conformity; the graph passes the DCAT-AP 3 SHACL shapes; udata's
reading finds no schema on the failing file."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace

from tests.dcat import udata_reader
from tests.validation.conftest import PLUGINS, make_dataset, upload
from tests.validation.engine.conftest import DELIB_HEADER, delib_row, failing_subventions_csv
from tests.validation.conftest import csv_text

DCT = Namespace("http://purl.org/dc/terms/")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
SHAPES = Path(__file__).parents[1] / "dcat" / "shapes" / "dcat-ap_3_shacl_shapes.ttl"
SUBV = URIRef("https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json")

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage"),
    pytest.mark.ckan_config("ckan.plugins", "dcat " + PLUGINS + " grandest_dcat"),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 grandest_dcat_ap"),
]


def test_a_failing_file_is_not_claimed_conformant(org, run_worker, app):
    import pyshacl

    dataset = make_dataset(org["id"], name="subventions-2024")
    bad = upload(dataset["id"], failing_subventions_csv(), "subventions.csv", format="CSV",
                 schema="scdl/subventions", schema_version="2.1.1")
    good = upload(dataset["id"], csv_text(DELIB_HEADER, [delib_row(DELIB_ID=f"2024-{i}") for i in range(3)]),
                  "deliberations.csv", format="CSV", schema="scdl/deliberations")
    run_worker()
    g = Graph().parse(data=app.get(f"/dataset/{dataset['id']}.ttl").body, format="turtle")
    dists = {str(g.value(d, DCT.identifier)): d for d in g.subjects(DCT.identifier, None) if (d, DCT.title, None) in g}
    bad_dist, good_dist = dists[bad["id"]], dists[good["id"]]
    # the failing file: no claim, the declared schema cited by a quality annotation, its measurements exported
    assert (bad_dist, DCT.conformsTo, None) not in g
    ann = g.value(bad_dist, DQV.hasQualityAnnotation)
    assert g.value(ann, DCT.references) == SUBV
    assert "a échoué : 0,0 % des lignes conformes" in str(g.value(ann, OA.bodyValue))
    assert (bad_dist, DQV.hasQualityMeasurement, None) in g
    # the passing file is claimed, on the dataset too (and only the passing one)
    good_std = g.value(good_dist, DCT.conformsTo)
    assert good_std is not None and "scdl/deliberations" in str(good_std)
    assert set(g.objects(None, DCT.conformsTo)) == {good_std}
    # DCAT-AP 3 SHACL shapes: zero violation
    conforms, _, text = pyshacl.validate(g, shacl_graph=Graph().parse(SHAPES), inference="none", advanced=True,
                                         allow_warnings=True)
    assert conforms, text
    # what data.gouv.fr (udata) reads as each resource's schema
    assert udata_reader.read_distribution(g, bad_dist)["schema"] is None
    assert udata_reader.read_distribution(g, good_dist)["schema"] == str(good_std)


def test_a_registry_schema_added_as_a_file_exports_the_portal_url_of_its_file(org, run_worker, app, ckan_config):
    import io
    import json

    from werkzeug.datastructures import FileStorage

    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    factories.User(name="regional-admin")
    schema = {"name": "bornes", "title": "Bornes de recharge", "version": "1.0.0",
              "fields": [{"name": "id_borne", "type": "string", "constraints": {"required": True}},
                         {"name": "puissance_kw", "type": "number"}]}
    call_action("grandest_schema_registry_add", context={"user": "regional-admin"}, publisher="Région Grand Est",
                upload=FileStorage(stream=io.BytesIO(json.dumps(schema).encode()), filename="bornes.json"))
    dataset = make_dataset(org["id"], name="bornes-de-recharge")
    res = upload(dataset["id"], csv_text(["id_borne", "puissance_kw"], [["B1", "22"], ["B2", "7.4"]]), "bornes.csv",
                 format="CSV", schema="datagrandest/bornes")
    run_worker()
    g = Graph().parse(data=app.get(f"/dataset/{dataset['id']}.ttl").body, format="turtle")
    dist = next(d for d in g.subjects(DCT.identifier, None) if str(g.value(d, DCT.identifier)) == res["id"])
    url = ckan_config["ckan.site_url"].rstrip("/") + "/schemas/datagrandest/bornes/1.0.0/schema.json"
    assert g.value(dist, DCT.conformsTo) == URIRef(url)
    served = app.get("/schemas/datagrandest/bornes/1.0.0/schema.json")  # anyone (data.gouv.fr) can read it
    assert served.json == schema
    app.get("/schemas/datagrandest/bornes/9.9.9/schema.json", status=404)
