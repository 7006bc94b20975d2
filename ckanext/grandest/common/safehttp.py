"""The one SSRF-safe HTTP(S) client of the suite: harvested feeds and linked resources go through :func:`get`.

No CKAN import (the validation engine, which runs without CKAN, uses it). Defences:

* only ``http`` and ``https`` URLs, with a host and without credentials (:func:`check_url`); a host written
  as an IP address, or ``localhost``, is checked at once, before any resolution;
* the host is resolved here (with a timeout) and **every** resolved address must be public
  (:func:`is_public_address`: private, loopback, link-local — 169.254.169.254, the cloud metadata service —,
  multicast, reserved, unspecified, shared 100.64/10 and IPv4 embedded in IPv6, mapped or NAT64, are
  refused). The socket then connects to the address that was checked (no second resolution, so DNS
  rebinding cannot swap it); the TLS certificate is still verified against the host name;
* redirects are followed by hand, at most ``max_redirects``, and every new location is checked like the first;
* connect and read timeouts never exceed the time left before the total ``deadline``, and a watchdog shuts
  the socket down when it passes (a server dripping one byte a second cannot hold a worker);
* a size cap on the announced ``Content-Length`` and again while streaming; with ``decompress`` (gzip and
  deflate accepted) the cap applies to the decompressed bytes, inflated a bounded piece at a time (a gzip
  bomb is cut, never held in memory);
* no proxy from the environment (nothing reads ``*_proxy``), no cookies, one GET per hop.

``allow_loopback`` exists for tests and local set-ups only (servers on 127.0.0.1 / ::1); it never opens
private ranges. Errors are :class:`SafeHTTPError` with a stable ``code``; each caller turns the codes into
its own messages (the harvester's :class:`~ckanext.grandest.harvest.fetch.FetchError`, the validation
engine's ``fetch_error_message``).
"""
from __future__ import annotations

import dataclasses
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")

#: Error codes: invalid-url, scheme-not-allowed, credentials-in-url, forbidden-address (host, ip),
#: dns-error, dns-timeout (host), connect-timeout, connection-error, tls-error, read-timeout, total-timeout,
#: too-many-redirects (limit), http-error (status), too-large (limit, declared), interrupted (the body was cut).
CODES = ("invalid-url", "scheme-not-allowed", "credentials-in-url", "forbidden-address", "dns-error",
         "dns-timeout", "connect-timeout", "connection-error", "tls-error", "read-timeout", "total-timeout",
         "too-many-redirects", "http-error", "too-large", "interrupted")


class SafeHTTPError(Exception):
    """A request refused or failed; ``code`` is one of :data:`CODES`, ``params`` its details."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclasses.dataclass(frozen=True)
class Options:
    max_bytes: int
    connect_timeout: float = 10.0
    """Seconds for the DNS resolution and the TCP/TLS connection, per hop."""
    read_timeout: float = 30.0
    """Seconds allowed between two reads of the socket."""
    max_redirects: int = 5
    allow_loopback: bool = False
    user_agent: str = "DataGrandEst/1.0 (+ckanext-grandest)"
    accept: str = "*/*"
    decompress: bool = False
    """Ask for gzip/deflate and hand the sink the decompressed bytes (capped at ``max_bytes`` too)."""


@dataclasses.dataclass
class Response:
    """What is known of a request so far (also on :class:`SafeHTTPError`, as ``error.response``)."""

    url: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    bytes: int = 0
    """Bytes handed to the sink (decompressed ones with ``decompress``)."""
    redirects: list[str] = dataclasses.field(default_factory=list)


class Sink(Protocol):
    def write(self, data: bytes, /) -> Any: ...


def is_public_address(ip: str, *, allow_loopback: bool = False) -> bool:
    """True when a connection to ``ip`` may leave the machine towards the public Internet (or a loopback
    address, when allowed)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        elif addr in _NAT64:
            addr = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr.is_loopback:
        return allow_loopback
    return not (addr.is_private or addr.is_link_local or addr.is_multicast or addr.is_reserved
                or addr.is_unspecified or not addr.is_global)


def check_url(url: str, *, allow_loopback: bool = False) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path)`` of an absolute http(s) URL; SafeHTTPError otherwise. A host written as
    an IP address, or ``localhost``, is checked here (other names when they are resolved)."""
    try:
        parts = urlsplit(url)
    except (ValueError, TypeError, AttributeError) as exc:
        raise SafeHTTPError("invalid-url") from exc
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise SafeHTTPError("scheme-not-allowed", scheme=scheme or "?")
    if parts.username is not None or parts.password is not None:
        raise SafeHTTPError("credentials-in-url")
    host = parts.hostname
    if not host:
        raise SafeHTTPError("invalid-url")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise SafeHTTPError("invalid-url") from exc
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        literal = True
    except ValueError:
        literal = False
    if literal and not is_public_address(host, allow_loopback=allow_loopback):
        raise SafeHTTPError("forbidden-address", host=host, ip=host)
    if not literal and host.lower().rstrip(".") in _LOCAL_NAMES and not allow_loopback:
        raise SafeHTTPError("forbidden-address", host=host, ip="127.0.0.1")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def resolve(host: str, port: int, timeout: float) -> list[str]:
    """getaddrinfo with a timeout (the libc call has none), in a daemon thread; addresses in its order."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # noqa: BLE001 - reported as dns-error
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="grandest-dns")
    thread.start()
    thread.join(max(timeout, 0.001))
    if thread.is_alive():
        raise SafeHTTPError("dns-timeout", host=host)
    if "error" in box:
        raise SafeHTTPError("dns-error", host=host)
    ips: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in box["infos"]:
        if sockaddr[0] not in ips:
            ips.append(sockaddr[0])
    if not ips:
        raise SafeHTTPError("dns-error", host=host)
    return ips


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a host name whose socket goes to an already-checked IP address."""

    def __init__(self, host: str, port: int, ip: str, *, tls: bool, connect_timeout: float,
                 read_timeout: float) -> None:
        super().__init__(host, port, timeout=connect_timeout)
        self._ip = ip
        self._tls = tls
        self._read_timeout = read_timeout
        self._lock = threading.Lock()
        self.aborted = False

    def connect(self) -> None:
        family = socket.AF_INET6 if ":" in self._ip else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        with self._lock:
            if self.aborted:
                sock.close()
                raise SafeHTTPError("total-timeout")
            self.sock = sock
        try:
            sock.connect((self._ip, self.port))
        except TimeoutError as exc:
            raise SafeHTTPError("total-timeout" if self.aborted else "connect-timeout") from exc
        except OSError as exc:
            raise SafeHTTPError("total-timeout" if self.aborted else "connection-error") from exc
        if self._tls:
            context = ssl.create_default_context()
            try:
                tls_sock = context.wrap_socket(sock, server_hostname=self.host)
            except (ssl.SSLError, ssl.CertificateError) as exc:
                raise SafeHTTPError("total-timeout" if self.aborted else "tls-error") from exc
            except OSError as exc:
                raise SafeHTTPError("total-timeout" if self.aborted else "connection-error") from exc
            with self._lock:
                self.sock = tls_sock
        self.sock.settimeout(self._read_timeout)

    def abort(self) -> None:
        """Called by the watchdog thread: unblock any pending connect() or recv()."""
        with self._lock:
            self.aborted = True
            sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def get(url: str, open_sink: Callable[[Response], Sink], options: Options, *,
        deadline: float | None = None) -> Response:
    """GET ``url`` within ``options`` and before ``deadline`` (``time.monotonic()``; None: only the per-read
    timeouts). ``open_sink(response)`` is called once a 2xx answer's body starts; the body goes to its
    ``write`` (the caller closes it). Raises :class:`SafeHTTPError` (with ``error.response``)."""
    response = Response(url=url)
    current = url
    try:
        for _hop in range(options.max_redirects + 1):
            scheme, host, port, path = check_url(current, allow_loopback=options.allow_loopback)
            left = _left(deadline)
            ips = resolve(host, port, min(options.connect_timeout, left))
            refused = [ip for ip in ips if not is_public_address(ip, allow_loopback=options.allow_loopback)]
            if refused:
                raise SafeHTTPError("forbidden-address", host=host, ip=refused[0])
            target = None
            for index, ip in enumerate(ips):  # like a browser: the next address when one refuses to connect
                response.status = None
                try:
                    target = _one_request(response, current, (scheme, host, port, path), ip, open_sink,
                                          options, deadline)
                    break
                except SafeHTTPError as exc:
                    if exc.code != "connection-error" or response.status is not None or index == len(ips) - 1:
                        raise
            if target is None:
                return response
            current = target
        raise SafeHTTPError("too-many-redirects", limit=options.max_redirects)
    except SafeHTTPError as exc:
        exc.response = response  # type: ignore[attr-defined]
        raise


def _left(deadline: float | None) -> float:
    if deadline is None:
        return float("inf")
    left = deadline - time.monotonic()
    if left <= 0:
        raise SafeHTTPError("total-timeout")
    return left


def _one_request(response: Response, current: str, target: tuple[str, str, int, str], ip: str,
                 open_sink: Callable[[Response], Sink], options: Options, deadline: float | None) -> str | None:
    """One GET; returns the redirect target, or ``None`` once the body went to the sink."""
    scheme, host, port, path = target
    left = _left(deadline)
    conn = _PinnedConnection(host, port, ip, tls=scheme == "https",
                             connect_timeout=min(options.connect_timeout, left),
                             read_timeout=min(options.read_timeout, left))
    watchdog = None
    if deadline is not None:
        watchdog = threading.Timer(max(left, 0.001), conn.abort)
        watchdog.daemon = True
        watchdog.start()
    try:
        try:
            conn.request("GET", path, headers={
                "User-Agent": options.user_agent,
                "Accept": options.accept,
                "Accept-Encoding": "gzip, deflate" if options.decompress else "identity",
                "Connection": "close",
            })
            answer = conn.getresponse()
        except SafeHTTPError:
            raise
        except TimeoutError as exc:
            raise SafeHTTPError("total-timeout" if conn.aborted else "read-timeout") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise SafeHTTPError("total-timeout" if conn.aborted else "connection-error") from exc

        response.status = answer.status
        response.final_url = current
        if answer.status in REDIRECT_STATUSES:
            location = answer.getheader("Location")
            if not location:
                raise SafeHTTPError("http-error", status=answer.status)
            redirect = urljoin(current, location.strip())
            response.redirects.append(redirect)
            response.final_url = redirect
            return redirect
        if answer.status >= 400:
            raise SafeHTTPError("http-error", status=answer.status)
        response.content_type = answer.getheader("Content-Type")
        declared_header = (answer.getheader("Content-Length") or "").strip()
        declared = int(declared_header) if declared_header.isdigit() else None
        if declared is not None and declared > options.max_bytes:
            raise SafeHTTPError("too-large", limit=options.max_bytes, declared=declared)
        inflater = _inflater(answer.getheader("Content-Encoding")) if options.decompress else None
        sink = open_sink(response)
        received = 0
        while True:
            if deadline is not None and time.monotonic() > deadline:
                raise SafeHTTPError("total-timeout")
            try:
                chunk = answer.read1(CHUNK)
            except TimeoutError as exc:
                raise SafeHTTPError("total-timeout" if conn.aborted else "read-timeout") from exc
            except (http.client.HTTPException, OSError, ValueError) as exc:
                raise SafeHTTPError("total-timeout" if conn.aborted else "interrupted") from exc
            if not chunk:
                if conn.aborted:
                    raise SafeHTTPError("total-timeout")
                break
            received += len(chunk)
            if inflater is None:
                _write(response, sink, chunk, options.max_bytes)
            else:
                inflater.feed(chunk, lambda data: _write(response, sink, data, options.max_bytes))
        if inflater is not None:
            inflater.finish(lambda data: _write(response, sink, data, options.max_bytes))
        if declared is not None and received < declared:
            raise SafeHTTPError("interrupted")
        return None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()


def _write(response: Response, sink: Sink, data: bytes, cap: int) -> None:
    response.bytes += len(data)
    if response.bytes > cap:
        raise SafeHTTPError("too-large", limit=cap)
    sink.write(data)


class _Inflater:
    """gzip or deflate (zlib-wrapped or raw, as browsers accept), a bounded piece at a time."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._obj = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, emit: Callable[[bytes], None]) -> None:
        try:
            out = self._obj.decompress(data, CHUNK)
        except zlib.error as exc:
            if not (self._first and self._wbits == zlib.MAX_WBITS):
                raise SafeHTTPError("interrupted") from exc
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent raw
            out = self._obj.decompress(data, CHUNK)
        self._first = False
        emit(out)
        while self._obj.unconsumed_tail:  # what is left of this chunk, CHUNK bytes at a time (bombs too)
            try:
                out = self._obj.decompress(self._obj.unconsumed_tail, CHUNK)
            except zlib.error as exc:
                raise SafeHTTPError("interrupted") from exc
            emit(out)

    def finish(self, emit: Callable[[bytes], None]) -> None:
        emit(self._obj.flush())


def _inflater(encoding: str | None) -> _Inflater | None:
    value = (encoding or "").strip().lower()
    if value in ("gzip", "x-gzip"):
        return _Inflater(16 + zlib.MAX_WBITS)
    if value == "deflate":
        return _Inflater(zlib.MAX_WBITS)
    return None
