"""Uploads validated by the REAL worker from every resource store this CKAN offers (``file_store``: ``local``,
and ``s3`` on CKAN 2.12 — the real s3proxy): the worker streams the file from the store (never by a local path
on S3), checks it, and leaves no temporary copy behind; a file missing from the store is reported."""
from __future__ import annotations

import glob
import os
import tempfile

import pytest

from tests.validation.conftest import PLUGINS, make_dataset, upload
from tests.validation.test_jobs import _invalid_delib_csv, _report, _valid_delib_csv

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")


def _copies() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "grandest-stored-*")))


class TestUploadsReadFromTheStore:
    def test_a_valid_upload_is_read_back_from_the_store_and_validated(self, org, file_store, run_worker):
        dataset = make_dataset(org["id"])
        content = _valid_delib_csv(rows=40)
        res = upload(dataset["id"], content, "deliberations.csv", format="CSV", schema="scdl/deliberations")
        assert file_store.read(res["id"]) == content.encode("utf-8")
        before = _copies()
        run_worker()
        shown = _report(res["id"])
        assert shown["status"] == "success", shown
        report = shown["report"]
        assert report["status"] == "valid"
        assert report["table"]["rows"] == 40
        assert report["source"]["fetch"]["ok"] is True and report["source"]["fetch"]["uploaded"] is True
        assert report["source"]["fetch"]["bytes"] == len(content.encode("utf-8"))
        assert _copies() <= before  # the copy streamed from an object storage is deleted

    @pytest.mark.ckan_config("ckan.plugins", PLUGINS + " grandest_onboarding")
    def test_a_file_streamed_to_the_store_while_received_is_read_back_and_validated(
            self, app, org, users, file_store, run_worker):
        """On S3 (CKAN 2.12) a file sent to the API's resource_create goes to the store while the request arrives
        (onboarding/streaming.py): the worker reads that object back like any other."""
        import io

        dataset = make_dataset(org["id"])
        content = _valid_delib_csv(rows=6000).encode("utf-8")
        assert len(content) > 1 << 20  # over the size under which uploads are received whole
        resp = app.post("/api/3/action/resource_create", headers={"Authorization": users["admin"]["token"]},
                        content_type="multipart/form-data",
                        data={"package_id": dataset["id"], "format": "CSV", "schema": "scdl/deliberations",
                              "upload": (io.BytesIO(content), "deliberations.csv")})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        res = resp.json["result"]
        assert file_store.read(res["id"]) == content
        run_worker()
        shown = _report(res["id"])
        assert shown["status"] == "success", shown
        assert shown["report"]["table"]["rows"] == 6000
        assert shown["report"]["source"]["fetch"]["bytes"] == len(content)

    def test_an_invalid_upload_read_back_from_the_store_gets_its_failures(self, org, file_store, run_worker):
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _invalid_delib_csv(), "deliberations.csv", format="CSV",
                     schema="scdl/deliberations")
        run_worker()
        shown = _report(res["id"])
        assert shown["status"] == "failure"
        assert shown["report"]["status"] == "invalid"
        assert shown["report"]["table"]["rows"] == 3

    def test_a_file_missing_from_the_store_is_reported_not_found(self, org, file_store, run_worker):
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _valid_delib_csv(), "deliberations.csv", format="CSV")
        store = file_store.files
        store.remove(store.location(res["id"]))  # lost behind CKAN's back
        run_worker()
        report = _report(res["id"])["report"]
        assert report["source"]["fetch"]["ok"] is False
        assert report["source"]["fetch"]["error_code"] == "not-found"
