"""The pages: request form (CSRF, French messages, autocompletion, no-JavaScript fallback), the town hall's
confirmation page, the requester's tracking page, the review queue and its decisions, usage pages."""
from __future__ import annotations

import re

import pytest

from tests.onboarding.conftest import REGIONAL, login, make_request, onboarding_config, requester_token, set_quota


def _csrf(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


FORM = {
    "commune_query": "Schirmeck", "insee_code": "67448", "requester_name": "Claire Martin",
    "requester_role": "Secrétaire de mairie", "requester_email": "claire@example.org",
    "requester_phone": "03 88 97 00 00", "message": "Bonjour",
}


@pytest.fixture
def client(app):
    """One browser: keeps its cookies (session, CSRF token) from one request to the next."""
    return app.test_client()


def _requests():
    from ckan import model

    from ckanext.grandest.onboarding.model import CommuneRequest

    return model.Session.query(CommuneRequest).all()


def _confirm_url(smtp, request_id):
    from tests.conftest import CapturedMail

    for msg in smtp.wait_for(2):
        body = CapturedMail.body(msg)
        if f"/commune/confirmation/{request_id}/" in body:
            return re.search(r"https?://\S+/commune/confirmation/\S+", body).group(0)
    raise AssertionError("no confirmation link")


@onboarding_config
class TestRequestForm:
    def test_form_is_french_and_carries_a_csrf_token(self, client):
        body = client.get("/commune/inscription", status=200).body
        assert "Publiez les données de votre commune" in body
        assert 'name="_csrf_token"' in body
        assert "Et ensuite ?" in body

    def test_post_without_csrf_token_is_refused_and_stores_nothing(self, client, smtp_server):
        client.get("/commune/inscription")
        resp = client.post("/commune/inscription", data=FORM)
        assert resp.status_code == 400
        assert _requests() == []

    @pytest.mark.ckan_config("ckan.csrf_protection.ignore_extensions", "true")
    def test_csrf_holds_even_when_the_portal_exempts_extensions(self, client, smtp_server):
        """CKAN 2.11's default exempts extension blueprints from CSRF; this one protects itself anyway."""
        client.get("/commune/inscription")
        assert client.post("/commune/inscription", data=FORM).status_code == 400
        assert _requests() == []

    def test_post_creates_the_request_and_thanks(self, client, smtp_server):
        page = client.get("/commune/inscription")
        resp = client.post("/commune/inscription", data=dict(FORM, _csrf_token=_csrf(page.body)))
        assert resp.status_code == 200
        assert "Merci, votre demande est envoyée" in resp.body
        assert "mairie de Schirmeck" in resp.body
        [req] = _requests()
        assert req.insee_code == "67448" and req.state == "awaiting_confirmation"

    def test_errors_are_shown_in_french_and_input_kept(self, client, smtp_server):
        page = client.get("/commune/inscription")
        resp = client.post("/commune/inscription", data=dict(FORM, _csrf_token=_csrf(page.body),
                                                          requester_email="pas une adresse", requester_phone="1"))
        assert "adresse électronique valide" in resp.body and "numéro de téléphone valide" in resp.body
        assert 'value="Claire Martin"' in resp.body
        assert _requests() == []

    def test_without_javascript_an_exact_name_is_enough(self, client, smtp_server):
        page = client.get("/commune/inscription")
        client.post("/commune/inscription", data=dict(FORM, _csrf_token=_csrf(page.body), insee_code=""))
        assert [r.insee_code for r in _requests()] == ["67448"]

    def test_without_javascript_an_ambiguous_text_offers_a_choice(self, client, smtp_server):
        page = client.get("/commune/inscription")
        resp = client.post("/commune/inscription", data=dict(FORM, _csrf_token=_csrf(page.body), insee_code="",
                                                          commune_query="67130"))
        assert "Plusieurs communes correspondent" in resp.body
        assert 'value="67448"' in resp.body and 'type="radio"' in resp.body
        assert _requests() == []

    def test_duplicate_is_refused_with_a_clear_message(self, client, smtp_server):
        make_request()
        page = client.get("/commune/inscription")
        resp = client.post("/commune/inscription", data=dict(FORM, _csrf_token=_csrf(page.body)))
        assert "déjà en cours de traitement" in resp.body

    def test_autocompletion_by_name_and_postcode(self, client):
        by_name = client.get("/commune/inscription/recherche?q=schirm").json
        assert by_name[0]["code"] == "67448" and by_name[0]["name"] == "Schirmeck"
        by_postcode = client.get("/commune/inscription/recherche?q=67130").json
        assert "67448" in [c["code"] for c in by_postcode]
        assert client.get("/commune/inscription/recherche?q=").json == []
        assert "email" not in by_name[0]

    def test_header_links_to_the_form(self, client):
        assert 'href="/commune/inscription"' in client.get("/").body

    def test_header_takes_a_commune_member_to_the_commune(self, app, client, smtp_server, regional_admin):
        """Once the commune is on the portal, "Ma commune" opens its organization, not the form to join."""
        from ckan.tests import factories
        from ckan.tests.helpers import call_action

        requester = factories.UserWithToken(email="claire.martin@example.org")  # has an account already
        req = make_request("08158")  # manual review: approved with a note
        with app.flask_app.test_request_context():  # the approval mails the requester
            # the requester links the request to their account through their personal link
            call_action("grandest_commune_request_claim", {"user": requester["name"]}, id=req["id"],
                        token=requester_token(smtp_server, req["id"]))
            call_action("grandest_commune_request_approve", {"user": REGIONAL}, id=req["id"], tier="free",
                        verification_note="Mairie appelée.")
        org = call_action("grandest_commune_request_show", {"user": REGIONAL}, id=req["id"])["organization_id"]
        org_name = call_action("organization_show", {"ignore_auth": True}, id=org)["name"]
        body = client.get("/dataset/", headers={"Authorization": requester["token"]}).body
        assert f'href="/organization/{org_name}"' in body and ">Ma commune</a>" in body
        assert 'href="/commune/inscription"' not in body
        # someone with no commune (a member of another kind of organization) still gets the form
        other = factories.UserWithToken()
        factories.Organization(users=[{"name": other["name"], "capacity": "admin"}])
        assert 'href="/commune/inscription"' in client.get("/", headers={"Authorization": other["token"]}).body


@onboarding_config
class TestConfirmationPage:
    def test_town_hall_confirms_through_a_post(self, client, smtp_server, regional_admin):
        req = make_request()
        url = _confirm_url(smtp_server, req["id"]).replace("http://test.datagrandest.example", "")
        page = client.get(url, status=200)
        assert "Cette demande vient-elle de votre mairie ?" in page.body and "Claire Martin" in page.body
        # a mail scanner following the link (GET) confirms nothing
        from ckan.tests.helpers import call_action

        assert call_action("grandest_commune_request_show", {"user": REGIONAL}, id=req["id"])["state"] == \
            "awaiting_confirmation"
        assert client.post(url, data={}).status_code == 400  # CSRF
        done = client.post(url, data={"_csrf_token": _csrf(page.body)})
        assert "Merci, la demande est confirmée" in done.body
        assert call_action("grandest_commune_request_show", {"user": REGIONAL}, id=req["id"])["state"] == \
            "pending_review"
        again = client.get(url)
        assert again.status_code == 404 and "plus valable" in again.body

    def test_bad_token_shows_a_plain_explanation(self, client, smtp_server):
        req = make_request()
        resp = client.get(f"/commune/confirmation/{req['id']}/nimportequoi")
        assert resp.status_code == 404 and "plus valable" in resp.body


@onboarding_config
class TestTrackingPage:
    def test_requester_follows_answers_and_cancels(self, client, smtp_server, regional_admin):
        from ckan.tests.helpers import call_action

        req = make_request("08158")  # manual review
        url = f"/commune/suivi/{req['id']}/{requester_token(smtp_server, req['id'])}"
        page = client.get(url, status=200)
        assert "En attente d&#39;examen" in page.body or "En attente d'examen" in page.body
        call_action("grandest_commune_request_request_info", {"user": REGIONAL}, id=req["id"],
                    message="Quelles données souhaitez-vous publier ?")
        assert client.get(url).status_code == 404  # the question's email carries a new link: the old one is dead
        url = f"/commune/suivi/{req['id']}/{requester_token(smtp_server, req['id'])}"
        page = client.get(url)
        assert "Quelles données souhaitez-vous publier ?" in page.body
        resp = client.post(url, data={"_csrf_token": _csrf(page.body), "action": "respond",
                                   "response": "Le budget."})
        assert "votre réponse a été transmise" in resp.body
        # rotation on use: the page moved to a new link, the one just used no longer works
        assert resp.request.path != url and client.get(url).status_code == 404
        url = resp.request.path
        page = client.get(url)
        resp = client.post(url, data={"_csrf_token": _csrf(page.body), "action": "cancel", "reason": ""})
        assert "Votre demande est annulée" in resp.body
        assert call_action("grandest_commune_request_show", {"user": REGIONAL}, id=req["id"])["state"] == "cancelled"

    def test_wrong_link(self, client, smtp_server):
        req = make_request()
        assert client.get(f"/commune/suivi/{req['id']}/{'0' * 64}").status_code == 404


@onboarding_config
class TestReview:
    def test_queue_is_for_regional_admins_only(self, client, smtp_server, regional_admin, commune_admin):
        make_request()
        assert client.get("/commune/demandes").status_code == 403
        assert client.get("/commune/demandes", headers={"Authorization": commune_admin["token"]}).status_code == 403
        page = client.get("/commune/demandes", headers={"Authorization": regional_admin["token"]}, status=200)
        assert "Schirmeck" in page.body and "En attente de confirmation par la mairie" in page.body
        # the exact population totale (the free tier's threshold is 3,500): 2 115, not "2,1k"
        assert "<td>2\u202f115</td>" in page.body
        filtered = client.get("/commune/demandes?state=approved", headers={"Authorization": regional_admin["token"]})
        assert "Schirmeck" not in filtered.body
        by_dept = client.get("/commune/demandes?state=open&departement=08",
                          headers={"Authorization": regional_admin["token"]})
        assert "Aucune demande ne correspond" in by_dept.body

    def test_header_shows_the_queue_with_its_count(self, client, smtp_server, regional_admin):
        make_request("08158")
        body = client.get("/", headers={"Authorization": regional_admin["token"]}).body
        # the « Administration régionale » menu: the review queue, with the number of requests waiting
        entry = re.search(r'<a class="dropdown-item[^"]*" href="/commune/demandes".*?</a>', body, re.S)
        assert entry is not None and "1 en attente" in entry.group(0), body

    def test_detail_shows_the_referential_and_approves(self, client, smtp_server, regional_admin):
        req = make_request("08158")
        env = {"Authorization": regional_admin["token"]}
        page = client.get(f"/commune/demandes/{req['id']}", headers=env, status=200)
        assert "SIREN" in page.body and "Population (totale)" in page.body and "Historique" in page.body
        assert "Pas d&#39;adresse de mairie" in page.body or "Pas d'adresse de mairie" in page.body
        # reject without reason: French error, nothing changes
        resp = client.post(f"/commune/demandes/{req['id']}", headers=env,
                        data={"_csrf_token": _csrf(page.body), "action": "reject", "reason": ""})
        assert "Indiquez le motif du refus" in resp.body
        # approve without verification note (town hall not confirmed): refused
        resp = client.post(f"/commune/demandes/{req['id']}", headers=env,
                        data={"_csrf_token": _csrf(page.body), "action": "approve", "tier": "free"})
        assert "La mairie n&#39;a pas confirmé" in resp.body or "La mairie n'a pas confirmé" in resp.body
        resp = client.post(f"/commune/demandes/{req['id']}", headers=env,
                        data={"_csrf_token": _csrf(page.body), "action": "approve", "tier": "free",
                              "verification_note": "Mairie appelée le 25/11."})
        assert "Demande acceptée" in resp.body and "Acceptée" in resp.body
        assert "Mairie appelée le 25/11." in resp.body

    def test_decision_without_csrf_is_refused(self, client, smtp_server, regional_admin):
        req = make_request()
        login(client, REGIONAL)  # a browser session (API-token clients are exempt from CSRF, as in core)
        assert "Demandes" in client.get(f"/commune/demandes/{req['id']}").body
        resp = client.post(f"/commune/demandes/{req['id']}", data={"action": "reject", "reason": "Non"})
        assert resp.status_code == 400
        from ckan.tests.helpers import call_action

        assert call_action("grandest_commune_request_show", {"user": REGIONAL}, id=req["id"])["state"] == \
            "awaiting_confirmation"


@onboarding_config
class TestUsagePages:
    def test_commune_admin_sees_bars_and_warning(self, client, commune_admin):
        from ckan.tests import factories

        org = commune_admin["org"]
        set_quota(org["id"], max_datasets=2)
        factories.Dataset(owner_org=org["id"])
        factories.Dataset(owner_org=org["id"])
        env = {"Authorization": commune_admin["token"]}
        page = client.get(f"/organization/hebergement/{org['name']}", headers=env, status=200)
        assert "Espace d&#39;hébergement" in page.body or "Espace d'hébergement" in page.body
        assert "2 sur 2" in page.body and "presque atteint" in page.body
        assert 'name="max_storage_mb"' not in page.body  # only regional admins change limits
        assert "/organization/hebergement/commune-de-schirmeck" in client.get(
            f"/organization/{org['name']}", headers=env).body  # the tab

    def test_others_cannot_see_it(self, client, commune_admin):
        from ckan.tests import factories

        other = factories.UserWithToken()
        assert client.get(f"/organization/hebergement/{commune_admin['org']['name']}",
                       headers={"Authorization": other["token"]}).status_code == 403
        assert client.get(f"/organization/hebergement/{commune_admin['org']['name']}").status_code == 403

    def test_regional_admin_changes_limits(self, client, commune_admin, regional_admin):
        org = commune_admin["org"]
        env = {"Authorization": regional_admin["token"]}
        page = client.get(f"/organization/hebergement/{org['name']}", headers=env, status=200)
        resp = client.post(f"/organization/hebergement/{org['name']}", headers=env, data={
            "_csrf_token": _csrf(page.body), "tier": "standard", "max_storage_mb": "2048", "max_datasets": "",
            "max_file_mb": "abc"})
        assert "nombre entier" in resp.body
        resp = client.post(f"/organization/hebergement/{org['name']}", headers=env, data={
            "_csrf_token": _csrf(page.body), "tier": "standard", "max_storage_mb": "2048", "max_datasets": "",
            "max_file_mb": ""})
        assert "Limites d&#39;hébergement enregistrées" in resp.body or \
            "Limites d'hébergement enregistrées" in resp.body
        from tests.onboarding.conftest import quota_of

        q = quota_of(org["id"])
        assert q["tier"] == "standard" and q["limits"]["max_storage_bytes"] == 2048 << 20
        assert q["limits"]["max_datasets"] == 500

    def test_limits_form_without_csrf_is_refused(self, client, commune_admin, regional_admin):
        login(client, REGIONAL)
        org = commune_admin["org"]
        assert client.post(f"/organization/hebergement/{org['name']}", data={"tier": "standard"}).status_code == 400
        from tests.onboarding.conftest import quota_of

        assert quota_of(org["id"])["tier"] == "free"

    def test_overview_sorts_and_exports_csv(self, client, commune_admin, regional_admin):
        from ckan.tests import factories

        big = factories.Organization(name="grosse-commune", title="Grosse commune")
        set_quota(big["id"], tier="free", max_datasets=1)
        factories.Dataset(owner_org=big["id"])
        env = {"Authorization": regional_admin["token"]}
        page = client.get("/hebergement?sort=datasets_percent&order=desc", headers=env, status=200)
        assert page.body.index("Grosse commune") < page.body.index("Commune de Schirmeck")
        csv_resp = client.get("/hebergement.csv?sort=name", headers=env, status=200)
        assert csv_resp.headers["Content-Type"] == "text/csv; charset=utf-8"
        text = csv_resp.get_data(as_text=True)
        assert text.splitlines()[0].lstrip("\ufeff").startswith("organization,title,tier,bytes_used")
        assert "grosse-commune,Grosse commune,free,0,1073741824,0.0,1,1,100.0" in text
        assert client.get("/hebergement", headers={"Authorization": commune_admin["token"]}).status_code == 403
