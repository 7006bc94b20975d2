"""One S3 ``PutObject`` fed while its bytes still arrive (the request body of an upload, as it is parsed).

:class:`StreamedPut` opens a presigned ``PUT`` (``UNSIGNED-PAYLOAD``, as :func:`filestore.unsigned_payload`: only
over TLS or to this machine) with a declared ``Content-Length`` and forwards the bytes it is fed, one socket send
per chunk, from the thread that parses the request: the object store writes while the client still sends, and
nothing is held in memory but the chunk being forwarded. Its last byte is held back until the caller says the
file ended exactly at the declared length, so a body of another length never completes an object.

Stopping an opened PUT halfway (a client gone, more bytes than allowed, a length that was not the file's) is not
done by closing the connection: s3proxy's filesystem backend keeps the half-written temporary file of a cut
``PUT`` in the bucket (``<key>-<uuid>``, which also breaks its listings). The PUT is completed with zeros, then the
object is deleted: every S3 server ends with nothing under the key.
"""
from __future__ import annotations

import http.client
import logging
import ssl
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

#: bytes looked at to name the file's type (file-keeper's ``make_upload`` looks at as many)
SAMPLE = 2048
_ZEROS = bytes(1 << 20)


class StreamedPut:
    """A ``PutObject`` of ``length`` bytes to ``key`` of the storage's bucket, fed chunk by chunk.

    ``state``: ``new`` (nothing sent), ``open`` (headers sent, bytes flowing), ``stored`` (the server took the
    whole object), ``aborted`` (stopped: nothing left under the key), ``failed`` (the server refused or went
    away; nothing was completed)."""

    def __init__(self, storage: Any, location: str, length: int, timeout: float = 60.0) -> None:
        self.storage = storage
        self.settings = storage.settings
        self.location = location
        self.key = storage.full_path(location)
        self.length = length
        self.timeout = timeout
        self.state = "new"
        self.sent = 0
        self.received = 0
        self.content_type = "application/octet-stream"
        self._head = bytearray()  # the first bytes, until the file's type is known
        self._held = b""  # bytes past length - 1: sent only when the file is known to end at length
        self._conn: http.client.HTTPConnection | None = None
        self.error: BaseException | None = None

    # --- feeding ----------------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """The next bytes of the file. Past the declared length the PUT is stopped (``aborted``)."""
        if self.state not in ("new", "open") or not data:
            return
        self.received += len(data)
        if self.received > self.length:
            self.abort()
            return
        if self.state == "new":
            self._head += data
            if len(self._head) < min(SAMPLE, self.length):
                return
            data, self._head = bytes(self._head), bytearray()
            if not self._open(data):
                return
        self._send_upto(data, self.length - 1)

    def finish(self) -> bool:
        """The file ended: completes the object when its length is the declared one (True), else stops it."""
        if self.state == "new" and self._head and self.received == self.length:
            data, self._head = bytes(self._head), bytearray()
            if not self._open(data):
                return False
            self._send_upto(data, self.length - 1)
        if self.state != "open" or self.received != self.length:
            self.abort()
            return False
        try:
            self._send(self._held)
            self._held = b""
            self._response()
        except Exception as err:  # the server went away, or refused the object
            self._failed(err)
            return False
        self.state = "stored"
        return True

    def abort(self) -> None:
        """Stop: nothing is (or stays) under the key. An opened PUT is completed with zeros, then deleted."""
        if self.state == "open":
            try:
                self._held = b""
                left = self.length - self.sent
                while left > 0:
                    n = min(left, len(_ZEROS))
                    self._send(_ZEROS[:n] if n < len(_ZEROS) else _ZEROS)
                    left -= n
                self._response()
            except Exception as err:
                self._failed(err)
                return
            self._delete()
        elif self.state == "stored":
            self._delete()
        self._close()
        self.state = "aborted"

    # --- the connection ---------------------------------------------------------------------------------

    def _open(self, first: bytes) -> bool:
        try:
            import magic

            self.content_type = magic.from_buffer(first[:SAMPLE], True) or self.content_type
        except Exception:  # pragma: no cover - libmagic missing: the generic type
            pass
        try:
            url = self.settings.client.generate_presigned_url(
                "put_object", Params={"Bucket": self.settings.bucket, "Key": self.key,
                                      "ContentType": self.content_type}, ExpiresIn=3600)
            parts = urlsplit(url)
            if parts.scheme == "https":
                self._conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=self.timeout,
                                                         context=_tls_context(self.settings.client))
            else:
                self._conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)
            self._conn.putrequest("PUT", f"{parts.path}?{parts.query}", skip_accept_encoding=True)
            self._conn.putheader("Content-Length", str(self.length))
            self._conn.putheader("Content-Type", self.content_type)
            self._conn.endheaders()
        except Exception as err:
            self._failed(err)
            return False
        self.state = "open"
        return True

    def _send_upto(self, data: bytes, limit: int) -> None:
        """Send what keeps ``sent`` at most ``limit``; hold the rest back."""
        room = limit - self.sent
        now, self._held = (data, b"") if len(data) <= room else (data[:room], self._held + data[room:])
        try:
            self._send(now)
        except Exception as err:
            self._failed(err)

    def _send(self, data: bytes) -> None:
        if data:
            assert self._conn is not None
            self._conn.send(data)
            self.sent += len(data)

    def _response(self) -> None:
        assert self._conn is not None
        resp = self._conn.getresponse()
        body = resp.read()
        self._close()
        if resp.status // 100 != 2:
            raise RuntimeError(f"PUT {self.key}: HTTP {resp.status} {body[:300]!r}")

    def _delete(self) -> None:
        try:
            self.settings.client.delete_object(Bucket=self.settings.bucket, Key=self.key)
        except Exception as err:  # pragma: no cover - storage down: the stale-object sweep removes it
            log.warning("grandest: could not delete the stopped upload %s: %r", self.key, err)

    def _failed(self, err: BaseException) -> None:
        log.warning("grandest: the streamed upload to %s stopped: %r", self.key, err)
        self.error = err
        self._held = b""
        self._close()
        self.state = "failed"

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # pragma: no cover
                pass
            self._conn = None


def _tls_context(client: Any) -> ssl.SSLContext:
    """The certificate authorities botocore trusts (its ``verify`` setting; certifi's bundle by default)."""
    verify = getattr(getattr(getattr(client, "_endpoint", None), "http_session", None), "_verify", True)
    if verify is False:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    try:
        from botocore.httpsession import get_cert_path

        return ssl.create_default_context(cafile=get_cert_path(True))
    except Exception:  # pragma: no cover
        return ssl.create_default_context()
