"""The shared SSRF-safe client (``common/safehttp.py``): what the harvester and the validation rely on beyond
their own tests (tests/harvest/test_hostile.py, tests/validation/engine/test_fetch.py): the socket goes to the
address that was checked (one resolution per hop), gzip bodies are capped after decompression, no proxy from
the environment. Loopback test server only."""
from __future__ import annotations

import gzip
import socket
import zlib

import pytest

from ckanext.grandest.common import safehttp
from tests.validation.engine.conftest import http_server, no_external_connect  # noqa: F401 - fixtures

OPTS = safehttp.Options(max_bytes=1024 * 1024, connect_timeout=2, read_timeout=2, max_redirects=3,
                        allow_loopback=True, decompress=True)


class Body:
    def __init__(self) -> None:
        self.data = b""

    def write(self, chunk: bytes) -> None:
        self.data += chunk


def _get(url: str, options: safehttp.Options = OPTS) -> tuple[safehttp.Response, bytes]:
    body = Body()
    response = safehttp.get(url, lambda _r: body, options)
    return response, body.data


def _encoded(handler, data: bytes, encoding: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/turtle")
    handler.send_header("Content-Encoding", encoding)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def test_gzip_and_deflate_bodies_are_decompressed(http_server):
    text = "@prefix dcat: <http://www.w3.org/ns/dcat#> . # Sélestat\n".encode() * 100
    http_server.routes["/g.ttl"] = lambda h: _encoded(h, gzip.compress(text), "gzip")
    http_server.routes["/d.ttl"] = lambda h: _encoded(h, zlib.compress(text), "deflate")
    http_server.routes["/raw.ttl"] = lambda h: _encoded(h, zlib.compress(text)[2:-4], "deflate")
    for path in ("/g.ttl", "/d.ttl", "/raw.ttl"):
        response, data = _get(http_server.url(path))
        assert data == text, path
        assert response.bytes == len(text)


def test_gzip_bomb_is_cut_at_the_decompressed_cap(http_server):
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024))  # 200 MB of zeros, about 200 KB on the wire
    assert len(bomb) < OPTS.max_bytes
    http_server.routes["/bomb.ttl"] = lambda h: _encoded(h, bomb, "gzip")
    with pytest.raises(safehttp.SafeHTTPError) as err:
        _get(http_server.url("/bomb.ttl"))
    assert err.value.code == "too-large"
    assert err.value.response.bytes <= OPTS.max_bytes + safehttp.CHUNK


def test_without_decompress_the_body_is_kept_as_sent(http_server):
    packed = gzip.compress(b"a,b\n1,2\n")
    http_server.routes["/g.csv"] = lambda h: _encoded(h, packed, "gzip")
    _response, data = _get(http_server.url("/g.csv"), safehttp.Options(max_bytes=1024, allow_loopback=True))
    assert data == packed


def test_the_socket_goes_to_the_checked_address(http_server, monkeypatch, no_external_connect):  # noqa: F811
    """One resolution per hop, and the connection uses its answer: a DNS answer that changes between the check
    and the connection (rebinding) cannot send the request elsewhere."""
    http_server.routes["/ok.ttl"] = lambda h: h.body(b"ok")
    answers = iter(["127.0.0.1", "10.0.0.1"])  # a rebinding resolver: public(-ish) first, private next
    calls = []

    def rebinding(host, port, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    response, data = _get(f"http://feeds.example.org:{http_server.port}/ok.ttl")
    assert data == b"ok" and response.status == 200
    assert calls == ["feeds.example.org"]
    assert no_external_connect == [("127.0.0.1", http_server.port)]  # the address that was checked


def test_environment_proxies_are_ignored(http_server, monkeypatch):
    http_server.routes["/ok.ttl"] = lambda h: h.body(b"direct")
    monkeypatch.setenv("http_proxy", "http://10.9.9.9:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    _response, data = _get(http_server.url("/ok.ttl"))
    assert data == b"direct"


def test_error_carries_what_was_seen(http_server):
    http_server.routes["/go"] = lambda h: h.redirect("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(safehttp.SafeHTTPError) as err:
        _get(http_server.url("/go"))
    assert err.value.code == "forbidden-address"
    assert err.value.params["host"] == "169.254.169.254"
    assert err.value.response.redirects == ["http://169.254.169.254/latest/meta-data/"]
