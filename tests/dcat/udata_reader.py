"""What data.gouv.fr's DCAT harvester (udata 17.x) keeps from a feed page — a test model written from the
behaviour of udata's DCAT harvester (https://github.com/opendatateam/udata, ``udata/harvest/backends/dcat.py``
and ``udata/core/dataset/rdf.py``; data.gouv.fr's guide: https://guides.data.gouv.fr/) — a model, not udata's
code —, to check the export from the harvester's side:

* pages: the node typed ``hydra:PartialCollectionView`` and its ``hydra:next``, else ``hydra:PagedCollection``
  and ``hydra:nextPage``;
* a ``dcat:Dataset`` without ``dct:identifier`` is skipped; ``dct:title`` required;
* tags: ``dcat:keyword`` + the ``skos:prefLabel`` of each theme (when the theme has one in the graph);
* frequency: EU frequency URIs (or purl.org/cld/freq); temporal: the first ``dct:temporal`` only;
* spatial: only geometry literals (WKT ``gsp:wktLiteral`` or GeoJSON) of the spatial nodes, Polygon /
  MultiPolygon kept;
* licence: dataset ``dct:license``, then ``dct:rights``, then any distribution's ``dct:license``; an
  ``rdfs:label`` on the licence node is used instead of its URI; matched against data.gouv.fr's licence list by
  id, URL / alternate URL (case-insensitive), then host + path contained in a licence URL;
* contact point: vCard email (mailto stripped) or URL; publisher ``foaf:name`` / ``foaf:mbox``;
* distributions: ``dcat:downloadURL`` else ``dcat:accessURL`` (else dropped), ``dct:format`` (EU file-type
  URI -> code, lower case), ``dcat:mediaType`` (IANA URI -> type/subtype), ``dcat:byteSize`` (an integer),
  ``dct:conformsTo`` (schema URL), ``spdx:checksum`` (value must be a plain string; algorithm required).
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, Namespace

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
EUFREQ = "http://publications.europa.eu/resource/authority/frequency/"
EUFORMAT = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
GEOJSON = "https://www.iana.org/assignments/media-types/application/vnd.geo+json"

#: EU frequency codes data.gouv.fr maps to its own update frequencies (EU Vocabularies frequency table).
EU_FREQUENCIES = {
    "UNKNOWN", "UPDATE_CONT", "1MIN", "5MIN", "10MIN", "15MIN", "30MIN", "HOURLY", "BIHOURLY", "TRIHOURLY",
    "12HRS", "CONT", "DAILY_3", "DAILY_2", "DAILY", "WEEKLY_5", "WEEKLY_3", "WEEKLY_2", "WEEKLY", "BIWEEKLY",
    "MONTHLY_3", "MONTHLY_2", "MONTHLY", "BIMONTHLY", "QUARTERLY", "ANNUAL_3", "ANNUAL_2", "ANNUAL", "BIENNIAL",
    "TRIENNIAL", "QUADRENNIAL", "QUINQUENNIAL", "DECENNIAL", "BIDECENNIAL", "TRIDECENNIAL", "AS_NEEDED", "IRREG",
    "NEVER", "NOT_PLANNED", "OTHER",
}
CHECKSUM_ALGORITHMS = {str(SPDX.checksumAlgorithm_md5), str(SPDX.checksumAlgorithm_sha1),
                       str(SPDX.checksumAlgorithm_sha256)}

LICENCES = json.loads((Path(__file__).parent / "data" / "datagouv_licences.json").read_text(encoding="utf-8"))


def match_licence(text: str | None) -> str | None:
    """data.gouv.fr licence id for a licence string (id, URL, alternate URL, then host + path), or None."""
    if not text:
        return None
    value = text.strip().lower()
    for lic in LICENCES:
        urls = [u.lower() for u in [lic.get("url") or ""] + lic.get("alternate_urls", []) if u]
        if value == lic["id"].lower() or value in urls:
            return lic["id"]
    if value.startswith(("http://", "https://")):
        parsed = urlparse(value)
        query = parsed.netloc + parsed.path.rstrip("/")
        hits = [lic["id"] for lic in LICENCES
                if any(query in u.lower() for u in [lic.get("url") or ""] + lic.get("alternate_urls", []) if u)]
        if hits:
            return hits[0]
    return None


def _str(node) -> str | None:
    return None if node is None else str(node)


def next_page(g: Graph) -> str | None:
    for cls, prop in ((HYDRA.PartialCollectionView, HYDRA.next), (HYDRA.PagedCollection, HYDRA.nextPage)):
        if (None, RDF.type, cls) in g:
            node = g.value(predicate=RDF.type, object=cls)
            return _str(g.value(node, prop))
    return None


def read_page(g: Graph) -> list[dict]:
    return [read_dataset(g, node) for node in g.subjects(RDF.type, DCAT.Dataset)]


def _licence_strings(g: Graph, subject, predicate) -> list[str]:
    out = []
    for node in g.objects(subject, predicate):
        label = g.value(node, RDFS.label) if not isinstance(node, Literal) else None
        out.append(str(label) if label is not None else str(node))
    return out


def read_dataset(g: Graph, d) -> dict:
    identifiers = list(g.objects(d, DCT.identifier))
    out: dict = {"node": d, "identifiers": [str(i) for i in identifiers],
                 "skipped": "missing identifier" if not identifiers else None}
    out["title"] = _str(g.value(d, DCT.title))
    out["description"] = _str(g.value(d, DCT.description))
    tags = {str(k) for k in g.objects(d, DCAT.keyword)}
    for theme in g.objects(d, DCAT.theme):
        label = g.value(theme, SKOS.prefLabel) if isinstance(theme, URIRef) else theme
        if label is not None:
            tags.add(str(label))
    out["tags"] = tags
    freq = g.value(d, DCT.accrualPeriodicity)
    out["frequency"] = (str(freq)[len(EUFREQ):] if freq is not None and str(freq).startswith(EUFREQ)
                        and str(freq)[len(EUFREQ):] in EU_FREQUENCIES else None)
    temporal = g.value(d, DCT.temporal)
    out["temporal"] = None
    if temporal is not None and not isinstance(temporal, URIRef):
        out["temporal"] = (_str(g.value(temporal, DCAT.startDate)), _str(g.value(temporal, DCAT.endDate)))
    out["temporal_nodes"] = len(list(g.objects(d, DCT.temporal)))
    polygons = []
    for node in g.objects(d, DCT.spatial):
        for obj in g.objects(node, None):
            if isinstance(obj, Literal) and str(obj.datatype) in (WKT, GEOJSON):
                text = str(obj).strip().upper()
                if text.startswith(("POLYGON", "MULTIPOLYGON", "{")):
                    polygons.append(str(obj))
    out["spatial"] = polygons
    candidates = _licence_strings(g, d, DCT.license) + _licence_strings(g, d, DCT.rights)
    dist_licences = []
    resources = []
    for dist in g.objects(d, DCAT.distribution):
        dist_licences += _licence_strings(g, dist, DCT.license)
        resources.append(read_distribution(g, dist))
    out["licence_strings"] = candidates
    out["distribution_licence_strings"] = dist_licences
    out["license"] = next((m for m in map(match_licence, candidates + dist_licences) if m), None)
    out["resources"] = [r for r in resources if r["url"]]
    contact = g.value(d, DCAT.contactPoint)
    email = _str(g.value(contact, VCARD.hasEmail)) if contact is not None else None
    out["contact_email"] = email.replace("mailto:", "").strip() if email else None
    out["contact_url"] = _str(g.value(contact, VCARD.hasURL)) if contact is not None else None
    publisher = g.value(d, DCT.publisher)
    out["publisher"] = None
    if publisher is not None:
        mbox = _str(g.value(publisher, FOAF.mbox))
        out["publisher"] = {"name": _str(g.value(publisher, FOAF.name)),
                            "email": mbox.replace("mailto:", "") if mbox else None}
    out["landing_page"] = _str(g.value(d, DCAT.landingPage))
    return out


def read_distribution(g: Graph, dist) -> dict:
    url = _str(g.value(dist, DCAT.downloadURL)) or _str(g.value(dist, DCAT.accessURL))
    fmt = _str(g.value(dist, DCT["format"]))
    if fmt and fmt.startswith(EUFORMAT):
        fmt = fmt[len(EUFORMAT):]
    mime = _str(g.value(dist, DCAT.mediaType))
    if mime and mime.startswith(IANA):
        mime = "/".join(mime.split("/")[-2:])
    size = g.value(dist, DCAT.byteSize)
    checksum = g.value(dist, SPDX.checksum)
    checksum_error = None
    if checksum is not None:
        algo = g.value(checksum, SPDX.algorithm)
        value = g.value(checksum, SPDX.checksumValue)
        if algo is None:
            checksum_error = "checksum without algorithm: the dataset fails"
        elif isinstance(value, Literal) and value.datatype == XSD.hexBinary:
            checksum_error = "xsd:hexBinary checksum: the dataset fails"
        elif str(algo) not in CHECKSUM_ALGORITHMS:
            checksum_error = None
    return {
        "url": url, "title": _str(g.value(dist, DCT.title)),
        "format": fmt.lower() if fmt else None, "mime": mime,
        "filesize": size.toPython() if isinstance(size, Literal) else None,
        "schema": _str(g.value(dist, DCT.conformsTo)), "checksum_error": checksum_error,
    }
