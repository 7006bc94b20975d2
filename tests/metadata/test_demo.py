"""The dev portal's demo content (dev/demo.json, loaded by dev/demo.py) follows the Grand Est schemas."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_demo_content_loads_and_reloads(live_server):
    from ckan.tests import factories

    token = factories.SysadminWithToken()["token"]
    cmd = [sys.executable, str(ROOT / "dev" / "demo.py"), "--url", live_server.url, "--token", token]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "demo content: 7 new, 0 updated object(s); 4 dataset(s)" in first.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert "demo content: 0 new, 0 updated object(s); 4 dataset(s)" in again.stdout, again.stdout + again.stderr

    api = live_server.url + "/api/3/action/"
    org = requests.get(api + "organization_show", params={"id": "commune-de-ribeauville"}, timeout=30).json()["result"]
    assert org["actor_type"] == "commune" and org["siren"] == "216802694" and org["population"] == 4901
    pkg = requests.get(api + "package_show", params={"id": "qualite-air-grand-est"}, timeout=30).json()["result"]
    assert pkg["territories"] == ["region:44"] and len(pkg["theme"]) == 2
    facets = requests.get(api + "package_search", params={"facet.field": '["vocab_grandest_commune"]'},
                          timeout=30).json()["result"]["search_facets"]["vocab_grandest_commune"]["items"]
    assert {i["display_name"] for i in facets} == {"Ribeauvillé (68)", "Strasbourg (67)"}
