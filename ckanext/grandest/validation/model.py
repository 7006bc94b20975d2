"""Tables of grandest_validation (created by the plugin's Alembic migrations, never at start-up).

No foreign key into core tables (CKAN's best practices): package and resource ids are plain text columns;
queries join core tables when they need the organization, the state or the privacy of a dataset.

* ``grandest_validation_run``: one row per validation of a resource (one attempt of a job): its status
  (``pending``, ``running``, ``success``, ``failure``, ``error``), what triggered it, and the report the engine
  returned (a capped error sample plus counts by type). Old runs are removed by ``ckan grandest validation
  purge``; the latest report of each resource is always kept.
* ``grandest_validation_event``: every status transition of a run (who moved it, when, why).
* ``grandest_resource_quality``: the current state of each resource: the latest run and the latest report,
  a small digest of that report (what the scores need), the availability of the file and the data score.
* ``grandest_dataset_quality``: the current scores of each dataset: the MQA-aligned metadata score /405 and
  the dataset data score /100 (mean of its data files capped by the worst one's band).

Resources and datasets themselves are never modified by this plugin: scores reach the search index through
``before_dataset_index``.
"""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk

PENDING, RUNNING, SUCCESS, FAILURE, ERROR = "pending", "running", "success", "failure", "error"
STATUSES = (PENDING, RUNNING, SUCCESS, FAILURE, ERROR)
ACTIVE_STATUSES = (PENDING, RUNNING)


def now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _uuid() -> str:
    return str(uuid.uuid4())


class ValidationRun(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_validation_run"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    resource_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    status = sa.Column(sa.UnicodeText, nullable=False, index=True, default=PENDING)
    trigger = sa.Column(sa.UnicodeText, nullable=False, default="manual")
    fingerprint = sa.Column(sa.UnicodeText)
    attempt = sa.Column(sa.Integer, nullable=False, default=1)
    job_id = sa.Column(sa.UnicodeText)
    requested_by = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=now)
    started = sa.Column(sa.DateTime)
    finished = sa.Column(sa.DateTime)
    #: refreshed every ``heartbeat_interval`` seconds by the job process while the run is ``running``
    heartbeat = sa.Column(sa.DateTime)
    report = sa.Column(JSONB)
    error = sa.Column(sa.UnicodeText)
    engine_version = sa.Column(sa.UnicodeText)


class ValidationEvent(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_validation_event"

    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    run_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    resource_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    created = sa.Column(sa.DateTime, nullable=False, default=now)
    from_status = sa.Column(sa.UnicodeText)
    to_status = sa.Column(sa.UnicodeText, nullable=False)
    actor = sa.Column(sa.UnicodeText)
    message = sa.Column(sa.UnicodeText)


class ResourceQuality(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_resource_quality"

    resource_id = sa.Column(sa.UnicodeText, primary_key=True)
    package_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    status = sa.Column(sa.UnicodeText, index=True)
    run_id = sa.Column(sa.UnicodeText)
    report_run_id = sa.Column(sa.UnicodeText)
    fingerprint = sa.Column(sa.UnicodeText)
    digest = sa.Column(JSONB)
    available = sa.Column(sa.Boolean)
    validated_at = sa.Column(sa.DateTime)
    data_score = sa.Column(JSONB)
    data_total = sa.Column(sa.Integer, index=True)
    data_band = sa.Column(sa.UnicodeText, index=True)
    scored_at = sa.Column(sa.DateTime, index=True)
    modified = sa.Column(sa.DateTime, nullable=False, default=now, onupdate=now)


class DatasetQuality(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_dataset_quality"

    package_id = sa.Column(sa.UnicodeText, primary_key=True)
    metadata_score = sa.Column(JSONB)
    metadata_total = sa.Column(sa.Integer, index=True)
    metadata_band = sa.Column(sa.UnicodeText, index=True)
    data_score = sa.Column(JSONB)
    data_total = sa.Column(sa.Integer, index=True)
    data_band = sa.Column(sa.UnicodeText, index=True)
    has_broken = sa.Column(sa.Boolean, nullable=False, default=False)
    scored_at = sa.Column(sa.DateTime, index=True)


def as_dict(row: Any, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        if column.name in exclude:
            continue
        value = getattr(row, column.name)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        out[column.name] = value
    return out


class RegistrySchema(tk.BaseModel):  # type: ignore[misc,valid-type]
    """A schema of the portal's registry (``registry.py``): shipped, synced from schema.data.gouv.fr or added
    by a regional admin. Its Table Schema files are the :class:`RegistryVersion` rows."""

    __tablename__ = "grandest_schema_registry"

    id = sa.Column(sa.UnicodeText, primary_key=True)  #: "scdl/deliberations", "etalab/schema-irve-statique"
    title = sa.Column(sa.UnicodeText, nullable=False)  #: French title (the catalogue's or the file's)
    publisher = sa.Column(sa.UnicodeText, nullable=False)
    description = sa.Column(sa.UnicodeText)
    homepage = sa.Column(sa.UnicodeText)
    labels = sa.Column(JSONB)
    source = sa.Column(sa.UnicodeText, nullable=False)  #: shipped, catalogue, url, upload
    source_url = sa.Column(sa.UnicodeText)  #: URL of the latest schema file (catalogue or admin's URL)
    #: [[version, url], ...] the catalogue lists (oldest first), whether or not their file is stored
    catalogue_versions = sa.Column(JSONB)
    latest_version = sa.Column(sa.UnicodeText)  #: newest stored version
    synced_at = sa.Column(sa.DateTime)
    last_error = sa.Column(sa.UnicodeText)
    last_error_at = sa.Column(sa.DateTime)
    created_by = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=now)
    modified = sa.Column(sa.DateTime, nullable=False, default=now, onupdate=now)


class RegistryVersion(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_schema_version"

    schema_id = sa.Column(sa.UnicodeText, primary_key=True)
    version = sa.Column(sa.UnicodeText, primary_key=True)
    descriptor = sa.Column(JSONB, nullable=False)
    url = sa.Column(sa.UnicodeText)
    sha256 = sa.Column(sa.UnicodeText)
    fetched_at = sa.Column(sa.DateTime, nullable=False, default=now)
