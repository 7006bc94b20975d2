"""The resource schema through the API: link, format vocabulary, national Table Schema and version, language."""
from __future__ import annotations

import pytest

from tests.helpers import api_post
from tests.metadata.conftest import commune_org, dataset_dict

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def setup(clean_db, clean_index, app):
    from ckan.tests import factories

    token = factories.SysadminWithToken()["token"]
    org = commune_org()
    pkg = api_post(app, "package_create", token, **dataset_dict(org["id"]))["result"]
    return token, pkg


def add(app, token, pkg, status=200, **res):
    return api_post(app, "resource_create", token, status=status, package_id=pkg["id"], **res)


class TestResourceFields:
    def test_every_field(self, app, setup):
        token, pkg = setup
        res = add(app, token, pkg, url="https://data.ribeauville.fr/deliberations.csv", name="Délibérations 2024",
                  description="Une ligne par délibération.", format="csv", schema="scdl/deliberations",
                  schema_version="2.1.4", language="FRA")["result"]
        assert res["format"] == "CSV"
        assert res["schema"] == "scdl/deliberations" and res["schema_version"] == "2.1.4"
        assert res["language"] == EU + "language/FRA"
        shown = api_post(app, "resource_show", token, id=res["id"])["result"]
        assert {k: shown[k] for k in ("format", "schema", "schema_version", "language")} == {
            "format": "CSV", "schema": "scdl/deliberations", "schema_version": "2.1.4",
            "language": EU + "language/FRA"}

    @pytest.mark.parametrize("given,stored", [
        ("GeoJSON", "GEOJSON"), ("text/csv", "CSV"), ("Shapefile", "SHP"), ("xlsx", "XLSX"),
        (EU + "file-type/JSON", "JSON"), ("wms", "WMS_SRVC"),
    ])
    def test_format_spellings(self, app, setup, given, stored):
        token, pkg = setup
        assert add(app, token, pkg, url="https://x.fr/data", format=given)["result"]["format"] == stored

    def test_format_guessed_from_the_link(self, app, setup):
        token, pkg = setup
        assert add(app, token, pkg, url="https://x.fr/export/stations.geojson?v=2")["result"]["format"] == "GEOJSON"
        assert add(app, token, pkg, url="https://x.fr/page")["result"]["format"] == ""

    def test_schema_latest_version_by_default_and_references(self, app, setup):
        token, pkg = setup
        res = add(app, token, pkg, url="https://x.fr/s.csv", schema="scdl/subventions")["result"]
        assert res["schema_version"] == "2.1.1"
        res = add(app, token, pkg, url="https://x.fr/s.csv",
                  schema="https://schema.data.gouv.fr/schemas/scdl/budget/0.8.2/schema.json")["result"]
        assert res["schema"] == "scdl/budget"
        res = add(app, token, pkg, url="https://x.fr/s.csv", schema="scdl/deliberations@2.1.3")["result"]
        assert (res["schema"], res["schema_version"]) == ("scdl/deliberations", "2.1.3")

    def test_version_without_schema_is_dropped(self, app, setup):
        token, pkg = setup
        res = add(app, token, pkg, url="https://x.fr/s.csv", schema_version="1.0")["result"]
        assert "schema" not in res and "schema_version" not in res

    def test_upload_is_not_a_link(self, app, setup, ckan_config, monkeypatch, tmp_path):
        import io

        monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
        token, pkg = setup
        resp = app.post("/api/3/action/resource_create", headers={"Authorization": token},
                        data={"package_id": pkg["id"], "name": "Fichier",
                              "upload": (io.BytesIO(b"a;b\n1;2\n"), "donnees.csv")})
        res = resp.json["result"]
        assert res["url_type"] == "upload" and res["format"] == "CSV"


class TestResourceBadInput:
    @pytest.mark.parametrize("field,value,expected", [
        ("url", "ftp://ftp.ribeauville.fr/data.csv", "doit commencer par http:// ou https://"),
        ("url", "file:///etc/passwd", "doit commencer par http:// ou https://"),
        ("format", "docx-ish", "Format de fichier inconnu"),
        ("schema", "scdl/n-existe-pas", "Schéma de données inconnu"),
        ("schema", "etalab/schema-bal", "Schéma de données inconnu"),  # "other": no machine-readable schema
        ("language", "xx", "Langue inconnue"),
    ])
    def test_field_message(self, app, setup, field, value, expected):
        token, pkg = setup
        res = {"url": "https://x.fr/d.csv", field: value}
        body = add(app, token, pkg, status=409, **res)
        assert expected in str(body["error"]), body["error"]

    def test_unknown_schema_version(self, app, setup):
        token, pkg = setup
        body = add(app, token, pkg, status=409, url="https://x.fr/d.csv", schema="scdl/deliberations",
                   schema_version="9.9")
        assert "La version « 9.9 » du schéma scdl/deliberations n'existe pas" in str(body["error"])

    def test_a_rejected_resource_leaves_the_dataset_as_it_was(self, app, setup):
        token, pkg = setup
        add(app, token, pkg, url="https://x.fr/a.csv", name="Bon fichier")
        add(app, token, pkg, status=409, url="https://x.fr/b.csv", format="???")
        shown = api_post(app, "package_show", token, id=pkg["id"])["result"]
        assert [r["name"] for r in shown["resources"]] == ["Bon fichier"]

    def test_index_res_format(self, app, setup):
        token, pkg = setup
        add(app, token, pkg, url="https://x.fr/a.geojson")
        result = api_post(app, "package_search", **{"facet.field": ["res_format"]})["result"]
        assert result["search_facets"]["res_format"]["items"] == [
            {"name": "GEOJSON", "display_name": "GeoJSON", "count": 1}]
