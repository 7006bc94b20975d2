"""« Publier des données selon un schéma »: the page in French, the CSV and XLSX templates of every schema (the
XLSX « Notice » sheet), and « Publier avec ce modèle » pre-selecting the schema of the new resource."""
from __future__ import annotations

import csv
import io

import pytest

from ckanext.grandest.validation.engine import list_catalogue, load_schema, validate_file
from tests.validation.conftest import make_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "storage")

SCHEMAS = [i.id for i in list_catalogue(available_only=True) if (load_schema(i.id) or {}).get("fields")]


def test_the_page_lists_every_schema_by_its_french_name_and_purpose(app):
    body = app.get("/publish-from-schema", status=200).body
    assert "Publier des données selon un schéma" in body
    assert "Subventions" in body and "Délibérations" in body
    for schema_id in SCHEMAS:
        assert f"/publish-from-schema/{schema_id}/template.csv" in body
        assert f"/publish-from-schema/{schema_id}/template.xlsx" in body
        assert f"/publish-from-schema/{schema_id}/publish" in body
    assert "Publier avec ce modèle" in body and "Modèle Excel" in body


@pytest.mark.parametrize("schema_id", SCHEMAS)
def test_the_xlsx_template_has_the_data_and_a_french_notice(app, schema_id, tmp_path):
    from openpyxl import load_workbook

    resp = app.get(f"/publish-from-schema/{schema_id}/template.xlsx", status=200)
    assert f'filename="modele-{schema_id.replace("/", "-")}.xlsx"' in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["Données", "Notice"]
    data, notice = book["Données"], book["Notice"]
    fields = load_schema(schema_id)["fields"]
    header = [c.value for c in data[1]]
    assert header == [f["name"] for f in fields]
    csv_body = app.get(f"/publish-from-schema/{schema_id}/template.csv", status=200)
    assert csv_body.headers["Content-Type"].startswith("text/csv")
    # the same example row in both templates, and it is valid against the schema
    path = tmp_path / "modele.csv"
    path.write_bytes(csv_body.data)
    assert validate_file(str(path), name="modele.csv", schema=schema_id)["status"] == "valid"
    example = [(c.value or "") for c in data[2]]
    assert list(csv.reader(io.StringIO(csv_body.data.decode("utf-8"))))[1] == example
    assert [c.value for c in notice[1]] == ["Colonne", "Signification", "Type et format", "Obligatoire ?",
                                            "Valeurs autorisées", "Exemple"]
    assert [r[0].value for r in notice.iter_rows(min_row=2)] == [f["name"] for f in fields]


def test_the_notice_explains_in_plain_french(app):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(app.get("/publish-from-schema/scdl/subventions/template.xlsx").data))
    rows = {r[0].value: [c.value for c in r] for r in book["Notice"].iter_rows(min_row=2)}
    assert rows["dateConvention"][2] == "Date écrite AAAA-MM-JJ (par exemple 2024-01-31)"
    assert rows["dateConvention"][3] == "Obligatoire"
    assert rows["notificationUE"][2] == "Oui ou non : écrivez oui ou non"
    assert "aide en nature" in rows["nature"][4]
    assert rows["idRAE"][3] == "Facultatif"


def test_an_unknown_schema_is_a_404(app):
    app.get("/publish-from-schema/scdl/nothing/template.csv", status=404)
    app.get("/publish-from-schema/../etc/template.csv", status=404)


def test_publish_with_this_template_preselects_the_schema_of_the_new_resource(app, org, users):
    from tests.onboarding.conftest import login

    # one client for the whole flow, as a browser keeps its session cookie between pages (CKAN 2.11's ``app``
    # opens a new client, without the previous cookies, for each request)
    client = app.test_client()
    anonymous = client.get("/publish-from-schema/scdl/subventions/publish", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
    login(client, users["editor"]["name"])
    resp = client.get("/publish-from-schema/scdl/subventions/publish", follow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/dataset/new")
    dataset = make_dataset(org["id"], name="subventions-2025")
    form = client.get(f"/dataset/{dataset['name']}/resource/new").get_data(as_text=True)
    assert '<option value="scdl/subventions" selected' in form.replace('selected="selected"', "selected")
    # used once: the next resource form is not pre-filled any more
    form = client.get(f"/dataset/{dataset['name']}/resource/new").get_data(as_text=True)
    assert '<option value="scdl/subventions" selected' not in form.replace('selected="selected"', "selected")
