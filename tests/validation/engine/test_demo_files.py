"""The demo content's files (dev/demo.json) show the three badges a commune meets (issue #12), each honest:
a good file, a capped file (schema declared, rows failing it) and an unusable one; the dataset holding the
unusable file does not hide it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ckanext.grandest.validation.engine import validate_file
from ckanext.grandest.validation.engine.score import score_dataset_data, score_resource

DEMO = json.loads((Path(__file__).resolve().parents[3] / "dev" / "demo.json").read_text(encoding="utf-8"))
NOW = "2026-06-01T12:00:00"


def _dataset(name: str) -> dict:
    return next(d for d in DEMO["datasets"] if d["name"] == name)


def _score(tmp_path: Path, dataset: dict, resource: dict) -> tuple[dict, dict]:
    path = tmp_path / resource["upload_name"]
    path.write_text(resource["upload_content"], encoding="utf-8")
    report = validate_file(str(path), schema=resource.get("schema"), name=resource["upload_name"],
                           declared_format=resource.get("format"))
    return report, score_resource(report, resource=resource, dataset=dataset, now=NOW)


def test_the_good_file_conforms_and_says_so(tmp_path) -> None:
    dataset = _dataset("subventions-ribeauville-2025")
    report, score = _score(tmp_path, dataset, dataset["resources"][0])
    assert report["status"] == "valid" and report["error_count"] == 0, report["errors"]
    assert report["table"]["valid_row_share"] == 1.0
    assert score["band"] in ("bon", "excellent") and not score.get("cap"), score


def test_the_capped_file_declares_a_schema_its_rows_fail(tmp_path) -> None:
    dataset = _dataset("deliberations-ribeauville")
    resource = dataset["resources"][0]
    report, score = _score(tmp_path, dataset, resource)
    assert resource["schema"] == "scdl/deliberations"
    assert report["status"] == "invalid" and report["table"]["valid_row_share"] < 0.5
    assert score["cap"]["kind"] == "conformity" and score["band"] == "insuffisant"
    assert "plafonné" in score["cap"]["reason"]


def test_the_unusable_file_scores_zero_and_lowers_its_dataset(tmp_path) -> None:
    dataset = _dataset("budget-primitif-schirmeck-2026")
    good, broken = dataset["resources"]
    report, score = _score(tmp_path, dataset, broken)
    assert report["status"] == "rejected" and report["errors"][0]["type"] == "html-file"
    assert score["total"] == 0 and score["band"] == "inutilisable"
    _, good_score = _score(tmp_path, dataset, good)
    assert good_score["band"] in ("bon", "excellent")
    data = score_dataset_data([good_score, score])
    assert data["band"] not in ("bon", "excellent"), data


@pytest.mark.parametrize("dataset", [d for d in DEMO["datasets"]
                                     if any("upload_content" in r for r in d.get("resources", []))],
                         ids=lambda d: d["name"])
def test_every_demo_badge_is_explained(tmp_path, dataset) -> None:
    for resource in dataset["resources"]:
        if "upload_content" not in resource:
            continue
        report, score = _score(tmp_path, dataset, resource)
        if report["status"] in ("invalid", "rejected"):
            assert score.get("cap") and score["cap"]["reason"], (resource["name"], score)
