"""Harvest sources are managed by regional administrators only (sysadmins and the users named in
``ckanext.grandest.regional_admins``): creating, editing, deleting, running them and reading their job reports all go through
``package_create``/``package_update``/``package_delete`` on the ``harvest`` dataset type."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.grandest.harvest.access import is_regional_admin
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

HARVEST_TYPE = "harvest"


def _is_harvest_source(context: Context, data_dict: DataDict | None) -> bool:
    if not data_dict:
        return False
    if data_dict.get("type"):
        return data_dict["type"] == HARVEST_TYPE
    pkg = context.get("package")
    if pkg is None and data_dict.get("id"):
        pkg = model.Package.get(data_dict["id"])
    return pkg is not None and getattr(pkg, "type", None) == HARVEST_TYPE


def on_harvest_form() -> bool:
    """True while serving the harvest source form (``/harvest/new``, ``/harvest/edit/<id>``)."""
    try:
        from flask import has_request_context, request

        return has_request_context() and (request.endpoint or "") in ("harvest.new", "harvest.edit")
    except Exception:  # pragma: no cover
        return False


def _regional_only(context: Context) -> AuthResult:
    """Regional administrators manage every harvest source, whatever organization owns it; nobody else does
    (organization admins included: a source imports datasets in bulk into a commune's organization)."""
    if is_regional_admin(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": _("Only regional administrators can manage harvest sources.")}


@tk.chained_auth_function
def package_create(next_auth: Any, context: Context, data_dict: DataDict | None = None) -> AuthResult:
    if _is_harvest_source(context, data_dict) or (not data_dict and on_harvest_form()):
        return _regional_only(context)
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_update(next_auth: Any, context: Context, data_dict: DataDict | None = None) -> AuthResult:
    if _is_harvest_source(context, data_dict):
        return _regional_only(context)
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_delete(next_auth: Any, context: Context, data_dict: DataDict | None = None) -> AuthResult:
    if _is_harvest_source(context, data_dict):
        return _regional_only(context)
    return next_auth(context, data_dict)
