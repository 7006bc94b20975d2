"""A town-hall secretary creates a dataset through the form, in French, in a real browser (Chromium) against a
real CKAN server, then finds its territory and the facets on the dataset list.

Screenshots: /tmp/grandest-metadata-*.png
"""
from __future__ import annotations

import re

import pytest

from tests.axe import assert_accessible
from tests.helpers import Select2Tags
from tests.live import browser_login
from tests.metadata.conftest import commune_org

SHOTS = "/tmp/grandest-metadata-{}.png"
PASSWORD = "Mot-de-passe-2026!"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_create_a_dataset_in_french_and_find_it(live_server, browser_page):
    from ckan.tests import factories

    user = factories.User(name="secretaire-ribeauville", fullname="Secrétariat de mairie", password=PASSWORD)
    commune_org(users=[{"name": user["name"], "capacity": "admin"}])
    page = browser_page
    base = live_server.url

    # log in
    browser_login(page, base, user["name"], PASSWORD)

    # the dataset form, in French
    page.goto(base + "/dataset/new", wait_until="networkidle")
    assert_accessible(page, "new dataset form")  # before it is filled: the checks resize the page
    assert page.locator("label[for=field-title]").inner_text().strip().endswith("Titre")
    page.fill("#field-title", "Horaires de la médiathèque")
    page.fill("#field-notes", "Horaires d'ouverture de la médiathèque municipale de Ribeauvillé, mis à jour à "
                              "chaque changement de saison et pendant les vacances scolaires.")
    tags = Select2Tags(page, "field-tag_string")  # the keyword box (select2 tags)
    tags.input.click()
    for word in ("culture", "médiathèque"):
        tags.add(word)
    tags.input.press("Escape")
    assert sorted(tags.chosen()) == ["culture", "médiathèque"]  # select2 4 (CKAN 2.12) lists the last first
    # the territory picker is prefilled with the commune's own territory
    chosen = page.locator(".grandest-territories-chosen .grandest-territory-label")
    chosen.first.wait_for()
    assert chosen.all_inner_texts() == ["Ribeauvillé (commune, 68)"]
    # ... and finds other territories by name
    search = page.locator("#field-territories")
    search.click()
    search.type("strasb", delay=40)
    option = page.locator(".grandest-territories-results li[data-key='commune:67482']")
    option.wait_for()
    assert option.inner_text() == "Strasbourg (commune, 67)"
    page.screenshot(path=SHOTS.format("1-territory-picker"), full_page=False, clip={
        "x": 0, "y": max(0, search.bounding_box()["y"] - 250), "width": 1280, "height": 600})
    search.press("ArrowDown")  # second suggestion: the Eurométropole
    search.press("Enter")
    assert chosen.all_inner_texts() == ["Ribeauvillé (commune, 68)", "Eurométropole de Strasbourg (intercommunalité)"]
    # remove it again with its button, then pick Strasbourg with the mouse
    page.locator(".grandest-territory[data-key='epci:246700488'] button").click()
    search.type("strasb", delay=40)
    option.wait_for()
    option.click()
    assert chosen.all_inner_texts() == ["Ribeauvillé (commune, 68)", "Strasbourg (commune, 67)"]

    page.check("input[name=theme][value$='/EDUC']")
    page.select_option("#field-frequency", label="Tous les mois")
    page.fill("#field-temporal_start", "2024-01-01")
    page.fill("#field-contact_name", "Médiathèque municipale")
    page.fill("#field-contact_email", "mediatheque@ribeauville.fr")
    page.screenshot(path=SHOTS.format("2-dataset-form"), full_page=True)
    page.click("button[name=save]")

    # the resource form
    page.wait_for_url(re.compile(r".*/resource/new$"))
    page.click(".resource-upload-field button:has(i.fa-globe)")  # « Lien »
    page.fill("#field-resource-url", "https://www.ribeauville.fr/mediatheque/horaires.csv")
    page.fill("#field-name", "Horaires (CSV)")
    page.select_option("#field-schema", value="scdl/equipements")
    page.screenshot(path=SHOTS.format("3-resource-form"), full_page=True)
    assert_accessible(page, "new resource form")
    page.click("button[name=save][value=go-metadata]")

    # the dataset page: names, not codes
    page.wait_for_url(re.compile(r".*/dataset/horaires-de-la-mediatheque$"))
    body = page.locator("body").inner_text()
    for shown in ("Ribeauvillé (commune, 68)", "Strasbourg (commune, 67)", "Éducation, culture et sport", "médiathèque",
                  "Tous les mois", "1 janvier 2024", "Licence Ouverte / Open Licence version 2.0 (Etalab)"):
        assert shown in body, shown
    assert "commune:67482" not in body
    page.screenshot(path=SHOTS.format("4-dataset-page"), full_page=True)
    assert_accessible(page, "dataset page")
    resource_url = page.locator(".resource-item a.heading, .resource-item a").first.get_attribute("href")
    page.goto(base + "/dataset/edit/horaires-de-la-mediatheque", wait_until="networkidle")
    assert_accessible(page, "dataset edit form")
    # an error: the summary names the field by its label, the field says it is invalid
    page.fill("#field-title", "")
    page.eval_on_selector("#field-name", "el => { el.value = ''; }")
    page.click("button[name=save]")
    summary = page.locator(".error-explanation[role=alert]")  # once form-errors.js has run
    summary.wait_for()
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("() => document.activeElement === document.querySelector('.error-explanation')")
    assert page.get_attribute("#field-name", "aria-invalid") == "true"
    assert "URL" in summary.inner_text() or "Adresse" in summary.inner_text(), summary.inner_text()
    assert_accessible(page, "dataset edit form with errors")
    page.goto(base + resource_url.split("?")[0].rstrip("/") + "/edit", wait_until="networkidle")
    assert page.locator("#field-name").count() == 1
    assert_accessible(page, "resource edit form")
    page.goto(base + resource_url, wait_until="networkidle")
    assert_accessible(page, "resource page")

    # the dataset list: the territories of the dataset and the facets, by name
    page.goto(base + "/dataset/")
    item = page.locator(".dataset-item").first
    assert "Ribeauvillé (68), Strasbourg (67)" in item.inner_text()
    facets = page.locator("section.module-narrow").all_inner_texts()
    joined = "\n".join(facets)
    for label in ("Département", "Haut-Rhin (68)", "Bas-Rhin (67)", "Intercommunalité (EPCI)",
                  "Eurométropole de", "Commune", "Strasbourg (67)", "Ribeauvillé (68)", "Thème",
                  "Éducation, culture", "Licence Ouverte 2.0", "Fréquence de mise à jour", "Tous les mois"):
        assert label in joined, label
    page.screenshot(path=SHOTS.format("5-dataset-list"), full_page=True)
    assert_accessible(page, "dataset list")

    # a facet filters the list and its pill shows the name
    page.click("a[href*='vocab_grandest_departement=67']")
    page.wait_for_url(re.compile(r".*vocab_grandest_departement=67.*"))
    assert "Horaires de la médiathèque" in page.locator("body").inner_text()
    assert page.locator(".filter-list .filtered, .filtered.pill, span.filtered").first.inner_text().strip().startswith(
        "Bas-Rhin (67)")
    page.screenshot(path=SHOTS.format("6-filtered"), full_page=False)
