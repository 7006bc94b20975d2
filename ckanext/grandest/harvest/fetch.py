"""Bounded HTTP(S) fetching of harvested feeds.

Every request of a harvest job goes through :class:`SafeFetcher`:

* http and https only; redirects followed (5 at most) and every hop checked like the first URL;
* the address actually connected to is checked before anything is sent: loopback, private, link-local,
  shared, multicast and reserved addresses are refused (DNS rebinding included), unless the operator allows
  loopback (``ckanext.grandest.harvest.allow_loopback``, for tests and local set-ups only);
* the body is streamed and cut at ``max_bytes`` (decompressed size, so a gzip bomb is cut too), and an
  announced ``Content-Length`` over the cap is refused before reading;
* a deadline bounds the whole job: connect and read timeouts never exceed the time left, and a server that
  drips bytes slowly is cut when the deadline passes;
* no proxy from the environment, no cookies kept, one GET per page (no HEAD).

Errors are raised as :class:`FetchError` with a plain-French message (what happened, what to do).
"""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

READ_SIZE = 64 * 1024


class FetchError(Exception):
    """A page could not be fetched; ``str(error)`` is a French message for the harvest report."""


class BlockedAddress(FetchError):
    pass


@dataclass
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    timeout: float = 30.0  # connect / between two reads
    max_redirects: int = 5
    allow_loopback: bool = False
    user_agent: str = "DataGrandEst-moissonneur/1.0 (+ckanext-grandest)"


@dataclass
class Page:
    url: str  # final URL, after redirects
    content: bytes
    content_type: str | None


def address_allowed(ip: str, allow_loopback: bool = False) -> bool:
    """True for a public unicast address (or a loopback one when allowed)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return allow_loopback
    return addr.is_global and not addr.is_multicast and not addr.is_reserved and not addr.is_unspecified


def check_url(url: str, allow_loopback: bool = False) -> str:
    """The URL if it is an absolute http(s) URL with a host; FetchError otherwise. A host written as an IP
    address is checked at once (names are checked when connecting)."""
    if not isinstance(url, str) or len(url) > 2000:
        raise FetchError(_("The address of the feed is not valid."))
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Only http:// and https:// addresses can be harvested (got: {url}).").format(
            url=url[:200]))
    if parts.username or parts.password:
        raise FetchError(_("The address of the feed must not contain a user name or password."))
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if is_ip and not address_allowed(host, allow_loopback):
        raise BlockedAddress(_("The address {host} is a local or private network address: it cannot be "
                               "harvested.").format(host=host))
    if not is_ip and host.lower().rstrip(".") in ("localhost", "localhost.localdomain") and not allow_loopback:
        raise BlockedAddress(_("The address {host} is a local or private network address: it cannot be "
                               "harvested.").format(host=host))
    return url.strip()


# --- connections that check the peer address before sending anything -------------------------------------
def _check_socket(sock: socket.socket, allow_loopback: bool) -> None:
    try:
        peer = sock.getpeername()[0]
    except OSError:  # pragma: no cover - socket already gone
        peer = ""
    if not address_allowed(peer, allow_loopback):
        sock.close()
        raise urllib3.exceptions.NewConnectionError(
            None, f"blocked address {peer}")  # type: ignore[arg-type]


class _GuardedHTTPConnection(HTTPConnection):
    allow_loopback = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_socket(sock, self.allow_loopback)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    allow_loopback = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_socket(sock, self.allow_loopback)
        return sock


def _pool_classes(allow_loopback: bool) -> dict[str, type]:
    http_conn = type("GuardedHTTPConnection", (_GuardedHTTPConnection,), {"allow_loopback": allow_loopback})
    https_conn = type("GuardedHTTPSConnection", (_GuardedHTTPSConnection,), {"allow_loopback": allow_loopback})
    return {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, allow_loopback: bool):
        self._allow_loopback = allow_loopback
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self._allow_loopback)


class SafeFetcher:
    """Fetches pages for one harvest job, within ``limits`` and before ``deadline`` (time.monotonic())."""

    def __init__(self, limits: Limits, deadline: float | None = None):
        self.limits = limits
        self.deadline = deadline
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.max_redirects = limits.max_redirects
        adapter = _GuardedAdapter(limits.allow_loopback)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({
            "User-Agent": limits.user_agent,
            "Accept": "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.9, "
                      "application/n-triples;q=0.8, application/json;q=0.5, */*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        })
        self.requests_made = 0

    def close(self) -> None:
        self.session.close()

    def _time_left(self) -> float:
        if self.deadline is None:
            return self.limits.timeout
        return self.deadline - time.monotonic()

    def _check_redirect(self, resp: requests.Response, *args: Any, **kwargs: Any) -> None:
        if resp.is_redirect:
            # requests' stubs omit its compat module
            urljoin = requests.compat.urljoin  # pyright: ignore[reportAttributeAccessIssue]
            target = urljoin(resp.url, resp.headers.get("location", ""))
            check_url(target, self.limits.allow_loopback)

    def get(self, url: str, max_bytes: int | None = None) -> Page:
        url = check_url(url, self.limits.allow_loopback)
        cap = max_bytes or self.limits.max_bytes
        left = self._time_left()
        if left <= 0:
            raise FetchError(_("The harvest took longer than allowed and was stopped."))
        timeout = (min(self.limits.timeout, left), min(self.limits.timeout, left))
        self.requests_made += 1
        try:
            resp = self.session.get(url, stream=True, timeout=timeout, allow_redirects=True,
                                    hooks={"response": self._check_redirect})
        except BlockedAddress:
            raise
        except FetchError:
            raise
        except requests.exceptions.TooManyRedirects:
            raise FetchError(_("The feed at {url} redirects too many times.").format(url=url[:200]))
        except requests.exceptions.Timeout:
            raise FetchError(_("The server of {url} did not answer in time.").format(url=url[:200]))
        except requests.exceptions.ConnectionError as e:
            if "blocked address" in str(e):
                raise BlockedAddress(_("The address of {url} is a local or private network address: it "
                                       "cannot be harvested.").format(url=url[:200]))
            raise FetchError(_("The server of {url} could not be reached. Check the address, or try again "
                               "later.").format(url=url[:200]))
        except requests.exceptions.RequestException:
            raise FetchError(_("The feed at {url} could not be downloaded.").format(url=url[:200]))
        try:
            if resp.status_code >= 400:
                raise FetchError(_("The server of {url} answered with an error ({status}).").format(
                    url=url[:200], status=resp.status_code))
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise FetchError(_("The feed at {url} is too large ({size} MB; at most {cap} MB).").format(
                    url=url[:200], size=int(declared) // (1024 * 1024), cap=cap // (1024 * 1024)))
            chunks = []
            total = 0
            raw = resp.raw
            while True:
                if self.deadline is not None and time.monotonic() > self.deadline:
                    raise FetchError(_("The harvest took longer than allowed and was stopped."))
                try:
                    chunk = raw.read1(READ_SIZE, decode_content=True)
                except (urllib3.exceptions.HTTPError, OSError):
                    raise FetchError(_("The download of {url} was interrupted.").format(url=url[:200]))
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise FetchError(_("The feed at {url} is too large (more than {cap} MB).").format(
                        url=url[:200], cap=cap // (1024 * 1024)))
                chunks.append(chunk)
            content_type = resp.headers.get("content-type")
            return Page(url=resp.url or url, content=b"".join(chunks),
                        content_type=content_type.split(";", 1)[0].strip().lower() if content_type else None)
        finally:
            resp.close()
