"""Typed getters over the options declared (with their defaults) in ``config_declaration.yaml``."""
from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.grandest.common import options

PREFIX = "ckanext.grandest.onboarding."
MiB = 1 << 20


def _int(key: str) -> int:
    return options.get_int(PREFIX + key)


def _str(key: str) -> str:
    return options.get_str(PREFIX + key)


def stream_uploads() -> bool:
    """Whether API uploads to an S3 resource storage are sent on while the request body arrives (streaming.py)."""
    return options.get_bool(PREFIX + "stream_uploads")


def confirmation_days() -> int:
    return max(1, _int("confirmation_days"))


def requester_link_days() -> int:
    return max(1, _int("requester_link_days"))


def info_request_days() -> int:
    return max(1, _int("info_request_days"))


def ratelimit_ip_per_hour() -> int:
    return max(0, _int("ratelimit.ip_per_hour"))


def ratelimit_commune_per_day() -> int:
    return max(0, _int("ratelimit.commune_per_day"))


def review_email() -> str:
    return _str("review_email")


def support_email() -> str:
    return _str("support_email")


def small_commune_population() -> int:
    return _int("small_commune_population")


def small_commune_tier() -> str:
    return _str("small_commune_tier")


def large_commune_tier() -> str:
    """'' means: larger communes are pointed to their EPCI."""
    return _str("large_commune_tier")


def default_tier() -> str:
    return _str("default_tier")


def warning_percent() -> int:
    return min(100, max(1, _int("warning_percent")))


def tiers() -> list[str]:
    return options.get_list(PREFIX + "tiers")


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
    # the built-in tiers' limits are declared (with their defaults); other tiers' are dynamic options, and one
    # a portal leaves out means no limit
    base = f"{PREFIX}tier.{name}."
    storage = tk.config.get(base + "max_storage_mb", None)
    datasets = tk.config.get(base + "max_datasets", None)
    file_mb = tk.config.get(base + "max_file_mb", None)
    label = str(tk.config.get(base + "label", None) or "").strip()
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
    return options.get_int("ckan.max_resource_size") * MiB
