"""Actions of grandest_validation. Each validates its input and calls ``check_access`` with the auth function
of the same name first.

Reports and scores: ``grandest_resource_validation_show`` (the latest report of a resource, plain French),
``grandest_resource_score_show``, ``grandest_dataset_score_show``. On demand:
``grandest_resource_validation_run``. Lists: ``grandest_organization_quality_list`` (one organization, worst
resources first) and ``grandest_region_quality_list`` (every organization, regional admins).
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.grandest.common import compat
from ckanext.grandest.common.orm import as_dict

from .. import scheduler
from ..engine.score.points import BAND_KEYS
from ..model import ACTIVE_STATUSES, DatasetQuality, ResourceQuality, ValidationRun
from . import schema

log = logging.getLogger(__name__)

BAND_ORDER = tuple(reversed(BAND_KEYS))  # inutilisable … excellent


# --- helpers (private: the blanket registers every public function of this module) -----------------------

def _validate(data_dict: DataDict, schema_: Any, context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _resource(resource_id: str) -> model.Resource:
    res = model.Resource.get(resource_id)
    if res is None or res.state == "deleted":
        raise tk.ObjectNotFound(tk._("Resource not found."))
    return res


def _package(ident: str) -> model.Package:
    pkg = model.Package.get(ident)
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found."))
    return pkg


def _run_dict(run: ValidationRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return as_dict(run, exclude=("report", "fingerprint", "job_id", "requested_by"))


def _quality(resource_id: str) -> ResourceQuality | None:
    return model.Session.get(ResourceQuality, resource_id)


# --- reports and scores ---------------------------------------------------------------------------------

@tk.side_effect_free
def grandest_resource_validation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The latest validation report of a resource.

    :param id: resource id
    :returns: ``{"resource_id", "package_id", "status" (pending, running, success, failure, error or None if
        never checked), "run" (the latest validation), "report_run" (the one whose report is given), "report"
        (the engine's report, plain French; None before the first report), "data_score"}``. While a new
        validation is pending or running, the previous report is still given.
    """
    data = _validate(data_dict, schema.resource_id(), context)
    tk.check_access("grandest_resource_validation_show", context, data)
    res = _resource(data["id"])
    row = _quality(res.id)
    run = model.Session.get(ValidationRun, row.run_id) if row is not None and row.run_id else None
    report_run = None
    if row is not None and row.report_run_id:
        report_run = run if run is not None and run.id == row.report_run_id else model.Session.get(
            ValidationRun, row.report_run_id)
    return {
        "resource_id": res.id,
        "package_id": res.package_id,
        "status": row.status if row is not None else None,
        "run": _run_dict(run),
        "report_run": _run_dict(report_run),
        "report": report_run.report if report_run is not None else None,
        "data_score": row.data_score if row is not None else None,
        "scored_at": row.scored_at.isoformat() if row is not None and row.scored_at else None,
    }


@tk.side_effect_free
def grandest_resource_score_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The data score /100 of a resource, criterion by criterion.

    :param id: resource id
    :returns: ``{"resource_id", "package_id", "status", "data_score": {"total", "max", "band", "band_label",
        "kind", "broken", "components": [...]} or None (not checked yet), "scored_at"}``
    """
    data = _validate(data_dict, schema.resource_id(), context)
    tk.check_access("grandest_resource_score_show", context, data)
    res = _resource(data["id"])
    row = _quality(res.id)
    return {
        "resource_id": res.id,
        "package_id": res.package_id,
        "status": row.status if row is not None else None,
        "data_score": row.data_score if row is not None else None,
        "scored_at": row.scored_at.isoformat() if row is not None and row.scored_at else None,
    }


@tk.side_effect_free
def grandest_dataset_score_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The scores of a dataset: metadata /405 (MQA-aligned) and data /100 (mean of the data files capped by the
    worst file's band, with each file's contribution).

    :param id: dataset id or name
    :returns: ``{"package_id", "metadata_score", "data_score", "has_broken", "scored_at", "resources":
        [{"resource_id", "name", "status", "data_total", "data_band", "schema_check"}]}``; scores are None
        before the first scoring. ``schema_check`` is ``{"schema", "version", "passed", "valid_row_share"}`` of
        the latest finished validation against a declared schema (None without one); ``passed`` is true only
        when that check found nothing to fix and no new check is under way (the DCAT export claims
        ``dct:conformsTo`` on it).
    """
    data = _validate(data_dict, schema.dataset_id(), context)
    tk.check_access("grandest_dataset_score_show", context, data)
    pkg = _package(data["id"])
    dq = model.Session.get(DatasetQuality, pkg.id)
    rows = {r.resource_id: r for r in model.Session.query(ResourceQuality).filter(
        ResourceQuality.package_id == pkg.id)}
    resources = []
    for res in pkg.resources:
        row = rows.get(res.id)
        resources.append({"resource_id": res.id, "name": res.name, "status": row.status if row else None,
                          "data_total": row.data_total if row else None, "data_band": row.data_band if row else None,
                          "schema_check": _schema_check(row)})
    return {
        "package_id": pkg.id,
        "metadata_score": dq.metadata_score if dq else None,
        "data_score": dq.data_score if dq else None,
        "has_broken": bool(dq.has_broken) if dq else False,
        "scored_at": dq.scored_at.isoformat() if dq and dq.scored_at else None,
        "resources": resources,
    }


def grandest_resource_validation_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Validate a resource again (in the background), even if it did not change.

    :param id: resource id
    :returns: ``{"resource_id", "run_id", "status": "pending" (or "running" when a validation is already
        under way and its job process still beats; a running validation without a heartbeat for
        ``heartbeat_dead_after`` seconds is marked interrupted and a new one is queued)}``
    """
    data = _validate(data_dict, schema.resource_id(), context)
    tk.check_access("grandest_resource_validation_run", context, data)
    _resource(data["id"])
    run = scheduler.request_run(data["id"], actor=str(context.get("user") or "") or None)
    run_id, status = run.id, run.status
    model.Session.commit()
    return {"resource_id": data["id"], "run_id": run_id, "status": status}


# --- lists -------------------------------------------------------------------------------------------------

def _schema_check(row: ResourceQuality | None) -> dict[str, Any] | None:
    if row is None or not isinstance(row.digest, dict):
        return None
    digest = row.digest
    schema_ = digest.get("schema") or {}
    if not schema_.get("id") or schema_.get("source") not in ("national", "publisher"):
        return None
    table = digest.get("table") or {}
    return {"schema": schema_.get("id"), "version": schema_.get("version"),
            "passed": bool(row.status == "success" and digest.get("status") == "valid"),
            "valid_row_share": table.get("valid_row_share")}


def _org(ident: str) -> model.Group:
    org = model.Group.get(ident)
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(tk._("Organization not found."))
    return org


def _bands(values: list[str | None]) -> dict[str, int]:
    out = {band: 0 for band in BAND_ORDER}
    for value in values:
        if value in out:
            out[value] += 1
    return out


def _average(values: list[int | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 1) if known else None


def _resource_entry(res: model.Resource, pkg: model.Package, row: ResourceQuality | None) -> dict[str, Any]:
    report_summary = None
    error_count = None
    if row is not None and isinstance(row.digest, dict):
        report_summary = row.digest.get("summary")
        error_count = row.digest.get("error_count")
    return {
        "resource_id": res.id, "resource_name": res.name or "", "format": res.format or "",
        "package_id": pkg.id, "package_name": pkg.name, "package_title": pkg.title or pkg.name,
        "private": bool(pkg.private), "organization_id": pkg.owner_org,
        "status": row.status if row is not None else "unchecked",
        "data_total": row.data_total if row is not None else None,
        "data_band": row.data_band if row is not None else None,
        "error_count": error_count, "summary": report_summary,
        "validated_at": row.validated_at.isoformat() if row is not None and row.validated_at else None,
    }


def _worst_first() -> list[Any]:
    status_rank = sa.case((ResourceQuality.status == "error", 0), (ResourceQuality.status == "failure", 1), else_=2)
    return [ResourceQuality.data_total.asc().nullslast(), status_rank, model.Package.title, model.Resource.position]


def _resources_query(org_ids: list[str] | None) -> Any:
    query = (model.Session.query(model.Resource, model.Package, ResourceQuality)
             .join(model.Package, model.Package.id == model.Resource.package_id)
             .outerjoin(ResourceQuality, ResourceQuality.resource_id == model.Resource.id)
             .filter(model.Resource.state == "active", model.Package.state == "active"))
    if org_ids is not None:
        query = query.filter(model.Package.owner_org.in_(org_ids))
    return query


def grandest_organization_quality_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The quality of an organization's data: distribution of the scores, worst resources first.

    :param id: organization id or name
    :param limit: resources per page (default 50, at most 500); :param offset: first resource (default 0)
    :param band: only resources in this data band (excellent, bon, suffisant, insuffisant)
    :param status: only resources in this state (pending, running, success, failure, error, unchecked)
    :returns: ``{"organization": {"id", "name", "title"}, "summary": {"datasets", "resources", "by_status",
        "data_bands", "dataset_data_bands", "metadata_bands", "average_data", "average_metadata"},
        "count", "resources": [...], "datasets": [worst metadata score first]}``
    """
    data = _validate(data_dict, schema.organization_quality_list(), context)
    tk.check_access("grandest_organization_quality_list", context, data)
    org = _org(data["id"])
    all_rows = _resources_query([org.id]).all()
    by_status: dict[str, int] = {}
    for _res, _pkg, row in all_rows:
        key = row.status if row is not None and row.status else "unchecked"
        by_status[key] = by_status.get(key, 0) + 1
    datasets = (model.Session.query(model.Package, DatasetQuality)
                .outerjoin(DatasetQuality, DatasetQuality.package_id == model.Package.id)
                .filter(model.Package.owner_org == org.id, model.Package.state == "active",
                        model.Package.type == "dataset")
                .order_by(DatasetQuality.metadata_total.asc().nullslast(), model.Package.title).all())
    summary = {
        "datasets": len(datasets),
        "resources": len(all_rows),
        "by_status": by_status,
        "data_bands": _bands([row.data_band for _r, _p, row in all_rows if row is not None]),
        "dataset_data_bands": _bands([dq.data_band for _p, dq in datasets if dq is not None]),
        "metadata_bands": _bands([dq.metadata_band for _p, dq in datasets if dq is not None]),
        # the datasets' data score: the figure of the badges, facets and sort (not the files' raw scores)
        "average_data": _average([dq.data_total for _p, dq in datasets if dq is not None]),
        "average_metadata": _average([dq.metadata_total for _p, dq in datasets if dq is not None]),
    }
    query = _resources_query([org.id])
    if data.get("band"):
        query = query.filter(ResourceQuality.data_band == data["band"])
    if data.get("status") == "unchecked":
        query = query.filter(sa.or_(ResourceQuality.resource_id.is_(None), ResourceQuality.status.is_(None)))
    elif data.get("status"):
        query = query.filter(ResourceQuality.status == data["status"])
    count = query.count()
    page = query.order_by(*_worst_first()).offset(data["offset"]).limit(data["limit"]).all()
    return {
        "organization": {"id": org.id, "name": org.name, "title": org.title or org.name},
        "summary": summary,
        "count": count,
        "resources": [_resource_entry(res, pkg, row) for res, pkg, row in page],
        "datasets": [{
            "package_id": pkg.id, "name": pkg.name, "title": pkg.title or pkg.name, "private": bool(pkg.private),
            "metadata_total": dq.metadata_total if dq else None, "metadata_band": dq.metadata_band if dq else None,
            "data_total": dq.data_total if dq else None, "data_band": dq.data_band if dq else None,
            "has_broken": bool(dq.has_broken) if dq else False,
        } for pkg, dq in datasets],
    }


def grandest_region_quality_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The quality of the whole region, organization by organization (regional admins).

    :param departement: only organizations of this département (code, e.g. 67)
    :param limit: how many of the worst resources of the region to list (default 20)
    :returns: ``{"organizations": [{"id", "name", "title", "departement", "datasets", "resources",
        "average_data", "average_metadata", "data_bands", "metadata_bands", "failures", "errors", "pending",
        "unchecked"}] (lowest average data score first), "totals": {...}, "worst_resources": [...]}``
    """
    data = _validate(data_dict, schema.region_quality_list(), context)
    tk.check_access("grandest_region_quality_list", context, data)
    departements = compat.organization_extra_values("departement")
    orgs = model.Session.query(model.Group).filter(model.Group.is_organization.is_(True),
                                                   model.Group.state == "active").all()
    if data.get("departement"):
        orgs = [o for o in orgs if departements.get(o.id) == data["departement"]]
    org_ids = [o.id for o in orgs]
    per_org: dict[str, dict[str, Any]] = {o.id: {
        "id": o.id, "name": o.name, "title": o.title or o.name, "departement": departements.get(o.id),
        "datasets": 0, "resources": 0, "failures": 0, "errors": 0, "pending": 0, "unchecked": 0,
        "_data": [], "_metadata": [], "_data_bands": [], "_metadata_bands": [],
    } for o in orgs}
    for res, pkg, row in _resources_query(org_ids).all():
        entry = per_org[pkg.owner_org]
        entry["resources"] += 1
        status = row.status if row is not None and row.status else "unchecked"
        if status == "failure":
            entry["failures"] += 1
        elif status == "error":
            entry["errors"] += 1
        elif status in ACTIVE_STATUSES:
            entry["pending"] += 1
        elif status == "unchecked":
            entry["unchecked"] += 1
    for pkg, dq in (model.Session.query(model.Package, DatasetQuality)
                    .outerjoin(DatasetQuality, DatasetQuality.package_id == model.Package.id)
                    .filter(model.Package.owner_org.in_(org_ids), model.Package.state == "active",
                            model.Package.type == "dataset")).all():
        entry = per_org[pkg.owner_org]
        entry["datasets"] += 1
        if dq is not None:
            entry["_metadata"].append(dq.metadata_total)
            entry["_data"].append(dq.data_total)
            entry["_data_bands"].append(dq.data_band)
            entry["_metadata_bands"].append(dq.metadata_band)
    organizations = []
    for entry in per_org.values():
        entry["average_data"] = _average(entry.pop("_data"))
        entry["average_metadata"] = _average(entry.pop("_metadata"))
        entry["data_bands"] = _bands(entry.pop("_data_bands"))
        entry["metadata_bands"] = _bands(entry.pop("_metadata_bands"))
        organizations.append(entry)
    organizations.sort(key=lambda e: (e["average_data"] is None, e["average_data"] or 0, e["title"].lower()))
    totals: dict[str, Any] = {key: sum(e[key] for e in organizations)
              for key in ("datasets", "resources", "failures", "errors", "pending", "unchecked")}
    totals["data_bands"] = {b: sum(e["data_bands"][b] for e in organizations) for b in BAND_ORDER}
    totals["metadata_bands"] = {b: sum(e["metadata_bands"][b] for e in organizations) for b in BAND_ORDER}
    worst = (_resources_query(org_ids).filter(ResourceQuality.data_total.isnot(None))
             .order_by(*_worst_first()).limit(data["limit"]).all())
    return {"organizations": organizations, "totals": totals,
            "worst_resources": [_resource_entry(res, pkg, row) for res, pkg, row in worst]}


# --- schema registry (regional admins) -----------------------------------------------------------------------

def _text(data_dict: DataDict, key: str, *, limit: int = 500) -> str | None:
    value = data_dict.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise tk.ValidationError({key: [tk._("Expected a text of at most {limit} characters.").format(limit=limit)]})
    return value.strip() or None


def _registry_row(data_dict: DataDict) -> Any:
    from ..model import RegistrySchema

    ident = _text(data_dict, "id", limit=210)
    if not ident:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    row = model.Session.get(RegistrySchema, ident)
    if row is None:
        raise tk.ObjectNotFound(tk._("This schema is not in the registry."))
    return row


@tk.side_effect_free
def grandest_schema_registry_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Every schema of the registry (shipped, synced, added), with its kept versions (without their files)."""
    from .. import registry
    from ..model import RegistrySchema

    tk.check_access("grandest_schema_registry_list", context, data_dict)
    rows = model.Session.query(RegistrySchema).order_by(RegistrySchema.id).all()
    return [registry.schema_dict(r) for r in rows]


@tk.side_effect_free
def grandest_schema_registry_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One schema of the registry, with the Table Schema file of each kept version."""
    from .. import registry

    tk.check_access("grandest_schema_registry_show", context, data_dict)
    return registry.schema_dict(_registry_row(data_dict), with_descriptors=True)


def grandest_schema_registry_add(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a Table Schema to the registry, from ``url`` (downloaded through the SSRF-safe fetcher) or
    ``upload`` (a file). Optional: ``id`` (``owner/name``; ``datagrandest/<name>`` by default), ``title``,
    ``publisher``, ``version``. A new version of a schema already there is added beside the others."""
    from .. import config, registry_sync

    tk.check_access("grandest_schema_registry_add", context, data_dict)
    url = _text(data_dict, "url", limit=2000)
    upload = data_dict.get("upload")
    has_upload = upload is not None and upload != "" and getattr(upload, "filename", None) != ""
    if bool(url) == bool(has_upload):
        raise tk.ValidationError({"url": [tk._("Give either the address of a Table Schema or a file, not both.")]})
    try:
        if url:
            body, final_url = registry_sync.download(url)
            source, source_url = "url", final_url
        else:
            limit = config.schema_max_bytes()
            if isinstance(upload, (bytes, str)):
                body = upload.encode() if isinstance(upload, str) else upload
            elif upload is not None and hasattr(upload, "read"):
                body = upload.read(limit + 1)
            else:
                raise registry_sync.RegistryError(tk._("The file could not be read."))
            source, source_url = "upload", None
        descriptor = registry_sync.parse_schema(body)
        row = registry_sync.add(descriptor, source=source, source_url=source_url,
                                actor=str(context.get("user") or "") or None,
                                schema_id=_text(data_dict, "id", limit=210), title=_text(data_dict, "title"),
                                publisher=_text(data_dict, "publisher"), version=_text(data_dict, "version", limit=50))
    except registry_sync.RegistryError as exc:
        model.Session.rollback()
        raise tk.ValidationError({"upload" if has_upload else "url": [str(exc)]})
    return grandest_schema_registry_show({**context, "ignore_auth": True}, {"id": row.id})


def grandest_schema_registry_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remove a schema from the registry (or one ``version`` of it). Shipped schemas stay (they are part of the
    portal); resources that declare a removed schema are reported as declaring an unknown one."""
    from .. import registry
    from ..model import RegistryVersion

    tk.check_access("grandest_schema_registry_delete", context, data_dict)
    row = _registry_row(data_dict)
    if row.source == registry.SHIPPED:
        raise tk.ValidationError({"id": [tk._("The schemas shipped with the portal cannot be removed.")]})
    version = _text(data_dict, "version", limit=50)
    query = model.Session.query(RegistryVersion).filter_by(schema_id=row.id)
    if version:
        if query.filter_by(version=version).delete() == 0:
            raise tk.ObjectNotFound(tk._("This version is not in the registry."))
        model.Session.flush()
        row.latest_version = registry.latest_stored(row.id)
        if row.latest_version is None:
            model.Session.delete(row)
    else:
        query.delete()
        model.Session.delete(row)
    model.Session.commit()
    registry.forget_cache()
    return {"id": row.id, "version": version, "deleted": True}
