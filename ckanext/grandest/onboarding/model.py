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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk

from ckanext.grandest.common.orm import Mapped, column
from ckanext.grandest.common.orm import new_id as _uuid
from ckanext.grandest.common.orm import utcnow as _now


class CommuneRequest(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_commune_request"

    id: Mapped[str] = column(sa.UnicodeText, primary_key=True, default=_uuid)
    insee_code: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    commune_name: Mapped[str] = column(sa.UnicodeText, nullable=False)
    departement: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    epci: Mapped[str | None] = column(sa.UnicodeText, index=True)
    siren: Mapped[str | None] = column(sa.UnicodeText)
    population_totale: Mapped[int | None] = column(sa.Integer)

    requester_name: Mapped[str] = column(sa.UnicodeText, nullable=False)
    requester_role: Mapped[str] = column(sa.UnicodeText, nullable=False)
    requester_email: Mapped[str] = column(sa.UnicodeText, nullable=False)
    requester_phone: Mapped[str] = column(sa.UnicodeText, nullable=False)
    message: Mapped[str] = column(sa.UnicodeText, nullable=False, default="")

    state: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    tier: Mapped[str | None] = column(sa.UnicodeText, index=True)

    townhall_email: Mapped[str | None] = column(sa.UnicodeText)
    manual_review: Mapped[bool] = column(sa.Boolean, nullable=False, default=False)
    manual_reason: Mapped[str | None] = column(sa.UnicodeText)
    confirm_token_hash: Mapped[str | None] = column(sa.UnicodeText)
    confirm_expires: Mapped[datetime.datetime | None] = column(sa.DateTime)
    confirmed_at: Mapped[datetime.datetime | None] = column(sa.DateTime)
    # the requester's personal link: a random token, stored hashed, renewed with each email and on each use
    requester_token_hash: Mapped[str | None] = column(sa.UnicodeText)
    requester_token_expires: Mapped[datetime.datetime | None] = column(sa.DateTime)
    # the account that opened the requester's link while logged in (proved control of requester_email):
    # the only account approval makes admin of the organization; without it the requester is invited
    requester_user_id: Mapped[str | None] = column(sa.UnicodeText)

    info_message: Mapped[str | None] = column(sa.UnicodeText)
    info_requested_at: Mapped[datetime.datetime | None] = column(sa.DateTime)
    info_response: Mapped[str | None] = column(sa.UnicodeText)

    decision_reason: Mapped[str | None] = column(sa.UnicodeText)
    verification_note: Mapped[str | None] = column(sa.UnicodeText)
    reviewer: Mapped[str | None] = column(sa.UnicodeText)
    organization_id: Mapped[str | None] = column(sa.UnicodeText, index=True)
    user_id: Mapped[str | None] = column(sa.UnicodeText, index=True)

    created: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=_now)
    modified: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=_now, onupdate=_now)


class CommuneRequestEvent(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_commune_request_event"

    id: Mapped[int] = column(sa.BigInteger, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    created: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=_now)
    actor: Mapped[str] = column(sa.UnicodeText, nullable=False, default="")
    actor_kind: Mapped[str] = column(sa.UnicodeText, nullable=False)
    action: Mapped[str] = column(sa.UnicodeText, nullable=False)
    from_state: Mapped[str | None] = column(sa.UnicodeText)
    to_state: Mapped[str | None] = column(sa.UnicodeText)
    reason: Mapped[str | None] = column(sa.UnicodeText)
    details: Mapped[dict[str, Any] | None] = column(JSONB)


class OrgQuota(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_org_quota"

    organization_id: Mapped[str] = column(sa.UnicodeText, primary_key=True)
    tier: Mapped[str | None] = column(sa.UnicodeText)
    max_storage_bytes: Mapped[int | None] = column(sa.BigInteger)
    max_datasets: Mapped[int | None] = column(sa.Integer)
    max_file_bytes: Mapped[int | None] = column(sa.BigInteger)
    bytes_used: Mapped[int] = column(sa.BigInteger, nullable=False, default=0)
    datasets_used: Mapped[int] = column(sa.Integer, nullable=False, default=0)
    warned_storage: Mapped[bool] = column(sa.Boolean, nullable=False, default=False)
    warned_datasets: Mapped[bool] = column(sa.Boolean, nullable=False, default=False)
    modified: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=_now, onupdate=_now)


class DatasetUsage(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_dataset_usage"

    package_id: Mapped[str] = column(sa.UnicodeText, primary_key=True)
    organization_id: Mapped[str | None] = column(sa.UnicodeText, index=True)  # None: counted nowhere
    bytes: Mapped[int] = column(sa.BigInteger, nullable=False, default=0)


class StoredFile(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_stored_file"

    resource_id: Mapped[str] = column(sa.UnicodeText, primary_key=True)
    package_id: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    bytes: Mapped[int] = column(sa.BigInteger, nullable=False)
    modified: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=_now, onupdate=_now)
