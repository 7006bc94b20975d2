"""Background jobs of grandest_validation (queue ``grandest:validation``) and their queuing.

``validate_resource(run_id)``
    claims a ``pending`` run (``running``), re-reads the resource with ``ignore_auth``, gets the file (an
    upload from the portal's resource store (common.filestore: read in place on a local disk, streamed from
    CKAN 2.12's configured storage, e.g. S3); a link through the engine's safe
    :func:`~.engine.fetch`: http(s) only, no private/loopback/link-local address, size and time caps), runs the
    engine with the resource's declared schema, stores the report (``success``: nothing to fix, ``failure``:
    problems found, ``error``: the file could not be checked), re-computes the scores of the dataset and sends
    it to Solr again. The resource itself is never modified. When it was the last check of the dataset under way
    and files are under « Bon », their uploader gets one French mail for the dataset (:mod:`.notify`).
``score_dataset(package_id)``
    re-computes the scores of a dataset from the stored reports (after a metadata-only edit) and re-indexes it.

The job takes ids only (resource dicts can be large; the job reads the current state). The runs a transaction
creates (:mod:`.scheduler`) are queued by :func:`listen`'s after-commit hook, attached when the plugin starts.

While a run is ``running``, a thread of the job process (:class:`Heartbeat`) writes the time on the run every
``heartbeat_interval`` seconds, on a connection of its own: a run whose heartbeat stopped (worker and job
process killed) is known dead within ``heartbeat_dead_after`` seconds (:mod:`.scheduler`). Killing the worker
alone does not stop the job: rq's work-horse (the job process) is in a process group of its own and finishes
the check.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from rq import Retry
from sqlalchemy import event

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.grandest.common.i18n import N_, default_translator

from . import config as cfg
from . import files, scheduler, scoring
from .engine import ENGINE_VERSION, fetch, validate_file
from .model import ERROR, FAILURE, PENDING, RUNNING, SUCCESS, ResourceQuality, ValidationRun, now

log = logging.getLogger(__name__)

GONE = N_("The resource was deleted before its check.")
CRASHED = N_("An unexpected error prevented the check of the file. Start it again later; if the problem "
             "persists, contact the DataGrandEst team.")
TIMED_OUT = N_("The check went over the maximum duration ({seconds} s) and was stopped: the file is probably "
               "too heavy. Publish a smaller file or contact the DataGrandEst team.")
#: run errors are stored once and shown to everyone: in the portal's default language
_ = default_translator("validation").gettext


class _Gone(Exception):
    pass


def status_of(report: dict[str, Any]) -> str:
    """Run status from the engine's report."""
    status = report.get("status")
    if status == "error":
        return ERROR
    if status in ("invalid", "rejected") or (report.get("error_count") or 0) > 0:
        return FAILURE
    return SUCCESS


def _check(res: dict[str, Any]) -> dict[str, Any]:
    limits = cfg.limits()
    if res.get("url_type") == "upload":
        fetched = files.uploaded_file(res, limits)
        name = files.file_name(res)
    else:
        fetched = fetch(str(res.get("url") or ""), limits=limits, allow_loopback=cfg.allow_loopback())
        name = None
    try:
        return validate_file(fetched, name=name, declared_format=res.get("format") or None, schema=files.schema_ref(res),
                             limits=limits)
    finally:
        fetched.cleanup()


def _available(report: dict[str, Any]) -> bool | None:
    fetched = (report.get("source") or {}).get("fetch")
    if isinstance(fetched, dict) and fetched.get("ok") is not None:
        return bool(fetched["ok"])
    return report.get("status") != "error"


class Heartbeat:
    """A daemon thread that writes ``heartbeat = now`` on a ``running`` run every ``interval`` seconds, each time
    in a short transaction of its own (never the job's session), until :meth:`stop` (or the run is no longer
    ``running``). A failed write is logged and tried again at the next beat."""

    def __init__(self, run_id: str, interval: float | None = None) -> None:
        self.run_id = run_id
        self.interval = interval if interval is not None else cfg.heartbeat_interval()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"grandest-heartbeat-{run_id}", daemon=True)

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=max(5.0, self.interval))

    def beat(self) -> bool:
        """One heartbeat; False when the run is no longer ``running`` (nothing to keep alive)."""
        table = ValidationRun.__table__
        engine = model.meta.engine
        if engine is None:  # (set once CKAN's model is initialised, before any job runs)
            raise RuntimeError("CKAN's database engine is not set up")
        with engine.begin() as conn:
            updated = conn.execute(sa.update(table)
                                   .where(table.c.id == self.run_id, table.c.status == RUNNING)
                                   .values(heartbeat=now()))
        return bool(updated.rowcount)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.beat():
                    return
            except Exception:  # the database is away for a moment: the next beat tries again
                log.warning("grandest_validation: heartbeat of run %s failed", self.run_id, exc_info=True)


def _claim(run_id: str) -> ValidationRun | None:
    """pending -> running, once (two workers never check the same run); the first heartbeat is the start."""
    started = now()
    claimed = (model.Session.query(ValidationRun)
               .filter(ValidationRun.id == run_id, ValidationRun.status == PENDING)
               .update({"status": RUNNING, "started": started, "heartbeat": started}, synchronize_session=False))
    if not claimed:
        model.Session.rollback()
        return None
    run = model.Session.get(ValidationRun, run_id)
    if run is None:  # (claimed just above)
        raise LookupError(run_id)
    model.Session.refresh(run)
    scheduler.add_event(run, RUNNING, from_status=PENDING, actor="worker")
    row = model.Session.get(ResourceQuality, run.resource_id)
    if row is not None and row.run_id == run.id:
        row.status = RUNNING
    model.Session.commit()
    return run


def _finish(run: ValidationRun, status: str, *, report: dict[str, Any] | None = None, error: str | None = None) -> None:
    run.status, run.finished, run.error = status, now(), error
    run.engine_version = ENGINE_VERSION
    if report is not None:
        run.report = report
    scheduler.add_event(run, status, from_status=RUNNING, actor="worker", message=error)
    row = model.Session.get(ResourceQuality, run.resource_id)
    if row is not None:
        model.Session.refresh(row)
    if row is None or row.run_id != run.id:
        return  # a newer validation was asked for meanwhile: it will update the resource's state
    row.status = status
    if report is not None:
        row.report_run_id = run.id
        row.digest = scoring.digest(report)
        row.available = _available(report)
        row.validated_at = run.finished


def validate_resource(run_id: str) -> str | None:
    """Validate one resource (the run ``run_id``); returns the final status (None if there was nothing to do)."""
    listen()
    try:
        scheduler.recover_stale(actor="worker", limit=20)
    except Exception:  # recovery of others must never prevent this job
        log.exception("grandest_validation: recovery of interrupted validations failed")
        model.Session.rollback()
    run = model.Session.get(ValidationRun, run_id)
    if run is None or run.status != PENDING:
        return None
    row = model.Session.get(ResourceQuality, run.resource_id)
    if row is None or row.run_id != run.id:
        run.status, run.finished, run.error = ERROR, now(), _(scheduler.SUPERSEDED)
        scheduler.add_event(run, ERROR, from_status=PENDING, actor="worker", message=run.error)
        model.Session.commit()
        return ERROR
    claimed = _claim(run_id)
    if claimed is None:
        return None
    run = claimed
    heartbeat = Heartbeat(run_id).start()
    try:
        return _validate(run, run_id)
    finally:
        heartbeat.stop()


def _validate(run: ValidationRun, run_id: str) -> str:
    package_id = run.package_id
    status: str
    try:
        pkg = scoring.package_dict(package_id)
        res = next((r for r in (pkg or {}).get("resources") or [] if r.get("id") == run.resource_id), None)
        if pkg is None or res is None:
            raise _Gone()
        report = _check(res)
        status = status_of(report)
        _finish(run, status, report=report)
        scoring.refresh_dataset(package_id, pkg)
        model.Session.commit()
    except _Gone:
        model.Session.rollback()
        run = model.Session.get(ValidationRun, run_id)
        _finish(run, ERROR, error=_(GONE))
        model.Session.commit()
        _tell(package_id)
        return ERROR
    except Exception as exc:  # noqa: BLE001 - the run must never stay "running"
        timed_out = type(exc).__name__ == "JobTimeoutException"
        log.exception("grandest_validation: validation %s of resource %s failed", run_id, run.resource_id)
        model.Session.rollback()
        run = model.Session.get(ValidationRun, run_id)
        status = ERROR
        _finish(run, ERROR, error=_(TIMED_OUT).format(seconds=cfg.job_timeout()) if timed_out else _(CRASHED))
        try:
            scoring.refresh_dataset(package_id)
        except Exception:
            log.exception("grandest_validation: scoring of %s failed", package_id)
        model.Session.commit()
    _reindex(package_id)
    _tell(package_id)
    return status


def _tell(package_id: str) -> None:
    """The mail of the dataset's checks (:mod:`.notify`), once this check is committed."""
    from . import notify

    try:
        notify.after_check(package_id)
    except Exception:  # telling must never change the check's result
        log.exception("grandest_validation: the mail about dataset %s failed", package_id)
        model.Session.rollback()


def score_dataset(package_id: str) -> bool:
    """Re-compute the scores of a dataset from its stored reports, and re-index it."""
    listen()
    done = scoring.refresh_dataset(package_id) is not None
    model.Session.commit()
    if done:
        _reindex(package_id)
    return done


def _reindex(package_id: str) -> None:
    try:
        scoring.reindex(package_id)
    except Exception:  # the scores are stored; `ckan search-index rebuild` catches up
        log.exception("grandest_validation: re-indexing %s failed", package_id)


# --- queuing after commit: the jobs a transaction registered (:mod:`.scheduler`) go to Redis once it commits ---

#: A job that raises (the database or Redis away for a moment before the check starts, a lock not granted in
#: time) is run again by rq at once, ``RETRIES`` times at most (``rq.Retry``, no interval: CKAN 2.11's worker runs
#: no scheduler). What fails inside a check is not retried: it is recorded on the run with its French message
#: (:func:`_validate`); a job process that is killed is recovered by :func:`.scheduler.recover_stale`.
RETRIES = 2


def enqueue_validation(run_id: str, resource_id: str | None = None) -> None:
    tk.enqueue_job(validate_resource, [run_id], title=f"grandest_validation: resource {resource_id or run_id}",
                   queue=cfg.queue(), rq_kwargs={"timeout": cfg.job_timeout(), "job_id": scheduler.job_id(run_id),
                                                 "retry": Retry(max=RETRIES)})


def enqueue_scoring(package_id: str) -> None:
    tk.enqueue_job(score_dataset, [package_id], title=f"grandest_validation: scores of dataset {package_id}",
                   queue=cfg.queue(), rq_kwargs={"timeout": 300, "at_front": True, "retry": Retry(max=RETRIES),
                                                 "job_id": f"grandest-score-{package_id}"})


def _after_commit(session: Any) -> None:
    for kind, ident, resource_id in scheduler.take_queued(session):
        try:
            if kind == "validate":
                enqueue_validation(ident, resource_id)
            else:
                enqueue_scoring(ident)
        except Exception:  # Redis down: a validation stays pending and `recover` queues it again
            log.exception("grandest_validation: could not queue the %s job of %s", kind, ident)


def _after_transaction_end(session: Any, transaction: Any) -> None:
    if transaction.parent is None:
        scheduler.take_queued(session)


_listening = False


def listen() -> None:
    """Attach the after-commit hook to CKAN's session (idempotent)."""
    global _listening
    if _listening:
        return
    event.listen(model.Session, "after_commit", _after_commit)
    event.listen(model.Session, "after_transaction_end", _after_transaction_end)
    _listening = True
