"""Malformed input to the suite's actions gives a 4xx with a message, never a 500.

Every ``grandest_*`` action is registered through :func:`guarded_actions`: before the action runs, each string
of its input (keys and values, at any depth) is checked; a NUL byte (PostgreSQL refuses it) or a lone surrogate
(not encodable as UTF-8) raises ``ValidationError``, which the API answers with a 409 and the message.
"""
from __future__ import annotations

import functools
import importlib
import re
from typing import Any, Callable

import ckan.plugins.toolkit as tk

from .i18n import N_

_BAD = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 20

MESSAGE = N_("The text contains characters that are not allowed (NUL byte or invalid Unicode).")


def is_clean_text(value: str) -> bool:
    return _BAD.search(value) is None


def _bad_field(value: Any, path: str, depth: int = 0) -> str | None:
    """The first field (dotted path) holding a forbidden character, or None."""
    if depth > MAX_DEPTH:
        return path or "input"
    if isinstance(value, str):
        return None if is_clean_text(value) else (path or "input")
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if isinstance(key, str) else str(key)
            if not is_clean_text(name):
                return "input"
            found = _bad_field(item, f"{path}.{name}" if path else name, depth + 1)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = _bad_field(item, path, depth + 1)
            if found:
                return found
    return None


def check(data_dict: Any) -> None:
    field = _bad_field(data_dict, "")
    if field:
        raise tk.ValidationError({field.split(".")[0]: [tk._(MESSAGE)]})


def guard(action: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(action)  # keeps side_effect_free, auth_audit_exempt...
    def guarded(context: Any, data_dict: Any = None) -> Any:
        check(data_dict or {})
        return action(context, data_dict)

    return guarded


def guarded_actions(module_name: str) -> Callable[[], dict[str, Any]]:
    """For ``tk.blanket.actions``: the module's public ``grandest_*`` actions, guarded; its chained actions
    (core's names) as they are."""
    def actions() -> dict[str, Any]:
        module = importlib.import_module(module_name)
        out = {}
        for name in getattr(module, "__all__", None) or dir(module):
            func = getattr(module, name)
            if name.startswith("_") or not callable(func) or getattr(func, "__module__", None) != module.__name__:
                continue
            out[name] = guard(func) if name.startswith("grandest_") else func
        return out

    return actions
