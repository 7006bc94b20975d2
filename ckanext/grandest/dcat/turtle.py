"""Fast writers for the feeds: Turtle and expanded JSON-LD, graph chunk by graph chunk.

rdflib's Turtle serializer spends most of a feed page's time looking for a prefixed name for every IRI of the
graph (URLs, dataset URIs...) against every namespace rdflib binds, and its serializers need the whole page in
one graph. These writers take the page one small graph at a time (the catalog, then each dataset, then the
paging) and write each as soon as it is built, so the memory of a page is that of one dataset plus the text:

* Turtle: prefixed names for a fixed set of namespaces (declared once at the top), tried once per distinct IRI;
  blank nodes used once in their chunk written inline (``[ ... ]``), others with a label derived from their id
  (the same node gets the same label in every chunk); subjects, predicates and objects sorted;
* JSON-LD: one top-level array of node objects in expanded form (no context to process), blank nodes as
  ``_:`` identifiers.

Both parse back to a graph isomorphic to the one written (tested against rdflib's parsers).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

RDF_TYPE = RDF.type
XSD_STRING = XSD.string
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_LANG = re.compile(r"^[a-zA-Z]+(-[a-zA-Z0-9]+)*$")
_IRI_BAD = {c: f"\\u{c:04X}" for c in list(range(0x21)) + [ord(ch) for ch in '<>"{}|^`\\']}
_STR_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
                ord("\b"): "\\b", ord("\f"): "\\f"}
for _c in range(0x20):
    _STR_ESCAPES.setdefault(_c, f"\\u{_c:04X}")
_STR_ESCAPES[0x7F] = "\\u007F"
_BNODE_ID = re.compile(r"[^A-Za-z0-9_]")
INDENT = "    "


def bnode_label(node: BNode) -> str:
    return "b" + _BNODE_ID.sub("_", str(node))


def _sort_key(node: Any) -> tuple:
    return (0 if isinstance(node, URIRef) else 1 if isinstance(node, Literal) else 2, str(node))


def _index(g: Graph) -> tuple[dict[Any, dict[Any, list]], dict[Any, int]]:
    by_subject: dict[Any, dict[Any, list]] = defaultdict(lambda: defaultdict(list))
    refs: dict[Any, int] = defaultdict(int)
    for s, p, o in g:
        by_subject[s][p].append(o)
        if isinstance(o, BNode):
            refs[o] += 1
    return by_subject, refs


class TurtleWriter:
    """Turtle, written chunk by chunk: :meth:`header`, then :meth:`chunk` for each graph."""

    def __init__(self, namespaces: Iterable[tuple[str, str]]) -> None:
        self.prefixes = sorted({(prefix, str(ns)) for prefix, ns in namespaces if prefix})
        self.namespaces = sorted(((ns, prefix) for prefix, ns in self.prefixes), key=lambda item: -len(item[0]))
        self.names: dict[str, str] = {}
        #: blank nodes written inline by earlier chunks: a later chunk cannot refer to them
        self.inlined: set[BNode] = set()

    def header(self) -> str:
        return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in self.prefixes) + "\n"

    # terms ------------------------------------------------------------------------------------------
    def iri(self, value: str) -> str:
        name = self.names.get(value)
        if name is None:
            name = ""
            for ns, prefix in self.namespaces:
                if value.startswith(ns):
                    local = value[len(ns):]
                    if _LOCAL.match(local):
                        name = f"{prefix}:{local}"
                    break
            if not name:
                name = "<" + value.translate(_IRI_BAD) + ">"
            if len(self.names) < 50_000:
                self.names[value] = name
        return name

    def literal(self, lit: Literal) -> str:
        text = '"' + str(lit).translate(_STR_ESCAPES) + '"'
        if lit.language and _LANG.match(lit.language):
            return text + "@" + lit.language
        if lit.datatype is not None and lit.datatype != XSD_STRING:
            return text + "^^" + self.iri(str(lit.datatype))
        return text

    # one chunk --------------------------------------------------------------------------------------
    def chunk(self, g: Graph) -> str:
        by_subject, refs = _index(g)
        if self.inlined and not self.inlined.isdisjoint(refs):
            raise ValueError("a blank node written inline in an earlier chunk is referred to again")
        written: set[Any] = set()
        out: list[str] = []

        def term(node: Any, depth: int) -> str:
            if isinstance(node, URIRef):
                return self.iri(str(node))
            if isinstance(node, Literal):
                return self.literal(node)
            if isinstance(node, BNode):
                if refs.get(node) == 1 and node in by_subject and node not in written and depth < 16:
                    written.add(node)
                    pad = INDENT * (depth + 2)
                    return "[ " + (" ;\n" + pad).join(predicates(node, depth + 1)) + " ]"
                return "_:" + bnode_label(node)
            return self.literal(Literal(str(node)))

        def predicates(subject: Any, depth: int) -> list[str]:
            props = by_subject[subject]
            lines = []
            for p in sorted(props, key=lambda p: (p != RDF_TYPE, p)):
                verb = "a" if p == RDF_TYPE else self.iri(str(p))
                lines.append(verb + " " + ", ".join(term(o, depth) for o in sorted(props[p], key=_sort_key)))
            return lines

        def statement(subject: Any) -> None:
            written.add(subject)
            head = "_:" + bnode_label(subject) if isinstance(subject, BNode) else self.iri(str(subject))
            out.append(head + " " + (" ;\n" + INDENT).join(predicates(subject, 0)) + " .\n")

        subjects = [s for s in by_subject if not (isinstance(s, BNode) and refs.get(s) == 1)]
        subjects.sort(key=lambda s: (isinstance(s, BNode), str(s)))
        for s in subjects:
            if s not in written:
                statement(s)
        for s in [s for s in by_subject if s not in written]:  # a cycle of blank nodes: written with labels
            if s not in written:
                refs[s] = 2
                statement(s)
        self.inlined.update(n for n in written if isinstance(n, BNode) and refs.get(n) == 1)
        return "\n".join(out) + ("\n" if out else "")


def serialize(g: Graph) -> bytes:
    """A whole graph in Turtle, UTF-8 (prefixes: the graph's bound namespaces)."""
    writer = TurtleWriter(g.namespaces())
    return (writer.header() + writer.chunk(g)).encode("utf-8")


class JsonLdWriter:
    """Expanded JSON-LD: a top-level array of node objects, chunk by chunk."""

    def __init__(self) -> None:
        self.first = True

    @staticmethod
    def _term(node: Any) -> dict:
        if isinstance(node, URIRef):
            return {"@id": str(node)}
        if isinstance(node, BNode):
            return {"@id": "_:" + bnode_label(node)}
        if isinstance(node, Literal):
            if node.language:
                return {"@value": str(node), "@language": node.language}
            if node.datatype is not None and node.datatype != XSD_STRING:
                return {"@value": str(node), "@type": str(node.datatype)}
            return {"@value": str(node)}
        return {"@value": str(node)}

    def header(self) -> str:
        return "["

    def chunk(self, g: Graph) -> str:
        by_subject, _ = _index(g)
        parts = []
        for s in sorted(by_subject, key=lambda s: (isinstance(s, BNode), str(s))):
            obj: dict[str, Any] = {"@id": self._term(s)["@id"]}
            props = by_subject[s]
            for p in sorted(props, key=str):
                values = sorted(props[p], key=_sort_key)
                if p == RDF_TYPE and all(isinstance(v, (URIRef, BNode)) for v in values):
                    obj["@type"] = [self._term(v)["@id"] for v in values]
                else:
                    obj[str(p)] = [self._term(v) for v in values]
            parts.append(("\n" if self.first else ",\n") + json.dumps(obj, ensure_ascii=False))
            self.first = False
        return "".join(parts)

    def footer(self) -> str:
        return "\n]\n"
