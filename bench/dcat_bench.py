#!/usr/bin/env python3
"""Benchmark of the DCAT catalog feed: grandest_dcat (profile grandest_dcat_ap) vs ckanext-dcat's stock
``euro_dcat_ap_3`` catalog endpoint, on the same catalog of realistic Grand Est datasets.

    .venv/bin/python bench/dcat_bench.py setup [--datasets 10000] [--workers 2]   # once (~15 min)
    .venv/bin/python bench/dcat_bench.py run [--repeat 10] [--rounds 2] [--no-crawl]

``setup`` creates a dedicated database (``ckan_bench_dcat``) and Solr core (``ckan_bench_dcat``) on the dev
services (never the dev portal's or a test slot's data), then ~330 organizations (the région, the 10
départements, 60 EPCI, 250 communes, a few associations and public bodies, with the Grand Est organization
schema) and ``--datasets`` datasets through ``package_create`` with the Grand Est schema and its validators:
titles and descriptions of the kinds communes publish (délibérations, budgets, subventions, équipements...),
2-5 keywords, 1-2 themes, territories from the referential, a licence (mostly Licence Ouverte), a frequency,
a period for most, a contact for most, 1-4 resources (CSV with a national schema, JSON, GeoJSON, XLSX, PDF, web
pages) with sizes; ~3 % private. Fixed seed: the same catalog every time. Resumable.

``run`` measures, each configuration in its own fresh process, through the Flask app in-process (no HTTP
server, so only the server's work is timed):

* **page**: ``GET /catalog.ttl`` (100 datasets), median of ``--repeat`` after one warm-up request;
* **crawl**: page 1, then every ``hydra:next`` link to the end (10,000 datasets, 100 pages), once, after the
  warm-up;
* **memory**: peak of Python allocations (tracemalloc) during one page and during the crawl (separate runs,
  tracemalloc slows the code down), and the process's peak RSS.

Configurations (same plugins otherwise: dcat, scheming, grandest_metadata):

* stock:    ckanext-dcat's ``/catalog.ttl``, ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3``;
* grandest: + ``grandest_dcat``, ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 grandest_dcat_ap``.

Stock and grandest alternate within each round (``--rounds``); each ratio is paired (grandest / stock of the same
round and measure, run back to back), given as min / median / max over the rounds, with the absolute medians
and the load average before and after. The target is <= 1.0x. Figures: bench/README-dcat.md.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
NAME = "ckan_bench_dcat"
PG_PORT = os.environ.get("GRANDEST_PG_PORT", "54329")
SOLR_PORT = os.environ.get("GRANDEST_SOLR_PORT", "18983")
REDIS_PORT = os.environ.get("GRANDEST_REDIS_PORT", "63799")
PG_BIN = os.environ.get("GRANDEST_PG_BIN", "/usr/lib/postgresql/15/bin")
SOLR = f"http://127.0.0.1:{SOLR_PORT}/solr"
SITE = "https://bench.datagrandest.example"
EU = "http://publications.europa.eu/resource/authority/"

COMMON = {
    "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
    "licenses_group_url": "",
    "ckan.site_url": SITE,
    "ckanext.dcat.base_uri": SITE,
    "ckan.views.default_views": "",
}
SETUPS = {
    "stock": {"ckan.plugins": "dcat scheming_datasets scheming_organizations grandest_metadata",
              "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3"},
    "grandest": {"ckan.plugins": "dcat scheming_datasets scheming_organizations grandest_metadata grandest_dcat",
                 "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3 grandest_dcat_ap"},
    "generate": {"ckan.plugins": "dcat scheming_datasets scheming_organizations grandest_metadata",
                 "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3", "ckan.search.solr_commit": "false"},
}


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.update({
        "CKAN_SITE_ID": "grandest_bench_dcat",
        "CKAN_SQLALCHEMY_URL": f"postgresql://ckan_default:pass@127.0.0.1:{PG_PORT}/{NAME}",
        "CKAN_SOLR_URL": f"{SOLR}/{NAME}",
        "CKAN_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/9",
        "CKAN_SITE_URL": SITE,
    })
    return out


def write_ini(setup: str) -> str:
    cfg = dict(COMMON)
    cfg.update(SETUPS[setup])
    fd, path = tempfile.mkstemp(suffix=".ini", prefix=f"dcat-bench-{setup}-")
    test_ini = (REPO / "test.ini").read_text(encoding="utf-8")
    with os.fdopen(fd, "w") as ini:
        ini.write("[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:" + str(REPO / "test.ini") + "\n")
        for k, v in cfg.items():
            ini.write(f"{k} = {v}\n")
        ini.write("\n" + test_ini[test_ini.index("[loggers]"):].replace("level = WARNING", "level = ERROR"))
    return path


def make_app(setup: str):
    assert os.environ.get("CKAN_SQLALCHEMY_URL", "").endswith("/" + NAME), "not on the bench database"
    from ckan.cli import load_config
    from ckan.config.middleware import make_app as _make_app

    ini = write_ini(setup)
    try:
        app = _make_app(load_config(ini))
    finally:
        os.unlink(ini)
    return app._wsgi_app


# ----------------------------------------------------------------------------------------------------------
# set-up: database, Solr core, organizations, datasets
# ----------------------------------------------------------------------------------------------------------
def psql(sql: str) -> str:
    out = subprocess.run([f"{PG_BIN}/psql", "-X", "-q", "-tA", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "postgres",
                          "-d", "postgres", "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def ensure_services() -> None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname='{NAME}'") != "1":
        psql(f"CREATE DATABASE {NAME} OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0")
        print(f"database {NAME} created")
    try:
        urllib.request.urlopen(f"{SOLR}/{NAME}/admin/ping?wt=json", timeout=5).read()
    except Exception:
        import ckan

        schema = Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"
        home = Path(os.environ.get("GRANDEST_STATE") or REPO / ".dev") / "solr" / "home"  # the running Solr's
        subprocess.run(["bash", str(REPO / "dev" / "solr" / "make-home.sh"), str(home), str(schema), NAME],
                       check=True, capture_output=True)
        (home / NAME / "core.properties").unlink(missing_ok=True)  # CoreAdmin CREATE writes it
        urllib.request.urlopen(f"{SOLR}/admin/cores?action=CREATE&name={NAME}&instanceDir={NAME}",
                               timeout=120).read()
        print(f"Solr core {NAME} created")
    subprocess.run([str(Path(sys.executable).with_name("ckan")), "-c", write_ini("generate"), "db", "init"],
                   check=True, capture_output=True, env=env(), cwd=REPO)


KINDS = [
    # (title, notes, tags, themes, schema, formats)
    ("Délibérations du conseil municipal {y}", "Liste des délibérations adoptées par le conseil municipal de "
     "{place} en {y} : date de la séance, objet, thème, résultat du vote. Publiée au format du Socle commun "
     "des données locales.", ["délibérations", "conseil municipal", "SCDL", "actes"], ["GOVE"],
     "scdl/deliberations", ["CSV", "PDF"]),
    ("Budget primitif {y}", "Budget primitif {y} de {place}, par nature et par fonction, tel que voté par "
     "l'assemblée délibérante. Montants en euros, section de fonctionnement et d'investissement.",
     ["budget", "finances", "comptabilité"], ["ECON", "GOVE"], "scdl/budget", ["CSV", "XLSX"]),
    ("Subventions versées aux associations en {y}", "Subventions accordées par {place} aux associations et "
     "organismes en {y}, avec le nom et le SIRET du bénéficiaire, l'objet et le montant.",
     ["subventions", "associations", "finances"], ["ECON", "SOCI"], "scdl/subventions", ["CSV", "JSON"]),
    ("Équipements publics", "Localisation et description des équipements publics de {place} : écoles, salles, "
     "gymnases, bibliothèques, avec leurs horaires et leur accessibilité.", ["équipements", "services publics"],
     ["REGI", "SOCI"], "scdl/equipements", ["CSV", "GEOJSON"]),
    ("Menus de la restauration scolaire", "Menus servis dans les cantines scolaires de {place}, semaine par "
     "semaine, avec les allergènes et la part de produits bio et locaux.", ["cantine", "menus", "école"],
     ["EDUC", "AGRI"], "scdl/menus-collectifs", ["CSV"]),
    ("Points d'apport volontaire", "Emplacement des points d'apport volontaire (verre, papier, textiles) sur le "
     "territoire de {place}, mis à jour après chaque tournée.", ["déchets", "collecte", "recyclage"], ["ENVI"],
     None, ["GEOJSON", "CSV"]),
    ("Qualité de l'air {y}", "Mesures quotidiennes de la qualité de l'air ({place}) en {y} : particules fines, "
     "dioxyde d'azote, ozone, indices ATMO.", ["air", "pollution", "santé"], ["ENVI", "HEAL"], None,
     ["CSV", "JSON"]),
    ("Arrêtés de circulation", "Arrêtés temporaires et permanents de circulation et de stationnement pris par "
     "{place}, avec leur période d'application.", ["circulation", "stationnement", "voirie"], ["TRAN"], None,
     ["CSV", "PDF"]),
    ("Prénoms des enfants nés en {y}", "Prénoms des enfants nés à {place} en {y}, avec leur nombre, d'après les "
     "registres de l'état civil.", ["prénoms", "état civil", "naissances"], ["SOCI"], "scdl/prenoms", ["CSV"]),
    ("Horaires des services municipaux", "Jours et horaires d'ouverture des services de {place} et de leurs "
     "antennes, y compris les horaires d'été.", ["horaires", "services"], ["GOVE"], None, ["CSV", "HTML"]),
    ("Plan local d'urbanisme", "Documents du plan local d'urbanisme de {place} : règlement, zonage, orientations "
     "d'aménagement, servitudes.", ["urbanisme", "PLU", "zonage"], ["REGI", "ENVI"], None,
     ["ZIP", "PDF", "HTML"]),
    ("Stationnement vélo", "Arceaux et abris vélos de {place}, avec leur capacité et leur type.",
     ["vélo", "stationnement", "mobilité"], ["TRAN"], "etalab/schema-stationnement-cyclable", ["CSV", "GEOJSON"]),
]
FREQ = ["ANNUAL", "MONTHLY", "QUARTERLY", "IRREG", "WEEKLY", "DAILY", "NEVER", "ANNUAL_2", "UNKNOWN"]
LICENCES = ["lov2"] * 14 + ["odc-odbl"] * 3 + ["cc-by"] * 2 + ["cc-by-sa", "cc-zero"]
SLUG_TABLE = str.maketrans("àâäçéèêëîïôöùûüÿœæ' ", "aaaceeeeiioouuuyoa--")


def slug(text: str) -> str:
    out = text.lower().translate(SLUG_TABLE)
    return "".join(c if c.isalnum() or c == "-" else "-" for c in out).strip("-")[:60].strip("-")


def organizations(rng: random.Random) -> list[dict]:
    from ckanext.grandest.common import referential as ref

    orgs = [{"name": "region-grand-est", "title": "Région Grand Est", "actor_type": "region", "insee_code": "44",
             "territory": "region:44"}]
    for d in ref.departements():
        orgs.append({"name": f"departement-{d.code}-{slug(d.name)}", "title": f"Département {d.name}",
                     "actor_type": "departement", "insee_code": d.code, "territory": d.key})
    epcis = sorted(ref.epcis(), key=lambda e: -e.population)[:60]
    for e in epcis:
        orgs.append({"name": f"epci-{e.siren}", "title": e.name[:100], "actor_type": "epci", "siren": e.siren,
                     "territory": e.key})
    communes = sorted(ref.communes(), key=lambda c: -c.population)
    picked = communes[:120] + rng.sample(communes[120:], 130)
    for c in picked:
        orgs.append({"name": f"commune-{c.code}-{slug(c.name)}"[:100], "title": f"Commune de {c.name}",
                     "actor_type": "commune", "insee_code": c.code, "territory": c.key})
    for i, (title, actor, siren) in enumerate([
        ("ATMO Grand Est", "association", "775672272"), ("Agence d'urbanisme de Strasbourg", "association",
                                                        "356000000"),
        ("Syndicat des eaux du Bas-Rhin", "etablissement_public", "200000172"),
        ("Office de tourisme de Colmar", "association", "552100554"),
    ]):
        from ckanext.grandest.common.referential import luhn_ok

        org = {"name": f"acteur-{i}-{slug(title)}", "title": title, "actor_type": actor,
               "departement": "67", "territory": "departement:67"}
        if luhn_ok(siren):
            org["siren"] = siren
        else:
            org["actor_type"] = "etat"
        orgs.append(org)
    for org in orgs:
        org["website"] = f"https://www.{domain(org)}.example.fr"
        org["contact_email"] = f"opendata@{domain(org)}.example.fr"
    return orgs


def domain(org: dict) -> str:
    return org["name"][:30].strip("-")


def dataset(i: int, org: dict, rng: random.Random) -> dict:
    kind = KINDS[i % len(KINDS)]
    title_t, notes_t, tags, themes, schema, formats = kind
    year = 2015 + rng.randrange(11)
    place = org["title"].replace("Commune de ", "")
    title = title_t.format(y=year) + f" – {place}"
    data = {
        "name": f"{slug(title)[:80]}-{i:05d}", "title": title[:200], "owner_org": org["id"],
        "notes": notes_t.format(y=year, place=place) + " " + rng.choice([
            "Les données sont publiées sous licence ouverte.", "Contact : le service concerné.",
            "Mise à jour après chaque séance.", ""]),
        "tag_string": ",".join(tags[: rng.randint(2, len(tags))]),
        "theme": [EU + "data-theme/" + t for t in themes[: rng.randint(1, len(themes))]],
        "territories": [org["territory"]],
        "license_id": rng.choice(LICENCES),
        "frequency": EU + "frequency/" + rng.choice(FREQ),
        "language": [EU + "language/FRA"],
        "private": rng.random() < 0.03,
    }
    if rng.random() < 0.7:
        data["temporal_start"], data["temporal_end"] = f"{year}-01-01", f"{year}-12-31"
    if rng.random() < 0.8:
        data["contact_name"] = rng.choice(["Service données", "Secrétariat de mairie", "Direction des finances"])
        data["contact_email"] = f"donnees{i % 97}@{domain(org)}.example.fr"
    if rng.random() < 0.2:
        data["provenance"] = "Extraction du logiciel métier, relue par le service."
    if rng.random() < 0.3:
        data["documentation"] = f"https://www.example.fr/doc/{i}"
    resources = []
    for j, fmt in enumerate(formats[: rng.randint(1, len(formats))] + (["HTML"] if rng.random() < 0.15 else [])):
        ext = {"GEOJSON": "geojson", "HTML": "html", "XLSX": "xlsx"}.get(fmt, fmt.lower())
        res = {"url": f"https://donnees.example.fr/{domain(org)}/{i}-{j}.{ext}", "format": fmt,
               "name": f"{title_t.format(y=year)} ({fmt})"[:100], "size": rng.randint(2_000, 20_000_000)}
        if fmt == "CSV" and schema:
            res["schema"] = schema
        if rng.random() < 0.4:
            res["description"] = "Fichier principal, une ligne par enregistrement."
        resources.append(res)
    data["resources"] = resources
    return data


def generate_worker(first: int, last: int, seed: int) -> None:
    app = make_app("generate")
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    with app.test_request_context():
        user = model.User.get("bench-admin")
        ctx = lambda: {"user": user.name, "ignore_auth": True}  # noqa: E731
        orgs = json.loads(Path(tempfile.gettempdir(), f"{NAME}-orgs.json").read_text())
        existing = {name for (name,) in model.Session.query(model.Package.name)}
        rng = random.Random(seed)
        weights = [8 if o["actor_type"] == "commune" else 20 if o["actor_type"] == "epci" else 40 for o in orgs]
        t0, done = time.perf_counter(), 0
        for i in range(last):
            org = rng.choices(orgs, weights)[0]
            data = dataset(i, org, random.Random(seed * 100_003 + i))
            if i < first or data["name"] in existing:
                continue
            tk.get_action("package_create")(ctx(), data)
            done += 1
            if done % 250 == 0:
                search.commit()
                print(f"  [{first}-{last}) {done} created, {done / (time.perf_counter() - t0):.1f}/s", flush=True)
        search.commit()


def setup(args) -> None:
    ensure_services()
    app = make_app("generate")
    import ckan.plugins.toolkit as tk
    from ckan import model

    with app.test_request_context():
        if not model.User.get("bench-admin"):
            tk.get_action("user_create")({"ignore_auth": True}, {
                "name": "bench-admin", "email": "bench@example.fr", "password": "Bench-password-2026!"})
            user = model.User.get("bench-admin")
            user.sysadmin = True
            model.Session.commit()
        rng = random.Random(args.seed)
        orgs = organizations(rng)
        for org in orgs:
            data = {k: v for k, v in org.items() if k != "territory"}
            found = model.Group.get(org["name"])
            if found is None:
                found_dict = tk.get_action("organization_create")({"user": "bench-admin", "ignore_auth": True},
                                                                   data)
                org["id"] = found_dict["id"]
            else:
                org["id"] = found.id
        Path(tempfile.gettempdir(), f"{NAME}-orgs.json").write_text(json.dumps(orgs))
        print(f"{len(orgs)} organizations")
    n, w = args.datasets, max(1, args.workers)
    bounds = [(k * n // w, (k + 1) * n // w) for k in range(w)]
    procs = [subprocess.Popen([sys.executable, __file__, "_generate", str(a), str(b), str(args.seed)],
                              cwd=REPO, env=env()) for a, b in bounds]
    if any(p.wait() for p in procs):
        raise SystemExit("generation failed")
    count = json.loads(urllib.request.urlopen(
        f"{SOLR}/{NAME}/select?q=*:*&rows=0&wt=json&fq=%2Bcapacity:public").read())["response"]["numFound"]
    print(f"done: {count} public datasets indexed")


# ----------------------------------------------------------------------------------------------------------
# measures
# ----------------------------------------------------------------------------------------------------------
def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


RDFLIB = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def measure(setup_name: str, what: str, repeat: int, fmt: str) -> dict:
    app = make_app(setup_name)
    client = app.test_client()
    # the territorial referential is in memory on a Grand Est portal anyway (grandest_metadata's facets,
    # validators and forms use it): load it in both set-ups, so that RSS compares the feeds' work only
    from ckanext.grandest.common import referential

    referential.territory("region:44")
    served = [0.0]  # seconds spent by the server (the feed's work), reading next links excluded

    def get(path: str) -> bytes:
        t = time.perf_counter()
        resp = client.get(path, base_url=SITE)
        served[0] += time.perf_counter() - t
        assert resp.status_code == 200, (path, resp.status_code, resp.data[:500])
        return resp.data

    def read(body: bytes) -> tuple[int, str | None]:
        from rdflib import Graph, Namespace
        from rdflib.namespace import RDF

        hydra = Namespace("http://www.w3.org/ns/hydra/core#")
        dcat = Namespace("http://www.w3.org/ns/dcat#")
        g = Graph().parse(data=body, format=RDFLIB[fmt])
        count = len(set(g.subjects(RDF.type, dcat.Dataset)))
        for cls, prop in ((hydra.PartialCollectionView, hydra.next), (hydra.PagedCollection, hydra.nextPage)):
            node = g.value(predicate=RDF.type, object=cls)
            if node is not None:
                value = g.value(node, prop)
                return count, (str(value) if value is not None else None)
        return count, None

    def crawl(check: bool) -> tuple[int, int, int]:
        path, pages, datasets, size = f"/catalog.{fmt}", 0, 0, 0
        while path:
            body = get(path)
            pages += 1
            size += len(body)
            if check:
                count, url = read(body)
                datasets += count
            else:  # memory run: only follow the links
                url = read(body)[1]
            if url:
                parts = urlparse(url)
                path = parts.path + ("?" + parts.query if parts.query else "")
            else:
                path = None
        return pages, datasets, size

    first = get(f"/catalog.{fmt}")  # warm-up: imports, caches, Solr
    out = {"setup": setup_name, "what": what, "format": fmt, "page_bytes": len(first),
           "page_datasets": read(first)[0]}
    gc.collect()
    if what == "page":
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            get(f"/catalog.{fmt}")
            times.append(time.perf_counter() - t)
        out.update(seconds=statistics.median(times), all=times)
    elif what == "crawl":
        served[0] = 0.0
        pages, datasets, size = crawl(check=True)
        out.update(seconds=served[0], pages=pages, datasets=datasets, bytes=size)
    elif what in ("page_mem", "crawl_mem"):
        import tracemalloc

        tracemalloc.start()
        if what == "page_mem":
            get(f"/catalog.{fmt}")
            out["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        else:
            # what the server's work on each page adds at its peak (memory already held when the page starts,
            # e.g. garbage of the previous page not collected yet, is not counted; reading the next link is
            # not the feed's memory)
            peaks = []
            path = f"/catalog.{fmt}"
            while path:
                gc.collect()
                start = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                body = get(path)
                peaks.append(tracemalloc.get_traced_memory()[1] - start)
                url = read(body)[1]
                parts = urlparse(url) if url else None
                path = (parts.path + ("?" + parts.query if parts.query else "")) if parts else None
            out["peak_mb"] = max(peaks) / 1e6
            out["median_peak_mb"] = statistics.median(peaks) / 1e6
            gc.collect()
            out["retained_mb"] = tracemalloc.get_traced_memory()[0] / 1e6  # kept by the process after the crawl
        tracemalloc.stop()
    out["rss_mb"] = rss_mb()
    return out


def run(args) -> None:
    whats = ["page", "page_mem"] + ([] if args.no_crawl else ["crawl", "crawl_mem"])
    if args.only:
        whats = [w for w in whats if w in args.only.split(",")]
    results: dict[tuple[str, str], list[dict]] = {}
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)", flush=True)
    for r in range(args.rounds):
        for what in whats:
            for setup_name in ("stock", "grandest"):
                proc = subprocess.run([sys.executable, __file__, "_measure", setup_name, what, str(args.repeat),
                                       args.format],
                                      cwd=REPO, env=env(), capture_output=True, text=True)
                if proc.returncode != 0:
                    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
                    raise SystemExit(f"{setup_name} {what} failed")
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                results.setdefault((setup_name, what), []).append(res)
                extra = (f"{res['seconds']:.3f} s" if "seconds" in res else f"peak {res['peak_mb']:.1f} MB")
                print(f"round {r + 1} {setup_name:8s} {what:9s} {extra}  rss {res['rss_mb']:.0f} MB  "
                      f"{res.get('datasets', res['page_datasets'])} datasets", flush=True)

    def mmm(values: list[float]) -> tuple[float, float, float]:
        return min(values), statistics.median(values), max(values)

    print()
    print(f"load average after: {os.getloadavg()[0]:.2f}; {args.rounds} round(s), stock and grandest interleaved; "
          "ratio = grandest / stock of the same round, min / median / max over the rounds")
    print(f"{'':38s} {'stock med (min-max)':>24s} {'grandest med (min-max)':>24s} {'paired ratio min/med/max':>26s}")
    rows = [("page of 100 datasets (median)", "page", "seconds", "s"),
            ("page: peak Python memory", "page_mem", "peak_mb", "MB"),
            ("page: process peak RSS", "page", "rss_mb", "MB")]
    # crawl_mem: the largest per-page peak over the crawl (reset before each request)
    if not args.no_crawl:
        rows += [("crawl of the whole catalog", "crawl", "seconds", "s"),
                 ("crawl: peak Python memory per page", "crawl_mem", "peak_mb", "MB"),
                 ("crawl: Python memory kept after it", "crawl_mem", "retained_mb", "MB"),
                 ("crawl: process peak RSS", "crawl", "rss_mb", "MB")]
    rows += [("crawl: median page peak Python memory", "crawl_mem", "median_peak_mb", "MB")]
    for label, what, key, unit in rows:
        if (("stock", what) not in results or ("grandest", what) not in results
                or key not in results[("stock", what)][0]):
            continue
        st = [x[key] for x in results[("stock", what)]]
        gr = [x[key] for x in results[("grandest", what)]]
        ratios = [g / s for s, g in zip(st, gr)]  # paired: the two runs of the same round, back to back
        (s0, s1, s2), (g0, g1, g2), (r0, r1, r2) = mmm(st), mmm(gr), mmm(ratios)
        print(f"{label:38s} {s1:9.3f} ({s0:.3f}-{s2:.3f}) {unit:2s} {g1:9.3f} ({g0:.3f}-{g2:.3f}) {unit:2s} "
              f"{r0:7.2f}x {r1:5.2f}x {r2:5.2f}x")
    for setup_name in ("stock", "grandest"):
        if (setup_name, "page") not in results:
            continue
        page = results[(setup_name, "page")][0]
        line = (f"{setup_name} ({args.format}): page 1 = {page['page_datasets']} datasets, "
                f"{page['page_bytes'] / 1e3:.0f} kB")
        if (setup_name, "crawl") in results:
            crawl_res = results[(setup_name, "crawl")][0]
            line += (f"; crawl = {crawl_res['pages']} pages, {crawl_res['datasets']} datasets, "
                     f"{crawl_res['bytes'] / 1e6:.1f} MB")
        print(line)


def main() -> None:
    # every process of the bench (this one included) works on the bench database and Solr core only
    os.environ.update(env())
    if len(sys.argv) > 1 and sys.argv[1] == "_generate":
        generate_worker(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--datasets", type=int, default=10_000)
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--seed", type=int, default=44)
    r = sub.add_parser("run")
    r.add_argument("--repeat", type=int, default=10)
    r.add_argument("--rounds", type=int, default=2)
    r.add_argument("--no-crawl", action="store_true")
    r.add_argument("--format", choices=sorted(RDFLIB), default="ttl")
    r.add_argument("--only", default="", help="comma-separated measures: page,page_mem,crawl,crawl_mem")
    args = ap.parse_args()
    setup(args) if args.cmd == "setup" else run(args)


if __name__ == "__main__":
    main()
