"""``ckan grandest validation ...``: re-score, purge old reports, recover interrupted validations, run one.

* ``rescore``: re-compute every dataset's scores from the stored reports (no download) and re-index it; with
  ``--revalidate``, queue a new validation of each resource instead (links are downloaded again). Resumable:
  ``--since`` skips what was scored since a date, ``--cursor FILE`` remembers the last dataset done.
* ``purge --older-than 90d``: remove old reports (the latest report of each resource is kept) and the rows
  of resources that no longer exist.
* ``recover``: mark validations interrupted by a killed worker as errors, and queue them again.
* ``run RESOURCE_ID [--now]``: validate one resource (queued, or at once in this process).
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path
import click
import sqlalchemy as sa

from ckanext.grandest.common.cli import grandest, subgroup

__all__ = ["grandest"]

_AGE = re.compile(r"^\s*(\d+)\s*([dhm]?)\s*$")


def parse_age(text: str) -> datetime.timedelta:
    """``90d``, ``12h``, ``30m`` or a number of days."""
    match = _AGE.match(text or "")
    if not match:
        raise click.BadParameter(f"{text!r}: expected a duration such as 90d, 12h or 30m")
    number, unit = int(match.group(1)), match.group(2) or "d"
    return {"d": datetime.timedelta(days=number), "h": datetime.timedelta(hours=number),
            "m": datetime.timedelta(minutes=number)}[unit]


def parse_since(text: str | None) -> datetime.datetime | None:
    """An ISO date/time (UTC), or a duration back from now (``2d``)."""
    if not text:
        return None
    if _AGE.match(text) and not re.match(r"^\d{4}-", text):
        return datetime.datetime.utcnow() - parse_age(text)
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected an ISO date (2026-01-31T12:00) or a duration (2d)")
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _site_user() -> str:
    import ckan.plugins.toolkit as tk

    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


@subgroup("validation", short_help="Resource validation and quality scores.")
def validation() -> None:
    """Resource validation and quality scores (grandest_validation)."""


@validation.command("rescore")
@click.option("--since", default=None,
              help="Skip datasets scored (or resources validated, with --revalidate) since this UTC date "
                   "(2026-01-31T12:00) or duration (2d).")
@click.option("--cursor", "cursor_file", type=click.Path(dir_okay=False), default=None,
              help="File keeping the id of the last dataset done: a new run resumes after it. Removed at the end.")
@click.option("--revalidate", is_flag=True, help="Queue a new validation of every resource (downloads links again).")
@click.option("--organization", default=None, help="Only the datasets of this organization (id or name).")
@click.option("--limit", type=int, default=None, help="Stop after this many datasets.")
def rescore(since: str | None, cursor_file: str | None, revalidate: bool, organization: str | None,
            limit: int | None) -> None:
    """Re-compute the scores of every dataset (and re-index it), or queue new validations."""
    from ckan import model

    from . import jobs, scheduler
    from .model import DatasetQuality, ResourceQuality

    since_dt = parse_since(since)
    cursor = Path(cursor_file) if cursor_file else None
    after = cursor.read_text(encoding="utf-8").strip() if cursor and cursor.exists() else ""
    query = model.Session.query(model.Package.id).filter(model.Package.state == "active",
                                                         model.Package.type == "dataset")
    if organization:
        org = model.Group.get(organization)
        if org is None:
            raise click.ClickException(f"organization {organization!r} not found")
        query = query.filter(model.Package.owner_org == org.id)
    if after:
        query = query.filter(model.Package.id > after)
    if since_dt is not None and not revalidate:
        done = model.Session.query(DatasetQuality.package_id).filter(DatasetQuality.scored_at >= since_dt)
        query = query.filter(~model.Package.id.in_(done))
    ids = [row[0] for row in query.order_by(model.Package.id).all()]
    if limit is not None:
        ids = ids[:limit]
    if after:
        click.echo(f"resuming after dataset {after}")
    actor = _site_user()
    counts = {"datasets": 0, "queued": 0, "skipped": 0, "failed": 0}
    with click.progressbar(ids, label="Datasets", show_pos=True) as bar:
        for package_id in bar:
            try:
                if revalidate:
                    pkg = model.Session.get(model.Package, package_id)
                    for res in pkg.resources if pkg is not None else []:
                        row = model.Session.get(ResourceQuality, res.id)
                        if since_dt is not None and row is not None and row.validated_at and row.validated_at >= since_dt:
                            counts["skipped"] += 1
                            continue
                        if not res.url:
                            continue
                        scheduler.request_run(res.id, actor=actor, trigger="rescore")
                        counts["queued"] += 1
                    model.Session.commit()
                else:
                    jobs.score_dataset(package_id)
                counts["datasets"] += 1
            except Exception as exc:  # one broken dataset must not stop the rest
                model.Session.rollback()
                counts["failed"] += 1
                click.echo(f"\n{package_id}: {exc}", err=True)
            if cursor is not None:
                cursor.write_text(package_id, encoding="utf-8")
    if cursor is not None and cursor.exists():
        cursor.unlink()
    click.echo(f"{counts['datasets']} dataset(s) done"
               + (f", {counts['queued']} validation(s) queued, {counts['skipped']} resource(s) skipped"
                  if revalidate else "")
               + (f", {counts['failed']} failed" if counts["failed"] else ""))


@validation.command("purge")
@click.option("--older-than", "older_than", default=None,
              help="Age of the reports to remove, e.g. 90d (default: ckanext.grandest.validation.keep_days).")
@click.option("--dry-run", is_flag=True, help="Count only; remove nothing.")
def purge(older_than: str | None, dry_run: bool) -> None:
    """Remove old validation reports (never the latest report of a resource) and orphan rows."""
    from ckan import model

    from . import config as cfg
    from .model import (ACTIVE_STATUSES, DatasetQuality, ResourceQuality, ValidationEvent, ValidationRun)

    age = parse_age(older_than) if older_than else datetime.timedelta(days=cfg.keep_days())
    cutoff = datetime.datetime.utcnow() - age
    kept = sa.union(sa.select(ResourceQuality.run_id).where(ResourceQuality.run_id.isnot(None)),
                    sa.select(ResourceQuality.report_run_id).where(ResourceQuality.report_run_id.isnot(None)))
    old_runs = model.Session.query(ValidationRun.id).filter(
        ValidationRun.created < cutoff, ValidationRun.status.notin_(ACTIVE_STATUSES), ~ValidationRun.id.in_(kept))
    live_resources = sa.select(model.Resource.id).where(model.Resource.state == "active")
    orphan_resources = model.Session.query(ResourceQuality.resource_id).filter(
        ~ResourceQuality.resource_id.in_(live_resources), ResourceQuality.modified < cutoff)
    live_packages = sa.select(model.Package.id).where(model.Package.state == "active")
    orphan_datasets = model.Session.query(DatasetQuality.package_id).filter(
        ~DatasetQuality.package_id.in_(live_packages))
    run_ids = [r[0] for r in old_runs.all()]
    orphan_ids = [r[0] for r in orphan_resources.all()]
    orphan_pkg_ids = [r[0] for r in orphan_datasets.all()]
    orphan_run_ids = [r[0] for r in model.Session.query(ValidationRun.id).filter(
        ValidationRun.resource_id.in_(orphan_ids))] if orphan_ids else []
    all_runs = sorted(set(run_ids) | set(orphan_run_ids))
    click.echo(f"{len(all_runs)} report(s) older than {age.days} day(s) or of deleted resources, "
               f"{len(orphan_ids)} deleted resource(s), {len(orphan_pkg_ids)} deleted dataset(s)"
               + (" (dry run: nothing removed)" if dry_run else " removed"))
    if dry_run:
        return
    for chunk_start in range(0, len(all_runs), 1000):
        chunk = all_runs[chunk_start:chunk_start + 1000]
        model.Session.query(ValidationEvent).filter(ValidationEvent.run_id.in_(chunk)).delete(synchronize_session=False)
        model.Session.query(ValidationRun).filter(ValidationRun.id.in_(chunk)).delete(synchronize_session=False)
    if orphan_ids:
        model.Session.query(ResourceQuality).filter(ResourceQuality.resource_id.in_(orphan_ids)).delete(
            synchronize_session=False)
    if orphan_pkg_ids:
        model.Session.query(DatasetQuality).filter(DatasetQuality.package_id.in_(orphan_pkg_ids)).delete(
            synchronize_session=False)
    model.Session.commit()


@validation.command("recover")
def recover() -> None:
    """Mark validations interrupted by a killed worker as errors ("interrompue") and queue them again."""
    from . import scheduler

    entries = scheduler.recover_stale(actor="recover")
    requeued = [e for e in entries if e["requeued"]]
    click.echo(f"{len(entries)} interrupted or lost validation(s), {len(requeued)} queued again")
    for e in entries:
        click.echo(f"  resource {e['resource_id']}  run {e['run_id']}  attempt {e['attempt']}  "
                   + (f"-> {e['requeued']}" if e["requeued"] else "not retried (too many attempts)"))


@validation.command("run")
@click.argument("resource_id")
@click.option("--now", "now_", is_flag=True, help="Validate in this process instead of queuing a job.")
def run(resource_id: str, now_: bool) -> None:
    """Validate one resource again."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from . import jobs, scheduler

    try:
        created = scheduler.request_run(resource_id, actor=_site_user(), trigger="cli")
    except tk.ObjectNotFound:
        raise click.ClickException(f"resource {resource_id!r} not found")
    run_id = created.id
    if now_:
        scheduler.discard_queued()
    model.Session.commit()
    if not now_:
        click.echo(f"validation {run_id} queued")
        return
    status = jobs.validate_resource(run_id)
    click.echo(f"validation {run_id}: {status}")


@validation.group("schemas", short_help="The schema registry (schemas resources are checked against).")
def schemas() -> None:
    """The schema registry: shipped schemas, schema.data.gouv.fr's catalogue, regional admins' schemas."""


@schemas.command("seed")
def schemas_seed() -> None:
    """Store the schemas shipped with the portal in the registry (no network; idempotent)."""
    from . import registry

    import ckan.plugins.toolkit as tk

    changed = registry.seed()
    click.echo(tk._("Shipped schemas added or updated in the registry: {count}.").format(count=changed))


@schemas.command("sync")
@click.option("--base-url", default=None,
              help="Base URL of schema.data.gouv.fr or a mirror (default: ckanext.grandest.validation."
                   "schemas_base_url); the catalogue is <base>/schemas.json.")
@click.option("--only", multiple=True, help="Only this schema id (repeatable).")
def schemas_sync(base_url: str | None, only: tuple[str, ...]) -> None:
    """Download the catalogue and every version of its Table Schemas not yet kept (failures per schema; a
    version already kept is never replaced by a failed download). Exit code 1 when everything failed."""
    import ckan.plugins.toolkit as tk

    from . import registry_sync

    report = registry_sync.sync(base_url, only=set(only) or None)
    for outcome in report.outcomes:
        if outcome.failed:
            click.echo(tk._("FAILED {id}: {errors}").format(id=outcome.id, errors="; ".join(outcome.errors)))
        elif outcome.errors:
            click.echo(tk._("PARTIAL {id}: new versions {versions}; {errors}").format(
                id=outcome.id, versions=", ".join(outcome.new_versions) or "-", errors="; ".join(outcome.errors)))
        elif outcome.new_versions:
            click.echo(tk._("OK {id}: new versions {versions}").format(
                id=outcome.id, versions=", ".join(outcome.new_versions)))
    click.echo(report.summary())
    if report.all_failed:
        raise SystemExit(1)
