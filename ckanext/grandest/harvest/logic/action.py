"""Checks on Grand Est DCAT harvest sources, whichever way they are created (web form or API): the feed
address is http(s) and public, and the source belongs to a commune or an EPCI of the referential."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict, ErrorDict

from ckanext.grandest.harvest import config as hconfig
from ckanext.grandest.harvest.access import territory_of_organization
from ckanext.grandest.harvest.fetch import FetchError, check_url
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

SOURCE_TYPE = "grandest_dcat"

log = logging.getLogger(__name__)


def _is_harvest(data_dict: DataDict) -> tuple[bool, Any]:
    if data_dict.get("type") not in (None, "", "harvest"):
        return False, None  # a dataset (harvested ones included): no lookup
    existing = model.Package.get(data_dict["id"]) if data_dict.get("id") else None
    return data_dict.get("type") == "harvest" or (existing is not None and existing.type == "harvest"), existing


def _check_source(data_dict: DataDict, existing: Any) -> None:
    source_type = data_dict.get("source_type")
    if not source_type and existing is not None:
        from ckanext.harvest.model import HarvestSource

        src = HarvestSource.get(existing.id)
        # ckanext-harvest maps its classes imperatively: no attributes for type checkers
        source_type = src.type if src else None  # pyright: ignore[reportAttributeAccessIssue]
    if source_type != SOURCE_TYPE:
        return
    errors: ErrorDict = {}
    url = data_dict.get("url") or (existing.url if existing is not None else None)
    try:
        check_url(url or "", hconfig.allow_loopback())
    except FetchError as e:
        errors["url"] = [str(e)]
    owner = data_dict.get("owner_org") or (existing.owner_org if existing is not None else None)
    if territory_of_organization(owner) is None:
        errors["owner_org"] = [_("A DCAT harvest source must belong to the organization of a commune or an EPCI "
                                 "(with its INSEE code or SIREN). Choose that organization.")]
    if errors:
        raise tk.ValidationError(errors)


def _harvest_source_write(action: str, up_func: Any, context: Context, data_dict: DataDict) -> Any:
    is_harvest, existing = _is_harvest(data_dict)
    if not is_harvest:
        return up_func(context, data_dict)
    tk.check_access(action, context, data_dict)  # regional administrators only (logic/auth.py)
    _check_source(data_dict, existing)
    # a regional administrator needs no membership of the commune's organization: the owner_org validator
    # would refuse it ("You cannot add a dataset to this organization"); access was checked just above
    context["ignore_auth"] = True
    return up_func(context, data_dict)


@tk.chained_action
def package_create(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    return _harvest_source_write("package_create", up_func, context, data_dict)


@tk.chained_action
def package_update(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    return _harvest_source_write("package_update", up_func, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def organization_list_for_user(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """On the harvest source form, a regional administrator picks among the communes' and EPCIs'
    organizations (the stock form lists only the organizations the user is a member of)."""
    from ckanext.grandest.harvest.access import is_regional_admin
    from ckanext.grandest.harvest.logic.auth import on_harvest_form

    result = up_func(context, data_dict)
    user = context.get("user")
    if not on_harvest_form() or not is_regional_admin(user):
        return result
    asked = data_dict.get("id")
    if asked:  # the list of another user: unchanged
        me = model.User.get(user) if user else None
        if me is None or asked not in (me.id, me.name):
            return result
    seen = {o.get("id") for o in result}
    extra = []
    for group in (model.Session.query(model.Group)
                  .filter(model.Group.is_organization == True, model.Group.state == "active")  # noqa: E712
                  .order_by(model.Group.title)):
        if group.id in seen or territory_of_organization(group.id) is None:
            continue
        extra.append({"id": group.id, "name": group.name, "title": group.title,
                      "display_name": group.title or group.name, "type": "organization",
                      "is_organization": True, "capacity": "admin"})
    return list(result) + extra


def _source_package_ids(source_ident: Any) -> list[str]:
    import sqlalchemy as sa

    if not isinstance(source_ident, str) or not source_ident:
        return []
    rows = model.Session.execute(sa.text(
        """SELECT DISTINCT o.package_id FROM harvest_object o
           WHERE o.package_id IS NOT NULL
             AND o.harvest_source_id IN (SELECT id FROM harvest_source WHERE id = :s
                                         UNION SELECT id FROM package WHERE name = :s AND type = 'harvest')"""),
        {"s": source_ident}).fetchall()
    return [r[0] for r in rows]


@tk.chained_action
def harvest_source_clear(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest removes a cleared source's datasets from the index by ``harvest_source_id``: a dataset
    indexed without it (indexed before its harvest object was current) would stay in the search, pointing to
    nothing. Every dataset the source's objects named and that no longer exists is removed from the index
    too."""
    ids = _source_package_ids(data_dict.get("id"))
    result = up_func(context, data_dict)
    if ids:
        import sqlalchemy as sa
        from ckan.lib.search import index_for

        remaining = {r[0] for r in model.Session.execute(
            sa.text("SELECT id FROM package WHERE id = ANY(:ids)"), {"ids": ids}).fetchall()}
        index = index_for(model.Package)
        for package_id in ids:
            if package_id not in remaining:
                index.delete_package({"id": package_id})
    return result



@tk.chained_action
@tk.side_effect_free
def package_show(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """A new harvested dataset is shown once, to the activity plugin, from the dictionaries its index will use
    (harvest/indexing.py: one dictization a record); every other call is CKAN's ``package_show``."""
    from ckanext.grandest.harvest import indexing

    if indexing.creating_now():
        shown = indexing.shown_for_activity(context, data_dict)
        if shown is not None:
            tk.check_access("package_show", context, data_dict)  # ignore_auth: the activity plugin's call
            return shown
    return up_func(context, data_dict)


@tk.chained_action
def harvest_jobs_run(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """Before jobs are marked finished, the datasets of Grand Est harvests still waiting for the search index
    (their batch was not full and the job's last object was never imported, see harvest/indexing.py) are
    indexed and Solr committed: a finished job is searchable."""
    from ckanext.grandest.harvest import indexing

    tk.check_access("harvest_jobs_run", context, data_dict)
    try:
        indexing.flush(source_id=data_dict.get("source_id") or None)
        if not indexing.batching() and indexing.solr_commit_wanted():
            indexing.commit_solr()  # CKAN 2.11: records are indexed at their commit, without a Solr commit
    except Exception:  # never keeps jobs from finishing; the next run tries again
        model.Session.rollback()
        log.exception("Indexing harvested datasets before finishing jobs failed")
    return up_func(context, data_dict)
