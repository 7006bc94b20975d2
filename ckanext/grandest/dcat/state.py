"""What is shared by all the datasets written in one graph (one feed page, or one document written graph by
graph): the language of the literals, the portal's base URL, the places, publishers and typed nodes already
written, the organizations read, the quality measurements, and how URIs are built.

The state of a graph is kept beside it, in a ``weakref.WeakKeyDictionary`` keyed by the graph (gone with the
graph), never as an attribute set on rdflib's object: :func:`graph_state` (the profile) and :func:`attach_state`
(a document written graph by graph shares one state between its graphs, ``catalog.Serializer``)."""
from __future__ import annotations

import weakref
from typing import Any

from rdflib import BNode, Graph, URIRef

from ckanext.dcat.profiles.base import CleanedURIRef
from ckanext.dcat.utils import publisher_uri_organization_fallback, resource_uri

from . import config
from .quality import Scores, make_scores
from .values import path_segment
from .vocab import NAMESPACES


class GraphState:
    """What is shared by all datasets written in one graph (one feed page)."""

    def __init__(self, quality: Scores | None, chunked: bool = False) -> None:
        #: the page is written one small graph per dataset: what was written is known from this state only
        self.chunked = chunked
        #: places described in the graph, by URI (their ``mapping.Place``: see ``chain.py``)
        self.places: dict[str, Any] = {}
        self.lang = config.metadata_language()
        self.base = config.public_base()
        self.outline = config.spatial_outline()
        self.geometries: dict[str, BNode] = {}
        #: agents described in the graph: node -> the organization dict they were written from
        self.publishers: dict[Any, dict] = {}
        self.catalog_publisher: URIRef | None = None
        #: the graph the namespaces of the export were bound to (a weak reference: the state must not keep
        #: its graph alive, it is the value of a WeakKeyDictionary keyed by that graph)
        self.bound: weakref.ref | None = None
        self.orgs: dict[str, dict] = {}
        self.typed: set[tuple[Any, Any]] = set()
        from ckan.plugins import PluginImplementations
        from ckanext.dcat.interfaces import IDCATURIGenerator
        from ckanext.dcat.utils import catalog_uri

        #: no plugin rewrites URIs: they are built here (same values as ckanext-dcat's functions)
        self.plain_uris = not list(PluginImplementations(IDCATURIGenerator))
        self.catalog_uri = catalog_uri().rstrip("/")

        #: the quality measurements of grandest_validation (``quality.make_scores()``), None when off
        self.quality = quality
        if self.quality is not None:
            self.quality.chunked = chunked

    def resource_uri(self, res: dict, dataset_id: str) -> URIRef:
        if self.plain_uris and not (res.get("uri") and res.get("uri") != "None"):
            dataset, resource = path_segment(dataset_id), path_segment(str(res["id"]))
            return URIRef(f"{self.catalog_uri}/dataset/{dataset}/resource/{resource}")
        return CleanedURIRef(resource_uri(res))

    def publisher_uri(self, dataset_dict: dict) -> URIRef:
        if self.plain_uris:
            return URIRef(f"{self.catalog_uri}/organization/{path_segment(dataset_dict['organization']['id'])}")
        return CleanedURIRef(publisher_uri_organization_fallback(dataset_dict))


def bind_namespaces(g: Graph, state: GraphState) -> None:
    if state.bound is not None and state.bound() is g:
        return
    for prefix, ns in NAMESPACES.items():
        g.bind(prefix, str(ns), replace=True)
    state.bound = weakref.ref(g)


#: graph -> its state (rdflib graphs hash and compare by their identifier: a new graph's is a fresh blank node)
_STATES: "weakref.WeakKeyDictionary[Graph, GraphState]" = weakref.WeakKeyDictionary()


def graph_state(g: Graph) -> GraphState:
    """The state of ``g``, created with its first dataset."""
    state = _STATES.get(g)
    if state is None:
        state = _STATES[g] = GraphState(make_scores())
    return state


def attach_state(g: Graph, chunked: bool = False, state: GraphState | None = None) -> GraphState:
    """Share one state between the graphs of a document written graph by graph (see ``catalog.Serializer``)."""
    if state is None:
        state = _STATES.get(g) or GraphState(make_scores(), chunked=chunked)
        state.chunked = chunked
        if state.quality is not None:
            state.quality.chunked = chunked
    _STATES[g] = state
    return state
