"""Automatic repairs (engine/repair.py): each kind, the ambiguous dates left alone, hostile input refused,
and a messy file that becomes valid against its national schema in one pass."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from ckanext.grandest.validation.engine import validate_file
from ckanext.grandest.validation.engine.limits import Limits
from ckanext.grandest.validation.engine.repair import repair_csv
from tests.validation.engine.conftest import messy_subventions

SIRET_A = "21670482500019"
SIRET_B = "77567227200017"
SCHEMA = {"fields": [
    {"name": "nom", "type": "string"},
    {"name": "montant", "type": "number"},
    {"name": "date_maj", "type": "date"},
    {"name": "ouvert", "type": "boolean", "trueValues": ["true"], "falseValues": ["false"]},
    {"name": "siret", "type": "string"},
    {"name": "code_postal", "type": "string"},
    {"name": "telephone", "type": "string"},
]}


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "in.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def _rows(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _repair(tmp_path: Path, text: str, **kwargs) -> tuple[object, list[list[str]] | None]:
    src = _write(tmp_path, text, kwargs.pop("encoding", "utf-8"))
    out = str(tmp_path / "out.csv")
    result = repair_csv(src, output=out, **kwargs)
    return result, (_rows(out) if result.ok else None)


def test_reencodes_windows_1252_to_utf8(tmp_path):
    result, rows = _repair(tmp_path, "nom,montant\nÉcole Saint-Exupéry,12\n", encoding="cp1252", schema=SCHEMA)
    assert result.counts == {"encoding": 1}
    assert result.source_encoding == "Windows-1252"
    assert rows == [["nom", "montant"], ["École Saint-Exupéry", "12"]]


def test_semicolon_becomes_comma_and_quoting_is_kept(tmp_path):
    result, rows = _repair(tmp_path, 'nom;montant\n"Dupont, Jean";12\n', schema=SCHEMA)
    assert result.counts == {"delimiter": 1}
    assert rows == [["nom", "montant"], ["Dupont, Jean", "12"]]
    assert (tmp_path / "out.csv").read_bytes() == b'nom,montant\r\n"Dupont, Jean",12\r\n'


def test_decimal_comma_only_in_number_columns(tmp_path):
    result, rows = _repair(tmp_path, "nom;montant\n1,5;1 234,50\nA;-0,25\n", schema=SCHEMA)
    assert result.counts["decimal-comma"] == 2
    assert rows[1:] == [["1,5", "1234.50"], ["A", "-0.25"]]  # « nom » is text: left alone
    change = next(c for c in result.changes if c["kind"] == "decimal-comma")
    assert change == {"kind": "decimal-comma", "row": 2, "column": "montant", "before": "1 234,50",
                      "after": "1234.50"}


def test_decimal_comma_without_schema_needs_a_whole_numeric_column(tmp_path):
    result, rows = _repair(tmp_path, "a;b\n1,5;x\n2;3,5\n")
    assert rows[1:] == [["1.5", "x"], ["2", "3,5"]]  # b holds text: nothing guessed
    assert result.counts["decimal-comma"] == 1


def test_french_dates_to_iso(tmp_path):
    text = "date_maj\n31/01/2024\n5 avril 2024\n1er août 2023\nmardi 2 janvier 2024\n30/02/2024\n"
    result, rows = _repair(tmp_path, text, schema=SCHEMA)
    assert [r[0] for r in rows[1:]] == ["2024-01-31", "2024-04-05", "2023-08-01", "2024-01-02", "30/02/2024"]
    assert result.counts == {"french-date": 4}  # 30/02 is not a date: left for the report


def test_ambiguous_dates_are_asked_not_guessed(tmp_path):
    text = "date_maj\n01/02/2024\n03/04/2024\n"
    result, rows = _repair(tmp_path, text, schema=SCHEMA)
    assert rows[1:] == [["01/02/2024"], ["03/04/2024"]]
    assert result.ambiguous_dates == [{"column": "date_maj", "reason": "ambiguous",
                                       "examples": ["01/02/2024", "03/04/2024"]}]
    assert "french-date" not in result.counts

    result, rows = _repair(tmp_path, text, schema=SCHEMA, date_orders={"date_maj": "dmy"})
    assert rows[1:] == [["2024-02-01"], ["2024-04-03"]] and result.ambiguous_dates == []
    result, rows = _repair(tmp_path, text, schema=SCHEMA, date_orders={"date_maj": "mdy"})
    assert rows[1:] == [["2024-01-02"], ["2024-03-04"]]


def test_one_day_above_12_settles_the_order_and_mixed_orders_are_left(tmp_path):
    result, rows = _repair(tmp_path, "date_maj\n01/02/2024\n25/12/2024\n", schema=SCHEMA)
    assert rows[1:] == [["2024-02-01"], ["2024-12-25"]] and not result.ambiguous_dates
    result, rows = _repair(tmp_path, "date_maj\n25/01/2024\n01/25/2024\n", schema=SCHEMA,
                           date_orders={"date_maj": "dmy"})
    assert rows[1:] == [["25/01/2024"], ["01/25/2024"]]
    assert result.ambiguous_dates[0]["reason"] == "mixed"


def test_oui_non_to_the_schemas_boolean_values(tmp_path):
    result, rows = _repair(tmp_path, "ouvert\nOui\nnon\nVRAI\ntrue\npeut-être\n", schema=SCHEMA)
    assert [r[0] for r in rows[1:]] == ["true", "false", "true", "true", "peut-être"]
    assert result.counts == {"boolean": 3}
    custom = {"fields": [{"name": "ouvert", "type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]}]}
    result, rows = _repair(tmp_path, "ouvert\nOui\nNon\n", schema=custom)
    assert [r[0] for r in rows[1:]] == ["oui", "non"]


def test_spaces_removed_in_siret_postcode_phone(tmp_path):
    text = "nom,siret,code_postal,telephone\nA B,216 704 825 00019,67 000,03 88 00 00 00\nC,12 ab,67000,\n"
    result, rows = _repair(tmp_path, text, schema=SCHEMA)
    assert rows[1] == ["A B", SIRET_A, "67000", "0388000000"]
    assert rows[2] == ["C", "12 ab", "67000", ""]  # not a code once compacted: left alone
    assert result.counts == {"code-spaces": 3}


def test_header_case_accents_spaces(tmp_path):
    result, rows = _repair(tmp_path, "Nom,Montant ,Date MAJ,Téléphone\nA,1,2024-01-01,0388000000\n", schema=SCHEMA)
    assert rows[0] == ["nom", "montant", "date_maj", "telephone"]
    assert result.counts == {"header": 4}
    assert {"kind": "header", "row": 1, "column": "date_maj", "before": "Date MAJ", "after": "date_maj"} \
        in result.changes


def test_trailing_empty_rows_and_columns(tmp_path):
    text = "nom,montant,,\nA,1,,\n,,,\nB,2,,\n,,,\n ,,,\n"
    result, rows = _repair(tmp_path, text, schema=SCHEMA)
    assert rows == [["nom", "montant"], ["A", "1"], ["", ""], ["B", "2"]]  # an empty row inside is kept
    assert result.counts == {"empty-columns": 2, "empty-rows": 2}


def test_preview_writes_nothing_and_counts_the_same(tmp_path):
    src = _write(tmp_path, "Nom;montant\nA;1,5\n")
    preview = repair_csv(src, schema=SCHEMA)
    applied = repair_csv(src, schema=SCHEMA, output=str(tmp_path / "out.csv"))
    assert preview.ok and preview.output is None and os.listdir(tmp_path) == ["in.csv", "out.csv"]
    assert preview.counts == applied.counts == {"delimiter": 1, "header": 1, "decimal-comma": 1}


def test_a_clean_file_needs_nothing(tmp_path):
    result, rows = _repair(tmp_path, "nom,montant\nA,1.5\n", schema=SCHEMA)
    assert result.ok and result.change_count == 0 and rows == [["nom", "montant"], ["A", "1.5"]]


@pytest.mark.parametrize("content, code", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, "unsupported-format"),
    (bytes(range(256)) * 40, "binary-file"),
    (b"", "empty-file"),
])
def test_hostile_input_is_refused_and_nothing_written(tmp_path, content, code):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    out = tmp_path / "out.csv"
    result = repair_csv(str(src), output=str(out))
    assert not result.ok and result.refused == code
    assert not out.exists() and src.read_bytes() == content


def test_broken_encoding_is_refused(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes("nom\nÉcole\n".encode() + "Mairie d'Épinal\n".encode("cp1252"))
    result = repair_csv(str(src), output=str(tmp_path / "out.csv"))
    assert result.refused == "broken-encoding" and not (tmp_path / "out.csv").exists()


def test_huge_file_is_refused_before_reading(tmp_path):
    src = _write(tmp_path, "nom\n" + "A\n" * 5000)
    result = repair_csv(src, output=str(tmp_path / "out.csv"), limits=Limits(max_download_bytes=1000))
    assert result.refused == "too-large" and result.refused_params["limit"] == 1000
    assert not (tmp_path / "out.csv").exists()


def test_messy_file_becomes_valid_in_one_pass(tmp_path):
    src = tmp_path / "subventions.csv"
    src.write_bytes(messy_subventions())
    before = validate_file(str(src), name="subventions.csv", schema="scdl/subventions")
    assert before["status"] != "valid"
    out = tmp_path / "repaired.csv"
    result = repair_csv(str(src), schema="scdl/subventions", output=str(out))
    assert result.ok and set(result.counts) == {"encoding", "delimiter", "header", "decimal-comma", "french-date",
                                                "boolean", "code-spaces", "empty-rows", "empty-columns"}
    after = validate_file(str(out), name="repaired.csv", schema="scdl/subventions")
    assert after["status"] == "valid", after["errors"]
    assert src.read_bytes() == messy_subventions()  # the original is untouched


def test_streaming_keeps_a_bounded_sample(tmp_path):
    body = "".join(f"A;{i},5\n" for i in range(5000))
    result, rows = _repair(tmp_path, "nom;montant\n" + body, schema=SCHEMA)
    assert result.counts["decimal-comma"] == 5000 and len(rows) == 5001
    assert len([c for c in result.changes if c["kind"] == "decimal-comma"]) == 10
