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
    for package_id in dict.fromkeys(r[2] for r in rows if r[2]):  # once each, in import order
        try:
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
            if solr_commit_wanted():
                commit_solr()
        elif due == "batch":
            flush(job_id)
    except Exception:  # never turns an imported record into an error; harvest_jobs_run flushes again
        model.Session.rollback()
        log.exception("Indexing the datasets of harvest job %s failed", job_id)
