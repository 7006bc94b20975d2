"""Round trip: the portal's own DCAT feed (grandest_dcat, profile grandest_dcat_ap) harvested into a second
organization reproduces every field of the Grand Est schema, checked field by field."""
from __future__ import annotations

import re

import pytest

from tests.harvest.helpers import commune_org, gather_errors, object_errors, stats

EU = "http://publications.europa.eu/resource/authority/"
PLUGINS = ("activity harvest dcat scheming_datasets scheming_organizations grandest_metadata grandest_dcat "
           "grandest_dcat_harvester")

DATASET_FIELDS = ("title", "notes", "theme", "territories", "license_id", "license_other_url", "frequency",
                  "temporal_start", "temporal_end", "contact_name", "contact_email", "contact_url", "maintainer",
                  "maintainer_email", "language", "access_rights", "provenance", "version", "documentation")
RESOURCE_FIELDS = ("url", "name", "description", "format", "schema", "schema_version", "language")


def _originals(org_id: str) -> list[dict]:
    base = {"owner_org": org_id}
    return [
        dict(base, name="budget-primitif-2024", title="Budget primitif 2024",
             notes="Budget primitif voté par le conseil municipal pour 2024, par chapitre et par fonction "
                   "(nomenclature M57), au format du **Socle commun des données locales**.\n\nSource : direction "
                   "des finances.",
             tags=[{"name": "budget"}, {"name": "finances"}, {"name": "M57"}],
             theme=[EU + "data-theme/ECON", EU + "data-theme/GOVE"],
             territories=["commune:67482", "epci:246700488"],
             license_id="lov2", frequency=EU + "frequency/ANNUAL",
             temporal_start="2024-01-01", temporal_end="2024-12-31",
             contact_name="Direction des finances", contact_email="finances@example-strasbourg.eu",
             contact_url="https://www.example-strasbourg.eu/contact-finances",
             maintainer="Marie Dupont", maintainer_email="marie.dupont@example-strasbourg.eu",
             language=[EU + "language/FRA", EU + "language/DEU"],
             access_rights=EU + "access-right/PUBLIC",
             provenance="Extrait du logiciel financier, vérifié par le service.", version="2024.2",
             documentation="https://www.example-strasbourg.eu/budget/notice",
             resources=[
                 {"url": "https://www.example-strasbourg.eu/data/budget-2024.csv", "name": "Budget 2024 (CSV)",
                  "description": "Une ligne par chapitre.", "format": "CSV", "schema": "scdl/budget",
                  "schema_version": "0.8.1", "language": EU + "language/FRA"},
                 {"url": "https://www.example-strasbourg.eu/data/budget-2024.pdf", "name": "Présentation",
                  "description": "Le budget expliqué.", "format": "PDF"},
             ]),
        dict(base, name="qualite-air", title="Qualité de l'air",
             notes="Mesures quotidiennes de la qualité de l'air aux stations de l'Eurométropole de Strasbourg, "
                   "depuis 2015.",
             tags=[{"name": "pollution"}, {"name": "santé"}],
             theme=[EU + "data-theme/ENVI"], territories=["epci:246700488"],
             license_id="other", license_other_url="https://www.example-atmo.fr/licence-donnees",
             frequency=EU + "frequency/DAILY", temporal_start="2015-01-01",
             contact_name="Atmo Grand Est", contact_email="contact@example-atmo.fr",
             access_rights=EU + "access-right/RESTRICTED", language=[EU + "language/FRA"],
             resources=[{"url": "https://www.example-atmo.fr/api/mesures.geojson", "name": "Mesures",
                         "format": "GEOJSON"}]),
        dict(base, name="arbres", title="Arbres d'alignement",
             notes="Arbres d'alignement gérés par la ville : essence, hauteur, date de plantation.",
             tags=[{"name": "arbres"}], theme=[EU + "data-theme/ENVI"], territories=["commune:67482"],
             license_id="odc-odbl", frequency=EU + "frequency/IRREG",
             contact_name="Service des espaces verts", contact_url="https://www.example-strasbourg.eu/espaces-verts",
             resources=[{"url": "https://www.example-strasbourg.eu/data/arbres.zip", "name": "Arbres (Shapefile)",
                         "format": "SHP"}]),
    ]


def _norm(value):
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        return sorted(value)
    return value


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 grandest_dcat_ap")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_our_own_feed_harvested_into_a_second_organization_loses_no_field(harvest, feed_server, app):
    import ckan.plugins.toolkit as tk

    strasbourg = commune_org()
    colmar = commune_org(name="ville-de-colmar", title="Ville de Colmar", insee="68066")
    originals = {}
    for data in _originals(strasbourg["id"]):
        created = tk.get_action("package_create")({"user": harvest.admin["name"]}, data)
        originals[created["title"]] = tk.get_action("package_show")({"ignore_auth": True}, {"id": created["id"]})

    # the portal's real feed, page after page, served to the harvester from 127.0.0.1
    site = tk.config["ckan.site_url"].rstrip("/")
    path, pages = "/catalog.ttl", 0
    while path and pages < 10:
        resp = app.get(path)
        assert resp.status_code == 200, resp.body[:500]
        body = resp.body.replace(site, feed_server.base)
        feed_server.add(path, body.encode(), "text/turtle")
        pages += 1
        m = re.search(r'hydra:next(?:Page)?\s+[<"]' + re.escape(feed_server.base) + r'([^>"]+)[>"]', body)
        path = m.group(1) if m else None
    assert pages >= 2  # paged

    source = harvest.source(feed_server.url("/catalog.ttl"), colmar["id"])
    report = harvest.run(source["id"])
    assert gather_errors(report) == [] and object_errors(report) == [], report
    assert stats(report)["added"] == len(originals)

    copies = harvest.datasets(colmar["id"])
    assert set(copies) == set(originals)
    lost = []
    for title, orig in originals.items():
        copy = copies[title]
        assert copy["owner_org"] == colmar["id"]
        for field in DATASET_FIELDS:
            if _norm(orig.get(field)) != _norm(copy.get(field)):
                lost.append((title, field, orig.get(field), copy.get(field)))
        if sorted(t["name"] for t in orig["tags"]) != sorted(t["name"] for t in copy["tags"]):
            lost.append((title, "tags", orig["tags"], copy["tags"]))
        o_res = {r["url"]: r for r in orig["resources"]}
        c_res = {r["url"]: r for r in copy["resources"]}
        if set(o_res) != set(c_res):
            lost.append((title, "resources", sorted(o_res), sorted(c_res)))
            continue
        for url, o in o_res.items():
            for field in RESOURCE_FIELDS:
                if _norm(o.get(field)) != _norm(c_res[url].get(field)):
                    lost.append((title, f"resource {o['name']}: {field}", o.get(field), c_res[url].get(field)))
    assert lost == [], "\n".join(map(repr, lost))

    # and harvesting the same feed again changes nothing
    report = harvest.run(source["id"])
    assert stats(report)["not modified"] == len(originals) and stats(report)["updated"] == 0
