"""Typed getters over the options declared in ``config_declaration.yaml``."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .engine import Limits

PREFIX = "ckanext.grandest.validation."
MiB = 1 << 20
#: grace added to the job timeout before a ``running`` row is considered interrupted
STALE_GRACE_SECONDS = 60


def _int(key: str, default: int) -> int:
    value: Any = tk.config.get(PREFIX + key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _bool(key: str, default: bool) -> bool:
    return tk.asbool(tk.config.get(PREFIX + key, default))


def queue() -> str:
    return str(tk.config.get(PREFIX + "queue") or "grandest:validation").strip()


def job_timeout() -> int:
    return max(30, _int("job_timeout", 900))


def stale_after() -> int:
    """Seconds after which a ``running`` validation is considered interrupted."""
    return job_timeout() + STALE_GRACE_SECONDS


def heartbeat_interval() -> float:
    """Seconds between two heartbeats of a running validation (refreshed by the job process)."""
    return float(max(1, _int("heartbeat_interval", 15)))


def heartbeat_dead_after() -> float:
    """Seconds without a heartbeat after which a ``running`` validation is dead (at least 2 intervals)."""
    return max(float(max(2, _int("heartbeat_dead_after", 60))), 2 * heartbeat_interval())


def max_attempts() -> int:
    return max(1, _int("max_attempts", 3))


def run_on_create() -> bool:
    return _bool("run_on_create", True)


def run_on_update() -> bool:
    return _bool("run_on_update", True)


def allow_loopback() -> bool:
    return _bool("allow_loopback", False)


def keep_days() -> int:
    return max(1, _int("keep_days", 90))


def limits() -> Limits:
    """The engine's caps, from the config (the engine's defaults for everything not configurable)."""
    max_seconds = _int("max_seconds", 600)
    return Limits(
        max_download_bytes=max(1, _int("max_download_mb", 200)) * MiB,
        max_decompressed_bytes=max(1, _int("max_decompressed_mb", 500)) * MiB,
        total_timeout=float(max(5, _int("download_timeout", 300))),
        max_errors=max(100, _int("max_errors", 100_000)),
        max_seconds=float(max_seconds) if max_seconds > 0 else None,
        fast_path=_bool("fast_path", True),
    )


def schemas_base_url() -> str:
    return str(tk.config.get(PREFIX + "schemas_base_url") or "https://schema.data.gouv.fr").strip().rstrip("/")


def schema_max_bytes() -> int:
    return max(1, _int("schema_max_kb", 2048)) * 1024


def schema_limits(max_bytes: int | None = None) -> Limits:
    """Caps of a schema download: small files, short timeouts."""
    import dataclasses

    return dataclasses.replace(limits(), max_download_bytes=max_bytes or schema_max_bytes(),
                               total_timeout=float(min(60, max(5, _int("download_timeout", 300)))))
