"""Template helpers of grandest_validation (badges, labels, per-request caches)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .dbguard import guarded
from .model import DatasetQuality, ResourceQuality

_CACHE_KEY = "_grandest_validation_cache"
from .engine.score.points import BAND_KEYS as BANDS


def _cache() -> dict[str, Any]:
    try:
        from flask import g, has_app_context

        if has_app_context():
            cache = getattr(g, _CACHE_KEY, None)
            if cache is None:
                cache = {"datasets": {}, "resources": {}}
                setattr(g, _CACHE_KEY, cache)
            return cache
    except Exception:  # pragma: no cover - outside Flask
        pass
    return {"datasets": {}, "resources": {}}


def _dataset_summary(dq: DatasetQuality | None) -> dict[str, Any] | None:
    if dq is None:
        return None
    return {"metadata_total": dq.metadata_total, "metadata_band": dq.metadata_band, "data_total": dq.data_total,
            "data_band": dq.data_band, "has_broken": bool(dq.has_broken)}


def prefetch_datasets(package_ids: list[str]) -> None:
    """Load the scores of a page of search results in one query (used by ``after_dataset_search``)."""
    cache = _cache()["datasets"]
    missing = [pid for pid in package_ids if pid and pid not in cache]
    if not missing:
        return
    def load() -> dict[str, dict[str, Any] | None]:
        rows = {dq.package_id: dq for dq in model.Session.query(DatasetQuality).filter(
            DatasetQuality.package_id.in_(missing))}
        return {pid: _dataset_summary(rows.get(pid)) for pid in missing}

    # no scores (badges without a number) rather than a broken page when the tables are missing
    cache.update(guarded("reading the scores of datasets", load, default=dict.fromkeys(missing)))


def grandest_validation_dataset_scores(package_id: str | None) -> dict[str, Any] | None:
    """``{"metadata_total", "metadata_band", "data_total", "data_band", "has_broken"}`` or None (never scored)."""
    if not package_id:
        return None
    prefetch_datasets([package_id])
    return _cache()["datasets"].get(package_id)


def grandest_validation_dataset_quality(package_id: str | None) -> dict[str, Any] | None:
    """The full scores of a dataset (criterion by criterion), or None."""
    if not package_id:
        return None

    def load() -> dict[str, Any] | None:
        dq = model.Session.get(DatasetQuality, package_id)
        if dq is None:
            return None
        return {"metadata_score": dq.metadata_score, "data_score": dq.data_score,
                "has_broken": bool(dq.has_broken), "scored_at": dq.scored_at}

    return guarded("reading the scores of a dataset", load)


def _resource_summary(row: ResourceQuality | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"status": row.status, "data_total": row.data_total, "data_band": row.data_band,
            "error_count": (row.digest or {}).get("error_count") if isinstance(row.digest, dict) else None}


def _load_resources(package_id: str) -> None:
    cache = _cache()["resources"]
    if ("pkg", package_id) in cache:
        return
    cache[("pkg", package_id)] = True

    def load() -> dict[str, dict[str, Any] | None]:
        rows = model.Session.query(ResourceQuality).filter(ResourceQuality.package_id == package_id)
        return {row.resource_id: _resource_summary(row) for row in rows}

    cache.update(guarded("reading the checks of a dataset's resources", load, default={}))


def grandest_validation_resource_state(resource: dict[str, Any] | None) -> dict[str, Any] | None:
    """``{"status", "data_total", "data_band", "error_count"}`` of a resource dict, or None (never checked)."""
    if not resource or not resource.get("id"):
        return None
    if resource.get("package_id"):
        _load_resources(resource["package_id"])
    cache = _cache()["resources"]
    if resource["id"] not in cache:
        cache[resource["id"]] = guarded(
            "reading the check of a resource",
            lambda: _resource_summary(model.Session.get(ResourceQuality, resource["id"])))
    return cache[resource["id"]]


def grandest_validation_dataset_progress(pkg: dict[str, Any] | None) -> str | None:
    """While a check of any file of the dataset waits or runs: the state the dataset page's module starts from
    (``"<resource id>:<status>,..."`` in the order of the dataset's resources, as the module reads
    ``grandest_dataset_score_show``); None when nothing is under way (the page does not poll)."""
    if not pkg or not pkg.get("id"):
        return None
    states = []
    active = False
    for res in pkg.get("resources") or []:
        res = dict(res)
        res.setdefault("package_id", pkg["id"])
        state = grandest_validation_resource_state(res)
        status = state["status"] if state and state.get("status") else ""
        active = active or status in ("pending", "running")
        states.append(f"{res.get('id')}:{status}")
    return ",".join(states) if active else None


def grandest_validation_contributions(data_score: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Each file's contribution to the dataset data score, by resource id."""
    out: dict[str, dict[str, Any]] = {}
    for c in (data_score or {}).get("contributions") or []:
        if isinstance(c, dict) and c.get("resource_id"):
            out[c["resource_id"]] = c
    return out


def grandest_validation_band_label(band: str | None) -> str:
    return {
        "excellent": tk._("Excellent"),
        "bon": tk._("Good"),
        "suffisant": tk._("Fair"),
        "insuffisant": tk._("Poor"),
        "inutilisable": tk._("Unusable"),
    }.get(band or "", tk._("Not scored yet"))


def grandest_validation_status_label(status: str | None) -> str:
    return {
        "pending": tk._("Waiting to be checked"),
        "running": tk._("Being checked"),
        "success": tk._("No problem found"),
        "failure": tk._("Problems to fix"),
        "error": tk._("Could not be checked"),
    }.get(status or "", tk._("Not checked yet"))


def grandest_validation_status_icon(status: str | None) -> str:
    return {"pending": "clock", "running": "spinner", "success": "check-circle", "failure": "exclamation-triangle",
            "error": "times-circle"}.get(status or "", "question-circle")


def grandest_validation_can_run(resource_id: str | None) -> bool:
    if not resource_id:
        return False
    return bool(tk.h.check_access("grandest_resource_validation_run", {"id": resource_id}))


def grandest_validation_can_see_organization(organization_id: str | None) -> bool:
    if not organization_id:
        return False
    return bool(tk.h.check_access("grandest_organization_quality_list", {"id": organization_id}))


def grandest_validation_is_regional_admin() -> bool:
    from ckanext.grandest.common.roles import current_user_is_regional_admin

    return current_user_is_regional_admin()


def grandest_validation_sort_options() -> list[tuple[str, str]]:
    """Sort options of the dataset search page, besides core's."""
    return [
        (tk._("Best data score"), "grandest_data_score desc, metadata_modified desc"),
        (tk._("Lowest data score"), "grandest_data_score asc, metadata_modified desc"),
        (tk._("Best metadata score"), "grandest_metadata_score desc, metadata_modified desc"),
        (tk._("Lowest metadata score"), "grandest_metadata_score asc, metadata_modified desc"),
    ]


def grandest_validation_percent(part: int | float | None, whole: int | float | None) -> int:
    if not part or not whole:
        return 0
    return max(0, min(100, round(100 * float(part) / float(whole))))


def grandest_validation_bands() -> list[str]:
    return list(BANDS)


def grandest_validation_problem_sections(report: dict[str, Any] | None,
                                         severity: str = "error") -> list[dict[str, Any]]:
    """The problems of a report, one section per counted kind (count in the whole file, examples kept, one
    shared fix when every example has the same): the report's summary table and its detail both read these."""
    from .engine.messages import problem_sections

    return problem_sections(report, severity)


def grandest_validation_date(value: Any, with_time: bool = False) -> str:
    """A date as people write it, in the page's language: « 6 décembre 2026 » (« 6 décembre 2026 à 22:50 »
    with ``with_time``), in the portal's display timezone."""
    import datetime as _dt

    from flask_babel import format_date, format_time

    from .engine.score.freshness import parse_datetime

    moment = value if isinstance(value, _dt.datetime) else parse_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    day = format_date(moment, "long")
    if not with_time:
        return day
    return tk._("{date} at {time}").format(date=day, time=format_time(moment, "HH:mm"))


def grandest_validation_points(value: Any) -> str:
    """12 -> "12", 22.5 -> "22,5" (French decimal comma)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if number == int(number):
        return str(int(number))
    return f"{number:.1f}".replace(".", ",")


def grandest_validation_repair_record(resource_id: str | None) -> dict[str, Any] | None:
    """What the latest automatic repair of a resource changed (``None`` if never repaired)."""
    from . import repairs

    return repairs.record(resource_id) if resource_id else None


def grandest_validation_can_repair(res: dict[str, Any] | None, report: dict[str, Any] | None) -> bool:
    """Offer the automatic repairs: an uploaded CSV file, checked, that its viewer may replace."""
    if not res or res.get("url_type") != "upload" or not report:
        return False
    if ((report.get("file") or {}).get("kind")) not in ("csv", "tsv"):
        return False
    return bool(tk.h.check_access("grandest_repair_apply", {"id": res.get("id")}))


def grandest_validation_publish_schema() -> str:
    """The schema chosen with « Publier avec ce modèle », for the next new resource form (then forgotten);
    ``?schema=`` on the form's address wins."""
    from flask import has_request_context, session

    if not has_request_context():
        return ""
    asked = tk.request.args.get("schema")
    if asked:
        return str(asked)
    return str(session.pop("grandest_publish_schema", "") or "")


def grandest_regional_menu() -> list[dict]:
    """The header's « Administration régionale » menu (ckanext/grandest/common/nav.py)."""
    from ckanext.grandest.common.nav import regional_menu

    return regional_menu()
