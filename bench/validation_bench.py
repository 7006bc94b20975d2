"""Benchmark of the validation engine against plain frictionless and a csv.reader floor.

Usage (from the repository root, with the project venv)::

    .venv/bin/python bench/validation_bench.py                 # 1,000,000 rows x 8 columns
    .venv/bin/python bench/validation_bench.py --x4            # + the same file 4x bigger (memory flatness)
    .venv/bin/python bench/validation_bench.py --schema        # + runs with a Table Schema
    .venv/bin/python bench/validation_bench.py --rows 100000 --repeat 3

Each measurement runs in a fresh subprocess that reports its own wall time and peak RSS (``ru_maxrss``), so
imports and caches of one run never help another. Generated files go to ``--dir`` (default
``/tmp/grandest-validation-bench``) and are reused when already there.

Fast path (issue #15)::

    .venv/bin/python bench/validation_bench.py --fast --repeat 5             # 1M x 8 + SCDL Subventions 200k
    .venv/bin/python bench/validation_bench.py --fast --flat                 # + peak RSS at 250k, 1M, 4M rows

``--fast`` runs, **interleaved in each round** (the order rotates from round to round), the csv.reader floor,
plain ``frictionless.validate`` with the Table Schema, the engine on its reference path
(``Limits(fast_path=False)``) and the engine with the columnar fast path, and prints CPU time, wall time and
peak RSS as min/median/max, and the per-round ratios (fast / floor, fast / frictionless, fast / reference) as
min/median/max. Targets: fast ≤ 3× the floor and ≤ 0.3× frictionless on 1M × 8; ≤ 0.5× frictionless on
SCDL Subventions 200k rows; peak RSS flat from 250k to 4M rows.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADER = ["id", "nom", "code_commune", "date", "montant", "quantite", "actif", "commentaire"]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "nom", "type": "string", "constraints": {"required": True}},
        {"name": "code_commune", "type": "string", "constraints": {"pattern": "^\\d{5}$"}},
        {"name": "date", "type": "date"},
        {"name": "montant", "type": "number", "constraints": {"minimum": 0}},
        {"name": "quantite", "type": "integer", "constraints": {"minimum": 0, "maximum": 1000}},
        {"name": "actif", "type": "boolean"},
        {"name": "commentaire", "type": "string"},
    ]
}


SIRETS = ["21670482500019", "21680269400010", "21670482500035", "21673001200014", "21570463400014"]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def generate_subventions(path: Path, rows: int) -> Path:
    """SCDL « Subventions » (valid): SIRET columns repeat a handful of distinct values, as in real files."""
    if path.exists():
        return path
    sirets = [s for s in SIRETS if _luhn_ok(s)]
    rnd = random.Random(15)
    header = ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
              "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
              "datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention", "dispositifAide"]
    tmp = path.with_suffix(".part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            writer.writerow([
                "Commune de Sélestat", sirets[0], f"20{rnd.randint(18, 25)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                f"DEL-{i}", f"Association n°{rnd.randint(1, 300)}", rnd.choice(sirets), "",
                rnd.choice(["Fonctionnement", "Projet culturel", "Manifestation sportive", "Investissement"]),
                f"{rnd.randint(100, 90000)}.{rnd.randint(0, 99):02d}",
                rnd.choice(["aide en numéraire", "aide en nature"]), rnd.choice(["unique", "échelonné"]),
                f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}", "", rnd.choice(["oui", "non"]),
                f"0.{rnd.randint(1, 99):02d}", "",
            ])
    tmp.rename(path)
    return path


def generate(path: Path, rows: int) -> Path:
    if path.exists():
        return path
    rnd = random.Random(42)
    comments = ["", "RAS", "à vérifier", "ok", "Réunion du conseil, séance publique"]
    tmp = path.with_suffix(".part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow([
                i,
                f"Commune {rnd.randint(1, 5000)}",
                f"{rnd.randint(1000, 99999):05d}",
                f"20{rnd.randint(10, 24)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                f"{rnd.random() * 10000:.2f}",
                rnd.randint(0, 500),
                rnd.choice(["true", "false"]),
                rnd.choice(comments),
            ])
    tmp.rename(path)
    return path


# Each runner: (imports, timed body). Imports are excluded from the timings: a worker imports once.
RUNNERS = {
    "csv.reader": ("import csv", """
        n = 0
        with open(PATH, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                n += 1
        result = {"rows": n - 1}
    """),
    "frictionless": ("import frictionless\nfrom ckanext.grandest.validation.engine import schemas", """
        descriptor = schemas.load_schema(SCHEMA) if isinstance(SCHEMA, str) else SCHEMA
        kwargs = ({"schema": frictionless.Schema.from_descriptor(schemas.table_schema_descriptor(descriptor))}
                  if descriptor else {})
        with frictionless.system.use_context(trusted=True):  # absolute paths are "not safe" otherwise
            report = frictionless.validate(PATH, **kwargs)
        assert not report.errors or report.flatten(["type"])[0] != ["resource-error"], report.flatten(["note"])
        result = {"valid": report.valid, "errors": report.stats["errors"]}
    """),
    "engine": ("from ckanext.grandest.validation.engine import Limits, score_resource, validate_file", """
        report = validate_file(PATH, schema=SCHEMA, limits=Limits(fast_path=FAST))
        score = score_resource(report, resource={"format": "CSV"})
        result = {"status": report["status"], "rows": report["table"].get("rows"),
                  "errors": report["error_count"], "score": score["total"], "timings": report["timings"],
                  "path": report.get("validation_path")}
    """),
}

PROLOGUE = """
import json, resource, sys, time
PATH = sys.argv[1]
SCHEMA = json.loads(sys.argv[2])
FAST = sys.argv[3] == "fast"
"""
START = """
started, cpu_started = time.perf_counter(), time.process_time()
"""
EPILOGUE = """
wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
print(json.dumps({"wall": wall, "cpu": cpu, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "result": result}))
"""


def run(kind: str, path: Path, schema: dict | str | None, fast: bool = False) -> dict:
    imports, body = RUNNERS[kind]
    code = PROLOGUE + imports + "\n" + START + textwrap.dedent(body) + EPILOGUE
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), json.dumps(schema), "fast" if fast else "reference"],
        check=True, capture_output=True, text=True, env=env, cwd=str(REPO),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarize(kind: str, runs: list[dict]) -> dict:
    walls = [r["wall"] for r in runs]
    return {
        "kind": kind,
        "wall": statistics.median(walls),
        "wall_min": min(walls),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "maxrss_mb": max(r["maxrss_mb"] for r in runs),
        "result": runs[-1]["result"],
    }


def measure(kind: str, path: Path, schema: dict | None, repeat: int) -> dict:
    return summarize(kind, [run(kind, path, schema) for _ in range(repeat)])


def measure_pair(path: Path, schema: dict | None, repeat: int) -> tuple[dict, dict, float]:
    """Interleave plain and engine runs (same machine load for both); returns the median paired ratio."""
    plain_runs, engine_runs = [], []
    for _ in range(repeat):
        plain_runs.append(run("frictionless", path, schema))
        engine_runs.append(run("engine", path, schema))
    ratios = [e["wall"] / p["wall"] for p, e in zip(plain_runs, engine_runs, strict=True)]
    cpu_ratios = [e["cpu"] / p["cpu"] for p, e in zip(plain_runs, engine_runs, strict=True)]
    engine = summarize("engine", engine_runs)
    engine["cpu_ratio"] = statistics.median(cpu_ratios)
    return summarize("frictionless", plain_runs), engine, statistics.median(ratios)


# -------------------------------------------------------------------------------------------------------
# Fast path (issue #15): floor, frictionless, engine reference path, engine fast path, interleaved
# -------------------------------------------------------------------------------------------------------

CONTENDERS = [("floor", "csv.reader", False), ("frictionless", "frictionless", False),
              ("reference", "engine", False), ("fast", "engine", True)]


def _mmm(values: list[float]) -> str:
    return f"{min(values):6.2f} / {statistics.median(values):6.2f} / {max(values):6.2f}"


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} (1 min) / {five:.1f} (5 min), {os.cpu_count()} CPUs"


def fast_series(label: str, path: Path, schema: dict | str, repeat: int, contenders: list[tuple] | None = None) -> dict:
    contenders = contenders or CONTENDERS
    runs: dict[str, list[dict]] = {name: [] for name, _k, _f in contenders}
    loads = []
    for round_no in range(repeat):
        order = contenders[round_no % len(contenders):] + contenders[:round_no % len(contenders)]
        loads.append(os.getloadavg()[0])
        for name, kind, fast in order:
            runs[name].append(run(kind, path, None if kind == "csv.reader" else schema, fast))
    size_mb = path.stat().st_size / 1e6
    print(f"\n== {label}: {path.name}, {size_mb:.1f} MB, {repeat} interleaved rounds, "
          f"load 1 min during rounds {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs")
    print(f"  {'contender':<14} {'CPU s min/med/max':<26} {'wall s min/med/max':<26} peak RSS MB max")
    for name in runs:
        rs = runs[name]
        print(f"  {name:<14} {_mmm([r['cpu'] for r in rs]):<26} {_mmm([r['wall'] for r in rs]):<26} "
              f"{max(r['maxrss_mb'] for r in rs):7.1f}")
    ratios = {}
    if "fast" in runs:
        for other in [n for n in runs if n != "fast"]:
            cpu = [f["cpu"] / o["cpu"] for f, o in zip(runs["fast"], runs[other], strict=True)]
            wall = [f["wall"] / o["wall"] for f, o in zip(runs["fast"], runs[other], strict=True)]
            ratios[other] = {"cpu": cpu, "wall": wall}
            print(f"  fast / {other:<12} CPU {_mmm(cpu)}   wall {_mmm(wall)}  (per round)")
        print(f"  fast path: {runs['fast'][-1]['result'].get('path')}, status {runs['fast'][-1]['result'].get('status')},"
              f" errors {runs['fast'][-1]['result'].get('errors')}")
    if "reference" in runs:
        same = runs["fast"][-1]["result"]["errors"] == runs["reference"][-1]["result"]["errors"]
        print(f"  same error count on both engine paths: {same}")
    return {"label": label, "rows": runs, "ratios": ratios, "loads": loads}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--x4", action="store_true", help="also run on a file 4x bigger (memory flatness)")
    parser.add_argument("--schema", action="store_true", help="also run with a Table Schema")
    parser.add_argument("--fast", action="store_true", help="fast path series (issue #15), interleaved")
    parser.add_argument("--flat", action="store_true", help="with --fast: peak RSS of the fast path, 250k-4M rows")
    parser.add_argument("--subv-rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1, help="paired runs per measurement (median)")
    parser.add_argument("--x4-repeat", type=int, default=1, help="paired runs on the 4x file")
    parser.add_argument("--dir", default="/tmp/grandest-validation-bench")
    parser.add_argument("--json", help="write the raw figures to this file")
    args = parser.parse_args()

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    if args.fast:
        print(f"machine load before: {load()}")
        series = [
            fast_series(f"{args.rows:,} rows x 8, Table Schema", generate(folder / f"bench-{args.rows}.csv", args.rows),
                        SCHEMA, args.repeat),
            fast_series(f"SCDL Subventions {args.subv_rows:,} rows",
                        generate_subventions(folder / f"subventions-{args.subv_rows}.csv", args.subv_rows),
                        "scdl/subventions", args.repeat),
        ]
        if args.flat:
            for rows in (250_000, 1_000_000, 4_000_000):
                series.append(fast_series(f"flatness {rows:,} rows", generate(folder / f"bench-{rows}.csv", rows),
                                          SCHEMA, 1, [("floor", "csv.reader", False), ("fast", "engine", True)]))
        print(f"machine load after: {load()}")
        if args.json:
            Path(args.json).write_text(json.dumps(series, indent=2), encoding="utf-8")
        return 0
    sizes = [args.rows] + ([args.rows * 4] if args.x4 else [])
    modes: list[tuple[str, dict | None]] = [("inferred", None)] + ([("schema", SCHEMA)] if args.schema else [])
    figures = []
    for rows in sizes:
        path = generate(folder / f"bench-{rows}.csv", rows)
        size_mb = path.stat().st_size / 1e6
        print(f"\n== {rows:,} rows x {len(HEADER)} columns, {size_mb:.1f} MB ({path})")
        repeat = args.repeat if rows == args.rows else args.x4_repeat
        floor = measure("csv.reader", path, None, repeat)
        print(f"  {'csv.reader (floor)':<34} {floor['wall']:7.2f} s  {floor['maxrss_mb']:7.1f} MB"
              f"  cpu {floor['cpu']:.2f} s")
        figures.append({"rows": rows, "mode": "-", **floor})
        for mode, schema in modes:
            plain, engine, ratio = measure_pair(path, schema, repeat)
            engine["ratio"] = ratio
            figures += [{"rows": rows, "mode": mode, **plain}, {"rows": rows, "mode": mode, **engine}]
            label = f"frictionless.validate ({mode})"
            print(f"  {label:<34} {plain['wall']:7.2f} s  {plain['maxrss_mb']:7.1f} MB  cpu {plain['cpu']:.2f} s"
                  f"  ({plain['wall'] / floor['wall']:.1f}x floor)")
            print(f"  {'engine (' + mode + ')':<34} {engine['wall']:7.2f} s  {engine['maxrss_mb']:7.1f} MB"
                  f"  cpu {engine['cpu']:.2f} s  -> {ratio:.2f}x frictionless wall, {engine['cpu_ratio']:.2f}x cpu"
                  f" (medians of paired runs)")
            print(f"  {'':<34} {engine['result'].get('status')} score={engine['result'].get('score')}"
                  f" timings={engine['result'].get('timings')}")
    if args.x4:
        print("\n== memory flatness (peak RSS, 4x rows / 1x rows)")
        for kind in ("csv.reader", "frictionless", "engine"):
            for mode in ("-", "inferred", "schema"):
                pair = [f for f in figures if f["kind"] == kind and f["mode"] == mode]
                if len(pair) == 2:
                    rss = pair[1]["maxrss_mb"] / pair[0]["maxrss_mb"]
                    print(f"  {kind:<14} {mode:<9} {pair[0]['maxrss_mb']:7.1f} MB -> {pair[1]['maxrss_mb']:7.1f} MB"
                          f"  (x{rss:.2f}); wall x{pair[1]['wall'] / pair[0]['wall']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
