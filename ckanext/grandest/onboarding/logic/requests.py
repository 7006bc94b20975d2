"""What the request actions share: input validation, who acts, the request as each audience sees it, the
lookups and the mails of the journey (sent through :mod:`..mailer`)."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.grandest.common import referential as ref
from ckanext.grandest.common.orm import as_dict

from .. import config as cfg
from .. import mailer, organization, workflow
from ..model import CommuneRequest


def validate(data_dict: DataDict, schema_: Any, context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def actor(context: Context) -> str:
    return str(context.get("user") or "")


def is_anonymous(context: Context) -> bool:
    user = context.get("auth_user_obj")
    if user is not None and getattr(user, "name", None):
        return False
    name = context.get("user")
    return not name or model.User.get(name) is None


def remote_addr() -> str | None:
    try:
        from flask import has_request_context, request

        if has_request_context():
            return request.remote_addr
    except Exception:  # pragma: no cover
        pass
    return None


def now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def url(endpoint: str, **kwargs: Any) -> str:
    try:
        return tk.url_for(endpoint, _external=True, **kwargs)
    except Exception:  # outside a Flask context (should not happen: the CLI opens one)
        return ""


def tracking_url(request_id: str, token: str) -> str:
    return url("grandest_onboarding.track", id=request_id, token=token)


def suggested_tier(population_totale: int | None) -> str:
    """The tier a commune is entitled to: small communes get the free tier; '' = point it to its EPCI."""
    if population_totale is not None and population_totale < cfg.small_commune_population():
        return cfg.small_commune_tier()
    return cfg.large_commune_tier()


def linked_org(insee_code: str, organization_id: str | None = None) -> dict[str, Any] | None:
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


def request_dict(request: CommuneRequest, audience: str) -> dict[str, Any]:
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
        "suggested_tier": suggested_tier(request.population_totale),
        "linked_organization": linked_org(request.insee_code, request.organization_id),
        "events": [
            dict(as_dict(e, exclude=("request_id",)), action_label=workflow.action_label(e.action))
            for e in workflow.events(request.id)
        ],
    })
    return out


def get_request(request_id: Any, for_update: bool = False) -> CommuneRequest:
    request = workflow.get(request_id, for_update=for_update)
    if request is None:
        raise tk.ObjectNotFound(tk._("This request does not exist."))
    return request


def townhall_name(commune_name: str) -> str:
    """The town hall as a mail recipient: "Mairie d’Aydoilles" ({of_name} gives the French translation its
    elided "of")."""
    return tk._("Town hall of {name}").format(name=commune_name, of_name=organization.of_commune(commune_name))


def commune_vars(request: CommuneRequest) -> dict[str, Any]:
    return {
        "commune_name": request.commune_name,
        "de_commune": organization.of_commune(request.commune_name),  # "d’Aydoilles", "du Hohwald": the mails are French
        "insee_code": request.insee_code,
        "requester_name": request.requester_name,
        "requester_role": request.requester_role,
        "requester_email": request.requester_email,
        "requester_phone": request.requester_phone,
        "message": request.message,
        "review_url": url("grandest_onboarding.review", id=request.id),
        "state_label": workflow.state_label(request.state),
    }


#: the mails to the requester that carry their personal link
LINK_MAILS = ("request_received", "request_confirmed", "info_requested", "request_approved")


def tell_requester(name: str, request: CommuneRequest, token: str | None = None, **extra: Any) -> None:
    """Mail the requester; a mail with their personal link carries a new one (the previous link stops
    working: only the holder of the requester's mailbox ever has a valid link). ``token``: that new link's token,
    made in the caller's (committed) transaction; without it, it is made and committed here."""
    if name in LINK_MAILS:
        if token is None:
            request = get_request(request.id, for_update=True)
            token = workflow.new_requester_token(request)
            model.Session.commit()
        extra["tracking_url"] = tracking_url(request.id, token)
    mailer.send(name, [(request.requester_name, request.requester_email)], dict(commune_vars(request), **extra))


def tell_reviewers(name: str, request: CommuneRequest, **extra: Any) -> None:
    mailer.send(name, mailer.reviewers(), dict(commune_vars(request), **extra))


def duplicate_message(insee_code: str, commune_name: str) -> str | None:
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
