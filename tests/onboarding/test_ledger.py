"""The quota ledger's API itself (``onboarding/ledger.py``) on real PostgreSQL and a real store: reserve (refusal in
French, allowance, a replaced file set aside and put back), commit, release (a file replaced by a link, a purged
dataset's files), recompute; two reservations in one organization serialised; the model-level safety net of
``onboarding/deletions.py`` releasing a deletion made without any action, files included."""
from __future__ import annotations

import io
import threading

import pytest

from tests.onboarding.conftest import MiB, onboarding_config, quota_of, set_quota


def _dataset(org_id: str, name: str = "budget-2026") -> dict:
    from ckan.tests import factories

    return factories.Dataset(owner_org=org_id, name=name)


def _upload_resource(package_id: str) -> str:
    """A resource whose file is an upload, made through the model (the ledger is what is tested here)."""
    from ckan import model

    res = model.Resource(package_id=package_id, url="donnees.csv", url_type="upload")
    res.state = "active"
    model.Session.add(res)
    model.Session.flush()
    return res.id


def _write(resource_id: str, package_id: str, content: bytes, max_bytes: int = 100 * MiB) -> int:
    """What the quota uploader does, through the ledger's API: reserve, set aside, write within the allowance,
    commit the real size."""
    from ckanext.grandest.common import filestore
    from ckanext.grandest.onboarding import ledger

    store = filestore.resource_files()
    location = store.location(resource_id)
    reservation = ledger.reserve(resource_id, package_id, max_bytes)
    reservation.set_aside(store, location)
    written = store.write(location, filestore.LimitedReader(io.BytesIO(content), reservation.allowed),
                          len(content), None)
    reservation.commit(written)
    return written


def _usage(org_id: str) -> dict:
    return quota_of(org_id)["usage"]


@onboarding_config(request_context=True)
class TestLedgerApi:
    def test_reserve_commit_and_release_a_file_replaced_by_a_link(self, commune_admin):
        from ckan import model
        from ckanext.grandest.common import filestore
        from ckanext.grandest.onboarding import ledger

        org = commune_admin["org"]
        ds = _dataset(org["id"])
        res_id = _upload_resource(ds["id"])
        assert _write(res_id, ds["id"], b"a" * 1000) == 1000
        model.Session.commit()
        assert _usage(org["id"]) == {"bytes_used": 1000, "datasets_used": 1}
        assert model.Resource.get(res_id).size == 1000
        location = filestore.resource_files().location(res_id)
        assert filestore.resource_files().exists(location)

        model.Resource.get(res_id).url_type = ""  # replaced by a link
        ledger.release(resources=[res_id])
        assert filestore.resource_files().exists(location)  # deleted once committed, not before
        model.Session.commit()
        assert _usage(org["id"]) == {"bytes_used": 0, "datasets_used": 1}
        assert not filestore.resource_files().exists(location)

    def test_reserve_refuses_over_quota_in_french_and_a_rollback_puts_the_replaced_file_back(self, commune_admin):
        from ckan import model
        from ckanext.grandest.common import filestore
        from ckanext.grandest.onboarding import ledger
        from ckanext.grandest.onboarding.limits import QuotaExceeded

        org = commune_admin["org"]
        set_quota(org["id"], max_storage_mb=1)
        ds = _dataset(org["id"])
        res_id = _upload_resource(ds["id"])
        _write(res_id, ds["id"], b"1" * 1000)
        model.Session.commit()

        reservation = ledger.reserve(res_id, ds["id"], 100 * MiB)
        assert (reservation.kind, reservation.allowed) == ("storage", MiB)  # the replaced 1000 bytes count as free
        with pytest.raises(QuotaExceeded) as err:
            reservation.refuse(2 * MiB)
        assert "espace de stockage" in err.value.message and "Commune de Schirmeck" in err.value.message
        assert err.value.error_dict == {"upload": [err.value.message]}

        store = filestore.resource_files()
        location = store.location(res_id)
        reservation = ledger.reserve(res_id, ds["id"], 100 * MiB)
        reservation.set_aside(store, location)
        store.write(location, filestore.LimitedReader(io.BytesIO(b"N" * 500), reservation.allowed), 500, None)
        model.Session.rollback()  # the request failed after writing: the file it replaced is back
        assert b"".join(store.chunks(location)) == b"1" * 1000
        assert _usage(org["id"])["bytes_used"] == 1000

    def test_commit_refuses_a_dataset_beyond_the_limit(self, commune_admin):
        from ckan import model
        from ckanext.grandest.onboarding import ledger
        from ckanext.grandest.onboarding.limits import QuotaExceeded

        org = commune_admin["org"]
        set_quota(org["id"], max_datasets=1)
        _dataset(org["id"], name="premier")
        other = model.Package(name="second", type="dataset", state="active")
        model.Session.add(other)
        model.Session.flush()
        with pytest.raises(QuotaExceeded) as err:
            ledger.commit(other.id, owner_org=org["id"])
        assert err.value.kind == "datasets" and "a atteint sa limite de 1 jeux" in err.value.message
        assert _usage(org["id"])["datasets_used"] == 1

    def test_recompute_reports_and_fixes_drift_from_the_store(self, commune_admin):
        from ckan import model
        from ckanext.grandest.common import filestore
        from ckanext.grandest.onboarding import ledger
        from ckanext.grandest.onboarding.model import OrgQuota

        org = commune_admin["org"]
        ds = _dataset(org["id"])
        _write(_upload_resource(ds["id"]), ds["id"], b"x" * 321)
        model.Session.commit()
        model.Session.query(OrgQuota).filter(OrgQuota.organization_id == org["id"]).update(
            {"bytes_used": 99, "datasets_used": 7})
        model.Session.commit()
        store = filestore.resource_files()
        drift = ledger.recompute(org["id"], org["name"], store, fix=False)
        assert (drift.bytes_recorded, drift.bytes_real, drift.datasets_recorded, drift.datasets_real) == (99, 321, 7, 1)
        ledger.recompute(org["id"], org["name"], store, fix=True)
        model.Session.commit()
        assert _usage(org["id"]) == {"bytes_used": 321, "datasets_used": 1}
        assert not ledger.recompute(org["id"], org["name"], store, fix=False).has_drift

    def test_two_reservations_in_one_organization_are_serialised(self, commune_admin):
        """Two uploads into two datasets of one organization: the second waits for the first one's transaction
        (on the organization's ledger row) and sees its bytes: no overshoot."""
        import time

        import sqlalchemy as sa
        from ckan import model
        from ckanext.grandest.onboarding import ledger

        org = commune_admin["org"]
        set_quota(org["id"], max_storage_mb=1)
        first_ds, second_ds = _dataset(org["id"]), _dataset(org["id"], name="second")
        first, second = _upload_resource(first_ds["id"]), _upload_resource(second_ds["id"])
        model.Session.commit()
        allowed: list[int] = []

        errors: list[BaseException] = []

        def other_request() -> None:
            try:
                allowed.append(ledger.reserve(second, second_ds["id"], 100 * MiB).allowed)
            except BaseException as exc:  # shown by the assertion below
                errors.append(exc)
            finally:
                model.Session.rollback()
                model.Session.remove()

        _write(first, first_ds["id"], b"a" * (MiB - 100))  # holds the organization's row until the commit below
        thread = threading.Thread(target=other_request)
        thread.start()
        waiting = 0
        for _ in range(100):  # (the statistics of a transaction are a snapshot: cleared before each look)
            model.Session.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            waiting = model.Session.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            if waiting:
                break
            time.sleep(0.1)
        assert (waiting, allowed, errors) == (1, [], [])
        model.Session.commit()
        thread.join(timeout=10)
        assert allowed == [100]


@onboarding_config(request_context=True)
class TestDeletionsReachTheLedger:
    def test_a_model_level_purge_is_released_by_the_safety_net_with_its_files(self, commune_admin):
        """No action, no plugin hook: a script purges the dataset through the model."""
        from ckan import model
        from ckanext.grandest.common import filestore
        from ckanext.grandest.onboarding.model import DatasetUsage, StoredFile

        org = commune_admin["org"]
        ds = _dataset(org["id"])
        kept = _dataset(org["id"], name="garde")
        res_id = _upload_resource(ds["id"])
        _write(res_id, ds["id"], b"z" * 2048)
        model.Session.commit()
        assert _usage(org["id"]) == {"bytes_used": 2048, "datasets_used": 2}
        location = filestore.resource_files().location(res_id)

        model.Package.get(ds["id"]).purge()
        model.repo.commit_and_remove()
        assert _usage(org["id"]) == {"bytes_used": 0, "datasets_used": 1}
        assert not filestore.resource_files().exists(location)
        assert model.Session.query(StoredFile).filter(StoredFile.package_id == ds["id"]).count() == 0
        assert model.Session.query(DatasetUsage).filter(DatasetUsage.package_id == ds["id"]).count() == 0
        assert model.Package.get(kept["id"]) is not None
