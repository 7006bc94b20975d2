"""Every auth rule, for every kind of visitor: anonymous, the requester (personal link), the town hall
(confirmation link), member and admin of another organization, the commune's member/editor/admin, a regional
admin (named in the config) and a sysadmin."""
from __future__ import annotations

import pytest

from tests.onboarding.conftest import REGIONAL, make_request, onboarding_config, requester_token

ROLES = ("anonymous", "requester", "townhall", "other_member", "other_admin", "commune_member", "commune_editor",
         "commune_admin", "regional", "sysadmin")


@pytest.fixture
def people(clean_db, smtp_server):
    """Everyone, a commune organization, and an open request for another commune."""
    from ckan.tests import factories

    users = {name: factories.User(name=name.replace("_", "-"), email=f"{name}@example.org")
             for name in ("other_member", "other_admin", "commune_member", "commune_editor", "commune_admin")}
    users["regional"] = factories.User(name=REGIONAL)
    users["sysadmin"] = factories.Sysadmin()
    factories.Organization(name="ailleurs", users=[{"name": users["other_member"]["name"], "capacity": "member"},
                                                   {"name": users["other_admin"]["name"], "capacity": "admin"}])
    commune = factories.Organization(name="commune-de-barr", users=[
        {"name": users["commune_member"]["name"], "capacity": "member"},
        {"name": users["commune_editor"]["name"], "capacity": "editor"},
        {"name": users["commune_admin"]["name"], "capacity": "admin"}])
    request = make_request()
    smtp_server.wait_for(2)
    req_token = requester_token(smtp_server, request["id"])
    token = None
    for msg, env in zip(smtp_server.wait_for(2), smtp_server.envelopes):
        if "secretariat@ville-schirmeck.fr" in env["to"]:
            from tests.conftest import CapturedMail

            token = CapturedMail.body(msg).split(f"/commune/confirmation/{request['id']}/")[1].split()[0]
    assert token
    return {"users": users, "org": commune, "request": request, "requester_token": req_token,
            "townhall_token": token}


def _allowed(people, role, auth, **data):
    import ckan.plugins.toolkit as tk
    from ckan import model

    user = people["users"][role]["name"] if role in people["users"] else ""
    data = dict(data)
    if role == "requester":
        data.setdefault("token", people["requester_token"])
    if role == "townhall":
        data.setdefault("token", people["townhall_token"])
    try:
        tk.check_access(auth, {"user": user, "model": model}, data)
        return True
    except tk.NotAuthorized:
        return False


def _matrix(people, auth, **data):
    return {role for role in ROLES if _allowed(people, role, auth, **data)}


REVIEWERS = {"regional", "sysadmin"}


@onboarding_config
class TestAuth:
    def test_anyone_may_submit_a_request(self, people):
        assert _matrix(people, "grandest_commune_request_create") == set(ROLES)

    def test_show(self, people):
        assert _matrix(people, "grandest_commune_request_show", id=people["request"]["id"]) == \
            REVIEWERS | {"requester", "townhall"}

    def test_show_refuses_a_token_of_another_request(self, people, smtp_server):
        other = make_request("67130")
        assert not _allowed(people, "requester", "grandest_commune_request_show", id=other["id"])
        assert not _allowed(people, "townhall", "grandest_commune_request_show", id=other["id"])

    def test_list(self, people):
        assert _matrix(people, "grandest_commune_request_list") == REVIEWERS

    def test_confirm_needs_the_town_hall_link(self, people):
        # the requester's own link does not confirm: only the town hall's does
        assert _matrix(people, "grandest_commune_request_confirm", id=people["request"]["id"]) == {"townhall"}

    def test_not_us_needs_the_town_hall_link(self, people):
        # « ce n'est pas nous »: only the town hall's link cancels this way (no one else, not even a sysadmin)
        assert _matrix(people, "grandest_commune_request_deny", id=people["request"]["id"]) == {"townhall"}

    @pytest.mark.parametrize("auth", ["grandest_commune_request_approve", "grandest_commune_request_reject",
                                      "grandest_commune_request_request_info", "grandest_commune_request_expire"])
    def test_decisions_are_for_regional_admins(self, people, auth):
        assert _matrix(people, auth, id=people["request"]["id"]) == REVIEWERS

    def test_respond_needs_the_requester_link(self, people):
        assert _matrix(people, "grandest_commune_request_respond", id=people["request"]["id"]) == {"requester"}

    def test_cancel(self, people):
        assert _matrix(people, "grandest_commune_request_cancel", id=people["request"]["id"]) == \
            REVIEWERS | {"requester"}

    def test_quota_show(self, people):
        assert _matrix(people, "grandest_quota_show", id=people["org"]["id"]) == \
            REVIEWERS | {"commune_editor", "commune_admin"}

    def test_quota_update(self, people):
        assert _matrix(people, "grandest_quota_update", id=people["org"]["id"]) == REVIEWERS

    def test_usage_list(self, people):
        assert _matrix(people, "grandest_usage_list") == REVIEWERS

    def test_a_named_regional_admin_whose_account_is_deleted_is_not_one(self, people):
        from ckan.tests.helpers import call_action

        call_action("user_delete", {"ignore_auth": True, "user": ""}, id=REGIONAL)
        assert not _allowed(people, "regional", "grandest_commune_request_list")


@onboarding_config
class TestApiErrors:
    def test_forbidden_actions_answer_403_in_french(self, app, people):
        resp = app.post("/api/3/action/grandest_commune_request_list", json={}, status=403)
        assert "administrateurs régionaux" in resp.json["error"]["message"]

    def test_commune_admin_sees_own_usage_not_others(self, app, people):
        from ckan.tests import factories

        token = factories.APIToken(user=people["users"]["commune_admin"]["name"])["token"]
        app.post("/api/3/action/grandest_quota_show", json={"id": "commune-de-barr"},
                 headers={"Authorization": token}, status=200)
        app.post("/api/3/action/grandest_quota_show", json={"id": "ailleurs"}, headers={"Authorization": token},
                 status=403)
