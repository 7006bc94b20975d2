"""Bounded HTTP(S) fetching of harvested feeds.

Every request of a harvest job goes through :class:`SafeFetcher`, a thin layer over the suite's one
SSRF-safe client, :mod:`ckanext.grandest.common.safehttp` (shared with the validation of linked resources):

* http and https only; redirects followed (5 at most) and every hop checked like the first URL;
* the host is resolved once and every address checked before anything is sent, the socket pinned to it:
  loopback, private, link-local, shared, multicast and reserved addresses are refused (DNS rebinding
  included), unless the operator allows loopback (``ckanext.grandest.harvest.allow_loopback``, for tests and
  local set-ups only);
* the body is streamed and cut at ``max_bytes`` (decompressed size, so a gzip bomb is cut too), and an
  announced ``Content-Length`` over the cap is refused before reading;
* a deadline bounds the whole job: connect and read timeouts never exceed the time left, and a server that
  drips bytes slowly is cut when the deadline passes;
* no proxy from the environment, no cookies kept, one GET per page (no HEAD).

Errors are raised as :class:`FetchError` with a plain-French message (what happened, what to do), from the
shared client's error codes.
"""
from __future__ import annotations

from dataclasses import dataclass

from ckanext.grandest.common import safehttp
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

ACCEPT = ("text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.9, "
          "application/n-triples;q=0.8, application/json;q=0.5, */*;q=0.1")
MAX_URL_LENGTH = 2000
MiB = 1024 * 1024


class FetchError(Exception):
    """A page could not be fetched; ``str(error)`` is a French message for the harvest report."""


class BlockedAddress(FetchError):
    pass


@dataclass
class Limits:
    max_bytes: int = 50 * MiB
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
    return safehttp.is_public_address(ip, allow_loopback=allow_loopback)


def check_url(url: str, allow_loopback: bool = False) -> str:
    """The URL if it is an absolute http(s) URL with a host; FetchError otherwise. A host written as an IP
    address is checked at once (names are checked when connecting)."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise FetchError(_("The address of the feed is not valid."))
    url = url.strip()
    try:
        safehttp.check_url(url, allow_loopback=allow_loopback)
    except safehttp.SafeHTTPError as exc:
        raise _error(exc, url) from None
    return url


def _error(exc: safehttp.SafeHTTPError, url: str) -> FetchError:
    """The harvest report's French message of a shared-client error."""
    code, params, short = exc.code, exc.params, url[:200]
    if code == "invalid-url":
        return FetchError(_("The address of the feed is not valid."))
    if code == "scheme-not-allowed":
        return FetchError(_("Only http:// and https:// addresses can be harvested (got: {url}).").format(url=short))
    if code == "credentials-in-url":
        return FetchError(_("The address of the feed must not contain a user name or password."))
    if code == "forbidden-address":
        return BlockedAddress(_("The address {host} is a local or private network address: it cannot be "
                                "harvested.").format(host=params.get("host") or short))
    if code == "total-timeout":
        return FetchError(_("The harvest took longer than allowed and was stopped."))
    if code in ("connect-timeout", "read-timeout", "dns-timeout"):
        return FetchError(_("The server of {url} did not answer in time.").format(url=short))
    if code in ("dns-error", "connection-error", "tls-error"):
        return FetchError(_("The server of {url} could not be reached. Check the address, or try again "
                            "later.").format(url=short))
    if code == "too-many-redirects":
        return FetchError(_("The feed at {url} redirects too many times.").format(url=short))
    if code == "http-error":
        return FetchError(_("The server of {url} answered with an error ({status}).").format(
            url=short, status=params.get("status")))
    if code == "too-large" and params.get("declared"):
        return FetchError(_("The feed at {url} is too large ({size} MB; at most {cap} MB).").format(
            url=short, size=params["declared"] // MiB, cap=params["limit"] // MiB))
    if code == "too-large":
        return FetchError(_("The feed at {url} is too large (more than {cap} MB).").format(
            url=short, cap=params["limit"] // MiB))
    if code == "interrupted":
        return FetchError(_("The download of {url} was interrupted.").format(url=short))
    return FetchError(_("The feed at {url} could not be downloaded.").format(url=short))


class _Collect:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.chunks.append(data)


class SafeFetcher:
    """Fetches pages for one harvest job, within ``limits`` and before ``deadline`` (time.monotonic())."""

    def __init__(self, limits: Limits, deadline: float | None = None):
        self.limits = limits
        self.deadline = deadline
        self.requests_made = 0

    def close(self) -> None:
        """Nothing is kept between requests (one connection per page)."""

    def get(self, url: str, max_bytes: int | None = None) -> Page:
        url = check_url(url, self.limits.allow_loopback)
        options = safehttp.Options(
            max_bytes=max_bytes or self.limits.max_bytes,
            connect_timeout=self.limits.timeout,
            read_timeout=self.limits.timeout,
            max_redirects=self.limits.max_redirects,
            allow_loopback=self.limits.allow_loopback,
            user_agent=self.limits.user_agent,
            accept=ACCEPT,
            decompress=True,
        )
        body = _Collect()
        self.requests_made += 1
        try:
            response = safehttp.get(url, lambda _response: body, options, deadline=self.deadline)
        except safehttp.SafeHTTPError as exc:
            raise _error(exc, url) from None
        content_type = response.content_type
        return Page(url=response.final_url or url, content=b"".join(body.chunks),
                    content_type=content_type.split(";", 1)[0].strip().lower() if content_type else None)
