"""Harvest sources: created by regional administrators through the web form and the API, owned by a commune
or an EPCI of the referential, with a public http(s) feed address and a checked configuration."""
from __future__ import annotations

import pytest

from tests.harvest.helpers import REGIONAL_ADMIN, commune_org, epci_org
from tests.helpers import api_post


def _source(url="https://portail.example.org/catalog.ttl", **kw):
    data = {"name": "source-test", "title": "Source de test", "url": url, "source_type": "grandest_dcat"}
    data.update(kw)
    return data


def test_regional_admin_creates_a_source_through_the_api(harvest, app):
    org = commune_org()
    token = harvest.regional["token"]
    created = api_post(app, "harvest_source_create", token, **_source(owner_org=org["id"],
                                                                     config='{"deleted_records": "keep"}'))
    assert created["success"]
    src = created["result"]
    assert (src["source_type"], src["owner_org"]) == ("grandest_dcat", org["id"])
    # and can run it and read its jobs
    job = api_post(app, "harvest_job_create", token, source_id=src["id"], run=False)["result"]
    assert api_post(app, "harvest_job_show", token, id=job["id"])["success"]


def test_regional_admin_creates_a_source_through_the_web_form(harvest, app):
    org = epci_org()
    headers = {"Authorization": harvest.regional["token"]}
    page = app.get("/harvest/new", headers=headers)
    assert "Flux DCAT (Grand Est)" in page.body
    assert f'value="{org["id"]}"' in page.body  # the EPCI is offered although the admin is not a member
    resp = app.post("/harvest/new", headers=headers, data={
        "url": "https://opendata.example-metz.fr/catalog.rdf", "title": "Open data de Metz", "name": "metz-dcat",
        "notes": "", "source_type": "grandest_dcat", "frequency": "WEEKLY", "config": "",
        "owner_org": org["id"], "save": "Save"}, follow_redirects=False)
    assert resp.status_code in (302, 303), resp.body[:2000]
    src = harvest.action("harvest_source_show", id="metz-dcat")
    assert (src["source_type"], src["owner_org"], src["frequency"]) == ("grandest_dcat", org["id"], "WEEKLY")


def test_the_web_form_shows_french_errors(harvest, app):
    from ckan.tests import factories

    other = factories.Organization(name="association-x", title="Association X", actor_type="association",
                                   siren="775672272")
    headers = {"Authorization": harvest.regional["token"]}
    resp = app.post("/harvest/new", headers=headers, data={
        "url": "ftp://exemple.org/catalog.ttl", "title": "Mauvaise", "name": "mauvaise", "notes": "",
        "source_type": "grandest_dcat", "frequency": "MANUAL", "config": '{"deleted_records": "jamais"}',
        "owner_org": other["id"], "save": "Save"})
    body = resp.body
    assert "Seules les adresses http:// et https://" in body
    assert "commune ou d&#39;une intercommunalité" in body or "commune ou d'une intercommunalité" in body


@pytest.mark.parametrize("user_kind", ["anonymous", "member", "org_admin", "other_org_admin"])
def test_only_regional_admins_manage_sources(harvest, app, user_kind):
    from ckan.tests import factories

    org = commune_org()
    other = commune_org(name="ville-de-colmar", title="Ville de Colmar", insee="68066")
    user = factories.UserWithToken()
    if user_kind == "member":
        harvest.action("organization_member_create", id=org["id"], username=user["name"], role="editor")
    elif user_kind == "org_admin":
        harvest.action("organization_member_create", id=org["id"], username=user["name"], role="admin")
    elif user_kind == "other_org_admin":
        harvest.action("organization_member_create", id=other["id"], username=user["name"], role="admin")
    token = None if user_kind == "anonymous" else user["token"]
    resp = api_post(app, "harvest_source_create", token, status=403, **_source(owner_org=org["id"]))
    assert resp["success"] is False

    # an existing source cannot be edited, run or deleted by them either
    src = harvest.source("https://portail.example.org/catalog.ttl", org["id"], name="existante")
    api_post(app, "harvest_source_patch", token, status=403, id=src["id"], title="Piratée")
    api_post(app, "harvest_job_create", token, status=403, source_id=src["id"])
    api_post(app, "harvest_source_delete", token, status=403, id=src["id"])
    assert harvest.action("harvest_source_show", id=src["id"])["title"] != "Piratée"


def test_sysadmin_and_regional_admin_are_allowed(harvest, app):
    from ckan.tests import factories

    org = commune_org()
    sysadmin = factories.SysadminWithToken()
    assert api_post(app, "harvest_source_create", sysadmin["token"], **_source(owner_org=org["id"]))["success"]
    assert api_post(app, "harvest_source_patch", harvest.regional["token"], id="source-test",
                    title="Renommée")["success"]
    assert api_post(app, "harvest_source_delete", harvest.regional["token"], id="source-test")["success"]


@pytest.mark.parametrize("org_kind, ok", [("commune", True), ("epci", True), ("association", False),
                                          ("departement", False), ("unknown_commune", False)])
def test_the_source_belongs_to_a_commune_or_an_epci(harvest, app, org_kind, ok):
    from ckan.tests import factories

    if org_kind == "commune":
        org = commune_org()
    elif org_kind == "epci":
        org = epci_org()
    elif org_kind == "association":
        org = factories.Organization(actor_type="association", siren="775672272")
    elif org_kind == "departement":
        org = factories.Organization(actor_type="departement", insee_code="67")
    else:
        org = factories.Organization(actor_type="etat")  # a State service: no commune, no EPCI
    resp = api_post(app, "harvest_source_create", harvest.regional["token"], status=200 if ok else 409,
                    **_source(owner_org=org["id"]))
    assert resp["success"] is ok
    if not ok:
        assert "commune ou d'une intercommunalité" in resp["error"]["owner_org"][0]


@pytest.mark.parametrize("url, fragment", [
    ("file:///etc/passwd", "Seules les adresses http:// et https://"),
    ("gopher://exemple.org/", "Seules les adresses http:// et https://"),
    ("http://192.168.1.10/catalog.ttl", "réseau local ou privé"),
    ("http://169.254.169.254/latest/meta-data/", "réseau local ou privé"),
    ("http://user:secret@portail.example.org/catalog.ttl", "ni nom d'utilisateur ni mot de passe"),
])
def test_feed_addresses_are_checked_when_the_source_is_saved(harvest, app, url, fragment):
    org = commune_org()
    resp = api_post(app, "harvest_source_create", harvest.regional["token"], status=409,
                    **_source(url=url, owner_org=org["id"]))
    assert fragment in resp["error"]["url"][0]


@pytest.mark.parametrize("config, fragment", [
    ("pas du json", "doit être écrite en JSON"),
    ('["liste"]', "doit être écrite en JSON"),
    ('{"inconnue": 1}', "Option(s) de configuration inconnue(s) : inconnue"),
    ('{"rdf_format": "pdf"}', "rdf_format doit valoir"),
    ('{"deleted_records": "jamais"}', "deleted_records doit valoir"),
    ('{"max_pages": 0}', "max_pages doit être un nombre entier"),
    ('{"default_license_id": "other"}', "default_license_id doit valoir"),
])
def test_source_configuration_errors_are_explained(harvest, app, config, fragment):
    org = commune_org()
    resp = api_post(app, "harvest_source_create", harvest.regional["token"], status=409,
                    **_source(owner_org=org["id"], config=config))
    assert fragment in str(resp["error"]["config"])


def test_a_good_configuration_is_accepted(harvest, app):
    org = commune_org()
    cfg = '{"rdf_format": "json-ld", "deleted_records": "keep", "max_pages": 3, "default_license_id": "lov2"}'
    resp = api_post(app, "harvest_source_create", harvest.regional["token"], **_source(owner_org=org["id"],
                                                                                       config=cfg))
    assert resp["success"]
    assert REGIONAL_ADMIN
