"""Tables of grandest_onboarding (created by the plugin's Alembic migrations, never at start-up).

No foreign key into core tables (CKAN's best practices): organization, package, resource and user ids are
plain text columns.

* ``grandest_commune_request``: a commune's request to join, its state and who decided what.
* ``grandest_commune_request_event``: the audit trail (who, when, what, why) of every transition.
* ``grandest_org_quota``: per organization, its tier, the admins' overrides and the usage ledger
  (bytes of uploaded files, number of datasets). The row is locked (``SELECT ... FOR UPDATE``) by every
  change of usage, so parallel uploads against one organization are serialised and cannot overshoot.
* ``grandest_dataset_usage``: what each dataset currently adds to its organization's ledger.
* ``grandest_stored_file``: the real size, measured while writing, of each uploaded resource file.
"""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _uuid() -> str:
    return str(uuid.uuid4())


class CommuneRequest(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_commune_request"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    insee_code = sa.Column(sa.UnicodeText, nullable=False, index=True)
    commune_name = sa.Column(sa.UnicodeText, nullable=False)
    departement = sa.Column(sa.UnicodeText, nullable=False, index=True)
    epci = sa.Column(sa.UnicodeText, index=True)
    siren = sa.Column(sa.UnicodeText)
    population_totale = sa.Column(sa.Integer)

    requester_name = sa.Column(sa.UnicodeText, nullable=False)
    requester_role = sa.Column(sa.UnicodeText, nullable=False)
    requester_email = sa.Column(sa.UnicodeText, nullable=False)
    requester_phone = sa.Column(sa.UnicodeText, nullable=False)
    message = sa.Column(sa.UnicodeText, nullable=False, default="")

    state = sa.Column(sa.UnicodeText, nullable=False, index=True)
    tier = sa.Column(sa.UnicodeText, index=True)

    townhall_email = sa.Column(sa.UnicodeText)
    manual_review = sa.Column(sa.Boolean, nullable=False, default=False)
    manual_reason = sa.Column(sa.UnicodeText)
    confirm_token_hash = sa.Column(sa.UnicodeText)
    confirm_expires = sa.Column(sa.DateTime)
    confirmed_at = sa.Column(sa.DateTime)
    # the requester's personal link: a random token, stored hashed, renewed with each email and on each use
    requester_token_hash = sa.Column(sa.UnicodeText)
    requester_token_expires = sa.Column(sa.DateTime)
    # the account that opened the requester's link while logged in (proved control of requester_email):
    # the only account approval makes admin of the organization; without it the requester is invited
    requester_user_id = sa.Column(sa.UnicodeText)

    info_message = sa.Column(sa.UnicodeText)
    info_requested_at = sa.Column(sa.DateTime)
    info_response = sa.Column(sa.UnicodeText)

    decision_reason = sa.Column(sa.UnicodeText)
    verification_note = sa.Column(sa.UnicodeText)
    reviewer = sa.Column(sa.UnicodeText)
    organization_id = sa.Column(sa.UnicodeText, index=True)
    user_id = sa.Column(sa.UnicodeText, index=True)

    created = sa.Column(sa.DateTime, nullable=False, default=_now)
    modified = sa.Column(sa.DateTime, nullable=False, default=_now, onupdate=_now)


class CommuneRequestEvent(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_commune_request_event"

    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    request_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    created = sa.Column(sa.DateTime, nullable=False, default=_now)
    actor = sa.Column(sa.UnicodeText, nullable=False, default="")
    actor_kind = sa.Column(sa.UnicodeText, nullable=False)
    action = sa.Column(sa.UnicodeText, nullable=False)
    from_state = sa.Column(sa.UnicodeText)
    to_state = sa.Column(sa.UnicodeText)
    reason = sa.Column(sa.UnicodeText)
    details = sa.Column(JSONB)


class OrgQuota(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_org_quota"

    organization_id = sa.Column(sa.UnicodeText, primary_key=True)
    tier = sa.Column(sa.UnicodeText)
    max_storage_bytes = sa.Column(sa.BigInteger)
    max_datasets = sa.Column(sa.Integer)
    max_file_bytes = sa.Column(sa.BigInteger)
    bytes_used = sa.Column(sa.BigInteger, nullable=False, default=0)
    datasets_used = sa.Column(sa.Integer, nullable=False, default=0)
    warned_storage = sa.Column(sa.Boolean, nullable=False, default=False)
    warned_datasets = sa.Column(sa.Boolean, nullable=False, default=False)
    modified = sa.Column(sa.DateTime, nullable=False, default=_now, onupdate=_now)


class DatasetUsage(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_dataset_usage"

    package_id = sa.Column(sa.UnicodeText, primary_key=True)
    organization_id = sa.Column(sa.UnicodeText, index=True)  # None: counted nowhere
    bytes = sa.Column(sa.BigInteger, nullable=False, default=0)


class StoredFile(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_stored_file"

    resource_id = sa.Column(sa.UnicodeText, primary_key=True)
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    bytes = sa.Column(sa.BigInteger, nullable=False)
    modified = sa.Column(sa.DateTime, nullable=False, default=_now, onupdate=_now)


def as_dict(obj: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        if col.name in exclude:
            continue
        value = getattr(obj, col.name)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        out[col.name] = value
    return out
