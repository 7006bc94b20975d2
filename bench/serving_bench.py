"""Production serving (uWSGI 2 x 4 behind nginx, dev/serve/) against CKAN's development server (`ckan run`, as
the dev portal used it), on the same database, index and configuration (the dev portal's: run `dev/portal`
first), with 20 concurrent clients per page; and the same uWSGI behind a second nginx with the cache of
anonymous pages on (dev/serve/nginx.conf.in --cache; dev/portal.ini sets ckan.cache_enabled and
ckan.cache_expires = 60, so CKAN marks anonymous pages public).

The servers run side by side on free ports; for each round, each page is loaded by each of them, one after
the other, in an order that rotates from round to round, so machine load hits them alike. Reports requests/s
and latency p50/p95 (min / median / max over the rounds), errors, the cache's hits, and the load average.

The load comes from wrk (Debian package `wrk`, C, one thread: it takes little CPU from the 2 cores the servers
share) for --seconds per page and server, or, with --generator python, from a pool of Python threads sending
--requests requests (the first runs of this bench; that generator took a good share of the CPU from both sides).

usage: .venv/bin/python bench/serving_bench.py [--rounds 3] [--seconds 10] [--clients 20] [--generator wrk|python]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "dev" / "serve"))
import nginx_conf  # noqa: E402

VENV = Path(sys.executable).parent
CACHED = "uWSGI+nginx+cache"
UWSGI = [2, 4]  # processes, threads (--uwsgi)
GROUPS: dict[str, set[int]] = {}  # server name -> its process groups (for its CPU time)
PAGES = ["/", "/dataset/", "/dataset/qualite-air-grand-est", "/catalog.ttl", "/api/3/action/package_search?q=air"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env() -> dict[str, str]:
    e = dict(os.environ)
    pg = os.environ.get("GRANDEST_PG_PORT", "54329")
    e.update({"CKAN_SQLALCHEMY_URL": f"postgresql://ckan_default:pass@127.0.0.1:{pg}/ckan_dev",
              "CKAN_SOLR_URL": f"http://127.0.0.1:{os.environ.get('GRANDEST_SOLR_PORT', '18983')}/solr/ckan_dev",
              "CKAN_REDIS_URL": f"redis://127.0.0.1:{os.environ.get('GRANDEST_REDIS_PORT', '63799')}/0",
              "CKAN_SITE_ID": "grandest_dev", "CKAN_STORAGE_PATH": str(ROOT / ".dev" / "storage"),
              # dev/portal.ini keeps CKAN 2.12's resource files in the dev s3proxy (dev/lib.sh's settings)
              "CKAN_S3_ENDPOINT": f"http://127.0.0.1:{os.environ.get('GRANDEST_S3_PORT', '18399')}",
              "CKAN_S3_BUCKET": "grandest-dev",
              "CKAN_S3_KEY": os.environ.get("GRANDEST_S3_IDENTITY", "grandest-dev"),
              "CKAN_S3_SECRET": os.environ.get("GRANDEST_S3_CREDENTIAL", "grandest-dev-secret-not-for-production")})
    return e


def wait(url: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def start(tmp: Path) -> tuple[dict[str, str], list[subprocess.Popen]]:
    ini = ROOT / "dev" / "portal.ini"
    procs = []
    dev_port, http_port, uwsgi_port, cached_port = free_port(), free_port(), free_port(), free_port()
    log = open(tmp / "bench-serving.log", "ab")
    procs.append(subprocess.Popen([str(VENV / "ckan"), "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(dev_port)],
                                  env=env(), stdout=log, stderr=log, start_new_session=True))
    e = env()
    e.update({"CKAN_INI": str(ini), "GRANDEST_UWSGI_SOCKET": f"127.0.0.1:{uwsgi_port}",
              "GRANDEST_UWSGI_PROCESSES": str(UWSGI[0]), "GRANDEST_UWSGI_THREADS": str(UWSGI[1])})
    procs.append(subprocess.Popen([str(VENV / "uwsgi"), "--ini", str(ROOT / "dev/serve/uwsgi.ini")], env=e,
                                  stdout=log, stderr=log, start_new_session=True))
    conf = nginx_conf.render(tmp / "bench-nginx" / "nginx.conf", listen=f"127.0.0.1:{http_port}",
                             uwsgi=f"127.0.0.1:{uwsgi_port}", state=tmp / "bench-nginx", rundir=tmp / "bench-nginx",
                             logdir=tmp / "bench-nginx")
    procs.append(subprocess.Popen(["nginx", "-c", str(conf)], stdout=log, stderr=log, start_new_session=True))
    cached = nginx_conf.render(tmp / "bench-nginx-cache" / "nginx.conf", listen=f"127.0.0.1:{cached_port}",
                               uwsgi=f"127.0.0.1:{uwsgi_port}", state=tmp / "bench-nginx-cache",
                               rundir=tmp / "bench-nginx-cache", logdir=tmp / "bench-nginx-cache", cache=True)
    procs.append(subprocess.Popen(["nginx", "-c", str(cached)], stdout=log, stderr=log, start_new_session=True))
    GROUPS.update({"ckan run": {procs[0].pid}, "uWSGI+nginx": {procs[1].pid, procs[2].pid},
                   CACHED: {procs[1].pid, procs[3].pid}})
    urls = {"ckan run": f"http://127.0.0.1:{dev_port}", "uWSGI+nginx": f"http://127.0.0.1:{http_port}",
            CACHED: f"http://127.0.0.1:{cached_port}"}
    for u in urls.values():
        wait(u + "/api/3/action/status_show")
    return urls, procs


def load(base: str, page: str, n: int, clients: int) -> dict[str, float]:
    def one(_):
        t = time.perf_counter()
        try:
            resp = requests.get(base + page, timeout=120)
            ok, hit = resp.status_code == 200, resp.headers.get("X-Cache-Status") == "HIT"
        except requests.RequestException:
            ok = hit = False
        return time.perf_counter() - t, ok, hit

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        res = list(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    lat = sorted(r[0] for r in res)
    return {"rps": n / wall, "seconds": wall, "p50": lat[len(lat) // 2], "p95": lat[int(len(lat) * 0.95) - 1],
            "errors": sum(1 for r in res if not r[1]), "hits": sum(1 for r in res if r[2]) / n}


WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits = 0 end
function response(status, headers, body)
  if headers["X-Cache-Status"] == "HIT" then hits = hits + 1 end
end
function done(summary, latency, requests)
  local h = 0
  for _, t in ipairs(threads) do h = h + t:get("hits") end
  local e = summary.errors
  io.write(string.format('JSON{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "errors": %d, "hits": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e6, latency:percentile(95) / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout, h))
end
"""


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat: the share of the cores in use while a page
    was loaded (servers, Solr, PostgreSQL, nginx and the load generator together)."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = f[3] + f[4]
    return sum(f) - idle, sum(f)


TICK = os.sysconf("SC_CLK_TCK")


def group_cpu(pgids: set[int]) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the processes of the given process groups (a server), and by
    Solr and PostgreSQL (the services both servers share)."""
    own = services = 0.0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            raw = (d / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        f = raw[raw.rindex(")") + 2:].split()
        cpu = (int(f[11]) + int(f[12])) / TICK
        if int(f[2]) in pgids:
            own += cpu
        elif comm in ("java", "postgres"):
            services += cpu
    return own, services


def load_wrk(base: str, page: str, seconds: float, clients: int, script: Path) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "60s", "-s", str(script),
                          base + page], capture_output=True, text=True, check=True).stdout
    r = json.loads(out.split("JSON", 1)[1])
    n = max(r["requests"], 1)
    return {"rps": r["requests"] / r["seconds"], "p50": r["p50"], "p95": r["p95"], "errors": r["errors"],
            "hits": r["hits"] / n, "seconds": r["seconds"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=120)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--pages", help="comma-separated subset of the pages (default: all five)")
    ap.add_argument("--uwsgi", default="2x4", help="uWSGI processes x threads (dev/portal's default: 2x4)")
    ap.add_argument("--generator", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    a = ap.parse_args()
    UWSGI[:] = [int(x) for x in a.uwsgi.split("x")]
    if a.pages:
        PAGES[:] = a.pages.split(",")
    tmp = ROOT / ".dev" / "bench"
    tmp.mkdir(parents=True, exist_ok=True)
    script = tmp / "serving-wrk.lua"
    script.write_text(WRK_SCRIPT)

    def measure(base: str, page: str) -> dict[str, float]:
        if a.generator == "wrk":
            return load_wrk(base, page, a.seconds, a.clients, script)
        return load(base, page, a.requests, a.clients)

    subprocess.run([str(VENV / "ckan"), "-c", str(ROOT / "dev/portal.ini"), "asset", "build"], env=env(),
                   capture_output=True, check=True)
    urls, procs = start(tmp)
    try:
        for base in urls.values():  # warm both (templates, caches) before measuring
            for page in PAGES:
                load(base, page, 10, 5)
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        load_before = os.getloadavg()
        for r in range(a.rounds):
            for page in PAGES:
                items = list(urls.items())
                order = items[r % len(items):] + items[:r % len(items)]
                for name, base in order:
                    c0, g0 = cpu_times(), group_cpu(GROUPS[name])
                    m = measure(base, page)
                    c1, g1 = cpu_times(), group_cpu(GROUPS[name])
                    m["busy"] = (c1[0] - c0[0]) / max(c1[1] - c0[1], 1)
                    n = max(m["rps"] * m.get("seconds", 1), 1)
                    m["cpu_ms"] = (g1[0] - g0[0]) * 1000 / n
                    m["svc_ms"] = (g1[1] - g0[1]) * 1000 / n
                    results.setdefault((page, name), []).append(m)
        load_after = os.getloadavg()
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    amount = f"{a.seconds:g} s" if a.generator == "wrk" else f"{a.requests} requests"
    print(f"uWSGI {a.uwsgi}, generator {a.generator}, {a.clients} clients, {amount} per page and server, {a.rounds} rounds; "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}; {os.cpu_count()} cores")
    print("| page | server | req/s min/med/max | p50 s (median) | p95 s min/med/max | errors | cache hits "
          "| CPU busy (median, of 2 cores) | server CPU ms/request | Solr+PostgreSQL CPU ms/request |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for page in PAGES:
        for name in urls:
            rs = results[(page, name)]
            rps = sorted(x["rps"] for x in rs)
            p95 = sorted(x["p95"] for x in rs)
            print(f"| `{page}` | {name} | {rps[0]:.1f} / {statistics.median(rps):.1f} / {rps[-1]:.1f} | "
                  f"{statistics.median(x['p50'] for x in rs):.2f} | {p95[0]:.2f} / {statistics.median(p95):.2f} / "
                  f"{p95[-1]:.2f} | {sum(x['errors'] for x in rs)} | {statistics.median(x['hits'] for x in rs):.0%} | "
                  f"{statistics.median(x['busy'] for x in rs):.0%} | {statistics.median(x['cpu_ms'] for x in rs):.1f} | "
                  f"{statistics.median(x['svc_ms'] for x in rs):.1f} |")
        b_rps = statistics.median(x["rps"] for x in results[(page, "ckan run")])
        b_p95 = statistics.median(x["p95"] for x in results[(page, "ckan run")])
        for name in ("uWSGI+nginx", CACHED):
            a_rps = statistics.median(x["rps"] for x in results[(page, name)])
            a_p95 = statistics.median(x["p95"] for x in results[(page, name)])
            # the most any server could gain on this machine: ckan run's requests/s if the whole machine did
            # the same work at the same CPU cost (ckan run already keeps `busy` of the cores occupied)
            ceiling = statistics.median(1 / max(x["busy"], 0.01) for x in results[(page, "ckan run")])
            print(f"| `{page}` | **{name} / ckan run** | **{a_rps / b_rps:.2f}x** throughput | | "
                  f"**{a_p95 / b_p95:.2f}x** p95 | | | machine ceiling {ceiling:.2f}x | | |")


if __name__ == "__main__":
    main()
