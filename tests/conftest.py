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
