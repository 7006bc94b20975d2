"""Fixtures of the grandest_dcat tests: the Grand Est schemas, ckanext-dcat and grandest_dcat with the
``euro_dcat_ap_3 grandest_dcat_ap`` profile chain (markers added below; a test can override any option with
its own ``ckan_config`` marker)."""
from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
PLUGINS = "dcat scheming_datasets scheming_organizations grandest_metadata grandest_dcat"
CONFIG = {
    "ckan.plugins": PLUGINS,
    "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
    "licenses_group_url": "",
    "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3 grandest_dcat_ap",
    "ckan.site_url": "http://test.datagrandest.example",
    "ckanext.dcat.base_uri": "http://test.datagrandest.example",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            for key, value in reversed(list(CONFIG.items())):
                item.add_marker(pytest.mark.ckan_config(key, value), append=False)


# --- objects (created through the actions, with the Grand Est schemas) ----------------------------------
EU = "http://publications.europa.eu/resource/authority/"


def sysadmin():
    from ckan.tests import factories

    return factories.Sysadmin()


def commune_org(**kw) -> dict:
    """Ribeauvillé's organization (a commune, with website and contact email) unless told otherwise."""
    from ckan.tests import factories

    data = {"name": "commune-de-ribeauville", "title": "Commune de Ribeauvillé", "actor_type": "commune",
            "insee_code": "68269", "website": "https://www.ribeauville.fr",
            "contact_email": "mairie@ribeauville.fr"}
    data.update(kw)
    return factories.Organization(**data)


def create_dataset(**data) -> dict:
    from ckan.tests import helpers

    return helpers.call_action("package_create", **data)


def minimal_dataset(owner_org: str, **kw) -> dict:
    """Only what the schema requires."""
    data = {"name": "donnees-minimales", "title": "Données minimales", "owner_org": owner_org,
            "notes": "Un jeu de données avec le strict nécessaire.", "license_id": "lov2"}
    data.update(kw)
    return create_dataset(**data)


def rich_dataset(owner_org: str, **kw) -> dict:
    """Every field of the Grand Est schema filled."""
    data = {
        "name": "deliberations-2024", "title": "Délibérations du conseil municipal",
        "owner_org": owner_org,
        "notes": "Liste des délibérations adoptées par le conseil municipal depuis janvier 2024, au format du "
                 "Socle commun des données locales (SCDL).",
        "tag_string": "délibérations,conseil municipal,SCDL",
        "theme": [EU + "data-theme/GOVE", EU + "data-theme/REGI"],
        "territories": ["commune:68269", "epci:246800577"],
        "license_id": "odc-odbl",
        "frequency": EU + "frequency/MONTHLY",
        "temporal_start": "2024-01-01", "temporal_end": "2024-12-31",
        "contact_name": "Secrétariat de mairie", "contact_email": "secretariat@ribeauville.fr",
        "contact_url": "https://www.ribeauville.fr/contact",
        "maintainer": "Marie Dupont", "maintainer_email": "marie.dupont@ribeauville.fr",
        "language": [EU + "language/FRA", EU + "language/DEU"],
        "provenance": "Export du logiciel de gestion des actes, relu par le secrétariat.",
        "access_rights": EU + "access-right/PUBLIC",
        "version": "2.0",
        "documentation": "https://www.ribeauville.fr/donnees/deliberations",
        "resources": [
            {"url": "https://www.ribeauville.fr/donnees/deliberations-2024.csv", "name": "Délibérations 2024",
             "description": "Une ligne par délibération.", "format": "CSV", "schema": "scdl/deliberations",
             "schema_version": "2.1.4", "language": EU + "language/FRA", "size": 48213},
            {"url": "https://www.ribeauville.fr/donnees/perimetre.geojson", "name": "Périmètre",
             "format": "GEOJSON"},
            {"url": "https://www.ribeauville.fr/conseil-municipal", "name": "Page du conseil municipal",
             "format": "HTML"},
        ],
    }
    data.update(kw)
    return create_dataset(**data)
