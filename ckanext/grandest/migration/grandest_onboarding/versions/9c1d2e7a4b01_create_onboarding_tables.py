"""Create the tables of grandest_onboarding: commune requests, their audit trail, hosting quotas and usage.

Revision ID: 9c1d2e7a4b01
Revises:
Create Date: 2026-11-25 18:00:00

No foreign key into core tables (organization, package, resource and user ids are plain text).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "9c1d2e7a4b01"
down_revision = None
branch_labels = None
depends_on = None

OPEN_STATES = "('submitted', 'awaiting_confirmation', 'pending_review', 'info_requested')"


def _has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade():
    if not _has_table("grandest_commune_request"):
        op.create_table(
            "grandest_commune_request",
            sa.Column("id", sa.UnicodeText, primary_key=True),
            sa.Column("insee_code", sa.UnicodeText, nullable=False, index=True),
            sa.Column("commune_name", sa.UnicodeText, nullable=False),
            sa.Column("departement", sa.UnicodeText, nullable=False, index=True),
            sa.Column("epci", sa.UnicodeText, index=True),
            sa.Column("siren", sa.UnicodeText),
            sa.Column("population_totale", sa.Integer),
            sa.Column("requester_name", sa.UnicodeText, nullable=False),
            sa.Column("requester_role", sa.UnicodeText, nullable=False),
            sa.Column("requester_email", sa.UnicodeText, nullable=False),
            sa.Column("requester_phone", sa.UnicodeText, nullable=False),
            sa.Column("message", sa.UnicodeText, nullable=False, server_default=""),
            sa.Column("state", sa.UnicodeText, nullable=False, index=True),
            sa.Column("tier", sa.UnicodeText, index=True),
            sa.Column("townhall_email", sa.UnicodeText),
            sa.Column("manual_review", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("manual_reason", sa.UnicodeText),
            sa.Column("confirm_token_hash", sa.UnicodeText),
            sa.Column("confirm_expires", sa.DateTime),
            sa.Column("confirmed_at", sa.DateTime),
            sa.Column("info_message", sa.UnicodeText),
            sa.Column("info_requested_at", sa.DateTime),
            sa.Column("info_response", sa.UnicodeText),
            sa.Column("decision_reason", sa.UnicodeText),
            sa.Column("verification_note", sa.UnicodeText),
            sa.Column("reviewer", sa.UnicodeText),
            sa.Column("organization_id", sa.UnicodeText, index=True),
            sa.Column("user_id", sa.UnicodeText, index=True),
            sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
            sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
        )
        # one open request per commune, even under concurrent submissions
        op.create_index(
            "grandest_commune_request_one_open_per_commune",
            "grandest_commune_request",
            ["insee_code"],
            unique=True,
            postgresql_where=sa.text(f"state IN {OPEN_STATES}"),
        )

    if not _has_table("grandest_commune_request_event"):
        op.create_table(
            "grandest_commune_request_event",
            sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
            sa.Column("request_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
            sa.Column("actor", sa.UnicodeText, nullable=False, server_default=""),
            sa.Column("actor_kind", sa.UnicodeText, nullable=False),
            sa.Column("action", sa.UnicodeText, nullable=False),
            sa.Column("from_state", sa.UnicodeText),
            sa.Column("to_state", sa.UnicodeText),
            sa.Column("reason", sa.UnicodeText),
            sa.Column("details", JSONB),
        )

    if not _has_table("grandest_org_quota"):
        op.create_table(
            "grandest_org_quota",
            sa.Column("organization_id", sa.UnicodeText, primary_key=True),
            sa.Column("tier", sa.UnicodeText),
            sa.Column("max_storage_bytes", sa.BigInteger),
            sa.Column("max_datasets", sa.Integer),
            sa.Column("max_file_bytes", sa.BigInteger),
            sa.Column("bytes_used", sa.BigInteger, nullable=False, server_default="0"),
            sa.Column("datasets_used", sa.Integer, nullable=False, server_default="0"),
            sa.Column("warned_storage", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("warned_datasets", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
        )

    if not _has_table("grandest_dataset_usage"):
        op.create_table(
            "grandest_dataset_usage",
            sa.Column("package_id", sa.UnicodeText, primary_key=True),
            sa.Column("organization_id", sa.UnicodeText, index=True),
            sa.Column("bytes", sa.BigInteger, nullable=False, server_default="0"),
        )

    if not _has_table("grandest_stored_file"):
        op.create_table(
            "grandest_stored_file",
            sa.Column("resource_id", sa.UnicodeText, primary_key=True),
            sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("bytes", sa.BigInteger, nullable=False),
            sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
        )


def downgrade():
    for name in ("grandest_stored_file", "grandest_dataset_usage", "grandest_org_quota",
                 "grandest_commune_request_event", "grandest_commune_request"):
        if _has_table(name):
            op.drop_table(name)
