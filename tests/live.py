"""Real CKAN processes for the tests: a server (``ckan run``) and CLI commands (``ckan -c INI ...``).

Both run with a config that extends test.ini (``write_ini``) and the CKAN_* variables of the test slot's
services (database, Solr core, Redis db, site id, taken from the test's own config: ``service_env``), so they
share the test's data: what the test created (and committed) is what the subprocess sees.

The pytest fixtures built on this module (``live_server``, ``browser_page``, ``storage``) are in
tests/conftest.py.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
CKAN = Path(sys.executable).with_name("ckan")

#: options of the test's config that a live server always takes from it (the plugins and schemas the test
#: loads, and what fixtures such as ``storage`` set without a ``ckan_config`` marker)
FORWARDED = ("ckan.plugins", "scheming.dataset_schemas", "scheming.organization_schemas", "scheming.presets",
             "ckanext.dcat.rdf.profiles", "licenses_group_url", "ckan.max_resource_size", "ckan.storage_path")
#: options a fixture set for the current test without a ``ckan_config`` marker (the ``file_store`` fixture's
#: storage options, tests/filestores.py): forwarded too, as long as the fixture lives
EXTRA_FORWARDED: set[str] = set()
#: the test slot's services: config option -> the CKAN_* variable that wins over the ini (see dev/lib.sh)
SERVICES = {"sqlalchemy.url": "CKAN_SQLALCHEMY_URL", "solr_url": "CKAN_SOLR_URL",
            "ckan.redis.url": "CKAN_REDIS_URL", "ckan.site_id": "CKAN_SITE_ID"}

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


#: every plugin of the suite with the Grand Est schemas, as dev/portal.ini configures the portal
WHOLE_PORTAL = {
    "ckan.plugins": "activity image_view text_view dcat dcat_json_interface structured_data harvest "
                    "dcat_rdf_harvester scheming_datasets scheming_organizations grandest_metadata "
                    "grandest_validation grandest_dcat grandest_dcat_harvester grandest_onboarding",
    "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml",
    "licenses_group_url": f"file://{ROOT / 'schemas' / 'licenses.json'}",
}


def portal_config(options: Mapping[str, Any]):
    """A test decorator setting every option of ``options`` (e.g. ``{**WHOLE_PORTAL, ...}``) with CKAN's
    ``ckan_config`` marker."""
    import pytest

    def decorate(test):
        for key, value in options.items():
            test = pytest.mark.ckan_config(key, value)(test)
        return test

    return decorate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ini_value(value: Any) -> str:
    """A config value as an ini line holds it (lists space-separated, as CKAN reads them back)."""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_ini(path: Path, options: Mapping[str, Any]) -> Path:
    """A CKAN config file: test.ini plus ``options`` (the CKAN_* variables of ``service_env`` still win for
    the services), for a server or a CLI subprocess."""
    lines = ["[DEFAULT]", "debug = false", "", "[app:main]", f"use = config:{ROOT / 'test.ini'}"]
    lines += [f"{k} = {ini_value(v)}" for k, v in options.items()]
    path.write_text("\n".join(lines) + "\n" + LOGGING, encoding="utf-8")
    return path


def shared_options(config: Mapping[str, Any], node: Any = None,
                   keys: Iterable[str] = FORWARDED) -> dict[str, Any]:
    """The options of the test's config (``ckan_config``) that a subprocess must share with it: ``keys`` and
    every option that the test item ``node`` (its class, module...) set with ``@pytest.mark.ckan_config``."""
    names = list(keys)
    if node is not None:
        names += [mark.args[0] for mark in node.iter_markers("ckan_config")]
    names += sorted(EXTRA_FORWARDED)
    return {k: config.get(k) for k in dict.fromkeys(names) if config.get(k) is not None}


def service_env(config: Mapping[str, Any] | None = None, smtp: str | None = None) -> dict[str, str]:
    """The environment of a CKAN subprocess: ours, with the test slot's services of ``config`` (the test's
    ``ckan_config``; CKAN's config when not given) as CKAN_* variables. Site URL and storage path come from
    the subprocess's ini; ``smtp`` (host:port) points its mailer at a test SMTP server."""
    if config is None:
        from ckan.common import config as ckan_config

        config = ckan_config
    env = dict(os.environ)
    env.update({var: str(config[key]) for key, var in SERVICES.items()})
    env.pop("CKAN_SITE_URL", None)
    env.pop("CKAN_STORAGE_PATH", None)
    if smtp:
        env["CKAN_SMTP_SERVER"] = smtp
    return env


def run_cli(ini: Path, *args: str, smtp: str | None = None, timeout: float = 120,
            config: Mapping[str, Any] | None = None) -> subprocess.CompletedProcess:
    """``ckan -c INI ARGS...`` in a subprocess on the test slot's services; output captured as text."""
    return subprocess.run([str(CKAN), "-c", str(ini), *args], capture_output=True, text=True,
                          env=service_env(config, smtp), cwd=str(ROOT), timeout=timeout)


class LiveCkan:
    """``ckan run`` in a subprocess (its own process group) on a free 127.0.0.1 port, with the config
    ``workdir/live.ini``: test.ini plus ``options`` (``ckan.plugins``, ``smtp.server``,
    ``ckan.storage_path``...; ``ckan.site_url`` is the server's own URL). ``threaded`` serves each request in
    its own thread (parallel requests); otherwise one at a time. Use it as a context manager, or ``start()`` /
    ``stop()``; ``read_log()`` is what it wrote."""

    def __init__(self, workdir: Path, options: Mapping[str, Any] | None = None, *, threaded: bool = False,
                 config: Mapping[str, Any] | None = None) -> None:
        self.workdir = Path(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.options = dict(options or {})
        self.options["ckan.site_url"] = self.url
        self.threaded = threaded
        self.config = config
        self.ini = self.workdir / "live.ini"
        self.log = self.workdir / "live.log"
        self.proc: subprocess.Popen | None = None

    @property
    def storage(self) -> Path | None:
        """The server's storage folder (``ckan.storage_path`` of its options), if it has one of its own."""
        path = self.options.get("ckan.storage_path")
        return Path(path) if path else None

    def read_log(self) -> str:
        """What the server wrote (stdout and stderr) so far."""
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def start(self, timeout: float = 90) -> "LiveCkan":
        write_ini(self.ini, self.options)
        cmd = [str(CKAN), "-c", str(self.ini), "run", "-H", "127.0.0.1", "-p", str(self.port), "-r"]
        if self.threaded:
            cmd.append("-t")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         env=service_env(self.config), cwd=str(ROOT), start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"CKAN server exited:\n{self.read_log()[-3000:]}")
            try:
                if requests.get(f"{self.url}/api/3/action/status_show", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"CKAN server did not answer on {self.url} in {timeout}s:\n"
                           f"{self.read_log()[-3000:]}")

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


def browser_login(page: Any, base_url: str, name: str, password: str) -> None:
    """Log in through CKAN's login form in a real browser (``browser_page``) and wait for the page."""
    page.goto(base_url + "/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.click("form.form-horizontal button[type=submit], form button.btn-primary")
    page.wait_for_load_state("networkidle")
