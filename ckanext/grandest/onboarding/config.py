"""Typed getters over the options declared in ``config_declaration.yaml``."""
from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk

PREFIX = "ckanext.grandest.onboarding."
MiB = 1 << 20
BUILTIN_TIERS = ("free", "standard")


def _int(key: str, default: int) -> int:
    value: Any = tk.config.get(PREFIX + key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _str(key: str, default: str = "") -> str:
    value = tk.config.get(PREFIX + key, default)
    return str(value).strip() if value is not None else default


def confirmation_days() -> int:
    return max(1, _int("confirmation_days", 7))


def requester_link_days() -> int:
    return max(1, _int("requester_link_days", 30))


def info_request_days() -> int:
    return max(1, _int("info_request_days", 30))


def ratelimit_ip_per_hour() -> int:
    return max(0, _int("ratelimit.ip_per_hour", 5))


def ratelimit_commune_per_day() -> int:
    return max(0, _int("ratelimit.commune_per_day", 3))


def review_email() -> str:
    return _str("review_email")


def support_email() -> str:
    return _str("support_email")


def small_commune_population() -> int:
    return _int("small_commune_population", 3500)


def small_commune_tier() -> str:
    return _str("small_commune_tier", "free")


def large_commune_tier() -> str:
    """'' means: larger communes are pointed to their EPCI."""
    return _str("large_commune_tier", "standard")


def default_tier() -> str:
    return _str("default_tier", "")


def warning_percent() -> int:
    return min(100, max(1, _int("warning_percent", 80)))


def tiers() -> list[str]:
    value = tk.config.get(PREFIX + "tiers", list(BUILTIN_TIERS))
    if isinstance(value, str):
        value = value.split()
    names = [str(v).strip() for v in value or [] if str(v).strip()]
    return names or list(BUILTIN_TIERS)


@dataclasses.dataclass(frozen=True)
class Tier:
    """Limits of a hosting tier; ``None`` = no limit."""

    name: str
    label: str
    max_storage_bytes: int | None
    max_datasets: int | None
    max_file_bytes: int | None


def _limit(value: Any, scale: int = 1) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number * scale if number > 0 else None


def tier(name: str | None) -> Tier | None:
    """The tier called ``name`` as configured, or None for no/unknown tier (= no quota)."""
    if not name or name not in tiers():
        return None
    defaults = {
        "free": (1024, 50, 50),
        "standard": (10240, 500, 200),
    }.get(name, (0, 0, 0))
    base = f"{PREFIX}tier.{name}."
    storage = tk.config.get(base + "max_storage_mb", defaults[0])
    datasets = tk.config.get(base + "max_datasets", defaults[1])
    file_mb = tk.config.get(base + "max_file_mb", defaults[2])
    label = str(tk.config.get(base + "label", "") or "").strip()
    if not label:
        label = {"free": tk._("Free hosting"), "standard": tk._("Standard hosting")}.get(name, name)
    return Tier(
        name=name,
        label=label,
        max_storage_bytes=_limit(storage, MiB),
        max_datasets=_limit(datasets),
        max_file_bytes=_limit(file_mb, MiB),
    )


def global_max_file_bytes() -> int:
    """``ckan.max_resource_size`` (MB) in bytes: CKAN's own ceiling for any uploaded file."""
    try:
        return int(tk.config.get("ckan.max_resource_size", 10)) * MiB
    except (TypeError, ValueError):
        return 10 * MiB
