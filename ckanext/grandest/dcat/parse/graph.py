"""Reading a harvested RDF graph: the namespaces of the records that the feeds' vocabulary (``dcat/vocab.py``)
does not have, and :class:`GraphReader`, what every part of the reader asks of the graph (the objects of several
predicates, the best literal, a node's label, every textual handle of a node, its languages)."""
from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef

from ..vocab import DCT, FOAF, NS, OWL, RDF, RDFS, SKOS, VCARD
from .terms import match_language
from .text import best

DC = NS("http://purl.org/dc/elements/1.1/")
SCHEMA = NS("http://schema.org/")
SCHEMA_S = NS("https://schema.org/")
TIME = NS("http://www.w3.org/2006/time#")
CC = NS("http://creativecommons.org/ns#")


class GraphReader:
    def __init__(self, g: Any):
        self.g = g

    def objects(self, s: Any, *preds: Any) -> list[Any]:
        out: list[Any] = []
        for p in preds:
            out.extend(self.g.objects(s, p))
        return out

    def text(self, s: Any, *preds: Any) -> str | None:
        """Best literal of the predicates (in order of preference); a node's label when not a literal."""
        for p in preds:
            objs = list(self.g.objects(s, p))
            value = best(objs)
            if value:
                return value
            for o in objs:
                if not isinstance(o, Literal):
                    label = self.label(o)
                    if label:
                        return label
        return None

    def label(self, node: Any) -> str | None:
        return best(self.objects(node, SKOS.prefLabel, RDFS.label, DCT.title, FOAF.name, VCARD.fn,
                                  SKOS.altLabel, DC.title))

    def values(self, node: Any) -> list[str]:
        """Every textual handle of a node: its URI, labels, identifiers, rdf:value (for vocabulary lookups)."""
        out: list[str] = []
        if isinstance(node, Literal):
            return [str(node)]
        if isinstance(node, URIRef):
            out.append(str(node))
        for p in (DCT.identifier, SKOS.notation, RDF.value, SKOS.prefLabel, RDFS.label, DCT.title,
                  SKOS.altLabel, DC.title, OWL.sameAs, SKOS.exactMatch, FOAF.page, DCT.source):
            for o in self.g.objects(node, p):
                out.append(str(o))
        return out

    def uris_or_literals(self, s: Any, *preds: Any) -> list[str]:
        return [str(o) for o in self.objects(s, *preds) if isinstance(o, (URIRef, Literal)) and str(o).strip()]

    def languages(self, s: Any) -> list[str]:
        found: list[str] = []
        for o in self.objects(s, DCT.language, DC.language):
            for v in self.values(o):
                lang = match_language(v)
                if lang:
                    if lang not in found:
                        found.append(lang)
                    break
        return sorted(found)
