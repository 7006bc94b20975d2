"""Emails of the onboarding journey, sent through CKAN's mailer.

Templates: ``templates/grandest/emails/<name>.txt`` (body) and ``<name>_subject.txt`` (first line used),
written in French: every recipient is a French town hall, requester or regional team.
A failure to send is logged and reported to the caller; it never loses what was stored.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.grandest.common import mail as common_mail

from . import config as cfg
from .limits import human_size

log = logging.getLogger(__name__)

Payload = list[tuple[str, str, str, dict[str, Any]]]  # (template, name, email, vars)


def _base_vars() -> dict[str, Any]:
    return {
        "site_title": tk.config.get("ckan.site_title") or "DataGrandEst",
        "site_url": (tk.config.get("ckan.site_url") or "").rstrip("/"),
        "support_email": cfg.support_email(),
    }


def render(name: str, extra: dict[str, Any]) -> tuple[str, str]:
    data = _base_vars()
    data.update(extra)
    with common_mail.flask_context():
        subject = tk.render(f"grandest/emails/{name}_subject.txt", data).strip().split("\n")[0].strip()
        body = tk.render(f"grandest/emails/{name}.txt", data).strip() + "\n"
    return subject, body


def send(name: str, recipients: Iterable[tuple[str, str]], extra: dict[str, Any]) -> list[str]:
    """Render ``name`` and send it to each (display name, email); returns the addresses that failed."""
    failed = []
    recipients = [(n, e) for n, e in recipients if e]
    if not recipients:
        return failed
    subject, body = render(name, extra)
    for display, email in recipients:
        try:
            common_mail.send(display or email, email, subject, body)
        except Exception as exc:  # MailerException, socket errors
            log.error("grandest_onboarding: could not send %s to %s: %s", name, email, exc)
            failed.append(email)
    return failed


def send_prepared(payload: Payload) -> None:
    for name, display, email, extra in payload:
        send(name, [(display, email)], extra)


def reviewers() -> list[tuple[str, str]]:
    """Who is told of requests to review: the configured address, else regional admins and sysadmins."""
    address = cfg.review_email()
    if address:
        return [(tk._("DataGrandEst team"), address)]
    from ckanext.grandest.common.roles import regional_admin_names

    names = regional_admin_names()
    query = model.Session.query(model.User).filter(model.User.state == "active")
    users = [u for u in query.filter(model.User.sysadmin.is_(True)).all()]
    if names:
        users += query.filter(model.User.name.in_(sorted(names))).all()
    seen: set[str] = set()
    out = []
    for user in users:
        if user.email and user.email not in seen and user.name != tk.config.get("ckan.site_id"):
            seen.add(user.email)
            out.append((user.display_name, user.email))
    return out


def org_admins(org_id: str) -> list[tuple[str, str]]:
    rows = (
        model.Session.query(model.User)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(model.Member.group_id == org_id, model.Member.table_name == "user",
                model.Member.capacity == "admin", model.Member.state == "active",
                model.User.state == "active")
        .all()
    )
    site_user = tk.config.get("ckan.site_id")
    return [(u.display_name, u.email) for u in rows if u.email and u.name != site_user]


def prepare_usage_warning(ledger: Any, limits: Any, kinds: list[str]) -> Payload:
    """Everything needed to send the 80% warning after commit (no database access then)."""
    org = model.Session.get(model.Group, ledger.organization_id)
    if org is None:
        return []
    extra = {
        "org_title": org.title or org.name,
        "usage_url": tk.url_for("grandest_onboarding.usage", id=org.name, _external=True)
        if _can_build_urls() else "",
        "storage": "storage" in kinds,
        "datasets": "datasets" in kinds,
        "bytes_used": human_size(ledger.bytes_used),
        "bytes_max": human_size(limits.max_storage_bytes),
        "datasets_used": ledger.datasets_used,
        "datasets_max": limits.max_datasets,
        "percent": cfg.warning_percent(),
    }
    return [("usage_warning", name, email, extra) for name, email in org_admins(org.id)]


def _can_build_urls() -> bool:
    try:
        from flask import has_app_context

        return has_app_context()
    except Exception:  # pragma: no cover
        return False
