"""Which nodes of a harvested page are records, and the graph-level fixes done before each is parsed.

Shared by every source format (DCAT in Turtle, RDF/XML or JSON-LD — flat ``@graph``, nested, framed —, CSW
pages mapped to DCAT):

* records are the ``dcat:Dataset`` **and** ``dcat:DatasetSeries`` nodes: a series (DCAT 3) is imported as a
  dataset of its own, with its own title, description and distributions; its member datasets (``dcat:inSeries``)
  are imported as datasets too (the Grand Est schema has no field for the link, which is not kept);
* a dataset **reference** — a node with no title, no description and no distribution, typically the object of a
  ``dcat:servesDataset`` of a ``dcat:DataService`` or of a catalogue's ``dcat:dataset`` pointing to a record
  described elsewhere — is skipped, not reported as an error; an untitled node that does carry a description or
  distributions is still a record (and fails with « pas de titre »);
* a ``dcat:DataService`` serving a dataset of the page gives that dataset a distribution for its endpoint
  (``dcat:accessURL``), linked with ``dcat:accessService``, unless one already points to it; a distribution
  accessed through a service conforming to OGC WMS/WFS/WMTS with no format of its own gets that service format;
* :class:`DuplicateGuard`: two records with the same DOI (different URIs) — the first is kept, the second fails
  with a French reason naming the first one.
"""
from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DC, RDF, RDFS, SKOS, Namespace

from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
_TITLE_PREDS = (DCT.title, DC.title, RDFS.label)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)


def _title(g: Graph, node: Any) -> str | None:
    for p in _TITLE_PREDS:
        for o in g.objects(node, p):
            if isinstance(o, Literal) and str(o).strip():
                return str(o).strip()
    return None


def _is_reference(g: Graph, node: Any) -> bool:
    return (_title(g, node) is None and g.value(node, DCT.description) is None
            and g.value(node, DCAT.distribution) is None)


def select(g: Graph) -> list[Any]:
    """The record nodes of the page (datasets and dataset series, references left out), in a stable order;
    services are linked to the datasets they serve first."""
    link_services(g)
    nodes = set(g.subjects(RDF.type, DCAT.Dataset)) | set(g.subjects(RDF.type, DCAT.DatasetSeries))
    return sorted((n for n in nodes if not _is_reference(g, n)),
                  key=lambda n: (isinstance(n, Literal), str(n)))


def _ogc_format(g: Graph, service: Any) -> str | None:
    texts = [str(service)] + [str(o) for o in g.objects(service, DCT.conformsTo)]
    for o in g.objects(service, DCT.conformsTo):
        texts += [str(v) for p in (DCT.title, RDFS.label, SKOS.prefLabel) for v in g.objects(o, p)]
    texts += [str(v) for v in g.objects(service, DCT.type)]
    low = " ".join(texts).lower()
    for kind in ("wmts", "wms", "wfs"):
        if kind in low:
            return "OGC:" + kind.upper()
    return None


def link_services(g: Graph) -> None:
    for service in set(g.subjects(RDF.type, DCAT.DataService)):
        fmt = _ogc_format(g, service)
        endpoints = [o for o in g.objects(service, DCAT.endpointURL) if str(o).startswith(("http://", "https://"))]
        for ds in set(g.objects(service, DCAT.servesDataset)):
            if _is_reference(g, ds) or not endpoints:
                continue
            dists = list(g.objects(ds, DCAT.distribution))
            # already reachable from one of its distributions (the service itself, its endpoint as an access
            # URL, or another description of the same endpoint as the distribution's access service): no copy
            if any((d, DCAT.accessService, service) in g for d in dists) or any(
                    o in endpoints for d in dists for o in g.objects(d, DCAT.accessURL)) or any(
                    o in endpoints for d in dists for s in g.objects(d, DCAT.accessService)
                    for o in g.objects(s, DCAT.endpointURL)):
                continue
            dist = BNode()
            g.add((ds, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCAT.accessURL, URIRef(str(endpoints[0]))))
            g.add((dist, DCAT.accessService, service))
            title = _title(g, service)
            if title:
                g.add((dist, DCT.title, Literal(title)))
        if fmt:
            for dist in set(g.subjects(DCAT.accessService, service)):
                if g.value(dist, DCT["format"]) is None and g.value(dist, DCAT.mediaType) is None:
                    g.add((dist, DCT["format"], Literal(fmt)))


def dois(g: Graph, node: Any) -> list[str]:
    """The DOIs a record states (dct:identifier, adms:identifier, owl:sameAs, or its own URI), normalised."""
    texts = [str(node)] if isinstance(node, URIRef) else []
    texts += [str(o) for o in g.objects(node, DCT.identifier)]
    texts += [str(o) for o in g.objects(node, OWL.sameAs)]
    for ident in g.objects(node, ADMS.identifier):
        texts.append(str(ident))
        texts += [str(o) for o in g.objects(ident, SKOS.notation)]
    found = []
    for t in texts:
        m = _DOI.search(t)
        if m:
            doi = m.group(1).rstrip(".,;").lower()
            if doi not in found:
                found.append(doi)
    return found


class DuplicateGuard:
    """Remembers the DOIs of the records of one harvest job (all pages). Used as an extra profile put first:
    ``parse_dataset`` raises ValueError (French) for a second record with a DOI already seen."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, str]] = {}

    def for_graph(self, g: Graph) -> "_GraphGuard":
        return _GraphGuard(self, g)


class _GraphGuard:
    def __init__(self, guard: DuplicateGuard, g: Graph):
        self.guard = guard
        self.g = g

    def parse_dataset(self, dataset: dict[str, Any], ref: Any) -> dict[str, Any]:
        title = _title(self.g, ref)
        if not title:
            return dataset
        key = str(ref) if isinstance(ref, URIRef) else None
        for doi in dois(self.g, ref):
            first = self.guard.seen.get(doi)
            if first is None:
                continue
            if key is not None and first[0] == key:
                continue  # the same record again: the harvester reports duplicated identifiers itself
            raise ValueError(_("the record has the same DOI ({doi}) as the record « {first} » read before it in "
                               "the feed; only the first one is imported").format(doi=doi, first=first[1][:150]))
        for doi in dois(self.g, ref):
            self.guard.seen.setdefault(doi, (key or f"_:{id(ref)}", title))
        return dataset
