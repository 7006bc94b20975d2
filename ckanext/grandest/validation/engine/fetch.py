"""Safe download of a linked resource to a temporary file.

The network part is the suite's one SSRF-safe client, :mod:`ckanext.grandest.common.safehttp` (CKAN-free):
http(s) only without credentials, every resolved address public (loopback, private, link-local, shared,
reserved, IPv4 embedded in IPv6 refused) and the socket pinned to the address checked (no DNS rebinding), TLS
verified against the host name, every redirect hop checked, connect/read timeouts within a total deadline
enforced by a watchdog (slow-drip servers are cut), size cap on ``Content-Length`` and while streaming. This
module maps its error codes to the engine's ``fetch_error_message`` codes and writes the body to a temporary
file. Each defence is tested in ``tests/validation/engine/test_fetch.py``.

``allow_loopback`` exists for tests only (servers on 127.0.0.1 / ::1); it never opens private ranges.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from typing import Any

from ckanext.grandest.common import safehttp
from ckanext.grandest.common.safehttp import is_public_address

from .limits import DEFAULT_LIMITS, Limits
from .messages import fetch_error_message

log = logging.getLogger(__name__)

USER_AGENT = "DataGrandEst-validation/1.0 (+https://www.datagrandest.fr)"
__all__ = ["FetchResult", "fetch", "is_public_address", "local_file", "streamed_file"]


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


def fetch(
    url: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    allow_loopback: bool = False,
    dest_dir: str | None = None,
    user_agent: str = USER_AGENT,
) -> FetchResult:
    """Download ``url`` into a temporary file, refusing anything that is not a public HTTP(S) server
    (through :mod:`ckanext.grandest.common.safehttp`).

    Never raises for network problems: the result carries ``ok``, ``error_code`` and a French
    ``error_message``. On success ``result.path`` is a temporary file the caller must delete.
    """
    start = time.monotonic()
    result = FetchResult(url=url)
    options = safehttp.Options(
        max_bytes=limits.max_download_bytes,
        connect_timeout=limits.connect_timeout,
        read_timeout=limits.read_timeout,
        max_redirects=limits.max_redirects,
        allow_loopback=allow_loopback,
        user_agent=user_agent,
    )
    opened: list[Any] = []

    def open_file(_response: safehttp.Response) -> Any:
        fd, tmp_path = tempfile.mkstemp(prefix="grandest-fetch-", dir=dest_dir)
        result.path = tmp_path
        out = os.fdopen(fd, "wb")
        opened.append(out)
        return out

    try:
        try:
            response = safehttp.get(url, open_file, options, deadline=start + limits.total_timeout)
        finally:
            for out in opened:
                out.close()
    except safehttp.SafeHTTPError as exc:
        _copy(result, exc.response)  # type: ignore[attr-defined]
        result.cleanup()
        result.ok = False
        code = _CODES.get(exc.code, exc.code)
        result.error_code = code
        params = {k: v for k, v in exc.params.items() if k != "declared"}
        params.setdefault("limit", limits.max_download_bytes if code == "too-large" else None)
        params.setdefault("status", result.status)
        result.error_message = fetch_error_message(code, **params)
    else:
        _copy(result, response)
        result.ok = True
    result.elapsed = time.monotonic() - start
    return result


#: The shared client's codes that this engine reports under another one of its own.
_CODES = {"interrupted": "connection-error"}


def _copy(result: FetchResult, response: safehttp.Response) -> None:
    result.status = response.status
    result.final_url = response.final_url
    result.content_type = response.content_type
    result.bytes = response.bytes
    result.redirects = list(response.redirects)
