"""Safe fetch: SSRF refusals, redirects, timeouts, size caps (local loopback server only)."""
from __future__ import annotations

import os
import socket
import time

import pytest

from ckanext.grandest.validation.engine.fetch import fetch, is_public_address, local_file
from ckanext.grandest.validation.engine.limits import Limits

from .conftest import drip

FAST = Limits(connect_timeout=2, read_timeout=2, total_timeout=5, max_redirects=3, max_download_bytes=1024 * 1024)


@pytest.mark.parametrize(
    "ip",
    ["127.0.0.1", "127.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1", "192.168.1.10", "169.254.169.254",
     "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
     "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1"],
)
def test_non_public_addresses_are_refused(ip: str) -> None:
    assert not is_public_address(ip)


def test_public_addresses_are_allowed() -> None:
    assert is_public_address("193.51.24.1")
    assert is_public_address("2001:4860:4860::8888")


def test_allow_loopback_opens_loopback_only() -> None:
    assert is_public_address("127.0.0.1", allow_loopback=True)
    assert is_public_address("::1", allow_loopback=True)
    assert not is_public_address("10.0.0.1", allow_loopback=True)
    assert not is_public_address("169.254.169.254", allow_loopback=True)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/data.csv", "http://10.1.2.3/data.csv", "http://169.254.169.254/latest/meta-data/",
     "http://[::1]/data.csv", "http://localhost:8080/x.csv", "https://192.168.0.1/x.csv",
     "http://[::ffff:10.0.0.1]/x.csv", "http://0.0.0.0:5000/"],
)
def test_ssrf_targets_are_refused_before_connecting(url: str, no_external_connect: list) -> None:
    result = fetch(url, limits=FAST)
    assert not result.ok
    assert result.error_code == "forbidden-address"
    assert "réseau privé" in (result.error_message or "")
    assert result.path is None
    assert no_external_connect == []  # not even a connection attempt


def test_hostname_resolving_to_private_address_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                         no_external_connect: list) -> None:
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    result = fetch("https://intranet.commune.example/export.csv", limits=FAST)
    assert result.error_code == "forbidden-address"
    assert no_external_connect == []


@pytest.mark.parametrize(
    ("url", "code"),
    [("file:///etc/passwd", "scheme-not-allowed"), ("ftp://ftp.example.org/data.csv", "scheme-not-allowed"),
     ("gopher://127.0.0.1/", "scheme-not-allowed"), ("http://user:secret@example.org/a.csv", "credentials-in-url"),
     ("http:///nohost", "invalid-url"), ("data.csv", "scheme-not-allowed")],
)
def test_bad_schemes_and_urls(url: str, code: str, no_external_connect: list) -> None:
    result = fetch(url, limits=FAST)
    assert not result.ok and result.error_code == code
    assert result.error_message
    assert no_external_connect == []


def test_download_ok_from_loopback_server(http_server) -> None:
    body = "nom,ville\nÉcole,Sélestat\n".encode()

    @http_server.route("/ok.csv")
    def ok(h):
        h.body(body)

    result = fetch(http_server.url("/ok.csv"), limits=FAST, allow_loopback=True)
    try:
        assert result.ok, result.error_message
        assert result.status == 200
        assert result.bytes == len(body)
        assert result.content_type.startswith("text/csv")
        assert open(result.path, "rb").read() == body
        assert result.to_dict()["final_url"] == http_server.url("/ok.csv")
    finally:
        result.cleanup()
    assert result.path is None


def test_loopback_refused_without_the_test_flag(http_server) -> None:
    result = fetch(http_server.url("/ok.csv"), limits=FAST)
    assert result.error_code == "forbidden-address"


def test_redirect_followed_and_checked(http_server) -> None:
    @http_server.route("/data.csv")
    def data(h):
        h.body(b"a,b\n1,2\n")

    @http_server.route("/go")
    def go(h):
        h.redirect("/data.csv", 301)

    result = fetch(http_server.url("/go"), limits=FAST, allow_loopback=True)
    try:
        assert result.ok
        assert result.redirects == [http_server.url("/data.csv")]
        assert result.final_url == http_server.url("/data.csv")
    finally:
        result.cleanup()


@pytest.mark.parametrize("target", ["http://10.0.0.1/data.csv", "http://169.254.169.254/latest/meta-data/",
                                    "http://[fd00::1]/x.csv", "file:///etc/passwd"])
def test_redirect_to_private_address_is_refused(http_server, target: str) -> None:
    """The loopback test server is allowed (first hop), the private target of its redirect is not."""

    @http_server.route("/evil")
    def evil(h):
        h.redirect(target)

    result = fetch(http_server.url("/evil"), limits=FAST, allow_loopback=True)
    assert not result.ok
    assert result.error_code in ("forbidden-address", "scheme-not-allowed")
    assert result.redirects == [target]
    assert result.path is None


def test_endless_redirects_stop(http_server) -> None:
    @http_server.route("/loop")
    def loop(h):
        h.redirect("/loop")

    result = fetch(http_server.url("/loop"), limits=FAST, allow_loopback=True)
    assert result.error_code == "too-many-redirects"
    assert len(result.redirects) == FAST.max_redirects + 1
    assert "tourner en rond" in result.error_message


def test_slow_drip_server_hits_the_total_deadline(http_server) -> None:
    @http_server.route("/slow")
    def slow(h):
        drip(h, total=200, every=0.1, deadline=6)

    limits = Limits(connect_timeout=1, read_timeout=1, total_timeout=1.0, max_download_bytes=1024 * 1024)
    started = time.monotonic()
    result = fetch(http_server.url("/slow"), limits=limits, allow_loopback=True)
    elapsed = time.monotonic() - started
    assert result.error_code == "total-timeout"
    assert "trop de temps" in result.error_message
    assert elapsed < 2.5
    assert result.path is None


def test_stalled_server_hits_the_read_timeout(http_server) -> None:
    @http_server.route("/stall")
    def stall(h):
        h.send_response(200)
        h.send_header("Content-Length", "100")
        h.end_headers()
        h.wfile.write(b"a,b\n")
        h.wfile.flush()
        time.sleep(2)

    limits = Limits(connect_timeout=1, read_timeout=0.3, total_timeout=5, max_download_bytes=1024 * 1024)
    result = fetch(http_server.url("/stall"), limits=limits, allow_loopback=True)
    assert result.error_code == "read-timeout"


def test_oversize_response_streamed(http_server) -> None:
    @http_server.route("/big")
    def big(h):
        h.send_response(200)
        h.end_headers()  # no Content-Length: close-delimited body
        for _ in range(64):
            h.wfile.write(b"x" * 65536)

    result = fetch(http_server.url("/big"), limits=FAST, allow_loopback=True)
    assert result.error_code == "too-large"
    assert "1,0 Mo" in result.error_message
    assert result.path is None


def test_oversize_declared_content_length(http_server) -> None:
    @http_server.route("/huge")
    def huge(h):
        h.body(b"a,b\n", length=10 ** 10)

    result = fetch(http_server.url("/huge"), limits=FAST, allow_loopback=True)
    assert result.error_code == "too-large"


def test_http_error_status(http_server) -> None:
    result = fetch(http_server.url("/missing.csv"), limits=FAST, allow_loopback=True)
    assert result.error_code == "http-error"
    assert result.status == 404
    assert "404" in result.error_message


def test_truncated_body_is_an_error(http_server) -> None:
    @http_server.route("/short")
    def short(h):
        h.body(b"a,b\n", length=1000)

    result = fetch(http_server.url("/short"), limits=FAST, allow_loopback=True)
    assert result.error_code == "connection-error"


def test_connection_refused(no_external_connect: list) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more
    result = fetch(f"http://127.0.0.1:{port}/x.csv", limits=FAST, allow_loopback=True)
    assert result.error_code == "connection-error"


def test_local_file(tmp_path) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(b"a,b\n1,2\n")
    result = local_file(str(path))
    assert result.ok and result.uploaded and result.bytes == 8
    result.cleanup()
    assert os.path.exists(path)  # an upload is never deleted by the engine
    assert local_file(str(tmp_path / "nope.csv")).error_code == "not-found"
    assert local_file(str(path), limits=Limits(max_download_bytes=4)).error_code == "too-large"


def test_next_address_tried_when_one_refuses(http_server, monkeypatch) -> None:
    """localhost may resolve to ::1 first while the server listens on 127.0.0.1 only."""
    @http_server.route("/ok.csv")
    def ok(h):
        h.body(b"a\n1\n")

    real = socket.getaddrinfo

    def both(host, port, *args, **kwargs):
        if host == "localhost":  # 127.0.0.2 refuses: the server is bound to 127.0.0.1 only
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", both)
    result = fetch(f"http://localhost:{http_server.port}/ok.csv", limits=FAST, allow_loopback=True)
    try:
        assert result.ok, result.error_message
    finally:
        result.cleanup()
