"""Turning the plugin on is one line of ckan.plugins: schemas, presets, licences and templates follow."""
from __future__ import annotations

import pytest


@pytest.fixture
def options_left_out(ckan_config, monkeypatch):
    """A portal that sets none of the scheming options nor licenses_group_url (test.ini and the marks of
    tests/metadata/conftest.py set them): the plugin's declaration gives them their defaults."""
    for key in ("scheming.dataset_schemas", "scheming.organization_schemas", "scheming.presets",
                "licenses_group_url"):
        monkeypatch.delitem(ckan_config, key, raising=False)


@pytest.mark.usefixtures("options_left_out", "with_plugins", "reset_licences")
def test_without_scheming_options_the_grand_est_schemas_are_used(ckan_config):
    import ckan.plugins.toolkit as tk
    from ckan import model

    assert ckan_config["scheming.dataset_schemas"] == "ckanext.grandest.schemas:dataset.yaml"
    assert ckan_config["scheming.organization_schemas"] == "ckanext.grandest.schemas:organization.yaml"
    assert ckan_config["scheming.presets"].split() == ["ckanext.scheming:presets.json",
                                                      "ckanext.grandest.schemas:presets.yaml"]
    fields = [f["field_name"] for f in tk.h.scheming_get_dataset_schema("dataset")["dataset_fields"]]
    assert "territories" in fields and "theme" in fields
    assert ckan_config["licenses_group_url"].endswith("/schemas/licenses.json")
    assert [lic.id for lic in model.Package.get_license_register().values()] == [
        "lov2", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero", "lov1", "other", "notspecified"]
    # our templates come before scheming's, whose templates they extend
    paths = tk.config["plugin_template_paths"]
    ours = next(i for i, p in enumerate(paths) if p.endswith("grandest/metadata/templates"))
    scheming = next(i for i, p in enumerate(paths) if p.endswith("ckanext/scheming/templates"))
    assert ours < scheming


@pytest.fixture
def portal_licences(ckan_config, monkeypatch, tmp_path, reset_licences):
    """A licence list of the portal's own."""
    path = tmp_path / "licences.json"
    path.write_text('[{"id": "maison", "title": "Licence maison", "url": ""}]', encoding="utf-8")
    monkeypatch.setitem(ckan_config, "licenses_group_url", f"file://{path}")
    return f"file://{path}"


@pytest.mark.usefixtures("portal_licences", "with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("ckan.plugins", "activity scheming_datasets grandest_metadata")
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:custom_org_with_address.json")
@pytest.mark.ckan_config("scheming.presets", "ckanext.scheming:presets.json")
def test_what_the_portal_sets_is_kept(ckan_config, app, portal_licences):
    """The plugin then works with the portal's own schemas (no territory picker, facets still there)."""
    assert ckan_config["scheming.dataset_schemas"] == "ckanext.scheming:ckan_dataset.yaml"
    assert ckan_config["licenses_group_url"] == portal_licences
    assert ckan_config["scheming.presets"] == "ckanext.scheming:presets.json"
    from ckan.tests import factories

    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], license_id="maison")
    assert app.get("/dataset/").status_code == 200


@pytest.mark.usefixtures("with_plugins", "reset_licences")
@pytest.mark.ckan_config("scheming.dataset_schemas", "")
@pytest.mark.ckan_config("scheming.organization_schemas", "")
@pytest.mark.ckan_config("licenses_group_url", "")
def test_empty_scheming_options_mean_the_grand_est_ones(ckan_config):
    assert ckan_config["scheming.dataset_schemas"] == "ckanext.grandest.schemas:dataset.yaml"
    assert ckan_config["scheming.organization_schemas"] == "ckanext.grandest.schemas:organization.yaml"
    assert ckan_config["licenses_group_url"].endswith("/schemas/licenses.json")


@pytest.mark.ckan_config("scheming.presets", "ckanext.scheming:presets.json")
def test_our_schemas_without_our_presets_stop_the_portal(ckan_config):
    """The Grand Est schemas with scheming.presets set without ours: a clear message at start-up."""
    from ckan.exceptions import CkanConfigurationException
    from ckan.plugins.core import load_all, unload_all

    try:
        with pytest.raises(CkanConfigurationException, match="scheming.presets must list"):
            load_all()
    finally:
        unload_all()  # as the with_plugins fixture leaves them
