"""Lazy store of the simplified outlines, and GeoJSON -> WKT."""

from __future__ import annotations

import gzip
import json
import threading
from importlib import resources
from typing import Any

_lock = threading.Lock()
_store: dict[str, str] | None = None


def _load() -> dict[str, str]:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                raw = resources.files(__name__.rpartition(".")[0]).joinpath("data", "geometry.tsv.gz").read_bytes()
                store: dict[str, str] = {}
                for line in gzip.decompress(raw).decode("utf-8").splitlines():
                    key, _, geojson = line.partition("\t")
                    store[key] = geojson
                _store = store
    return _store


def geometry(key: str) -> dict[str, Any] | None:
    """A fresh GeoJSON geometry dict (WGS 84 lon/lat) for a territory key, or None."""
    text = _load().get(key)
    return None if text is None else json.loads(text)


def _ring(ring: list[list[float]]) -> str:
    return "(" + ", ".join(f"{x!r} {y!r}" for x, y in ring) + ")"


def _polygon(rings: list[list[list[float]]]) -> str:
    return "(" + ", ".join(_ring(r) for r in rings) + ")"


def to_wkt(geom: dict[str, Any]) -> str:
    """WKT for a GeoJSON Polygon or MultiPolygon dict."""
    kind, coords = geom["type"], geom["coordinates"]
    if kind == "Polygon":
        return "POLYGON " + _polygon(coords)
    if kind == "MultiPolygon":
        return "MULTIPOLYGON (" + ", ".join(_polygon(p) for p in coords) + ")"
    raise ValueError(f"unsupported geometry type {kind!r}")
