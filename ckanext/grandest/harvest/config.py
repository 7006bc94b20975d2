"""Typed getters of the harvester's options (declared, with their defaults, in config_declaration.yaml)."""
from __future__ import annotations

from ckanext.grandest.common import options

PREFIX = "ckanext.grandest.harvest."


def _int(name: str, minimum: int = 1) -> int:
    return max(minimum, options.get_int(PREFIX + name))


def max_page_bytes() -> int:
    return _int("max_page_mb") * 1024 * 1024


def max_pages() -> int:
    return _int("max_pages")


def max_records() -> int:
    return _int("max_records")


def timeout() -> int:
    return _int("timeout")


def max_gather_seconds() -> int:
    return _int("max_gather_seconds")


def index_batch_size() -> int:
    return _int("index_batch_size")


def allow_loopback() -> bool:
    return options.get_bool(PREFIX + "allow_loopback")


def user_agent() -> str:
    return options.get_str(PREFIX + "user_agent")


def profiles() -> list[str]:
    return options.get_list(PREFIX + "profiles")
