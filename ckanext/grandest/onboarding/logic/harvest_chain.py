"""ckanext-harvest deletes datasets with plain SQL (``harvest_source_clear``; ``harvest_job_abort`` may leave
datasets half-written): no model event, no plugin hook. The organizations involved are recounted from what
really exists once it is done. Registered only when the ``harvest`` plugin is loaded."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from .. import quota


def _source_orgs(source_ident: Any) -> set[str]:
    if not isinstance(source_ident, str) or not source_ident:
        return set()
    rows = model.Session.execute(sa.text(
        """SELECT p.owner_org FROM harvest_object o JOIN package p ON p.id = o.package_id
           WHERE o.harvest_source_id IN (SELECT id FROM harvest_source WHERE id = :s OR name = :s)
             AND p.owner_org IS NOT NULL
           UNION SELECT owner_org FROM package WHERE (id = :s OR name = :s) AND owner_org IS NOT NULL"""),
        {"s": source_ident}).fetchall()
    return {r[0] for r in rows}


def _recount(orgs: set[str]) -> None:
    if orgs:  # in the session's transaction (one connection: no lock waits on ourselves), then committed
        quota.recount(orgs)
        model.Session.commit()


@tk.chained_action
def harvest_source_clear(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    orgs = _source_orgs(data_dict.get("id"))
    result = up_func(context, data_dict)
    _recount(orgs | _source_orgs(data_dict.get("id")))
    return result


@tk.chained_action
def harvest_job_abort(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    source = data_dict.get("source_id")
    if not source and data_dict.get("id"):
        row = model.Session.execute(sa.text("SELECT source_id FROM harvest_job WHERE id = :j"),
                                    {"j": data_dict["id"]}).fetchone()
        source = row[0] if row else None
    orgs = _source_orgs(source)
    result = up_func(context, data_dict)
    _recount(orgs | _source_orgs(source))
    return result


def actions() -> dict[str, Any]:
    return {"harvest_source_clear": harvest_source_clear, "harvest_job_abort": harvest_job_abort}
