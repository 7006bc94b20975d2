"""Spatial coverage of a harvested record: territories of the referential from INSEE / geo.api.gouv.fr /
data.gouv.fr zone identifiers or place names, and geometries (WKT, GeoJSON, GML, bounding boxes) as GeoJSON."""
from __future__ import annotations

import functools
import json
import re
from typing import Any, Iterator

from ckanext.grandest.common import referential as ref
from ckanext.grandest.common.referential import fold

from ..vocab import GSP

GEOJSON_DATATYPES = {
    "https://www.iana.org/assignments/media-types/application/vnd.geo+json",
    "http://www.iana.org/assignments/media-types/application/vnd.geo+json",
    "https://www.iana.org/assignments/media-types/application/geo+json",
    str(GSP.geoJSONLiteral),
}
MAX_GEOMETRY = 2_000_000  # characters of a geometry literal looked at


_INSEE_URI = re.compile(
    r"(?:id\.insee\.fr/geo|insee\.fr/geo|geo\.api\.gouv\.fr)/"
    r"(commune|communes|departement|departements|region|regions|intercommunalite|epci|epcis)/([0-9AB]{2,9})",
    re.I)
_ZONE_ID = re.compile(r"(?:^|[/:])(?:fr:)?(commune|departement|region|epci|intercommunalite):([0-9AB]{2,9})",
                      re.I)
_KIND = {"commune": "commune", "communes": "commune", "departement": "departement", "departements": "departement",
         "region": "region", "regions": "region", "intercommunalite": "epci", "epci": "epci", "epcis": "epci"}


def territory_from_identifier(text: str) -> str | None:
    """Referential key for an INSEE / geo.api.gouv.fr URI, a data.gouv.fr zone id (fr:commune:67482) or one
    of our keys (commune:67482); None if unknown or outside Grand Est."""
    if not text:
        return None
    m = _INSEE_URI.search(text) or _ZONE_ID.search(text)
    if not m:
        return None
    key = f"{_KIND[m.group(1).lower()]}:{m.group(2).upper()}"
    t = ref.territory(key)
    return t.key if t else None


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, list[str]]:
    """Folded names of EPCI, départements and the région -> keys (communes are searched separately)."""
    out: dict[str, list[str]] = {}
    for e in ref.epcis():
        out.setdefault(fold(e.name), []).append(e.key)
    for d in ref.departements():
        out.setdefault(fold(d.name), []).append(d.key)
        out.setdefault(fold(f"departement {d.name}"), []).append(d.key)
        out.setdefault(fold(f"{d.name} ({d.code})"), []).append(d.key)
    r = ref.region()
    if r is not None:
        out.setdefault(fold(r.name), []).append(r.key)
        out.setdefault(fold(f"region {r.name}"), []).append(r.key)
    return out


@functools.lru_cache(maxsize=1)
def _commune_names() -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for c in ref.communes():
        out.setdefault(fold(c.name), []).append(c)
    return out


_DEPT_HINT = re.compile(r"\((\d{2}|2[AB])\)|\b(0[8]|10|5[1245]|5[57]|6[78]|88)\d{3}\b|\b(\d{2})\s*$")


def territory_from_name(name: str) -> str | None:
    """Referential key for a place name ("Strasbourg", "Bas-Rhin", "Eurométropole de Strasbourg",
    "Sainte-Marie (08)"); None if unknown or ambiguous."""
    if not name or len(name) > 200:
        return None
    name = name.strip()
    folded = fold(name)
    if not folded:
        return None
    keys = _names().get(folded)
    if keys and len(keys) == 1:
        return keys[0]
    hint = _DEPT_HINT.search(name)
    dept = next((g for g in hint.groups() if g), None) if hint else None
    base = fold(re.sub(r"\(.*?\)|\b\d{5}\b", " ", name))
    for prefix in ("commune de ", "commune d ", "ville de ", "ville d ", "mairie de ", "mairie d "):
        if base.startswith(prefix):
            base = base[len(prefix):]
            break
    candidates = _commune_names().get(base, [])
    if dept:
        candidates = [c for c in candidates if c.departement == dept or any(
            p.startswith(dept) for p in c.postcodes)] or candidates
    if len(candidates) == 1:
        return candidates[0].key
    keys = _names().get(base)
    if keys and len(keys) == 1:
        return keys[0]
    return None


def _swap_if_lat_lon(geom: dict) -> dict:
    """Some GeoDCAT-AP producers write EPSG:4326 in latitude, longitude order: in France longitudes are
    small and latitudes between 41 and 52, so a geometry whose "x" are all in 41..52 and "y" in -6..11 is
    swapped back."""
    coords = list(_iter_coords(geom.get("coordinates")))
    if coords and all(41 <= x <= 52 and -6 <= y <= 11 for x, y in coords):
        return {"type": geom["type"], "coordinates": _swap(geom["coordinates"])}
    return geom


def _iter_coords(value: Any) -> Iterator[tuple[float, float]]:
    if isinstance(value, (list, tuple)):
        if len(value) >= 2 and all(isinstance(v, (int, float)) for v in value[:2]):
            yield float(value[0]), float(value[1])
        else:
            for v in value:
                yield from _iter_coords(v)


def _swap(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if len(value) >= 2 and all(isinstance(v, (int, float)) for v in value[:2]):
            return [value[1], value[0], *value[2:]]
        return [_swap(v) for v in value]
    return value


_GML_CORNERS = re.compile(
    r"lowerCorner[^>]*>\s*([-\d.eE]+)\s+([-\d.eE]+)\s*<.*?upperCorner[^>]*>\s*([-\d.eE]+)\s+([-\d.eE]+)\s*<", re.S)
_GML_POSLIST = re.compile(r"posList[^>]*>\s*([-\d.eE\s]+)<", re.S)
_WKT_CRS = re.compile(r"^\s*<[^>]*>\s*")
_BBOX_NUMBERS = re.compile(r"^\s*([-\d.]+)\s*[, ]\s*([-\d.]+)\s*[, ]\s*([-\d.]+)\s*[, ]\s*([-\d.]+)\s*$")


def _bbox_polygon(x1: float, y1: float, x2: float, y2: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}


def parse_geometry(value: Any) -> dict | None:
    """GeoJSON geometry dict from a WKT, GeoJSON, GML (envelope or polygon) or "x1,y1,x2,y2" literal."""
    text = str(value).strip()
    if not text or len(text) > MAX_GEOMETRY:
        return None
    datatype = str(getattr(value, "datatype", "") or "")
    geom: dict | None = None
    try:
        if text.startswith("{") or datatype in GEOJSON_DATATYPES:
            data = json.loads(text)
            if isinstance(data, dict) and data.get("type") == "Feature":
                data = data.get("geometry")
            if isinstance(data, dict) and data.get("type") and "coordinates" in data:
                geom = {"type": data["type"], "coordinates": data["coordinates"]}
        elif text.startswith("<") and ("gml" in text[:200].lower() or "Envelope" in text or "Polygon" in text):
            m = _GML_CORNERS.search(text)
            if m:
                a, b, c, d = (float(x) for x in m.groups())
                geom = _bbox_polygon(a, b, c, d)
            else:
                m = _GML_POSLIST.search(text)
                if m:
                    nums = [float(x) for x in m.group(1).split()]
                    ring = [[nums[i], nums[i + 1]] for i in range(0, len(nums) - 1, 2)]
                    if len(ring) >= 4:
                        geom = {"type": "Polygon", "coordinates": [ring]}
        else:
            m = _BBOX_NUMBERS.match(text)
            if m:
                a, b, c, d = (float(x) for x in m.groups())
                geom = _bbox_polygon(a, b, c, d)
            else:
                from geomet import wkt

                geom = wkt.loads(_WKT_CRS.sub("", text))
                if isinstance(geom, dict):
                    geom = {"type": geom["type"], "coordinates": geom["coordinates"]}
    except Exception:  # any malformed literal: no geometry
        return None
    if not isinstance(geom, dict) or geom.get("type") not in (
            "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"):
        return None
    if not list(_iter_coords(geom.get("coordinates"))):
        return None
    return _swap_if_lat_lon(geom)
