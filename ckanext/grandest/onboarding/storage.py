"""The resource uploader that counts and limits the bytes it writes (``IUploader``).

CKAN's ``ResourceUpload`` checks only the global ``ckan.max_resource_size``, and the ``size`` it records is
the client's when one is sent. :class:`QuotaResourceUpload` replaces its ``upload()``:

1. it locks the organization's ledger row (see :mod:`.quota`) and works out how many bytes this file may
   take: the smallest of the global maximum, the tier's maximum per file and the storage left (the file it
   replaces, if any, counts as free);
2. it refuses at once a stream that is already known to be too long, and otherwise copies it to a temporary
   file counting bytes, stopping as soon as the allowance is passed: the partial file is removed, the
   transaction is rolled back and the user gets a message saying what is full and what to do;
3. the file is moved into place only when complete; a file it replaces is kept aside until the transaction
   commits (restored if it rolls back), and a new file is removed if the transaction rolls back: nothing
   already stored is touched by a refused or failed request;
4. it records the real size (``grandest_stored_file`` and the resource's ``size``) and updates the ledger.
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

from ckanext.grandest.common.i18n import N_

from . import config as cfg
from . import quota
from .model import StoredFile

log = logging.getLogger(__name__)

#: the error key of a refused upload (CKAN's own, for API clients); the forms' error summary shows it through
#: ``_(key)`` (scheming's errors snippet), hence its French translation in our catalog ("Fichier")
UPLOAD_ERROR_KEY = N_("upload")

FILE_OPS_KEY = "grandest_onboarding_file_ops"
CHUNK = 1 << 20


# --- files tied to the transaction ------------------------------------------------------------------------

def _ops(session: Any) -> list[tuple[str, str, str | None]]:
    return session.info.setdefault(FILE_OPS_KEY, [])


def register_new(path: str) -> None:
    """A file written by this transaction: removed if the transaction does not commit."""
    _ops(model.Session()).append(("new", path, None))


def register_replaced(path: str, backup: str) -> None:
    """``path`` was moved to ``backup``: put back if the transaction does not commit, else deleted."""
    _ops(model.Session()).append(("replaced", path, backup))


def register_delete(path: str) -> None:
    """Delete ``path`` once the transaction commits (kept if it rolls back)."""
    _ops(model.Session()).append(("delete", path, None))


def _remove(path: str | None) -> None:
    if not path:
        return
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover - permissions, etc.
        log.warning("could not remove %s: %s", path, exc)


def _after_commit(session: Any) -> None:
    ops = session.info.pop(FILE_OPS_KEY, None) or []
    for kind, path, backup in ops:
        if kind == "replaced":
            _remove(backup)
        elif kind == "delete":
            _remove(path)
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
    for kind, path, backup in reversed(ops):
        if kind == "new":
            _remove(path)
        elif kind == "replaced" and backup:
            try:
                os.replace(backup, path)
            except OSError as exc:  # pragma: no cover
                log.error("could not restore %s from %s: %s", path, backup, exc)


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


# --- the uploader ---------------------------------------------------------------------------------------

class _TooLarge(Exception):
    pass


class QuotaResourceUpload(ResourceUpload):
    """CKAN's resource uploader, with quotas enforced while writing."""

    def __init__(self, resource: dict[str, Any]) -> None:
        self.grandest_package_id = resource.get("package_id")
        super().__init__(resource)

    def upload(self, id: str, max_size: int = 10) -> None:
        if not self.storage_path:
            return
        if self.filename:
            self._store(id, max_size)
            return
        if self.clear:
            # the upload is replaced by a link: forget its size now, delete the file once committed
            filepath = self.get_path(id)
            model.Session.query(StoredFile).filter(StoredFile.resource_id == id).delete(
                synchronize_session=False)
            resource = model.Session.get(model.Resource, id)
            if resource is not None:
                quota.mark_stale(resource.package_id)  # the edit hook that follows must recount
            if os.path.exists(filepath):
                register_delete(filepath)

    # -- internals

    def _stream_length(self) -> int | None:
        stream = self.upload_file
        try:
            pos = stream.tell()
            stream.seek(0, os.SEEK_END)
            length = stream.tell()
            stream.seek(pos, os.SEEK_SET)
            return length
        except (AttributeError, OSError, ValueError):
            return None

    def _refuse(self, message: str, kind: str) -> None:
        model.Session.rollback()
        raise quota.QuotaExceeded(UPLOAD_ERROR_KEY, message, kind)

    def _store(self, id: str, max_size: int) -> None:
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

        length = self._stream_length()
        if length is not None and length > allowed:
            self.upload_file.close()
            self._refuse(message(length), kind)

        directory = self.get_directory(id)
        filepath = self.get_path(id)
        os.makedirs(directory, exist_ok=True)
        tmp = f"{filepath}~{uuid.uuid4().hex[:12]}"
        written = 0
        try:
            with open(tmp, "wb") as out:
                self.upload_file.seek(0)
                while True:
                    chunk = self.upload_file.read(CHUNK)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > allowed:
                        raise _TooLarge()
                    out.write(chunk)
        except _TooLarge:
            _remove(tmp)
            self._refuse(message(None), kind)
        except BaseException:
            _remove(tmp)
            raise
        finally:
            try:
                self.upload_file.close()
            except Exception:  # pragma: no cover
                pass

        if os.path.exists(filepath):
            backup = f"{filepath}.grandest-{uuid.uuid4().hex[:12]}"
            os.replace(filepath, backup)
            register_replaced(filepath, backup)
        else:
            register_new(filepath)
        os.replace(tmp, filepath)

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
