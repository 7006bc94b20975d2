"""The state of a graph (``state.py``): kept beside the graph, not set on rdflib's object, gone with the graph,
shared by the graphs of one document written graph by graph."""
from __future__ import annotations

import gc

from rdflib import Graph


def test_state_is_kept_beside_the_graph_and_goes_with_it(with_plugins):
    from ckanext.grandest.dcat import state as st

    g = Graph()
    before = set(vars(g))
    state = st.graph_state(g)
    assert st.graph_state(g) is state
    assert set(vars(g)) == before  # nothing set on the graph
    st.bind_namespaces(g, state)
    assert str(dict(g.namespaces())["dcat"]) == str(st.NAMESPACES["dcat"]) and set(vars(g)) == before
    assert st.graph_state(Graph()) is not state  # another graph, another state
    count = len(st._STATES)
    del g
    gc.collect()
    assert len(st._STATES) == count - 1  # the state does not keep its graph alive


def test_graphs_of_one_document_share_one_state(with_plugins):
    from ckanext.grandest.dcat import state as st

    first = Graph()
    shared = st.attach_state(first, chunked=True)
    assert shared.chunked and st.graph_state(first) is shared
    chunk = Graph()
    assert st.attach_state(chunk, state=shared) is shared and st.graph_state(chunk) is shared
