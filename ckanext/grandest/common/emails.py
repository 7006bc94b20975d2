"""One test of an e-mail address for the whole suite (metadata contacts, the commune's request form, the DCAT
export's ``mailto:`` and the harvester's reading of a feed's contacts).

It is CKAN's own pattern (``ckan.logic.validators.email_pattern``, what CKAN's user forms accept; the same on
CKAN 2.11 and 2.12) plus the two rules an address someone can write to also meets and that pattern leaves open:
at most 254 characters (RFC 5321) and a domain ending in a top-level label of letters (``mairie@localhost`` or
``contact@intranet`` are not addresses a citizen or data.gouv.fr can use).
"""
from __future__ import annotations

import re

from ckan.logic.validators import email_pattern

_PUBLIC_DOMAIN = re.compile(r"@[^@]+\.[A-Za-z]{2,}$")

__all__ = ["is_email"]


def is_email(text: str) -> bool:
    """Whether ``text`` (already stripped, without ``mailto:``) is an e-mail address."""
    return len(text) <= 254 and bool(email_pattern.match(text)) and bool(_PUBLIC_DOMAIN.search(text))
