"""Sizes of files in the reader's language: « 980 octets », « 12,5 Ko », « 50 Mo », « 1 Go » in French.

The one size formatter of the suite (issue #16, item 5): the validation engine's reports and the onboarding
quotas both call :func:`human_size`. Binary multiples (1 Ko = 1024 octets, as the quotas count), the unit
through the caller's ``gettext`` (msgids ``{n} MB``…, French « {n} Mo »…), the number written by babel in the
caller's locale (« 12,5 » in French, « 12.5 » in English, « 1 000 » grouped). No CKAN import: the validation
engine, which runs without CKAN, uses it.
"""
from __future__ import annotations

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal

from .i18n import N_, GettextFn

#: (bytes in the unit, msgid), largest first; below 1 kB the size is given in bytes
UNITS: tuple[tuple[int, str], ...] = (
    (1 << 30, N_("{n} GB")),
    (1 << 20, N_("{n} MB")),
    (1 << 10, N_("{n} kB")),
)
BYTES = N_("{n} bytes")


def human_size(
    n: int | None,
    *,
    locale: str,
    gettext: GettextFn | None = None,
    always_decimal: bool = False,
    unknown: str = "-",
) -> str:
    """``n`` bytes in the largest unit it reaches, rounded to one decimal.

    ``always_decimal`` keeps the decimal of a round figure (« 8,0 Mo », as the validation reports write it;
    else « 8 Mo », as the quota pages do). ``unknown`` is what a missing size (``None``) reads as. Without
    ``gettext`` the units are the English msgids.
    """
    if n is None:
        return unknown
    n = int(n)
    pattern = "#,##0.0" if always_decimal else "#,##0.#"
    for size, unit in UNITS:
        if abs(n) >= size:
            return _translate(unit, gettext).format(n=format_number(round(n / size, 1), locale, pattern))
    return _translate(BYTES, gettext).format(n=format_number(n, locale, "#,##0"))


def format_number(value: float, locale: str, pattern: str) -> str:
    """``value`` with babel's ``pattern`` in ``locale`` (an unknown locale: English)."""
    try:
        return format_decimal(value, format=pattern, locale=locale or "en")
    except (UnknownLocaleError, ValueError):
        return format_decimal(value, format=pattern, locale="en")


def _translate(message: str, gettext: GettextFn | None) -> str:
    return gettext(message) if gettext is not None else message
