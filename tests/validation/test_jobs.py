"""The validation job end to end, through the REAL worker (``ckan jobs worker grandest:validation --burst``).

Uploads and links are created through the actions (as the web form and the API do); the request only queues a
job; the worker subprocess validates, stores the report, scores and re-indexes; Solr answers the facet and
sort queries.
"""
from __future__ import annotations

import datetime
import io
import time
import zipfile

import pytest
import requests

from tests.validation.conftest import QUEUE, act, csv_text, make_dataset, upload
from tests.validation.engine.conftest import DELIB_HEADER, delib_row, failing_subventions_csv

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")


def _quality(resource_id: str):
    from ckan import model

    from ckanext.grandest.validation.model import ResourceQuality

    model.Session.expire_all()
    return model.Session.get(ResourceQuality, resource_id)


def _report(resource_id: str) -> dict:
    from ckan.tests.helpers import call_action

    return call_action("grandest_resource_validation_show", id=resource_id)


def _valid_delib_csv(rows: int = 3) -> str:
    return csv_text(DELIB_HEADER, [delib_row(DELIB_ID=f"2024-{i:03d}") for i in range(1, rows + 1)])


def _invalid_delib_csv() -> str:
    return csv_text(DELIB_HEADER, [
        delib_row(),
        delib_row(DELIB_ID="2024-002", COLL_SIRET="12345678901234", DELIB_DATE="31/02/2024"),
        delib_row(DELIB_ID="2024-003", VOTE_POUR="99"),
    ])


def _solr(**params) -> dict:
    import ckan.plugins.toolkit as tk

    params = {"wt": "json", "q": "*:*", "fq": f"+site_id:{tk.config['ckan.site_id']}", **params}
    return requests.get(tk.config["solr_url"] + "/select", params=params, timeout=10).json()


class TestUploads:
    def test_a_valid_csv_is_queued_then_validated_by_the_worker(self, org, clean_queue, run_worker):
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _valid_delib_csv(), "deliberations.csv", format="CSV",
                     schema="scdl/deliberations")
        # the request only queued a job: the resource is pending, the job is in our queue
        row = _quality(res["id"])
        assert row.status == "pending"
        assert row.report_run_id is None
        jobs = [j for j in clean_queue.jobs if j.func_name.endswith("validate_resource")]
        assert len(jobs) == 1
        assert jobs[0].timeout == 900
        assert _report(res["id"])["report"] is None

        run_worker()

        shown = _report(res["id"])
        assert shown["status"] == "success"
        report = shown["report"]
        assert report["status"] == "valid"
        assert report["schema"]["id"] == "scdl/deliberations"
        assert report["table"]["rows"] == 3
        assert shown["data_score"]["total"] >= 87 and shown["data_score"]["band"] == "excellent"
        # the transitions were recorded
        from ckan import model

        from ckanext.grandest.validation.model import ValidationEvent

        steps = [e.to_status for e in model.Session.query(ValidationEvent).filter(
            ValidationEvent.resource_id == res["id"]).order_by(ValidationEvent.id)]
        assert steps == ["pending", "running", "success"]
        # the resource itself was not touched by the plugin
        after = act("resource_show", id=res["id"])
        assert after["metadata_modified"] == res["metadata_modified"]
        assert not any(k.startswith("grandest") or k.startswith("validation") for k in after)
        # the dataset's scores are indexed in Solr
        doc = _solr(q=f"id:{dataset['id']}", fl="id")["response"]
        assert doc["numFound"] == 1
        assert _solr(q="grandest_data_band:excellent")["response"]["numFound"] == 1
        assert _solr(q="grandest_metadata_score:[200 TO 405]")["response"]["numFound"] == 1

    def test_an_invalid_scdl_deliberations_file_gets_a_failure_with_french_explanations(self, org, run_worker):
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _invalid_delib_csv(), "deliberations.csv", format="CSV",
                     schema="scdl/deliberations")
        run_worker()
        shown = _report(res["id"])
        assert shown["status"] == "failure"
        report = shown["report"]
        assert report["status"] == "invalid"
        assert report["counts"]["french-siret-value"] == 1
        assert report["counts"]["type-error"] == 1
        siret = next(e for e in report["errors"] if e["type"] == "french-siret-value")
        assert siret["row"] == 3 and siret["column"] == "COLL_SIRET" and siret["value"] == "12345678901234"
        assert "n'est pas un numéro SIRET valide" in siret["message"]
        assert "14 chiffres" in siret["fix"]
        score = shown["data_score"]
        assert score["total"] < 87
        conformity = next(c for c in score["components"] if c["key"] == "conformity")
        assert conformity["points"] < conformity["max"]

    def test_a_zip_bomb_is_refused_without_extracting_it(self, org, run_worker, ckan_config):
        dataset = make_dataset(org["id"])
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("data.csv", b"a,b\n" + b"0,0\n" * (40 * 1024 * 1024 // 4))  # 40 MiB of zeros
        bomb = buf.getvalue()
        assert len(bomb) < 200 * 1024
        res = upload(dataset["id"], bomb, "donnees.zip", format="ZIP")
        started = time.monotonic()
        proc = run_worker()
        assert time.monotonic() - started < 60  # refused from the zip's directory, never extracted
        shown = _report(res["id"])
        assert shown["status"] == "failure", proc.stderr[-2000:]
        report = shown["report"]
        assert report["status"] == "rejected"
        assert not (report["table"] or {}).get("rows")
        assert report["errors"][0]["type"] == "zip-bomb"
        assert report["errors"][0]["message"] and report["errors"][0]["fix"]
        # refused: 0 and a band of its own (it used to keep 35 points)
        score = shown["data_score"]
        assert score["total"] == 0 and score["band"] == "inutilisable" and "inutilisable" in score["cap"]["reason"]

    def test_a_metadata_only_edit_does_not_validate_again(self, org, clean_queue, run_worker):
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _valid_delib_csv(), "deliberations.csv", format="CSV",
                     schema="scdl/deliberations")
        run_worker()
        first = _quality(res["id"]).run_id
        act("resource_patch", id=res["id"], description="Délibérations du conseil municipal, 2024.")
        act("package_patch", id=dataset["id"], title="Délibérations 2024")
        assert not [j for j in clean_queue.jobs if j.func_name.endswith("validate_resource")]
        assert [j for j in clean_queue.jobs if j.func_name.endswith("score_dataset")]
        run_worker()
        assert _quality(res["id"]).run_id == first
        # a new file is validated again
        from werkzeug.datastructures import FileStorage

        act("resource_update", id=res["id"], package_id=dataset["id"], format="CSV",
                    schema="scdl/deliberations", url="deliberations.csv",
                    upload=FileStorage(stream=io.BytesIO(_invalid_delib_csv().encode()), filename="deliberations.csv"))
        assert _quality(res["id"]).status == "pending"
        run_worker()
        assert _quality(res["id"]).status == "failure"
        assert _quality(res["id"]).run_id != first


class TestLinks:
    def test_a_link_to_a_loopback_server_is_refused_when_allow_loopback_is_false(self, org, http_server,
                                                                                  run_worker):
        base, www = http_server
        (www / "deliberations.csv").write_text(_valid_delib_csv(), encoding="utf-8")
        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url=f"{base}/deliberations.csv",
                          format="CSV", name="Délibérations")
        run_worker(**{"ckanext.grandest.validation.allow_loopback": "false"})
        shown = _report(res["id"])
        assert shown["status"] == "error"
        error = shown["report"]["errors"][0]
        assert error["code"] == "forbidden-address"
        assert "réseau privé ou interne" in error["message"]
        assert _quality(res["id"]).available is False

    def test_a_link_is_downloaded_and_validated_when_loopback_is_allowed(self, org, http_server, run_worker):
        base, www = http_server
        (www / "deliberations.csv").write_text(_invalid_delib_csv(), encoding="utf-8")
        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url=f"{base}/deliberations.csv",
                          format="CSV", schema="scdl/deliberations", name="Délibérations")
        run_worker()
        shown = _report(res["id"])
        assert shown["status"] == "failure"
        assert shown["report"]["source"]["fetch"]["status"] == 200
        assert _quality(res["id"]).available is True

    def test_a_pdf_link_is_scored_on_what_applies(self, org, http_server, run_worker):
        base, www = http_server
        (www / "rapport.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url=f"{base}/rapport.pdf", format="PDF",
                          name="Rapport annuel", description="Le rapport annuel de la commune, en PDF.")
        run_worker()
        shown = _report(res["id"])
        assert shown["status"] == "success"
        score = shown["data_score"]
        assert score["kind"] == "non-tabular"
        assert [c["key"] for c in score["components"]] == ["availability", "openness", "metadata"]
        assert next(c for c in score["components"] if c["key"] == "availability")["points"] == 40


class TestRecovery:
    def test_a_worker_killed_mid_job_is_recovered_and_the_job_runs_again(self, org, clean_queue, run_worker):
        from ckan import model

        from ckanext.grandest.validation.model import ValidationRun

        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _valid_delib_csv(), "deliberations.csv", format="CSV",
                     schema="scdl/deliberations")
        row = _quality(res["id"])
        run_id = row.run_id
        # a worker took the job and was killed an hour ago: the row says 'running', the job is gone from Redis
        clean_queue.empty()
        run = model.Session.get(ValidationRun, run_id)
        run.status, run.started = "running", datetime.datetime.utcnow() - datetime.timedelta(hours=1)
        run.heartbeat = run.started + datetime.timedelta(seconds=30)
        row.status = "running"
        model.Session.commit()

        from ckanext.grandest.validation import scheduler

        entries = scheduler.recover_stale(actor="test")
        assert [e["run_id"] for e in entries] == [run_id]
        model.Session.expire_all()
        old = model.Session.get(ValidationRun, run_id)
        assert old.status == "error" and "interrompue" in old.error
        new_id = entries[0]["requeued"]
        assert _quality(res["id"]).run_id == new_id and _quality(res["id"]).status == "pending"
        assert model.Session.get(ValidationRun, new_id).attempt == 2
        assert [j.args for j in clean_queue.jobs] == [[new_id]]

        run_worker()
        assert _quality(res["id"]).status == "success"

    def test_the_next_job_recovers_interrupted_validations_of_other_resources(self, org, run_worker):
        from ckan import model

        from ckanext.grandest.validation.model import ValidationRun

        dataset = make_dataset(org["id"])
        stuck = upload(dataset["id"], _valid_delib_csv(), "a.csv", format="CSV")
        run_worker()
        stuck_run_id = _quality(stuck["id"]).run_id
        stuck_run = model.Session.get(ValidationRun, stuck_run_id)
        stuck_run.status, stuck_run.started = "running", datetime.datetime.utcnow() - datetime.timedelta(hours=2)
        stuck_run.heartbeat = stuck_run.started  # its job process died right after the claim
        model.Session.commit()
        other = upload(dataset["id"], _valid_delib_csv(), "b.csv", format="CSV")
        run_worker()  # the job of `other` recovers `stuck` and queues it again; the burst worker runs both
        assert _quality(other["id"]).status == "success"
        assert _quality(stuck["id"]).status == "success"
        assert model.Session.get(ValidationRun, stuck_run.id).status == "error"

    def test_recovery_gives_up_after_max_attempts(self, org, clean_queue, ckan_config, monkeypatch):
        from ckan import model

        from ckanext.grandest.validation import scheduler
        from ckanext.grandest.validation.model import ValidationRun

        monkeypatch.setitem(ckan_config, "ckanext.grandest.validation.max_attempts", "2")
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _valid_delib_csv(), "a.csv", format="CSV")
        run_id = _quality(res["id"]).run_id
        run = model.Session.get(ValidationRun, run_id)
        run.status, run.attempt = "running", 2
        run.started = run.heartbeat = datetime.datetime.utcnow() - datetime.timedelta(hours=2)
        model.Session.commit()
        entries = scheduler.recover_stale(actor="test")
        assert entries[0]["requeued"] is None
        assert _quality(res["id"]).status == "error"
        assert "n'est plus relancée" in model.Session.get(ValidationRun, run.id).error


HEARTBEAT = {"ckanext.grandest.validation.heartbeat_interval": "1"}


def _run(run_id: str):
    from ckan import model

    from ckanext.grandest.validation.model import ValidationRun

    model.Session.expire_all()
    return model.Session.get(ValidationRun, run_id)


def _wait_for(predicate, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what} not within {timeout} s" + (f"\n{worker.read_log()[-3000:]}" if worker else ""))


def _ask_again(user: dict, resource_id: str) -> dict:
    """An editor's « check again » (the action behind the report page's button)."""
    from ckan.tests.helpers import call_action

    return call_action("grandest_resource_validation_run", context={"user": user["name"]}, id=resource_id)


def _slow_link(org, slow_server, pause: float, rows: int) -> dict:
    """A link whose download takes ``rows * pause`` seconds (the slow server sends a line every ``pause`` s)."""
    slow_server.files["deliberations.csv"] = _valid_delib_csv(rows).encode("utf-8")
    slow_server.pause = pause
    dataset = make_dataset(org["id"])
    return act("resource_create", package_id=dataset["id"], url=f"{slow_server.url}/deliberations.csv",
               format="CSV", schema="scdl/deliberations", name="Délibérations")


def _beating_run(org, slow_server, start_worker, ckan_config, monkeypatch, *, dead_after: int, pause: float,
                 rows: int):
    """A slow link checked by a real worker (short heartbeat settings): ``(options, resource, run_id, worker,
    work-horses)`` once its run is running and has beaten."""
    options = dict(HEARTBEAT, **{"ckanext.grandest.validation.heartbeat_dead_after": str(dead_after)})
    for key, value in options.items():
        monkeypatch.setitem(ckan_config, key, value)
    res = _slow_link(org, slow_server, pause=pause, rows=rows)
    run_id = _quality(res["id"]).run_id
    worker = start_worker()
    _wait_for(lambda: _running_and_beating(run_id), 45, "the run running with a heartbeat", worker)
    horses = worker.horses()
    assert horses, worker.read_log()[-3000:]
    return options, res, run_id, worker, horses


def _running_and_beating(run_id: str):
    """The run once its job process has claimed it and its heartbeat thread has beaten at least once."""
    run = _run(run_id)
    if run.status == "running" and run.heartbeat is not None and run.heartbeat > run.started:
        return run
    return None


class TestHeartbeat:
    """Issue #14 item 6: a run whose worker and job process were killed is known dead within a minute (no
    heartbeat) and an editor can ask again at once; a run still beating is never taken for dead."""

    def test_a_run_whose_worker_and_job_process_were_killed_is_asked_again_at_once(
            self, org, users, slow_server, start_worker, run_worker, ckan_config, monkeypatch):
        import psutil

        options, res, run_id, worker, horses = _beating_run(  # a minute of download
            org, slow_server, start_worker, ckan_config, monkeypatch, dead_after=5, pause=2, rows=30)
        # SIGKILL the worker and its work-horse (the job process, in a process group of its own)
        worker.kill()
        for horse in horses:
            horse.kill()
        psutil.wait_procs(horses, timeout=10)
        killed = time.monotonic()
        assert _run(run_id).status == "running"

        # the editor presses « check again » until a new check starts: within the dead-after delay
        def new_run():
            answer = _ask_again(users["editor"], res["id"])
            return answer if answer["run_id"] != run_id else None

        answer = _wait_for(new_run, 60, "a new run for the editor")
        waited = time.monotonic() - killed
        assert waited < 30, waited  # it used to be refused for job timeout + 60 s (16 minutes)
        assert answer["status"] == "pending"
        old = _run(run_id)
        assert old.status == "error" and "interrompue" in old.error
        new = _run(answer["run_id"])
        assert new.requested_by == users["editor"]["name"] and _quality(res["id"]).run_id == new.id

        # and the new run completes (the file is now served at once)
        slow_server.pause = 0
        run_worker(**options)
        assert _run(answer["run_id"]).status == "success"
        assert _quality(res["id"]).status == "success"

    def test_killing_the_worker_alone_lets_the_job_process_finish_and_a_beating_run_is_never_dead(
            self, org, users, slow_server, start_worker, ckan_config, monkeypatch):
        import psutil

        from ckanext.grandest.validation import scheduler

        dead_after = 3
        _, res, run_id, worker, horses = _beating_run(  # 12 s of download
            org, slow_server, start_worker, ckan_config, monkeypatch, dead_after=dead_after, pause=1, rows=12)
        worker.kill()  # the worker only: its work-horse goes on
        killed = time.monotonic()
        assert all(h.is_running() and h.status() != psutil.STATUS_ZOMBIE for h in horses)

        # while the job process checks the file, longer than the dead-after delay, the run is alive: the
        # editor's new request gets the running run, recovery leaves it alone
        beating = 0.0
        while _run(run_id).status == "running":
            assert _ask_again(users["editor"], res["id"]) == {"resource_id": res["id"], "run_id": run_id,
                                                              "status": "running"}
            assert scheduler.recover_stale(actor="test") == []
            beating = time.monotonic() - killed
            assert beating < 60, "the job process did not finish"
            time.sleep(0.5)
        assert beating > dead_after + 1, beating
        run = _run(run_id)
        assert run.status == "success", (run.status, run.error)
        assert run.report["table"]["rows"] == 12
        assert _quality(res["id"]).status == "success" and _quality(res["id"]).run_id == run_id
        psutil.wait_procs(horses, timeout=10)

    def test_recovery_goes_by_the_heartbeat(self, org, ckan_config, monkeypatch):
        from ckan import model

        from ckanext.grandest.validation import scheduler

        monkeypatch.setitem(ckan_config, "ckanext.grandest.validation.heartbeat_dead_after", "60")
        dataset = make_dataset(org["id"])
        ids = [act("resource_create", package_id=dataset["id"], url=f"https://example.org/{n}.csv",
                   format="CSV", name=n)["id"] for n in ("long", "dead", "old", "older")]
        utc = datetime.datetime.utcnow()
        ago = lambda **kw: utc - datetime.timedelta(**kw)  # noqa: E731
        long_id, dead_id, old_id, older_id = (_quality(r).run_id for r in ids)
        for run_id, started, beat in zip((long_id, dead_id, old_id, older_id),
                                         (ago(hours=2), ago(minutes=2), ago(minutes=10), ago(minutes=20)),
                                         (ago(seconds=5), ago(seconds=70), None, None)):
            run = _run(run_id)
            run.status, run.started, run.heartbeat = "running", started, beat
            model.Session.commit()
        # beating for 2 hours: alive; no heartbeat for 70 s: dead; no heartbeat (started before the upgrade):
        # the old rule, dead after job timeout + 60 s (16 min)
        assert {e["run_id"] for e in scheduler.recover_stale(actor="test")} == {dead_id, older_id}
        assert _run(long_id).status == "running" and _run(old_id).status == "running"
        assert _run(dead_id).status == "error" and _quality(ids[1]).status == "pending"


class TestSearch:
    def test_facet_and_sort_by_band_through_solr(self, org, run_worker, app):
        good = make_dataset(org["id"], name="bonnes-deliberations", title="Bonnes délibérations")
        bad = make_dataset(org["id"], name="mauvaises-deliberations", title="Mauvaises délibérations",
                           notes="Court.", tags=[], frequency="", theme=[], territories=[])
        upload(good["id"], _valid_delib_csv(), "ok.csv", format="CSV", schema="scdl/deliberations")
        upload(bad["id"], "a;b\n1\n2;3;4\n", "bad.csv", format="CSV")
        run_worker()
        result = act("package_search", q="*:*", **{"facet.field": '["grandest_data_band", '
                                                                          '"grandest_metadata_band"]'})
        bands = {i["name"]: i["count"] for i in result["search_facets"]["grandest_data_band"]["items"]}
        assert bands.get("excellent") == 1
        assert sum(bands.values()) == 2
        labels = {i["name"]: i["display_name"] for i in result["search_facets"]["grandest_data_band"]["items"]}
        assert labels["excellent"] == "Excellent"
        only = act("package_search", fq="grandest_data_band:excellent")
        assert [d["name"] for d in only["results"]] == ["bonnes-deliberations"]
        best = act("package_search", sort="grandest_data_score desc")
        assert [d["name"] for d in best["results"]] == ["bonnes-deliberations", "mauvaises-deliberations"]
        worst = act("package_search", sort="grandest_data_score asc")
        assert [d["name"] for d in worst["results"]] == ["mauvaises-deliberations", "bonnes-deliberations"]
        worst_md = act("package_search", sort="grandest_metadata_score asc")
        assert worst_md["results"][0]["name"] == "mauvaises-deliberations"
        # and the search page offers the facet and the sort, in French
        page = app.get("/dataset/", query_string={"sort": "grandest_data_score desc"}).body
        assert "Qualité des données" in page
        assert "Meilleur score de données" in page
        assert page.index("Bonnes délibérations") < page.index("Mauvaises délibérations")
        assert QUEUE  # the queue name is the plugin's own


class TestTriggers:
    """What queues a validation, and what only re-computes the scores (no worker needed)."""

    @staticmethod
    def _validations(queue) -> list:
        return [j for j in queue.jobs if j.func_name.endswith("validate_resource")]

    def test_a_dataset_created_with_its_resources_queues_their_validation(self, org, clean_queue):
        dataset = make_dataset(org["id"], resources=[
            {"url": "https://example.org/a.csv", "format": "CSV", "name": "A"},
            {"url": "https://example.org/b.pdf", "format": "PDF", "name": "B"},
        ])
        assert {_quality(r["id"]).status for r in dataset["resources"]} == {"pending"}
        assert len(self._validations(clean_queue)) == 2

    def test_a_package_update_that_changes_a_link_validates_that_resource_only(self, org, clean_queue):
        dataset = make_dataset(org["id"], resources=[
            {"url": "https://example.org/a.csv", "format": "CSV", "name": "A"},
            {"url": "https://example.org/b.csv", "format": "CSV", "name": "B"},
        ])
        first = {r["id"]: _quality(r["id"]).run_id for r in dataset["resources"]}
        clean_queue.empty()
        resources = [dict(r) for r in dataset["resources"]]
        resources[1]["url"] = "https://example.org/b-2025.csv"
        resources[0]["description"] = "Une description plus complète de la ressource A."
        act("package_update", **dict(dataset, resources=resources))
        a, b = dataset["resources"]
        assert _quality(a["id"]).run_id == first[a["id"]]
        assert _quality(b["id"]).run_id != first[b["id"]]
        assert [j.args for j in self._validations(clean_queue)] == [[_quality(b["id"]).run_id]]

    def test_changing_the_declared_schema_validates_again(self, org, clean_queue):
        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        clean_queue.empty()
        act("resource_patch", id=res["id"], schema="scdl/deliberations")
        assert len(self._validations(clean_queue)) == 1

    def test_a_failed_update_queues_nothing_and_keeps_the_state(self, org, clean_queue):
        import ckan.plugins.toolkit as tk

        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        run_id = _quality(res["id"]).run_id
        clean_queue.empty()
        with pytest.raises(tk.ValidationError):
            act("resource_patch", id=res["id"], url="https://example.org/new.csv", schema="pas-un-schema")
        assert _quality(res["id"]).run_id == run_id
        assert not clean_queue.jobs

    def test_run_on_update_can_be_switched_off(self, org, clean_queue, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.grandest.validation.run_on_update", "false")
        dataset = make_dataset(org["id"])
        res = act("resource_create", package_id=dataset["id"], url="https://example.org/a.csv", format="CSV")
        clean_queue.empty()
        act("resource_patch", id=res["id"], url="https://example.org/b.csv")
        assert not self._validations(clean_queue)


class TestTrustworthyScores:
    """Issue #12: conformity caps a file's band; a dataset does not hide its worst file; same figure everywhere."""

    def test_the_failing_subventions_file_is_capped_and_the_report_says_why(self, org, run_worker, app):
        dataset = make_dataset(org["id"], name="subventions-2024", title="Subventions 2024")
        res = upload(dataset["id"], failing_subventions_csv(), "subventions.csv", format="CSV",
                     schema="scdl/subventions")
        run_worker()
        shown = _report(res["id"])
        assert shown["report"]["table"]["valid_row_share"] == 0.0
        score = shown["data_score"]
        assert score["cap"]["points"] == 72 and score["total"] == 29 and score["band"] == "insuffisant"
        page = app.get(f"/dataset/{dataset['name']}/resource/{res['id']}/validation").body
        assert "plafonné à 29 parce que seulement 0,0 % des lignes sont conformes au schéma « Subventions »" in page
        assert "Insuffisant" in page

    def test_one_bad_file_among_good_ones_lowers_the_dataset_band_everywhere(self, org, run_worker, app):
        dataset = make_dataset(org["id"], name="subventions-et-deliberations")
        good = [upload(dataset["id"], _valid_delib_csv(), f"deliberations-{i}.csv", format="CSV",
                       schema="scdl/deliberations") for i in range(2)]
        bad = upload(dataset["id"], failing_subventions_csv(), "subventions.csv", format="CSV",
                     schema="scdl/subventions")
        run_worker()
        scores = act("grandest_dataset_score_show", id=dataset["id"])
        resources = {r["resource_id"]: r for r in scores["resources"]}
        assert [resources[g["id"]]["data_band"] for g in good] == ["excellent", "excellent"]
        assert resources[bad["id"]]["data_band"] == "insuffisant"
        data = scores["data_score"]
        # it used to be the best file's 100 « Excellent »
        assert data["band"] == "insuffisant" and data["total"] == 29
        assert data["worst_resource_id"] == bad["id"] and data["mean"] > 29
        assert {c["resource_id"]: c["worst"] for c in data["contributions"]} == {
            good[0]["id"]: False, good[1]["id"]: False, bad["id"]: True}
        # Solr facets and sort use the same figure
        assert _solr(q=f"id:{dataset['id']} AND grandest_data_score:029 AND grandest_data_band:insuffisant"
                     )["response"]["numFound"] == 1
        assert act("package_search", fq="grandest_data_band:excellent")["count"] == 0
        # the dataset quality page shows each file's contribution and why the dataset is capped
        page = app.get(f"/dataset/{dataset['name']}/quality").body
        assert "plafonné à 29 parce que le moins bon fichier est « Insuffisant »" in page
        assert page.count('class="grandest-contribution"') == 3
        # the organization's quality figures count the same band
        from ckan.tests.helpers import call_action

        org_q = call_action("grandest_organization_quality_list", context={"ignore_auth": True}, id=org["id"])
        assert org_q["summary"]["dataset_data_bands"]["insuffisant"] == 1
        assert org_q["summary"]["dataset_data_bands"]["excellent"] == 0


class TestReindexAfterPurge:
    """A validation or score job that started before its dataset was purged (a harvest source cleared
    meanwhile) must not put the purged dataset back in the search when it ends."""

    def test_the_end_of_a_job_does_not_index_a_deleted_or_purged_dataset(self, org):
        import uuid

        from ckan.lib import search

        from ckanext.grandest.validation import jobs, scoring

        dataset = make_dataset(org["id"], name="bientot-supprime", title="Bientôt supprimé")
        search.commit()
        assert _solr(q=f'id:"{dataset["id"]}"')["response"]["numFound"] == 1
        act("package_delete", id=dataset["id"])
        search.commit()
        assert _solr(q=f'id:"{dataset["id"]}" AND state:active')["response"]["numFound"] == 0
        jobs._reindex(dataset["id"])  # what validate_resource / score_dataset do last
        assert scoring.reindex(dataset["id"]) is False
        search.commit()
        assert _solr(q=f'id:"{dataset["id"]}" AND state:active')["response"]["numFound"] == 0
        # a purged dataset (no row any more): nothing sent, nothing raised
        gone = str(uuid.uuid4())
        assert scoring.reindex(gone) is False
        search.commit()
        assert _solr(q=f'id:"{gone}"')["response"]["numFound"] == 0

    def test_an_active_dataset_is_still_indexed(self, org):
        from ckanext.grandest.validation import scoring

        dataset = make_dataset(org["id"], name="toujours-la", title="Toujours là")
        assert scoring.reindex(dataset["id"]) is True
        assert [d["name"] for d in act("package_search", q="name:toujours-la")["results"]] == ["toujours-la"]


class TestRetry:
    """A job that fails for a passing reason is run again by rq (``rq.Retry``); the real worker, the real
    PostgreSQL: the run's row is locked by another transaction and the database gives up waiting after 1 s."""

    def _locked(self, run_id: str, *, release_after: float | None):
        """A thread that locks the run's row, waits until the worker is blocked on it, then holds the lock
        ``release_after`` more seconds (None: to the end); returns (thread, stop event)."""
        import threading

        import sqlalchemy as sa
        from ckan import model

        stop, locked = threading.Event(), threading.Event()

        def hold() -> None:
            with model.meta.engine.connect() as conn:
                tx = conn.begin()
                conn.execute(sa.text("SELECT id FROM grandest_validation_run WHERE id = :id FOR UPDATE"),
                             {"id": run_id})
                locked.set()
                deadline = time.monotonic() + 200
                while time.monotonic() < deadline and not stop.is_set():
                    conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))  # fresh statistics each time
                    waiting = conn.execute(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'")).scalar()
                    if waiting:
                        break
                    time.sleep(0.05)
                if release_after is None:
                    stop.wait(200)
                else:
                    stop.wait(release_after)
                tx.rollback()

        thread = threading.Thread(target=hold, daemon=True)
        thread.start()
        assert locked.wait(10)
        return thread, stop

    @pytest.fixture
    def lock_timeout(self):
        """New connections to the test database (the worker's) wait 1 s at most for a lock."""
        import sqlalchemy as sa
        from ckan import model

        def alter(sql: str) -> None:
            with model.meta.engine.begin() as conn:  # committed at the end of the block
                name = conn.execute(sa.text("SELECT current_database()")).scalar()
                conn.execute(sa.text(sql.format(db=f'"{name}"')))

        alter("ALTER DATABASE {db} SET lock_timeout = '1s'")
        yield
        alter("ALTER DATABASE {db} RESET lock_timeout")

    def test_a_job_that_fails_for_a_moment_is_retried_and_validates(self, org, clean_queue, run_worker,
                                                                     lock_timeout):
        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _valid_delib_csv(), "deliberations.csv", format="CSV",
                     schema="scdl/deliberations")
        job = next(j for j in clean_queue.jobs if j.func_name.endswith("validate_resource"))
        assert job.retries_left == 2
        thread, stop = self._locked(_quality(res["id"]).run_id, release_after=1.5)  # the first try gives up
        try:
            proc = run_worker()
        finally:
            stop.set()
            thread.join(10)
        assert proc.returncode == 0
        assert clean_queue.fetch_job(job.id).retries_left == 1, (proc.stdout + proc.stderr)[-6000:]
        assert _quality(res["id"]).status == "success"
        assert _report(res["id"])["status"] == "success"

    def test_a_job_that_keeps_failing_stops_after_its_retries_and_the_run_waits(self, org, clean_queue,
                                                                               run_worker, lock_timeout):
        from rq.registry import FailedJobRegistry

        from ckanext.grandest.validation import scheduler

        dataset = make_dataset(org["id"])
        res = upload(dataset["id"], _valid_delib_csv(), "deliberations.csv", format="CSV")
        run_id = _quality(res["id"]).run_id
        thread, stop = self._locked(run_id, release_after=None)
        try:
            run_worker()
        finally:
            stop.set()
            thread.join(10)
        failed = FailedJobRegistry(queue=clean_queue)
        job = clean_queue.fetch_job(scheduler.job_id(run_id))
        assert job.id in failed.get_job_ids() and job.retries_left == 0  # three tries, then given up
        # never claimed: the run is still pending, its job gone from Redis: recover_stale queues it again later
        assert _quality(res["id"]).status == "pending"
