"""A town-hall secretary uploads a CSV through the resource form in a real browser (Chromium) against a real
CKAN server; the real worker checks it; she reads the report, in French, and sees what to fix. Each page passes
axe-core (0 critical, 0 serious) at 1280 px and 390 px wide, the report's tables without widening the page.

Screenshots: /tmp/grandest-validation-*.png
"""
from __future__ import annotations

import re

import pytest

from tests.axe import assert_accessible
from tests.helpers import assert_repair_preview_of_the_messy_file
from tests.live import browser_login
from tests.validation.conftest import csv_text, make_dataset
from tests.validation.engine.conftest import DELIB_HEADER, delib_row

SHOTS = "/tmp/grandest-validation-{}.png"
PASSWORD = "Mot-de-passe-2026!"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue")
def test_upload_a_csv_and_read_its_report_in_french(storage, live_server, browser_page, run_worker, tmp_path):
    from ckan.tests import factories

    user = factories.User(name="secretaire-ribeauville", fullname="Secrétariat de mairie", password=PASSWORD)
    org = factories.Organization(name="commune-de-ribeauville", title="Commune de Ribeauvillé", actor_type="commune",
                                 insee_code="68269", users=[{"name": user["name"], "capacity": "admin"}])
    dataset = make_dataset(org["id"])
    csv_file = tmp_path / "deliberations-2024.csv"
    csv_file.write_text(csv_text(DELIB_HEADER, [
        delib_row(),
        delib_row(DELIB_ID="2024-002", COLL_SIRET="12345678901234", DELIB_DATE="31/02/2024"),
        delib_row(DELIB_ID="2024-003", VOTE_POUR="99"),
    ]), encoding="utf-8")
    page = browser_page
    base = live_server.url

    browser_login(page, base, user["name"], PASSWORD)

    # the resource form: upload the file, declare the national schema
    page.goto(f"{base}/dataset/{dataset['name']}/resource/new")
    page.set_input_files("#field-resource-upload", str(csv_file))
    page.fill("#field-name", "Délibérations 2024")
    page.select_option("#field-format", value="CSV")
    page.select_option("#field-schema", value="scdl/deliberations")
    page.screenshot(path=SHOTS.format("1-resource-form"), full_page=True)
    assert_accessible(page, "new resource form")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(rf".*/dataset/{dataset['name']}(/resource/[^/]+)?$"))

    # the request did not wait: the file waits for its check
    page.goto(f"{base}/dataset/{dataset['name']}")
    link = page.locator(".resource-item a.grandest-score").first
    link.wait_for()
    report_url = link.get_attribute("href")
    assert re.search(r"/resource/[0-9a-f-]+/validation$", report_url)
    assert "En attente de vérification" in page.locator(".resource-item").first.inner_text()
    page.goto(base + report_url)
    assert "Le fichier est en cours de vérification" in page.locator("body").inner_text()
    page.screenshot(path=SHOTS.format("2-report-pending"), full_page=False)

    # the worker checks it (burst mode), then the report reads in French
    run_worker()
    page.goto(f"{base}/dataset/{dataset['name']}")
    page.screenshot(path=SHOTS.format("3-dataset-page"), full_page=True)
    assert_accessible(page, "dataset page")
    page.locator(".resource-item a.grandest-score").first.click()
    page.wait_for_url(re.compile(r".*/validation$"))
    body = page.locator("body").inner_text()
    for text in ("Rapport de vérification", "Problèmes à corriger", "4 problèmes ont été trouvés.",
                 "Numéro SIRET invalide", "Ligne 3, colonne « COLL_SIRET » : « 12345678901234 » n'est pas un numéro "
                 "SIRET valide.", "Comment corriger", "Valeur mal écrite", "Total incorrect",
                 "Score de qualité des données", "Conformité au schéma", "Délibérations (version 2.1.5)",
                 "Vérifier à nouveau le fichier"):
        assert text in body, text
    siret = page.locator("#problem-french-siret-value")
    assert "14 chiffres" in siret.inner_text()
    assert siret.locator("td").all_inner_texts()[:3] == ["3", "COLL_SIRET", "12345678901234"]
    page.screenshot(path=SHOTS.format("4-report"), full_page=True)
    assert_accessible(page, "validation report")

    # she asks for a new check: the previous report stays visible meanwhile
    page.click("text=Vérifier à nouveau le fichier")
    page.wait_for_load_state("networkidle")
    body = page.locator("body").inner_text()
    assert "va être vérifié de nouveau dans quelques instants" in body
    assert "Numéro SIRET invalide" in body

    # the quality page of the dataset: each criterion's points
    page.goto(f"{base}/dataset/{dataset['name']}/quality")
    body = page.locator("body").inner_text()
    for text in ("Qualité du jeu de données", "Trouvabilité", "Réutilisabilité", "Score des données"):
        assert text in body, text
    page.screenshot(path=SHOTS.format("5-dataset-quality"), full_page=True)
    assert_accessible(page, "quality of the dataset")

    # the organization's quality page, for its admin
    page.goto(f"{base}/organization/{org['name']}/quality")
    assert "Qualité des données de Commune de Ribeauvillé" in page.locator("body").inner_text()
    page.screenshot(path=SHOTS.format("6-organization-quality"), full_page=True)
    assert_accessible(page, "quality of the organization")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue")
def test_the_resource_page_updates_on_its_own_while_the_file_is_checked(storage, live_server, browser_page,
                                                                        run_worker):
    """Issue #12, item 6: the resource page shows the check in progress, then its result without a reload, and
    tells screen readers (aria-live)."""
    from ckan.tests import factories

    from tests.validation.conftest import upload

    org = factories.Organization(name="commune-de-ribeauville", title="Commune de Ribeauvillé", actor_type="commune",
                                 insee_code="68269")
    dataset = make_dataset(org["id"])
    res = upload(dataset["id"], csv_text(DELIB_HEADER, [delib_row()]), "deliberations.csv", format="CSV",
                 schema="scdl/deliberations", name="Délibérations 2024")
    page = browser_page
    page.goto(f"{live_server.url}/dataset/{dataset['name']}/resource/{res['id']}")
    box = page.locator("#grandest-validation")
    assert "En attente de vérification" in box.inner_text()
    assert box.locator("progress").count() == 1
    assert "se met à jour tout seul" in box.inner_text()
    live = box.locator("[data-grandest-live]")
    assert live.get_attribute("aria-live") == "polite" and live.inner_text() == ""
    page.evaluate("window.__grandest_same_page = true")  # gone if the page were reloaded

    run_worker()
    page.wait_for_selector("#grandest-validation[data-grandest-checked=true]", timeout=60000)
    assert page.evaluate("window.__grandest_same_page") is True
    text = box.inner_text()
    assert "Aucun problème" in text and "Données" in text and "/100" in text
    assert box.locator("progress").count() == 0
    announced = live.inner_text()
    assert announced.startswith("Vérification terminée :") and "Aucun problème" in announced and "/100" in announced
    page.screenshot(path=SHOTS.format("7-resource-updated"), full_page=False)

    # the report page too: a new check is asked for, the page shows the report when it ends, without a reload
    from tests.validation.conftest import act

    act("grandest_resource_validation_run", id=res["id"])
    page.goto(f"{live_server.url}/dataset/{dataset['name']}/resource/{res['id']}/validation")
    report = page.locator("#grandest-report")
    assert "cette page se met à jour toute seule" in report.inner_text()
    assert report.locator("progress").count() == 1
    page.evaluate("window.__grandest_same_page = true")
    run_worker()
    page.wait_for_selector("#grandest-report[data-grandest-checked=true]", timeout=60000)
    assert page.evaluate("window.__grandest_same_page") is True
    assert report.locator("progress").count() == 0
    assert "Aucun problème" in report.inner_text() and "Score de qualité des données" in report.inner_text()
    assert report.locator("[data-grandest-live]").inner_text().startswith("Vérification terminée :")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue")
def test_the_dataset_page_updates_on_its_own_while_its_files_are_checked(storage, live_server, browser_page,
                                                                         run_worker):
    """Issue #12, item 6: on the dataset page, the dataset's quality badge and each file's badge change when the
    checks end, without a reload, and the result is announced to screen readers (aria-live, in French)."""
    from ckan.tests import factories

    from tests.validation.conftest import upload
    from tests.validation.engine.conftest import failing_subventions_csv

    org = factories.Organization(name="commune-de-ribeauville", title="Commune de Ribeauvillé", actor_type="commune",
                                 insee_code="68269")
    dataset = make_dataset(org["id"])
    good = upload(dataset["id"], csv_text(DELIB_HEADER, [delib_row()]), "deliberations.csv", format="CSV",
                  schema="scdl/deliberations", name="Délibérations 2024")
    bad = upload(dataset["id"], failing_subventions_csv(), "subventions.csv", format="CSV",
                 schema="scdl/subventions", schema_version="2.1.1", name="Subventions 2024")
    page = browser_page
    page.goto(f"{live_server.url}/dataset/{dataset['name']}")
    box = page.locator("#grandest-dataset-validation")
    assert box.get_attribute("data-module") == "grandest-validation-status"
    scores = box.locator('[data-grandest-refresh="scores"]')
    assert "Pas encore noté" in scores.inner_text()
    bad_badge = box.locator(f'[data-grandest-refresh="res-{bad["id"]}"]')
    assert "En attente de vérification" in bad_badge.inner_text()
    live = box.locator("[data-grandest-live]")
    assert live.get_attribute("aria-live") == "polite" and live.inner_text() == ""
    page.evaluate("window.__grandest_same_page = true")  # gone if the page were reloaded

    run_worker()
    page.wait_for_selector("#grandest-dataset-validation[data-grandest-checked=true]", timeout=60000)
    assert page.evaluate("window.__grandest_same_page") is True
    # the dataset's badge: capped by its worst file; each file's badge: its own score
    assert "Insuffisant" in scores.inner_text() and "/100" in scores.inner_text()
    assert "Pas encore noté" not in scores.inner_text()
    assert "29/100" in bad_badge.inner_text().replace(" ", "") and "Insuffisant" in bad_badge.inner_text()
    good_badge = box.locator(f'[data-grandest-refresh="res-{good["id"]}"]')
    assert "/100" in good_badge.inner_text() and "En attente" not in good_badge.inner_text()
    announced = live.inner_text()
    assert announced.startswith("Vérification terminée :") and "Insuffisant" in announced
    page.screenshot(path=SHOTS.format("8-dataset-updated"), full_page=False)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue")
def test_a_messy_file_is_repaired_in_one_consent_step(storage, live_server, browser_page, run_worker):
    """Issue #13, item 2: the report offers the automatic repairs; the preview shows the changed cells; one
    click replaces the file, the worker checks it again and the badge changes."""
    from ckan.tests import factories

    from tests.validation.conftest import upload
    from tests.validation.engine.conftest import messy_subventions

    user = factories.User(name="secretaire-ribeauville", fullname="Secrétariat de mairie", password=PASSWORD)
    org = factories.Organization(name="commune-de-ribeauville", title="Commune de Ribeauvillé", actor_type="commune",
                                 insee_code="68269", users=[{"name": user["name"], "capacity": "admin"}])
    dataset = make_dataset(org["id"], name="subventions-2024")
    res = upload(dataset["id"], messy_subventions(), "subventions.csv", format="CSV", schema="scdl/subventions",
                 name="Subventions 2024")
    run_worker()
    page = browser_page
    base = live_server.url
    browser_login(page, base, user["name"], PASSWORD)
    report_url = f"{base}/dataset/{dataset['name']}/resource/{res['id']}/validation"
    page.goto(report_url)
    badge_before = page.locator(".grandest-quality-box .grandest-score").first.inner_text()
    page.screenshot(path=SHOTS.format("repair-1-report"), full_page=True)

    page.click("text=Voir les réparations automatiques")
    page.wait_for_url(re.compile(r".*/repair$"))
    assert_repair_preview_of_the_messy_file(page)
    page.screenshot(path=SHOTS.format("repair-2-preview"), full_page=True)

    page.click("#repair-accept")
    page.wait_for_url(re.compile(r".*/validation$"))
    assert "Le fichier a été réparé" in page.locator("body").inner_text()
    run_worker()
    page.goto(report_url)
    body = page.locator("body").inner_text()
    assert "Dernière réparation automatique" in body and "Télécharger le fichier d'origine" in body
    badge_after = page.locator(".grandest-quality-box .grandest-score").first.inner_text()
    assert badge_after != badge_before and "Excellent" in badge_after, (badge_before, badge_after)
    page.screenshot(path=SHOTS.format("repair-3-repaired"), full_page=True)
