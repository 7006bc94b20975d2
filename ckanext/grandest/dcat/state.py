"""What is shared by all the datasets written in one graph (one feed page, or one document written graph by
graph): the language of the literals, the portal's base URL, the places, publishers and typed nodes already
written, the organizations read, the quality measurements, and how URIs are built."""
from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, URIRef

from ckanext.dcat.profiles.base import CleanedURIRef
from ckanext.dcat.utils import publisher_uri_organization_fallback, resource_uri

from . import config
from .quality import Scores
from .values import path_segment
from .vocab import NAMESPACES


class GraphState:
    """What is shared by all datasets written in one graph (one feed page)."""

    def __init__(self, quality: Scores | None, chunked: bool = False) -> None:
        #: the page is written one small graph per dataset: what was written is known from this state only
        self.chunked = chunked
        self.places: set[str] = set()
        self.lang = config.metadata_language()
        self.base = config.public_base()
        self.outline = config.spatial_outline()
        self.geometries: dict[str, BNode] = {}
        self.publishers: set[Any] = set()
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


def bind_namespaces(g: Graph) -> None:
    if getattr(g, "_grandest_bound", False):
        return
    for prefix, ns in NAMESPACES.items():
        g.bind(prefix, str(ns), replace=True)
    g._grandest_bound = True  # type: ignore[attr-defined]
