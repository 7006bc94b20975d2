"""Every CSV the suite writes goes through :func:`writer`: a cell that a spreadsheet would read as a formula
(text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, e.g. an organization titled
``=HYPERLINK(...)``) is prefixed with an apostrophe (OWASP's "CSV injection" advice). Numbers stay numbers."""
from __future__ import annotations

import csv
from typing import Any, Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **kwargs: Any) -> _SafeWriter:
    """``csv.writer`` whose cells cannot be formulas."""
    return _SafeWriter(out, **kwargs)
