"""Quotas hold under concurrency: 20 uploads in parallel (threads, each its own HTTP connection) against a
real CKAN server (threaded: one database session per request) on the real PostgreSQL, into an organization
whose storage is nearly full. Not one byte may go over."""
from __future__ import annotations

import os

import pytest
import requests

from tests.helpers import parallel
from tests.onboarding.conftest import MiB, onboarding_config, quota_of, set_quota

N = 20


@onboarding_config
@pytest.mark.live_server(threaded=True)  # one thread (and database session) per request: parallel requests
class TestConcurrency:
    def test_parallel_uploads_never_overshoot_the_storage_quota(self, live_server, commune_admin):
        from ckan.tests import factories

        org, token = commune_admin["org"], commune_admin["token"]
        set_quota(org["id"], max_storage_mb=1)
        datasets = [factories.Dataset(owner_org=org["id"], name=f"jeu-{i}") for i in range(N + 1)]
        # nearly full: 100 KiB left
        api = f"{live_server.url}/api/3/action"
        filler = requests.post(f"{api}/resource_create", headers={"Authorization": token},
                               data={"package_id": datasets[N]["id"], "name": "Remplissage"},
                               files={"upload": ("remplissage.csv", b"f" * (MiB - 100 * 1024))}, timeout=60)
        assert filler.status_code == 200, filler.text
        size = 30 * 1024  # 3 fit in what is left, not 4

        def upload(i):
            return lambda: requests.post(
                f"{api}/resource_create", headers={"Authorization": token},
                data={"package_id": datasets[i]["id"], "name": f"Fichier {i}", "size": "1"},
                files={"upload": (f"fichier-{i}.csv", bytes([65 + i]) * size)}, timeout=120)

        responses, spans = parallel([upload(i) for i in range(N)])
        ok = [r for r in responses if r.status_code == 200]
        refused = [r for r in responses if r.status_code == 409]
        assert len(ok) == 3 and len(refused) == N - 3, [r.status_code for r in responses]
        assert all("espace de stockage" in r.json()["error"]["upload"][0] for r in refused)
        # they really ran at the same time
        assert max(s[0] for s in spans) < min(s[1] for s in spans)

        usage = quota_of(org["id"])["usage"]["bytes_used"]
        assert usage == MiB - 100 * 1024 + 3 * size <= MiB
        # the ledger is the truth of the disk: the files stored are exactly the accepted ones
        on_disk = 0
        for root, _dirs, files in os.walk(live_server.storage / "resources"):
            for f in files:
                assert not f.endswith("~") and "~" not in f, f"temporary file left: {f}"
                on_disk += os.path.getsize(os.path.join(root, f))
        assert on_disk == usage
        for r in ok:
            res = r.json()["result"]
            assert res["size"] == size and os.path.getsize(stored_path_in(live_server, res["id"])) == size

    def test_parallel_dataset_creations_never_overshoot_the_dataset_quota(self, live_server, commune_admin):
        org, token = commune_admin["org"], commune_admin["token"]
        set_quota(org["id"], max_datasets=5)

        def create(i):
            return lambda: requests.post(f"{live_server.url}/api/3/action/package_create",
                                         headers={"Authorization": token},
                                         json={"name": f"parallele-{i}", "owner_org": org["id"]}, timeout=120)

        responses, _ = parallel([create(i) for i in range(N)])
        codes = sorted(r.status_code for r in responses)
        assert codes.count(200) == 5 and codes.count(409) == N - 5, codes
        assert quota_of(org["id"])["usage"]["datasets_used"] == 5


def stored_path_in(live_server, resource_id):
    return os.path.join(live_server.storage, "resources", resource_id[0:3], resource_id[3:6], resource_id[6:])
