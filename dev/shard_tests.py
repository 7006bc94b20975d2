"""Splits the suite's test files into N shards of about equal run time, for ``dev/test`` to run side by side
(each shard on its own database, Solr core, Redis db and bucket: a test slot, see ``dev/lib.sh``).

Run times per file come from the newest JUnit reports of earlier runs on this machine
(``.dev/test-results/junit-*.xml``) when there are some, else from ``dev/test-durations.json`` (committed,
refreshed with ``--write``); a file never timed counts as the median file. The split is the classic greedy one:
longest file first, into the shard with the least time so far. Files keep the suite's order inside a shard.

usage: python dev/shard_tests.py N [REPORT.xml ...]      -> N lines, the files of each shard
       python dev/shard_tests.py --write REPORT.xml ...  -> rewrites dev/test-durations.json from reports
"""
from __future__ import annotations

import json
import statistics
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATIONS = ROOT / "dev" / "test-durations.json"


def test_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_*.py"))


def file_of(classname: str) -> str:
    """``tests.validation.test_views.TestReportPage`` -> ``tests/validation/test_views.py``."""
    parts = classname.split(".")
    while parts and parts[-1][:1].isupper():
        parts.pop()
    return "/".join(parts) + ".py"


def read_reports(paths: list[str]) -> dict[str, float]:
    times: dict[str, float] = {}
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            continue
        for case in root.iter("testcase"):
            name = file_of(case.get("classname", ""))
            times[name] = times.get(name, 0.0) + float(case.get("time") or 0)
    return times


def split(files: list[str], times: dict[str, float], n: int) -> list[list[str]]:
    known = [times[f] for f in files if f in times]
    default = statistics.median(known) if known else 1.0
    cost = {f: times.get(f, default) for f in files}
    shards: list[list[str]] = [[] for _ in range(n)]
    load = [0.0] * n
    for f in sorted(files, key=lambda f: -cost[f]):
        i = load.index(min(load))
        shards[i].append(f)
        load[i] += cost[f]
    order = {f: k for k, f in enumerate(files)}
    return [sorted(s, key=order.get) for s in shards]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"]:
        times = read_reports(argv[1:])
        if not times:
            print("no test case in these reports", file=sys.stderr)
            return 1
        DURATIONS.write_text(json.dumps({f: round(t, 1) for f, t in sorted(times.items())}, indent=1) + "\n")
        return 0
    n = int(argv[0])
    times = read_reports(argv[1:])
    if not times and DURATIONS.exists():
        times = json.loads(DURATIONS.read_text())
    for shard in split(test_files(), times, n):
        print(" ".join(shard))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
