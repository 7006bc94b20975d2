"""The profile chained after another one (``euro_dcat_ap_3 grandest_dcat_ap``): what the profile before it wrote
is amended, not erased (the way ckanext-dcat's own ``euro_dcat_ap_scheming`` adds to ``euro_dcat_ap_2``).

For each predicate this profile writes on a node (the table ``writer.OWNED``, per kind of node), the values
the other profile wrote are removed, with the blank nodes behind them (its contact points, periods, checksums
typed ``xsd:hexBinary``...); the nodes this profile describes behind them (distributions, agents, places, URI
contact points, licences: ``writer.BEHIND``) are amended the same way. Then this profile writes its own. What
the other profile wrote on other predicates (``adms:versionNotes``, a distribution's
``dct:rights``... of fields this profile does not cover) is kept, so a property never ends up with two values
where DCAT-AP allows one (title with and without a language, two licences, two identifiers...).

Shared nodes (an organization's agent, a place) already described by this profile for an earlier dataset of
the graph are written again after the removal (the state forgets them); one the other profile linked and this
profile does not link from this dataset gets its description back (:meth:`Amendment.finish`), and a node left
linked by nothing is dropped.
"""
from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, URIRef

from .nodes import describe_place, write_agent
from .state import GraphState
from .writer import BEHIND, OWNED


class Amendment:
    """The removal of what another profile wrote on the predicates this profile writes, node by node."""

    def __init__(self, g: Graph, state: GraphState) -> None:
        self.g = g
        self.state = state
        #: the nodes amended behind an owned predicate -> (kind, what the state knew of them: to restore)
        self.amended: dict[Any, tuple[str, Any]] = {}

    def remove(self, node: Any, kind: str, _depth: int = 0) -> None:
        g = self.g
        for p in OWNED[kind]:
            behind = BEHIND.get(p)
            for o in list(g.objects(node, p)):
                g.remove((node, p, o))
                if isinstance(o, BNode):
                    forget(g, o)
                elif behind is not None and isinstance(o, URIRef) and o not in self.amended and _depth < 4:
                    self.amended[o] = (behind, self._release(o, behind))
                    self.remove(o, behind, _depth + 1)

    def _release(self, node: URIRef, kind: str) -> Any:
        """Make the writer describe ``node`` again; what the state knew of it is returned."""
        if kind == "agent":
            return self.state.publishers.pop(node, None)
        if kind == "place":
            return self.state.places.pop(str(node), None)
        return None

    def finish(self) -> None:
        """After this profile wrote: a shared node it described before and did not write again gets its
        description back; an amended node nothing links to any more is dropped."""
        g, state = self.g, self.state
        for node, (kind, known) in self.amended.items():
            if known is not None:
                if kind == "agent" and node not in state.publishers:
                    write_agent(g, node, known, state)
                elif kind == "place" and str(node) not in state.places:
                    describe_place(g, known, state)
            elif (None, None, node) not in g:
                forget(g, node)


def forget(g: Graph, node: Any, _depth: int = 0) -> None:
    """Remove what the graph says about ``node`` and the blank nodes behind it (URI nodes are shared: kept)."""
    if _depth > 8:
        return
    for p, o in list(g.predicate_objects(node)):
        g.remove((node, p, o))
        if isinstance(o, BNode):
            forget(g, o, _depth + 1)
