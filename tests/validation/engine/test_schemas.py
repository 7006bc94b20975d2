"""The shipped national Table Schemas and their catalogue."""
from __future__ import annotations

import json
from pathlib import Path

from ckanext.grandest.validation.engine import get_schema_info, list_catalogue, load_schema
from ckanext.grandest.validation.engine.checks import ALIASES, checks_from_schema
from ckanext.grandest.validation.engine.schemas import schemas_dir, split_schema_ref

SHIPPED = {
    "scdl/deliberations", "scdl/subventions", "scdl/budget", "scdl/equipements", "scdl/catalogue",
    "scdl/menus-collectifs", "scdl/plats-menus-collectifs", "scdl/prenoms", "etalab/schema-decp-dpa",
    "etalab/schema-lieux-covoiturage", "etalab/schema-stationnement-cyclable",
}


def test_schemas_ship_in_the_package_folder() -> None:
    folder = schemas_dir()
    assert folder.name == "table-schemas" and folder.parent.name == "schemas"
    assert (folder / "README.md").exists()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "schema.data.gouv.fr" in readme and "OpenDataFrance" in readme


def test_catalogue_lists_shipped_table_schemas() -> None:
    available = {i.id for i in list_catalogue(available_only=True)}
    assert available == SHIPPED
    every = list_catalogue()
    assert len(every) > 50  # the whole schema.data.gouv.fr catalogue of Table Schemas
    delib = next(i for i in every if i.id == "scdl/deliberations")
    assert delib.title == "Délibérations" and delib.version == "2.1.5" and delib.available
    assert delib.url.startswith("https://schema.data.gouv.fr/schemas/scdl/deliberations/")
    assert "Socle Commun des Données Locales" in delib.labels
    json.dumps([i.to_dict() for i in every])
    assert all(i.schema_type == "tableschema" for i in every)
    assert any(i.id == "etalab/schema-amenagements-cyclables" for i in list_catalogue(schema_type=None))


def test_versions_are_normalised() -> None:
    assert get_schema_info("scdl/prenoms").file_version == "1.1.6"  # "v1.1.6" in the file
    # the catalogue knows a newer version than the file's own "version" field
    covoit = get_schema_info("etalab/schema-lieux-covoiturage")
    assert covoit.version == "0.3.1" and covoit.file_version == "0.3.0"


def test_load_schema_and_refs() -> None:
    schema = load_schema("scdl/deliberations@2.1.4")
    assert schema["name"] == "deliberations" and len(schema["fields"]) == 17
    schema["fields"].clear()
    assert len(load_schema("scdl/deliberations")["fields"]) == 17  # callers get a copy
    assert load_schema("scdl/inconnu") is None and get_schema_info("scdl/inconnu") is None
    assert load_schema("../../etc/passwd") is None
    assert split_schema_ref("https://schema.data.gouv.fr/schemas/scdl/budget/latest/schema.json") == ("scdl/budget", None)
    assert split_schema_ref(" scdl/budget@v0.8.2 ") == ("scdl/budget", "0.8.2")


def test_every_custom_check_of_the_shipped_schemas_is_handled() -> None:
    for path in Path(schemas_dir()).glob("*.json"):
        if path.name.startswith("catalogue-"):
            continue
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        checks, unsupported = checks_from_schema(descriptor)
        assert unsupported == [], (path.name, unsupported)
        declared = descriptor.get("custom_checks") or []
        assert len(checks) == sum(1 for c in declared if c["name"] in ALIASES)
    assert ALIASES["siret"] == ALIASES["french-siret-value"] == "french-siret-value"
