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

Stock and grandest alternate in blocks of ``--block`` calls in the same process. For the stock blocks the plugin
is unloaded AND its SQLAlchemy session hooks (after_commit, after_transaction_end, before_flush,
after_flush_postexec, attached by ``ledger.listen()`` and ``deletions.listen()``) are removed, so that stock pays none of its work; they
are attached again for the grandest blocks (issue #15).

The plugin's own work is timed along its whole path in each grandest call: the quota uploader's ``upload()``
(ledger and dataset locks, usage reads, the limited write of the file, the ``grandest_stored_file`` upsert,
the dataset sync), the IPackageController / IResourceController hooks and the session hooks, nested calls
counted once. The stock side's ``upload()`` (CKAN's uploader writing the same file) is timed the same way:
the plugin's extra cost is its whole path minus the stock upload.
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
}  # stock = grandest with grandest_onboarding unloaded, in the same process (see child())
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


def child(levels: list[int], samples: int, block: int) -> dict:
    """One run, in this (fresh) process. Stock and grandest are measured in alternating blocks of ``block``
    calls in the same process, on the same organization, so that the load of the machine (other test runs on
    the same PostgreSQL and Solr) weighs on both alike: the plugin is unloaded for the stock blocks and loaded
    again for the grandest ones (``ckan.plugins.unload/load``, as CKAN's own test fixtures do; untimed)."""
    from werkzeug.datastructures import FileStorage

    import ckan.plugins as p
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    storage = STORAGE / "run"
    shutil.rmtree(storage, ignore_errors=True)
    storage.mkdir(parents=True)
    conf = load_config(str(REPO / "test.ini"))
    conf.update(SETUPS["grandest"])
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

    def use(setup: str) -> None:
        loaded = p.plugin_loaded("grandest_onboarding")
        if setup == "grandest" and not loaded:
            p.load("grandest_onboarding")
        elif setup == "stock" and loaded:
            p.unload("grandest_onboarding")
        hooks_on(setup == "grandest")

    # The plugin's whole path, per resource_create (see the module's docstring): every entry point of
    # grandest_onboarding into the call, nested calls counted once; and the uploader's upload() on both sides.
    from sqlalchemy import event

    from ckan import model
    from ckan.lib import uploader as uploader_mod
    from ckanext.grandest.onboarding import deletions as deletions_mod
    from ckanext.grandest.onboarding import ledger as ledger_mod
    from ckanext.grandest.onboarding import plugin as plugin_mod

    ledger_time = {"s": 0.0, "depth": 0}  # the plugin's path (grandest side)
    upload_time = {"s": 0.0, "depth": 0}  # the uploader's upload() (both sides)

    def timed(fn, acc, flush=True):
        def wrapper(*a, **kw):
            if acc["depth"] == 0 and flush:
                model.Session.flush()  # core's pending writes (done at commit anyway) are not ours to count
            acc["depth"] += 1
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                acc["depth"] -= 1
                if acc["depth"] == 0:
                    acc["s"] += time.perf_counter() - t
        return wrapper

    # IPackageController / IResourceController hooks of the plugin
    for name in ("create", "edit", "before_resource_create"):
        setattr(plugin_mod.OnboardingPlugin, name, timed(getattr(plugin_mod.OnboardingPlugin, name), ledger_time))

    # the uploaders: CKAN's (stock) and ours (grandest), whichever the version and storage pick
    get_uploader = uploader_mod.get_resource_uploader

    def get_timed_uploader(data_dict):
        up = get_uploader(data_dict)
        if up is not None:
            fn = timed(up.upload, upload_time)
            if p.plugin_loaded("grandest_onboarding"):
                fn = timed(fn, ledger_time)
            up.upload = fn
        return up

    uploader_mod.get_resource_uploader = get_timed_uploader

    # the session hooks: attached by the plugin's configure(); replaced by timed ones (in their modules, so that a
    # later configure() attaches the timed ones), attached for the grandest blocks only
    hooks = [(ledger_mod, "after_commit", "_after_commit"), (ledger_mod, "after_transaction_end", "_after_transaction_end"),
             (deletions_mod, "before_flush", "note_deletions"), (deletions_mod, "after_flush_postexec", "release_noted")]
    timed_hooks = []
    for mod, ev, attr in hooks:
        fn = getattr(mod, attr)
        if event.contains(model.Session, ev, fn):
            event.remove(model.Session, ev, fn)
        setattr(mod, attr, timed(fn, ledger_time, flush=False))
        timed_hooks.append((ev, getattr(mod, attr)))

    def hooks_on(on: bool) -> None:
        for ev, fn in timed_hooks:
            if on and not event.contains(model.Session, ev, fn):
                event.listen(model.Session, ev, fn)
            elif not on and event.contains(model.Session, ev, fn):
                event.remove(model.Session, ev, fn)

    out: dict = {"levels": {}}
    with flask_app.test_request_context():
        helpers.reset_db()
        for plugin in SETUPS["grandest"]["ckan.plugins"].split():  # plugins' own tables (activity, ours)
            _run_migrations(plugin)
        search.clear_all()
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        ctx = lambda: {"user": site_user["name"], "ignore_auth": True}  # noqa: E731
        org = tk.get_action("organization_create")(ctx(), {"name": "commune-de-schirmeck",
                                                            "title": "Commune de Schirmeck"})
        # a tier with limits (never reached here): the full enforcement path runs on every upload
        tk.get_action("grandest_quota_update")(ctx(), {"id": org["id"], "tier": "free", "max_storage_mb": 102400,
                                                       "max_datasets": 100000, "max_file_mb": 10})
        filled = 0
        n_ds = 0
        for level in levels:
            use("grandest")  # the organization grows with the plugin on, as it would in production
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
            targets = {setup: tk.get_action("package_create")(ctx(), {"name": f"mesure-{setup}-{level}",
                                                                       "owner_org": org["id"]})
                       for setup in SETUPS}
            times: dict = {setup: {"upload": [], "link": []} for setup in SETUPS}
            ledger_ms: dict = {"upload": [], "link": []}
            upload_ms: dict = {setup: [] for setup in SETUPS}
            done = 0
            while done < samples:
                n = min(block, samples - done)
                for setup in ("stock", "grandest") if (done // block) % 2 == 0 else ("grandest", "stock"):
                    use(setup)
                    for i in range(done, done + n):
                        ledger_time["s"] = upload_time["s"] = 0.0
                        t = time.perf_counter()
                        tk.get_action("resource_create")(ctx(), {
                            "package_id": targets[setup]["id"], "name": f"envoi {i}", "url": "data.csv",
                            "upload": upload(SAMPLE, "data.csv")})
                        times[setup]["upload"].append(time.perf_counter() - t)
                        upload_ms[setup].append(upload_time["s"] * 1000)
                        if setup == "grandest":
                            ledger_ms["upload"].append(ledger_time["s"] * 1000)
                        ledger_time["s"] = 0.0
                        t = time.perf_counter()
                        tk.get_action("resource_create")(ctx(), {
                            "package_id": targets[setup]["id"], "name": f"lien {i}",
                            "url": f"https://data.example.org/{i}.csv"})
                        times[setup]["link"].append(time.perf_counter() - t)
                        if setup == "grandest":
                            ledger_ms["link"].append(ledger_time["s"] * 1000)
                done += n
            filled += 2 * samples  # the measured uploads grow the organization too
            out["levels"][str(level)] = {setup: {k: summary(v) for k, v in times[setup].items()}
                                         for setup in SETUPS}
            out["levels"][str(level)]["fill_s"] = fill_s
            out["levels"][str(level)]["ledger_ms"] = {k: statistics.median(v) for k, v in ledger_ms.items()}
            out["levels"][str(level)]["upload_ms"] = {k: statistics.median(v) for k, v in upload_ms.items()}
            use("grandest")
            out["levels"][str(level)]["ledger"] = tk.get_action("grandest_quota_show")(
                ctx(), {"id": org["id"]})["usage"]
            print(f"level {level} done", file=sys.stderr, flush=True)
    shutil.rmtree(storage, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slot", type=int, default=int(os.environ.get("GRANDEST_TEST_SLOT") or 2))
    ap.add_argument("--levels", default="10,100,1000,5000")
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--block", type=int, default=5, help="calls per block before switching configuration")
    ap.add_argument("--rounds", type=int, default=1, help="independent runs (fresh process and database)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    if args.child:
        print("RESULT " + json.dumps(child(levels, args.samples, args.block)))
        return 0

    env = slot_env(args.slot)
    load_before = os.getloadavg()[0]
    runs: list[dict] = []
    for n in range(args.rounds):
        proc = subprocess.run([sys.executable, __file__, "--child", "--levels", args.levels, "--samples",
                               str(args.samples), "--block", str(args.block)], env=env, cwd=REPO,
                              capture_output=True, text=True)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            print(proc.stdout[-3000:], proc.stderr[-5000:], file=sys.stderr)
            return 1
        runs.append(json.loads(line[7:]))
        print(f"run {n + 1}: done", file=sys.stderr)

    print(f"load average before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    print(f"levels: {levels}; per level and configuration: {args.samples} uploads (4 KiB) + {args.samples} links, "
          f"in alternating blocks of {args.block}; runs: {args.rounds}")
    print(f"{'resources in org':>16} {'kind':<7}{'stat':<7}{'stock ms':>10}{'grandest ms':>13}{'ratio':>8}")
    for level in levels:
        for kind in ("upload", "link"):
            for stat in ("median", "p95"):
                ratios = []
                for run in runs:
                    r = run["levels"][str(level)]
                    ratios.append((r["stock"][kind][stat], r["grandest"][kind][stat]))
                s_ms = statistics.median(x for x, _ in ratios)
                g_ms = statistics.median(y for _, y in ratios)
                print(f"{level:>16} {kind:<7}{stat:<7}{s_ms:>10.1f}{g_ms:>13.1f}{g_ms / s_ms:>7.3f}x")
    print("the plugin's whole path inside each grandest resource_create (uploader incl. the file write, locks, "
          "usage reads, stored-file upsert, sync, hooks, session hooks), median ms; the stock uploader's "
          "upload() (same file written by CKAN); the difference, and its share of the stock call:")
    for level in levels:
        for kind in ("upload", "link"):
            own = statistics.median(run["levels"][str(level)]["ledger_ms"][kind] for run in runs)
            stock = statistics.median(run["levels"][str(level)]["stock"][kind]["median"] for run in runs)
            if kind == "upload":
                st_up = statistics.median(run["levels"][str(level)]["upload_ms"]["stock"] for run in runs)
                gr_up = statistics.median(run["levels"][str(level)]["upload_ms"]["grandest"] for run in runs)
                extra = own - st_up
                print(f"{level:>16} {kind:<7} plugin path {own:7.2f} ms (its upload() {gr_up:.2f} ms, hooks "
                      f"{own - gr_up:.2f} ms), stock upload() {st_up:6.2f} ms: extra {extra:6.2f} ms = "
                      f"{100 * extra / stock:.1f} % of the {stock:.0f} ms stock call")
            else:
                print(f"{level:>16} {kind:<7} plugin path {own:7.2f} ms = {100 * own / stock:.1f} % of the "
                      f"{stock:.0f} ms stock call")
    for level in levels:
        print(f"ledger after level {level}: {runs[-1]['levels'][str(level)]['ledger']}, "
              f"filling took {runs[-1]['levels'][str(level)]['fill_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
