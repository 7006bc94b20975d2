"""More than one node (issue #18 item 3): two uWSGI instances behind one nginx upstream and two background
workers (dev/serve/topology.py), sharing PostgreSQL, Solr, Redis and the file storage, as several machines
would. What one node or worker does, the other sees: hosting quotas, validation jobs, rate limits, sessions.

Every process is real (uWSGI from PyPI, nginx from Debian, ``ckan jobs worker``), on the test slot's services.
"""
from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter

import psutil
import pytest
import requests

from tests.onboarding.conftest import MiB, clean_redis, quota_of, set_quota  # noqa: F401  (clean_redis: fixture)
from tests.helpers import parallel
from tests.validation.conftest import (CONFIG as VALIDATION_CONFIG, REGIONAL, act, csv_text, make_dataset,  # noqa: F401
                                       slow_server)
from tests.validation.engine.conftest import DELIB_HEADER, delib_row

N = 20
QUEUE = "grandest:validation"
CONFIG = dict(VALIDATION_CONFIG, **{
    "ckan.plugins": "activity scheming_datasets scheming_organizations grandest_metadata grandest_validation "
                    "grandest_onboarding",
    "ckanext.grandest.validation.heartbeat_interval": "1",
    "ckanext.grandest.validation.heartbeat_dead_after": "4",
    "ckanext.grandest.onboarding.ratelimit.ip_per_hour": "3",
})

pytestmark = [pytest.mark.ckan_config(k, v) for k, v in CONFIG.items()] + [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues", "storage")]


@pytest.fixture
def clean_queues():
    """The queues the workers listen to start (and end) empty in this slot's Redis db."""
    import ckan.lib.jobs as jobs

    for name in ("default", QUEUE):
        jobs.get_queue(name).empty()
    yield
    for name in ("default", QUEUE):
        jobs.get_queue(name).empty()


def _commune(name: str = "commune-de-ribeauville") -> tuple[dict, str]:
    """A commune's organization (free tier) and the API token of its admin."""
    from ckan.tests import factories

    user = factories.UserWithToken()
    org = factories.Organization(name=name, title="Commune de Ribeauvillé", actor_type="commune",
                                 insee_code="68269", users=[{"name": user["name"], "capacity": "admin"}])
    set_quota(org["id"], tier="free")
    return org, user["token"]


def _upstreams(topo, request_line: str) -> Counter:
    """How many requests matching ``request_line`` each node answered (nginx's access log: upstream=...)."""
    seen: Counter = Counter()
    for line in topo.access_log.read_text(encoding="utf-8").splitlines():
        if request_line in line:
            seen[re.search(r"upstream=(\S+)", line).group(1)] += 1
    return seen


def _wait_for(predicate, timeout: float, what: str, topo=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    logs = "\n".join(w.read_log()[-1500:] for w in topo.workers) if topo else ""
    raise AssertionError(f"{what} not within {timeout} s\n{logs}")


def _quality(resource_id: str):
    from ckan import model

    from ckanext.grandest.validation.model import ResourceQuality

    model.Session.expire_all()
    return model.Session.get(ResourceQuality, resource_id)


def _rq_names(topo) -> dict[str, str]:
    """rq's name of each running worker of the topology (rq registers its workers in Redis, with their pid)."""
    from ckan.lib.redis import connect_to_redis
    from rq import Worker

    pids = {w.proc.pid: w.name for w in topo.workers if w.proc.poll() is None}
    return {w.name: pids[w.pid] for w in Worker.all(connection=connect_to_redis()) if w.pid in pids}


def _taken_by(run_ids, names: dict[str, str]) -> dict[str, str | None]:
    """The worker that performed each run's job (rq keeps it on the job, in Redis)."""
    from ckan.lib import jobs

    from ckanext.grandest.validation.scheduler import job_id

    return {r: names.get(jobs.job_from_id(job_id(r)).worker_name or "") for r in run_ids}


def _running_events(run_id: str) -> int:
    from ckan import model

    from ckanext.grandest.validation.model import ValidationEvent

    return model.Session.query(ValidationEvent).filter(ValidationEvent.run_id == run_id,
                                                       ValidationEvent.to_status == "running").count()


def test_parallel_uploads_spread_over_both_nodes_never_overshoot_the_storage_quota(topology, storage):
    topo = topology(nodes=2, workers=0)
    org, token = _commune()
    set_quota(org["id"], max_storage_mb=1)
    datasets = [make_dataset(org["id"], name=f"jeu-{i}") for i in range(N + 1)]
    api = f"{topo.url}/api/3/action"
    filler = requests.post(f"{api}/resource_create", headers={"Authorization": token},
                           data={"package_id": datasets[N]["id"], "name": "Remplissage"},
                           files={"upload": ("remplissage.csv", b"f" * (MiB - 100 * 1024))}, timeout=60)
    assert filler.status_code == 200, filler.text
    size = 30 * 1024  # 3 fit in the 100 KiB left, not 4

    def upload(i):
        return lambda: requests.post(
            f"{api}/resource_create", headers={"Authorization": token},
            data={"package_id": datasets[i]["id"], "name": f"Fichier {i}", "size": "1"},
            files={"upload": (f"fichier-{i}.csv", bytes([65 + i]) * size)}, timeout=120)

    responses, spans = parallel([upload(i) for i in range(N)])
    codes = [r.status_code for r in responses]
    assert codes.count(200) == 3 and codes.count(409) == N - 3, codes
    assert max(s[0] for s in spans) < min(s[1] for s in spans)  # they really ran at the same time
    # both nodes took part of the race
    # nginx writes a request's log line once its answer is sent: the client may read the answer first
    _wait_for(lambda: sum(_upstreams(topo, "POST /api/3/action/resource_create").values()) >= N + 1, 10,
              "nginx's access log lines of the uploads")
    served = _upstreams(topo, "POST /api/3/action/resource_create")
    assert set(served) == {node.socket for node in topo.nodes} and sum(served.values()) == N + 1, served
    assert all(n >= 3 for n in served.values()), served

    usage = quota_of(org["id"])["usage"]["bytes_used"]
    assert usage == MiB - 100 * 1024 + 3 * size <= MiB  # 0 bytes over
    # the ledger is the truth of the shared storage: the files stored are exactly the accepted ones
    on_disk = 0
    for root, _dirs, files in os.walk(storage / "resources"):
        for f in files:
            assert "~" not in f, f"temporary file left: {f}"
            on_disk += os.path.getsize(os.path.join(root, f))
    assert on_disk == usage


def test_validation_jobs_are_taken_by_both_workers_none_twice_and_a_killed_worker_is_recovered(
        topology, slow_server):
    from ckan.tests.helpers import call_action

    from tests.live import run_cli

    topo = topology(nodes=2, workers=2)
    org, _ = _commune()
    rows = 3
    slow_server.files["deliberations.csv"] = csv_text(
        DELIB_HEADER, [delib_row(DELIB_ID=f"2024-{i:03d}") for i in range(1, rows + 1)]).encode("utf-8")
    slow_server.pause = 0.4  # a job lasts a second or two: while one worker checks a file, the other takes the next
    dataset = make_dataset(org["id"])
    resources = [act("resource_create", package_id=dataset["id"], url=f"{slow_server.url}/deliberations.csv",
                     format="CSV", schema="scdl/deliberations", name=f"Délibérations {i}") for i in range(6)]
    runs = [_quality(r["id"]).run_id for r in resources]
    _wait_for(lambda: all(_quality(r["id"]).status == "success" for r in resources), 120,
              "every validation done", topo)
    names = _rq_names(topo)
    assert sorted(names.values()) == ["worker1", "worker2"], names
    taken = _taken_by(runs, names)
    assert set(taken.values()) == {"worker1", "worker2"}, taken  # both workers took jobs
    assert all(_running_events(run) == 1 for run in runs)  # and no run was started twice

    # a worker killed (SIGKILL, with its job process) in the middle of a check: the other one does it again
    slow_server.files["long.csv"] = csv_text(
        DELIB_HEADER, [delib_row(DELIB_ID=f"2024-{i:03d}") for i in range(1, 31)]).encode("utf-8")
    slow_server.pause = 1  # 30 s of download
    res = act("resource_create", package_id=dataset["id"], url=f"{slow_server.url}/long.csv", format="CSV",
              schema="scdl/deliberations", name="Délibérations longues")
    run_id = _quality(res["id"]).run_id

    def busy_worker():
        from ckan import model

        from ckanext.grandest.validation.model import ValidationRun

        model.Session.expire_all()
        run = model.Session.get(ValidationRun, run_id)
        if run.status != "running" or run.heartbeat is None or run.heartbeat <= run.started:
            return None
        # the worker rq gave the job to (kept on the job in Redis), and its work-horse
        taker = _taken_by([run_id], names)[run_id]
        worker = next((w for w in topo.workers if w.name == taker), None)
        horses = psutil.Process(worker.proc.pid).children(recursive=True) if worker else []
        return (worker, horses) if horses else None

    victim, horses = _wait_for(busy_worker, 60, "the long check running and beating", topo)
    survivor = next(w for w in topo.workers if w is not victim)
    os.killpg(victim.proc.pid, signal.SIGKILL)
    for horse in horses:
        horse.kill()
    victim.proc.wait(10)
    psutil.wait_procs(horses, timeout=10)
    slow_server.pause = 0
    time.sleep(5)  # no heartbeat for heartbeat_dead_after (4 s): the run is dead
    # the scheduled `ckan grandest validation recover` (docs/deploy.md), from any machine
    recovered = run_cli(topo.ini, "grandest", "validation", "recover")
    assert recovered.returncode == 0, recovered.stderr[-2000:]
    new_run = _wait_for(lambda: _quality(res["id"]).run_id != run_id and _quality(res["id"]).run_id, 30,
                        "the run queued again")
    _wait_for(lambda: _quality(res["id"]).status == "success", 60, "the check done again", topo)
    assert _taken_by([new_run], names)[new_run] == survivor.name
    shown = call_action("grandest_resource_validation_show", id=res["id"])
    assert shown["status"] == "success" and shown["report"]["table"]["rows"] == 30
    from ckan import model

    from ckanext.grandest.validation.model import ValidationRun

    old = model.Session.get(ValidationRun, run_id)
    assert old.status == "error" and "interrompue" in old.error


def _login(session: requests.Session, base: str, name: str, password: str = "correct123") -> None:
    page = session.get(base + "/user/login", timeout=60)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    resp = session.post(base + "/user/login", data={"login": name, "password": password, "_csrf_token": token},
                        timeout=60)
    assert resp.status_code == 200 and "/user/login" not in resp.url, resp.url


@pytest.mark.usefixtures("clean_redis")
def test_sessions_and_rate_limits_are_shared_by_the_nodes(topology, smtp_server):
    from ckan.tests import factories

    topo = topology(nodes=2, workers=0)
    one, two = topo.node_urls
    user = factories.User(fullname="Claire Martin", password="correct123")
    factories.User(name=REGIONAL)

    # logged in through the front (one node or the other), logged in on each node
    browser = requests.Session()
    _login(browser, topo.url, user["name"])
    browser.headers["Connection"] = "close"  # a node's own HTTP port (uWSGI) closes after each answer
    for node in (one, two):
        dashboard = browser.get(node + "/dashboard/datasets", timeout=60, allow_redirects=False)
        assert dashboard.status_code == 200 and "Claire Martin" in dashboard.text
    anonymous = requests.get(two + "/dashboard/datasets", timeout=60, allow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/user/login" in anonymous.headers["Location"]

    # three commune requests from one connection per hour (the limit of this test), wherever they land
    def ask(base, code):
        return requests.post(base + "/api/3/action/grandest_commune_request_create", json={
            "insee_code": code, "requester_name": "Claire Martin", "requester_role": "Secrétaire de mairie",
            "requester_email": "claire.martin@example.org", "requester_phone": "03 88 97 00 00"}, timeout=60)

    answers = [ask(one, "67448"), ask(two, "67130"), ask(one, "67482")]
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text[:300] for a in answers]
    refused = ask(two, "08158")
    assert refused.status_code == 409
    assert "depuis votre connexion" in refused.json()["error"]["rate_limit"][0]
