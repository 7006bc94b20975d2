"""The stack is real: PostgreSQL, Solr, Redis + CKAN's worker, SMTP, as the portal runs them."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import api_post

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.usefixtures("clean_db", "clean_index")
class TestSearchIsSolr:
    def test_dataset_created_through_the_api_is_found_by_package_search(self, app, sysadmin_with_token):
        from ckan.tests import factories

        org = factories.Organization(name="commune-de-test", title="Commune de Test")
        token = sysadmin_with_token["token"]
        created = api_post(app, "package_create", token, name="budget-2026", title="Budget primitif 2026",
                           owner_org=org["id"], notes="Budget voté par le conseil municipal.")
        assert created["success"]

        found = api_post(app, "package_search", q="primitif")["result"]
        assert found["count"] == 1
        assert found["results"][0]["name"] == "budget-2026"

        # and it really is Solr that answers: the document is in the test core, under the test site_id
        import ckan.plugins.toolkit as tk

        solr = tk.config["solr_url"]
        docs = requests.get(f"{solr}/select", params={"q": "name:budget-2026", "wt": "json"}, timeout=10).json()
        assert docs["response"]["numFound"] == 1
        assert docs["response"]["docs"][0]["site_id"] == tk.config["ckan.site_id"]
        assert tk.config["ckan.site_id"].startswith("grandest_test")

    def test_organization_page_renders_its_dataset_count(self, app):
        from ckan.tests import factories

        org = factories.Organization(name="ville-de-metz", title="Ville de Metz")
        factories.Dataset(owner_org=org["id"], title="Parkings relais")
        factories.Dataset(owner_org=org["id"], title="Horaires des piscines")

        from ckan.tests.helpers import call_action

        assert call_action("organization_show", id=org["id"])["package_count"] == 2
        page = app.get("/organization/ville-de-metz").body
        assert "Parkings relais" in page and "Horaires des piscines" in page
        assert "2 jeux de données trouvés" in page  # French by default (ckan.locale_default = fr)

    def test_solr_schema_is_ckans(self):
        import ckan.plugins.toolkit as tk

        name = requests.get(tk.config["solr_url"] + "/schema/name", params={"wt": "json"}, timeout=10).json()
        import ckan

        major_minor = ".".join(ckan.__version__.split(".")[:2])
        assert name["name"] == f"ckan-{major_minor}"


@pytest.mark.usefixtures("clean_db")
def test_a_job_enqueued_through_ckan_is_executed_by_the_worker(tmp_path, ckan_config):
    """`ckan jobs worker` (a separate process, as in production) runs what CKAN enqueued in Redis."""
    import shutil

    import ckan.lib.jobs as jobs
    import ckan.plugins.toolkit as tk

    src, dst = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("bonjour", encoding="utf-8")
    job = tk.enqueue_job(shutil.copyfile, [str(src), str(dst)], title="copie de test")
    assert job.get_status() == "queued"
    assert jobs.get_queue().count >= 1

    env = dict(os.environ)
    env.update({"CKAN_SQLALCHEMY_URL": ckan_config["sqlalchemy.url"], "CKAN_REDIS_URL": ckan_config["ckan.redis.url"],
                "CKAN_SOLR_URL": ckan_config["solr_url"], "CKAN_SITE_ID": ckan_config["ckan.site_id"]})
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ckan"), "-c", str(ROOT / "test.ini"), "jobs", "worker", "--burst"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    deadline = time.time() + 10
    while not dst.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert dst.read_text(encoding="utf-8") == "bonjour"
    job.refresh()
    assert job.get_status() == "finished"


def test_a_mail_sent_by_ckan_reaches_the_smtp_server(smtp_server):
    from ckan.lib.mailer import mail_recipient

    mail_recipient("Mairie de Ribeauvillé", "mairie@ribeauville.example",
                   "Votre demande d'adhésion", "Bonjour,\nvotre demande a été reçue.")
    (msg,) = smtp_server.wait_for(1)
    assert msg["To"].addresses[0].addr_spec == "mairie@ribeauville.example"
    assert msg["Subject"] == "Votre demande d'adhésion"
    assert "votre demande a été reçue" in smtp_server.body(msg)
    assert smtp_server.envelopes[0]["to"] == ["mairie@ribeauville.example"]
