"""Data score /100 of a resource, and of a dataset (validation-scoring.md §7 "D").

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
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from . import vocab
from .messages import N_, _

BANDS = (
    (87, "excellent", N_("Excellent")),
    (55, "bon", N_("Good")),
    (30, "suffisant", N_("Fair")),
    (0, "insuffisant", N_("Poor")),
)
#: A file that cannot be used as published (refused, unreadable, not downloadable): 0 points, its own band.
UNUSABLE = ("inutilisable", N_("Unusable"))
BAND_KEYS = tuple(b[1] for b in BANDS) + (UNUSABLE[0],)
#: Highest total of each band (the caps lower a total to the top of a band).
BAND_TOP = {"excellent": 100, "bon": 86, "suffisant": 54, "insuffisant": 29, "inutilisable": 0}
#: Conformity caps: a file with a declared schema whose share of conforming rows is under the threshold is at
#: best in the band given (checked in this order).
CONFORMITY_CAPS = ((0.50, "insuffisant"), (0.95, "suffisant"))
DESCRIPTION_MIN_CHARS = 100
VALIDATED = ("valid", "invalid", "structure-only")
UNREADABLE = ("html-file", "empty-file", "binary-file")


def band(total: float) -> tuple[str, str]:
    for threshold, key, label in BANDS:
        if total >= threshold:
            return key, _(label)
    return BANDS[-1][1], _(BANDS[-1][2])  # pragma: no cover


def band_label(key: str) -> str:
    if key == UNUSABLE[0]:
        return _(UNUSABLE[1])
    return next((_(label) for _t, k, label in BANDS if k == key), key)


def band_rank(key: str | None) -> int:
    """0 for « Inutilisable » … 4 for « Excellent »."""
    order = (UNUSABLE[0], "insuffisant", "suffisant", "bon", "excellent")
    return order.index(key) if key in order else 0


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


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    return parse_datetime(now) or datetime.now(timezone.utc).replace(tzinfo=None)


def _item(key: str, label: str, points: float, maximum: float, reason: str) -> dict[str, Any]:
    return {"key": key, "label": label, "points": round(max(0.0, min(points, maximum)), 1), "max": maximum, "reason": reason}


def _component(key: str, label: str, maximum: float, items: list[dict[str, Any]], penalty: float = 0.0,
               penalty_reason: str | None = None) -> dict[str, Any]:
    points = max(0.0, sum(i["points"] for i in items) - penalty)
    comp = {"key": key, "label": label, "points": round(min(points, maximum), 1), "max": maximum, "details": items}
    if penalty:
        comp["penalty"] = {"points": penalty, "reason": penalty_reason}
    return comp


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %".replace(".", ",")


# -------------------------------------------------------------------------------------------------------
# Freshness (shared by the tabular and dataset views)
# -------------------------------------------------------------------------------------------------------

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
    result["met"] = (next_update - _now(now)).days >= -1
    return result


def _has_documentation(dataset: dict[str, Any], report: dict[str, Any] | None) -> tuple[bool, str]:
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


def _freshness_component(dataset: dict[str, Any] | None, report: dict[str, Any] | None,
                         now: datetime | None) -> dict[str, Any]:
    dataset = dataset or {}
    fresh = freshness(dataset, now=now)
    items = []
    items.append(_item("frequency_declared", _(N_("Update frequency given")), 2 if fresh["declared"] else 0, 2,
                       _(N_("frequency given")) if fresh["declared"] else _(N_('frequency not given or "unknown"'))))
    if not fresh["declared"]:
        reason = _(N_("without a frequency, keeping up with updates cannot be checked"))
    elif fresh["met"]:
        reason = _(N_("data up to date for the stated frequency"))
    else:
        reason = _(N_("the last update is older than the stated frequency"))
    items.append(_item("frequency_met", _(N_("Frequency kept")), 4 if fresh["met"] else 0, 4, reason))
    notes = (dataset.get("notes") or "").strip()
    long_enough = len(notes) > DESCRIPTION_MIN_CHARS
    items.append(_item("description", _(N_("Description of the dataset")), 2 if long_enough else 0, 2,
                       _(N_("detailed description")) if long_enough else
                       _(N_("description missing or too short (more than 100 characters expected)"))))
    documented, reason = _has_documentation(dataset, report)
    items.append(_item("documentation", _(N_("Documentation of the columns")), 2 if documented else 0, 2, reason))
    return _component("freshness", _(N_("Freshness and documentation")), 10, items)


# -------------------------------------------------------------------------------------------------------
# Resource score
# -------------------------------------------------------------------------------------------------------

def _detected_type(report: dict[str, Any] | None) -> str | None:
    kind = ((report or {}).get("file") or {}).get("kind")
    return vocab.KIND_TO_FILE_TYPE.get(kind or "") if kind else None


def _is_tabular(report: dict[str, Any] | None, resource: dict[str, Any]) -> bool:
    status = (report or {}).get("status")
    if status in VALIDATED:
        return True
    if status == "not-tabular":
        return False
    detected = _detected_type(report)
    declared = vocab.normalize_file_type(resource.get("format"))
    # refused or unreachable: judge on what the publisher meant to publish
    return declared in vocab.TABULAR_FORMATS or (declared is None and detected in vocab.TABULAR_FORMATS)


def _is_broken(report: dict[str, Any] | None) -> bool:
    """The download failed, or the file was refused (unreadable, or refused to protect the service)."""
    if not report:
        return False
    return report.get("status") in ("error", "rejected")


def _refusal(report: dict[str, Any]) -> str:
    """Why a rejected file was refused, in one short French phrase (title of its first error)."""
    first = next((e for e in report.get("errors") or [] if e.get("severity", "error") == "error"), None)
    title = (first or {}).get("title")
    if not title:
        return _(N_("file refused"))
    return _(N_("file refused: {title}")).format(title=title)


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
    now_dt = _now(parse_datetime(now) if now is not None else None)
    if _is_tabular(report, resource):
        components = _tabular_components(report, resource, dataset, now_dt)
        kind = "tabular"
    else:
        components = _non_tabular_components(report, resource, availability)
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
        "broken": _is_broken(report) or (report is None and availability is False),
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
        return _refusal(report)
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
                               'than "{band}"')).format(max=top, pct=_pct(share), title=title,
                                                      threshold=f"{threshold * 100:.0f} %", band=band_label(key)),
            }
    return None


def _tabular_components(report: dict[str, Any] | None, resource: dict[str, Any], dataset: dict[str, Any] | None,
                        now: datetime) -> list[dict[str, Any]]:
    report = report or {}
    status = report.get("status")
    file = report.get("file") or {}
    table = report.get("table") or {}
    schema = report.get("schema") or {}
    error_types = {e.get("type") for e in report.get("errors") or []}
    validated = status in VALIDATED
    rows = table.get("rows") or 0

    # -- readability --------------------------------------------------------------------------------------
    items = []
    if status is None:
        items.append(_item("fetched", _(N_("File reachable")), 0, 5, _(N_("file not checked yet"))))
    elif status == "error":
        items.append(_item("fetched", _(N_("File reachable")), 0, 5, _(N_("the file could not be downloaded"))))
    elif error_types & set(UNREADABLE):
        items.append(_item("fetched", _(N_("File reachable")), 0, 5,
                           _(N_("the file is empty, unreadable or a web page"))))
    elif status == "rejected":
        items.append(_item("fetched", _(N_("File reachable")), 0, 5, _refusal(report)))
    else:
        items.append(_item("fetched", _(N_("File reachable")), 5, 5, _(N_("file retrieved and readable"))))
    encoding = file.get("encoding")
    if not validated:
        items.append(_item("encoding", _(N_("UTF-8 encoding")), 0, 5, _(N_("encoding not checked"))))
    elif file.get("encoding_break"):
        items.append(_item("encoding", _(N_("UTF-8 encoding")), 0, 5,
                           _(N_("the encoding changes part way through the file (row {row})")).format(row=file["encoding_break"].get("row"))))
    elif file.get("kind") in ("xlsx", "xls", "ods"):
        items.append(_item("encoding", _(N_("UTF-8 encoding")), 5, 5, _(N_("spreadsheet: encoding set by the format"))))
    elif encoding in ("UTF-8",):
        items.append(_item("encoding", _(N_("UTF-8 encoding")), 5, 5, _(N_("encoded in UTF-8"))))
    else:
        items.append(_item("encoding", _(N_("UTF-8 encoding")), 2, 5,
                           _(N_("{encoding} encoding instead of UTF-8")).format(encoding=encoding or "?")))
    complete = validated and (table.get("complete") or table.get("partial_reason") in ("error-limit", "time-limit"))
    items.append(_item("parsed", _(N_("Complete reading")), 5 if complete else 0, 5,
                       _(N_("file read to the end")) if complete else _(N_("reading the file stops before the end"))))
    problems = table.get("header_problems") or []
    if not validated:
        header_points, reason = 0.0, _(N_("header not checked"))
    elif "no-header" in problems or "blank-header" in problems or not table.get("header"):
        header_points, reason = 0.0, _(N_("no header row with the names of the columns"))
    else:
        header_points = 5 - 2.5 * sum(1 for p in ("blank-label", "duplicate-label") if p in problems)
        reason = _(N_("header present, names unique and filled in")) if header_points == 5 else \
            _(N_("header with empty or duplicate column names"))
    items.append(_item("header", _(N_("Header row")), header_points, 5, reason))
    readability = _component("readability", _(N_("Readability")), 20, items)

    # -- structure ----------------------------------------------------------------------------------------
    if validated and rows:
        share = float(table.get("structure_row_share", 0.0))
        s_items = [_item("rows", _(N_("Well-formed rows")), 15 * share, 15,
                         _(N_("{pct} of the rows have the right number of cells")).format(pct=_pct(share)))]
    else:
        s_items = [_item("rows", _(N_("Well-formed rows")), 0, 15,
                         _(N_("no data row read")) if validated else _(N_("structure not checked")))]
    label_errors = table.get("label_errors") or 0
    structure = _component(
        "structure", _(N_("Structure")), 15, s_items,
        penalty=5.0 if label_errors else 0.0,
        penalty_reason=_(N_("the header does not match the schema (required column missing or wrongly "
                            "named)")) if label_errors else None,
    )

    # -- schema conformity --------------------------------------------------------------------------------
    valid_share = float(table.get("valid_row_share", 0.0)) if validated and rows else 0.0
    source = schema.get("source", "inferred")
    if source == "national":
        c_items = [
            _item("declared", _(N_("National schema declared")), 5, 5,
                  _(N_('schema "{title}"')).format(title=schema.get("title") or schema.get("id"))),
            _item("latest", _(N_("Latest version of the schema")), 5 if schema.get("is_latest", True) else 0, 5,
                  _(N_("version {version}")).format(version=schema.get("latest_version") or schema.get("version"))
                  if schema.get("is_latest", True) else
                  _(N_("version {declared} declared, {latest} available")).format(
                      declared=schema.get("declared_version"), latest=schema.get("latest_version"))),
            _item("valid_rows", _(N_("Conforming rows")), 25 * valid_share, 25,
                  _(N_("{pct} of the rows conform to the schema")).format(pct=_pct(valid_share))
                  if validated and rows else _(N_("no row checked"))),
        ]
    elif source == "publisher":
        described = float(schema.get("fields_described_share", 0.0))
        c_items = [
            _item("described", _(N_("Publisher's schema documented")), 10 * described, 10,
                  _(N_("{pct} of the columns have a title or a description")).format(pct=_pct(described))),
            _item("valid_rows", _(N_("Conforming rows")), 15 * valid_share, 15,
                  _(N_("{pct} of the rows conform to the schema")).format(pct=_pct(valid_share))
                  if validated and rows else _(N_("no row checked"))),
        ]
    else:
        c_items = [_item("no_schema", _(N_("Data schema")), 0, 35,
                         _(N_("no schema: only the structure could be checked"))
                         if validated else _(N_("conformity not checked")))]
    conformity = _component("conformity", _(N_("Conformity to the schema")), 35, c_items)

    # -- format -------------------------------------------------------------------------------------------
    detected = _detected_type(report)
    declared = vocab.normalize_file_type(resource.get("format"))
    fmt = detected or declared
    points = vocab.TABULAR_FORMAT_POINTS.get(fmt or "", 0)
    if fmt is None:
        reason = _(N_("unknown format"))
    elif declared and detected and declared != detected:
        reason = _(N_("format {detected} (declared {declared})")).format(detected=detected, declared=declared)
    else:
        reason = _(N_("format {fmt}")).format(fmt=fmt)
    if points == 5:
        reason += " — " + _(N_("proprietary format: also publish a CSV or an ODS"))
    fmt_comp = _component("format", _(N_("Format")), 10, [_item("format", _(N_("Open format")), points, 10, reason)])

    # -- completeness -------------------------------------------------------------------------------------
    if validated and rows:
        required_cells = table.get("required_cells") or 0
        empty_required = table.get("empty_required_cells") or 0
        if required_cells:
            filled = 1 - empty_required / required_cells
            reason = (_(N_("{pct} of the required cells are filled in")) if source != "inferred"
                      else _(N_("{pct} of the cells are filled in"))).format(pct=_pct(filled))
        else:
            filled, reason = 1.0, _(N_("no required column"))
        columns = table.get("columns") or 0
        empty = list(table.get("empty_columns") or [])
        if source != "inferred":
            optional = set(table.get("empty_optional_columns") or [])
            empty = [c for c in empty if c not in optional]
        col_share = 1 - len(empty) / columns if columns else 0.0
        col_reason = (_(N_("no entirely empty column")) if not empty else
                      _(N_("entirely empty columns: {columns}")).format(columns=", ".join(empty[:10])))
        k_items = [_item("required_cells", _(N_("Filled-in cells")), 7 * filled, 7, reason),
                   _item("empty_columns", _(N_("Columns in use")), 3 * col_share, 3, col_reason)]
    else:
        k_items = [_item("required_cells", _(N_("Filled-in cells")), 0, 7, _(N_("no row read"))),
                   _item("empty_columns", _(N_("Columns in use")), 0, 3, _(N_("no row read")))]
    completeness = _component("completeness", _(N_("Completeness")), 10, k_items)

    return [readability, structure, conformity, fmt_comp, completeness, _freshness_component(dataset, report, now)]


def _non_tabular_components(report: dict[str, Any] | None, resource: dict[str, Any],
                            availability: bool | None) -> list[dict[str, Any]]:
    status = (report or {}).get("status")
    # -- availability -------------------------------------------------------------------------------------
    if report is not None:
        available = not _is_broken(report)
        if available:
            reason = _(N_("file downloadable"))
        elif status == "rejected":
            reason = _refusal(report)
        else:
            reason = (report.get("errors") or [{}])[0].get("message") or _(N_("file not reachable"))
    elif availability is not None:
        available = bool(availability)
        reason = _(N_("file downloadable")) if available else _(N_("file not reachable"))
    else:
        available, reason = False, _(N_("availability not checked"))
    avail = _component("availability", _(N_("Availability")), 40,
                       [_item("available", _(N_("File available")), 40 if available else 0, 40, reason)])
    # -- openness -----------------------------------------------------------------------------------------
    detected = _detected_type(report)
    declared = vocab.normalize_file_type(resource.get("format"))
    fmt = detected or declared
    non_prop = fmt in vocab.NON_PROPRIETARY
    machine = fmt in vocab.MACHINE_READABLE
    openness = _component("openness", _(N_("Openness of the format")), 30, [
        _item("non_proprietary", _(N_("Non-proprietary format")), 15 if non_prop else 0, 15,
              _(N_("format {fmt}")).format(fmt=fmt or "?") if non_prop else
              _(N_("format {fmt} proprietary or unknown")).format(fmt=fmt or "?")),
        _item("machine_readable", _(N_("Machine-readable format")), 15 if machine else 0, 15,
              _(N_("data usable by software")) if machine else
              _(N_("the content must be read by a person (PDF, image, web page…)"))),
    ])
    # -- metadata -----------------------------------------------------------------------------------------
    description = (resource.get("description") or "").strip()
    m_items = [_item("description", _(N_("Description of the resource")), 10 if len(description) >= 20 else 0, 10,
                     _(N_("resource described")) if len(description) >= 20 else _(N_("description missing "
                                                                                    "or too short")))]
    if declared and detected and declared != detected:
        m_items.append(_item("format", _(N_("Format given")), 5, 10,
                             _(N_("format declared {declared}, content {detected}")).format(declared=declared, detected=detected)))
    else:
        m_items.append(_item("format", _(N_("Format given")), 10 if declared else 0, 10,
                             _(N_("format given")) if declared else _(N_("format not given"))))
    mime = resource.get("mimetype")
    m_items.append(_item("mimetype", _(N_("Media type")), 5 if vocab.is_iana_media_type(mime) else 0, 5,
                         _(N_("media type given")) if vocab.is_iana_media_type(mime) else _(N_("media type missing or invalid"))))
    size = resource.get("size")
    has_size = isinstance(size, (int, float)) and size > 0 or (isinstance(size, str) and size.isdigit() and int(size) > 0)
    m_items.append(_item("size", _(N_("Size given")), 5 if has_size else 0, 5,
                         _(N_("size given")) if has_size else _(N_("size not given"))))
    metadata = _component("metadata", _(N_("Metadata of the resource")), 30, m_items)
    return [avail, openness, metadata]


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
        worst_band = worst.get("band") if worst.get("band") != UNUSABLE[0] else "insuffisant"
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
