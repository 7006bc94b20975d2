"""Test harness of ckanext-grandest, on the real services started by ``dev/test``.

* ``clean_db`` re-applies the migrations of every loaded plugin that has some (core's ``clean_db`` drops ALL
  tables: with ckanext-harvest enabled and its tables gone, ``package_create`` silently saves nothing).
* ``smtp_server`` starts a real SMTP server (aiosmtpd) on 127.0.0.1 and points CKAN's mailer at it.
* ``sysadmin_env`` / ``api_call`` call the API through the Flask app like an HTTP client, with a real token.
* ``live_server`` runs a real CKAN server (``ckan run``, tests/live.py) with the test's config,
  ``browser_page`` a real browser (Chromium); ``storage`` gives a test a storage folder of its own.
* ``file_store`` runs a test once per resource store this CKAN offers (tests/filestores.py): ``local`` (2.11:
  ``ckan.storage_path``; 2.12: a configured ``ckan:fs`` storage) and, on CKAN 2.12, ``s3`` (the real s3proxy
  started by ``dev/test``), both with ``ckan.storage_path`` unset on 2.12.
"""
from __future__ import annotations

import os
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from tests.filestores import FILE_STORES, FileStore, configure_file_store
from tests.live import LiveCkan, free_port, shared_options


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


@pytest.fixture
def smtp_server(ckan_config, monkeypatch):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) receiving what CKAN's mailer sends."""
    from aiosmtpd.controller import Controller

    captured = CapturedMail()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            captured.add(envelope)
            return "250 Message accepted for delivery"

    port = free_port()
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


# --- a real CKAN server and a real browser (tests/live.py) ---------------------------------------------

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "live_server(threaded=False, options=None): how the ``live_server`` fixture runs CKAN: "
                   "threaded (parallel requests) and extra options of its config")


@pytest.fixture
def storage(tmp_path, ckan_config, monkeypatch):
    """A storage folder of the test's own (uploads land there; ``live_server`` and the CKAN subprocesses that
    share the test's config read them there)."""
    path = tmp_path / "storage"
    path.mkdir()
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(path))
    return path


@pytest.fixture(params=FILE_STORES)
def file_store(request, storage, ckan_config, monkeypatch, tmp_path) -> Any:
    """The test's resource store, one run per store of this CKAN (``local``, and ``s3`` on 2.12): a
    :class:`tests.filestores.FileStore` to look into it. Comes after ``storage`` (which it replaces on 2.12)."""
    with configure_file_store(request.param, ckan_config, monkeypatch, tmp_path, storage) as store:
        yield store


@pytest.fixture
def live_server(ckan_config, tmp_path, request):
    """``ckan run`` (tests/live.py ``LiveCkan``) in a subprocess on a free 127.0.0.1 port, on the test slot's
    database, Solr core and Redis db: use it with ``clean_db`` so the test and the server see the same data.

    The server's config is test.ini plus the test's own options: every option the test (its class, module,
    folder) set with ``@pytest.mark.ckan_config`` (plugins, schemas...) and those of ``tests.live.FORWARDED``
    (``ckan.storage_path`` of the ``storage`` fixture...), with their values in ``ckan_config``. Mail goes to
    the ``smtp_server`` fixture when the test uses it. ``@pytest.mark.live_server(threaded=True)`` serves
    requests in parallel; ``@pytest.mark.live_server(options={...})`` adds options for the server only.
    """
    # what the server's config and data are made of is set up before it starts, whatever the fixtures' order
    for name in ("clean_db", "storage", "smtp_server"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    options = shared_options(ckan_config, request.node)
    if "smtp_server" in request.fixturenames:
        options["smtp.server"] = ckan_config["smtp.server"]
    marker = request.node.get_closest_marker("live_server")
    settings = dict(marker.kwargs) if marker else {}
    options.update(settings.pop("options", None) or {})
    with LiveCkan(tmp_path, options, config=ckan_config, **settings) as server:
        yield server


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


# --- several nodes: uWSGI instances behind nginx, background workers (dev/serve/topology.py) ---------------

@pytest.fixture
def topology(ckan_config, tmp_path, request):
    """``topology(nodes=2, workers=2, cache=False)`` starts the portal as on several machines (dev/serve/
    topology.py): ``nodes`` uWSGI instances behind one nginx, ``workers`` ``ckan jobs worker default
    grandest:validation``, on the test slot's database, Solr core and Redis db, sharing the test's storage
    folder (the ``storage`` fixture: one storage block). Config: as ``live_server``'s. Stopped at the end."""
    import sys

    from tests.live import ROOT, service_env, write_ini

    sys.path.insert(0, str(ROOT / "dev" / "serve"))
    from topology import Topology

    started = []

    def start(nodes: int = 2, workers: int = 2, cache: bool = False, **options: Any) -> Topology:
        for name in ("clean_db", "storage", "smtp_server"):
            if name in request.fixturenames:
                request.getfixturevalue(name)
        ports = [free_port() for _ in range(2 * nodes + 1)]
        config = shared_options(ckan_config, request.node)
        storage = {"ckan.storage_path": str(config.pop("ckan.storage_path", ckan_config["ckan.storage_path"]))}
        if "smtp_server" in request.fixturenames:
            config["smtp.server"] = ckan_config["smtp.server"]
        config["ckan.site_url"] = f"http://127.0.0.1:{ports[-1]}"
        config.update(options)
        workdir = tmp_path / f"topology-{len(started)}"
        workdir.mkdir()
        ini = write_ini(workdir / "portal.ini", config)
        topo = Topology(ini, service_env(ckan_config), workdir, ports, storage=storage, nodes_count=nodes,
                        workers_count=workers, cache=cache)
        started.append(topo)
        return topo.start()

    try:
        yield start
    finally:
        for topo in started:
            topo.stop()
