"""Hostile or broken feeds are bounded: each ends the job with a clear French report, nothing is imported
from the bad page, nothing already harvested is deleted, and the worker never blows up in memory or time."""
from __future__ import annotations

import time

import pytest

from tests.harvest.helpers import FEEDS, commune_org, gather_errors, stats

RDF_HEAD = (b'<?xml version="1.0"?>\n')
RDF_BODY = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
            b'<dcat:Dataset rdf:about="http://ex.org/d/1"><dct:title>&x;</dct:title>'
            b'<dct:description>Un jeu de test.</dct:description></dcat:Dataset></rdf:RDF>')


def _run(harvest, url, config=None):
    org = commune_org()
    report = harvest.run(harvest.source(url, org["id"], config=config)["id"])
    return org, report


def test_xxe_external_entity_is_refused_and_the_file_never_read(harvest, feed_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE-SECRET")
    body = RDF_HEAD + b'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file://' + str(secret).encode() + b'">]>' + RDF_BODY
    org, report = _run(harvest, feed_server.add("/xxe.rdf", body, "application/rdf+xml"))
    assert stats(report)["added"] == 0
    assert any("entité XML externe" in e for e in gather_errors(report)), gather_errors(report)
    assert harvest.datasets(org["id"]) == {}


def test_xxe_through_an_external_dtd_is_refused(harvest, feed_server):
    body = RDF_HEAD + b'<!DOCTYPE rdf:RDF SYSTEM "' + feed_server.base.encode() + b'/evil.dtd">' + RDF_BODY
    feed_server.add("/evil.dtd", b'<!ENTITY x "pwned">', "application/xml-dtd")
    org, report = _run(harvest, feed_server.add("/dtd.rdf", body, "application/rdf+xml"))
    assert any("DTD externe" in e for e in gather_errors(report)), gather_errors(report)
    assert "/evil.dtd" not in feed_server.hits


def test_billion_laughs_is_refused(harvest, feed_server):
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    body = RDF_HEAD + b"<!DOCTYPE rdf:RDF [" + entities + b"]>" + RDF_BODY.replace(b"&x;", b"&lol9;")
    org, report = _run(harvest, feed_server.add("/lol.rdf", body, "application/rdf+xml"))
    assert any("entités XML qui renvoient à d'autres entités" in e for e in gather_errors(report)), \
        gather_errors(report)
    assert stats(report)["added"] == 0


def test_quadratic_blowup_is_refused(harvest, feed_server):
    big = b"A" * 100_000
    body = (RDF_HEAD + b'<!DOCTYPE rdf:RDF [<!ENTITY x "' + big + b'">]>'
            + RDF_BODY.replace(b"&x;", b"&x;" * 200))
    org, report = _run(harvest, feed_server.add("/quad.rdf", body, "application/rdf+xml"))
    assert any("trop de texte" in e for e in gather_errors(report)), gather_errors(report)


def test_harmless_internal_entities_are_still_read(harvest, feed_server):
    body = RDF_HEAD + b'<!DOCTYPE rdf:RDF [<!ENTITY x "Jeu avec entit\xc3\xa9">]>' + RDF_BODY
    org, report = _run(harvest, feed_server.add("/ok.rdf", body, "application/rdf+xml"),
                       config='{"default_license_id": "lov2"}')
    assert gather_errors(report) == []
    assert list(harvest.datasets(org["id"])) == ["Jeu avec entité"]


def test_endless_next_link_chain_stops_at_the_page_cap(harvest, feed_server):
    from tests.harvest.helpers import Route

    def page(path):
        if not path.startswith("/endless.ttl"):
            return None
        n = int(path.split("page=")[1]) if "page=" in path else 1
        body = (b'@prefix hydra: <http://www.w3.org/ns/hydra/core#> . '
                b'<{BASE}/endless.ttl?page=%d> a hydra:PartialCollectionView ; '
                b'hydra:next <{BASE}/endless.ttl?page=%d> .' % (n, n + 1))
        return Route(body=body)

    feed_server.fallback = page
    org, report = _run(harvest, feed_server.url("/endless.ttl"), config='{"max_pages": 7}')
    assert sum(feed_server.hits.values()) == 7
    assert any("plus de 7 pages" in e for e in gather_errors(report)), gather_errors(report)


def test_next_links_going_round_in_a_loop_are_detected(harvest, feed_server):
    a = (b'@prefix hydra: <http://www.w3.org/ns/hydra/core#> . '
         b'<{BASE}/a.ttl> a hydra:PartialCollectionView ; hydra:next <{BASE}/b.ttl> .')
    b = (b'@prefix hydra: <http://www.w3.org/ns/hydra/core#> . '
         b'<{BASE}/b.ttl> a hydra:PartialCollectionView ; hydra:next <{BASE}/a.ttl?> .')
    feed_server.add("/a.ttl", a)
    feed_server.add("/b.ttl", b)
    feed_server.add("/a.ttl?", a)
    org, report = _run(harvest, feed_server.url("/a.ttl"))
    assert any("en boucle" in e for e in gather_errors(report)), gather_errors(report)
    assert feed_server.hits["/a.ttl"] == 1 and feed_server.hits["/b.ttl"] == 1


def test_same_content_under_new_urls_is_a_loop_too(harvest, feed_server):
    from tests.harvest.helpers import Route

    body = (b'@prefix hydra: <http://www.w3.org/ns/hydra/core#> . '
            b'[] a hydra:PagedCollection ; hydra:nextPage "{BASE}/same.ttl?page=2" .')
    feed_server.fallback = lambda path: Route(body=body) if path.startswith("/same.ttl") else None
    org, report = _run(harvest, feed_server.url("/same.ttl"))
    assert any("répète une page déjà lue" in e for e in gather_errors(report)), gather_errors(report)
    assert sum(feed_server.hits.values()) == 2


def test_one_gigabyte_response_is_cut_at_the_size_cap_without_being_held_in_memory(harvest, feed_server):
    sent = {"bytes": 0}

    def gigabyte():
        chunk = b"# " + b"x" * (1024 * 1024 - 3) + b"\n"
        for _ in range(1024):
            sent["bytes"] += len(chunk)
            yield chunk

    url = feed_server.add("/huge.ttl", gigabyte)  # no Content-Length: streamed until the client hangs up
    t0 = time.monotonic()
    org, report = _run(harvest, url)
    assert any("trop volumineux" in e and "50 Mo" in e for e in gather_errors(report)), gather_errors(report)
    assert sent["bytes"] < 200 * 1024 * 1024  # the server stopped soon after the 50 MB cap
    assert time.monotonic() - t0 < 120


def test_announced_content_length_over_the_cap_is_refused_before_reading(harvest, feed_server):
    def gigabyte():
        for _ in range(1024):
            yield b"x" * (1024 * 1024)

    url = feed_server.add("/declared.ttl", gigabyte, headers={"Content-Length": str(1024 ** 3)})
    org, report = _run(harvest, url)
    assert any("trop volumineux (1024 Mo" in e for e in gather_errors(report)), gather_errors(report)


def test_a_web_page_instead_of_a_feed_is_reported_as_such(harvest, feed_server):
    html = b"<!DOCTYPE html><html><head><title>Portail</title></head><body><h1>Bienvenue</h1></body></html>"
    org, report = _run(harvest, feed_server.add("/portail", html, "text/html; charset=utf-8"))
    assert any("page web (HTML)" in e for e in gather_errors(report)), gather_errors(report)
    # also when the server calls it RDF
    org2 = commune_org(name="ville-de-colmar", title="Ville de Colmar", insee="68066")
    url = feed_server.add("/faux.rdf", html, "application/rdf+xml")
    report = harvest.run(harvest.source(url, org2["id"], name="source-2")["id"])
    assert any("page web (HTML)" in e for e in gather_errors(report)), gather_errors(report)


def test_errors_pages_and_garbage(harvest, feed_server):
    feed_server.add("/err.ttl", b"oops", status=500)
    org, report = _run(harvest, feed_server.url("/err.ttl"))
    assert any("a répondu par une erreur (500)" in e for e in gather_errors(report)), gather_errors(report)
    org2 = commune_org(name="ville-de-colmar", title="Ville de Colmar", insee="68066")
    url = feed_server.add("/garbage.ttl", b"@prefix : <x> . ceci n'est pas du turtle ;;;")
    report = harvest.run(harvest.source(url, org2["id"], name="source-2")["id"])
    assert any("n'a pas pu être lu comme Turtle" in e for e in gather_errors(report)), gather_errors(report)


def test_loopback_feeds_are_refused_in_production_config(harvest, feed_server, ckan_config, monkeypatch):
    url = feed_server.add_file("/ckan/catalog.ttl", "ckan_page2.ttl")
    org = commune_org()
    source = harvest.source(url, org["id"])
    monkeypatch.setitem(ckan_config, "ckanext.grandest.harvest.allow_loopback", "false")
    report = harvest.run(source["id"])
    assert any("réseau local ou privé" in e for e in gather_errors(report)), gather_errors(report)
    assert feed_server.hits == {}  # refused before anything was sent


def test_redirect_to_a_private_address_is_refused(harvest, feed_server):
    url = feed_server.add("/redirect.ttl", b"", status=302, headers={"Location": "http://10.20.30.40/catalog.ttl"})
    org, report = _run(harvest, url)
    assert any("10.20.30.40" in e and "réseau local ou privé" in e for e in gather_errors(report)), \
        gather_errors(report)


def test_slow_drip_is_cut_at_the_time_cap(harvest, feed_server, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.grandest.harvest.max_gather_seconds", "3")

    def drip():
        for _ in range(60):
            yield b"# ...\n"
            time.sleep(0.25)

    url = feed_server.add("/drip.ttl", drip)
    t0 = time.monotonic()
    org, report = _run(harvest, url)
    assert time.monotonic() - t0 < 12
    assert any("plus longtemps que permis" in e for e in gather_errors(report)), gather_errors(report)


def test_a_broken_page_after_good_ones_keeps_what_was_read_and_deletes_nothing(harvest, feed_server):
    feed_server.add_file("/ckan/catalog.ttl", "ckan_page1.ttl")
    page2 = feed_server.add_file("/ckan/catalog.ttl?page=2", "ckan_page2.ttl")
    org = commune_org()
    source = harvest.source(feed_server.url("/ckan/catalog.ttl"), org["id"])
    assert stats(harvest.run(source["id"]))["added"] == 3
    feed_server.routes["/ckan/catalog.ttl?page=2"].status = 503
    report = harvest.run(source["id"])
    assert stats(report)["deleted"] == 0
    assert any("503" in e and "aucun n'est supprimé" in e for e in gather_errors(report)), gather_errors(report)
    assert len(harvest.datasets(org["id"])) == 3
    assert page2
