"""The life of a commune request: states, allowed transitions, one-time tokens and the audit trail.

::

    submitted ──(town hall has an annuaire email)──> awaiting_confirmation ──(link clicked)──> pending_review
        └──────(no annuaire email: manual review)────────────────────────────────────────────> pending_review
    pending_review ──> approved | rejected | info_requested
    info_requested ──(requester answers)──> pending_review;  ──> approved | rejected
    awaiting_confirmation ──> approved (only with a verification note: the admin phoned the town hall) | rejected
    any open state ──> cancelled (requester or regional admin);  awaiting_confirmation, info_requested ──> expired

Approved, rejected, expired and cancelled are final.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .model import CommuneRequest, CommuneRequestEvent

SUBMITTED = "submitted"
AWAITING = "awaiting_confirmation"
PENDING = "pending_review"
INFO = "info_requested"
APPROVED = "approved"
REJECTED = "rejected"
EXPIRED = "expired"
CANCELLED = "cancelled"

STATES = (SUBMITTED, AWAITING, PENDING, INFO, APPROVED, REJECTED, EXPIRED, CANCELLED)
OPEN_STATES = (SUBMITTED, AWAITING, PENDING, INFO)
FINAL_STATES = (APPROVED, REJECTED, EXPIRED, CANCELLED)

#: action -> {from state: to state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "send_confirmation": {SUBMITTED: AWAITING},
    "manual_review": {SUBMITTED: PENDING},
    "confirm": {AWAITING: PENDING},
    "approve": {AWAITING: APPROVED, PENDING: APPROVED, INFO: APPROVED},
    "reject": {AWAITING: REJECTED, PENDING: REJECTED, INFO: REJECTED},
    "request_info": {PENDING: INFO},
    "respond": {INFO: PENDING},
    "cancel": {s: CANCELLED for s in OPEN_STATES},
    "expire": {AWAITING: EXPIRED, INFO: EXPIRED},
}

# actor kinds of the audit trail
ANONYMOUS = "anonymous"
REQUESTER = "requester"
TOWNHALL = "townhall"
ADMIN = "admin"
SYSTEM = "system"


def state_label(state: str | None) -> str:
    labels = {
        SUBMITTED: tk._("Submitted"),
        AWAITING: tk._("Awaiting town-hall confirmation"),
        PENDING: tk._("Pending review"),
        INFO: tk._("More information requested"),
        APPROVED: tk._("Approved"),
        REJECTED: tk._("Rejected"),
        EXPIRED: tk._("Expired"),
        CANCELLED: tk._("Cancelled"),
    }
    return labels.get(state or "", state or "")


def action_label(action: str) -> str:
    labels = {
        "submit": tk._("Request submitted"),
        "send_confirmation": tk._("Confirmation link sent to the town hall"),
        "manual_review": tk._("Sent to manual review"),
        "confirm": tk._("Confirmed by the town hall"),
        "approve": tk._("Approved"),
        "reject": tk._("Rejected"),
        "request_info": tk._("More information requested"),
        "respond": tk._("Requester answered"),
        "cancel": tk._("Cancelled"),
        "expire": tk._("Expired"),
        "claim": tk._("Linked to the requester's account"),
    }
    return labels.get(action, action)


def can(request: CommuneRequest, action: str) -> bool:
    return request.state in TRANSITIONS.get(action, {})


def transition(request: CommuneRequest, action: str, actor: str, actor_kind: str,
               reason: str | None = None, details: dict[str, Any] | None = None) -> CommuneRequestEvent:
    """Move the request along ``action`` and record it in the audit trail.

    An illegal move raises ValidationError after rolling the session back: the callers hold the request's row
    locked (``SELECT ... FOR UPDATE``) and nothing of the refused call may be kept."""
    targets = TRANSITIONS.get(action, {})
    if request.state not in targets:
        error = tk.ValidationError({"state": [tk._(
            "This is not possible for a request that is \u201c{state}\u201d."
        ).format(state=state_label(request.state))]})
        model.Session.rollback()
        raise error
    before = request.state
    request.state = targets[before]
    request.modified = datetime.datetime.utcnow()
    return record(request, action, actor, actor_kind, before, request.state, reason, details)


def record(request: CommuneRequest, action: str, actor: str, actor_kind: str, from_state: str | None,
           to_state: str | None, reason: str | None = None,
           details: dict[str, Any] | None = None) -> CommuneRequestEvent:
    event = CommuneRequestEvent(
        request_id=request.id, actor=actor or "", actor_kind=actor_kind, action=action,
        from_state=from_state, to_state=to_state, reason=reason or None, details=details or None,
        created=datetime.datetime.utcnow(),
    )
    model.Session.add(event)
    return event


def events(request_id: str) -> list[CommuneRequestEvent]:
    return (model.Session.query(CommuneRequestEvent)
            .filter(CommuneRequestEvent.request_id == request_id)
            .order_by(CommuneRequestEvent.created, CommuneRequestEvent.id).all())


# --- one-time tokens ------------------------------------------------------------------------------------

def new_token() -> tuple[str, str]:
    """A random URL-safe token and the hash stored in the database (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(token: Any, stored_hash: str | None) -> bool:
    """Constant-time comparison of a presented token with the stored hash (both hex digests: any text,
    non-ASCII included, is compared without error)."""
    if not isinstance(token, str) or not token or not stored_hash or len(token) > 200:
        return False
    return hmac.compare_digest(hash_token(token).encode("ascii"), stored_hash.encode("utf-8", "surrogatepass"))


def get(request_id: Any, for_update: bool = False) -> CommuneRequest | None:
    from ckanext.grandest.common.inputs import is_clean_text

    if not isinstance(request_id, str) or not request_id or len(request_id) > 64 or not is_clean_text(request_id):
        return None
    query = model.Session.query(CommuneRequest).filter(CommuneRequest.id == request_id)
    if for_update:
        query = query.with_for_update().populate_existing()
    return query.one_or_none()


def confirmation_valid(request: CommuneRequest, token: Any, now: datetime.datetime | None = None) -> bool:
    if not token_matches(token, request.confirm_token_hash):
        return False
    now = now or datetime.datetime.utcnow()
    return request.confirm_expires is not None and now <= request.confirm_expires


def new_requester_token(request: CommuneRequest, now: datetime.datetime | None = None) -> str:
    """A new personal link for the requester: a random token whose hash (only) is stored, valid for
    ``requester_link_days``. The previous link stops working: the caller commits, then emails the new one."""
    from . import config as cfg

    token, token_hash = new_token()
    request.requester_token_hash = token_hash
    request.requester_token_expires = (now or datetime.datetime.utcnow()) + datetime.timedelta(
        days=cfg.requester_link_days())
    return token


def is_requester(request_id: Any, token: Any, request: CommuneRequest | None = None) -> bool:
    """Whether ``token`` is the request's current, unexpired requester link (constant-time on the hash)."""
    if request is None:
        request = get(request_id)
    if request is None or request.id != request_id:
        return False
    if not token_matches(token, request.requester_token_hash):
        return False
    return request.requester_token_expires is not None and datetime.datetime.utcnow() <= request.requester_token_expires
