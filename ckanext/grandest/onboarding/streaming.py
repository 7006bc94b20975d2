"""Resource uploads sent to the S3 storage while the request body still arrives (CKAN 2.12, issue #18).

Without this, CKAN receives the whole multipart body (werkzeug spools the file to a temporary file), then the
quota uploader sends the file to the storage: two steps one after the other. Here, for an API ``resource_create``
with a file (``POST /api/3/action/resource_create``, multipart, a ``Content-Length``), to a configured S3 storage
reached over TLS or on this machine:

1. our form parser (the Flask app's request class, set by :func:`install`) sees the ``upload`` file part start;
   the fields before it name the dataset (``package_id``); if the body ends with this file (what ``requests``,
   ``ckanapi`` and ``curl -F ... -F upload=@f`` send), the file's length is the ``Content-Length`` minus what came
   before it and the closing boundary;
2. the person may add a resource to the dataset (``resource_create`` authorization) and the file fits the
   dataset's organization's allowance (read without locks): a resource id is drawn and one ``PutObject`` of
   that length to the resource's own key (``<id[:3]>/<id[3:6]>/<id[6:]>``) is fed with each chunk as it is
   parsed (:class:`~ckanext.grandest.common.s3stream.StreamedPut`). A file over the allowance by more than
   the room the form's other fields could take is refused there: its bytes are read and dropped, never stored
   (the whole body is still read, so that the client gets the answer);
3. ``resource_create`` gives the new resource the id drawn (``before_resource_create``: :func:`assign_id`) and the
   quota uploader takes the object already there: the real reservation (under the ledger's locks) checks its
   size, records it, and the transaction's rollback removes it (:meth:`QuotaStorageUpload.upload`);
4. a request that ends without that (a validation error, the client gone, the quota refused) leaves nothing:
   the PUT is stopped or the object deleted at the end of the request (:func:`_teardown`). An object left by a
   process killed between the two is swept by ``ckan grandest onboarding sweep`` (keys of no resource, older
   than an hour).

The file is also written to a temporary file as werkzeug does (the upload stays readable as before): when the
body turns out not to end with the file (its length is not the one expected), the PUT is stopped and the
uploader sends the temporary file, as without streaming. Everything else (other requests, a local storage,
CKAN 2.11, ``ckanext.grandest.onboarding.stream_uploads = false``) goes through werkzeug's own parser.
"""
from __future__ import annotations

import logging
import re
import tempfile
import uuid
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, NeedData

from ckanext.grandest.common import filestore
from ckanext.grandest.common.s3stream import StreamedPut

log = logging.getLogger(__name__)

#: smaller files are received first, then sent (werkzeug keeps them in memory up to 500 kB)
MIN_STREAMED = 1 << 20
#: room left for the form's other fields when a body's length decides a refusal before reading it
FORM_SLACK = 1 << 20
_PATH = re.compile(r"^/api/(?:3/)?action/resource_create/?$")
_ENV_KEY = "grandest.streamed_uploads"


class Streamed:
    """What the parser did with one upload: ``put`` (the object sent while received), ``refused`` (dropped:
    ``size`` over the allowance), ``resource_id`` drawn, ``claimed`` by the uploader."""

    def __init__(self, resource_id: str, package_id: str, size_hint: int) -> None:
        self.resource_id = resource_id
        self.package_id = package_id
        self.size_hint = size_hint
        self.put: StreamedPut | None = None
        self.refused = False
        self.refused_size: int | None = None
        self.limit: int | None = None
        self.claimed = False

    @property
    def stored(self) -> bool:
        return self.put is not None and self.put.state == "stored"

    def cleanup(self) -> None:
        """End of the request: an object nobody took (the resource was not created) is removed."""
        if self.put is not None and not self.claimed and self.put.state in ("new", "open", "stored"):
            self.put.abort()


class _Container:
    """The file part's stream for werkzeug: the temporary file werkzeug would write, plus the PUT fed alongside.
    Over ``limit`` bytes the PUT is stopped and the upload marked refused; the rest is dropped."""

    def __init__(self, streamed: Streamed) -> None:
        self.streamed = streamed
        self.tmp = tempfile.TemporaryFile("wb+")
        self.size = 0

    def write(self, data: bytes) -> None:
        s = self.streamed
        if s.refused:
            return
        self.size += len(data)
        if s.limit is not None and self.size > s.limit:
            s.refused, s.refused_size = True, None
            if s.put is not None:
                s.put.abort()
            self.tmp.truncate(0)
            return
        self.tmp.write(data)
        if s.put is not None:
            s.put.feed(data)

    def ended(self) -> None:
        s = self.streamed
        if s.put is not None and not s.refused and not s.put.finish():
            log.info("grandest: upload %s not streamed (%s); sent after the request", s.resource_id, s.put.state)

    def abort(self) -> None:
        if self.streamed.put is not None:
            self.streamed.put.abort()

    def seek(self, *args: Any) -> int:
        return self.tmp.seek(*args)


class _Parser(MultiPartParser):
    """werkzeug's multipart parser (same limits, same events), knowing where each file part's data starts."""

    def __init__(self, request: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request = request

    def parse(self, stream: Any, boundary: bytes, content_length: int | None) -> Any:
        from werkzeug.exceptions import RequestEntityTooLarge
        from werkzeug.sansio.multipart import MultipartDecoder

        from werkzeug.formparser import _chunk_iter  # type: ignore[attr-defined]

        decoder = MultipartDecoder(boundary, max_form_memory_size=self.max_form_memory_size,
                                   max_parts=self.max_form_parts)
        closing = len(b"\r\n--" + boundary + b"--\r\n")
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, FileStorage]] = []
        containers: list[_Container] = []
        fed = 0
        part: Any = None
        container: Any = None
        field_size: int | None = None
        try:
            for data in _chunk_iter(stream.read, self.buffer_size):
                decoder.receive_data(data)
                fed += len(data) if data else 0
                event = decoder.next_event()
                while not isinstance(event, (Epilogue, NeedData)):
                    if isinstance(event, Field):
                        part, field_size, container = event, 0, []
                    elif isinstance(event, File):
                        part, field_size = event, None
                        container = None
                        if event.name == "upload" and content_length and not containers:
                            buf = decoder.buffer
                            newline = 2 if buf[:2] == b"\r\n" else 1
                            start = fed - len(buf) + newline
                            container = _start(self.request, dict(fields), content_length - start - closing)
                            if container is not None:
                                containers.append(container)
                        if container is None:
                            container = self.start_file_streaming(event, content_length)
                    elif isinstance(event, Data):
                        if self.max_form_memory_size is not None and field_size is not None:
                            field_size += len(event.data)
                            if field_size > self.max_form_memory_size:
                                raise RequestEntityTooLarge()
                        if isinstance(container, list):
                            container.append(event.data)
                        else:
                            container.write(event.data)
                        if not event.more_data:
                            if isinstance(part, Field):
                                value = b"".join(container).decode(self.get_part_charset(part.headers), "replace")
                                fields.append((part.name, value))
                            else:
                                files.append((part.name, _file_storage(container, part)))
                    event = decoder.next_event()
        except BaseException:
            for c in containers:
                c.abort()
            raise
        return self.cls(fields), self.cls(files)


def _file_storage(container: Any, part: Any) -> FileStorage:
    if isinstance(container, _Container):
        container.ended()
        container.tmp.seek(0)
        fs = FileStorage(container.tmp, part.filename, part.name, headers=part.headers)
        fs.grandest_streamed = container.streamed  # type: ignore[attr-defined]
        return fs
    container.seek(0)
    return FileStorage(container, part.filename, part.name, headers=part.headers)


class _FormDataParser(FormDataParser):
    def __init__(self, request: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request = request

    def _parse_multipart(self, stream: Any, mimetype: str, content_length: int | None,
                         options: dict[str, str]) -> Any:
        parser = _Parser(self.request, stream_factory=self.stream_factory,
                         max_form_memory_size=self.max_form_memory_size, max_form_parts=self.max_form_parts,
                         cls=self.cls)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


def _eligible(request: Any) -> bool:
    from . import config as cfg

    if request.method != "POST" or request.mimetype != "multipart/form-data" or not request.content_length:
        return False
    if not _PATH.match(request.path or ""):
        return False
    if not cfg.stream_uploads():
        return False
    return _s3_files() is not None


def _s3_files() -> filestore.StorageFiles | None:
    """The portal's resource storage when it is S3 reached over TLS or on this machine (else None)."""
    files = filestore.resource_files()
    if not isinstance(files, filestore.StorageFiles) or not files._is_s3():
        return None
    if not filestore.trusted_transport(getattr(files.storage.settings.client.meta, "endpoint_url", None)):
        return None
    return files


def _start(request: Any, fields: dict[str, str], length: int) -> _Container | None:
    """Decide, as the ``upload`` part starts, whether it is streamed (see the module's docstring)."""
    package_id = (fields.get("package_id") or "").strip()
    if not package_id or fields.get("id") or length < MIN_STREAMED:
        return None
    try:
        allowance = _allowance(package_id)
    except Exception as err:  # not allowed, no such dataset...: the action answers as without streaming
        log.debug("grandest: upload not streamed: %r", err)
        return None
    files = _s3_files()
    if allowance is None or files is None:
        return None
    streamed = Streamed(str(uuid.uuid4()), allowance[0], length)
    streamed.limit = allowance[1]
    request.environ.setdefault(_ENV_KEY, []).append(streamed)
    if length > allowance[1] + FORM_SLACK:
        streamed.refused, streamed.refused_size = True, length
        return _Container(streamed)
    streamed.put = StreamedPut(files.storage, files.location(streamed.resource_id), length)
    return _Container(streamed)


def _allowance(package_id: str) -> tuple[str, int] | None:
    """(dataset id, bytes its next file may take) when the current user may add a resource to it; read without
    locks (the uploader's reservation decides, under them)."""
    from ckan import model
    from ckan.common import current_user
    from ckan.lib.uploader import get_max_resource_size
    from ckan.plugins import toolkit as tk

    from .limits import counted_org, limits_of
    from .model import OrgQuota

    pkg = model.Package.get(package_id)
    if pkg is None or current_user is None or not getattr(current_user, "name", None):
        return None
    tk.check_access("resource_create", {"user": current_user.name}, {"package_id": pkg.id})
    allowed = int(get_max_resource_size()) * (1 << 20)
    org_id = counted_org(pkg)
    if org_id:
        row = model.Session.get(OrgQuota, org_id)
        limits = limits_of(row)
        if limits.max_file_bytes is not None:
            allowed = min(allowed, limits.max_file_bytes)
        if limits.max_storage_bytes is not None:
            used = int(row.bytes_used) if row is not None else 0
            allowed = min(allowed, max(0, limits.max_storage_bytes - used))
    return pkg.id, allowed


def streamed_upload(resource: dict[str, Any]) -> Streamed | None:
    return getattr(resource.get("upload"), "grandest_streamed", None)


def assign_id(resource: dict[str, Any]) -> None:
    """``before_resource_create``: a file already stored under a drawn id gives the new resource that id."""
    streamed = streamed_upload(resource)
    if streamed is not None and streamed.stored and not resource.get("id"):
        resource["id"] = streamed.resource_id


def _teardown(_exc: BaseException | None = None) -> None:
    from flask import request

    for streamed in request.environ.get(_ENV_KEY, ()):
        try:
            streamed.cleanup()
        except Exception:  # pragma: no cover
            log.exception("grandest: cleaning up a streamed upload failed")


def install(app: Any) -> Any:
    """``IMiddleware.make_middleware``: the Flask app parses eligible uploads with :class:`_FormDataParser`."""
    flask_app = app
    while flask_app is not None and not hasattr(flask_app, "request_class"):
        flask_app = getattr(flask_app, "app", None)
    if flask_app is None:
        log.warning("grandest: the Flask app was not found; uploads are received before they are stored")
        return app
    base = flask_app.request_class
    if getattr(base, "grandest_streaming", False):
        return app

    class StreamingRequest(base):  # type: ignore[misc, valid-type]
        grandest_streaming = True

        def make_form_data_parser(self) -> FormDataParser:
            try:
                eligible = _eligible(self)
            except Exception:  # pragma: no cover - never let this break a request
                log.exception("grandest: checking an upload for streaming failed")
                eligible = False
            if not eligible:
                return super().make_form_data_parser()
            return _FormDataParser(self, stream_factory=self._get_file_stream,
                                   max_form_memory_size=self.max_form_memory_size,
                                   max_content_length=self.max_content_length,
                                   max_form_parts=self.max_form_parts, cls=self.parameter_storage_class)

    flask_app.request_class = StreamingRequest
    flask_app.teardown_request(_teardown)
    return app


# --- the sweep of stale objects -----------------------------------------------------------------------------

_KEY = re.compile(r"^([0-9a-f-]{3})/([0-9a-f-]{3})/([0-9a-f-]{30})(\.grandest-[0-9a-f]{12})?$")


def sweep(min_age_hours: float = 1.0, delete: bool = True) -> list[str]:
    """Objects of the S3 resource storage that no resource holds, older than ``min_age_hours``: a file streamed
    for a resource whose request died with its process before the resource was created (or rolled back), a
    replaced file set aside by a request that died. Deleted unless ``delete`` is false; returns their keys.
    Objects of existing resources, and keys outside the resource layout, are never touched."""
    import datetime as dt

    import sqlalchemy as sa

    from ckan import model

    files = filestore.resource_files()
    if not isinstance(files, filestore.StorageFiles) or not files._is_s3():
        return []
    settings = files.storage.settings
    prefix = files.storage.full_path("x")[:-1]
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=min_age_hours)
    candidates: dict[str, list[str]] = {}
    for page in settings.client.get_paginator("list_objects_v2").paginate(Bucket=settings.bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            match = _KEY.match(obj["Key"][len(prefix):])
            if match is None or obj["LastModified"] > cutoff:
                continue
            candidates.setdefault("".join(match.group(1, 2, 3)), []).append(obj["Key"])
    stale: list[str] = []
    ids = sorted(candidates)
    for i in range(0, len(ids), 500):
        batch = ids[i:i + 500]
        held = {r[0] for r in model.Session.execute(sa.text(
            "SELECT id FROM resource WHERE id = ANY(:ids)"),
            {"ids": batch})}
        for resource_id in batch:
            for key in candidates[resource_id]:
                if resource_id not in held or ".grandest-" in key:
                    stale.append(key)
    model.Session.rollback()
    if delete:
        for key in stale:
            settings.client.delete_object(Bucket=settings.bucket, Key=key)
    return stale
