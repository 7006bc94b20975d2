"""The hosting-quota ledger: the only module that changes what an organization uses.

``grandest_org_quota`` holds per organization the bytes of its uploaded files and its number of datasets,
``grandest_dataset_usage`` what each dataset adds to it, ``grandest_stored_file`` the real size of each uploaded
file, measured while it was written (never the ``size`` a client sends). The API every other module calls:

* ``reserve(resource_id, package_id, max_bytes) -> Reservation``: before an upload writes, the dataset and its
  organization are locked and the file's allowance worked out; the reservation ``refuse()``s in French,
  ``set_aside()``s the file it replaces and ``commit(written)``s the real size.
* ``commit(package_id, owner_org=KEEP)``: a dataset was created or changed, or is about to move to ``owner_org``;
  what it adds beyond the organization's limits is refused (rolled back).
* ``release(datasets=, resources=, organizations=, gone=)``: datasets deleted or purged (a purged dataset's
  files deleted once committed), files replaced by a link, organizations recounted from the records, every
  dataset the ledger counts that no longer exists (``gone``). Called by :mod:`.deletions` (signals, safety net).
* ``recompute(org_id, name, store, fix) -> Drift``: an organization's usage from the files in the store.
* ``row(org_id)`` (display), ``set_limits(org_id, **changes)`` (tier and overrides; warnings re-checked).

What a transaction holds (rows read under its locks, files to delete or put back, mails to send) is one
:class:`Transaction` in the session's ``info``, ended with the transaction: on commit the files set aside are
deleted and the mails sent, on rollback the new files are removed and the replaced ones put back.

Concurrency: a change of usage locks, in this order, the dataset's ``package`` row, the ledger rows of the
organizations involved (sorted by id) and the dataset's usage row (``SELECT ... FOR UPDATE``, held until the
transaction ends): two uploads into one organization are serialised, the second sees the bytes of the first.
"""
from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Any, Callable, Iterable, NoReturn

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.grandest.common import filestore
from ckanext.grandest.common.i18n import N_

from . import config as cfg
from . import mailer
from .limits import (COUNTED_STATES, KEEP, NOT_DATASETS, QuotaExceeded, counted_org, datasets_full_message,
                     file_too_large_message, limits_of, org_title, storage_full_message, storage_needed_message,
                     usage_ratios)
from .model import DatasetUsage, OrgQuota, StoredFile

log = logging.getLogger(__name__)

#: the error key of a refused upload (CKAN's own, for API clients); the forms' error summary shows it through
#: ``_(key)`` (scheming's errors snippet), hence its French translation in our catalog ("Fichier")
UPLOAD_ERROR_KEY = N_("upload")


# --- the transaction --------------------------------------------------------------------------------------

class Transaction:
    """What the current database transaction holds for the ledger (``Transaction.current()``)."""

    KEY = "grandest_onboarding_ledger"

    def __init__(self) -> None:
        self.packages: set[str] = set()  # package rows locked
        self.ledgers: dict[str, OrgQuota] = {}  # ledger rows locked (valid while the locks are held)
        self.usages: dict[str, DatasetUsage | None] = {}  # usage rows read under their package's lock
        self.synced: set[str] = set()  # datasets in line since core last started changing them
        self.files: list[tuple[str, Any, str, str | None]] = []  # (new|replaced|delete, store, location, backup)
        self.mails: list[Callable[[], None]] = []  # sent once committed
        self.deleted_packages: set[str] = set()  # noted by the safety net (before_flush), released after the flush
        self.deleted_orgs: set[str] = set()
        self.deleted_files: set[str] = set()  # upload resources purged with their dataset

    @classmethod
    def current(cls, session: Any = None) -> Transaction:
        info = (session if session is not None else model.Session()).info
        tx = info.get(cls.KEY)
        if tx is None:
            tx = info[cls.KEY] = cls()
        return tx

    def forget_rows(self) -> None:
        """Rows were rewritten by SQL (a recount): read them again (``populate_existing``) under the locks."""
        self.ledgers.clear()
        self.usages.clear()

    def committed(self) -> None:
        for kind, files, location, backup in self.files:
            if kind in ("replaced", "delete"):
                _remove(files, backup if kind == "replaced" else location)
        for send in self.mails:
            try:
                send()
            except Exception:  # never let an email break the request that already committed
                log.exception("grandest_onboarding: a mail after commit failed")

    def rolled_back(self) -> None:
        for kind, files, location, backup in reversed(self.files):
            if kind == "new":
                _remove(files, location)
            elif kind == "replaced" and backup:
                try:
                    files.remove(location)  # what the rolled-back request wrote there
                    files.move(backup, location)
                except Exception as exc:  # pragma: no cover
                    log.error("could not restore %s from %s: %s", location, backup, exc)


def _remove(files: Any, location: str | None) -> None:
    if not location:
        return
    try:
        files.remove(location)
    except Exception as exc:  # pragma: no cover - permissions, storage down...
        log.warning("could not remove %s from the %s store: %s", location, files.kind, exc)


def _after_commit(session: Any) -> None:
    tx = session.info.pop(Transaction.KEY, None)
    if tx is not None:
        tx.committed()


def _after_transaction_end(session: Any, transaction: Any) -> None:
    if transaction.parent is None:  # not a savepoint; after a commit the Transaction is already gone
        tx = session.info.pop(Transaction.KEY, None)
        if tx is not None:
            tx.rolled_back()


def listen() -> None:
    """Tie the Transaction to CKAN's session (once: listeners already attached are not attached again)."""
    for name, hook in (("after_commit", _after_commit), ("after_transaction_end", _after_transaction_end)):
        if not event.contains(model.Session, name, hook):
            event.listen(model.Session, name, hook)


# --- rows under locks -------------------------------------------------------------------------------------

def _locked(org_id: str) -> OrgQuota:
    """The ledger row, created if needed, locked until the transaction ends; read once per transaction."""
    tx = Transaction.current()
    if org_id not in tx.ledgers:
        query = model.Session.query(OrgQuota).filter(OrgQuota.organization_id == org_id)
        found = query.with_for_update().populate_existing().one_or_none()
        if found is None:
            model.Session.execute(pg_insert(OrgQuota.__table__).values(
                organization_id=org_id, bytes_used=0, datasets_used=0, warned_storage=False, warned_datasets=False,
                modified=sa.func.now()).on_conflict_do_nothing(index_elements=["organization_id"]))
            found = query.with_for_update().populate_existing().one()
        tx.ledgers[org_id] = found
    return tx.ledgers[org_id]


def row(org_id: str) -> OrgQuota | None:
    """The ledger row for display: the one this transaction locked, else as committed now."""
    tx = model.Session().info.get(Transaction.KEY)
    cached = tx.ledgers.get(org_id) if tx is not None else None
    if cached is not None:
        return cached
    return (model.Session.query(OrgQuota).filter(OrgQuota.organization_id == org_id)
            .populate_existing().one_or_none())


def set_limits(org_id: str, **changes: Any) -> OrgQuota:
    """Change an organization's ``tier`` or overrides (``max_storage_bytes``, ``max_datasets``, ``max_file_bytes``)
    under its lock; the 80 % warnings follow the new limits. The caller commits."""
    ledger = _locked(org_id)
    for name, value in changes.items():
        if name not in ("tier", "max_storage_bytes", "max_datasets", "max_file_bytes"):
            raise TypeError(name)
        setattr(ledger, name, value)
    _check_warnings(ledger)
    return ledger


def _lock_package(package_id: str) -> None:
    """First in the lock order (package, then ledgers by id), as core's package_update does by updating it."""
    tx = Transaction.current()
    if package_id not in tx.packages:
        model.Session.execute(sa.text("SELECT id FROM package WHERE id = :id FOR UPDATE"), {"id": package_id})
        tx.packages.add(package_id)


def _usage_row(package_id: str) -> DatasetUsage | None:
    """Fresh once per transaction (the caller holds the package lock, which every writer of this row takes)."""
    tx = Transaction.current()
    if package_id not in tx.usages:
        tx.usages[package_id] = (model.Session.query(DatasetUsage).filter(DatasetUsage.package_id == package_id)
                                 .populate_existing().one_or_none())
    return tx.usages[package_id]


def _record_file(resource_id: str, package_id: str | None, size: int) -> None:
    values = {"package_id": package_id, "bytes": size, "modified": sa.func.now()}
    model.Session.execute(pg_insert(StoredFile.__table__).values(resource_id=resource_id, **values)
                          .on_conflict_do_update(index_elements=["resource_id"], set_=values))


def _dataset_bytes(package_id: str) -> int:
    """Real bytes of the uploaded files of the dataset's active resources."""
    return int(model.Session.execute(sa.text(
        "SELECT COALESCE(SUM(f.bytes), 0) FROM grandest_stored_file f JOIN resource r ON r.id = f.resource_id "
        "WHERE r.package_id = :pid AND r.state = 'active' AND r.url_type = 'upload'"), {"pid": package_id},
    ).scalar() or 0)


# --- reserve ----------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Reservation:
    """What one upload may write (``allowed`` bytes; ``kind``: which limit: global, file or storage)."""

    resource_id: str
    package_id: str | None
    resource: Any
    org_id: str | None
    ledger: OrgQuota | None
    allowed: int
    kind: str
    limit: int

    def refuse(self, size: int | None) -> NoReturn:
        """Roll back (the partial file is removed, a replaced one put back) and say what is full, in French.
        ``size``: the file's size, None when not known (the stream was cut)."""
        if self.kind == "storage" and self.ledger is not None and self.org_id:
            limits = limits_of(self.ledger)
            assert limits.max_storage_bytes is not None
            message = storage_full_message(org_title(self.org_id), int(self.ledger.bytes_used),
                                           limits.max_storage_bytes, size)
        else:
            message = file_too_large_message(size, self.limit)
        model.Session.rollback()
        raise QuotaExceeded(UPLOAD_ERROR_KEY, message, self.kind)

    def set_aside(self, files: Any, location: str) -> None:
        """Before writing ``location``: a file already there is kept aside until the transaction commits (put back
        if it rolls back); a new file is removed if it rolls back."""
        tx = Transaction.current()
        if files.exists(location):
            backup = f"{location}.grandest-{uuid.uuid4().hex[:12]}"
            files.move(location, backup)
            tx.files.append(("replaced", files, location, backup))
        else:
            tx.files.append(("new", files, location, None))

    def commit(self, written: int) -> None:
        """The store holds ``written`` bytes: record them (the resource's ``size`` too) and update the ledger."""
        if written > self.allowed:  # a storage that kept more than it was sent: never count past the allowance
            self.refuse(written)
        _record_file(self.resource_id, self.package_id, written)
        if self.resource is not None:
            self.resource.size = written  # the real size, whatever the client claimed
        if self.package_id:
            _sync(self.package_id, enforce=False)  # checked by the allowance already


def reserve(resource_id: str, package_id: str | None, max_bytes: int) -> Reservation:
    """Lock the dataset and its organization and work out what this file may take (see :class:`Reservation`)."""
    session = model.Session
    resource = session.get(model.Resource, resource_id)
    package_id = resource.package_id if resource is not None else package_id
    pkg = session.get(model.Package, package_id) if package_id else None
    org_id = counted_org(pkg)
    allowed, kind, ledger, limit = max_bytes, "global", None, max_bytes
    if org_id and pkg is not None:
        _lock_package(pkg.id)
        ledger = _locked(org_id)
        limits = limits_of(ledger)
        if limits.max_file_bytes is not None and limits.max_file_bytes < allowed:
            allowed, kind, limit = limits.max_file_bytes, "file", limits.max_file_bytes
        if limits.max_storage_bytes is not None:
            usage = _usage_row(pkg.id)
            old = session.get(StoredFile, resource_id)
            counted = usage is not None and usage.organization_id == org_id
            freed = int(old.bytes) if old is not None and counted and resource is not None \
                and resource.state == "active" else 0
            left = limits.max_storage_bytes - int(ledger.bytes_used) + freed
            if left < allowed:
                allowed, kind = max(0, left), "storage"
    return Reservation(resource_id, package_id, resource, org_id, ledger, allowed, kind, limit)


# --- commit -----------------------------------------------------------------------------------------------

def commit(package_id: str, owner_org: Any = KEEP) -> None:
    """Bring the ledger in line with one dataset (in the current transaction), refusing (``QuotaExceeded``,
    after rolling back) what it adds beyond its organization's limits.

    ``owner_org``: the organization it is about to move to (None: out of every organization), given by
    ``package_owner_org_update``, which core calls before it changes a dataset's resources: only its organization
    is then looked at. A dataset in line since (its uploads did it) is not recounted by the edit hook that follows."""
    tx = Transaction.current()
    if owner_org is not KEEP:
        tx.synced.discard(package_id)
        _sync(package_id, target_org=owner_org, enforce=True, moving=True)
    elif package_id not in tx.synced:
        _sync(package_id, enforce=True)


def _sync(package_id: str, target_org: Any = KEEP, enforce: bool = False, moving: bool = False) -> None:
    session = model.Session
    session.flush()
    pkg = session.get(model.Package, package_id)
    if pkg is not None:
        _lock_package(package_id)
    new_org = counted_org(pkg, target_org)
    usage = _usage_row(package_id)
    prev_org = usage.organization_id if usage is not None else None
    if moving and prev_org == new_org:
        return
    Transaction.current().synced.add(package_id)
    prev_bytes = int(usage.bytes or 0) if usage is not None and prev_org else 0
    new_bytes = _dataset_bytes(package_id) if new_org else 0
    if prev_org == new_org and prev_bytes == new_bytes:
        return

    ledgers = {org: _locked(org) for org in sorted({o for o in (prev_org, new_org) if o})}
    if enforce and new_org:
        ledger = ledgers[new_org]
        limits = limits_of(ledger)
        extra = new_bytes - (prev_bytes if prev_org == new_org else 0)
        if prev_org != new_org and limits.max_datasets is not None and ledger.datasets_used + 1 > limits.max_datasets:
            message = datasets_full_message(org_title(new_org), ledger.datasets_used, limits.max_datasets)
            session.rollback()
            raise QuotaExceeded("owner_org", message, "datasets")
        if extra > 0 and limits.max_storage_bytes is not None \
                and ledger.bytes_used + extra > limits.max_storage_bytes:
            message = storage_needed_message(org_title(new_org), ledger.bytes_used, limits.max_storage_bytes, extra)
            session.rollback()
            raise QuotaExceeded("owner_org", message, "storage")

    if prev_org:
        ledgers[prev_org].bytes_used = max(0, int(ledgers[prev_org].bytes_used) - prev_bytes)
        ledgers[prev_org].datasets_used = max(0, int(ledgers[prev_org].datasets_used) - 1)
    if new_org:
        ledgers[new_org].bytes_used = int(ledgers[new_org].bytes_used) + new_bytes
        ledgers[new_org].datasets_used = int(ledgers[new_org].datasets_used) + 1
    if usage is None:
        usage = DatasetUsage(package_id=package_id)
        session.add(usage)
        Transaction.current().usages[package_id] = usage
    usage.organization_id = new_org
    usage.bytes = new_bytes
    for ledger in ledgers.values():
        _check_warnings(ledger)


# --- release ----------------------------------------------------------------------------------------------

_COUNTED = ("p.owner_org = q.organization_id AND p.state IN ('active', 'draft') "
            "AND COALESCE(p.type, 'dataset') NOT IN ('harvest')")
_RECOUNT_SQL = [
    # what each dataset adds: nothing for the datasets that are gone or no longer counted there
    f"""UPDATE grandest_dataset_usage u SET organization_id = NULL, bytes = 0
        WHERE u.organization_id = ANY(:ids) AND NOT EXISTS (
            SELECT 1 FROM package p JOIN grandest_org_quota q ON q.organization_id = u.organization_id
            WHERE p.id = u.package_id AND {_COUNTED})""",
    f"""UPDATE grandest_org_quota q SET
            datasets_used = (SELECT count(*) FROM package p WHERE {_COUNTED}),
            bytes_used = (SELECT COALESCE(SUM(f.bytes), 0) FROM grandest_stored_file f
                          JOIN resource r ON r.id = f.resource_id JOIN package p ON p.id = r.package_id
                          WHERE {_COUNTED} AND r.state = 'active' AND r.url_type = 'upload'),
            modified = now()
        WHERE q.organization_id = ANY(:ids)""",
    # a purged organization keeps no ledger (a deleted one keeps its tier and overrides)
    """DELETE FROM grandest_org_quota q WHERE q.organization_id = ANY(:ids)
        AND NOT EXISTS (SELECT 1 FROM "group" g WHERE g.id = q.organization_id)""",
]
_GONE_SQL = """SELECT u.package_id FROM grandest_dataset_usage u WHERE u.organization_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM package p WHERE p.id = u.package_id)"""


def release(*, datasets: Iterable[str] = (), resources: Iterable[str] = (), organizations: Iterable[str] = (),
            gone: bool = False) -> None:
    """Give back, in the current transaction (the caller commits): ``datasets`` deleted or purged (a purged one's
    records go, its files are deleted once committed), the files of ``resources`` (replaced by a link, or purged
    with their dataset), ``organizations`` recounted from the records, every dataset the ledger counts that no
    longer exists (``gone``). What no longer exists is released in plain SQL: this also runs inside a flush (the
    safety net of :mod:`.deletions`)."""
    run = model.Session.connection().execute
    ids = sorted({d for d in datasets if d})
    if gone:
        ids = sorted(set(ids) | {r[0] for r in run(sa.text(_GONE_SQL))})
    existing = {r[0] for r in run(sa.text("SELECT id FROM package WHERE id = ANY(:ids)"), {"ids": ids})} if ids else set()
    orgs = {o for o in organizations if o}
    files = sorted({r for r in resources if r})
    if files:
        run(sa.text("DELETE FROM grandest_stored_file WHERE resource_id = ANY(:ids)"), {"ids": files})
        existing |= {r[0] for r in run(sa.text("SELECT package_id FROM resource WHERE id = ANY(:ids)"),
                                       {"ids": files})}
    purged = [i for i in ids if i not in existing]
    if purged:
        files += [r[0] for r in run(sa.text("DELETE FROM grandest_stored_file WHERE package_id = ANY(:ids) "
                                            "RETURNING resource_id"), {"ids": purged})]
        orgs |= {r[0] for r in run(sa.text("DELETE FROM grandest_dataset_usage WHERE package_id = ANY(:ids) "
                                           "RETURNING organization_id"), {"ids": purged}) if r[0]}
    for resource_id in sorted(set(files)):
        _delete_once_committed(resource_id)
    for package_id in sorted(existing):
        _sync(package_id)
    if orgs:
        if existing:  # what _sync changed is written before the recount reads it
            model.Session.flush()
        for sql in _RECOUNT_SQL:
            run(sa.text(sql), {"ids": sorted(orgs)})
        Transaction.current().forget_rows()


def _delete_once_committed(resource_id: str) -> None:
    store = filestore.resource_files()
    try:
        if store is not None:
            Transaction.current().files.append(("delete", store, store.location(resource_id), None))
    except tk.ValidationError:  # not a location of this store
        pass


# --- 80 % warnings ----------------------------------------------------------------------------------------

def _check_warnings(ledger: OrgQuota) -> None:
    """Flag (and email once, after commit) an organization whose usage crosses the warning threshold."""
    limits = limits_of(ledger)
    ratios = usage_ratios(ledger, limits)
    threshold = cfg.warning_percent() / 100.0
    crossed = []
    for kind, attr in (("storage", "warned_storage"), ("datasets", "warned_datasets")):
        ratio = ratios[kind]
        high = ratio is not None and ratio >= threshold
        if high and not getattr(ledger, attr):
            setattr(ledger, attr, True)
            crossed.append(kind)
        elif not high and getattr(ledger, attr):
            setattr(ledger, attr, False)
    if crossed:
        payload = mailer.prepare_usage_warning(ledger, limits, crossed)
        if payload:
            Transaction.current().mails.append(lambda: mailer.send_prepared(payload))


# --- recompute --------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Drift:
    organization_id: str
    name: str
    bytes_recorded: int
    bytes_real: int
    datasets_recorded: int
    datasets_real: int

    @property
    def has_drift(self) -> bool:
        return self.bytes_recorded != self.bytes_real or self.datasets_recorded != self.datasets_real


def recompute(org_id: str, name: str | None, store: Any, fix: bool) -> Drift:
    """An organization's usage from the sizes of the files in ``store`` (the portal's resource store) and its
    datasets in the database (``name``: None for an organization that no longer exists). With ``fix``, the
    ledger, the datasets' usage and the file records are rewritten to the real values; the caller commits."""
    session = model.Session
    pkgs = session.query(model.Package).filter(
        model.Package.owner_org == org_id, model.Package.state.in_(COUNTED_STATES),
        model.Package.type.notin_(NOT_DATASETS)).all() if name is not None else []
    per_pkg: dict[str, int] = {}
    files: dict[str, tuple[str, int]] = {}
    for pkg in pkgs:
        per_pkg[pkg.id] = 0
        for res in session.query(model.Resource).filter(model.Resource.package_id == pkg.id,
                                                         model.Resource.state == "active",
                                                         model.Resource.url_type == "upload"):
            try:
                size = (store.size(store.location(res.id)) or 0) if store is not None else 0
            except (OSError, tk.ValidationError):
                size = 0
            files[res.id] = (pkg.id, size)
            per_pkg[pkg.id] += size
    recorded = row(org_id)
    drift = Drift(organization_id=org_id, name=name or org_id,
                  bytes_recorded=int(recorded.bytes_used) if recorded else 0, bytes_real=sum(per_pkg.values()),
                  datasets_recorded=int(recorded.datasets_used) if recorded else 0, datasets_real=len(pkgs))
    if fix:
        ledger = _locked(org_id)
        for res_id, (pkg_id, size) in files.items():
            _record_file(res_id, pkg_id, size)
        session.query(DatasetUsage).filter(
            DatasetUsage.organization_id == org_id, DatasetUsage.package_id.notin_(list(per_pkg) or [""])
        ).update({"organization_id": None, "bytes": 0}, synchronize_session=False)
        for pkg_id, total in per_pkg.items():
            session.execute(pg_insert(DatasetUsage.__table__)
                            .values(package_id=pkg_id, organization_id=org_id, bytes=total)
                            .on_conflict_do_update(index_elements=["package_id"],
                                                   set_={"organization_id": org_id, "bytes": total}))
        ledger.bytes_used = drift.bytes_real
        ledger.datasets_used = drift.datasets_real
        _check_warnings(ledger)
    return drift
