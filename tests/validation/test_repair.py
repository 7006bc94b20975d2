"""Automatic repairs with consent, through the API and the pages: who may preview/apply, the messy file made
valid in one step, the original kept and downloadable, the re-check by the real worker, ambiguous dates asked,
hostile files refused in French with nothing stored lost."""
from __future__ import annotations

import os
import re

import pytest

from tests.helpers import api_post
from tests.validation.conftest import act, make_dataset, upload
from tests.validation.engine.conftest import messy_subventions

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")

ROLES = ("anonymous", "member", "other_admin", "editor", "admin", "regional", "sysadmin")
EDITORS = {"editor", "admin", "sysadmin"}


def _stored(res_id: str) -> bytes:
    """The resource's file as its store holds it (local disk, or the configured storage of CKAN 2.12)."""
    from ckanext.grandest.common import filestore

    store = filestore.resource_files()
    return b"".join(store.chunks(store.location(res_id)))


def _kept(res_id: str) -> dict[str, bool]:
    """Which of the repair's files (``original``, ``repair.json``) the store holds for ``res_id``."""
    from ckanext.grandest.common import filestore

    store = filestore.resource_files()
    return {name: store.exists(store.aside("grandest_validation", "originals", res_id, name))
            for name in ("original", "repair.json")}


def _token(users, role):
    return None if role == "anonymous" else users[role]["token"]


def _csrf(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def messy(org, users):
    dataset = make_dataset(org["id"], name="subventions-2024")
    res = upload(dataset["id"], messy_subventions(), "subventions.csv", format="CSV", schema="scdl/subventions",
                 name="Subventions 2024")
    return {"dataset": dataset, "resource": res, "users": users}


class TestAuth:
    def test_the_preview_is_for_those_who_may_replace_the_file(self, app, messy):
        for role in ROLES:
            status = 200 if role in EDITORS else 403
            body = api_post(app, "grandest_repair_preview", _token(messy["users"], role), status=status,
                            id=messy["resource"]["id"])
            assert body["success"] is (status == 200), role
            if status == 200:
                assert body["result"]["counts"]["french-date"] == 2

    def test_applying_is_for_those_who_may_replace_the_file(self, app, messy):
        original = _stored(messy["resource"]["id"])
        for role in ("anonymous", "member", "other_admin", "regional"):
            body = api_post(app, "grandest_repair_apply", _token(messy["users"], role), status=403,
                            id=messy["resource"]["id"])
            assert body["success"] is False
            assert _stored(messy["resource"]["id"]) == original  # a refused request changed nothing
        done = api_post(app, "grandest_repair_apply", messy["users"]["editor"]["token"], id=messy["resource"]["id"])
        assert done["result"]["change_count"] > 0
        for role in ("admin", "sysadmin"):  # allowed, but there is nothing left to repair: said in French
            body = api_post(app, "grandest_repair_apply", _token(messy["users"], role), status=409,
                            id=messy["resource"]["id"])
            assert body["error"]["repair"] == ["Aucune réparation automatique n'est nécessaire pour ce fichier."]


class TestApply:
    def test_the_messy_file_is_repaired_in_one_step_kept_and_checked_again(self, app, org, users, file_store, messy,
                                                                             run_worker):
        res_id = messy["resource"]["id"]
        run_worker()
        before = act("grandest_resource_validation_show", id=res_id)
        assert before["status"] == "failure"

        admin = messy["users"]["admin"]
        preview = api_post(app, "grandest_repair_preview", admin["token"], id=res_id)["result"]
        assert preview["ok"] and not preview["ambiguous_dates"]
        labels = {k["kind"]: k["label"] for k in preview["kinds"]}
        assert labels["decimal-comma"] == "Virgule décimale remplacée par un point dans les colonnes de nombres"
        assert {"kind": "french-date", "row": 3, "column": "dateConvention", "before": "5 avril 2024",
                "after": "2024-04-05", "label": labels["french-date"]} in preview["changes"]

        done = api_post(app, "grandest_repair_apply", admin["token"], id=res_id,
                        fingerprint=preview["fingerprint"])["result"]
        assert done["counts"] == preview["counts"]
        stored = _stored(res_id)
        assert stored.startswith(b"nomAttribuant,idAttribuant,dateConvention,")
        assert "Club de Pétanque".encode("utf-8") in stored
        resource = act("resource_show", id=res_id)
        assert resource["url"].endswith("/subventions.csv") and resource["size"] == len(stored)

        # the re-check runs (real worker) and the file is now valid against its schema
        assert act("grandest_resource_validation_show", id=res_id)["status"] == "pending"
        run_worker()
        after = act("grandest_resource_validation_show", id=res_id)
        assert after["status"] == "success", after["report"]["errors"]
        assert after["report"]["status"] == "valid"

        # the report lists what changed and the original is downloadable, byte for byte
        page = app.get(f"/dataset/subventions-2024/resource/{res_id}/validation", status=200).body
        assert "Dernière réparation automatique" in page
        assert "Dates écrites sous la forme normalisée AAAA-MM-JJ : 2" in page
        original = app.get(f"/dataset/subventions-2024/resource/{res_id}/repair/original", status=200)
        assert original.data == messy_subventions()
        assert "original-subventions.csv" in original.headers["Content-Disposition"]
        # kept in the resources' own store, under a location of its own: the resource's key holds the repaired file
        assert _kept(res_id) == {"original": True, "repair.json": True}
        if file_store.kind != "local" or not file_store.files.local_path("x"):
            keys = file_store.keys()
            assert f"grandest_validation/originals/{res_id}/original" in keys, keys
            assert file_store.read(res_id) == stored

    def test_the_page_offers_the_preview_and_applies_on_consent(self, app, messy, run_worker):
        from tests.onboarding.conftest import login

        res_id = messy["resource"]["id"]
        run_worker()
        assert "Voir les réparations automatiques" not in app.get(
            f"/dataset/subventions-2024/resource/{res_id}/validation").body  # anonymous: no offer
        client = app.test_client()
        login(client, messy["users"]["editor"]["name"])  # a browser's session (cookies), not an API token
        report = client.get(f"/dataset/subventions-2024/resource/{res_id}/validation").get_data(as_text=True)
        assert "Voir les réparations automatiques" in report
        page = client.get(f"/dataset/subventions-2024/resource/{res_id}/repair").get_data(as_text=True)
        assert "Accepter ces réparations" in page and "31/01/2024" in page and "2024-01-31" in page
        fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', page).group(1)
        # without the CSRF token the form is refused and nothing changes
        refused = client.post(f"/dataset/subventions-2024/resource/{res_id}/repair", data={"fingerprint": fingerprint})
        assert refused.status_code in (400, 403)
        assert _stored(res_id) == messy_subventions()
        resp = client.post(f"/dataset/subventions-2024/resource/{res_id}/repair",
                           data={"fingerprint": fingerprint, "_csrf_token": _csrf(page)}, follow_redirects=False)
        assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/resource/{res_id}/validation")
        assert _stored(res_id).startswith(b"nomAttribuant,")
        report = client.get(resp.headers["Location"]).get_data(as_text=True)
        flash = re.search(r"(?s)flash-messages\">(.*?)</div>", report).group(1)
        assert "Le fichier a été réparé (17 changements)" in flash, flash

    def test_a_stale_preview_is_refused(self, app, messy):
        body = api_post(app, "grandest_repair_apply", messy["users"]["admin"]["token"], status=409,
                        id=messy["resource"]["id"], fingerprint="2001-01-01|1")
        assert "a changé depuis" in body["error"]["repair"][0]
        assert _stored(messy["resource"]["id"]) == messy_subventions()

    def test_deleting_the_resource_removes_the_original(self, app, org, users, file_store, messy):
        res_id = messy["resource"]["id"]
        api_post(app, "grandest_repair_apply", messy["users"]["admin"]["token"], id=res_id)
        assert _kept(res_id) == {"original": True, "repair.json": True}
        act("resource_delete", id=res_id)
        assert _kept(res_id) == {"original": False, "repair.json": False}
        assert app.get(f"/dataset/subventions-2024/resource/{res_id}/repair/original", status=404)
        store = file_store.files
        if store.local_path("x"):  # a local disk: the folder went too
            assert not os.path.exists(os.path.dirname(store.aside("grandest_validation", "originals", res_id, "x")))
        else:
            prefix = f"grandest_validation/originals/{res_id}/"
            assert not [k for k in file_store.keys() if k.startswith(prefix)], file_store.keys()


class TestAmbiguousDates:
    CSV = "COLL_NOM,DATE\nA,01/02/2024\nB,03/04/2024\n"

    def test_ambiguous_dates_are_asked_and_changed_only_with_a_choice(self, app, org, users):
        dataset = make_dataset(org["id"], name="dates")
        res = upload(dataset["id"], self.CSV.replace(",", ";"), "dates.csv", format="CSV")
        token = users["admin"]["token"]
        preview = api_post(app, "grandest_repair_preview", token, id=res["id"])["result"]
        assert preview["ambiguous_dates"][0]["column"] == "DATE"
        assert "peuvent se lire jour en premier ou mois en premier" in preview["ambiguous_dates"][0]["message"]
        assert "french-date" not in preview["counts"]
        page = app.get(f"/dataset/dates/resource/{res['id']}/repair",
                       headers={"Authorization": token}).body
        assert 'name="date_order-DATE"' in page and "Laisser ces dates inchangées" in page

        api_post(app, "grandest_repair_apply", token, id=res["id"], date_orders={"DATE": "dmy"})
        assert _stored(res["id"]) == b"COLL_NOM,DATE\r\nA,2024-02-01\r\nB,2024-04-03\r\n"

    def test_a_bad_choice_is_a_french_validation_error(self, app, org, users):
        dataset = make_dataset(org["id"], name="dates")
        res = upload(dataset["id"], self.CSV, "dates.csv", format="CSV")
        body = api_post(app, "grandest_repair_apply", users["admin"]["token"], status=409, id=res["id"],
                        date_orders={"DATE": "ymd"})
        assert "Valeur inconnue" in body["error"]["date_orders"][0]
        assert _stored(res["id"]) == self.CSV.encode()


class TestHostileInput:
    @pytest.mark.parametrize("content, message", [
        (bytes(range(256)) * 40, "n'est pas un tableau CSV lisible"),
        ("nom\nÉcole\n".encode() + "Mairie d'Épinal\n".encode("cp1252"), "mélange deux encodages"),
    ])
    def test_refused_in_french_and_nothing_lost(self, app, org, users, content, message):
        dataset = make_dataset(org["id"], name="hostile")
        res = upload(dataset["id"], content, "donnees.csv", format="CSV")
        token = users["admin"]["token"]
        preview = api_post(app, "grandest_repair_preview", token, id=res["id"])["result"]
        assert message in preview["message"]
        body = api_post(app, "grandest_repair_apply", token, status=409, id=res["id"])
        assert message in body["error"]["repair"][0]
        assert _stored(res["id"]) == content

    def test_a_file_too_large_is_refused(self, app, org, users, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.grandest.validation.max_download_mb", "1")
        dataset = make_dataset(org["id"], name="hostile")
        content = ("nom;montant\n" + "A;1,5\n" * 200_000).encode()  # 1.2 MB
        res = upload(dataset["id"], content, "donnees.csv", format="CSV")
        body = api_post(app, "grandest_repair_apply", users["admin"]["token"], status=409, id=res["id"])
        assert "trop volumineux" in body["error"]["repair"][0]
        assert _stored(res["id"]) == content

    def test_a_link_cannot_be_repaired(self, app, org, users):
        dataset = make_dataset(org["id"], name="lien")
        res = act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        body = api_post(app, "grandest_repair_apply", users["admin"]["token"], status=409, id=res["id"])
        assert "déposés sur le portail" in body["error"]["repair"][0]
