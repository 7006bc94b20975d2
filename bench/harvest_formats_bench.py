#!/usr/bin/env python3
"""Benchmark of the new harvest source formats: CSW (ISO 19139) and JSON-LD, grandest vs stock ckanext-dcat.

    GRANDEST_TEST_SLOT=6 .venv/bin/python bench/harvest_formats_bench.py [--datasets 1000] [--page-size 100] \
        [--runs 3] [--formats csw,jsonld] [--solr-commit both|true|false]

* ``jsonld``: the same JSON-LD catalogue (flat ``@graph``, ``--page-size`` records a page, Hydra paging written
  both as ``hydra:PagedCollection``/``nextPage`` and ``hydra:PartialCollectionView``/``next`` so both harvesters
  follow it) for ckanext-dcat's stock ``dcat_rdf`` harvester and for ``grandest_dcat``;
* ``csw``: ``grandest_dcat`` reads a GeoNetwork-like CSW service (GetRecords pages of ISO 19139 records,
  ``nextRecord`` paging, source configuration ``{"format": "csw", "csw_page_size": N}``). ckanext-spatial (the
  stock CSW harvester) is not installed: the stock side is ``dcat_rdf`` reading **the same records** as one
  DCAT RDF/XML file (each ISO record mapped by ckanext/grandest/harvest/iso19139.py, serialized by rdflib).

Same settings on both sides (test.ini's), and the same Solr commit setting (issues #15, #17):
``--solr-commit true`` runs both with CKAN's default ``ckan.search.solr_commit = true`` (stock commits at every
index write; the grandest harvester defers its commits to one at the end of the job by itself, see
bench/README-harvest.md), ``--solr-commit false`` runs both without per-write commits; ``both`` (the default)
does the two. Every timed job ends with its records searchable: with ``false`` one explicit Solr commit closes
the job on both sides and is timed. Setups interleaved (stock, grandest, stock, grandest…), each run a fresh
process on the test slot's emptied database, Solr core and Redis queue (the slot's data is wiped). Times one
job through the real queue functions. Prints records per second, min/median/max over the runs, the paired
ratios (grandest / stock of the same run, format and setting) as min/median/max, and the load average before
and after.
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
from urllib.parse import parse_qsl, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import harvest_bench  # noqa: E402  (SETUPS and the slot's environment, shared with the DCAT benchmark)

CTX = {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
       "vcard": "http://www.w3.org/2006/vcard/ns#", "hydra": "http://www.w3.org/ns/hydra/core#"}
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


# --- feeds ------------------------------------------------------------------------------------------------
def jsonld_pages(n: int, size: int, base: str) -> dict[str, tuple[bytes, str]]:
    pages = {}
    last = (n + size - 1) // size
    for p in range(1, last + 1):
        url = f"{base}/catalog.jsonld?page={p}"
        view = {"@id": url, "@type": ["hydra:PartialCollectionView", "hydra:PagedCollection"],
                "hydra:totalItems": n}
        if p < last:
            view.update({"hydra:next": {"@id": f"{base}/catalog.jsonld?page={p + 1}"},
                         "hydra:nextPage": f"{base}/catalog.jsonld?page={p + 1}"})
        graph: list[dict] = [view]
        for i in range((p - 1) * size, min(p * size, n)):
            uri = f"https://portail.example.org/dataset/jeu-{i:05d}"
            graph.append({
                "@id": uri, "@type": "dcat:Dataset", "dct:identifier": f"jeu-{i:05d}",
                "dct:title": f"Jeu de données numéro {i}",
                "dct:description": f"Description du jeu de données numéro {i} : données publiques d'une collectivité.",
                "dcat:keyword": ["donnees", "collectivite", f"jeu{i % 50:02d}"],
                "dct:license": {"@id": LICENCE},
                "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": "Service données",
                                      "vcard:hasEmail": {"@id": f"mailto:donnees{i % 7}@example.org"}},
                "dcat:distribution": [{"@id": f"{uri}/resource/1", "@type": "dcat:Distribution",
                                       "dct:title": "Données (CSV)", "dct:format": "CSV",
                                       "dcat:downloadURL": {"@id": f"https://portail.example.org/files/jeu-{i:05d}.csv"}},
                                      {"@id": f"{uri}/resource/2", "@type": "dcat:Distribution",
                                       "dct:title": "Service WMS", "dct:format": "OGC:WMS",
                                       "dcat:accessURL": {"@id": "https://portail.example.org/wms"}}],
            })
        pages[f"/catalog.jsonld?page={p}"] = (json.dumps({"@context": CTX, "@graph": graph}).encode(),
                                               "application/ld+json")
    pages["/catalog.jsonld"] = pages["/catalog.jsonld?page=1"]
    return pages


def iso_record(i: int) -> str:
    cs = lambda v: f"<gco:CharacterString>{v}</gco:CharacterString>"  # noqa: E731
    return f"""<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">
<gmd:fileIdentifier>{cs(f"iso-{i:05d}")}</gmd:fileIdentifier>
<gmd:identificationInfo><gmd:MD_DataIdentification>
<gmd:citation><gmd:CI_Citation><gmd:title>{cs(f"Couche géographique numéro {i}")}</gmd:title>
<gmd:date><gmd:CI_Date><gmd:date><gco:Date>2024-01-02</gco:Date></gmd:date><gmd:dateType><gmd:CI_DateTypeCode codeListValue="publication"/></gmd:dateType></gmd:CI_Date></gmd:date>
</gmd:CI_Citation></gmd:citation>
<gmd:abstract>{cs(f"Résumé de la couche numéro {i} publiée par un service SIG du Grand Est.")}</gmd:abstract>
<gmd:pointOfContact><gmd:CI_ResponsibleParty><gmd:organisationName>{cs("Service SIG")}</gmd:organisationName>
<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address><gmd:electronicMailAddress>{cs(f"sig{i % 7}@example.org")}</gmd:electronicMailAddress></gmd:CI_Address></gmd:address></gmd:CI_Contact></gmd:contactInfo>
<gmd:role><gmd:CI_RoleCode codeListValue="pointOfContact"/></gmd:role></gmd:CI_ResponsibleParty></gmd:pointOfContact>
<gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword>{cs("donnees")}</gmd:keyword><gmd:keyword>{cs(f"couche{i % 50:02d}")}</gmd:keyword></gmd:MD_Keywords></gmd:descriptiveKeywords>
<gmd:resourceConstraints><gmd:MD_Constraints><gmd:useLimitation>{cs("Licence Ouverte 2.0")}</gmd:useLimitation></gmd:MD_Constraints></gmd:resourceConstraints>
<gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>
<gmd:westBoundLongitude><gco:Decimal>5.1</gco:Decimal></gmd:westBoundLongitude><gmd:eastBoundLongitude><gco:Decimal>7.2</gco:Decimal></gmd:eastBoundLongitude>
<gmd:southBoundLatitude><gco:Decimal>47.5</gco:Decimal></gmd:southBoundLatitude><gmd:northBoundLatitude><gco:Decimal>49.1</gco:Decimal></gmd:northBoundLatitude>
</gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>
</gmd:MD_DataIdentification></gmd:identificationInfo>
<gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions><gmd:MD_DigitalTransferOptions>
<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://sig.example.org/wms</gmd:URL></gmd:linkage><gmd:protocol>{cs("OGC:WMS")}</gmd:protocol><gmd:name>{cs(f"couche_{i}")}</gmd:name></gmd:CI_OnlineResource></gmd:onLine>
<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://sig.example.org/files/couche-{i:05d}.zip</gmd:URL></gmd:linkage><gmd:protocol>{cs("WWW:DOWNLOAD-1.0-http--download")}</gmd:protocol><gmd:name>{cs("Archive")}</gmd:name></gmd:CI_OnlineResource></gmd:onLine>
</gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>
</gmd:MD_Metadata>
"""


def csw_pages(n: int, size: int) -> dict[int, bytes]:
    out = {}
    for start in range(1, n + 1, size):
        count = min(size, n - start + 1)
        nxt = start + count if start + count <= n else 0
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<csw:GetRecordsResponse '
                'xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults '
                f'numberOfRecordsMatched="{n}" numberOfRecordsReturned="{count}" nextRecord="{nxt}">'
                + "".join(iso_record(i) for i in range(start - 1, start - 1 + count))
                + "</csw:SearchResults></csw:GetRecordsResponse>")
        out[start] = body.encode()
    return out


def csw_as_dcat_rdfxml(pages: dict[int, bytes]) -> bytes:
    """The same records as one DCAT RDF/XML file (the stock harvester's side of the CSW comparison)."""
    import rdflib
    from lxml import etree

    from ckanext.grandest.harvest import iso19139

    g = rdflib.Graph()
    for body in pages.values():
        for md in iso19139.records(etree.fromstring(body)):
            iso19139.to_graph(md, g)
    return g.serialize(format="xml").encode()


class Server:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.csw: dict[int, bytes] = {}
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _send(self):
                parts = urlsplit(self.path)
                found = srv.pages.get(self.path)
                if found is None and parts.path == "/csw":
                    start = int(dict(parse_qsl(parts.query)).get("startPosition", "1"))
                    found = (srv.csw[start], "application/xml") if start in srv.csw else None
                if found is None:
                    self.send_response(404)
                    self.end_headers()
                    return None
                self.send_response(200)
                self.send_header("Content-Type", found[1])
                self.send_header("Content-Length", str(len(found[0])))
                self.end_headers()
                return found[0]

            def do_HEAD(self):  # the stock harvester asks HEAD first
                self._send()

            def do_GET(self):
                body = self._send()
                if body:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


# --- one measured run (in its own process) ----------------------------------------------------------------
def worker(setup: str, fmt: str, n: int, size: int, solr_commit: str = "true") -> dict:
    cfg = dict(harvest_bench.SETUPS[setup])
    source_type = cfg.pop("source_type")
    cfg["ckan.search.solr_commit"] = solr_commit
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as ini:
        ini.write("[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:" + str(REPO / "test.ini") + "\n")
        for k, v in cfg.items():
            ini.write(f"{k} = {v}\n")
        test_ini = (REPO / "test.ini").read_text(encoding="utf-8")
        ini.write("\n" + test_ini[test_ini.index("[loggers]"):])
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    make_app(load_config(ini.name))
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

    server = Server()
    config = None
    if fmt == "jsonld":
        server.pages = jsonld_pages(n, size, server.base)
        url = server.base + "/catalog.jsonld"
    elif setup == "grandest":
        server.csw = csw_pages(n, size)
        url, config = server.base + "/csw", json.dumps({"format": "csw", "csw_page_size": size})
    else:
        server.pages = {"/catalog.rdf": (csw_as_dcat_rdfxml(csw_pages(n, size)), "application/rdf+xml")}
        url = server.base + "/catalog.rdf"
    admin = factories.Sysadmin()
    org_data = {"name": "ville-de-strasbourg", "title": "Ville de Strasbourg"}
    if setup == "grandest":
        org_data.update(actor_type="commune", insee_code="67482")
    org = factories.Organization(**org_data)
    ctx = lambda: {"user": admin["name"]}  # noqa: E731
    data = {"name": "bench", "title": "Bench", "url": url, "source_type": source_type, "owner_org": org["id"]}
    if config:
        data["config"] = config
    source = tk.get_action("harvest_source_create")(ctx(), data)

    t0 = time.perf_counter()
    j = tk.get_action("harvest_job_create")(ctx(), {"source_id": source["id"], "run": True})
    gather, fetch = queue.get_gather_consumer(), queue.get_fetch_consumer()
    while (reply := gather.basic_get(queue=queue.get_gather_queue_name()))[2] is not None:
        queue.gather_callback(gather, *reply)
    t1 = time.perf_counter()
    while (reply := fetch.basic_get(queue=queue.get_fetch_queue_name()))[2] is not None:
        queue.fetch_callback(fetch, *reply)
    tk.get_action("harvest_jobs_run")(ctx(), {"source_id": source["id"]})
    if not tk.asbool(solr_commit):
        search.commit()  # searchable at the end of the job, as with commits on: timed on both sides
    t2 = time.perf_counter()
    stats = tk.get_action("harvest_job_show")(ctx(), {"id": j["id"]})["stats"]
    found = tk.get_action("package_search")(ctx(), {"q": "*:*", "rows": 0})["count"]
    os.unlink(ini.name)
    return {"gather_s": t1 - t0, "total_s": t2 - t0, "stats": stats, "searchable": found,
            "solr_commit": solr_commit}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=int, default=1000)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--formats", default="csw,jsonld")
    ap.add_argument("--solr-commit", choices=("both", "true", "false"), default="both")
    ap.add_argument("--worker", nargs=2, metavar=("SETUP", "FORMAT"))
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.datasets, args.page_size, args.solr_commit)))
        return
    commits = ("false", "true") if args.solr_commit == "both" else (args.solr_commit,)
    slot = os.environ.get("GRANDEST_TEST_SLOT", "")
    suffix = f"_{slot}" if slot else ""
    env = dict(os.environ)
    env.update({
        "CKAN_SITE_ID": f"grandest_test{suffix}",
        "CKAN_SQLALCHEMY_URL": f"postgresql://ckan_default:pass@127.0.0.1:"
                               f"{os.environ.get('GRANDEST_PG_PORT', '54329')}/ckan_test{suffix}",
        "CKAN_SOLR_URL": f"http://127.0.0.1:{os.environ.get('GRANDEST_SOLR_PORT', '18983')}/solr/ckan_test{suffix}",
        "CKAN_REDIS_URL": f"redis://127.0.0.1:{os.environ.get('GRANDEST_REDIS_PORT', '63799')}/{1 + int(slot or 0)}",
    })
    formats = args.formats.split(",")
    print(f"load average before: {os.getloadavg()} ({os.cpu_count()} CPUs)", flush=True)
    rates: dict[tuple[str, str, str], list[float]] = {}
    for r in range(args.runs):
        for commit in commits:
            for fmt in formats:
                for setup in ("stock", "grandest"):
                    proc = subprocess.run([sys.executable, __file__, "--worker", setup, fmt, "--datasets",
                                           str(args.datasets), "--page-size", str(args.page_size),
                                           "--solr-commit", commit], cwd=REPO, env=env,
                                          capture_output=True, text=True)
                    if proc.returncode != 0:
                        sys.stderr.write(proc.stderr[-5000:])
                        raise SystemExit(f"{setup} {fmt} run failed")
                    res = json.loads(proc.stdout.strip().splitlines()[-1])
                    rate = args.datasets / res["total_s"]
                    rates.setdefault((commit, fmt, setup), []).append(rate)
                    print(f"run {r + 1} solr_commit={commit:5s} {fmt:6s} {setup:8s}: {res['total_s']:7.1f} s "
                          f"(gather {res['gather_s']:5.1f} s) {rate:6.2f} records/s {res['stats']} "
                          f"searchable={res['searchable']} load={os.getloadavg()[0]:.1f}", flush=True)
    print(f"\nload average after: {os.getloadavg()}; {args.runs} run(s) per setting, interleaved")
    fm = lambda v: f"{min(v):.2f}/{statistics.median(v):.2f}/{max(v):.2f}"  # noqa: E731
    print(f"{'records/s':24s} {'stock min/med/max':>20s} {'grandest min/med/max':>22s} "
          f"{'paired ratio min/med/max':>26s}")
    for commit in commits:
        for fmt in formats:
            s, g = rates[(commit, fmt, "stock")], rates[(commit, fmt, "grandest")]
            ratios = [g_ / s_ for g_, s_ in zip(g, s)]
            print(f"solr_commit={commit:5s} {fmt:6s} {fm(s):>20s} {fm(g):>22s} "
                  f"{min(ratios):10.2f}x {statistics.median(ratios):5.2f}x {max(ratios):5.2f}x")


if __name__ == "__main__":
    main()
