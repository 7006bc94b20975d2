"""Issue #12, item 6: when the checks of a dataset end with problems, the person who uploaded the files gets ONE
French mail for the dataset (real worker, real SMTP capture server); no mail when every file is « Bon » or better,
and never twice for the same results."""
from __future__ import annotations

import time
from email.utils import parseaddr

import pytest

from tests.validation.conftest import csv_text, make_dataset, upload
from tests.validation.engine.conftest import DELIB_HEADER, delib_row, failing_subventions_csv

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")


def _as(user):
    return {"user": user["name"], "ignore_auth": False}


@pytest.fixture
def editor(org):
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    user = factories.User(name="claire-martin", fullname="Claire Martin", email="claire.martin@ribeauville.example")
    call_action("organization_member_create", id=org["id"], username=user["name"], role="editor")
    return user


def _settle(smtp_server, seconds: float = 1.5) -> list:
    """Every mail received once the worker is done (a late second mail would show up here)."""
    time.sleep(seconds)
    return list(smtp_server.messages)


def test_two_bad_files_of_a_dataset_give_one_mail_to_their_uploader(org, editor, run_worker, smtp_server, ckan_config):
    dataset = make_dataset(org["id"], name="subventions-2024")
    first = upload(dataset["id"], failing_subventions_csv(), "subventions-2024.csv", format="CSV",
                   schema="scdl/subventions", schema_version="2.1.1", name="Subventions 2024", context=_as(editor))
    second = upload(dataset["id"], failing_subventions_csv(rows=3), "subventions-2023.csv", format="CSV",
                    schema="scdl/subventions", schema_version="2.1.1", name="Subventions 2023", context=_as(editor))
    run_worker(**{"smtp.server": ckan_config["smtp.server"]})

    messages = _settle(smtp_server)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    msg = messages[0]
    assert smtp_server.envelopes[0]["to"] == ["claire.martin@ribeauville.example"]
    # a well-formed From: the site title and the bare address, although smtp.mail_from holds a display name
    assert parseaddr(msg["From"]) == ("DataGrandEst", "ne-pas-repondre@datagrandest.example")
    assert msg["From"].count("<") == 1
    assert smtp_server.envelopes[0]["from"] == "ne-pas-repondre@datagrandest.example"
    assert msg["Subject"] == "DataGrandEst : 2 fichiers à corriger dans « Délibérations du conseil municipal »"
    body = smtp_server.body(msg)
    assert body.startswith("Bonjour Claire Martin,")
    for res in (first, second):
        assert f"http://test.datagrandest.example/dataset/subventions-2024/resource/{res['id']}/validation" in body
    assert "— Subventions 2024 : " in body and "— Subventions 2023 : " in body
    assert "les fichiers que vous avez publiés dans" in body and "Ces 2 fichiers ont" in body
    assert "/100, « Insuffisant »" in body
    assert "plafonné" in body  # why the band is capped
    assert "Principaux problèmes :" in body
    assert "regex" not in body.lower() and "Traceback" not in body

    # the same files checked again, with the same results: no second mail
    from tests.validation.conftest import act

    act("grandest_resource_validation_run", id=first["id"])
    act("grandest_resource_validation_run", id=second["id"])
    run_worker(**{"smtp.server": ckan_config["smtp.server"]})
    assert len(_settle(smtp_server)) == 1


def test_good_files_give_no_mail(org, editor, run_worker, smtp_server, ckan_config):
    dataset = make_dataset(org["id"])
    upload(dataset["id"], csv_text(DELIB_HEADER, [delib_row(DELIB_ID=f"2024-{i}") for i in range(3)]),
           "deliberations.csv", format="CSV", schema="scdl/deliberations", name="Délibérations 2024",
           context=_as(editor))
    run_worker(**{"smtp.server": ckan_config["smtp.server"]})
    from ckan import model

    from ckanext.grandest.validation.model import ResourceQuality

    row = model.Session.query(ResourceQuality).one()
    assert row.data_band in ("excellent", "bon") and row.status == "success"
    assert _settle(smtp_server) == []


def test_a_broken_link_is_told_and_a_later_bad_file_gets_its_own_mail(org, editor, run_worker, smtp_server,
                                                                       ckan_config, http_server):
    """« Inutilisable » is told; a file whose check ends after the mail was sent gets a mail listing only it."""
    from ckan.tests.helpers import call_action

    base, _www = http_server
    dataset = make_dataset(org["id"])
    call_action("resource_create", context=_as(editor), package_id=dataset["id"], url=f"{base}/absent.csv",
                format="CSV", name="Lien cassé")
    run_worker(**{"smtp.server": ckan_config["smtp.server"]})
    messages = _settle(smtp_server)
    assert len(messages) == 1
    body = smtp_server.body(messages[0])
    assert "— Lien cassé : 0/100, « Inutilisable »" in body
    assert "le fichier que vous avez publié dans" in body  # one file: singular agreement
    assert messages[0]["Subject"].startswith("DataGrandEst : un fichier à corriger")

    upload(dataset["id"], failing_subventions_csv(), "subventions.csv", format="CSV", schema="scdl/subventions",
           schema_version="2.1.1", name="Subventions 2024", context=_as(editor))
    run_worker(**{"smtp.server": ckan_config["smtp.server"]})
    messages = _settle(smtp_server)
    assert len(messages) == 2
    later = smtp_server.body(messages[1])
    assert "— Subventions 2024 : " in later and "Lien cassé" not in later


def test_two_workers_checking_a_dataset_at_once_send_one_mail(org, editor, start_worker, smtp_server, ckan_config):
    """Several workers: the files of one dataset are checked in parallel, the mail still goes once."""
    from ckan import model

    from ckanext.grandest.validation.model import ResourceQuality

    dataset = make_dataset(org["id"], name="subventions-2024")
    ids = [upload(dataset["id"], failing_subventions_csv(rows=4 + i), f"subventions-{i}.csv", format="CSV",
                  schema="scdl/subventions", schema_version="2.1.1", name=f"Subventions {2020 + i}",
                  context=_as(editor))["id"] for i in range(4)]
    workers = [start_worker(**{"smtp.server": ckan_config["smtp.server"]}) for _ in range(2)]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        model.Session.remove()
        rows = model.Session.query(ResourceQuality).filter(ResourceQuality.resource_id.in_(ids)).all()
        if len(rows) == len(ids) and all(r.status in ("success", "failure", "error") for r in rows):
            break
        time.sleep(1)
    else:
        raise AssertionError("the checks did not end: " + workers[0].read_log()[-2000:])
    messages = _settle(smtp_server, seconds=4)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    body = smtp_server.body(messages[0])
    assert all(f"— Subventions {2020 + i} : " in body for i in range(4))
    assert messages[0]["Subject"].startswith("DataGrandEst : 4 fichiers à corriger")
