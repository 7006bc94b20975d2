"""Mail pieces shared by the plugins: a well-formed ``From:`` and templates rendered outside a web request.

CKAN's mailer writes ``From: formataddr((ckan.site_title, smtp.mail_from))`` and uses ``smtp.mail_from`` as the
envelope sender: a ``smtp.mail_from`` that already holds a display name (« DataGrandEst
<ne-pas-repondre@…> », as portals often write it) gave ``DataGrandEst <DataGrandEst <ne-pas-repondre@…>>``,
which town-hall mail providers may junk. :func:`normalize_mail_from` keeps only the address
(``email.utils.parseaddr``), so every mail, core's (invitation, password reset) and ours, has a well-formed
``From:``: the site title as display name, the bare address. Called from the plugins' ``update_config`` and
before each of our mails (a config changed at run time is covered too).
"""
from __future__ import annotations

import contextlib
import logging
from email.utils import parseaddr
from typing import Any, Iterator, MutableMapping

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)


def bare_address(value: Any) -> str | None:
    """The address of a ``From`` value in any usual form (``a@b``, ``Name <a@b>``, ``"Name" <a@b>``,
    ``Name <Name <a@b>>``); None when there is no address in it."""
    text = str(value or "").strip()
    if not text:
        return None
    # a doubled form ("Name <Name <a@b>>"): the innermost <...> holds the address
    if text.count("<") > 1:
        text = text[text.rfind("<"):]
        text = text[: text.find(">") + 1] if ">" in text else text
    _name, address = parseaddr(text)
    address = address.strip()
    return address if "@" in address else None


def normalize_mail_from(config: MutableMapping[str, Any] | None = None) -> None:
    """``smtp.mail_from`` reduced to its bare address (the display name is CKAN's ``ckan.site_title``)."""
    config = tk.config if config is None else config
    current = config.get("smtp.mail_from")
    address = bare_address(current)
    if address and address != current:
        config["smtp.mail_from"] = address


@contextlib.contextmanager
def flask_context() -> Iterator[None]:
    """Templates need a Flask request context: outside a web request (CLI, jobs, tests) use the one CKAN
    keeps for that purpose, as ``h.url_for`` does."""
    from flask import has_request_context

    if has_request_context():
        yield
        return
    from ckan.lib.helpers import _get_auto_flask_context

    ctx = _get_auto_flask_context()
    if ctx is None:  # pragma: no cover - no app was ever created
        yield
        return
    with ctx:
        yield


def send(display_name: str, email: str, subject: str, body: str) -> None:
    """One mail through CKAN's mailer (``tk.mail_recipient``), with a well-formed ``From:``; raises
    ``MailerException`` (or a socket error) like CKAN's mailer."""
    normalize_mail_from()
    tk.mail_recipient(display_name or email, email, subject, body)
