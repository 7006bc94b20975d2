"""grandest_validation loads on its own (no scheming, no grandest_metadata) on a stock CKAN: the declared schema
is then a plain resource extra. The job is called directly here (the worker runs it in test_jobs.py)."""
from __future__ import annotations

import pytest
import requests

from tests.validation.conftest import csv_text
from tests.validation.engine.conftest import DELIB_HEADER, delib_row

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "grandest_validation"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage"),
]


def test_the_plugin_works_alone_on_stock_ckan(app, http_server, clean_queue):
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    from ckanext.grandest.validation import jobs
    from ckanext.grandest.validation.model import ResourceQuality

    base, www = http_server
    (www / "deliberations.csv").write_text(csv_text(DELIB_HEADER, [delib_row(), delib_row(COLL_SIRET="1")]),
                                           encoding="utf-8")
    user = factories.Sysadmin()
    org = factories.Organization()
    context = {"user": user["name"]}
    dataset = call_action("package_create", context=dict(context), name="stock", owner_org=org["id"],
                          notes="Un jeu de données sans les schémas du Grand Est.")
    res = call_action("resource_create", context=dict(context), package_id=dataset["id"],
                      url=f"{base}/deliberations.csv", format="CSV", schema="scdl/deliberations")
    from ckan import model

    row = model.Session.get(ResourceQuality, res["id"])
    assert row.status == "pending"
    assert [j.args for j in clean_queue.jobs if j.func_name.endswith("validate_resource")] == [[row.run_id]]

    assert jobs.validate_resource(row.run_id) == "failure"
    model.Session.expire_all()
    row = model.Session.get(ResourceQuality, res["id"])
    assert row.digest["schema"]["id"] == "scdl/deliberations"
    assert row.data_total is not None
    docs = requests.get(tk.config["solr_url"] + "/select", timeout=10, params={
        "q": f"id:{dataset['id']}", "fq": "grandest_data_band:*", "wt": "json"}).json()
    assert docs["response"]["numFound"] == 1
    body = app.get(f"/dataset/stock/resource/{res['id']}/validation", status=200).body
    assert "Numéro SIRET invalide" in body
    assert "grandest-score" in app.get("/dataset/stock").body
