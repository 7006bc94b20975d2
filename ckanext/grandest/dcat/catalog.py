"""The DCAT catalog serialized: feed pages, one dataset, the whole catalog (export), written graph by graph.

The pages themselves (request, stable order and paging, search, links) are in ``pages.py``.

Speed. One ``package_search`` per page (plus a count when a cursor is used and one for the catalog's
modification date), the organizations of the page read in one query, the profile instances created once per
page, a plain ``rdflib.Graph``.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import catalog_uri, dataset_uri

from . import config, turtle
from .pages import FeedError, Page, PageRequest, attach_organizations, encode_cursor, feed_url, iter_pages
from .profiles import GrandEstDCATAPProfile
from .records import last_modification
from .state import attach_state
from .vocab import DCAT, HYDRA, NAMESPACES


# ----------------------------------------------------------------------------------------------------------
# serialization
# ----------------------------------------------------------------------------------------------------------
_PROFILE_CLASSES: dict[tuple, list[type]] = {}


def new_graph(simple: bool = True) -> rdflib.Graph:
    """A graph on rdflib's ``SimpleMemory`` store (no named-graph bookkeeping: less memory, faster adds) for
    this plugin's profile; other profiles get the default store (ckanext-dcat's remove triples while they
    iterate over them, which only the default store allows)."""
    return rdflib.Graph(store="SimpleMemory" if simple else "default", bind_namespaces="core")


class Serializer(RDFSerializer):
    """ckanext-dcat's serializer, made for feeds: a plain graph, profile instances reused for every dataset, the
    profiles ``grandest_dcat_ap`` extends (``euro_dcat_ap_3``...) skipped when it runs (the feeds are its
    description alone; chained, it amends theirs: ``chain.py``), and — with ``grandest_dcat_ap`` alone — one
    small graph per dataset (:meth:`new_chunk`), written out and dropped before the next one."""

    def __init__(self, profiles: list[str] | None = None) -> None:
        super().__init__(profiles=profiles)
        self._profiles = dedup_profiles(self._profiles)
        self.chunkable = all(issubclass(p, GrandEstDCATAPProfile) for p in self._profiles)
        self.g = new_graph(self.chunkable)
        self._instances: list[Any] | None = None
        self.state: Any = None

    def _load_profiles(self, profile_names: list[str]) -> list[type]:
        key = tuple(profile_names)
        if key not in _PROFILE_CLASSES:  # entry points are read once per process
            _PROFILE_CLASSES[key] = super()._load_profiles(profile_names)
        return list(_PROFILE_CLASSES[key])

    def instances(self) -> list[Any]:
        if self._instances is None:
            self._instances = [cls(self.g, compatibility_mode=self.compatibility_mode) for cls in self._profiles]
        return self._instances

    def new_chunk(self) -> rdflib.Graph:
        """Start a new, empty graph sharing the state of the previous ones (what was already written)."""

        if self.state is None:
            self.state = attach_state(self.g, chunked=True)
        self.g = new_graph()
        attach_state(self.g, state=self.state)
        for profile in self.instances():
            profile.g = self.g
        return self.g

    def graph_from_dataset(self, dataset_dict: dict) -> Any:
        dataset_ref = URIRef(_dataset_uri(dataset_dict))
        for profile in self.instances():
            profile.graph_from_dataset(dataset_dict, dataset_ref)
        return dataset_ref

    def graph_from_catalog(self, catalog_dict: dict | None = None) -> Any:
        catalog_ref = URIRef(catalog_uri())
        for profile in self.instances():
            profile.graph_from_catalog(catalog_dict, catalog_ref)
        return catalog_ref


def _dataset_uri(dataset_dict: dict) -> str:
    """ckanext-dcat's ``dataset_uri`` without its per-call plugin and config lookups when nothing overrides it."""
    if not _uri_generators() and dataset_dict.get("id") and not dataset_dict.get("uri") and not any(
            e.get("key") == "uri" and e.get("value") not in (None, "", "None")
            for e in dataset_dict.get("extras") or [] if isinstance(e, dict)):
        return f"{catalog_uri().rstrip('/')}/dataset/{dataset_dict['id']}"
    return dataset_uri(dataset_dict)


def _uri_generators() -> list:
    from ckan.plugins import PluginImplementations
    from ckanext.dcat.interfaces import IDCATURIGenerator

    return list(PluginImplementations(IDCATURIGenerator))


def dedup_profiles(profiles: list[type]) -> list[type]:
    if any(issubclass(p, GrandEstDCATAPProfile) for p in profiles):
        return [p for p in profiles
                if issubclass(p, GrandEstDCATAPProfile) or not issubclass(GrandEstDCATAPProfile, p)]
    return profiles



def add_paging(g: rdflib.Graph, page: Page) -> None:
    """Hydra paging: one node typed ``hydra:PartialCollectionView`` (read first by data.gouv.fr, with
    ``hydra:next``) and ``hydra:PagedCollection`` (read by ckanext-dcat's harvester and older clients,
    ``hydra:nextPage``)."""
    req, base = page.request, page.request.params()
    fmt = req.fmt
    current = dict(base)
    if req.page > 1 or req.after:
        current["page"] = str(req.page)
    if req.after:
        current["after"] = encode_cursor(*req.after)
    node = URIRef(feed_url(fmt, current))
    g.add((node, RDF.type, HYDRA.PartialCollectionView))
    g.add((node, RDF.type, HYDRA.PagedCollection))
    g.add((node, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    g.add((node, HYDRA.itemsPerPage, Literal(page.rows, datatype=XSD.integer)))
    links = {"first": feed_url(fmt, base), "last": feed_url(fmt, {**base, "page": page.last_page})}
    cursor = page.next_cursor()
    if cursor:
        links["next"] = feed_url(fmt, {**base, "page": req.page + 1, "after": cursor})
    if req.page > 1:
        links["previous"] = feed_url(fmt, {**base, "page": req.page - 1} if req.page > 2 else base)
    for key, url in links.items():
        g.add((node, HYDRA[key], URIRef(url)))
        g.add((node, HYDRA[key + "Page"], Literal(url)))


class ChunkWriter:
    """Writes a document graph by graph to ``out`` (``out.write(str)``): Turtle / N3 and JSON-LD with the writers
    of ``turtle.py``, N-Triples and RDF/XML with rdflib's (one ``rdf:RDF`` element, namespaces declared once)."""

    def __init__(self, out: Any, fmt: str) -> None:
        self.out, self.fmt = out, fmt
        self.started = False
        self.namespaces: dict[str, str] = {}
        self.writer: Any = None

    def _start(self, g: rdflib.Graph) -> None:

        self.started = True
        spaces = {prefix: str(ns) for prefix, ns in g.namespaces() if prefix and prefix != "xml"}
        spaces.update({prefix: str(ns) for prefix, ns in NAMESPACES.items()})
        self.namespaces = spaces
        if self.fmt in ("ttl", "n3"):
            self.writer = turtle.TurtleWriter(sorted(spaces.items()))
            self.out.write(self.writer.header())
        elif self.fmt == "jsonld":
            self.writer = turtle.JsonLdWriter()
            self.out.write(self.writer.header())
        elif self.fmt in ("rdf", "xml"):
            from xml.sax.saxutils import quoteattr

            decl = " ".join(f"xmlns:{p}={quoteattr(ns)}" for p, ns in sorted(spaces.items()))
            self.out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF {decl}>\n')

    def write(self, g: rdflib.Graph) -> None:
        if not self.started:
            self._start(g)
        if self.writer is not None:
            self.out.write(self.writer.chunk(g))
        elif self.fmt == "nt":
            self.out.write(g.serialize(format="nt"))
        else:
            self._xml(g)

    def _xml(self, g: rdflib.Graph) -> None:
        for prefix, ns in self.namespaces.items():
            g.bind(prefix, ns, override=True, replace=True)
        text = g.serialize(format="xml")
        start = text.index("<rdf:RDF")
        open_end = text.index(">", start)
        if text[open_end - 1] == "/":  # empty graph: <rdf:RDF .../>
            return
        body_end = text.rindex("</rdf:RDF>")
        for prefix, ns in re.findall(r'xmlns:([\w.-]+)="([^"]*)"', text[start:open_end]):
            if self.namespaces.get(prefix) != ns:
                raise FeedError(tk._("Unexpected namespace in the RDF/XML export: {prefix} = {ns}").format(
                    prefix=prefix, ns=ns))
        self.out.write(text[open_end + 1:body_end])

    def close(self) -> None:
        if not self.started:
            self._start(new_graph())
        if self.fmt == "jsonld":
            self.out.write(self.writer.footer())
        elif self.fmt in ("rdf", "xml"):
            self.out.write("</rdf:RDF>\n")


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.write = self.parts.append

    def getvalue(self) -> str:
        return "".join(self.parts)


def write_document(out: Any, fmt: str, profiles: list[str] | None, datasets: Iterable[dict],
                   catalog_dict: dict | None = None, page: Page | None = None,
                   progress: Any = None) -> int:
    """Write the catalog, its ``datasets`` (an iterable: pages can be fetched as it goes) and the paging of
    ``page`` to ``out`` in ``fmt``; returns the number of datasets written."""
    ser = Serializer(profiles)
    writer = ChunkWriter(out, fmt)
    catalog_ref = ser.graph_from_catalog(catalog_dict or {"modified": _catalog_modified()})
    count = 0
    if ser.chunkable:
        writer.write(ser.g)
        for dataset_dict in datasets:
            g = ser.new_chunk()
            g.add((catalog_ref, DCAT.dataset, ser.graph_from_dataset(dataset_dict)))
            writer.write(g)
            count += 1
            if progress is not None:
                progress(1)
        g = ser.new_chunk()
    else:  # other profiles: one graph for everything (what ckanext-dcat does)
        g = ser.g
        for dataset_dict in datasets:
            g.add((catalog_ref, DCAT.dataset, ser.graph_from_dataset(dataset_dict)))
            count += 1
            if progress is not None:
                progress(1)
    if page is not None:
        add_paging(g, page)
    writer.write(g)
    writer.close()
    return count


def render_page(page: Page) -> str:
    """The serialized feed page: catalog, its datasets, paging."""
    out = _Text()
    write_document(out, page.request.fmt, page.request.profiles, page.datasets, page=page)
    return out.getvalue()


def _catalog_modified() -> str | None:

    return last_modification()


def render_dataset(dataset_dict: dict, fmt: str, profiles: list[str] | None = None) -> str:
    """One dataset (``/dataset/<id>.<fmt>``), with its full organization, in one graph."""
    attach_organizations([dataset_dict])
    ser = Serializer(profiles)
    ser.graph_from_dataset(dataset_dict)
    out = _Text()
    writer = ChunkWriter(out, fmt)
    writer.write(ser.g)
    writer.close()
    return out.getvalue()


# ----------------------------------------------------------------------------------------------------------
# whole-catalog export (CLI), streamed page by page
# ----------------------------------------------------------------------------------------------------------
EXPORT_FORMATS = ("ttl", "nt", "jsonld", "rdf")


class _Utf8:
    def __init__(self, binary: Any) -> None:
        self.binary = binary

    def write(self, text: str) -> None:
        self.binary.write(text.encode("utf-8"))


def export(out: Any, fmt: str, req: PageRequest | None = None, rows: int | None = None,
           progress: Any = None) -> int:
    """Write the whole catalog to the binary file ``out``; returns the number of datasets written.

    Datasets are read page by page (``rows`` per search, following the cursors) and written one by one, so
    memory stays that of one page whatever the size of the catalog. ``progress(n)`` is called as datasets are
    written."""
    if fmt not in EXPORT_FORMATS:
        raise FeedError(tk._("Unknown format “{fmt}”. Available formats: {formats}.").format(
            fmt=fmt, formats=", ".join(EXPORT_FORMATS)))
    req = req or PageRequest(fmt=fmt)
    rows = rows or config.export_page_size()

    def datasets() -> Iterator[dict]:
        for page in iter_pages(req, rows):
            yield from page.datasets

    return write_document(_Utf8(out), fmt, req.profiles, datasets(), progress=progress)
