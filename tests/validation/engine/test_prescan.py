"""Pre-scan: hostile files are refused quickly and never reach frictionless; encodings and dialects."""
from __future__ import annotations

import gzip
import io
import os
import time
import zipfile

import pytest

from ckanext.grandest.validation.engine import prescan, validate_file
from ckanext.grandest.validation.engine.limits import Limits

SMALL = Limits(max_decompressed_bytes=2 * 1024 * 1024, ratio_min_bytes=256 * 1024, max_compression_ratio=100)


@pytest.fixture
def no_frictionless(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a frictionless Resource fails the test."""
    from frictionless import Resource

    def boom(self, *args, **kwargs):
        raise AssertionError("frictionless must not open a refused file")

    monkeypatch.setattr(Resource, "open", boom)


def _assert_rejected(report: dict, code: str) -> dict:
    assert report["status"] == "rejected", report["summary"]
    assert report["errors"][0]["type"] == code
    first = report["errors"][0]
    assert first["title"] and first["message"] and first["fix"]
    assert report["summary"].startswith("Le fichier n'a pas été vérifié")
    return first


def test_zip_bomb_refused_from_infolist(tmp_path, no_frictionless) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.csv", b"a,b\n" + b"0" * (8 * 1024 * 1024))
    assert path.stat().st_size < 20_000
    started = time.monotonic()
    report = validate_file(str(path), limits=SMALL)
    assert time.monotonic() - started < 1
    err = _assert_rejected(report, "zip-bomb")
    assert "démesurée" in err["message"] and "8,0 Mo" in err["message"]


def test_zip_bomb_by_ratio_even_under_the_size_cap(tmp_path, no_frictionless) -> None:
    path = tmp_path / "ratio.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.csv", b"1" * (1024 * 1024))  # ~1000:1, 1 MiB < 2 MiB cap
    _assert_rejected(validate_file(str(path), limits=SMALL), "zip-bomb")


def _lying_zip(path, real: bytes, declared_size: int) -> None:
    """A zip whose central directory understates the member's size (the infolist lies)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", real)
    data = bytearray(buf.getvalue())
    # Patch the uncompressed size in the local header and in the central directory entry of sheet1.xml.
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset_size in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while True:
            idx = data.find(signature, start)
            if idx < 0:
                break
            name_len_off = 26 if signature == b"PK\x03\x04" else 28
            name_len = int.from_bytes(data[idx + name_len_off: idx + name_len_off + 2], "little")
            name_off = 30 if signature == b"PK\x03\x04" else 46
            if bytes(data[idx + name_off: idx + name_off + name_len]) == name:
                data[idx + offset_size: idx + offset_size + 4] = declared_size.to_bytes(4, "little")
            start = idx + 4
    path.write_bytes(bytes(data))


def test_xlsx_whose_infolist_lies_is_refused_while_streaming(tmp_path, no_frictionless) -> None:
    """The pre-scan decompresses every member (capped) before frictionless: Python's zipfile stops at the
    declared size and the CRC then fails, so a lying entry is refused as corrupt instead of expanding."""
    path = tmp_path / "liar.xlsx"
    _lying_zip(path, b"<row/>" * 600_000, declared_size=1000)  # 3.6 MB real, 1 kB declared
    with zipfile.ZipFile(path) as zf:
        assert sum(i.file_size for i in zf.infolist()) < 2000  # the infolist really lies
    report = validate_file(str(path), limits=Limits(max_decompressed_bytes=1024 * 1024))
    _assert_rejected(report, "corrupt-archive")


def test_xlsx_streamed_total_is_capped(tmp_path, no_frictionless) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(4):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", os.urandom(300_000))
    # declared total 1.2 MB > 1 MB cap: refused from the infolist, before any decompression
    report = validate_file(str(path), limits=Limits(max_decompressed_bytes=1_000_000))
    err = _assert_rejected(report, "zip-bomb")
    assert "1,1 Mo" in err["message"]


def test_gzip_bomb_stream_capped(tmp_path, no_frictionless) -> None:
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as gz:
        gz.write(b"a,b\n")
        for _ in range(12):
            gz.write(b"1,2\n" * 262_144)  # 12 MiB in total
    started = time.monotonic()
    report = validate_file(str(path), limits=SMALL)
    assert time.monotonic() - started < 2
    err = _assert_rejected(report, "zip-bomb")
    assert "plus de 2,0 Mo" in err["message"]


def test_gzip_csv_is_decompressed_and_validated(tmp_path) -> None:
    path = tmp_path / "data.csv.gz"
    with gzip.open(path, "wb") as gz:
        gz.write("nom,ville\nÉcole,Sélestat\nMairie,Colmar\n".encode())
    report = validate_file(str(path))
    assert report["status"] == "structure-only"
    assert report["file"]["compression"] == "gzip"
    assert report["table"]["rows"] == 2


def test_zip_with_one_csv_is_validated(tmp_path) -> None:
    path = tmp_path / "data.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export/data.csv", "a;b\n1;2\n3;4\n")
        zf.writestr("LISEZMOI.txt.md", "notice")
    report = validate_file(str(path))
    assert report["status"] == "structure-only"
    assert report["file"]["archive_member"] == "export/data.csv"
    assert report["table"]["rows"] == 2
    assert "archive-several-tables" in report["warning_counts"]


def test_zip_of_shapefile_is_not_tabular(tmp_path) -> None:
    path = tmp_path / "shape.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("communes.shp", b"\x00\x00\x27\x0a" + b"\x00" * 96)
        zf.writestr("communes.dbf", b"\x03" + b"\x00" * 31)
    report = validate_file(str(path))
    assert report["status"] == "not-tabular"
    assert report["warnings"][0]["type"] == "archive-no-table"


def test_corrupt_zip(tmp_path, no_frictionless) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(200))
    _assert_rejected(validate_file(str(path)), "corrupt-archive")


def test_five_million_delimiters_line_rejected_fast(tmp_path, no_frictionless) -> None:
    path = tmp_path / "delims.csv"
    path.write_bytes(b"a,b\n" + b"," * 5_000_000 + b"\n1,2\n")
    started = time.monotonic()
    report = validate_file(str(path))
    assert time.monotonic() - started < 1
    err = _assert_rejected(report, "too-many-columns")
    assert "ligne 2" in err["message"] and "2000 colonnes" in err["message"]


def test_five_million_semicolons_line_rejected(tmp_path, no_frictionless) -> None:
    path = tmp_path / "semis.csv"
    path.write_bytes(b"a;b\n1;2\n" + b";" * 5_000_000)
    _assert_rejected(validate_file(str(path)), "too-many-columns")


def test_ten_megabyte_cell_rejected(tmp_path, no_frictionless) -> None:
    path = tmp_path / "cell.csv"
    path.write_bytes(b"id,texte\n1," + b"x" * (10 * 1024 * 1024) + b"\n2,ok\n")
    started = time.monotonic()
    report = validate_file(str(path))
    assert time.monotonic() - started < 1
    err = _assert_rejected(report, "line-too-long")
    assert "ligne 2" in err["message"] and "1,0 Mo" in err["message"]


def test_long_line_in_the_middle_of_a_chunk(tmp_path, no_frictionless) -> None:
    path = tmp_path / "mid.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1000 + b"3," + b"y" * 2_000_000 + b"\n4,5\n")
    err = _assert_rejected(validate_file(str(path)), "line-too-long")
    assert "ligne 1002" in err["message"]


def test_binary_garbage(tmp_path, no_frictionless) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 40)
    err = _assert_rejected(validate_file(str(path)), "binary-file")
    assert "illisible" in err["title"]


@pytest.mark.parametrize("content", [
    "<!DOCTYPE html>\n<html><head><title>Erreur</title></head><body>Page introuvable</body></html>",
    "\ufeff  <html lang='fr'><body>Connexion requise</body></html>",
    "<HEAD><TITLE>302</TITLE></HEAD><BODY>moved</BODY>",
])
def test_html_saved_as_csv(write, content, no_frictionless) -> None:
    err = _assert_rejected(validate_file(str(write("page.csv", content))), "html-file")
    assert "page web" in err["title"].lower()
    assert "Télécharger" in err["fix"]


def test_empty_file(write, no_frictionless) -> None:
    _assert_rejected(validate_file(str(write("empty.csv", b""))), "empty-file")
    _assert_rejected(validate_file(str(write("blank.csv", b"\n\n  \r\n"))), "empty-file")


def test_header_only(write) -> None:
    report = validate_file(str(write("header.csv", "nom,ville,montant\n")))
    assert report["status"] == "structure-only"
    assert report["table"]["rows"] == 0
    assert "no-data-rows" in report["warning_counts"]
    assert "aucune ligne de données" in report["summary"]


def test_pdf_is_not_tabular(write) -> None:
    report = validate_file(str(write("rapport.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")))
    assert report["status"] == "not-tabular"
    assert report["warnings"][0]["type"] == "pdf-file"


def test_latin1_file_detected(write) -> None:
    content = "nom;commune;montant\nÉcole élémentaire;Sélestat;12,5\nMairie;Obernai;3,25\n".encode("cp1252")
    scan = prescan(str(write("latin1.csv", content)))
    assert scan.ok and scan.encoding == "cp1252" and scan.source_encoding == "Windows-1252"
    assert scan.delimiter == ";"
    assert scan.decimal_comma_columns == ["montant"]
    assert scan.header == ["nom", "commune", "montant"]
    report = validate_file(scan.path)
    assert report["status"] == "structure-only"
    assert report["table"]["rows"] == 2
    types = [w["type"] for w in report["warnings"]]
    assert {"encoding-not-utf8", "semicolon-delimiter", "decimal-comma"} <= set(types)
    enc = next(w for w in report["warnings"] if w["type"] == "encoding-not-utf8")
    assert "Windows-1252" in enc["message"] and "CSV UTF-8" in enc["fix"]


def test_latin1_with_undefined_cp1252_bytes_is_latin1(write) -> None:
    content = b"a,b\n" + b"x,y\n" * 10 + "caf\xe9,\x81\n".encode("latin-1")
    scan = prescan(str(write("l1.csv", content)))
    assert scan.encoding == "latin-1"


def test_utf8_bom_and_utf8(write) -> None:
    scan = prescan(str(write("bom.csv", "\ufeffnom,ville\nÉcole,Sélestat\n")))
    assert scan.encoding == "utf-8-sig" and scan.bom and scan.header == ["nom", "ville"]
    scan = prescan(str(write("plain.csv", "nom,ville\nÉcole,Sélestat\n")))
    assert scan.encoding == "utf-8" and not scan.bom


def test_mid_file_encoding_break(write) -> None:
    lines = ["nom,ville"] + [f"École {i},Sélestat" for i in range(3000)]
    content = ("\n".join(lines) + "\n").encode("utf-8") + "Mairie,Châtenois\nÉglise,Barr\n".encode("cp1252")
    path = write("mixed.csv", content)
    scan = prescan(str(path))
    assert scan.encoding_break["row"] == 3002
    report = validate_file(str(path))
    assert report["status"] == "invalid"
    assert report["counts"]["encoding-break"] == 1
    err = next(e for e in report["errors"] if e["type"] == "encoding-break")
    assert "ligne 3002" in err["message"] and "CSV UTF-8" in err["fix"]
    # the repaired copy is validated to the end, but the file is not readable as-is
    assert report["table"]["rows"] == 3002
    assert report["table"]["complete"] is False
    assert report["table"]["partial_reason"] == "encoding-break"


def test_utf16_excel_unicode_text(write) -> None:
    content = "nom\tville\nÉcole\tSélestat\n".encode("utf-16")
    report = validate_file(str(write("unicode.txt", content)), declared_format="tsv")
    assert report["status"] == "structure-only"
    assert report["file"]["encoding"] == "utf-16"
    assert report["table"]["header"] == ["nom", "ville"]
    assert "utf16-file" in report["warning_counts"]


def test_delimiter_sniffing(write) -> None:
    assert prescan(str(write("c.csv", "a,b,c\n1,2,3\n4,5,6\n"))).delimiter == ","
    assert prescan(str(write("s.csv", "a;b;c\n1,5;2;3\n4;5,25;6\n"))).delimiter == ";"
    assert prescan(str(write("t.tsv", "a\tb\n1\t2\n"))).delimiter == "\t"
    assert prescan(str(write("p.csv", "a|b|c\n1|2|3\n"))).delimiter == "|"
    # commas inside quoted text don't fool the sniffer
    text = 'nom;description\n"Mairie";"ouverte lundi, mardi, jeudi"\n"École";"fermée samedi, dimanche"\n'
    assert prescan(str(write("q.csv", text))).delimiter == ";"


def test_json_table(write) -> None:
    report = validate_file(str(write("t.json", '[{"nom": "École", "eleves": 120}, {"nom": "Collège", "eleves": 450}]')))
    assert report["status"] == "structure-only"
    assert report["table"]["rows"] == 2
    assert report["table"]["header"] == ["nom", "eleves"]


def test_geojson_and_non_table_json(write) -> None:
    geo = validate_file(str(write("g.geojson", '{"type": "FeatureCollection", "features": []}')))
    assert geo["status"] == "not-tabular" and geo["file"]["kind"] == "geojson"
    obj = validate_file(str(write("o.json", '{"version": 2}')))
    assert obj["status"] == "not-tabular" and obj["warnings"][0]["type"] == "json-not-tabular"
    bad = validate_file(str(write("b.json", '[{"a": 1,]')))
    assert bad["status"] == "rejected" and bad["errors"][0]["type"] == "invalid-json"
    big = validate_file(str(write("big.json", "[" + "1," * 100 + "1]")), limits=Limits(max_json_bytes=50))
    assert big["errors"][0]["type"] == "json-too-large"


def test_old_mac_line_endings(write) -> None:
    content = ("a;b\r" + "".join(f"{i};x\r" for i in range(40_000))).encode()
    assert len(content) > 256 * 1024
    scan = prescan(str(write("mac.csv", content)), limits=Limits(max_line_bytes=64 * 1024))
    assert scan.ok and scan.line_count == 40_001 and scan.delimiter == ";"


def test_big_legacy_xls_refused(write, no_frictionless) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    report = validate_file(str(write("vieux.xls", ole)), limits=Limits(max_xls_bytes=1000))
    err = _assert_rejected(report, "xls-too-large")
    assert "XLSX" in err["fix"]


def test_missing_file_is_an_error(tmp_path) -> None:
    report = validate_file(str(tmp_path / "absent.csv"))
    assert report["status"] == "error"
    assert report["errors"][0]["message"] == "Le fichier déposé est introuvable."
