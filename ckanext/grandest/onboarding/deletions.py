"""Deletions reach the quota ledger through one route: :func:`ledger.release <.ledger.release>`.

* **CKAN's signals** (``ISignal``, as ckanext/activity subscribes to ``action_succeeded``): once a deleting action
  succeeded — dataset delete or purge, bulk delete, resource delete, organization delete or purge, and
  ckanext-harvest's ``harvest_source_clear``/``harvest_job_abort``, which delete datasets with plain SQL — what it
  deleted is released, then committed (unless the caller defers its commit: it is then part of the caller's
  transaction).
* **A model-level safety net** (SQLAlchemy session listeners) for the paths that go around the actions (a script
  or a plugin calling ``Package.purge()``, setting ``state = 'deleted'``, purging a group): the datasets and
  organizations deleted through the model are released in the same transaction, right after the flush, on the
  session's own connection.

Both are idempotent (a release recounts from the records), so a deletion seen by both is released once in effect.
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy import event

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from . import ledger

log = logging.getLogger(__name__)


# --- signals ----------------------------------------------------------------------------------------------

def _dataset_id(ident: Any) -> str | None:
    if not isinstance(ident, str) or not ident:
        return None
    pkg = model.Package.get(ident)
    return pkg.id if pkg is not None else ident  # purged: its id is what the ledger knows


def _datasets(action: str, data_dict: dict[str, Any]) -> dict[str, Any]:
    """What ``action`` deleted, as the arguments of ``ledger.release``."""
    if action == "bulk_update_delete":
        return {"datasets": [d for d in data_dict.get("datasets") or [] if isinstance(d, str)]}
    if action == "resource_delete":
        res = model.Resource.get(data_dict.get("id") or "")
        return {"datasets": [res.package_id] if res is not None else []}
    return {"datasets": [d for d in [_dataset_id(data_dict.get("id"))] if d]}


def _organizations(action: str, data_dict: dict[str, Any]) -> dict[str, Any]:
    ident = data_dict.get("id")
    org = model.Group.get(ident) if isinstance(ident, str) and ident else None
    return {"organizations": [org.id if org is not None else ident] if ident else []}


def _harvest_source(action: str, data_dict: dict[str, Any]) -> dict[str, Any]:
    """ckanext-harvest deletes with plain SQL: the organizations of the source's datasets, and every dataset the
    ledger still counts that no longer exists."""
    source = data_dict.get("id") if action == "harvest_source_clear" else data_dict.get("source_id")
    if not source and action == "harvest_job_abort" and data_dict.get("id"):
        row = model.Session.execute(sa.text("SELECT source_id FROM harvest_job WHERE id = :j"),
                                    {"j": data_dict["id"]}).fetchone()
        source = row[0] if row else None
    orgs: set[str] = set()
    if isinstance(source, str) and source:
        orgs = {r[0] for r in model.Session.execute(sa.text(
            """SELECT p.owner_org FROM harvest_object o JOIN package p ON p.id = o.package_id
               WHERE o.harvest_source_id IN (SELECT id FROM harvest_source WHERE id = :s OR name = :s)
                 AND p.owner_org IS NOT NULL
               UNION SELECT owner_org FROM package WHERE (id = :s OR name = :s) AND owner_org IS NOT NULL"""),
            {"s": source}).fetchall()}
    return {"organizations": sorted(orgs), "gone": True}


RELEASED_BY = {
    "package_delete": _datasets,
    "dataset_purge": _datasets,
    "bulk_update_delete": _datasets,
    "resource_delete": _datasets,
    "organization_delete": _organizations,
    "organization_purge": _organizations,
    "harvest_source_clear": _harvest_source,
    "harvest_job_abort": _harvest_source,
}


def action_succeeded(sender: str, **kwargs: Any) -> None:
    """``action_succeeded`` receiver: release what the action deleted, and commit (unless deferred)."""
    context, data_dict = kwargs.get("context") or {}, kwargs.get("data_dict") or {}
    what = RELEASED_BY.get(sender)
    if what is None or not isinstance(data_dict, dict):
        return
    deferred = bool(context.get("defer_commit"))
    try:
        ledger.release(**what(sender, data_dict))
        if not deferred:
            model.Session.commit()
    except Exception:
        if deferred:  # the caller's transaction: its caller decides
            raise
        model.Session.rollback()  # the deletion itself is committed; `reconcile` repairs the ledger
        log.exception("grandest_onboarding: the ledger could not release what %s deleted", sender)


def subscriptions() -> dict[Any, Any]:
    """For ``ISignal.get_signal_subscriptions``."""
    return {tk.signals.action_succeeded: [{"sender": name, "receiver": action_succeeded} for name in RELEASED_BY]}


# --- the model-level safety net ---------------------------------------------------------------------------

def note_deletions(session: Any, flush_context: Any = None, instances: Any = None) -> None:
    """``before_flush``: datasets and organizations deleted (or datasets set to 'deleted') through the model,
    whoever does it."""
    purged, orgs = set(), set()
    for obj in session.deleted:
        if isinstance(obj, model.Package):
            purged.add(obj.id)
            if obj.owner_org:
                orgs.add(obj.owner_org)
        elif isinstance(obj, model.Group) and obj.is_organization:
            orgs.add(obj.id)
    files = {obj.id for obj in session.deleted
             if isinstance(obj, model.Resource) and obj.url_type == "upload" and obj.package_id in purged}
    for obj in session.dirty:
        if isinstance(obj, model.Package) and obj.state == "deleted" and obj.owner_org:
            if instance_state(obj).attrs.state.history.has_changes():
                orgs.add(obj.owner_org)
    if purged or orgs:
        tx = ledger.Transaction.current(session)
        tx.deleted_packages |= purged
        tx.deleted_orgs |= orgs
        tx.deleted_files |= files


def release_noted(session: Any, flush_context: Any = None) -> None:
    """``after_flush_postexec``: release what :func:`note_deletions` noted, in the same transaction as the
    deletion (on the session's own connection: a second connection would wait for the row locks this
    transaction holds, and this transaction for it — a deadlock seen with CKAN 2.12's bulk delete)."""
    tx = session.info.get(ledger.Transaction.KEY)
    if tx is None or not (tx.deleted_packages or tx.deleted_orgs):
        return
    purged, files, orgs = sorted(tx.deleted_packages), sorted(tx.deleted_files), sorted(tx.deleted_orgs)
    tx.deleted_packages, tx.deleted_files, tx.deleted_orgs = set(), set(), set()
    # the session listeners stay once installed: a process that unloads the plugin (tests) has no ledger
    if p.plugin_loaded("grandest_onboarding"):
        ledger.release(datasets=purged, resources=files, organizations=orgs)


def listen() -> None:
    """Attach the safety net to CKAN's session (once: listeners already attached are not attached again)."""
    for name, hook in (("before_flush", note_deletions), ("after_flush_postexec", release_noted)):
        if not event.contains(model.Session, name, hook):
            event.listen(model.Session, name, hook)
