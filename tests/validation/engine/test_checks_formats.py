"""The Validata checks that need a format library: ``opening-hours-value`` (OpenStreetMap syntax),
``phone-number-value`` (libphonenumber) and ``french-gps-coordinates`` (frformat's French bounding boxes).

Real CSV files written to disk, validated by the engine with small publisher schemas, then with the national
schema that uses one of them (``etalab/schema-lieux-covoiturage``: ``opening-hours-value`` on ``horaires``).
"""
from __future__ import annotations

import csv
import io

import pytest

from ckanext.grandest.validation.engine import score_resource, validate_file
from ckanext.grandest.validation.engine import checks as checks_module
from ckanext.grandest.validation.engine.checks import build_check, checks_from_schema
from ckanext.grandest.validation.engine.checks.formats import coordinates, in_france_test
from ckanext.grandest.validation.engine.schemas import load_schema


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _run(write, header: list[str], rows: list[list[str]], fields: list[dict], checks: list[dict]) -> dict:
    return validate_file(str(write("t.csv", _csv(header, rows))), schema={"fields": fields, "custom_checks": checks})


def _errors(report: dict, kind: str) -> list[dict]:
    return [e for e in report["errors"] if e["type"] == kind]


# -- opening-hours-value ----------------------------------------------------------------------------------------

OH_CHECK = [{"name": "opening-hours-value", "params": {"column": "horaires"}}]
OH_FIELDS = [{"name": "id", "type": "integer"}, {"name": "horaires", "type": "string"}]


def test_opening_hours_valid_values(write) -> None:
    valid = [
        "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00",
        "24/7",
        "Mo-Su 00:00-24:00; PH off",
        'Mo-Fr 08:00-18:00 || "sur rendez-vous"',
        "Jan-Mar Mo-Fr 09:00-17:00",
        "sunrise-sunset",
    ]
    report = _run(write, ["id", "horaires"], [[str(i), v] for i, v in enumerate(valid)], OH_FIELDS, OH_CHECK)
    assert report["status"] == "valid", report["errors"]
    assert report["counts"] == {}
    assert report["schema"]["unsupported_checks"] == []


def test_opening_hours_invalid_values_with_row_column_and_hint(write) -> None:
    rows = [
        ["1", "Mo-Fr 08:00-18:00"],
        ["2", "lundi-vendredi 8h-18h"],      # French day names
        ["3", "Mo-Fr 8h30-12h00"],           # "h" instead of ":"
        ["4", ""],                           # empty: skipped (the column is optional)
        ["5", "Fermé le dimanche"],          # free text (also a French day name: the first hint wins)
        ["6", "Mo-Fr 08:00-18:00;"],         # trailing semicolon
        ["7", "tous les jours"],             # nothing recognisable
        ["8", "Fermé"],                      # free text
    ]
    report = _run(write, ["id", "horaires"], rows, OH_FIELDS, OH_CHECK)
    assert report["status"] == "invalid"
    assert report["counts"] == {"opening-hours-value": 6}
    found = {e["row"]: e for e in _errors(report, "opening-hours-value")}
    # row numbers count the header as row 1, like validata.fr and spreadsheets
    assert sorted(found) == [3, 4, 6, 7, 8, 9]
    assert all(e["column"] == "horaires" and e["severity"] == "error" for e in found.values())
    assert found[3]["value"] == "lundi-vendredi 8h-18h"
    assert found[3]["title"] == "Horaires d'ouverture mal écrits"
    assert found[3]["message"].startswith("Ligne 3, colonne « horaires » : « lundi-vendredi 8h-18h »")
    assert "Mo, Tu, We" in found[3]["message"]
    assert "08:30 et non 8h30" in found[4]["message"]
    assert "Mo, Tu, We" in found[6]["message"]
    assert "point-virgule en trop" in found[7]["message"]
    assert "syntaxe non reconnue" in found[8]["message"]
    assert "« off »" in found[9]["message"]
    assert "Mo-Fr 08:00-12:00,14:00-18:00" in found[3]["fix"] and "PH off" in found[3]["fix"]
    assert report["table"]["rows_with_errors"] == 6


def test_opening_hours_column_absent_is_skipped(write) -> None:
    report = _run(write, ["id"], [["1"]], OH_FIELDS, OH_CHECK)
    assert "opening-hours-value" not in report["counts"]


# -- phone-number-value ---------------------------------------------------------------------------------------

PHONE_CHECK = [{"name": "phone-number-value", "params": {"column": "tel"}}]
PHONE_FIELDS = [{"name": "id", "type": "integer"}, {"name": "tel", "type": "string"}]


@pytest.mark.parametrize("value", [
    "03 88 60 90 90", "0388609090", "03.88.60.90.90", "06 12 34 56 78", "+33 3 88 60 90 90",
    "0033 3 88 60 90 90", "01 99 00 27 37", "0800 00 00 00",
    "115", "3949",                       # short numbers (French)
    "+49 30 1234567", "+1 202 555 0143",  # international, with the country code
])
def test_phone_number_valid(write, value) -> None:
    report = _run(write, ["id", "tel"], [["1", value]], PHONE_FIELDS, PHONE_CHECK)
    assert report["counts"] == {}, value


@pytest.mark.parametrize("value", [
    "12", "03 88 60 90", "1234567890", "téléphone", "03 88 60 90 90 / 06 12 34 56 78", "+262 12",
])
def test_phone_number_invalid(write, value) -> None:
    report = _run(write, ["id", "tel"], [["1", value]], PHONE_FIELDS, PHONE_CHECK)
    assert report["counts"] == {"phone-number-value": 1}, value
    err = report["errors"][0]
    assert (err["row"], err["column"], err["value"]) == (2, "tel", value)
    assert err["title"] == "Numéro de téléphone invalide"
    assert err["message"] == f"Ligne 2, colonne « tel » : « {value} » n'est pas un numéro de téléphone valide."
    assert "+33 3 88 60 90 90" in err["fix"] and "un seul numéro par case" in err["fix"].lower()


def test_phone_number_empty_cells_and_short_name(write) -> None:
    rows = [["1", ""], ["2", "03 88 60 90 90"], ["3", ""], ["4", "0388"]]
    report = _run(write, ["id", "tel"], rows, PHONE_FIELDS, [{"name": "phone-number", "params": {"column": "tel"}}])
    assert report["counts"] == {"phone-number-value": 1}
    assert report["errors"][0]["row"] == 5


# -- french-gps-coordinates -------------------------------------------------------------------------------------

GPS_CHECK = [{"name": "french-gps-coordinates", "params": {"column": "coordonneesXY"}}]


def _gps_fields(fmt: str = "default", type_: str = "geopoint") -> list[dict]:
    field = {"name": "coordonneesXY", "type": type_}
    if fmt != "default":
        field["format"] = fmt
    return [{"name": "id", "type": "integer"}, field]


def test_gps_in_france_metropole_and_overseas(write) -> None:
    rows = [["1", "7.7521,48.5734"],      # Strasbourg
            ["2", "-0.5792, 44.8378"],    # Bordeaux (space after the comma)
            ["3", "55.4504,-20.8823"],    # Saint-Denis, La Réunion
            ["4", "-61.5340,16.2411"],    # Pointe-à-Pitre, Guadeloupe
            ["5", ""]]                    # empty: skipped
    report = _run(write, ["id", "coordonneesXY"], rows, _gps_fields(), GPS_CHECK)
    assert report["status"] == "valid", report["errors"]


def test_gps_reversed_and_outside(write) -> None:
    rows = [["1", "48.5734,7.7521"],      # Strasbourg, latitude first
            ["2", "13.4050,52.5200"],     # Berlin
            ["3", "7.7521,48.5734"]]
    report = _run(write, ["id", "coordonneesXY"], rows, _gps_fields(), GPS_CHECK)
    assert report["counts"] == {"reversed-french-gps-coordinates": 1, "french-gps-coordinates": 1}
    reversed_, outside = _errors(report, "reversed-french-gps-coordinates")[0], _errors(report, "french-gps-coordinates")[0]
    assert (reversed_["row"], reversed_["column"]) == (2, "coordonneesXY")
    assert reversed_["value"] == "48.5734,7.7521"  # the text of the file, not the cast point
    assert reversed_["title"] == "Coordonnées GPS inversées"
    assert "la latitude semble écrite avant la longitude" in reversed_["message"]
    assert "« 7.7521,48.5734 »" in reversed_["fix"]
    assert (outside["row"], outside["value"]) == (3, "13.4050,52.5200")
    assert outside["title"] == "Coordonnées GPS hors de France"
    assert "lu comme longitude 13.405, latitude 52.52" in outside["message"]
    assert "Lambert 93" in outside["fix"]


def test_gps_array_and_object_formats(write) -> None:
    report = _run(write, ["id", "coordonneesXY"], [["1", "[7.7521, 48.5734]"], ["2", "[48.5734, 7.7521]"]],
                  _gps_fields("array"), GPS_CHECK)
    assert report["counts"] == {"reversed-french-gps-coordinates": 1}
    assert report["errors"][0]["row"] == 3
    report = _run(write, ["id", "coordonneesXY"], [["1", '{"lon": 7.7521, "lat": 48.5734}']],
                  _gps_fields("object"), GPS_CHECK)
    assert report["status"] == "valid", report["errors"]


def test_gps_type_error_is_reported_once(write) -> None:
    """A cell that is not a geopoint is frictionless' type error; the custom check does not add a second one."""
    report = _run(write, ["id", "coordonneesXY"], [["1", "quelque part"]], _gps_fields(), GPS_CHECK)
    assert report["counts"] == {"type-error": 1}


def test_gps_on_a_text_column(write) -> None:
    rows = [["1", "7.7521,48.5734"], ["2", "pas de coordonnées"], ["3", "48.5734,7.7521"]]
    report = _run(write, ["id", "coordonneesXY"], rows, _gps_fields(type_="string"), GPS_CHECK)
    assert report["counts"] == {"french-gps-coordinates": 1, "reversed-french-gps-coordinates": 1}
    unreadable = _errors(report, "french-gps-coordinates")[0]
    assert unreadable["row"] == 3 and "coordonnées illisibles" in unreadable["message"]


def test_coordinates_parsing() -> None:
    assert coordinates("7.5,48.1") == (7.5, 48.1)
    assert coordinates("[7.5, 48.1]") == (7.5, 48.1)
    assert coordinates('{"lat": 48.1, "lon": 7.5}') == (7.5, 48.1)
    assert coordinates({"lon": "7.5", "lat": "48.1"}) == (7.5, 48.1)
    for bad in ("7,5;48,1", "7.5", "[1, 2, 3]", '{"x": 1, "y": 2}', "nan,nan", "a,b", None, 7.5):
        assert coordinates(bad) is None, bad


def test_gps_fast_test_agrees_with_frformat() -> None:
    """The engine tests the rectangles' bounds; frformat builds a shapely point: same answers, borders too."""
    from frformat import CoordonneesGPSFrancaises

    fast = in_france_test()
    points = [(lon / 4, lat / 4) for lon in range(-280, 240, 3) for lat in range(-100, 220, 3)]
    points += [(-5.141277, 45.0), (9.560091, 45.0), (2.0, 41.333571), (2.0, 51.088989), (55.5, -21.0)]
    assert [fast(*p) for p in points] == [CoordonneesGPSFrancaises.is_valid(*p) for p in points]
    assert sum(fast(*p) for p in points) > 100


# -- building the checks -----------------------------------------------------------------------------------------

def test_the_three_checks_are_built_under_both_names() -> None:
    for name in ("opening-hours-value", "opening-hours", "phone-number-value", "phone-number",
                 "french-gps-coordinates"):
        assert build_check(name, {"column": "c"}) is not None, name
    with pytest.raises(KeyError):
        build_check("phone-number-value", {})


def test_a_missing_library_makes_the_check_unavailable_not_a_crash(write, monkeypatch) -> None:
    monkeypatch.setitem(checks_module.REQUIRED_LIBRARIES, "phone-number-value", "no_such_module_for_grandest")
    checks, unsupported = checks_from_schema({"custom_checks": PHONE_CHECK + OH_CHECK})
    assert unsupported == ["phone-number-value"] and len(checks) == 1
    report = _run(write, ["id", "tel"], [["1", "12"]], PHONE_FIELDS, PHONE_CHECK)
    assert report["counts"] == {} and report["schema"]["unsupported_checks"] == ["phone-number-value"]
    assert report["status"] == "valid"


# -- end to end: the national schema "Lieux de covoiturage" -------------------------------------------------------

COVOIT_HEADER = ["id_local", "nom_lieu", "ad_lieu", "com_lieu", "insee", "type", "date_maj", "ouvert", "source",
                 "Xlong", "Ylat", "nbre_pl", "nbre_pmr", "duree", "horaires", "proprio", "lumiere", "comm"]


def _covoit(**overrides: str) -> list[str]:
    row = {"id_local": "67-001", "nom_lieu": "Aire de la Meinau", "ad_lieu": "1 rue de la Plaine des Bouchers",
           "com_lieu": "Strasbourg", "insee": "67482", "type": "Aire de covoiturage", "date_maj": "2024-05-02",
           "ouvert": "true", "source": "216704825", "Xlong": "7.7521", "Ylat": "48.5734", "nbre_pl": "40",
           "nbre_pmr": "2", "duree": "", "horaires": "Mo-Fr 06:00-21:00; Sa 07:00-20:00", "proprio": "Eurométropole",
           "lumiere": "true", "comm": ""}
    row.update(overrides)
    return [row[h] for h in COVOIT_HEADER]


def test_the_national_schema_uses_opening_hours() -> None:
    schema = load_schema("etalab/schema-lieux-covoiturage")
    assert {"name": "opening-hours-value", "params": {"column": "horaires"}} in schema["custom_checks"]


def test_lieux_covoiturage_end_to_end(write) -> None:
    rows = [_covoit(),
            _covoit(id_local="67-002", horaires="24/7"),
            _covoit(id_local="67-003", horaires=""),
            _covoit(id_local="67-004", horaires="du lundi au vendredi de 6h à 21h"),
            _covoit(id_local="67-005", source="216704826")]
    path = write("covoiturage.csv", _csv(COVOIT_HEADER, rows))
    report = validate_file(str(path), schema="etalab/schema-lieux-covoiturage")
    assert report["schema"]["source"] == "national"
    assert report["schema"]["id"] == "etalab/schema-lieux-covoiturage"
    assert "opening-hours-value" in report["schema"]["custom_checks"]
    assert report["schema"]["unsupported_checks"] == []
    every = report["errors"] + report["warnings"]
    assert not [e for e in every if e["type"] == "unsupported-check"]
    assert report["status"] == "invalid"
    assert report["counts"] == {"opening-hours-value": 1, "french-siren-value": 1}
    horaires = _errors(report, "opening-hours-value")[0]
    assert (horaires["row"], horaires["column"]) == (5, "horaires")
    assert "Mo, Tu, We" in horaires["message"]
    assert report["table"]["rows"] == 5 and report["table"]["rows_with_errors"] == 2
    score = score_resource(report, resource={"format": "CSV"})
    conformity = next(c for c in score["components"] if c["key"] == "conformity")
    valid_rows = next(d for d in conformity["details"] if d["key"] == "valid_rows")
    assert valid_rows["points"] == 15  # 25 x 3/5 valid rows

    fixed = validate_file(str(write("ok.csv", _csv(COVOIT_HEADER, rows[:3]))), schema="etalab/schema-lieux-covoiturage")
    assert fixed["status"] == "valid", fixed["errors"]
