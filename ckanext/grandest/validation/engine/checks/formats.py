"""Formats checked by the libraries Validata uses: opening hours (``opening-hours-py``, the OpenStreetMap
grammar), phone numbers (``phonenumbers``, Google's libphonenumber) and French GPS coordinates (frformat's
``CoordonneesGPSFrancaises``)."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

import attrs
from frictionless import errors

from ..messages import N_, _
from .base import (
    FrenchGPSCoordinatesError,
    OpeningHoursError,
    PhoneNumberError,
    ReversedFrenchGPSCoordinatesError,
    SingleColumnCheck,
    cell_error,
    source_cell,
)


# Common mistakes in opening hours, to point the publisher at the right fix (the value is invalid anyway).
_OH_QUOTED = re.compile(r'"[^"]*"')
_OH_FRENCH_DAYS = re.compile(
    r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mer|jeu|ven|sam|dim|lu|ma|me|je|ve|di)\b",
    re.IGNORECASE,
)
_OH_H_SEPARATOR = re.compile(r"\d\s?h(\s?\d{2})?\b", re.IGNORECASE)
_OH_CLOSED = re.compile(r"\b(ferm[ée]e?s?|sur rendez-vous|rdv)\b", re.IGNORECASE)


def opening_hours_hint(text: str) -> str:
    """A short French note on why ``text`` is not OpenStreetMap opening hours (best guess)."""
    bare = _OH_QUOTED.sub("", text)
    if _OH_FRENCH_DAYS.search(bare):
        return _(N_("days written in French: use Mo, Tu, We, Th, Fr, Sa, Su"))
    if _OH_H_SEPARATOR.search(bare):
        return _(N_('hours written with "h": write 08:30, not 8h30'))
    if _OH_CLOSED.search(bare):
        return _(N_('free text: write "off" for closed, or put the comment in quotes'))
    if bare.rstrip().endswith(";"):
        return _(N_("extra semicolon at the end"))
    return _(N_("syntax not recognised"))


@attrs.define(kw_only=True, repr=False, slots=False)
class OpeningHoursCheck(SingleColumnCheck):
    """The cell follows the OpenStreetMap ``opening_hours`` syntax (``Mo-Fr 08:00-12:00,14:00-18:00``)."""

    type: ClassVar[str] = "opening-hours-value"
    Errors: ClassVar[list] = [OpeningHoursError]

    def _setup(self) -> None:
        import opening_hours

        self._is_valid = opening_hours.validate

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        text = str(value)
        try:
            valid = bool(self._is_valid(text))
        except Exception:  # noqa: BLE001 - the parser raising on odd input is an invalid value, not a crash
            valid = False
        if valid:
            return None
        return cell_error(OpeningHoursError, row, self.column, opening_hours_hint(text))


def is_valid_phone_number(text: str) -> bool:
    """Validata's rule: a valid French number (short numbers such as 115 or 3949 included), or a valid
    international number written with its country code (+49 30 1234567)."""
    import phonenumbers

    def valid_for(region: str | None) -> bool:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return False
        if phonenumbers.is_valid_number(number):
            return True
        return region is not None and phonenumbers.is_valid_short_number(number)

    return valid_for("FR") or valid_for(None)


@attrs.define(kw_only=True, repr=False, slots=False)
class PhoneNumberCheck(SingleColumnCheck):
    type: ClassVar[str] = "phone-number-value"
    Errors: ClassVar[list] = [PhoneNumberError]

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        if is_valid_phone_number(str(value).strip()):
            return None
        return cell_error(PhoneNumberError, row, self.column, _(N_("invalid phone number")))


def coordinates(value: Any) -> tuple[float, float] | None:
    """``(lon, lat)`` from a cell: a frictionless geopoint (any format), a list ``[lon, lat]``, an object
    ``{"lon": .., "lat": ..}`` or a text ``"lon,lat"`` / ``"[lon, lat]"`` / ``{"lon": .., "lat": ..}``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                value = json.loads(text)
            except ValueError:
                return None
        else:
            value = text.split(",")
    if isinstance(value, dict):
        if set(value) != {"lon", "lat"}:
            return None
        value = (value["lon"], value["lat"])
    if isinstance(value, (list, tuple)) and len(value) == 2:
        try:
            lon, lat = float(str(value[0]).strip()), float(str(value[1]).strip())
        except (TypeError, ValueError):
            return None
        if lon != lon or lat != lat:  # NaN
            return None
        return lon, lat
    return None


def in_france_test() -> Callable[[float, float], bool]:
    """``fn(lon, lat) -> bool``: frformat's ``CoordonneesGPSFrancaises.is_valid``. Its areas are rectangles
    (bounding boxes): when they still are, the same test (strictly inside, like shapely's ``within``) is
    done on their bounds, 20 times faster than building a shapely point for every row."""
    from frformat import CoordonneesGPSFrancaises

    try:
        from frformat.formats.coordonnees_gps_francaises import POLYGONS
        from shapely.geometry import box

        bounds = [poly.bounds for poly in POLYGONS]
        if not bounds or not all(poly.equals(box(*b)) for poly, b in zip(POLYGONS, bounds)):
            return CoordonneesGPSFrancaises.is_valid
    except Exception:  # noqa: BLE001 - frformat's internals changed: use its public test
        return CoordonneesGPSFrancaises.is_valid

    def in_france(lon: float, lat: float) -> bool:
        return any(x0 < lon < x1 and y0 < lat < y1 for x0, y0, x1, y1 in bounds)

    return in_france


@attrs.define(kw_only=True, repr=False, slots=False)
class FrenchGPSCoordinatesCheck(SingleColumnCheck):
    """The point ``[lon, lat]`` is in France (metropolitan France or overseas departments, bounding boxes);
    a point that would be in France once its two numbers are swapped is reported as reversed."""

    type: ClassVar[str] = "french-gps-coordinates"
    Errors: ClassVar[list] = [FrenchGPSCoordinatesError, ReversedFrenchGPSCoordinatesError]

    def _setup(self) -> None:
        self._in_france = in_france_test()

    def _check(self, row: Any, value: Any) -> errors.CellError | None:
        point = coordinates(value)
        if point is not None and self._in_france(*point):
            return None
        shown = source_cell(row, self.column)  # the text of the file, not the cast point
        extra = {"cell": shown} if shown is not None else {}
        if point is None:
            return cell_error(FrenchGPSCoordinatesError, row, self.column,
                          _(N_('unreadable coordinates: two numbers "longitude,latitude" expected')), **extra)
        lon, lat = point
        if self._in_france(lat, lon):
            return cell_error(ReversedFrenchGPSCoordinatesError, row, self.column,
                          _(N_("latitude and longitude swapped")), **extra)
        note = _(N_("read as longitude {lon}, latitude {lat}")).format(lon=f"{lon:g}", lat=f"{lat:g}")
        return cell_error(FrenchGPSCoordinatesError, row, self.column, note, **extra)
