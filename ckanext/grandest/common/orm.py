"""Typed columns for the plugins' SQLAlchemy models, on SQLAlchemy 2.0 (CKAN 2.12) and 1.4 (CKAN 2.11).

A model declares each column with its Python type, ``name: Mapped[str | None] = column(sa.UnicodeText)``, so
type checkers see ``row.name`` as ``str | None`` (not ``Column[str]``). At run time :func:`column` is
``sqlalchemy.Column``, which both versions map the same way (1.4 has no ``mapped_column``; 2.0 accepts a
``Column`` under a ``Mapped[...]`` annotation); for the type checker it is 2.0's ``mapped_column``, whose result
is assignable to the annotation.
"""
from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

if TYPE_CHECKING:
    from sqlalchemy.orm import mapped_column as column
else:
    column = sa.Column

__all__ = ["Mapped", "as_dict", "column", "new_id", "utcnow"]


def utcnow() -> datetime.datetime:
    """The default of the models' timestamps: naive UTC, as CKAN's own tables store them."""
    return datetime.datetime.utcnow()


def new_id() -> str:
    """The default of the models' text primary keys (a UUID, as CKAN's ``make_uuid``)."""
    return str(uuid.uuid4())


def as_dict(row: Any, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model row as the actions return it: every column but ``exclude``, timestamps in ISO 8601."""
    out: dict[str, Any] = {}
    for col in row.__table__.columns:
        if col.name in exclude:
            continue
        value = getattr(row, col.name)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        out[col.name] = value
    return out
