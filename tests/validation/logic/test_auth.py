"""Auth of every action of grandest_validation, through the API with real tokens, for every role:
anonymous, member, admin of another organization, editor/admin of the organization, regional admin,
sysadmin. Reports and scores of a private dataset are not public."""
from __future__ import annotations

import pytest

from tests.helpers import api_post
from tests.validation.conftest import act, make_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queue", "storage")

ROLES = ("anonymous", "member", "other_admin", "editor", "admin", "regional", "sysadmin")


@pytest.fixture
def objects(org, users):
    public = make_dataset(org["id"], name="budget-public")
    private = make_dataset(org["id"], name="budget-prive", private=True)
    res_public = act("resource_create", package_id=public["id"], url="https://example.org/budget.csv", format="CSV")
    res_private = act("resource_create", package_id=private["id"], url="https://example.org/prive.csv", format="CSV")
    return {"org": org, "public": public, "private": private, "res_public": res_public, "res_private": res_private,
            "users": users}


def _call(app, objects, role: str, action: str, status: int, **data):
    token = None if role == "anonymous" else objects["users"][role]["token"]
    return api_post(app, action, token, status=status, **data)


def _expect(app, objects, action: str, allowed: set[str], **data) -> None:
    for role in ROLES:
        status = 200 if role in allowed else 403
        body = _call(app, objects, role, action, status, **data)
        assert body["success"] is (status == 200), (action, role, body)


EVERYONE = set(ROLES)
CAN_SEE_PRIVATE = {"member", "editor", "admin", "regional", "sysadmin"}


@pytest.mark.parametrize("action", ["grandest_resource_validation_show", "grandest_resource_score_show"])
def test_reports_and_scores_of_a_public_resource_are_public(app, objects, action):
    _expect(app, objects, action, EVERYONE, id=objects["res_public"]["id"])


@pytest.mark.parametrize("action", ["grandest_resource_validation_show", "grandest_resource_score_show"])
def test_reports_and_scores_of_a_private_resource_are_for_its_organization(app, objects, action):
    _expect(app, objects, action, CAN_SEE_PRIVATE, id=objects["res_private"]["id"])


def test_dataset_scores_follow_the_dataset(app, objects):
    _expect(app, objects, "grandest_dataset_score_show", EVERYONE, id=objects["public"]["id"])
    _expect(app, objects, "grandest_dataset_score_show", CAN_SEE_PRIVATE, id=objects["private"]["name"])


def test_checking_again_needs_the_right_to_edit_the_resource(app, objects):
    _expect(app, objects, "grandest_resource_validation_run", {"editor", "admin", "sysadmin"},
            id=objects["res_public"]["id"])
    _expect(app, objects, "grandest_resource_validation_run", {"editor", "admin", "sysadmin"},
            id=objects["res_private"]["id"])


def test_the_organization_quality_list_is_for_its_members(app, objects):
    _expect(app, objects, "grandest_organization_quality_list", CAN_SEE_PRIVATE, id=objects["org"]["name"])


def test_the_region_wide_list_is_for_regional_admins(app, objects):
    _expect(app, objects, "grandest_region_quality_list", {"regional", "sysadmin"})


def test_the_member_sees_private_datasets_in_the_organization_list(app, objects):
    body = _call(app, objects, "member", "grandest_organization_quality_list", 200, id=objects["org"]["id"])
    names = {d["name"] for d in body["result"]["datasets"]}
    assert names == {"budget-public", "budget-prive"}
    assert body["result"]["summary"]["resources"] == 2


class TestBadInput:
    def test_a_missing_id_is_a_validation_error(self, app, objects):
        body = _call(app, objects, "sysadmin", "grandest_resource_validation_show", 409)
        assert body["error"]["id"] == ["Valeur manquante"]

    def test_an_unknown_resource_is_not_found(self, app, objects):
        body = _call(app, objects, "sysadmin", "grandest_resource_score_show", 404, id="pas-une-ressource")
        assert body["error"]["__type"] == "Not Found Error"

    def test_a_bad_band_filter_is_refused_in_french(self, app, objects):
        body = _call(app, objects, "admin", "grandest_organization_quality_list", 409, id=objects["org"]["id"],
                     band="parfait")
        assert "Valeur inconnue : parfait" in body["error"]["band"][0]

    def test_a_bad_limit_is_refused_in_french(self, app, objects):
        body = _call(app, objects, "admin", "grandest_organization_quality_list", 409, id=objects["org"]["id"],
                     limit="beaucoup")
        assert body["error"]["limit"] == ["Indiquez un nombre entier."]

    def test_a_refused_run_request_changes_nothing(self, app, objects):
        from ckan import model

        from ckanext.grandest.validation.model import ValidationRun

        before = model.Session.query(ValidationRun).count()
        _call(app, objects, "member", "grandest_resource_validation_run", 403, id=objects["res_public"]["id"])
        model.Session.expire_all()
        assert model.Session.query(ValidationRun).count() == before


def test_a_run_on_demand_queues_a_new_validation(app, objects, clean_queue):
    body = _call(app, objects, "editor", "grandest_resource_validation_run", 200, id=objects["res_public"]["id"])
    result = body["result"]
    assert result["status"] == "pending"
    assert any(j.args == [result["run_id"]] for j in clean_queue.jobs)
    # the previous pending run is superseded, not left dangling
    from ckan import model

    from ckanext.grandest.validation.model import ValidationRun

    runs = model.Session.query(ValidationRun).filter(
        ValidationRun.resource_id == objects["res_public"]["id"]).order_by(ValidationRun.created).all()
    assert [r.status for r in runs] == ["error", "pending"]
    assert "plus récente" in runs[0].error
