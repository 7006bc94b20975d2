"""The request workflow's actions of grandest_onboarding. Each validates its input and calls ``check_access``
with the auth function of the same name first.

``grandest_commune_request_create/show/list/confirm/reject/request_info/respond/deny/cancel/claim/expire``;
approval is in :mod:`.approve`, the quota actions in :mod:`.quota_actions`, the chained core actions in
:mod:`.core_overrides`; what they share in :mod:`.requests`.
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
from .. import mailer, ratelimit, workflow
from ..model import CommuneRequest
from . import schema
from .requests import (actor, commune_vars, duplicate_message, get_request, is_anonymous, linked_org, now,
                       remote_addr, request_dict, tell_requester, tell_reviewers, townhall_name, url, validate)
from .requests import suggested_tier as _suggested_tier  # (private here: the blanket registers public functions)

log = logging.getLogger(__name__)


# --- commune requests -------------------------------------------------------------------------------------

def grandest_commune_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A commune asks to join. Anyone may ask (anonymous requests are rate-limited per IP and per commune).

    :param insee_code: the commune's INSEE code (from the referential)
    :param requester_name, requester_role, requester_email, requester_phone: who asks
    :param message: optional free text
    :returns: the request's id, state and commune (never whether an account exists for the email)
    """
    tk.check_access("grandest_commune_request_create", context, data_dict)
    data = validate(data_dict, schema.request_create(), context)
    commune = ref.commune(data["insee_code"])
    assert commune is not None

    if is_anonymous(context):
        refusal = ratelimit.check_request(remote_addr(), commune.code)
        if refusal:
            raise tk.ValidationError({"rate_limit": [refusal]})
    duplicate = duplicate_message(commune.code, commune.name)
    if duplicate:
        raise tk.ValidationError({"insee_code": [duplicate]})

    who = "" if is_anonymous(context) else actor(context)
    request = CommuneRequest(
        id=str(uuid.uuid4()), insee_code=commune.code, commune_name=commune.name,
        departement=commune.departement, epci=commune.epci, siren=commune.siren,
        population_totale=commune.population_totale,
        requester_name=data["requester_name"], requester_role=data["requester_role"],
        requester_email=data["requester_email"], requester_phone=data["requester_phone"],
        message=data.get("message") or "", state=workflow.SUBMITTED,
        tier=_suggested_tier(commune.population_totale) or None,
        created=now(), modified=now(),
    )
    session = model.Session
    session.add(request)
    session.flush()
    workflow.record(request, "submit", who, workflow.REQUESTER if who else workflow.ANONYMOUS,
                    None, workflow.SUBMITTED)
    token = None
    if commune.email:
        token, token_hash = workflow.new_token()
        request.townhall_email = commune.email
        request.confirm_token_hash = token_hash
        expires = now() + datetime.timedelta(days=cfg.confirmation_days())
        request.confirm_expires = expires
        workflow.transition(request, "send_confirmation", "", workflow.SYSTEM,
                            details={"expires": expires.isoformat()})
    else:
        request.manual_review = True
        request.manual_reason = "no_townhall_email"
        workflow.transition(request, "manual_review", "", workflow.SYSTEM,
                            reason="La commune n'a pas d'adresse électronique dans l'annuaire de l'administration.")
    try:
        session.commit()
    except IntegrityError:  # another request for this commune was saved at the same moment
        session.rollback()
        raise tk.ValidationError({"insee_code": [duplicate_message(commune.code, commune.name) or tk._(
            "A request for this commune is already being processed.")]})

    if token and commune.email:  # (a token is only made for a commune with an address)
        failed = mailer.send("townhall_confirmation", [(townhall_name(commune.name),
                                                        commune.email)],
                             dict(commune_vars(request),
                                  confirm_url=url("grandest_onboarding.confirm", id=request.id, token=token),
                                  deny_url=url("grandest_onboarding.deny", id=request.id, token=token),
                                  expires=request.confirm_expires, days=cfg.confirmation_days()))
        if failed:
            request.manual_review = True
            request.manual_reason = "email_failed"
            workflow.record(request, "send_failed", "", workflow.SYSTEM, request.state, request.state,
                            reason="L'envoi du lien de confirmation à la mairie a échoué.")
            session.commit()
    tell_requester("request_received", request, townhall_email=commune.email or "",
                    manual=not bool(token))
    if request.manual_review:
        tell_reviewers("review_needed", request, manual=True)
    return request_dict(request, "public")


@tk.side_effect_free
def grandest_commune_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A request, as its viewer may see it (regional admin: everything, with the audit trail and the
    referential data; requester or town hall with their link: the request itself).

    :param id: the request id
    :param token: the requester's or town hall's link token (not needed by regional admins)
    """
    data = validate(data_dict, schema.request_show(), context)
    tk.check_access("grandest_commune_request_show", context, data)
    request = get_request(data["id"])
    if is_regional_admin(context.get("auth_user_obj") or context.get("user")):
        return request_dict(request, "admin")
    token = data.get("token")
    if token and workflow.token_matches(token, request.confirm_token_hash):
        return request_dict(request, "townhall")
    return request_dict(request, "requester")


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
    data = validate(data_dict, schema.request_list(), context)
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
        item = request_dict(row, "requester")
        item["manual_reason"] = row.manual_reason
        linked = linked_org(row.insee_code, row.organization_id)
        item["linked_organization"] = linked
        epci = ref.epci(row.epci) if row.epci else None
        item["epci_name"] = epci.label if epci else None
        results.append(item)
    return {"count": count, "results": results}


def grandest_commune_request_confirm(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The town hall confirms the request through its one-time link (POST; the link expires).

    :param id: the request id; :param token: the token of the link emailed to the town hall
    """
    data = validate(data_dict, schema.request_confirm(), context)
    tk.check_access("grandest_commune_request_confirm", context, data)
    session = model.Session
    request = get_request(data["id"], for_update=True)
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
        tell_requester("request_expired", request, days=cfg.confirmation_days())
        raise tk.ValidationError({"token": [tk._(
            "This confirmation link has expired (links are valid for {days} days). The request has been "
            "closed: the requester can send a new one.").format(days=cfg.confirmation_days())]})
    request.confirmed_at = now()
    request.confirm_token_hash = None  # one-time link
    workflow.transition(request, "confirm", "", workflow.TOWNHALL)
    session.commit()
    tell_requester("request_confirmed", request)
    tell_reviewers("review_needed", request, manual=False)
    return request_dict(request, "public")




def grandest_commune_request_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reject, with a reason the requester reads. :param id: :param reason:"""
    tk.check_access("grandest_commune_request_reject", context, data_dict)
    data = validate(data_dict, schema.request_reject(), context)
    request = get_request(data["id"], for_update=True)
    workflow.transition(request, "reject", actor(context), workflow.ADMIN, reason=data["reason"])
    request.decision_reason = data["reason"]
    request.reviewer = actor(context)
    request.confirm_token_hash = None
    model.Session.commit()
    tell_requester("request_rejected", request, reason=data["reason"])
    return request_dict(request, "admin")


def grandest_commune_request_request_info(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask the requester for more information (they answer through their link). :param id: :param message:"""
    tk.check_access("grandest_commune_request_request_info", context, data_dict)
    data = validate(data_dict, schema.request_request_info(), context)
    request = get_request(data["id"], for_update=True)
    workflow.transition(request, "request_info", actor(context), workflow.ADMIN, reason=data["message"])
    request.info_message = data["message"]
    request.info_requested_at = now()
    request.info_response = None
    request.reviewer = actor(context)
    model.Session.commit()
    tell_requester("info_requested", request, question=data["message"], days=cfg.info_request_days())
    return request_dict(request, "admin")


def grandest_commune_request_respond(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The requester answers a question (through their link). :param id: :param token: :param response:"""
    data = validate(data_dict, schema.request_respond(), context)
    tk.check_access("grandest_commune_request_respond", context, data)
    request = get_request(data["id"], for_update=True)
    workflow.transition(request, "respond", actor(context), workflow.REQUESTER, reason=data["response"])
    request.info_response = data["response"]
    token = workflow.new_requester_token(request)  # rotation on use: the link just used stops working
    model.Session.commit()
    tell_reviewers("info_answered", request, response=data["response"])
    return dict(request_dict(request, "requester"), token=token)


def grandest_commune_request_deny(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The town hall says « ce n'est pas nous » through the link of its confirmation mail (POST): the request is
    cancelled (audited as the town hall's), the link stops working, the requester and, if it was already in
    their queue, the regional admins are told.

    :param id: the request id; :param token: the token of the link emailed to the town hall
    """
    data = validate(data_dict, schema.request_confirm(), context)
    tk.check_access("grandest_commune_request_deny", context, data)
    session = model.Session
    request = get_request(data["id"], for_update=True)
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
    tell_requester("request_cancelled", request, reason="", by_admin=False, by_townhall=True)
    if was in (workflow.PENDING, workflow.INFO):
        tell_reviewers("request_cancelled_reviewers", request,
                        reason="La mairie a indiqué que la demande ne venait pas d'elle.")
    return request_dict(request, "public")


def grandest_commune_request_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Cancel an open request: the requester (with their link) or a regional admin.
    :param id: :param token: (requester) :param reason: optional"""
    data = validate(data_dict, schema.request_cancel(), context)
    tk.check_access("grandest_commune_request_cancel", context, data)
    by_admin = is_regional_admin(context.get("auth_user_obj") or context.get("user")) and not data.get("token")
    request = get_request(data["id"], for_update=True)
    was = request.state
    workflow.transition(request, "cancel", actor(context), workflow.ADMIN if by_admin else workflow.REQUESTER,
                        reason=data.get("reason"))
    request.confirm_token_hash = None
    token = None if by_admin else workflow.new_requester_token(request)  # rotation on use
    model.Session.commit()
    if by_admin:
        tell_requester("request_cancelled", request, reason=data.get("reason") or "", by_admin=True)
    else:
        tell_requester("request_cancelled", request, reason=data.get("reason") or "", by_admin=False)
        if was in (workflow.PENDING, workflow.INFO):
            tell_reviewers("request_cancelled_reviewers", request, reason=data.get("reason") or "")
    out = request_dict(request, "public")
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
    data = validate(data_dict, schema.request_claim(), context)
    tk.check_access("grandest_commune_request_claim", context, data)
    session = model.Session
    user = model.User.get(actor(context))
    if user is None or user.state != "active":
        raise tk.NotAuthorized(tk._("Log in first to link this request to your account."))
    request = get_request(data["id"], for_update=True)
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
        site: Context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
        tk.get_action("organization_member_create")(site.copy(), {"id": org_id, "username": user.name,
                                                                 "role": "admin"})
        request = get_request(data["id"], for_update=True)
        request.user_id = user.id
        session.commit()
    return dict(request_dict(request, "requester"), token=token)


def grandest_commune_request_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Expire stale requests: unconfirmed links past their date, questions unanswered for
    ``ckanext.grandest.onboarding.info_request_days``. Returns ``{"expired": [ids]}``."""
    tk.check_access("grandest_commune_request_expire", context, data_dict)
    validate(data_dict, schema.request_expire(), context)
    session = model.Session
    current = now()
    info_limit = current - datetime.timedelta(days=cfg.info_request_days())
    ids = [r.id for r in session.query(CommuneRequest.id).filter(sa.or_(
        sa.and_(CommuneRequest.state == workflow.AWAITING, CommuneRequest.confirm_expires < current),
        sa.and_(CommuneRequest.state == workflow.INFO, CommuneRequest.info_requested_at < info_limit),
    )).all()]
    expired = []
    for request_id in ids:
        request = get_request(request_id, for_update=True)
        if not workflow.can(request, "expire"):
            session.rollback()
            continue
        reason = ("Lien de confirmation non utilisé à temps." if request.state == workflow.AWAITING
                  else "Pas de réponse à la demande de précisions.")
        workflow.transition(request, "expire", actor(context), workflow.SYSTEM, reason=reason)
        request.confirm_token_hash = None
        session.commit()
        expired.append(request_id)
        tell_requester("request_expired", request, days=cfg.confirmation_days())
    return {"expired": expired}
