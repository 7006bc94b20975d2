#!/usr/bin/env python3
"""Benchmark of grandest_onboarding's quota enforcement against stock CKAN resource creation.

    .venv/bin/python bench/onboarding_bench.py [--slot 2] [--levels 10,100,1000,5000] [--samples 30] [--rounds 2]

Uses the database, Solr core and Redis db of test slot ``--slot`` (``ckan_test_<slot>``, emptied: the ones
``GRANDEST_TEST_SLOT=<slot> dev/test`` uses) on the dev services. Each configuration runs in its own fresh
process, calling the actions through the Flask app in-process (no HTTP server: only CKAN's work is timed):

* stock:    ``ckan.plugins = activity``: CKAN's own uploader (global ``ckan.max_resource_size`` only);
* grandest: ``ckan.plugins = activity grandest_onboarding``, the organization on a tier with limits, so every
  upload takes the ledger row lock, counts its bytes while writing and updates the ledger.

One organization grows to each level of ``--levels`` resources (uploaded files of 512 bytes, 50 per dataset,
through ``package_update``); at each level, ``--samples`` ``resource_create`` calls upload a 4 KiB CSV and as
many create a link, into a fresh dataset of that organization. Reported: median and 95th percentile (ms) per
level, and the ratio grandest / stock (target <= 1.05x, constant as the organization grows).
Figures: bench/README-onboarding.md.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PG_PORT = os.environ.get("GRANDEST_PG_PORT", "54329")
SOLR_PORT = os.environ.get("GRANDEST_SOLR_PORT", "18983")
REDIS_PORT = os.environ.get("GRANDEST_REDIS_PORT", "63799")
STORAGE = Path("/tmp/grandest-onboarding-bench")

SETUPS = {
    "stock": {"ckan.plugins": "activity"},
    "grandest": {"ckan.plugins": "activity grandest_onboarding"},
}
PER_DATASET = 50
FILLER = b"annee;montant\n" + b"2026;1000\n" * 48  # 512 bytes
SAMPLE = b"code_insee;nom;population\n" + b"67448;Schirmeck;2115\n" * 190  # ~4 KiB


def slot_env(slot: int) -> dict[str, str]:
    env = dict(os.environ)
    env["CKAN_SQLALCHEMY_URL"] = f"postgresql://ckan_default:pass@127.0.0.1:{PG_PORT}/ckan_test_{slot}"
    env["CKAN_SOLR_URL"] = f"http://127.0.0.1:{SOLR_PORT}/solr/ckan_test_{slot}"
    env["CKAN_REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/{1 + slot}"
    env["CKAN_SITE_ID"] = f"grandest_test_{slot}"
    return env


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"median": statistics.median(ms), "p95": pct(ms, 95), "n": len(ms)}


def child(setup: str, levels: list[int], samples: int) -> dict:
    """One configuration, in this (fresh) process."""
    from werkzeug.datastructures import FileStorage

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    storage = STORAGE / setup
    shutil.rmtree(storage, ignore_errors=True)
    storage.mkdir(parents=True)
    conf = load_config(str(REPO / "test.ini"))
    conf.update(SETUPS[setup])
    conf["ckan.site_url"] = "http://bench.datagrandest.example"
    conf["ckan.views.default_views"] = ""
    conf["ckan.storage_path"] = str(storage)
    app = make_app(conf)
    flask_app = app._wsgi_app  # type: ignore[attr-defined]

    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    def upload(data: bytes, name: str) -> FileStorage:
        return FileStorage(io.BytesIO(data), filename=name, content_type="text/csv")

    out: dict = {"levels": {}}
    with flask_app.test_request_context():
        helpers.reset_db()
        for plugin in SETUPS[setup]["ckan.plugins"].split():  # plugins' own tables (activity, ours)
            _run_migrations(plugin)
        search.clear_all()
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        ctx = lambda: {"user": site_user["name"], "ignore_auth": True}  # noqa: E731
        org = tk.get_action("organization_create")(ctx(), {"name": "commune-de-schirmeck",
                                                            "title": "Commune de Schirmeck"})
        if setup == "grandest":  # a tier with limits (never reached here): the full enforcement path runs
            tk.get_action("grandest_quota_update")(ctx(), {"id": org["id"], "tier": "free",
                                                           "max_storage_mb": 102400, "max_datasets": 100000,
                                                           "max_file_mb": 10})
        filled = 0
        n_ds = 0
        for level in levels:
            t0 = time.perf_counter()
            while filled < level:
                batch = min(PER_DATASET, level - filled)
                n_ds += 1
                pkg = tk.get_action("package_create")(ctx(), {"name": f"stock-{n_ds}", "owner_org": org["id"]})
                # core uploads files in package_update (not package_create): 50 files in one call
                tk.get_action("package_update")(ctx(), dict(pkg, resources=[
                    {"name": f"fichier {i}", "url": f"f{i}.csv", "upload": upload(FILLER, f"f{i}.csv")}
                    for i in range(batch)]))
                filled += batch
            fill_s = time.perf_counter() - t0
            n_ds += 1
            target = tk.get_action("package_create")(ctx(), {"name": f"mesure-{level}", "owner_org": org["id"]})
            up, link = [], []
            for i in range(samples):
                t = time.perf_counter()
                tk.get_action("resource_create")(ctx(), {"package_id": target["id"], "name": f"envoi {i}",
                                                         "url": "data.csv", "upload": upload(SAMPLE, "data.csv")})
                up.append(time.perf_counter() - t)
                t = time.perf_counter()
                tk.get_action("resource_create")(ctx(), {"package_id": target["id"], "name": f"lien {i}",
                                                         "url": f"https://data.example.org/{i}.csv"})
                link.append(time.perf_counter() - t)
            filled += samples  # the measured uploads grow the organization too
            out["levels"][str(level)] = {"upload": summary(up), "link": summary(link), "fill_s": fill_s}
            if setup == "grandest":
                q = tk.get_action("grandest_quota_show")(ctx(), {"id": org["id"]})
                out["levels"][str(level)]["ledger"] = q["usage"]
            print(f"{setup}: level {level} done", file=sys.stderr, flush=True)
    shutil.rmtree(storage, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slot", type=int, default=int(os.environ.get("GRANDEST_TEST_SLOT") or 2))
    ap.add_argument("--levels", default="10,100,1000,5000")
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2, help="alternate stock/grandest this many times")
    ap.add_argument("--child", choices=list(SETUPS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    if args.child:
        print("RESULT " + json.dumps(child(args.child, levels, args.samples)))
        return 0

    env = slot_env(args.slot)
    results: dict[str, list[dict]] = {k: [] for k in SETUPS}
    for n in range(args.rounds):
        for setup in ("stock", "grandest"):
            proc = subprocess.run([sys.executable, __file__, "--child", setup, "--levels", args.levels,
                                   "--samples", str(args.samples)], env=env, cwd=REPO, capture_output=True,
                                  text=True)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if proc.returncode or line is None:
                print(proc.stdout[-3000:], proc.stderr[-5000:], file=sys.stderr)
                return 1
            results[setup].append(json.loads(line[7:]))
            print(f"round {n + 1} {setup}: done", file=sys.stderr)

    def best(setup: str, level: int, kind: str, stat: str) -> float:
        return min(r["levels"][str(level)][kind][stat] for r in results[setup])

    print(f"levels: {levels}, samples per level: {args.samples} uploads + {args.samples} links, "
          f"rounds: {args.rounds} (best round shown)")
    print(f"{'resources in org':>16} {'kind':<7}{'stat':<7}{'stock ms':>10}{'grandest ms':>13}{'ratio':>8}")
    for level in levels:
        for kind in ("upload", "link"):
            for stat in ("median", "p95"):
                s, g = best("stock", level, kind, stat), best("grandest", level, kind, stat)
                print(f"{level:>16} {kind:<7}{stat:<7}{s:>10.1f}{g:>13.1f}{g / s:>7.3f}x")
    last = results["grandest"][-1]["levels"][str(levels[-1])].get("ledger")
    print(f"ledger at the end (grandest): {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
