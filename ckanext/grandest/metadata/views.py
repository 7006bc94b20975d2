"""Blueprint of grandest_metadata: the JSON endpoints behind the territory picker.

GET /grandest/territoires?q=stras&limit=10[&kinds=commune,epci]  ->  {"results": [...]} (action
``grandest_territory_autocomplete``)
GET /grandest/territoires/organisation/<id>  ->  {"key": "commune:68269", "label": "..."} (action
``grandest_organization_territory_show``: what a new dataset of the organization covers by default)
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

import ckan.plugins.toolkit as tk

grandest_metadata = Blueprint("grandest_metadata", __name__, url_prefix="/grandest")


def _json(action: str, data_dict: dict[str, Any], empty: dict[str, Any], cache: str):
    try:
        result = tk.get_action(action)({}, data_dict)
    except tk.ValidationError as e:
        resp = jsonify(dict(empty, error=e.error_dict))
        resp.status_code = 400
        return resp
    except tk.NotAuthorized:
        resp = jsonify(dict(empty, error=tk._("Not authorized to see this page")))
        resp.status_code = 403
        return resp
    except tk.ObjectNotFound as e:
        resp = jsonify(dict(empty, error=str(e) or tk._("Not found")))
        resp.status_code = 404
        return resp
    resp = jsonify(result)
    resp.headers["Cache-Control"] = cache
    return resp


@grandest_metadata.route("/territoires")
def territories():
    data_dict = {k: tk.request.args.get(k) for k in ("q", "limit", "kinds") if tk.request.args.get(k) is not None}
    data_dict.setdefault("q", "")
    return _json("grandest_territory_autocomplete", data_dict, {"results": []}, "public, max-age=3600")


@grandest_metadata.route("/territoires/organisation/<id>")
def organization_territory(id: str):
    return _json("grandest_organization_territory_show", {"id": id}, {"key": None}, "private, no-cache")
