"""A real CKAN server for the tests that need one (browser journey, parallel uploads).

It runs ``ckan run`` (threaded) on a free 127.0.0.1 port in a subprocess, with a config that extends test.ini
and the CKAN_* variables of the test slot (database, Solr core, Redis db exported by ``dev/test``), so it
shares the test's database: data created by the test (and committed) is what the server sees.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
CKAN = Path(sys.executable).with_name("ckan")

LOGGING = """
[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_ini(path: Path, plugins: str, options: dict[str, Any]) -> Path:
    """A config that extends test.ini (with our plugins and options), for a server or a CLI subprocess."""
    lines = ["[DEFAULT]", "debug = false", "", "[app:main]", f"use = config:{ROOT / 'test.ini'}",
             f"ckan.plugins = {plugins}"]
    lines += [f"{k} = {v}" for k, v in options.items()]
    path.write_text("\n".join(lines) + "\n" + LOGGING, encoding="utf-8")
    return path


def run_cli(ini: Path, *args: str, smtp: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``ckan -c INI ARGS...`` in a subprocess, with the test slot's CKAN_* variables."""
    env = dict(os.environ)
    if smtp:
        env["CKAN_SMTP_SERVER"] = smtp
    return subprocess.run([str(CKAN), "-c", str(ini), *args], capture_output=True, text=True, env=env,
                          cwd=str(ROOT), timeout=timeout)


class LiveCkan:
    def __init__(self, workdir: Path, plugins: str, smtp: str | None = None, options: dict[str, Any] | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.plugins = plugins
        self.smtp = smtp
        self.options = options or {}
        self.proc: subprocess.Popen | None = None
        self.log = workdir / "ckan-server.log"

    def _ini(self) -> Path:
        options = {"ckan.site_url": self.url, "ckan.storage_path": str(self.workdir / "storage")}
        options.update(self.options)
        return write_ini(self.workdir / "live.ini", self.plugins, options)

    def start(self, timeout: float = 90) -> "LiveCkan":
        ini = self._ini()
        env = dict(os.environ)
        env["CKAN_SITE_URL"] = self.url
        env.pop("CKAN_STORAGE_PATH", None)
        if self.smtp:
            env["CKAN_SMTP_SERVER"] = self.smtp
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [str(CKAN), "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(self.port), "-r", "-t"],
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT), start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"CKAN server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/api/3/action/status_show", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"CKAN server did not answer in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group only (start_new_session)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def __enter__(self) -> "LiveCkan":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
