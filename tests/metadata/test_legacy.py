"""An existing portal keeps working: datasets made before the Grand Est schema still display and stay
editable once the plugin is on, and ``ckan grandest metadata audit`` lists those the schema would reject."""
from __future__ import annotations

import csv

import pytest

from tests.helpers import api_post
from tests.live import run_cli, write_ini
from tests.metadata.conftest import SCHEMA_CONFIG, commune_org, dataset_dict


def _switch_on_the_schema(ckan_config, monkeypatch):
    """Turn the plugin (and scheming) on in a running test, as an operator would by editing ckan.plugins."""
    import ckan.plugins as p
    from ckan import model

    for key, value in SCHEMA_CONFIG.items():
        monkeypatch.setitem(ckan_config, key, value)
    if "_license_register" in vars(model.Package):
        del model.Package._license_register
    p.unload_all()
    p.load_all()


@pytest.fixture
def legacy(clean_db, clean_index, reset_licences):
    """A dataset and an organization created with CKAN's default schema (plugin off)."""
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(name="ancienne-orga", title="Ancienne organisation")
    ctx = {"user": sysadmin["name"]}
    ok = call_action("package_create", context=dict(ctx), name="ancien-jeu", title="Un ancien jeu de données", owner_org=org["id"],
                     notes="Publié avant le schéma Grand Est.", license_id="cc-by",
                     tags=[{"name": "ancien"}], extras=[{"key": "source_interne", "value": "SIG"}],
                     resources=[{"url": "https://example.org/a.csv", "format": "CSV"}])
    bad = call_action("package_create", context=dict(ctx), name="jeu-a-corriger", title="Jeu à corriger", owner_org=org["id"],
                      license_id="other-at", tags=[{"name": "ab"}],
                      extras=[{"key": "theme", "value": "environnement"}],
                      resources=[{"url": "https://example.org/b", "format": "Esri REST"}])
    return sysadmin, org, ok, bad


@pytest.mark.ckan_config("ckan.plugins", "activity")
class TestDatasetsFromBeforeTheSchema:
    def test_they_display_and_stay_editable(self, legacy, ckan_config, monkeypatch, make_app):
        sysadmin, org, ok, bad = legacy
        _switch_on_the_schema(ckan_config, monkeypatch)
        app = make_app()
        token = sysadmin["token"]
        headers = {"Authorization": token}

        for name in ("ancien-jeu", "jeu-a-corriger"):
            shown = api_post(app, "package_show", token, id=name)["result"]
            assert shown["name"] == name
            assert app.get(f"/dataset/{name}", headers=headers).status_code == 200
            assert app.get(f"/dataset/edit/{name}", headers=headers).status_code == 200
        # the search index still holds the datasets as validated by the old schema: the operator rebuilds it
        # once after turning the plugin on (README), then lists and facets use the new fields
        from ckan.lib.search import rebuild
        rebuild()
        shown = api_post(app, "package_show", token, id="jeu-a-corriger")["result"]
        assert shown["theme"] == ["environnement"]  # an old free-text value is shown as it is, as a list
        page = app.get("/dataset/jeu-a-corriger", headers=headers).get_data(as_text=True)
        assert "Jeu à corriger" in page
        assert app.get("/dataset/", headers=headers).status_code == 200
        assert app.get("/organization/ancienne-orga", headers=headers).status_code == 200
        assert app.get("/organization/about/ancienne-orga", headers=headers).status_code == 200

        # the valid one can be edited as it is; extras outside the schema are kept
        updated = api_post(app, "package_patch", token, id="ancien-jeu", title="Un ancien jeu, modifié")["result"]
        assert updated["title"] == "Un ancien jeu, modifié"
        assert {"key": "source_interne", "value": "SIG"} in updated["extras"]
        assert not updated.get("territories")  # never invented on update

        # the other one says what to fix, field by field, and is saved once fixed
        errors = api_post(app, "package_patch", token, status=409, id="jeu-a-corriger", title="Jeu corrigé")["error"]
        assert set(errors) >= {"notes", "license_id", "theme", "tags"}
        assert "Thème inconnu" in errors["theme"][0]
        assert "n'est pas reconnue par data.gouv.fr" in errors["license_id"][0]
        fixed = api_post(app, "package_patch", token, id="jeu-a-corriger", title="Jeu corrigé",
                         notes="Description ajoutée lors de la mise en conformité.", license_id="lov2",
                         theme=["ENVI"], tags=[{"name": "environnement"}],
                         resources=[{"url": "https://example.org/b", "format": "JSON"}])["result"]
        assert fixed["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/ENVI"]
        # an organization without actor type must choose one on its next edit
        errors = api_post(app, "organization_patch", token, status=409, id="ancienne-orga", title="X")["error"]
        assert errors["actor_type"] == ["Valeur manquante"]


@pytest.mark.ckan_config("ckan.plugins", "activity")
class TestAudit:
    def test_audit_lists_what_the_schema_would_reject(self, legacy, ckan_config, monkeypatch, make_app,
                                                      tmp_path):
        from click.testing import CliRunner

        sysadmin, org, ok, bad = legacy
        _switch_on_the_schema(ckan_config, monkeypatch)
        app = make_app()
        from ckanext.grandest.metadata.cli import audit_command

        out = tmp_path / "audit.csv"
        with app.flask_app.test_request_context():
            result = CliRunner().invoke(audit_command, ["--csv", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "jeu-a-corriger (ancienne-orga) — Jeu à corriger" in result.output
        assert "ancien-jeu (" not in result.output
        assert "2 jeu(x) de données vérifié(s), 1 serai(en)t refusé(s) par le schéma Grand Est." in result.output
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert {r["dataset"] for r in rows} == {"jeu-a-corriger"}
        by_field = {r["field"]: r for r in rows}
        assert by_field["notes"]["label"] == "Description" and by_field["notes"]["message"] == "Valeur manquante"
        assert "Thème inconnu" in by_field["theme"]["message"]
        assert "n'est pas reconnue par data.gouv.fr" in by_field["license_id"]["message"]
        assert any(f.startswith("resources[0]") and "Format de fichier inconnu" in r["message"]
                   for f, r in by_field.items())
        assert any(f.startswith("tags") for f in by_field)
        # nothing was changed
        from ckan.tests.helpers import call_action
        assert call_action("package_show", id="jeu-a-corriger")["license_id"] == "other-at"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_ckan_command(tmp_path):
    """``ckan grandest metadata audit`` as an operator runs it (a real ckan process, IClick registration)."""
    from ckan.tests import factories

    org = commune_org()
    factories.Dataset(**dataset_dict(org["id"]))
    ini = write_ini(tmp_path / "audit.ini", SCHEMA_CONFIG)
    out = tmp_path / "audit.csv"
    proc = run_cli(ini, "grandest", "metadata", "audit", "--csv", str(out), timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "1 jeu(x) de données vérifié(s), 0 serai(en)t refusé(s)" in proc.stdout
    assert out.read_text(encoding="utf-8").splitlines() == ["dataset,title,organization,field,label,message"]
    help_ = run_cli(ini, "grandest", "--help", timeout=180)
    assert "metadata" in help_.stdout
