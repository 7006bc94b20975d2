"""Templates of the national schemas: the CSV template (header + example row) of EVERY schema the catalogue
lookup holds is valid against that schema, checked by the project's own engine."""
from __future__ import annotations

import csv
import io

import pytest

from ckanext.grandest.validation.engine import list_catalogue, load_schema, validate_file
from ckanext.grandest.validation.engine.template import accepted_values, example_row, template_csv

SCHEMAS = [i.id for i in list_catalogue(available_only=True) if (load_schema(i.id) or {}).get("fields")]


def test_every_table_schema_of_the_catalogue_is_covered():
    assert len(SCHEMAS) >= 10 and "scdl/subventions" in SCHEMAS and "scdl/deliberations" in SCHEMAS


@pytest.mark.parametrize("schema_id", SCHEMAS)
def test_the_csv_template_is_valid_against_its_schema(tmp_path, schema_id):
    data = template_csv(load_schema(schema_id))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == [f["name"] for f in load_schema(schema_id)["fields"]]
    assert len(rows) == 2 and any(rows[1])
    path = tmp_path / "modele.csv"
    path.write_bytes(data)
    report = validate_file(str(path), name="modele.csv", schema=schema_id)
    assert report["status"] == "valid", [(e["column"], e["value"], e["message"]) for e in report["errors"]]


def test_example_values_come_from_the_schema():
    header, row = example_row(load_schema("scdl/subventions"))
    values = dict(zip(header, row))
    assert values["dateConvention"] == "2017-06-27"  # the schema's example
    assert values["notificationUE"] == "non"
    assert values["nature"] == "aide en numéraire;aide en nature"


def test_candidates_follow_type_enum_and_bounds():
    assert accepted_values({"name": "n", "type": "integer", "constraints": {"minimum": 5}})[0] == "5"
    assert accepted_values({"name": "e", "type": "string", "constraints": {"enum": ["a", "b"]}}) == ["a"]
    assert accepted_values({"name": "b", "type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]}) == ["oui"]
    assert accepted_values({"name": "m", "type": "string", "format": "email"})[0] == "mairie@commune.example"
    # an example the field refuses is skipped
    assert accepted_values({"name": "d", "type": "date", "example": "31/01/2024"}) == ["2024-01-31"]
