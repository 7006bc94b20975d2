"""Fixed-window rate limits on anonymous commune requests, counted in Redis (CKAN's own connection)."""
from __future__ import annotations

import hashlib
import logging
import time

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from . import config as cfg

log = logging.getLogger(__name__)


def _key(kind: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]  # no raw IP address in Redis
    site = tk.config.get("ckan.site_id") or "ckan"
    return f"{site}:grandest:onboarding:rl:{kind}:{digest}:{window}"


def hit(kind: str, value: str, limit: int, period: int) -> bool:
    """Count one attempt; False when more than ``limit`` attempts fell in the current window."""
    if limit <= 0 or not value:
        return True
    window = int(time.time() // period)
    key = _key(kind, value, window)
    redis = connect_to_redis()
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, period + 60)
    count, _ = pipe.execute()
    return int(count) <= limit


def check_request(ip: str | None, insee_code: str) -> str | None:
    """Count an anonymous request; returns the French refusal message when a limit is reached."""
    if ip and not hit("ip", ip, cfg.ratelimit_ip_per_hour(), 3600):
        return tk._("Too many requests were sent from your connection. Please try again in an hour, or write "
                    "to the DataGrandEst team.")
    if not hit("commune", insee_code, cfg.ratelimit_commune_per_day(), 86400):
        return tk._("Too many requests were sent today for this commune. Please try again tomorrow, or write to "
                    "the DataGrandEst team.")
    return None
