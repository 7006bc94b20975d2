"""The page telling regional admins how to register the feed on data.gouv.fr: who sees it, what it shows."""
from __future__ import annotations

import re

import pytest

from tests.dcat.conftest import commune_org, minimal_dataset

URL = "/grandest/dcat"


@pytest.fixture
def setup(clean_db, clean_index, with_plugins):
    from ckan.tests import factories

    org = commune_org()
    minimal_dataset(org["id"])
    minimal_dataset(org["id"], name="prive", private=True)
    member = factories.UserWithToken()
    admin = factories.UserWithToken()
    factories.Organization(users=[{"name": admin["name"], "capacity": "admin"},
                                  {"name": member["name"], "capacity": "member"}],
                           actor_type="association", siren="775672272")
    regional = factories.UserWithToken(name="marie-regionale")
    sysadmin = factories.SysadminWithToken()
    return {"member": member, "admin": admin, "regional": regional, "sysadmin": sysadmin}


def get(app, user=None, **kw):
    headers = {"Authorization": user["token"]} if user else {}
    return app.get(URL, headers=headers, status=None, **kw)


@pytest.mark.ckan_config("ckanext.grandest.regional_admins", "marie-regionale")
@pytest.mark.parametrize("who, status", [(None, 403), ("member", 403), ("admin", 403), ("regional", 200),
                                         ("sysadmin", 200)])
def test_who_sees_the_page(app, setup, who, status):
    resp = get(app, setup[who] if who else None)
    assert resp.status_code == status
    if status == 403:
        assert "administrateurs régionaux" in resp.body


@pytest.mark.ckan_config("ckanext.grandest.regional_admins", "marie-regionale")
def test_page_content(app, setup):
    body = get(app, setup["regional"]).body
    assert "Déclarer le catalogue sur data.gouv.fr" in body
    assert 'value="http://test.datagrandest.example/catalog.ttl"' in body
    assert "http://test.datagrandest.example/catalog.rdf" in body
    assert "http://test.datagrandest.example/catalog.jsonld" in body
    assert "Ajouter un moissonneur" in body and "DCAT" in body
    assert "1 jeux de données publics" in body  # the private one is not counted
    assert "profil DCAT du Grand Est n&#39;est pas activé" not in body


@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3")
def test_page_warns_when_the_profile_is_off(app, setup):
    body = get(app, setup["sysadmin"]).body
    assert "grandest_dcat_ap" in body and "pas activé" in body


def test_page_gives_an_organization_feed(app, setup):
    body = get(app, setup["sysadmin"], query_string={"organization": "commune-de-ribeauville"}).body
    assert "http://test.datagrandest.example/catalog.ttl?organization=commune-de-ribeauville" in body


@pytest.mark.ckan_config("ckanext.grandest.regional_admins", "marie-regionale")
@pytest.mark.parametrize("who, linked", [("member", False), ("admin", False), ("regional", True), ("sysadmin", True)])
def test_header_links_regional_admins_to_the_page(app, setup, who, linked):
    # the « Administration régionale » menu of the header (common/templates/header.html) leads to the page
    body = app.get("/dataset/", headers={"Authorization": setup[who]["token"]}).body
    menu = re.search(r'<ul class="dropdown-menu[^"]*" id="grandest-regional-menu".*?</ul>', body, re.S)
    assert (menu is not None and 'href="/grandest/dcat"' in menu.group(0)
            and "Catalogue DCAT" in menu.group(0)) is linked, menu and menu.group(0)
    assert "grandest-regional-menu" not in app.get("/dataset/").body  # anonymous


def test_admin_tab_for_sysadmins(app, setup):
    body = app.get("/ckan-admin/", headers={"Authorization": setup["sysadmin"]["token"]}).body
    assert 'href="/grandest/dcat"' in body


def test_feed_info_action_auth(setup):
    from ckan import logic
    from ckan.tests import helpers

    for who in ("member", "admin"):
        with pytest.raises(logic.NotAuthorized):
            helpers.call_action("grandest_dcat_feed_info", context={"user": setup[who]["name"],
                                                                    "ignore_auth": False})
    info = helpers.call_action("grandest_dcat_feed_info", context={"user": setup["sysadmin"]["name"],
                                                                   "ignore_auth": False})
    assert info["public_datasets"] == 1 and info["recommended"].endswith("/catalog.ttl")
