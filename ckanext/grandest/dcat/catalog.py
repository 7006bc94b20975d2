"""The paged DCAT catalog: search, stable paging, organizations fetched once per page, serialization.

Order and paging. Datasets are listed by creation date, then id (``metadata_created asc, id asc``): a dataset
keeps its place while it is edited (ckanext-dcat sorts by ``metadata_modified desc``, so every edit moves
datasets between pages during a harvest). The ``next`` link of a page carries a cursor, the (creation date,
id) of the page's last dataset, and the next page lists the datasets after it (keyset paging): a dataset
created, deleted or made private meanwhile never shifts the others, so following ``next`` from page 1 lists
every dataset public during the walk exactly once (new ones come last). ``?page=N`` without a cursor still
works (offset paging on the same order). Links are absolute, built from ``ckan.site_url`` (never from the
request, so they stay right behind a proxy) and URL-encoded.

Speed. One ``package_search`` per page (plus a count when a cursor is used and one for the catalog's
modification date), the organizations of the page read in one query, the profile instances created once per
page, a plain ``rdflib.Graph``.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import math
import re
from typing import Any, Iterable, Iterator
from urllib.parse import urlencode

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import catalog_uri, dataset_uri


from . import config, turtle
from .profiles import GrandEstDCATAPProfile, attach_state
from .records import last_modification, organizations
from .vocab import DCAT, HYDRA, NAMESPACES

#: extension -> (rdflib format, Content-Type)
FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
    "xml": ("xml", "application/rdf+xml; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
    "n3": ("n3", "text/n3; charset=utf-8"),
    "nt": ("nt", "application/n-triples; charset=utf-8"),
}
FEED_FORMATS = ("ttl", "rdf", "xml", "jsonld", "n3")
SORT = "metadata_created asc, id asc"
EXCLUDED_TYPES = ("harvest", "showcase")
_NAME = re.compile(r"^[\w.:-]{1,100}$", re.UNICODE)


class FeedError(ValueError):
    """A bad request for the feed, with a message in plain French."""


# ----------------------------------------------------------------------------------------------------------
# request parameters
# ----------------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class PageRequest:
    fmt: str = "ttl"
    page: int = 1
    after: tuple[str, str] | None = None  #: cursor: (metadata_created, id) of the previous page's last dataset
    organization: str | None = None
    modified_since: dt.datetime | None = None
    q: str | None = None
    profiles: list[str] | None = None

    def params(self) -> dict[str, str]:
        """The query parameters that select the feed (kept in every link)."""
        out: dict[str, str] = {}
        if self.organization:
            out["organization"] = self.organization
        if self.modified_since:
            out["modified_since"] = self.modified_since.isoformat()
        if self.q:
            out["q"] = self.q
        if self.profiles:
            out["profiles"] = ",".join(self.profiles)
        return out


def parse_request(fmt: str, args: dict[str, Any]) -> PageRequest:
    """Read the query string of a feed request; raises :class:`FeedError` (French message) on bad input."""
    if fmt not in FORMATS:
        raise FeedError(tk._("Unknown format “{fmt}”. Available formats: {formats}.").format(
            fmt=fmt, formats=", ".join(FEED_FORMATS)))
    req = PageRequest(fmt=fmt)
    page = args.get("page")
    if page not in (None, ""):
        try:
            req.page = int(str(page))
        except ValueError:
            req.page = 0
        if req.page < 1 or req.page > 1_000_000:
            raise FeedError(tk._("The page number must be a whole number from 1 (for example ?page=2)."))
    after = args.get("after")
    if after not in (None, ""):
        req.after = decode_cursor(str(after))
    org = args.get("organization")
    if org not in (None, ""):
        org = str(org).strip()
        if not _NAME.match(org):
            raise FeedError(tk._("The organization asked for is not a valid name (letters, digits and dashes)."))
        req.organization = org
    since = args.get("modified_since")
    if since not in (None, ""):
        req.modified_since = parse_since(str(since))
    q = args.get("q")
    if q not in (None, ""):
        req.q = str(q)[:500]
    profiles = args.get("profiles")
    if profiles not in (None, ""):
        names = [p.strip() for p in str(profiles).split(",") if p.strip()]
        if not names or not all(_NAME.match(n) for n in names):
            raise FeedError(tk._("The list of profiles asked for is not valid (names separated by commas)."))
        req.profiles = names
    return req


def parse_since(text: str) -> dt.datetime:
    value = text.strip()
    try:
        if re.match(r"^\d{4}-\d\d-\d\d$", value):
            parsed = dt.datetime.fromisoformat(value + "T00:00:00")
        else:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(tk._(
            "The date “modified_since” cannot be read: write it as YYYY-MM-DD (for example 2026-01-31) "
            "or YYYY-MM-DDTHH:MM:SS."
        )) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def encode_cursor(created: str, dataset_id: str) -> str:
    raw = json.dumps([created, dataset_id], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(token: str) -> tuple[str, str]:
    bad = FeedError(tk._("The link to the next page is damaged: read the catalog again from page 1."))
    if len(token) > 400:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        created, dataset_id = json.loads(raw.decode("utf-8"))
        dt.datetime.fromisoformat(str(created))
    except (ValueError, TypeError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(created, str) or not isinstance(dataset_id, str) or not dataset_id:
        raise bad
    return created, dataset_id


# ----------------------------------------------------------------------------------------------------------
# search
# ----------------------------------------------------------------------------------------------------------
def _solr_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _solr_date(value: str | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    text = value.rstrip("Z")
    if "T" not in text:
        text += "T00:00:00"
    return text + "Z"


def filters(req: PageRequest) -> list[str]:
    fq = [f"-dataset_type:{t}" for t in EXCLUDED_TYPES]
    if req.organization:
        value = _solr_quote(req.organization)
        fq.append(f"(organization:{value} OR owner_org:{value})")
    if req.modified_since:
        fq.append(f"metadata_modified:[{_solr_quote(_solr_date(req.modified_since))} TO *]")
    return fq


def keyset_filter(after: tuple[str, str]) -> str:
    created, dataset_id = after
    c, i = _solr_quote(_solr_date(created)), _solr_quote(dataset_id)
    return f"(metadata_created:{{{c} TO *] OR (metadata_created:{c} AND id:{{{i} TO *]))"


def _search(req: PageRequest, rows: int, start: int, extra_fq: list[str] | None = None,
            fl: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "q": req.q or "*:*",
        "fq_list": filters(req) + (extra_fq or []),
        "rows": rows,
        "start": start,
        "sort": SORT,
        "include_private": False,
        "include_drafts": False,
    }
    if fl:
        data["fl"] = fl
    return tk.get_action("package_search")({"ignore_auth": True}, data)


@dataclasses.dataclass
class Page:
    request: PageRequest
    datasets: list[dict]
    total: int
    rows: int
    has_next: bool
    modified: str | None

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.total / self.rows)) if self.total else 1

    def next_cursor(self) -> str | None:
        if not self.has_next or not self.datasets:
            return None
        last = self.datasets[-1]
        return encode_cursor(last["metadata_created"], last["id"])


def fetch_page(req: PageRequest, rows: int | None = None) -> Page:
    """The datasets of one feed page (public, active, in the stable order)."""
    rows = rows or config.page_size()
    if req.after:
        result = _search(req, rows + 1, 0, [keyset_filter(req.after)])
        total = _search(req, 0, 0)["count"]
    else:
        result = _search(req, rows + 1, (req.page - 1) * rows)
        total = result["count"]
    datasets = result["results"]
    has_next = len(datasets) > rows
    datasets = datasets[:rows]
    attach_organizations(datasets)
    return Page(req, datasets, total, rows, has_next, modified=None)


def iter_pages(req: PageRequest, rows: int) -> Iterator[Page]:
    """Every page of a feed, following the cursors (the whole catalog for an export)."""
    while True:
        page = fetch_page(req, rows)
        yield page
        cursor = page.next_cursor()
        if not cursor:
            return
        req = dataclasses.replace(req, after=decode_cursor(cursor), page=req.page + 1)


# ----------------------------------------------------------------------------------------------------------
# organizations, once per page
# ----------------------------------------------------------------------------------------------------------
def attach_organizations(datasets: list[dict]) -> None:
    """Replace each dataset's ``organization`` by the full organization (schema fields included)."""
    ids = [(d.get("organization") or {}).get("id") or d.get("owner_org") for d in datasets]
    orgs = organizations([i for i in ids if i])
    for d, org_id in zip(datasets, ids):
        if org_id and org_id in orgs:
            d["organization"] = orgs[org_id]


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
    profiles ``grandest_dcat_ap`` extends (``euro_dcat_ap_3``...) skipped when it runs (it rewrites their
    description anyway), and — with ``grandest_dcat_ap`` alone — one small graph per dataset
    (:meth:`new_chunk`), written out and dropped before the next one."""

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


def feed_url(fmt: str, params: dict[str, Any]) -> str:
    """Absolute URL of a feed page from ``ckan.site_url`` (``ckan.root_path`` honoured), URL-encoded."""
    query = urlencode([(k, str(v)) for k, v in params.items() if v not in (None, "")])
    return f"{config.public_base()}/catalog.{fmt}" + (f"?{query}" if query else "")


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
