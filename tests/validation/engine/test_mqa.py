"""MQA-aligned metadata score /405 from a plain dataset dict (no network)."""
from __future__ import annotations

import pytest

from ckanext.grandest.validation.engine import score_metadata
from ckanext.grandest.validation.engine.fetch import FetchResult
from ckanext.grandest.validation.engine.mqa import mqa_band

EU = "http://publications.europa.eu/resource/authority/"


def full_dataset() -> dict:
    return {
        "title": "Délibérations de Strasbourg",
        "notes": "Les délibérations du conseil municipal, au format SCDL.",
        "tags": [{"name": "délibérations"}, {"name": "conseil municipal"}],
        "theme": [EU + "data-theme/GOVE"],
        "territories": ["commune:67482"],
        "temporal_start": "2020-01-01",
        "temporal_end": "2024-12-31",
        "frequency": EU + "frequency/MONTHLY",
        "license_id": "lov2",
        "license_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "access_rights": EU + "access-right/PUBLIC",
        "contact_name": "Service open data",
        "contact_email": "opendata@strasbourg.eu",
        "contact_url": "",
        "organization": {"title": "Ville de Strasbourg"},
        "metadata_created": "2020-01-10T10:00:00",
        "metadata_modified": "2024-06-01T10:00:00",
        "issued": "2020-01-10",
        "provenance": "Extraction du logiciel de gestion des actes",
        "documentation": "https://www.strasbourg.eu/open-data/deliberations",
        "resources": [
            {"url": "https://data.strasbourg.eu/delib.csv", "format": "CSV", "mimetype": "text/csv", "size": 12345,
             "schema": "scdl/deliberations", "description": "Fichier SCDL", "last_modified": "2024-06-01"},
            {"url": "https://data.strasbourg.eu/delib.pdf", "format": "PDF", "mimetype": "application/pdf",
             "size": 99, "description": "Version imprimable", "last_modified": "2024-06-01"},
        ],
    }


def _dim(score: dict, key: str) -> dict:
    return next(d for d in score["dimensions"] if d["key"] == key)


def _ind(score: dict, dim: str, key: str) -> dict:
    return next(i for i in _dim(score, dim)["indicators"] if i["key"] == key)


def test_full_dataset_scores_405(no_external_connect) -> None:
    ds = full_dataset()
    availability = {r["url"]: 200 for r in ds["resources"]}
    score = score_metadata(ds, availability=availability, shacl_conforms=True)
    assert score["total"] == 405, [(d["key"], d["points"]) for d in score["dimensions"]]
    assert score["band"] == "excellent" and score["band_label"] == "Excellent"
    assert [(d["key"], d["max"]) for d in score["dimensions"]] == [
        ("findability", 100), ("accessibility", 100), ("interoperability", 110), ("reusability", 75),
        ("contextuality", 20)]
    assert no_external_connect == []  # scoring never touches the network


def test_weights_of_each_indicator() -> None:
    score = score_metadata(full_dataset(), availability={}, shacl_conforms=True)
    weights = {(d["key"], i["key"]): i["max"] for d in score["dimensions"] for i in d["indicators"]}
    assert weights == {
        ("findability", "keywords"): 30, ("findability", "themes"): 30, ("findability", "spatial"): 20,
        ("findability", "temporal"): 20,
        ("accessibility", "access_url"): 50, ("accessibility", "download_url"): 20,
        ("accessibility", "download_url_ok"): 30,
        ("interoperability", "format"): 20, ("interoperability", "media_type"): 10,
        ("interoperability", "vocabulary"): 10, ("interoperability", "non_proprietary"): 20,
        ("interoperability", "machine_readable"): 20, ("interoperability", "dcat_ap"): 30,
        ("reusability", "licence"): 20, ("reusability", "licence_vocabulary"): 10,
        ("reusability", "access_rights"): 10, ("reusability", "access_rights_vocabulary"): 5,
        ("reusability", "contact_point"): 20, ("reusability", "publisher"): 10,
        ("contextuality", "rights"): 5, ("contextuality", "byte_size"): 5, ("contextuality", "issued"): 5,
        ("contextuality", "modified"): 5,
    }
    assert sum(weights.values()) == 405


def test_bands() -> None:
    assert mqa_band(405)[0] == mqa_band(351)[0] == "excellent"
    assert mqa_band(350)[0] == mqa_band(221)[0] == "bon"
    assert mqa_band(220)[0] == mqa_band(121)[0] == "suffisant"
    assert mqa_band(120)[0] == "insuffisant" and mqa_band(0)[1] == "Insuffisant"


def test_empty_dataset() -> None:
    score = score_metadata({})
    assert score["total"] == 0
    assert score["band"] == "insuffisant"
    dcat = _ind(score, "interoperability", "dcat_ap")
    assert dcat["points"] == 0 and "titre manquant" in dcat["reason"]


def test_availability_unknown_gives_no_point() -> None:
    score = score_metadata(full_dataset(), shacl_conforms=True)
    access = _ind(score, "accessibility", "access_url")
    assert access["points"] == 0 and "non vérifiée" in access["reason"]
    assert _ind(score, "accessibility", "download_url")["points"] == 20
    assert score["total"] == 405 - 50 - 30


def test_availability_pro_rata_and_result_types() -> None:
    ds = full_dataset()
    csv_url, pdf_url = (r["url"] for r in ds["resources"])
    ok = FetchResult(url=csv_url, ok=True, status=200)
    score = score_metadata(ds, availability={csv_url: ok, pdf_url: {"status": 404}}, shacl_conforms=True)
    assert _ind(score, "accessibility", "access_url")["points"] == 25
    assert _ind(score, "accessibility", "download_url_ok")["points"] == 15
    assert "1 ressource(s) sur 2" in _ind(score, "accessibility", "access_url")["reason"]


def test_interoperability_uses_best_distribution() -> None:
    ds = full_dataset()
    ds["resources"][0].update(format="", mimetype="")  # the CSV loses its format: the PDF is now the best
    score = score_metadata(ds, shacl_conforms=True)
    assert _ind(score, "interoperability", "format")["points"] == 20
    assert _ind(score, "interoperability", "non_proprietary")["points"] == 0  # PDF
    ds["resources"][0].update(format="CSV")
    score = score_metadata(ds, shacl_conforms=True)
    assert _ind(score, "interoperability", "non_proprietary")["points"] == 20
    assert _ind(score, "interoperability", "machine_readable")["points"] == 20


def test_shacl_result_and_fallback() -> None:
    ds = full_dataset()
    assert _ind(score_metadata(ds, shacl_conforms=False, shacl_report="dct:publisher manquant"),
                "interoperability", "dcat_ap")["points"] == 0
    fallback = _ind(score_metadata(ds), "interoperability", "dcat_ap")
    assert fallback["points"] == 30 and "contrôle simplifié" in fallback["reason"]
    ds["theme"] = ["Environnement"]
    fallback = _ind(score_metadata(ds), "interoperability", "dcat_ap")
    assert fallback["points"] == 0 and "thème hors vocabulaire" in fallback["reason"]


def test_reusability_vocabularies() -> None:
    ds = full_dataset()
    ds.update(license_id="other", license_url="https://example.org/ma-licence",
              access_rights="Accès libre")
    score = score_metadata(ds, shacl_conforms=True)
    assert _ind(score, "reusability", "licence")["points"] == 20
    assert _ind(score, "reusability", "licence_vocabulary")["points"] == 0
    assert _ind(score, "reusability", "access_rights")["points"] == 10
    assert _ind(score, "reusability", "access_rights_vocabulary")["points"] == 0
    ds.update(license_id="odc-odbl")
    assert "ODC_BL" in _ind(score_metadata(ds), "reusability", "licence_vocabulary")["reason"]
    ds.update(license_id="", contact_email="", contact_url="", organization={})
    score = score_metadata(ds)
    assert _ind(score, "reusability", "licence")["points"] == 0
    assert _ind(score, "reusability", "contact_point")["points"] == 0
    assert _ind(score, "reusability", "publisher")["points"] == 0


def test_contextuality_pro_rata() -> None:
    ds = full_dataset()
    ds["resources"][1]["size"] = None
    ds.pop("license_url")
    score = score_metadata(ds, shacl_conforms=True)
    assert _ind(score, "contextuality", "byte_size")["points"] == 2.5
    assert _ind(score, "contextuality", "rights")["points"] == 0
    ds["resources"][0]["rights"] = "Licence Ouverte 2.0"
    assert _ind(score_metadata(ds), "contextuality", "rights")["points"] == 2.5


@pytest.mark.parametrize("field", ["tags", "theme", "territories"])
def test_findability_fields(field: str) -> None:
    ds = full_dataset()
    ds[field] = []
    score = score_metadata(ds, shacl_conforms=True)
    assert _dim(score, "findability")["points"] in (70, 80)


def test_temporal_either_bound() -> None:
    ds = full_dataset()
    ds.update(temporal_start="", temporal_end="")
    assert _ind(score_metadata(ds), "findability", "temporal")["points"] == 0
    ds.update(temporal_end="2024-12-31")
    assert _ind(score_metadata(ds), "findability", "temporal")["points"] == 20


def test_availability_keyed_by_resource_id() -> None:
    ds = full_dataset()
    for i, res in enumerate(ds["resources"]):
        res["id"] = f"res-{i}"
    score = score_metadata(ds, availability={"res-0": True, "res-1": False}, shacl_conforms=True)
    assert _ind(score, "accessibility", "access_url")["points"] == 25
    assert _ind(score, "accessibility", "download_url_ok")["points"] == 15


def test_a_licence_not_specified_scores_as_no_licence() -> None:
    """A harvested record that states no licence is imported with « licence non précisée »: the score shows
    it as missing."""
    ds = full_dataset()
    ds.update(license_id="notspecified", license_url="")
    score = score_metadata(ds, shacl_conforms=True)
    assert _ind(score, "reusability", "licence")["points"] == 0
    assert _ind(score, "reusability", "licence_vocabulary")["points"] == 0
    ds.update(license_id="lov1")
    assert _ind(score_metadata(ds, shacl_conforms=True), "reusability", "licence")["points"] == 20
