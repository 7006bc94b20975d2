"""Reports that agree with themselves and speak French (issue #12, item 5): the summary counts are the detail
counts, every kind counted has its section, no regular expression reaches a commune, an impossible date is
called so, plurals come from the catalog."""
from __future__ import annotations

import re

import pytest

from ckanext.grandest.common.i18n import catalog
from ckanext.grandest.validation.engine import validate_file
from ckanext.grandest.validation.engine.limits import Limits
from ckanext.grandest.validation.engine.messages import is_impossible_date, problem_sections, render_error, translator

from .conftest import DELIB_HEADER, SUBV_HEADER, delib_row, failing_subventions_csv, subv_row, write_csv

# what a regular expression looks like: anchors, classes, quantifiers, escapes
REGEX_LOOK = re.compile(r"\^|\$|\\d|\[0-9\]|\{\d+(,\d*)?\}|\(\?|\\/")


def _texts(report: dict) -> list[str]:
    out = [report["summary"], report["status_label"]]
    for entry in report["errors"] + report["warnings"]:
        out += [entry["title"], entry["message"], entry["fix"]]
    out += [d["title"] for d in report["count_details"]]
    return out


@pytest.fixture
def failing_report(tmp_path) -> dict:
    path = tmp_path / "subventions.csv"
    path.write_bytes(failing_subventions_csv())
    return validate_file(str(path), schema="scdl/subventions")


def test_summary_counts_are_the_detail_counts(failing_report) -> None:
    report = failing_report
    assert report["status"] == "invalid"
    sections = problem_sections(report, "error")
    # one section per kind counted, in the summary's order, with the count of the whole file
    assert [s["type"] for s in sections] == [d["type"] for d in report["count_details"] if d["severity"] == "error"]
    assert {s["type"]: s["count"] for s in sections} == report["counts"]
    assert sum(s["count"] for s in sections) == report["error_count"]
    # every example shown is in the section of its kind, and every section has an anchor of its own
    assert sum(len(s["items"]) for s in sections) == len(report["errors"])
    assert len({s["anchor"] for s in sections}) == len(sections)
    for section in sections:
        assert re.fullmatch(r"problem-[A-Za-z0-9_-]+", section["anchor"])
        assert section["count"] >= len(section["items"])
    # the SIRET checks are counted under their own kind, not under a generic « constraint-error »
    assert "constraint-error" not in report["counts"]


def test_kinds_beyond_the_kept_examples_still_have_their_section(tmp_path) -> None:
    rows = [subv_row(referenceDecision=f"r{i}", idAttribuant="123", dateConvention="2024-02-30",
                     montant="abc") for i in range(30)]
    path = write_csv(tmp_path / "s.csv", SUBV_HEADER, rows)
    report = validate_file(str(path), schema="scdl/subventions",
                           limits=Limits(error_sample_size=3, error_sample_per_type=2))
    assert report["errors_truncated"]
    sections = problem_sections(report, "error")
    assert {s["type"]: s["count"] for s in sections} == report["counts"]
    assert any(not s["items"] for s in sections), "a kind without example kept must still have its section"
    assert sum(s["count"] for s in sections) == report["error_count"]


def test_warnings_are_grouped_by_the_kind_they_are_counted_under(failing_report) -> None:
    sections = problem_sections(failing_report, "warning")
    counted = {d["type"] for d in failing_report["count_details"] if d["severity"] == "warning"}
    assert counted <= {s["type"] for s in sections}
    assert sum(len(s["items"]) for s in sections) == len(failing_report["warnings"])


def test_no_regular_expression_is_shown_to_a_commune(tmp_path) -> None:
    rows = [subv_row(referenceDecision=f"r{i}", datesPeriodeVersement="du 01/03/2024 au 30/06/2024",
                     rnaBeneficiaire="W12") for i in range(3)]
    path = write_csv(tmp_path / "s.csv", SUBV_HEADER, rows)
    report = validate_file(str(path), schema="scdl/subventions")
    periods = [e for e in report["errors"] if e.get("constraint") == "pattern" and e["column"] == "datesPeriodeVersement"]
    assert periods, report["errors"]
    fix = periods[0]["fix"]
    # what is expected, in the schema's own words (its Markdown links reduced to their text), and an example
    assert "Ce qui est attendu, selon le schéma : Si le versement est unique" in fix
    assert "ISO 8601" in fix and "](http" not in fix
    assert "Exemple de valeur correcte : « 2017-03-14/2018-03-14 »." in fix
    rna = [e for e in report["errors"] if e.get("constraint") == "pattern" and e["column"] == "rnaBeneficiaire"]
    assert rna and "la lettre W suivie de 9 chiffres" in rna[0]["fix"]
    for text in _texts(report):
        assert not REGEX_LOOK.search(text), text


def test_a_pattern_without_description_or_example_still_hides_the_expression() -> None:
    raw = {"type": "constraint-error", "rowNumber": 2, "fieldName": "code", "cell": "x",
           "note": 'constraint "pattern" is "^[A-Z]{3}-\\d+$"'}
    entry = render_error(raw, field_types={"code": {"type": "string"}})
    assert not REGEX_LOOK.search(entry["fix"]) and "[A-Z]" not in entry["fix"]
    assert "documentation du schéma" in entry["fix"]
    only_example = render_error(raw, field_types={"code": {"type": "string", "example": "ABC-12"}})
    assert "« ABC-12 »" in only_example["fix"] and "[A-Z]" not in only_example["fix"]


def test_an_impossible_date_is_a_date_that_does_not_exist(tmp_path) -> None:
    rows = [
        delib_row(DELIB_ID="1", DELIB_DATE="2024-02-30"),   # written right, no such day
        delib_row(DELIB_ID="2", DELIB_DATE="31/01/2024"),   # wrong format
        delib_row(DELIB_ID="3", DELIB_DATE="2023-02-29"),   # not a leap year
    ]
    path = write_csv(tmp_path / "delib.csv", DELIB_HEADER, rows)
    report = validate_file(str(path), schema="scdl/deliberations")
    impossible = [e for e in report["errors"] if e["type"] == "impossible-date"]
    assert [e["value"] for e in impossible] == ["2024-02-30", "2023-02-29"]
    assert impossible[0]["title"] == "Date qui n'existe pas"
    assert impossible[0]["message"] == "Ligne 2, colonne « DELIB_DATE » : « 2024-02-30 » est une date qui n'existe pas."
    assert "AAAA-MM-JJ" not in impossible[0]["message"] and "février compte 28 jours" in impossible[0]["fix"]
    assert report["counts"]["impossible-date"] == 2
    wrong_format = [e for e in report["errors"] if e["type"] == "type-error"]
    assert [e["value"] for e in wrong_format] == ["31/01/2024"]
    assert "n'est pas une date au format AAAA-MM-JJ" in wrong_format[0]["message"]


def test_the_failing_subventions_file_reports_its_impossible_dates(failing_report) -> None:
    impossible = [e for e in failing_report["errors"] if e["type"] == "impossible-date"]
    assert impossible and impossible[0]["column"] == "dateConvention"
    assert "une date qui n'existe pas" in impossible[0]["message"]
    assert not any("2024-02-30" == e["value"] and e["type"] == "type-error" for e in failing_report["errors"])


@pytest.mark.parametrize("value, ftype, fformat, expected", [
    ("2024-02-30", "date", "default", True),
    ("2024-02-29", "date", "default", False),
    ("2024-04-31", "date", "any", True),
    ("2024-13-01", "date", "default", True),
    ("31/01/2024", "date", "default", False),
    ("30/02/2024", "date", "%d/%m/%Y", True),
    ("28/02/2024", "date", "%d/%m/%Y", False),
    ("2024-02-30", "date", "%d/%m/%Y", False),
    ("2023-02-29T10:00:00", "datetime", "default", True),
    ("2024-02-30", "string", "default", False),
])
def test_impossible_dates(value, ftype, fformat, expected) -> None:
    assert is_impossible_date(value, ftype, fformat) is expected


def test_plurals_of_the_summary_go_through_the_catalog(tmp_path) -> None:
    calls: list[tuple[str, str, int]] = []
    french = catalog("validation", "fr")

    def ngettext(singular: str, plural: str, n: int) -> str:
        calls.append((singular, plural, n))
        return french.ngettext(singular, plural, n)

    rows = [delib_row(DELIB_ID="1", COLL_SIRET="21670482500018")]
    path = write_csv(tmp_path / "delib.csv", DELIB_HEADER, rows)
    with translator.using(french.gettext, ngettext):
        report = validate_file(str(path), schema="scdl/deliberations")
    assert report["summary"] == "1 ligne de données vérifiées : 1 erreur à corriger (sur 1 ligne)."
    # the English msgids of the plurals (issue #16: msgids are English, French is in the catalog)
    assert ("{n} data row", "{n} data rows", 1) in calls
    assert ("{lines} checked: {errors} error to fix", "{lines} checked: {errors} errors to fix", 1) in calls
