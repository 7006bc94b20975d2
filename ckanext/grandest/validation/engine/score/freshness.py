"""Freshness (udata's rule: last update + declared period, one day of grace), documentation of a dataset."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from .. import vocab
from ..messages import N_, _
from .points import component, detail

DESCRIPTION_MIN_CHARS = 100


def parse_datetime(value: Any) -> datetime | None:
    """ISO date/datetime (str, date or datetime) -> naive UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            try:
                dt = datetime.fromisoformat(text[:10])
            except ValueError:
                return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


def now_or_utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    return parse_datetime(now) or datetime.now(timezone.utc).replace(tzinfo=None)


def last_update(dataset: dict[str, Any]) -> datetime | None:
    """udata: the most recent resource modification, else the dataset's metadata modification."""
    dates = [parse_datetime(r.get("last_modified")) for r in dataset.get("resources") or []]
    dates = [d for d in dates if d is not None]
    if dates:
        return max(dates)
    return parse_datetime(dataset.get("metadata_modified"))


def freshness(dataset: dict[str, Any] | None, *, now: datetime | None = None) -> dict[str, Any]:
    """Is an update frequency declared, and was it honoured? (udata's ``update_fulfilled_in_time``)."""
    dataset = dataset or {}
    code = vocab.frequency_code(dataset.get("frequency"))
    declared = code is not None and code not in vocab.UNDECLARED_FREQUENCIES
    result: dict[str, Any] = {"frequency": code, "declared": declared, "met": None, "last_update": None,
                              "next_update": None}
    if not declared:
        return result
    delay = vocab.FREQUENCY_DELAYS.get(code or "")
    updated = last_update(dataset)
    result["last_update"] = updated.isoformat() if updated else None
    if delay is None:
        result["met"] = True
        return result
    if updated is None:
        result["met"] = False
        return result
    next_update = updated + delay
    result["next_update"] = next_update.isoformat()
    # udata: (next_update - utcnow()).days >= -1  -> up to one day late is fine.
    result["met"] = (next_update - now_or_utc(now)).days >= -1
    return result


def has_documentation(dataset: dict[str, Any], report: dict[str, Any] | None) -> tuple[bool, str]:
    schema = (report or {}).get("schema") or {}
    if schema.get("source") in ("national", "publisher") and schema.get("fields_described_share", 0) >= 0.5:
        return True, _(N_("the columns are described by the schema"))
    if dataset.get("documentation"):
        return True, _(N_("a documentation link is given"))
    for res in dataset.get("resources") or []:
        text = f"{res.get('name') or ''} {res.get('description') or ''} {res.get('resource_type') or ''}".lower()
        if "documentation" in text or "dictionnaire" in text or "notice" in text:
            return True, _(N_("a documentation resource is given"))
    return False, _(N_("neither a description of the columns nor documentation"))


def freshness_component(dataset: dict[str, Any] | None, report: dict[str, Any] | None,
                         now: datetime | None) -> dict[str, Any]:
    dataset = dataset or {}
    fresh = freshness(dataset, now=now)
    items = []
    items.append(detail("frequency_declared", _(N_("Update frequency given")), 2 if fresh["declared"] else 0, 2,
                       _(N_("frequency given")) if fresh["declared"] else _(N_('frequency not given or "unknown"'))))
    if not fresh["declared"]:
        reason = _(N_("without a frequency, keeping up with updates cannot be checked"))
    elif fresh["met"]:
        reason = _(N_("data up to date for the stated frequency"))
    else:
        reason = _(N_("the last update is older than the stated frequency"))
    items.append(detail("frequency_met", _(N_("Frequency kept")), 4 if fresh["met"] else 0, 4, reason))
    notes = (dataset.get("notes") or "").strip()
    long_enough = len(notes) > DESCRIPTION_MIN_CHARS
    items.append(detail("description", _(N_("Description of the dataset")), 2 if long_enough else 0, 2,
                       _(N_("detailed description")) if long_enough else
                       _(N_("description missing or too short (more than 100 characters expected)"))))
    documented, reason = has_documentation(dataset, report)
    items.append(detail("documentation", _(N_("Documentation of the columns")), 2 if documented else 0, 2, reason))
    return component("freshness", _(N_("Freshness and documentation")), 10, items)
