"""Data score /100 of a resource, and of a dataset (explained to the communes in docs/score-qualite.md).

**Tabular resources** (CSV, TSV, XLS(X), ODS, JSON table), from the validation report + metadata:

===========================  ===  =============================================================================
Readability                  20   fetched and not refused (HTML/empty/binary, bomb, oversized...) 5; UTF-8 5
                                  (other detected encoding 2, encoding broken mid-file 0; spreadsheets 5);
                                  read to the end 5; header present, unique and without blank names 5
                                  (−2.5 per problem kind).
Structure                    15   15 × share of rows without extra/missing cells or blank row; −5 when the
                                  header does not match the schema (missing required column, misspelt name).
Schema conformity            35   national schema: declared 5 + latest version 5 + 25 × valid-row share
                                  (custom checks included); publisher Table Schema: 10 × share of fields with a
                                  title/description + 15 × valid-row share; inferred types only: 0.
Format                       10   CSV/TSV/JSON/GeoJSON/Parquet/ODS 10; XLS(X)/SHP 5; PDF/DOC 0 — the format
                                  actually found in the bytes, not the declared one.
Completeness                 10   7 × share of filled required cells (every cell when no schema) + 3 × share
                                  of columns that are not entirely empty (optional columns of a declared
                                  schema may be empty: the schema asks for them to be present).
Freshness & documentation    10   frequency declared 2; frequency met 4 (udata rule: last update + period,
                                  one day of grace; continuous/irregular/punctual cannot be late); dataset
                                  description > 100 characters 2; field descriptions (schema) or a
                                  documentation link/resource 2.
===========================  ===  =============================================================================

**Non-tabular resources** (PDF, GeoJSON, ZIP of shapefiles, API, web page...) are scored on what applies:

===========================  ===  =============================================================================
Availability                 40   the file could be downloaded (HTTP 2xx, not empty) or was uploaded, and was
                                  not refused (bomb, oversized archive, hostile content: a refused file
                                  scores 0, like a broken link).
Format openness              30   non-proprietary format 15 + machine-readable format 15 (MQA vocabularies),
                                  using the type found in the bytes when known.
Metadata                     30   resource description 10; format declared 10 (5 if it contradicts the
                                  content); media type declared and valid 5; size declared 5.
===========================  ===  =============================================================================

Bands for both: ≥ 87 Excellent, ≥ 55 Bon, ≥ 30 Suffisant, otherwise Insuffisant (MQA proportions).

**Caps** (on top of the points; the score keeps the points in ``cap["points"]`` and says why in
``cap["reason"]``, « plafonné à … parce que … »):

* *Conformity gates the band.* A tabular file checked against a declared schema (national or publisher) with
  fewer than 95 % conforming rows is at best « Suffisant » (total ≤ 54); under 50 %, at best « Insuffisant »
  (total ≤ 29) — ``CONFORMITY_CAPS``.
* *Unusable.* A file refused by the pre-scan (empty, web page, binary, bomb, archive or line too large) or that
  could not be downloaded scores 0 with the band « Inutilisable » (``UNUSABLE``), whatever its other points.

**Dataset data score** (:func:`score_dataset_data`): the mean of the counted files' totals (tabular files, else
every file, plus every unusable file), capped at the top of the worst counted file's band; an unusable file caps
the dataset at « Insuffisant » (29), and a dataset whose counted files are all unusable is « Inutilisable » (0).
One bad file among good ones therefore lowers the dataset's band. Each file's contribution is returned.

The French explanation for communes: ``docs/score-qualite.md`` (keep both in step).

**Broken** means the file cannot be used as published: the download failed (status ``error``: dead link,
forbidden address, file over the size limit...) or the pre-scan refused it (status ``rejected``: empty, a web
page, binary, corrupt, a zip/gzip bomb, an archive or a line too large to open safely). A refused file gets
no availability point, exactly like a broken link.

Modules: this one totals, caps and bands (:func:`score_resource`, :func:`score_dataset_data`); the components
are computed in :mod:`.components`, freshness and documentation in :mod:`.freshness`; :mod:`.points` holds
the bands and the building blocks of a component.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..messages import N_, _
from .components import VALIDATED, is_broken, is_tabular, non_tabular_components, refusal, tabular_components
from .freshness import now_or_utc, parse_datetime
from .points import BAND_TOP, CONFORMITY_CAPS, UNUSABLE, band, band_label, band_rank, percent


def score_resource(
    report: dict[str, Any] | None,
    *,
    resource: dict[str, Any] | None = None,
    dataset: dict[str, Any] | None = None,
    availability: bool | None = None,
    now: datetime | str | None = None,
) -> dict[str, Any]:
    """Data score /100 of one resource.

    ``report`` is the dict from :func:`validate_file` (``None`` if the resource was never checked),
    ``resource`` and ``dataset`` are CKAN-like dicts (see :mod:`.mqa` for the dataset shape),
    ``availability`` overrides the download status when there is no report. No network access.

    Returns ``{"total", "max": 100, "band", "band_label", "kind": "tabular"|"non-tabular", "broken",
    "components": [{"key", "label", "points", "max", "details": [{"key", "label", "points", "max",
    "reason"}]}]}``.
    """
    resource = resource or {}
    now_dt = now_or_utc(parse_datetime(now) if now is not None else None)
    if is_tabular(report, resource):
        components = tabular_components(report, resource, dataset, now_dt)
        kind = "tabular"
    else:
        components = non_tabular_components(report, resource, availability)
        kind = "non-tabular"
    points = int(round(sum(c["points"] for c in components)))
    total, cap = points, None
    unusable = _unusable_reason(report, availability)
    if unusable is not None:
        total, cap = 0, {"band": UNUSABLE[0], "max": 0, "points": points, "kind": "unusable",
                         "reason": _(N_("capped at 0 because the file is unusable as published: {reason}")).format(reason=unusable)}
    elif kind == "tabular":
        cap = _conformity_cap(report, points)
        if cap is not None:
            total = cap["max"]
    if unusable is not None:
        key, label = UNUSABLE[0], _(UNUSABLE[1])
    else:
        key, label = band(total)
    score = {
        "total": int(total),
        "max": 100,
        "band": key,
        "band_label": label,
        "kind": kind,
        "broken": is_broken(report) or (report is None and availability is False),
        "components": components,
    }
    if cap is not None:
        score["cap"] = cap
    return score


def _unusable_reason(report: dict[str, Any] | None, availability: bool | None) -> str | None:
    """Why the file cannot be used as published (refused, unreadable, not downloadable), or None."""
    if report is None:
        return _(N_("the file could not be downloaded")) if availability is False else None
    status = report.get("status")
    if status == "rejected":
        return refusal(report)
    if status == "error" and any(e.get("type") == "fetch-error" for e in report.get("errors") or []):
        first = next(e for e in report["errors"] if e.get("type") == "fetch-error")
        return first.get("message") or _(N_("the file could not be downloaded"))
    return None


def _conformity_cap(report: dict[str, Any] | None, points: int) -> dict[str, Any] | None:
    """The conformity cap of a tabular file with a declared schema (see the module docstring), or None."""
    report = report or {}
    table = report.get("table") or {}
    schema = report.get("schema") or {}
    if report.get("status") not in VALIDATED or not table.get("rows"):
        return None
    if schema.get("source") not in ("national", "publisher"):
        return None
    share = float(table.get("valid_row_share", 0.0))
    for threshold, key in CONFORMITY_CAPS:
        if share < threshold:
            top = BAND_TOP[key]
            if points <= top:
                return None
            title = schema.get("title") or schema.get("id") or ""
            return {
                "band": key, "max": top, "points": points, "kind": "conformity", "valid_row_share": share,
                "threshold": threshold,
                "reason": _(N_("capped at {max} because only {pct} of the rows conform to the schema "
                               '"{title}": under {threshold} of conforming rows, a file cannot be better '
                               'than "{band}"')).format(max=top, pct=percent(share), title=title,
                                                      threshold=f"{threshold * 100:.0f} %", band=band_label(key)),
            }
    return None


def score_dataset_data(resource_scores: list[dict[str, Any]]) -> dict[str, Any]:
    """Dataset data score: it does not hide its worst file (see the module docstring).

    Counted files: the tabular ones (else every file), plus every unusable file whatever its type. Total: the
    mean of their totals, capped at the top of the worst counted file's band (an unusable file caps at
    « Insuffisant »; all unusable: 0, « Inutilisable »).

    Returns ``{"total", "max", "band", "band_label", "rule": "mean-capped-by-worst", "mean", "cap",
    "worst_index", "kind", "resources", "counted", "broken_resources", "has_broken", "contributions": [{"index",
    "total", "band", "kind", "counted", "worst"}]}`` (indexes into ``resource_scores``).
    """
    if not resource_scores:
        key, label = band(0)
        return {"total": 0, "max": 100, "band": key, "band_label": label, "rule": "mean-capped-by-worst",
                "mean": None, "cap": None, "worst_index": None, "kind": None, "resources": 0, "counted": 0,
                "broken_resources": 0, "has_broken": False, "contributions": []}
    has_tabular = any(s.get("kind") == "tabular" for s in resource_scores)

    def counted(s: dict[str, Any]) -> bool:
        return not has_tabular or s.get("kind") == "tabular" or s.get("band") == UNUSABLE[0]

    pool = [(i, s) for i, s in enumerate(resource_scores) if counted(s)]
    worst_index, worst = min(pool, key=lambda item: (band_rank(item[1].get("band")), item[1]["total"]))
    mean = sum(s["total"] for _i, s in pool) / len(pool)
    usable = [s for _i, s in pool if s.get("band") != UNUSABLE[0]]
    cap = None
    if not usable:
        total, key, label = 0, UNUSABLE[0], _(UNUSABLE[1])
        cap = {"band": UNUSABLE[0], "max": 0, "points": int(round(mean)), "kind": "unusable",
               "reason": _(N_("every data file is unusable"))}
    else:
        worst_band = str(worst.get("band") or "") if worst.get("band") != UNUSABLE[0] else "insuffisant"
        top = BAND_TOP.get(worst_band, 100)
        total = int(round(mean))
        if total > top:
            reason = (_(N_("capped at {max} because a file is unusable")) if worst.get("band") == UNUSABLE[0]
                      else _(N_('capped at {max} because the weakest file is "{band}"')))
            cap = {"band": worst_band, "max": top, "points": total, "kind": "worst-file",
                   "reason": reason.format(max=top, band=band_label(worst_band))}
            total = top
        key, label = band(total)
    broken = sum(1 for s in resource_scores if s.get("broken"))
    contributions = [{"index": i, "total": s["total"], "band": s.get("band"), "kind": s.get("kind"),
                      "counted": counted(s), "worst": i == worst_index} for i, s in enumerate(resource_scores)]
    return {
        "total": int(total),
        "max": 100,
        "band": key,
        "band_label": label,
        "rule": "mean-capped-by-worst",
        "mean": round(mean, 1),
        "cap": cap,
        "worst_index": worst_index,
        "kind": "tabular" if has_tabular else worst.get("kind"),
        "resources": len(resource_scores),
        "counted": len(pool),
        "broken_resources": broken,
        "has_broken": broken > 0,
        "contributions": contributions,
    }
