#!/usr/bin/env python3
"""Benchmark of the territorial referential (ckanext.grandest.common.referential).

    .venv/bin/python bench/referential_bench.py [--runs 7] [--queries 20000] [--seed 44]

Measures, in fresh processes (cold: nothing loaded; the OS file cache is warm):
  import of the package, first lookup (loads communes/EPCI/départements), first search
  (builds the autocompletion index), first geometry (loads the outlines);
then, in this process (warm): lookups by INSEE code, by SIREN, territory(), geometry,
and autocompletion latency over realistic queries (name prefixes typed letter by letter,
with and without accents, "st"/"ste" abbreviations, postcode and INSEE-code prefixes).
No CKAN, no service. Prints a table.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

COLD = r"""
import json, time
t0 = time.perf_counter()
from ckanext.grandest.common import referential as ref
t1 = time.perf_counter()
ref.commune("67482")
t2 = time.perf_counter()
ref.search_communes("stras")
t3 = time.perf_counter()
ref.commune("67482").geometry
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first lookup (load)": t2 - t1,
                  "first search (index)": t3 - t2, "first geometry (load)": t4 - t3,
                  "total": t4 - t0}))
"""


def cold(runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for _ in range(runs):
        res = subprocess.run([sys.executable, "-c", COLD], cwd=REPO, capture_output=True, text=True,
                             check=True)
        for k, v in json.loads(res.stdout.strip().splitlines()[-1]).items():
            out.setdefault(k, []).append(v)
    return out


def per_call(fn, args, repeat: int = 1) -> list[float]:
    """Latency of each call, in seconds (includes ~50 ns of timer overhead)."""
    clock = time.perf_counter_ns
    times = []
    for _ in range(repeat):
        for a in args:
            t = clock()
            fn(a)
            times.append((clock() - t) / 1e9)
    return times


def batched(fn, args, repeat: int) -> float:
    """Mean time per call over tight loops, in seconds."""
    t = time.perf_counter()
    for _ in range(repeat):
        for a in args:
            fn(a)
    return (time.perf_counter() - t) / (repeat * len(args))


def queries(ref, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    communes = ref.communes()
    out: list[str] = []
    while len(out) < n:
        c = rng.choice(communes)
        kind = rng.random()
        if kind < 0.55:  # typed letter by letter, as an autocomplete widget sends it
            name = c.name
            if rng.random() < 0.5:
                name = ref.fold(name)  # no accents, no capitals, spaces for hyphens
            if rng.random() < 0.3:
                name = name.replace("Saint-", "St ").replace("Sainte-", "Ste-").replace("saint ", "st ")
            out.extend(name[:k] for k in range(1, min(len(name), 12) + 1))
        elif kind < 0.75:  # postcode typed digit by digit
            pc = rng.choice(c.postcodes)
            out.extend(pc[:k] for k in range(2, 6))
        elif kind < 0.85:  # INSEE code
            out.extend(c.code[:k] for k in (2, 3, 5))
        elif kind < 0.95:  # two words, any order
            words = ref.fold(c.name).split()
            if len(words) >= 2:
                out.append(" ".join(w[:4] for w in reversed(words[:2])))
        else:  # misses
            out.append(rng.choice(["zzz", "qwerty", "99999", "paris", "lyon 69000", "x" * 300]))
    return out[:n]


def fmt_us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="cold processes to start (default 7)")
    ap.add_argument("--queries", type=int, default=20000, help="autocompletion queries (default 20000)")
    ap.add_argument("--seed", type=int, default=44)
    args = ap.parse_args()

    rows: list[tuple[str, str, str, str]] = []  # what, p50/mean, p95, note

    c = cold(args.runs)
    for k, v in c.items():
        rows.append((f"cold: {k}", fmt_ms(statistics.median(v)), fmt_ms(max(v)),
                     f"median / max of {args.runs} processes"))

    from ckanext.grandest.common import referential as ref

    communes = ref.communes()
    ref.search_communes("x"), communes[0].geometry  # warm up
    codes = [x.code for x in communes]
    sirens = [x.siren for x in communes]
    keys = [x.key for x in communes] + [e.key for e in ref.epcis()] + ["departement:67", "region:44"]

    for label, fn, data in [
        ("commune(code)", ref.commune, codes),
        ("commune_by_siren(siren)", ref.commune_by_siren, sirens),
        ("territory(key)", ref.territory, keys),
        ("is_small_commune(code)", ref.is_small_commune, codes),
    ]:
        mean = batched(fn, data, 20)
        lat = per_call(fn, data, 3)
        rows.append((label, fmt_us(mean), fmt_us(pct(lat, 95)), f"mean / p95, {len(data):,} keys"))

    lat = per_call(lambda c: c.geometry, communes[::5])
    rows.append(("commune.geometry", fmt_us(pct(lat, 50)), fmt_us(pct(lat, 95)),
                 "p50 / p95, GeoJSON parsed per call"))
    lat = per_call(lambda c: c.wkt, communes[::5])
    rows.append(("commune.wkt", fmt_us(pct(lat, 50)), fmt_us(pct(lat, 95)), "p50 / p95"))

    qs = queries(ref, args.queries, args.seed)
    lat = per_call(lambda q: ref.search_communes(q, 10), qs)
    rows.append(("search_communes(q, 10)", fmt_us(pct(lat, 50)), fmt_us(pct(lat, 95)),
                 f"p50 / p95 over {len(qs):,} queries; p99 {fmt_us(pct(lat, 99))}, max {fmt_us(max(lat))}"))
    one = [q for q in qs if len(q) <= 2]
    lat1 = per_call(lambda q: ref.search_communes(q, 10), one)
    rows.append(("  1-2 character queries", fmt_us(pct(lat1, 50)), fmt_us(pct(lat1, 95)),
                 f"p50 / p95 over {len(one):,} queries"))

    header = ("what", "p50/mean", "p95/max", "note")
    width = [max(len(r[i]) for r in [*rows, header]) for i in range(4)]
    print(f"Python {sys.version.split()[0]}, {len(communes):,} communes")
    print("  ".join(h.ljust(w) for h, w in zip(header, width, strict=True)))
    print("  ".join("-" * w for w in width))
    for r in rows:
        print(f"{r[0].ljust(width[0])}  {r[1].rjust(width[1])}  {r[2].rjust(width[2])}  {r[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
