"""When to validate: the runs and their states (the request never waits for a validation).

A resource is validated again only when what it *contains* may have changed: its link, its uploaded file or
the national schema it declares. :func:`fingerprint` sums these up; a metadata-only edit (title,
description, format...) keeps the fingerprint and only re-computes the scores (a cheap job: no download).

The hooks of the plugin call :func:`note_package` inside the transaction that changes a dataset (so the
``pending`` rows are committed with the dataset, or rolled back with it); the jobs it registers are put in Redis
only **after** the commit by :mod:`.jobs`' after-commit hook (a worker never looks for a resource that is not in
the database yet). While a validation is ``running`` its job process refreshes a heartbeat on the run
(:mod:`.jobs`); a run whose heartbeat is older than ``heartbeat_dead_after`` (or, for a run without a
heartbeat, older than the job timeout plus a minute) was interrupted (worker and job process killed, machine
restarted): it is marked ``error`` (« interrompue ») and queued again by :func:`recover_stale`, at most
``max_attempts`` times in all, and an editor who asks for a new check gets one at once (:func:`request_run`). A
run still beating is never taken for dead.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.grandest.common.i18n import N_, default_translator

from . import config as cfg
from .model import ERROR, PENDING, RUNNING, ResourceQuality, ValidationEvent, ValidationRun, now

log = logging.getLogger(__name__)

_ENQUEUE_KEY = "grandest_validation_enqueue"
INTERRUPTED = N_("Check interrupted (the processing stopped before the end): it is started again.")
ABANDONED = N_("Check interrupted {n} times: it is no longer started again automatically. The file may be too "
               "heavy; start it again from the report's page or contact the DataGrandEst team.")
SUPERSEDED = N_("Check cancelled: a more recent check of the resource was asked for.")
#: run errors are stored once and shown to everyone: in the portal's default language
_ = default_translator("validation").gettext


# --- what a resource contains -----------------------------------------------------------------------------

def _extras(res: Any) -> dict[str, Any]:
    extras = getattr(res, "extras", None)
    return extras if isinstance(extras, dict) else {}


def fingerprint(res: Any) -> str:
    """A hash of what decides the content of a resource (a ``model.Resource`` or a resource dict)."""
    get = res.get if isinstance(res, dict) else (lambda k: getattr(res, k, None) if k in (
        "url", "url_type", "last_modified", "size") else _extras(res).get(k))
    url_type = get("url_type") or ""
    url = str(get("url") or "")
    parts: dict[str, Any] = {"url_type": url_type, "schema": get("schema") or "",
                             "schema_version": get("schema_version") or ""}
    if url_type == "upload":
        # the stored file changes with each upload (CKAN sets last_modified); the URL is only its name
        modified = get("last_modified")
        parts["file"] = url.rsplit("/", 1)[-1]
        parts["last_modified"] = modified.isoformat() if isinstance(modified, datetime.datetime) else str(modified or "")
        parts["size"] = str(get("size") or "")
    else:
        parts["url"] = url
    if isinstance(parts["schema"], (dict, list)):
        parts["schema"] = json.dumps(parts["schema"], sort_keys=True)
    return hashlib.sha1(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


# --- runs ---------------------------------------------------------------------------------------------------

def add_event(run: ValidationRun, to_status: str, *, from_status: str | None = None, actor: str | None = None,
              message: str | None = None) -> None:
    model.Session.add(ValidationEvent(run_id=run.id, resource_id=run.resource_id, from_status=from_status,
                                      to_status=to_status, actor=actor, message=message))


def job_id(run_id: str) -> str:
    return f"grandest-validation-{run_id}"


def create_run(resource_id: str, package_id: str, *, trigger: str, fp: str | None, actor: str | None = None,
               attempt: int = 1) -> ValidationRun:
    """A ``pending`` run, the resource's current state pointing to it, and its job queued after commit."""
    row = model.Session.get(ResourceQuality, resource_id)
    if row is None:
        row = ResourceQuality(resource_id=resource_id, package_id=package_id)
        model.Session.add(row)
    elif row.run_id and row.status in (PENDING, RUNNING):
        previous = model.Session.get(ValidationRun, row.run_id)
        if previous is not None and previous.status == PENDING:
            previous.status, previous.error, previous.finished = ERROR, _(SUPERSEDED), now()
            add_event(previous, ERROR, from_status=PENDING, actor=actor, message=previous.error)
    run = ValidationRun(resource_id=resource_id, package_id=package_id, status=PENDING, trigger=trigger,
                        fingerprint=fp, attempt=attempt, requested_by=actor, created=now())
    model.Session.add(run)
    model.Session.flush()
    run.job_id = job_id(run.id)
    row.package_id = package_id
    row.run_id = run.id
    row.status = PENDING
    row.fingerprint = fp
    add_event(run, PENDING, actor=actor, message=trigger)
    _register(("validate", run.id, resource_id))
    return run


def _cutoffs() -> tuple[datetime.datetime, datetime.datetime]:
    """(heartbeat cutoff, cutoff of the runs without a heartbeat): older than these, a running run is dead."""
    current = now()
    return (current - datetime.timedelta(seconds=cfg.heartbeat_dead_after()),
            current - datetime.timedelta(seconds=cfg.stale_after()))


def _dead_clause(beat_cutoff: datetime.datetime, cutoff: datetime.datetime) -> Any:
    return sa.or_(
        sa.and_(ValidationRun.heartbeat.isnot(None), ValidationRun.heartbeat < beat_cutoff),
        sa.and_(ValidationRun.heartbeat.is_(None), sa.func.coalesce(ValidationRun.started, ValidationRun.created)
                < cutoff),
    )


def _is_stale(run: ValidationRun | None) -> bool:
    """A ``running`` run whose job process is gone: no heartbeat for ``heartbeat_dead_after`` seconds (a run
    without a heartbeat, started before the column existed: job timeout + 1 min after its start)."""
    if run is None or run.status != RUNNING:
        return False
    beat_cutoff, cutoff = _cutoffs()
    if run.heartbeat is not None:
        return run.heartbeat < beat_cutoff
    started = run.started or run.created
    return started < cutoff


def note_package(package_id: str, *, actor: str | None = None, resource_trigger: str | None = None,
                 score_if_unchanged: bool = True) -> list[str]:
    """Called inside the transaction that created or changed a dataset: queue what must be re-done.

    Each resource whose fingerprint changed gets a validation (``create``/``update`` trigger); when none did,
    the dataset's scores are re-computed (its metadata may have changed). Returns the new run ids.
    """
    pkg = model.Session.get(model.Package, package_id)
    if pkg is None:
        return []
    if pkg.state == "deleted":
        return []
    runs: list[str] = []
    for res in pkg.resources:
        fp = fingerprint(res)
        row = model.Session.get(ResourceQuality, res.id)
        if row is not None and row.fingerprint == fp:
            current = model.Session.get(ValidationRun, row.run_id) if row.run_id else None
            if not _is_stale(current):
                continue
            mark_interrupted(current, actor=actor)
        is_new = row is None
        if not res.url or (is_new and not cfg.run_on_create()) or (not is_new and not cfg.run_on_update()):
            continue
        trigger = resource_trigger or ("create" if is_new else "update")
        runs.append(create_run(res.id, pkg.id, trigger=trigger, fp=fp, actor=actor).id)
    if not runs and score_if_unchanged:
        _register(("score", pkg.id, None))
    return runs


def request_run(resource_id: str, *, actor: str | None, trigger: str = "manual") -> ValidationRun:
    """Validate a resource again on demand (even if nothing changed); the caller commits."""
    res = model.Session.get(model.Resource, resource_id)
    if res is None or res.state == "deleted" or not res.package_id:
        raise tk.ObjectNotFound(tk._("Resource not found."))
    row = model.Session.get(ResourceQuality, resource_id)
    current = model.Session.get(ValidationRun, row.run_id) if row is not None and row.run_id else None
    if current is not None:
        model.Session.refresh(current)  # its heartbeat is written by another process
    if _is_stale(current):
        mark_interrupted(current, actor=actor)
    elif current is not None and current.status == RUNNING:
        return current  # being validated right now: its result will come in a moment
    return create_run(resource_id, res.package_id, trigger=trigger, fp=fingerprint(res), actor=actor)


def mark_interrupted(run: ValidationRun, *, actor: str | None = None) -> None:
    run.status, run.finished, run.error = ERROR, now(), _(INTERRUPTED)
    add_event(run, ERROR, from_status=RUNNING, actor=actor, message=run.error)
    row = model.Session.get(ResourceQuality, run.resource_id)
    if row is not None and row.run_id == run.id:
        row.status = ERROR


def recover_stale(*, actor: str | None = "recover", limit: int | None = None) -> list[dict[str, Any]]:
    """Mark interrupted validations ``error`` and queue them again (within ``max_attempts``); commits.

    Also re-queues ``pending`` runs whose job vanished from Redis (a Redis restart, a failed enqueue).
    """
    beat_cutoff, cutoff = _cutoffs()
    query = (model.Session.query(ValidationRun)
             .filter(ValidationRun.status == RUNNING, _dead_clause(beat_cutoff, cutoff))
             .order_by(ValidationRun.started))
    if limit:
        query = query.limit(limit)
    out: list[dict[str, Any]] = []
    for run in query.all():
        mark_interrupted(run, actor=actor)
        row = model.Session.get(ResourceQuality, run.resource_id)
        res = model.Session.get(model.Resource, run.resource_id)
        entry = {"run_id": run.id, "resource_id": run.resource_id, "attempt": run.attempt, "requeued": None}
        if row is not None and row.run_id == run.id and res is not None and res.state != "deleted":
            if run.attempt < cfg.max_attempts():
                new = create_run(run.resource_id, run.package_id, trigger="recover", fp=run.fingerprint,
                                 actor=actor, attempt=run.attempt + 1)
                entry["requeued"] = new.id
            else:
                run.error = _(ABANDONED).format(n=run.attempt)
        out.append(entry)
    for run in _lost_pending(cutoff, limit):
        _register(("validate", run.id, run.resource_id))
        out.append({"run_id": run.id, "resource_id": run.resource_id, "attempt": run.attempt, "requeued": run.id})
    model.Session.commit()
    return out


def _lost_pending(cutoff: datetime.datetime, limit: int | None) -> list[ValidationRun]:
    from ckan.lib import jobs

    query = (model.Session.query(ValidationRun)
             .join(ResourceQuality, ResourceQuality.run_id == ValidationRun.id)
             .filter(ValidationRun.status == PENDING, ValidationRun.created < cutoff)
             .order_by(ValidationRun.created))
    if limit:
        query = query.limit(limit)
    lost = []
    for run in query.all():
        try:
            jobs.job_from_id(run.job_id or job_id(run.id))
        except KeyError:
            lost.append(run)
    return lost


# --- what is to be queued once the transaction commits (queued by :mod:`.jobs`' after-commit hook) ----------

def _register(item: tuple[str, str, str | None]) -> None:
    items = model.Session().info.setdefault(_ENQUEUE_KEY, [])
    if item not in items:
        items.append(item)


def take_queued(session: Any) -> list[tuple[str, str, str | None]]:
    """The jobs the transaction of ``session`` registered (``("validate", run_id, resource_id)`` or
    ``("score", package_id, None)``), forgotten by the session."""
    return session.info.pop(_ENQUEUE_KEY, None) or []


def discard_queued() -> None:
    """Forget the jobs this transaction would queue (the caller runs them itself)."""
    take_queued(model.Session())
