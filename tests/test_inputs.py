"""Malformed input to any ``grandest_*`` action, from any visitor, gives a 4xx with a message: never a 500
(issue #14: NUL bytes and lone surrogates reached PostgreSQL or the UTF-8 encoder)."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

BAD = {"nul": "a\x00b", "lone-surrogate": "a\ud800b"}


def _grandest_actions() -> list[str]:
    import ckan.logic as logic

    logic.get_action("package_show")  # loads every plugin's actions
    return sorted(name for name in logic._actions if name.startswith("grandest_"))


def test_every_plugin_registers_guarded_actions():
    names = _grandest_actions()
    for expected in ("grandest_commune_request_show", "grandest_resource_validation_show",
                     "grandest_dcat_feed_info", "grandest_territory_autocomplete"):
        assert expected in names
    assert len(names) >= 20


@pytest.mark.parametrize("kind", sorted(BAD))
def test_nul_and_lone_surrogates_give_409_on_every_grandest_action(app, kind):
    from ckan.tests import factories

    sysadmin = factories.SysadminWithToken()
    bad = BAD[kind]
    payloads = [{"id": bad}, {"id": "x", "q": bad, "token": bad}, {"id": "x", "nested": {"deep": [bad]}},
                {bad: "x"}]
    for name in _grandest_actions():
        for headers in ({}, {"Authorization": sysadmin["token"]}):
            for payload in payloads:
                resp = app.post(f"/api/3/action/{name}", data=json.dumps(payload), content_type="application/json",
                                headers=headers)
                assert resp.status_code == 409, (name, payload, headers, resp.status_code)
                assert "caractères non autorisés" in json.dumps(resp.json["error"], ensure_ascii=False)
