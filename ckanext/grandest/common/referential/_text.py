"""Text folding and identifier helpers (no data needed)."""

from __future__ import annotations

import re
import unicodedata

#: Longest raw input looked at by :func:`fold`; longer strings are cut first.
MAX_INPUT = 200

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"[\s\u00a0\u202f.]+")

#: Abbreviations a user may type, expanded in queries (names in the COG are spelled out).
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def fold(text: str) -> str:
    """Lower-case, strip accents and ligatures, turn every run of non-alphanumeric
    characters (hyphens, apostrophes, spaces...) into one space.

    >>> fold("L'Hôpital")
    'l hopital'
    >>> fold("  Sainte-Marie-aux-Mines ")
    'sainte marie aux mines'
    """
    text = text[:MAX_INPUT].translate(_LIGATURES).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", text).strip()


def clean_identifier(value: object) -> str | None:
    """Strip a code or SIREN given as text; ``None`` for anything that is not a short string.

    Spaces, non-breaking spaces and dots inside are removed ("216 704 825" -> "216704825").
    """
    if not isinstance(value, str) or len(value) > 32:
        return None
    value = _SPACES.sub("", value)
    return value or None


def luhn_ok(siren: object) -> bool:
    """True if ``siren`` is 9 digits passing the Luhn check used by INSEE for SIREN numbers.

    Spaces are ignored ("216 704 825"); anything else (None, int, letters, wrong length) is False.
    """
    number = clean_identifier(siren)
    if number is None or len(number) != 9 or not number.isascii() or not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        digit = (ord(ch) - 48) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0
