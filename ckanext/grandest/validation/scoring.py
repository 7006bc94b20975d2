"""Scores of resources and datasets, computed by the engine from stored reports and the current metadata.

* The data score of a resource (/100) needs its latest report and the dataset's metadata (freshness,
  description...). Reports can be large, so each resource keeps a **digest** of its latest report: the
  report without the long error sample (one example of each error type is kept). Scores are re-computed from
  digests whenever the metadata change (a cheap job, no download) or after a validation.
* The dataset data score does not hide its worst file: the mean of its data files' scores capped by the worst
  file's band (engine ``score_dataset_data``; each file's contribution is kept); the metadata score (/405) is
  the engine's MQA-aligned score of the dataset, using the availability found by the validations.
* Scores reach Solr through ``before_dataset_index`` (:func:`index_fields`): ``grandest_data_score``,
  ``grandest_metadata_score`` (zero-padded so that the string sort of Solr's catch-all field is numeric) and
  ``grandest_data_band``, ``grandest_metadata_band`` (band keys: excellent, bon, suffisant, insuffisant, inutilisable).
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context
from ckan import model

from ckanext.grandest.common import compat

from .engine import score_dataset_data, score_metadata, score_resource
from .engine.score.points import BAND_KEYS  # noqa: F401  excellent … inutilisable (re-exported)
from .model import DatasetQuality, ResourceQuality, now

log = logging.getLogger(__name__)

INDEX_DATA_SCORE = "grandest_data_score"
INDEX_DATA_BAND = "grandest_data_band"
INDEX_METADATA_SCORE = "grandest_metadata_score"
INDEX_METADATA_BAND = "grandest_metadata_band"
INDEX_FIELDS = (INDEX_DATA_SCORE, INDEX_DATA_BAND, INDEX_METADATA_SCORE, INDEX_METADATA_BAND)
_DIGEST_HEADER_MAX = 300


def digest(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the scores need from a report: everything but the long samples (one error of each type)."""
    if not isinstance(report, dict):
        return None
    out = {k: v for k, v in report.items() if k not in ("errors", "warnings", "timings")}
    seen: set[str] = set()
    errors = []
    for err in report.get("errors") or []:
        kind = str(err.get("type"))
        if kind not in seen:
            seen.add(kind)
            errors.append({k: err.get(k) for k in ("type", "title", "message", "severity", "code") if k in err})
    out["errors"] = errors
    table = dict(out.get("table") or {})
    if isinstance(table.get("header"), list) and len(table["header"]) > _DIGEST_HEADER_MAX:
        table["header"] = table["header"][:_DIGEST_HEADER_MAX]
    out["table"] = table
    return out


def _site_context() -> Context:
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": user["name"], "use_cache": False}


def package_dict(package_id: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("package_show")(_site_context(), {"id": package_id})
    except tk.ObjectNotFound:
        return None


def _availability(rows: dict[str, ResourceQuality]) -> dict[str, Any]:
    return {rid: row.available for rid, row in rows.items() if row.available is not None}


def compute(pkg: dict[str, Any], rows: dict[str, ResourceQuality]) -> dict[str, Any]:
    """Scores of a dataset and its resources (pure: no database write).

    Returns ``{"metadata": score, "data": aggregate | None, "resources": {resource_id: score | None}}``; a
    resource that was never checked (no report yet) has no data score.
    """
    resource_scores: dict[str, dict[str, Any] | None] = {}
    scored: list[dict[str, Any]] = []
    for res in pkg.get("resources") or []:
        row = rows.get(res["id"])
        if row is None or row.digest is None:
            resource_scores[res["id"]] = None
            continue
        score = score_resource(row.digest, resource=res, dataset=pkg, availability=row.available)
        resource_scores[res["id"]] = score
        scored.append(score)
    data = score_dataset_data(scored) if scored else None
    if data is not None:
        ids = [rid for rid, s in resource_scores.items() if s is not None]
        if data.get("worst_index") is not None:
            data["worst_resource_id"] = ids[data["worst_index"]]
        for contribution in data.get("contributions") or []:
            contribution["resource_id"] = ids[contribution["index"]]
    metadata = score_metadata(pkg, availability=_availability(rows))
    return {"metadata": metadata, "data": data, "resources": resource_scores}


def resource_rows(package_id: str) -> dict[str, ResourceQuality]:
    rows = model.Session.query(ResourceQuality).filter(ResourceQuality.package_id == package_id).all()
    return {row.resource_id: row for row in rows}


def refresh_dataset(package_id: str, pkg: dict[str, Any] | None = None) -> DatasetQuality | None:
    """Re-compute and store the scores of a dataset and of its resources (the caller commits)."""
    pkg = pkg or package_dict(package_id)
    if pkg is None:
        return None
    rows = resource_rows(pkg["id"])
    result = compute(pkg, rows)
    stamp = now()
    for rid, score in result["resources"].items():
        row = rows.get(rid)
        if row is None:
            continue
        row.data_score = score
        row.data_total = score["total"] if score else None
        row.data_band = score["band"] if score else None
        row.scored_at = stamp
    dq = model.Session.get(DatasetQuality, pkg["id"])
    if dq is None:
        dq = DatasetQuality(package_id=pkg["id"])
        model.Session.add(dq)
    metadata, data = result["metadata"], result["data"]
    dq.metadata_score = metadata
    dq.metadata_total = metadata["total"]
    dq.metadata_band = metadata["band"]
    dq.data_score = data
    dq.data_total = data["total"] if data else None
    dq.data_band = data["band"] if data else None
    dq.has_broken = bool(data and data.get("has_broken"))
    dq.scored_at = stamp
    return dq


def reindex(package_id: str) -> bool:
    """Send the dataset to Solr again (its scores are added by ``before_dataset_index``), only if it still
    exists and is active (or a draft): a score job that started before the dataset was deleted or purged (a harvest source
    cleared meanwhile) must not put it back in the search. Read from the database, not the session's cache."""
    import sqlalchemy as sa

    state = model.Session.execute(sa.text("SELECT state FROM package WHERE id = :id"),
                                  {"id": package_id}).scalar()
    if state not in ("active", "draft"):  # a draft (web form, file uploaded first) is indexed by CKAN too
        log.info("grandest_validation: %s is %s, not re-indexed", package_id, state or "purged")
        return False
    compat.reindex_dataset(package_id)
    return True


def index_fields(package_id: str | None) -> dict[str, str]:
    """The Solr fields of a dataset's scores (none before its first scoring)."""
    if not package_id:
        return {}
    row = model.Session.get(DatasetQuality, package_id)
    if row is None:
        return {}
    out: dict[str, str] = {}
    if row.metadata_total is not None:
        out[INDEX_METADATA_SCORE] = f"{int(row.metadata_total):03d}"
        out[INDEX_METADATA_BAND] = str(row.metadata_band)
    if row.data_total is not None:
        out[INDEX_DATA_SCORE] = f"{int(row.data_total):03d}"
        out[INDEX_DATA_BAND] = str(row.data_band)
    return out
