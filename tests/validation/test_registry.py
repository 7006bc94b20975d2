"""The schema registry: ``ckan grandest validation schemas sync`` from a copy of schema.data.gouv.fr's catalogue
served on 127.0.0.1, a synced schema outside the shipped set actually checked by the real worker, and the
regional admins' actions (add by URL or file, list, show, delete) with their French refusals."""
from __future__ import annotations

import io
import json

import pytest

from ckanext.grandest.common import schema_catalog as sc
from tests.helpers import api_post
from tests.validation.conftest import act, csv_text, make_dataset, upload

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")

IRVE = "etalab/schema-irve-statique"
COVOIT = "etalab/schema-lieux-covoiturage"
DELIB = "scdl/deliberations"
DAE = "atlasante/schema-dae"


def irve_schema(version: str, *, with_power: bool = True) -> dict:
    """A small Table Schema in the shape of IRVE statique (test fixture written for these tests: the real
    schema has some 50 fields)."""
    fields = [
        {"name": "nom_amenageur", "description": "Dénomination sociale de l'aménageur.", "type": "string",
         "constraints": {"required": True}},
        {"name": "siren_amenageur", "description": "SIREN de l'aménageur, 9 chiffres.", "example": "130025265",
         "type": "string", "constraints": {"required": True, "pattern": "^\\d{9}$"}},
        {"name": "id_pdc_itinerance", "description": "Identifiant du point de recharge.", "type": "string",
         "constraints": {"required": True, "unique": True}},
        {"name": "date_mise_en_service", "description": "Date de mise en service.", "type": "date"},
    ]
    if with_power:
        fields.append({"name": "puissance_nominale", "description": "Puissance maximale en kW.",
                       "type": "number", "constraints": {"required": True, "minimum": 0}})
    return {"$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
            "name": "schema-irve-statique", "title": "IRVE statique", "version": version, "fields": fields}


def _entry(name: str) -> dict:
    data = json.loads((sc.shipped_dir() / "catalogue-schema-data-gouv.json").read_text(encoding="utf-8"))
    return next(e for e in data["schemas"] if e["name"] == name)


def _serve(www, url: str, body: bytes) -> None:
    path = www / url.split("https://schema.data.gouv.fr/", 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


@pytest.fixture
def catalogue(http_server):
    """A copy of the catalogue (four Table Schemas, unchanged entries) served on 127.0.0.1 like a mirror of
    schema.data.gouv.fr: IRVE statique 2.3.0 and 2.3.1 (its version 2.2.1 is missing: 404), the latest
    délibérations only, nothing at all for covoiturage (a shipped schema) nor for the DAE (not shipped)."""
    base, www = http_server
    irve, delib, covoit = _entry(IRVE), _entry(DELIB), _entry(COVOIT)
    irve["versions"] = [v for v in irve["versions"] if v["version_name"] in ("2.2.1", "2.3.0", "2.3.1")]
    catalogue = {"$schema": "https://opendataschema.frictionlessdata.io/0.1.0/schema-catalog.json", "version": 1,
                 "schemas": [irve, delib, covoit, _entry(DAE), _entry("etalab/schema-bal")]}  # bal: "other", not downloaded
    (www / "schemas.json").write_text(json.dumps(catalogue), encoding="utf-8")
    for version in ("2.3.0", "2.3.1"):
        url = next(v["schema_url"] for v in irve["versions"] if v["version_name"] == version)
        _serve(www, url, json.dumps(irve_schema(version, with_power=version == "2.3.1")).encode())
    _serve(www, delib["versions"][-1]["schema_url"], (sc.shipped_dir() / "scdl_deliberations.json").read_bytes())
    return base, www


def run(app, cli, *args: str):
    from ckanext.grandest.validation.cli import grandest

    with app.flask_app.test_request_context():
        result = cli.invoke(grandest, ["validation", "schemas", *args], catch_exceptions=False)
    from ckan import model

    model.Session.expire_all()
    return result


def _row(schema_id: str):
    from ckan import model

    from ckanext.grandest.validation.model import RegistrySchema

    model.Session.expire_all()
    return model.Session.get(RegistrySchema, schema_id)


def _versions(schema_id: str) -> dict[str, dict]:
    from ckan import model

    from ckanext.grandest.validation.model import RegistryVersion

    return {v.version: v.descriptor for v in model.Session.query(RegistryVersion).filter_by(schema_id=schema_id)}


class TestSync:
    def test_sync_keeps_every_version_and_reports_failures_per_schema(self, app, cli, catalogue):
        base, _www = catalogue
        result = run(app, cli, "sync", "--base-url", base)
        assert result.exit_code == 0, result.output
        # a summary in French, one line per schema with a problem
        assert "Catalogue des schémas synchronisé" in result.output, result.output
        assert f"ÉCHEC {DAE} :" in result.output and f"PARTIEL {IRVE} :" in result.output
        assert "3 schémas utilisables, 2 nouvelles versions, 1 en échec (sur 4 Table Schemas)" in result.output
        assert "code HTTP 404" in result.output
        irve = _row(IRVE)
        assert irve.publisher == "transport.data.gouv.fr" and irve.title == "IRVE statique"
        assert irve.source == "catalogue" and irve.latest_version == "2.3.1" and irve.synced_at
        assert set(_versions(IRVE)) == {"2.3.0", "2.3.1"}
        assert len(_versions(IRVE)["2.3.0"]["fields"]) == 4 and len(_versions(IRVE)["2.3.1"]["fields"]) == 5
        assert "2.2.1" in irve.last_error  # the missing version is named
        # the stored URL is the catalogue's (not the mirror's): the DCAT export and the form link to it
        v231 = next(v for v in _entry(IRVE)["versions"] if v["version_name"] == "2.3.1")["schema_url"]
        from ckanext.grandest.dcat import mapping

        std = mapping.standard(IRVE, "2.3.1")
        assert std.url == v231 and std.url.startswith("https://schema.data.gouv.fr/")
        # a shipped schema whose download failed keeps its shipped version, with the error noted
        covoit = _row(COVOIT)
        assert covoit.source == "shipped" and covoit.last_error and _versions(COVOIT)
        assert _row(DELIB).publisher == "OpenDataFrance"
        assert _row("etalab/schema-bal") is None  # not a Table Schema: nothing to check files with
        # a schema without any file kept is listed with its error but not offered in the form
        dae = _row(DAE)
        assert dae.last_error and "404" in dae.last_error and not _versions(DAE)
        from ckanext.grandest.metadata.helpers import grandest_table_schema_choices

        choices = {c["value"]: c["label"]["fr"] for c in grandest_table_schema_choices()}
        assert DAE not in choices and "etalab/schema-bal" not in choices
        assert choices[IRVE] == f"IRVE statique — transport.data.gouv.fr ({IRVE})"
        assert choices[DELIB].endswith(f"— OpenDataFrance ({DELIB})")

    def test_a_failed_sync_never_erases_what_is_kept(self, app, cli, catalogue):
        base, www = catalogue
        assert run(app, cli, "sync", "--base-url", base).exit_code == 0
        kept = _versions(IRVE)
        for path in sorted(www.rglob("*.json"), reverse=True):
            if path.name != "schemas.json":
                path.write_text("<html>maintenance</html>", encoding="utf-8")
        result = run(app, cli, "sync", "--base-url", base)
        assert result.exit_code == 0, result.output
        assert _versions(IRVE) == kept

    def test_everything_failing_exits_non_zero_with_a_french_message(self, app, cli, http_server):
        base, _www = http_server  # no schemas.json: 404
        result = run(app, cli, "sync", "--base-url", base)
        assert result.exit_code == 1
        assert "Catalogue des schémas non synchronisé" in result.output, result.output
        # the shipped schemas were seeded all the same (offline)
        assert _row(DELIB) is not None and _row(DELIB).source == "shipped"

    def test_a_private_address_is_refused_without_allow_loopback(self, app, cli, catalogue, ckan_config,
                                                                  monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.grandest.validation.allow_loopback", "false")
        base, _www = catalogue
        result = run(app, cli, "sync", "--base-url", base)
        assert result.exit_code == 1 and "Catalogue des schémas non synchronisé" in result.output, result.output
        assert "127.0.0.1" in result.output, result.output
        assert _row(IRVE) is None


def test_a_synced_schema_outside_the_shipped_set_is_checked_by_the_worker(app, cli, catalogue, org, run_worker):
    base, _www = catalogue
    assert sc.shipped_file(IRVE) is None  # not shipped
    assert run(app, cli, "sync", "--base-url", base).exit_code == 0
    header = ["nom_amenageur", "siren_amenageur", "id_pdc_itinerance", "date_mise_en_service", "puissance_nominale"]
    rows = [["Régie de Ribeauvillé", "216802693", "FRA68E680210015", "2024-03-01", "22"],
            ["Régie de Ribeauvillé", "2168", "FRA68E680210016", "2024-03-01", "22"],  # SIREN too short
            ["Régie de Ribeauvillé", "216802693", "FRA68E680210017", "2024-03-01", "-3"]]  # negative power
    dataset = make_dataset(org["id"], name="bornes-de-recharge")
    res = upload(dataset["id"], csv_text(header, rows), "irve.csv", format="CSV", schema=IRVE)
    old = upload(dataset["id"], csv_text(header[:4], [r[:4] for r in rows[:1]]), "irve-2-3-0.csv", format="CSV",
                 schema=IRVE, schema_version="2.3.0")
    run_worker()
    from ckan.tests.helpers import call_action

    report = call_action("grandest_resource_validation_show", id=res["id"])["report"]
    assert report["schema"]["source"] == "national" and report["schema"]["id"] == IRVE
    assert report["schema"]["fields"] == 5 and report["schema"]["version"] == "2.3.1"
    assert report["schema"]["publisher"] == "transport.data.gouv.fr"
    assert report["status"] == "invalid"
    columns = {e.get("column") for e in report["errors"]}
    assert {"siren_amenageur", "puissance_nominale"} <= columns, report["errors"]
    # the declared (older) version is the one checked: 4 fields, no power column expected
    old_report = call_action("grandest_resource_validation_show", id=old["id"])["report"]
    assert old_report["schema"]["version"] == "2.3.0" and old_report["schema"]["fields"] == 4
    assert old_report["status"] == "valid", old_report["errors"]


# --- the regional admins' actions -----------------------------------------------------------------------------

ROLES = ("anonymous", "member", "other_admin", "admin", "regional", "sysadmin")
REGIONAL_ONLY = {"regional", "sysadmin"}


def _as(app, users, role: str, action: str, status: int = 200, **data):
    token = None if role == "anonymous" else users[role]["token"]
    return api_post(app, action, token, status=status, **data)


def _upload(app, users, role: str, body: bytes, status: int = 200, **data):
    token = users[role]["token"]
    form = {k: v for k, v in data.items()}
    form["upload"] = (io.BytesIO(body), "schema.json")
    resp = app.post("/api/3/action/grandest_schema_registry_add", data=form, headers={"Authorization": token},
                    status=status, content_type="multipart/form-data")
    return resp.json


class TestActions:
    def test_only_regional_admins_manage_the_registry(self, app, users, http_server):
        base, www = http_server
        (www / "irve.json").write_text(json.dumps(irve_schema("1.0.0")), encoding="utf-8")
        act_names = ("grandest_schema_registry_list", "grandest_schema_registry_add")
        for role in ROLES:
            allowed = role in REGIONAL_ONLY
            for action in act_names:
                data = {"url": f"{base}/irve.json", "id": f"datagrandest/bornes-{role}"} if action.endswith("add") else {}
                body = _as(app, users, role, action, 200 if allowed else 403, **data)
                assert body["success"] is allowed, (role, action, body)
        for role in ROLES:
            allowed = role in REGIONAL_ONLY
            body = _as(app, users, role, "grandest_schema_registry_show", 200 if allowed else 403,
                       id="datagrandest/bornes-regional")
            assert body["success"] is allowed, (role, body)
        for role in ROLES:  # delete last: each allowed role removes its own
            allowed = role in REGIONAL_ONLY
            target = f"datagrandest/bornes-{role}" if allowed else "datagrandest/bornes-regional"
            body = _as(app, users, role, "grandest_schema_registry_delete", 200 if allowed else 403, id=target)
            assert body["success"] is allowed, (role, body)
        assert _row("datagrandest/bornes-regional") is None and _row("datagrandest/bornes-sysadmin") is None

    def test_a_file_added_by_a_regional_admin_is_offered_and_checked(self, app, users):
        body = _upload(app, users, "regional", json.dumps(irve_schema("1.0.0")).encode(), publisher="Région Grand Est",
                       title="Bornes de recharge du Grand Est")
        result = body["result"]
        assert result["id"] == "datagrandest/schema-irve-statique" and result["source"] == "upload"
        assert result["publisher"] == "Région Grand Est" and result["versions"][0]["fields"] == 5
        from ckanext.grandest.metadata.helpers import grandest_table_schema_choices

        labels = {c["value"]: c["label"]["fr"] for c in grandest_table_schema_choices()}
        assert labels["datagrandest/schema-irve-statique"].startswith("Bornes de recharge du Grand Est — Région Grand Est")
        from ckanext.grandest.validation.engine import get_schema_info, load_schema

        assert get_schema_info("datagrandest/schema-irve-statique").available
        assert len(load_schema("datagrandest/schema-irve-statique")["fields"]) == 5

    @pytest.mark.parametrize("body, message", [
        (b"{\"fields\": [", "n'est pas un JSON valide"),
        (json.dumps({"type": "object", "properties": {"a": {}}}).encode(), "n'est pas un Table Schema"),
        (b"{\"fields\": [" + b"{\"name\": \"x\"}," * 300_000 + b"{\"name\": \"y\"}]}", "trop volumineux"),
    ])
    def test_bad_files_are_refused_in_french_and_lose_nothing(self, app, users, body, message):
        kept = _upload(app, users, "regional", json.dumps(irve_schema("1.0.0")).encode(),
                       id="datagrandest/bornes")["result"]
        refused = _upload(app, users, "regional", body, status=409, id="datagrandest/bornes", version="1.0.0")
        assert refused["success"] is False
        assert message in json.dumps(refused["error"], ensure_ascii=False), refused
        assert _versions("datagrandest/bornes") == {"1.0.0": irve_schema("1.0.0")}
        assert kept["versions"][0]["version"] == "1.0.0"

    def test_a_version_is_never_overwritten_with_other_content(self, app, users):
        _upload(app, users, "regional", json.dumps(irve_schema("1.0.0")).encode(), id="datagrandest/bornes")
        refused = _upload(app, users, "regional", json.dumps(irve_schema("1.0.0", with_power=False)).encode(),
                          status=409, id="datagrandest/bornes")
        assert "déjà dans le registre" in json.dumps(refused["error"], ensure_ascii=False)
        assert len(_versions("datagrandest/bornes")["1.0.0"]["fields"]) == 5

    @pytest.mark.parametrize("url", ["http://10.0.0.1/schema.json", "http://169.254.169.254/latest/meta-data",
                                     "file:///etc/passwd"])
    def test_hostile_urls_are_refused_in_french(self, app, users, url):
        refused = _as(app, users, "regional", "grandest_schema_registry_add", 409, url=url)
        assert refused["success"] is False
        text = json.dumps(refused["error"], ensure_ascii=False)
        assert "adresse" in text or "http" in text, text

    def test_loopback_is_refused_unless_allowed_by_config(self, app, users, http_server, ckan_config, monkeypatch):
        base, www = http_server
        (www / "s.json").write_text(json.dumps(irve_schema("1.0.0")), encoding="utf-8")
        monkeypatch.setitem(ckan_config, "ckanext.grandest.validation.allow_loopback", "false")
        refused = _as(app, users, "regional", "grandest_schema_registry_add", 409, url=f"{base}/s.json")
        assert "127.0.0.1" in json.dumps(refused["error"], ensure_ascii=False)
        monkeypatch.setitem(ckan_config, "ckanext.grandest.validation.allow_loopback", "true")
        assert _as(app, users, "regional", "grandest_schema_registry_add", url=f"{base}/s.json")["success"]

    def test_shipped_schemas_cannot_be_removed(self, app, users, cli):
        run(app, cli, "seed")
        refused = _as(app, users, "regional", "grandest_schema_registry_delete", 409, id=DELIB)
        assert "livrés avec le portail" in json.dumps(refused["error"], ensure_ascii=False)
        assert _versions(DELIB)

    def test_url_and_file_together_or_neither_are_refused(self, app, users):
        refused = _as(app, users, "regional", "grandest_schema_registry_add", 409)
        assert "soit l'adresse" in json.dumps(refused["error"], ensure_ascii=False)


class TestPage:
    def test_a_regional_admin_adds_a_schema_from_the_page(self, app, users, cli):
        from tests.validation.test_views import _csrf

        run(app, cli, "seed")
        regional = {"Authorization": users["regional"]["token"]}
        page = app.get("/schemas", headers=regional, status=200)
        assert "Schémas de données" in page.body and "Délibérations" in page.body and "OpenDataFrance" in page.body
        assert "livré avec le portail" in page.body
        home = app.get("/dataset/", headers=regional)
        assert 'href="/schemas"' in home.body  # linked from the header of the regional admin's pages
        bad = app.post("/schemas", headers=regional, status=400,
                       data={"_csrf_token": _csrf(page.body), "id": "datagrandest/bornes",
                             "upload": (io.BytesIO(b"pas du json"), "schema.json")},
                       content_type="multipart/form-data")
        assert "Le schéma n&#39;a pas été ajouté" in bad.body or "Le schéma n'a pas été ajouté" in bad.body
        assert "JSON valide" in bad.body and _row("datagrandest/bornes") is None
        done = app.post("/schemas", headers=regional, follow_redirects=True,
                        data={"_csrf_token": _csrf(page.body), "publisher": "Région Grand Est",
                              "upload": (io.BytesIO(json.dumps(irve_schema("1.0.0")).encode()), "schema.json")},
                        content_type="multipart/form-data")
        assert "est dans le registre" in done.body and "Région Grand Est" in done.body
        assert _row("datagrandest/schema-irve-statique").publisher == "Région Grand Est"

    @pytest.mark.parametrize("role", ["member", "admin", "other_admin"])
    def test_the_page_is_for_regional_admins(self, app, users, role):
        app.get("/schemas", headers={"Authorization": users[role]["token"]}, status=403)
        app.get("/schemas", status=403)
