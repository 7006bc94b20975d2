"""A file sent to the API's ``resource_create`` goes to the S3 storage while the request body still arrives
(``ckanext/grandest/onboarding/streaming.py``), on CKAN 2.12 with the real s3proxy: it lands at the new
resource's own key with the right bytes, quotas refuse it early (from the request's length) or while it streams,
and a request that fails (validation, quota, a client gone, a body that does not end with the file) leaves nothing
in the bucket. On CKAN 2.11 (no configured storages) uploads are parsed by werkzeug as before."""
from __future__ import annotations

import io

import pytest

from tests.filestores import FILE_STORES
from tests.helpers import api_post
from tests.onboarding.conftest import MiB, onboarding_config, quota_of, set_quota


def _location(resource_id: str) -> str:
    return f"{resource_id[0:3]}/{resource_id[3:6]}/{resource_id[6:]}"


def _dataset(app, token, org_id, name="budget-2026"):
    return api_post(app, "package_create", token, name=name, title="Budget 2026", owner_org=org_id,
                    notes="Budget primitif.")["result"]


def _content(size: int) -> bytes:
    """CSV-looking bytes whose every line differs (a block lost or doubled changes them)."""
    out = bytearray(b"ligne;montant\n")
    i = 0
    while len(out) < size:
        out += b"%08d;%d\n" % (i, i * 7)
        i += 1
    return bytes(out[:size])


BOUNDARY = "----grandest-test-boundary"


def _body(parts: list[tuple[str, bytes, str | None]]) -> bytes:
    """A multipart/form-data body with its parts in the given order ((name, value, filename or None))."""
    out = bytearray()
    for name, value, filename in parts:
        out += f"--{BOUNDARY}\r\n".encode()
        if filename:
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    "Content-Type: text/csv\r\n\r\n").encode()
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value + b"\r\n"
    out += f"--{BOUNDARY}--\r\n".encode()
    return bytes(out)


def _post(app, token, body: bytes | None = None, stream=None, chunked: bool = False):
    """POST a multipart body to resource_create; ``chunked``: sent without a length (the server reads to the end)."""
    extra: dict = {"input_stream": stream} if stream is not None else {"data": body}
    headers = {"Authorization": token, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
        extra["environ_overrides"] = {"wsgi.input_terminated": True}
    return app.post("/api/3/action/resource_create", headers=headers, **extra)


@pytest.fixture
def sent(monkeypatch):
    """Bytes forwarded to the storage by streamed PUTs (``sent["bytes"]``), and how many had gone when the last
    byte of the request body was read (``sent["at_body_end"]``)."""
    from ckanext.grandest.common import s3stream

    counts = {"bytes": 0, "at_body_end": None}
    original = s3stream.StreamedPut._send

    def spy(self, data):
        original(self, data)
        counts["bytes"] += len(data)

    monkeypatch.setattr(s3stream.StreamedPut, "_send", spy)
    return counts


class _Body(io.RawIOBase):
    """The request body as the server reads it; notes how many bytes had been forwarded when it was all read,
    or stops short (``cut_at``: the client went away)."""

    def __init__(self, data: bytes, sent: dict, cut_at: int | None = None) -> None:
        self.data, self.sent, self.cut_at, self.pos = data, sent, cut_at, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the body's length
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: len(self.data)}[whence] + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer) -> int:
        end = len(self.data) if self.cut_at is None else self.cut_at
        n = min(len(buffer), end - self.pos)
        buffer[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        if self.pos >= end and self.sent["at_body_end"] is None:
            self.sent["at_body_end"] = self.sent["bytes"]
        return n


if "s3" in FILE_STORES:

    @onboarding_config
    @pytest.mark.parametrize("file_store", ["s3"], indirect=True)
    class TestStreamedUploads:
        def test_a_file_lands_at_its_resource_key_while_the_body_arrives(self, app, commune_admin, file_store,
                                                                         sent):
            org, token = commune_admin["org"], commune_admin["token"]
            ds = _dataset(app, token, org["id"])
            content = _content(3 * MiB + 12345)
            body = _body([("package_id", ds["id"].encode(), None), ("name", "Budget".encode(), None),
                          ("upload", content, "budget.csv")])
            resp = _post(app, token, stream=_Body(body, sent))
            assert resp.status_code == 200, resp.get_data(as_text=True)
            res = resp.json["result"]
            # when the server read the body's last chunk (64 KiB), the file before it had gone to the storage
            assert len(content) - 128 * 1024 <= sent["at_body_end"] < len(content)
            assert sent["bytes"] == len(content)
            assert res["size"] == len(content) and res["url_type"] == "upload"
            assert file_store.keys() == [_location(res["id"])]
            assert file_store.read(res["id"]) == content
            assert quota_of(org["id"])["usage"] == {"bytes_used": len(content), "datasets_used": 1}
            served = app.get(res["url"].replace("http://test.datagrandest.example", ""))
            assert served.status_code == 200 and served.data == content

        def test_over_quota_by_the_request_length_is_refused_before_anything_is_sent(
                self, app, commune_admin, file_store, sent):
            org, token = commune_admin["org"], commune_admin["token"]
            set_quota(org["id"], max_storage_mb=1)
            ds = _dataset(app, token, org["id"])
            body = _body([("package_id", ds["id"].encode(), None), ("upload", _content(4 * MiB), "gros.csv")])
            resp = _post(app, token, body)
            assert resp.status_code == 409, resp.get_data(as_text=True)
            assert "espace de stockage" in resp.json["error"]["upload"][0]
            assert sent["bytes"] == 0
            assert file_store.keys() == []
            assert quota_of(org["id"])["usage"]["bytes_used"] == 0
            assert api_post(app, "package_show", token, id=ds["id"])["result"]["resources"] == []

        def test_over_quota_found_while_streaming_leaves_nothing(self, app, commune_admin, file_store, sent):
            org, token = commune_admin["org"], commune_admin["token"]
            set_quota(org["id"], max_storage_mb=2)
            ds = _dataset(app, token, org["id"])
            # within the room kept for the form's other fields: streamed, then stopped past the allowance
            body = _body([("package_id", ds["id"].encode(), None),
                          ("upload", _content(2 * MiB + 300 * 1024), "gros.csv")])
            resp = _post(app, token, body)
            assert resp.status_code == 409, resp.get_data(as_text=True)
            assert "espace de stockage" in resp.json["error"]["upload"][0]
            assert sent["bytes"] > 0
            assert file_store.keys() == []
            assert quota_of(org["id"])["usage"]["bytes_used"] == 0

        def test_a_file_over_quota_without_a_request_length_is_refused_and_leaves_nothing(
                self, app, commune_admin, file_store, sent):
            org, token = commune_admin["org"], commune_admin["token"]
            set_quota(org["id"], max_storage_mb=1)
            ds = _dataset(app, token, org["id"])
            body = _body([("package_id", ds["id"].encode(), None), ("upload", _content(3 * MiB), "gros.csv")])
            resp = _post(app, token, stream=_Body(body, sent), chunked=True)
            assert resp.status_code == 409, resp.get_data(as_text=True)
            assert "espace de stockage" in resp.json["error"]["upload"][0]
            assert sent["bytes"] == 0  # no length to stream against: received, then refused while written
            assert file_store.keys() == []

        def test_a_failed_resource_create_leaves_nothing(self, app, commune_admin, file_store, sent):
            org, token = commune_admin["org"], commune_admin["token"]
            ds = _dataset(app, token, org["id"])
            body = _body([("package_id", ds["id"].encode(), None), ("created", b"pas une date", None),
                          ("upload", _content(2 * MiB), "budget.csv")])
            resp = _post(app, token, body)
            assert resp.status_code == 409, resp.get_data(as_text=True)
            assert sent["bytes"] == 2 * MiB  # it was stored while received, then removed
            assert file_store.keys() == []
            assert quota_of(org["id"])["usage"]["bytes_used"] == 0
            assert api_post(app, "package_show", token, id=ds["id"])["result"]["resources"] == []

        def test_a_client_gone_mid_body_leaves_nothing(self, app, commune_admin, file_store, sent):
            org, token = commune_admin["org"], commune_admin["token"]
            ds = _dataset(app, token, org["id"])
            body = _body([("package_id", ds["id"].encode(), None), ("upload", _content(4 * MiB), "budget.csv")])
            resp = _post(app, token, stream=_Body(body, sent, cut_at=2 * MiB))
            assert resp.status_code >= 400
            assert sent["bytes"] > 0
            assert file_store.keys() == []
            assert api_post(app, "package_show", token, id=ds["id"])["result"]["resources"] == []

        def test_a_body_that_does_not_end_with_the_file_is_stored_after_it(self, app, commune_admin, file_store,
                                                                              sent):
            """A browser sends the form's other fields after the file: the length guessed for the file is wrong,
            the streamed PUT is stopped, and the file is sent once received, as without streaming."""
            org, token = commune_admin["org"], commune_admin["token"]
            ds = _dataset(app, token, org["id"])
            content = _content(2 * MiB)
            body = _body([("package_id", ds["id"].encode(), None), ("upload", content, "budget.csv"),
                          ("name", "Budget après le fichier".encode(), None)])
            resp = _post(app, token, body)
            assert resp.status_code == 200, resp.get_data(as_text=True)
            res = resp.json["result"]
            assert res["name"] == "Budget après le fichier" and res["size"] == len(content)
            assert file_store.keys() == [_location(res["id"])]
            assert file_store.read(res["id"]) == content

        def test_replacing_a_streamed_file_releases_it(self, app, commune_admin, file_store, sent):
            from tests.onboarding.conftest import upload

            org, token = commune_admin["org"], commune_admin["token"]
            ds = _dataset(app, token, org["id"])
            body = _body([("package_id", ds["id"].encode(), None), ("upload", _content(2 * MiB), "a.csv")])
            res = _post(app, token, body).json["result"]
            upload(app, token, b"y" * 700, action="resource_update", id=res["id"], status=200)
            assert quota_of(org["id"])["usage"]["bytes_used"] == 700
            assert file_store.keys() == [_location(res["id"])]
            assert file_store.read(res["id"]) == b"y" * 700

        def test_the_sweep_deletes_objects_no_resource_holds(self, app, commune_admin, file_store, sent):
            """``ckan grandest onboarding sweep``: what a process killed mid-upload left (an object under a drawn
            id that no resource took) goes; the files of resources stay."""
            import uuid

            from ckanext.grandest.onboarding.streaming import sweep

            org, token = commune_admin["org"], commune_admin["token"]
            ds = _dataset(app, token, org["id"])
            body = _body([("package_id", ds["id"].encode(), None), ("upload", _content(2 * MiB), "a.csv")])
            res = _post(app, token, body).json["result"]
            store = file_store.files
            settings = store.storage.settings
            orphan = store.storage.full_path(_location(str(uuid.uuid4())))
            settings.client.put_object(Bucket=settings.bucket, Key=orphan, Body=b"abandonne")
            assert sweep(min_age_hours=1) == []  # too recent: may be an upload under way
            assert sweep(min_age_hours=0, delete=False) == [orphan]
            assert sweep(min_age_hours=0) == [orphan]
            assert file_store.keys() == [_location(res["id"])]
            assert file_store.read(res["id"]) == _content(2 * MiB)

        @pytest.mark.ckan_config("ckan.max_resource_size", "100")
        def test_memory_stays_flat_in_the_file_size(self, app, commune_admin, file_store, sent, tmp_path):
            import tracemalloc

            org, token = commune_admin["org"], commune_admin["token"]
            set_quota(org["id"], max_storage_mb=200, max_file_mb=100)
            ds = _dataset(app, token, org["id"])
            path = tmp_path / "body.bin"
            head = _body([("package_id", ds["id"].encode(), None)])[: -len(f"--{BOUNDARY}--\r\n")]
            size = 64 * MiB
            with open(path, "wb") as f:
                f.write(head + f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; '
                        f'filename="gros.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode())
                for i in range(size // MiB):
                    f.write(i.to_bytes(4, "big") * (MiB // 4))
                f.write(f"\r\n--{BOUNDARY}--\r\n".encode())
            with open(path, "rb") as stream:
                tracemalloc.start()
                try:
                    resp = _post(app, token, stream=stream)
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
            assert resp.status_code == 200, resp.get_data(as_text=True)
            assert peak < 24 * MiB, f"{peak / MiB:.0f} MiB held in memory for a {size // MiB} MiB upload"
            res = resp.json["result"]
            assert res["size"] == size and sent["bytes"] == size
            assert file_store.keys() == [_location(res["id"])]


@onboarding_config
@pytest.mark.parametrize("file_store", ["local"], indirect=True)
def test_uploads_to_a_local_store_are_received_whole_then_written(app, commune_admin, file_store, sent):
    """CKAN 2.11, or a local storage on CKAN 2.12: werkzeug parses the body, nothing is streamed."""
    from tests.onboarding.conftest import upload

    org, token = commune_admin["org"], commune_admin["token"]
    ds = _dataset(app, token, org["id"])
    content = _content(2 * MiB)
    res = upload(app, token, content, package_id=ds["id"], status=200).json["result"]
    assert res["size"] == len(content) and sent["bytes"] == 0
    assert file_store.read(res["id"]) == content
