"""Pages of grandest_validation, in French: the report of a resource, the badges, the quality of a dataset, of an
organization and of the region. Data is validated by the real worker."""
from __future__ import annotations

import re

import pytest

from tests.validation.conftest import act, csv_text, make_dataset, upload
from tests.validation.engine.conftest import DELIB_HEADER, delib_row, failing_subventions_csv

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")


def _csrf(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _auth(user: dict) -> dict:
    return {"Authorization": user["token"]}


def _invalid_csv() -> str:
    return csv_text(DELIB_HEADER, [
        delib_row(),
        delib_row(DELIB_ID="2024-002", COLL_SIRET="12345678901234", DELIB_DATE="31/02/2024"),
    ])


@pytest.fixture
def checked(org, users, run_worker):
    """A public dataset with an invalid délibérations file and a private one, both checked by the worker."""
    public = make_dataset(org["id"], name="deliberations-2024")
    res = upload(public["id"], _invalid_csv(), "deliberations.csv", format="CSV", schema="scdl/deliberations",
                 name="Délibérations 2024")
    private = make_dataset(org["id"], name="brouillon", title="Brouillon", private=True)
    res_private = upload(private["id"], _invalid_csv(), "brouillon.csv", format="CSV", name="Brouillon")
    run_worker()
    return {"dataset": public, "resource": res, "private": private, "res_private": res_private, "users": users,
            "org": org}


def _report_url(data: dict, key: str = "resource", dataset: str = "dataset") -> str:
    return f"/dataset/{data[dataset]['name']}/resource/{data[key]['id']}/validation"


class TestReportPage:
    def test_the_report_says_in_french_what_is_wrong_and_how_to_fix_it(self, app, checked):
        body = app.get(_report_url(checked), status=200).body
        assert "Rapport de vérification" in body
        assert "Problèmes à corriger" in body
        assert "2 problèmes ont été trouvés." in body and "1 ligne est concernée." in body
        # each problem: what it is, where (row, column, value), what it means here, how to fix it
        assert "Numéro SIRET invalide" in body
        assert "Ligne 3, colonne « COLL_SIRET » : « 12345678901234 » n&#39;est pas un numéro SIRET valide." in body
        assert "Comment corriger" in body and "annuaire-entreprises.data.gouv.fr" in body
        assert "Valeur mal écrite" in body and "AAAA-MM-JJ" in body
        assert "<td>COLL_SIRET</td>" in body and "12345678901234</td>" in body
        # the file, the schema and the score, criterion by criterion
        assert "Délibérations (version 2.1.5)" in body
        assert "Score de qualité des données" in body
        assert "Conformité au schéma" in body and "Lignes conformes" in body
        assert "/ 35" in body
        assert "Ce rapport au format JSON" in body
        # anonymous visitors don't get the "check again" button
        assert "Vérifier à nouveau le fichier" not in body

    def test_the_report_agrees_with_itself_and_speaks_french(self, app, org, run_worker):
        """Issue #12, item 5, on the failing SCDL « Subventions » file: the summary's counts are the sections'
        counts, every summary link lands on a section, no regular expression, an impossible date called so, the
        check's date written « 6 décembre 2026 », plurals from the catalog."""
        dataset = make_dataset(org["id"], name="subventions-2024")
        res = upload(dataset["id"], failing_subventions_csv(), "subventions.csv", format="CSV",
                     schema="scdl/subventions", name="Subventions 2024")
        run_worker()
        body = app.get(f"/dataset/{dataset['name']}/resource/{res['id']}/validation", status=200).body
        report = act("grandest_resource_validation_show", id=res["id"])["report"]
        summary = body[body.index('class="table table-sm grandest-problem-summary"'):]
        summary = summary[: summary.index("</table>")]
        links = re.findall(r'<a href="#([^"]+)">([^<]+)</a></td><td class="text-end">(\d+)</td>', summary)
        assert links and sum(int(n) for _, _, n in links) == report["error_count"]
        ids = set(re.findall(r'\bid="([^"]+)"', body))
        for anchor, title, count in links:
            assert anchor in ids, f"the summary link #{anchor} lands nowhere"
            section = body[body.index(f'id="{anchor}"'):]
            heading = re.search(r"<h3>(.*?) <span class=\"badge bg-secondary\">(\d+)</span></h3>", section)
            assert heading and heading.group(1) == title and heading.group(2) == count
        assert f"{report['error_count']} problèmes ont été trouvés." in body
        assert "6 lignes sont concernées." in body
        # an impossible date is a date that does not exist, not a format error
        assert "« 2024-02-30 » est une date qui n&#39;existe pas." in body
        assert "2024-02-30 » n&#39;est pas une date au format" not in body
        # no regular expression, anywhere on the page
        main = body[body.index('class="module grandest-report"'):]
        assert not re.search(r"\\d|\^\[|\{\d+\}\$", main), "a regular expression is shown"
        assert "expression" not in main
        # the date of the check, as people write it
        months = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
        assert re.search(rf"Vérifié le \d{{1,2}} ({months}) \d{{4}} à \d{{2}}:\d{{2}}\.", body), "no French date"

    def test_a_pending_check_is_announced(self, app, org):
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _invalid_csv(), "deliberations.csv", format="CSV")
        body = app.get(f"/dataset/{dataset['name']}/resource/{res['id']}/validation", status=200).body
        assert "En attente de vérification" in body
        assert "Le fichier est en cours de vérification" in body

    def test_the_report_of_a_private_dataset_is_not_public(self, app, checked):
        url = _report_url(checked, "res_private", "private")
        app.get(url, status=403)
        app.get(url, headers=_auth(checked["users"]["other_admin"]), status=403)
        body = app.get(url, headers=_auth(checked["users"]["member"]), status=200).body
        assert "Rapport de vérification" in body
        assert "Vérifier à nouveau le fichier" not in body

    def test_regional_admins_see_the_private_report_and_scores_as_the_api_lets_them(self, app, checked):
        """The API gives regional admins (not sysadmins) every score; the pages did not (403, issue #14)."""
        regional = checked["users"]["regional"]
        res_id = checked["res_private"]["id"]
        app.post("/api/3/action/grandest_resource_validation_show", json={"id": res_id}, headers=_auth(regional),
                 status=200)
        for user in (regional, checked["users"]["sysadmin"]):
            body = app.get(_report_url(checked, "res_private", "private"), headers=_auth(user), status=200).body
            assert "Rapport de vérification" in body
            body = app.get(f"/dataset/{checked['private']['name']}/quality", headers=_auth(user), status=200).body
            assert "Brouillon" in body
        app.get(f"/dataset/{checked['private']['name']}/quality", headers=_auth(checked["users"]["other_admin"]),
                status=403)

    def test_an_editor_checks_the_file_again(self, app, checked):
        from ckan import model

        from ckanext.grandest.validation.model import ResourceQuality

        editor = checked["users"]["editor"]
        url = _report_url(checked)
        page = app.get(url, headers=_auth(editor), status=200)
        assert "Vérifier à nouveau le fichier" in page.body
        before = model.Session.get(ResourceQuality, checked["resource"]["id"]).run_id
        done = app.post(url, headers=_auth(editor), data={"_csrf_token": _csrf(page.body)}, follow_redirects=True)
        assert "va être vérifié de nouveau dans quelques instants" in done.body
        assert "En attente de vérification" in done.body
        assert "Numéro SIRET invalide" in done.body  # the previous report is still shown meanwhile
        model.Session.expire_all()
        row = model.Session.get(ResourceQuality, checked["resource"]["id"])
        assert row.run_id != before and row.status == "pending"

    def test_a_member_cannot_ask_for_a_check(self, app, checked):
        member = checked["users"]["member"]
        page = app.get(_report_url(checked), headers=_auth(member))
        app.post(_report_url(checked), headers=_auth(member), data={"_csrf_token": _csrf(page.body)}, status=403)

    def test_unknown_resource_is_404(self, app, checked):
        app.get(f"/dataset/{checked['dataset']['name']}/resource/inconnue/validation", status=404)


class TestBadges:
    def test_dataset_resource_and_list_pages_show_the_scores(self, app, checked):
        dataset_page = app.get(f"/dataset/{checked['dataset']['name']}").body
        assert "grandest-score" in dataset_page
        assert "Métadonnées" in dataset_page
        assert f"/dataset/{checked['dataset']['name']}/quality" in dataset_page
        assert _report_url(checked) in dataset_page  # each resource links to its report
        res_page = app.get(f"/dataset/{checked['dataset']['name']}/resource/{checked['resource']['id']}").body
        assert "Problèmes à corriger" in res_page
        assert "Voir le rapport de vérification" in res_page
        listing = app.get("/dataset/").body
        assert listing.count("grandest-scores") == 1  # the public dataset only
        assert "/100" in listing and "/405" in listing

    def test_the_dataset_quality_page_gives_the_points_of_each_criterion(self, app, checked):
        body = app.get(f"/dataset/{checked['dataset']['name']}/quality", status=200).body
        assert "Qualité du jeu de données" in body
        for label in ("Trouvabilité", "Mots-clés", "Accessibilité", "Interopérabilité", "Réutilisabilité",
                      "Contexte", "/ 405"):
            assert label in body, label
        assert "Délibérations 2024" in body
        app.get(f"/dataset/{checked['private']['name']}/quality", status=403)


class TestOrganizationAndRegion:
    def test_the_organization_page_lists_the_worst_files_first(self, app, checked, run_worker):
        good = make_dataset(checked["org"]["id"], name="bonnes")
        upload(good["id"], csv_text(DELIB_HEADER, [delib_row()]), "ok.csv", format="CSV", schema="scdl/deliberations",
               name="Fichier conforme")
        run_worker()
        admin = checked["users"]["admin"]
        body = app.get("/organization/commune-de-ribeauville/quality", headers=_auth(admin), status=200).body
        assert "Qualité des données de Commune de Ribeauvillé" in body
        assert "fichiers avec des problèmes à corriger" in body
        assert body.index("Brouillon") < body.index("Fichier conforme")
        assert body.index("Délibérations 2024") < body.index("Fichier conforme")
        filtered = app.get("/organization/commune-de-ribeauville/quality?band=excellent", headers=_auth(admin)).body
        files = filtered[filtered.index('id="files"'):]
        assert "Fichier conforme" in files and "Brouillon" not in files.split("Jeux de données, du plus faible")[0]
        # the tab is shown to members only
        assert "/organization/commune-de-ribeauville/quality" in app.get(
            "/organization/commune-de-ribeauville", headers=_auth(admin)).body
        assert "/organization/commune-de-ribeauville/quality" not in app.get("/organization/commune-de-ribeauville").body
        app.get("/organization/commune-de-ribeauville/quality", status=403)
        app.get("/organization/commune-de-ribeauville/quality", headers=_auth(checked["users"]["other_admin"]),
                status=403)
        # a bad filter does not break the page: back to the unfiltered list
        resp = app.get("/organization/commune-de-ribeauville/quality?band=parfait", headers=_auth(admin),
                       follow_redirects=False)
        assert resp.status_code == 302 and resp.location.endswith("/organization/commune-de-ribeauville/quality")

    def test_the_region_page_is_for_regional_admins(self, app, checked):
        body = app.get("/quality", headers=_auth(checked["users"]["regional"]), status=200).body
        assert "Qualité des données de la région" in body
        assert "Commune de Ribeauvillé" in body and "Commune de Sélestat" in body
        assert "Les fichiers aux scores les plus faibles" in body
        filtered = app.get("/quality?departement=67", headers=_auth(checked["users"]["regional"])).body
        assert "Commune de Sélestat" in filtered and "Commune de Ribeauvillé" not in filtered
        app.get("/quality", headers=_auth(checked["users"]["admin"]), status=403)
        app.get("/quality", status=403)

    def test_the_region_figures_add_up_and_the_departement_is_chosen_from_a_list(self, app, checked):
        """The cards are the totals of the table's columns, the table's total row is the sum of its rows (a
        regional admin reads « 3 fichiers » above and counts 3 below), whichever département is chosen."""
        other = act("organization_show", id="commune-de-selestat")
        extra = make_dataset(other["id"], name="marches-selestat", title="Marchés de Sélestat")
        upload(extra["id"], _invalid_csv(), "marches.csv", format="CSV", name="Marchés")  # not checked yet
        regional = _auth(checked["users"]["regional"])
        for query, orgs in (("", 2), ("?departement=67", 1), ("?departement=68", 1)):
            body = app.get("/quality" + query, headers=regional, status=200).body
            rows = re.findall(r"<tbody>(.*?)</tbody>", body, re.S)[0]
            total_row = re.search(r"<tfoot>(.*?)</tfoot>", body, re.S).group(1)
            assert len(re.findall(r"<tr>", rows)) == orgs, query
            for column in ("datasets", "resources", "failures", "errors", "unchecked"):
                cells = [int(v) for v in re.findall(rf'data-col="{column}">(\d+)<', rows)]
                assert len(cells) == orgs, (query, column)
                total = int(re.search(rf'data-col="{column}">(\d+)<', total_row).group(1))
                card = int(re.search(rf'data-total="{column}"><strong>(\d+)</strong>', body).group(1))
                assert sum(cells) == total == card, (query, column, cells, total, card)
            assert int(re.search(r'data-total="organizations"><strong>(\d+)<', body).group(1)) == orgs
        everything = app.get("/quality", headers=regional).body
        assert int(re.search(r'data-total="resources"><strong>(\d+)<', everything).group(1)) == 3
        assert int(re.search(r'data-total="unchecked"><strong>(\d+)<', everything).group(1)) >= 1
        # the département is a list of the 10 départements of Grand Est, the chosen one selected
        select = re.search(r'<select[^>]*name="departement"[^>]*>(.*?)</select>', everything, re.S).group(1)
        codes = re.findall(r'<option value="(\d\w)"', select)
        assert codes == ["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"]
        assert "Tous les départements" in select and "67 - Bas-Rhin" in select
        chosen = app.get("/quality?departement=67", headers=regional).body
        assert re.search(r'<option value="67" selected>', chosen)
