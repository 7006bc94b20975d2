"""Typed getters of the harvester's options (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

PREFIX = "ckanext.grandest.harvest."


def _int(name: str, default: int, minimum: int = 1) -> int:
    try:
        return max(minimum, int(tk.config.get(PREFIX + name, default)))
    except (TypeError, ValueError):
        return default


def max_page_bytes() -> int:
    return _int("max_page_mb", 50) * 1024 * 1024


def max_pages() -> int:
    return _int("max_pages", 500)


def max_records() -> int:
    return _int("max_records", 50000)


def timeout() -> int:
    return _int("timeout", 30)


def max_gather_seconds() -> int:
    return _int("max_gather_seconds", 1800)


def index_batch_size() -> int:
    return _int("index_batch_size", 100)


def allow_loopback() -> bool:
    return tk.asbool(tk.config.get(PREFIX + "allow_loopback", False))


def user_agent() -> str:
    return str(tk.config.get(PREFIX + "user_agent") or "DataGrandEst-moissonneur/1.0 (+ckanext-grandest)")


def profiles() -> list[str]:
    value = tk.config.get(PREFIX + "profiles") or "grandest_dcat_ap"
    return tk.aslist(value) if isinstance(value, str) else list(value)
