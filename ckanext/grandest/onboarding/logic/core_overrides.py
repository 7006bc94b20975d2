"""Core actions chained by grandest_onboarding for the quotas: ``package_owner_org_update`` (every way a dataset
enters an organization) and ``resource_create`` (a refused upload leaves the caller's dict as it came).
Deletions are not chained: they reach the ledger through CKAN's signals (:mod:`..deletions`)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from .. import ledger


@tk.chained_action
def package_owner_org_update(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """Every way a dataset enters an organization goes through here (package_create, package_update/patch/
    revise with a new ``owner_org``, direct calls, scripts that move datasets in bulk): the target
    organization's dataset and storage quotas are checked, and the ledgers updated, before core moves it."""
    tk.check_access("package_owner_org_update", context, data_dict)
    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is not None:
        ident = data_dict.get("organization_id")
        target: Any = None
        known = True
        if ident:
            org = model.Group.get(ident)
            known = org is not None and org.is_organization
            target = org.id if org is not None and known else None
        if known:
            ledger.commit(pkg.id, owner_org=target)
    try:
        return up_func(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise


@tk.chained_action
def resource_create(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """An upload refused by the quotas leaves the caller's dict as it came.

    CKAN 2.12's ``resource_create`` saves the dataset (writing the new resource's ``id`` into the caller's dict)
    before the file is stored; when the storage refuses the file, the web form re-renders with the id of a
    resource that was never saved, and answers 500 instead of the French message."""
    keys = set(data_dict)
    try:
        return up_func(context, data_dict)
    except tk.ValidationError:
        for key in set(data_dict) - keys:
            data_dict.pop(key, None)
        raise
