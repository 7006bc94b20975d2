"""Create the schema registry: the schemas a resource may declare and the Table Schema file of each version.

Revision ID: b4e9a1c7d2f3
Revises: 8c3f1d2a6b70
Create Date: 2026-12-07 01:45:00

``grandest_schema_registry`` (one row per schema: title, publisher, source, last sync and last error) and
``grandest_schema_version`` (one row per stored version with its Table Schema JSON). Filled by
``ckan grandest validation schemas seed`` / ``sync`` and by regional admins (``grandest_schema_registry_add``).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "b4e9a1c7d2f3"
down_revision = "8c3f1d2a6b70"
branch_labels = None
depends_on = None


def _has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade():
    if not _has_table("grandest_schema_registry"):
        op.create_table(
            "grandest_schema_registry",
            sa.Column("id", sa.UnicodeText, primary_key=True),
            sa.Column("title", sa.UnicodeText, nullable=False),
            sa.Column("publisher", sa.UnicodeText, nullable=False),
            sa.Column("description", sa.UnicodeText),
            sa.Column("homepage", sa.UnicodeText),
            sa.Column("labels", JSONB),
            sa.Column("source", sa.UnicodeText, nullable=False),
            sa.Column("source_url", sa.UnicodeText),
            sa.Column("catalogue_versions", JSONB),
            sa.Column("latest_version", sa.UnicodeText),
            sa.Column("synced_at", sa.DateTime),
            sa.Column("last_error", sa.UnicodeText),
            sa.Column("last_error_at", sa.DateTime),
            sa.Column("created_by", sa.UnicodeText),
            sa.Column("created", sa.DateTime, nullable=False),
            sa.Column("modified", sa.DateTime, nullable=False),
        )
    if not _has_table("grandest_schema_version"):
        op.create_table(
            "grandest_schema_version",
            sa.Column("schema_id", sa.UnicodeText, primary_key=True),
            sa.Column("version", sa.UnicodeText, primary_key=True),
            sa.Column("descriptor", JSONB, nullable=False),
            sa.Column("url", sa.UnicodeText),
            sa.Column("sha256", sa.UnicodeText),
            sa.Column("fetched_at", sa.DateTime, nullable=False),
        )


def downgrade():
    for name in ("grandest_schema_version", "grandest_schema_registry"):
        if _has_table(name):
            op.drop_table(name)
