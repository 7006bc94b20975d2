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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk

from ckanext.grandest.common.orm import Mapped, column
from ckanext.grandest.common.orm import new_id as _uuid
from ckanext.grandest.common.orm import utcnow as now

PENDING, RUNNING, SUCCESS, FAILURE, ERROR = "pending", "running", "success", "failure", "error"
STATUSES = (PENDING, RUNNING, SUCCESS, FAILURE, ERROR)
ACTIVE_STATUSES = (PENDING, RUNNING)


class ValidationRun(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_validation_run"

    id: Mapped[str] = column(sa.UnicodeText, primary_key=True, default=_uuid)
    resource_id: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    package_id: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    status: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True, default=PENDING)
    trigger: Mapped[str] = column(sa.UnicodeText, nullable=False, default="manual")
    fingerprint: Mapped[str | None] = column(sa.UnicodeText)
    attempt: Mapped[int] = column(sa.Integer, nullable=False, default=1)
    job_id: Mapped[str | None] = column(sa.UnicodeText)
    requested_by: Mapped[str | None] = column(sa.UnicodeText)
    created: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=now)
    started: Mapped[datetime.datetime | None] = column(sa.DateTime)
    finished: Mapped[datetime.datetime | None] = column(sa.DateTime)
    #: refreshed every ``heartbeat_interval`` seconds by the job process while the run is ``running``
    heartbeat: Mapped[datetime.datetime | None] = column(sa.DateTime)
    report: Mapped[dict[str, Any] | None] = column(JSONB)
    error: Mapped[str | None] = column(sa.UnicodeText)
    engine_version: Mapped[str | None] = column(sa.UnicodeText)


class ValidationEvent(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_validation_event"

    id: Mapped[int] = column(sa.BigInteger, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    resource_id: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    created: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=now)
    from_status: Mapped[str | None] = column(sa.UnicodeText)
    to_status: Mapped[str] = column(sa.UnicodeText, nullable=False)
    actor: Mapped[str | None] = column(sa.UnicodeText)
    message: Mapped[str | None] = column(sa.UnicodeText)


class ResourceQuality(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_resource_quality"

    resource_id: Mapped[str] = column(sa.UnicodeText, primary_key=True)
    package_id: Mapped[str] = column(sa.UnicodeText, nullable=False, index=True)
    status: Mapped[str | None] = column(sa.UnicodeText, index=True)
    run_id: Mapped[str | None] = column(sa.UnicodeText)
    report_run_id: Mapped[str | None] = column(sa.UnicodeText)
    fingerprint: Mapped[str | None] = column(sa.UnicodeText)
    digest: Mapped[dict[str, Any] | None] = column(JSONB)
    available: Mapped[bool | None] = column(sa.Boolean)
    validated_at: Mapped[datetime.datetime | None] = column(sa.DateTime)
    data_score: Mapped[dict[str, Any] | None] = column(JSONB)
    data_total: Mapped[int | None] = column(sa.Integer, index=True)
    data_band: Mapped[str | None] = column(sa.UnicodeText, index=True)
    scored_at: Mapped[datetime.datetime | None] = column(sa.DateTime, index=True)
    modified: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=now, onupdate=now)


class DatasetQuality(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_dataset_quality"

    package_id: Mapped[str] = column(sa.UnicodeText, primary_key=True)
    metadata_score: Mapped[dict[str, Any] | None] = column(JSONB)
    metadata_total: Mapped[int | None] = column(sa.Integer, index=True)
    metadata_band: Mapped[str | None] = column(sa.UnicodeText, index=True)
    data_score: Mapped[dict[str, Any] | None] = column(JSONB)
    data_total: Mapped[int | None] = column(sa.Integer, index=True)
    data_band: Mapped[str | None] = column(sa.UnicodeText, index=True)
    has_broken: Mapped[bool] = column(sa.Boolean, nullable=False, default=False)
    scored_at: Mapped[datetime.datetime | None] = column(sa.DateTime, index=True)


class RegistrySchema(tk.BaseModel):  # type: ignore[misc,valid-type]
    """A schema of the portal's registry (``registry.py``): shipped, synced from schema.data.gouv.fr or added
    by a regional admin. Its Table Schema files are the :class:`RegistryVersion` rows."""

    __tablename__ = "grandest_schema_registry"

    id: Mapped[str] = column(sa.UnicodeText, primary_key=True)  #: "scdl/deliberations", "etalab/schema-irve-statique"
    title: Mapped[str] = column(sa.UnicodeText, nullable=False)  #: French title (the catalogue's or the file's)
    publisher: Mapped[str] = column(sa.UnicodeText, nullable=False)
    description: Mapped[str | None] = column(sa.UnicodeText)
    homepage: Mapped[str | None] = column(sa.UnicodeText)
    labels: Mapped[list[Any] | None] = column(JSONB)
    source: Mapped[str] = column(sa.UnicodeText, nullable=False)  #: shipped, catalogue, url, upload
    source_url: Mapped[str | None] = column(sa.UnicodeText)  #: URL of the latest schema file (catalogue or admin's URL)
    #: [[version, url], ...] the catalogue lists (oldest first), whether or not their file is stored
    catalogue_versions: Mapped[list[Any] | None] = column(JSONB)
    latest_version: Mapped[str | None] = column(sa.UnicodeText)  #: newest stored version
    synced_at: Mapped[datetime.datetime | None] = column(sa.DateTime)
    last_error: Mapped[str | None] = column(sa.UnicodeText)
    last_error_at: Mapped[datetime.datetime | None] = column(sa.DateTime)
    created_by: Mapped[str | None] = column(sa.UnicodeText)
    created: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=now)
    modified: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=now, onupdate=now)


class RegistryVersion(tk.BaseModel):  # type: ignore[misc,valid-type]
    __tablename__ = "grandest_schema_version"

    schema_id: Mapped[str] = column(sa.UnicodeText, primary_key=True)
    version: Mapped[str] = column(sa.UnicodeText, primary_key=True)
    descriptor: Mapped[dict[str, Any]] = column(JSONB, nullable=False)
    url: Mapped[str | None] = column(sa.UnicodeText)
    sha256: Mapped[str | None] = column(sa.UnicodeText)
    fetched_at: Mapped[datetime.datetime] = column(sa.DateTime, nullable=False, default=now)
