"""Bands of the data score, and the building blocks of its components (points, reasons)."""
from __future__ import annotations

from typing import Any

from ..messages import N_, _

BANDS = (
    (87, "excellent", N_("Excellent")),
    (55, "bon", N_("Good")),
    (30, "suffisant", N_("Fair")),
    (0, "insuffisant", N_("Poor")),
)
#: A file that cannot be used as published (refused, unreadable, not downloadable): 0 points, its own band.
UNUSABLE = ("inutilisable", N_("Unusable"))
BAND_KEYS = tuple(b[1] for b in BANDS) + (UNUSABLE[0],)
#: Highest total of each band (the caps lower a total to the top of a band).
BAND_TOP = {"excellent": 100, "bon": 86, "suffisant": 54, "insuffisant": 29, "inutilisable": 0}
#: Conformity caps: a file with a declared schema whose share of conforming rows is under the threshold is at
#: best in the band given (checked in this order).
CONFORMITY_CAPS = ((0.50, "insuffisant"), (0.95, "suffisant"))
DESCRIPTION_MIN_CHARS = 100
VALIDATED = ("valid", "invalid", "structure-only")
UNREADABLE = ("html-file", "empty-file", "binary-file")


def band(total: float) -> tuple[str, str]:
    for threshold, key, label in BANDS:
        if total >= threshold:
            return key, _(label)
    return BANDS[-1][1], _(BANDS[-1][2])  # pragma: no cover


def band_label(key: str) -> str:
    if key == UNUSABLE[0]:
        return _(UNUSABLE[1])
    return next((_(label) for _t, k, label in BANDS if k == key), key)


def band_rank(key: str | None) -> int:
    """0 for « Inutilisable » … 4 for « Excellent »."""
    order = (UNUSABLE[0], "insuffisant", "suffisant", "bon", "excellent")
    return order.index(key) if key in order else 0


def detail(key: str, label: str, points: float, maximum: float, reason: str) -> dict[str, Any]:
    return {"key": key, "label": label, "points": round(max(0.0, min(points, maximum)), 1), "max": maximum, "reason": reason}


def component(key: str, label: str, maximum: float, items: list[dict[str, Any]], penalty: float = 0.0,
               penalty_reason: str | None = None) -> dict[str, Any]:
    points = max(0.0, sum(i["points"] for i in items) - penalty)
    comp = {"key": key, "label": label, "points": round(min(points, maximum), 1), "max": maximum, "details": items}
    if penalty:
        comp["penalty"] = {"points": penalty, "reason": penalty_reason}
    return comp


def percent(share: float) -> str:
    return f"{share * 100:.1f} %".replace(".", ",")
