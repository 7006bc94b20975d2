"""Data score /100: each component on small files written by the tests, non-tabular and dataset views."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ckanext.grandest.validation.engine import score_dataset_data, score_resource, validate_file
from ckanext.grandest.validation.engine.fetch import FetchResult
from ckanext.grandest.validation.engine.limits import Limits
from ckanext.grandest.validation.engine.score.freshness import freshness
from ckanext.grandest.validation.engine.score.points import band

from .conftest import DELIB_HEADER, SIRET_STRASBOURG, delib_row, failing_subventions_csv, write_csv

NOW = datetime(2024, 6, 15, 12, 0)
MONTHLY = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
LONG_NOTES = "Délibérations du conseil municipal de Strasbourg, publiées chaque mois au format SCDL. " * 2


def _dataset(**overrides) -> dict:
    ds = {
        "title": "Délibérations",
        "notes": LONG_NOTES,
        "frequency": MONTHLY,
        "metadata_modified": "2024-06-01T10:00:00",
        "resources": [{"url": "https://data.example/delib.csv", "format": "CSV", "last_modified": "2024-06-01"}],
    }
    ds.update(overrides)
    return ds


def _component(score: dict, key: str) -> dict:
    return next(c for c in score["components"] if c["key"] == key)


def _detail(score: dict, comp: str, key: str) -> dict:
    return next(d for d in _component(score, comp)["details"] if d["key"] == key)


@pytest.fixture
def perfect_report(tmp_path) -> dict:
    rows = [delib_row(DELIB_ID=str(i), PREF_ID="", PREF_DATE="") for i in range(10)]
    return validate_file(str(write_csv(tmp_path / "d.csv", DELIB_HEADER, rows)), schema="scdl/deliberations")


def test_perfect_resource_scores_100(perfect_report) -> None:
    score = score_resource(perfect_report, resource={"format": "CSV"}, dataset=_dataset(), now=NOW)
    assert score["total"] == 100, [(c["key"], c["points"]) for c in score["components"]]
    assert score["band"] == "excellent" and score["band_label"] == "Excellent"
    assert score["kind"] == "tabular" and score["broken"] is False
    assert [c["max"] for c in score["components"]] == [20, 15, 35, 10, 10, 10]
    # PREF_ID/PREF_DATE are optional columns of the schema: empty is not penalised
    assert _detail(score, "completeness", "empty_columns")["points"] == 3


def test_bands() -> None:
    assert band(100)[0] == band(87)[0] == "excellent"
    assert band(86.9)[0] == band(55)[0] == "bon"
    assert band(54)[0] == band(30)[0] == "suffisant"
    assert band(29)[1] == "Insuffisant"


# -- readability ----------------------------------------------------------------------------------------------

def test_readability_latin1(write) -> None:
    report = validate_file(str(write("l.csv", "nom;ville\nÉcole;Sélestat\n".encode("cp1252"))))
    score = score_resource(report, resource={"format": "CSV"}, now=NOW)
    enc = _detail(score, "readability", "encoding")
    assert enc["points"] == 2 and "Windows-1252" in enc["reason"]
    assert _component(score, "readability")["points"] == 17


def test_readability_encoding_break(write) -> None:
    content = "a,b\nÉcole,1\n".encode() + "Châtenois,2\n".encode("cp1252")
    score = score_resource(validate_file(str(write("m.csv", content))), now=NOW)
    assert _detail(score, "readability", "encoding")["points"] == 0
    assert _detail(score, "readability", "parsed")["points"] == 0
    assert _component(score, "readability")["points"] == 10


def test_readability_html_and_empty_are_zero(write) -> None:
    for name, content in (("p.csv", "<!doctype html><html></html>"), ("e.csv", "")):
        report = validate_file(str(write(name, content)))
        score = score_resource(report, resource={"format": "CSV"}, now=NOW)
        assert score["kind"] == "tabular"
        assert _component(score, "readability")["points"] == 0
        assert score["broken"] is True
        # unusable: 0 and a band of its own (an empty file used to keep 10 points for its declared CSV)
        assert score["total"] == 0 and score["band"] == "inutilisable"
        assert score["cap"]["points"] == (0 if name == "p.csv" else 10)


def test_readability_header_problems(write) -> None:
    score = score_resource(validate_file(str(write("h.csv", "nom,,nom\n1,2,3\n"))), now=NOW)
    assert _detail(score, "readability", "header")["points"] == 0
    score = score_resource(validate_file(str(write("d.csv", "nom,nom\n1,2\n"))), now=NOW)
    assert _detail(score, "readability", "header")["points"] == 2.5
    score = score_resource(validate_file(str(write("n.csv", "1,2024-01-01\n2,2024-01-02\n"))), now=NOW)
    assert _detail(score, "readability", "header")["points"] == 0


def test_readability_spreadsheet_encoding(tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["nom", "n"])
    wb.active.append(["École", 1])
    wb.save(tmp_path / "t.xlsx")
    score = score_resource(validate_file(str(tmp_path / "t.xlsx")), now=NOW)
    assert _detail(score, "readability", "encoding")["points"] == 5
    assert _detail(score, "format", "format")["points"] == 5


# -- structure ------------------------------------------------------------------------------------------------

def test_structure_share(write) -> None:
    report = validate_file(str(write("r.csv", "a,b\n1,2\n3\n4,5\n6,7,8\n")))
    score = score_resource(report, now=NOW)
    assert _component(score, "structure")["points"] == pytest.approx(7.5)
    assert "50,0 %" in _detail(score, "structure", "rows")["reason"]


def test_structure_label_penalty(tmp_path) -> None:
    header = [h for h in DELIB_HEADER if h != "DELIB_OBJET"]
    report = validate_file(str(write_csv(tmp_path / "d.csv", header, [delib_row()])), schema="scdl/deliberations")
    score = score_resource(report, now=NOW)
    structure = _component(score, "structure")
    assert structure["points"] == 10 and structure["penalty"]["points"] == 5
    assert _detail(score, "conformity", "valid_rows")["points"] == 0  # a required column cannot be read


# -- conformity -----------------------------------------------------------------------------------------------

def test_conformity_national_half_valid(tmp_path) -> None:
    rows = [delib_row(DELIB_ID="1"), delib_row(DELIB_ID="2", COLL_SIRET="21670482500018")]
    report = validate_file(str(write_csv(tmp_path / "d.csv", DELIB_HEADER, rows)), schema="scdl/deliberations")
    score = score_resource(report, now=NOW)
    assert _component(score, "conformity")["points"] == 22.5
    assert "50,0 %" in _detail(score, "conformity", "valid_rows")["reason"]


def test_conformity_outdated_version(tmp_path) -> None:
    report = validate_file(str(write_csv(tmp_path / "d.csv", DELIB_HEADER, [delib_row()])),
                           schema="scdl/deliberations@2.1.4")
    score = score_resource(report, now=NOW)
    latest = _detail(score, "conformity", "latest")
    assert latest["points"] == 0 and "2.1.4" in latest["reason"] and "2.1.5" in latest["reason"]
    assert _component(score, "conformity")["points"] == 30


def test_conformity_publisher_schema(write) -> None:
    schema = {"fields": [{"name": "a", "type": "integer", "title": "A"}, {"name": "b", "type": "integer"}]}
    report = validate_file(str(write("p.csv", "a,b\n1,2\n3,x\n")), schema=schema)
    score = score_resource(report, now=NOW)
    assert _detail(score, "conformity", "described")["points"] == 5
    assert _detail(score, "conformity", "valid_rows")["points"] == 7.5
    assert _component(score, "conformity")["points"] == 12.5


def test_conformity_inferred_is_zero(write) -> None:
    score = score_resource(validate_file(str(write("i.csv", "a,b\n1,2\n"))), now=NOW)
    conformity = _component(score, "conformity")
    assert conformity["points"] == 0
    assert "aucun schéma" in conformity["details"][0]["reason"]


# -- format ---------------------------------------------------------------------------------------------------

def test_format_points(write, tmp_path) -> None:
    csv_score = score_resource(validate_file(str(write("f.csv", "a\n1\n"))), resource={"format": "CSV"}, now=NOW)
    assert _component(csv_score, "format")["points"] == 10
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["a"])
    wb.active.append([1])
    wb.save(tmp_path / "x.csv")  # an xlsx saved with a .csv name and declared CSV
    xlsx_score = score_resource(validate_file(str(tmp_path / "x.csv")), resource={"format": "CSV"}, now=NOW)
    fmt = _detail(xlsx_score, "format", "format")
    assert fmt["points"] == 5 and "XLSX" in fmt["reason"] and "déclaré CSV" in fmt["reason"]


# -- completeness ---------------------------------------------------------------------------------------------

def test_completeness_required_cells(tmp_path) -> None:
    rows = [delib_row(DELIB_ID=str(i)) for i in range(7)] + [delib_row(DELIB_ID="x", DELIB_OBJET="")]
    report = validate_file(str(write_csv(tmp_path / "d.csv", DELIB_HEADER, rows)), schema="scdl/deliberations")
    score = score_resource(report, now=NOW)
    # 8 rows x 7 required columns = 56 cells, 1 empty
    assert _detail(score, "completeness", "required_cells")["points"] == pytest.approx(7 * 55 / 56, abs=0.05)


def test_completeness_empty_columns_without_schema(write) -> None:
    report = validate_file(str(write("e.csv", "a,b,c,d\n1,,,x\n2,,,y\n")))
    score = score_resource(report, now=NOW)
    assert _detail(score, "completeness", "empty_columns")["points"] == 1.5  # 2 of 4 columns empty
    assert "b, c" in _detail(score, "completeness", "empty_columns")["reason"]
    assert _detail(score, "completeness", "required_cells")["points"] == pytest.approx(7 * 4 / 8)


# -- freshness & documentation --------------------------------------------------------------------------------

def test_freshness_rules() -> None:
    ds = _dataset(resources=[{"last_modified": "2024-05-01T00:00:00"}])
    # monthly = 31 days: next update 2024-06-01, late by 14 days
    assert freshness(ds, now=NOW)["met"] is False
    assert freshness(ds, now=datetime(2024, 6, 1, 23, 0))["met"] is True      # one day of grace
    assert freshness(ds, now=datetime(2024, 6, 2, 1, 0))["met"] is False
    irregular = _dataset(frequency="http://publications.europa.eu/resource/authority/frequency/IRREG")
    assert freshness(irregular, now=NOW) | {} == freshness(irregular, now=NOW)
    assert freshness(irregular, now=NOW)["met"] is True
    unknown = freshness(_dataset(frequency="http://publications.europa.eu/resource/authority/frequency/UNKNOWN"), now=NOW)
    assert unknown["declared"] is False and unknown["met"] is None
    no_res = _dataset(resources=[], metadata_modified=(NOW - timedelta(days=400)).isoformat(),
                      frequency="http://publications.europa.eu/resource/authority/frequency/ANNUAL")
    assert freshness(no_res, now=NOW)["met"] is False


def test_freshness_component(perfect_report) -> None:
    late = _dataset(resources=[{"last_modified": "2024-01-01"}])
    score = score_resource(perfect_report, dataset=late, now=NOW)
    assert _detail(score, "freshness", "frequency_declared")["points"] == 2
    assert _detail(score, "freshness", "frequency_met")["points"] == 0
    bare = score_resource(perfect_report, dataset={"notes": "Trop court."}, now=NOW)
    fresh = _component(bare, "freshness")
    assert fresh["points"] == 2  # only the schema's field descriptions
    assert _detail(bare, "freshness", "description")["points"] == 0


def test_documentation_resource_without_schema(write) -> None:
    report = validate_file(str(write("a.csv", "a\n1\n")))
    ds = _dataset(resources=[{"name": "Dictionnaire des variables", "format": "PDF"}])
    assert _detail(score_resource(report, dataset=ds, now=NOW), "freshness", "documentation")["points"] == 2
    assert _detail(score_resource(report, dataset=_dataset(), now=NOW), "freshness", "documentation")["points"] == 0


# -- non-tabular ----------------------------------------------------------------------------------------------

def test_non_tabular_pdf(write) -> None:
    report = validate_file(str(write("r.pdf", b"%PDF-1.4\n...")))
    score = score_resource(report, resource={"format": "PDF", "description": "Compte rendu du conseil municipal",
                                             "mimetype": "application/pdf", "size": 1200}, now=NOW)
    assert score["kind"] == "non-tabular"
    assert [c["key"] for c in score["components"]] == ["availability", "openness", "metadata"]
    assert _component(score, "availability")["points"] == 40
    assert _component(score, "openness")["points"] == 0
    assert _component(score, "metadata")["points"] == 30
    assert score["total"] == 70 and score["band"] == "bon"


def test_non_tabular_geojson(write) -> None:
    report = validate_file(str(write("g.geojson", '{"type": "FeatureCollection", "features": []}')))
    score = score_resource(report, resource={"format": "GeoJSON"}, now=NOW)
    assert _component(score, "openness")["points"] == 30
    assert _detail(score, "metadata", "format")["points"] == 10


def test_non_tabular_declared_format_contradicts_content(write) -> None:
    report = validate_file(str(write("x.json", '{"type": "FeatureCollection", "features": []}')))
    score = score_resource(report, resource={"format": "ZIP"}, now=NOW)
    assert _detail(score, "metadata", "format")["points"] == 5


def test_broken_link() -> None:
    fetched = FetchResult(url="https://example.org/x.csv", error_code="http-error",
                          error_message="Le serveur a répondu par une erreur (code HTTP 404).", status=404)
    report = validate_file(fetched)
    assert report["status"] == "error" and report["errors"][0]["type"] == "fetch-error"
    tab = score_resource(report, resource={"format": "CSV"}, now=NOW)
    assert tab["broken"] and tab["kind"] == "tabular"
    assert _component(tab, "readability")["points"] == 0
    other = score_resource(report, resource={"format": "PDF"}, now=NOW)
    assert other["kind"] == "non-tabular" and _component(other, "availability")["points"] == 0
    assert "404" in _detail(other, "availability", "available")["reason"]


def test_unchecked_resource() -> None:
    score = score_resource(None, resource={"format": "PDF"}, availability=True, now=NOW)
    assert _component(score, "availability")["points"] == 40
    unknown = score_resource(None, resource={"format": "PDF"}, now=NOW)
    assert "non vérifiée" in _detail(unknown, "availability", "available")["reason"]


def test_dataset_data_score(perfect_report, write) -> None:
    pdf = score_resource(validate_file(str(write("r.pdf", b"%PDF-1.4\n"))), resource={"format": "PDF"}, now=NOW)
    good = score_resource(perfect_report, resource={"format": "CSV"}, dataset=_dataset(), now=NOW)
    broken = score_resource(validate_file(FetchResult(url="u", error_code="http-error", error_message="x")),
                            resource={"format": "CSV"}, now=NOW)
    agg = score_dataset_data([pdf, broken, good])
    # used to be 100 (the best file); the dead link is unusable: it counts and caps the dataset at « Insuffisant »
    assert broken["band"] == "inutilisable"
    assert agg["total"] == 29 and agg["band"] == "insuffisant" and agg["kind"] == "tabular"
    assert agg["mean"] == 50.0 and agg["cap"]["kind"] == "worst-file" and agg["worst_index"] == 1
    assert [(c["counted"], c["worst"]) for c in agg["contributions"]] == [(False, False), (True, True), (True, False)]
    assert agg["has_broken"] and agg["broken_resources"] == 1
    # a documentation PDF next to a good table does not lower it
    assert score_dataset_data([pdf, good])["total"] == 100
    only_pdf = score_dataset_data([pdf])
    assert only_pdf["total"] == pdf["total"] and only_pdf["kind"] == "non-tabular"
    assert score_dataset_data([broken])["band"] == "inutilisable" and score_dataset_data([broken])["total"] == 0
    assert score_dataset_data([])["total"] == 0


# -- refused files score like broken ones -------------------------------------------------------------------------

def _zip_bomb(tmp_path) -> str:
    import zipfile

    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.csv", b"a,b\n" + b"0" * (8 * 1024 * 1024))
    return str(path)


def _gzip_too_large(tmp_path) -> str:
    import gzip

    path = tmp_path / "big.csv.gz"
    with gzip.open(path, "wb", compresslevel=1) as gz:
        for i in range(150_000):  # ~5 MB of varied rows: over the 2 MiB cap, ratio far below a bomb's
            gz.write(f"{i},{i * 7919 % 100003},{i * 104729 % 1000003}-{hex(i * 2654435761 % 2**32)}\n".encode())
    return str(path)


def _long_line(tmp_path) -> str:
    path = tmp_path / "long.csv"
    path.write_bytes(b"a,b\n1," + b"x" * (3 * 1024 * 1024) + b"\n")
    return str(path)


REFUSE = Limits(max_decompressed_bytes=2 * 1024 * 1024, ratio_min_bytes=256 * 1024, max_compression_ratio=100,
                max_line_bytes=1024 * 1024)
DESCRIBED = {"description": "Archive des données de la commune", "mimetype": "application/zip", "size": 12_000}


@pytest.mark.parametrize(("make", "code"), [(_zip_bomb, "zip-bomb"), (_gzip_too_large, "decompressed-too-large"),
                                            (_long_line, "line-too-long")])
def test_refused_file_gets_no_availability_points(tmp_path, make, code) -> None:
    report = validate_file(make(tmp_path), limits=REFUSE)
    assert report["status"] == "rejected" and report["errors"][0]["type"] == code
    title = report["errors"][0]["title"]
    # without a declared format (the refused zip bomb used to score 75/100 here)
    score = score_resource(report, resource=dict(DESCRIBED), now=NOW)
    assert score["broken"] is True
    if score["kind"] == "non-tabular":
        available = _detail(score, "availability", "available")
        assert available["points"] == 0 and title in available["reason"] and "refusé" in available["reason"]
    else:
        assert _detail(score, "readability", "fetched")["points"] == 0
    assert score["total"] == 0 and score["band"] == "inutilisable" and title in score["cap"]["reason"]
    # declared as a table: no "file fetched and readable" point either
    tab = score_resource(report, resource={"format": "CSV"}, now=NOW)
    assert tab["kind"] == "tabular" and tab["broken"] is True
    fetched = _detail(tab, "readability", "fetched")
    assert fetched["points"] == 0 and title in fetched["reason"]
    assert _component(tab, "readability")["points"] == 0


def test_refused_zip_bomb_scores_like_a_broken_link(tmp_path, no_external_connect) -> None:
    from ckanext.grandest.validation.engine import validate_url

    bomb = validate_file(_zip_bomb(tmp_path), limits=REFUSE)
    hostile = validate_url("http://10.1.2.3/donnees.zip")  # private address: refused before any connection
    assert hostile["status"] == "error" and hostile["errors"][0]["code"] == "forbidden-address"
    assert no_external_connect == []
    dead = validate_file(FetchResult(url="https://data.example/donnees.zip", error_code="http-error",
                                     error_message="Le serveur a répondu par une erreur (code HTTP 404).", status=404))
    resource = {"format": "ZIP", **DESCRIBED}
    scores = [score_resource(r, resource=dict(resource), now=NOW) for r in (bomb, hostile, dead)]
    assert [s["kind"] for s in scores] == ["non-tabular"] * 3
    assert [_component(s, "availability")["points"] for s in scores] == [0, 0, 0]
    assert [s["broken"] for s in scores] == [True, True, True]
    # unusable: 0, « Inutilisable » (openness 15 + metadata 30 used to give them 45)
    assert [s["total"] for s in scores] == [0, 0, 0] and [s["cap"]["points"] for s in scores] == [45, 45, 45]
    assert {s["band"] for s in scores} == {"inutilisable"}
    assert "Archive suspecte" in _detail(scores[0], "availability", "available")["reason"]
    agg = score_dataset_data(scores[:1])
    assert agg["has_broken"] and agg["broken_resources"] == 1


def test_not_tabular_files_are_not_refused(write) -> None:
    """A PDF or a GeoJSON is legitimate, just not a table: it keeps its availability points."""
    report = validate_file(str(write("carte.geojson", '{"type": "FeatureCollection", "features": []}')))
    assert report["status"] == "not-tabular"
    score = score_resource(report, resource={"format": "GeoJSON"}, now=NOW)
    assert score["broken"] is False and _component(score, "availability")["points"] == 40


# -- caps: conformity gates the band, unusable files score 0 (issue #12) -------------------------------------------

IRREGULAR = "http://publications.europa.eu/resource/authority/frequency/IRREG"


def _failing_subventions(tmp_path) -> dict:
    """The SCDL « Subventions » file a commune published: latin-1, ``;``, decimal commas, bad SIRETs, impossible
    dates — no row conforms. It scored 72/100 « Bon » before the caps."""
    path = tmp_path / "subventions.csv"
    path.write_bytes(failing_subventions_csv())
    return validate_file(str(path), schema="scdl/subventions")


def test_failing_scdl_subventions_is_capped_and_says_why(tmp_path) -> None:
    report = _failing_subventions(tmp_path)
    assert report["status"] == "invalid" and report["table"]["valid_row_share"] == 0.0
    assert report["file"]["delimiter"] == ";" and report["file"]["encoding"] != "UTF-8"
    # 6 impossible dates (30 February), 12 decimal commas
    assert report["counts"]["french-siret-value"] == 12 and report["counts"]["type-error"] == 12
    assert report["counts"]["impossible-date"] == 6
    score = score_resource(report, resource={"format": "CSV"}, dataset=_dataset(frequency=IRREGULAR), now=NOW)
    assert score["cap"]["points"] == 72  # what it used to score, « Bon »
    assert score["total"] == 29 and score["band"] == "insuffisant" and score["band_label"] == "Insuffisant"
    assert score["cap"]["kind"] == "conformity" and score["cap"]["band"] == "insuffisant"
    assert score["cap"]["reason"] == ("plafonné à 29 parce que seulement 0,0 % des lignes sont conformes au schéma "
                                      "« Subventions » : sous 50 % de lignes conformes, un fichier ne peut pas "
                                      "dépasser « Insuffisant »")
    # the points of each criterion stay visible
    assert sum(c["points"] for c in score["components"]) == 72


@pytest.mark.parametrize(("bad", "band_key", "top"), [(1, "excellent", None), (2, "suffisant", 54),
                                                      (12, "insuffisant", 29)])
def test_conformity_cap_thresholds(tmp_path, bad, band_key, top) -> None:
    """20 rows: 1 bad (95 % conform: no cap), 2 bad (90 %: « Suffisant » at best), 12 bad (40 %: « Insuffisant »)."""
    rows = [delib_row(DELIB_ID=str(i), COLL_SIRET="21670482500018" if i < bad else SIRET_STRASBOURG)
            for i in range(20)]
    report = validate_file(str(write_csv(tmp_path / "d.csv", DELIB_HEADER, rows)), schema="scdl/deliberations")
    score = score_resource(report, resource={"format": "CSV"}, dataset=_dataset(), now=NOW)
    assert score["band"] == band_key, score.get("cap")
    if top is None:
        assert "cap" not in score and score["total"] >= 87
    else:
        assert score["total"] == top and score["cap"]["points"] > top
        assert "plafonné" in score["cap"]["reason"]


def test_no_cap_without_declared_schema(write) -> None:
    score = score_resource(validate_file(str(write("a.csv", "a,b\n1,2\n"))), now=NOW)
    assert "cap" not in score


@pytest.mark.parametrize("content", [b"", b"<!doctype html><html><body>Mairie</body></html>",
                                     b"\x00\x01\x02\x03" * 200])
def test_unreadable_file_is_unusable(write, content) -> None:
    report = validate_file(str(write("f.csv", content)))
    assert report["status"] == "rejected"
    score = score_resource(report, resource={"format": "CSV", **DESCRIBED}, dataset=_dataset(), now=NOW)
    assert score["total"] == 0 and score["band"] == "inutilisable" and score["band_label"] == "Inutilisable"
    assert score["broken"] and score["cap"]["kind"] == "unusable" and "inutilisable" in score["cap"]["reason"]


def test_one_bad_file_lowers_the_dataset_band(perfect_report, tmp_path) -> None:
    """Three good files and the failing « Subventions » file: the dataset is no longer « Excellent »."""
    good = score_resource(perfect_report, resource={"format": "CSV"}, dataset=_dataset(), now=NOW)
    bad = score_resource(_failing_subventions(tmp_path), resource={"format": "CSV"}, dataset=_dataset(), now=NOW)
    assert good["band"] == "excellent" and bad["band"] == "insuffisant"
    assert score_dataset_data([good, good, good])["band"] == "excellent"
    agg = score_dataset_data([good, good, bad, good])
    assert agg["band"] == "insuffisant" and agg["total"] == 29 and agg["worst_index"] == 2
    assert agg["mean"] == round((3 * 100 + 29) / 4, 1) and "« Insuffisant »" in agg["cap"]["reason"]
