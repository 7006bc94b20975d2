"""The validators one by one (they are also exercised through the API and the forms, see test_*_api.py)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

pytestmark = pytest.mark.usefixtures("with_request_context")


def v():
    from ckanext.grandest.metadata.logic import validators

    return validators


@pytest.mark.parametrize("url", ["https://www.ribeauville.fr", "http://127.0.0.1:5000/x?y=1#z",
                                 "https://data.strasbourg.eu/explore/dataset/a/download/?format=geojson",
                                 "HTTPS://EXAMPLE.FR/", "https://user@exemple.fr/p", "https://[2001:db8::1]/"])
def test_url_ok(url):
    assert v().grandest_url(url) == url


@pytest.mark.parametrize("url", ["www.exemple.fr", "ftp://exemple.fr/f", "javascript:alert(1)", "https://",
                                 "https://exemple .fr", "https://localhost/", "file:///etc/passwd", "mailto:a@b.fr",
                                 "https:/exemple.fr"])
def test_url_rejected(url):
    import ckan.plugins.toolkit as tk

    with pytest.raises(tk.Invalid) as e:
        v().grandest_url(url)
    assert "http:// ou https://" in e.value.error


@pytest.mark.parametrize("email,ok", [("mairie@ribeauville.fr", True), ("a.b+c@sous.domaine.example", True),
                                      ("MAILTO:x@y.fr", True), ("x@y", False), ("@y.fr", False), ("x y@z.fr", False),
                                      ("x@y..fr", False), ("a" * 250 + "@y.fr", False)])
def test_email(email, ok):
    import ckan.plugins.toolkit as tk

    if ok:
        assert v().grandest_email(email) == email.replace("MAILTO:", "").replace("mailto:", "")
    else:
        with pytest.raises(tk.Invalid):
            v().grandest_email(email)


@pytest.mark.parametrize("value,stored", [("2024-02-29", "2024-02-29"), ("29/02/2024", "2024-02-29"),
                                          ("2024-02-29T10:00:00Z", "2024-02-29"), (dt.date(2020, 5, 1), "2020-05-01"),
                                          (dt.datetime(2020, 5, 1, 8), "2020-05-01"), ("1800-01-01", "1800-01-01")])
def test_date_ok(value, stored):
    assert v().grandest_date(value) == stored


@pytest.mark.parametrize("value,message", [("2023-02-29", "n'est pas une date"), ("2024-13-01", "n'est pas une date"),
                                           ("01-02-2024", "n'est pas une date"), ("1799-12-31", "trop ancienne"),
                                           ("9999-01-01", "trop lointaine"), ("demain", "n'est pas une date")])
def test_date_rejected(value, message):
    import ckan.plugins.toolkit as tk

    with pytest.raises(tk.Invalid) as e:
        v().grandest_date(value)
    assert message in e.value.error


@pytest.mark.parametrize("siren,ok", [("216704825", True), ("216 704 825", True), ("216.704.825", True),
                                      ("216704826", False), ("21670482", False), ("2167048250", False),
                                      ("abcdefghi", False)])
def test_siren(siren, ok):
    import ckan.plugins.toolkit as tk

    if ok:
        assert v().grandest_siren(siren) == "216704825"
    else:
        with pytest.raises(tk.Invalid):
            v().grandest_siren(siren)


@pytest.mark.parametrize("code,ok", [("67482", True), ("2A004", True), ("67", True), ("6748", False),
                                     ("ABCDE", False), ("674821", False)])
def test_insee_code(code, ok):
    import ckan.plugins.toolkit as tk

    if ok:
        assert v().grandest_insee_code(code) == code.upper()
    else:
        with pytest.raises(tk.Invalid):
            v().grandest_insee_code(code)


def _run(validator, value, key=("f",)):
    from ckan.lib.navl.dictization_functions import StopOnError, missing

    data = {key: value if value is not None else missing}
    errors = {key: []}
    try:
        validator(key, data, errors, {})
    except StopOnError:
        pass
    return data.get(key, "<dropped>"), errors[key]


def test_vocabulary_multiple_factory():
    field = {"field_name": "theme", "vocabulary": "theme"}
    validator = v().grandest_vocabulary_multiple(field, {})
    EU = "http://publications.europa.eu/resource/authority/data-theme/"
    assert _run(validator, ["TRAN", "envi", EU + "ENVI"]) == (json.dumps([EU + "ENVI", EU + "TRAN"]), [])
    assert _run(validator, '["TRAN"]') == (json.dumps([EU + "TRAN"]), [])
    assert _run(validator, "") == ("<dropped>", [])
    value, errors = _run(validator, ["ENVI", 3])
    assert errors == ["Une liste de valeurs est attendue."]
    value, errors = _run(validator, {"a": 1})
    assert errors == ["Une liste de valeurs est attendue."]


def test_vocabulary_single_factory_with_default():
    field = {"field_name": "access_rights", "vocabulary": "access_rights",
             "default": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"}
    validator = v().grandest_vocabulary(field, {})
    assert _run(validator, None)[0].endswith("/PUBLIC")
    assert _run(validator, "restricted")[0].endswith("/RESTRICTED")
    assert "Droits d'accès inconnus" in _run(validator, ["a", "b"])[1][0]


def test_territories_factory():
    validator = v().grandest_territories({"field_name": "territories"}, {})
    assert _run(validator, " Commune:67482 , commune:67482,epci:246700488") == (
        json.dumps(["commune:67482", "epci:246700488"]), [])
    too_many = [f"commune:{c.code}" for c in __import__("ckanext.grandest.common.referential",
                                                          fromlist=["x"]).communes()[:201]]
    assert "Trop de territoires (201)" in _run(validator, too_many)[1][0]


def test_list_output():
    assert v().grandest_list_output('["a", "b"]') == ["a", "b"]
    assert v().grandest_list_output("a, b") == ["a", "b"]
    assert v().grandest_list_output(None) == []
    assert v().grandest_list_output('"x"') == ["x"]
