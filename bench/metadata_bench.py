#!/usr/bin/env python3
"""Benchmark of grandest_metadata against CKAN's default dataset schema, on the same data and services.

    .venv/bin/python bench/metadata_bench.py [--slot 1] [--datasets 400] [--searches 150] [--rounds 3]

Uses the database, Solr core and Redis db of test slot ``--slot`` (``ckan_test_<slot>``: the ones
``GRANDEST_TEST_SLOT=<slot> dev/test`` uses; they are emptied) on the dev services. Each configuration runs in
its own fresh process, through the Flask app in-process (no HTTP server: only the server's work is timed):

* stock:    ``ckan.plugins = activity`` (CKAN's default schema); the Grand Est fields go in as plain extras, so
  both store the same information;
* grandest: ``ckan.plugins = activity scheming_datasets scheming_organizations grandest_metadata`` with the Grand
  Est schemas (validators, vocabularies, territory defaults, index fields).

Measured (median and 95th percentile, milliseconds):

* **create**: ``package_create`` of ``--datasets`` realistic datasets (2 resources each), one by one;
* **search**: ``package_search`` with the SAME parameters on both sides (issue #15): the same mix of queries
  (all, a word, an organization filter, a tag filter, a format filter) and the same ``facet.field`` list, the
  one the Grand Est portal shows (CKAN's 5 default facets + the plugin's département/EPCI/commune/theme/
  frequency fields). On the stock side the five ``vocab_grandest_*`` fields are empty (CKAN's core schema keeps
  the Grand Est fields as extras and does not derive them);
* **search page**: ``GET /dataset/`` (the same URLs on both sides), the page that renders the facets: there
  each configuration renders its own facets (that is the page a user gets);
* **autocomplete**: ``GET /grandest/territoires?q=...`` (grandest only), against CKAN's own
  ``GET /api/2/util/tag/autocomplete?incomplete=...`` in the same process.

The two configurations alternate (stock, grandest, stock, grandest...) in one run of the script, ``--rounds``
times, each round's pair back to back. Prints, per measure, each side's round medians as min / median / max,
and the ratio grandest / stock paired by round (min / median / max), with the load average before and after.
Figures: bench/README-metadata.md.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EU = "http://publications.europa.eu/resource/authority/"
PG_PORT = os.environ.get("GRANDEST_PG_PORT", "54329")
SOLR_PORT = os.environ.get("GRANDEST_SOLR_PORT", "18983")
REDIS_PORT = os.environ.get("GRANDEST_REDIS_PORT", "63799")

SETUPS = {
    "stock": {"ckan.plugins": "activity"},
    "grandest": {
        "ckan.plugins": "activity scheming_datasets scheming_organizations grandest_metadata",
        "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
        "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
        "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
    },
}
ORGS = [  # (name, title, Grand Est fields)
    ("commune-de-ribeauville", "Commune de Ribeauvillé", {"actor_type": "commune", "insee_code": "68269"}),
    ("commune-de-selestat", "Commune de Sélestat", {"actor_type": "commune", "insee_code": "67462"}),
    ("ville-de-metz", "Ville de Metz", {"actor_type": "commune", "insee_code": "57463"}),
    ("eurometropole", "Eurométropole de Strasbourg", {"actor_type": "epci", "siren": "246700488"}),
    ("grand-reims", "Grand Reims", {"actor_type": "epci", "siren": "200067213"}),
    ("departement-68", "Département du Haut-Rhin", {"actor_type": "departement", "insee_code": "68"}),
    ("region-grand-est", "Région Grand Est", {"actor_type": "region", "insee_code": "44"}),
    ("dreal-grand-est", "DREAL Grand Est", {"actor_type": "etat"}),
]
KINDS = [("Délibérations du conseil", "GOVE", "scdl/deliberations"), ("Budget primitif", "ECON", "scdl/budget"),
         ("Subventions aux associations", "ECON", "scdl/subventions"),
         ("Équipements sportifs", "EDUC", "scdl/equipements"), ("Qualité de l'air", "ENVI", None),
         ("Aménagements cyclables", "TRAN", "etalab/schema-amenagements-cyclables"),
         ("Menus de la cantine", "HEAL", "scdl/menus-collectifs"), ("Prénoms des nouveau-nés", "SOCI", "scdl/prenoms")]
PLACES = ["commune:68269", "commune:67462", "commune:57463", "commune:67482", "epci:246700488", "epci:200067213",
          "departement:68", "departement:57", "region:44", "commune:51454", "commune:54395", "commune:10387"]
QUERIES = ["stras", "metz", "reims", "bas-rhin", "colmar", "saint", "ribeau", "grand", "nancy", "67000", "vosges",
           "sainte-marie", "eurom", "cc du pays", "haguenau", "epinal", "troyes", "mulhouse", "thionville", "sel"]


def slot_env(slot: int) -> dict[str, str]:
    env = dict(os.environ)
    env["CKAN_SQLALCHEMY_URL"] = f"postgresql://ckan_default:pass@127.0.0.1:{PG_PORT}/ckan_test_{slot}"
    env["CKAN_SOLR_URL"] = f"http://127.0.0.1:{SOLR_PORT}/solr/ckan_test_{slot}"
    env["CKAN_REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/{1 + slot}"
    env["CKAN_SITE_ID"] = f"grandest_test_{slot}"
    return env


def dataset(i: int, org: str, stock: bool) -> dict:
    rnd = random.Random(i)
    title, theme, schema = KINDS[i % len(KINDS)]
    fields = {
        "theme": [EU + "data-theme/" + theme],
        "territories": rnd.sample(PLACES, rnd.randint(1, 3)),
        "frequency": EU + "frequency/" + rnd.choice(["MONTHLY", "ANNUAL", "QUARTERLY", "DAILY", "IRREG"]),
        "temporal_start": f"{rnd.randint(2005, 2023)}-01-01",
        "contact_name": "Service données", "contact_email": f"donnees{i % 7}@exemple.fr",
        "access_rights": EU + "access-right/PUBLIC",
    }
    data = {
        "name": f"jeu-{i:05d}", "title": f"{title} {2000 + i % 25} ({i})", "owner_org": org,
        "notes": f"{title} publié par {org}. Données mises à jour régulièrement, au format ouvert, avec la "
                 f"description des champs et la méthode de collecte (jeu {i}).",
        "license_id": rnd.choice(["lov2", "lov2", "odc-odbl", "cc-by"]),
        "tags": [{"name": w} for w in rnd.sample(["budget", "sport", "école", "vélo", "santé", "culture",
                                                   "environnement", "mobilité"], 3)],
        "resources": [
            {"url": f"https://data.exemple.fr/{i}/donnees.csv", "name": "Données (CSV)", "format": "CSV",
             **({"schema": schema} if schema else {})},
            {"url": f"https://data.exemple.fr/{i}/donnees.geojson", "name": "Carte (GeoJSON)", "format": "GeoJSON"},
        ],
    }
    if stock:
        data["extras"] = [{"key": k, "value": json.dumps(v) if isinstance(v, list) else v} for k, v in fields.items()]
    else:
        data.update(fields)
    return data


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values) * 1000, "p95": pct(values, 95) * 1000, "n": len(values)}


def child(setup: str, n: int, searches: int) -> dict:
    """One configuration, in this (fresh) process."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(str(REPO / "test.ini"))
    conf.update(SETUPS[setup])
    conf["ckan.site_url"] = "http://bench.datagrandest.example"
    conf["ckan.views.default_views"] = ""
    app = make_app(conf)
    flask_app = app._wsgi_app  # type: ignore[attr-defined]

    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search
    from ckan.tests import helpers

    out: dict = {}
    with flask_app.test_request_context():
        helpers.reset_db()
        from ckan.cli.db import _run_migrations
        _run_migrations("activity")  # the only plugin of both configurations with tables
        search.clear_all()
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        ctx = lambda: {"user": site_user["name"], "ignore_auth": True}  # noqa: E731
        for name, title, extra in ORGS:
            org = {"name": name, "title": title}
            if setup == "grandest":
                org.update(extra)
            tk.get_action("organization_create")(ctx(), org)
        stock = setup == "stock"
        times = []
        for i in range(n):
            data = dataset(i, ORGS[i % len(ORGS)][0], stock)
            t0 = time.perf_counter()
            tk.get_action("package_create")(ctx(), data)
            times.append(time.perf_counter() - t0)
        out["create"] = summary(times)

        from ckan.plugins import PluginImplementations, IFacets
        from collections import OrderedDict

        from ckanext.grandest.metadata.plugin import _with_our_facets

        shown: OrderedDict = OrderedDict((f, f) for f in ("organization", "groups", "tags", "res_format", "license_id"))
        for plugin in PluginImplementations(IFacets):
            shown = plugin.dataset_facets(shown, "dataset")
        out["facets_shown"] = list(shown)  # what this configuration's page shows
        # what package_search is asked, on both sides: the Grand Est portal's facets (a superset of CKAN's)
        facets = _with_our_facets(OrderedDict((f, f) for f in ("organization", "groups", "tags", "res_format",
                                                                "license_id")), keep_organization=True)
        out["facet_fields"] = list(facets)
        mix = [{"q": "*:*"}, {"q": "budget"}, {"q": "*:*", "fq": "organization:eurometropole"},
               {"q": "sport", "fq": 'tags:"école"'}, {"q": "*:*", "fq": "res_format:CSV"}]
        times = []
        for i in range(searches):
            params = dict(mix[i % len(mix)], rows=20, **{"facet.field": list(facets), "facet.limit": 50})
            t0 = time.perf_counter()
            res = tk.get_action("package_search")(ctx(), params)
            times.append(time.perf_counter() - t0)
        out["search"] = summary(times)
        out["search_count"] = res["count"]
        model.Session.remove()

    client = helpers.CKANTestApp(app).test_client()  # the whole middleware stack, as in CKAN's own tests
    urls = ["/dataset/", "/dataset/?q=budget", "/dataset/?organization=eurometropole", "/dataset/?q=sport",
            "/dataset/?res_format=CSV"]
    for u in urls:  # warm-up (templates compiled, assets)
        assert client.get(u).status_code == 200
    times = []
    for i in range(max(20, searches // 3)):
        t0 = time.perf_counter()
        r = client.get(urls[i % len(urls)])
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200
    out["search_page"] = summary(times)

    times = []
    for i in range(len(QUERIES) * 5):
        t0 = time.perf_counter()
        r = client.get("/api/2/util/tag/autocomplete", query_string={"incomplete": QUERIES[i % len(QUERIES)][:4]})
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200
    out["tag_autocomplete"] = summary(times)
    if not stock:
        times = []
        for i in range(len(QUERIES) * 5):
            t0 = time.perf_counter()
            r = client.get("/grandest/territoires", query_string={"q": QUERIES[i % len(QUERIES)]})
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200 and r.json["results"], QUERIES[i % len(QUERIES)]
        out["territory_autocomplete"] = summary(times)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slot", type=int, default=int(os.environ.get("GRANDEST_TEST_SLOT") or 1))
    ap.add_argument("--datasets", type=int, default=400)
    ap.add_argument("--searches", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=3, help="alternate stock/grandest this many times")
    ap.add_argument("--child", choices=list(SETUPS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.datasets, args.searches)))
        return 0

    env = slot_env(args.slot)
    load_before = os.getloadavg()[0]
    results: dict[str, list[dict]] = {k: [] for k in SETUPS}
    for _round in range(args.rounds):
        for setup in ("stock", "grandest"):
            proc = subprocess.run([sys.executable, __file__, "--child", setup, "--datasets", str(args.datasets),
                                   "--searches", str(args.searches)], env=env, cwd=REPO, capture_output=True,
                                  text=True)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if proc.returncode or line is None:
                print(proc.stdout[-3000:], proc.stderr[-5000:], file=sys.stderr)
                return 1
            results[setup].append(json.loads(line[7:]))
            print(f"round {_round + 1} {setup}: done", file=sys.stderr)

    def mmm(values: list[float]) -> str:
        return f"{min(values):.1f}/{statistics.median(values):.1f}/{max(values):.1f}"

    def row(label: str, st: list[float], gr: list[float]) -> None:
        ratios = [g / s for s, g in zip(st, gr)]
        print(f"{label:<40}{mmm(st):>22}{mmm(gr):>22}   {min(ratios):.2f}x / {statistics.median(ratios):.2f}x / "
              f"{max(ratios):.2f}x")

    print(f"load average before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    print(f"datasets: {args.datasets}, searches: {args.searches}, rounds: {args.rounds} (stock and grandest "
          "alternated; ratio paired by round)")
    assert results["stock"][0]["facet_fields"] == results["grandest"][0]["facet_fields"]
    print(f"package_search facet.field (both): {results['stock'][0]['facet_fields']}")
    print(f"facets shown on /dataset/: stock {results['stock'][0]['facets_shown']}, "
          f"grandest {results['grandest'][0]['facets_shown']}")
    print(f"{'measure (ms, round medians)':<40}{'stock min/med/max':>22}{'grandest min/med/max':>22}   "
          "paired ratio min / med / max")
    for key, label in (("create", "package_create"), ("search", "package_search + facets"),
                       ("search_page", "GET /dataset/ (facets rendered)")):
        for stat in ("median", "p95"):
            row(f"{label} {stat}", [r[key][stat] for r in results["stock"]],
                [r[key][stat] for r in results["grandest"]])
    for stat in ("median", "p95"):  # both in the grandest process: CKAN's tag autocomplete vs ours
        row(f"autocomplete {stat} (tag vs terr.)", [r["tag_autocomplete"][stat] for r in results["grandest"]],
            [r["territory_autocomplete"][stat] for r in results["grandest"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
