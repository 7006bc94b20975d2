"""The nodes shared by the datasets of a feed: places (``dct:Location``), agents (the organizations as
``foaf:Agent``), the catalog's publisher and the catalog itself."""
from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from . import config, mapping
from .records import last_modification, organizations
from .state import GraphState
from .values import mailto, text_of, uri
from .vocab import DCAT, DCT, FOAF, GSP, LOCN, RDF, SKOS, date_literal

PUBLISHER_TYPE_SCHEME = URIRef("http://purl.org/adms/publishertype/1.0")


def organization_details(dataset_dict: dict, state: GraphState) -> dict | None:
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


def write_place(g: Graph, subject: Any, place: mapping.Place, state: GraphState) -> None:
    g.add((subject, DCT.spatial, URIRef(place.uri)))
    if place.uri not in state.places:
        describe_place(g, place, state)


def describe_place(g: Graph, place: mapping.Place, state: GraphState) -> None:
    """A ``dct:Location``: name, INSEE code, bbox, and the outline when configured (once per graph)."""
    node = URIRef(place.uri)
    state.places[place.uri] = place
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


def write_agent(g: Graph, node: Any, org: dict, state: GraphState) -> None:
    """A ``foaf:Agent`` for an organization: name, email, web site, SIREN, ADMS publisher type (once per graph;
    in a chain, what another profile wrote on it was removed first: ``chain.py``)."""
    if node in state.publishers:
        return
    state.publishers[node] = org
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, RDF.type, FOAF.Organization))
    g.add((node, FOAF.name, Literal(text_of(org.get("title")) or text_of(org.get("name")) or "")))
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


def catalog_publisher(g: Graph, state: GraphState) -> Any:
    node = state.catalog_publisher
    if node is None:
        # a URI, not a blank node: datasets without an organization refer to it from other parts of the feed
        node = state.catalog_publisher = URIRef(state.catalog_uri + "#publisher")
    if node not in state.publishers:
        write_agent(g, node, {
            "title": config.publisher_name(), "contact_email": config.publisher_email(),
            "website": config.publisher_url(), "siren": config.publisher_siren(),
            "actor_type": config.publisher_type(),
        }, state)
    return node


def write_catalog(g: Graph, ref: Any, catalog_dict: dict, state: GraphState) -> None:
    lit = (lambda t: Literal(t, lang=state.lang)) if state.lang else Literal
    g.add((ref, RDF.type, DCAT.Catalog))
    g.add((ref, DCT.title, lit(text_of(catalog_dict.get("title")) or config.catalog_title())))
    g.add((ref, DCT.description, lit(text_of(catalog_dict.get("description")) or config.catalog_description())))
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
    # vocabulary labels with their language (@fr, @en): RDF data, the same for every visitor, not through _()
    g.add((scheme, DCT.title, Literal("Thèmes des données (vocabulaire de l'UE)", lang="fr")))
    g.add((scheme, DCT.title, Literal("Data theme", lang="en")))
    region = mapping.place("region:44")
    if region is not None:
        write_place(g, ref, region, state)
