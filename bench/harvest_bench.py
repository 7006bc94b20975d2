#!/usr/bin/env python3
"""Benchmark of DCAT harvesting: grandest_dcat_harvester vs ckanext-dcat's stock dcat_rdf_harvester.

    GRANDEST_TEST_SLOT=4 .venv/bin/python bench/harvest_bench.py [--datasets 1000] [--page-size 100] [--runs 3]

Both harvesters read the SAME feed: ``--datasets`` DCAT-AP records in Turtle, paged by ``--page-size`` with
hydra:PagedCollection as ckanext-dcat serves them (each record: title, description, 3 keywords, a theme, an
INSEE commune, a period, a contact, a licence URL, an EU frequency, 2 distributions). The feed is served on
127.0.0.1 by an ``http.server`` thread of the measuring process.

* stock:    ``dcat_rdf_harvester`` with ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3`` on CKAN's core dataset
            schema (no scheming: DCAT fields kept as extras): what a stock CKAN portal gets, and the lightest
            validation there is;
* grandest: ``grandest_dcat_harvester`` (profile ``grandest_dcat_ap``) on the Grand Est schema with
            grandest_metadata's validators: what DataGrandEst gets.

Each run is a fresh process on an emptied database, index and queue (the test slot's: its database, Solr
core, Redis db and site_id — the same services as the tests; the slot's data is wiped). A run creates the
source, then times one job through the real queue functions on Redis (gather, then every fetch/import, then
``harvest_jobs_run``), then a second job on the unchanged feed (re-harvest). Prints datasets per second and the
ratio grandest / stock (median of the runs).

Same Solr commit setting on both sides (issue #15): ``--solr-commit true`` runs both with CKAN's default
(``ckan.search.solr_commit = true``: the stock harvester commits at every index write; grandest defers its
commits to one at the end of the job), ``--solr-commit false`` runs both with ``ckan.search.solr_commit =
false`` (no side commits per write); ``both`` (the default) does the two, interleaved. Every timed job ends
with its datasets searchable: with ``false``, one explicit Solr commit closes the job on both sides and is
timed. Ratios are paired (grandest / stock of the same run and setting) and given as min / median / max; the
machine load (1-minute average) is printed before and after: the machine may be shared.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

COMMUNES = ["67482", "68066", "57463", "54395", "51454", "68298", "08105", "10387", "52448", "55545", "88160"]
THEMES = ["ECON", "ENVI", "TRAN", "EDUC", "GOVE", "HEAL", "REGI", "SOCI"]
FREQS = ["ANNUAL", "MONTHLY", "WEEKLY", "DAILY", "IRREG", "QUARTERLY"]
LICENCES = ["https://www.etalab.gouv.fr/licence-ouverte-open-licence", "http://www.opendefinition.org/licenses/odc-odbl",
            "http://www.opendefinition.org/licenses/cc-by"]

SETUPS = {
    "stock": {
        "ckan.plugins": "activity harvest dcat dcat_rdf_harvester",
        "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3",
        "source_type": "dcat_rdf",
    },
    "grandest": {
        "ckan.plugins": ("activity harvest dcat scheming_datasets scheming_organizations grandest_metadata "
                         "grandest_dcat_harvester"),
        "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
        "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
        "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
        "licenses_group_url": "",
        "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3",
        "ckanext.grandest.harvest.allow_loopback": "true",
        "source_type": "grandest_dcat",
    },
}


# --- the feed ---------------------------------------------------------------------------------------------
def feed_pages(n: int, page_size: int, base: str) -> dict[str, bytes]:
    head = ("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
            "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> . @prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix schema: <http://schema.org/> .\n")
    pages = {}
    last = (n + page_size - 1) // page_size
    for p in range(1, last + 1):
        out = [head, f'<{base}/catalog.ttl?page={p}> a hydra:PagedCollection ; hydra:totalItems {n} ; '
                     f'hydra:itemsPerPage {page_size} ; hydra:firstPage "{base}/catalog.ttl?page=1" ; '
                     f'hydra:lastPage "{base}/catalog.ttl?page={last}"'
                     + (f' ; hydra:nextPage "{base}/catalog.ttl?page={p + 1}" ; hydra:next "{base}/catalog.ttl?page={p + 1}"'
                        if p < last else "") + " .\n"]
        for i in range((p - 1) * page_size, min(p * page_size, n)):
            c = COMMUNES[i % len(COMMUNES)]
            out.append(f"""
<https://portail.example.org/dataset/jeu-{i:05d}> a dcat:Dataset ;
  dct:identifier "jeu-{i:05d}" ; dct:title "Jeu de données numéro {i}" ;
  dct:description "Description du jeu de données numéro {i} : données publiques d'une collectivité du Grand Est, mises à jour régulièrement." ;
  dcat:keyword "donnees", "collectivite", "jeu{i % 50:02d}" ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/{THEMES[i % len(THEMES)]}> ;
  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/{FREQS[i % len(FREQS)]}> ;
  dct:license <{LICENCES[i % len(LICENCES)]}> ;
  dct:spatial <http://id.insee.fr/geo/commune/{c}> ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "20{10 + i % 14:02d}-01-01"^^xsd:date ; dcat:endDate "20{10 + i % 14:02d}-12-31"^^xsd:date ] ;
  dct:issued "2024-01-02T10:00:00"^^xsd:dateTime ; dct:modified "2024-06-01T10:00:00"^^xsd:dateTime ;
  dcat:contactPoint [ a vcard:Organization ; vcard:fn "Service données" ; vcard:hasEmail <mailto:donnees{i % 7}@example.org> ] ;
  dcat:distribution <https://portail.example.org/dataset/jeu-{i:05d}/resource/1>, <https://portail.example.org/dataset/jeu-{i:05d}/resource/2> .
<https://portail.example.org/dataset/jeu-{i:05d}/resource/1> a dcat:Distribution ; dct:title "Données (CSV)" ;
  dcat:accessURL <https://portail.example.org/files/jeu-{i:05d}.csv> ; dcat:downloadURL <https://portail.example.org/files/jeu-{i:05d}.csv> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ; dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
  dcat:byteSize "{1000 + i}"^^xsd:nonNegativeInteger ; dct:license <{LICENCES[i % len(LICENCES)]}> .
<https://portail.example.org/dataset/jeu-{i:05d}/resource/2> a dcat:Distribution ; dct:title "Notice (PDF)" ;
  dcat:accessURL <https://portail.example.org/files/jeu-{i:05d}.pdf> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/PDF> ; dct:license <{LICENCES[i % len(LICENCES)]}> .
""")
        pages[f"/catalog.ttl?page={p}"] = "".join(out).encode()
    pages["/catalog.ttl"] = pages["/catalog.ttl?page=1"]
    return pages


class Server:
    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _send(self, body: bytes | None):
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return None
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return body

            def do_HEAD(self):  # the stock harvester asks HEAD first
                self._send(srv.pages.get(self.path))

            def do_GET(self):
                body = self._send(srv.pages.get(self.path))
                if body:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


# --- one measured run (in its own process) ----------------------------------------------------------------
class _StatementCounter:
    """SQL statements sent to PostgreSQL while it listens (``BENCH_SQL=1``: the fetch/import phase), by kind:
    the statement's verb and first table (``SELECT package``, ``INSERT activity``, ``COMMIT``...)."""

    def __init__(self) -> None:
        import re

        import sqlalchemy as sa
        from ckan import model

        self.counts: dict[str, int] = {}
        self._engine = model.meta.engine
        self._re = re.compile(r"^\s*(\w+)(?:.*?\b(?:FROM|INTO|UPDATE)\s+\"?(\w+))?", re.S | re.I)
        self._sa = sa
        trace = os.environ.get("BENCH_SQL_TRACE")  # a file: every statement, in order
        self._trace = open(trace, "w") if trace else None
        sa.event.listen(self._engine, "before_cursor_execute", self._statement)
        sa.event.listen(self._engine, "commit", self._commit)
        sa.event.listen(self._engine, "rollback", self._rollback)
        sa.event.listen(self._engine.pool, "connect", self._connect)

    def _add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        m = self._re.match(statement)
        verb = (m.group(1) if m else statement[:10]).upper()
        if verb == "UPDATE":
            table = statement.split(None, 2)[1].strip('"')
        else:
            table = (m.group(2) if m and m.group(2) else "")
        self._add(f"{verb} {table}".strip())
        if self._trace:
            import traceback

            where = [f"{f.filename.split('site-packages/')[-1]}:{f.lineno} {f.name}"
                     for f in traceback.extract_stack()[:-1] if "sqlalchemy" not in f.filename][-4:]
            self._trace.write(" ".join(statement.split())[:100] + "  <- " + " < ".join(reversed(where)) + "\n")

    def _commit(self, conn) -> None:
        self._add("COMMIT")
        if self._trace:
            self._trace.write("COMMIT\n")

    def _connect(self, dbapi_connection, record) -> None:
        self._add("CONNECT")

    def _rollback(self, conn) -> None:
        self._add("ROLLBACK")

    def stop(self) -> None:
        self._sa.event.remove(self._engine, "before_cursor_execute", self._statement)
        self._sa.event.remove(self._engine, "commit", self._commit)
        self._sa.event.remove(self._engine, "rollback", self._rollback)
        self._sa.event.remove(self._engine.pool, "connect", self._connect)


def worker(setup: str, n: int, page_size: int, solr_commit: str = "true", first_only: bool = False) -> dict:
    cfg = dict(SETUPS[setup])
    source_type = cfg.pop("source_type")
    cfg["ckan.search.solr_commit"] = solr_commit
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as ini:
        ini.write("[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:" + str(REPO / "test.ini") + "\n")
        for k, v in cfg.items():
            ini.write(f"{k} = {v}\n")
        test_ini = (REPO / "test.ini").read_text(encoding="utf-8")
        ini.write("\n" + test_ini[test_ini.index("[loggers]"):])  # logging sections are not inherited
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(ini.name)
    make_app(conf)

    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import factories
    from ckan.tests.helpers import reset_db

    from ckanext.harvest import queue

    reset_db()
    for plugin in ("activity", "harvest"):
        _run_migrations(plugin)
    search.clear_all()
    queue.purge_queues()
    if os.environ.get("BENCH_DB_POOL", "null") == "configured":
        # reset_db's migrations re-bind CKAN's session to their own NullPool engine (ckan/migration/env.py
        # calls init_model): a new PostgreSQL connection per transaction. A consumer started normally uses the
        # configured pool (QueuePool): bind it back, as ckan.config.environment does
        from ckan import model
        from sqlalchemy import engine_from_config

        model.init_model(engine_from_config(dict(tk.config)))

    server = Server()
    server.pages = feed_pages(n, page_size, server.base)
    admin = factories.Sysadmin()
    org_data = {"name": "ville-de-strasbourg", "title": "Ville de Strasbourg"}
    if setup == "grandest":
        org_data.update(actor_type="commune", insee_code="67482")
    org = factories.Organization(**org_data)
    ctx = lambda: {"user": admin["name"]}  # noqa: E731
    source = tk.get_action("harvest_source_create")(ctx(), {
        "name": "bench", "title": "Bench", "url": server.base + "/catalog.ttl", "source_type": source_type,
        "owner_org": org["id"]})

    def job() -> dict:
        t0 = time.perf_counter()
        j = tk.get_action("harvest_job_create")(ctx(), {"source_id": source["id"], "run": True})
        gather, fetch = queue.get_gather_consumer(), queue.get_fetch_consumer()
        while True:
            reply = gather.basic_get(queue=queue.get_gather_queue_name())
            if reply[2] is None:
                break
            queue.gather_callback(gather, *reply)
        t1 = time.perf_counter()
        prof = None
        sql = _StatementCounter() if os.environ.get("BENCH_SQL") else None
        cpu0 = time.process_time()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        while True:
            reply = fetch.basic_get(queue=queue.get_fetch_queue_name())
            if reply[2] is None:
                break
            queue.fetch_callback(fetch, *reply)
        cpu_fetch = time.process_time() - cpu0
        if sql is not None:
            sql.stop()
        if prof is not None:
            prof.disable()
            prof.dump_stats(os.environ["BENCH_PROFILE"] + f".{setup}.{time.time():.0f}")
        tk.get_action("harvest_jobs_run")(ctx(), {"source_id": source["id"]})
        if not tk.asbool(solr_commit):
            search.commit()  # searchable at the end of the job, as with commits on: timed on both sides
        t2 = time.perf_counter()
        stats = tk.get_action("harvest_job_show")(ctx(), {"id": j["id"]})["stats"]
        if stats.get("errored") and os.environ.get("BENCH_DEBUG"):
            rep = tk.get_action("harvest_job_report")(ctx(), {"id": j["id"]})
            for obj in list((rep.get("object_errors") or {}).values())[:3]:
                sys.stderr.write(repr(obj)[:2000] + "\n")
        out = {"gather_s": t1 - t0, "import_s": t2 - t1, "total_s": t2 - t0, "stats": stats,
               "fetch_cpu_s": cpu_fetch}
        if sql is not None:
            out["sql"] = sql.counts
        return out

    first = job()
    second = None if first_only else job()
    os.unlink(ini.name)
    return {"setup": setup, "datasets": n, "solr_commit": solr_commit, "first": first, "reharvest": second}


def slot_env() -> dict[str, str]:
    """The environment of a worker: the test slot's (``GRANDEST_TEST_SLOT``) database, Solr core, Redis db."""
    slot = os.environ.get("GRANDEST_TEST_SLOT", "")
    env = dict(os.environ)
    port_pg, port_redis, port_solr = (os.environ.get("GRANDEST_PG_PORT", "54329"),
                                      os.environ.get("GRANDEST_REDIS_PORT", "63799"),
                                      os.environ.get("GRANDEST_SOLR_PORT", "18983"))
    suffix = f"_{slot}" if slot else ""
    env.update({
        "CKAN_SITE_ID": f"grandest_test{suffix}",
        "CKAN_SQLALCHEMY_URL": f"postgresql://ckan_default:pass@127.0.0.1:{port_pg}/ckan_test{suffix}",
        "CKAN_SOLR_URL": f"http://127.0.0.1:{port_solr}/solr/ckan_test{suffix}",
        "CKAN_REDIS_URL": f"redis://127.0.0.1:{port_redis}/{1 + int(slot or 0)}",
    })
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=int, default=1000)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--solr-commit", choices=("both", "true", "false"), default="both")
    ap.add_argument("--first-only", action="store_true",
                    help="time the first harvest only (no re-harvest job), on both sides")
    ap.add_argument("--db-pool", choices=("null", "configured"), default=os.environ.get("BENCH_DB_POOL", "null"),
                    help="null (the default, as the figures before session 7): the NullPool left by reset_db's "
                         "migrations, a new PostgreSQL connection per transaction; configured: the pool of the "
                         "configuration (QueuePool), as a consumer started normally")
    ap.add_argument("--worker", choices=sorted(SETUPS))
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.datasets, args.page_size, args.solr_commit, args.first_only)))
        return
    commits = ("true", "false") if args.solr_commit == "both" else (args.solr_commit,)
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)", flush=True)

    env = slot_env()
    env["BENCH_DB_POOL"] = args.db_pool
    print(f"database pool: {args.db_pool}", flush=True)
    results: dict[tuple[str, str], list[dict]] = {(c, st): [] for c in commits for st in ("stock", "grandest")}
    for r in range(args.runs):
        for commit in commits:
            for setup in ("stock", "grandest"):
                proc = subprocess.run([sys.executable, __file__, "--worker", setup, "--datasets",
                                       str(args.datasets), "--page-size", str(args.page_size), "--solr-commit",
                                       commit] + (["--first-only"] if args.first_only else []),
                                      cwd=REPO, env=env, capture_output=True, text=True)
                if proc.returncode != 0:
                    sys.stderr.write(proc.stderr[-5000:])
                    raise SystemExit(f"{setup} run failed")
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                results[(commit, setup)].append(res)
                f, s = res["first"], res["reharvest"]
                second = (f"re-harvest {s['total_s']:6.1f} s {s['stats']}" if s else "no re-harvest")
                print(f"run {r + 1} solr_commit={commit:5s} {setup:8s}: first {f['total_s']:7.1f} s "
                      f"(gather {f['gather_s']:5.1f} s) {args.datasets / f['total_s']:6.1f} ds/s {f['stats']} | "
                      f"{second}, load {os.getloadavg()[0]:.2f}", flush=True)

    def mmm(values: list[float]) -> str:
        return f"{min(values):6.1f} {statistics.median(values):6.1f} {max(values):6.1f}"

    print(f"\nload average after: {os.getloadavg()[0]:.2f}; {args.runs} run(s) per setting, interleaved")
    print(f"{'':44s} {'stock min/med/max':>20s} {'grandest min/med/max':>21s} {'paired ratio min/med/max':>26s}")
    for commit in commits:
        for key, label in (("first", "first harvest (ds/s)"), ("reharvest", "re-harvest unchanged (ds/s)")):
            if args.first_only and key == "reharvest":
                continue
            st = [args.datasets / r[key]["total_s"] for r in results[(commit, "stock")]]
            gr = [args.datasets / r[key]["total_s"] for r in results[(commit, "grandest")]]
            ratios = [g / s_ for g, s_ in zip(gr, st)]
            print(f"solr_commit={commit:5s} {label:31s} {mmm(st):>20s} {mmm(gr):>21s} "
                  f"{min(ratios):7.2f}x {statistics.median(ratios):5.2f}x {max(ratios):5.2f}x")


if __name__ == "__main__":
    main()
