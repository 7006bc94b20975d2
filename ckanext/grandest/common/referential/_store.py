"""Loads the package data once per process (thread-safe) and builds the lookup tables."""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import fields
from importlib import resources
from typing import Any

from ._search import SearchIndex
from .models import Commune, Departement, Epci, EpciMember, Region

_COMMUNE_FIELDS = [f.name for f in fields(Commune)]

_lock = threading.Lock()
_data: _Referential | None = None


def _read(name: str) -> Any:
    raw = resources.files(__name__.rpartition(".")[0]).joinpath("data", name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return json.loads(raw)


class _Referential:
    __slots__ = ("communes", "by_code", "by_siren", "epcis", "epci_by_siren", "epci_members",
                 "departements", "dept_by_code", "communes_by_dept", "region", "manifest", "_index")

    def __init__(self) -> None:
        table = _read("communes.json.gz")
        if table["fields"] != _COMMUNE_FIELDS:
            raise RuntimeError(f"communes.json.gz fields {table['fields']} != {_COMMUNE_FIELDS}")
        self.communes = tuple(
            Commune(*row[:5], tuple(row[5]), row[6], row[7], tuple(row[8]), *row[9:])  # type: ignore[call-arg]
            for row in table["rows"]
        )
        self.by_code = {c.code: c for c in self.communes}
        self.by_siren = {c.siren: c for c in self.communes}

        epcis = []
        for e in _read("epci.json.gz"):
            members = tuple(EpciMember(**m) for m in e.pop("members"))
            depts = tuple(sorted({m.departement for m in members if m.in_region}))
            epcis.append(Epci(**{**e, "bbox": tuple(e["bbox"])}, members=members, departements=depts))
        self.epcis = tuple(epcis)
        self.epci_by_siren = {e.siren: e for e in self.epcis}
        self.epci_members = {
            e.siren: tuple(self.by_code[m.code] for m in e.members if m.in_region) for e in self.epcis
        }

        self.departements = tuple(
            Departement(**{**d, "bbox": tuple(d["bbox"])}) for d in _read("departements.json")
        )
        self.dept_by_code = {d.code: d for d in self.departements}
        by_dept: dict[str, list[Commune]] = {d.code: [] for d in self.departements}
        for c in self.communes:
            by_dept[c.departement].append(c)
        self.communes_by_dept = {k: tuple(v) for k, v in by_dept.items()}

        r = _read("region.json")
        self.region = Region(**{**r, "bbox": tuple(r["bbox"]), "departements": tuple(r["departements"])})
        self.manifest: dict[str, Any] = _read("manifest.json")
        self._index: SearchIndex | None = None

    @property
    def index(self) -> SearchIndex:
        """The autocompletion index, built on first use."""
        if self._index is None:
            with _lock:
                if self._index is None:
                    self._index = SearchIndex(
                        [(c.name, (c.code, *c.postcodes), (c.siren,), c.population) for c in self.communes]
                    )
        return self._index


def get() -> _Referential:
    """The loaded referential (loaded on first call, once, even under concurrent calls)."""
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                _data = _Referential()
    return _data
