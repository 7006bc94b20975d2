"""The rules of the fast path: each Table Schema rule as a polars column expression (the plan), and the
translation of a schema ``pattern`` to a Rust regex accepting a subset of what Python's ``re`` accepts.
Anything not translated raises :class:`Unsupported`."""
from __future__ import annotations

import dataclasses
import re
from typing import Any

SUPPORTED_TYPES = {"string", "integer", "number", "boolean", "date", "year"}
SUPPORTED_CONSTRAINTS = {
    "string": {"required", "unique", "enum", "pattern", "minLength", "maxLength"},
    "integer": {"required", "minimum", "maximum"},
    "number": {"required", "minimum", "maximum"},
    "year": {"required", "minimum", "maximum"},
    "boolean": {"required"},
    "date": {"required"},
}
#: field keys that change how frictionless reads a cell: not translated
READING_KEYS = {"bareNumber", "groupChar", "decimalChar", "floatNumber", "missingValues"}
SINGLE_COLUMN_CHECKS = {
    "french-siret-value", "french-siren-value", "year-interval-value", "nomenclature-actes-value",
    "code-commune-insee-value", "code-postal-value", "opening-hours-value", "phone-number-value",
}
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]

_RE_INTEGER = r"^-?[0-9]{1,18}$"
_RE_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
_RE_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_RE_YEAR = r"^[0-9]{4}$"
_RE_URI = r"^https?://[!-~]*$"


class Unsupported(Exception):
    """The fast path cannot prove it finds what the reference path finds: validate the whole file there."""


# -------------------------------------------------------------------------------------------------------
# Patterns
# -------------------------------------------------------------------------------------------------------

_SAFE_ESCAPES = set("dD.\\-+*?()[]{}|^$/ ,:;'\"#&%!=<>@_~`")
_WORD = "0-9A-Za-z_"
_SPACE = " \\t\\n\\r\\f\\v"


def translate_pattern(pattern: str) -> str:
    """A Rust-regex pattern (polars) accepting a **subset** of what Python's ``re.match("^{p}$")`` accepts.

    ``\\w`` and ``\\s`` become their ASCII classes (Python's and Rust's Unicode classes differ at the edges);
    constructs where the two engines may disagree (flags, look-arounds, back-references, nested or
    set-operation classes, Unicode properties, ``\\W``/``\\S``/``\\b``…) raise :class:`Unsupported`.
    """
    if not isinstance(pattern, str):
        raise Unsupported("pattern is not a string")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise Unsupported(f"pattern does not compile: {exc}") from None
    if "(?" in pattern or "[[" in pattern or "&&" in pattern or "--" in pattern or "~~" in pattern:
        raise Unsupported("pattern construct")
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern):
                raise Unsupported("pattern ends with a backslash")
            nxt = pattern[i + 1]
            if nxt == "w":
                out.append(_WORD if in_class else f"[{_WORD}]")
            elif nxt == "s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            elif nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", pattern[i + 2:i + 6]):
                char = chr(int(pattern[i + 2:i + 6], 16))
                if char.isascii() and not char.isalnum():
                    if not char.isprintable() or char in " <>":
                        raise Unsupported("pattern escape of a control character")
                    char = "\\" + char
                out.append(char)
                i += 6
                continue
            elif nxt in "tnr":
                out.append("\\" + nxt)
            elif nxt in "dD":
                out.append("\\" + nxt)
            elif nxt in _SAFE_ESCAPES:
                # punctuation: escaped for Rust, except the few it reads as something else when escaped
                out.append(nxt if nxt in " <>" else "\\" + nxt)
            else:
                raise Unsupported(f"pattern escape \\{nxt}")
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            # a ']' right after '[' or '[^' is a literal in Python, the end of an empty class in Rust
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                raise Unsupported("pattern class starting with ]")
            i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        if ch == "{" and not in_class and not re.match(r"\{\d+(,\d*)?\}", pattern[i:]):
            raise Unsupported("pattern brace")
        out.append(ch)
        i += 1
    return "^(?:" + "".join(out) + ")$"


# -------------------------------------------------------------------------------------------------------
# Plan: one expression per column
# -------------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Column:
    name: str
    type: str
    missing: list[str]
    required: bool = False
    unique: bool = False
    exprs: list[Any] = dataclasses.field(default_factory=list)  # each true when the non-missing cell is clean
    checks: list[Any] = dataclasses.field(default_factory=list)  # single-column custom checks (per value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unsupported("bound is not a number")
    return float(value)


def build_plan(descriptor: dict[str, Any], custom: list[Any]) -> tuple[list[_Column], list[tuple[str, ...]]]:
    """Columns to check and the one-of-required pairs; raises :class:`Unsupported`."""
    import polars as pl

    if descriptor.get("primaryKey") or descriptor.get("foreignKeys"):
        raise Unsupported("primary or foreign key")
    missing = descriptor.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise Unsupported("missingValues")
    columns: dict[str, _Column] = {}
    for field in descriptor.get("fields") or []:
        name, ftype = field["name"], field.get("type", "string")
        fmt = field.get("format", "default") or "default"
        if ftype not in SUPPORTED_TYPES:
            raise Unsupported(f"type {ftype}")
        if READING_KEYS.intersection(field):
            raise Unsupported(f"field option on {name}")
        if ftype == "date":
            if fmt not in ("default", "%Y-%m-%d"):
                raise Unsupported(f"date format {fmt}")
        elif ftype == "string" and fmt == "uri":
            pass  # frictionless (rfc3986) asks for a scheme: "http(s)://" + printable ASCII certainly has one
        elif fmt != "default":
            raise Unsupported(f"{ftype} format {fmt}")
        constraints = field.get("constraints") or {}
        unknown = set(constraints) - SUPPORTED_CONSTRAINTS[ftype]
        if unknown:
            raise Unsupported(f"constraint {sorted(unknown)} on {ftype}")
        col = _Column(name=name, type=ftype, missing=list(missing))
        c = pl.col(name)
        if ftype == "string" and fmt == "uri":
            col.exprs.append(c.str.contains(_RE_URI))
        if ftype == "integer":
            col.exprs.append(c.str.contains(_RE_INTEGER))
        elif ftype == "number":
            col.exprs.append(c.str.contains(_RE_NUMBER))
        elif ftype == "year":
            col.exprs.append(c.str.contains(_RE_YEAR))
        elif ftype == "boolean":
            true_values = field.get("trueValues", DEFAULT_TRUE)
            false_values = field.get("falseValues", DEFAULT_FALSE)
            col.exprs.append(c.is_in([str(v) for v in [*true_values, *false_values]]))
        elif ftype == "date":
            col.exprs.append(c.str.contains(_RE_DATE) & (c.str.slice(0, 4) != "0000")
                             & c.str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_not_null())
        for key, value in constraints.items():
            if key == "required":
                col.required = bool(value)
            elif key == "unique":
                col.unique = bool(value)
            elif key == "enum":
                if fmt != "default":
                    raise Unsupported("enum on a formatted string")  # frictionless casts the enum values too
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise Unsupported("enum values")
                col.exprs.append(c.is_in(value))
            elif key == "pattern":
                col.exprs.append(c.str.contains(translate_pattern(value)))
            elif key in ("minLength", "maxLength"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise Unsupported("length bound")
                n = c.str.len_chars()
                col.exprs.append(n >= value if key == "minLength" else n <= value)
            elif key in ("minimum", "maximum"):
                bound = _number(value)
                if ftype in ("integer", "year"):
                    if not float(bound).is_integer():
                        raise Unsupported("integer bound")
                    v = c.cast(pl.Int64, strict=False)
                    col.exprs.append(v >= int(bound) if key == "minimum" else v <= int(bound))
                else:
                    # decimals against a float: a margin sends the cells next to the bound to frictionless
                    margin = 1e-9 * (1 + abs(bound))
                    v = c.cast(pl.Float64, strict=False)
                    col.exprs.append(v >= bound + margin if key == "minimum" else v <= bound - margin)
        columns[name] = col
    pairs: list[tuple[str, ...]] = []
    for check in custom:
        kind = getattr(check, "type", "")
        if kind in SINGLE_COLUMN_CHECKS:
            col = columns.get(check.column)
            if col is None:
                continue  # a column outside the schema: the check never runs (see checks.base.row_field_names)
            if col.type != "string":
                raise Unsupported(f"{kind} on a {col.type} column")
            check._setup()
            col.checks.append(check)
        elif kind == "one-of-required":
            pairs.append(tuple(c for c in (check.column, check.column2)))
        else:
            raise Unsupported(f"custom check {kind}")
    return list(columns.values()), pairs
