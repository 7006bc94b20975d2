"""Unit tests of the bounded fetcher (address checks) and of the page reader (formats, XML checks, paging).
No database, no network: addresses are only classified, never contacted."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("ip, loopback_allowed, ok", [
    ("93.184.216.34", False, True), ("2a00:1450:4007:80e::200e", False, True),
    ("127.0.0.1", False, False), ("127.0.0.1", True, True), ("::1", True, True), ("::1", False, False),
    ("10.1.2.3", True, False), ("172.16.0.1", True, False), ("192.168.1.1", True, False),
    ("169.254.169.254", True, False), ("100.64.0.1", True, False), ("0.0.0.0", True, False),
    ("224.0.0.1", True, False), ("::ffff:10.0.0.1", True, False), ("fd00::1", True, False),
    ("fe80::1", True, False), ("not-an-ip", True, False),
])
def test_address_classes(ip, loopback_allowed, ok):
    from ckanext.grandest.harvest.fetch import address_allowed

    assert address_allowed(ip, loopback_allowed) is ok


@pytest.mark.parametrize("url, ok", [
    ("https://data.example.org/catalog.ttl", True), ("http://data.example.org:8080/x?page=2", True),
    ("ftp://data.example.org/x", False), ("file:///etc/passwd", False), ("javascript:alert(1)", False),
    ("//data.example.org/x", False), ("http://", False), ("http://10.0.0.8/catalog.ttl", False),
    ("http://[::1]/catalog.ttl", False), ("http://localhost/catalog.ttl", False),
    ("http://user:pw@data.example.org/", False), ("https://" + "a" * 3000 + ".org/", False),
])
def test_check_url(url, ok):
    from ckanext.grandest.harvest.fetch import FetchError, check_url

    if ok:
        assert check_url(url) == url
    else:
        with pytest.raises(FetchError):
            check_url(url)


@pytest.mark.parametrize("content, ctype, url, configured, fmt", [
    (b"@prefix a: <x> .", "text/turtle", "http://x/c", None, "turtle"),
    (b"<rdf:RDF/>", "application/rdf+xml; charset=utf-8".split(";")[0], "http://x/c", None, "xml"),
    (b"{}", "application/ld+json", "http://x/c", None, "json-ld"),
    (b"{}", None, "http://x/catalog.jsonld?page=2", None, "json-ld"),
    (b"<x/>", None, "http://x/catalog.rdf", None, "xml"),
    (b"  [ {}", "application/octet-stream", "http://x/export", None, "json-ld"),
    (b"\xef\xbb\xbf<?xml version='1.0'?>", None, "http://x/export", None, "xml"),
    (b"<http://x/a> <http://x/b> <http://x/c> .", None, "http://x/export", None, "turtle"),
    (b"whatever", "text/turtle", "http://x/c", "json-ld", "json-ld"),
])
def test_detect_format(content, ctype, url, configured, fmt):
    from ckanext.grandest.harvest.rdf import detect_format

    assert detect_format(content, ctype, url, configured) == fmt


@pytest.mark.parametrize("content, ctype, html", [
    (b"<!DOCTYPE html><html>", "text/turtle", True), (b"  <html lang='fr'>", None, True),
    (b"x", "text/html", True), (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>", None, True),
    (b"<?xml version='1.0'?><rdf:RDF>", "application/rdf+xml", False), (b"@prefix", "text/turtle", False),
])
def test_html_is_recognised(content, ctype, html):
    from ckanext.grandest.harvest.rdf import looks_like_html

    assert looks_like_html(content, ctype) is html


@pytest.mark.parametrize("doc, ok", [
    (b"<rdf:RDF/>", True),
    (b'<!DOCTYPE rdf:RDF [<!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#">]><rdf:RDF/>', True),
    (b'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]><rdf:RDF>&x;</rdf:RDF>', False),
    (b'<!DOCTYPE rdf:RDF [<!ENTITY x PUBLIC "-//X//EN" "http://evil/x">]><rdf:RDF/>', False),
    (b'<!DOCTYPE rdf:RDF SYSTEM "http://evil/x.dtd"><rdf:RDF/>', False),
    (b'<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "http://evil/p.dtd"> %p;]><rdf:RDF/>', False),
    (b'<!DOCTYPE rdf:RDF [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><rdf:RDF/>', False),
    (b"<!DOCTYPE rdf:RDF [" + b"".join(b'<!ENTITY e%d "x">' % i for i in range(150)) + b"]><rdf:RDF/>", False),
])
def test_xml_entity_checks(doc, ok):
    from ckanext.grandest.harvest.rdf import FeedError, check_xml

    if ok:
        check_xml(doc)
    else:
        with pytest.raises(FeedError):
            check_xml(doc)


def test_remote_jsonld_contexts_are_inlined_through_the_given_loader():
    import json

    from ckanext.grandest.harvest.rdf import FeedError, inline_contexts

    calls = []

    def load(url):
        calls.append(url)
        if url.endswith("/loop.jsonld"):
            return json.dumps({"@context": "loop.jsonld"}).encode()
        return json.dumps({"@context": {"title": "http://purl.org/dc/terms/title"}}).encode()

    doc = {"@context": "ctx.jsonld", "@graph": [{"@context": ["ctx.jsonld", {"x": "y"}], "title": "T"}]}
    out = inline_contexts(doc, "http://feeds.example.org/c/catalog.jsonld", load)
    assert out["@context"] == {"title": "http://purl.org/dc/terms/title"}
    assert out["@graph"][0]["@context"][1] == {"x": "y"}
    assert calls == ["http://feeds.example.org/c/ctx.jsonld"]  # cached
    out = inline_contexts({"@context": "loop.jsonld"}, "http://feeds.example.org/", load)
    assert out["@context"] == {}  # a context importing itself ends
    with pytest.raises(FeedError):
        inline_contexts({"@context": [f"c{i}.jsonld" for i in range(20)]}, "http://feeds.example.org/", load)


def test_next_page_and_url_normalisation():
    import rdflib

    from ckanext.grandest.harvest.rdf import next_page, normalize_url

    g = rdflib.Graph().parse(format="turtle", data="""
        @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
        <http://x.org/c?page=3> a hydra:PartialCollectionView ; hydra:next <http://x.org/c?page=4> .
        <http://x.org/c?page=1> a hydra:PartialCollectionView ; hydra:next <http://x.org/c?page=2> .
        [] a hydra:PagedCollection ; hydra:nextPage "c?page=9" .""")
    assert next_page(g, "http://x.org/c?page=1") == "http://x.org/c?page=2"  # the view of this page
    assert next_page(g, "http://x.org/c?page=3") == "http://x.org/c?page=4"
    g2 = rdflib.Graph().parse(format="turtle", data="""
        @prefix hydra: <http://www.w3.org/ns/hydra/core#> . [] a hydra:PagedCollection ; hydra:nextPage "c?page=9" .""")
    assert next_page(g2, "http://x.org/dir/c") == "http://x.org/dir/c?page=9"  # relative literal
    assert next_page(rdflib.Graph(), "http://x.org/") is None
    assert normalize_url("HTTP://X.org:80/c?b=2&a=1#f") == normalize_url("http://x.org/c?a=1&b=2")
