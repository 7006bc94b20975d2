"""Dates and intervals of temporal coverage: ISO dates, year-months, years, French dd/mm/yyyy dates and ISO
8601 intervals, as the first and last day they cover."""
from __future__ import annotations

import calendar
import datetime as dt
import re

_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_FR_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def date_bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """First and last day covered by an ISO date, year-month or year (or a French dd/mm/yyyy date)."""
    text = text.strip()
    try:
        m = DATE_PREFIX.match(text)
        if m:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return d, d
        m = _YEAR_MONTH.match(text)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
        m = _YEAR.match(text)
        if m:
            y = int(m.group(1))
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        m = _FR_DATE.match(text)
        if m:
            d = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return d, d
    except ValueError:
        return None
    return None


def plausible_date(d: dt.date | None) -> dt.date | None:
    if d is None:
        return None
    today = dt.date.today()
    if d.year < 1800 or d > today.replace(year=min(today.year + 50, 9999)):
        return None
    return d


def parse_interval(text: str) -> tuple[dt.date | None, dt.date | None]:
    """ISO 8601 interval or single value: "2020-01-01/2020-12-31", "2019/2021", "2020", "2020-03"."""
    text = (text or "").strip()
    if not text or len(text) > 100:
        return None, None
    for sep in ("/", " -- ", "--", " to ", " au ", " à "):
        if sep in text and not _FR_DATE.match(text):
            a, _, b = text.partition(sep)
            sa, sb = date_bounds(a) if a.strip() else None, date_bounds(b) if b.strip() else None
            if sa or sb:
                return (sa[0] if sa else None), (sb[1] if sb else None)
    bounds = date_bounds(text)
    return bounds if bounds else (None, None)


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None
