"""The profile chained after ckanext-dcat's ``euro_dcat_ap_3`` (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3
grandest_dcat_ap``, what ckanext-dcat's own serializer runs): it amends what ``euro_dcat_ap_3`` wrote instead of
erasing it. The chained output is exactly what the profile writes alone plus what ``euro_dcat_ap_3`` wrote on
predicates the profile does not write (``chain.py``, the table ``writer.OWNED``)."""
from __future__ import annotations

import copy

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, XSD

from ckanext.dcat.profiles.base import ADMS, DCAT, DCT, FOAF, LOCN, SPDX, VCARD  # ckanext-dcat's own namespaces

from tests.dcat import udata_reader
from tests.dcat.conftest import commune_org, create_dataset, rich_dataset
from tests.dcat.test_shacl import SHAPES, _violations_but_checksum_datatype

BASE = "http://test.datagrandest.example"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SOURCE = "https://www.ribeauville.fr/donnees/registre-des-actes"
NOTES = "Colonnes renommées selon le SCDL 2.1."
CHAIN = ["euro_dcat_ap_3", "grandest_dcat_ap"]

pytestmark = pytest.mark.ckan_config("ckanext.dcat.resource.inherit.license", "true")  # euro's licences


def full_dataset(org_id: str, source: bool = True, **kw) -> dict:
    """Every field of the Grand Est schema, a checksum, and two fields euro_dcat_ap_3 maps that this profile
    does not write (extras, as harvested records have: ``source`` and ``version_notes``, written by
    euro_dcat_ap_3 as dct:source, which this profile drops, and adms:versionNotes, kept)."""
    from ckan.tests import helpers

    resources = [{"url": "https://www.ribeauville.fr/donnees/deliberations-2024.csv", "name": "Délibérations 2024",
                  "description": "Une ligne par délibération.", "format": "CSV", "schema": "scdl/deliberations",
                  "schema_version": "2.1.4", "size": 48213, "hash": SHA256},
                 {"url": "https://www.ribeauville.fr/donnees/perimetre.geojson", "name": "Périmètre",
                  "format": "GEOJSON"}]
    extras = [{"key": "version_notes", "value": NOTES}] + ([{"key": "source", "value": SOURCE}] if source else [])
    ds = rich_dataset(org_id, resources=resources, extras=extras, **kw)
    return helpers.call_action("package_show", id=ds["id"])


def serialize(profiles: list[str], *datasets: dict, catalog: bool = False) -> Graph:
    """What ckanext-dcat's own serializer writes with these profiles (each dataset given a fresh copy)."""
    from ckanext.dcat.processors import RDFSerializer

    ser = RDFSerializer(profiles=profiles)
    catalog_ref = ser.graph_from_catalog({}) if catalog else None
    for ds in datasets:
        ref = ser.graph_from_dataset(copy.deepcopy(ds))
        if catalog_ref is not None:
            ser.g.add((catalog_ref, DCAT.dataset, ref))
    return ser.g


def kept_by_chain(ds: dict) -> set:
    ref = URIRef(f"{BASE}/dataset/{ds['id']}")
    return {(ref, ADMS.versionNotes, Literal(NOTES))}


def without(g: Graph, triples: set) -> Graph:
    out = Graph()
    for t in g:
        if t not in triples:
            out.add(t)
    return out


def explain(a: Graph, b: Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return (f"only in the first: {sorted(only_a)[:20]}\nonly in the second: {sorted(only_b)[:20]}")


@pytest.fixture
def full(clean_db, clean_index, with_plugins):
    return full_dataset(commune_org()["id"])


def test_chained_is_alone_plus_what_euro_wrote_on_other_predicates(full):
    alone, chained = serialize(["grandest_dcat_ap"], full), serialize(CHAIN, full)
    kept = kept_by_chain(full)
    assert kept <= set(chained)  # (c): euro_dcat_ap_3's adms:versionNotes is kept
    assert isomorphic(without(chained, kept), alone), explain(without(chained, kept), alone)
    # euro_dcat_ap_3 alone wrote them (and this profile alone does not)
    euro = serialize(["euro_dcat_ap_3"], full)
    assert kept <= set(euro) and not kept & set(alone)
    # its dct:source (a dataset it does not describe: the shapes refuse it) is decided by this profile: none
    source = (URIRef(f"{BASE}/dataset/{full['id']}"), DCT.source, URIRef(SOURCE))
    assert source in euro and source not in chained


def test_one_value_where_dcat_ap_allows_one(full):
    """(d) Each single-valued property euro_dcat_ap_3 also wrote has one value: ours."""
    g = serialize(CHAIN, full)
    d = URIRef(f"{BASE}/dataset/{full['id']}")
    for p in (DCT.title, DCT.description, DCT.identifier, DCT.license, DCT.accrualPeriodicity, DCT.temporal,
              DCT.publisher, DCAT.version, DCT.issued, DCT.modified):
        assert len(list(g.objects(d, p))) == 1, (p, list(g.objects(d, p)))
    assert g.value(d, DCT.title) == Literal(full["title"], lang="fr")
    assert g.value(d, DCT.identifier) == Literal(full["id"])
    # the contact (contact_*) and the maintainer: this profile's two, not euro_dcat_ap_3's third
    assert len(list(g.objects(d, DCAT.contactPoint))) == 2
    assert len(set(g.subjects(RDF.type, VCARD.Kind))) == 2 and len(set(g.subjects(VCARD.fn, None))) == 2
    pub = g.value(d, DCT.publisher)
    assert len(list(g.objects(pub, FOAF.name))) == 1
    dists = list(g.objects(d, DCAT.distribution))
    assert len(dists) == len(full["resources"]) == len(set(g.subjects(RDF.type, DCAT.Distribution)))
    for x in dists:
        for p in (DCT.title, DCT.license, DCT.identifier, DCT["format"], DCT.issued, DCAT.accessURL):
            assert len(list(g.objects(x, p))) == 1, (x, p, list(g.objects(x, p)))
    assert len(set(g.subjects(RDF.type, DCT.PeriodOfTime))) == 1


def test_no_unknown_ipr_and_no_typed_checksum(full):
    """(e) ckanext-dcat's ``dct:type`` UnknownIPR on the (open) licence and its ``xsd:hexBinary`` checksum,
    which data.gouv.fr rejects, do not survive; the checksum is this profile's plain literal."""
    euro = serialize(["euro_dcat_ap_3"], full)
    assert (None, DCT.type, URIRef("http://purl.org/adms/licencetype/UnknownIPR")) in euro
    assert any(o.datatype == XSD.hexBinary for o in euro.objects(None, SPDX.checksumValue))
    g = serialize(CHAIN, full)
    assert (None, DCT.type, URIRef("http://purl.org/adms/licencetype/UnknownIPR")) not in g
    values = list(g.objects(None, SPDX.checksumValue))
    assert values == [Literal(SHA256)]
    assert len(set(g.subjects(RDF.type, SPDX.Checksum))) == 1


def test_chained_passes_the_shapes_as_alone(clean_db, clean_index, with_plugins):
    """(a) The DCAT-AP 3 SHACL shapes: the same result as the profile alone (no violation but the deliberate
    plain checksum literal), euro_dcat_ap_3's adms:versionNotes kept, its dct:source (an undescribed dataset, which
    the shapes refuse) not."""
    full = full_dataset(commune_org()["id"])
    shapes = Graph().parse(SHAPES)
    alone = _violations_but_checksum_datatype(serialize(["grandest_dcat_ap"], full, catalog=True), shapes)
    chained = _violations_but_checksum_datatype(serialize(CHAIN, full, catalog=True), shapes)
    assert alone == ([], 1)
    assert chained == alone


def test_datagouv_reads_the_same(full):
    """(b) data.gouv.fr's reading of the chained output is that of the profile alone."""
    alone = udata_reader.read_dataset(serialize(["grandest_dcat_ap"], full), URIRef(f"{BASE}/dataset/{full['id']}"))
    chained = udata_reader.read_dataset(serialize(CHAIN, full), URIRef(f"{BASE}/dataset/{full['id']}"))
    assert chained == alone
    assert alone["license"] == "odc-odbl" and alone["skipped"] is None
    assert [r["checksum_error"] for r in chained["resources"]] == [None, None]


def test_catalog_of_several_datasets(clean_db, clean_index, with_plugins):
    """A whole catalog through ckanext-dcat's serializer: the organization's agent (shared by the datasets),
    the places and the catalog described once, as alone; the catalog keeps what another profile wrote on a
    predicate this profile does not write."""
    org = commune_org()
    first = full_dataset(org["id"])
    second = full_dataset(org["id"], name="deliberations-2025", territories=["commune:68269"])
    third = full_dataset(org["id"], name="sans-territoire", territories=[])
    alone = serialize(["grandest_dcat_ap"], first, second, third, catalog=True)
    chained = serialize(CHAIN, first, second, third, catalog=True)
    kept = kept_by_chain(first) | kept_by_chain(second) | kept_by_chain(third)
    assert isomorphic(without(chained, kept), alone), explain(without(chained, kept), alone)
    pub = URIRef(f"{BASE}/organization/{org['id']}")
    assert len(list(chained.objects(pub, FOAF.name))) == 1


def test_catalog_keeps_other_predicates(clean_db, clean_index, with_plugins):
    """The catalog node: another profile's statement on a predicate this profile does not write is kept, its
    values on the predicates this profile writes (title without language...) are replaced."""
    from ckanext.dcat.utils import catalog_uri

    from ckanext.grandest.dcat.profiles import GrandEstDCATAPProfile

    ref = URIRef(catalog_uri())
    g = Graph()
    rights = BNode()
    g.add((ref, RDF.type, DCAT.Catalog))
    g.add((ref, DCT.title, Literal("Un autre titre")))
    g.add((ref, DCT.rights, rights))
    g.add((rights, RDF.type, DCT.RightsStatement))
    GrandEstDCATAPProfile(g).graph_from_catalog({}, ref)
    alone = Graph()
    GrandEstDCATAPProfile(alone).graph_from_catalog({}, ref)
    assert (ref, DCT.rights, rights) in g and (rights, RDF.type, DCT.RightsStatement) in g
    assert list(g.objects(ref, DCT.title)) == list(alone.objects(ref, DCT.title))
    g.remove((ref, DCT.rights, rights))
    g.remove((rights, RDF.type, DCT.RightsStatement))
    assert isomorphic(g, alone), explain(g, alone)


def test_the_writer_writes_only_what_it_owns(clean_db, clean_index, with_plugins):
    """``writer.OWNED`` is the one list the chained case reads: every predicate the profile writes on a node it
    describes (a full dataset, the catalog) is in it, so nothing euro_dcat_ap_3 wrote can stay beside ours."""
    from ckanext.grandest.dcat.writer import OWNED

    org = commune_org()
    ds = full_dataset(org["id"])
    harvested = create_dataset(
        name="moissonne", title="Moissonné", owner_org=org["id"], notes="Venu d'ailleurs.", license_id="lov2",
        extras=[{"key": "identifier", "value": "urn:autre:1"}])
    g = serialize(["grandest_dcat_ap"], ds, harvested, catalog=True)
    kinds = {DCAT.Dataset: "dataset", DCAT.Distribution: "distribution", VCARD.Kind: "contact",
             FOAF.Agent: "agent", DCT.Location: "place", DCT.LicenseDocument: "licence", DCAT.Catalog: "catalog"}
    seen = set()
    for cls, kind in kinds.items():
        for node in g.subjects(RDF.type, cls):
            # dcat:dataset: the serializer's link from the catalog, not the profile's
            for p in set(g.predicates(node)) - {RDF.type, DCAT.dataset}:
                assert p in OWNED[kind], (kind, p)
                seen.add(kind)
    assert seen >= {"dataset", "distribution", "contact", "agent", "place", "catalog"}


def test_harvested_record_with_its_own_coverage(clean_db, clean_index, with_plugins):
    """A harvested record (its source's identifier, zone and geometry kept as extras, which euro_dcat_ap_3
    also writes: dct:identifier, a dct:Location with its geometry literal): chained, exactly this profile's
    description (one identifier, the zone and the geometry as this profile writes them)."""
    import json

    org = commune_org()
    ds = create_dataset(
        name="moissonne", title="Moissonné", owner_org=org["id"], notes="Venu d'ailleurs.", license_id="lov2",
        extras=[{"key": "identifier", "value": "urn:autre:1"},
                {"key": "spatial_uri", "value": json.dumps(["http://id.insee.fr/geo/departement/2A"])},
                {"key": "spatial", "value": json.dumps({"type": "Polygon", "coordinates": [
                    [[8.5, 41.3], [9.6, 41.3], [9.6, 42.4], [8.5, 42.4], [8.5, 41.3]]]})}])
    euro = serialize(["euro_dcat_ap_3"], ds)
    d = URIRef(f"{BASE}/dataset/{ds['id']}")
    assert Literal("urn:autre:1") in set(euro.objects(d, DCT.identifier))
    zone = euro.value(d, DCT.spatial)  # euro_dcat_ap_3's: the extra's JSON as a URI, the geometry on it
    assert (zone, LOCN.geometry, None) in euro
    alone, chained = serialize(["grandest_dcat_ap"], ds), serialize(CHAIN, ds)
    assert isomorphic(chained, alone), explain(chained, alone)
    assert list(chained.objects(d, DCT.identifier)) == [Literal(ds["id"])]


def test_a_shared_agent_keeps_its_description(clean_db, clean_index, with_plugins):
    """A record whose ``publisher_*`` extras name another organization's agent (euro_dcat_ap_3 writes that
    agent's name on it): the agent this profile described for an earlier dataset keeps its description, the
    record's publisher is its own organization, as alone."""
    first_org, other_org = commune_org(), commune_org(name="commune-de-sainte-marie", title="Commune B",
                                                      insee_code="68298")
    first = full_dataset(first_org["id"])
    agent = URIRef(f"{BASE}/organization/{first_org['id']}")
    second = full_dataset(other_org["id"], name="autre", territories=["commune:68298"])
    second["extras"] += [{"key": "publisher_uri", "value": str(agent)},
                         {"key": "publisher_name", "value": "Un autre nom"}]
    euro = serialize(["euro_dcat_ap_3"], first, second)
    assert (agent, FOAF.name, Literal("Un autre nom")) in euro
    alone, chained = serialize(["grandest_dcat_ap"], first, second), serialize(CHAIN, first, second)
    kept = kept_by_chain(first) | kept_by_chain(second)
    assert isomorphic(without(chained, kept), alone), explain(without(chained, kept), alone)
    assert list(chained.objects(agent, FOAF.name)) == [Literal("Commune de Ribeauvillé")]
    assert chained.value(URIRef(f"{BASE}/dataset/{second['id']}"), DCT.publisher) == \
        URIRef(f"{BASE}/organization/{other_org['id']}")
