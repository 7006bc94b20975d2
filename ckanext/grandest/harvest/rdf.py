"""Reading one page of a harvested feed into an RDF graph, safely.

* The serialisation is taken from the source's configuration, else the Content-Type, else the URL's
  extension, else the first bytes; a page that is HTML (a portal's web page, an error page) is refused with
  a clear message instead of being parsed.
* RDF/XML is checked before parsing: no external entity or DTD (XXE), no parameter entity, no entity that
  refers to another one (billion laughs) and a bounded total expansion. Python's expat never resolves
  external entities either.
* JSON-LD: a remote ``@context`` is fetched through the harvest's own bounded fetcher (same address checks,
  1 MB, 10 contexts at most) and inlined, so rdflib never opens a URL by itself.
* The next page comes from Hydra (``hydra:PartialCollectionView`` + ``hydra:next``, or the older
  ``hydra:PagedCollection`` + ``hydra:nextPage``), as a URI or a literal, resolved against the page URL.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, Namespace

from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

MAX_CONTEXTS = 10
MAX_CONTEXT_BYTES = 1024 * 1024
MAX_ENTITIES = 100
MAX_ENTITY_EXPANSION = 5 * 1024 * 1024
MAX_JSON_DEPTH = 200


class FeedError(Exception):
    """The page is not a readable DCAT feed; ``str(error)`` is a French message for the harvest report."""


_CONTENT_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/ld+json": "json-ld", "application/json": "json-ld", "application/n-triples": "nt",
    "text/plain": None, "text/n3": "n3", "application/n3": "n3", "application/trig": "trig",
    "application/n-quads": "nquads",
}
_EXTENSIONS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "owl": "xml", "jsonld": "json-ld", "json": "json-ld",
               "nt": "nt", "n3": "n3", "trig": "trig", "nq": "nquads"}
FORMATS = {"turtle", "xml", "json-ld", "nt", "n3", "trig", "nquads"}
_FORMAT_ALIASES = {"ttl": "turtle", "rdf": "xml", "rdf/xml": "xml", "rdfxml": "xml", "pretty-xml": "xml",
                   "application/rdf+xml": "xml", "jsonld": "json-ld", "json": "json-ld",
                   "application/ld+json": "json-ld", "text/turtle": "turtle", "ntriples": "nt",
                   "n-triples": "nt"}


def normalize_format(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()
    value = _FORMAT_ALIASES.get(value, value)
    return value if value in FORMATS else None


def looks_like_html(content: bytes, content_type: str | None) -> bool:
    if content_type in ("text/html", "application/xhtml+xml"):
        return True
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html") or (
        head.startswith(b"<?xml") and b"<html" in head[:400] and b"rdf" not in head[:400])


def detect_format(content: bytes, content_type: str | None, url: str, configured: str | None) -> str:
    fmt = normalize_format(configured)
    if fmt:
        return fmt
    if content_type and _CONTENT_TYPES.get(content_type):
        return _CONTENT_TYPES[content_type]  # type: ignore[return-value]
    path = urlsplit(url).path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json-ld"
    if head.startswith((b"<?xml", b"<!")) or re.match(rb"<[A-Za-z_][\w.-]*(:[\w.-]+)?[\s/>]", head):
        return "xml"  # an XML tag (a Turtle or N-Triples line starts with an IRI: <http://...>)
    return "turtle"


# --- RDF/XML: entities ------------------------------------------------------------------------------------
_DOCTYPE = re.compile(rb"<!DOCTYPE\b(.*?)(\[(.*?)\])?\s*>", re.S | re.I)
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s]+)\s+(.*?)>", re.S)


def check_xml(content: bytes) -> None:
    """Refuses documents that could make an XML parser read files, call URLs or blow up in memory."""
    head = content[:2 * 1024 * 1024]
    m = _DOCTYPE.search(head)
    if not m:
        if re.search(rb"<!ENTITY", head, re.I):
            raise FeedError(_("The feed declares XML entities outside a DOCTYPE: it was refused for "
                              "safety."))
        return
    external_id = m.group(1) or b""
    if re.search(rb"\b(SYSTEM|PUBLIC)\b", external_id):
        raise FeedError(_("The feed refers to an external DTD: it was refused for safety (XML external "
                          "entities are not allowed)."))
    subset = m.group(3) or b""
    entities = _ENTITY.findall(subset)
    if len(entities) > MAX_ENTITIES:
        raise FeedError(_("The feed declares too many XML entities: it was refused for safety."))
    expansion = 0
    body = content[m.end():]
    for percent, name, definition in entities:
        if percent:
            raise FeedError(_("The feed declares XML parameter entities: it was refused for safety."))
        if re.search(rb"\b(SYSTEM|PUBLIC)\b", definition):
            raise FeedError(_("The feed declares an external XML entity (XXE): it was refused for safety."))
        value = definition.strip()
        if value[:1] in (b'"', b"'"):
            value = value[1:-1]
        if b"&" in value or b"%" in value:
            raise FeedError(_("The feed declares XML entities that refer to other entities (entity "
                              "expansion attack): it was refused for safety."))
        uses = body.count(b"&" + name + b";")
        expansion += uses * len(value)
        if expansion > MAX_ENTITY_EXPANSION:
            raise FeedError(_("The feed's XML entities expand to too much text: it was refused for safety."))
    if len(re.findall(rb"<!ENTITY", subset, re.I)) != len(entities):
        raise FeedError(_("The feed's DTD could not be checked: it was refused for safety."))


# --- JSON-LD: contexts ------------------------------------------------------------------------------------
def _depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > MAX_JSON_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth_ok(v, depth + 1) for v in value)
    return True


def inline_contexts(doc: Any, base: str, load: Callable[[str], bytes]) -> Any:
    """Replaces every remote ``@context`` (and ``@import``) of a JSON-LD document by its content, loaded
    with ``load(url) -> bytes``. Raises FeedError when a context cannot be loaded or there are too many."""
    cache: dict[str, Any] = {}

    def fetch(url: str) -> Any:
        full = urljoin(base, url)
        if full in cache:
            return cache[full]
        if len(cache) >= MAX_CONTEXTS:
            raise FeedError(_("The JSON-LD feed uses too many remote contexts."))
        cache[full] = {}  # guards against a context that imports itself
        try:
            data = json.loads(load(full))
        except FeedError:
            raise
        except Exception as e:
            raise FeedError(_("The JSON-LD context {url} could not be loaded: {error}").format(
                url=full[:200], error=str(e)[:200]))
        ctx = data.get("@context", {}) if isinstance(data, dict) else {}
        ctx = resolve_ctx(ctx)
        cache[full] = ctx
        return ctx

    def resolve_ctx(ctx: Any) -> Any:
        if isinstance(ctx, str):
            return fetch(ctx)
        if isinstance(ctx, list):
            out = []
            for c in ctx:
                r = resolve_ctx(c)
                out.extend(r if isinstance(r, list) else [r])
            return out
        if isinstance(ctx, dict):
            if isinstance(ctx.get("@import"), str):
                imported = fetch(ctx["@import"])
                merged = {}
                for part in (imported if isinstance(imported, list) else [imported]):
                    if isinstance(part, dict):
                        merged.update(part)
                merged.update({k: v for k, v in ctx.items() if k != "@import"})
                ctx = merged
            out = {}
            for k, v in ctx.items():  # scoped contexts of term definitions
                if isinstance(v, dict) and "@context" in v:
                    v = {**v, "@context": resolve_ctx(v["@context"])}
                out[k] = v
            return out
        return ctx

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                out[k] = resolve_ctx(v) if k == "@context" else walk(v)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(doc)


# --- parsing ----------------------------------------------------------------------------------------------
def parse_page(content: bytes, fmt: str, url: str, load_context: Callable[[str], bytes]) -> rdflib.Graph:
    """An rdflib graph of the page; FeedError with a French message if it is not readable RDF."""
    if not content.strip():
        raise FeedError(_("The feed at {url} is empty.").format(url=url[:200]))
    g = rdflib.Graph()
    try:
        if fmt == "xml":
            check_xml(content)
            g.parse(data=content, format="xml", publicID=url)
        elif fmt == "json-ld":
            try:
                doc = json.loads(content)
            except (ValueError, RecursionError) as e:
                raise FeedError(_("The JSON-LD feed at {url} is not valid JSON: {error}").format(
                    url=url[:200], error=str(e)[:200]))
            if not _depth_ok(doc):
                raise FeedError(_("The JSON-LD feed at {url} is nested too deeply.").format(url=url[:200]))
            doc = inline_contexts(doc, url, load_context)
            g.parse(data=json.dumps(doc), format="json-ld", publicID=url)
        else:
            g.parse(data=content, format=fmt, publicID=url)
    except FeedError:
        raise
    except RecursionError:
        raise FeedError(_("The feed at {url} is nested too deeply.").format(url=url[:200]))
    except Exception as e:  # rdflib raises many kinds of errors on bad input
        raise FeedError(_("The feed at {url} could not be read as {format}: {error}").format(
            url=url[:200], format=_format_label(fmt), error=str(e)[:300]))
    return g


def _format_label(fmt: str) -> str:
    return {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples"}.get(fmt, fmt)


def datasets(g: rdflib.Graph) -> list[Any]:
    """The dcat:Dataset nodes of the page, in a stable order."""
    return sorted(set(g.subjects(RDF.type, DCAT.Dataset)), key=lambda n: (isinstance(n, Literal), str(n)))


def next_page(g: rdflib.Graph, page_url: str) -> str | None:
    """URL of the next page (Hydra PartialCollectionView/PagedCollection), resolved against the page URL."""
    candidates: list[tuple[int, str]] = []
    for rank, (cls, preds) in enumerate(((HYDRA.PartialCollectionView, (HYDRA.next, HYDRA.nextPage)),
                                         (HYDRA.PagedCollection, (HYDRA.nextPage, HYDRA.next)))):
        for node in sorted(set(g.subjects(RDF.type, cls)), key=str):
            for pred in preds:
                for o in g.objects(node, pred):
                    if isinstance(o, (URIRef, Literal)) and str(o).strip():
                        same = isinstance(node, URIRef) and _same_page(str(node), page_url)
                        candidates.append((0 if same else 1 + rank, urljoin(page_url, str(o).strip())))
    # a hydra:view of the collection (JSON-LD: { "@type": "Collection", "view": {...} })
    for view in g.objects(None, HYDRA.view):
        for o in g.objects(view, HYDRA.next):
            candidates.append((2, urljoin(page_url, str(o).strip())))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1]


def _same_page(a: str, b: str) -> bool:
    return normalize_url(a) == normalize_url(b)


def normalize_url(url: str) -> str:
    """Comparable form of a page URL (for loop detection): scheme and host lower-cased, default port and
    fragment dropped, query parameters sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = "&".join(sorted(q for q in parts.query.split("&") if q))
    return f"{parts.scheme.lower()}://{host}{parts.path or '/'}?{query}"
