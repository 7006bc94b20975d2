"""One French mail per dataset when its checks end with problems (issue #12, item 6).

Who: the person who asked for the check, i.e. whose upload or edit of the file started it (the run's
``requested_by``, the user of the ``resource_create``/``resource_update`` call); when that is not a person
(the site user, a harvest, ``recover`` after a crash, a deleted user or one without an address), the dataset's
creator. Sysadmins and regional admins re-checking a file by hand are told as well: they asked for it.

When: a mail lists the files of a dataset whose latest check put them under « Bon » (« Suffisant »,
« Insuffisant », « Inutilisable »). It is sent by the job that ends **the last pending check of the dataset**:
each validation job, after committing its result, takes a Redis lock per dataset (works with any number of
workers), then looks at the dataset's checks: while one is still waiting or running, it does nothing (that
check's job will send); otherwise it sends one mail listing every file not told yet, and remembers them. Files
uploaded together are thus told in one mail, however many workers check them; a file whose check ends after
the mail was sent gets a mail of its own (listing only what is new). No mail when every file is « Bon » or
« Excellent ». What was told is remembered per dataset in Redis (a set of ``resource:fingerprint:band:total``,
kept ``REMEMBER_DAYS``): the same results (the same file checked again, with the same score) are never told
twice; a new file, or a new score, is.

A failure to send is logged; it never changes the check's result (the next check of the dataset tries again).
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.grandest.common import mail as common_mail

from .model import ACTIVE_STATUSES, ResourceQuality, ValidationRun

log = logging.getLogger(__name__)

#: bands that are told (under « Bon »)
BAD_BANDS = ("suffisant", "insuffisant", "inutilisable")
REMEMBER_DAYS = 180
MAX_PROBLEMS = 3
LOCK_SECONDS = 120


def _keys(package_id: str) -> tuple[str, str]:
    site = tk.config.get("ckan.site_id") or "default"
    return (f"grandest:validation:notice-lock:{site}:{package_id}",
            f"grandest:validation:notified:{site}:{package_id}")


def _told_key(row: ResourceQuality) -> str:
    return f"{row.resource_id}:{row.fingerprint or row.report_run_id}:{row.data_band}:{row.data_total}"


def after_check(package_id: str) -> int:
    """Called by the validation job once its result is committed; returns the number of mails sent."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    lock_key, told_key = _keys(package_id)
    lock = redis.lock(lock_key, timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=True):
        log.warning("grandest_validation: no mail lock for dataset %s", package_id)
        return 0
    try:
        model.Session.expire_all()  # what other workers committed
        pkg = model.Package.get(package_id)
        if pkg is None or pkg.state != "active":
            return 0
        resources = {r.id: r for r in pkg.resources}
        rows = [r for r in model.Session.query(ResourceQuality).filter(ResourceQuality.package_id == package_id)
                if r.resource_id in resources]
        if any(r.status in ACTIVE_STATUSES for r in rows):
            return 0  # the job of the last check will tell
        told = {v.decode() if isinstance(v, bytes) else str(v) for v in redis.smembers(told_key)}
        new = [r for r in rows if r.data_band in BAD_BANDS and r.report_run_id and _told_key(r) not in told]
        if not new:
            return 0
        new.sort(key=lambda r: resources[r.resource_id].position or 0)
        sent = _send(pkg, [(resources[r.resource_id], r) for r in new])
        if sent:
            redis.sadd(told_key, *[_told_key(r) for r in new])
            redis.expire(told_key, REMEMBER_DAYS * 86400)
        return sent
    finally:
        try:
            lock.release()
        except Exception:  # expired meanwhile: nothing to release
            pass


def _person(name_or_id: str | None) -> model.User | None:
    if not name_or_id:
        return None
    user = model.User.get(name_or_id)
    site_user = tk.config.get("ckan.site_id")
    if user is None or user.state != "active" or not user.email or user.name == site_user:
        return None
    return user


def recipients(pkg: model.Package, runs: list[ValidationRun | None]) -> list[model.User]:
    people: dict[str, model.User] = {}
    for run in runs:
        user = _person(run.requested_by if run is not None else None)
        if user is not None and user.email:
            people.setdefault(user.email, user)
    if not people:
        creator = _person(pkg.creator_user_id)
        if creator is not None and creator.email:
            people[creator.email] = creator
    return list(people.values())


def _problems(row: ResourceQuality) -> list[dict[str, Any]]:
    from .helpers import grandest_validation_problem_sections

    sections = grandest_validation_problem_sections(row.digest if isinstance(row.digest, dict) else None)
    sections.sort(key=lambda s: -int(s.get("count") or 0))
    return [{"title": s["title"], "count": s["count"]} for s in sections[:MAX_PROBLEMS]]


def _file_entry(pkg: model.Package, res: model.Resource, row: ResourceQuality) -> dict[str, Any]:
    from .helpers import grandest_validation_band_label

    cap = (row.data_score or {}).get("cap") if isinstance(row.data_score, dict) else None
    return {
        "name": res.name or (res.url or "").rstrip("/").rsplit("/", 1)[-1] or res.id,
        "total": row.data_total,
        "band": row.data_band,
        "band_label": grandest_validation_band_label(row.data_band),
        "cap_reason": (cap or {}).get("reason") if isinstance(cap, dict) else None,
        "problems": _problems(row),
        "report_url": tk.url_for("grandest_validation.report", id=pkg.name, resource_id=res.id, _external=True),
    }


def _send(pkg: model.Package, files: list[tuple[model.Resource, ResourceQuality]]) -> int:
    runs = [model.Session.get(ValidationRun, row.report_run_id) for _res, row in files]
    people = recipients(pkg, runs)
    if not people:
        log.info("grandest_validation: nobody to tell about the checks of dataset %s", pkg.name)
        return 0
    with common_mail.flask_context():
        data = {
            "site_title": tk.config.get("ckan.site_title") or "DataGrandEst",
            "site_url": (tk.config.get("ckan.site_url") or "").rstrip("/"),
            "dataset_title": pkg.title or pkg.name,
            "dataset_url": tk.url_for("dataset.read", id=pkg.name, _external=True),
            "quality_url": tk.url_for("grandest_validation.dataset_quality", id=pkg.name, _external=True),
            "files": [_file_entry(pkg, res, row) for res, row in files],
        }
        subject = tk.render("grandest/emails/validation_problems_subject.txt", data).strip().split("\n")[0]
        sent = 0
        for user in people:
            if not user.email:  # (_people keeps only users with an address)
                continue
            body = tk.render("grandest/emails/validation_problems.txt",
                             dict(data, recipient_name=user.fullname or user.display_name)).strip() + "\n"
            try:
                common_mail.send(user.fullname or user.display_name, user.email, subject.strip(), body)
                sent += 1
            except Exception as exc:  # MailerException, socket errors: the check's result stays
                log.error("grandest_validation: could not tell %s about dataset %s: %s", user.email, pkg.name, exc)
    return sent
