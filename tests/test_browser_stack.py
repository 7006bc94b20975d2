"""The real browser sees the real portal (live CKAN server + Chromium)."""
from __future__ import annotations

import pytest


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dataset_list_in_chromium(live_server, browser_page):
    from ckan.tests import factories

    org = factories.Organization(name="commune-de-colmar", title="Commune de Colmar")
    factories.Dataset(owner_org=org["id"], title="Marchés hebdomadaires", name="marches-hebdomadaires")

    page = browser_page
    page.goto(live_server.url + "/dataset/")
    assert "1 jeu de données trouvé" in page.content()
    page.click("text=Marchés hebdomadaires")
    page.wait_for_url("**/dataset/marches-hebdomadaires")
    assert page.locator("h1").first.inner_text().strip().startswith("Marchés hebdomadaires")


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config("ckan.plugins", "scheming_datasets scheming_organizations grandest_metadata "
                                         "grandest_validation grandest_onboarding")
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.grandest.schemas:dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.grandest.schemas:organization.yaml")
@pytest.mark.ckan_config("scheming.presets", "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml")
def test_public_pages_pass_axe_core_at_desktop_and_phone_widths(live_server, browser_page):
    """The pages every visitor meets first (home, dataset list, log in, register, a 404) have no critical or
    serious axe-core violation, at 1280 px and at 390 px, and do not scroll sideways on a phone."""
    from tests.axe import assert_accessible

    page = browser_page
    for path, where in (("/", "home page"), ("/dataset/", "dataset list"), ("/user/login", "log in"),
                        ("/user/register", "register"), ("/dataset/ce-jeu-n-existe-pas", "404 page"),
                        ("/commune/inscription", "join form")):
        page.goto(live_server.url + path, wait_until="networkidle")
        assert_accessible(page, where)
