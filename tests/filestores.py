"""The resource stores a test runs on (the ``file_store`` fixture of tests/conftest.py).

* ``local``: CKAN 2.11 keeps resource files under ``ckan.storage_path`` (the ``storage`` fixture's folder); on
  CKAN 2.12 the test configures a ``ckan:fs`` storage (``ckan.files.storage.resources.*``) in a folder of its own.
* ``s3`` (CKAN 2.12 only: 2.11 has no configured storages): a ``file_keeper:s3`` storage on the real s3proxy that
  ``dev/test`` starts (``CKAN_S3_*`` variables of dev/lib.sh: endpoint, bucket of the test slot, dev key pair),
  under a key prefix of the test's own, so that "nothing left in the bucket" is checked on the test's own keys.

On CKAN 2.12 both run with ``ckan.storage_path`` unset (as 2.12 intends) and ``overwrite_existing`` on, as a
portal whose publishers replace files needs it (without it CKAN's own uploader refuses a new file for an
existing resource: "already exists inside storage").
"""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ckanext.grandest.common import compat, filestore
from tests.live import EXTRA_FORWARDED

PREFIX = "ckan.files.storage.resources."
#: the stores of this CKAN: 2.12 has configured storages (local disk and S3), 2.11 only ckan.storage_path
FILE_STORES = ["local", "s3"] if compat.storage_resource_uploader() is not None else ["local"]


def s3_options(path: str) -> dict[str, str]:
    """The S3 storage options of the test slot (see ``use_env`` in dev/lib.sh)."""
    env = os.environ
    missing = [v for v in ("CKAN_S3_ENDPOINT", "CKAN_S3_BUCKET", "CKAN_S3_KEY", "CKAN_S3_SECRET") if not env.get(v)]
    assert not missing, f"{', '.join(missing)} not set: run the tests with dev/test (it starts s3proxy)"
    return {"type": "file_keeper:s3", "endpoint": env["CKAN_S3_ENDPOINT"], "bucket": env["CKAN_S3_BUCKET"],
            "key": env["CKAN_S3_KEY"], "secret": env["CKAN_S3_SECRET"], "region": "us-east-1",
            "initialize": "true", "overwrite_existing": "true", "path": path}


def _reset_storages() -> None:
    from ckan.lib import files

    files.storages.reset()
    files.storages.collect()


class FileStore:
    """What a test needs to look into its store: every key in it, a file's bytes, its presence."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    @property
    def files(self) -> filestore.LocalFiles | filestore.StorageFiles:
        store = filestore.resource_files()
        assert store is not None
        return store

    def keys(self) -> list[str]:
        """Every file in the store (backups and temporary files included)."""
        store = self.files
        if isinstance(store, filestore.StorageFiles):
            return sorted(store.storage.scan())
        root = Path(store.storage_path) / "resources"
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    def exists(self, resource_id: str) -> bool:
        store = self.files
        return store.exists(store.location(resource_id))

    def read(self, resource_id: str) -> bytes:
        store = self.files
        return b"".join(store.chunks(store.location(resource_id)))


@contextlib.contextmanager
def configure_file_store(kind: str, config: Any, monkeypatch: Any, tmp_path: Path,
                         storage_path: Path) -> Iterator[FileStore]:
    if compat.storage_resource_uploader() is None:  # CKAN 2.11: ckan.storage_path (the storage fixture)
        assert kind == "local"
        yield FileStore(kind)
        return
    if kind == "s3":
        options = s3_options(f"t-{uuid.uuid4().hex[:12]}")
    else:
        folder = tmp_path / "resource-files"
        folder.mkdir()
        options = {"type": "ckan:fs", "path": str(folder), "initialize": "true", "overwrite_existing": "true"}
    for key, value in options.items():
        monkeypatch.setitem(config, PREFIX + key, value)
        EXTRA_FORWARDED.add(PREFIX + key)  # a live server, a worker get the same storage
    monkeypatch.delitem(config, "ckan.storage_path", raising=False)
    _reset_storages()
    try:
        yield FileStore(kind)
    finally:
        for key in options:
            EXTRA_FORWARDED.discard(PREFIX + key)
        for key in [k for k in list(config.keys()) if str(k).startswith(PREFIX)]:
            config.pop(key, None)  # also the defaults CKAN's config normalisation added for this storage
        config["ckan.storage_path"] = str(storage_path)
        _reset_storages()
