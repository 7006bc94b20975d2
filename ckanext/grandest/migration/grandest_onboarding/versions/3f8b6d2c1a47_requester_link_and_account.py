"""Requester links: a random token stored hashed, with an expiry (instead of an HMAC of the request id), and the
account that proved control of the requester's address (the one approval makes admin).

Revision ID: 3f8b6d2c1a47
Revises: 9c1d2e7a4b01
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "3f8b6d2c1a47"
down_revision = "9c1d2e7a4b01"
branch_labels = None
depends_on = None

TABLE = "grandest_commune_request"
COLUMNS = (
    ("requester_token_hash", sa.UnicodeText),
    ("requester_token_expires", sa.DateTime),
    ("requester_user_id", sa.UnicodeText),
)


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}


def upgrade():
    have = _columns()
    for name, type_ in COLUMNS:
        if name not in have:
            op.add_column(TABLE, sa.Column(name, type_))


def downgrade():
    have = _columns()
    for name, _type in COLUMNS:
        if name in have:
            op.drop_column(TABLE, name)
