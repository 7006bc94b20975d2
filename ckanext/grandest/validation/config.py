"""Typed getters over the options declared (with their defaults) in ``config_declaration.yaml``."""
from __future__ import annotations

from ckanext.grandest.common import options

from .engine import Limits

PREFIX = "ckanext.grandest.validation."
MiB = 1 << 20
#: grace added to the job timeout before a ``running`` row is considered interrupted
STALE_GRACE_SECONDS = 60


def _int(key: str) -> int:
    return options.get_int(PREFIX + key)


def _bool(key: str) -> bool:
    return options.get_bool(PREFIX + key)


def queue() -> str:
    return options.get_str(PREFIX + "queue")


def job_timeout() -> int:
    return max(30, _int("job_timeout"))


def stale_after() -> int:
    """Seconds after which a ``running`` validation is considered interrupted."""
    return job_timeout() + STALE_GRACE_SECONDS


def heartbeat_interval() -> float:
    """Seconds between two heartbeats of a running validation (refreshed by the job process)."""
    return float(max(1, _int("heartbeat_interval")))


def heartbeat_dead_after() -> float:
    """Seconds without a heartbeat after which a ``running`` validation is dead (at least 2 intervals)."""
    return max(float(max(2, _int("heartbeat_dead_after"))), 2 * heartbeat_interval())


def max_attempts() -> int:
    return max(1, _int("max_attempts"))


def run_on_create() -> bool:
    return _bool("run_on_create")


def run_on_update() -> bool:
    return _bool("run_on_update")


def allow_loopback() -> bool:
    return _bool("allow_loopback")


def keep_days() -> int:
    return max(1, _int("keep_days"))


def limits() -> Limits:
    """The engine's caps, from the config (the engine's defaults for everything not configurable)."""
    max_seconds = _int("max_seconds")
    return Limits(
        max_download_bytes=max(1, _int("max_download_mb")) * MiB,
        max_decompressed_bytes=max(1, _int("max_decompressed_mb")) * MiB,
        total_timeout=float(max(5, _int("download_timeout"))),
        max_errors=max(100, _int("max_errors")),
        max_seconds=float(max_seconds) if max_seconds > 0 else None,
        fast_path=_bool("fast_path"),
    )


def schemas_base_url() -> str:
    return options.get_str(PREFIX + "schemas_base_url").rstrip("/")


def schema_max_bytes() -> int:
    return max(1, _int("schema_max_kb")) * 1024


def schema_limits(max_bytes: int | None = None) -> Limits:
    """Caps of a schema download: small files, short timeouts."""
    import dataclasses

    return dataclasses.replace(limits(), max_download_bytes=max_bytes or schema_max_bytes(),
                               total_timeout=float(min(60, max(5, _int("download_timeout")))))
