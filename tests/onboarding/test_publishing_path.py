"""Issue #13, item 3: the account and publishing path of a clerk, in French — the invitation, the password that
logs her in on her commune's page, public datasets by default, an empty resource refused, the town-hall mailbox
named (masked) on the « sent » page, the town hall's « ce n'est pas nous » link, a well-formed From: header."""
from __future__ import annotations

import re
from email.utils import parseaddr
from html.parser import HTMLParser

import pytest

from tests.conftest import CapturedMail
from tests.onboarding.conftest import REGIONAL, links, login, make_request, onboarding_config

TOWNHALL_SCHIRMECK = "secretariat@ville-schirmeck.fr"
SITE = "http://test.datagrandest.example"


def _csrf(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


def _mail_to(smtp, address):
    return [m for m, env in zip(smtp.messages, smtp.envelopes) if address in env["to"]]


def _link(smtp, address, fragment):
    for msg in _mail_to(smtp, address):
        for url in links(CapturedMail.body(msg)):
            if fragment in url:
                return url.replace(SITE, "")
    raise AssertionError(f"no {fragment} link mailed to {address}")


def _act(action, user=REGIONAL, **data):
    from ckan.tests.helpers import call_action

    return call_action(action, {"user": user}, **data)


@pytest.fixture
def client(app):
    return app.test_client()


def _approved(app, smtp, email="nouvelle@example.org"):
    """A request confirmed by the town hall and approved by the regional admin: the requester is invited (in
    a request context of its own, as the review page would; the test client then browses on its own)."""
    with app.flask_app.test_request_context():
        req = make_request(requester_email=email)
        token = _link(smtp, TOWNHALL_SCHIRMECK, f"/commune/confirmation/{req['id']}/").rsplit("/", 1)[1]
        _act("grandest_commune_request_confirm", user="", id=req["id"], token=token)
        out = _act("grandest_commune_request_approve", id=req["id"])
    smtp.wait_for(len(smtp.messages) + 1)
    return req, out


@onboarding_config
@pytest.mark.usefixtures("regional_admin")
class TestInvitation:
    def test_invitation_is_french_addressed_by_full_name_and_well_formed(self, app, smtp_server):
        _req, out = _approved(app, smtp_server)
        invitations = [m for m in _mail_to(smtp_server, "nouvelle@example.org") if "/user/reset/" in
                       CapturedMail.body(m)]
        assert len(invitations) == 1
        msg = invitations[0]
        assert msg["Subject"] == "DataGrandEst : votre invitation — choisissez votre mot de passe"
        assert "Invite" not in msg["Subject"]
        assert parseaddr(msg["To"]) == ("Claire Martin", "nouvelle@example.org")
        assert parseaddr(msg["From"]) == ("DataGrandEst", "ne-pas-repondre@datagrandest.example")
        assert msg["From"].count("<") == 1
        body = CapturedMail.body(msg)
        assert body.startswith("Bonjour Claire Martin,")
        assert "« Commune de Schirmeck »" in body and "choisissez votre mot de passe" in body
        assert "Publier votre premier jeu de données" in body
        assert "Dear" not in body and "invited" not in body
        # consistent with the welcome mail, which points to this « invitation »
        welcome = [CapturedMail.body(m) for m in _mail_to(smtp_server, "nouvelle@example.org")
                   if "Bonne nouvelle" in CapturedMail.body(m)]
        assert welcome and "« invitation »" in welcome[0]

    def test_choosing_the_password_logs_in_and_lands_on_the_commune_with_a_first_step(self, app, client,
                                                                                      smtp_server):
        from ckan import model

        _req, out = _approved(app, smtp_server)
        reset = _link(smtp_server, "nouvelle@example.org", "/user/reset/")
        page = client.get(reset)
        assert page.status_code == 200
        resp = client.post(reset, data={"_csrf_token": _csrf(page.body), "password1": "Mairie-Schirmeck-2026",
                                        "password2": "Mairie-Schirmeck-2026"}, follow_redirects=True)
        assert resp.status_code == 200
        assert resp.request.path == "/organization/commune-de-schirmeck"
        assert "Publier votre premier jeu de données" in resp.body
        assert 'href="/dataset/new?group=' in resp.body
        # logged in: her dashboard opens, and the account is active
        assert client.get("/dashboard/datasets").status_code == 200
        user = model.User.get(out["user_id"])
        model.Session.refresh(user)
        assert user.state == "active"

    def test_a_commune_with_datasets_has_no_first_step_and_others_never_see_it(self, client, smtp_server,
                                                                              commune_admin):
        from ckan.tests import factories

        login(client, "secretaire")
        assert "Publier votre premier jeu de données" in client.get("/organization/commune-de-schirmeck").body
        factories.Dataset(owner_org=commune_admin["org"]["id"])
        assert "Publier votre premier jeu de données" not in client.get("/organization/commune-de-schirmeck").body
        other = factories.Organization(name="autre-commune")
        assert "Publier votre premier jeu de données" not in client.get(f"/organization/{other['name']}").body


@onboarding_config
class TestDatasetForm:
    def test_a_new_dataset_is_public_by_default_and_private_is_explained(self, client, commune_admin):
        login(client, "secretaire")
        page = client.get(f"/dataset/new?group={commune_admin['org']['id']}")
        select = re.search(r'<select id="field-private".*?</select>', page.body, re.S).group(0)
        assert re.search(r'<option value="False"\s+selected', select), select
        assert not re.search(r'<option value="True"\s+selected', select)
        assert 'aria-describedby="field-private-help"' in select
        assert "seuls les membres de votre organisation" in page.body and "data.gouv.fr" in page.body

    def test_an_existing_private_dataset_stays_private_in_the_form(self, client, commune_admin):
        from ckan.tests import factories

        login(client, "secretaire")
        ds = factories.Dataset(owner_org=commune_admin["org"]["id"], private=True)
        page = client.get(f"/dataset/edit/{ds['name']}")
        select = re.search(r'<select id="field-private".*?</select>', page.body, re.S).group(0)
        assert re.search(r'<option value="True"\s+selected', select), select


class _Form(HTMLParser):
    """The fields a browser sends for the first <form> of a page left as it is (defaults included)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or not a.get("name"):
            if self.inside and tag == "option" and self._select is not None:
                value = a.get("value", "")
                if self._first is None:
                    self._first = value
                if "selected" in a:
                    self.fields[self._select] = value
            return
        if tag == "input" and a.get("type") not in ("file", "submit", "button", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first = a["name"], None
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.fields.setdefault(self._select, self._first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


GRAND_EST = dict(plugins="activity scheming_datasets grandest_metadata grandest_onboarding",
                 scheming__dataset_schemas="ckanext.grandest.schemas:dataset.yaml",
                 scheming__presets="ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
                 licenses_group_url="")


def _grand_est_dataset(owner_org: str) -> dict:
    from tests.validation.conftest import act, dataset_dict

    return act("package_create", **dataset_dict(owner_org, name="budget-2026", title="Budget 2026"))


@onboarding_config(**GRAND_EST)
class TestEmptyResource:
    def test_the_empty_form_is_refused_in_french_and_creates_nothing(self, client, commune_admin):
        """The Grand Est resource form sent with a description typed but no file, no link, no name: CKAN
        created « Ressource sans nom » with nothing to download (any field filled made it « data provided »)."""
        login(client, "secretaire")
        ds = _grand_est_dataset(commune_admin["org"]["id"])
        page = client.get(f"/dataset/{ds['name']}/resource/new")
        form = _Form("resource-edit")
        form.feed(page.body)
        data = dict(form.fields, save="go-metadata", description="Budget primitif voté le 12 mars 2026.")
        assert "url" in data and "name" in data and not data["url"] and not data["name"]
        resp = client.post(f"/dataset/{ds['name']}/resource/new", data=data)
        assert resp.status_code == 200
        assert "une ressource sans fichier, sans lien et sans nom ne peut pas être publiée" in resp.body
        assert _act("package_show", user=commune_admin["user"]["name"], id=ds["id"])["resources"] == []
        # the form is shown again, with a link or a file it is accepted
        data.update(url="https://exemple.fr/budget-2026.csv")
        resp = client.post(f"/dataset/{ds['name']}/resource/new", data=data, follow_redirects=True)
        assert resp.status_code == 200
        resources = _act("package_show", user=commune_admin["user"]["name"], id=ds["id"])["resources"]
        assert [r["url"] for r in resources] == ["https://exemple.fr/budget-2026.csv"]

    def test_the_api_refuses_it_too_and_a_link_is_enough(self, app, commune_admin):
        import ckan.plugins.toolkit as tk

        ds = _grand_est_dataset(commune_admin["org"]["id"])
        user = commune_admin["user"]["name"]
        with app.flask_app.test_request_context():  # French, as a web request
            with pytest.raises(tk.ValidationError) as err:
                _act("resource_create", user=user, package_id=ds["id"], url="", name="  ")
        assert "ne peut pas être publiée" in str(err.value.error_dict["url"])
        assert _act("package_show", user=user, id=ds["id"])["resources"] == []
        res = _act("resource_create", user=user, package_id=ds["id"], url="https://exemple.fr/budget.csv")
        assert res["url"] == "https://exemple.fr/budget.csv"


    def test_a_file_sent_without_a_name_is_named_after_the_file(self, app, commune_admin):
        """The resource form sent with a file and no name: « subventions-2024.csv », not « Ressource sans nom »;
        a name given is kept."""
        from tests.onboarding.conftest import upload

        ds = _grand_est_dataset(commune_admin["org"]["id"])
        token = commune_admin["token"]
        unnamed = upload(app, token, b"a,b\n1,2\n", filename="subventions-2024.csv", package_id=ds["id"],
                         status=200).json["result"]
        assert unnamed["name"] == "subventions-2024.csv"
        named = upload(app, token, b"a,b\n1,2\n", filename="export.csv", package_id=ds["id"], name="Budget 2026",
                       status=200).json["result"]
        assert named["name"] == "Budget 2026"
        shown = _act("package_show", user=commune_admin["user"]["name"], id=ds["id"])["resources"]
        assert [r["name"] for r in shown] == ["subventions-2024.csv", "Budget 2026"]


@onboarding_config
class TestSentPage:
    def test_the_town_hall_mailbox_is_named_partly_masked(self, client):
        from ckanext.grandest.onboarding.helpers import grandest_onboarding_masked_email

        page = client.get("/commune/inscription/envoyee?commune=67448")
        assert "s*********t@ville-schirmeck.fr" in page.body
        assert TOWNHALL_SCHIRMECK not in page.body
        assert grandest_onboarding_masked_email("mairie@aydoilles.fr") == "m****e@aydoilles.fr"
        assert grandest_onboarding_masked_email("ab@x.fr") == "a*@x.fr"
        assert grandest_onboarding_masked_email("pas une adresse") == ""

    def test_no_mailbox_no_address(self, client):
        page = client.get("/commune/inscription/envoyee?commune=08158&manual=1")
        assert "@" not in re.sub(r"<[^>]+>", "", page.body.split("<main", 1)[-1].split("</main>", 1)[0])


@onboarding_config
@pytest.mark.usefixtures("regional_admin")
class TestNotUs:
    def test_the_town_hall_cancels_through_its_link(self, client, smtp_server):
        req = make_request()
        mail = _mail_to(smtp_server, TOWNHALL_SCHIRMECK)[0]
        assert "Ce n'est pas nous" in CapturedMail.body(mail)
        url = _link(smtp_server, TOWNHALL_SCHIRMECK, "/commune/pas-nous/")
        page = client.get(url)
        assert page.status_code == 200 and "Cette demande ne vient pas de votre mairie ?" in page.body
        # opening the link (a mail scanner) changes nothing; a POST without CSRF token neither
        assert _act("grandest_commune_request_show", id=req["id"])["state"] == "awaiting_confirmation"
        assert client.post(url, data={}).status_code == 400
        assert _act("grandest_commune_request_show", id=req["id"])["state"] == "awaiting_confirmation"
        n = len(smtp_server.messages)
        done = client.post(url, data={"_csrf_token": _csrf(page.body)})
        assert done.status_code == 200 and "La demande est annulée" in done.body
        shown = _act("grandest_commune_request_show", id=req["id"])
        assert shown["state"] == "cancelled"
        event = shown["events"][-1]
        assert event["action"] == "cancel" and event["actor_kind"] == "townhall"
        assert event["from_state"] == "awaiting_confirmation"
        # one-time: the link and the confirmation link are dead
        assert client.get(url).status_code == 404
        confirm = _link(smtp_server, TOWNHALL_SCHIRMECK, f"/commune/confirmation/{req['id']}/")
        assert client.get(confirm).status_code == 404
        smtp_server.wait_for(n + 1)
        told = [CapturedMail.body(m) for m in _mail_to(smtp_server, "claire.martin@example.org")[-1:]]
        assert "ne venait pas d'elle" in told[0]

    def test_a_forged_link_cancels_nothing(self, client, smtp_server):
        req = make_request()
        assert client.get(f"/commune/pas-nous/{req['id']}/{'0' * 43}").status_code == 404
        import ckan.plugins.toolkit as tk

        with pytest.raises(tk.NotAuthorized):
            _act("grandest_commune_request_deny", user="", id=req["id"], token="0" * 43)
        assert _act("grandest_commune_request_show", id=req["id"])["state"] == "awaiting_confirmation"


FORMS = [
    "ne-pas-repondre@datagrandest.example",
    "DataGrandEst <ne-pas-repondre@datagrandest.example>",
    '"DataGrandEst" <ne-pas-repondre@datagrandest.example>',
    "DataGrandEst <DataGrandEst <ne-pas-repondre@datagrandest.example>>",
    " <ne-pas-repondre@datagrandest.example> ",
]


@onboarding_config
@pytest.mark.parametrize("mail_from", FORMS)
def test_the_from_header_is_well_formed_whatever_smtp_mail_from_holds(mail_from, smtp_server, ckan_config,
                                                                      monkeypatch):
    monkeypatch.setitem(ckan_config, "smtp.mail_from", mail_from)
    make_request()
    messages = smtp_server.wait_for(2)
    assert messages
    for msg, env in zip(messages, smtp_server.envelopes):
        assert parseaddr(msg["From"]) == ("DataGrandEst", "ne-pas-repondre@datagrandest.example"), msg["From"]
        assert msg["From"].count("<") == 1 and msg["From"].count(">") == 1
        assert env["from"] == "ne-pas-repondre@datagrandest.example"


def test_bare_address_of_each_form():
    from ckanext.grandest.common.mail import bare_address

    for form in FORMS:
        assert bare_address(form) == "ne-pas-repondre@datagrandest.example", form
    assert bare_address("") is None and bare_address("DataGrandEst") is None
