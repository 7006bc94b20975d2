"""The components of the data score: readability, structure, conformity, format, completeness (tabular files),
availability, openness and metadata (other files). See the table of points in :mod:`..score`."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import vocab
from ..messages import N_, _
from .freshness import freshness_component
from .points import component, detail, percent

VALIDATED = ("valid", "invalid", "structure-only")
UNREADABLE = ("html-file", "empty-file", "binary-file")


def detected_type(report: dict[str, Any] | None) -> str | None:
    kind = ((report or {}).get("file") or {}).get("kind")
    return vocab.KIND_TO_FILE_TYPE.get(kind or "") if kind else None


def is_tabular(report: dict[str, Any] | None, resource: dict[str, Any]) -> bool:
    status = (report or {}).get("status")
    if status in VALIDATED:
        return True
    if status == "not-tabular":
        return False
    detected = detected_type(report)
    declared = vocab.normalize_file_type(resource.get("format"))
    # refused or unreachable: judge on what the publisher meant to publish
    return declared in vocab.TABULAR_FORMATS or (declared is None and detected in vocab.TABULAR_FORMATS)


def is_broken(report: dict[str, Any] | None) -> bool:
    """The download failed, or the file was refused (unreadable, or refused to protect the service)."""
    if not report:
        return False
    return report.get("status") in ("error", "rejected")


def refusal(report: dict[str, Any]) -> str:
    """Why a rejected file was refused, in one short French phrase (title of its first error)."""
    first = next((e for e in report.get("errors") or [] if e.get("severity", "error") == "error"), None)
    title = (first or {}).get("title")
    if not title:
        return _(N_("file refused"))
    return _(N_("file refused: {title}")).format(title=title)


def tabular_components(report: dict[str, Any] | None, resource: dict[str, Any], dataset: dict[str, Any] | None,
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
        items.append(detail("fetched", _(N_("File reachable")), 0, 5, _(N_("file not checked yet"))))
    elif status == "error":
        items.append(detail("fetched", _(N_("File reachable")), 0, 5, _(N_("the file could not be downloaded"))))
    elif error_types & set(UNREADABLE):
        items.append(detail("fetched", _(N_("File reachable")), 0, 5,
                           _(N_("the file is empty, unreadable or a web page"))))
    elif status == "rejected":
        items.append(detail("fetched", _(N_("File reachable")), 0, 5, refusal(report)))
    else:
        items.append(detail("fetched", _(N_("File reachable")), 5, 5, _(N_("file retrieved and readable"))))
    encoding = file.get("encoding")
    if not validated:
        items.append(detail("encoding", _(N_("UTF-8 encoding")), 0, 5, _(N_("encoding not checked"))))
    elif file.get("encoding_break"):
        items.append(detail("encoding", _(N_("UTF-8 encoding")), 0, 5,
                           _(N_("the encoding changes part way through the file (row {row})")).format(row=file["encoding_break"].get("row"))))
    elif file.get("kind") in ("xlsx", "xls", "ods"):
        items.append(detail("encoding", _(N_("UTF-8 encoding")), 5, 5, _(N_("spreadsheet: encoding set by the format"))))
    elif encoding in ("UTF-8",):
        items.append(detail("encoding", _(N_("UTF-8 encoding")), 5, 5, _(N_("encoded in UTF-8"))))
    else:
        items.append(detail("encoding", _(N_("UTF-8 encoding")), 2, 5,
                           _(N_("{encoding} encoding instead of UTF-8")).format(encoding=encoding or "?")))
    complete = validated and (table.get("complete") or table.get("partial_reason") in ("error-limit", "time-limit"))
    items.append(detail("parsed", _(N_("Complete reading")), 5 if complete else 0, 5,
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
    items.append(detail("header", _(N_("Header row")), header_points, 5, reason))
    readability = component("readability", _(N_("Readability")), 20, items)

    # -- structure ----------------------------------------------------------------------------------------
    if validated and rows:
        share = float(table.get("structure_row_share", 0.0))
        s_items = [detail("rows", _(N_("Well-formed rows")), 15 * share, 15,
                         _(N_("{pct} of the rows have the right number of cells")).format(pct=percent(share)))]
    else:
        s_items = [detail("rows", _(N_("Well-formed rows")), 0, 15,
                         _(N_("no data row read")) if validated else _(N_("structure not checked")))]
    label_errors = table.get("label_errors") or 0
    structure = component(
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
            detail("declared", _(N_("National schema declared")), 5, 5,
                  _(N_('schema "{title}"')).format(title=schema.get("title") or schema.get("id"))),
            detail("latest", _(N_("Latest version of the schema")), 5 if schema.get("is_latest", True) else 0, 5,
                  _(N_("version {version}")).format(version=schema.get("latest_version") or schema.get("version"))
                  if schema.get("is_latest", True) else
                  _(N_("version {declared} declared, {latest} available")).format(
                      declared=schema.get("declared_version"), latest=schema.get("latest_version"))),
            detail("valid_rows", _(N_("Conforming rows")), 25 * valid_share, 25,
                  _(N_("{pct} of the rows conform to the schema")).format(pct=percent(valid_share))
                  if validated and rows else _(N_("no row checked"))),
        ]
    elif source == "publisher":
        described = float(schema.get("fields_described_share", 0.0))
        c_items = [
            detail("described", _(N_("Publisher's schema documented")), 10 * described, 10,
                  _(N_("{pct} of the columns have a title or a description")).format(pct=percent(described))),
            detail("valid_rows", _(N_("Conforming rows")), 15 * valid_share, 15,
                  _(N_("{pct} of the rows conform to the schema")).format(pct=percent(valid_share))
                  if validated and rows else _(N_("no row checked"))),
        ]
    else:
        c_items = [detail("no_schema", _(N_("Data schema")), 0, 35,
                         _(N_("no schema: only the structure could be checked"))
                         if validated else _(N_("conformity not checked")))]
    conformity = component("conformity", _(N_("Conformity to the schema")), 35, c_items)

    # -- format -------------------------------------------------------------------------------------------
    detected = detected_type(report)
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
    fmt_comp = component("format", _(N_("Format")), 10, [detail("format", _(N_("Open format")), points, 10, reason)])

    # -- completeness -------------------------------------------------------------------------------------
    if validated and rows:
        required_cells = table.get("required_cells") or 0
        empty_required = table.get("empty_required_cells") or 0
        if required_cells:
            filled = 1 - empty_required / required_cells
            reason = (_(N_("{pct} of the required cells are filled in")) if source != "inferred"
                      else _(N_("{pct} of the cells are filled in"))).format(pct=percent(filled))
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
        k_items = [detail("required_cells", _(N_("Filled-in cells")), 7 * filled, 7, reason),
                   detail("empty_columns", _(N_("Columns in use")), 3 * col_share, 3, col_reason)]
    else:
        k_items = [detail("required_cells", _(N_("Filled-in cells")), 0, 7, _(N_("no row read"))),
                   detail("empty_columns", _(N_("Columns in use")), 0, 3, _(N_("no row read")))]
    completeness = component("completeness", _(N_("Completeness")), 10, k_items)

    return [readability, structure, conformity, fmt_comp, completeness, freshness_component(dataset, report, now)]


def non_tabular_components(report: dict[str, Any] | None, resource: dict[str, Any],
                            availability: bool | None) -> list[dict[str, Any]]:
    status = (report or {}).get("status")
    # -- availability -------------------------------------------------------------------------------------
    if report is not None:
        available = not is_broken(report)
        if available:
            reason = _(N_("file downloadable"))
        elif status == "rejected":
            reason = refusal(report)
        else:
            reason = (report.get("errors") or [{}])[0].get("message") or _(N_("file not reachable"))
    elif availability is not None:
        available = bool(availability)
        reason = _(N_("file downloadable")) if available else _(N_("file not reachable"))
    else:
        available, reason = False, _(N_("availability not checked"))
    avail = component("availability", _(N_("Availability")), 40,
                       [detail("available", _(N_("File available")), 40 if available else 0, 40, reason)])
    # -- openness -----------------------------------------------------------------------------------------
    detected = detected_type(report)
    declared = vocab.normalize_file_type(resource.get("format"))
    fmt = detected or declared
    non_prop = fmt in vocab.NON_PROPRIETARY
    machine = fmt in vocab.MACHINE_READABLE
    openness = component("openness", _(N_("Openness of the format")), 30, [
        detail("non_proprietary", _(N_("Non-proprietary format")), 15 if non_prop else 0, 15,
              _(N_("format {fmt}")).format(fmt=fmt or "?") if non_prop else
              _(N_("format {fmt} proprietary or unknown")).format(fmt=fmt or "?")),
        detail("machine_readable", _(N_("Machine-readable format")), 15 if machine else 0, 15,
              _(N_("data usable by software")) if machine else
              _(N_("the content must be read by a person (PDF, image, web page…)"))),
    ])
    # -- metadata -----------------------------------------------------------------------------------------
    description = (resource.get("description") or "").strip()
    m_items = [detail("description", _(N_("Description of the resource")), 10 if len(description) >= 20 else 0, 10,
                     _(N_("resource described")) if len(description) >= 20 else _(N_("description missing "
                                                                                    "or too short")))]
    if declared and detected and declared != detected:
        m_items.append(detail("format", _(N_("Format given")), 5, 10,
                             _(N_("format declared {declared}, content {detected}")).format(declared=declared, detected=detected)))
    else:
        m_items.append(detail("format", _(N_("Format given")), 10 if declared else 0, 10,
                             _(N_("format given")) if declared else _(N_("format not given"))))
    mime = resource.get("mimetype")
    m_items.append(detail("mimetype", _(N_("Media type")), 5 if vocab.is_iana_media_type(mime) else 0, 5,
                         _(N_("media type given")) if vocab.is_iana_media_type(mime) else _(N_("media type missing or invalid"))))
    size = resource.get("size")
    has_size = isinstance(size, (int, float)) and size > 0 or (isinstance(size, str) and size.isdigit() and int(size) > 0)
    m_items.append(detail("size", _(N_("Size given")), 5 if has_size else 0, 5,
                         _(N_("size given")) if has_size else _(N_("size not given"))))
    metadata = component("metadata", _(N_("Metadata of the resource")), 30, m_items)
    return [avail, openness, metadata]
