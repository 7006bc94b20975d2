"""The resource uploader that counts and limits the bytes it writes (``IUploader``).

CKAN's uploaders check only the global ``ckan.max_resource_size`` (or the storage's ``max_size``), and the
``size`` they record is the client's when one is sent. Ours replace their ``upload()``, over the store the portal
keeps resource files in (:mod:`ckanext.grandest.common.filestore`): :class:`QuotaResourceUpload` for
``ckan.storage_path`` (CKAN 2.11, and 2.12 without configured storages), ``QuotaStorageUpload`` (from
:func:`storage_uploader_class`) for CKAN 2.12's configured resource storage — a local disk or an S3-compatible
object storage, the bytes are streamed to it:

1. it locks the organization's ledger row (see :mod:`.quota`) and works out how many bytes this file may
   take: the smallest of the global maximum, the tier's maximum per file and the storage left (the file it
   replaces, if any, counts as free);
2. it refuses at once a stream that is already known to be too long (its length as received, not as claimed),
   and otherwise writes it counting bytes, stopping as soon as the allowance is passed: the partial file is
   removed from the store, the transaction is rolled back and the user gets a message saying what is full and
   what to do;
3. a file it replaces is kept aside in the store until the transaction commits (put back if it rolls back),
   and a new file is removed if the transaction rolls back: nothing already stored is touched by a refused or
   failed request;
4. it records the size the store holds (``grandest_stored_file`` and the resource's ``size``) and updates the
   ledger.
"""
from __future__ import annotations

import logging
import os
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ckan import model
from ckan.lib.uploader import ResourceUpload
from ckan.plugins import toolkit as tk

from ckanext.grandest.common import compat, filestore
from ckanext.grandest.common.i18n import N_

from . import config as cfg
from . import quota
from .model import StoredFile

log = logging.getLogger(__name__)

#: the error key of a refused upload (CKAN's own, for API clients); the forms' error summary shows it through
#: ``_(key)`` (scheming's errors snippet), hence its French translation in our catalog ("Fichier")
UPLOAD_ERROR_KEY = N_("upload")

FILE_OPS_KEY = "grandest_onboarding_file_ops"


# --- files tied to the transaction ------------------------------------------------------------------------
# Each operation names its store (common.filestore: the local disk or a configured file storage) and a location
# in it.

def _ops(session: Any) -> list[tuple[str, Any, str, str | None]]:
    return session.info.setdefault(FILE_OPS_KEY, [])


def register_new(files: Any, location: str) -> None:
    """A file written by this transaction: removed if the transaction does not commit."""
    _ops(model.Session()).append(("new", files, location, None))


def register_replaced(files: Any, location: str, backup: str) -> None:
    """``location`` was moved to ``backup``: put back if the transaction does not commit, else deleted."""
    _ops(model.Session()).append(("replaced", files, location, backup))


def register_delete(files: Any, location: str) -> None:
    """Delete ``location`` once the transaction commits (kept if it rolls back)."""
    _ops(model.Session()).append(("delete", files, location, None))


def _remove(files: Any, location: str | None) -> None:
    if not location:
        return
    try:
        files.remove(location)
    except Exception as exc:  # pragma: no cover - permissions, storage down...
        log.warning("could not remove %s from the %s store: %s", location, files.kind, exc)


def _after_commit(session: Any) -> None:
    ops = session.info.pop(FILE_OPS_KEY, None) or []
    for kind, files, location, backup in ops:
        if kind == "replaced":
            _remove(files, backup)
        elif kind == "delete":
            _remove(files, location)
    callbacks = session.info.pop(quota.AFTER_COMMIT_KEY, None) or []
    for callback in callbacks:
        try:
            callback()
        except Exception:  # never let an email break the request that already committed
            log.exception("grandest_onboarding: after-commit task failed")


def _after_transaction_end(session: Any, transaction: Any) -> None:
    if transaction.parent is not None:
        return
    quota.forget_transaction(session)  # the locks are gone: forget what was read under them
    session.info.pop(quota.RECOUNT_KEY, None)
    session.info.pop(quota.AFTER_COMMIT_KEY, None)
    ops = session.info.pop(FILE_OPS_KEY, None) or []
    for kind, files, location, backup in reversed(ops):
        if kind == "new":
            _remove(files, location)
        elif kind == "replaced" and backup:
            try:
                files.remove(location)  # what the rolled-back request wrote there
                files.move(backup, location)
            except Exception as exc:  # pragma: no cover
                log.error("could not restore %s from %s: %s", location, backup, exc)


_listening = False


def listen() -> None:
    """Attach the commit/rollback hooks to CKAN's session (idempotent)."""
    global _listening
    if _listening:
        return
    event.listen(model.Session, "after_commit", _after_commit)
    event.listen(model.Session, "after_transaction_end", _after_transaction_end)
    event.listen(model.Session, "before_flush", quota.note_deletions)
    event.listen(model.Session, "after_flush_postexec", quota.recount_noted)
    _listening = True


# --- the uploaders --------------------------------------------------------------------------------------

class _QuotaWriter:
    """What both uploaders share: the allowance under the organization's locks, the limited write, the backup of
    a replaced file, the size records."""

    grandest_package_id: str | None

    def _refuse(self, message: str, kind: str) -> None:
        model.Session.rollback()
        raise quota.QuotaExceeded(UPLOAD_ERROR_KEY, message, kind)

    def _store(self, files: Any, location: str, id: str, max_size: int, source: Any,
               content_type: str | None) -> None:
        session = model.Session
        resource = session.get(model.Resource, id)
        package_id = resource.package_id if resource is not None else self.grandest_package_id
        pkg = session.get(model.Package, package_id) if package_id else None
        org_id = quota.counted_org(pkg)

        allowed = int(max_size) * cfg.MiB
        kind = "global"
        limit_value = allowed
        ledger = None
        if org_id and pkg is not None:
            quota.lock_package(pkg.id)
            ledger = quota.lock(org_id)
            limits = quota.limits_of(ledger)
            if limits.max_file_bytes is not None and limits.max_file_bytes < allowed:
                allowed, kind, limit_value = limits.max_file_bytes, "file", limits.max_file_bytes
            if limits.max_storage_bytes is not None:
                usage = quota.usage_row(pkg.id)
                old = session.get(StoredFile, id)
                freed = int(old.bytes) if old is not None and usage is not None and usage.organization_id == org_id \
                    and resource is not None and resource.state == "active" else 0
                left = limits.max_storage_bytes - int(ledger.bytes_used) + freed
                if left < allowed:
                    allowed, kind = max(0, left), "storage"

        def message(size: int | None) -> str:
            if kind == "storage" and ledger is not None:
                limits = quota.limits_of(ledger)
                assert limits.max_storage_bytes is not None
                return quota.storage_full_message(quota.org_title(org_id), int(ledger.bytes_used),
                                                  limits.max_storage_bytes, size)
            return quota.file_too_large_message(size, limit_value)

        # the length of what the server received (never the client's claim): too long is refused at once
        length = filestore.stream_length(source)
        if length is not None and length > allowed:
            _close(source)
            self._refuse(message(length), kind)

        # a file this one replaces is kept aside until the transaction commits; every call to the store is inside
        # the failure handling (an unreachable S3 endpoint fails on the first HEAD, before any byte is sent)
        reader = filestore.LimitedReader(source, allowed)
        try:
            backup = None
            if files.exists(location):
                backup = f"{location}.grandest-{uuid.uuid4().hex[:12]}"
                files.move(location, backup)
                register_replaced(files, location, backup)
            else:
                register_new(files, location)
            written = files.write(location, reader, length, content_type)
        except filestore.TooLarge:
            self._refuse(message(None), kind)  # the rollback removes the partial file, restores the old one
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
        if written > allowed:  # a storage that kept more than it was sent: never count past the allowance
            self._refuse(message(written), kind)

        session.execute(
            pg_insert(StoredFile.__table__)
            .values(resource_id=id, package_id=package_id, bytes=written, modified=sa.func.now())
            .on_conflict_do_update(index_elements=["resource_id"],
                                   set_={"bytes": written, "package_id": package_id, "modified": sa.func.now()})
        )
        if resource is not None:
            resource.size = written  # the real size, whatever the client claimed
        if package_id:
            quota.sync_dataset(package_id, enforce=False)

    def _clear(self, files: Any, location: str, id: str) -> None:
        """The upload is replaced by a link: forget its size now, delete the file once committed."""
        model.Session.query(StoredFile).filter(StoredFile.resource_id == id).delete(synchronize_session=False)
        resource = model.Session.get(model.Resource, id)
        if resource is not None:
            quota.mark_stale(resource.package_id)  # the edit hook that follows must recount
        if files.exists(location):
            register_delete(files, location)


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
            self._clear(files, self.get_path(id), id)


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
                self.grandest_package_id = resource.get("package_id")
                super().__init__(resource)

            def upload(self, id: str, max_size: int = 10) -> None:
                if not self.storage or not tk.config.get("ckan.uploads_enabled", True):
                    return
                files = filestore.StorageFiles(self.storage)
                location = self.get_path(id)
                if self.filename:
                    self._store(files, location, id, max_size, self.upload_file.stream,
                                self.upload_file.content_type)
                elif self.clear:
                    self._clear(files, location, id)

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
