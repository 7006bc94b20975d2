"""The resource uploader that counts and limits the bytes it writes (``IUploader``).

CKAN's uploaders check only the global ``ckan.max_resource_size`` (or the storage's ``max_size``), and the
``size`` they record is the client's when one is sent. Ours replace their ``upload()``, over the store the portal
keeps resource files in (:mod:`ckanext.grandest.common.filestore`): :class:`QuotaResourceUpload` for
``ckan.storage_path`` (CKAN 2.11, and 2.12 without configured storages), ``QuotaStorageUpload`` (from
:func:`storage_uploader_class`) for CKAN 2.12's configured resource storage — a local disk or an S3-compatible
object storage, the bytes are streamed to it. Each upload goes through the ledger (:mod:`.ledger`):

1. ``ledger.reserve`` locks the organization's ledger row and works out how many bytes this file may take;
2. a stream already known to be too long (its length as received, not as claimed) is refused at once; otherwise
   it is written counting bytes, stopping as soon as the allowance is passed: the reservation refuses, which
   rolls the transaction back (the partial file is removed from the store) and tells the user what is full;
3. the file it replaces is set aside until the transaction commits (put back if it rolls back);
4. the size the store holds is committed to the ledger (``grandest_stored_file``, the resource's ``size``).

A file replaced by a link is released (``ledger.release(resources=...)``: deleted once committed). A file that
:mod:`.streaming` already sent to an S3 storage while the request arrived is taken as it is (step 2 is skipped,
the object is removed if the transaction rolls back).
"""
from __future__ import annotations

import logging
import os
from typing import Any

from ckan import model
from ckan.lib.uploader import ResourceUpload
from ckan.plugins import toolkit as tk

from ckanext.grandest.common import compat, filestore

from . import config as cfg
from . import ledger
from .ledger import UPLOAD_ERROR_KEY

log = logging.getLogger(__name__)


# --- the uploaders --------------------------------------------------------------------------------------

class _QuotaWriter:
    """What both uploaders share: the reservation, the limited write, the storage's failures in French."""

    grandest_package_id: str | None

    def _store(self, files: Any, location: str, id: str, max_size: int, source: Any,
               content_type: str | None) -> None:
        reservation = ledger.reserve(id, self.grandest_package_id, int(max_size) * cfg.MiB)
        # the length of what the server received (never the client's claim): too long is refused at once
        length = filestore.stream_length(source)
        if length is not None and length > reservation.allowed:
            _close(source)
            reservation.refuse(length)

        # every call to the store is inside the failure handling (an unreachable S3 endpoint fails on the first
        # HEAD, before any byte is sent)
        reader = filestore.LimitedReader(source, reservation.allowed)
        try:
            reservation.set_aside(files, location)
            written = files.write(location, reader, length, content_type)
        except filestore.TooLarge:
            reservation.refuse(None)  # the rollback removes the partial file, restores the old one
        except _storage_errors() as err:
            model.Session.rollback()
            log.warning("grandest_onboarding: the storage refused %s: %s", location, err)
            raise tk.ValidationError({UPLOAD_ERROR_KEY: [tk._(
                "The file storage refused this file ({reason}). Nothing was changed: the previous file, if any, "
                "is kept.").format(reason=type(err).__name__)]})
        except _storage_failures() as err:
            # the storage is down or answers with an error (an S3 endpoint unreachable, a refused key...): the
            # person publishing gets a clear message, not a 500; the administrators get the cause in the log.
            # The rollback puts back a file already moved aside.
            model.Session.rollback()
            log.error("grandest_onboarding: the storage failed to write %s: %r", location, err)
            raise tk.ValidationError({UPLOAD_ERROR_KEY: [tk._(
                "The file could not be stored: the file storage did not answer as expected. Nothing was "
                "changed; please try again later, and tell the portal's administrators if it happens again.")]})
        except BaseException:
            # an interrupted upload (client gone): the rollback removes what was written and puts back the file
            # it replaced, now rather than whenever the session ends
            model.Session.rollback()
            raise
        finally:
            _close(source)
        reservation.commit(written)

    def _take_streamed(self, files: Any, location: str, id: str, max_size: int, streamed: Any) -> None:
        """The file was sent to the storage while the request arrived (:mod:`.streaming`): the object is already
        at ``location`` (or was refused and dropped). The reservation decides as for a written file; the
        transaction's rollback removes the object."""
        reservation = ledger.reserve(id, self.grandest_package_id, int(max_size) * cfg.MiB)
        streamed.claimed = True
        if streamed.refused:
            reservation.refuse(streamed.refused_size)
        ledger.Transaction.current().files.append(("new", files, location, None))
        size = streamed.put.length
        if size > reservation.allowed:
            reservation.refuse(size)
        reservation.commit(size)

    def _clear(self, id: str) -> None:
        """The upload is replaced by a link: its file is released (deleted once committed)."""
        ledger.release(resources=[id])


def _close(stream: Any) -> None:
    try:
        stream.close()
    except Exception:  # pragma: no cover
        pass


def _storage_errors() -> tuple[type[BaseException], ...]:
    """A configured storage's refusals (CKAN 2.12: its own size limit, a type it does not take)."""
    try:
        import file_keeper as fk
    except ImportError:  # CKAN 2.11
        return ()
    return (fk.exc.LargeUploadError, fk.exc.WrongUploadTypeError, fk.exc.ExistingFileError)


def _storage_failures() -> tuple[type[BaseException], ...]:
    """A configured storage that fails (unreachable, refusing the request): file-keeper's errors and, for the S3
    adapter, botocore's. A client that goes away mid-upload is not one of them (re-raised as it is)."""
    found: list[type[BaseException]] = []
    try:
        import file_keeper as fk

        found.append(fk.exc.FilesError)
    except ImportError:  # CKAN 2.11
        pass
    try:
        from botocore import exceptions as boto_exc

        found += [boto_exc.BotoCoreError, boto_exc.ClientError]
    except ImportError:  # no S3 adapter installed
        pass
    return tuple(found)


class QuotaResourceUpload(_QuotaWriter, ResourceUpload):
    """CKAN's resource uploader for ``ckan.storage_path``, with quotas enforced while writing."""

    def __init__(self, resource: dict[str, Any]) -> None:
        self.grandest_package_id = resource.get("package_id")
        super().__init__(resource)

    def upload(self, id: str, max_size: int = 10) -> None:
        if not self.storage_path:
            return
        files = filestore.LocalFiles(self.storage_path)
        if self.filename:
            os.makedirs(self.get_directory(id), exist_ok=True)
            self._store(files, self.get_path(id), id, max_size, self.upload_file, None)
        elif self.clear:
            self._clear(id)


def storage_uploader_class() -> type | None:
    """The quota uploader over CKAN 2.12's configured resource storage (None on CKAN 2.11)."""
    global _StorageUpload
    base = compat.storage_resource_uploader()
    if base is None:
        return None
    if _StorageUpload is None:
        class QuotaStorageUpload(_QuotaWriter, base):  # type: ignore[misc, valid-type]
            """CKAN 2.12's uploader for the configured resource storage (local disk, S3...), with quotas enforced
            while the bytes are sent to the storage."""

            def __init__(self, resource: dict[str, Any]) -> None:
                from .streaming import streamed_upload

                self.grandest_package_id = resource.get("package_id")
                self.grandest_streamed = streamed_upload(resource)
                # ``base`` is CKAN 2.12's uploader, chosen at run time: type checkers see object.__init__
                super().__init__(resource)  # pyright: ignore[reportCallIssue]

            def upload(self, id: str, max_size: int = 10) -> None:
                if not self.storage or not tk.config.get("ckan.uploads_enabled", True):
                    return
                files = filestore.StorageFiles(self.storage)
                location = self.get_path(id)
                streamed = self.grandest_streamed
                if self.filename and streamed is not None and (
                        streamed.refused or (streamed.stored and streamed.resource_id == id)):
                    self._take_streamed(files, location, id, max_size, streamed)
                elif self.filename:
                    self._store(files, location, id, max_size, self.upload_file.stream,
                                self.upload_file.content_type)
                elif self.clear:
                    self._clear(id)

        _StorageUpload = QuotaStorageUpload
    return _StorageUpload


_StorageUpload: type | None = None


def resource_uploader(data_dict: dict[str, Any]) -> Any:
    """The quota uploader for this portal's resource files: over its configured resource storage (CKAN 2.12),
    else over ``ckan.storage_path``; None when it has neither (CKAN's own default then answers)."""
    if compat.resource_file_storage() is not None:
        cls = storage_uploader_class()
        if cls is not None:
            return cls(data_dict)
    if tk.config.get("ckan.storage_path"):
        return QuotaResourceUpload(data_dict)
    return None
