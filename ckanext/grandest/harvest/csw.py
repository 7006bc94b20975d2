"""OGC CSW 2.0.2 / 3.0 catalogues (GeoNetwork, Géo-IDE, IGN's Géoplateforme): GetRecords pages → an RDF graph.

A page is a ``csw:GetRecordsResponse`` whose ``csw:SearchResults`` holds the records, in the output schema the
request asked for:

* DCAT (``outputSchema=http://www.w3.org/ns/dcat#``, GeoNetwork 4): each record is an ``rdf:RDF`` element, or
  bare ``dcat:Dataset`` / ``dcat:CatalogRecord`` elements; each is parsed on its own by rdflib (RDF/XML);
* ISO 19139 (``outputSchema=http://www.isotc211.org/2005/gmd``): each ``gmd:MD_Metadata`` is mapped to DCAT by
  :mod:`~ckanext.grandest.harvest.iso19139`.

A record that cannot be read is reported (French) and the others go on. Paging follows ``nextRecord``:
the next page is the same request with ``startPosition=nextRecord``; the harvest stops when ``nextRecord`` is 0
or beyond ``numberOfRecordsMatched``; a ``nextRecord`` that does not move forward points back to the page just
read, which the harvester's loop guard reports (and then no dataset is deleted); the page cap bounds the rest.

The XML is parsed by :mod:`~ckanext.grandest.harvest.xmlsafe` (no external entity, no DTD, no expansion bomb).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import rdflib
from lxml import etree  # pyright: ignore[reportAttributeAccessIssue]  # lxml.etree is compiled, without type stubs

from ckanext.grandest.harvest import iso19139, xmlsafe
from ckanext.grandest.harvest import rdf as hrdf
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

CSW_NAMESPACES = ("http://www.opengis.net/cat/csw/2.0.2", "http://www.opengis.net/cat/csw/3.0")
OWS_NAMESPACES = ("http://www.opengis.net/ows", "http://www.opengis.net/ows/1.1", "http://www.opengis.net/ows/2.0")
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OUTPUT_SCHEMAS = {"iso19139": "http://www.isotc211.org/2005/gmd", "dcat": "http://www.w3.org/ns/dcat#"}
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_ROOTS = {"GetRecordsResponse", "GetRecordByIdResponse"}


def recognise(content: bytes) -> bool:
    """True for a CSW answer (or a CSW/OWS exception, or a bare ISO 19139 record)."""
    ns, local = xmlsafe.root_name(content)
    if ns in CSW_NAMESPACES and local in _ROOTS:
        return True
    if ns == iso19139.GMD and local == "MD_Metadata":
        return True
    return ns in OWS_NAMESPACES and local == "ExceptionReport"


def first_url(url: str, cfg: dict[str, Any]) -> str:
    """The first GetRecords request. A source URL that is already a GetRecords request is kept as given (its
    ``startPosition`` and ``maxRecords`` included); the bare address of the service (…/srv/fre/csw) gets a
    GET GetRecords request for all records, in the configured output schema (ISO 19139 by default)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k.lower() == "request" for k, _v in query):
        return url
    schema = OUTPUT_SCHEMAS[cfg.get("csw_output_schema", "iso19139")]
    size = int(cfg.get("csw_page_size", DEFAULT_PAGE_SIZE))
    query += [("service", "CSW"), ("version", "2.0.2"), ("request", "GetRecords"), ("typeNames", "csw:Record"),
              ("resultType", "results"), ("elementSetName", "full"), ("outputSchema", schema),
              ("startPosition", "1"), ("maxRecords", str(size))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _with_start(url: str, start: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "startposition"]
    query.append(("startPosition", str(start)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _start_of(url: str) -> int:
    for k, v in parse_qsl(urlsplit(url).query):
        if k.lower() == "startposition":
            try:
                return max(1, int(v))
            except ValueError:
                return 1
    return 1


def _int_attr(el: Any, name: str) -> int | None:
    try:
        return int((el.get(name) or "").strip())
    except ValueError:
        return None


@dataclass
class CswPage:
    graph: rdflib.Graph
    next_url: str | None
    errors: list[str] = field(default_factory=list)
    matched: int | None = None


def _exception_text(root: Any) -> str:
    texts = [" ".join(t.split()) for t in (("".join(el.itertext())) for el in root.iter()
                                           if isinstance(el.tag, str) and el.tag.endswith("ExceptionText")) if t]
    return "; ".join(texts)[:300] or "?"


def read_page(content: bytes, url: str) -> CswPage:
    """The records of one CSW page as a DCAT graph, per-record French errors, and the next page's URL."""
    root = xmlsafe.parse(content, url)
    ns = etree.QName(root).namespace
    local = etree.QName(root).localname
    if local == "ExceptionReport":
        raise hrdf.FeedError(_("The catalogue service (CSW) at {url} answered with an error: {error}").format(
            url=url[:200], error=_exception_text(root)))
    g = rdflib.Graph()
    errors: list[str] = []
    if ns == iso19139.GMD:  # one ISO record served as a file
        _add_iso(root, g, url, 1, errors)
        return CswPage(g, None, errors)
    results = next(iter(root.iter(*(f"{{{n}}}SearchResults" for n in CSW_NAMESPACES))), None)
    children = list(results) if results is not None else list(root)
    position = 0
    for child in children:
        if not isinstance(child.tag, str):
            continue
        position += 1
        qn = etree.QName(child)
        if qn.namespace == iso19139.GMD and qn.localname == "MD_Metadata":
            _add_iso(child, g, url, position, errors)
        elif qn.namespace == RDF_NS and qn.localname == "RDF":
            _add_rdf(etree.tostring(child), g, url, position, errors)
        elif qn.namespace in ("http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"):
            _add_rdf(_wrap(child), g, url, position, errors)
        else:
            errors.append(_("Record no. {n} of the page {url} is in a format the harvester does not read ({tag}): "
                            "ask the catalogue for ISO 19139 or DCAT (outputSchema).").format(
                                n=position, url=url[:200], tag=qn.localname[:50]))
    if results is None:
        return CswPage(g, None, errors)
    matched = _int_attr(results, "numberOfRecordsMatched")
    returned = _int_attr(results, "numberOfRecordsReturned")
    next_record = _int_attr(results, "nextRecord")
    start = _start_of(url)
    next_url: str | None = None
    if next_record and next_record > 0 and (matched is None or next_record <= matched):
        if returned == 0 or position == 0:
            raise hrdf.FeedError(_("The catalogue service (CSW) at {url} announces more records (next: {n}) "
                                   "but returned none on this page: the harvest stopped there.").format(
                                       url=url[:200], n=next_record))
        # no progress: point back at this page, which the harvester's loop guard reports
        next_url = url if next_record <= start else _with_start(url, next_record)
    return CswPage(g, next_url, errors, matched)


def _wrap(el: Any) -> bytes:
    return (b'<rdf:RDF xmlns:rdf="' + RDF_NS.encode() + b'">' + etree.tostring(el) + b"</rdf:RDF>")


def _add_rdf(data: bytes, g: rdflib.Graph, url: str, position: int, errors: list[str]) -> None:
    part = rdflib.Graph()
    try:
        part.parse(data=data, format="xml", publicID=url)
    except Exception as e:  # rdflib raises many kinds of errors on bad input
        errors.append(_("Record no. {n} of the page {url} could not be read as DCAT (RDF/XML): {error}").format(
            n=position, url=url[:200], error=str(e)[:300]))
        return
    for triple in part:
        g.add(triple)


def _add_iso(md: Any, g: rdflib.Graph, url: str, position: int, errors: list[str]) -> None:
    part = rdflib.Graph()
    try:
        iso19139.to_graph(md, part)
    except iso19139.NotARecord:
        errors.append(_("Record no. {n} of the page {url} is not an ISO 19139 record with an identification "
                        "section: it was skipped.").format(n=position, url=url[:200]))
        return
    except Exception as e:  # an odd record never stops the others
        errors.append(_("Record no. {n} of the page {url} could not be read as ISO 19139: {error}").format(
            n=position, url=url[:200], error=str(e)[:300]))
        return
    for triple in part:
        g.add(triple)
