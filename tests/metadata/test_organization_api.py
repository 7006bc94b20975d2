"""The organization schema through the API: actor types, INSEE code, SIREN (Luhn, matching the commune),
fields filled from the referential and read-only population."""
from __future__ import annotations

import pytest

from tests.helpers import api_post


@pytest.fixture
def token(clean_db, clean_index):
    from ckan.tests import factories

    return factories.SysadminWithToken()["token"]


def create(app, token, status=200, **kw):
    data = {"name": "organisation-test", "title": "Organisation de test"}
    data.update(kw)
    return api_post(app, "organization_create", token, status=status, **data)


def errors(app, token, **kw) -> dict:
    body = create(app, token, status=409, **kw)
    return body["error"]


class TestActorTypes:
    def test_commune_filled_from_the_referential(self, app, token):
        org = create(app, token, actor_type="commune", insee_code="67482", population="12",
                     epci="200000000", website="https://www.strasbourg.eu", contact_email="contact@strasbourg.eu",
                     phone="03 68 98 50 00")["result"]
        assert org["siren"] == "216704825"
        assert org["epci"] == "246700488"  # the Eurométropole, whatever was typed
        assert org["departement"] == "67"
        assert org["population"] == 294564  # population totale, read-only, an integer
        assert org["website"] == "https://www.strasbourg.eu" and org["phone"] == "03 68 98 50 00"

    def test_commune_with_its_own_siren(self, app, token):
        org = create(app, token, actor_type="commune", insee_code="68269", siren="216 802 694")["result"]
        assert org["siren"] == "216802694"

    def test_epci(self, app, token):
        org = create(app, token, actor_type="epci", siren="246700488")["result"]
        assert org["epci"] == "246700488" and org["departement"] == "67"
        assert org["population"] == 522670

    def test_departement_and_region(self, app, token):
        dept = create(app, token, actor_type="departement", insee_code="68")["result"]
        assert dept["departement"] == "68" and dept["population"] > 700000
        region = create(app, token, name="region-grand-est", actor_type="region")["result"]
        assert region["insee_code"] == "44" and region["population"] > 5000000

    @pytest.mark.parametrize("actor", ["etablissement_public", "association", "entreprise"])
    def test_siren_required(self, app, token, actor):
        assert errors(app, token, actor_type=actor)["siren"] == [
            "Indiquez le numéro SIREN de l'organisation (9 chiffres) : il est obligatoire pour ce type "
            "d'organisation."]
        org = create(app, token, actor_type=actor, siren="130 025 265", departement="8")["result"]
        assert org["siren"] == "130025265" and org["departement"] == "08"
        assert "population" not in org

    def test_state_service(self, app, token):
        org = create(app, token, actor_type="etat")["result"]
        assert org["actor_type"] == "etat" and "siren" not in org


class TestOrganizationBadInput:
    @pytest.mark.parametrize("kw,field,expected", [
        ({}, "actor_type", "Valeur manquante"),
        ({"actor_type": "mairie"}, "actor_type", "Type d'organisation inconnu"),
        ({"actor_type": "commune"}, "insee_code", "Indiquez le code INSEE de la commune"),
        ({"actor_type": "commune", "insee_code": "75056"}, "insee_code", "ne correspond à aucune commune du Grand Est"),
        ({"actor_type": "commune", "insee_code": "6748"}, "insee_code", "n'est pas un code INSEE"),
        ({"actor_type": "commune", "insee_code": "67482", "siren": "216802694"}, "siren",
         "n'est pas celui de Strasbourg (216704825)"),
        ({"actor_type": "commune", "insee_code": "67482", "siren": "216704826"}, "siren", "clé de contrôle est fausse"),
        ({"actor_type": "epci", "siren": "12345"}, "siren", "un SIREN compte 9 chiffres"),
        ({"actor_type": "epci"}, "siren", "Indiquez le numéro SIREN de l'intercommunalité"),
        ({"actor_type": "epci", "siren": "216704825"}, "siren", "n'est celui d'aucune intercommunalité"),
        ({"actor_type": "departement", "insee_code": "75"}, "insee_code", "Indiquez le numéro d'un département du Grand Est"),
        ({"actor_type": "region", "insee_code": "11"}, "insee_code", "La seule région de ce portail est le Grand Est"),
        ({"actor_type": "etat", "insee_code": "67482"}, "insee_code", "laissez ce champ vide"),
        ({"actor_type": "etat", "departement": "75"}, "departement", "Indiquez le numéro d'un département du Grand Est"),
        ({"actor_type": "association", "siren": "130025265", "epci": "130025265"}, "epci",
         "n'est celui d'aucune intercommunalité"),
        ({"actor_type": "etat", "website": "www.exemple.fr"}, "website", "doit commencer par http:// ou https://"),
        ({"actor_type": "etat", "contact_email": "contact(at)exemple.fr"}, "contact_email", "n'est pas une adresse e-mail"),
    ])
    def test_field_message(self, app, token, kw, field, expected):
        errs = errors(app, token, **kw)
        assert expected in " ".join(errs.get(field, [])), errs

    def test_a_rejected_update_loses_nothing(self, app, token):
        org = create(app, token, actor_type="commune", insee_code="68269", website="https://www.ribeauville.fr")["result"]
        body = api_post(app, "organization_update", token, status=409, **dict(
            org, title="Nouveau nom", insee_code="99999"))
        assert "insee_code" in body["error"]
        after = api_post(app, "organization_show", token, id=org["id"])["result"]
        assert after["title"] == "Organisation de test" and after["insee_code"] == "68269"
        assert after["website"] == "https://www.ribeauville.fr" and after["population"] == org["population"]

    def test_population_cannot_be_changed(self, app, token):
        org = create(app, token, actor_type="commune", insee_code="68269")["result"]
        api_post(app, "organization_patch", token, id=org["id"], population=1)
        # (organization_update/patch return the raw dictized organization: read it back with organization_show)
        patched = api_post(app, "organization_show", token, id=org["id"])["result"]
        assert patched["population"] == org["population"] == 4901

    def test_changing_type_clears_what_no_longer_applies(self, app, token):
        org = create(app, token, actor_type="commune", insee_code="68269")["result"]
        api_post(app, "organization_patch", token, id=org["id"], actor_type="departement", insee_code="68")
        patched = api_post(app, "organization_show", token, id=org["id"])["result"]
        assert patched["departement"] == "68" and "epci" not in patched
