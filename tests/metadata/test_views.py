"""The web forms (dataset, resource, organization), the pages that display the schema, the facets of the
search pages and the territory autocomplete endpoint; in French (the portal's default) and in English."""
from __future__ import annotations

import html
import re

import pytest

from tests.helpers import api_post
from tests.metadata.conftest import commune_org, dataset_dict

EU = "http://publications.europa.eu/resource/authority/"


def csrf(body: str) -> str:
    m = re.search(r'name="_csrf_token"\s+value="([^"]+)"', body) or re.search(
        r'value="([^"]+)"\s+name="_csrf_token"', body)
    assert m, "no CSRF token in the form"
    return m.group(1)


def text(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def field_error(body: str, field_id: str) -> str:
    """The error message the form shows under the field (CKAN's form macros: <span class="error-block">)."""
    m = re.search(r'id="' + re.escape(field_id) + r'".*?<span class="error-block">(.*?)</span>', body, re.S)
    if not m:  # the label/block comes after the input for some macros
        m = re.search(r'for="' + re.escape(field_id) + r'".*?<span class="error-block">(.*?)</span>', body, re.S)
    return html.unescape(m.group(1)).strip() if m else ""


@pytest.fixture
def sysadmin(clean_db, clean_index):
    from ckan.tests import factories

    return factories.SysadminWithToken()


class Client:
    """One browser-like client (cookies kept between requests, so the CSRF token of a form is valid), logged in
    with an API token."""

    def __init__(self, app, token):
        self.c = app.test_client()
        self.token = token

    def _kw(self, kw):
        kw.setdefault("headers", {})["Authorization"] = self.token
        return kw

    def get(self, url, **kw):
        return self.c.get(url, **self._kw(kw))

    def post(self, url, **kw):
        return self.c.post(url, **self._kw(kw))


@pytest.fixture
def client(app, sysadmin):
    return Client(app, sysadmin["token"])


NEW_FORM = {
    "title": "Menus de la cantine", "name": "menus-cantine",
    "notes": "Les menus servis chaque jour à la cantine scolaire de Ribeauvillé, publiés au format du SCDL.",
    "tag_string": "cantine, école", "theme": [EU + "data-theme/EDUC", EU + "data-theme/HEAL"],
    "territories": "commune:68269, epci:246800577", "license_id": "lov2", "frequency": EU + "frequency/WEEKLY",
    "temporal_start": "2024-09-02", "temporal_end": "", "contact_name": "Mairie",
    "contact_email": "mairie@ribeauville.fr", "contact_url": "", "maintainer": "", "maintainer_email": "",
    "language": [EU + "language/FRA"], "access_rights": EU + "access-right/PUBLIC", "provenance": "",
    "version": "", "documentation": "", "license_other_url": "", "private": "False",
    "_ckan_phase": "dataset_new_1", "save": "continue",
}


class TestDatasetForm:
    def test_new_form_in_french(self, client, sysadmin):
        org = commune_org()
        body = client.get("/dataset/new").get_data(as_text=True)
        page = text(body)
        for label in ("Thèmes", "Couverture géographique", "Fréquence de mise à jour", "Début de la période couverte",
                      "E-mail du contact", "Droits d'accès", "data.gouv.fr valorise les descriptions de plus de 100 "
                      "caractères", "Environnement", "Tous les mois", "Licence Ouverte / Open Licence version 2.0"):
            assert label in page, label
        # the territory picker asks for the territory of the organization chosen in the form
        assert 'data-module-organization-source="/grandest/territoires/organisation/ID"' in body
        assert 'data-module="grandest-territory-picker"' in body and 'data-module-prefill="true"' in body
        # the licence select offers only licences data.gouv.fr recognises, Licence Ouverte preselected
        licences = re.findall(r'<option value="([^"]*)"[^>]*>', body.split('id="field-license_id"')[1].split("</select>")[0])
        # (Licence Ouverte 1.0 stays choosable: data.gouv.fr recognises it, older portals publish under it;
        # « licence non précisée » is for harvested records only)
        assert licences == ["", "lov2", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero", "lov1", "other"]
        assert re.search(r'<option value="lov2"\s+selected', body)

    def test_create_through_the_form(self, client, sysadmin):
        org = commune_org()
        body = client.get("/dataset/new").get_data(as_text=True)
        form = dict(NEW_FORM, owner_org=org["id"], _csrf_token=csrf(body))
        resp = client.post("/dataset/new", data=form, follow_redirects=False)
        assert resp.status_code == 302 and "/resource/new" in resp.headers["Location"]
        body = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "Schéma de données national" in text(body) and "Menus de la restauration collective — OpenDataFrance (scdl/menus-collectifs)" in text(body)
        res = {"url": "https://data.ribeauville.fr/menus.csv", "name": "Menus 2024-2025", "description": "",
               "format": "", "schema": "scdl/menus-collectifs", "schema_version": "", "language": "",
               "id": "", "save": "go-metadata", "_csrf_token": csrf(body)}
        resp = client.post("/dataset/menus-cantine/resource/new", data=res, follow_redirects=False)
        assert resp.status_code == 302
        from ckan.tests.helpers import call_action

        pkg = call_action("package_show", id="menus-cantine")
        assert pkg["state"] == "active"
        assert pkg["theme"] == [EU + "data-theme/EDUC", EU + "data-theme/HEAL"]
        assert pkg["territories"] == ["commune:68269", "epci:246800577"]
        assert pkg["frequency"] == EU + "frequency/WEEKLY" and pkg["temporal_start"] == "2024-09-02"
        assert "temporal_end" not in pkg and "documentation" not in pkg  # empty fields are not stored
        assert sorted(t["name"] for t in pkg["tags"]) == ["cantine", "école"]
        res = pkg["resources"][0]
        assert res["format"] == "CSV" and res["schema"] == "scdl/menus-collectifs" and res["schema_version"]

        # the dataset page shows names and labels, not codes
        page = text(client.get("/dataset/menus-cantine").get_data(as_text=True))
        for shown in ("Ribeauvillé (commune, 68)", "CC du Pays de Ribeauvillé (intercommunalité)",
                      "Éducation, culture et sport", "Santé", "Toutes les semaines", "2 septembre 2024",
                      "Licence Ouverte / Open Licence version 2.0 (Etalab)", "Public : accès libre pour tous",
                      "Français"):
            assert shown in page, shown
        assert "commune:68269" not in page and "data-theme/EDUC" not in page
        body = client.get("/dataset/menus-cantine").get_data(as_text=True)
        assert 'href="https://www.etalab.gouv.fr/licence-ouverte-open-licence"' in body
        # and the resource page the schema and the format label
        res_page = text(client.get(f"/dataset/menus-cantine/resource/{res['id']}").get_data(as_text=True))
        assert "Menus de la restauration collective" in res_page and "CSV" in res_page

    def test_bad_input_is_shown_under_each_field_and_nothing_is_saved(self, client, sysadmin):
        org = commune_org()
        body = client.get("/dataset/new").get_data(as_text=True)
        form = dict(NEW_FORM, owner_org=org["id"], _csrf_token=csrf(body), territories="commune:99999",
                    temporal_start="2025-01-01", temporal_end="2024-01-01", contact_email="pas-un-email",
                    tag_string="ok, cantine", documentation="www.ribeauville.fr", license_id="other")
        resp = client.post("/dataset/new", data=form)
        assert resp.status_code == 200
        body = resp.get_data(as_text=True)
        assert "Territoire inconnu" in field_error(body, "field-territories")
        assert "La date de fin (2024-01-01) est avant la date de début (2025-01-01)" in field_error(body, "field-temporal_end")
        assert "n'est pas une adresse e-mail valide" in field_error(body, "field-contact_email")
        assert "Ces mots-clés sont trop courts : ok" in field_error(body, "field-tag_string")
        assert "doit commencer par http:// ou https://" in field_error(body, "field-documentation")
        assert "indiquez l'adresse web du texte de la licence" in field_error(body, "field-license_other_url")
        # the summary at the top names the fields in French
        assert "Couverture géographique:" in text(body) or "Couverture géographique :" in text(body)
        # what was typed is still in the form
        assert 'value="commune:99999"' in body and "pas-un-email" in body
        from ckan import model
        assert model.Session.query(model.Package).count() == 0

    def test_edit_keeps_values_and_a_rejected_edit_changes_nothing(self, client, sysadmin):
        org = commune_org()
        pkg = api_post(client, "package_create", sysadmin["token"], **dataset_dict(
            org["id"], theme=["ENVI"], territories=["commune:68269"], frequency="MONTHLY"))["result"]
        body = client.get("/dataset/edit/deliberations-2024").get_data(as_text=True)
        assert 'data-module-prefill="false"' in body
        assert re.search(r'value="' + re.escape(EU + "data-theme/ENVI") + r'"\s+checked', body)
        assert "Ribeauvillé (commune, 68)" in body  # the chosen territory, by name
        form = {"title": pkg["title"], "name": pkg["name"], "notes": pkg["notes"], "tag_string": "conseil, vote",
                "owner_org": org["id"], "theme": EU + "data-theme/GOVE", "territories": "commune:68269",
                "license_id": "lov2", "frequency": "", "temporal_start": "1700-01-01", "temporal_end": "",
                "language": EU + "language/FRA", "access_rights": EU + "access-right/PUBLIC",
                "private": "False", "save": "", "_csrf_token": csrf(body)}
        resp = client.post("/dataset/edit/deliberations-2024", data=form)
        assert "trop ancienne" in field_error(resp.get_data(as_text=True), "field-temporal_start")
        from ckan.tests.helpers import call_action

        kept = call_action("package_show", id=pkg["id"])
        assert kept["theme"] == [EU + "data-theme/ENVI"] and kept["frequency"] == EU + "frequency/MONTHLY"

        form["temporal_start"] = "2020-01-01"
        resp = client.post("/dataset/edit/deliberations-2024", data=form, follow_redirects=False)
        assert resp.status_code == 302
        saved = call_action("package_show", id=pkg["id"])
        assert saved["theme"] == [EU + "data-theme/GOVE"] and "frequency" not in saved
        assert saved["temporal_start"] == "2020-01-01"


class TestOrganizationForm:
    def test_create_a_commune(self, client):
        body = client.get("/organization/new").get_data(as_text=True)
        page = text(body)
        assert "Type d'organisation" in page and "Code INSEE" in page and "Service de l'État" in page
        assert re.search(r'id="field-population"[^>]*readonly', body) or 'readonly disabled' in body
        form = {"title": "Commune de Sélestat", "name": "commune-de-selestat", "description": "",
                "actor_type": "commune", "insee_code": "67462", "siren": "", "epci": "", "departement": "",
                "website": "https://www.selestat.fr", "contact_email": "", "phone": "", "image_url": "",
                "save": "", "_csrf_token": csrf(body)}
        resp = client.post("/organization/new", data=form, follow_redirects=False)
        assert resp.status_code == 302
        from ckan.tests.helpers import call_action

        org = call_action("organization_show", id="commune-de-selestat")
        assert org["siren"] and org["epci"] and org["departement"] == "67" and org["population"] > 19000
        about = text(client.get("/organization/about/commune-de-selestat").get_data(as_text=True))
        assert "Commune" in about and "Bas-Rhin (67)" in about and "habitants" in about

    def test_bad_insee_code(self, client):
        body = client.get("/organization/new").get_data(as_text=True)
        form = {"title": "Commune X", "name": "commune-x", "actor_type": "commune", "insee_code": "67999",
                "save": "", "_csrf_token": csrf(body)}
        resp = client.post("/organization/new", data=form)
        assert "ne correspond à aucune commune du Grand Est" in field_error(resp.get_data(as_text=True),
                                                                            "field-insee_code")


class TestSearchPages:
    @pytest.fixture
    def datasets(self, app, sysadmin):
        org = commune_org()
        token = sysadmin["token"]
        api_post(app, "package_create", token, **dataset_dict(
            org["id"], name="air-strasbourg", title="Qualité de l'air à Strasbourg", theme=["ENVI"],
            territories=["commune:67482"], frequency="DAILY", license_id="odc-odbl",
            resources=[{"url": "https://x.fr/air.geojson"}]))
        api_post(app, "package_create", token, **dataset_dict(
            org["id"], name="budget-ribeauville", title="Budget de Ribeauvillé", theme=["ECON"],
            territories=["commune:68269"], frequency="ANNUAL", resources=[{"url": "https://x.fr/b.csv"}]))
        return org

    def facets(self, body: str) -> dict[str, list[str]]:
        out = {}
        for m in re.finditer(r'<h2 class="module-heading">(.*?)</h2>.*?<ul[^>]*nav-facet">(.*?)</ul>', body, re.S):
            title = text(m.group(1)).strip()
            out[title] = [html.unescape(x).strip() for x in re.findall(r'<span class="item-label">(.*?)</span>',
                                                                         m.group(2), re.S)]
        return out

    def test_dataset_list_facets_in_french(self, app, datasets):
        body = app.get("/dataset/").get_data(as_text=True)
        facets = self.facets(body)
        assert sorted(facets["Département"]) == ["Bas-Rhin (67)", "Haut-Rhin (68)"]
        assert sorted(facets["Intercommunalité (EPCI)"]) == ["CC du Pays de Ribeauvillé", "Eurométropole de..."] \
            or "Eurométropole de Strasbourg" in " ".join(facets["Intercommunalité (EPCI)"]) \
            or any(x.startswith("Eurométropole") for x in facets["Intercommunalité (EPCI)"])
        assert sorted(facets["Commune"]) == ["Ribeauvillé (68)", "Strasbourg (67)"]
        assert sorted(facets["Thème"]) == ["Environnement", "Économie et finances"]
        assert sorted(facets["Licences"]) == ["Licence Ouverte 2.0", "ODbL"]
        assert sorted(facets["Formats"]) == ["CSV", "GeoJSON"]
        assert sorted(facets["Fréquence de mise à jour"]) == ["Tous les ans", "Tous les jours"]
        # each result shows its territory and themes
        assert "Strasbourg (67)" in text(body) and "Ribeauvillé (68)" in text(body)

    def test_filtering_by_a_facet(self, app, datasets):
        page = text(app.get("/dataset/?vocab_grandest_departement=67").get_data(as_text=True))
        assert "Qualité de l'air à Strasbourg" in page and "Budget de Ribeauvillé" not in page
        assert "Bas-Rhin (67)" in page  # the active filter pill shows the name

    def test_organization_page_facets(self, app, datasets):
        facets = self.facets(app.get("/organization/commune-de-ribeauville").get_data(as_text=True))
        assert "Commune" in facets and "Thème" in facets and "Organisations" not in facets

    def test_english(self, app, datasets):
        body = app.get("/en/dataset/").get_data(as_text=True)
        facets = self.facets(body)
        assert sorted(facets["Theme"]) == ["Economy and finance", "Environment"]
        assert sorted(facets["Update frequency"]) == ["Annual", "Daily"]
        page = text(app.get("/en/dataset/air-strasbourg").get_data(as_text=True))
        assert "Spatial coverage" in page and "Strasbourg (municipality, 67)" in page and "Daily" in page


class TestTerritoryEndpoint:
    def test_anonymous_autocomplete(self, app, clean_db):
        resp = app.get("/grandest/territoires", query_string={"q": "ribeau"})
        assert resp.status_code == 200
        results = resp.json["results"]
        assert results[0] == {"key": "commune:68269", "kind": "commune", "code": "68269", "name": "Ribeauvillé",
                              "label": "Ribeauvillé (commune, 68)"}
        assert any(r["key"] == "epci:246800577" for r in results)

    def test_limit_and_kinds(self, app, clean_db, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.grandest.metadata.autocomplete_limit", 3)
        results = app.get("/grandest/territoires", query_string={"q": "saint", "limit": 50}).json["results"]
        assert len(results) == 3
        results = app.get("/grandest/territoires", query_string={"q": "bas", "kinds": "departement"}).json["results"]
        assert [r["key"] for r in results] == ["departement:67"]

    def test_bad_input(self, app, clean_db):
        assert app.get("/grandest/territoires").json["results"] == []
        resp = app.get("/grandest/territoires", query_string={"q": "x", "limit": "beaucoup"})
        assert resp.status_code == 400 and "limit" in resp.json["error"]

    def test_organization_territory(self, app, clean_db):
        org = commune_org()
        resp = app.get(f"/grandest/territoires/organisation/{org['id']}")
        assert resp.json == {"key": "commune:68269", "label": "Ribeauvillé (commune, 68)"}
        assert app.get("/grandest/territoires/organisation/commune-de-ribeauville").json["key"] == "commune:68269"
        from ckan.tests import factories

        dreal = factories.Organization(name="dreal", actor_type="etat")
        assert app.get(f"/grandest/territoires/organisation/{dreal['id']}").json == {"key": None, "label": None}
        resp = app.get("/grandest/territoires/organisation/n-existe-pas")
        assert resp.status_code == 404 and resp.json["key"] is None

    def test_action_auth_for_everyone(self, app, clean_db):
        from ckan.tests import factories
        from ckan.tests.helpers import call_action, call_auth

        user = factories.User()
        for ctx_user in ("", user["name"]):
            assert call_auth("grandest_territory_autocomplete", {"user": ctx_user}, q="metz")
        assert call_action("grandest_territory_autocomplete", q="metz", limit=1)["results"][0]["key"] == "commune:57463"
        assert api_post(app, "grandest_territory_autocomplete", q="metz")["result"]["results"]
