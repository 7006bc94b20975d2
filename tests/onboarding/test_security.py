"""What the outside review of issue #14 found in onboarding, re-run through the API and the pages:
account takeover at approval, requester links (forged, expired, renewed), malformed input (4xx, never 500),
formula injection in the usage CSV, links checked even for regional admins."""
from __future__ import annotations

import datetime
import hashlib
import hmac

import pytest

from tests.onboarding.conftest import REGIONAL, onboarding_config, requester_token, set_quota

EMAIL = "claire.martin@example.org"
TOWNHALL = "secretariat@ville-schirmeck.fr"
FORM = {
    "insee_code": "67448", "requester_name": "Claire Martin", "requester_role": "Secrétaire de mairie",
    "requester_email": EMAIL, "requester_phone": "03 88 97 00 00", "message": "Bonjour",
}


def _api(app, action, data, token=None, status=None):
    headers = {"Authorization": token} if token else {}
    resp = app.post(f"/api/3/action/{action}", json=data, headers=headers)
    if status is not None:
        assert resp.status_code == status, (action, resp.status_code, resp.get_data(as_text=True)[:500])
    return resp


def _confirm_token(smtp, request_id):
    from tests.conftest import CapturedMail
    from tests.onboarding.conftest import links

    for msg, env in zip(smtp.messages, smtp.envelopes):
        if TOWNHALL in env["to"]:
            for url in links(CapturedMail.body(msg)):
                if f"/commune/confirmation/{request_id}/" in url:
                    return url.rsplit("/", 1)[1]
    raise AssertionError("no confirmation link")


def _admins(org_id):
    from ckan.tests.helpers import call_action

    org = call_action("organization_show", {"ignore_auth": True, "user": ""}, id=org_id)
    return {u["name"] for u in org["users"] if u["capacity"] == "admin"}


def _old_style_token(request_id):
    """What the requester's link used to be: an HMAC of the request id with the (sample) site secret."""
    import ckan.plugins.toolkit as tk

    secret = str(tk.config.get("SECRET_KEY") or "")
    return hmac.new(secret.encode(), f"grandest-onboarding-requester:{request_id}".encode(),
                    hashlib.sha256).hexdigest()


@onboarding_config
class TestTakeover:
    def test_an_account_that_takes_the_requester_address_is_not_given_the_organization(self, app, smtp_server,
                                                                                      regional_admin):
        """End to end through the API: anonymous request for X; an attacker sets their own account's email to
        X (user_patch, no verification in CKAN); the town hall confirms; a regional admin approves. The
        attacker gets nothing; the real requester takes charge through the link mailed to X."""
        from ckan.tests import factories

        attacker = factories.UserWithToken(name="attaquant", email="attaquant@example.org")
        req = _api(app, "grandest_commune_request_create", FORM, status=200).json["result"]
        _api(app, "user_patch", {"id": "attaquant", "email": EMAIL}, token=attacker["token"], status=200)
        smtp_server.wait_for(2)
        _api(app, "grandest_commune_request_confirm", {"id": req["id"], "token": _confirm_token(smtp_server, req["id"])},
             status=200)
        # without the link mailed to X, the attacker cannot link the request to their account
        for token in ("", "0" * 43, _old_style_token(req["id"])):
            resp = _api(app, "grandest_commune_request_claim", {"id": req["id"], "token": token},
                        token=attacker["token"])
            assert resp.status_code in (403, 409), resp.status_code
        out = _api(app, "grandest_commune_request_approve", {"id": req["id"]}, token=regional_admin["token"],
                   status=200).json["result"]
        assert out["state"] == "approved" and out["user_id"] is None and out["awaiting_claim"] is True
        assert "attaquant" not in _admins(out["organization_id"])
        mine = _api(app, "organization_list_for_user", {"id": "attaquant", "permission": "read"},
                    token=attacker["token"], status=200).json["result"]
        assert out["organization_id"] not in {o["id"] for o in mine}
        _api(app, "grandest_commune_request_claim", {"id": req["id"], "token": "x"}, token=attacker["token"],
             status=403)
        assert _admins(out["organization_id"]) == set()

        # the real requester opens the link from the approval email while logged in (any account)
        claire = factories.UserWithToken(name="claire-m", email="claire.perso@example.org")
        token = requester_token(smtp_server, req["id"])
        linked = _api(app, "grandest_commune_request_claim", {"id": req["id"], "token": token},
                      token=claire["token"], status=200).json["result"]
        assert linked["token"] != token
        assert _admins(out["organization_id"]) == {"claire-m"}
        # the link was used: it is renewed, the old one no longer works, even for the attacker
        _api(app, "grandest_commune_request_claim", {"id": req["id"], "token": token}, token=attacker["token"],
             status=403)
        assert _admins(out["organization_id"]) == {"claire-m"}

    def test_claim_auth(self, app, smtp_server, regional_admin, sysadmin):
        """Only a logged-in account holding the requester's current link may link the request: not anonymous
        (even with the link), not a regional admin or sysadmin without it, not another organization's admin."""
        from ckan.tests import factories

        req = _api(app, "grandest_commune_request_create", FORM, status=200).json["result"]
        token = requester_token(smtp_server, req["id"])
        other_admin = factories.UserWithToken()
        factories.Organization(users=[{"name": other_admin["name"], "capacity": "admin"}])
        member = factories.UserWithToken()
        factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
        _api(app, "grandest_commune_request_claim", {"id": req["id"], "token": token}, status=403)
        for user in (other_admin, member, regional_admin, sysadmin):
            _api(app, "grandest_commune_request_claim", {"id": req["id"]}, token=user["token"], status=409)
            _api(app, "grandest_commune_request_claim", {"id": req["id"], "token": "faux"}, token=user["token"],
                 status=403)
        _api(app, "grandest_commune_request_claim", {"id": req["id"], "token": token}, token=member["token"],
             status=200)


@onboarding_config
class TestRequesterLinks:
    def test_a_forged_old_style_token_is_refused(self, app, smtp_server):
        req = _api(app, "grandest_commune_request_create", FORM, status=200).json["result"]
        forged = _old_style_token(req["id"])
        _api(app, "grandest_commune_request_show", {"id": req["id"], "token": forged}, status=403)
        _api(app, "grandest_commune_request_cancel", {"id": req["id"], "token": forged}, status=403)
        assert app.get(f"/commune/suivi/{req['id']}/{forged}").status_code == 404
        real = requester_token(smtp_server, req["id"])
        assert real != forged
        _api(app, "grandest_commune_request_show", {"id": req["id"], "token": real}, status=200)

    def test_the_link_is_stored_hashed_and_expires(self, app, smtp_server):
        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest
        from ckanext.grandest.onboarding.workflow import hash_token

        req = _api(app, "grandest_commune_request_create", FORM, status=200).json["result"]
        token = requester_token(smtp_server, req["id"])
        row = model.Session.get(CommuneRequest, req["id"])
        assert row.requester_token_hash == hash_token(token) and token not in row.requester_token_hash
        delta = row.requester_token_expires - row.created
        assert datetime.timedelta(days=29) < delta <= datetime.timedelta(days=30, minutes=1)
        row.requester_token_expires = datetime.datetime.utcnow() - datetime.timedelta(seconds=1)
        model.Session.commit()
        _api(app, "grandest_commune_request_show", {"id": req["id"], "token": token}, status=403)
        assert app.get(f"/commune/suivi/{req['id']}/{token}").status_code == 404

    def test_each_use_renews_the_link(self, app, smtp_server, regional_admin):
        req = _api(app, "grandest_commune_request_create", {**FORM, "insee_code": "08158"}, status=200).json["result"]
        first = requester_token(smtp_server, req["id"])
        _api(app, "grandest_commune_request_request_info", {"id": req["id"], "message": "Quelles données ?"},
             token=regional_admin["token"], status=200)
        second = requester_token(smtp_server, req["id"])  # the question's email carries a new link
        assert second != first
        _api(app, "grandest_commune_request_show", {"id": req["id"], "token": first}, status=403)
        out = _api(app, "grandest_commune_request_respond", {"id": req["id"], "token": second, "response": "Le budget"},
                   status=200).json["result"]
        _api(app, "grandest_commune_request_show", {"id": req["id"], "token": second}, status=403)
        _api(app, "grandest_commune_request_cancel", {"id": req["id"], "token": out["token"]}, status=200)


@onboarding_config
class TestMalformedInput:
    def test_non_ascii_tokens_give_4xx(self, app, smtp_server, regional_admin):
        req = _api(app, "grandest_commune_request_create", FORM, status=200).json["result"]
        for action in ("grandest_commune_request_show", "grandest_commune_request_cancel",
                       "grandest_commune_request_respond", "grandest_commune_request_confirm"):
            resp = _api(app, action, {"id": req["id"], "token": "é", "response": "x"})
            assert resp.status_code == 403, (action, resp.status_code)
            assert resp.json["error"]["message"]
        for path in ("suivi", "confirmation"):
            for headers in ({}, {"Authorization": regional_admin["token"]}):
                resp = app.get(f"/commune/{path}/{req['id']}/%C3%A9", headers=headers)
                assert resp.status_code == 404 and "valable" in resp.body, (path, headers, resp.status_code)

    def test_bogus_links_are_404_for_regional_admins_too(self, app, smtp_server, regional_admin, sysadmin):
        req = _api(app, "grandest_commune_request_create", FORM, status=200).json["result"]
        for user in (regional_admin, sysadmin):
            for path in ("suivi", "confirmation"):
                resp = app.get(f"/commune/{path}/{req['id']}/nimportequoi", headers={"Authorization": user["token"]})
                assert resp.status_code == 404, (path, resp.status_code)
        token = requester_token(smtp_server, req["id"])
        assert app.get(f"/commune/suivi/{req['id']}/{token}").status_code == 200
        assert app.get(f"/commune/confirmation/{req['id']}/{_confirm_token(smtp_server, req['id'])}").status_code == 200

    def test_dicts_where_text_is_expected_give_409(self, app, smtp_server, regional_admin):
        req = _api(app, "grandest_commune_request_create", {**FORM, "insee_code": "08158"}, status=200).json["result"]
        admin = regional_admin["token"]
        _api(app, "grandest_commune_request_request_info", {"id": req["id"], "message": {"a": 1}}, token=admin,
             status=409)
        _api(app, "grandest_commune_request_reject", {"id": req["id"], "reason": {"a": 1}}, token=admin, status=409)
        _api(app, "grandest_commune_request_request_info", {"id": req["id"], "message": "?"}, token=admin, status=200)
        resp = _api(app, "grandest_commune_request_respond", {"id": req["id"], "response": {"a": 1},
                                                               "token": requester_token(smtp_server, req["id"])})
        assert resp.status_code == 409 and "texte" in str(resp.json["error"])

    def test_huge_offset_gives_409(self, app, smtp_server, regional_admin):
        for field in ("offset", "limit"):
            resp = _api(app, "grandest_commune_request_list", {field: 10**30}, token=regional_admin["token"])
            assert resp.status_code == 409, (field, resp.status_code)

    @pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"], ids=["nul", "lone-surrogate"])
    def test_nul_and_lone_surrogates_give_409_with_a_message(self, app, smtp_server, regional_admin, bad):
        import json

        for field in FORM:
            resp = app.post("/api/3/action/grandest_commune_request_create",
                            data=json.dumps({**FORM, field: bad}), content_type="application/json")
            assert resp.status_code == 409, (field, resp.status_code)
            assert "caractères" in json.dumps(resp.json["error"], ensure_ascii=False)
        resp = app.post("/api/3/action/grandest_commune_request_list", data=json.dumps({"q": bad}),
                        content_type="application/json", headers={"Authorization": regional_admin["token"]})
        assert resp.status_code == 409

    @pytest.mark.parametrize("name", ["Claire\r\nBcc: x@example.org", "Claire\nMartin", "Claire\tMartin"])
    def test_requester_name_or_role_on_several_lines_is_refused(self, app, smtp_server, name):
        for field in ("requester_name", "requester_role"):
            resp = _api(app, "grandest_commune_request_create", {**FORM, field: name})
            assert resp.status_code == 409 and field in resp.json["error"], (field, resp.status_code)
            assert "une seule ligne" in resp.json["error"][field][0]


@onboarding_config
class TestUsageCsv:
    def test_formula_cells_are_neutralised(self, app, regional_admin):
        import csv
        import io

        from ckan.tests import factories

        titles = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR",
                  "Commune de Barr"]
        for i, title in enumerate(titles):
            org = factories.Organization(name=f"org-{i}", title=title)
            set_quota(org["id"], tier="free")
        resp = app.get("/hebergement.csv", headers={"Authorization": regional_admin["token"]}, status=200)
        rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
        by_name = {r[0]: r[1] for r in rows[1:]}
        for i, title in enumerate(titles):
            cell = by_name[f"org-{i}"]
            if title[0] in "=+-@\t\r":
                assert cell == "'" + title, cell
            else:
                assert cell == title
        assert rows[0][0] == "organization"


@onboarding_config
class TestSampleSecrets:
    def test_the_sample_secrets_are_refused_outside_the_dev_portal(self):
        from ckanext.grandest.common.secrets import SampleSecretError, refuse_sample_secrets

        prod = {"ckan.site_url": "https://www.datagrandest.fr",
                "SECRET_KEY": "dev-only-secret-change-me-in-production"}
        with pytest.raises(SampleSecretError, match="SECRET_KEY"):
            refuse_sample_secrets(prod)
        with pytest.raises(SampleSecretError, match="api_token.jwt.encode.secret"):
            refuse_sample_secrets({"ckan.site_url": "https://www.datagrandest.fr",
                                   "api_token.jwt.encode.secret": "string:dev-only-jwt-secret"})
        refuse_sample_secrets({**prod, "SECRET_KEY": "une-vraie-valeur-secrete-aleatoire"})
        for local in ("http://127.0.0.1:5000", "http://localhost:5000", "http://test.datagrandest.example"):
            refuse_sample_secrets({**prod, "ckan.site_url": local})

    def test_ckan_does_not_start_with_a_sample_secret(self, tmp_path):
        import os
        import re
        import subprocess
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        base = (root / "test.ini").read_text(encoding="utf-8").replace("%(here)s", str(root))

        def write(secrets: dict) -> None:
            text = re.sub(r"(?m)^ckan\.site_url = .*$", "ckan.site_url = https://www.datagrandest.fr", base)
            for key, value in secrets.items():
                text = re.sub(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value}", text)
            ini.write_text(text, encoding="utf-8")

        ini = tmp_path / "prod.ini"
        ckan = str(Path(sys.executable).with_name("ckan"))
        env = dict(os.environ)
        write({})  # test.ini's own sample secrets, on a production address
        bad = subprocess.run([ckan, "-c", str(ini), "config", "declaration", "grandest_onboarding"],
                             capture_output=True, text=True, env=env, timeout=180)
        assert bad.returncode != 0 and "sample secret" in (bad.stdout + bad.stderr), bad.stderr[-2000:]
        write({"SECRET_KEY": "une-vraie-valeur-secrete-aleatoire-1", "WTF_CSRF_SECRET_KEY": "une-vraie-valeur-2",
               "api_token.jwt.encode.secret": "string:une-vraie-valeur-3",
               "api_token.jwt.decode.secret": "string:une-vraie-valeur-3"})
        good = subprocess.run([ckan, "-c", str(ini), "config", "declaration", "grandest_onboarding"],
                              capture_output=True, text=True, env=env, timeout=180)
        assert good.returncode == 0, good.stderr[-2000:]
