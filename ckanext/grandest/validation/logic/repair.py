"""Actions of the automatic repairs (``grandest_repair_preview``, ``grandest_repair_apply``); the work is in
:mod:`..repairs` and the pure :mod:`..engine.repair`."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from .. import repairs
from . import schema


def _validate(data_dict: DataDict, schema_: Any, context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _resource_dict(context: Context, resource_id: str) -> dict[str, Any]:
    res = model.Resource.get(resource_id)
    if res is None or res.state == "deleted":
        raise tk.ObjectNotFound(tk._("Resource not found."))
    return tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})  # type: ignore[typeddict-item]


@tk.side_effect_free
def grandest_repair_preview(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the automatic repairs would change in the resource's file (nothing is written).

    :param id: resource id
    :param date_orders: optional ``{"column": "dmy"|"mdy"}``, the order of ambiguous date columns
    :returns: ``{"ok", "refused", "message", "counts", "kinds": [{"kind", "label", "count"}], "changes"
        (first ones per kind: row, column, before, after), "ambiguous_dates", "change_count", "fingerprint"}``
    """
    data = _validate(data_dict, schema.repair_preview(), context)
    tk.check_access("grandest_repair_preview", context, data)
    return repairs.preview(_resource_dict(context, data["id"]), data["date_orders"])


def grandest_repair_apply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Repair the resource's file and store it as the resource's file (``resource_update`` with the upload: the
    uploader and the hosting quotas apply); the original stays downloadable from the report and a new check
    is queued.

    :param id: resource id
    :param date_orders: optional ``{"column": "dmy"|"mdy"}``
    :param fingerprint: optional, from the preview: refused if the file changed since
    :returns: what changed (as the preview), ``repaired_at``, ``resource``
    """
    data = _validate(data_dict, schema.repair_apply(), context)
    tk.check_access("grandest_repair_apply", context, data)
    res = _resource_dict(context, data["id"])
    try:
        return repairs.apply({"user": context.get("user") or ""}, res, date_orders=data["date_orders"],
                             fingerprint=data.get("fingerprint"))
    except repairs.RepairRefused as exc:
        raise tk.ValidationError({"repair": [exc.message]})
