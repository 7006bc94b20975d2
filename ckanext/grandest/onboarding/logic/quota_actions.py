"""Quota actions: ``grandest_quota_show``/``grandest_quota_update`` (an organization's tier, limits and usage) and
``grandest_usage_list`` (every organization's usage, for regional admins). The usage is kept by :mod:`..ledger`."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from .. import config as cfg
from .. import ledger
from ..model import OrgQuota
from ..quota import quota_dict
from . import schema
from .requests import actor, validate

log = logging.getLogger(__name__)
MiB = cfg.MiB


def _org_or_404(ident: str) -> model.Group:
    org = model.Group.get(ident)
    if org is None or not org.is_organization or org.state == "deleted":
        raise tk.ObjectNotFound(tk._("Organization not found."))
    return org


@tk.side_effect_free
def grandest_quota_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An organization's tier, limits and usage. :param id: organization id or name"""
    data = validate(data_dict, schema.quota_show(), context)
    org = _org_or_404(data["id"])
    tk.check_access("grandest_quota_show", context, {"id": org.id})
    return quota_dict(org, ledger.row(org.id))


def grandest_quota_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Set an organization's tier and/or per-organization overrides (regional admins).

    :param id: organization id or name
    :param tier: a configured tier; empty string: back to the default tier
    :param max_storage_mb, max_datasets, max_file_mb: overrides; 0 = no limit; empty string = the tier's
    Lowering a limit below the current usage is allowed: nothing is deleted, new content is refused.
    """
    data = validate(data_dict, schema.quota_update(), context)
    org = _org_or_404(data["id"])
    tk.check_access("grandest_quota_update", context, {"id": org.id})
    old = ledger.row(org.id)
    before = {k: getattr(old, k) if old is not None else None
              for k in ("tier", "max_storage_bytes", "max_datasets", "max_file_bytes")}
    changes: dict[str, Any] = {}
    if "tier" in data:
        changes["tier"] = data["tier"] or None
    if "max_storage_mb" in data:
        changes["max_storage_bytes"] = None if data["max_storage_mb"] is None else data["max_storage_mb"] * MiB
    if "max_datasets" in data:
        changes["max_datasets"] = data["max_datasets"]
    if "max_file_mb" in data:
        changes["max_file_bytes"] = None if data["max_file_mb"] is None else data["max_file_mb"] * MiB
    row = ledger.set_limits(org.id, **changes)
    log.info("grandest_onboarding: quota of %s changed by %s: %s -> tier=%s storage=%s datasets=%s file=%s",
             org.name, actor(context), before, row.tier, row.max_storage_bytes, row.max_datasets, row.max_file_bytes)
    model.Session.commit()
    return quota_dict(org, ledger.row(org.id))


@tk.side_effect_free
def grandest_usage_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every organization's usage (regional admins).

    :param sort: name, title, tier, bytes_used, storage_percent, datasets_used or datasets_percent
    :param order: asc or desc; :param q: text in the name or title
    :returns: ``{"count": n, "results": [quota dicts]}``
    """
    tk.check_access("grandest_usage_list", context, data_dict)
    data = validate(data_dict, schema.usage_list(), context)
    query = model.Session.query(model.Group, OrgQuota).outerjoin(
        OrgQuota, OrgQuota.organization_id == model.Group.id).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    if data.get("q"):
        like = f"%{data['q']}%"
        query = query.filter(sa.or_(model.Group.name.ilike(like), model.Group.title.ilike(like)))
    results = [quota_dict(org, row) for org, row in query.all()]
    key = data["sort"]

    def sort_key(item: dict[str, Any]) -> Any:
        if key in ("bytes_used", "datasets_used"):
            return item["usage"][key]
        if key in ("storage_percent", "datasets_percent"):
            return item[key] if item[key] is not None else -1
        if key == "title":
            return (item["organization_title"] or "").lower()
        if key == "tier":
            return item["tier"] or ""
        return item["organization_name"]

    results.sort(key=sort_key, reverse=data["order"] == "desc")
    return {"count": len(results), "results": results}
