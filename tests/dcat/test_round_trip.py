"""What this profile exports, the same profile parses back (the harvesting side, ``parse/``): a Grand Est
portal harvesting another one loses nothing of the schema."""
from __future__ import annotations

from tests.dcat.conftest import EU, commune_org, rich_dataset


def test_export_then_parse(app, clean_db, clean_index, with_plugins):
    from ckanext.dcat.processors import RDFParser

    org = commune_org()
    ds = rich_dataset(org["id"])
    parser = RDFParser(profiles=["euro_dcat_ap_3", "grandest_dcat_ap"])
    parser.parse(app.get(f"/dataset/{ds['id']}.ttl").body, _format="ttl")
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    got = parsed[0]
    for key in ("title", "notes", "license_id", "frequency", "temporal_start", "temporal_end", "contact_name",
                "contact_email", "contact_url", "provenance", "access_rights", "version", "documentation"):
        assert got.get(key) == ds[key], key
    assert sorted(got["theme"]) == sorted(ds["theme"])
    assert sorted(got["language"]) == sorted(ds["language"])
    assert sorted(got["territories"]) == sorted(ds["territories"])
    assert sorted(t["name"] for t in got["tags"]) == sorted(t["name"] for t in ds["tags"])
    resources = {r["url"]: r for r in got["resources"]}
    for res in ds["resources"]:
        back = resources[res["url"]]
        assert back.get("format") == res["format"] and back.get("name") == res["name"]
    csv = resources[ds["resources"][0]["url"]]
    assert (csv.get("schema"), csv.get("schema_version"), int(csv.get("size"))) == (
        "scdl/deliberations", "2.1.4", 48213)
    assert csv.get("language") == EU + "language/FRA"
