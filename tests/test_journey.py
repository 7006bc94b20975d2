"""Issue #13, « Done when »: a commune's first publication, walked whole in a real browser (Chromium) against a
real CKAN server with every plugin loaded, a real SMTP server and the real validation worker.

A clerk of a small commune asks to join (the commune picked by autocompletion), the town hall confirms from the
link of its captured mail, the regional admin approves from the « Administration régionale » menu, the clerk opens
her invitation (French, addressed by her full name), chooses a password and lands logged in on her commune's page;
from there she publishes her first dataset from a national schema's template: she downloads the CSV template,
fills it as a spreadsheet would save it (Windows-1252, ``;``, decimal commas, French dates, Oui/Non, spaced
SIRET), uploads it, reads the report, accepts the automatic repairs in one consent step; the file is checked
again, the dataset is public, scored « Excellent » and in ``/catalog.ttl``.

Every interaction goes through :class:`Clerk`, which counts the fields filled (fill, typing, select_option,
set_input_files) and the clicks (click, check, Enter, and a link opened from a mail): the journey must take at most
20 fields and 40 clicks. Pages reached with ``goto`` are the portal's address typed once and the checks that are
not part of the journey (the schema registry, the catalogue); the mails' links are opened with ``goto`` and
counted as clicks. Each page of the journey passes axe-core at 1280 px
and 390 px (0 critical, 0 serious, no horizontal overflow). A step-numbered screenshot of each step is kept in
``$GRANDEST_TEST_RESULTS/journey/<CKAN version>/`` (dev/test sets it to ``$GRANDEST_STATE/test-results``).
"""
from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.axe import assert_accessible
from tests.helpers import assert_repair_preview_of_the_messy_file
from tests.live import WHOLE_PORTAL, portal_config, run_cli, shared_options, write_ini

ROOT = Path(__file__).resolve().parents[1]
REGIONAL = "equipe-regionale"
PASSWORD = "Mot-de-passe-2026!"
CLERK_EMAIL = "claire.martin@example.org"
TOWN_HALL = "secretariat@ville-schirmeck.fr"  # Schirmeck's address in the annuaire (tests/onboarding)
MAX_FIELDS, MAX_CLICKS = 20, 40


def results_dir() -> Path:
    """Where dev/test keeps the run's results (junit XML...): the screenshots go there, per CKAN version."""
    import ckan

    base = os.environ.get("GRANDEST_TEST_RESULTS")
    if not base:
        base = str(Path(os.environ.get("GRANDEST_STATE") or ROOT / ".dev") / "test-results")
    version = ".".join(ckan.__version__.split(".")[:2])
    return Path(base) / "journey" / version


class Clerk:
    """The browser as a person uses it: every field filled and every click is counted; ``shot`` keeps a
    step-numbered screenshot."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page = page
        self.fields = 0
        self.clicks = 0
        self.step = 0
        self.shots = shots
        self.log: list[str] = []

    # fields
    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self._count("field", f"fill {selector}")

    def type(self, selector: str, text: str) -> None:
        """Type into a field key by key (an autocompletion): one field (the click that focuses it is not
        counted apart: typing into a field needs it)."""
        self.page.click(selector)
        self.page.keyboard.type(text, delay=60)
        self._count("field", f"type {selector}")

    def select(self, selector: str, **option: str) -> None:
        self.page.select_option(selector, **option)
        self._count("field", f"select {selector}")

    def upload(self, selector: str, path: Path) -> None:
        self.page.set_input_files(selector, str(path))
        self._count("field", f"file {selector}")

    # clicks
    def click(self, target: Any) -> None:
        (self.page.locator(target) if isinstance(target, str) else target).first.click()
        self._count("click", f"click {target}")

    def download(self, target: Any, to: Path) -> Path:
        with self.page.expect_download() as info:
            self.click(target)
        info.value.save_as(str(to))
        return to

    def open_mail_link(self, url: str) -> None:
        """A link clicked in a mail: one click."""
        self.page.goto(url, wait_until="networkidle")
        self._count("click", f"mail link {url}")

    def _count(self, kind: str, what: str) -> None:
        if kind == "field":
            self.fields += 1
        else:
            self.clicks += 1
        self.log.append(what)

    def shot(self, name: str, where: str | None = None) -> None:
        """A screenshot of this step, then axe-core at 1280 px and 390 px (``where`` names the page)."""
        self.page.wait_for_load_state("networkidle")
        self.step += 1
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}.png"), full_page=True)
        if where:
            assert_accessible(self.page, where)
            size = self.page.viewport_size
            self.page.set_viewport_size({"width": 390, "height": 844})
            self.page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}-390px.png"), full_page=True)
            self.page.set_viewport_size(size)


def _body(msg: Any) -> str:
    from tests.conftest import CapturedMail

    return CapturedMail.body(msg)


def _mail(smtp: Any, to: str, contains: str, timeout: float = 30) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for msg, env in zip(list(smtp.messages), list(smtp.envelopes)):
            if to in env["to"] and contains in _body(msg):
                return msg
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} containing {contains!r}: "
                         f"{[(e['to'], m['Subject']) for m, e in zip(smtp.messages, smtp.envelopes)]}")


def _link(msg: Any, path: str) -> str:
    return re.search(rf"http://\S+{re.escape(path)}\S+", _body(msg)).group(0)


def messy_from_template(template: bytes) -> bytes:
    """The clerk's file: the template's columns, her two grants instead of the example row, as a French
    spreadsheet saves « CSV »: Windows-1252, ``;``, decimal commas, French dates, Oui/Non, spaced SIRET numbers,
    an empty row at the end."""
    header = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    grants = [
        {"nomAttribuant": "Commune de Schirmeck", "idAttribuant": "216 704 825 00019", "dateConvention": "31/01/2024",
         "nomBeneficiaire": "Association Élan", "idBeneficiaire": "775 672 272 00017",
         "objet": "Achat de matériel pour l'école de musique", "montant": "1234,50", "nature": "aide en numéraire",
         "conditionsVersement": "unique", "datesPeriodeVersement": "2024-02-01", "notificationUE": "Non",
         "pourcentageSubvention": "0,5"},
        {"nomAttribuant": "Commune de Schirmeck", "idAttribuant": "216 704 825 00019",
         "dateConvention": "5 avril 2024", "nomBeneficiaire": "Club de pétanque", "idBeneficiaire": "775 672 272 00017",
         "objet": "Fête du village", "montant": "100", "nature": "aide en numéraire", "conditionsVersement": "unique",
         "datesPeriodeVersement": "2024-05-01", "notificationUE": "Non", "pourcentageSubvention": "1"},
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for grant in grants:
        writer.writerow([grant.get(column, "") for column in header])
    writer.writerow([""] * len(header))
    return out.getvalue().encode("cp1252")


@pytest.fixture
def worker(ckan_config, tmp_path, request):
    """``run()``: the real worker (``ckan jobs worker default grandest:validation --burst``) until the queues
    are empty, with the test's plugins and storage."""
    def run() -> None:
        ini = write_ini(tmp_path / "worker.ini", shared_options(ckan_config, request.node))
        proc = run_cli(ini, "jobs", "worker", "default", "grandest:validation", "--burst", timeout=300,
                       config=ckan_config)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]

    return run


@pytest.mark.usefixtures("storage", "clean_index")
@pytest.mark.timeout(900)  # a whole journey with two worker runs and axe on ~15 pages, on a shared machine
@pytest.mark.live_server(threaded=True)
@portal_config({**WHOLE_PORTAL, "ckanext.grandest.regional_admins": REGIONAL,
                "ckanext.grandest.validation.allow_loopback": "true"})
def test_a_commune_publishes_its_first_dataset_from_a_template(clean_db, live_server, smtp_server, browser_page,
                                                               worker, tmp_path):
    from ckan.tests import factories

    factories.User(name=REGIONAL, password=PASSWORD, email="regional@datagrandest.example",
                   fullname="Équipe régionale")
    base = live_server.url
    page = browser_page
    clerk = Clerk(page, results_dir())
    for old in clerk.shots.glob("*.png") if clerk.shots.exists() else []:
        old.unlink()

    # 1. the join request, from the home page: the commune by autocompletion, who she is
    page.goto(base + "/", wait_until="networkidle")  # the portal's address, typed
    clerk.click("header a:has-text('Ma commune')")
    page.wait_for_url(re.compile(r".*/commune/inscription$"))
    clerk.type("#field-commune", "schirm")
    page.locator("#commune-suggestions [role=option]").first.wait_for()
    clerk.shot("commune-suggestions", "join form, suggestions open")
    clerk.click(page.locator("#commune-suggestions [role=option]", has_text="Schirmeck"))
    assert page.input_value("#field-insee-code") == "67448"
    clerk.fill("#field-requester-name", "Claire Martin")
    clerk.fill("#field-requester-role", "Secrétaire de mairie")
    clerk.fill("#field-requester-email", CLERK_EMAIL)
    clerk.fill("#field-requester-phone", "03 88 97 00 00")
    clerk.shot("join-form", "join form")
    clerk.click("button[type=submit]:has-text('Envoyer la demande')")
    page.wait_for_selector("text=Merci, votre demande est envoyée")
    assert "s*********t@ville-schirmeck.fr" in page.locator("body").inner_text()  # the mailbox, partly masked
    clerk.shot("request-sent", "request sent")

    # 2. the town hall confirms from the link of its mail
    clerk.open_mail_link(_link(_mail(smtp_server, TOWN_HALL, "/commune/confirmation/"), "/commune/confirmation/"))
    page.wait_for_selector("text=Cette demande vient-elle de votre mairie ?")
    clerk.shot("town-hall-confirmation", "town-hall confirmation")
    clerk.click("text=Oui, je confirme cette demande")
    page.wait_for_selector("text=Merci, la demande est confirmée")
    clerk.shot("town-hall-confirmed", "town-hall confirmed")

    # 3. the regional admin logs in and approves, through the « Administration régionale » menu
    regional = page.context.browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    admin = Clerk(regional.new_page(), clerk.shots)
    admin.page.set_default_timeout(20000)
    admin.step = clerk.step
    admin.page.goto(base + "/", wait_until="networkidle")
    admin.click("a[href*='/user/login']")
    admin.fill("#field-login", REGIONAL)
    admin.fill("#field-password", PASSWORD)
    admin.click("form:has(#field-login) button[type=submit]")
    admin.page.wait_for_load_state("networkidle")
    admin.click("#grandest-regional-toggle")
    admin.click("#grandest-regional-menu a:has-text('Demandes des communes')")
    admin.page.wait_for_selector("text=Schirmeck")
    admin.shot("review-queue", "review queue")
    admin.click("a:has-text('Schirmeck')")
    admin.page.wait_for_selector("text=Référentiel")
    admin.shot("review-detail", "review detail")
    admin.click("button:has-text('Accepter et créer l’organisation'), "
                "button:has-text(\"Accepter et créer l'organisation\")")
    admin.page.wait_for_selector("text=Demande acceptée")
    admin.shot("approved", "request approved")
    # the schema registry, one of the menu's pages (not part of the journey: axe at 390 px too)
    admin.page.goto(f"{base}/schemas", wait_until="networkidle")
    admin.shot("schema-registry", "schema registry")
    regional.close()
    clerk.step = admin.step

    # 4. the invitation: French, addressed by her full name; she chooses a password and is logged in
    invitation = _mail(smtp_server, CLERK_EMAIL, "/user/reset/")
    assert "Claire Martin" in _body(invitation), _body(invitation)
    assert "Invite" not in str(invitation["Subject"]) and "DataGrandEst" in str(invitation["Subject"])
    clerk.open_mail_link(_link(invitation, "/user/reset/"))
    assert page.locator("h1").inner_text().strip() == "Choisissez votre mot de passe"  # her first, not a « reset »
    clerk.fill("#field-password", PASSWORD)
    clerk.fill("#field-confirm-password", PASSWORD)
    clerk.shot("choose-password", "choose a password")
    clerk.click("button[name=save]")
    page.wait_for_url(re.compile(r".*/organization/[^/?#]+$"))
    org_name = page.url.rstrip("/").rsplit("/", 1)[1]
    assert page.locator("form[action*='logout'], a[href*='logout']").count() >= 1
    page.locator("a:has-text('Publier votre premier jeu de données')").wait_for()
    clerk.shot("commune-page", "commune page, first step")

    # 5. her first dataset from a national schema: the template, filled as her spreadsheet saves it
    clerk.click("a:has-text('Publier des données selon un schéma')")
    page.wait_for_url(re.compile(r".*/publish-from-schema$"))
    clerk.shot("publish-from-schema", "publish from a schema")
    grants = page.locator("#schema-scdl-subventions")
    template = clerk.download(grants.locator("a:has-text('Modèle CSV')"), tmp_path / "modele-subventions.csv")
    messy = tmp_path / "subventions-2024.csv"
    messy.write_bytes(messy_from_template(template.read_bytes()))
    clerk.click(grants.locator("a:has-text('Publier avec ce modèle')"))
    page.wait_for_url(re.compile(r".*/dataset/new.*"))
    page.wait_for_load_state("networkidle")
    assert page.eval_on_selector("#field-organizations", "el => el.options[el.selectedIndex].text").strip() \
        == "Commune de Schirmeck"
    clerk.fill("#field-title", "Subventions 2024")
    clerk.fill("#field-notes", "Les subventions versées par la commune de Schirmeck aux associations en 2024.")
    clerk.shot("dataset-form", "new dataset form")
    clerk.click("button[name=save]")
    page.wait_for_selector("#field-resource-upload", state="attached")
    assert page.input_value("#field-schema") == "scdl/subventions"  # chosen with the template
    clerk.upload("#field-resource-upload", messy)
    clerk.shot("upload", "new resource form")
    clerk.click("button[name=save][value=go-metadata]")
    page.wait_for_url(re.compile(r".*/dataset/[^/]+$"))
    dataset_url = page.url
    # the file she did not name is named after itself, not « Ressource sans nom »
    assert "subventions-2024.csv" in page.locator(".resource-item").first.inner_text()
    clerk.shot("dataset-page-pending", "dataset page, file waiting for its check")

    # 6. the report: problems a machine can fix; the repairs applied in one consent step, then checked again
    worker()
    page.reload(wait_until="networkidle")
    clerk.click(".resource-item a.grandest-score")
    page.wait_for_url(re.compile(r".*/validation$"))
    report_url = page.url
    assert "Rapport de vérification" in page.locator("body").inner_text()
    clerk.shot("report", "validation report")
    clerk.click("text=Voir les réparations automatiques")
    page.wait_for_url(re.compile(r".*/repair$"))
    assert_repair_preview_of_the_messy_file(page)
    clerk.shot("repair-preview", "repair preview")
    clerk.click("#repair-accept")
    page.wait_for_url(re.compile(r".*/validation$"))
    assert "Le fichier a été réparé" in page.locator("body").inner_text()
    worker()
    page.goto(report_url, wait_until="networkidle")  # the report updates on its own; a reload is the same page
    body = page.locator("body").inner_text()
    assert "Aucun problème" in body and "Dernière réparation automatique" in body, body[:2000]
    assert "Excellent" in page.locator(".grandest-quality-box .grandest-score").first.inner_text()
    clerk.shot("report-after-repair", "report after the repairs")

    # 7. the dataset: public, « Excellent », in the DCAT catalogue
    clerk.click("a:has-text('Subventions 2024')")
    page.wait_for_url(dataset_url)
    dataset_box = page.locator("#grandest-dataset-validation")
    assert "Excellent" in dataset_box.inner_text(), dataset_box.inner_text()
    assert page.locator(".dataset-private, .badge:has-text('Privé')").count() == 0
    clerk.shot("dataset-page-excellent", "dataset page, scored")
    dataset_name = dataset_url.rstrip("/").rsplit("/", 1)[1]
    shown = requests.get(f"{base}/api/3/action/package_show", params={"id": dataset_name}, timeout=60).json()
    assert shown["success"] and shown["result"]["private"] is False  # anonymous visitors see it
    assert shown["result"]["organization"]["name"] == org_name
    catalog = requests.get(f"{base}/catalog.ttl", timeout=120)
    assert catalog.status_code == 200, catalog.text[:2000]
    assert f"/dataset/{shown['result']['id']}>" in catalog.text, catalog.text[:3000]
    assert "Subventions 2024" in catalog.text

    print(f"\njourney on CKAN {results_dir().name}: {clerk.fields + admin.fields} fields "
          f"(clerk {clerk.fields}, regional admin {admin.fields}), {clerk.clicks + admin.clicks} clicks "
          f"(clerk {clerk.clicks}, regional admin {admin.clicks}); screenshots in {clerk.shots}")
    print("\n".join(clerk.log + admin.log))
    assert clerk.fields + admin.fields <= MAX_FIELDS, clerk.log + admin.log
    assert clerk.clicks + admin.clicks <= MAX_CLICKS, clerk.log + admin.log
