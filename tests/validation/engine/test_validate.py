"""Validation against national Table Schemas (SCDL) with the French custom checks, and report shape."""
from __future__ import annotations

import json

import pytest

from ckanext.grandest.validation.engine import validate_file
from ckanext.grandest.validation.engine.limits import Limits

from .conftest import DELIB_HEADER, SIRET_STRASBOURG, SUBV_HEADER, delib_row, subv_row, write_csv


def _errors(report: dict, type_: str) -> list[dict]:
    return [e for e in report["errors"] if e["type"] == type_]


def test_valid_deliberations(tmp_path) -> None:
    rows = [delib_row(DELIB_ID=f"2024-{i:03d}") for i in range(1, 21)]
    rows.append(delib_row(BUDGET_ANNEE="", BUDGET_NOM="", PREF_DATE="", VOTE_REEL="", VOTE_POUR="", VOTE_CONTRE="",
                          VOTE_ABSTENTION="", VOTE_EFFECTIF=""))
    path = write_csv(tmp_path / "delib.csv", DELIB_HEADER, rows)
    report = validate_file(str(path), schema="scdl/deliberations")
    assert report["status"] == "valid", report["errors"]
    assert report["status_label"] == "Conforme au schéma"
    assert "conforme au schéma « Délibérations »" in report["summary"]
    assert report["error_count"] == 0
    assert report["schema"]["source"] == "national"
    assert report["schema"]["version"] == "2.1.5" and report["schema"]["is_latest"]
    assert report["table"]["rows"] == 21
    assert report["table"]["valid_row_share"] == 1.0
    json.dumps(report)  # JSON-serialisable


def test_invalid_deliberations_bad_siret_sum_and_date(tmp_path) -> None:
    rows = [
        delib_row(),
        delib_row(DELIB_ID="2", COLL_SIRET="21670482500018"),                  # bad Luhn
        delib_row(DELIB_ID="3", VOTE_ABSTENTION="5"),                          # 40+3+5 != 45
        delib_row(DELIB_ID="4", DELIB_DATE="31/01/2024"),                      # French date
        delib_row(DELIB_ID="5", PREF_DATE="2023-12-01"),                       # before DELIB_DATE
        delib_row(DELIB_ID="6", DELIB_MATIERE_NOM="Finances/Subventions"),     # not in nomenclature
        delib_row(DELIB_ID="7", BUDGET_ANNEE="2024/2023"),                     # reversed interval
        delib_row(DELIB_ID="8", BUDGET_NOM=""),                                # cohesive BUDGET_*
        delib_row(DELIB_ID="9", COLL_NOM=""),                                  # required
        delib_row(DELIB_ID="10", DELIB_MATIERE_CODE="75"),                     # pattern
    ]
    path = write_csv(tmp_path / "delib.csv", DELIB_HEADER, rows)
    report = validate_file(str(path), schema="scdl/deliberations")
    assert report["status"] == "invalid"
    counts = report["counts"]
    assert counts["french-siret-value"] == 1
    assert counts["sum-columns-value"] == 1
    assert counts["type-error"] == 1
    assert counts["compare-columns-value"] == 1
    assert counts["nomenclature-actes-value"] == 1
    assert counts["year-interval-value"] == 1
    assert counts["cohesive-columns-value"] == 1
    assert counts["required"] == 1
    assert counts["pattern"] == 1
    assert report["table"]["rows_with_errors"] == 9
    assert report["table"]["valid_row_share"] == pytest.approx(0.1)

    siret = _errors(report, "french-siret-value")[0]
    assert siret["row"] == 3 and siret["column"] == "COLL_SIRET" and siret["value"] == "21670482500018"
    assert siret["title"] == "Numéro SIRET invalide"
    assert siret["message"] == "Ligne 3, colonne « COLL_SIRET » : « 21670482500018 » n'est pas un numéro SIRET valide."
    assert "14 chiffres" in siret["fix"] and "annuaire-entreprises" in siret["fix"]

    total = _errors(report, "sum-columns-value")[0]
    assert total["row"] == 4
    assert "vaut 45" in total["message"] and "fait 48" in total["message"]

    date = _errors(report, "type-error")[0]
    assert date["row"] == 5 and date["value"] == "31/01/2024"
    assert "n'est pas une date au format AAAA-MM-JJ" in date["message"]
    assert "2024-03-31" in date["fix"]

    compare = _errors(report, "compare-columns-value")[0]
    assert "supérieur ou égal à" in compare["message"] and "PREF_DATE" in compare["message"]

    nomenclature = _errors(report, "nomenclature-actes-value")[0]
    assert "Finances/Subventions" in nomenclature["message"] and "Finances locales" in nomenclature["fix"]

    interval = _errors(report, "year-interval-value")[0]
    assert "postérieure" in interval["message"]

    cohesive = _errors(report, "cohesive-columns-value")[0]
    assert "« BUDGET_NOM »" in cohesive["fix"]

    required = next(e for e in report["errors"] if e.get("constraint") == "required")
    assert required["title"] == "Case obligatoire vide"
    assert required["fix"] == "Remplissez la colonne « COLL_NOM » sur la ligne 10."

    pattern = next(e for e in report["errors"] if e.get("constraint") == "pattern")
    assert "7.5" in pattern["fix"]

    titles = {d["type"]: d["title"] for d in report["count_details"]}
    assert titles["sum-columns-value"] == "Total incorrect"
    assert "10 lignes de données vérifiées : 9 erreurs à corriger (sur 9 lignes)." == report["summary"]


def test_subventions_one_of_required(tmp_path) -> None:
    rows = [
        subv_row(),
        subv_row(idBeneficiaire="", rnaBeneficiaire="W671234567"),
        subv_row(idBeneficiaire="", rnaBeneficiaire=""),                # neither: error
        subv_row(notificationUE="false"),                               # boolean uses oui/non
        subv_row(pourcentageSubvention="50"),                           # > 1
        subv_row(nature="subvention"),                                  # enum
    ]
    path = write_csv(tmp_path / "subv.csv", SUBV_HEADER, rows)
    report = validate_file(str(path), schema="scdl/subventions")
    assert report["status"] == "invalid"
    assert report["counts"]["one-of-required"] == 1
    one = _errors(report, "one-of-required")[0]
    assert one["row"] == 4
    assert "« idBeneficiaire » et « rnaBeneficiaire » sont toutes les deux vides" in one["message"]
    boolean = _errors(report, "type-error")[0]
    assert "« oui »" in boolean["fix"] and "« non »" in boolean["fix"]
    assert report["counts"]["maximum"] == 1
    maximum = next(e for e in report["errors"] if e.get("constraint") == "maximum")
    assert "0,5 et non 50" in maximum["fix"]
    enum = next(e for e in report["errors"] if e.get("constraint") == "enum")
    assert "aide en numéraire" in enum["fix"]


def test_one_of_required_with_one_column_missing(tmp_path) -> None:
    header = [h for h in SUBV_HEADER if h != "rnaBeneficiaire"]
    path = write_csv(tmp_path / "subv.csv", header, [subv_row(), subv_row(idBeneficiaire="")])
    report = validate_file(str(path), schema="scdl/subventions")
    assert report["counts"]["one-of-required"] == 1
    assert "missing-optional-column" in report["warning_counts"]


def test_header_against_schema(tmp_path) -> None:
    header = [h for h in DELIB_HEADER if h not in ("DELIB_OBJET", "PREF_ID")]
    header = ["coll_siret" if h == "COLL_SIRET" else h for h in header] + ["COMMENTAIRE"]
    rows = [dict(delib_row(), coll_siret=SIRET_STRASBOURG, COMMENTAIRE="ok")]
    path = write_csv(tmp_path / "delib.csv", header, rows)
    report = validate_file(str(path), schema="scdl/deliberations")
    assert report["status"] == "invalid"
    assert report["counts"]["missing-required-column"] == 1          # DELIB_OBJET
    assert report["counts"]["incorrect-label"] == 1                  # coll_siret vs COLL_SIRET
    assert report["warning_counts"]["missing-optional-column"] == 1  # PREF_ID
    assert report["warning_counts"]["extra-column"] == 1             # COMMENTAIRE
    missing = _errors(report, "missing-required-column")[0]
    assert "« DELIB_OBJET »" in missing["message"]
    misspelt = _errors(report, "incorrect-label")[0]
    assert "« coll_siret » au lieu de « COLL_SIRET »" in misspelt["message"]
    assert report["table"]["label_errors"] == 2
    assert report["table"]["empty_required_cells"] == 2  # DELIB_OBJET and COLL_SIRET cannot be read
    assert report["table"]["valid_row_share"] == 0.0


def test_reordered_columns_are_accepted(tmp_path) -> None:
    header = list(reversed(DELIB_HEADER))
    path = write_csv(tmp_path / "delib.csv", header, [delib_row()])
    report = validate_file(str(path), schema="scdl/deliberations")
    assert report["status"] == "valid"
    assert "column-order" in report["warning_counts"]


def test_semicolon_french_excel_export_with_schema(tmp_path) -> None:
    path = write_csv(tmp_path / "subv.csv", SUBV_HEADER, [subv_row(montant="1500,50")], delimiter=";",
                     encoding="cp1252")
    report = validate_file(str(path), schema="scdl/subventions")
    assert report["file"]["delimiter"] == ";" and report["file"]["encoding"] == "Windows-1252"
    assert report["file"]["decimal_comma_columns"] == ["montant", "pourcentageSubvention"] or \
        "montant" in report["file"]["decimal_comma_columns"]
    err = _errors(report, "type-error")[0]
    assert err["column"] == "montant" and "point comme séparateur décimal" in err["fix"]


def test_schema_less_run_is_never_valid(tmp_path) -> None:
    rows = [[str(i), "N/A" if i % 20 == 0 else "2024-01-01", "12"] for i in range(200)]
    path = write_csv(tmp_path / "t.csv", ["id", "date", "n"], rows)
    report = validate_file(str(path))
    assert report["status"] == "structure-only"
    assert report["status_label"] == "Structure correcte, sans schéma de référence"
    assert report["schema"] == {"source": "inferred"}
    assert "associez un schéma national" in report["summary"]


def test_structure_errors_without_schema(tmp_path, write) -> None:
    path = write("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n,,\n10,11,12\n")
    report = validate_file(str(path))
    assert report["status"] == "invalid"
    assert report["counts"] == {"missing-cell": 1, "extra-cell": 1, "blank-row": 1}
    assert report["table"]["rows_with_structure_errors"] == 3
    assert report["table"]["structure_row_share"] == pytest.approx(2 / 5)
    extra = _errors(report, "extra-cell")[0]
    assert extra["row"] == 4 and "guillemets" in extra["fix"]


def test_header_problems(write) -> None:
    report = validate_file(str(write("h.csv", "nom,,nom\n1,2,3\n")))
    assert set(report["table"]["header_problems"]) == {"blank-label", "duplicate-label"}
    assert report["table"]["header_ok"] is False
    report = validate_file(str(write("n.csv", "12,2024-01-01,3.5\n13,2024-01-02,4\n")))
    assert "no-header" in report["table"]["header_problems"]


def test_errors_are_counted_beyond_the_sample(tmp_path) -> None:
    rows = [delib_row(DELIB_ID=str(i), COLL_SIRET="123") for i in range(300)]
    path = write_csv(tmp_path / "delib.csv", DELIB_HEADER, rows)
    limits = Limits(error_sample_size=50, error_sample_per_type=10)
    report = validate_file(str(path), schema="scdl/deliberations", limits=limits)
    assert report["counts"]["pattern"] == 300
    assert report["counts"]["french-siret-value"] == 300
    assert len(report["errors"]) == 20  # 10 per type
    assert report["errors_truncated"] is True
    assert report["table"]["rows_with_errors"] == 300
    assert report["table"]["complete"] is True


def test_error_budget_stops_and_marks_partial(tmp_path) -> None:
    rows = [delib_row(DELIB_ID=str(i), COLL_SIRET="123") for i in range(500)]
    path = write_csv(tmp_path / "delib.csv", DELIB_HEADER, rows)
    report = validate_file(str(path), schema="scdl/deliberations", limits=Limits(max_errors=100))
    assert report["table"]["complete"] is False
    assert report["table"]["partial_reason"] == "error-limit"
    assert report["table"]["rows"] == 50
    partial = next(w for w in report["warnings"] if w["type"] == "validation-partial")
    assert "trop d'erreurs" in partial["message"]


def test_unknown_and_outdated_schema(tmp_path) -> None:
    path = write_csv(tmp_path / "delib.csv", DELIB_HEADER, [delib_row()])
    unknown = validate_file(str(path), schema="scdl/nexistepas")
    assert unknown["status"] == "structure-only"
    assert unknown["warnings"][0]["type"] == "unknown-schema"
    assert "scdl/nexistepas" in unknown["warnings"][0]["message"]
    old = validate_file(str(path), schema="scdl/deliberations@2.1.3")
    assert old["status"] == "valid"
    assert old["schema"]["is_latest"] is False and old["schema"]["declared_version"] == "2.1.3"
    warn = next(w for w in old["warnings"] if w["type"] == "outdated-schema-version")
    assert "2.1.3" in warn["message"] and "2.1.5" in warn["message"]
    by_url = validate_file(
        str(path), schema="https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json")
    assert by_url["schema"]["id"] == "scdl/deliberations" and by_url["schema"]["is_latest"]


def test_publisher_schema(write) -> None:
    schema = {
        "fields": [
            {"name": "code", "type": "string", "title": "Code", "constraints": {"required": True}},
            {"name": "places", "type": "integer", "description": "Nombre de places"},
            {"name": "note", "type": "string"},
        ],
        "custom_checks": [{"name": "code-commune-insee", "params": {"column": "code"}}],
    }
    report = validate_file(str(write("p.csv", "code,places,note\n67482,12,\n99999,trois,\n")), schema=schema)
    assert report["schema"]["source"] == "publisher"
    assert report["schema"]["fields_described_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["counts"] == {"type-error": 1, "code-commune-insee-value": 1}
    insee = _errors(report, "code-commune-insee-value")[0]
    assert "n'est pas un code commune INSEE existant" in insee["message"]
    assert "nombre entier" in _errors(report, "type-error")[0]["message"]


def test_unsupported_custom_check_is_reported(write) -> None:
    schema = {"fields": [{"name": "h", "type": "string"}],
              "custom_checks": [{"name": "some-future-check", "params": {"column": "h"}},
                                {"name": "opening-hours-value", "params": {"column": "h"}}]}
    report = validate_file(str(write("h.csv", "h\nMo-Fr 08:00-12:00\n")), schema=schema)
    assert report["status"] == "valid"
    assert report["schema"]["unsupported_checks"] == ["some-future-check"]


def test_advisory_insee_check_is_a_warning(tmp_path) -> None:
    header = ["COMMUNE_NOM", "COLL_INSEE", "ENFANT_SEXE", "ENFANT_PRENOM", "NOMBRE_OCCURRENCES", "ANNEE"]
    rows = [["Sélestat", "67462", "F", "Léa", "5", "2023"], ["Nulle Part", "67999", "M", "Hugo", "3", "2023"]]
    path = write_csv(tmp_path / "prenoms.csv", header, rows)
    report = validate_file(str(path), schema="scdl/prenoms")
    assert report["status"] == "valid"
    assert report["warning_counts"]["code-commune-insee-value"] == 1


def test_xlsx_validated_against_schema(tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SUBV_HEADER)
    ws.append([subv_row()[h] for h in SUBV_HEADER])
    ws.append([subv_row(idAttribuant="12345678901234")[h] for h in SUBV_HEADER])
    path = tmp_path / "subv.xlsx"
    wb.save(path)
    report = validate_file(str(path), schema="scdl/subventions")
    assert report["file"]["kind"] == "xlsx"
    assert report["table"]["rows"] == 2
    assert report["counts"] == {"french-siret-value": 1}


def test_ods_validated(tmp_path) -> None:
    ezodf = pytest.importorskip("ezodf")
    path = tmp_path / "t.ods"
    doc = ezodf.newdoc(doctype="ods", filename=str(path))
    sheet = ezodf.Sheet("Feuille1", size=(3, 2))
    doc.sheets += sheet
    for r, row in enumerate([["nom", "eleves"], ["École", 120], ["Collège", 450]]):
        for c, value in enumerate(row):
            sheet[(r, c)].set_value(value)
    doc.save()
    report = validate_file(str(path))
    assert report["file"]["kind"] == "ods"
    assert report["status"] == "structure-only"
    assert report["table"]["rows"] == 2


def test_content_beats_declared_format(tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.active.append([1, 2])
    path = tmp_path / "vraiment.csv"
    wb.save(path)
    report = validate_file(str(path), declared_format="csv")
    assert report["file"]["kind"] == "xlsx" and report["file"]["declared_format"] == "csv"
    assert report["table"]["rows"] == 1


def test_completeness_counters(write) -> None:
    report = validate_file(str(write("c.csv", "a,b,vide\n1,,\n2,3,\n")))
    table = report["table"]
    assert table["cells"] == 6 and table["empty_cells"] == 3
    assert table["empty_columns"] == ["vide"]


def test_time_budget(tmp_path) -> None:
    rows = [[str(i), "x"] for i in range(5000)]
    path = write_csv(tmp_path / "t.csv", ["a", "b"], rows)
    report = validate_file(str(path), limits=Limits(max_seconds=0.0000001))
    assert report["table"]["partial_reason"] == "time-limit"
    assert report["table"]["rows"] == 1000


def test_unexpected_failure_gives_an_error_report(write, monkeypatch) -> None:
    from ckanext.grandest.validation.engine import validate as validate_mod

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(validate_mod, "_run_rows", boom)
    report = validate_file(str(write("a.csv", "a,b\n1,2\n")))
    assert report["status"] == "error"
    assert report["errors"][0]["type"] == "task-error"
    assert "erreur inattendue" in report["errors"][0]["message"]
    json.dumps(report)


def test_fetched_file_uses_content_type_hint(write) -> None:
    from ckanext.grandest.validation.engine.fetch import FetchResult

    path = write("download", "nom\tville\nÉcole\tSélestat\n")
    fetched = FetchResult(url="https://example.org/export?id=3", ok=True, status=200, path=str(path),
                          content_type="text/tab-separated-values; charset=utf-8", bytes=path.stat().st_size)
    report = validate_file(fetched)
    assert report["file"]["delimiter"] == "\t"
    assert report["source"]["fetch"]["status"] == 200
    assert report["source"]["url"] == "https://example.org/export?id=3"


@pytest.mark.parametrize("schema", [{"fields": []}, {"fields": [{"type": "string"}]}, {"fields": "x"},
                                    {"fields": [{"name": "a", "type": "nope"}]}])
def test_broken_publisher_schema_falls_back_to_structure_only(write, schema) -> None:
    report = validate_file(str(write("a.csv", "a,b\n1,2\n")), schema=schema)
    assert report["status"] == "structure-only"
    assert report["schema"]["source"] == "inferred"
    assert "schema-error" in report["warning_counts"]
