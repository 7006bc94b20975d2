"""``ckan grandest onboarding ...``: list requests, expire stale ones, set quotas, reconcile usage."""
from __future__ import annotations

import contextlib
from typing import Any, Iterable, Iterator

import click

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.grandest.common.cli import grandest, subgroup

__all__ = ["grandest"]


@contextlib.contextmanager
def _app_context() -> Iterator[None]:
    """A request context, so that emails render and links are absolute (``ckan.site_url``)."""
    ctx = click.get_current_context()
    app = ctx.meta.get("flask_app")
    if app is None:  # pragma: no cover - always set by the ckan command
        yield
        return
    with app.test_request_context():
        yield


def _site_context() -> Context:
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}


@subgroup("onboarding", short_help="Commune requests and hosting quotas.")
def onboarding() -> None:
    """Commune requests and hosting quotas (grandest_onboarding)."""


@onboarding.command("requests")
@click.option("--state", default="open", show_default=True,
              help="A state (submitted, awaiting_confirmation, pending_review, info_requested, approved, rejected, "
                   "expired, cancelled), 'open' or 'all'.")
@click.option("--departement", default="", help="Département code, e.g. 67.")
@click.option("--limit", default=100, show_default=True, type=int)
def requests_(state: str, departement: str, limit: int) -> None:
    """List commune requests."""
    with _app_context():
        data: dict[str, Any] = {"limit": limit}
        if state != "all":
            data["state"] = state
        if departement:
            data["departement"] = departement
        try:
            result = tk.get_action("grandest_commune_request_list")(_site_context(), data)
        except tk.ValidationError as exc:
            raise click.BadParameter(str(exc.error_dict))
        click.echo(f"{result['count']} request(s)")
        for r in result["results"]:
            confirmed = "confirmed" if r["townhall_confirmed"] else ("manual" if r["manual_review"] else "-")
            click.echo(f"{r['created'][:16]}  {r['state']:<22} {r['insee_code']} {r['commune_name']:<30} "
                       f"{confirmed:<9} {r['tier'] or '-':<9} {r['requester_email']}  {r['id']}")


@onboarding.command("expire")
def expire() -> None:
    """Expire requests whose confirmation link ran out, or whose question stayed unanswered."""
    with _app_context():
        result = tk.get_action("grandest_commune_request_expire")(_site_context(), {})
    click.echo(f"{len(result['expired'])} request(s) expired")
    for request_id in result["expired"]:
        click.echo(f"  {request_id}")


@onboarding.command("quota")
@click.argument("organization")
@click.option("--tier", default=None, help="Tier name; '' for the default tier.")
@click.option("--max-storage-mb", default=None, help="Override in MiB; 0 = no limit; '' = the tier's.")
@click.option("--max-datasets", default=None, help="Override; 0 = no limit; '' = the tier's.")
@click.option("--max-file-mb", default=None, help="Override in MiB; 0 = no limit; '' = the tier's.")
def quota_(organization: str, tier: str | None, max_storage_mb: str | None, max_datasets: str | None,
           max_file_mb: str | None) -> None:
    """Show, or set, an organization's tier and limits."""
    from .limits import human_size

    changes = {k: v for k, v in (("tier", tier), ("max_storage_mb", max_storage_mb),
                                 ("max_datasets", max_datasets), ("max_file_mb", max_file_mb)) if v is not None}
    with _app_context():
        action = "grandest_quota_update" if changes else "grandest_quota_show"
        try:
            q = tk.get_action(action)(_site_context(), dict(changes, id=organization))
        except tk.ObjectNotFound:
            raise click.ClickException(f"organization {organization!r} not found")
        except tk.ValidationError as exc:
            raise click.ClickException(str(exc.error_dict))
        lim, use = q["limits"], q["usage"]
        click.echo(f"{q['organization_name']}: tier {q['tier'] or '-'}")
        click.echo(f"  storage  {human_size(use['bytes_used'])} / "
                   f"{human_size(lim['max_storage_bytes']) if lim['max_storage_bytes'] else 'no limit'}")
        click.echo(f"  datasets {use['datasets_used']} / {lim['max_datasets'] or 'no limit'}")
        click.echo(f"  one file {human_size(lim['max_file_bytes']) if lim['max_file_bytes'] else 'no limit'}")


@onboarding.command("reconcile")
@click.option("--dry-run", is_flag=True, help="Report the drift only; change nothing.")
def reconcile(dry_run: bool) -> None:
    """Recompute every organization's usage from the files in storage and report drift."""
    from . import quota

    with _app_context():
        with click.progressbar(length=1, label="Organizations") as bar:
            def progress(items: Iterable[Any]) -> Iterator[Any]:
                items = list(items)
                bar.length = len(items) or 1
                for item in items:
                    yield item
                    bar.update(1)

            drifts = quota.reconcile(fix=not dry_run, progress=progress)
    drifted = [d for d in drifts if d.has_drift]
    click.echo(f"{len(drifts)} organization(s) checked, {len(drifted)} with drift"
               + (" (not fixed: --dry-run)" if dry_run and drifted else (" (fixed)" if drifted else "")))
    for d in drifted:
        click.echo(f"  {d.name}: bytes {d.bytes_recorded} -> {d.bytes_real} "
                   f"({d.bytes_real - d.bytes_recorded:+d}), datasets {d.datasets_recorded} -> {d.datasets_real} "
                   f"({d.datasets_real - d.datasets_recorded:+d})")


@onboarding.command("sweep")
@click.option("--min-age-hours", default=1.0, show_default=True, type=float,
              help="Only objects older than this (an upload under way is never swept).")
@click.option("--dry-run", is_flag=True, help="List them only; delete nothing.")
def sweep(min_age_hours: float, dry_run: bool) -> None:
    """Delete the objects of the S3 resource storage that no resource holds (uploads streamed for a resource that
    was never created, files set aside by a request that died): a safety net for killed processes."""
    from .streaming import sweep as sweep_

    with _app_context():
        stale = sweep_(min_age_hours, delete=not dry_run)
    click.echo(f"{len(stale)} stale object(s)" + (" (not deleted: --dry-run)" if dry_run and stale else
                                                   (" deleted" if stale else "")))
    for key in stale:
        click.echo(f"  {key}")
