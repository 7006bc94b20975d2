"""The dataset schema through the API: every field, good and bad input, French messages per field, nothing
half-saved, clean package_show output."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import api_post
from tests.metadata.conftest import commune_org, dataset_dict

EU = "http://publications.europa.eu/resource/authority/"
FULL = {
    "theme": ["ENVI", EU + "data-theme/TRAN"],
    "frequency": EU + "frequency/MONTHLY",
    "temporal_start": "2024-01-01",
    "temporal_end": "2024-12-31",
    "territories": ["commune:68269", "epci:246800577", "departement:68"],
    "contact_name": "Secrétariat de mairie",
    "contact_email": "mairie@ribeauville.fr",
    "contact_url": "https://www.ribeauville.fr/contact",
    "maintainer": "Marie Dupont",
    "maintainer_email": "m.dupont@ribeauville.fr",
    "language": ["FRA", EU + "language/DEU"],
    "provenance": "Registre des délibérations, saisi par le secrétariat.",
    "access_rights": "PUBLIC",
    "version": "2.1",
    "documentation": "https://www.ribeauville.fr/donnees/deliberations",
}


@pytest.fixture
def org(clean_db, clean_index):
    return commune_org()


@pytest.fixture
def token(clean_db, clean_index):
    from ckan.tests import factories

    return factories.SysadminWithToken()["token"]


def create(app, token, org, status=200, **kw):
    return api_post(app, "package_create", token, status=status, **dataset_dict(org["id"], **kw))


def errors_of(app, token, org, **kw) -> dict:
    body = create(app, token, org, status=409, **kw)
    assert body["success"] is False
    return body["error"]


class TestCreateEveryField:
    def test_every_field_is_stored_and_shown_clean(self, app, token, org):
        pkg = create(app, token, org, **FULL)["result"]
        shown = api_post(app, "package_show", token, id=pkg["id"])["result"]
        for p in (pkg, shown):
            assert p["title"] == "Délibérations du conseil municipal"
            assert p["theme"] == [EU + "data-theme/ENVI", EU + "data-theme/TRAN"]  # lists, vocabulary order
            assert p["frequency"] == EU + "frequency/MONTHLY"
            assert p["temporal_start"] == "2024-01-01" and p["temporal_end"] == "2024-12-31"
            assert p["territories"] == ["commune:68269", "epci:246800577", "departement:68"]
            assert p["contact_name"] == "Secrétariat de mairie"
            assert p["contact_email"] == "mairie@ribeauville.fr"
            assert p["contact_url"] == "https://www.ribeauville.fr/contact"
            assert p["maintainer"] == "Marie Dupont" and p["maintainer_email"] == "m.dupont@ribeauville.fr"
            assert p["language"] == [EU + "language/FRA", EU + "language/DEU"]
            assert p["provenance"].startswith("Registre")
            assert p["access_rights"] == EU + "access-right/PUBLIC"
            assert p["version"] == "2.1"
            assert p["documentation"] == "https://www.ribeauville.fr/donnees/deliberations"
            assert p["license_id"] == "lov2"
            assert p["license_url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
            assert sorted(t["name"] for t in p["tags"]) == ["conseil", "délibérations"]
            # schema fields never linger as raw extras
            assert not [e for e in p.get("extras", []) if e["key"] in FULL]

    def test_defaults(self, app, token, org):
        pkg = create(app, token, org)["result"]
        assert pkg["territories"] == ["commune:68269"]  # the organization's territory
        assert pkg["language"] == [EU + "language/FRA"]
        assert pkg["access_rights"] == EU + "access-right/PUBLIC"
        assert "theme" not in pkg and "frequency" not in pkg

    def test_an_organization_without_territory_gives_none(self, app, token, clean_db, clean_index):
        from ckan.tests import factories

        dreal = factories.Organization(name="dreal", title="DREAL Grand Est", actor_type="etat")
        pkg = api_post(app, "package_create", token, **dataset_dict(dreal["id"]))["result"]
        assert "territories" not in pkg

    def test_lenient_spellings_are_normalised(self, app, token, org):
        pkg = create(app, token, org, theme="envi, TRAN", frequency="monthly", language="fra",
                     territories="COMMUNE:67482 ; region:44", temporal_start="31/01/2024",
                     contact_name="Mairie", contact_email="mailto:mairie@ribeauville.fr")["result"]
        assert pkg["theme"] == [EU + "data-theme/ENVI", EU + "data-theme/TRAN"]
        assert pkg["frequency"] == EU + "frequency/MONTHLY"
        assert pkg["language"] == [EU + "language/FRA"]
        assert pkg["territories"] == ["commune:67482", "region:44"]
        assert pkg["temporal_start"] == "2024-01-31"
        assert pkg["contact_email"] == "mairie@ribeauville.fr"

    @pytest.mark.parametrize("license_id", ["lov2", "lov1", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero"])
    def test_every_datagouv_licence(self, app, token, org, license_id):
        pkg = create(app, token, org, license_id=license_id)["result"]
        assert pkg["license_id"] == license_id and pkg["license_url"].startswith("http")

    def test_licence_not_specified_is_for_harvested_records_only(self, app, token, org):
        """A publisher chooses a licence (« licence non précisée » is not offered, and the API refuses it); the
        harvester may give it to a record that states none."""
        errors = errors_of(app, token, org, license_id="notspecified")
        assert "Choisissez une licence" in " ".join(errors["license_id"])
        import ckan.plugins.toolkit as tk

        from ckanext.grandest.metadata.helpers import grandest_license_choices
        from ckanext.grandest.metadata.logic.validators import HARVEST_CONTEXT_KEY

        assert "notspecified" not in {c["value"] for c in grandest_license_choices()}
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        pkg = tk.get_action("package_create")({"ignore_auth": True, "user": site_user, HARVEST_CONTEXT_KEY: True},
                                              dataset_dict(org["id"], name="moissonne", license_id="notspecified"))
        assert pkg["license_id"] == "notspecified"
        # a later edit of that dataset by API keeps the value it has
        pkg = tk.get_action("package_patch")({"ignore_auth": True, "user": site_user},
                                             {"id": pkg["id"], "title": "Moissonné"})
        assert pkg["license_id"] == "notspecified"

    def test_other_licence_with_its_url(self, app, token, org):
        pkg = create(app, token, org, license_id="other",
                     license_other_url="https://www.example.fr/licence")["result"]
        assert pkg["license_id"] == "other" and pkg["license_other_url"] == "https://www.example.fr/licence"

    def test_other_licence_url_is_dropped_with_a_known_licence(self, app, token, org):
        pkg = create(app, token, org, license_id="cc-by", license_other_url="https://www.example.fr/l")["result"]
        assert "license_other_url" not in pkg


class TestBadInput:
    """Every validator rejects bad input with a French message on the field concerned."""

    @pytest.mark.parametrize("field,value,expected", [
        ("theme", ["ENVI", "CUISINE"], "Thème inconnu"),
        ("theme", "http://example.org/theme/x", "Thème inconnu"),
        ("frequency", "sometimes", "Fréquence de mise à jour inconnue"),
        ("language", ["klingon"], "Langue inconnue"),
        ("access_rights", "OPEN", "Droits d'accès inconnus"),
        ("territories", ["commune:99999"], "Territoire inconnu"),
        ("territories", ["commune:75056"], "Territoire inconnu"),  # Paris: not in Grand Est
        ("territories", ["Strasbourg"], "Territoire inconnu"),
        ("temporal_start", "2024-02-30", "n'est pas une date"),
        ("temporal_start", "hier", "n'est pas une date"),
        ("temporal_start", "1066-10-14", "trop ancienne"),
        ("temporal_end", "2999-01-01", "trop lointaine"),
        ("contact_email", "mairie-at-ribeauville.fr", "n'est pas une adresse e-mail valide"),
        ("maintainer_email", "m.dupont@", "n'est pas une adresse e-mail valide"),
        ("contact_url", "ftp://ftp.ribeauville.fr/", "doit commencer par http:// ou https://"),
        ("contact_url", "javascript:alert(1)", "doit commencer par http:// ou https://"),
        ("documentation", "www.ribeauville.fr", "doit commencer par http:// ou https://"),
        ("license_other_url", "pas une adresse", "doit commencer par http:// ou https://"),
        ("license_id", "cc-nc", "n'est pas reconnue par data.gouv.fr"),
        ("license_id", "notspecified", "Choisissez une licence"),  # for harvested records only
        ("license_id", "fr-lo", "n'est pas reconnue par data.gouv.fr"),
    ])
    def test_field_message(self, app, token, org, field, value, expected):
        kw = {field: value}
        if field == "license_other_url":
            kw["license_id"] = "other"
        if field in ("contact_email", "contact_url"):
            kw["contact_name"] = "Mairie"
        errors = errors_of(app, token, org, **kw)
        assert expected in " ".join(errors[field]), errors

    def test_required_fields(self, app, token, org):
        errors = errors_of(app, token, org, title="", notes="", license_id="")
        assert errors["title"] == ["Valeur manquante"]
        assert errors["notes"] == ["Valeur manquante"]
        assert errors["license_id"] == ["Valeur manquante"]

    def test_other_licence_needs_its_url(self, app, token, org):
        errors = errors_of(app, token, org, license_id="other")
        assert errors["license_other_url"] == ["Avec « Autre licence », indiquez l'adresse web du texte de la licence."]

    def test_start_after_end(self, app, token, org):
        errors = errors_of(app, token, org, temporal_start="2025-01-01", temporal_end="2024-01-01")
        assert "La date de fin (2024-01-01) est avant la date de début (2025-01-01)" in errors["temporal_end"][0]

    def test_dates_at_the_limits(self, app, token, org):
        limit = dt.date.today().replace(year=dt.date.today().year + 50, day=1)
        pkg = create(app, token, org, temporal_start="1800-01-01", temporal_end=limit.isoformat())["result"]
        assert pkg["temporal_start"] == "1800-01-01"

    def test_contact_needs_email_or_url(self, app, token, org):
        errors = errors_of(app, token, org, contact_name="Mairie")
        assert errors["contact_email"] == ["Indiquez une adresse e-mail ou une adresse web pour ce contact."]
        errors = errors_of(app, token, org, contact_email="mairie@ribeauville.fr")
        assert errors["contact_name"] == ["Indiquez le nom du contact (une personne ou un service)."]
        # a URL is enough
        assert create(app, token, org, contact_name="Mairie", contact_url="https://ribeauville.fr")["success"]

    def test_keywords_of_three_characters(self, app, token, org):
        errors = errors_of(app, token, org, tags=[{"name": "eau"}, {"name": "ok"}])
        assert errors["tags"] == [
            "Le mot-clé « ok » est trop court : un mot-clé doit compter au moins 3 caractères."]
        errors = errors_of(app, token, org, tags=[], tag_string="vélo, bus, tc")
        assert errors["tag_string"] == [
            "Ces mots-clés sont trop courts : tc. Un mot-clé doit compter au moins 3 caractères."]

    def test_several_errors_at_once(self, app, token, org):
        errors = errors_of(app, token, org, theme=["X"], frequency="Y", contact_email="z", contact_name="Mairie")
        assert {"theme", "frequency", "contact_email"} <= set(errors)

    def test_a_rejected_create_saves_nothing(self, app, token, org):
        errors_of(app, token, org, territories=["commune:00000"])
        assert api_post(app, "package_show", token, status=404, id="deliberations-2024")["success"] is False
        from ckan import model
        assert model.Session.query(model.Package).count() == 0


class TestUpdate:
    def test_a_rejected_update_loses_nothing(self, app, token, org):
        pkg = create(app, token, org, **FULL)["result"]
        body = api_post(app, "package_update", token, status=409, **dict(
            pkg, title="Nouveau titre", theme=["ENVI", "NOPE"], resources=[{"url": "https://x.fr/a.csv"}]))
        assert "theme" in body["error"]
        after = api_post(app, "package_show", token, id=pkg["id"])["result"]
        assert after["title"] == pkg["title"]
        assert after["theme"] == pkg["theme"] and after["territories"] == pkg["territories"]
        assert after["resources"] == []

    def test_package_show_output_goes_back_into_package_update(self, app, token, org):
        pkg = create(app, token, org, **FULL)["result"]
        updated = api_post(app, "package_update", token, **dict(pkg, title="Délibérations 2024"))["result"]
        assert updated["title"] == "Délibérations 2024"
        for field in FULL:
            assert updated[field] == pkg[field], field

    def test_patch_and_removing_values(self, app, token, org):
        pkg = create(app, token, org, **FULL)["result"]
        patched = api_post(app, "package_patch", token, id=pkg["id"], frequency="ANNUAL",
                           territories=["region:44"], documentation="")["result"]
        assert patched["frequency"] == EU + "frequency/ANNUAL"
        assert patched["territories"] == ["region:44"]
        assert "documentation" not in patched
        assert patched["theme"] == pkg["theme"]

    def test_update_does_not_refill_territories_from_the_organization(self, app, token, org):
        pkg = create(app, token, org)["result"]
        pkg.pop("territories")
        updated = api_post(app, "package_update", token, **pkg)["result"]
        assert "territories" not in updated


class TestSearchIndex:
    def test_index_fields_and_show_in_search_results(self, app, token, org):
        create(app, token, org, **FULL)
        result = api_post(app, "package_search", q="*:*", **{
            "facet.field": ["vocab_grandest_departement", "vocab_grandest_epci", "vocab_grandest_commune",
                            "vocab_grandest_theme", "vocab_grandest_frequency", "license_id", "res_format"]})["result"]
        assert result["count"] == 1
        ds = result["results"][0]
        assert ds["territories"] == FULL["territories"] and isinstance(ds["theme"], list)
        facets = {k: {i["name"]: i["display_name"] for i in v["items"]} for k, v in result["search_facets"].items()}
        assert facets["vocab_grandest_commune"] == {"68269": "Ribeauvillé (68)"}
        assert facets["vocab_grandest_epci"] == {"246800577": "CC du Pays de Ribeauvillé"}
        assert facets["vocab_grandest_departement"] == {"68": "Haut-Rhin (68)"}
        assert facets["vocab_grandest_theme"] == {"ENVI": "Environnement", "TRAN": "Transports"}
        assert facets["vocab_grandest_frequency"] == {"MONTHLY": "Tous les mois"}
        assert facets["license_id"] == {"lov2": "Licence Ouverte 2.0"}

    def test_filter_by_facet(self, app, token, org):
        create(app, token, org, territories=["commune:67482"], name="a-strasbourg")
        create(app, token, org, territories=["epci:246800577"], name="b-ribeauville")
        create(app, token, org, territories=["region:44"], name="c-region")

        def names(fq):
            return sorted(r["name"] for r in api_post(app, "package_search", fq=fq)["result"]["results"])

        assert names("vocab_grandest_departement:67") == ["a-strasbourg"]
        assert names("vocab_grandest_departement:68") == ["b-ribeauville"]
        assert names("vocab_grandest_epci:246700488") == ["a-strasbourg"]  # its EPCI (Eurométropole)
        assert names("vocab_grandest_commune:67482") == ["a-strasbourg"]

    def test_long_provenance_is_indexed(self, app, token, org):
        long_text = "Registre des délibérations. " * 2000  # ~56 kB, over Solr's term limit
        pkg = create(app, token, org, provenance=long_text)["result"]
        assert api_post(app, "package_search", q="name:deliberations-2024")["result"]["count"] == 1
        assert pkg["provenance"] == long_text
