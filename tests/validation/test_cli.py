"""``ckan grandest validation rescore | purge | recover | run``."""
from __future__ import annotations

import datetime

import pytest

from tests.validation.conftest import act, csv_text, make_dataset
from tests.validation.engine.conftest import DELIB_HEADER, delib_row

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")


def run(app, cli, *args: str):
    from ckanext.grandest.validation.cli import grandest

    with app.flask_app.test_request_context():
        result = cli.invoke(grandest, ["validation", *args], catch_exceptions=False)
    from ckan import model

    model.Session.expire_all()
    return result


def _datasets(org, n: int) -> list[dict]:
    return [make_dataset(org["id"], name=f"jeu-{i}", title=f"Jeu {i}") for i in range(n)]


class TestRescore:
    def test_rescore_scores_every_dataset_and_indexes_it(self, app, cli, org):
        from ckan import model

        from ckanext.grandest.validation.model import DatasetQuality

        made = _datasets(org, 3)
        model.Session.query(DatasetQuality).delete()
        model.Session.commit()
        result = run(app, cli, "rescore")
        assert result.exit_code == 0, result.output
        assert "3 dataset(s) done" in result.output
        assert model.Session.query(DatasetQuality).count() == 3
        found = act("package_search", fq="grandest_metadata_band:*")
        assert {d["name"] for d in found["results"]} == {d["name"] for d in made}

    def test_rescore_skips_what_was_scored_since_a_date(self, app, cli, org):
        from ckan import model

        from ckanext.grandest.validation.model import DatasetQuality

        made = _datasets(org, 3)
        run(app, cli, "rescore")
        old = model.Session.get(DatasetQuality, made[0]["id"])
        old.scored_at = datetime.datetime.utcnow() - datetime.timedelta(days=3)
        model.Session.commit()
        result = run(app, cli, "rescore", "--since", "1d")
        assert "1 dataset(s) done" in result.output
        result = run(app, cli, "rescore", "--since", "2099-01-01T00:00")
        assert "3 dataset(s) done" in result.output
        result = run(app, cli, "rescore", "--since", "hier")
        assert result.exit_code != 0 and "expected an ISO date" in result.output

    def test_rescore_resumes_after_its_cursor(self, app, cli, org, tmp_path):
        made = sorted(d["id"] for d in _datasets(org, 3))
        cursor = tmp_path / "cursor"
        cursor.write_text(made[0], encoding="utf-8")  # an interrupted run had done the first dataset
        result = run(app, cli, "rescore", "--cursor", str(cursor))
        assert f"resuming after dataset {made[0]}" in result.output
        assert "2 dataset(s) done" in result.output
        assert not cursor.exists()  # finished: the next run starts from the beginning

    def test_revalidate_queues_a_validation_of_each_resource(self, app, cli, org, clean_queue):
        dataset = make_dataset(org["id"])
        act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        act("resource_create", package_id=dataset["id"], url="https://example.org/b.csv", format="CSV")
        clean_queue.empty()
        result = run(app, cli, "rescore", "--revalidate")
        assert "2 validation(s) queued" in result.output
        assert len([j for j in clean_queue.jobs if j.func_name.endswith("validate_resource")]) == 2


class TestPurgeAndRecover:
    def test_purge_removes_old_reports_but_keeps_the_latest(self, app, cli, org):
        from ckan import model

        from ckanext.grandest.validation.model import ResourceQuality, ValidationEvent, ValidationRun

        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        gone = act("resource_create", package_id=dataset["id"], url="https://example.org/b.csv", format="CSV")
        act("resource_delete", id=gone["id"])
        long_ago = datetime.datetime.utcnow() - datetime.timedelta(days=120)
        current = model.Session.get(ResourceQuality, res["id"]).run_id
        old = ValidationRun(resource_id=res["id"], package_id=dataset["id"], status="success", trigger="update",
                            created=long_ago, report={"status": "valid"})
        model.Session.add(old)
        model.Session.get(ValidationRun, current).created = long_ago  # old but still the latest: kept
        model.Session.get(ResourceQuality, gone["id"]).modified = long_ago
        model.Session.commit()
        old_id = old.id
        model.Session.add(ValidationEvent(run_id=old_id, resource_id=res["id"], to_status="success"))
        model.Session.commit()

        dry = run(app, cli, "purge", "--older-than", "90d", "--dry-run")
        assert "2 report(s)" in dry.output and "1 deleted resource(s)" in dry.output and "nothing removed" in dry.output
        assert model.Session.get(ValidationRun, old_id) is not None
        result = run(app, cli, "purge", "--older-than", "90d")
        assert result.exit_code == 0, result.output
        assert model.Session.get(ValidationRun, old_id) is None
        assert model.Session.query(ValidationEvent).filter(ValidationEvent.run_id == old_id).count() == 0
        assert model.Session.get(ValidationRun, current) is not None
        assert model.Session.get(ResourceQuality, gone["id"]) is None
        assert model.Session.get(ResourceQuality, res["id"]) is not None
        bad = run(app, cli, "purge", "--older-than", "bientôt")
        assert bad.exit_code != 0 and "expected a duration" in bad.output

    def test_recover_marks_stale_runs_and_queues_them_again(self, app, cli, org, clean_queue):
        from ckan import model

        from ckanext.grandest.validation.model import ResourceQuality, ValidationRun

        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        clean_queue.empty()
        run_id = model.Session.get(ResourceQuality, res["id"]).run_id
        stuck = model.Session.get(ValidationRun, run_id)
        stuck.status, stuck.started = "running", datetime.datetime.utcnow() - datetime.timedelta(hours=3)
        model.Session.commit()
        result = run(app, cli, "recover")
        assert "1 interrupted or lost validation(s), 1 queued again" in result.output
        assert model.Session.get(ValidationRun, run_id).status == "error"
        assert len(clean_queue.jobs) == 1
        again = run(app, cli, "recover")
        assert "0 interrupted" in again.output

    def test_recover_queues_again_a_pending_run_whose_job_was_lost(self, app, cli, org, clean_queue):
        from ckan import model

        from ckanext.grandest.validation.model import ResourceQuality, ValidationRun

        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        clean_queue.empty()  # Redis lost the job
        run_id = model.Session.get(ResourceQuality, res["id"]).run_id
        model.Session.get(ValidationRun, run_id).created = datetime.datetime.utcnow() - datetime.timedelta(hours=3)
        model.Session.commit()
        result = run(app, cli, "recover")
        assert "1 queued again" in result.output
        assert [j.args for j in clean_queue.jobs] == [[run_id]]


def test_run_now_validates_in_this_process(app, cli, org, http_server):
    base, www = http_server
    (www / "d.csv").write_text(csv_text(DELIB_HEADER, [delib_row()]), encoding="utf-8")
    dataset = make_dataset(org["id"])
    res = act("resource_create", package_id=dataset["id"], url=f"{base}/d.csv", format="CSV",
              schema="scdl/deliberations")
    result = run(app, cli, "run", res["id"], "--now")
    assert result.exit_code == 0, result.output
    assert ": success" in result.output
    assert "not found" in run(app, cli, "run", "inconnue").output
