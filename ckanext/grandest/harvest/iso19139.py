"""ISO 19139 (``gmd:MD_Metadata``, the INSPIRE metadata of GeoNetwork and Géo-IDE) → DCAT triples.

Each record becomes a ``dcat:Dataset`` in an rdflib graph, so that the harvester's one record parser (the
``grandest_dcat_ap`` profile, ckanext/grandest/dcat/parse.py) reads it like any DCAT record: licences, themes,
territories and formats are decided there, once, for every kind of source.

The mapping follows GeoDCAT-AP's ISO 19139 → DCAT-AP XSLT (SEMICeu/iso-19139-to-dcat-ap) and what
ckanext-spatial's ISO harvester reads (``ckanext/spatial/model/harvested_metadata.py``); only the mapping is
taken from them, not code:

================================================ =============================================================
ISO 19139                                         DCAT
================================================ =============================================================
fileIdentifier                                    dct:identifier (the harvest GUID, as in ckanext-spatial)
citation/title, abstract                          dct:title, dct:description
descriptiveKeywords/keyword (text or gmx:Anchor)  dcat:keyword; an INSPIRE theme anchor → dcat:theme
topicCategory                                     dct:subject (INSPIRE TopicCategory URI) and dcat:keyword
pointOfContact role pointOfContact/custodian      dcat:contactPoint (vcard:Organization, fn, hasEmail)
pointOfContact role publisher (else distributor)  dct:publisher (foaf:Organization, name, mbox)
pointOfContact role author/originator             dct:creator
citation/date creation/publication/revision       dct:created / dct:issued / dct:modified
EX_GeographicBoundingBox                          dct:spatial [dct:Location; dcat:bbox WKT polygon]
EX_TemporalExtent (gml:TimePeriod)                dct:temporal [dct:PeriodOfTime; dcat:startDate/endDate]
maintenanceAndUpdateFrequency                     dct:accrualPeriodicity (ISO code text)
language (LanguageCode)                           dct:language
onLine/CI_OnlineResource                          dcat:distribution: linkage → dcat:downloadURL (download
                                                  protocols) or dcat:accessURL; protocol (OGC:WMS, OGC:WFS…)
                                                  or distributionFormat → dct:format; name, description
useLimitation, useConstraints/otherConstraints    dct:license (URI of a gmx:Anchor, else a dct:LicenseDocument
                                                  with the text as rdfs:label): the licence decision is the
                                                  record parser's
accessConstraints/otherConstraints                dct:accessRights (URI or dct:RightsStatement + rdfs:label)
lineage/statement                                 dct:provenance [dct:ProvenanceStatement; rdfs:label]
================================================ =============================================================
"""
from __future__ import annotations

from typing import Any, Iterator

from lxml import etree  # pyright: ignore[reportAttributeAccessIssue]  # lxml.etree is compiled, without type stubs
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from ckanext.dcat.profiles.base import DCAT, DCT, FOAF, GSP, VCARD  # the namespaces of ckanext-dcat's profiles

GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
GMX = "http://www.isotc211.org/2005/gmx"
SRV = "http://www.isotc211.org/2005/srv"
GML = "http://www.opengis.net/gml"
GML32 = "http://www.opengis.net/gml/3.2"
XLINK = "http://www.w3.org/1999/xlink"
NS = {"gmd": GMD, "gco": GCO, "gmx": GMX, "srv": SRV, "gml": GML, "gml32": GML32, "xlink": XLINK}


MD_METADATA = f"{{{GMD}}}MD_Metadata"
TOPIC_CATEGORY = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/"
_DOWNLOAD_PROTOCOLS = ("download", "www:download", "file", "ftp")
_SERVICE_PROTOCOLS = ("ogc:", "esri:", "wms", "wfs", "wmts", "wcs", "atom")
MAX_DISTRIBUTIONS = 200


class NotARecord(ValueError):
    """The element is not an ISO 19139 record with something to read."""


def _xp(el: Any, path: str) -> list[Any]:
    return el.xpath(path, namespaces=NS)


def _text(el: Any) -> str | None:
    """Text of a CharacterString-like property (gco:CharacterString, gmx:Anchor, gco:Date…), stripped."""
    if el is None:
        return None
    for child in el.iterchildren(tag=etree.Element):
        t = "".join(child.itertext()).strip()
        if t:
            return t
    t = (el.text or "").strip()
    return t or None


def _first(el: Any, path: str) -> str | None:
    for node in _xp(el, path):
        t = _text(node) if isinstance(node, etree._Element) else str(node).strip()
        if t:
            return t
    return None


def _anchor(el: Any) -> str | None:
    """xlink:href of a gmx:Anchor child, when it is an http(s) URI."""
    for a in _xp(el, "gmx:Anchor"):
        href = (a.get(f"{{{XLINK}}}href") or "").strip()
        if href.startswith(("http://", "https://")):
            return href
    return None


def _code(el: Any) -> str | None:
    """Value of a codelist element (codeListValue attribute, else its text)."""
    if el is None:
        return None
    return (el.get("codeListValue") or (el.text or "")).strip() or None


def _identification(md: Any) -> Any:
    for ident in _xp(md, "gmd:identificationInfo/*"):
        return ident
    return None


def records(root: Any) -> Iterator[Any]:
    """Every gmd:MD_Metadata element of a document (the root itself, or inside a CSW answer)."""
    if root.tag == MD_METADATA:
        yield root
        return
    yield from root.iter(MD_METADATA)


def to_graph(md: Any, g: Graph) -> Any:
    """Adds the DCAT description of one MD_Metadata element to ``g``; returns the dataset node.
    NotARecord (French-free: the caller words the error) when the record has no identification section."""
    ident = _identification(md)
    if ident is None:
        raise NotARecord("no identificationInfo")
    d = BNode()
    g.add((d, RDF.type, DCAT.Dataset))
    file_id = _first(md, "gmd:fileIdentifier")
    code = _first(ident, "gmd:citation/gmd:CI_Citation/gmd:identifier/*/gmd:code")
    if file_id:
        g.add((d, DCT.identifier, Literal(file_id)))
    elif code:
        g.add((d, DCT.identifier, Literal(code)))
    title = _first(ident, "gmd:citation/gmd:CI_Citation/gmd:title")
    if title:
        g.add((d, DCT.title, Literal(title)))
    abstract = _first(ident, "gmd:abstract")
    if abstract:
        g.add((d, DCT.description, Literal(abstract)))
    lang = _code(next(iter(_xp(md, "gmd:language/gmd:LanguageCode") + _xp(ident, "gmd:language/gmd:LanguageCode")),
                      None)) or _first(ident, "gmd:language")
    if lang:
        g.add((d, DCT.language, Literal(lang)))

    _keywords(ident, d, g)
    _parties(ident, md, d, g)
    _dates(ident, d, g)
    _extents(ident, d, g)
    freq = _code(next(iter(_xp(ident, "gmd:resourceMaintenance/*/gmd:maintenanceAndUpdateFrequency/"
                                      "gmd:MD_MaintenanceFrequencyCode")), None))
    if freq:
        g.add((d, DCT.accrualPeriodicity, Literal(freq)))
    _constraints(ident, d, g)
    lineage = _first(md, "gmd:dataQualityInfo/*/gmd:lineage/gmd:LI_Lineage/gmd:statement")
    if lineage:
        prov = BNode()
        g.add((d, DCT.provenance, prov))
        g.add((prov, RDF.type, DCT.ProvenanceStatement))
        g.add((prov, RDFS.label, Literal(lineage)))
    _distributions(md, d, g)
    return d


def _keywords(ident: Any, d: Any, g: Graph) -> None:
    for kw in _xp(ident, "gmd:descriptiveKeywords/gmd:MD_Keywords/gmd:keyword"):
        href = _anchor(kw)
        text = _text(kw)
        if href and "inspire.ec.europa.eu/theme/" in href:
            g.add((d, DCAT.theme, URIRef(href)))
        if text:
            g.add((d, DCAT.keyword, Literal(text)))
    for tc in _xp(ident, "gmd:topicCategory/gmd:MD_TopicCategoryCode"):
        value = (tc.text or "").strip()
        if value:
            g.add((d, DCT.subject, URIRef(TOPIC_CATEGORY + value)))
            g.add((d, DCAT.keyword, Literal(value)))


def _party(rp: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """(organisation or person name, e-mail, web address, role code) of a CI_ResponsibleParty."""
    name = _first(rp, "gmd:organisationName") or _first(rp, "gmd:individualName") or _first(
        rp, "gmd:positionName")
    email = _first(rp, "gmd:contactInfo/*/gmd:address/*/gmd:electronicMailAddress")
    url = _first(rp, "gmd:contactInfo/*/gmd:onlineResource/*/gmd:linkage/gmd:URL")
    role = _code(next(iter(_xp(rp, "gmd:role/gmd:CI_RoleCode")), None))
    return name, email, url, (role or "").lower()


def _parties(ident: Any, md: Any, d: Any, g: Graph) -> None:
    parties = [_party(rp) for rp in _xp(ident, "gmd:pointOfContact/gmd:CI_ResponsibleParty")]
    parties += [_party(rp) for rp in _xp(ident, "gmd:citation/gmd:CI_Citation/gmd:citedResponsibleParty/"
                                                "gmd:CI_ResponsibleParty")]
    contacts = [p for p in parties if p[3] in ("pointofcontact", "custodian")] or [
        p for p in parties if p[3] not in ("author", "originator")][:1]
    for name, email, url, _ in contacts[:2]:
        node = BNode()
        g.add((d, DCAT.contactPoint, node))
        g.add((node, RDF.type, VCARD.Organization))
        if name:
            g.add((node, VCARD.fn, Literal(name)))
        if email:
            g.add((node, VCARD.hasEmail, URIRef("mailto:" + email.strip())))
        if url and url.startswith(("http://", "https://")):
            g.add((node, VCARD.hasURL, URIRef(url)))
    publisher = next((p for p in parties if p[3] == "publisher"), None) or next(
        (p for p in parties if p[3] in ("distributor", "owner")), None)
    if publisher and publisher[0]:
        node = BNode()
        g.add((d, DCT.publisher, node))
        g.add((node, RDF.type, FOAF.Organization))
        g.add((node, FOAF.name, Literal(publisher[0])))
        if publisher[1]:
            g.add((node, FOAF.mbox, URIRef("mailto:" + publisher[1].strip())))
    author = next((p for p in parties if p[3] in ("author", "originator")), None)
    if author and author[0]:
        node = BNode()
        g.add((d, DCT.creator, node))
        g.add((node, RDF.type, FOAF.Agent))
        g.add((node, FOAF.name, Literal(author[0])))
        if author[1]:
            g.add((node, FOAF.mbox, URIRef("mailto:" + author[1].strip())))


def _dates(ident: Any, d: Any, g: Graph) -> None:
    preds = {"creation": DCT.created, "publication": DCT.issued, "revision": DCT.modified}
    for ci_date in _xp(ident, "gmd:citation/gmd:CI_Citation/gmd:date/gmd:CI_Date"):
        kind = _code(next(iter(_xp(ci_date, "gmd:dateType/gmd:CI_DateTypeCode")), None))
        value = _first(ci_date, "gmd:date")
        pred = preds.get((kind or "").lower())
        if pred is not None and value and not list(g.objects(d, pred)):
            g.add((d, pred, Literal(value)))


def _num(el: Any, path: str) -> float | None:
    value = _first(el, path)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _extents(ident: Any, d: Any, g: Graph) -> None:
    extents = _xp(ident, "gmd:extent/gmd:EX_Extent | srv:extent/gmd:EX_Extent")
    for ext in extents:
        for box in _xp(ext, "gmd:geographicElement/gmd:EX_GeographicBoundingBox"):
            w, e = _num(box, "gmd:westBoundLongitude"), _num(box, "gmd:eastBoundLongitude")
            s, n = _num(box, "gmd:southBoundLatitude"), _num(box, "gmd:northBoundLatitude")
            if w is None or e is None or s is None or n is None or not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90
                                            and -90 <= n <= 90):
                continue
            loc = BNode()
            g.add((d, DCT.spatial, loc))
            g.add((loc, RDF.type, DCT.Location))
            wkt = f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"
            g.add((loc, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))
        for name in _xp(ext, "gmd:geographicElement/gmd:EX_GeographicDescription/gmd:geographicIdentifier/*/"
                             "gmd:code"):
            text, href = _text(name), _anchor(name)
            if href or text:
                loc = URIRef(href) if href else BNode()
                g.add((d, DCT.spatial, loc))
                if text:
                    g.add((loc, RDFS.label, Literal(text)))
        for period in _xp(ext, "gmd:temporalElement/*/gmd:extent/gml:TimePeriod | "
                               "gmd:temporalElement/*/gmd:extent/gml32:TimePeriod"):
            begin = _first(period, "gml:beginPosition | gml32:beginPosition | gml:begin/*/gml:timePosition | "
                                   "gml32:begin/*/gml32:timePosition")
            end = _first(period, "gml:endPosition | gml32:endPosition | gml:end/*/gml:timePosition | "
                                 "gml32:end/*/gml32:timePosition")
            if begin or end:
                node = BNode()
                g.add((d, DCT.temporal, node))
                g.add((node, RDF.type, DCT.PeriodOfTime))
                if begin:
                    g.add((node, DCAT.startDate, Literal(begin)))
                if end:
                    g.add((node, DCAT.endDate, Literal(end)))


def _rights_node(el: Any, cls: Any, g: Graph) -> Any:
    href = _anchor(el)
    if href:
        return URIRef(href)
    text = _text(el)
    if not text:
        return None
    node = BNode()
    g.add((node, RDF.type, cls))
    g.add((node, RDFS.label, Literal(text)))
    return node


def _constraints(ident: Any, d: Any, g: Graph) -> None:
    for c in _xp(ident, "gmd:resourceConstraints/*"):
        access = bool(_xp(c, "gmd:accessConstraints"))
        use = bool(_xp(c, "gmd:useConstraints"))
        for lim in _xp(c, "gmd:useLimitation"):
            node = _rights_node(lim, DCT.LicenseDocument, g)
            if node is not None:
                g.add((d, DCT.license, node))
        for other in _xp(c, "gmd:otherConstraints"):
            if access and not use:
                node = _rights_node(other, DCT.RightsStatement, g)
                if node is not None:
                    g.add((d, DCT.accessRights, node))
            else:
                node = _rights_node(other, DCT.LicenseDocument, g)
                if node is not None:
                    g.add((d, DCT.license, node))
        for code in _xp(c, "gmd:accessConstraints/gmd:MD_RestrictionCode"):
            value = _code(code)
            if value and value != "otherRestrictions":
                node = BNode()
                g.add((node, RDF.type, DCT.RightsStatement))
                g.add((node, RDFS.label, Literal(value)))
                g.add((d, DCT.accessRights, node))


def _distributions(md: Any, d: Any, g: Graph) -> None:
    formats = [f for f in (_first(fmt, "gmd:name") for fmt in _xp(
        md, "gmd:distributionInfo/gmd:MD_Distribution/gmd:distributionFormat/gmd:MD_Format")) if f]
    seen: set[str] = set()
    links = _xp(md, "gmd:distributionInfo/gmd:MD_Distribution/gmd:transferOptions/gmd:MD_DigitalTransferOptions/"
                    "gmd:onLine/gmd:CI_OnlineResource")
    for res in links[:MAX_DISTRIBUTIONS]:
        url = _first(res, "gmd:linkage/gmd:URL") or _first(res, "gmd:linkage")
        if not url or not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        protocol = _first(res, "gmd:protocol") or ""
        low = protocol.lower()
        dist = BNode()
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        service = any(s in low for s in _SERVICE_PROTOCOLS)
        download = not service and any(s in low for s in _DOWNLOAD_PROTOCOLS)
        g.add((dist, DCAT.accessURL, URIRef(url)))
        if download:
            g.add((dist, DCAT.downloadURL, URIRef(url)))
        name = _first(res, "gmd:name")
        desc = _first(res, "gmd:description")
        if name:
            g.add((dist, DCT.title, Literal(name)))
        if desc:
            g.add((dist, DCT.description, Literal(desc)))
        if service:
            g.add((dist, DCT["format"], Literal(_service_format(low) or protocol)))
        elif download and len(formats) == 1:
            g.add((dist, DCT["format"], Literal(formats[0])))
        elif protocol:
            g.add((dist, DCT["format"], Literal(protocol)))


def _service_format(protocol: str) -> str | None:
    """OGC:WMS / OGC:WFS / OGC:WMTS for the protocol strings GeoNetwork writes (``OGC:WMS-1.3.0-http-get-map``,
    ``OGC:WFS-2.0.0-http-get-capabilities``…): the record parser maps those to the vocabulary's services."""
    for kind in ("wmts", "wms", "wfs"):
        if kind in protocol:
            return "OGC:" + kind.upper()
    return None
