"""The feeds: GET and HEAD with the right Content-Type and no redirect, absolute and encoded paging links built
from ckan.site_url, stable paging (every public dataset exactly once while datasets change), private, draft and
deleted datasets absent, filters by organization and modification date, clear errors."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, Namespace
from rdflib.util import guess_format

from tests.dcat import udata_reader
from tests.dcat.conftest import commune_org, create_dataset, minimal_dataset

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
BASE = "http://test.datagrandest.example"
TYPES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "xml": "application/rdf+xml",
         "jsonld": "application/ld+json", "n3": "text/n3"}


def parse(resp, fmt: str) -> Graph:
    return Graph().parse(data=resp.body, format=guess_format(fmt))


def ids_of(g: Graph) -> list[str]:
    return [str(g.value(d, DCT.identifier)) for d in g.subjects(RDF.type, DCAT.Dataset)]


def relative(url: str) -> str:
    parts = urlparse(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    return parts.path + ("?" + parts.query if parts.query else "")


def walk(app, url: str, fmt: str = "ttl", between=None) -> tuple[list[str], list[str]]:
    """Follow hydra:next from ``url`` like data.gouv.fr; returns (dataset ids, page by page, each page sorted by
    id since RDF has no order within a page; page URLs)."""
    seen, pages = [], []
    n = 0
    while url:
        resp = app.get(relative(url))
        assert resp.status_code == 200, resp.body
        g = parse(resp, fmt)
        seen += sorted(ids_of(g))
        pages.append(url)
        url = udata_reader.next_page(g)
        n += 1
        if between and url:
            between(n)
        assert n < 100
    return seen, pages


@pytest.fixture
def org(clean_db, clean_index, with_plugins):
    return commune_org()


# --- GET / HEAD ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(TYPES))
def test_get_and_head(app, org, fmt):
    minimal_dataset(org["id"])
    for query in ("", "?page=1", "?page=2&organization=commune-de-ribeauville"):
        get = app.get(f"/catalog.{fmt}{query}", follow_redirects=False)
        assert get.status_code == 200
        assert get.headers["Content-Type"].split(";")[0] == TYPES[fmt]
        assert "Location" not in get.headers
        parse(get, fmt)
        head = app.test_client().head(f"/catalog.{fmt}{query}", follow_redirects=False)
        assert head.status_code == 200
        assert head.headers["Content-Type"].split(";")[0] == TYPES[fmt]
        assert head.body == ""


def test_format_detection_like_datagouv(app, org):
    """data.gouv.fr guesses the format from the extension, else from HEAD's Content-Type (charset ignored)."""
    from rdflib.util import guess_format

    url = f"{BASE}/catalog.ttl?page=2"
    assert guess_format(url) is None  # so data.gouv.fr asks HEAD
    head = app.test_client().head(relative(url))
    assert head.headers["Content-Type"].split(";", 1)[0] == "text/turtle"


@pytest.mark.parametrize("query, message", [
    ("?page=0", "page number"), ("?page=abc", "page number"), ("?after=garbage!", "next page"),
    ("?modified_since=hier", "modified_since"), ("?organization=a%20b", "organization"),
])
def test_bad_parameters(app, org, query, message):
    for method in (app.get, app.test_client().head):
        resp = method(f"/catalog.ttl{query}", follow_redirects=False)
        assert resp.status_code == 400
        assert resp.headers["Content-Type"].startswith("text/plain")
    body = app.get(f"/catalog.ttl{query}").body
    # French by default (the portal's locale), the English msgid otherwise
    assert body.strip() and ("page" in body or message in body or "date" in body or "organisation" in body)


def test_bad_parameters_are_explained_in_french(app, org):
    body = app.get("/catalog.ttl?page=0").body
    assert "numéro de page" in body


def test_page_after_the_end_is_empty_not_an_error(app, org):
    minimal_dataset(org["id"])
    resp = app.get("/catalog.ttl?page=50")
    assert resp.status_code == 200
    g = parse(resp, "ttl")
    assert ids_of(g) == [] and udata_reader.next_page(g) is None


# --- content ---------------------------------------------------------------------------------------------
def test_private_draft_and_deleted_datasets_never_appear(app, org):
    from ckan.tests import helpers

    public = minimal_dataset(org["id"], name="public")
    private = minimal_dataset(org["id"], name="prive", private=True)
    draft = minimal_dataset(org["id"], name="brouillon", state="draft")
    deleted = minimal_dataset(org["id"], name="supprime")
    helpers.call_action("package_delete", id=deleted["id"])
    hidden = {private["id"], draft["id"], deleted["id"]}
    for fmt in ("ttl", "rdf", "jsonld"):
        for query in ("", "?organization=commune-de-ribeauville", f"?organization={org['id']}", "?q=*:*"):
            resp = app.get(f"/catalog.{fmt}{query}")
            assert ids_of(parse(resp, fmt)) == [public["id"]]
            for ident in hidden:
                assert ident not in resp.body
    # a sysadmin reading the feed sees the same public catalog
    from ckan.tests import factories

    admin = factories.SysadminWithToken()
    resp = app.get("/catalog.ttl", headers={"Authorization": admin["token"]})
    assert ids_of(parse(resp, "ttl")) == [public["id"]]
    # and a private dataset is not served one by one to anonymous users either
    assert app.get(f"/dataset/{private['id']}.ttl", status=None).status_code in (403, 404)


def test_filter_by_organization(app, org):
    other = commune_org(name="commune-de-colmar", title="Commune de Colmar", insee_code="68066",
                        website="https://www.colmar.fr", contact_email="mairie@colmar.fr")
    a = minimal_dataset(org["id"], name="jeu-a")
    b = minimal_dataset(other["id"], name="jeu-b")
    assert ids_of(parse(app.get("/catalog.ttl?organization=commune-de-colmar"), "ttl")) == [b["id"]]
    assert ids_of(parse(app.get(f"/catalog.ttl?organization={org['id']}"), "ttl")) == [a["id"]]
    assert ids_of(parse(app.get("/catalog.ttl?organization=inconnue"), "ttl")) == []


def test_filter_by_modification_date(app, org):
    from ckan.tests import helpers

    old = minimal_dataset(org["id"], name="ancien")
    recent = minimal_dataset(org["id"], name="recent")
    since = dt.datetime.utcnow()
    helpers.call_action("package_patch", id=recent["id"], title="Mis à jour")
    got = ids_of(parse(app.get(f"/catalog.ttl?modified_since={since.isoformat()}"), "ttl"))
    assert got == [recent["id"]]
    got = ids_of(parse(app.get("/catalog.ttl?modified_since=2000-01-01"), "ttl"))
    assert sorted(got) == sorted([old["id"], recent["id"]])


# --- paging ----------------------------------------------------------------------------------------------
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
def test_walk_lists_every_public_dataset_once(app, org):
    other = commune_org(name="commune-de-colmar", title="Commune de Colmar", insee_code="68066")
    made = [minimal_dataset((org if i % 2 else other)["id"], name=f"jeu-{i:02d}") for i in range(11)]
    minimal_dataset(org["id"], name="prive", private=True)
    for fmt in ("ttl", "rdf", "jsonld"):
        seen, pages = walk(app, f"{BASE}/catalog.{fmt}", fmt)
        assert len(pages) == 3
        # creation order from page to page, each dataset once
        expected = [d["id"] for d in made]
        assert seen == sorted(expected[:4]) + sorted(expected[4:8]) + sorted(expected[8:])


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
def test_walk_is_stable_while_datasets_change(app, org):
    """Between two pages: edits, deletions, new datasets, datasets made private. Each dataset public during
    the whole walk is listed exactly once; nothing private or deleted is listed."""
    from ckan.tests import helpers

    made = [minimal_dataset(org["id"], name=f"jeu-{i:02d}") for i in range(14)]
    ids = [d["id"] for d in made]
    changes = {
        # after page 1 (jeu-00..03 read): edit everything still to come and what was read, delete a read one
        1: lambda: ([helpers.call_action("package_patch", id=i, notes="Modifié pendant la lecture du flux.")
                     for i in ids[2:9]], helpers.call_action("package_delete", id=ids[1])),
        # after page 2: a new dataset, one not yet read made private, one not yet read deleted
        2: lambda: (minimal_dataset(org["id"], name="nouveau"),
                    helpers.call_action("package_patch", id=ids[10], private=True),
                    helpers.call_action("package_delete", id=ids[11])),
        # after page 3: delete everything already read (would shift an offset-based paging by 6)
        3: lambda: [helpers.call_action("package_delete", id=i) for i in ids[:8] if i != ids[1]],
    }
    new_ids = []

    def between(n):
        result = changes.get(n, lambda: None)()
        if n == 2:
            new_ids.append(result[0]["id"])

    seen, pages = walk(app, f"{BASE}/catalog.ttl", "ttl", between)
    assert len(seen) == len(set(seen)), "a dataset was listed twice"
    always_public = [i for k, i in enumerate(ids) if k not in (10, 11)]
    for i in always_public:
        assert i in seen, "a dataset public during the whole walk was missed"
    assert ids[10] not in seen and ids[11] not in seen
    assert new_ids[0] in seen  # a dataset created during the walk is listed (last page), once


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "3")
def test_walk_with_identical_creation_dates(app, org):
    """Datasets created in the same instant (bulk imports) are ordered by id: still each exactly once."""
    from ckan import model
    from ckan.lib.search import rebuild

    made = [minimal_dataset(org["id"], name=f"jeu-{i:02d}") for i in range(8)]
    same = dt.datetime(2026, 1, 15, 10, 30, 0, 123456)
    for d in made:
        model.Session.query(model.Package).filter_by(id=d["id"]).update({"metadata_created": same})
    model.Session.commit()
    for d in made:
        rebuild(d["id"])
    seen, _ = walk(app, f"{BASE}/catalog.ttl", "ttl")
    assert seen == sorted(d["id"] for d in made)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_offset_pages_still_work(app, org):
    made = [minimal_dataset(org["id"], name=f"jeu-{i}") for i in range(5)]
    got = []
    for page in (1, 2, 3):
        got.append(set(ids_of(parse(app.get(f"/catalog.ttl?page={page}"), "ttl"))))
    ids = [d["id"] for d in made]
    assert got == [set(ids[:2]), set(ids[2:4]), {ids[4]}]


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
@pytest.mark.ckan_config("ckan.site_url", "https://data.region.example/portail")
def test_links_are_absolute_encoded_and_proxy_proof(app, org):
    for i in range(5):
        minimal_dataset(org["id"], name=f"jeu-{i}")
    since = "2000-01-01T00:00:00+01:00"
    resp = app.get(f"/catalog.ttl?organization=commune-de-ribeauville&modified_since={since.replace('+', '%2B')}",
                   base_url="http://10.0.0.12:5000",
                   headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"})
    g = parse(resp, "ttl")
    view = g.value(predicate=RDF.type, object=HYDRA.PartialCollectionView)
    assert (view, RDF.type, HYDRA.PagedCollection) in g
    nxt = str(g.value(view, HYDRA.next))
    assert nxt == str(g.value(view, HYDRA.nextPage))
    assert nxt.startswith("https://data.region.example/portail/catalog.ttl?")
    query = parse_qs(urlparse(nxt).query)
    assert query["organization"] == ["commune-de-ribeauville"]
    assert query["modified_since"] == ["1999-12-31T23:00:00"]  # read as UTC, written back encoded
    assert query["page"] == ["2"] and query["after"]
    assert ":" not in urlparse(nxt).query and " " not in nxt  # encoded
    first, last = str(g.value(view, HYDRA.first)), str(g.value(view, HYDRA.last))
    assert first.startswith("https://data.region.example/portail/catalog.ttl?")
    assert parse_qs(urlparse(last).query)["page"] == ["3"]
    assert int(g.value(view, HYDRA.totalItems)) == 5
    for url in (nxt, first, last, str(view)):
        assert "10.0.0.12" not in url and "evil.example" not in url
    # the dataset pages follow ckan.site_url too
    for d in g.subjects(RDF.type, DCAT.Dataset):
        assert str(g.value(d, DCAT.landingPage)).startswith("https://data.region.example/portail/dataset/")


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_next_link_follows_the_catalog_after_edits(app, org):
    """A next link read before datasets of page 1 are edited still continues where page 1 stopped."""
    from ckan.tests import helpers

    made = [minimal_dataset(org["id"], name=f"jeu-{i}") for i in range(4)]
    g = parse(app.get("/catalog.ttl"), "ttl")
    nxt = udata_reader.next_page(g)
    for d in made[:2]:
        helpers.call_action("package_patch", id=d["id"], notes="Modifié après la lecture de la page 1.")
    assert set(ids_of(parse(app.get(relative(nxt)), "ttl"))) == {made[2]["id"], made[3]["id"]}


def test_api_action(app, org):
    from ckan.tests import helpers

    ds = minimal_dataset(org["id"])
    out = helpers.call_action("grandest_dcat_catalog_show", format="ttl")
    assert ds["id"] in out
    with pytest.raises(Exception) as e:
        helpers.call_action("grandest_dcat_catalog_show", format="ttl", page="0")
    assert "page" in str(e.value)
    # ckanext-dcat's own action gives the same description
    stock = helpers.call_action("dcat_catalog_show", format="ttl")
    assert ds["id"] in stock and "hydra:PartialCollectionView" in stock


@pytest.mark.ckan_config("ckan.plugins", "dcat scheming_datasets grandest_dcat")
@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
@pytest.mark.ckan_config("scheming.organization_schemas", "")
def test_plugin_works_alone_on_ckan_stock_schema(app, clean_db, clean_index, with_plugins):
    """grandest_dcat without grandest_metadata: CKAN's own dataset schema, plain organizations."""
    import pyshacl
    from ckan.tests import factories

    from tests.dcat.test_shacl import SHAPES

    org = factories.Organization()
    ds = factories.Dataset(owner_org=org["id"], license_id="odc-odbl", tags=[{"name": "budget"}],
                           resources=[{"url": "https://x.example/a.csv", "format": "csv"}])
    g = parse(app.get("/catalog.ttl"), "ttl")
    assert ids_of(g) == [ds["id"]]
    conforms, _, text = pyshacl.validate(g, shacl_graph=Graph().parse(SHAPES), inference="none")
    assert conforms, text
