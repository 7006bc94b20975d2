"""Several CKAN nodes on one machine, as on several machines: N uWSGI instances (each its own master and worker
processes, dev/serve/uwsgi.ini) behind one nginx upstream (dev/serve/nginx.conf.in), and M background workers
(``ckan jobs worker default grandest:validation``, the command of docs/deploy.md's ckan-worker@ unit), all on
the same PostgreSQL, Solr, Redis and file storage, with the same configuration file (so the same secrets and
``ckan.site_id``).

The storage the nodes share is one block of options (:data:`Topology.storage`): today CKAN's local storage, a
folder every node reads and writes (as machines would mount one shared file system); with object storage it is
that storage's options instead.

Each node also answers plain HTTP on a port of its own (``Topology.node_urls``), so that a test or an operator
can reach one node directly, as a load balancer's health check does; ``Topology.url`` is nginx.

Used by tests/test_topology.py; by hand (the dev portal's database must exist: run dev/portal once):

    dev/topology [--ckan 2.12|2.11]      (ports: see dev/topology)
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nginx_conf  # noqa: E402

WORKER_QUEUES = ("default", "grandest:validation")


def stop_process(proc: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM the process group of ``proc`` (started in a session of its own), SIGKILL after ``timeout``."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_http(url: str, procs: Sequence[subprocess.Popen], logs: Sequence[Path], timeout: float = 120) -> None:
    """Wait for ``url`` to answer 200; fails at once (with the logs) when one of ``procs`` exits."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for proc, log in zip(procs, logs):
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    tails = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
    raise RuntimeError(f"{url} did not answer in {timeout}s:\n{tails}")


@dataclass
class Node:
    """One uWSGI instance: its uwsgi-protocol socket (for nginx), its own HTTP port, its log."""
    name: str
    socket: str
    http: str
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.http}"


@dataclass
class Worker:
    """One ``ckan jobs worker`` process (rq forks a work-horse per job)."""
    name: str
    log: Path
    proc: subprocess.Popen | None = None

    def read_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


@dataclass
class Topology:
    """N nodes + nginx + M workers. ``ini``: the portal's configuration; ``storage``: the options of the file
    storage every node and worker shares (one block, added to ``ini`` in ``workdir/nodes.ini``, the file all
    processes run with); ``env``: the environment of every process (CKAN_* variables of the services);
    ``ports``: N uwsgi sockets, N HTTP ports and nginx's, in that order (2N + 1 ports)."""
    ini: Path
    env: Mapping[str, str]
    workdir: Path
    ports: Sequence[int]
    storage: Mapping[str, str] = field(default_factory=dict)
    nodes_count: int = 2
    workers_count: int = 2
    processes: int = 1
    threads: int = 4
    cache: bool = False
    ckan: Path = field(default_factory=lambda: Path(sys.executable).with_name("ckan"))
    nodes: list[Node] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports[2 * self.nodes_count]}"

    @property
    def node_urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    @property
    def access_log(self) -> Path:
        return self.workdir / "nginx" / "nginx-access.log"

    def start(self, timeout: float = 120) -> "Topology":
        n = self.nodes_count
        if len(self.ports) != 2 * n + 1:
            raise ValueError(f"{2 * n + 1} ports needed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ini = self.write_ini()
        # web assets built once, before any worker process serves (docs/deploy.md)
        built = subprocess.run([str(self.ckan), "-c", str(self.ini), "asset", "build"], env=dict(self.env),
                               capture_output=True, text=True, timeout=300)
        if built.returncode != 0:
            raise RuntimeError(built.stdout + built.stderr)
        uwsgi = self.ckan.with_name("uwsgi")
        for i in range(n):
            node = Node(f"node{i + 1}", f"127.0.0.1:{self.ports[i]}", f"127.0.0.1:{self.ports[n + i]}",
                        self.workdir / f"node{i + 1}.log")
            env = dict(self.env, CKAN_INI=str(self.ini), GRANDEST_UWSGI_SOCKET=node.socket,
                       GRANDEST_UWSGI_PROCESSES=str(self.processes), GRANDEST_UWSGI_THREADS=str(self.threads))
            with open(node.log, "wb") as out:
                node.proc = subprocess.Popen(
                    [str(uwsgi), "--ini", str(HERE / "uwsgi.ini"), "--http-socket", node.http,
                     "--procname-prefix", f"{node.name} "],
                    stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            self.nodes.append(node)
        conf = nginx_conf.render(self.workdir / "nginx" / "nginx.conf", listen=f"127.0.0.1:{self.ports[2 * n]}",
                                 uwsgi=[node.socket for node in self.nodes], state=self.workdir,
                                 rundir=self.workdir / "nginx", logdir=self.workdir / "nginx", cache=self.cache)
        nginx_log = self.workdir / "nginx" / "nginx-error.log"
        self.nginx = subprocess.Popen(["nginx", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        for i in range(self.workers_count):
            self.start_worker(f"worker{i + 1}")
        procs = [node.proc for node in self.nodes] + [self.nginx]
        logs = [node.log for node in self.nodes] + [nginx_log]
        for node in self.nodes:
            wait_http(node.url + "/api/3/action/status_show", procs, logs, timeout)  # type: ignore[arg-type]
        wait_http(self.url + "/api/3/action/status_show", procs, logs, timeout)  # type: ignore[arg-type]
        return self

    def write_ini(self) -> Path:
        """``workdir/nodes.ini``: the portal's configuration with the shared storage block."""
        out = self.workdir / "nodes.ini"
        if Path(self.ini) == out:
            return out
        lines = ["[DEFAULT]", "", "[app:main]", f"use = config:{Path(self.ini).resolve()}",
                 "# the file storage every node and worker shares"]
        lines += [f"{key} = {value}" for key, value in self.storage.items()]
        base = Path(self.ini).read_text(encoding="utf-8")
        logging = base[base.find("[loggers]"):] if "[loggers]" in base else ""  # ckan reads logging from here
        out.write_text("\n".join(lines) + "\n\n" + logging, encoding="utf-8")
        return out

    def start_worker(self, name: str) -> Worker:
        worker = Worker(name, self.workdir / f"{name}.log")
        with open(worker.log, "ab") as out:
            worker.proc = subprocess.Popen([str(self.ckan), "-c", str(self.ini), "jobs", "worker", *WORKER_QUEUES],
                                           stdout=out, stderr=subprocess.STDOUT, env=dict(self.env),
                                           start_new_session=True)
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        stop_process(self.nginx, 10)
        for node in self.nodes:
            stop_process(node.proc)
        for worker in self.workers:
            stop_process(worker.proc, 30)

    def __enter__(self) -> "Topology":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ini", type=Path, required=True)
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--ports", type=int, nargs=5, required=True, metavar="PORT",
                    help="uwsgi socket of node 1 and 2, HTTP of node 1 and 2, nginx")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--storage-path", help="ckan.storage_path every node shares (default: the ini's)")
    ap.add_argument("--cache", action="store_true")
    a = ap.parse_args()
    storage = {"ckan.storage_path": a.storage_path} if a.storage_path else {}
    topo = Topology(a.ini, dict(os.environ), a.workdir, a.ports, storage=storage, workers_count=a.workers,
                    cache=a.cache)
    def _term(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    with topo:
        print(f"nginx {topo.url} -> nodes {' '.join(topo.node_urls)}; {a.workers} workers; logs in {a.workdir}",
              flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
