"""The RDF vocabulary of the DCAT feeds and of the harvester's writer: namespaces whose terms are built once, the
prefixes of the feeds, and the date literals (``xsd:date``, ``gYear``...) of the dates CKAN stores.

A leaf module (it imports no other module of this package but ``mapping``'s vocabulary tables), shared by the
profile (``profiles.py``, ``writer.py``...), the feeds (``catalog.py``), the quality measurements
(``quality.py``) and the harvested records' reader (``parse/``).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from . import mapping

class NS:
    """A namespace whose terms are created once (rdflib's ``Namespace`` builds a new URIRef on every
    attribute access, a measurable cost when writing 10,000 datasets)."""

    __slots__ = ("base", "terms")

    def __init__(self, base: str) -> None:
        self.base = str(base)
        self.terms: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> URIRef:
        ref = self.terms.get(name)
        if ref is None:
            ref = self.terms[name] = URIRef(self.base + name)
        return ref

    def __str__(self) -> str:
        return self.base


DCAT = NS("http://www.w3.org/ns/dcat#")
DCT = NS("http://purl.org/dc/terms/")
FOAF = NS("http://xmlns.com/foaf/0.1/")
VCARD = NS("http://www.w3.org/2006/vcard/ns#")
ADMS = NS("http://www.w3.org/ns/adms#")
LOCN = NS("http://www.w3.org/ns/locn#")
GSP = NS("http://www.opengis.net/ont/geosparql#")
DQV = NS("http://www.w3.org/ns/dqv#")
PROV = NS("http://www.w3.org/ns/prov#")
HYDRA = NS("http://www.w3.org/ns/hydra/core#")
SPDX = NS("http://spdx.org/rdf/terms#")
OA = NS("http://www.w3.org/ns/oa#")
_RDF = NS(str(RDF))
_RDFS = NS(str(RDFS))
_SKOS = NS(str(SKOS))
_XSD = NS(str(XSD))
_OWL = NS(str(OWL))

NAMESPACES = {
    "dcat": DCAT, "dct": DCT, "foaf": FOAF, "vcard": VCARD, "adms": ADMS, "locn": LOCN, "gsp": GSP,
    "skos": SKOS, "xsd": XSD, "rdfs": RDFS, "owl": OWL, "dqv": DQV, "prov": PROV, "hydra": HYDRA, "oa": OA,
    "spdx": SPDX,
    # EU authority tables, for shorter feeds
    "eutheme": mapping.voc.THEME_BASE, "eufreq": mapping.voc.FREQUENCY_BASE,
    "eufiletype": mapping.voc.FILE_TYPE_BASE, "eulang": mapping.voc.LANGUAGE_BASE,
    "euaccess": mapping.voc.ACCESS_RIGHT_BASE,
}
RDF, RDFS, SKOS, XSD, OWL = _RDF, _RDFS, _SKOS, _XSD, _OWL  # noqa: F811 (cached terms from here on)

_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d\d$")


def date_literal(value: Any) -> Literal | None:
    """xsd:date / gYear / gYearMonth / dateTime literal for a date as CKAN stores it; None if unreadable."""
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _DATE.match(text):
        return Literal(text, datatype=XSD.date)
    if _DATETIME.match(text):
        return Literal(text, datatype=XSD.dateTime)
    if _YEAR.match(text):
        return Literal(text, datatype=XSD.gYear)
    if _YEAR_MONTH.match(text):
        return Literal(text, datatype=XSD.gYearMonth)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return Literal(parsed.isoformat(), datatype=XSD.dateTime)
