"""Add the heartbeat of a validation run: the time the job process last said it was still checking.

Revision ID: 8c3f1d2a6b70
Revises: 5e2a7c41d9b3
Create Date: 2026-12-06 23:00:00

A ``running`` run whose heartbeat is older than ``heartbeat_dead_after`` is dead (its job process is gone) and
can be checked again at once. Runs of before this column (``heartbeat`` NULL) keep the old rule (job timeout
plus one minute after ``started``).
"""
import sqlalchemy as sa
from alembic import op

revision = "8c3f1d2a6b70"
down_revision = "5e2a7c41d9b3"
branch_labels = None
depends_on = None

TABLE = "grandest_validation_run"


def _has_column(name: str) -> bool:
    inspector = sa.inspect(op.get_bind())
    return inspector.has_table(TABLE) and any(c["name"] == name for c in inspector.get_columns(TABLE))


def upgrade():
    if not _has_column("heartbeat"):
        op.add_column(TABLE, sa.Column("heartbeat", sa.DateTime))


def downgrade():
    if _has_column("heartbeat"):
        op.drop_column(TABLE, "heartbeat")
