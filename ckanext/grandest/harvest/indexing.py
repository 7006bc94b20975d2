"""Search indexing of a harvest job's datasets: in batches, with one Solr commit per batch (issue #15).

By default CKAN indexes a dataset inside ``package_create``/``package_update`` and, with
``ckan.search.solr_commit = true`` (its default), asks Solr for a hard commit and a new searcher at every write.
A harvest job writes hundreds of datasets in a row; the Grand Est harvester

* creates each new record's dataset with CKAN's ``defer_commit`` and ``return_id_only`` context keys (CKAN >=
  2.12: ``package_create`` then neither shows, indexes nor commits; the activity is still recorded, in the same
  transaction) and marks its harvest object « to index » (a ``harvest_object_extra`` row, in the same database
  transaction as the dataset: a record whose write fails leaves no mark, the others keep theirs). The record is
  committed by ckanext-harvest's save of the object's state right after the import (importer.py), or by the
  import before a batch is indexed;
* indexes the marked datasets of the job by batches of ``ckanext.grandest.harvest.index_batch_size`` (same
  documents as CKAN's own indexing: ``package_show`` with the default and the custom schema, every
  ``before_dataset_index`` hook, ckanext-harvest's included), one dataset's failure logged without stopping
  the others, then one Solr commit (if ``ckan.search.solr_commit`` is on) and the marks removed;
* flushes what is left when the last object of the job has been imported (whichever consumer imports it),
  and again in ``harvest_jobs_run`` (the action that finishes jobs: ``ckan harvester run``, ``run-test``,
  the job page), for jobs whose last objects never reached the import (aborted, skipped by ``run-test
  --force-import``) or were imported by two consumers at once.

The marks live in the database, so consumers in separate processes (``ckan harvester fetch-consumer``
started twice) share them, and a consumer that dies mid-batch leaves them for the next flush.

CKAN 2.11's actions index through its ``synchronous_search`` plugin at the database commit and cannot be told
not to: there each record is indexed at its commit, without a Solr commit (:func:`deferred_index_commit`), and
the last object of the job commits Solr once. Updated records (re-harvests) and deletions are indexed by their
action the same way on both versions.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import logging
import threading
from typing import Any, Iterator

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.grandest.common import compat
from ckanext.grandest.harvest import config as hconfig

log = logging.getLogger(__name__)

PENDING_KEY = "grandest_index_pending"


def batching() -> bool:
    """True when the installed CKAN lets an action write a dataset without indexing it (CKAN >= 2.12)."""
    return compat.actions_can_skip_indexing()


def solr_commit_wanted() -> bool:
    return tk.asbool(tk.config.get("ckan.search.solr_commit", True))


def create_context(context: Context) -> Context:
    """The context of ``package_create`` for a harvested record: neither shown nor committed by the action (the
    record is committed once it is complete, IDCATRDFHarvester hooks included: importer.py), nor indexed on CKAN
    2.12 (the batch indexes it; CKAN 2.11 indexes it at its commit). ``package_update`` keeps its own commit
    and indexing: in CKAN 2.12 ``defer_commit`` makes it skip the activity (``changed_entities`` unset) or roll
    the update back."""
    created: Context = {**context, "defer_commit": True, "return_id_only": True}
    return created


#: marks written by this process since its last flush, per job: when a batch is full (a trigger only; the
#: flush indexes every mark of the job, whichever process wrote it)
_marked: dict[str, int] = {}


def mark_pending(harvest_object: Any) -> None:
    """The object's dataset is to be indexed (added to the session: committed with the record)."""
    if batching():
        model.Session.add(HarvestObjectExtra(harvest_object_id=harvest_object.id, key=PENDING_KEY, value="1"))
        job_id = harvest_object.harvest_job_id
        _marked[job_id] = _marked.get(job_id, 0) + 1


# --- one dictization of a new record for its activity and its index (CKAN 2.12) ----------------------------
#: the record whose dataset ``package_create`` is writing now: (job id, dataset id); set by :func:`creating`
_creating: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "grandest_harvest_creating", default=None)
#: per job, the two dictionaries CKAN's indexing needs (default and custom show schemas) of each dataset this
#: process created and dictized once, until its batch is indexed (at most a batch per job: see :func:`_keep`)
_shown: dict[str, dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {}


@contextlib.contextmanager
def creating(harvest_object: Any, package_id: str) -> Iterator[None]:
    """Around the ``package_create`` of a new harvested record (CKAN 2.12, batched indexing).

    The activity plugin records the new dataset from ``action_succeeded`` with a ``package_show`` of its own
    (a search lookup that misses for a new dataset, a dictization, the schema's show validation), and the batch
    dictizes the same dataset again for the index (once more, with both show schemas). CKAN gives the activity
    no way to receive a dictionary, so the harvest plugin's ``package_show`` (:func:`shown_for_activity`) answers
    that one call with CKAN's own ``package_show_default_and_custom_schemas`` — the same dictionary
    ``package_show`` returns — and keeps the pair for the batch: one dictization a record instead of two."""
    if not batching():
        yield
        return
    token = _creating.set((harvest_object.harvest_job_id, package_id))
    try:
        yield
    finally:
        _creating.reset(token)


def creating_now() -> bool:
    """Whether a harvested record's ``package_create`` is running in this context (cheap: every
    ``package_show`` of the portal asks)."""
    return _creating.get() is not None


def shown_for_activity(context: Context, data_dict: dict[str, Any]) -> dict[str, Any] | None:
    """``package_show``'s answer for the dataset being created by :func:`creating`, dictized once; ``None`` for
    every other call (another dataset, a view, a schema of its own, plugin data: CKAN's ``package_show``)."""
    current = _creating.get()
    if current is None:
        return None
    job_id, package_id = current
    if (data_dict.get("id") != package_id or not context.get("ignore_auth") or context.get("for_view")
            or "schema" in context or not context.get("validate", True)
            or tk.asbool(data_dict.get("use_default_schema", False))
            or tk.asbool(data_dict.get("include_plugin_data", False))):
        return None
    _creating.set(None)  # once: the dictization below calls package_show itself
    from ckan import logic

    both = logic.package_show_default_and_custom_schemas(context, package_id)
    _keep(job_id, package_id, both)
    return copy.deepcopy(both[1])  # the caller's (the activity's) own copy: the index keeps the pair intact


def _keep(job_id: str, package_id: str, both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    # dictionaries of other jobs (whose batches another consumer indexed) are dropped: they would only be used
    # by a flush of this process, which dictizes again what it does not hold
    for other in [j for j in _shown if j != job_id]:
        del _shown[other]
    _shown.setdefault(job_id, {})[package_id] = both


def _take_shown(job_id: str | None, package_ids: list[str]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """The dictionaries kept for ``package_ids`` that still describe the stored dataset (same
    ``metadata_modified``: a dataset changed since its import, by a harvester extension's hook or a user, is
    dictized again)."""
    kept: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for job, by_id in list(_shown.items()):
        if job_id is not None and job != job_id:
            continue
        for package_id in package_ids:
            if package_id in by_id:
                kept[package_id] = by_id.pop(package_id)
        if not by_id:
            del _shown[job]
    if not kept:
        return kept
    stored: dict[str, Any] = {row[0]: row[1] for row in model.Session.query(
        model.Package.id, model.Package.metadata_modified).filter(model.Package.id.in_(list(kept)))}
    return {package_id: both for package_id, both in kept.items()
            if stored.get(package_id) is not None
            and both[0].get("metadata_modified") == stored[package_id].isoformat()}


_commit_lock = threading.Lock()
_commit_depth = 0
_commit_saved: Any = None


@contextlib.contextmanager
def deferred_index_commit() -> Iterator[None]:
    """While one record's index writes that CKAN makes itself are sent (a re-harvest's ``package_update``, a
    deletion's removal; on CKAN 2.11 every record, indexed at its commit), no Solr commit per write:
    :func:`after_import` commits once per batch and at the end of the job.

    CKAN's actions take no per-call option for that (``package_update``'s ``defer_commit`` also skips the
    activity and the commit), so this sets CKAN's own ``ckan.search.solr_commit`` to false for the block. It is
    a process-wide setting: the blocks are as short as the writes (on 2.12 a new record, the first harvest's
    case, needs none: ``package_create`` does not index it), and they are counted under a lock so that harvest
    imports in several threads of one process restore the setting only when the last one leaves. A web
    request of the same process indexing meanwhile would not commit either (Solr's auto soft commit shows it
    within seconds); ckanext-harvest's fetch consumer is a process of its own, single-threaded."""
    global _commit_depth, _commit_saved
    key = "ckan.search.solr_commit"
    with _commit_lock:
        if _commit_depth == 0:
            _commit_saved = tk.config.get(key, True)
            if tk.asbool(_commit_saved):
                tk.config[key] = False
        _commit_depth += 1
    try:
        yield
    finally:
        with _commit_lock:
            _commit_depth -= 1
            if _commit_depth == 0:
                if tk.asbool(_commit_saved):
                    tk.config[key] = _commit_saved
                _commit_saved = None


def _pending_query() -> Any:
    return (model.Session.query(HarvestObjectExtra.id, HarvestObject.id, HarvestObject.package_id)
            .join(HarvestObject, HarvestObject.id == HarvestObjectExtra.harvest_object_id)
            .filter(HarvestObjectExtra.key == PENDING_KEY))


def last_of_job(harvest_object: Any) -> bool:
    """True when no other object of the job waits to be fetched or imported."""
    pending = (model.Session.query(HarvestObject.id)
               .filter(HarvestObject.harvest_job_id == harvest_object.harvest_job_id)
               .filter(HarvestObject.id != harvest_object.id)
               .filter(HarvestObject.state.in_(("WAITING", "FETCH", "IMPORT")))
               .limit(1).first())
    return pending is None


def flush(job_id: str | None = None, source_id: str | None = None, commit: bool | None = None) -> int:
    """Index the datasets marked « to index » (of one job, one source, or all), then commit Solr once (when
    ``commit``, by default ``ckan.search.solr_commit``) and remove the marks. Returns how many datasets were
    sent to the index."""
    query = _pending_query()
    if job_id:
        query = query.filter(HarvestObject.harvest_job_id == job_id)
    if source_id:
        query = query.filter(HarvestObject.harvest_source_id == source_id)
    if job_id:
        _marked.pop(job_id, None)
    else:
        _marked.clear()
    rows = query.all()
    if not rows:
        return 0
    indexed = 0
    package_ids = list(dict.fromkeys(r[2] for r in rows if r[2]))  # once each, in import order
    shown = _take_shown(job_id, package_ids)
    for package_id in package_ids:
        try:
            both = shown.get(package_id)
            if both is not None:  # dictized once at its import (shown_for_activity)
                from ckan import logic

                logic.index_update_package_dicts(both, True)
            else:
                compat.reindex_dataset(package_id, defer_commit=True)
            indexed += 1
        except tk.ObjectNotFound:
            log.info("Harvested dataset %s no longer exists (source cleared): not indexed", package_id)
        except Exception:  # one dataset that cannot be indexed never keeps the others out of the search
            log.exception("Harvested dataset %s could not be indexed", package_id)
    if indexed and (solr_commit_wanted() if commit is None else commit):
        commit_solr()
    ids = [r[0] for r in rows]
    for extra in model.Session.query(HarvestObjectExtra).filter(HarvestObjectExtra.id.in_(ids)):
        model.Session.delete(extra)
    model.Session.commit()
    log.info("Indexed %d harvested dataset(s)%s", indexed, f" of job {job_id}" if job_id else "")
    return indexed


def commit_solr() -> None:
    try:
        from ckan.lib import search

        search.commit()
    except Exception:  # the next commit or Solr's auto commit makes the documents visible anyway
        log.warning("Solr commit after harvested records failed", exc_info=True)


def flush_due(harvest_object: Any) -> str | None:
    """After one object's import, whether the job's marked datasets are to be indexed now: ``"last"`` when it
    was the job's last object, ``"batch"`` when this process marked a full batch, else ``None``."""
    try:
        if last_of_job(harvest_object):
            return "last"
    except Exception:  # never turns an imported record into an error; harvest_jobs_run flushes again
        log.exception("Harvest job %s: could not tell whether objects are left", harvest_object.harvest_job_id)
        return None
    if batching() and _marked.get(harvest_object.harvest_job_id, 0) >= hconfig.index_batch_size():
        return "batch"
    return None


_UNKNOWN = "unknown"


def after_import(harvest_object: Any, due: str | None = _UNKNOWN) -> None:
    """After one object's import (its record committed when ``due``): index the job's marked datasets when a
    batch is full or when it was the job's last object (``due``, from :func:`flush_due`, computed here when not
    given); the last one also commits Solr for what was indexed per record (deletions, CKAN 2.11)."""
    job_id = harvest_object.harvest_job_id
    try:
        if due is _UNKNOWN:
            due = flush_due(harvest_object)
        if due == "last":
            flush(job_id, commit=False)
            _shown.pop(job_id, None)  # what a record that failed after its dictization left
            if solr_commit_wanted():
                commit_solr()
        elif due == "batch":
            flush(job_id)
    except Exception:  # never turns an imported record into an error; harvest_jobs_run flushes again
        model.Session.rollback()
        log.exception("Indexing the datasets of harvest job %s failed", job_id)
