"""``ckan grandest onboarding ...`` run as a real command (subprocess) on the test slot's database."""
from __future__ import annotations

import datetime

import pytest

from tests.live import run_cli, write_ini
from tests.onboarding.conftest import PLUGINS, REGIONAL, make_request, onboarding_config, quota_of


@pytest.fixture
def ini(tmp_path, storage, clean_db):
    return write_ini(tmp_path / "cli.ini", {"ckan.plugins": PLUGINS, "ckan.storage_path": str(storage),
                                            "ckanext.grandest.regional_admins": REGIONAL})


@onboarding_config
class TestCli:
    def test_list_and_expire(self, ini, smtp_server, ckan_config):
        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest

        stale = make_request()
        make_request("67130")
        model.Session.get(CommuneRequest, stale["id"]).confirm_expires = \
            datetime.datetime.utcnow() - datetime.timedelta(days=1)
        model.Session.commit()
        out = run_cli(ini, "grandest", "onboarding", "requests")
        assert out.returncode == 0, out.stderr
        assert "2 request(s)" in out.stdout and "Schirmeck" in out.stdout and "Erstein" in out.stdout
        n = len(smtp_server.messages)
        out = run_cli(ini, "grandest", "onboarding", "expire", smtp=ckan_config["smtp.server"])
        assert out.returncode == 0, out.stderr
        assert "1 request(s) expired" in out.stdout and stale["id"] in out.stdout
        mails = smtp_server.wait_for(n + 1)[n:]
        assert any("a expiré" in m["Subject"] for m in mails)  # French, with absolute links, from the CLI
        out = run_cli(ini, "grandest", "onboarding", "requests", "--state", "expired")
        assert "1 request(s)" in out.stdout

    def test_quota_show_and_set(self, ini, commune_admin):
        org = commune_admin["org"]
        out = run_cli(ini, "grandest", "onboarding", "quota", org["name"], "--max-storage-mb", "2", "--max-datasets",
                      "10")
        assert out.returncode == 0, out.stderr
        assert "datasets 0 / 10" in out.stdout
        q = quota_of(org["id"])
        assert q["limits"]["max_storage_bytes"] == 2 << 20 and q["limits"]["max_datasets"] == 10
        out = run_cli(ini, "grandest", "onboarding", "quota", "nexiste-pas")
        assert out.returncode != 0 and "not found" in out.stderr
        out = run_cli(ini, "grandest", "onboarding", "quota", org["name"], "--tier", "platine")
        assert out.returncode != 0

    def test_reconcile_reports_and_fixes_drift(self, ini, app, commune_admin):
        from ckan import model

        from ckanext.grandest.onboarding.model import OrgQuota
        from tests.onboarding.conftest import upload

        org, token = commune_admin["org"], commune_admin["token"]
        ds = app.post("/api/3/action/package_create", json={"name": "jeu", "owner_org": org["id"]},
                      headers={"Authorization": token}).json["result"]
        upload(app, token, b"z" * 3000, package_id=ds["id"], status=200)
        row = model.Session.get(OrgQuota, org["id"])
        row.bytes_used = 1
        model.Session.commit()
        out = run_cli(ini, "grandest", "onboarding", "reconcile", "--dry-run")
        assert out.returncode == 0, out.stderr
        assert "1 with drift" in out.stdout and "bytes 1 -> 3000" in out.stdout and "not fixed" in out.stdout
        assert "Organizations" in out.stdout + out.stderr  # the progress bar
        out = run_cli(ini, "grandest", "onboarding", "reconcile")
        assert "(fixed)" in out.stdout
        assert quota_of(org["id"])["usage"]["bytes_used"] == 3000
        out = run_cli(ini, "grandest", "onboarding", "reconcile")
        assert "0 with drift" in out.stdout
