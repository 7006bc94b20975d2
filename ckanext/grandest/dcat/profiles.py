"""The ``grandest_dcat_ap`` RDF profile: DCAT-AP 3 as data.gouv.fr reads it, on top of ckanext-dcat's
``euro_dcat_ap_3``.

Enabled with ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 grandest_dcat_ap``.

Export. The profile owns the whole description of a dataset and of the catalog. When a profile before it in
the chain (``euro_dcat_ap_3``) already described the dataset, that description is dropped and rewritten, so
the result is the same whether the profile runs alone or chained; the feeds of this plugin (``/catalog.*``,
``/dataset/<id>.*``, ``ckan grandest dcat export``) skip the profiles it extends and run it alone. What it
writes, and why (data.gouv.fr's reading: its importer, udata's ``udata/core/dataset/rdf.py``, summed up in
``docs/dcat.md``):

* a stable, non-URI ``dct:identifier`` (the CKAN id), ``dcat:landingPage`` on the portal;
* the licence on the dataset AND on every distribution, as the URL data.gouv.fr's matcher resolves, never
  with an ``rdfs:label`` (a label would win over the URL);
* ``dct:accrualPeriodicity`` as an EU frequency URI; one ``dct:PeriodOfTime`` blank node with
  ``dcat:startDate``/``dcat:endDate``;
* ``dct:spatial``: one ``dct:Location`` per territory, INSEE code-based URI, name, code and ``dcat:bbox`` as
  a WKT polygon (the literal data.gouv.fr keeps), optionally the outline (``locn:geometry``);
* themes as EU data-theme ``skos:Concept`` with ``skos:prefLabel``@fr (data.gouv.fr turns labelled themes
  into tags), keywords;
* ``dcat:contactPoint`` vCard with an email or a URL; ``dct:publisher`` ``foaf:Agent`` with ``foaf:name``,
  ``foaf:mbox``, SIREN (``dct:identifier``) and ADMS publisher type;
* distributions with access and download URLs, ``dct:format`` (EU file type), ``dcat:mediaType`` (IANA),
  ``dcat:byteSize``, ``dct:conformsTo`` the national Table Schema (exact schema.data.gouv.fr URL) **only when
  the latest validation against that schema passed** (grandest_validation); a declared schema that no passed
  validation backs is cited by a ``dqv:QualityAnnotation`` (``dct:references`` the schema, ``oa:bodyValue``
  saying why it is not claimed), which data.gouv.fr does not read as conformity;
* a resource's checksum (``hash``, an md5 / sha1 / sha256 hex digest) as ``spdx:checksum`` with
  ``spdx:algorithm`` and ``spdx:checksumValue`` as a **plain literal**: data.gouv.fr keeps that form and
  rejects the whole dataset when the value is typed ``xsd:hexBinary`` (what the DCAT-AP 3 shapes ask: the
  one SHACL deviation of this profile, on purpose);
* every object typed with the class the DCAT-AP 3 SHACL shapes expect (zero violations without inference);
* W3C DQV quality measurements when grandest_validation is enabled (``quality.py``).

Parsing is delegated to :func:`ckanext.grandest.dcat.parse.parse_dataset` (the package ``dcat/parse/``).
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import _is_valid_uri

from ckanext.dcat.profiles.base import CleanedURIRef
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import publisher_uri_organization_fallback, resource_uri

from . import config, mapping, parse
from .quality import make_scores, schema_checks
from .records import last_modification, organizations
from .vocab import (ADMS, DCAT, DCT, DQV, FOAF, GSP, HYDRA, LOCN, NAMESPACES, NS, OA, OWL, PROV, RDF, RDFS,  # noqa: F401
                    SKOS, SPDX, VCARD, XSD, date_literal)


_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_FEATURES_ATTR = "_grandest_state"

PUBLISHER_TYPE_SCHEME = URIRef("http://purl.org/adms/publishertype/1.0")


class GrandEstDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 profile of DataGrandEst (export) + Grand Est schema parsing (``parse/``)."""

    # ------------------------------------------------------------------------------------------------
    # parsing
    # ------------------------------------------------------------------------------------------------
    def parse_dataset(self, dataset_dict: dict, dataset_ref: Any) -> dict:
        return parse.parse_dataset(self, dataset_dict, dataset_ref)

    # ------------------------------------------------------------------------------------------------
    # export
    # ------------------------------------------------------------------------------------------------
    def graph_from_dataset(self, dataset_dict: dict, dataset_ref: Any) -> None:
        g = self.g
        if (dataset_ref, RDF.type, None) in g:
            # a profile before this one in the chain described the dataset: this profile owns the description
            forget(g, dataset_ref)
        state = _state(g)
        if not state.chunked:  # chunks are written with the namespaces of the first one
            _bind(g)
        DatasetWriter(g, dataset_dict, dataset_ref, state).write()

    def graph_from_catalog(self, catalog_dict: dict | None, catalog_ref: Any) -> None:
        g = self.g
        for p, o in list(g.predicate_objects(catalog_ref)):
            if p != DCAT.dataset:
                g.remove((catalog_ref, p, o))
                if isinstance(o, BNode):
                    forget(g, o)
        _bind(g)
        write_catalog(g, catalog_ref, catalog_dict or {}, _state(g))


# ----------------------------------------------------------------------------------------------------
# graph-level state (bindings, shared nodes)
# ----------------------------------------------------------------------------------------------------
class _GraphState:
    """What is shared by all datasets written in one graph (one feed page)."""

    def __init__(self, chunked: bool = False) -> None:
        #: the page is written one small graph per dataset: what was written is known from this state only
        self.chunked = chunked
        self.places: set[str] = set()
        self.lang = config.metadata_language()
        self.base = config.public_base()
        self.outline = config.spatial_outline()
        self.geometries: dict[str, BNode] = {}
        self.publishers: set[Any] = set()
        self.orgs: dict[str, dict] = {}
        self.typed: set[tuple[Any, Any]] = set()
        from ckan.plugins import PluginImplementations
        from ckanext.dcat.interfaces import IDCATURIGenerator
        from ckanext.dcat.utils import catalog_uri

        #: no plugin rewrites URIs: they are built here (same values as ckanext-dcat's functions)
        self.plain_uris = not list(PluginImplementations(IDCATURIGenerator))
        self.catalog_uri = catalog_uri().rstrip("/")

        self.quality = make_scores()
        if self.quality is not None:
            self.quality.chunked = chunked

    def resource_uri(self, res: dict, dataset_id: str) -> URIRef:
        if self.plain_uris and not (res.get("uri") and res.get("uri") != "None"):
            return URIRef(f"{self.catalog_uri}/dataset/{_path(dataset_id)}/resource/{_path(str(res['id']))}")
        return CleanedURIRef(resource_uri(res))

    def publisher_uri(self, dataset_dict: dict) -> URIRef:
        if self.plain_uris:
            return URIRef(f"{self.catalog_uri}/organization/{_path(dataset_dict['organization']['id'])}")
        return CleanedURIRef(publisher_uri_organization_fallback(dataset_dict))


def _state(g: Graph) -> _GraphState:
    state = getattr(g, _FEATURES_ATTR, None)
    if state is None:
        state = _GraphState()
        setattr(g, _FEATURES_ATTR, state)
    return state


def attach_state(g: Graph, chunked: bool = False, state: _GraphState | None = None) -> _GraphState:
    """Share one state between the graphs of a document written graph by graph (see ``catalog.Serializer``)."""
    if state is None:
        state = getattr(g, _FEATURES_ATTR, None) or _GraphState(chunked=chunked)
        state.chunked = chunked
        if state.quality is not None:
            state.quality.chunked = chunked
    setattr(g, _FEATURES_ATTR, state)
    return state


def _bind(g: Graph) -> None:
    if getattr(g, "_grandest_bound", False):
        return
    for prefix, ns in NAMESPACES.items():
        g.bind(prefix, str(ns), replace=True)
    g._grandest_bound = True  # type: ignore[attr-defined]


_OWNED = {DCAT.distribution, DCAT.contactPoint, DCT.publisher, DCT.creator, DCT.temporal, DCT.spatial}


def forget(g: Graph, node: Any, _depth: int = 0) -> None:
    """Remove what the graph says about ``node`` and the nodes it owns (blank nodes, distributions, agents).

    Shared vocabulary nodes (themes, licences, formats...) keep their types; a ``dct:type`` put on a licence
    node is removed (ckanext-dcat writes ``UnknownIPR``, which is wrong for open licences and is not a
    ``skos:Concept``)."""
    if _depth > 8:
        return
    for p, o in list(g.predicate_objects(node)):
        g.remove((node, p, o))
        if p == DCT.license:
            g.remove((o, DCT.type, None))
        elif isinstance(o, BNode) or (p in _OWNED and isinstance(o, URIRef) and p != DCT.spatial):
            forget(g, o, _depth + 1)


# ----------------------------------------------------------------------------------------------------
# small value helpers
# ----------------------------------------------------------------------------------------------------
def read_list(value: Any) -> list:
    """A list from a list, a JSON list string or a comma-separated string."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v not in (None, "")]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                data = json.loads(text)
                return [v for v in data if v not in (None, "")] if isinstance(data, list) else []
            except ValueError:
                pass
        if text.startswith("{") and text.endswith("}"):  # postgres array literal
            text = text[1:-1]
        return [v.strip() for v in text.split(",") if v.strip()]
    return [value]


def uri(value: Any) -> URIRef | None:
    """An http(s) URIRef for a URL typed by people, or None when it cannot be one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text[:8].lower().startswith(("http://", "https://")) or len(text) > 4000:
        return None
    if _PLAIN_URL.match(text):
        return URIRef(text)
    ref = CleanedURIRef(text)
    return ref if _is_valid_uri(str(ref)) and "\n" not in ref and "\t" not in ref else None


_PLAIN_URL = re.compile(r"^https?://[A-Za-z0-9.:@-]+(/[A-Za-z0-9._~%/:@&=+$-]*)?(\?[A-Za-z0-9._~%/:@&=+$?-]*)?"
                        r"(#[A-Za-z0-9._~%/:@&=+$?-]*)?$", re.I)
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~-]+$")


def _path(segment: str) -> str:
    """A URL path segment (CKAN names and ids are already safe: no quoting work for them)."""
    return segment if _SAFE_PATH.match(segment) else quote(segment, safe="")


def mailto(email: Any) -> URIRef | None:
    if not isinstance(email, str):
        return None
    text = email.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not _EMAIL.match(text):
        return None
    ref = URIRef("mailto:" + quote(text, safe="@.+-_!~*'"))
    return ref if _is_valid_uri(str(ref)) else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# ----------------------------------------------------------------------------------------------------
# organizations (publisher)
# ----------------------------------------------------------------------------------------------------
def organization_details(dataset_dict: dict, state: _GraphState) -> dict | None:
    """The dataset's organization with its schema fields (actor_type, siren, contact_email, website...).

    The feeds put the full organization in ``dataset_dict["organization"]`` (fetched once per page, marked
    ``_grandest_full``); otherwise (another caller, e.g. ckanext-dcat's own processors) it is read here, once
    per organization and graph."""
    org = dataset_dict.get("organization")
    if not isinstance(org, dict) or not org.get("id"):
        return None
    if org.get("_grandest_full"):
        return org
    cached = state.orgs.get(org["id"])
    if cached is None:
        cached = organizations([org["id"]]).get(org["id"]) or dict(org)
        state.orgs[org["id"]] = cached
    return cached


# ----------------------------------------------------------------------------------------------------
# dataset writer
# ----------------------------------------------------------------------------------------------------
class DatasetWriter:
    def __init__(self, g: Graph, dataset_dict: dict, ref: Any, state: _GraphState) -> None:
        self.g = g
        self.d = dataset_dict
        self.ref = ref
        self.state = state
        self.add = g.add

    # helpers ---------------------------------------------------------------------------------------
    def lit(self, text: str) -> Literal:
        return Literal(text, lang=self.state.lang) if self.state.lang else Literal(text)

    def typed(self, subject: Any, predicate: Any, obj: Any, cls: Any) -> None:
        self.add((subject, predicate, obj))
        key = (obj, cls)
        if key not in self.state.typed:  # shared nodes (licences, formats, themes...) are typed once
            self.state.typed.add(key)
            self.add((obj, RDF.type, cls))

    # ------------------------------------------------------------------------------------------------
    def write(self) -> None:
        d, ref, add = self.d, self.ref, self.add
        lit = self.lit
        add((ref, RDF.type, DCAT.Dataset))
        if self.state.quality is not None:
            self.state.quality.prepare(d)

        identifier = _text(d.get("id")) or _text(d.get("name"))
        if identifier:
            add((ref, DCT.identifier, Literal(identifier)))
        title = _text(d.get("title")) or _text(d.get("name")) or identifier or ""
        add((ref, DCT.title, lit(title)))
        # DCAT-AP requires a description; the schema requires notes, harvested records may lack them
        add((ref, DCT.description, lit(_text(d.get("notes")) or title)))

        name = _text(d.get("name")) or identifier
        if name:
            page = URIRef(f"{self.state.base}/dataset/{_path(name)}")
            self.typed(ref, DCAT.landingPage, page, FOAF.Document)

        for date_key, pred in (("metadata_created", DCT.issued), ("metadata_modified", DCT.modified)):
            value = date_literal(d.get(date_key))
            if value is not None:
                add((ref, pred, value))

        version = _text(d.get("version"))
        if version:
            add((ref, DCAT.version, Literal(version)))

        seen_tags = set()
        for tag in d.get("tags") or []:
            tag_name = _text(tag.get("name") if isinstance(tag, dict) else tag)
            if tag_name and tag_name not in seen_tags:
                seen_tags.add(tag_name)
                add((ref, DCAT.keyword, lit(tag_name)))

        self._themes()
        self._licence()
        self._frequency()
        self._temporal()
        self._spatial()
        self._languages()
        self._access_rights()
        self._provenance()
        self._documentation()
        self._alternate_identifier()
        self._contact_point()
        self._publisher()
        standards = self._distributions()
        for std in standards:
            self._standard(ref, std)
        self._quality()

    # dataset properties ------------------------------------------------------------------------------
    def _themes(self) -> None:
        for value in read_list(self.d.get("theme")):
            concept = mapping.theme(value)
            if concept is None:
                continue
            node = URIRef(concept.uri)
            self.typed(self.ref, DCAT.theme, node, SKOS.Concept)
            # one label only: data.gouv.fr turns the theme's skos:prefLabel into a tag and would pick any of
            # several labels at random
            self.add((node, SKOS.prefLabel, Literal(concept.fr, lang="fr")))
            self.add((node, SKOS.inScheme, URIRef(mapping.EU_DATA_THEME_SCHEME)))

    def licence_ref(self) -> URIRef | None:
        if not hasattr(self, "_licence_ref"):
            url = mapping.licence_url(self.d.get("license_id"), self.d.get("license_other_url"))
            self._licence_ref = uri(url) if url else None
        return self._licence_ref

    def _licence(self) -> None:
        lic = self.licence_ref()
        if lic is not None:
            self.typed(self.ref, DCT.license, lic, DCT.LicenseDocument)

    def _frequency(self) -> None:
        freq = mapping.frequency_uri(self.d.get("frequency"))
        if freq:
            self.typed(self.ref, DCT.accrualPeriodicity, URIRef(freq), DCT.Frequency)

    def _temporal(self) -> None:
        start = date_literal(self.d.get("temporal_start"))
        end = date_literal(self.d.get("temporal_end"))
        if start is None and end is None:
            return
        node = BNode()
        self.typed(self.ref, DCT.temporal, node, DCT.PeriodOfTime)
        if start is not None:
            self.add((node, DCAT.startDate, start))
        if end is not None:
            self.add((node, DCAT.endDate, end))

    def _spatial(self) -> None:
        places = mapping.places(read_list(self.d.get("territories")))
        own = self._harvested_spatial() if not places else False
        if not places and not own:
            org = organization_details(self.d, self.state)
            place = mapping.organization_place(org)
            places = [place] if place else []
        for place in places:
            write_place(self.g, self.ref, place, self.state)

    def _extra(self, key: str) -> str | None:
        for extra in self.d.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == key:
                return _text(extra.get("value"))
        return None

    def _harvested_spatial(self) -> bool:
        """A harvested record's own coverage when it is outside the referential: its zone URIs and its
        geometry (kept by the harvester as the ``spatial_uri`` and ``spatial`` extras). True if written."""
        written = False
        try:
            zones = json.loads(self._extra("spatial_uri") or "[]")
        except ValueError:
            zones = []
        for zone in zones if isinstance(zones, list) else []:
            node = uri(zone) if isinstance(zone, str) else None
            if node is not None:
                self.typed(self.ref, DCT.spatial, node, DCT.Location)
                written = True
        geometry = self._extra("spatial")
        if geometry:
            try:
                from geomet import wkt

                text = wkt.dumps(json.loads(geometry), decimals=6)
            except Exception:  # not a GeoJSON geometry: not exported
                text = None
            if text:
                node, geom = BNode(), BNode()
                self.typed(self.ref, DCT.spatial, node, DCT.Location)
                self.add((node, LOCN.geometry, geom))
                self.add((geom, RDF.type, LOCN.Geometry))
                self.add((geom, GSP.asWKT, Literal(text, datatype=GSP.wktLiteral)))
                written = True
        return written

    def _languages(self) -> None:
        values = [mapping.language_uri(v) for v in read_list(self.d.get("language"))]
        values = [v for v in values if v] or [mapping.voc.DEFAULT_LANGUAGE]
        for value in dict.fromkeys(values):
            self.typed(self.ref, DCT.language, URIRef(value), DCT.LinguisticSystem)

    def _access_rights(self) -> None:
        values = read_list(self.d.get("access_rights"))
        value = mapping.access_rights_uri(values[0]) if values else mapping.voc.DEFAULT_ACCESS_RIGHTS
        if value:
            self.typed(self.ref, DCT.accessRights, URIRef(value), DCT.RightsStatement)

    def _provenance(self) -> None:
        text = _text(self.d.get("provenance"))
        if text:
            node = BNode()
            self.typed(self.ref, DCT.provenance, node, DCT.ProvenanceStatement)
            self.add((node, RDFS.label, self.lit(text)))

    def _documentation(self) -> None:
        for value in read_list(self.d.get("documentation")):
            page = uri(value)
            if page is not None:
                self.typed(self.ref, FOAF.page, page, FOAF.Document)

    def _alternate_identifier(self) -> None:
        """The identifier a harvested record had at its source (kept by the harvester as an extra)."""
        original = None
        for extra in self.d.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == "identifier":
                original = _text(extra.get("value"))
        if original and original != _text(self.d.get("id")):
            node = BNode()
            self.typed(self.ref, ADMS.identifier, node, ADMS.Identifier)
            self.add((node, SKOS.notation, Literal(original)))

    def _contact_point(self) -> None:
        """The dataset's contact (``contact_*``), else its maintainer, else its organization's address; the
        maintainer, when it is someone else with an email, as a second contact point (a person)."""
        d = self.d
        email, url = mailto(d.get("contact_email")), uri(d.get("contact_url"))
        name = _text(d.get("contact_name"))
        maintainer_email = mailto(d.get("maintainer_email"))
        if email is None and url is None and maintainer_email is not None:
            email, name, maintainer_email = maintainer_email, _text(d.get("maintainer")) or name, None
        if email is None and url is None:
            org = organization_details(d, self.state) or {}
            email = mailto(org.get("contact_email")) or mailto(org.get("email"))
            url = uri(org.get("website"))
            name = name or _text(org.get("title"))
        if email is not None or url is not None:
            self._vcard(VCARD.Organization, name, email, url)
        if maintainer_email is not None and maintainer_email != email:
            self._vcard(VCARD.Individual, _text(d.get("maintainer")), maintainer_email, None)

    def _vcard(self, kind: Any, name: str | None, email: URIRef | None, url: URIRef | None) -> None:
        node = BNode()
        self.add((self.ref, DCAT.contactPoint, node))
        self.add((node, RDF.type, VCARD.Kind))
        self.add((node, RDF.type, kind))
        if name:
            self.add((node, VCARD.fn, Literal(name)))
        if email is not None:
            self.add((node, VCARD.hasEmail, email))
        if url is not None:
            self.add((node, VCARD.hasURL, url))

    def _publisher(self) -> None:
        org = organization_details(self.d, self.state)
        if org is None:
            node = catalog_publisher(self.g, self.state)
            self.add((self.ref, DCT.publisher, node))
            return
        node = self.state.publisher_uri(self.d)
        self.add((self.ref, DCT.publisher, node))
        write_agent(self.g, node, org, self.state)

    # distributions ----------------------------------------------------------------------------------
    def _distributions(self) -> list[mapping.Standard]:
        standards: dict[str, mapping.Standard] = {}
        for res in self.d.get("resources") or []:
            if not isinstance(res, dict) or not res.get("id"):
                continue
            res.setdefault("package_id", self.d.get("id"))
            std = self._distribution(res)
            if std is not None:
                standards.setdefault(std.url, std)
        return list(standards.values())

    def _distribution(self, res: dict) -> mapping.Standard | None:
        add, lit = self.add, self.lit
        dist = self.state.resource_uri(res, str(self.d.get("id") or res.get("package_id")))
        add((self.ref, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCT.identifier, Literal(str(res["id"]))))

        url_text = _text(res.get("url"))
        url = uri(url_text)
        ft = mapping.file_type(res.get("format")) or mapping.file_type(mapping.voc.guess_format(url_text))
        title = _text(res.get("name")) or _file_name(url_text) or (ft.code if ft else None) or str(res["id"])
        add((dist, DCT.title, lit(title)))
        description = _text(res.get("description"))
        if description:
            add((dist, DCT.description, lit(description)))

        name = _text(self.d.get("name")) or _text(self.d.get("id"))
        page = URIRef(f"{self.state.base}/dataset/{_path(str(name))}/resource/{_path(str(res['id']))}")
        if url is None:
            # DCAT-AP requires an access URL: the resource page on the portal
            self.typed(dist, DCAT.accessURL, page, RDFS.Resource)
        else:
            self.typed(dist, DCAT.accessURL, url, RDFS.Resource)
            if res.get("url_type") == "upload" or (ft is not None and ft.downloadable):
                self.typed(dist, DCAT.downloadURL, url, RDFS.Resource)

        if ft is not None:
            self.typed(dist, DCT["format"], URIRef(ft.uri), DCT.MediaTypeOrExtent)
        media = (ft.media_type_uri if ft else None) or mapping.media_type_uri(res.get("mimetype"))
        if media:
            self.typed(dist, DCAT.mediaType, URIRef(media), DCT.MediaType)

        size = _int(res.get("size"))
        if size is not None:
            add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))

        lic = self.licence_ref()
        if lic is not None:
            self.typed(dist, DCT.license, lic, DCT.LicenseDocument)

        checksum = checksum_of(res)
        if checksum is not None:
            algorithm, value = checksum
            node = BNode()
            self.typed(dist, SPDX.checksum, node, SPDX.Checksum)
            self.typed(node, SPDX.algorithm, SPDX["checksumAlgorithm_" + algorithm], SPDX.ChecksumAlgorithm)
            add((node, SPDX.checksumValue, Literal(value)))  # plain: data.gouv.fr refuses xsd:hexBinary

        for value in read_list(res.get("language")):
            lang_uri = mapping.language_uri(value)
            if lang_uri:
                self.typed(dist, DCT.language, URIRef(lang_uri), DCT.LinguisticSystem)

        issued = date_literal(res.get("created"))
        if issued is not None:
            add((dist, DCT.issued, issued))
        modified = date_literal(res.get("last_modified") or res.get("metadata_modified"))
        if modified is not None:
            add((dist, DCT.modified, modified))

        std = mapping.standard(res.get("schema"), res.get("schema_version")) if res.get("schema") else None
        if std is not None:
            check = self._schema_checks().get(str(res["id"]))
            checked = mapping.standard(check.get("schema"), check.get("version")) if check else None
            if check and check.get("passed") and checked is not None and checked.id == std.id:
                # claimed only when the latest validation against this schema passed (issue #12)
                std = checked
                self._standard(dist, std)
            else:
                self._declared_standard(dist, std, check)
                std = None

        if self.state.quality is not None:
            self.state.quality.resource(self.g, dist, res)
        return std

    def _standard(self, subject: Any, std: mapping.Standard) -> None:
        node = URIRef(std.url)
        self.typed(subject, DCT.conformsTo, node, DCT.Standard)
        self.add((node, DCT.title, Literal(std.title, lang="fr")))
        if std.version:
            self.add((node, OWL.versionInfo, Literal(std.version)))

    def _schema_checks(self) -> dict[str, dict]:
        if not hasattr(self, "_checks"):

            self._checks = schema_checks(self.d, self.state.quality)
        return self._checks

    def _declared_standard(self, dist: Any, std: mapping.Standard, check: dict | None) -> None:
        """A declared schema that no passed validation backs: said as a DQV quality annotation that cites the
        schema (``dct:references``), never as ``dct:conformsTo``, which data.gouv.fr displays as conformity."""
        node = URIRef(std.url)
        ann = BNode()
        self.add((dist, DQV.hasQualityAnnotation, ann))
        self.add((ann, RDF.type, DQV.QualityAnnotation))
        self.add((ann, OA.motivatedBy, DQV.qualityAssessment))
        self.add((ann, OA.hasTarget, dist))
        self.typed(ann, DCT.references, node, DCT.Standard)
        self.add((node, DCT.title, Literal(std.title, lang="fr")))
        if std.version:
            self.add((node, OWL.versionInfo, Literal(std.version)))
        if check is None:
            text = f"Schéma déclaré par le producteur : « {std.title} ». Conformité non vérifiée."
        elif check.get("passed"):
            text = f"Schéma déclaré : « {std.title} ». La dernière validation portait sur un autre schéma."
        else:
            share = check.get("valid_row_share")
            pct = f" : {float(share) * 100:.1f} % des lignes conformes".replace(".", ",") \
                if isinstance(share, (int, float)) else ""
            text = (f"Schéma déclaré : « {std.title} ». La dernière validation contre ce schéma a échoué{pct} ; "
                    "le fichier n'est pas déclaré conforme.")
        self.add((ann, OA.bodyValue, Literal(text, lang="fr")))

    def _quality(self) -> None:
        if self.state.quality is not None:
            self.state.quality.dataset(self.g, self.ref, self.d)


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(float(value)) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _file_name(url: str | None) -> str | None:
    if not url:
        return None
    last = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last if "." in last else None


# ----------------------------------------------------------------------------------------------------
# shared nodes: places, agents, catalog
# ----------------------------------------------------------------------------------------------------
_DIGEST_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256"}


def checksum_of(res: dict) -> tuple[str, str] | None:
    """``(algorithm, lower-case hex digest)`` of a resource's ``hash`` ("…", "sha256:…"), with its
    ``hash_algorithm`` when given (md5, sha1 or sha256: what data.gouv.fr stores), else by its length."""
    text = _text(res.get("hash"))
    if not text:
        return None
    algo = (_text(res.get("hash_algorithm")) or "").lower().replace("-", "")
    if ":" in text:
        prefix, _, text = text.partition(":")
        algo = algo or prefix.strip().lower().replace("-", "")
    text = text.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32,64}", text):
        return None
    algo = algo or _DIGEST_LENGTHS.get(len(text), "")
    if algo not in ("md5", "sha1", "sha256") or _DIGEST_LENGTHS.get(len(text)) != algo:
        return None
    return algo, text


def write_place(g: Graph, subject: Any, place: mapping.Place, state: _GraphState) -> None:
    node = URIRef(place.uri)
    g.add((subject, DCT.spatial, node))
    if place.key in state.places:
        return
    state.places.add(place.key)
    g.add((node, RDF.type, DCT.Location))
    g.add((node, SKOS.prefLabel, Literal(place.name, lang="fr")))
    g.add((node, DCT.identifier, Literal(place.code)))
    g.add((node, DCAT.bbox, Literal(place.bbox_wkt, datatype=GSP.wktLiteral)))
    if state.outline:
        outline = place.outline_wkt
        if outline:
            geom = state.geometries.get(place.key)
            if geom is None:
                geom = state.geometries[place.key] = BNode()
            g.add((node, LOCN.geometry, geom))
            g.add((geom, RDF.type, LOCN.Geometry))
            g.add((geom, GSP.asWKT, Literal(outline, datatype=GSP.wktLiteral)))


def write_agent(g: Graph, node: Any, org: dict, state: _GraphState) -> None:
    """A ``foaf:Agent`` for an organization: name, email, web site, SIREN, ADMS publisher type."""
    if node in state.publishers and (state.chunked or (node, RDF.type, FOAF.Organization) in g):
        return
    state.publishers.add(node)
    for p, o in list(g.predicate_objects(node)):  # written by another profile in the chain
        g.remove((node, p, o))
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, RDF.type, FOAF.Organization))
    g.add((node, FOAF.name, Literal(_text(org.get("title")) or _text(org.get("name")) or "")))
    email = mailto(org.get("contact_email")) or mailto(org.get("email"))
    if email is not None:
        g.add((node, FOAF.mbox, email))
    site = uri(org.get("website")) or uri(org.get("url"))
    if site is not None:
        g.add((node, FOAF.homepage, site))
        g.add((site, RDF.type, FOAF.Document))
    siren = mapping.organization_siren(org)
    if siren:
        g.add((node, DCT.identifier, Literal(siren)))
    ptype = mapping.publisher_type(org.get("actor_type"))
    if ptype:
        type_ref = URIRef(ptype[0])
        g.add((node, DCT.type, type_ref))
        g.add((type_ref, RDF.type, SKOS.Concept))
        g.add((type_ref, SKOS.prefLabel, Literal(ptype[1], lang="fr")))
        g.add((type_ref, SKOS.prefLabel, Literal(ptype[2], lang="en")))
        g.add((type_ref, SKOS.inScheme, PUBLISHER_TYPE_SCHEME))


def catalog_publisher(g: Graph, state: _GraphState) -> Any:
    node = getattr(state, "catalog_publisher", None)
    if node is None:
        # a URI, not a blank node: datasets without an organization refer to it from other parts of the feed
        node = state.catalog_publisher = URIRef(state.catalog_uri + "#publisher")  # type: ignore[attr-defined]
        write_agent(g, node, {
            "title": config.publisher_name(), "contact_email": config.publisher_email(),
            "website": config.publisher_url(), "siren": config.publisher_siren(),
            "actor_type": config.publisher_type(),
        }, state)
    return node


def write_catalog(g: Graph, ref: Any, catalog_dict: dict, state: _GraphState) -> None:
    lit = (lambda t: Literal(t, lang=state.lang)) if state.lang else Literal
    g.add((ref, RDF.type, DCAT.Catalog))
    g.add((ref, DCT.title, lit(_text(catalog_dict.get("title")) or config.catalog_title())))
    g.add((ref, DCT.description, lit(_text(catalog_dict.get("description")) or config.catalog_description())))
    home = uri((state.base or config.site_url()) + "/")
    if home is not None:
        g.add((ref, FOAF.homepage, home))
        g.add((home, RDF.type, FOAF.Document))
    lang = URIRef(mapping.voc.DEFAULT_LANGUAGE)
    g.add((ref, DCT.language, lang))
    g.add((lang, RDF.type, DCT.LinguisticSystem))
    g.add((ref, DCT.publisher, catalog_publisher(g, state)))
    modified = catalog_dict.get("modified")
    if modified is None:
        modified = last_modification()
    value = date_literal(modified)
    if value is not None:
        g.add((ref, DCT.modified, value))
    scheme = URIRef(mapping.EU_DATA_THEME_SCHEME)
    g.add((ref, DCAT.themeTaxonomy, scheme))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCT.title, Literal("Thèmes des données (vocabulaire de l'UE)", lang="fr")))
    g.add((scheme, DCT.title, Literal("Data theme", lang="en")))
    region = mapping.place("region:44")
    if region is not None:
        write_place(g, ref, region, state)


def dataset_refs(g: Graph) -> Iterable[Any]:
    return g.subjects(RDF.type, DCAT.Dataset)
