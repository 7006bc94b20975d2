"""The resource form's « schéma de données » field offers exactly what the schema registry holds (the
validation plugin loaded), each schema labelled with its real publisher; the resource validators accept the
registry's schemas and versions and refuse the catalogue's schemas the portal cannot check."""
from __future__ import annotations

import io
import json
import re

import pytest

PLUGINS = "activity scheming_datasets scheming_organizations grandest_metadata grandest_validation"

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.grandest.regional_admins", "regional-admin")]


def _dataset(org_id: str) -> dict:
    from ckan.tests.helpers import call_action

    site = call_action("get_site_user", context={"ignore_auth": True})["name"]
    return call_action("package_create", context={"user": site}, name="bornes", title="Bornes de recharge",
                       owner_org=org_id, notes="Les bornes de recharge de la commune, mises à jour chaque mois.",
                       license_id="lov2")


def _form_options(app, dataset: dict, sysadmin: dict) -> dict[str, str]:
    resp = app.get(f"/dataset/{dataset['name']}/resource/new", headers={"Authorization": sysadmin["token"]})
    select = re.search(r'<select[^>]*id="field-schema".*?</select>', resp.body, re.S).group(0)
    return {m.group(1): re.sub(r"\s+", " ", m.group(2)).strip()
            for m in re.finditer(r'<option[^>]*value="([^"]+)"[^>]*>(.*?)</option>', select, re.S)}


def _add(schema: dict, **kw) -> dict:
    from werkzeug.datastructures import FileStorage

    from ckan.tests.helpers import call_action

    stream = FileStorage(stream=io.BytesIO(json.dumps(schema).encode()), filename="schema.json")
    return call_action("grandest_schema_registry_add", context={"user": "regional-admin"}, upload=stream, **kw)


def test_the_form_offers_the_registry_with_publishers(app):
    from html import unescape

    from ckan.tests import factories

    from ckanext.grandest.common import schema_catalog as sc

    factories.User(name="regional-admin")
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(actor_type="commune", insee_code="68269")
    dataset = _dataset(org["id"])
    options = {k: unescape(v) for k, v in _form_options(app, dataset, sysadmin).items()}
    shipped = {i for i in sc.shipped_ids() if sc.is_table_schema(sc.shipped_descriptor(i))}
    assert set(options) == shipped  # exactly what the registry holds: the shipped Table Schemas until a sync
    assert "etalab/schema-irve-statique" not in options  # in the catalogue, but not checkable yet
    assert "etalab/schema-amenagements-cyclables" not in options  # a JSON Schema: nothing to check CSVs with
    assert options["scdl/deliberations"] == "Délibérations — OpenDataFrance (scdl/deliberations)"
    assert options["etalab/schema-stationnement-cyclable"].startswith("Stationnement cyclable — transport.data.gouv.fr")
    assert not any(label.startswith("SCDL") for label in options.values())

    _add({"name": "bornes", "title": "Bornes", "version": "1.1.0",
          "fields": [{"name": "id_borne", "type": "string"}]}, publisher="Région Grand Est", title="Bornes de recharge")
    options = {k: unescape(v) for k, v in _form_options(app, dataset, sysadmin).items()}
    assert options["datagrandest/bornes"] == "Bornes de recharge — Région Grand Est (datagrandest/bornes)"


def test_resources_may_declare_registry_schemas_only(app):
    from ckan.tests import factories

    from tests.helpers import api_post

    factories.User(name="regional-admin")
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(actor_type="commune", insee_code="68269")
    dataset = _dataset(org["id"])
    _add({"name": "bornes", "version": "1.1.0", "fields": [{"name": "id_borne", "type": "string"}]})

    def create(status=200, **kw):
        return api_post(app, "resource_create", sysadmin["token"], status=status, package_id=dataset["id"],
                        url="https://x.fr/b.csv", format="CSV", **kw)

    res = create(schema="datagrandest/bornes")["result"]
    assert (res["schema"], res["schema_version"]) == ("datagrandest/bornes", "1.1.0")
    refused = create(409, schema="datagrandest/bornes", schema_version="2.0.0")
    assert "n'existe pas" in json.dumps(refused["error"], ensure_ascii=False), refused
    refused = create(409, schema="etalab/schema-irve-statique")  # in the catalogue, not in the registry
    assert "Schéma de données inconnu" in json.dumps(refused["error"], ensure_ascii=False), refused
