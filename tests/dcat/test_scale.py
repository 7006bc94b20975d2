"""Region scale: a feed page costs the same number of database queries whatever the number of datasets and
organizations on it, and never calls organization_show / package_show per dataset (timings: bench/)."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.dcat.conftest import commune_org, minimal_dataset

COMMUNES = [("68269", "ribeauville"), ("68066", "colmar"), ("67482", "strasbourg"), ("57463", "metz"),
            ("51454", "reims"), ("54395", "nancy")]


@pytest.fixture
def spy(monkeypatch):
    """Counts calls to some actions and the SQL statements sent to PostgreSQL."""
    from sqlalchemy import event

    from ckan import logic, model

    calls: Counter = Counter()
    logic.get_action("package_search")  # make sure the registry is built
    for name in ("organization_show", "package_show", "group_show", "organization_list"):
        original = logic.get_action(name)

        def wrapper(context, data_dict, _original=original, _name=name):
            calls[_name] += 1
            return _original(context, data_dict)

        monkeypatch.setitem(logic._actions, name, wrapper)
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = model.meta.engine
    event.listen(engine, "before_cursor_execute", before)
    yield calls, statements
    event.remove(engine, "before_cursor_execute", before)


def test_page_cost_does_not_grow_with_datasets(app, clean_db, clean_index, with_plugins, spy):
    calls, statements = spy
    orgs = [commune_org(name=f"commune-de-{slug}", title=f"Commune {slug}", insee_code=code)
            for code, slug in COMMUNES]
    for i in range(12):
        minimal_dataset(orgs[i % 2]["id"], name=f"jeu-a{i:02d}")
    statements.clear()
    calls.clear()
    assert app.get("/catalog.ttl").status_code == 200
    small = len(statements)
    for i in range(36):
        minimal_dataset(orgs[i % 6]["id"], name=f"jeu-b{i:02d}")
    statements.clear()
    calls.clear()
    body = app.get("/catalog.ttl").body
    assert body.count("a dcat:Dataset") == 48
    assert not calls, calls  # no organization_show / package_show per dataset (nor once)
    assert len(statements) == small, statements  # 4x the datasets, 3x the organizations: same queries
    assert len(statements) <= 6, statements


def test_dataset_endpoint_reads_its_organization_once(app, clean_db, clean_index, with_plugins, spy):
    calls, statements = spy
    org = commune_org()
    ds = minimal_dataset(org["id"])
    calls.clear()
    assert app.get(f"/dataset/{ds['id']}.ttl").status_code == 200
    assert calls == Counter({"package_show": 1})
