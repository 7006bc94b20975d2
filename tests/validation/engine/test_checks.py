"""The Validata custom checks, one by one, through small publisher schemas."""
from __future__ import annotations

import pytest

from ckanext.grandest.validation.engine import validate_file
from ckanext.grandest.validation.engine.checks import build_check


def _run(write, csv_text: str, fields: list[dict], checks: list[dict]) -> dict:
    schema = {"fields": fields, "custom_checks": checks}
    return validate_file(str(write("t.csv", csv_text)), schema=schema)


def _s(name: str, type_: str = "string") -> dict:
    return {"name": name, "type": type_}


def test_siret_old_and_new_names(write) -> None:
    for name in ("siret", "french-siret-value"):
        report = _run(write, "s\n21670482500019\n21670482500018\n", [_s("s")],
                      [{"name": name, "params": {"column": "s"}}])
        assert report["counts"] == {"french-siret-value": 1}, name


def test_siret_of_a_la_poste_office_follows_la_poste_rule(write) -> None:
    """La Poste's offices (SIREN 356 000 000) have SIRETs that fail the Luhn key: their digit sum is a
    multiple of 5 instead (INSEE's rule, as Validata through python-stdnum). A commune publishing its post
    offices gets no false error; a SIRET that breaks both rules is still flagged."""
    report = _run(write, "s\n35600000049837\n35600000000048\n35600000012345\n", [_s("s")],
                  [{"name": "french-siret-value", "params": {"column": "s"}}])
    assert report["counts"] == {"french-siret-value": 1}
    assert report["errors"][0]["row"] == 4


def test_siren(write) -> None:
    report = _run(write, "s\n216704825\n216704826\n", [_s("s")], [{"name": "french-siren-value", "params": {"column": "s"}}])
    assert report["counts"] == {"french-siren-value": 1}
    assert report["errors"][0]["row"] == 3


@pytest.mark.parametrize(
    ("allow", "value", "ok"),
    [("yes", "2024", True), (None, "2024", False), (None, "2023/2024", True), ("yes", "2024/2024", False),
     ("true", "2024/2020", False), ("yes", "24/25", False)],
)
def test_year_interval(write, allow, value, ok) -> None:
    params = {"column": "y"} | ({"allow-year-only": allow} if allow else {})
    report = _run(write, f"y\n{value}\n", [_s("y")], [{"name": "year-interval-value", "params": params}])
    assert (report["error_count"] == 0) is ok


@pytest.mark.parametrize(("op", "ok"), [("<", False), ("<=", True), ("==", True), (">=", True), (">", False)])
def test_compare_columns_on_integers(write, op, ok) -> None:
    report = _run(write, "a,b\n5,5\n", [_s("a", "integer"), _s("b", "integer")],
                  [{"name": "compare-columns", "params": {"column": "a", "column2": "b", "op": op}}])
    assert (report["error_count"] == 0) is ok


def test_compare_columns_skips_empty_and_compares_dates(write) -> None:
    report = _run(write, "d1,d2\n2024-01-10,2024-01-02\n2024-01-01,\n2024-01-01,2024-02-01\n",
                  [_s("d1", "date"), _s("d2", "date")],
                  [{"name": "compare-columns-value", "params": {"column": "d1", "column2": "d2", "op": "<"}}])
    assert report["counts"] == {"compare-columns-value": 1}
    err = report["errors"][0]
    assert err["row"] == 2 and "inférieur à" in err["message"] and "2024-01-02" in err["message"]


def test_sum_columns(write) -> None:
    report = _run(write, "t,a,b\n3,1,2\n4,1,2\n,1,2\n2.5,1.25,1.25\n",
                  [_s("t", "number"), _s("a", "number"), _s("b", "number")],
                  [{"name": "sum-columns-value", "params": {"column": "t", "columns": ["a", "b"]}}])
    assert report["counts"] == {"sum-columns-value": 1}
    assert report["errors"][0]["row"] == 3


def test_cohesive_columns(write) -> None:
    checks = [{"name": "cohesive-columns-value", "params": {"column": "a", "othercolumns": ["b", "c"]}}]
    report = _run(write, "id,a,b,c\n1,1,2,3\n2,,,\n3,1,,3\n", [_s("id"), _s("a"), _s("b"), _s("c")], checks)
    assert report["counts"] == {"cohesive-columns-value": 1}
    assert "« b »" in report["errors"][0]["fix"]
    missing = _run(write, "a,b\n1,2\n", [_s("a"), _s("b"), _s("c")], checks)
    assert missing["counts"]["cohesive-columns-missing"] == 1
    assert "« c »" in next(e for e in missing["errors"] if e["type"] == "cohesive-columns-missing")["message"]


def test_one_of_required_param_spellings(write) -> None:
    for params in ({"column1": "x", "column2": "y"}, {"column": "x", "column2": "y"}):
        report = _run(write, "id,x,y\n1,1,\n2,,2\n3,,\n", [_s("id"), _s("x"), _s("y")],
                      [{"name": "one-of-required", "params": params}])
        assert report["counts"] == {"one-of-required": 1}
    report = _run(write, "z\n1\n", [_s("x"), _s("y"), _s("z")],
                  [{"name": "one-of-required", "params": {"column1": "x", "column2": "y"}}])
    assert report["counts"]["one-of-required-missing"] == 1


def test_nomenclature_actes(write) -> None:
    rows = ["Urbanisme/Permis", "urbanisme/Permis", "Finances Locales/Budget", "Finances locales / Budget",
            "Urbanisme", "Culture/Musées"]
    report = _run(write, "m\n" + "\n".join(rows) + "\n", [_s("m")],
                  [{"name": "nomenclature-actes", "params": {"column": "m"}}])
    assert report["counts"] == {"nomenclature-actes-value": 3}
    notes = " ".join(e["message"] for e in report["errors"])
    assert "oblique" in notes and "espace" in notes and "Culture" in notes


def test_insee_and_postcode(write) -> None:
    report = _run(write, "c,p\n67482,67000\n2A004,20000\n67999,99999\n", [_s("c"), _s("p")],
                  [{"name": "code-commune-insee", "params": {"column": "c"}},
                   {"name": "code-postal", "params": {"column": "p"}}])
    assert report["counts"] == {"code-commune-insee-value": 1, "code-postal-value": 1}
    assert "08000" in next(e for e in report["errors"] if e["type"] == "code-postal-value")["fix"]


def test_checks_on_missing_columns_are_skipped(write) -> None:
    report = _run(write, "a\n1\n", [_s("a"), _s("s")], [{"name": "siret", "params": {"column": "s"}}])
    assert report["counts"] == {}


def test_build_check_unknown_and_bad_params() -> None:
    assert build_check("no-such-check", {"column": "h"}) is None
    with pytest.raises(KeyError):
        build_check("siret", {})
