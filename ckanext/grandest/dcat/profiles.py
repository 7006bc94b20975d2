"""The ``grandest_dcat_ap`` RDF profile: DCAT-AP 3 as data.gouv.fr reads it, on top of ckanext-dcat's
``euro_dcat_ap_3``.

Enabled with ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 grandest_dcat_ap``.

Export. The profile owns the whole description of a dataset and of the catalog. When a profile before it in
the chain (``euro_dcat_ap_3``) already described the dataset, that description is dropped and rewritten, so
the result is the same whether the profile runs alone or chained; the feeds of this plugin (``/catalog.*``,
``/dataset/<id>.*``, ``ckan grandest dcat export``) skip the profiles it extends and run it alone. What it
writes, and why (data.gouv.fr's reading: its importer, udata's ``udata/core/dataset/rdf.py``, summed up in
``docs/dcat.md``):

* a stable, non-URI ``dct:identifier`` (the CKAN id), ``dcat:landingPage`` on the portal;
* the licence on the dataset AND on every distribution, as the URL data.gouv.fr's matcher resolves, never
  with an ``rdfs:label`` (a label would win over the URL);
* ``dct:accrualPeriodicity`` as an EU frequency URI; one ``dct:PeriodOfTime`` blank node with
  ``dcat:startDate``/``dcat:endDate``;
* ``dct:spatial``: one ``dct:Location`` per territory, INSEE code-based URI, name, code and ``dcat:bbox`` as
  a WKT polygon (the literal data.gouv.fr keeps), optionally the outline (``locn:geometry``);
* themes as EU data-theme ``skos:Concept`` with ``skos:prefLabel``@fr (data.gouv.fr turns labelled themes
  into tags), keywords;
* ``dcat:contactPoint`` vCard with an email or a URL; ``dct:publisher`` ``foaf:Agent`` with ``foaf:name``,
  ``foaf:mbox``, SIREN (``dct:identifier``) and ADMS publisher type;
* distributions with access and download URLs, ``dct:format`` (EU file type), ``dcat:mediaType`` (IANA),
  ``dcat:byteSize``, ``dct:conformsTo`` the national Table Schema (exact schema.data.gouv.fr URL) **only when
  the latest validation against that schema passed** (grandest_validation); a declared schema that no passed
  validation backs is cited by a ``dqv:QualityAnnotation`` (``dct:references`` the schema, ``oa:bodyValue``
  saying why it is not claimed), which data.gouv.fr does not read as conformity;
* a resource's checksum (``hash``, an md5 / sha1 / sha256 hex digest) as ``spdx:checksum`` with
  ``spdx:algorithm`` and ``spdx:checksumValue`` as a **plain literal**: data.gouv.fr keeps that form and
  rejects the whole dataset when the value is typed ``xsd:hexBinary`` (what the DCAT-AP 3 shapes ask: the
  one SHACL deviation of this profile, on purpose);
* every object typed with the class the DCAT-AP 3 SHACL shapes expect (zero violations without inference);
* W3C DQV quality measurements when grandest_validation is enabled (``quality.py``).

Parsing is delegated to :func:`ckanext.grandest.dcat.parse.parse_dataset` (the package ``dcat/parse/``).

The module holds the profile and the state of a graph; the writing is in ``writer.py`` (one dataset),
``nodes.py`` (places, agents, catalog), ``values.py`` and ``state.py``.
"""
from __future__ import annotations

from typing import Any, Iterable

from rdflib import BNode, Graph, URIRef

from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile

from . import parse
from .nodes import write_catalog
from .quality import make_scores
from .state import GraphState, bind_namespaces
from .values import checksum_of, mailto, read_list, uri  # noqa: F401 (value helpers, also used from here)
from .vocab import DCAT, DCT, RDF, date_literal  # noqa: F401 (date_literal: the export's date literals)
from .writer import DatasetWriter

_FEATURES_ATTR = "_grandest_state"


class GrandEstDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 profile of DataGrandEst (export) + Grand Est schema parsing (``parse/``)."""

    # ------------------------------------------------------------------------------------------------
    # parsing
    # ------------------------------------------------------------------------------------------------
    def parse_dataset(self, dataset_dict: dict, dataset_ref: Any) -> dict:
        return parse.parse_dataset(self, dataset_dict, dataset_ref)

    # ------------------------------------------------------------------------------------------------
    # export
    # ------------------------------------------------------------------------------------------------
    def graph_from_dataset(self, dataset_dict: dict, dataset_ref: Any) -> None:
        g = self.g
        if (dataset_ref, RDF.type, None) in g:
            # a profile before this one in the chain described the dataset: this profile owns the description
            forget(g, dataset_ref)
        state = graph_state(g)
        if not state.chunked:  # chunks are written with the namespaces of the first one
            bind_namespaces(g)
        DatasetWriter(g, dataset_dict, dataset_ref, state).write()

    def graph_from_catalog(self, catalog_dict: dict | None, catalog_ref: Any) -> None:
        g = self.g
        for p, o in list(g.predicate_objects(catalog_ref)):
            if p != DCAT.dataset:
                g.remove((catalog_ref, p, o))
                if isinstance(o, BNode):
                    forget(g, o)
        bind_namespaces(g)
        write_catalog(g, catalog_ref, catalog_dict or {}, graph_state(g))


def graph_state(g: Graph) -> GraphState:
    state = getattr(g, _FEATURES_ATTR, None)
    if state is None:
        state = GraphState(make_scores())
        setattr(g, _FEATURES_ATTR, state)
    return state


def attach_state(g: Graph, chunked: bool = False, state: GraphState | None = None) -> GraphState:
    """Share one state between the graphs of a document written graph by graph (see ``catalog.Serializer``)."""
    if state is None:
        found: GraphState | None = getattr(g, _FEATURES_ATTR, None)
        state = found or GraphState(make_scores(), chunked=chunked)
        state.chunked = chunked
        if state.quality is not None:
            state.quality.chunked = chunked
    setattr(g, _FEATURES_ATTR, state)
    return state


_OWNED = {DCAT.distribution, DCAT.contactPoint, DCT.publisher, DCT.creator, DCT.temporal, DCT.spatial}


def forget(g: Graph, node: Any, _depth: int = 0) -> None:
    """Remove what the graph says about ``node`` and the nodes it owns (blank nodes, distributions, agents).

    Shared vocabulary nodes (themes, licences, formats...) keep their types; a ``dct:type`` put on a licence
    node is removed (ckanext-dcat writes ``UnknownIPR``, which is wrong for open licences and is not a
    ``skos:Concept``)."""
    if _depth > 8:
        return
    for p, o in list(g.predicate_objects(node)):
        g.remove((node, p, o))
        if p == DCT.license:
            g.remove((o, DCT.type, None))
        elif isinstance(o, BNode) or (p in _OWNED and isinstance(o, URIRef) and p != DCT.spatial):
            forget(g, o, _depth + 1)


def dataset_refs(g: Graph) -> Iterable[Any]:
    return g.subjects(RDF.type, DCAT.Dataset)
