"""Where uploaded resource files live: one small interface over CKAN's two ways of keeping them.

* :class:`LocalFiles` — ``ckan.storage_path`` (CKAN 2.11, and 2.12 without configured storages): the file of a
  resource is ``<storage_path>/resources/<id[:3]>/<id[3:6]>/<id[6:]>`` (CKAN's ``ResourceUpload`` layout).
* :class:`StorageFiles` — a configured file storage of CKAN 2.12 (``ckan.files.storage.<name>.*``, the
  ``file-keeper`` library: ``ckan:fs`` on a local disk, ``file_keeper:s3`` on an S3-compatible object storage...):
  same relative layout inside the storage (CKAN's ``FKResourceUpload.get_path``).

The quota uploader writes through :meth:`write` (the bytes are counted and limited while they are read), the quota
recount asks :meth:`size`, the transaction hooks :meth:`remove` and :meth:`move`, and the validation worker reads a
file with :meth:`chunks` (a stream; never a path, so an object storage works as a local disk does).
:func:`resource_files` picks the store the way CKAN's ``get_resource_uploader`` does: a configured resource
storage wins over ``ckan.storage_path``.
"""
from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import os
import uuid
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import urlsplit

from . import compat

CHUNK = 1 << 20


class TooLarge(Exception):
    """More bytes than allowed were read from an upload."""


class LimitedReader:
    """A read-only file-like view of ``raw`` that raises :class:`TooLarge` as soon as a read goes past ``limit``
    bytes. It counts positions, not calls: a reader that rewinds and reads again (botocore computes a checksum,
    then sends) is not counted twice. ``high`` is the furthest byte read."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.limit = limit
        self.high = 0
        try:
            self._pos = raw.tell()
        except (AttributeError, OSError, ValueError):
            self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = max(self.limit + 1 - self._pos, 1)  # never more than one byte past the limit in memory
        chunk = self.raw.read(size)
        self._pos += len(chunk)
        self.high = max(self.high, self._pos)
        if self._pos > self.limit:
            raise TooLarge()
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._pos = self.raw.seek(offset, whence)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        try:
            return bool(self.raw.seekable())
        except AttributeError:
            return False

    def readable(self) -> bool:
        return True

    def close(self) -> None:  # the caller owns ``raw``
        pass


def stream_length(stream: Any) -> int | None:
    """Length of a seekable stream (from its current position to its end), measured here, never claimed by a
    client; None when it cannot seek."""
    try:
        pos = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(pos, os.SEEK_SET)
        return int(end) - int(pos)
    except (AttributeError, OSError, ValueError):
        return None


def _read_chunks(source: Any) -> Any:
    """Chunks of ``source``: a file-like (read in 1 MiB chunks) or an iterable of bytes."""
    if hasattr(source, "read"):
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                return
            yield chunk
    else:
        yield from source


class LocalFiles:
    """Resource files under ``ckan.storage_path``; a location is an absolute path."""

    kind = "local"

    def __init__(self, storage_path: str) -> None:
        self.storage_path = storage_path

    def location(self, resource_id: str) -> str:
        from ckan.lib.uploader import ResourceUpload

        return ResourceUpload({}).get_path(resource_id)

    def aside(self, *parts: str) -> str:
        """Location of a file the portal keeps next to the resource files (``parts`` under ``ckan.storage_path``,
        outside its ``resources/`` folder: never a resource's file, never counted by a scan of resources)."""
        return os.path.join(self.storage_path, *parts)

    def exists(self, location: str) -> bool:
        return os.path.exists(location)

    def size(self, location: str) -> int | None:
        try:
            return os.path.getsize(location)
        except OSError:
            return None

    def remove(self, location: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(location)

    def move(self, source: str, target: str) -> None:
        os.replace(source, target)

    def write(self, location: str, reader: LimitedReader, length: int | None, content_type: str | None) -> int:
        """Copy ``reader`` into ``location`` (through a temporary file moved into place when complete);
        returns the bytes written. Nothing is left behind when the copy fails."""
        os.makedirs(os.path.dirname(location), exist_ok=True)
        tmp = f"{location}~{uuid.uuid4().hex[:12]}"
        written = 0
        try:
            with open(tmp, "wb") as out:
                for chunk in _read_chunks(reader):
                    written += len(chunk)
                    out.write(chunk)
            os.replace(tmp, location)
        except BaseException:
            self.remove(tmp)
            raise
        return written

    def chunks(self, location: str) -> Iterator[bytes]:
        """The file's bytes, 1 MiB at a time (FileNotFoundError when it is missing)."""
        with open(location, "rb") as src:
            yield from _read_chunks(src)

    def local_path(self, location: str) -> str | None:
        return location


class StorageFiles:
    """Resource files in a configured file storage (CKAN 2.12); a location is relative to the storage."""

    kind = "storage"

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    @property
    def name(self) -> str:
        return str(self.storage.settings.name)

    def location(self, resource_id: str) -> str:
        from ckan.plugins import toolkit as tk

        path = os.path.join(resource_id[0:3], resource_id[3:6], resource_id[6:])
        location = self.storage.prepare_location(path)
        if location != path:  # as FKResourceUpload.get_path: the storage must not rename it
            raise tk.ValidationError({"upload": ["Invalid storage path"]})
        return location

    def aside(self, *parts: str) -> str:
        """Location of a file the portal keeps in the same storage as the resource files, under a first folder
        of its own (``parts[0]``, longer than the 3 characters of a resource key's first folder: it never
        collides with a resource's file, and the quota recount, which asks for resources' locations, ignores
        it)."""
        from ckan.plugins import toolkit as tk

        path = "/".join(parts)
        if len(parts[0]) == 3 or self.storage.prepare_location(path) != path:
            raise tk.ValidationError({"upload": ["Invalid storage path"]})
        return path

    def _data(self, location: str) -> Any:
        import file_keeper as fk

        return fk.FileData(fk.Location(location))

    def _s3_head(self, location: str) -> int | None:
        """Size of an S3 object from a HEAD request. file-keeper's S3 adapter answers ``exists``/``analyze``
        with a GET whose body is never read (one open connection per call): for a recount over thousands of
        files, and before each upload, a HEAD is what S3 offers."""
        settings = self.storage.settings
        try:
            head = settings.client.head_object(Bucket=settings.bucket, Key=self.storage.full_path(location))
        except settings.client.exceptions.ClientError as err:
            if str(err.response.get("Error", {}).get("Code")) in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return int(head["ContentLength"])

    def _is_s3(self) -> bool:
        settings = self.storage.settings
        return hasattr(settings, "client") and hasattr(settings, "bucket") and hasattr(settings.client, "head_object")

    def exists(self, location: str) -> bool:
        if self._is_s3():
            return self._s3_head(location) is not None
        return bool(self.storage.exists(self._data(location)))

    def size(self, location: str) -> int | None:
        import file_keeper as fk

        if self._is_s3():
            return self._s3_head(location)
        try:
            return int(self.storage.analyze(fk.Location(location)).size)
        except fk.exc.MissingFileError:
            return None

    def remove(self, location: str) -> None:
        import file_keeper as fk

        with contextlib.suppress(fk.exc.MissingFileError):
            self.storage.remove(self._data(location))

    def move(self, source: str, target: str) -> None:
        import file_keeper as fk

        self.storage.move(fk.Location(target), self._data(source))

    def write(self, location: str, reader: LimitedReader, length: int | None, content_type: str | None) -> int:
        """Send ``reader`` to the storage at ``location``; returns the bytes the storage holds. A failed or
        refused upload leaves nothing at ``location``.

        On an S3 storage reached over a trusted transport the object's ``PutObject`` is signed without hashing
        its body (:func:`unsigned_payload`): one streamed pass over the upload."""
        import file_keeper as fk

        # file-keeper's PStream protocol also lists iteration; LimitedReader gives read(), as it always did here
        upload = fk.Upload(
            reader,  # pyright: ignore[reportArgumentType]
            os.path.basename(location), length if length is not None else 0,
                           content_type or "application/octet-stream")
        try:
            with unsigned_payload(self.storage.settings.client) if self._is_s3() else contextlib.nullcontext():
                self.storage.upload(fk.Location(location), upload)
        except BaseException:
            with contextlib.suppress(Exception):  # a partial object (a local storage writes in place)
                self.remove(location)
            raise
        stored = self.size(location)
        return reader.high if stored is None else stored

    def chunks(self, location: str) -> Iterator[bytes]:
        """The object's bytes as the storage streams them, 1 MiB at a time (FileNotFoundError when missing)."""
        import file_keeper as fk

        try:
            source = self.storage.stream(self._data(location))
        except fk.exc.MissingFileError as err:
            raise FileNotFoundError(location) from err
        try:
            yield from _read_chunks(source)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def local_path(self, location: str) -> str | None:
        return None


#: set inside :func:`unsigned_payload`: the PutObject requests of this context are signed without hashing their body
_UNSIGNED_PAYLOAD: contextvars.ContextVar[bool] = contextvars.ContextVar("grandest_unsigned_payload", default=False)


def trusted_transport(endpoint_url: str | None) -> bool:
    """True when the S3 endpoint is reached over TLS or on this machine (a loopback address): the body of a
    request can then be left out of its SigV4 signature (``UNSIGNED-PAYLOAD``) without letting anyone alter it
    on the way. An S3 endpoint over plain HTTP on another machine keeps the signed payload."""
    if not endpoint_url:  # boto's default: AWS itself, over HTTPS
        return True
    parts = urlsplit(endpoint_url)
    if parts.scheme == "https":
        return True
    host = (parts.hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _unsigned_payload(request: Any, **_: Any) -> None:
    """botocore ``before-sign`` hook: inside :func:`unsigned_payload`, sign the request with ``UNSIGNED-PAYLOAD``
    (the client's other requests are untouched)."""
    if not _UNSIGNED_PAYLOAD.get():
        return
    from botocore.config import Config

    config = request.context.get("client_config")
    # botocore's stubs want a literal _S3Dict; the client's own s3 settings are merged in untyped
    s3_settings = {**(getattr(config, "s3", None) or {}), "payload_signing_enabled": False}
    unsigned = Config(s3=s3_settings)  # pyright: ignore[reportArgumentType]
    request.context["client_config"] = config.merge(unsigned) if config is not None else unsigned


@contextlib.contextmanager
def unsigned_payload(client: Any) -> Iterator[None]:
    """While in this block, the S3 ``client``'s ``PutObject`` requests of this thread are signed with
    ``UNSIGNED-PAYLOAD`` when its endpoint is reached over a trusted transport (:func:`trusted_transport`).

    Over plain HTTP botocore signs the payload: before sending the body it reads all of it once more to hash it
    (SHA-256), and the S3 server must then hold the whole body before it can check that hash and write it
    (s3proxy refuses such a body over 128 MiB, and holds it in its heap below that). ``UNSIGNED-PAYLOAD`` —
    what botocore sends itself over HTTPS — lets the server write while it receives. The CRC32 checksum that
    botocore adds in a signed header (``x-amz-checksum-crc32``) still covers the body. The client's other
    requests, and other threads, are untouched (a context variable, read by a ``before-sign`` hook)."""
    if not trusted_transport(getattr(client.meta, "endpoint_url", None)):
        yield
        return
    client.meta.events.register("before-sign.s3.PutObject", _unsigned_payload,
                                unique_id="grandest-unsigned-payload")
    token = _UNSIGNED_PAYLOAD.set(True)
    try:
        yield
    finally:
        _UNSIGNED_PAYLOAD.reset(token)


def resource_files() -> LocalFiles | StorageFiles | None:
    """Where this portal keeps resource files: its configured resource storage (CKAN 2.12), else
    ``ckan.storage_path``; None when it has neither (uploads are then off)."""
    from ckan.common import config

    storage = compat.resource_file_storage()
    if storage is not None:
        return StorageFiles(storage)
    path = config.get("ckan.storage_path")
    if path:
        return LocalFiles(path)
    return None
