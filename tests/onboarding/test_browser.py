"""The whole journey in a real browser (Chromium via playwright) against a real CKAN server and a real SMTP
server: request with the commune picked by autocompletion, confirmation link read from the town hall's mail,
review and approval by a regional admin, the requester's invitation, first upload, and an upload refused
over quota with its French message. Each page of the journey passes axe-core (0 critical, 0 serious) at 1280 px
and 390 px wide, without horizontal overflow (tests/axe.py). Screenshots go to /tmp/grandest-onboarding-screens/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.axe import assert_accessible
from tests.onboarding.conftest import REGIONAL, onboarding_config

SHOTS = Path("/tmp/grandest-onboarding-screens")
PASSWORD = "Mot-de-passe-2026!"


def _body(msg):
    from tests.conftest import CapturedMail

    return CapturedMail.body(msg)


def _mail(smtp, to, contains, timeout=20):
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        for msg, env in zip(list(smtp.messages), list(smtp.envelopes)):
            if to in env["to"] and contains in _body(msg):
                return _body(msg)
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} containing {contains!r}: "
                         f"{[(e['to'], m['Subject']) for m, e in zip(smtp.messages, smtp.envelopes)]}")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@onboarding_config
@pytest.mark.live_server(threaded=True)
class TestJourney:
    def test_request_confirm_approve_upload_and_refusal(self, live_server, browser_page, smtp_server,
                                                         tmp_path):
        from ckan.tests import factories

        factories.User(name=REGIONAL, password=PASSWORD, email="regional@datagrandest.example",
                       fullname="Équipe régionale")
        page = browser_page
        base = live_server.url

        # 1. the request, the commune picked through the autocompletion
        page.goto(f"{base}/commune/inscription", wait_until="networkidle")
        assert_accessible(page, "join form")
        page.click("#field-commune")
        page.keyboard.type("schirm", delay=60)
        page.locator("#commune-suggestions [role=option]").first.wait_for()
        _shot(page, "01-autocompletion")
        assert_accessible(page, "join form, commune suggestions open")
        page.locator("#commune-suggestions [role=option]", has_text="Schirmeck").first.click()
        assert page.input_value("#field-insee-code") == "67448"
        page.fill("#field-requester-name", "Claire Martin")
        page.fill("#field-requester-role", "Secrétaire de mairie")
        page.fill("#field-requester-email", "claire.martin@example.org")
        page.fill("#field-requester-phone", "03 88 97 00 00")
        page.fill("#field-message", "Nous voudrions publier nos délibérations et notre budget.")
        _shot(page, "02-request-form")
        page.click("button[type=submit]:has-text('Envoyer la demande')")
        page.wait_for_selector("text=Merci, votre demande est envoyée")
        _shot(page, "03-request-sent")
        assert_accessible(page, "request sent")

        # 2. the town hall's mail (official address from the annuaire), its link, the confirmation
        body = _mail(smtp_server, "secretariat@ville-schirmeck.fr", "/commune/confirmation/")
        confirm_url = re.search(r"http://\S+/commune/confirmation/\S+", body).group(0)
        assert confirm_url.startswith(base)
        page.goto(confirm_url)
        page.wait_for_selector("text=Cette demande vient-elle de votre mairie ?")
        _shot(page, "04-townhall-confirmation")
        assert_accessible(page, "town-hall confirmation")
        page.click("text=Oui, je confirme cette demande")
        page.wait_for_selector("text=Merci, la demande est confirmée")
        _shot(page, "05-townhall-confirmed")

        # 3. the regional admin reviews and approves
        page.goto(f"{base}/user/login")
        page.fill("#field-login", REGIONAL)
        page.fill("#field-password", PASSWORD)
        page.click("form:has(#field-login) button[type=submit]")
        page.goto(f"{base}/commune/demandes")
        page.wait_for_selector("text=Schirmeck")
        _shot(page, "06-review-queue")
        assert_accessible(page, "review queue")
        page.click("a:has-text('Schirmeck')")
        page.wait_for_selector("text=Référentiel")
        _shot(page, "07-review-detail")
        assert_accessible(page, "review detail")
        page.click("button:has-text('Accepter et créer l’organisation'), button:has-text(\"Accepter et créer l'organisation\")")
        page.wait_for_selector("text=Demande acceptée")
        _shot(page, "08-approved")
        # the regional admin leaves this commune 1 MB of storage, to see the refusal below
        org_link = page.locator("a[href*='/organization/']", has_text="Commune de Schirmeck").first
        org_name = org_link.get_attribute("href").rstrip("/").split("/")[-1]
        for path, where in ((f"/organization/{org_name}", "organization page"), ("/hebergement", "hosting usage"),
                            ("/quality", "quality of the region")):
            page.goto(base + path, wait_until="networkidle")
            assert_accessible(page, where)
        page.goto(f"{base}/organization/hebergement/{org_name}")
        assert_accessible(page, "hosting limits of the commune")
        page.fill("#field-max-storage", "1")
        page.click("button:has-text('Enregistrer')")
        page.wait_for_selector("text=Limites d'hébergement enregistrées")
        page.context.clear_cookies()

        # 4. the requester's invitation: choose a password
        body = _mail(smtp_server, "claire.martin@example.org", "/user/reset/")
        reset_url = re.search(r"http://\S+/user/reset/\S+", body).group(0)
        page.goto(reset_url)
        page.fill("#field-password", PASSWORD)
        page.fill("#field-confirm-password", PASSWORD)
        _shot(page, "09-invitation")
        page.click("button[name=save]")
        # logged in at once, on her commune's page, which offers the first step (issue #13, item 3)
        page.wait_for_url(re.compile(rf".*/organization/{org_name}$"))
        cta = page.locator("a:has-text('Publier votre premier jeu de données')")
        cta.wait_for()
        assert page.locator("form[action*='logout'], a[href*='logout']").count() >= 1
        _shot(page, "09b-commune-page")

        # 5. first dataset, first upload
        page.goto(f"{base}/dataset/new?owner_org={org_name}", wait_until="networkidle")
        page.fill("#field-title", "Délibérations 2026")
        # the URL is filled from the title by CKAN's slug module; set it whatever the module's timing
        page.eval_on_selector("#field-name", "el => { el.value = 'deliberations-2026'; }")
        page.fill("#field-notes", "Les délibérations du conseil municipal de Schirmeck.")
        _shot(page, "10-dataset-form")
        assert_accessible(page, "new dataset form")
        chosen = page.eval_on_selector("#field-organizations", "el => el.options[el.selectedIndex].text")
        assert chosen.strip() == "Commune de Schirmeck"
        page.click("button[name=save]")
        page.wait_for_selector("#field-resource-upload", state="attached")
        small = tmp_path / "deliberations-2026.csv"
        small.write_bytes(b"date;objet\n" + b"2026-01-15;Budget primitif\n" * 8000)
        page.set_input_files("#field-resource-upload", str(small))
        page.fill("#field-name", "Délibérations 2026")
        _shot(page, "11-first-upload")
        assert_accessible(page, "new resource form")
        page.click("button[name=save][value=go-metadata]")
        page.wait_for_selector("text=Délibérations 2026")
        _shot(page, "12-dataset-published")
        assert_accessible(page, "dataset page")

        # 6. a second file that does not fit: refused, in French, with what to do
        big = tmp_path / "cadastre.csv"
        big.write_bytes(b"parcelle;surface\n" + b"000AB0001;1234\n" * 60000)  # ~900 KB
        page.goto(f"{base}/dataset/deliberations-2026/resource/new", wait_until="networkidle")
        page.set_input_files("#field-resource-upload", str(big))
        page.fill("#field-name", "Cadastre")
        page.click("button[name=save][value=go-dataset-complete]")
        error = page.locator(".error-explanation[role=alert]")  # once form-errors.js has run
        error.wait_for()
        text = error.inner_text()
        _shot(page, "13-upload-refused")
        assert "l'espace de stockage de Commune de Schirmeck est plein" in text
        assert "Supprimez les fichiers" in text
        # the error summary is announced and has the focus (RGAA 11.10)
        assert error.get_attribute("role") == "alert"
        assert page.evaluate("() => document.activeElement.classList.contains('error-explanation')")
        assert_accessible(page, "resource form with an error")

        # 7. the commune admin's usage page
        page.goto(f"{base}/organization/hebergement/{org_name}")
        page.wait_for_selector("text=Espace d'hébergement")
        _shot(page, "14-usage")
        assert_accessible(page, "hosting usage of the commune")
        assert "Hébergement gratuit" in page.content()


@onboarding_config
@pytest.mark.live_server(threaded=True)
class TestFormErrors:
    def test_errors_are_tied_to_their_fields_and_summed_up_in_the_labels_words(self, live_server, browser_page):
        """RGAA 4.1 (11.10, 11.11): each field in error has aria-invalid and is described by its message; the
        summary at the top (role="alert") has the focus, names each field by its visible label and links to it."""
        page = browser_page
        page.goto(f"{live_server.url}/commune/inscription", wait_until="networkidle")
        page.fill("#field-requester-email", "pas-une-adresse")
        page.click("button[type=submit]:has-text('Envoyer la demande')")
        summary = page.locator(".error-explanation[role=alert]")  # once form-errors.js has run
        summary.wait_for()
        assert summary.get_attribute("role") == "alert"
        assert page.evaluate("() => document.activeElement === document.querySelector('.error-explanation')")
        items = summary.locator("li").all_inner_texts()
        assert any(i.startswith("Votre adresse électronique") or i.startswith("Votre adresse e-mail")
                   for i in items), items
        for field in ("#field-requester-name", "#field-requester-email", "#field-requester-phone"):
            assert page.get_attribute(field, "aria-invalid") == "true", field
            described = page.get_attribute(field, "aria-describedby").split()
            messages = [page.locator(f"#{d}").inner_text() for d in described]
            assert any(m.strip() for m in messages), (field, described)
        # a link of the summary leads to its field
        first = summary.locator("li a").first
        target = first.get_attribute("href")
        first.click()
        assert page.evaluate("() => '#' + document.activeElement.id") == target
        assert_accessible(page, "join form with errors")
