"""The fast Turtle and JSON-LD writers: what they write parses back to the same graph (rdflib's parsers), chunk
by chunk too; and a feed page is the same graph in every format."""
from __future__ import annotations

import io

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD, Namespace

from tests.dcat.conftest import commune_org, minimal_dataset, rich_dataset

EX = Namespace("http://example.org/ns#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")


def tricky_graph() -> Graph:
    g = Graph()
    s = URIRef("http://example.org/a")
    g.add((s, RDF.type, EX.Thing))
    g.add((s, EX.text, Literal('guillemets " et \\ barre, saut\nde ligne\r, tab\t, “typo” é ü 🙂')))
    g.add((s, EX.fr, Literal("Délibérations", lang="fr")))
    g.add((s, EX.regional, Literal("Grüezi", lang="de-CH")))
    g.add((s, EX.date, Literal("2024-01-31", datatype=XSD.date)))
    g.add((s, EX.size, Literal(48213, datatype=XSD.nonNegativeInteger)))
    g.add((s, EX.odd, Literal("x", datatype=URIRef("http://example.org/types/my%20type"))))
    g.add((s, EX.link, URIRef("https://example.org/données/a%20b.csv?x=1&y=2#frag")))
    g.add((s, EX.local, EX["starts-with-letter_ok"]))
    g.add((s, EX.local, URIRef(str(EX) + "1digit")))
    g.add((s, EX.local, URIRef(str(EX) + "with.dot")))
    once = BNode()  # used once: written inline
    g.add((s, EX.period, once))
    g.add((once, EX.start, Literal("2020")))
    inner = BNode()
    g.add((once, EX.inner, inner))
    g.add((inner, EX.deep, Literal("profond")))
    shared = BNode()  # used twice: written with a label
    g.add((s, EX.shared, shared))
    g.add((URIRef("http://example.org/b"), EX.shared, shared))
    g.add((shared, EX.name, Literal("partagé")))
    c1, c2 = BNode(), BNode()  # a cycle of blank nodes used once each
    g.add((c1, EX.next, c2))
    g.add((c2, EX.next, c1))
    g.add((BNode(), EX.alone, Literal("sans référence")))
    return g


def _turtle(g: Graph) -> str:
    from ckanext.grandest.dcat.turtle import TurtleWriter

    w = TurtleWriter([("ex", str(EX)), ("xsd", str(XSD)), ("rdf", str(RDF))])
    return w.header() + w.chunk(g)


def test_turtle_round_trip():
    g = tricky_graph()
    text = _turtle(g)
    assert "ex:starts-with-letter_ok" in text and "<http://example.org/ns#1digit>" in text
    assert isomorphic(g, Graph().parse(data=text, format="turtle"))
    assert isomorphic(g, Graph().parse(data=text, format="n3"))


def test_jsonld_round_trip():
    from ckanext.grandest.dcat.turtle import JsonLdWriter

    g = tricky_graph()
    w = JsonLdWriter()
    text = w.header() + w.chunk(g) + w.footer()
    assert isomorphic(g, Graph().parse(data=text, format="json-ld"))


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf", "nt"])
def test_chunks_share_blank_nodes(fmt):
    """A blank node described in one chunk and referred to from another is the same node in the document."""
    from ckanext.grandest.dcat.catalog import ChunkWriter

    shared = BNode()
    one, two = Graph(), Graph()
    one.add((URIRef("http://example.org/a"), EX.p, shared))
    one.add((URIRef("http://example.org/a"), EX.again, shared))  # referred to twice: written with a label
    one.add((shared, EX.name, Literal("un")))
    two.add((URIRef("http://example.org/b"), EX.p, shared))
    two.add((URIRef("http://example.org/b"), EX.q, Literal("deux", lang="fr")))
    for g in (one, two):
        g.bind("ex", str(EX))
    out = io.StringIO()
    writer = ChunkWriter(out, fmt)
    writer.write(one)
    writer.write(two)
    writer.close()
    parsed = Graph().parse(data=out.getvalue(), format={"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml",
                                                        "nt": "nt"}[fmt])
    assert isomorphic(one + two, parsed)


def test_feed_page_is_the_same_graph_in_every_format(app, clean_db, clean_index, with_plugins):
    org = commune_org()
    rich_dataset(org["id"])
    minimal_dataset(org["id"])
    graphs = {fmt: Graph().parse(data=app.get(f"/catalog.{fmt}").body, format=rdflib_fmt)
              for fmt, rdflib_fmt in (("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld"), ("n3", "n3"))}
    # the paging node carries the URL of the page, which names the format: compare without it
    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    for fmt, g in graphs.items():
        for node in list(g.subjects(RDF.type, hydra.PartialCollectionView)):
            g.remove((node, None, None))
        assert len(list(g.subjects(RDF.type, DCAT.Dataset))) == 2
    assert isomorphic(graphs["ttl"], graphs["rdf"])
    assert isomorphic(graphs["ttl"], graphs["jsonld"])
    assert isomorphic(graphs["ttl"], graphs["n3"])


def test_turtle_refuses_a_reference_to_an_inlined_blank_node():
    """Never a silently wrong document: a chunk cannot refer to a blank node an earlier chunk wrote inline."""
    from ckanext.grandest.dcat.turtle import TurtleWriter

    node = BNode()
    one, two = Graph(), Graph()
    one.add((URIRef("http://example.org/a"), EX.p, node))
    one.add((node, EX.name, Literal("un")))
    two.add((URIRef("http://example.org/b"), EX.p, node))
    w = TurtleWriter([("ex", str(EX))])
    assert "[ ex:name" in w.chunk(one)
    with pytest.raises(ValueError):
        w.chunk(two)
