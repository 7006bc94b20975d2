#!/usr/bin/env python3
"""Deterministic measures of a first harvest, stock vs grandest: SQL statements and CPU time per record.

    GRANDEST_TEST_SLOT=4 .venv/bin/python bench/harvest_statements.py [--datasets 40] [--page-size 20] \
        [--solr-commit false] [--by-kind]

Runs ``bench/harvest_bench.py``'s worker (same feed, same settings, a fresh process on the emptied test slot)
for each side with ``BENCH_SQL=1``: every statement sent to PostgreSQL during the fetch/import phase (every
``fetch_callback``, the batched indexing included) is counted through SQLAlchemy's ``before_cursor_execute``
event, by verb and first table, with the transactions' COMMIT/ROLLBACK. Also prints the CPU time of the
measuring process in that phase (``time.process_time``: the Python work of the import, not PostgreSQL's or
Solr's). Statement counts do not depend on the machine's load; CPU time a little (caches).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harvest_bench  # noqa: E402


def run(setup: str, args: argparse.Namespace) -> dict:
    env = harvest_bench.slot_env()
    env["BENCH_SQL"] = "1"
    env["BENCH_DB_POOL"] = args.db_pool
    proc = subprocess.run([sys.executable, harvest_bench.__file__, "--worker", setup, "--datasets",
                           str(args.datasets), "--page-size", str(args.page_size), "--solr-commit",
                           args.solr_commit, "--first-only"], cwd=harvest_bench.REPO, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-5000:])
        raise SystemExit(f"{setup} run failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=int, default=40)
    ap.add_argument("--page-size", type=int, default=20)
    ap.add_argument("--solr-commit", choices=("true", "false"), default="false")
    ap.add_argument("--by-kind", action="store_true", help="statements per record by verb and table")
    ap.add_argument("--setups", default="stock,grandest")
    ap.add_argument("--db-pool", choices=("null", "configured"), default="null",
                    help="as harvest_bench.py's --db-pool (null: a new connection per transaction)")
    args = ap.parse_args()
    n = args.datasets
    results = {setup: run(setup, args) for setup in args.setups.split(",")}
    for setup, res in results.items():
        first = res["first"]
        sql = first["sql"]
        total = sum(v for k, v in sql.items() if k not in ("COMMIT", "ROLLBACK", "CONNECT"))
        print(f"{setup:8s}: {total / n:6.1f} statements/record, {sql.get('COMMIT', 0) / n:4.1f} commits/record, "
              f"{sql.get('ROLLBACK', 0) / n:4.1f} rollbacks/record, {sql.get('CONNECT', 0) / n:4.1f} new connections/record, "
              f"fetch/import CPU "
              f"{1000 * first['fetch_cpu_s'] / n:6.1f} ms/record, wall {1000 * first['import_s'] / n:6.1f} "
              f"ms/record, {first['stats']}")
    if args.by_kind:
        kinds = sorted({k for res in results.values() for k in res["first"]["sql"]})
        print(f"\n{'per record':40s}" + "".join(f"{s:>10s}" for s in results))
        for k in kinds:
            print(f"{k:40s}" + "".join(f"{res['first']['sql'].get(k, 0) / n:10.2f}" for res in results.values()))


if __name__ == "__main__":
    main()
