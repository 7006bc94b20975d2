"""Approval of a commune's request (``grandest_commune_request_approve``): the organization, the requester's
account, the tier and the decision in one transaction; the mails once it is committed."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.mailer import MailerException
from ckan.types import Context, DataDict

from ckanext.grandest.common import referential as ref

from .. import ledger, mailer, organization, workflow
from ..limits import human_size, limits_of
from . import schema
from .requests import (actor, commune_vars, get_request, request_dict, suggested_tier, tell_requester,
                       townhall_name, url, validate)


def grandest_commune_request_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve: create (or link) the commune's organization from the referential, invite the requester (or
    add their existing account) as its admin, and give it a hosting tier.

    :param id: the request id
    :param tier: hosting tier (default: the one the commune is entitled to)
    :param verification_note: how the commune was checked, required when the town hall has not confirmed
        (e.g. "Mairie jointe par téléphone le 12/11")
    :param reason: optional note kept in the audit trail
    """
    tk.check_access("grandest_commune_request_approve", context, data_dict)
    data = validate(data_dict, schema.request_approve(), context)
    session = model.Session
    # the site user first: made (and committed) the first time it is asked for, before any lock is taken
    site: Context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True,
            "defer_commit": True}
    request = get_request(data["id"], for_update=True)
    if not workflow.can(request, "approve"):
        state = request.state
        session.rollback()
        raise tk.ValidationError({"state": [tk._(
            "This request cannot be approved: it is \u201c{state}\u201d.").format(state=workflow.state_label(state))]})
    note = data.get("verification_note") or ""
    if request.confirmed_at is None and not note:
        session.rollback()
        raise tk.ValidationError({"verification_note": [tk._(
            "The town hall has not confirmed this request. Say how you checked that the requester works for "
            "the commune (e.g. town hall phoned on 12/11, signed deliberation received).")]})
    tier = data.get("tier") if data.get("tier") is not None else (request.tier or suggested_tier(
        request.population_totale))
    commune = ref.commune(request.insee_code)
    if commune is None:  # the referential changed (merged commune...)
        session.rollback()
        raise tk.ValidationError({"insee_code": [tk._("This commune is not in the referential any more.")]})
    request_id = request.id
    email, name = request.requester_email, request.requester_name

    # 1. the organization (core's actions with defer_commit: nothing is committed before the end)
    org_dict, org_created = organization.create_or_link(commune, request.organization_id)
    request = get_request(request_id, for_update=True)  # again: a refused patch of the organization rolls back
    if not workflow.can(request, "approve"):  # approved by someone else meanwhile
        state = request.state
        session.rollback()
        raise tk.ValidationError({"state": [tk._(
            "This request cannot be approved: it is \u201c{state}\u201d.").format(state=workflow.state_label(state))]})

    # 2. the requester's account, admin of the organization. Never on the strength of an email string (CKAN does
    # not verify account addresses): only the account that opened the requester's link while logged in (proof of
    # control of the address) is made admin; else a new account is invited at the address; else (an unproven
    # account already uses the address) the organization waits for the requester to take charge of it through
    # their link.
    bound = model.User.get(request.requester_user_id) if request.requester_user_id else None
    if bound is not None and bound.state != "active":
        bound = None
    invitee = None
    if bound is not None:
        _make_admin(site, org_dict["id"], bound.id)
        user_id, account = bound.id, "linked"
    elif model.Session.query(model.User).filter(sa.func.lower(model.User.email) == email.lower(),
                                                model.User.state != "deleted").first() is not None:
        user_id, account = None, "claim"
    else:
        invitee = _invited_account(site, email, name, org_dict["id"])
        user_id, account = invitee.id, "invited"

    # 3. the decision, the tier, the audit trail, the requester's new link
    request.organization_id = org_dict["id"]
    request.tier = tier or None
    request.user_id = user_id
    request.reviewer = actor(context)
    request.verification_note = note or None
    request.decision_reason = data.get("reason") or None
    if tier:
        ledger.set_limits(org_dict["id"], tier=tier)
    workflow.transition(request, "approve", actor(context), workflow.ADMIN, reason=data.get("reason") or note,
                        details={"organization": org_dict["name"], "organization_created": org_created,
                                 "account": account, "tier": tier or None})
    token = workflow.new_requester_token(request)
    limits = limits_of(ledger.row(org_dict["id"]))

    # 4. the invitation is the new account's only way in: when it cannot be sent, nothing is approved (the admin
    # approves again once the mail server answers); it goes last, then everything is committed at once
    if invitee is not None:
        try:
            _send_invitation(site, invitee, org_dict["id"])
        except (OSError, MailerException) as exc:  # what core's user_invite catches
            session.rollback()
            raise tk.ValidationError({"email": [tk._(
                "Nothing was approved: the invitation could not be emailed to {email}: {error} "
                "Check the mail server and approve again."
            ).format(email=email, error=exc)]})
    session.commit()

    # 5. the mails, once committed
    extra = {
        "org_title": org_dict.get("title") or org_dict["name"],
        "org_url": url("organization.read", id=org_dict["name"]),
        "usage_url": url("grandest_onboarding.usage", id=org_dict["name"]),
        "login_url": url("user.login"),
        "invited": account == "invited",
        "claim": account == "claim",
        "tier_label": limits.tier.label if limits.tier else "",
        "max_storage": human_size(limits.max_storage_bytes) if limits.max_storage_bytes else "",
        "max_datasets": limits.max_datasets or "",
        "max_file": human_size(limits.max_file_bytes) if limits.max_file_bytes else "",
    }
    tell_requester("request_approved", request, token=token, **extra)
    if request.townhall_email:
        mailer.send("request_approved_townhall", [(townhall_name(request.commune_name),
                                                   request.townhall_email)], dict(commune_vars(request), **extra))
    return request_dict(request, "admin")


def _make_admin(site: Context, org_id: str, user_id: str) -> None:
    """Core's ``member_create`` (``organization_member_create`` commits whatever the context says)."""
    tk.get_action("member_create")(site.copy(), {"id": org_id, "object": user_id, "object_type": "user",
                                                "capacity": "admin"})


def _invited_account(site: Context, email: str, name: str, org_id: str) -> model.User:
    """What core's ``user_invite`` makes (a pending account with a generated user name, admin of the
    organization), with the requester's full name: the French invitation (``templates/emails/invite_user.txt``)
    and its ``To:`` address the person by name (``user_invite`` takes no full name on either CKAN version)."""
    from ckan.logic.action.create import _get_random_username_from_email
    from ckan.logic.schema import create_user_for_user_invite_schema

    user_dict = tk.get_action("user_create")(
        {**site, "schema": create_user_for_user_invite_schema()},
        {"name": _get_random_username_from_email(email), "email": email, "fullname": name,
         "state": model.State.PENDING})
    _make_admin(site, org_id, user_dict["id"])
    user = model.User.get(user_dict["id"])
    assert user is not None
    if not user.fullname:
        user.fullname = name
    return user


def _send_invitation(site: Context, user: model.User, org_id: str) -> None:
    """CKAN's invitation mail (its templates and reset link), inside the approval's transaction: core's
    ``send_invite`` would commit (``create_reset_key``)."""
    from ckan.lib import mailer as core_mailer

    group_dict = tk.get_action("organization_show")(site.copy(), {"id": org_id})
    user.reset_key = core_mailer.make_key()
    body = core_mailer.get_invite_body(user, group_dict, "admin")
    subject = tk.render("emails/invite_user_subject.txt", {"site_title": tk.config.get("ckan.site_title")})
    core_mailer.mail_user(user, subject.split("\n")[0], body)


