"""Create the tables of grandest_validation: validation runs (with their reports), status transitions, and
the current quality of each resource and dataset.

Revision ID: 5e2a7c41d9b3
Revises:
Create Date: 2026-11-26 10:00:00

No foreign key into core tables (package and resource ids are plain text).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "5e2a7c41d9b3"
down_revision = None
branch_labels = None
depends_on = None


def _has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade():
    if not _has_table("grandest_validation_run"):
        op.create_table(
            "grandest_validation_run",
            sa.Column("id", sa.UnicodeText, primary_key=True),
            sa.Column("resource_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("status", sa.UnicodeText, nullable=False, index=True),
            sa.Column("trigger", sa.UnicodeText, nullable=False, server_default="manual"),
            sa.Column("fingerprint", sa.UnicodeText),
            sa.Column("attempt", sa.Integer, nullable=False, server_default="1"),
            sa.Column("job_id", sa.UnicodeText),
            sa.Column("requested_by", sa.UnicodeText),
            sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
            sa.Column("started", sa.DateTime),
            sa.Column("finished", sa.DateTime),
            sa.Column("report", JSONB),
            sa.Column("error", sa.UnicodeText),
            sa.Column("engine_version", sa.UnicodeText),
            sa.CheckConstraint("status IN ('pending', 'running', 'success', 'failure', 'error')",
                               name="grandest_validation_run_status"),
        )
        op.create_index("grandest_validation_run_resource_created", "grandest_validation_run",
                        ["resource_id", "created"])

    if not _has_table("grandest_validation_event"):
        op.create_table(
            "grandest_validation_event",
            sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
            sa.Column("run_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("resource_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
            sa.Column("from_status", sa.UnicodeText),
            sa.Column("to_status", sa.UnicodeText, nullable=False),
            sa.Column("actor", sa.UnicodeText),
            sa.Column("message", sa.UnicodeText),
        )

    if not _has_table("grandest_resource_quality"):
        op.create_table(
            "grandest_resource_quality",
            sa.Column("resource_id", sa.UnicodeText, primary_key=True),
            sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("status", sa.UnicodeText, index=True),
            sa.Column("run_id", sa.UnicodeText),
            sa.Column("report_run_id", sa.UnicodeText),
            sa.Column("fingerprint", sa.UnicodeText),
            sa.Column("digest", JSONB),
            sa.Column("available", sa.Boolean),
            sa.Column("validated_at", sa.DateTime),
            sa.Column("data_score", JSONB),
            sa.Column("data_total", sa.Integer, index=True),
            sa.Column("data_band", sa.UnicodeText, index=True),
            sa.Column("scored_at", sa.DateTime, index=True),
            sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
        )

    if not _has_table("grandest_dataset_quality"):
        op.create_table(
            "grandest_dataset_quality",
            sa.Column("package_id", sa.UnicodeText, primary_key=True),
            sa.Column("metadata_score", JSONB),
            sa.Column("metadata_total", sa.Integer, index=True),
            sa.Column("metadata_band", sa.UnicodeText, index=True),
            sa.Column("data_score", JSONB),
            sa.Column("data_total", sa.Integer, index=True),
            sa.Column("data_band", sa.UnicodeText, index=True),
            sa.Column("has_broken", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("scored_at", sa.DateTime, index=True),
        )


def downgrade():
    for name in ("grandest_dataset_quality", "grandest_resource_quality", "grandest_validation_event",
                 "grandest_validation_run"):
        if _has_table(name):
            op.drop_table(name)
