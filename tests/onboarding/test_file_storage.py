"""Quotas over every resource store this CKAN offers (``file_store``: ``local`` on both versions, ``s3`` on CKAN
2.12 — the real s3proxy started by dev/test — with ``ckan.storage_path`` unset on 2.12): the bytes counted are
the bytes the store holds, a refused or interrupted upload leaves nothing in the store, a replaced file is
released, deletions are counted, a purge removes the file, ``reconcile`` reads sizes from the store, and the
file is served back by CKAN's download link."""
from __future__ import annotations

import io

import pytest

from tests.filestores import FILE_STORES
from tests.helpers import api_post
from tests.onboarding.conftest import MiB, onboarding_config, quota_of, set_quota, upload


def _dataset(app, token, org_id, name="budget-2026"):
    return api_post(app, "package_create", token, name=name, title="Budget 2026", owner_org=org_id,
                    notes="Budget primitif.")["result"]


def _location(resource_id: str) -> str:
    return f"{resource_id[0:3]}/{resource_id[3:6]}/{resource_id[6:]}"


class _Interrupted(io.RawIOBase):
    """An upload whose sender goes away after ``fail_at`` bytes (the length is known: it is seekable, as the
    spooled request body of a web upload is)."""

    def __init__(self, size: int, fail_at: int) -> None:
        self.size, self.fail_at, self.pos = size, fail_at, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence] + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer) -> int:
        if self.pos >= self.fail_at:
            raise ConnectionResetError("the client went away")
        n = min(len(buffer), self.fail_at - self.pos, self.size - self.pos)
        buffer[:n] = b"p" * n
        self.pos += n
        return n


@onboarding_config
class TestUploadsInTheStore:
    def test_an_upload_is_stored_counted_and_served_back(self, app, commune_admin, file_store, ckan_config):
        if "s3" in FILE_STORES:  # CKAN 2.12: no ckan.storage_path at all, the configured storage takes the files
            assert not ckan_config.get("ckan.storage_path")
        org, token = commune_admin["org"], commune_admin["token"]
        ds = _dataset(app, token, org["id"])
        content = b"annee;montant\n" + b"2026;1000\n" * 30000
        res = upload(app, token, content, package_id=ds["id"], name="Budget", size="1", status=200).json["result"]
        assert res["size"] == len(content)  # the bytes the store holds, not the client's claim
        assert quota_of(org["id"])["usage"] == {"bytes_used": len(content), "datasets_used": 1}
        assert file_store.keys() == [_location(res["id"])]  # nothing else: no temporary file, no backup
        assert file_store.read(res["id"]) == content
        resp = app.get(res["url"].replace("http://test.datagrandest.example", ""))
        assert resp.status_code == 200 and resp.data == content

    def test_over_quota_is_refused_and_nothing_is_left_in_the_store(self, app, commune_admin, file_store):
        org, token = commune_admin["org"], commune_admin["token"]
        set_quota(org["id"], max_storage_mb=1)
        ds = _dataset(app, token, org["id"])
        kept = upload(app, token, b"a" * (700 * 1024), package_id=ds["id"], status=200).json["result"]
        resp = upload(app, token, b"b" * (400 * 1024), package_id=ds["id"], status=409)
        assert "espace de stockage" in resp.json["error"]["upload"][0]
        assert file_store.keys() == [_location(kept["id"])]
        assert quota_of(org["id"])["usage"]["bytes_used"] == 700 * 1024
        assert len(api_post(app, "package_show", token, id=ds["id"])["result"]["resources"]) == 1

    def test_an_interrupted_upload_is_removed_from_the_store(self, app, commune_admin, file_store):
        from werkzeug.datastructures import FileStorage

        from ckan.tests.helpers import call_action

        org, token = commune_admin["org"], commune_admin["token"]
        ds = _dataset(app, token, org["id"])
        stream = io.BufferedReader(_Interrupted(3 * MiB, fail_at=2 * MiB + 512))
        with pytest.raises(Exception):  # the sender's error (or the S3 client's after its retries)
            call_action("resource_create", {"user": commune_admin["user"]["name"]}, package_id=ds["id"],
                        upload=FileStorage(stream=stream, filename="donnees.csv", content_type="text/csv"),
                        url="donnees.csv")
        from ckan import model

        model.Session.remove()
        assert file_store.keys() == []
        assert quota_of(org["id"])["usage"] == {"bytes_used": 0, "datasets_used": 1}
        assert api_post(app, "package_show", token, id=ds["id"])["result"]["resources"] == []

    def test_a_replaced_file_is_released(self, app, commune_admin, file_store):
        org, token = commune_admin["org"], commune_admin["token"]
        ds = _dataset(app, token, org["id"])
        res = upload(app, token, b"x" * 5000, package_id=ds["id"], status=200).json["result"]
        upload(app, token, b"y" * 700, action="resource_update", id=res["id"], status=200)
        assert quota_of(org["id"])["usage"]["bytes_used"] == 700
        assert file_store.keys() == [_location(res["id"])]  # the old file (kept aside until commit) is gone
        assert file_store.read(res["id"]) == b"y" * 700

    def test_a_refused_replacement_keeps_the_stored_file(self, app, commune_admin, file_store):
        org, token = commune_admin["org"], commune_admin["token"]
        set_quota(org["id"], max_storage_mb=1)
        ds = _dataset(app, token, org["id"])
        res = upload(app, token, b"original" * 1000, package_id=ds["id"], status=200).json["result"]
        upload(app, token, b"c" * (2 * MiB), action="resource_update", id=res["id"], status=409)
        assert file_store.keys() == [_location(res["id"])]
        assert file_store.read(res["id"]) == b"original" * 1000
        assert quota_of(org["id"])["usage"]["bytes_used"] == 8000

    def test_deletions_are_counted_and_a_purge_removes_the_files(self, app, commune_admin, sysadmin, file_store):
        org, token = commune_admin["org"], commune_admin["token"]
        ds = _dataset(app, token, org["id"])
        r1 = upload(app, token, b"a" * 1000, package_id=ds["id"], status=200).json["result"]
        r2 = upload(app, token, b"b" * 2000, package_id=ds["id"], status=200).json["result"]
        api_post(app, "resource_delete", token, id=r1["id"])
        assert quota_of(org["id"])["usage"] == {"bytes_used": 2000, "datasets_used": 1}
        api_post(app, "dataset_purge", sysadmin["token"], id=ds["id"])
        assert quota_of(org["id"])["usage"] == {"bytes_used": 0, "datasets_used": 0}
        assert not file_store.exists(r2["id"])

    def test_a_file_replaced_by_a_link_is_deleted_from_the_store(self, app, commune_admin, file_store):
        org, token = commune_admin["org"], commune_admin["token"]
        ds = _dataset(app, token, org["id"])
        res = upload(app, token, b"x" * 5000, package_id=ds["id"], status=200).json["result"]
        api_post(app, "resource_update", token, id=res["id"], url="https://example.org/x.csv", clear_upload="true",
                 url_type="")
        assert quota_of(org["id"])["usage"]["bytes_used"] == 0
        assert file_store.keys() == []

    def test_reconcile_reads_the_sizes_from_the_store(self, app, commune_admin, file_store):
        from ckan import model

        from ckanext.grandest.onboarding import quota
        from ckanext.grandest.onboarding.model import OrgQuota

        org, token = commune_admin["org"], commune_admin["token"]
        ds = _dataset(app, token, org["id"])
        upload(app, token, b"a" * 4000, package_id=ds["id"], status=200)
        row = model.Session.get(OrgQuota, org["id"])
        row.bytes_used = 123
        model.Session.commit()
        drift = {d.name: d for d in quota.reconcile(fix=False)}["commune-de-schirmeck"]
        assert (drift.bytes_recorded, drift.bytes_real) == (123, 4000)
        quota.reconcile(fix=True)
        assert quota_of(org["id"])["usage"]["bytes_used"] == 4000


#: over s3proxy's limit for a SigV4 body whose hash is signed (128 MiB: ``MaxMessageLengthExceeded``), as small
#: as that allows
BIG = 129 * MiB


def _big_file(path) -> str:
    """A 129 MiB file on disk (distinct 1 MiB blocks: a block lost, doubled or swapped changes its hash)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for i in range(BIG // MiB):
            block = i.to_bytes(4, "big") * (MiB // 4)
            f.write(block)
            digest.update(block)
    return digest.hexdigest()


@onboarding_config
@pytest.mark.ckan_config("ckan.max_resource_size", "200")
class TestALargeUpload:
    def test_a_file_over_128_mib_is_streamed_whole_into_the_store_and_counted(
            self, app, commune_admin, file_store, tmp_path):
        """The upload path never holds the file in memory (the request's spooled body is streamed to the store),
        and an S3 storage on this machine takes a body past 128 MiB in one request."""
        import hashlib
        import tracemalloc

        from werkzeug.datastructures import FileStorage

        from ckan import model
        from ckan.tests.helpers import call_action

        org, token = commune_admin["org"], commune_admin["token"]
        set_quota(org["id"], max_storage_mb=300, max_file_mb=200)
        ds = _dataset(app, token, org["id"])
        expected = _big_file(tmp_path / "gros.bin")
        with open(tmp_path / "gros.bin", "rb") as stream:
            tracemalloc.start()
            try:
                res = call_action("resource_create", {"user": commune_admin["user"]["name"]}, package_id=ds["id"],
                                  upload=FileStorage(stream=stream, filename="gros.bin",
                                                     content_type="application/octet-stream"), url="gros.bin")
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert peak < 24 * MiB, f"{peak / MiB:.0f} MiB held in memory for a {BIG // MiB} MiB upload"
        model.Session.remove()
        assert res["size"] == BIG
        assert quota_of(org["id"])["usage"] == {"bytes_used": BIG, "datasets_used": 1}
        assert file_store.keys() == [_location(res["id"])]
        store = file_store.files
        digest = hashlib.sha256()
        for chunk in store.chunks(store.location(res["id"])):
            digest.update(chunk)
        assert digest.hexdigest() == expected


def test_only_tls_or_this_machine_is_a_trusted_transport_for_an_unsigned_payload():
    from ckanext.grandest.common.filestore import trusted_transport

    for url in ("https://s3.fr-par.scw.cloud", "https://10.0.0.5:9000", "http://127.0.0.1:18399",
                "http://localhost:9000", "http://[::1]:9000", None):
        assert trusted_transport(url), url
    for url in ("http://s3.interne.example:9000", "http://10.0.0.5:9000", "http://[2001:db8::1]:9000"):
        assert not trusted_transport(url), url


if "s3" in FILE_STORES:  # CKAN 2.12: an object storage that fails (2.11 has no configured storages)

    @onboarding_config
    class TestAStorageThatFails:
        def test_an_unreachable_storage_gives_a_french_message_and_keeps_the_stored_file(
                self, app, commune_admin, storage, ckan_config, monkeypatch, tmp_path):
            import boto3
            from botocore.config import Config

            from ckanext.grandest.common import filestore
            from tests.filestores import configure_file_store
            from tests.live import free_port

            org, token = commune_admin["org"], commune_admin["token"]
            first = b"annee,montant\n2026,1000\n"
            with configure_file_store("s3", ckan_config, monkeypatch, tmp_path, storage) as store:
                ds = _dataset(app, token, org["id"])
                kept = upload(app, token, first, package_id=ds["id"], status=200).json["result"]
                # the S3 server goes away while the portal runs: the storage's client now reaches a closed port
                settings = filestore.resource_files().storage.settings
                working = settings.client
                settings.client = boto3.client(
                    "s3", endpoint_url=f"http://127.0.0.1:{free_port()}", region_name="us-east-1",
                    aws_access_key_id="x", aws_secret_access_key="y",
                    config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=2))
                try:
                    resp = upload(app, token, b"annee,montant\n2027,2000\n", action="resource_update",
                                  id=kept["id"])
                finally:
                    settings.client = working
                assert resp.status_code == 409, resp.get_data(as_text=True)
                (message,) = resp.json["error"]["upload"]
                assert "n'a pas pu être enregistré" in message, message
                # nothing lost: the first file is still counted, listed and stored, under its own key only
                assert quota_of(org["id"])["usage"]["bytes_used"] == len(first)
                resources = api_post(app, "package_show", token, id=ds["id"])["result"]["resources"]
                assert [(r["id"], r["size"]) for r in resources] == [(kept["id"], len(first))]
                assert store.read(kept["id"]) == first
                assert store.keys() == [_location(kept["id"])]

    @onboarding_config
    class TestS3PayloadSigning:
        def test_an_upload_to_a_local_endpoint_is_streamed_unsigned_and_other_requests_stay_signed(
                self, app, commune_admin, storage, ckan_config, monkeypatch, tmp_path):
            """The body of an upload is not hashed for its signature when the S3 endpoint is on this machine (one
            pass over the file; the server writes while it receives), and only the upload's request is."""
            import hashlib

            from ckanext.grandest.common import filestore
            from tests.filestores import configure_file_store

            org, token = commune_admin["org"], commune_admin["token"]
            with configure_file_store("s3", ckan_config, monkeypatch, tmp_path, storage) as store:
                settings = filestore.resource_files().storage.settings
                seen: list[str] = []

                def spy(request, **_):
                    value = request.headers.get("X-Amz-Content-SHA256")
                    seen.append(value.decode() if isinstance(value, bytes) else value)

                settings.client.meta.events.register("before-send.s3.PutObject", spy)
                try:
                    ds = _dataset(app, token, org["id"])
                    res = upload(app, token, b"annee;montant\n2026;1000\n", package_id=ds["id"],
                                 status=200).json["result"]
                    key = f"{settings.path}/hors-televersement"
                    settings.client.put_object(Bucket=settings.bucket, Key=key, Body=b"abc")
                    settings.client.delete_object(Bucket=settings.bucket, Key=key)
                finally:
                    settings.client.meta.events.unregister("before-send.s3.PutObject", spy)
                assert seen == ["UNSIGNED-PAYLOAD", hashlib.sha256(b"abc").hexdigest()]
                assert store.read(res["id"]) == b"annee;montant\n2026;1000\n"
