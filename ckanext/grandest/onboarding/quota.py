"""Hosting quotas as the portal shows and checks them: an organization's quota as the actions and pages show it
(:func:`quota_dict`), and :func:`reconcile`, the recount of every organization from the files in the store
(``ckan grandest onboarding reconcile``). The usage itself is kept by :mod:`.ledger`; the limits and the words of a
refusal are in :mod:`.limits`."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from ckan import model

from ckanext.grandest.common import filestore

from . import config as cfg
from . import ledger
from .limits import limits_of, usage_ratios
from .model import OrgQuota

Drift = ledger.Drift


def quota_dict(org: model.Group, row: OrgQuota | None) -> dict[str, Any]:
    """An organization's tier, limits, overrides (MiB) and usage."""
    limits = limits_of(row)
    ratios = usage_ratios(row, limits)
    threshold = cfg.warning_percent() / 100.0
    bytes_used = int(row.bytes_used) if row is not None else 0
    datasets_used = int(row.datasets_used) if row is not None else 0

    def mb(n: int | None) -> int | None:
        return None if n is None else n // cfg.MiB

    return {
        "organization_id": org.id,
        "organization_name": org.name,
        "organization_title": org.title or org.name,
        "tier": limits.tier.name if limits.tier else None,
        "tier_label": limits.tier.label if limits.tier else None,
        "own_tier": row.tier if row is not None else None,
        "limits": {
            "max_storage_bytes": limits.max_storage_bytes,
            "max_datasets": limits.max_datasets,
            "max_file_bytes": limits.max_file_bytes,
        },
        "overrides": {
            "max_storage_mb": mb(row.max_storage_bytes) if row is not None and row.max_storage_bytes is not None
            else None,
            "max_datasets": row.max_datasets if row is not None else None,
            "max_file_mb": mb(row.max_file_bytes) if row is not None and row.max_file_bytes is not None else None,
        },
        "usage": {"bytes_used": bytes_used, "datasets_used": datasets_used},
        "storage_percent": round(ratios["storage"] * 100, 1) if ratios["storage"] is not None else None,
        "datasets_percent": round(ratios["datasets"] * 100, 1) if ratios["datasets"] is not None else None,
        "warnings": [k for k, v in ratios.items() if v is not None and v >= threshold],
        "warning_percent": cfg.warning_percent(),
    }


def reconcile(fix: bool = True, progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None) -> list[Drift]:
    """Recompute every ledger from storage (sizes of the files in the portal's resource store: the local disk or
    CKAN 2.12's configured storage, e.g. S3) and the datasets in the database.

    Returns one :class:`Drift` per organization (recorded vs real). With ``fix``, the ledger, the per-dataset
    usage and the stored-file records are rewritten to the real values (one transaction per organization).
    """
    session = model.Session
    orgs = session.query(model.Group.id, model.Group.name).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").order_by(model.Group.name).all()
    known = {org_id for (org_id,) in session.query(OrgQuota.organization_id)}
    names = {org_id: name for org_id, name in orgs}
    ids = [org_id for org_id, _ in orgs] + sorted(known - set(names))
    store = filestore.resource_files()
    drifts = []
    for org_id in progress(ids) if progress else ids:
        drifts.append(ledger.recompute(org_id, names.get(org_id), store, fix))
        if fix:
            session.commit()
    return drifts
