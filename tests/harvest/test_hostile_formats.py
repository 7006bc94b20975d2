"""Hostile CSW answers (XXE, entity expansion, endless or stuck ``nextRecord``, OWS exceptions, huge answers):
each ends the job with a clear French report and deletes nothing already harvested."""
from __future__ import annotations

import json

from tests.harvest.helpers import FEEDS, commune_org, gather_errors, stats
from tests.harvest.test_formats_csw import csw_service

CSW_HEAD = (b'<?xml version="1.0"?>\n')
CSW_OPEN = (b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
            b'<csw:SearchResults numberOfRecordsMatched="%d" numberOfRecordsReturned="1" nextRecord="%d">')
CSW_CLOSE = b"</csw:SearchResults></csw:GetRecordsResponse>"


def dcat_record(n: int, title: bytes | None = None) -> bytes:
    title = title if title is not None else b"Jeu CSW %d" % n
    return (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"'
            b' xmlns:dct="http://purl.org/dc/terms/" xmlns:vcard="http://www.w3.org/2006/vcard/ns#">'
            b'<dcat:Dataset rdf:about="https://geo.example.org/records/%d"><dct:title>' % n + title +
            b'</dct:title><dct:description>Jeu de test.</dct:description>'
            b'<dct:license rdf:resource="https://www.etalab.gouv.fr/licence-ouverte-open-licence"/>'
            b'<dcat:contactPoint><vcard:Organization><vcard:fn>SIG</vcard:fn>'
            b'<vcard:hasEmail rdf:resource="mailto:sig@example.org"/></vcard:Organization></dcat:contactPoint>'
            b'</dcat:Dataset></rdf:RDF>')


def page(n: int, matched: int, next_record: int, doctype: bytes = b"", title: bytes | None = None) -> bytes:
    return CSW_HEAD + doctype + CSW_OPEN % (matched, next_record) + dcat_record(n, title) + CSW_CLOSE


def _harvested_twice(harvest, feed_server, hostile_pages, config=None):
    """A good first harvest (records 1 and 2), then the same source turns hostile: returns (org, report)."""
    org = commune_org()
    url = csw_service(feed_server, "/csw", {1: page(1, 2, 2), 2: page(2, 2, 0)})
    source = harvest.source(url, org["id"], config=json.dumps({"format": "csw", **(config or {})}))
    assert stats(harvest.run(source["id"]))["added"] == 2
    csw_service(feed_server, "/csw", hostile_pages)
    report = harvest.run(source["id"])
    assert stats(report)["deleted"] == 0
    assert {"Jeu CSW 1", "Jeu CSW 2"} <= set(harvest.datasets(org["id"]))
    return org, report


def test_xxe_in_a_csw_answer_is_refused_and_the_file_never_read(harvest, feed_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE-SECRET")
    doctype = b'<!DOCTYPE csw:GetRecordsResponse [<!ENTITY x SYSTEM "file://' + str(secret).encode() + b'">]>'
    org, report = _harvested_twice(harvest, feed_server, {1: page(1, 1, 0, doctype, b"&x;")})
    assert any("entité XML externe" in e for e in gather_errors(report)), gather_errors(report)
    assert all("MOT-DE-PASSE" not in t for t in harvest.datasets(org["id"]))


def test_billion_laughs_in_a_csw_answer_is_refused(harvest, feed_server):
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    doctype = b"<!DOCTYPE csw:GetRecordsResponse [" + entities + b"]>"
    org, report = _harvested_twice(harvest, feed_server, {1: page(1, 1, 0, doctype, b"&lol9;")})
    assert any("entités XML qui renvoient à d'autres entités" in e for e in gather_errors(report)), \
        gather_errors(report)


def test_iso_record_with_an_external_dtd_is_refused(harvest, feed_server):
    body = (FEEDS / "csw_iso_page2.xml").read_bytes().replace(
        b"<csw:GetRecordsResponse", b'<!DOCTYPE csw:GetRecordsResponse SYSTEM "' + feed_server.base.encode()
        + b'/evil.dtd"><csw:GetRecordsResponse', 1)
    org = commune_org()
    url = csw_service(feed_server, "/csw", {1: body})
    report = harvest.run(harvest.source(url, org["id"])["id"])
    assert any("DTD externe" in e for e in gather_errors(report)), gather_errors(report)
    assert stats(report)["added"] == 0


def test_endless_next_record_stops_at_the_page_cap(harvest, feed_server):
    endless = {n: page(n, 10 ** 9, n + 1) for n in range(1, 50)}
    org, report = _harvested_twice(harvest, feed_server, endless, {"max_pages": 4})
    assert len(feed_server.csw_queries) == 4
    assert any("plus de 4 pages" in e for e in gather_errors(report)), gather_errors(report)
    assert set(harvest.datasets(org["id"])) == {"Jeu CSW 1", "Jeu CSW 2", "Jeu CSW 3", "Jeu CSW 4"}


def test_next_record_that_does_not_move_forward_is_a_loop(harvest, feed_server):
    org, report = _harvested_twice(harvest, feed_server, {1: page(1, 5, 2), 2: page(2, 5, 1)})
    assert any("en boucle" in e for e in gather_errors(report)), gather_errors(report)
    assert [q["startPosition"] for q in feed_server.csw_queries] == ["1", "2"]


def test_next_record_announced_but_no_record_returned(harvest, feed_server):
    empty = CSW_HEAD + CSW_OPEN % (50, 11) + CSW_CLOSE
    org, report = _harvested_twice(harvest, feed_server, {1: empty})
    assert any("n'en a renvoyé aucune" in e for e in gather_errors(report)), gather_errors(report)


def test_ows_exception_report_is_shown_in_french(harvest, feed_server):
    body = (b'<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0">'
            b'<ows:Exception exceptionCode="InvalidParameterValue" locator="outputSchema">'
            b"<ows:ExceptionText>Unsupported outputSchema</ows:ExceptionText></ows:Exception></ows:ExceptionReport>")
    org, report = _harvested_twice(harvest, feed_server, {1: body})
    assert any("a répondu par une erreur" in e and "Unsupported outputSchema" in e for e in gather_errors(report)), \
        gather_errors(report)


def test_a_broken_record_in_a_csw_page_fails_alone_and_deletes_nothing(harvest, feed_server):
    broken = (CSW_HEAD + CSW_OPEN % (2, 0) + dcat_record(1)
              + b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:li/></rdf:RDF>' + CSW_CLOSE)
    org, report = _harvested_twice(harvest, feed_server, {1: broken})
    errors = gather_errors(report)
    assert len(errors) == 1 and "n° 2" in errors[0] and "Aucun jeu de données n'a été supprimé" in errors[0], errors


def test_huge_csw_answer_is_cut_at_the_size_cap(harvest, feed_server, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.grandest.harvest.max_page_mb", "1")
    huge = CSW_HEAD + CSW_OPEN % (1, 0) + b"<!-- " + b"x" * (3 * 1024 * 1024) + b" -->" + CSW_CLOSE
    org, report = _harvested_twice(harvest, feed_server, {1: huge})
    assert any("trop volumineux" in e for e in gather_errors(report)), gather_errors(report)
