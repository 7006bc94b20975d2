"""Fixtures of the grandest_validation plugin tests (real PostgreSQL, Solr, Redis and CKAN worker).

Every test of this folder (the engine's own tests in ``engine/`` excepted) runs with the Grand Est schemas,
grandest_metadata and grandest_validation loaded, a regional admin named ``regional-admin`` and
``allow_loopback`` on (the SSRF test turns it off). ``run_worker()`` runs the REAL worker,
``ckan jobs worker grandest:validation --burst``, in a subprocess on this test slot's database, Solr core
and Redis db, with the same plugins and storage folder as the test; ``start_worker()`` starts one that keeps
running (to be killed by the test); ``slow_server`` serves a CSV slowly (a job that lasts).
"""
from __future__ import annotations

import csv
import http.server
import io
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.live import CKAN, ROOT, run_cli, service_env, shared_options, write_ini

HERE = Path(__file__).parent
ENGINE_TESTS = HERE / "engine"
QUEUE = "grandest:validation"
REGIONAL = "regional-admin"

PLUGINS = "activity scheming_datasets scheming_organizations grandest_metadata grandest_validation"
CONFIG = {
    "ckan.plugins": PLUGINS,
    "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
    "licenses_group_url": "",
    "ckanext.grandest.regional_admins": REGIONAL,
    "ckanext.grandest.validation.allow_loopback": "true",
}
#: options the worker subprocess must share with the test
WORKER_OPTIONS = tuple(CONFIG) + ("ckan.storage_path", "ckan.max_resource_size",
                                  "ckanext.grandest.validation.job_timeout",
                                  "ckanext.grandest.validation.max_attempts",
                                  "ckanext.grandest.validation.heartbeat_interval",
                                  "ckanext.grandest.validation.heartbeat_dead_after")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if path.is_relative_to(HERE) and not path.is_relative_to(ENGINE_TESTS):
            for key, value in reversed(list(CONFIG.items())):
                item.add_marker(pytest.mark.ckan_config(key, value), append=False)


# --- services ---------------------------------------------------------------------------------------------

@pytest.fixture
def clean_queue():
    """Our queue starts (and ends) empty in this slot's Redis db."""
    import ckan.lib.jobs as jobs

    jobs.get_queue(QUEUE).empty()
    yield jobs.get_queue(QUEUE)
    jobs.get_queue(QUEUE).empty()


@pytest.fixture
def run_worker(ckan_config, tmp_path) -> Callable[..., subprocess.CompletedProcess]:
    """Run ``ckan jobs worker grandest:validation --burst`` (a real worker process) until the queue is empty."""
    def run(timeout: float = 240, **overrides: Any) -> subprocess.CompletedProcess:
        options = shared_options(ckan_config, keys=WORKER_OPTIONS)
        options.update(overrides)
        ini = write_ini(tmp_path / "worker.ini", options)
        proc = run_cli(ini, "jobs", "worker", QUEUE, "--burst", timeout=timeout, config=ckan_config)
        assert proc.returncode == 0, proc.stderr[-3000:]
        from ckan import model

        model.Session.remove()  # the worker changed the database: read it afresh
        return proc

    return run


class Worker:
    """A ``ckan jobs worker grandest:validation`` subprocess (not ``--burst``) in a session of its own; rq forks
    a work-horse (the job process, in a process group of its own) for each job."""

    def __init__(self, proc: subprocess.Popen, log: Path) -> None:
        self.proc = proc
        self.log = log
        self.seen: dict[int, Any] = {}  # every work-horse seen, killed at the end of the test

    def read_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def horses(self) -> list[Any]:
        """The worker's child processes now (the work-horse of the job under way), as ``psutil.Process``."""
        import psutil

        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        self.seen.update({p.pid: p for p in children})
        return children

    def kill(self) -> None:
        """SIGKILL the worker itself (its own process group, which its work-horse is not in) only."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def start_worker(ckan_config, tmp_path) -> Any:
    """Start ``ckan jobs worker grandest:validation`` (a real worker that keeps running); the worker and every
    work-horse it was seen with are killed at the end of the test."""
    started: list[Worker] = []

    def start(**overrides: Any) -> Worker:
        options = shared_options(ckan_config, keys=WORKER_OPTIONS)
        options.update(overrides)
        ini = write_ini(tmp_path / "live-worker.ini", options)
        log = tmp_path / "live-worker.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([str(CKAN), "-c", str(ini), "jobs", "worker", QUEUE], stdout=out,
                                    stderr=subprocess.STDOUT, env=service_env(ckan_config), cwd=str(ROOT),
                                    start_new_session=True)
        started.append(Worker(proc, log))
        return started[-1]

    yield start
    import psutil

    for worker in started:
        worker.horses()
        worker.kill()
        for horse in worker.seen.values():
            try:
                horse.kill()
            except psutil.NoSuchProcess:
                pass


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    """``GET /<name>``: the server's ``files[name]`` (bytes), one line every ``server.pause`` seconds."""

    def do_GET(self) -> None:  # noqa: N802
        body = self.server.files.get(self.path.lstrip("/").split("?", 1)[0])  # type: ignore[attr-defined]
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for line in body.splitlines(keepends=True):
                self.wfile.write(line)
                self.wfile.flush()
                time.sleep(self.server.pause)  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError):  # the job process was killed
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slow_server():
    """A HTTP server on 127.0.0.1 that sends its files slowly: yields the server; ``server.url``,
    ``server.files`` (name -> bytes) and ``server.pause`` (seconds between two lines, may be changed)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    server.files, server.pause = {}, 0.0  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_server(tmp_path):
    """A static HTTP server on 127.0.0.1 serving ``tmp_path/www``; yields ``(base_url, folder)``."""
    www = tmp_path / "www"
    www.mkdir()
    handler = lambda *a, **kw: _Handler(*a, directory=str(www), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", www
    finally:
        server.shutdown()
        server.server_close()


# --- objects ----------------------------------------------------------------------------------------------

@pytest.fixture
def org():
    from ckan.tests import factories

    return factories.Organization(name="commune-de-ribeauville", title="Commune de Ribeauvillé",
                                  actor_type="commune", insee_code="68269")


@pytest.fixture
def users(org):
    """Every role of the auth tests, with API tokens: member, editor and admin of ``org``, admin of another
    organization, a regional admin, a sysadmin."""
    from ckan.tests import factories

    member, editor, admin = factories.UserWithToken(), factories.UserWithToken(), factories.UserWithToken()
    other_admin = factories.UserWithToken()
    factories.Organization(name="commune-de-selestat", title="Commune de Sélestat", actor_type="commune",
                           insee_code="67462", users=[{"name": other_admin["name"], "capacity": "admin"}])
    from ckan.tests.helpers import call_action

    for user, capacity in ((member, "member"), (editor, "editor"), (admin, "admin")):
        call_action("organization_member_create", id=org["id"], username=user["name"], role=capacity)
    return {
        "member": member, "editor": editor, "admin": admin, "other_admin": other_admin,
        "regional": factories.UserWithToken(name=REGIONAL), "sysadmin": factories.SysadminWithToken(),
    }


def dataset_dict(owner_org: str, **kw: Any) -> dict[str, Any]:
    data = {
        "name": "deliberations-2024", "title": "Délibérations du conseil municipal", "owner_org": owner_org,
        "notes": "Liste des délibérations adoptées par le conseil municipal depuis janvier 2024, au format du "
                 "Socle commun des données locales (SCDL).",
        "license_id": "lov2", "tags": [{"name": "délibérations"}, {"name": "conseil"}],
        "frequency": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
        "territories": ["commune:68269"],
        "theme": ["http://publications.europa.eu/resource/authority/data-theme/GOVE"],
        "contact_name": "Secrétariat de mairie", "contact_email": "mairie@ribeauville.example",
    }
    data.update(kw)
    return data


def ctx() -> dict[str, Any]:
    """The context of a publisher with every right (the site user), for setting up objects."""
    from ckan.tests.helpers import call_action

    return {"user": call_action("get_site_user", context={"ignore_auth": True})["name"]}


def act(action: str, **data: Any) -> Any:
    """``call_action`` as the site user."""
    from ckan.tests.helpers import call_action

    return call_action(action, context=ctx(), **data)


def make_dataset(owner_org: str, **kw: Any) -> dict[str, Any]:
    return act("package_create", **dataset_dict(owner_org, **kw))


def upload(package_id: str, content: bytes | str, filename: str, **kw: Any) -> dict[str, Any]:
    """``resource_create`` with a file upload (as the web form sends it)."""
    from werkzeug.datastructures import FileStorage

    from ckan.tests.helpers import call_action

    data = content.encode("utf-8") if isinstance(content, str) else content
    stream = FileStorage(stream=io.BytesIO(data), filename=filename, content_type="text/csv")
    context = kw.pop("context", None) or ctx()
    return call_action("resource_create", context=context, package_id=package_id, upload=stream, url=filename, **kw)


def csv_text(header: list[str], rows: list[dict[str, str]] | list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return buf.getvalue()
