"""CKAN served as in production: uWSGI (dev/serve/uwsgi.ini, several processes and threads) behind nginx
(dev/serve/nginx.conf.in), the configuration dev/portal runs and docs/deploy.md describes.

Both servers are the real ones (pyuwsgi from PyPI, nginx from Debian), started on free 127.0.0.1 ports with the
test's configuration and services.
"""
from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from tests.live import free_port, run_cli, service_env, shared_options, write_ini

ROOT = Path(__file__).resolve().parents[1]
SERVE = ROOT / "dev" / "serve"
sys.path.insert(0, str(SERVE))
import nginx_conf  # noqa: E402  (dev/serve/nginx_conf.py: the same renderer as dev/portal's)
from topology import wait_http  # noqa: E402  (dev/serve/topology.py: one wait for every served portal)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture
def production(clean_db, clean_index, storage, tmp_path, ckan_config, request):
    """uWSGI (2 processes x 4 threads) + nginx on the test's database, index and storage: the portal's URL."""
    assert shutil.which("nginx"), "nginx is installed by dev/setup.sh"
    uwsgi_port, http_port = free_port(), free_port()
    base = f"http://127.0.0.1:{http_port}"
    ini = write_ini(tmp_path / "production.ini",
                    {**shared_options(ckan_config, request.node), "ckan.site_url": base})
    env = service_env(ckan_config)
    env.update({"CKAN_INI": str(ini), "GRANDEST_UWSGI_SOCKET": f"127.0.0.1:{uwsgi_port}",
                "GRANDEST_UWSGI_PROCESSES": "2", "GRANDEST_UWSGI_THREADS": "4"})
    uwsgi_log, nginx_dir = tmp_path / "uwsgi.log", tmp_path / "nginx"
    conf = nginx_conf.render(nginx_dir / "nginx.conf", listen=f"127.0.0.1:{http_port}",
                             uwsgi=f"127.0.0.1:{uwsgi_port}", state=tmp_path, rundir=nginx_dir,
                             logdir=nginx_dir, max_body="110m")
    # webassets are built before the workers start, as docs/deploy.md says (built on first use by concurrent
    # threads, a bundle can be half-written: "Cannot find version of <Bundle ...>")
    built = run_cli(ini, "asset", "build", config=ckan_config)
    assert built.returncode == 0, built.stdout + built.stderr
    uwsgi_bin = Path(sys.executable).with_name("uwsgi")
    with open(uwsgi_log, "wb") as out:
        uwsgi = subprocess.Popen([str(uwsgi_bin), "--ini", str(SERVE / "uwsgi.ini")], stdout=out,
                                 stderr=subprocess.STDOUT, env=env, cwd=str(ROOT), start_new_session=True)
    nginx = subprocess.Popen(["nginx", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        wait_http(base + "/api/3/action/status_show", [uwsgi], [uwsgi_log], timeout=90)
        yield {"url": base, "uwsgi": uwsgi, "log": uwsgi_log}
    finally:
        _stop(nginx)
        _stop(uwsgi)


def test_pages_are_served_by_uwsgi_workers_behind_nginx(production):
    base = production["url"]
    home = requests.get(base + "/", timeout=60)
    assert home.status_code == 200 and home.headers["Server"] == "nginx"
    assert "DataGrandEst" in home.text
    # several worker processes under uWSGI's master (each with its own application: lazy-apps)
    master = psutil.Process(production["uwsgi"].pid)
    workers = [c for c in master.children() if "uwsgi" in " ".join(c.cmdline())]
    assert len(workers) == 2, [c.cmdline() for c in master.children()]
    # no development server, no interactive debugger
    assert requests.get(base + "/console", timeout=60).status_code == 404
    assert "Werkzeug" not in requests.get(base + "/console", timeout=60).text


def test_twenty_parallel_clients_get_every_page_without_an_error(production):
    from ckan.tests import factories

    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], name="budget-primitif")
    base = production["url"]
    urls = [base + p for p in ("/", "/dataset/", "/dataset/budget-primitif", "/catalog.ttl",
                               "/api/3/action/package_search?q=budget")] * 8

    def get(url):
        resp = requests.get(url, timeout=120)
        return url, resp.status_code, resp.text

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(get, urls))
    errors = [(u, s) for u, s, _ in results if s != 200]
    assert errors == [], production["log"].read_text(errors="replace")[-6000:]
    assert all("budget-primitif" in text for u, _, text in results if u.endswith("/dataset/budget-primitif"))
    assert "5xx" not in production["log"].read_text(errors="replace")  # uWSGI logs every 5xx (log-5xx)


def test_an_upload_streams_through_nginx_and_uwsgi_to_the_storage(file_store, production):
    """Once per resource store (``file_store``: local, and S3 on CKAN 2.12), configured before the servers start."""
    from ckan.tests import factories

    user = factories.SysadminWithToken()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"])
    body = b"annee,montant\n" + b"2024,1250000\n" * 200_000  # 2.6 MB
    resp = requests.post(production["url"] + "/api/3/action/resource_create",
                         headers={"Authorization": user["token"]},
                         data={"package_id": dataset["id"], "name": "Budget", "format": "CSV"},
                         files={"upload": ("budget.csv", body, "text/csv")}, timeout=120)
    assert resp.status_code == 200, resp.text[:500]
    res = resp.json()["result"]
    assert res["size"] == len(body)
    assert file_store.read(res["id"]) == body
    # and it is downloaded back through the same servers
    got = requests.get(res["url"].replace("http://test.datagrandest.example", production["url"]), timeout=120)
    assert got.status_code == 200 and got.content == body
