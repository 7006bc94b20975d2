"""Test harness of ckanext-grandest, on the real services started by ``dev/test``.

* ``clean_db`` re-applies the migrations of every loaded plugin that has some (core's ``clean_db`` drops ALL
  tables: with ckanext-harvest enabled and its tables gone, ``package_create`` silently saves nothing).
* ``smtp_server`` starts a real SMTP server (aiosmtpd) on 127.0.0.1 and points CKAN's mailer at it.
* ``sysadmin_env`` / ``api_call`` call the API through the Flask app like an HTTP client, with a real token.
"""
from __future__ import annotations

import os
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest


def _loaded_plugins_with_migrations() -> list[str]:
    import ckan.plugins.core as core
    from ckan.cli.db import _resolve_alembic_config

    names = []
    for name in list(core._PLUGINS):  # load order
        try:
            if os.path.exists(_resolve_alembic_config(name)):
                names.append(name)
        except Exception:  # a plugin without a source file (e.g. built dynamically) has no migrations
            continue
    return names


@pytest.fixture
def clean_db(reset_db, migrate_db_for, with_plugins):
    """Empty database with core AND every loaded plugin's tables (harvest, grandest_*)."""
    reset_db()
    for name in _loaded_plugins_with_migrations():
        migrate_db_for(name)


class CapturedMail:
    """Messages received by the test SMTP server, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def add(self, envelope) -> None:
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._cond:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos)})
            self._cond.notify_all()

    def wait_for(self, n: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.messages) >= n, timeout)
        return list(self.messages)

    @staticmethod
    def body(msg: EmailMessage) -> str:
        part = msg.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(ckan_config, monkeypatch):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) receiving what CKAN's mailer sends."""
    from aiosmtpd.controller import Controller

    captured = CapturedMail()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            captured.add(envelope)
            return "250 Message accepted for delivery"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    try:
        yield captured
    finally:
        controller.stop()


@pytest.fixture
def sysadmin_with_token():
    """A sysadmin and a real API token (tests call the API with an Authorization header)."""
    from ckan.tests import factories

    user = factories.SysadminWithToken()
    return user


# --- a real CKAN server and a real browser ---------------------------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_FORWARDED = ("ckan.plugins", "scheming.dataset_schemas", "scheming.organization_schemas", "scheming.presets",
              "ckanext.dcat.rdf.profiles", "licenses_group_url", "ckan.max_resource_size", "ckan.storage_path")


class LiveServer:
    def __init__(self, url: str, ini: str, log: str, proc) -> None:
        self.url, self.ini, self.log, self.proc = url, ini, log, proc

    def read_log(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()


@pytest.fixture
def live_server(ckan_config, tmp_path, request):
    """``ckan run`` in a subprocess on a free 127.0.0.1 port, on the test database/core/redis.

    The server inherits test.ini and every option of ``_FORWARDED`` that the test set with
    ``@pytest.mark.ckan_config`` (plugins, schemas...). Use it with ``clean_db`` so both see the same data.
    Mail goes to the ``smtp_server`` fixture when the test also uses it (request it before this one).
    """
    import subprocess
    import sys
    import time

    import requests

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    lines = ["[app:main]", f"use = config:{os.path.join(ROOT, 'test.ini')}", f"ckan.site_url = {url}"]
    for key in _FORWARDED:
        value = ckan_config.get(key)
        if isinstance(value, (list, tuple)):
            value = " ".join(str(v) for v in value)
        if value not in (None, ""):
            lines.append(f"{key} = {value}")
    if "smtp_server" in request.fixturenames:
        lines.append(f"smtp.server = {ckan_config['smtp.server']}")
    lines += ["", "[loggers]", "keys = root", "[handlers]", "keys = console", "[formatters]", "keys = generic",
              "[logger_root]", "level = WARNING", "handlers = console",
              "[handler_console]", "class = StreamHandler", "args = (sys.stderr,)", "level = NOTSET",
              "formatter = generic", "[formatter_generic]", "format = %(asctime)s %(levelname)s [%(name)s] %(message)s"]
    ini = tmp_path / "live.ini"
    ini.write_text("\n".join(lines).replace("%(asctime)s", "%%(asctime)s").replace("%(levelname)s", "%%(levelname)s")
                   .replace("%(name)s", "%%(name)s").replace("%(message)s", "%%(message)s") + "\n", encoding="utf-8")
    env = dict(os.environ)
    env.update({"CKAN_SQLALCHEMY_URL": ckan_config["sqlalchemy.url"], "CKAN_SOLR_URL": ckan_config["solr_url"],
                "CKAN_REDIS_URL": ckan_config["ckan.redis.url"], "CKAN_SITE_ID": ckan_config["ckan.site_id"]})
    env.pop("CKAN_SITE_URL", None)
    log = tmp_path / "live.log"
    ckan_bin = os.path.join(os.path.dirname(sys.executable), "ckan")
    with open(log, "wb") as out:
        proc = subprocess.Popen([ckan_bin, "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = LiveServer(url, str(ini), str(log), proc)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(url + "/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"CKAN did not start on {url}:\n{server.read_log()[-3000:]}")
            time.sleep(0.3)
        yield server
    finally:
        import signal

        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def browser_page(tmp_path):
    """A Playwright page in Debian's headless Chromium (/usr/bin/chromium), French locale."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
