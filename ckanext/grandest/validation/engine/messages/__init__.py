"""Plain-language explanations of every problem the engine can report, and the translator they go through.

Written for a town-hall secretary with no data training: each error type has a short **title**, what it
**means**, and how to **fix** it; :func:`render_error` adds the row, the column and the value to make one
concrete sentence. Tables hold ``N_()``-marked English msgids; ``_()`` is applied when rendering.

The engine imports nothing of CKAN: its translator (:data:`translator`) is injected with
:func:`set_translator` — the validation plugin routes it to the ``ckanext-grandest-validation`` catalog in the
portal's default language when it starts (in the web app, the worker and the CLI), so reports are written in
French. Without a translator the engine speaks its English msgids.

The tables are in :mod:`.tables`; this module holds the translator and renders the tables' texts.
"""
from __future__ import annotations

import re
from typing import Any

from ckanext.grandest.common import sizes
from ckanext.grandest.common.i18n import N_, Translator

from .tables import DATE_FORMAT_HINT, ERRORS, FETCH_ERRORS, GENERIC_ERROR, OPERATORS, TYPE_EXPECTED

#: the engine's translator: English msgids until :func:`set_translator` is called
translator = Translator()
_ = translator.gettext
ngettext = translator.ngettext
set_translator = translator.set_translator

VALUE_MAX_CHARS = 80

#: gettext translates the empty msgid to its catalog's header, which names the catalog's language
_CATALOG_HEADER = ""
_HEADER_LANGUAGE = re.compile(r"^Language:\s*([A-Za-z_-]+)", re.MULTILINE)


def report_locale() -> str:
    """The language the reports are written in: that of the injected catalog (its header), else English."""
    match = _HEADER_LANGUAGE.search(translator.gettext(_CATALOG_HEADER))
    return match.group(1) if match else "en"


def human_size(n: int | None) -> str:
    """A size in the reports' language, one decimal always: « 8,0 Mo », « 980 octets » (``common.sizes``)."""
    return sizes.human_size(n, locale=report_locale(), gettext=_, always_decimal=True, unknown="?")


def fetch_error_message(code: str, **params: Any) -> str:
    template = FETCH_ERRORS.get(code, N_("The file could not be downloaded ({code})."))
    params = {k: v for k, v in params.items()}
    params.setdefault("code", code)
    params["limit_h"] = human_size(params.get("limit"))
    return _format(_(template), params)


# --------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------

class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _format(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format_map(_SafeDict(params))
    except (ValueError, IndexError):
        return template


def short_value(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    if len(text) > VALUE_MAX_CHARS:
        text = text[: VALUE_MAX_CHARS - 1] + "…"
    return text


_CONSTRAINT_RE = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)
_TYPE_RE = re.compile(r'type is "(\w+)/([^"]*)"')


def _pattern_fix(pattern: str, field: dict[str, Any] | None = None) -> str:
    known = {
        r"^\d{14}$": N_("The value must be made of exactly 14 digits (a SIRET number), without spaces or points."),
        r"^\d{9}$": N_("The value must be made of exactly 9 digits (a SIREN number), without spaces."),
        r"^([013-9]\d|2[AB1-9])\d{3}$": N_("The value must be an INSEE commune code of 5 characters (for "
                                           "example 67482 or 2A004), leading zero included."),
        r"^\d\.\d{1,2}$": N_("The value must be a subject code written digit.number, for example 7.5 or 1.1."),
        r"^W\d{9}$": N_("The value must be an RNA number: the letter W followed by 9 digits (for example W671234567)."),
        r"^[0-9]{4}(\/[0-9]{4})?$": N_("The value must be a year (2024) or a period (2023/2024)."),
    }
    for key, text in known.items():
        if pattern == key:
            return _(text)
    # Never the regular expression itself: a commune is told what is expected in the schema's own words.
    field = field or {}
    description = plain_description(field.get("description") or field.get("title") or "")
    example = short_value(field.get("example")) if field.get("example") not in (None, "") else ""
    if description and example:
        return _format(_(N_('What the schema expects: {description} Example of a correct value: "{example}".')),
                       {"description": description, "example": example})
    if description:
        return _format(_(N_("What the schema expects: {description}")), {"description": description})
    if example:
        return _format(_(N_('Write the value on the model of this example given by the schema: "{example}".')),
                       {"example": example})
    return _(N_("The value does not have the form the schema expects for this column: see the schema's documentation."))


_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
DESCRIPTION_MAX_CHARS = 400


def plain_description(text: str) -> str:
    """A schema field's description as plain text: Markdown links reduced to their text, one line, capped,
    ending with a full stop."""
    text = _MD_LINK_RE.sub(r"\1", str(text or ""))
    text = " ".join(text.replace("`", "").split())
    if len(text) > DESCRIPTION_MAX_CHARS:
        text = text[: DESCRIPTION_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if text and text[-1] not in ".!?…":
        text += "."
    return text


_DATE_PARTS = {"%Y": r"(?P<y>\d{4})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})"}


def is_impossible_date(value: Any, ftype: str, fformat: str | None) -> bool:
    """True when ``value`` is written as the schema asks (e.g. 2024-02-30 for AAAA-MM-JJ) but names a day
    that does not exist: a wrong day, not a wrong format."""
    import datetime as _dt

    if ftype not in ("date", "datetime") or not isinstance(value, str):
        return False
    fformat = fformat or "default"
    if fformat in ("default", "any", ""):
        pattern = r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})" + (r"(T.*)?" if ftype == "datetime" else "")
    else:
        if not all(part in fformat for part in _DATE_PARTS):
            return False
        pattern, i = "", 0
        while i < len(fformat):
            if fformat[i] == "%" and i + 1 < len(fformat):
                directive = fformat[i:i + 2]
                pattern += _DATE_PARTS.get(directive, ".+?") if directive != "%%" else "%"
                i += 2
            else:
                pattern += re.escape(fformat[i])
                i += 1
    try:
        match = re.fullmatch(pattern, value.strip())
    except re.error:  # a format naming the same part twice
        return False
    if not match:
        return False
    year, month, day = int(match.group("y")), int(match.group("m")), int(match.group("d"))
    try:
        _dt.date(year, month, day)
    except ValueError:
        return True
    return False


def error_text(code: str) -> dict[str, str]:
    """Untranslated catalogue entry for ``code`` (title/meaning/fix templates)."""
    return ERRORS.get(code, GENERIC_ERROR)


def render(code: str, /, **params: Any) -> dict[str, str]:
    """Title, meaning and fix for ``code`` with ``params`` substituted, translated."""
    entry = ERRORS.get(code, GENERIC_ERROR)
    params = dict(params)
    params.setdefault("type", code)
    if "limit" in params and "limit_h" not in params:
        params["limit_h"] = human_size(params["limit"]) if isinstance(params["limit"], int) else params["limit"]
    if "size" in params and "size_h" not in params:
        params["size_h"] = human_size(params["size"])
    title, meaning, fix = entry["title"], entry["meaning"], entry["fix"]  # msgids (N_ in the tables above)
    return {
        "title": _(title),
        "message": _format(_(meaning), params),
        "fix": _format(_(fix), params),
    }


def render_error(error: dict[str, Any], *, field_types: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Turn a raw error (frictionless ``to_descriptor()`` subset or engine error) into a French entry.

    ``error`` keys: ``type``, optional ``rowNumber``, ``fieldName``, ``fieldNumber``, ``cell``, ``note``
    and any extra params (``column2``, ``columns`` ...). ``field_types`` maps a field name to its schema
    field descriptor, to explain type errors.
    """
    code = error.get("type", "task-error")
    row = error.get("rowNumber", error.get("row"))
    column = error.get("fieldName") or ""
    value = short_value(error.get("cell", error.get("value", "")))
    note = error.get("note") or ""
    params: dict[str, Any] = {
        k: v for k, v in error.items() if k not in ("type", "rowNumber", "row", "fieldName", "cell", "note")
    }
    params.update(row=row, column=column, value=value, note=note, field_number=error.get("fieldNumber", "?"))
    key = code
    if code == "type-error":
        match = _TYPE_RE.search(note)
        ftype = match.group(1) if match else "string"
        fformat = match.group(2) if match else "default"
        if field_types and column in field_types:
            ftype = field_types[column].get("type", ftype)
            fformat = field_types[column].get("format", fformat) or "default"
        expected, type_fix = TYPE_EXPECTED.get(ftype, TYPE_EXPECTED["string"])
        params["expected"] = _(expected)
        if ftype in ("date", "datetime") and fformat not in ("default", "any", "%Y-%m-%d", ""):
            params["type_fix"] = _format(_(DATE_FORMAT_HINT), {"format": fformat})
        elif ftype == "boolean" and field_types and field_types.get(column, {}).get("trueValues"):
            field = field_types[column]
            params["type_fix"] = _format(
                _(N_("Write {true} or {false}, exactly like this and with no other text.")),
                {"true": " / ".join(f"« {v} »" for v in field["trueValues"]),
                 "false": " / ".join(f"« {v} »" for v in field.get("falseValues") or [])},
            )
        elif ftype == "number" and "," in value and value.replace(",", "").replace(" ", "").lstrip("-").isdigit():
            number_fix = TYPE_EXPECTED["number"][1]
            params["type_fix"] = _(number_fix)
        else:
            params["type_fix"] = _(type_fix)
    elif code == "constraint-error":
        match = _CONSTRAINT_RE.search(note)
        if match:
            constraint, limit = match.group(1), match.group(2)
            if constraint in ERRORS:
                key = constraint
            params["limit"] = limit
            if constraint == "enum":
                allowed = limit.strip("[]")
                params["allowed"] = allowed if len(allowed) < 400 else allowed[:400] + "…"
            if constraint == "pattern":
                params["pattern_fix"] = _pattern_fix(limit, (field_types or {}).get(column))
    elif code == "compare-columns-value":
        params["op_label"] = _(OPERATORS.get(str(params.get("op")), str(params.get("op", "?"))))
    if isinstance(params.get("columns"), (list, tuple)):
        params["columns"] = ", ".join(f"« {c} »" for c in params["columns"])
    if isinstance(params.get("missing"), (list, tuple)):
        params["missing"] = ", ".join(f"« {c} »" for c in params["missing"])
    rendered = render(key, **params)
    out: dict[str, Any] = {
        "type": code,
        "title": rendered["title"],
        "message": rendered["message"],
        "fix": rendered["fix"],
        "row": row,
        "column": column or None,
        "value": value if value != "" else None,
        "severity": error.get("severity", "error"),
    }
    if key != code:
        out["constraint"] = key
    return out


def problem_key(entry: dict[str, Any]) -> str:
    """The key under which a rendered finding is counted in ``report["counts"]`` (the constraint's name for a
    constraint error: ``pattern``, ``enum``...; else its type)."""
    return str(entry.get("constraint") or entry.get("type") or "")


def problem_sections(report: dict[str, Any] | None, severity: str = "error") -> list[dict[str, Any]]:
    """The problems of a report, one section per counted kind, in the order of ``count_details``.

    Each section: ``{"type", "anchor", "title", "count", "items", "shared_fix"}``. ``count`` is the number
    counted in the whole file (``report["counts"]``), ``items`` the examples kept (maybe none): the summary of
    a report and its detail are both built from these sections, so they cannot disagree, and every summary
    link has a section to land on.
    """
    report = report or {}
    entries = report.get("errors" if severity == "error" else "warnings") or []
    counts = report.get("counts" if severity == "error" else "warning_counts") or {}
    sections: dict[str, dict[str, Any]] = {}
    for detail in report.get("count_details") or []:
        if (detail.get("severity") or "error") == severity and detail.get("type"):
            kind = str(detail["type"])
            sections[kind] = {"type": kind, "title": detail.get("title") or kind, "count": int(detail.get("count") or 0),
                              "items": [], "fixes": []}
    for entry in entries:
        if (entry.get("severity") or "error") != severity and severity == "error":
            continue
        kind = problem_key(entry)
        section = sections.get(kind)
        if section is None:  # an example of a kind the counts do not know (older reports): count what is shown
            section = sections[kind] = {"type": kind, "title": entry.get("title") or kind,
                                        "count": int(counts.get(kind) or 0), "items": [], "fixes": []}
        section["items"].append(entry)
        fix = entry.get("fix")
        if fix and fix not in section["fixes"]:
            section["fixes"].append(fix)
    out = []
    for section in sections.values():
        section["count"] = max(section["count"], len(section["items"]))
        section["shared_fix"] = section["fixes"][0] if len(section["fixes"]) == 1 else None
        section["anchor"] = "problem-" + re.sub(r"[^A-Za-z0-9_-]", "-", section["type"])
        out.append(section)
    return out
