"""Uploads through CKAN 2.12's S3 storage (s3proxy) against the local storage (``ckan.storage_path``), hosting
quotas on, same configuration otherwise (the dev portal's: run `dev/portal` first, it starts s3proxy).

Two CKAN servers (`ckan run`, no reloader, no debugger) run side by side on the dev database (or ``--db``): ``local`` keeps
resource files under a folder of its own, ``s3`` in the bucket ``grandest-bench`` of the dev s3proxy. An
organization with a quota (10 GB storage, 2 GB per file) holds the datasets. For each size, both servers are
started afresh; each round creates a dataset on each server and uploads the file to it with curl (a real
multipart POST streamed from disk), A then B, then B then A on the next round, so machine load hits both alike;
the dataset is purged after each upload (its file leaves the storage). Reported: upload time (min / median /
max), the time ratio s3 / local, and each server's peak RSS (VmHWM) after the size's uploads: flat in file size
means the upload is streamed, never held in memory.

usage: .venv/bin/python bench/upload_bench.py [--sizes 50,200,1024] [--rounds 3] [--kinds local,s3,s3-whole] [--db ckan_dev --redis-db 0 --solr-core ckan_dev]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent
BENCH = ROOT / ".dev" / "bench"
MiB = 1 << 20
RUN = f"{int(time.time()):x}"  # dataset names of this run (a dataset left by an interrupted run is not in the way)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DB = {"name": "ckan_dev", "redis": "0", "core": "ckan_dev"}
#: server kinds: ``local``, ``s3`` and ``s3-whole`` (S3, each upload received whole before it is sent: the option
#: ``ckanext.grandest.onboarding.stream_uploads = false``, as before issue #18's streaming)
KINDS = ("local", "s3", "s3-whole")


def env(kind: str) -> dict[str, str]:
    """The dev portal's services (moved ports followed), and the S3 settings of dev/lib.sh."""
    e = dict(os.environ)
    pg = os.environ.get("GRANDEST_PG_PORT", "54329")
    db = DB["name"]
    e.update({"CKAN_SQLALCHEMY_URL": f"postgresql://ckan_default:pass@127.0.0.1:{pg}/{db}",
              "CKAN_SOLR_URL": f"http://127.0.0.1:{os.environ.get('GRANDEST_SOLR_PORT', '18983')}/solr/{DB['core']}",
              "CKAN_REDIS_URL": f"redis://127.0.0.1:{os.environ.get('GRANDEST_REDIS_PORT', '63799')}/{DB['redis']}",
              "CKAN_SITE_ID": "grandest_dev" if db == "ckan_dev" else f"grandest_bench_{db}", "CKAN_STORAGE_PATH": str(BENCH / f"storage-{kind}"),
              "CKAN_MAX_UPLOAD_SIZE_MB": "2048",
              "CKAN_S3_ENDPOINT": f"http://127.0.0.1:{os.environ.get('GRANDEST_S3_PORT', '18399')}",
              "CKAN_S3_BUCKET": "grandest-bench",
              "CKAN_S3_KEY": os.environ.get("GRANDEST_S3_IDENTITY", "grandest-dev"),
              "CKAN_S3_SECRET": os.environ.get("GRANDEST_S3_CREDENTIAL", "grandest-dev-secret-not-for-production")})
    return e


def write_ini(kind: str) -> Path:
    """dev/portal.ini as is (``s3``), or without its ``ckan.files.storage.*`` options (``local``)."""
    text = (ROOT / "dev" / "portal.ini").read_text(encoding="utf-8").replace("%(here)s", str(ROOT / "dev"))
    if kind == "local":
        text = "\n".join(line for line in text.splitlines() if not line.startswith("ckan.files.storage."))
    if kind == "s3-whole":
        text = text.replace("[app:main]\n", "[app:main]\nckanext.grandest.onboarding.stream_uploads = false\n", 1)
    path = BENCH / f"upload-{kind}.ini"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def wait(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server for {url} exited; see {BENCH}/upload-bench.log")
        try:
            if requests.get(url + "/api/3/action/status_show", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def start(kind: str, log) -> tuple[str, subprocess.Popen]:
    port = free_port()
    (BENCH / f"storage-{kind}").mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([str(VENV / "ckan"), "-c", str(write_ini(kind)), "run", "-H", "127.0.0.1", "-p",
                             str(port), "-r", "-D"], env=env(kind), stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait(url, proc)
    return url, proc


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def profiler(pid: int, size: int, kind: str) -> subprocess.Popen:
    """py-spy (``pip install py-spy``) recording the server's stacks (collapsed format) until stopped."""
    out = BENCH / f"upload-profile-{size}-{kind}.txt"
    spy = subprocess.Popen([str(VENV / "py-spy"), "record", "--pid", str(pid), "--rate", "100", "--format", "raw",
                            "--output", str(out), "--nonblocking"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(2)  # attached before the first upload
    return spy


def summarize_profile(spy: subprocess.Popen, size: int, kind: str, top: int = 12) -> None:
    """Stop py-spy, print the functions that took the most samples (self and inclusive)."""
    spy.send_signal(signal.SIGINT)
    spy.wait(timeout=60)
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in (BENCH / f"upload-profile-{size}-{kind}.txt").read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
                  for f in stack.split(";")]
        samples += n
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            total[f] = total.get(f, 0) + n
    print(f"--- {size} MiB {kind}: {samples} samples at 100 Hz; self / inclusive", file=sys.stderr)
    for name, n in sorted(own.items(), key=lambda x: -x[1])[:top]:
        print(f"  self {100 * n / samples:5.1f}%  {name}", file=sys.stderr)
    for name, n in [x for x in sorted(total.items(), key=lambda x: -x[1]) if x[1] < 0.95 * samples][:top]:
        print(f"  incl {100 * n / samples:5.1f}%  {name}", file=sys.stderr)


def api(base: str, token: str, action: str, **data) -> dict:
    r = requests.post(f"{base}/api/3/action/{action}", json=data, headers={"Authorization": token}, timeout=120)
    body = r.json()
    if not body.get("success"):
        raise SystemExit(f"{action} failed on {base}: {json.dumps(body.get('error'))[:500]}")
    return body["result"]


def data_file(size_mib: int) -> Path:
    path = BENCH / f"upload-{size_mib}MiB.bin"
    if not path.exists() or path.stat().st_size != size_mib * MiB:
        with open(path, "wb") as f:
            for _ in range(size_mib):
                f.write(os.urandom(MiB))
    return path


def upload(base: str, token: str, package_id: str, path: Path) -> float:
    """curl streams the file from disk in a multipart POST (as a browser does); returns the wall time."""
    t0 = time.perf_counter()
    out = subprocess.run(["curl", "-sS", "-o", "-", "-H", f"Authorization: {token}",
                          "-F", f"package_id={package_id}", "-F", "name=Fichier du banc",
                          "-F", f"upload=@{path};filename=donnees.bin;type=application/octet-stream",
                          f"{base}/api/3/action/resource_create"], capture_output=True, timeout=1800)
    elapsed = time.perf_counter() - t0
    body = json.loads(out.stdout or b"{}")
    if not body.get("success"):
        raise SystemExit(f"upload to {base} failed: {out.stdout[:500]!r} {out.stderr[:500]!r}")
    assert body["result"]["size"] == path.stat().st_size, body["result"]
    return elapsed


#: the demo content of dev/portal: its first organization and dataset are the templates of the bench's
DEMO = json.loads((ROOT / "dev" / "demo.json").read_text(encoding="utf-8"))


def dataset(name: str, org_id: str) -> dict:
    d = {k: v for k, v in DEMO["datasets"][0].items() if k != "resources"}
    return {**d, "name": name, "owner_org": org_id}


def bench_token() -> str:
    """An API token of the sysadmin ``banc`` of the bench's database (created through the CLI when missing)."""
    ini = write_ini("local")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(VENV / "ckan"), "-c", str(ini), *args], env=env("local"), capture_output=True,
                              text=True)

    init = cli("db", "init")  # idempotent: the tables of CKAN and of the plugins
    if init.returncode != 0:
        raise SystemExit(f"ckan db init failed on {DB['name']}: {init.stderr[-800:]}")
    if "name=banc" not in cli("user", "show", "banc").stdout:
        cli("user", "add", "banc", "email=banc@datagrandest.example", "password=banc-televersement-2026")
    cli("sysadmin", "add", "banc")
    out = cli("user", "token", "add", "banc", "upload-bench")
    token = out.stdout.strip().splitlines()[-1].strip() if out.stdout.strip() else ""
    if not token:
        raise SystemExit(f"could not make an API token: {out.stderr[-800:]}")
    return token


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="50,200,1024", help="file sizes in MiB")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--db", default="ckan_dev", help="database (and Solr core) to run on; default the dev portal's")
    ap.add_argument("--redis-db", default="0")
    ap.add_argument("--solr-core", default="ckan_dev", help="its own site_id keeps the bench's documents apart")
    ap.add_argument("--profile", action="store_true",
                    help="record each server's on-CPU stacks with py-spy during the measured rounds (slows them: "
                         "a profiling run, not a timed one); writes .dev/bench/upload-profile-<size>-<kind>.txt")
    ap.add_argument("--kinds", default="local,s3",
                    help="servers to compare, among local, s3 (uploads streamed to S3 while received) and "
                         "s3-whole (received whole, then sent: stream_uploads = false); ratios are to the first")
    a = ap.parse_args()
    DB.update(name=a.db, redis=a.redis_db, core=a.solr_core)
    sizes = [int(s) for s in a.sizes.split(",")]
    BENCH.mkdir(parents=True, exist_ok=True)
    log = open(BENCH / "upload-bench.log", "ab")
    token = bench_token()
    kinds = a.kinds.split(",")
    if not set(kinds) <= set(KINDS) or len(kinds) < 2:
        raise SystemExit(f"--kinds: two or more of {', '.join(KINDS)}")
    times: dict[tuple[int, str], list[float]] = {}
    peaks: dict[tuple[int, str], float] = {}
    base_rss: dict[tuple[int, str], float] = {}
    load_before = os.getloadavg()
    org_id = None
    for size in sizes:
        path = data_file(size)
        servers = {k: start(k, log) for k in kinds}
        try:
            urls = {k: v[0] for k, v in servers.items()}
            if org_id is None:
                name = "banc-televersement"
                try:
                    org_id = api(urls[kinds[0]], token, "organization_show", id=name)["id"]
                except SystemExit:
                    org_id = api(urls[kinds[0]], token, "organization_create",
                                 **{**DEMO["organizations"][0], "name": name, "title": "Banc de téléversement"})["id"]
                api(urls[kinds[0]], token, "grandest_quota_update", id=org_id, tier="free", max_storage_mb=10240,
                    max_file_mb=2048)
            for k in kinds:  # warm each server (first request, first upload path) before measuring
                ds = api(urls[k], token, "package_create", **dataset(f"banc-echauffement-{k}-{size}-{RUN}", org_id))
                upload(urls[k], token, ds["id"], data_file(1))
                api(urls[k], token, "dataset_purge", id=ds["id"])
                base_rss[(size, k)] = peak_rss_mib(servers[k][1].pid)
            spies = {k: profiler(servers[k][1].pid, size, k) for k in kinds} if a.profile else {}
            for r in range(a.rounds):
                for k in (kinds if r % 2 == 0 else list(reversed(kinds))):
                    ds = api(urls[k], token, "package_create", **dataset(f"banc-{k}-{size}-{r}-{RUN}", org_id))
                    times.setdefault((size, k), []).append(upload(urls[k], token, ds["id"], path))
                    print(f"{size} MiB {k} round {r}: {times[(size, k)][-1]:.2f} s", file=sys.stderr, flush=True)
                    api(urls[k], token, "dataset_purge", id=ds["id"])
            for k, spy in spies.items():
                summarize_profile(spy, size, k)
            for k in kinds:
                peaks[(size, k)] = peak_rss_mib(servers[k][1].pid)
                print(f"{size} MiB {k}: peak RSS {peaks[(size, k)]:.0f} MiB (after warm-up "
                      f"{base_rss[(size, k)]:.0f})", file=sys.stderr, flush=True)
        finally:
            for _url, proc in servers.values():
                stop(proc)
    load_after = os.getloadavg()
    print(f"{a.rounds} rounds per size, interleaved ({' then '.join(kinds)}, then the reverse); `ckan run` servers, "
          f"quotas on; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}; "
          f"{os.cpu_count()} cores (shared machine)")
    print(f"| size | storage | upload s min / med / max | / {kinds[0]} (median) | server peak RSS MiB (after warm-up) |")
    print("|---|---|---|---|---|")
    for size in sizes:
        for k in kinds:
            t = sorted(times[(size, k)])
            ratio = statistics.median(times[(size, k)]) / statistics.median(times[(size, kinds[0])])
            print(f"| {size} MiB | {k} | {t[0]:.2f} / {statistics.median(t):.2f} / {t[-1]:.2f} | "
                  f"{f'**{ratio:.2f}x**' if k != kinds[0] else ''} | {peaks[(size, k)]:.0f} "
                  f"({base_rss[(size, k)]:.0f}) |")


if __name__ == "__main__":
    main()
