"""The journey through the actions: every transition, its emails and its audit trail."""
from __future__ import annotations

import datetime

import pytest

from tests.onboarding.conftest import (LARGE_WITH_EMAIL, NO_EMAIL, REGIONAL, SMALL_WITH_EMAIL, links, make_request,
                                       onboarding_config, quota_of, requester_token)

TOWNHALL_SCHIRMECK = "secretariat@ville-schirmeck.fr"


def _admin_ctx(user=REGIONAL):
    return {"user": user}


def _act(name, user=REGIONAL, **data):
    from ckan.tests.helpers import call_action

    return call_action(name, {"user": user}, **data)


def _mail_to(smtp, address):
    return [m for m, env in zip(smtp.messages, smtp.envelopes) if address in env["to"]]


def _body(msg):
    from tests.conftest import CapturedMail

    return CapturedMail.body(msg)


def _confirm_token(smtp, request_id):
    for msg in _mail_to(smtp, TOWNHALL_SCHIRMECK):
        for url in links(_body(msg)):
            if f"/commune/confirmation/{request_id}/" in url:
                return url.rsplit("/", 1)[1]
    raise AssertionError("no confirmation link mailed to the town hall")


def _confirmed_request(smtp, **overrides):
    req = make_request(**overrides)
    _act("grandest_commune_request_confirm", user="", id=req["id"], token=_confirm_token(smtp, req["id"]))
    return req


def _events(request_id):
    return [(e["action"], e["from_state"], e["to_state"])
            for e in _act("grandest_commune_request_show", id=request_id)["events"]]


@pytest.fixture
def reviewer(regional_admin):
    return regional_admin


@onboarding_config(request_context=True)
@pytest.mark.usefixtures("reviewer")
class TestCreate:
    def test_link_goes_to_the_annuaire_address_never_to_the_typed_one(self, smtp_server):
        req = make_request(requester_email="quelquun@gmail.example")
        assert req["state"] == "awaiting_confirmation"
        smtp_server.wait_for(2)
        townhall = _mail_to(smtp_server, TOWNHALL_SCHIRMECK)
        assert len(townhall) == 1
        assert "Schirmeck" in townhall[0]["Subject"]
        assert f"/commune/confirmation/{req['id']}/" in _body(townhall[0])
        to_requester = _mail_to(smtp_server, "quelquun@gmail.example")
        assert len(to_requester) == 1
        body = _body(to_requester[0])
        assert "/commune/confirmation/" not in body  # the requester never gets the town hall's link
        assert f"/commune/suivi/{req['id']}/" in body and "secretariat@ville-schirmeck.fr" in body
        assert _events(req["id"]) == [("submit", None, "submitted"),
                                      ("send_confirmation", "submitted", "awaiting_confirmation")]

    def test_token_is_stored_hashed_and_expires_after_7_days(self, smtp_server):
        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest
        from ckanext.grandest.onboarding.workflow import hash_token

        req = make_request()
        token = _confirm_token(smtp_server, req["id"])
        row = model.Session.get(CommuneRequest, req["id"])
        assert row.confirm_token_hash == hash_token(token) and token not in row.confirm_token_hash
        delta = row.confirm_expires - row.created
        assert datetime.timedelta(days=6, hours=23) < delta <= datetime.timedelta(days=7, minutes=1)

    def test_commune_without_annuaire_email_goes_to_manual_review(self, smtp_server, sysadmin):
        req = make_request(NO_EMAIL)
        assert req["state"] == "pending_review" and req["manual_review"] is True
        shown = _act("grandest_commune_request_show", id=req["id"])
        assert shown["manual_reason"] == "no_townhall_email" and shown["townhall_email"] is None
        smtp_server.wait_for(3)
        reviewers = {a for env in smtp_server.envelopes for a in env["to"]}
        assert {"regional@datagrandest.example", "sysadmin@datagrandest.example"} <= reviewers
        assert _events(req["id"])[-1] == ("manual_review", "submitted", "pending_review")

    def test_duplicate_of_a_pending_request_is_refused(self, smtp_server):
        import ckan.plugins.toolkit as tk

        make_request()
        with pytest.raises(tk.ValidationError) as err:
            make_request(requester_email="autre@example.org")
        assert "déjà en cours de traitement" in err.value.error_dict["insee_code"][0]

    def test_duplicate_of_an_onboarded_commune_is_refused_but_a_rejected_one_may_ask_again(self, smtp_server):
        import ckan.plugins.toolkit as tk

        first = _confirmed_request(smtp_server)
        _act("grandest_commune_request_reject", id=first["id"], reason="Demande incomplète.")
        second = _confirmed_request(smtp_server)
        _act("grandest_commune_request_approve", id=second["id"])
        with pytest.raises(tk.ValidationError) as err:
            make_request(requester_email="encore@example.org")
        assert "déjà sur DataGrandEst" in err.value.error_dict["insee_code"][0]

    def test_the_database_holds_one_open_request_per_commune(self, smtp_server):
        """Two requests saved at the same moment: the partial unique index keeps only one."""
        import sqlalchemy.exc

        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest

        make_request()
        model.Session.add(CommuneRequest(
            id="dup", insee_code=SMALL_WITH_EMAIL, commune_name="Schirmeck", departement="67",
            requester_name="X", requester_role="Y", requester_email="x@example.org", requester_phone="0388000000",
            state="pending_review"))
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            model.Session.commit()
        model.Session.rollback()

    @pytest.mark.parametrize("field,value,message", [
        ("insee_code", "99999", "Choisissez votre commune"),
        ("insee_code", "75056", "Choisissez votre commune"),  # Paris is not in Grand Est
        ("requester_email", "pas-une-adresse", "adresse électronique valide"),
        ("requester_phone", "12", "numéro de téléphone valide"),
        ("requester_name", "", "prénom et nom"),
        ("requester_role", "   ", "fonction à la mairie"),
        ("message", "x" * 5001, "5000 caractères"),
    ])
    def test_bad_input_gets_a_french_message_and_stores_nothing(self, field, value, message):
        import ckan.plugins.toolkit as tk
        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest

        with pytest.raises(tk.ValidationError) as err:
            make_request(**{field: value})
        assert message in err.value.error_dict[field][0]
        assert model.Session.query(CommuneRequest).count() == 0

    def test_phone_is_normalised(self, smtp_server):
        req = make_request(requester_phone="+33 3.88.97.00.01")
        assert _act("grandest_commune_request_show", id=req["id"])["requester_phone"] == "03 88 97 00 01"

    def test_large_commune_gets_the_standard_tier_proposed(self, smtp_server):
        req = make_request(LARGE_WITH_EMAIL)
        shown = _act("grandest_commune_request_show", id=req["id"])
        assert shown["tier"] == "standard" and shown["population_totale"] > 3500

    @pytest.mark.ckan_config("ckanext.grandest.onboarding.large_commune_tier", "")
    def test_large_commune_can_be_pointed_to_its_epci(self, smtp_server):
        req = make_request(LARGE_WITH_EMAIL)
        shown = _act("grandest_commune_request_show", id=req["id"])
        assert shown["tier"] is None and shown["epci_name"]

    def test_answer_never_tells_whether_an_account_exists_for_the_email(self, smtp_server):
        from ckan.tests import factories

        factories.User(email="existant@example.org")
        known = make_request(requester_email="existant@example.org")
        _act("grandest_commune_request_cancel", id=known["id"])
        unknown = make_request(requester_email="inconnu@example.org")
        assert set(known) == set(unknown)
        assert {k: v for k, v in known.items() if k not in ("id", "created")} == \
            {k: v for k, v in unknown.items() if k not in ("id", "created")}


@onboarding_config
@pytest.mark.usefixtures("reviewer")
class TestRateLimitPerIp:
    @pytest.mark.ckan_config("ckanext.grandest.onboarding.ratelimit.ip_per_hour", "2")
    def test_anonymous_requests_are_limited_per_ip(self, app, smtp_server):
        def post(code, ip):
            return app.post("/api/3/action/grandest_commune_request_create", json={
                "insee_code": code, "requester_name": "A B", "requester_role": "Maire",
                "requester_email": "a@example.org", "requester_phone": "0388000000"},
                extra_environ={"REMOTE_ADDR": ip})

        assert post("67448", "10.0.0.1").status_code == 200
        assert post("67130", "10.0.0.1").status_code == 200
        refused = post("67482", "10.0.0.1")
        assert refused.status_code == 409
        assert "depuis votre connexion" in refused.json["error"]["rate_limit"][0]
        assert post("67482", "10.0.0.2").status_code == 200  # another connection is not affected


@onboarding_config(request_context=True)
@pytest.mark.usefixtures("reviewer")
class TestRateLimits:
    @pytest.mark.ckan_config("ckanext.grandest.onboarding.ratelimit.commune_per_day", "2")
    def test_anonymous_requests_are_limited_per_commune(self, smtp_server):
        import ckan.plugins.toolkit as tk

        for _ in range(2):
            req = make_request()
            _act("grandest_commune_request_cancel", id=req["id"])
        with pytest.raises(tk.ValidationError) as err:
            make_request()
        assert "pour cette commune" in err.value.error_dict["rate_limit"][0]

    @pytest.mark.ckan_config("ckanext.grandest.onboarding.ratelimit.commune_per_day", "1")
    def test_counters_live_in_redis(self, smtp_server):
        from ckan.lib.redis import connect_to_redis

        make_request()
        keys = list(connect_to_redis().scan_iter("*grandest:onboarding:rl:commune:*"))
        assert len(keys) == 1
        assert connect_to_redis().ttl(keys[0]) > 0


@onboarding_config(request_context=True)
@pytest.mark.usefixtures("reviewer")
class TestConfirm:
    def test_confirmation_moves_to_review_and_consumes_the_link(self, smtp_server):
        import ckan.plugins.toolkit as tk

        req = make_request()
        token = _confirm_token(smtp_server, req["id"])
        n = len(smtp_server.messages)
        out = _act("grandest_commune_request_confirm", user="", id=req["id"], token=token)
        assert out["state"] == "pending_review"
        shown = _act("grandest_commune_request_show", id=req["id"])
        assert shown["townhall_confirmed"] and shown["confirmed_at"]
        smtp_server.wait_for(n + 2)
        subjects = [m["Subject"] for m in smtp_server.messages[n:]]
        assert any("a confirmé" in s for s in subjects) and any("à examiner" in s for s in subjects)
        with pytest.raises(tk.NotAuthorized):
            _act("grandest_commune_request_confirm", user="", id=req["id"], token=token)
        assert _events(req["id"])[-1] == ("confirm", "awaiting_confirmation", "pending_review")

    def test_wrong_or_foreign_token_is_refused(self, smtp_server):
        import ckan.plugins.toolkit as tk

        req = make_request()
        other = make_request(LARGE_WITH_EMAIL)
        for token in ("x" * 43, _confirm_token(smtp_server, req["id"])):
            with pytest.raises(tk.NotAuthorized):
                _act("grandest_commune_request_confirm", user="", id=other["id"], token=token)

    def test_expired_link_expires_the_request(self, smtp_server):
        import ckan.plugins.toolkit as tk
        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest

        req = make_request()
        token = _confirm_token(smtp_server, req["id"])
        row = model.Session.get(CommuneRequest, req["id"])
        row.confirm_expires = datetime.datetime.utcnow() - datetime.timedelta(minutes=1)
        model.Session.commit()
        with pytest.raises(tk.ValidationError) as err:
            _act("grandest_commune_request_confirm", user="", id=req["id"], token=token)
        assert "a expiré" in err.value.error_dict["token"][0]
        assert _act("grandest_commune_request_show", id=req["id"])["state"] == "expired"

    def test_cancelled_request_cannot_be_confirmed(self, smtp_server):
        import ckan.plugins.toolkit as tk

        req = make_request()
        token = _confirm_token(smtp_server, req["id"])
        _act("grandest_commune_request_cancel", id=req["id"])
        with pytest.raises(tk.NotAuthorized):
            _act("grandest_commune_request_confirm", user="", id=req["id"], token=token)


@onboarding_config(request_context=True)
@pytest.mark.usefixtures("reviewer")
class TestApprove:
    def test_approval_creates_the_organization_invites_the_requester_and_sets_the_tier(self, smtp_server):
        from ckan import model
        from ckan.tests.helpers import call_action

        req = _confirmed_request(smtp_server, requester_email="nouvelle@example.org")
        n = len(smtp_server.messages)
        out = _act("grandest_commune_request_approve", id=req["id"], reason="Confirmée par la mairie.")
        assert out["state"] == "approved" and out["tier"] == "free"
        org = call_action("organization_show", id=out["organization_id"])
        assert org["title"] == "Commune de Schirmeck"
        extras = {e["key"]: e["value"] for e in org["extras"]}  # without grandest_metadata: plain extras
        assert extras == {
            "actor_type": "commune", "insee_code": "67448", "siren": "216704486", "epci": "246700306",
            "departement": "67", "population": "2115", "website": "https://www.ville-schirmeck.fr/",
            "contact_email": TOWNHALL_SCHIRMECK, "phone": "03 88 49 63 80",
        }
        user = model.User.get(out["user_id"])
        assert user.email == "nouvelle@example.org" and user.state == "pending" and user.fullname == "Claire Martin"
        admins = [u["name"] for u in org["users"] if u["capacity"] == "admin"]
        assert admins == [user.name]  # the site user does not stay admin
        assert quota_of(org["id"])["tier"] == "free"
        assert quota_of(org["id"])["limits"] == {"max_storage_bytes": 1 << 30, "max_datasets": 50,
                                                 "max_file_bytes": 50 << 20}
        smtp_server.wait_for(n + 3)
        to_requester = [_body(m) for m in _mail_to(smtp_server, "nouvelle@example.org")]
        assert any("Bonne nouvelle" in b and "/organization/" in b for b in to_requester)
        assert any("/user/reset/" in b for b in to_requester)  # core's invitation (set a password)
        assert any("est désormais inscrite" in _body(m) for m in _mail_to(smtp_server, TOWNHALL_SCHIRMECK))
        actions = [e[0] for e in _events(req["id"])]
        assert actions == ["submit", "send_confirmation", "confirm", "approve"]
        event = _act("grandest_commune_request_show", id=req["id"])["events"][-1]
        assert event["actor"] == REGIONAL and event["reason"] == "Confirmée par la mairie."
        assert event["details"]["account"] == "invited" and event["details"]["organization_created"] is True

    def test_account_linked_through_the_requester_link_is_made_admin_without_invitation(self, smtp_server):
        from ckan.tests import factories
        from ckan.tests.helpers import call_action

        user = factories.User(email="claire.martin@example.org")
        req = _confirmed_request(smtp_server)
        linked = _act("grandest_commune_request_claim", user=user["name"], id=req["id"],
                      token=requester_token(smtp_server, req["id"]))
        assert linked["account_linked"] is True
        out = _act("grandest_commune_request_approve", id=req["id"])
        assert out["user_id"] == user["id"] and out["requester_user_id"] == user["id"]
        org = call_action("organization_show", id=out["organization_id"])
        assert [(u["name"], u["capacity"]) for u in org["users"]] == [(user["name"], "admin")]
        bodies = [_body(m) for m in _mail_to(smtp_server, "claire.martin@example.org")]
        assert not any("/user/reset/" in b for b in bodies)
        assert out["events"][-1]["details"]["account"] == "linked"
        assert [e[0] for e in _events(req["id"])] == ["submit", "send_confirmation", "confirm", "claim", "approve"]

    def test_an_account_with_the_requester_address_is_not_made_admin_on_its_own(self, smtp_server):
        """CKAN does not verify account addresses: an account with the requester's address proves nothing.
        The organization waits; the requester takes charge of it through their link."""
        from ckan.tests import factories
        from ckan.tests.helpers import call_action

        same_address = factories.User(email="claire.martin@example.org")
        req = _confirmed_request(smtp_server)
        out = _act("grandest_commune_request_approve", id=req["id"])
        assert out["state"] == "approved" and out["user_id"] is None and out["awaiting_claim"] is True
        assert out["events"][-1]["details"]["account"] == "claim"
        org = call_action("organization_show", id=out["organization_id"])
        assert org["users"] == []
        mail = _mail_to(smtp_server, "claire.martin@example.org")[-1]
        assert "Lier cette demande à mon compte" in _body(mail) and f"/commune/suivi/{req['id']}/" in _body(mail)
        claimer = factories.User()  # the requester may use any account: the link is the proof
        _act("grandest_commune_request_claim", user=claimer["name"], id=req["id"],
             token=requester_token(smtp_server, req["id"]))
        org = call_action("organization_show", id=out["organization_id"])
        assert [(u["name"], u["capacity"]) for u in org["users"]] == [(claimer["name"], "admin")]
        assert same_address["name"] not in [u["name"] for u in org["users"]]
        assert _act("grandest_commune_request_show", id=req["id"])["user_id"] == claimer["id"]

    def test_organization_already_linked_to_the_insee_code_is_reused_and_completed(self, smtp_server):
        from ckan.tests import factories
        from ckan.tests.helpers import call_action

        existing = factories.Organization(name="schirmeck", title="Ville de Schirmeck",
                                          extras=[{"key": "insee_code", "value": "67448"},
                                                  {"key": "website", "value": "https://schirmeck.example"}])
        req = _confirmed_request(smtp_server)
        shown = _act("grandest_commune_request_show", id=req["id"])
        assert shown["linked_organization"]["name"] == "schirmeck"
        out = _act("grandest_commune_request_approve", id=req["id"])
        assert out["organization_id"] == existing["id"]
        org = call_action("organization_show", id=existing["id"])
        extras = {e["key"]: e["value"] for e in org["extras"]}
        assert extras["website"] == "https://schirmeck.example"  # what was there is kept
        assert extras["siren"] == "216704486" and extras["actor_type"] == "commune"  # what lacked is added
        assert org["title"] == "Ville de Schirmeck"

    def test_unconfirmed_request_needs_a_verification_note(self, smtp_server):
        import ckan.plugins.toolkit as tk

        req = make_request()
        with pytest.raises(tk.ValidationError) as err:
            _act("grandest_commune_request_approve", id=req["id"])
        assert "n'a pas confirmé" in err.value.error_dict["verification_note"][0]
        out = _act("grandest_commune_request_approve", id=req["id"],
                   verification_note="Mairie appelée le 12/11 au 03 88 49 63 80.")
        assert out["state"] == "approved" and out["verification_note"].startswith("Mairie appelée")

    def test_manual_review_request_is_approved_with_a_note(self, smtp_server):
        req = make_request(NO_EMAIL)
        out = _act("grandest_commune_request_approve", id=req["id"], verification_note="Délibération reçue.",
                   tier="standard")
        assert out["state"] == "approved" and quota_of(out["organization_id"])["tier"] == "standard"

    def test_unknown_tier_is_refused(self, smtp_server):
        import ckan.plugins.toolkit as tk

        req = _confirmed_request(smtp_server)
        with pytest.raises(tk.ValidationError) as err:
            _act("grandest_commune_request_approve", id=req["id"], tier="platine")
        assert "inconnue" in err.value.error_dict["tier"][0]

    def test_invitation_failure_keeps_the_request_open_and_says_so(self, smtp_server, ckan_config, monkeypatch):
        import ckan.plugins.toolkit as tk

        req = _confirmed_request(smtp_server, requester_email="nouvelle@example.org")
        monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:9")  # nothing listens there
        with pytest.raises(tk.ValidationError) as err:
            _act("grandest_commune_request_approve", id=req["id"])
        assert "n'a pas pu être envoyée" in err.value.error_dict["email"][0]
        shown = _act("grandest_commune_request_show", id=req["id"])
        assert shown["state"] == "pending_review"


@onboarding_config(request_context=True)
@pytest.mark.usefixtures("reviewer")
class TestOtherTransitions:
    def test_reject_needs_a_reason_and_tells_the_requester(self, smtp_server):
        import ckan.plugins.toolkit as tk

        req = _confirmed_request(smtp_server)
        with pytest.raises(tk.ValidationError) as err:
            _act("grandest_commune_request_reject", id=req["id"], reason=" ")
        assert "motif du refus" in err.value.error_dict["reason"][0]
        out = _act("grandest_commune_request_reject", id=req["id"], reason="La commune publie déjà via son EPCI.")
        assert out["state"] == "rejected" and out["decision_reason"].startswith("La commune")
        last = _mail_to(smtp_server, "claire.martin@example.org")[-1]
        assert "n’a pas été acceptée" in last["Subject"] and "via son EPCI" in _body(last)

    def test_more_information_then_answer_back_to_review(self, smtp_server):
        req = _confirmed_request(smtp_server)
        _act("grandest_commune_request_request_info", id=req["id"], message="Quelles données ?")
        mail = _mail_to(smtp_server, "claire.martin@example.org")[-1]
        assert "Quelles données ?" in _body(mail) and f"/commune/suivi/{req['id']}/" in _body(mail)
        out = _act("grandest_commune_request_respond", user="", id=req["id"], token=requester_token(smtp_server, req["id"]),
                   response="Les délibérations et le budget.")
        assert out["state"] == "pending_review" and out["info_response"] == "Les délibérations et le budget."
        assert any("réponse du demandeur" in m["Subject"] for m in smtp_server.messages)
        assert [e[0] for e in _events(req["id"])][-2:] == ["request_info", "respond"]

    def test_requester_cancels_with_their_link(self, smtp_server):
        req = make_request()
        out = _act("grandest_commune_request_cancel", user="", id=req["id"], token=requester_token(smtp_server, req["id"]),
                   reason="Doublon")
        assert out["state"] == "cancelled"
        assert _events(req["id"])[-1] == ("cancel", "awaiting_confirmation", "cancelled")

    def test_expire_sweeps_stale_requests_only(self, smtp_server):
        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest

        stale = make_request()
        fresh = make_request(LARGE_WITH_EMAIL)
        waiting = make_request(NO_EMAIL)
        _act("grandest_commune_request_request_info", id=waiting["id"], message="?")
        old = datetime.datetime.utcnow() - datetime.timedelta(days=31)
        model.Session.get(CommuneRequest, stale["id"]).confirm_expires = old
        model.Session.get(CommuneRequest, waiting["id"]).info_requested_at = old
        model.Session.commit()
        out = _act("grandest_commune_request_expire")
        assert sorted(out["expired"]) == sorted([stale["id"], waiting["id"]])
        assert _act("grandest_commune_request_show", id=fresh["id"])["state"] == "awaiting_confirmation"
        assert _act("grandest_commune_request_show", id=stale["id"])["state"] == "expired"

    @pytest.mark.parametrize("final", ["approved", "rejected", "cancelled", "expired"])
    @pytest.mark.parametrize("action,extra", [
        ("grandest_commune_request_approve", {"verification_note": "x"}),
        ("grandest_commune_request_reject", {"reason": "x"}),
        ("grandest_commune_request_request_info", {"message": "x"}),
        ("grandest_commune_request_cancel", {}),
    ])
    def test_final_states_refuse_every_transition(self, smtp_server, final, action, extra):
        import ckan.plugins.toolkit as tk
        from ckan import model

        from ckanext.grandest.onboarding.model import CommuneRequest

        req = make_request()
        model.Session.get(CommuneRequest, req["id"]).state = final
        model.Session.commit()
        with pytest.raises(tk.ValidationError) as err:
            _act(action, id=req["id"], **extra)
        assert "pas possible" in str(err.value.error_dict) or "ne peut pas" in str(err.value.error_dict)
        assert _act("grandest_commune_request_show", id=req["id"])["state"] == final

    def test_every_other_allowed_transition(self, smtp_server):
        """approve from "more information requested", reject before the town hall confirmed, the admin's
        cancel of a request under review: each is recorded with its actor."""
        a = _confirmed_request(smtp_server)
        _act("grandest_commune_request_request_info", id=a["id"], message="Qui publiera ?")
        assert _act("grandest_commune_request_approve", id=a["id"])["state"] == "approved"
        assert _events(a["id"])[-1] == ("approve", "info_requested", "approved")
        b = make_request(LARGE_WITH_EMAIL)
        assert _act("grandest_commune_request_reject", id=b["id"], reason="Demande en double.")["state"] == "rejected"
        assert _events(b["id"])[-1] == ("reject", "awaiting_confirmation", "rejected")
        c = make_request(NO_EMAIL)
        _act("grandest_commune_request_cancel", id=c["id"], reason="Commune injoignable.")
        event = _act("grandest_commune_request_show", id=c["id"])["events"][-1]
        assert (event["action"], event["from_state"], event["actor"], event["actor_kind"]) == \
            ("cancel", "pending_review", REGIONAL, "admin")
        assert "annulé" in _body(_mail_to(smtp_server, "claire.martin@example.org")[-1])

    def test_answer_is_refused_when_nothing_was_asked(self, smtp_server):
        import ckan.plugins.toolkit as tk

        req = _confirmed_request(smtp_server)
        with pytest.raises(tk.ValidationError):
            _act("grandest_commune_request_respond", user="", id=req["id"], token=requester_token(smtp_server, req["id"]),
                 response="?")


@onboarding_config(request_context=True)
@pytest.mark.usefixtures("reviewer")
class TestList:
    def test_filters(self, smtp_server):
        a = make_request()  # 67448 Schirmeck, free, awaiting
        b = make_request(LARGE_WITH_EMAIL)  # 67130 Erstein, standard, awaiting
        c = make_request(NO_EMAIL)  # 08081, pending (manual)

        def ids(**f):
            return {r["id"] for r in _act("grandest_commune_request_list", **f)["results"]}

        assert ids() == {a["id"], b["id"], c["id"]}
        assert ids(state="pending_review") == {c["id"]}
        assert ids(departement="08") == {c["id"]}
        assert ids(epci="246700306") == {a["id"]}
        assert ids(tier="standard") == {b["id"]}
        assert ids(q="Erstein") == {b["id"]}
        first = _act("grandest_commune_request_list")["results"][0]
        assert first["id"] == c["id"]  # waiting for a decision comes first
        assert _act("grandest_commune_request_list", limit=1)["count"] == 3


METADATA_PLUGINS = "activity scheming_datasets scheming_organizations grandest_metadata grandest_onboarding"


@onboarding_config(request_context=True, plugins=METADATA_PLUGINS,
                   scheming__dataset_schemas="ckanext.grandest.schemas:dataset.yaml",
                   scheming__organization_schemas="ckanext.grandest.schemas:organization.yaml",
                   scheming__presets="ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml")
@pytest.mark.usefixtures("reviewer")
class TestWithMetadataPlugin:
    """With grandest_metadata loaded, approval fills the organization schema's fields (docs/metadata-fields.md)."""

    def test_approval_fills_the_organization_schema(self, smtp_server):
        from ckan.tests.helpers import call_action

        req = _confirmed_request(smtp_server)
        out = _act("grandest_commune_request_approve", id=req["id"])
        org = call_action("organization_show", id=out["organization_id"])
        assert {k: org.get(k) for k in ("actor_type", "insee_code", "siren", "epci", "departement", "website",
                                        "contact_email", "phone")} == {
            "actor_type": "commune", "insee_code": "67448", "siren": "216704486", "epci": "246700306",
            "departement": "67", "website": "https://www.ville-schirmeck.fr/", "contact_email": TOWNHALL_SCHIRMECK,
            "phone": "03 88 49 63 80"}
        assert int(org["population"]) == 2115
        assert not [e for e in org.get("extras", []) if e["key"] == "actor_type"]  # schema fields, not extras

    def test_organization_made_with_the_schema_is_found_and_linked(self, smtp_server):
        from ckan.tests import factories

        existing = factories.Organization(name="ville-de-schirmeck", title="Ville de Schirmeck",
                                          actor_type="commune", insee_code="67448")
        req = _confirmed_request(smtp_server)
        assert _act("grandest_commune_request_show", id=req["id"])["linked_organization"]["id"] == existing["id"]
        out = _act("grandest_commune_request_approve", id=req["id"])
        assert out["organization_id"] == existing["id"]
