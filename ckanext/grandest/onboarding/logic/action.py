"""Actions of grandest_onboarding. Each validates its input and calls ``check_access`` with the auth function
of the same name first.

Requests: ``grandest_commune_request_create/show/list/confirm/approve/reject/request_info/respond/cancel/
expire``. Quotas: ``grandest_quota_show/update``, ``grandest_usage_list``.
"""
from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.grandest.common import referential as ref
from ckanext.grandest.common.roles import is_regional_admin

from .. import config as cfg
from .. import mailer, organization, quota, ratelimit, workflow
from ..model import CommuneRequest, OrgQuota, as_dict
from . import schema

log = logging.getLogger(__name__)
MiB = cfg.MiB


# --- helpers (private: the blanket registers every public function of this module) -----------------------

def _validate(data_dict: DataDict, schema_: Any, context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _actor(context: Context) -> str:
    return str(context.get("user") or "")


def _is_anonymous(context: Context) -> bool:
    user = context.get("auth_user_obj")
    if user is not None and getattr(user, "name", None):
        return False
    name = context.get("user")
    return not name or model.User.get(name) is None


def _remote_addr() -> str | None:
    try:
        from flask import has_request_context, request

        if has_request_context():
            return request.remote_addr
    except Exception:  # pragma: no cover
        pass
    return None


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _url(endpoint: str, **kwargs: Any) -> str:
    try:
        return tk.url_for(endpoint, _external=True, **kwargs)
    except Exception:  # outside a Flask context (should not happen: the CLI opens one)
        return ""


def _tracking_url(request_id: str, token: str) -> str:
    return _url("grandest_onboarding.track", id=request_id, token=token)


def _suggested_tier(population_totale: int | None) -> str:
    """The tier a commune is entitled to: small communes get the free tier; '' = point it to its EPCI."""
    if population_totale is not None and population_totale < cfg.small_commune_population():
        return cfg.small_commune_tier()
    return cfg.large_commune_tier()


def _linked_org(insee_code: str, organization_id: str | None = None) -> dict[str, Any] | None:
    org = model.Group.get(organization_id) if organization_id else None
    if org is None or org.state != "active":
        org = organization.find_linked(insee_code)
    if org is None:
        return None
    admins = [u.name for u in model.Session.query(model.User).join(
        model.Member, model.Member.table_id == model.User.id).filter(
        model.Member.group_id == org.id, model.Member.table_name == "user", model.Member.capacity == "admin",
        model.Member.state == "active", model.User.state != "deleted").all()]
    return {"id": org.id, "name": org.name, "title": org.title, "admins": admins}


def _request_dict(request: CommuneRequest, audience: str) -> dict[str, Any]:
    """``audience``: 'admin' (everything), 'townhall' / 'requester' (what they need), 'public' (ids only)."""
    out: dict[str, Any] = {
        "id": request.id,
        "insee_code": request.insee_code,
        "commune_name": request.commune_name,
        "departement": request.departement,
        "state": request.state,
        "state_label": workflow.state_label(request.state),
        "created": request.created.isoformat() if request.created else None,
    }
    if audience == "public":
        out["manual_review"] = bool(request.manual_review)
        return out
    out.update({
        "epci": request.epci,
        "siren": request.siren,
        "population_totale": request.population_totale,
        "requester_name": request.requester_name,
        "requester_role": request.requester_role,
        "requester_email": request.requester_email,
        "requester_phone": request.requester_phone,
        "message": request.message,
        "tier": request.tier,
        "townhall_confirmed": request.confirmed_at is not None,
        "confirmed_at": request.confirmed_at.isoformat() if request.confirmed_at else None,
        "manual_review": bool(request.manual_review),
        "info_message": request.info_message,
        "info_response": request.info_response,
        "decision_reason": request.decision_reason,
        "organization_id": request.organization_id,
        "modified": request.modified.isoformat() if request.modified else None,
        "account_linked": request.requester_user_id is not None,
        # approved, but nobody proved control of the requester's address yet: the organization waits for
        # the requester to take charge of it through their link
        "awaiting_claim": request.state == workflow.APPROVED and not request.user_id,
    })
    if audience != "admin":
        return out
    epci = ref.epci(request.epci) if request.epci else None
    dept = ref.departement(request.departement)
    out.update({
        "townhall_email": request.townhall_email,
        "manual_reason": request.manual_reason,
        "confirm_expires": request.confirm_expires.isoformat() if request.confirm_expires else None,
        "verification_note": request.verification_note,
        "reviewer": request.reviewer,
        "user_id": request.user_id,
        "requester_user_id": request.requester_user_id,
        "epci_name": epci.label if epci else None,
        "departement_name": dept.name if dept else None,
        "suggested_tier": _suggested_tier(request.population_totale),
        "linked_organization": _linked_org(request.insee_code, request.organization_id),
        "events": [
            dict(as_dict(e, exclude=("request_id",)), action_label=workflow.action_label(e.action))
            for e in workflow.events(request.id)
        ],
    })
    return out


def _get_request(request_id: Any, for_update: bool = False) -> CommuneRequest:
    request = workflow.get(request_id, for_update=for_update)
    if request is None:
        raise tk.ObjectNotFound(tk._("This request does not exist."))
    return request


def _townhall_name(commune_name: str) -> str:
    """The town hall as a mail recipient: "Mairie d’Aydoilles" ({of_name} gives the French translation its
    elided "of")."""
    return tk._("Town hall of {name}").format(name=commune_name, of_name=organization.of_commune(commune_name))


def _commune_vars(request: CommuneRequest) -> dict[str, Any]:
    return {
        "commune_name": request.commune_name,
        "de_commune": organization.of_commune(request.commune_name),  # "d’Aydoilles", "du Hohwald": the mails are French
        "insee_code": request.insee_code,
        "requester_name": request.requester_name,
        "requester_role": request.requester_role,
        "requester_email": request.requester_email,
        "requester_phone": request.requester_phone,
        "message": request.message,
        "review_url": _url("grandest_onboarding.review", id=request.id),
        "state_label": workflow.state_label(request.state),
    }


#: the mails to the requester that carry their personal link
LINK_MAILS = ("request_received", "request_confirmed", "info_requested", "request_approved")


def _tell_requester(name: str, request: CommuneRequest, **extra: Any) -> None:
    """Mail the requester; a mail with their personal link carries a new one (the previous link stops
    working: only the holder of the requester's mailbox ever has a valid link)."""
    if name in LINK_MAILS:
        locked = _get_request(request.id, for_update=True)
        token = workflow.new_requester_token(locked)
        model.Session.commit()
        extra["tracking_url"] = _tracking_url(locked.id, token)
        request = locked
    mailer.send(name, [(request.requester_name, request.requester_email)], dict(_commune_vars(request), **extra))


def _tell_reviewers(name: str, request: CommuneRequest, **extra: Any) -> None:
    mailer.send(name, mailer.reviewers(), dict(_commune_vars(request), **extra))


def _duplicate_message(insee_code: str, commune_name: str) -> str | None:
    open_request = model.Session.query(CommuneRequest).filter(
        CommuneRequest.insee_code == insee_code, CommuneRequest.state.in_(workflow.OPEN_STATES)).first()
    if open_request is not None:
        return tk._(
            "A request for {commune} is already being processed. If you sent it, follow it with the link in "
            "the email you received; otherwise, contact the DataGrandEst team."
        ).format(commune=commune_name)
    approved = model.Session.query(CommuneRequest).filter(
        CommuneRequest.insee_code == insee_code, CommuneRequest.state == workflow.APPROVED).first()
    if approved is not None:
        org = model.Group.get(approved.organization_id) if approved.organization_id else None
        if org is not None and org.state == "active":
            return tk._(
                "{commune} is already on DataGrandEst (organization \u201c{org}\u201d). Ask its administrators to "
                "add you as a member."
            ).format(commune=commune_name, org=org.title or org.name)
    return None


# --- commune requests -------------------------------------------------------------------------------------

def grandest_commune_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A commune asks to join. Anyone may ask (anonymous requests are rate-limited per IP and per commune).

    :param insee_code: the commune's INSEE code (from the referential)
    :param requester_name, requester_role, requester_email, requester_phone: who asks
    :param message: optional free text
    :returns: the request's id, state and commune (never whether an account exists for the email)
    """
    tk.check_access("grandest_commune_request_create", context, data_dict)
    data = _validate(data_dict, schema.request_create(), context)
    commune = ref.commune(data["insee_code"])
    assert commune is not None

    if _is_anonymous(context):
        refusal = ratelimit.check_request(_remote_addr(), commune.code)
        if refusal:
            raise tk.ValidationError({"rate_limit": [refusal]})
    duplicate = _duplicate_message(commune.code, commune.name)
    if duplicate:
        raise tk.ValidationError({"insee_code": [duplicate]})

    actor = "" if _is_anonymous(context) else _actor(context)
    request = CommuneRequest(
        id=str(uuid.uuid4()), insee_code=commune.code, commune_name=commune.name,
        departement=commune.departement, epci=commune.epci, siren=commune.siren,
        population_totale=commune.population_totale,
        requester_name=data["requester_name"], requester_role=data["requester_role"],
        requester_email=data["requester_email"], requester_phone=data["requester_phone"],
        message=data.get("message") or "", state=workflow.SUBMITTED,
        tier=_suggested_tier(commune.population_totale) or None,
        created=_now(), modified=_now(),
    )
    session = model.Session
    session.add(request)
    session.flush()
    workflow.record(request, "submit", actor, workflow.REQUESTER if actor else workflow.ANONYMOUS,
                    None, workflow.SUBMITTED)
    token = None
    if commune.email:
        token, token_hash = workflow.new_token()
        request.townhall_email = commune.email
        request.confirm_token_hash = token_hash
        request.confirm_expires = _now() + datetime.timedelta(days=cfg.confirmation_days())
        workflow.transition(request, "send_confirmation", "", workflow.SYSTEM,
                            details={"expires": request.confirm_expires.isoformat()})
    else:
        request.manual_review = True
        request.manual_reason = "no_townhall_email"
        workflow.transition(request, "manual_review", "", workflow.SYSTEM,
                            reason="La commune n'a pas d'adresse électronique dans l'annuaire de l'administration.")
    try:
        session.commit()
    except IntegrityError:  # another request for this commune was saved at the same moment
        session.rollback()
        raise tk.ValidationError({"insee_code": [_duplicate_message(commune.code, commune.name) or tk._(
            "A request for this commune is already being processed.")]})

    if token:
        failed = mailer.send("townhall_confirmation", [(_townhall_name(commune.name),
                                                        commune.email)],
                             dict(_commune_vars(request),
                                  confirm_url=_url("grandest_onboarding.confirm", id=request.id, token=token),
                                  deny_url=_url("grandest_onboarding.deny", id=request.id, token=token),
                                  expires=request.confirm_expires, days=cfg.confirmation_days()))
        if failed:
            request.manual_review = True
            request.manual_reason = "email_failed"
            workflow.record(request, "send_failed", "", workflow.SYSTEM, request.state, request.state,
                            reason="L'envoi du lien de confirmation à la mairie a échoué.")
            session.commit()
    _tell_requester("request_received", request, townhall_email=commune.email or "",
                    manual=not bool(token))
    if request.manual_review:
        _tell_reviewers("review_needed", request, manual=True)
    return _request_dict(request, "public")


@tk.side_effect_free
def grandest_commune_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A request, as its viewer may see it (regional admin: everything, with the audit trail and the
    referential data; requester or town hall with their link: the request itself).

    :param id: the request id
    :param token: the requester's or town hall's link token (not needed by regional admins)
    """
    data = _validate(data_dict, schema.request_show(), context)
    tk.check_access("grandest_commune_request_show", context, data)
    request = _get_request(data["id"])
    if is_regional_admin(context.get("auth_user_obj") or context.get("user")):
        return _request_dict(request, "admin")
    token = data.get("token")
    if token and workflow.token_matches(token, request.confirm_token_hash):
        return _request_dict(request, "townhall")
    return _request_dict(request, "requester")


@tk.side_effect_free
def grandest_commune_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The review queue.

    :param state: a state, or ``open`` (every state still waiting); default: all
    :param departement: code (e.g. ``67``); :param epci: SIREN; :param tier: tier name (``none`` = no tier)
    :param q: text in the commune name, INSEE code or requester's name/email
    :param limit: default 50; :param offset: default 0
    :returns: ``{"count": n, "results": [request dicts]}``, oldest waiting first
    """
    tk.check_access("grandest_commune_request_list", context, data_dict)
    data = _validate(data_dict, schema.request_list(), context)
    query = model.Session.query(CommuneRequest)
    state = data.get("state")
    if state == "open":
        query = query.filter(CommuneRequest.state.in_(workflow.OPEN_STATES))
    elif state:
        query = query.filter(CommuneRequest.state == state)
    if data.get("departement"):
        query = query.filter(CommuneRequest.departement == data["departement"])
    if data.get("epci"):
        query = query.filter(CommuneRequest.epci == data["epci"])
    if data.get("tier"):
        if data["tier"] == "none":
            query = query.filter(sa.or_(CommuneRequest.tier.is_(None), CommuneRequest.tier == ""))
        else:
            query = query.filter(CommuneRequest.tier == data["tier"])
    if data.get("q"):
        like = f"%{data['q']}%"
        query = query.filter(sa.or_(CommuneRequest.commune_name.ilike(like), CommuneRequest.insee_code == data["q"],
                                    CommuneRequest.requester_name.ilike(like),
                                    CommuneRequest.requester_email.ilike(like)))
    count = query.count()
    order = sa.case({s: i for i, s in enumerate((workflow.PENDING, workflow.INFO, workflow.AWAITING,
                                                 workflow.SUBMITTED))},
                    value=CommuneRequest.state, else_=9)
    rows = query.order_by(order, CommuneRequest.created).offset(data["offset"]).limit(min(data["limit"], 500)).all()
    results = []
    for row in rows:
        item = _request_dict(row, "requester")
        item["manual_reason"] = row.manual_reason
        linked = _linked_org(row.insee_code, row.organization_id)
        item["linked_organization"] = linked
        epci = ref.epci(row.epci) if row.epci else None
        item["epci_name"] = epci.label if epci else None
        results.append(item)
    return {"count": count, "results": results}


def grandest_commune_request_confirm(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The town hall confirms the request through its one-time link (POST; the link expires).

    :param id: the request id; :param token: the token of the link emailed to the town hall
    """
    data = _validate(data_dict, schema.request_confirm(), context)
    tk.check_access("grandest_commune_request_confirm", context, data)
    session = model.Session
    request = _get_request(data["id"], for_update=True)
    if not workflow.token_matches(data["token"], request.confirm_token_hash):  # consumed meanwhile
        session.rollback()
        raise tk.NotAuthorized(tk._("This confirmation link is not valid any more."))
    if request.state != workflow.AWAITING:
        state = request.state
        session.rollback()
        raise tk.ValidationError({"state": [tk._(
            "This request can no longer be confirmed: it is \u201c{state}\u201d.").format(
                state=workflow.state_label(state))]})
    if not workflow.confirmation_valid(request, data["token"]):
        workflow.transition(request, "expire", "", workflow.SYSTEM, reason="Lien de confirmation expiré.")
        request.confirm_token_hash = None
        session.commit()
        _tell_requester("request_expired", request, days=cfg.confirmation_days())
        raise tk.ValidationError({"token": [tk._(
            "This confirmation link has expired (links are valid for {days} days). The request has been "
            "closed: the requester can send a new one.").format(days=cfg.confirmation_days())]})
    request.confirmed_at = _now()
    request.confirm_token_hash = None  # one-time link
    workflow.transition(request, "confirm", "", workflow.TOWNHALL)
    session.commit()
    _tell_requester("request_confirmed", request)
    _tell_reviewers("review_needed", request, manual=False)
    return _request_dict(request, "public")


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
    data = _validate(data_dict, schema.request_approve(), context)
    session = model.Session
    request = _get_request(data["id"], for_update=True)
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
    tier = data.get("tier") if data.get("tier") is not None else (request.tier or _suggested_tier(
        request.population_totale))
    commune = ref.commune(request.insee_code)
    if commune is None:  # the referential changed (merged commune...)
        session.rollback()
        raise tk.ValidationError({"insee_code": [tk._("This commune is not in the referential any more.")]})
    request_id = request.id
    email, name = request.requester_email, request.requester_name

    # 1. the organization (core commits)
    org_dict, org_created = organization.create_or_link(commune, request.organization_id)
    request = _get_request(request_id, for_update=True)
    request.organization_id = org_dict["id"]
    session.commit()

    # 2. the requester's account, admin of the organization (core commits, and may send the invitation).
    # Never on the strength of an email string (CKAN does not verify account addresses): only the account
    # that opened the requester's link while logged in (proof of control of the address) is made admin;
    # else a new account is invited at the address; else (an unproven account already uses the address)
    # the organization waits for the requester to take charge of it through their link.
    site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
    bound = model.User.get(request.requester_user_id) if request.requester_user_id else None
    if bound is not None and bound.state != "active":
        bound = None
    user_id = None
    if bound is not None:
        tk.get_action("organization_member_create")(dict(site), {"id": org_dict["id"], "username": bound.name,
                                                                 "role": "admin"})
        user_id = bound.id
        account = "linked"
    elif model.Session.query(model.User).filter(sa.func.lower(model.User.email) == email.lower(),
                                                model.User.state != "deleted").first() is not None:
        account = "claim"
    else:
        try:
            user_dict = _invite(site, email, name, org_dict["id"])
        except tk.ValidationError as exc:
            raise tk.ValidationError({"email": [tk._(
                "The organization is ready, but the invitation could not be emailed to {email}: {error} "
                "Check the mail server and approve again."
            ).format(email=email, error=_first_error(exc))]})
        account = "invited"
        user_id = user_dict["id"]
        new_user = model.User.get(user_id)
        if new_user is not None and not new_user.fullname:
            new_user.fullname = name
            session.commit()
    invited = account == "invited"

    # 3. the decision, the tier, the audit trail
    request = _get_request(request_id, for_update=True)
    if not workflow.can(request, "approve"):  # approved by someone else meanwhile
        state = request.state
        session.rollback()
        raise tk.ValidationError({"state": [tk._(
            "This request cannot be approved: it is \u201c{state}\u201d.").format(state=workflow.state_label(state))]})
    request.tier = tier or None
    request.user_id = user_id
    request.reviewer = _actor(context)
    request.verification_note = note or None
    request.decision_reason = data.get("reason") or None
    ledger = quota.lock(org_dict["id"])
    if tier:
        ledger.tier = tier
    workflow.transition(request, "approve", _actor(context), workflow.ADMIN, reason=data.get("reason") or note,
                        details={"organization": org_dict["name"], "organization_created": org_created,
                                 "account": account, "tier": tier or None})
    session.commit()

    limits = quota.limits_of(quota.get(org_dict["id"]))
    extra = {
        "org_title": org_dict.get("title") or org_dict["name"],
        "org_url": _url("organization.read", id=org_dict["name"]),
        "usage_url": _url("grandest_onboarding.usage", id=org_dict["name"]),
        "login_url": _url("user.login"),
        "invited": invited,
        "claim": account == "claim",
        "tier_label": limits.tier.label if limits.tier else "",
        "max_storage": quota.human_size(limits.max_storage_bytes) if limits.max_storage_bytes else "",
        "max_datasets": limits.max_datasets or "",
        "max_file": quota.human_size(limits.max_file_bytes) if limits.max_file_bytes else "",
    }
    _tell_requester("request_approved", request, **extra)
    if request.townhall_email:
        mailer.send("request_approved_townhall", [(_townhall_name(request.commune_name),
                                                   request.townhall_email)], dict(_commune_vars(request), **extra))
    return _request_dict(request, "admin")


def _invite(site: dict[str, Any], email: str, name: str, org_id: str) -> dict[str, Any]:
    """Core's ``user_invite`` (a pending account with a generated user name, admin of the organization, CKAN's
    invitation mail through ``mailer.send_invite``; the account is deleted if the mail fails), with the
    requester's full name set on the account before the mail goes: the French invitation
    (``templates/emails/invite_user.txt``) and its ``To:`` address the person by name. ``user_invite`` itself
    takes no full name (its schema drops it) on either CKAN version."""
    import socket

    from ckan.lib import mailer as core_mailer
    from ckan.logic.action.create import _get_random_username_from_email
    from ckan.logic.schema import create_user_for_user_invite_schema

    user_dict = tk.get_action("user_create")(
        dict(site, schema=create_user_for_user_invite_schema()),
        {"name": _get_random_username_from_email(email), "email": email, "fullname": name,
         "state": model.State.PENDING})
    tk.get_action("organization_member_create")(dict(site), {"id": org_id, "username": user_dict["id"],
                                                             "role": "admin"})
    group_dict = tk.get_action("organization_show")(dict(site), {"id": org_id})
    user = model.User.get(user_dict["id"])
    try:
        core_mailer.send_invite(user, group_dict, "admin")
    except (socket.error, core_mailer.MailerException) as error:
        tk.get_action("user_delete")(dict(site), {"id": user_dict["id"]})
        raise tk.ValidationError({"email": [str(error)]})
    return user_dict


def _first_error(exc: tk.ValidationError) -> str:
    errors = exc.error_dict
    if isinstance(errors, dict):
        for value in errors.values():
            if isinstance(value, list) and value:
                return str(value[0])
            if isinstance(value, str):
                return value
    return str(errors)


def grandest_commune_request_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reject, with a reason the requester reads. :param id: :param reason:"""
    tk.check_access("grandest_commune_request_reject", context, data_dict)
    data = _validate(data_dict, schema.request_reject(), context)
    request = _get_request(data["id"], for_update=True)
    workflow.transition(request, "reject", _actor(context), workflow.ADMIN, reason=data["reason"])
    request.decision_reason = data["reason"]
    request.reviewer = _actor(context)
    request.confirm_token_hash = None
    model.Session.commit()
    _tell_requester("request_rejected", request, reason=data["reason"])
    return _request_dict(request, "admin")


def grandest_commune_request_request_info(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask the requester for more information (they answer through their link). :param id: :param message:"""
    tk.check_access("grandest_commune_request_request_info", context, data_dict)
    data = _validate(data_dict, schema.request_request_info(), context)
    request = _get_request(data["id"], for_update=True)
    workflow.transition(request, "request_info", _actor(context), workflow.ADMIN, reason=data["message"])
    request.info_message = data["message"]
    request.info_requested_at = _now()
    request.info_response = None
    request.reviewer = _actor(context)
    model.Session.commit()
    _tell_requester("info_requested", request, question=data["message"], days=cfg.info_request_days())
    return _request_dict(request, "admin")


def grandest_commune_request_respond(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The requester answers a question (through their link). :param id: :param token: :param response:"""
    data = _validate(data_dict, schema.request_respond(), context)
    tk.check_access("grandest_commune_request_respond", context, data)
    request = _get_request(data["id"], for_update=True)
    workflow.transition(request, "respond", _actor(context), workflow.REQUESTER, reason=data["response"])
    request.info_response = data["response"]
    token = workflow.new_requester_token(request)  # rotation on use: the link just used stops working
    model.Session.commit()
    _tell_reviewers("info_answered", request, response=data["response"])
    return dict(_request_dict(request, "requester"), token=token)


def grandest_commune_request_deny(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The town hall says « ce n'est pas nous » through the link of its confirmation mail (POST): the request is
    cancelled (audited as the town hall's), the link stops working, the requester and, if it was already in
    their queue, the regional admins are told.

    :param id: the request id; :param token: the token of the link emailed to the town hall
    """
    data = _validate(data_dict, schema.request_confirm(), context)
    tk.check_access("grandest_commune_request_deny", context, data)
    session = model.Session
    request = _get_request(data["id"], for_update=True)
    if not workflow.token_matches(data["token"], request.confirm_token_hash):  # used meanwhile
        session.rollback()
        raise tk.NotAuthorized(tk._("This confirmation link is not valid any more."))
    if not workflow.can(request, "cancel"):
        state = request.state
        session.rollback()
        raise tk.ValidationError({"state": [tk._(
            "This request can no longer be cancelled: it is \u201c{state}\u201d.").format(
                state=workflow.state_label(state))]})
    was = request.state
    request.confirm_token_hash = None  # one-time link
    workflow.transition(request, "cancel", "", workflow.TOWNHALL,
                        reason="La mairie a indiqué que la demande ne venait pas d'elle.")
    session.commit()
    _tell_requester("request_cancelled", request, reason="", by_admin=False, by_townhall=True)
    if was in (workflow.PENDING, workflow.INFO):
        _tell_reviewers("request_cancelled_reviewers", request,
                        reason="La mairie a indiqué que la demande ne venait pas d'elle.")
    return _request_dict(request, "public")


def grandest_commune_request_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Cancel an open request: the requester (with their link) or a regional admin.
    :param id: :param token: (requester) :param reason: optional"""
    data = _validate(data_dict, schema.request_cancel(), context)
    tk.check_access("grandest_commune_request_cancel", context, data)
    by_admin = is_regional_admin(context.get("auth_user_obj") or context.get("user")) and not data.get("token")
    request = _get_request(data["id"], for_update=True)
    was = request.state
    workflow.transition(request, "cancel", _actor(context), workflow.ADMIN if by_admin else workflow.REQUESTER,
                        reason=data.get("reason"))
    request.confirm_token_hash = None
    token = None if by_admin else workflow.new_requester_token(request)  # rotation on use
    model.Session.commit()
    if by_admin:
        _tell_requester("request_cancelled", request, reason=data.get("reason") or "", by_admin=True)
    else:
        _tell_requester("request_cancelled", request, reason=data.get("reason") or "", by_admin=False)
        if was in (workflow.PENDING, workflow.INFO):
            _tell_reviewers("request_cancelled_reviewers", request, reason=data.get("reason") or "")
    out = _request_dict(request, "public")
    if token:
        out["token"] = token
    return out


def grandest_commune_request_claim(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The requester, logged in, links the request to their account through their personal link (which
    proves they read the requester's mailbox). Before approval: approval makes this account the
    organization's admin. After an approval that waits for it (``awaiting_claim``): the account becomes admin
    now. The link is renewed (rotation on use).

    :param id: the request id; :param token: the requester's link token
    :returns: the request (as its requester sees it) and ``token``, the new link's token
    """
    data = _validate(data_dict, schema.request_claim(), context)
    tk.check_access("grandest_commune_request_claim", context, data)
    session = model.Session
    user = model.User.get(_actor(context))
    if user is None or user.state != "active":
        raise tk.NotAuthorized(tk._("Log in first to link this request to your account."))
    request = _get_request(data["id"], for_update=True)
    if not workflow.is_requester(request.id, data["token"], request=request):  # used or renewed meanwhile
        session.rollback()
        raise tk.NotAuthorized(tk._("This link is not valid any more. Use the link from your latest email."))
    state = request.state
    if state not in workflow.OPEN_STATES and not (state == workflow.APPROVED and not request.user_id):
        session.rollback()
        raise tk.ValidationError({"state": [tk._(
            "This is not possible for a request that is \u201c{state}\u201d.").format(
                state=workflow.state_label(state))]})
    request.requester_user_id = user.id
    token = workflow.new_requester_token(request)
    workflow.record(request, "claim", user.name, workflow.REQUESTER, state, state,
                    details={"account": user.name})
    org_id = request.organization_id if state == workflow.APPROVED else None
    session.commit()
    if org_id:
        site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
        tk.get_action("organization_member_create")(dict(site), {"id": org_id, "username": user.name,
                                                                 "role": "admin"})
        request = _get_request(data["id"], for_update=True)
        request.user_id = user.id
        session.commit()
    return dict(_request_dict(request, "requester"), token=token)


def grandest_commune_request_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Expire stale requests: unconfirmed links past their date, questions unanswered for
    ``ckanext.grandest.onboarding.info_request_days``. Returns ``{"expired": [ids]}``."""
    tk.check_access("grandest_commune_request_expire", context, data_dict)
    _validate(data_dict, schema.request_expire(), context)
    session = model.Session
    now = _now()
    info_limit = now - datetime.timedelta(days=cfg.info_request_days())
    ids = [r.id for r in session.query(CommuneRequest.id).filter(sa.or_(
        sa.and_(CommuneRequest.state == workflow.AWAITING, CommuneRequest.confirm_expires < now),
        sa.and_(CommuneRequest.state == workflow.INFO, CommuneRequest.info_requested_at < info_limit),
    )).all()]
    expired = []
    for request_id in ids:
        request = _get_request(request_id, for_update=True)
        if not workflow.can(request, "expire"):
            session.rollback()
            continue
        reason = ("Lien de confirmation non utilisé à temps." if request.state == workflow.AWAITING
                  else "Pas de réponse à la demande de précisions.")
        workflow.transition(request, "expire", _actor(context), workflow.SYSTEM, reason=reason)
        request.confirm_token_hash = None
        session.commit()
        expired.append(request_id)
        _tell_requester("request_expired", request, days=cfg.confirmation_days())
    return {"expired": expired}


# --- quotas ----------------------------------------------------------------------------------------------

def _org_or_404(ident: str) -> model.Group:
    org = model.Group.get(ident)
    if org is None or not org.is_organization or org.state == "deleted":
        raise tk.ObjectNotFound(tk._("Organization not found."))
    return org


def _quota_dict(org: model.Group, row: OrgQuota | None) -> dict[str, Any]:
    limits = quota.limits_of(row)
    ratios = quota.usage_ratios(row, limits)
    threshold = cfg.warning_percent() / 100.0
    bytes_used = int(row.bytes_used) if row is not None else 0
    datasets_used = int(row.datasets_used) if row is not None else 0

    def mb(n: int | None) -> int | None:
        return None if n is None else n // MiB

    return {
        "organization_id": org.id,
        "organization_name": org.name,
        "organization_title": org.title or org.name,
        "tier": limits.tier.name if limits.tier else None,
        "tier_label": limits.tier.label if limits.tier else None,
        "own_tier": row.tier if row is not None else None,
        "limits": {
            "max_storage_bytes": limits.max_storage_bytes,
            "max_datasets": limits.max_datasets,
            "max_file_bytes": limits.max_file_bytes,
        },
        "overrides": {
            "max_storage_mb": mb(row.max_storage_bytes) if row is not None and row.max_storage_bytes is not None
            else None,
            "max_datasets": row.max_datasets if row is not None else None,
            "max_file_mb": mb(row.max_file_bytes) if row is not None and row.max_file_bytes is not None else None,
        },
        "usage": {"bytes_used": bytes_used, "datasets_used": datasets_used},
        "storage_percent": round(ratios["storage"] * 100, 1) if ratios["storage"] is not None else None,
        "datasets_percent": round(ratios["datasets"] * 100, 1) if ratios["datasets"] is not None else None,
        "warnings": [k for k, v in ratios.items() if v is not None and v >= threshold],
        "warning_percent": cfg.warning_percent(),
    }


@tk.side_effect_free
def grandest_quota_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An organization's tier, limits and usage. :param id: organization id or name"""
    data = _validate(data_dict, schema.quota_show(), context)
    org = _org_or_404(data["id"])
    tk.check_access("grandest_quota_show", context, {"id": org.id})
    return _quota_dict(org, quota.get(org.id))


def grandest_quota_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Set an organization's tier and/or per-organization overrides (regional admins).

    :param id: organization id or name
    :param tier: a configured tier; empty string: back to the default tier
    :param max_storage_mb, max_datasets, max_file_mb: overrides; 0 = no limit; empty string = the tier's
    Lowering a limit below the current usage is allowed: nothing is deleted, new content is refused.
    """
    data = _validate(data_dict, schema.quota_update(), context)
    org = _org_or_404(data["id"])
    tk.check_access("grandest_quota_update", context, {"id": org.id})
    row = quota.lock(org.id)
    before = {"tier": row.tier, "max_storage_bytes": row.max_storage_bytes, "max_datasets": row.max_datasets,
              "max_file_bytes": row.max_file_bytes}
    if "tier" in data:
        row.tier = data["tier"] or None
    if "max_storage_mb" in data:
        row.max_storage_bytes = None if data["max_storage_mb"] is None else data["max_storage_mb"] * MiB
    if "max_datasets" in data:
        row.max_datasets = data["max_datasets"]
    if "max_file_mb" in data:
        row.max_file_bytes = None if data["max_file_mb"] is None else data["max_file_mb"] * MiB
    quota.check_warnings(row)
    log.info("grandest_onboarding: quota of %s changed by %s: %s -> tier=%s storage=%s datasets=%s file=%s",
             org.name, _actor(context), before, row.tier, row.max_storage_bytes, row.max_datasets, row.max_file_bytes)
    model.Session.commit()
    return _quota_dict(org, quota.get(org.id))


@tk.side_effect_free
def grandest_usage_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every organization's usage (regional admins).

    :param sort: name, title, tier, bytes_used, storage_percent, datasets_used or datasets_percent
    :param order: asc or desc; :param q: text in the name or title
    :returns: ``{"count": n, "results": [quota dicts]}``
    """
    tk.check_access("grandest_usage_list", context, data_dict)
    data = _validate(data_dict, schema.usage_list(), context)
    query = model.Session.query(model.Group, OrgQuota).outerjoin(
        OrgQuota, OrgQuota.organization_id == model.Group.id).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    if data.get("q"):
        like = f"%{data['q']}%"
        query = query.filter(sa.or_(model.Group.name.ilike(like), model.Group.title.ilike(like)))
    results = [_quota_dict(org, row) for org, row in query.all()]
    key = data["sort"]

    def sort_key(item: dict[str, Any]) -> Any:
        if key in ("bytes_used", "datasets_used"):
            return item["usage"][key]
        if key in ("storage_percent", "datasets_percent"):
            return item[key] if item[key] is not None else -1
        if key == "title":
            return (item["organization_title"] or "").lower()
        if key == "tier":
            return item["tier"] or ""
        return item["organization_name"]

    results.sort(key=sort_key, reverse=data["order"] == "desc")
    return {"count": len(results), "results": results}


# --- quotas on core actions (chained) ---------------------------------------------------------------------

@tk.chained_action
def package_owner_org_update(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """Every way a dataset enters an organization goes through here (package_create, package_update/patch/
    revise with a new ``owner_org``, direct calls, scripts that move datasets in bulk): the target
    organization's dataset and storage quotas are checked, and the ledgers updated, before core moves it."""
    tk.check_access("package_owner_org_update", context, data_dict)
    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is not None:
        quota.mark_stale(pkg.id)  # package_create/update call us first: the dataset is changing
        ident = data_dict.get("organization_id")
        target: Any = None
        known = True
        if ident:
            org = model.Group.get(ident)
            known = org is not None and org.is_organization
            target = org.id if known else None
        if known:
            quota.sync_dataset(pkg.id, target_org=target, org_only=True)
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


@tk.chained_action
def dataset_purge(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """Purging a dataset takes it out of its organization's ledger and deletes its uploaded files (once the
    purge is committed)."""
    from ckanext.grandest.common import filestore

    from .. import storage

    tk.check_access("dataset_purge", context, data_dict)
    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is not None:
        files = filestore.resource_files()
        locations = []
        for res in model.Session.query(model.Resource).filter(model.Resource.package_id == pkg.id,
                                                                model.Resource.url_type == "upload"):
            if files is not None:
                try:
                    locations.append(files.location(res.id))
                except tk.ValidationError:
                    continue
        quota.forget_dataset(pkg.id)
        for location in locations:
            storage.register_delete(files, location)
    try:
        return up_func(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise


@tk.chained_action
def bulk_update_delete(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """Core deletes in bulk with a plain SQL update (no plugin hook): bring the ledgers up to date after."""
    result = up_func(context, data_dict)
    for package_id in data_dict.get("datasets") or []:
        if isinstance(package_id, str):
            quota.sync_dataset(package_id, enforce=False)
    model.Session.commit()
    return result


@tk.chained_action
def organization_purge(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """A purged organization leaves no ledger behind; its former datasets count nowhere."""
    org = model.Group.get(data_dict.get("id") or "")
    org_id = org.id if org is not None else None
    result = up_func(context, data_dict)
    if org_id:
        from ..model import DatasetUsage

        for (package_id,) in model.Session.query(DatasetUsage.package_id).filter(
                DatasetUsage.organization_id == org_id).all():
            quota.sync_dataset(package_id, enforce=False)
        model.Session.query(OrgQuota).filter(OrgQuota.organization_id == org_id).delete(synchronize_session=False)
        model.Session.commit()
    return result
