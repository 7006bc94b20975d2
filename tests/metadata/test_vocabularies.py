"""Vocabularies, licences, territories and the Table Schema catalogue: pure Python, no CKAN service."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
EU = "http://publications.europa.eu/resource/authority/"


def test_module_imports_no_ckan():
    import subprocess
    import sys

    code = ("import sys; import ckanext.grandest.metadata.vocabularies as v, "
            "ckanext.grandest.metadata.territories, ckanext.grandest.metadata.table_schemas; "
            "print(any(m == 'ckan' or m.startswith('ckan.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


class TestVocabularies:
    def test_themes_are_the_13_eu_themes(self):
        from ckanext.grandest.metadata import vocabularies as v

        assert len(v.THEMES) == 13
        assert all(t.value == EU + "data-theme/" + t.code for t in v.THEMES)
        assert v.theme_label(EU + "data-theme/SOCI") == "Population et société"
        assert v.theme_label(EU + "data-theme/SOCI", "en") == "Population and society"

    @pytest.mark.parametrize("text", ["ENVI", "envi", EU + "data-theme/ENVI",
                                      "https://publications.europa.eu/resource/authority/data-theme/ENVI/"])
    def test_lenient_lookup(self, text):
        from ckanext.grandest.metadata import vocabularies as v

        assert v.normalize(v.THEMES, text) == EU + "data-theme/ENVI"

    def test_unknown_values(self):
        from ckanext.grandest.metadata import vocabularies as v

        assert v.normalize(v.THEMES, "ENVIRONMENT") is None
        assert v.normalize(v.FREQUENCIES, None) is None
        assert v.theme_label("nope") == "nope"

    def test_frequency_days(self):
        from ckanext.grandest.metadata import vocabularies as v

        assert v.frequency_days(EU + "frequency/MONTHLY") == 31
        assert v.frequency_days("ANNUAL") == 366
        assert v.frequency_days("IRREG") is None

    @pytest.mark.parametrize("given,code", [
        ("csv", "CSV"), ("GeoJSON", "GEOJSON"), ("application/geo+json", "GEOJSON"), ("Shapefile", "SHP"),
        ("ESRI Shapefile", "SHP"), ("text/csv; charset=utf-8", "CSV"), ("Excel", "XLSX"), ("xls", "XLS"),
        ("json-ld", "JSON_LD"), ("WFS", "WFS_SRVC"), (EU + "file-type/PARQUET", "PARQUET"), ("jpg", "JPEG"),
        ("tartempion", None), ("", None),
    ])
    def test_formats(self, given, code):
        from ckanext.grandest.metadata import vocabularies as v

        assert v.normalize_format(given) == code

    def test_guess_format_and_uri(self):
        from ckanext.grandest.metadata import vocabularies as v

        assert v.guess_format("https://x.fr/a/b/Stations.GeoJSON?download=1#x") == "GEOJSON"
        assert v.guess_format("budget.xlsx") == "XLSX"
        assert v.guess_format("https://x.fr/page") is None
        assert v.format_uri("GEOJSON") == EU + "file-type/GEOJSON"
        assert v.FILE_TYPES.get("PDF").extra["open"] is False

    def test_every_term_has_french_and_english_labels(self):
        from ckanext.grandest.metadata import vocabularies as v

        for vocab in v.VOCABULARIES.values():
            for t in vocab:
                assert t.fr and t.en, t
                assert vocab.choices()[list(vocab).index(t)]["label"] == {"fr": t.fr, "en": t.en}


class TestLicences:
    def test_shipped_licence_list_is_generated_from_the_vocabulary(self):
        from ckanext.grandest.metadata import vocabularies as v

        shipped = json.loads((ROOT / "schemas" / "licenses.json").read_text(encoding="utf-8"))
        assert shipped == v.ckan_licence_list()
        assert [lic["id"] for lic in shipped] == ["lov2", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero", "lov1", "other",
                                                  "notspecified"]

    # data.gouv.fr's licence list (GET /api/1/datasets/licenses/, the entries we map to), and its matcher as
    # udata's License.guess_one does it: id, slugified title, URL (case-insensitive), alternate URL, then the
    # URL without scheme and trailing slash contained in a licence URL.
    DATAGOUV = [
        {"id": "lov2", "title": "Licence Ouverte / Open Licence version 2.0",
         "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
         "alternate_urls": ["https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"]},
        {"id": "fr-lo", "title": "Licence Ouverte / Open Licence",
         "url": "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
         "alternate_urls": ["https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Open_Licence.pdf"]},
        {"id": "odc-odbl", "title": "Open Data Commons Open Database License (ODbL)",
         "url": "http://opendatacommons.org/licenses/odbl/summary/",
         "alternate_urls": ["https://opendefinition.org/licenses/odc-odbl"]},
        {"id": "odc-by", "title": "Open Data Commons Attribution License",
         "url": "http://opendatacommons.org/licenses/by/summary/", "alternate_urls": []},
        {"id": "cc-by", "title": "Creative Commons Attribution",
         "url": "http://www.opendefinition.org/licenses/cc-by", "alternate_urls": []},
        {"id": "cc-by-sa", "title": "Creative Commons Attribution Share-Alike",
         "url": "http://www.opendefinition.org/licenses/cc-by-sa", "alternate_urls": []},
        {"id": "cc-zero", "title": "Creative Commons CCZero",
         "url": "http://www.opendefinition.org/licenses/cc-zero", "alternate_urls": []},
    ]

    @staticmethod
    def _slug(text):
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

    def _guess(self, text):
        text = text.strip().lower()
        for lic in self.DATAGOUV:
            if text in (lic["id"], (lic["url"] or "").lower(), *[u.lower() for u in lic["alternate_urls"]]) \
                    or self._slug(text) == self._slug(lic["title"]):
                return lic["id"]
        if text.startswith(("http://", "https://")):
            parsed = urlparse(text)
            query = parsed.netloc + parsed.path.rstrip("/")
            for lic in self.DATAGOUV:
                if query in (lic["url"] or "").lower() or any(query in u for u in lic["alternate_urls"]):
                    return lic["id"]
        return None

    @pytest.mark.parametrize("license_id", ["lov2", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero", "lov1"])
    def test_datagouv_resolves_our_url_and_title(self, license_id):
        from ckanext.grandest.metadata import vocabularies as v

        lic = v.licence(license_id)
        ours, license_id = license_id, lic.datagouv_id  # lov1 is data.gouv.fr's fr-lo
        assert self._guess(lic.url) == license_id
        assert self._guess(lic.datagouv_title) == license_id
        ckan_entry = next(e for e in v.ckan_licence_list() if e["id"] == ours)
        assert self._guess(ckan_entry["title"]) == license_id and self._guess(ckan_entry["url"]) == license_id

    def test_the_trap_urls_are_not_used(self):
        from ckanext.grandest.metadata import vocabularies as v

        urls = {lic.url for lic in v.LICENCES if lic.url}
        assert "https://creativecommons.org/licenses/by/4.0/" not in urls  # data.gouv.fr does not match it
        assert not any("spdx.org" in u for u in urls)


class TestTerritories:
    def test_labels(self):
        from ckanext.grandest.metadata import territories as t

        assert t.label("commune:67482") == "Strasbourg (67)"
        assert t.long_label("commune:67482") == "Strasbourg (commune, 67)"
        assert t.long_label("epci:246700488", "en") == "Eurométropole de Strasbourg (inter-municipality)"
        assert t.label("departement:08") == "Ardennes (08)"
        assert t.label("region:44") == "Grand Est"
        assert t.label("commune:00000") == "commune:00000"

    def test_search(self):
        from ckanext.grandest.metadata import territories as t

        assert [r["key"] for r in t.search("stras", 2)] == ["commune:67482", "epci:246700488"]
        assert t.search("bas-rhin", 1)[0]["key"] == "departement:67"
        assert t.search("grand est", 1, kinds=["region"])[0]["key"] == "region:44"
        assert t.search("68000", 1)[0]["key"] == "commune:68066"  # Colmar by postcode
        assert all(r["kind"] == "epci" for r in t.search("pays", 5, kinds=["epci"]))
        assert t.search("", 5) == [] and t.search(None, 5) == [] and t.search("zzzzqqq", 5) == []

    def test_facet_codes(self):
        from ckanext.grandest.metadata import territories as t

        assert t.facet_codes(["commune:67482", "epci:246800577", "region:44", "bogus"]) == {
            "commune": ["67482"], "epci": ["246700488", "246800577"], "departement": ["67", "68"]}

    @pytest.mark.parametrize("extras,key", [
        ({"actor_type": "commune", "insee_code": "68269"}, "commune:68269"),
        ({"actor_type": "epci", "siren": "246700488"}, "epci:246700488"),
        ({"actor_type": "departement", "insee_code": "57"}, "departement:57"),
        ({"actor_type": "region"}, "region:44"),
        ({"actor_type": "association", "departement": "88"}, "departement:88"),
        ({"actor_type": "etat"}, None),
        ({}, None),
    ])
    def test_organization_territory(self, extras, key):
        from ckanext.grandest.metadata import territories as t

        assert t.organization_territory(extras) == key


class TestTableSchemas:
    def test_catalogue(self):
        from ckanext.grandest.metadata import table_schemas as ts

        schemas = ts.all_schemas()
        assert len(schemas) >= 70
        assert schemas[0].scdl  # SCDL first
        assert all(s.id != "etalab/schema-bal" for s in schemas)  # "other": no machine-readable schema
        assert ts.get("etalab/schema-amenagements-cyclables").schema_type == "jsonschema"
        d = ts.get("scdl/deliberations")
        assert d.latest == "2.1.5" and "2.1.3" in d.versions
        assert d.schema_url("2.1.4") == "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.4/schema.json"

    @pytest.mark.parametrize("ref", ["scdl/budget", "scdl/budget@0.8.2",
                                     "https://schema.data.gouv.fr/schemas/scdl/budget/0.8.2/schema.json",
                                     "https://schema.data.gouv.fr/scdl/budget/"])
    def test_references(self, ref):
        from ckanext.grandest.metadata import table_schemas as ts

        assert ts.find(ref).id == "scdl/budget"
