"""The columnar fast path (engine/fastpath/, issue #15) reports exactly what the frictionless path reports.

Every file below is validated twice — ``Limits(fast_path=True)`` and ``Limits(fast_path=False)`` (the reference:
frictionless reads every row) — and the two reports must hold the same set of (row, field, error type), the
same counts by type, the same status and the same table counters. The corpus: the suite's own files (valid and
invalid délibérations and subventions, the latin-1 spreadsheet export, structure errors, the demo content),
hostile text (stray quotes, short and long rows, blank lines, lone CR, NUL, BOM, cp1252), and for **each
national Table Schema shipped** in ``schemas/table-schemas/`` a file built from its fields' examples where every
field is also given a series of wrong, borderline and hostile values, one per row.
"""
from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from ckanext.grandest.validation.engine import Limits, validate_file
from ckanext.grandest.validation.engine import fastpath
from ckanext.grandest.validation.engine.fastpath.plan import translate_pattern
from ckanext.grandest.validation.engine.checks import advisory_checks, checks_from_schema

from .conftest import (
    DELIB_HEADER,
    SIRET_OK_2,
    SIRET_STRASBOURG,
    SUBV_HEADER,
    delib_row,
    failing_subventions_csv,
    subv_row,
)

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_DIR = ROOT / "schemas" / "table-schemas"
DEMO = json.loads((ROOT / "dev" / "demo.json").read_text(encoding="utf-8"))
# every finding in the sample: the comparison is on all of them, not on the first 200
WIDE = {"error_sample_size": 1_000_000, "error_sample_per_type": 1_000_000}


def _csv(header: list[str], rows: list[Any], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return buf.getvalue().encode(encoding)


# -------------------------------------------------------------------------------------------------------
# Corpus
# -------------------------------------------------------------------------------------------------------

# mutations given to every field of a national schema (one per row)
MUTATIONS = [
    "", " ", "abc", "12", "-3", "0", "007", "1.5", "1,5", "1e3", " 42", "42 ", "+7", "99999999999999999999",
    "2024-02-30", "2024-1-5", "0000-01-01", "2024-13-01", "2024", "24", "2024/2025", "true", "oui", "FALSE",
    "21670482500019", "21670482500018", "216704825", "67482", "2A004", "97411", "Mo-Fr 08:00-12:00", "8h30",
    "https://example.org/a", "http://x", "ftp//nope", "a@b.fr", "é" * 3, "e\u0301", "x" * 300, "１２", "٣",
    "a,b", 'a"b', "a;b", "\tx", "7.5", "1.1.1", "2024-001", "[2.35, 48.85]", "Oui", "2", "10000000",
]


def _example(field: dict[str, Any]) -> str:
    example = field.get("example")
    if isinstance(example, (str, int, float)) and not isinstance(example, bool):
        return str(example)
    enum = (field.get("constraints") or {}).get("enum")
    if enum:
        return str(enum[0])
    return {"integer": "1", "number": "1.5", "boolean": "true", "date": "2024-01-15", "year": "2024",
            "datetime": "2024-01-15T10:00:00Z"}.get(field.get("type", "string"), "texte")


def national_file(schema_path: Path) -> bytes:
    fields = json.loads(schema_path.read_text(encoding="utf-8"))["fields"]
    header = [f["name"] for f in fields]
    base = {f["name"]: _example(f) for f in fields}
    rows = [dict(base) for _ in range(5)]  # clean rows (duplicates for `unique`)
    for field in fields:
        for value in MUTATIONS:
            rows.append({**base, field["name"]: value})
    rows.append({name: "" for name in header})  # a blank row
    return _csv(header, rows)


def _delib_invalid() -> bytes:
    rows = [delib_row(), delib_row(COLL_SIRET="21670482500018"), delib_row(VOTE_POUR="41"),
            delib_row(DELIB_DATE="2024-02-30"), delib_row(BUDGET_ANNEE="24"), delib_row(COLL_NOM="")]
    return _csv(DELIB_HEADER, rows)


def _subventions(n: int = 40) -> bytes:
    rows = []
    for i in range(n):
        over: dict[str, Any] = {"referenceDecision": f"2024-{i}"}
        if i % 7 == 3:
            over["idBeneficiaire"] = "12345678901234"
        if i % 11 == 5:
            over.update(idBeneficiaire="", rnaBeneficiaire="")
        if i % 13 == 4:
            over["montant"] = "1500,50"
        if i % 9 == 2:
            over["idAttribuant"] = SIRET_OK_2
        rows.append(subv_row(**over))
    return _csv(SUBV_HEADER, rows)


def _subventions_publisher_schema() -> dict[str, Any]:
    descriptor = json.loads((SCHEMA_DIR / "scdl_subventions.json").read_text(encoding="utf-8"))
    descriptor["fields"][3].setdefault("constraints", {})["unique"] = True  # referenceDecision
    return descriptor


def _subventions_no_missing_values() -> dict[str, Any]:
    descriptor = json.loads((SCHEMA_DIR / "scdl_subventions.json").read_text(encoding="utf-8"))
    descriptor["missingValues"] = ["NA"]  # an empty text is then a value, "NA" the missing one
    return descriptor


SMALL_SCHEMA = {"fields": [
    {"name": "id", "type": "integer", "constraints": {"required": True, "minimum": 1, "maximum": 100}},
    {"name": "code", "type": "string", "constraints": {"pattern": "\\d{5}", "unique": True}},
    {"name": "montant", "type": "number", "constraints": {"minimum": 0.5, "maximum": 1000}},
    {"name": "actif", "type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]},
    {"name": "jour", "type": "date"},
    {"name": "nom", "type": "string", "constraints": {"minLength": 2, "maxLength": 5, "enum": ["ab", "abc", "é"]}},
]}
SMALL_HEADER = "id,code,montant,actif,jour,nom\n"
SMALL_ROWS = ("1,67482,0.5,oui,2024-01-15,ab\n2,67482,1000,non,2024-02-29,abc\n3,6748,1000.000001,oui,2023-02-29,é\n"
              "101,x,-1,true,15/01/2024,abcdef\n0,00001,0.4999999999,non,2024-01-15,\n,,,,,\n")

CASES: dict[str, tuple[bytes, Any]] = {
    "delib-valid": (_csv(DELIB_HEADER, [delib_row(DELIB_ID=f"2024-{i:03d}") for i in range(30)]), "scdl/deliberations"),
    "delib-invalid": (_delib_invalid(), "scdl/deliberations"),
    "subventions-mixed": (_subventions(), "scdl/subventions"),
    "subventions-latin1-semicolon": (failing_subventions_csv(12), "scdl/subventions"),
    "subventions-unique-publisher": (_subventions(30) + _subventions(3).split(b"\n", 1)[1], _subventions_publisher_schema()),
    "subventions-missing-values-na": (_subventions(30).replace(b",,", b",NA,", 3), _subventions_no_missing_values()),
    "small-schema": ((SMALL_HEADER + SMALL_ROWS).encode(), SMALL_SCHEMA),
    "small-crlf": ((SMALL_HEADER + SMALL_ROWS).replace("\n", "\r\n").encode(), SMALL_SCHEMA),
    "small-quoted": ((SMALL_HEADER + '"1","67482","0.5","oui","2024-01-15","ab"\n'
                      '2,"6748""2",1,non,2024-01-15,"a,b"\n3,67482,1,"oui",2024-01-15,ab\n').encode(), SMALL_SCHEMA),
    "small-stray-quote": ((SMALL_HEADER + '1,67482,0.5,oui,2024-01-15,a"b\n2,"67"482,1,non,2024-01-15,ab\n').encode(),
                          SMALL_SCHEMA),
    "small-short-and-long-rows": ((SMALL_HEADER + "1,67482,0.5,oui,2024-01-15\n2,67483,1,non,2024-01-15,ab,extra\n"
                                   "3,67484,1,non,2024-01-15,ab\n").encode(), SMALL_SCHEMA),
    "small-blank-line": ((SMALL_HEADER + "1,67482,0.5,oui,2024-01-15,ab\n\n2,67483,1,non,2024-01-15,ab\n").encode(),
                         SMALL_SCHEMA),
    "small-lone-cr": ((SMALL_HEADER + "1,67482,0.5,oui,2024-01-15,ab\r2,67483,1,non,2024-01-15,ab\n").encode(),
                      SMALL_SCHEMA),
    "small-cell-across-lines": ((SMALL_HEADER + '1,67482,0.5,oui,2024-01-15,"a\nb"\n2,67483,1,non,2024-01-15,ab\n')
                                .encode(), SMALL_SCHEMA),
    "small-bom": (b"\xef\xbb\xbf" + (SMALL_HEADER + SMALL_ROWS).encode(), SMALL_SCHEMA),
    "small-cp1252": ((SMALL_HEADER + SMALL_ROWS + "4,67485,1,oui,2024-01-15,é\n").encode("cp1252"), SMALL_SCHEMA),
    "small-tab": ((SMALL_HEADER + SMALL_ROWS).replace(",", "\t").encode(), SMALL_SCHEMA),
    "small-no-final-newline": ((SMALL_HEADER + SMALL_ROWS).rstrip("\n").encode(), SMALL_SCHEMA),
    "small-header-only": (SMALL_HEADER.encode(), SMALL_SCHEMA),
    "small-reordered-columns": (b"code,id,montant,actif,jour,nom\n67482,1,0.5,oui,2024-01-15,ab\n6748,2,1,non,2024-01-15,ab\n",
                                SMALL_SCHEMA),
    "small-missing-column": (b"id,code,montant,actif,jour\n1,67482,0.5,oui,2024-01-15\n", SMALL_SCHEMA),
    "small-misspelt-column": (b"id,code,montant,actif,jour,Nom\n1,67482,0.5,oui,2024-01-15,ab\n", SMALL_SCHEMA),
}
for _i, _dataset in enumerate(DEMO["datasets"]):
    for _j, _res in enumerate(_dataset.get("resources") or []):
        if _res.get("upload_content") and _res.get("schema"):
            CASES[f"demo-{_dataset['name']}-{_j}"] = (_res["upload_content"].encode("utf-8"), _res["schema"])
NATIONAL = sorted(p for p in SCHEMA_DIR.glob("*.json") if "fields" in json.loads(p.read_text(encoding="utf-8")))
for _path in NATIONAL:
    _ref = _path.stem.replace("_", "/", 1)
    CASES[f"national-{_path.stem}"] = (national_file(_path), _ref)


def findings(report: dict[str, Any]) -> set[tuple[Any, Any, str]]:
    return {(e["row"], e["column"], e["type"]) for e in report["errors"] + report["warnings"]}


def both(tmp_path: Path, name: str, content: bytes, schema: Any) -> tuple[dict, dict]:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(content)
    fast = validate_file(str(path), schema=schema, limits=Limits(fast_path=True, **WIDE))
    reference = validate_file(str(path), schema=schema, limits=Limits(fast_path=False, **WIDE))
    return fast, reference


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_reports_the_same_findings(tmp_path, name) -> None:
    content, schema = CASES[name]
    fast, reference = both(tmp_path, name, content, schema)
    assert reference["validation_path"]["path"] == "reference"
    assert findings(fast) == findings(reference), (fast["validation_path"], findings(fast) ^ findings(reference))
    assert fast["counts"] == reference["counts"]
    assert fast["warning_counts"] == reference["warning_counts"]
    assert fast["status"] == reference["status"]
    assert fast["summary"] == reference["summary"]
    assert fast["table"] == reference["table"], fast["validation_path"]
    assert not fast["errors_truncated"]


# the files the fast path must really take (not fall back on): the claim above is not an empty one
FAST_CASES = [
    "subventions-mixed", "subventions-missing-values-na", "subventions-latin1-semicolon", "subventions-unique-publisher",
    "small-schema", "small-crlf", "small-quoted", "small-bom",
    "small-cp1252", "small-tab", "small-no-final-newline", "small-header-only", "small-reordered-columns",
    "national-scdl_budget", "national-scdl_prenoms", "national-scdl_subventions", "national-scdl_catalogue",
    "national-etalab_schema-decp-dpa", "national-etalab_schema-lieux-covoiturage", "demo-subventions-ribeauville-2025-0",
]


@pytest.mark.parametrize("name", FAST_CASES)
def test_fast_path_is_taken_where_it_applies(tmp_path, name) -> None:
    content, schema = CASES[name]
    fast, reference = both(tmp_path, name, content, schema)
    assert fast["validation_path"]["path"] == "fast", fast["validation_path"]
    # only rows it cannot prove clean go to frictionless
    assert fast["validation_path"]["rows_checked_by_reference"] <= max(1, reference["table"]["rows"])
    if reference["error_count"] == 0 and reference["warning_count"] == 0:
        assert fast["validation_path"]["rows_checked_by_reference"] == 0


@pytest.mark.parametrize("name,reason", [
    ("small-blank-line", "blank line"),
    ("small-lone-cr", "lone carriage return"),
    ("small-cell-across-lines", "rows and lines differ"),
    ("small-missing-column", "header"),
    ("small-stray-quote", "polars cannot read"),
    ("national-scdl_deliberations", "custom check cohesive-columns-value"),
    ("national-scdl_menus-collectifs", "type array"),
    ("national-etalab_schema-stationnement-cyclable", "primary or foreign key"),
    ("small-misspelt-column", "header"),
])
def test_fast_path_falls_back_per_file_and_says_why(tmp_path, name, reason) -> None:
    content, schema = CASES[name]
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append  # type: ignore[method-assign]
    # a handler on the logger itself: CKAN's logging config (loaded by other tests) may disable propagation
    logger = logging.getLogger("ckanext.grandest.validation.engine.validate")
    saved = (logger.level, logger.disabled)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.disabled = False
    try:
        fast, _reference = both(tmp_path, name, content, schema)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.disabled = saved[1]
    assert fast["validation_path"]["path"] == "reference"
    assert reason in fast["validation_path"]["reason"]
    assert any("fast path not used" in r.getMessage() and reason in r.getMessage() for r in records)


def test_only_suspicious_rows_reach_frictionless(tmp_path) -> None:
    rows = [subv_row(referenceDecision=f"2024-{i}") for i in range(500)]
    rows[100]["idBeneficiaire"] = "12345678901234"  # wrong Luhn
    rows[400]["montant"] = "beaucoup"
    fast, reference = both(tmp_path, "subv-500", _csv(SUBV_HEADER, rows), "scdl/subventions")
    assert fast["validation_path"] == {"path": "fast", "scan_seconds": fast["validation_path"]["scan_seconds"],
                                       "rows_checked_by_reference": 2}
    assert findings(fast) == findings(reference) == {(102, "idBeneficiaire", "french-siret-value"),
                                                       (402, "montant", "type-error")}
    assert fast["table"]["rows"] == 500 and fast["table"]["rows_with_errors"] == 2


def test_error_budget_falls_back_to_the_reference_counts(tmp_path) -> None:
    rows = [subv_row(idBeneficiaire="12345678901234", referenceDecision=f"r{i}") for i in range(300)]
    path = tmp_path / "many.csv"
    path.write_bytes(_csv(SUBV_HEADER, rows))
    fast = validate_file(str(path), schema="scdl/subventions", limits=Limits(max_errors=100, fast_path=True))
    reference = validate_file(str(path), schema="scdl/subventions", limits=Limits(max_errors=100, fast_path=False))
    assert fast["validation_path"]["path"] == "reference" and "partial" in fast["validation_path"]["reason"]
    assert fast["table"] == reference["table"] and fast["counts"] == reference["counts"]
    assert fast["table"]["partial_reason"] == "error-limit"


def test_custom_checks_run_once_per_distinct_value(tmp_path, monkeypatch) -> None:
    calls: list[str] = []
    real = fastpath._verdicts

    def counting(check, values, cache):
        calls.extend(v for v in values if v not in cache)
        return real(check, values, cache)

    monkeypatch.setattr(fastpath, "_verdicts", counting)
    rows = [subv_row(referenceDecision=f"d{i}", idBeneficiaire=SIRET_STRASBOURG if i % 2 else SIRET_OK_2)
            for i in range(2000)]
    fast, _reference = both(tmp_path, "subv-2000", _csv(SUBV_HEADER, rows), "scdl/subventions")
    assert fast["validation_path"]["path"] == "fast" and fast["status"] == "valid"
    # idAttribuant (one value) and idBeneficiaire (two values): three verdicts for 4,000 cells
    assert sorted(calls) == sorted([SIRET_STRASBOURG, SIRET_STRASBOURG, SIRET_OK_2])


@pytest.mark.parametrize("pattern,accepted,refused", [
    ("\\d{5}", ["67482"], ["6748", "674821", "67482\n"]),
    ("[\\w-]+", ["a-b_9"], ["é", "a b"]),
    ("a|b", ["a", "b"], ["ab"]),
    ("\\.\\-x\\s", [".-x "], [".-x"]),
    ("[\\u00C0-\\u00FFa-z]+\\u002E", ["été."], ["ete", "ÉTÉ."]),
])
def test_pattern_translation_accepts_a_subset_of_python(pattern, accepted, refused) -> None:
    import re

    import polars as pl

    rust = translate_pattern(pattern)
    python = re.compile(f"^{pattern}$")
    values = accepted + refused
    got = pl.Series(values).str.contains(rust).to_list()
    assert got == [True] * len(accepted) + [False] * len(refused)
    for value, ok in zip(values, got, strict=True):
        assert not ok or python.match(value), value  # accepted by polars => accepted by frictionless


@pytest.mark.parametrize("pattern", ["(?i)abc", "(?=a)b", "(a)\\1", "\\bmot\\b", "\\W+", "\\S+", "[[a]]", "\\p{L}",
                                     "a{,3}", "[]a]"])
def test_pattern_constructs_it_cannot_prove_are_left_to_frictionless(pattern) -> None:
    with pytest.raises(fastpath.Unsupported):
        translate_pattern(pattern)


@pytest.mark.parametrize("path", NATIONAL, ids=lambda p: p.stem)
def test_every_national_schema_is_either_translated_or_refused_with_a_reason(path) -> None:
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    custom, _unsupported = checks_from_schema(descriptor)
    custom += advisory_checks(path.stem.replace("_", "/", 1))
    try:
        columns, _pairs = fastpath.build_plan(descriptor, custom)
    except fastpath.Unsupported as exc:
        assert str(exc)
    else:
        assert [c.name for c in columns] == [f["name"] for f in descriptor["fields"]]


def test_a_crash_of_the_fast_path_costs_nothing(tmp_path, monkeypatch) -> None:
    class PanicException(BaseException):  # what pyo3 raises when polars panics
        pass

    def panic(*args, **kwargs):
        raise PanicException("boom")

    content, schema = CASES["subventions-mixed"]
    _fast, reference = both(tmp_path, "ref", content, schema)
    monkeypatch.setattr(fastpath, "prepare", panic)
    path = tmp_path / "panic.csv"
    path.write_bytes(content)
    report = validate_file(str(path), schema=schema, limits=Limits(fast_path=True, **WIDE))
    assert report["validation_path"] == {"path": "reference", "reason": "fast path failed: PanicException"}
    assert findings(report) == findings(reference) and report["table"] == reference["table"]
