"""Auth functions, one per action (same name).

Reading a report or a score hands off to core's ``resource_show``/``package_show`` (so the reports of a
private dataset are seen only by those who may see the dataset); running a validation again hands off to
``resource_update``. Regional administrators (sysadmins and users named in
``ckanext.grandest.regional_admins``) may read every report and score, and see the region-wide view; an
organization's quality page is for its members.
"""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.grandest.common.roles import is_regional_admin, regional_admin_auth


def _user(context: Context) -> Any:
    return context.get("auth_user_obj") or context.get("user")


def _core(name: str, context: Context, data_dict: DataDict) -> AuthResult:
    if is_regional_admin(_user(context)):
        return {"success": True}
    return authz.is_authorized(name, context, {"id": data_dict.get("id")})


@tk.auth_allow_anonymous_access
def grandest_resource_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _core("resource_show", context, data_dict)


@tk.auth_allow_anonymous_access
def grandest_resource_score_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _core("resource_show", context, data_dict)


@tk.auth_allow_anonymous_access
def grandest_dataset_score_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _core("package_show", context, data_dict)


def grandest_resource_validation_run(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("resource_update", context, {"id": data_dict.get("id")})


def grandest_organization_quality_list(context: Context, data_dict: DataDict) -> AuthResult:
    user = _user(context)
    if is_regional_admin(user):
        return {"success": True}
    org = model.Group.get(str(data_dict.get("id") or ""))
    name = getattr(user, "name", user)
    if org is not None and name and authz.has_user_permission_for_group_or_org(org.id, name, "read"):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the members of this organization can see its quality page.")}


def grandest_region_quality_list(context: Context, data_dict: DataDict) -> AuthResult:
    if is_regional_admin(_user(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the regional administrators of DataGrandEst can do this.")}


def grandest_repair_preview(context: Context, data_dict: DataDict) -> AuthResult:
    """The preview shows the file's cells: for those who may replace the file (``resource_update``)."""
    return authz.is_authorized("resource_update", context, {"id": data_dict.get("id")})


def grandest_repair_apply(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("resource_update", context, {"id": data_dict.get("id")})


def _regional_only(context: Context) -> AuthResult:
    return regional_admin_auth(context, tk._("Only the regional administrators of DataGrandEst can manage the "
                                             "schema registry."))


def grandest_schema_registry_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_only(context)


def grandest_schema_registry_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_only(context)


def grandest_schema_registry_add(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_only(context)


def grandest_schema_registry_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_only(context)
