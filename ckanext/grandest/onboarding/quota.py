"""Hosting quotas: limits of an organization and its usage ledger.

The ledger (``grandest_org_quota``) holds, per organization, the bytes of uploaded files and the number of
datasets. It is kept up to date incrementally, per dataset: :func:`sync_dataset` recomputes what one dataset
should add to its organization (``grandest_dataset_usage``), compares with what it added so far and applies
the difference, so its cost does not depend on the size of the organization.

Concurrency: every change of usage locks, in this order, the dataset's ``package`` row, the ledger rows of the
organizations involved (sorted by id) and the dataset's usage row, all ``SELECT ... FOR UPDATE`` in the
request's own transaction. Locks are held until it commits; two uploads into one organization are therefore
serialised on its ledger row and the second sees the bytes of the first: no overshoot, no deadlock.

Bytes come from ``grandest_stored_file`` (the real size, measured while the file was written by
:mod:`.storage`), never from the ``size`` a client sends.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from . import config as cfg
from .model import DatasetUsage, OrgQuota, StoredFile

log = logging.getLogger(__name__)

COUNTED_STATES = ("active", "draft")
#: package types that are not datasets (ckanext-harvest's sources)
NOT_DATASETS = ("harvest",)
_UNSET: Any = object()

AFTER_COMMIT_KEY = "grandest_onboarding_after_commit"


class QuotaExceeded(tk.ValidationError):
    """A ValidationError whose message says, in the user's language, what is full and what to do."""

    def __init__(self, field: str, message: str, kind: str) -> None:
        super().__init__({field: [message]})
        self.kind = kind
        self.message = message


@dataclasses.dataclass(frozen=True)
class Limits:
    tier: cfg.Tier | None
    max_storage_bytes: int | None
    max_datasets: int | None
    max_file_bytes: int | None

    @property
    def limited(self) -> bool:
        return any(v is not None for v in (self.max_storage_bytes, self.max_datasets, self.max_file_bytes))


def limits_of(row: OrgQuota | None) -> Limits:
    """Effective limits: the organization's tier (or the default tier), then its own overrides."""
    tier_name = (row.tier if row is not None and row.tier else None) or cfg.default_tier() or None
    tier = cfg.tier(tier_name)
    storage = tier.max_storage_bytes if tier else None
    datasets = tier.max_datasets if tier else None
    file_ = tier.max_file_bytes if tier else None
    if row is not None:
        if row.max_storage_bytes is not None:
            storage = row.max_storage_bytes if row.max_storage_bytes > 0 else None
        if row.max_datasets is not None:
            datasets = row.max_datasets if row.max_datasets > 0 else None
        if row.max_file_bytes is not None:
            file_ = row.max_file_bytes if row.max_file_bytes > 0 else None
    return Limits(tier=tier, max_storage_bytes=storage, max_datasets=datasets, max_file_bytes=file_)


# --- ledger rows ----------------------------------------------------------------------------------------

TX_KEY = "grandest_onboarding_tx"


def _tx() -> dict[str, Any]:
    """What this transaction has locked and read (rows stay valid while their locks are held). Cleared when
    the transaction ends (``storage._after_transaction_end``), whether it commits or rolls back."""
    return model.Session().info.setdefault(TX_KEY, {"pkg": set(), "ledger": {}, "usage": {}, "synced": set()})


def forget_transaction(session: Any) -> None:
    session.info.pop(TX_KEY, None)


def ensure_row(org_id: str) -> None:
    model.Session.execute(
        pg_insert(OrgQuota.__table__)
        .values(organization_id=org_id, bytes_used=0, datasets_used=0, warned_storage=False,
                warned_datasets=False, modified=sa.func.now())
        .on_conflict_do_nothing(index_elements=["organization_id"])
    )


def lock(org_id: str) -> OrgQuota:
    """The organization's ledger row, created if needed, locked (``FOR UPDATE``) until the transaction ends;
    read from the database once per transaction."""
    tx = _tx()
    row = tx["ledger"].get(org_id)
    if row is not None:
        return row

    def select() -> OrgQuota | None:
        return (model.Session.query(OrgQuota).filter(OrgQuota.organization_id == org_id)
                .with_for_update().populate_existing().one_or_none())

    row = select()
    if row is None:
        ensure_row(org_id)
        row = select()
    assert row is not None
    tx["ledger"][org_id] = row
    return row


def get(org_id: str) -> OrgQuota | None:
    """The ledger row, unlocked (for display), as committed now (not a stale copy from the session)."""
    cached = _tx()["ledger"].get(org_id)
    if cached is not None:
        return cached
    return (model.Session.query(OrgQuota).filter(OrgQuota.organization_id == org_id)
            .populate_existing().one_or_none())


def lock_package(package_id: str) -> None:
    """Lock the dataset's row (first in the lock order: package, then ledgers by id, as core's
    package_update does by updating it first)."""
    tx = _tx()
    if package_id in tx["pkg"]:
        return
    model.Session.execute(sa.text("SELECT id FROM package WHERE id = :id FOR UPDATE"), {"id": package_id})
    tx["pkg"].add(package_id)


def usage_row(package_id: str) -> DatasetUsage | None:
    """The dataset's usage row, fresh from the database once per transaction (the caller holds the
    package lock, which every writer of this row takes first)."""
    tx = _tx()
    if package_id not in tx["usage"]:
        tx["usage"][package_id] = (model.Session.query(DatasetUsage).filter(DatasetUsage.package_id == package_id)
                                   .populate_existing().one_or_none())
    return tx["usage"][package_id]


# --- messages ---------------------------------------------------------------------------------------------

def human_size(n: int | None) -> str:
    """Binary sizes in the user's language: "980 octets", "12,5 Ko", "50 Mo", "1 Go" in French."""
    if n is None:
        return "-"
    n = int(n)
    units = [(1 << 30, tk._("{n} GB")), (1 << 20, tk._("{n} MB")), (1 << 10, tk._("{n} kB"))]
    for size, unit in units:
        if abs(n) >= size:
            return unit.format(n=_number(round(n / size, 1)))
    return tk._("{n} bytes").format(n=_number(n))


def _number(value: float) -> str:
    from babel.numbers import format_decimal

    try:
        from ckan.lib.i18n import get_lang

        locale = get_lang()
    except Exception:
        locale = tk.config.get("ckan.locale_default", "en") or "en"
    try:
        return format_decimal(value, format="#,##0.#", locale=locale)
    except Exception:  # unknown locale
        return f"{value:g}"


def _contact() -> str:
    email = cfg.support_email()
    if email:
        return tk._("ask the DataGrandEst team for more room ({email})").format(email=email)
    return tk._("ask the DataGrandEst team for more room")


def storage_full_message(org_title: str, used: int, limit: int, needed: int | None) -> str:
    """``needed`` is None when the size is not known (the stream was cut while being written)."""
    left = max(0, limit - used)
    if needed is None:
        size = tk._("more than {left}").format(left=human_size(left))
    else:
        size = human_size(needed)
    return tk._(
        "The file was not saved: the storage space of {org} is full. {used} used out of {limit} "
        "({left} left); this file is {size}. Delete files you no longer need, publish large files as a "
        "link to where they are already hosted, or {contact}."
    ).format(org=org_title, used=human_size(used), limit=human_size(limit), left=human_size(left),
             size=size, contact=_contact())


def file_too_large_message(size: int | None, limit: int) -> str:
    if size is None or human_size(size) == human_size(limit):
        shown = tk._("more than {limit}").format(limit=human_size(limit))
    else:
        shown = human_size(size)
    return tk._(
        "The file was not saved: it is too large ({size}); one file may not exceed {limit}. Split it into "
        "smaller files or compress it (zip), or publish it as a link to where it is already hosted."
    ).format(size=shown, limit=human_size(limit))


def datasets_full_message(org_title: str, used: int, limit: int) -> str:
    return tk._(
        "{org} has reached its limit of {limit} datasets ({used} datasets, drafts included). Delete "
        "datasets or drafts you no longer need, or {contact}."
    ).format(org=org_title, limit=limit, used=used, contact=_contact())


def storage_needed_message(org_title: str, used: int, limit: int, needed: int) -> str:
    return tk._(
        "Not enough storage space in {org}: this dataset's files take {size}, and {used} of {limit} are "
        "already used. Delete files you no longer need, or {contact}."
    ).format(org=org_title, size=human_size(needed), used=human_size(used), limit=human_size(limit),
             contact=_contact())


def org_title(org_id: str) -> str:
    org = model.Session.get(model.Group, org_id)
    return (org.title or org.name) if org is not None else org_id


# --- per-dataset sync -------------------------------------------------------------------------------------

def dataset_bytes(package_id: str) -> int:
    """Real bytes of the uploaded files of the dataset's active resources."""
    value = model.Session.execute(
        sa.text(
            "SELECT COALESCE(SUM(f.bytes), 0) FROM grandest_stored_file f "
            "JOIN resource r ON r.id = f.resource_id "
            "WHERE r.package_id = :pid AND r.state = 'active' AND r.url_type = 'upload'"
        ),
        {"pid": package_id},
    ).scalar()
    return int(value or 0)


def counted_org(pkg: model.Package | None, target_org: Any = _UNSET) -> str | None:
    """The organization a dataset counts against (None: it counts nowhere)."""
    if pkg is None:
        return None
    org = pkg.owner_org if target_org is _UNSET else target_org
    if not org or pkg.state not in COUNTED_STATES or (pkg.type or "dataset") in NOT_DATASETS:
        return None
    return org


def mark_stale(package_id: str) -> None:
    """A core action starts changing this dataset: a later ``sync_dataset(..., if_stale=True)`` must run."""
    _tx()["synced"].discard(package_id)


def sync_dataset(package_id: str, target_org: Any = _UNSET, removing: bool = False,
                 enforce: bool = True, org_only: bool = False, if_stale: bool = False) -> None:
    """Bring the ledger in line with one dataset's current state (in the current transaction).

    ``target_org``: the organization the dataset is about to move to (before core changes ``owner_org``);
    ``removing``: the dataset is being deleted or purged; ``enforce``: refuse (QuotaExceeded, after rolling
    the transaction back) a change that adds a dataset or bytes beyond the organization's limits;
    ``org_only``: nothing to do if the dataset stays counted in the same organization (bytes are synced by
    the hooks that run after the files are written); ``if_stale``: skip if a full sync of this dataset already
    ran since core started changing it (the uploader syncs after writing; the edit hook that follows need not).
    """
    tx = _tx()
    if if_stale and package_id in tx["synced"]:
        return
    session = model.Session
    session.flush()
    pkg = session.get(model.Package, package_id)
    if pkg is not None:
        lock_package(package_id)
    new_org = None if removing else counted_org(pkg, target_org)
    usage = usage_row(package_id)
    prev_org = usage.organization_id if usage is not None else None
    if org_only and prev_org == new_org:
        return
    prev_bytes = int(usage.bytes or 0) if usage is not None and prev_org else 0
    new_bytes = dataset_bytes(package_id) if new_org else 0
    tx["synced"].add(package_id)
    if prev_org == new_org and prev_bytes == new_bytes:
        return

    ledgers = {org: lock(org) for org in sorted({o for o in (prev_org, new_org) if o})}
    if enforce and new_org:
        ledger = ledgers[new_org]
        limits = limits_of(ledger)
        adds_dataset = prev_org != new_org
        extra = new_bytes - (prev_bytes if prev_org == new_org else 0)
        if adds_dataset and limits.max_datasets is not None and ledger.datasets_used + 1 > limits.max_datasets:
            title = org_title(new_org)
            used, limit = ledger.datasets_used, limits.max_datasets
            session.rollback()
            raise QuotaExceeded("owner_org", datasets_full_message(title, used, limit), "datasets")
        if (extra > 0 and limits.max_storage_bytes is not None
                and ledger.bytes_used + extra > limits.max_storage_bytes):
            title = org_title(new_org)
            used, limit = ledger.bytes_used, limits.max_storage_bytes
            session.rollback()
            raise QuotaExceeded("owner_org", storage_needed_message(title, used, limit, extra), "storage")

    if prev_org:
        ledgers[prev_org].bytes_used = max(0, int(ledgers[prev_org].bytes_used) - prev_bytes)
        ledgers[prev_org].datasets_used = max(0, int(ledgers[prev_org].datasets_used) - 1)
    if new_org:
        ledgers[new_org].bytes_used = int(ledgers[new_org].bytes_used) + new_bytes
        ledgers[new_org].datasets_used = int(ledgers[new_org].datasets_used) + 1
    if usage is None:
        usage = DatasetUsage(package_id=package_id)
        session.add(usage)
        _tx()["usage"][package_id] = usage
    usage.organization_id = new_org
    usage.bytes = new_bytes
    for ledger in ledgers.values():
        check_warnings(ledger)


def forget_dataset(package_id: str) -> None:
    """The dataset is being purged: take it out of the ledger and forget its files' records."""
    sync_dataset(package_id, removing=True, enforce=False)
    usage = usage_row(package_id)
    if usage is not None:
        model.Session.delete(usage)
    _tx()["usage"].pop(package_id, None)
    model.Session.query(StoredFile).filter(StoredFile.package_id == package_id).delete(
        synchronize_session=False)


# --- 80% warnings -----------------------------------------------------------------------------------------

def usage_ratios(row: OrgQuota | None, limits: Limits | None = None) -> dict[str, float | None]:
    limits = limits or limits_of(row)
    used_bytes = int(row.bytes_used) if row is not None else 0
    used_datasets = int(row.datasets_used) if row is not None else 0
    return {
        "storage": (used_bytes / limits.max_storage_bytes) if limits.max_storage_bytes else None,
        "datasets": (used_datasets / limits.max_datasets) if limits.max_datasets else None,
    }


def check_warnings(ledger: OrgQuota) -> None:
    """Flag (and email once) an organization whose usage crosses the warning threshold."""
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
        from . import mailer

        payload = mailer.prepare_usage_warning(ledger, limits, crossed)
        if payload:
            after_commit(lambda: mailer.send_prepared(payload))


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction commits (dropped if it rolls back)."""
    model.Session().info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


# --- reconcile --------------------------------------------------------------------------------------------

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


def reconcile(fix: bool = True, progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None) -> list[Drift]:
    """Recompute every ledger from storage (sizes of the files in the portal's resource store: the local disk or
    CKAN 2.12's configured storage, e.g. S3) and the datasets in the database.

    Returns one :class:`Drift` per organization (recorded vs real). With ``fix``, the ledger, the per-dataset
    usage and the stored-file records are rewritten to the real values (one transaction per organization).
    """
    from ckanext.grandest.common import filestore

    session = model.Session
    orgs = session.query(model.Group.id, model.Group.name).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").order_by(model.Group.name).all()
    known = {org_id for (org_id,) in session.query(OrgQuota.organization_id)}
    names = {org_id: name for org_id, name in orgs}
    ids = [org_id for org_id, _ in orgs] + sorted(known - set(names))
    iterator: Iterable[str] = progress(ids) if progress else ids
    drifts: list[Drift] = []
    store = filestore.resource_files()
    for org_id in iterator:
        pkgs = session.query(model.Package).filter(
            model.Package.owner_org == org_id,
            model.Package.state.in_(COUNTED_STATES),
            model.Package.type.notin_(NOT_DATASETS),
        ).all() if org_id in names else []
        real_bytes = 0
        per_pkg: dict[str, int] = {}
        files: dict[str, tuple[str, int]] = {}
        for pkg in pkgs:
            total = 0
            for res in session.query(model.Resource).filter(
                    model.Resource.package_id == pkg.id, model.Resource.state == "active",
                    model.Resource.url_type == "upload"):
                size = 0
                if store is not None:
                    try:
                        size = store.size(store.location(res.id)) or 0
                    except (OSError, tk.ValidationError):
                        size = 0
                files[res.id] = (pkg.id, size)
                total += size
            per_pkg[pkg.id] = total
            real_bytes += total
        row = get(org_id)
        drift = Drift(
            organization_id=org_id, name=names.get(org_id, org_id),
            bytes_recorded=int(row.bytes_used) if row else 0, bytes_real=real_bytes,
            datasets_recorded=int(row.datasets_used) if row else 0, datasets_real=len(pkgs),
        )
        drifts.append(drift)
        if fix:
            ledger = lock(org_id)
            for res_id, (pkg_id, size) in files.items():
                session.execute(
                    pg_insert(StoredFile.__table__).values(resource_id=res_id, package_id=pkg_id, bytes=size,
                                                           modified=sa.func.now())
                    .on_conflict_do_update(index_elements=["resource_id"],
                                           set_={"bytes": size, "package_id": pkg_id, "modified": sa.func.now()})
                )
            session.query(DatasetUsage).filter(
                DatasetUsage.organization_id == org_id, DatasetUsage.package_id.notin_(list(per_pkg) or [""])
            ).update({"organization_id": None, "bytes": 0}, synchronize_session=False)
            for pkg_id, total in per_pkg.items():
                session.execute(
                    pg_insert(DatasetUsage.__table__).values(package_id=pkg_id, organization_id=org_id, bytes=total)
                    .on_conflict_do_update(index_elements=["package_id"],
                                           set_={"organization_id": org_id, "bytes": total})
                )
            ledger.bytes_used = real_bytes
            ledger.datasets_used = len(pkgs)
            check_warnings(ledger)
            session.commit()
    return drifts


# --- recount (deletion paths that bypass the actions) ------------------------------------------------------

RECOUNT_KEY = "grandest_onboarding_recount"

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
    # an organization that is gone keeps no ledger
    """DELETE FROM grandest_org_quota q WHERE q.organization_id = ANY(:ids) AND NOT EXISTS (
            SELECT 1 FROM "group" g WHERE g.id = q.organization_id AND g.state != 'deleted')""",
]


def recount(org_ids: Iterable[str], connection: Any = None) -> None:
    """Set the ledgers of ``org_ids`` to what really exists (datasets and stored bytes), for the paths that
    delete without going through the actions (ckanext-harvest's SQL, ``Package.purge()``...). With
    ``connection``: on it (the caller commits); else in the current session's transaction."""
    ids = sorted({i for i in org_ids if i})
    if not ids:
        return
    run = connection.execute if connection is not None else model.Session.execute
    for sql in _RECOUNT_SQL:
        run(sa.text(sql), {"ids": ids})


def note_deletions(session: Any, flush_context: Any = None, instances: Any = None) -> None:
    """``before_flush``: datasets and organizations deleted (or set to 'deleted') through the model, whoever
    does it: their organizations are recounted once the transaction commits."""
    orgs: set[str] = session.info.setdefault(RECOUNT_KEY, set())
    for obj in session.deleted:
        if isinstance(obj, model.Package) and obj.owner_org:
            orgs.add(obj.owner_org)
        elif isinstance(obj, model.Group) and obj.is_organization:
            orgs.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, model.Package) and obj.state == "deleted":
            history = sa.inspect(obj).attrs.state.history
            if history.has_changes() and obj.owner_org:
                orgs.add(obj.owner_org)
    if not orgs:
        session.info.pop(RECOUNT_KEY, None)


def recount_noted(session: Any, flush_context: Any = None) -> None:
    """``after_flush_postexec``: recount the organizations noted by :func:`note_deletions`, in the same
    transaction as the deletion (on the session's own connection: a second connection would wait for the row
    locks this transaction holds, and this transaction for it — a deadlock seen with CKAN 2.12's bulk delete)."""
    orgs = session.info.pop(RECOUNT_KEY, None)
    # the session listeners stay once installed: a process that unloads the plugin (tests) has no ledger
    if orgs and p.plugin_loaded("grandest_onboarding"):
        recount(orgs, session.connection())
