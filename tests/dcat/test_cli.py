"""``ckan grandest dcat export FILE [--format ...]``: the whole catalog, streamed page by page, in every format."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, Namespace
from rdflib.util import guess_format

from tests.dcat.conftest import commune_org, minimal_dataset, rich_dataset

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")


@pytest.fixture
def catalog(clean_db, clean_index, with_plugins):
    org = commune_org()
    made = [rich_dataset(org["id"])]
    made += [minimal_dataset(org["id"], name=f"jeu-{i:02d}") for i in range(6)]
    minimal_dataset(org["id"], name="prive", private=True)
    return made


def run(app, cli, args):
    from ckanext.grandest.dcat.cli import grandest

    with app.flask_app.test_request_context():
        return cli.invoke(grandest, args, catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdf"])
def test_export_whole_catalog(app, cli, catalog, tmp_path, fmt):
    target = tmp_path / f"catalogue.{fmt}"
    result = run(app, cli, ["dcat", "export", str(target), "--format", fmt, "--page-size", "3"])
    assert result.exit_code == 0, result.output
    assert "7" in result.output  # 7 datasets, said at the end
    g = Graph().parse(target, format=guess_format(fmt))
    ids = {str(g.value(d, DCT.identifier)) for d in g.subjects(RDF.type, DCAT.Dataset)}
    assert ids == {d["id"] for d in catalog}
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1 and len(list(g.objects(catalogs[0], DCAT.dataset))) == 7
    assert (None, RDF.type, Namespace("http://www.w3.org/ns/hydra/core#").PartialCollectionView) not in g
    if fmt == "jsonld":
        assert isinstance(json.loads(target.read_text()), list)
    assert not list(tmp_path.glob(".grandest-dcat-*"))  # the temporary file was renamed
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # a public catalog, not a private temp file


def test_export_conforms_to_dcat_ap(app, cli, catalog, tmp_path):
    import pyshacl

    from tests.dcat.test_shacl import SHAPES

    target = tmp_path / "catalogue.ttl"
    assert run(app, cli, ["dcat", "export", str(target), "--page-size", "2"]).exit_code == 0
    conforms, _, text = pyshacl.validate(Graph().parse(target), shacl_graph=Graph().parse(SHAPES),
                                         inference="none")
    assert conforms, text


def test_export_filters(app, cli, catalog, tmp_path):
    other = commune_org(name="commune-de-colmar", title="Commune de Colmar", insee_code="68066")
    theirs = minimal_dataset(other["id"], name="jeu-colmar")
    target = tmp_path / "colmar.ttl"
    result = run(app, cli, ["dcat", "export", str(target), "--organization", "commune-de-colmar"])
    assert result.exit_code == 0, result.output
    g = Graph().parse(target)
    assert [str(g.value(d, DCT.identifier)) for d in g.subjects(RDF.type, DCAT.Dataset)] == [theirs["id"]]


def test_export_bad_input(app, cli, catalog, tmp_path):
    result = run(app, cli, ["dcat", "export", str(tmp_path / "x.ttl"), "--modified-since", "hier"])
    assert result.exit_code != 0 and "modified_since" in result.output
    result = run(app, cli, ["dcat", "export", str(tmp_path / "nope" / "x.ttl")])
    assert result.exit_code != 0 and "nope" in result.output
    assert not (tmp_path / "x.ttl").exists()


def test_export_to_stdout(app, cli, catalog):
    result = run(app, cli, ["dcat", "export", "-", "--format", "nt"])
    assert result.exit_code == 0
    # the runner mixes the final message (stderr) into the output: keep the triples
    lines = [ln for ln in result.output.splitlines() if ln.startswith(("<", "_:"))]
    assert "7" in result.output.splitlines()[-1]
    g = Graph().parse(data="\n".join(lines), format="nt")
    assert len(set(g.subjects(RDF.type, DCAT.Dataset))) == 7
