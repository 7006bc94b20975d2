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
