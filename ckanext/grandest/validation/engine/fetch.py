"""Safe download of a linked resource to a temporary file.

Defences, each one tested in ``tests/validation/engine/test_fetch.py``:

* only ``http`` and ``https`` URLs, without credentials;
* the host is resolved here and **every** resolved address must be public: private, loopback, link-local
  (169.254.169.254, the cloud metadata service), multicast, reserved, unspecified, shared (100.64/10) and
  IPv4 addresses embedded in IPv6 (mapped, NAT64) are refused. The socket then connects to the address that
  was checked (no second resolution, so DNS rebinding cannot swap it), with the TLS certificate still checked
  against the host name;
* redirects are followed by hand, at most ``max_redirects``, and each new location is checked again;
* connect timeout, read timeout between two socket reads, and a **total** deadline enforced by a watchdog that
  shuts the socket down (a slow-drip server sending one byte per second cannot hold a worker);
* a size cap checked on the declared ``Content-Length`` and again while streaming.

``allow_loopback`` exists for tests only (servers on 127.0.0.1 / ::1); it never opens private ranges.
"""
from __future__ import annotations

import dataclasses
import http.client
import ipaddress
import logging
import os
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from .limits import DEFAULT_LIMITS, Limits
from .messages import fetch_error_message

log = logging.getLogger(__name__)

USER_AGENT = "DataGrandEst-validation/1.0 (+https://www.datagrandest.fr)"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CHUNK = 64 * 1024


@dataclasses.dataclass
class FetchResult:
    """Outcome of :func:`fetch` (or :func:`local_file` for an uploaded file)."""

    url: str
    ok: bool = False
    status: int | None = None
    """HTTP status of the last response (``None`` if no response was received)."""
    final_url: str | None = None
    content_type: str | None = None
    bytes: int = 0
    path: str | None = None
    """Temporary file holding the body (the caller deletes it, e.g. with :meth:`cleanup`)."""
    error_code: str | None = None
    error_message: str | None = None
    redirects: list[str] = dataclasses.field(default_factory=list)
    elapsed: float = 0.0
    uploaded: bool = False
    temporary: bool = False
    """``path`` is a copy made for this check (an uploaded file streamed from an object storage): deleted by
    :meth:`cleanup` although the file was uploaded."""

    def cleanup(self) -> None:
        if self.path and (not self.uploaded or self.temporary):
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            self.path = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "ok": self.ok,
            "status": self.status,
            "final_url": self.final_url,
            "content_type": self.content_type,
            "bytes": self.bytes,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "redirects": list(self.redirects),
            "elapsed": round(self.elapsed, 3),
            "uploaded": self.uploaded,
        }


class FetchError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def local_file(path: str, *, url: str | None = None, limits: Limits = DEFAULT_LIMITS) -> FetchResult:
    """Wrap an uploaded file (already on disk) as a :class:`FetchResult`; nothing is copied or deleted."""
    result = FetchResult(url=url or path, uploaded=True, final_url=url or path, path=path)
    try:
        size = os.path.getsize(path)
    except OSError:
        result.error_code = "not-found"
        result.error_message = fetch_error_message("not-found")
        result.path = None
        return result
    result.bytes = size
    if size > limits.max_download_bytes:
        result.error_code = "too-large"
        result.error_message = fetch_error_message("too-large", limit=limits.max_download_bytes)
        return result
    result.ok = True
    return result


def streamed_file(chunks: Iterable[bytes], *, url: str | None = None,
                  limits: Limits = DEFAULT_LIMITS, dest_dir: str | None = None) -> FetchResult:
    """Copy an uploaded file that is not on this machine's disk (``chunks``: its bytes as its storage streams
    them, e.g. from S3) to a temporary file, at most ``max_download_bytes``; the result's :meth:`cleanup`
    deletes the copy. ``chunks`` raising FileNotFoundError means the file is missing."""
    result = FetchResult(url=url or "", uploaded=True, final_url=url, temporary=True)
    started = time.monotonic()
    fd, tmp_path = tempfile.mkstemp(prefix="grandest-stored-", dir=dest_dir)
    result.path = tmp_path
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                result.bytes += len(chunk)
                if result.bytes > limits.max_download_bytes:
                    result.error_code = "too-large"
                    result.error_message = fetch_error_message("too-large", limit=limits.max_download_bytes)
                    break
                out.write(chunk)
    except FileNotFoundError:
        result.error_code = "not-found"
        result.error_message = fetch_error_message("not-found")
    except Exception as exc:  # the storage could not be read (down, refused...)
        result.error_code = "not-found"
        result.error_message = fetch_error_message("not-found")
        log.warning("could not read the uploaded file %s from its storage: %s", url, exc)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    result.elapsed = time.monotonic() - started
    if result.error_code:
        result.cleanup()
        return result
    result.ok = True
    return result


def is_public_address(ip: str, *, allow_loopback: bool = False) -> bool:
    """True when a connection to ``ip`` may leave the machine towards the public Internet."""
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
    if (
        addr.is_private
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    ):
        return False
    return True


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    """getaddrinfo with a timeout (the libc call has none), in a daemon thread."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # noqa: BLE001 - reported as dns-error
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="grandest-dns")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise FetchError("dns-timeout", host=host)
    if "error" in box:
        raise FetchError("dns-error", host=host)
    ips: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in box["infos"]:
        if sockaddr[0] not in ips:
            ips.append(sockaddr[0])
    if not ips:
        raise FetchError("dns-error", host=host)
    return ips


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a host name whose socket goes to an already-checked IP address."""

    def __init__(
        self,
        host: str,
        port: int,
        ip: str,
        *,
        tls: bool,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        super().__init__(host, port, timeout=connect_timeout)
        self._ip = ip
        self._tls = tls
        self._read_timeout = read_timeout
        self._lock = threading.Lock()
        self._aborted = False

    def connect(self) -> None:
        family = socket.AF_INET6 if ":" in self._ip else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        with self._lock:
            if self._aborted:
                sock.close()
                raise FetchError("total-timeout")
            self.sock = sock
        try:
            sock.connect((self._ip, self.port))
        except TimeoutError as exc:
            raise FetchError("connect-timeout") from exc
        except OSError as exc:
            if self._aborted:
                raise FetchError("total-timeout") from exc
            raise FetchError("connection-error") from exc
        if self._tls:
            context = ssl.create_default_context()
            try:
                tls_sock = context.wrap_socket(sock, server_hostname=self.host)
            except (ssl.SSLError, ssl.CertificateError) as exc:
                raise FetchError("tls-error") from exc
            except OSError as exc:
                raise FetchError("total-timeout" if self._aborted else "connection-error") from exc
            with self._lock:
                self.sock = tls_sock
        self.sock.settimeout(self._read_timeout)

    def abort(self) -> None:
        """Called by the watchdog thread: unblock any pending recv()."""
        with self._lock:
            self._aborted = True
            sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _check_url(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError("invalid-url") from exc
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise FetchError("scheme-not-allowed", scheme=scheme or "?")
    if parts.username is not None or parts.password is not None:
        raise FetchError("credentials-in-url")
    host = parts.hostname
    if not host:
        raise FetchError("invalid-url")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("invalid-url") from exc
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def fetch(
    url: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    allow_loopback: bool = False,
    dest_dir: str | None = None,
    user_agent: str = USER_AGENT,
) -> FetchResult:
    """Download ``url`` into a temporary file, refusing anything that is not a public HTTP(S) server.

    Never raises for network problems: the result carries ``ok``, ``error_code`` and a French
    ``error_message``. On success ``result.path`` is a temporary file the caller must delete.
    """
    start = time.monotonic()
    deadline = start + limits.total_timeout
    result = FetchResult(url=url)
    current = url
    try:
        for _hop in range(limits.max_redirects + 1):
            scheme, host, port, path = _check_url(current)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError("total-timeout")
            ips = _resolve(host, port, min(limits.connect_timeout, remaining))
            refused = [ip for ip in ips if not is_public_address(ip, allow_loopback=allow_loopback)]
            if refused:
                raise FetchError("forbidden-address", host=host, ip=refused[0])
            target = None
            for index, ip in enumerate(ips):  # like a browser: next address when one refuses the connection
                result.status = None
                try:
                    target = _one_request(
                        result, current, scheme, host, port, path, ip, deadline, limits, user_agent, dest_dir
                    )
                    break
                except FetchError as exc:
                    if exc.code != "connection-error" or result.status is not None or index == len(ips) - 1:
                        raise
            if target is not None:
                current = target
                continue
            break
        else:
            raise FetchError("too-many-redirects", limit=limits.max_redirects)
    except FetchError as exc:
        result.cleanup()
        result.ok = False
        result.error_code = exc.code
        params = dict(exc.params)
        params.setdefault("limit", limits.max_download_bytes if exc.code == "too-large" else None)
        params.setdefault("status", result.status)
        result.error_message = fetch_error_message(exc.code, **params)
    result.elapsed = time.monotonic() - start
    return result


def _one_request(
    result: FetchResult,
    current: str,
    scheme: str,
    host: str,
    port: int,
    path: str,
    ip: str,
    deadline: float,
    limits: Limits,
    user_agent: str,
    dest_dir: str | None,
) -> str | None:
    """One GET; returns the redirect target, or ``None`` once the body is saved."""
    remaining = deadline - time.monotonic()
    conn = _PinnedConnection(
        host,
        port,
        ip,
        tls=scheme == "https",
        connect_timeout=min(limits.connect_timeout, remaining),
        read_timeout=min(limits.read_timeout, remaining),
    )
    watchdog = threading.Timer(max(remaining, 0.001), conn.abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": user_agent,
                    "Accept": "*/*",
                    "Accept-Encoding": "identity",
                    "Connection": "close",
                },
            )
            response = conn.getresponse()
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchError("total-timeout" if conn._aborted else "read-timeout") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise FetchError("total-timeout" if conn._aborted else "connection-error") from exc

        result.status = response.status
        result.final_url = current
        if response.status in REDIRECT_STATUSES:
            location = response.getheader("Location")
            if not location:
                raise FetchError("http-error", status=response.status)
            target = urljoin(current, location.strip())
            result.redirects.append(target)
            result.final_url = target
            return target
        if response.status >= 400:
            raise FetchError("http-error", status=response.status)
        result.content_type = response.getheader("Content-Type")
        declared = response.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > limits.max_download_bytes:
            raise FetchError("too-large", limit=limits.max_download_bytes)
        fd, tmp_path = tempfile.mkstemp(prefix="grandest-fetch-", dir=dest_dir)
        result.path = tmp_path
        total = 0
        with os.fdopen(fd, "wb") as out:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError("total-timeout")
                try:
                    chunk = response.read1(_CHUNK)
                except TimeoutError as exc:
                    raise FetchError("total-timeout" if conn._aborted else "read-timeout") from exc
                except (http.client.HTTPException, OSError, ValueError) as exc:
                    raise FetchError("total-timeout" if conn._aborted else "connection-error") from exc
                if not chunk:
                    if conn._aborted:
                        raise FetchError("total-timeout")
                    break
                total += len(chunk)
                if total > limits.max_download_bytes:
                    raise FetchError("too-large", limit=limits.max_download_bytes)
                out.write(chunk)
        if declared and declared.strip().isdigit() and total < int(declared):
            raise FetchError("connection-error")
        result.bytes = total
        result.ok = True
        return None
    finally:
        watchdog.cancel()
        conn.close()

