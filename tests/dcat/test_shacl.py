"""DCAT-AP 3 conformance: the catalog and each dataset pass the SEMIC SHACL shapes with zero violations
(pySHACL, no inference), for a rich and a minimal dataset, in every format."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.util import guess_format

from tests.dcat.conftest import commune_org, minimal_dataset, rich_dataset

SHAPES = Path(__file__).parent / "shapes" / "dcat-ap_3_shacl_shapes.ttl"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES)


def violations(data: Graph, shapes: Graph) -> tuple[bool, str]:
    import pyshacl

    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                         allow_warnings=True)
    return conforms, text


def fetch(app, url: str, fmt: str) -> Graph:
    resp = app.get(url)
    assert resp.status_code == 200
    return Graph().parse(data=resp.body, format=guess_format(fmt))


@pytest.fixture
def datasets(clean_db, clean_index, with_plugins):
    org = commune_org()
    return rich_dataset(org["id"]), minimal_dataset(org["id"])


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_catalog_page_conforms(app, datasets, shapes, fmt):
    conforms, text = violations(fetch(app, f"/catalog.{fmt}", fmt), shapes)
    assert conforms, text


@pytest.mark.parametrize("which", ["rich", "minimal"])
def test_each_dataset_conforms(app, datasets, shapes, which):
    ds = datasets[0] if which == "rich" else datasets[1]
    conforms, text = violations(fetch(app, f"/dataset/{ds['id']}.ttl", "ttl"), shapes)
    assert conforms, text


@pytest.mark.ckan_config("ckanext.grandest.dcat.spatial_outline", "true")
def test_outlines_conform(app, datasets, shapes):
    g = fetch(app, "/catalog.ttl", "ttl")
    assert "locn" in dict(g.namespaces()) and len(list(g.triples((None, None, None)))) > 0
    conforms, text = violations(g, shapes)
    assert conforms, text


def test_stock_profile_alone_does_not_conform(app, datasets, shapes):
    """The anchor: ckanext-dcat's euro_dcat_ap_3 on the same catalog (its catalog has no publisher, its
    language is a literal, its formats are literals...)."""
    conforms, text = violations(fetch(app, "/catalog.ttl?profiles=euro_dcat_ap_3", "ttl"), shapes)
    assert not conforms
    assert "Results (" in text


def _violations_but_checksum_datatype(data: Graph, shapes: Graph) -> tuple[list[str], int]:
    """The violations other than ``spdx:checksumValue`` not typed ``xsd:hexBinary`` (our one deliberate
    deviation: data.gouv.fr rejects a whole dataset whose checksum is typed), and how many of those."""
    import pyshacl
    from rdflib.namespace import RDF, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    spdx = Namespace("http://spdx.org/rdf/terms#")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                     allow_warnings=True)
    others, deliberate = [], 0
    for r in results.subjects(RDF.type, sh.ValidationResult):
        if results.value(r, sh.resultSeverity) != sh.Violation:
            continue
        if results.value(r, sh.resultPath) == spdx.checksumValue and \
                results.value(r, sh.sourceConstraintComponent) == sh.DatatypeConstraintComponent:
            deliberate += 1
        else:
            others.append(f"{results.value(r, sh.resultPath)}: {results.value(r, sh.resultMessage)}")
    return others, deliberate


def test_checksums_deviate_only_by_their_plain_literal(app, clean_db, clean_index, with_plugins, shapes):
    org = commune_org()
    ds = minimal_dataset(org["id"], resources=[{
        "url": "https://www.ribeauville.fr/donnees/budget.csv", "name": "Budget", "format": "CSV",
        "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}])
    others, deliberate = _violations_but_checksum_datatype(fetch(app, f"/dataset/{ds['id']}.ttl", "ttl"), shapes)
    assert others == [] and deliberate == 1
