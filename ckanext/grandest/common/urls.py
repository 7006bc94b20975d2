"""URLs compared as people and portals write them (pure Python)."""
from __future__ import annotations

import re

_SCHEME = re.compile(r"^https?://")
_WWW = re.compile(r"^www\.")


def comparable_url(url: str) -> str:
    """Comparable form of a URL: no scheme, no www., no fragment, no trailing slash, lower case."""
    u = _SCHEME.sub("", url.strip().lower())
    u = _WWW.sub("", u)
    return u.split("#", 1)[0].rstrip("/")
