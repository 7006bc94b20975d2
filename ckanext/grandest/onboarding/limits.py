"""Hosting quotas: what counts against an organization, its limits (its tier, then its own overrides) and the
French words of a refusal.

No state and no database writes here: the usage itself is kept by :mod:`.ledger`, the only module that changes it.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.grandest.common import sizes

from . import config as cfg
from .model import OrgQuota


COUNTED_STATES = ("active", "draft")
#: package types that are not datasets (ckanext-harvest's sources)
NOT_DATASETS = ("harvest",)
#: no new organization (``ledger.commit`` without ``owner_org``): the dataset stays where it is
KEEP: Any = object()


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


def counted_org(pkg: model.Package | None, target_org: Any = KEEP) -> str | None:
    """The organization a dataset counts against (None: it counts nowhere)."""
    if pkg is None:
        return None
    org = pkg.owner_org if target_org is KEEP else target_org
    if not org or pkg.state not in COUNTED_STATES or (pkg.type or "dataset") in NOT_DATASETS:
        return None
    return org


def usage_ratios(row: OrgQuota | None, limits: Limits | None = None) -> dict[str, float | None]:
    limits = limits or limits_of(row)
    used_bytes = int(row.bytes_used) if row is not None else 0
    used_datasets = int(row.datasets_used) if row is not None else 0
    return {
        "storage": (used_bytes / limits.max_storage_bytes) if limits.max_storage_bytes else None,
        "datasets": (used_datasets / limits.max_datasets) if limits.max_datasets else None,
    }


# --- messages ---------------------------------------------------------------------------------------------

def human_size(n: int | None) -> str:
    """Binary sizes in the user's language: "980 octets", "12,5 Ko", "50 Mo", "1 Go" in French.

    One formatter for the suite: :func:`ckanext.grandest.common.sizes.human_size`."""
    return sizes.human_size(n, locale=_locale(), gettext=tk._)


def _locale() -> str:
    try:
        from ckan.lib.i18n import get_lang

        return str(get_lang())
    except Exception:  # outside a request: the portal's default language
        return str(tk.config.get("ckan.locale_default", "en") or "en")


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
