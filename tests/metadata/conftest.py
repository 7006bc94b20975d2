"""Fixtures of the grandest_metadata tests.

Every test here runs with the Grand Est schemas (markers added below; a test or class can still override any
option with its own ``ckan_config`` marker). Browser tests use ``live_server`` and ``browser_page`` from
tests/conftest.py (they forward the scheming options set here).
"""
from __future__ import annotations

from pathlib import Path

import pytest

PLUGINS = "activity scheming_datasets scheming_organizations grandest_metadata"
SCHEMA_CONFIG = {
    "ckan.plugins": PLUGINS,
    "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
    "licenses_group_url": "",
}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            # prepended: markers of the test itself or of its class/module win over these defaults
            for key, value in reversed(list(SCHEMA_CONFIG.items())):
                item.add_marker(pytest.mark.ckan_config(key, value), append=False)


@pytest.fixture
def reset_licences():
    """Forget the licence register CKAN cached (it depends on licenses_group_url)."""
    from ckan import model

    model.Package.__dict__.get("_license_register") and delattr(model.Package, "_license_register")
    yield
    model.Package.__dict__.get("_license_register") and delattr(model.Package, "_license_register")


# --- objects ----------------------------------------------------------------------------------------------
def commune_org(**kw):
    """A commune's organization (Ribeauvillé unless told otherwise), created through the action."""
    from ckan.tests import factories

    data = {"name": "commune-de-ribeauville", "title": "Commune de Ribeauvillé", "actor_type": "commune",
            "insee_code": "68269"}
    data.update(kw)
    return factories.Organization(**data)


def dataset_dict(owner_org: str, **kw) -> dict:
    data = {
        "name": "deliberations-2024", "title": "Délibérations du conseil municipal", "owner_org": owner_org,
        "notes": "Liste des délibérations adoptées par le conseil municipal depuis janvier 2024, au format du "
                 "Socle commun des données locales.",
        "license_id": "lov2", "tags": [{"name": "délibérations"}, {"name": "conseil"}],
    }
    data.update(kw)
    return data
