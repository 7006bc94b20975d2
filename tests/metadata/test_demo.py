"""The dev portal's demo content (dev/demo.json, loaded by dev/demo.py) follows the Grand Est schemas."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.metadata.conftest import PLUGINS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.parametrize("first_run", [
    # the schemas alone: the demo loads without the other plugins
    "demo content: 10 new, 0 updated object(s); 6 dataset(s)",
    # with grandest_onboarding, as in dev/portal: hosting tiers set (2 updates) and 2 commune requests queued
    pytest.param("demo content: 12 new, 2 updated object(s); 6 dataset(s)",
                 marks=pytest.mark.ckan_config("ckan.plugins", PLUGINS + " grandest_onboarding")),
], ids=["metadata", "with-onboarding"])
def test_demo_content_loads_and_reloads(live_server, smtp_server, first_run):
    from ckan.tests import factories

    token = factories.SysadminWithToken()["token"]
    cmd = [sys.executable, str(ROOT / "dev" / "demo.py"), "--url", live_server.url, "--token", token]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first_run in first.stdout, first.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert "demo content: 0 new, 0 updated object(s); 6 dataset(s)" in again.stdout, again.stdout + again.stderr

    if "grandest_onboarding" in requests.get(live_server.url + "/api/3/action/status_show",
                                             timeout=30).json()["result"]["extensions"]:
        auth = {"Authorization": token}
        quota = requests.get(live_server.url + "/api/3/action/grandest_quota_show", headers=auth,
                             params={"id": "commune-de-schirmeck"}, timeout=30).json()["result"]
        assert quota["tier"] == "free" and quota["usage"]["datasets_used"] == 1 and quota["usage"]["bytes_used"] > 0
        queue = requests.get(live_server.url + "/api/3/action/grandest_commune_request_list", headers=auth,
                             params={"state": "open"}, timeout=30).json()["result"]
        assert {(r["commune_name"], r["state"]) for r in queue["results"]} == {
            ("Aydoilles", "awaiting_confirmation"), ("Troyes", "pending_review")}
        assert any("aydoilles-vosges@wanadoo.fr" in env["to"] for env in smtp_server.envelopes)

    api = live_server.url + "/api/3/action/"
    org = requests.get(api + "organization_show", params={"id": "commune-de-ribeauville"}, timeout=30).json()["result"]
    assert org["actor_type"] == "commune" and org["siren"] == "216802694" and org["population"] == 4901
    pkg = requests.get(api + "package_show", params={"id": "qualite-air-grand-est"}, timeout=30).json()["result"]
    assert pkg["territories"] == ["region:44"] and len(pkg["theme"]) == 2
    facets = requests.get(api + "package_search", params={"facet.field": '["vocab_grandest_commune"]'},
                          timeout=30).json()["result"]["search_facets"]["vocab_grandest_commune"]["items"]
    assert {i["display_name"] for i in facets} == {"Ribeauvillé (68)", "Schirmeck (67)", "Strasbourg (67)"}
