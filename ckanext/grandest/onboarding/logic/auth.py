"""Auth functions, one per action (same name).

Roles: *anonymous* visitors may submit a request; the *requester* is whoever holds the personal tracking link
emailed to the address typed in the form; the *town hall* holds the one-time confirmation link; *regional
admins* (sysadmins and users named in ``ckanext.grandest.regional_admins``) review requests and manage
quotas; an organization's editors and admins see its usage.
"""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.grandest.common.roles import is_regional_admin, regional_admin_auth

from .. import workflow


def _user(context: Context) -> Any:
    return context.get("auth_user_obj") or context.get("user")


def _ok() -> AuthResult:
    return {"success": True}


def _no(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _regional_admin(context: Context) -> AuthResult:
    return regional_admin_auth(context, tk._("Only the regional administrators of DataGrandEst can do this."))


@tk.auth_allow_anonymous_access
def grandest_commune_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()


@tk.auth_allow_anonymous_access
def grandest_commune_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    if is_regional_admin(_user(context)):
        return _ok()
    request_id = data_dict.get("id")
    token = data_dict.get("token")
    if workflow.is_requester(request_id, token):
        return _ok()
    request = workflow.get(request_id)
    if request is not None:
        if token and workflow.token_matches(token, request.confirm_token_hash):
            return _ok()
        user = context.get("auth_user_obj")
        if user is not None and getattr(user, "id", None) and request.user_id == user.id:
            return _ok()
    return _no(tk._("This link is not valid. Use the link from your email."))


@tk.auth_sysadmins_check  # only the town hall's link says « ce n'est pas nous », whoever clicks it
@tk.auth_allow_anonymous_access
def grandest_commune_request_deny(context: Context, data_dict: DataDict) -> AuthResult:
    return grandest_commune_request_confirm(context, data_dict)


@tk.auth_sysadmins_check  # only the town hall's link confirms, whoever clicks it
@tk.auth_allow_anonymous_access
def grandest_commune_request_confirm(context: Context, data_dict: DataDict) -> AuthResult:
    request = workflow.get(data_dict.get("id"))
    if request is not None and workflow.token_matches(data_dict.get("token"), request.confirm_token_hash):
        return _ok()
    return _no(tk._("This confirmation link is not valid. Use the link from the email the town hall received."))


def grandest_commune_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_admin(context)


def grandest_commune_request_approve(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_admin(context)


def grandest_commune_request_reject(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_admin(context)


def grandest_commune_request_request_info(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_admin(context)


def grandest_commune_request_expire(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_admin(context)


@tk.auth_sysadmins_check  # the answer is the requester's: their link is needed
@tk.auth_allow_anonymous_access
def grandest_commune_request_respond(context: Context, data_dict: DataDict) -> AuthResult:
    if workflow.is_requester(data_dict.get("id"), data_dict.get("token")):
        return _ok()
    return _no(tk._("This link is not valid. Use the link from your email."))


@tk.auth_sysadmins_check  # only the requester's link proves control of their address, whoever holds it
@tk.auth_allow_anonymous_access
def grandest_commune_request_claim(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("auth_user_obj")
    name = getattr(user, "name", None) or context.get("user")
    if not name:
        return _no(tk._("Log in first to link this request to your account."))
    if workflow.is_requester(data_dict.get("id"), data_dict.get("token")):
        return _ok()
    return _no(tk._("This link is not valid. Use the link from your email."))


@tk.auth_allow_anonymous_access
def grandest_commune_request_cancel(context: Context, data_dict: DataDict) -> AuthResult:
    if is_regional_admin(_user(context)) or workflow.is_requester(data_dict.get("id"), data_dict.get("token")):
        return _ok()
    return _no(tk._("Only the requester (with the link from their email) or a regional administrator can "
                    "cancel this request."))


def grandest_quota_show(context: Context, data_dict: DataDict) -> AuthResult:
    if is_regional_admin(_user(context)):
        return _ok()
    from ckan import model

    org = model.Group.get(data_dict.get("id") or "")
    user = context.get("user")
    if org is not None and org.is_organization and user and authz.has_user_permission_for_group_or_org(
            org.id, user, "create_dataset"):
        return _ok()
    return _no(tk._("Only the editors and administrators of this organization can see its hosting usage."))


def grandest_quota_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_admin(context)


def grandest_usage_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _regional_admin(context)
