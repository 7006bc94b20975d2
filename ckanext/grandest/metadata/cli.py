"""``ckan grandest metadata ...`` commands (the root ``grandest`` group is shared: common/cli.py)."""
from __future__ import annotations

import click

from ckanext.grandest.common import csvsafe
from ckanext.grandest.common.cli import grandest, subgroup

__all__ = ["grandest"]


@subgroup("metadata", short_help="Grand Est metadata schemas.")
def metadata() -> None:
    """Grand Est metadata schemas (plugin grandest_metadata)."""


@metadata.command("audit")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write every problem found to this CSV file (one line per problem).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.pass_context
def audit_command(ctx: click.Context, csv_path: str | None, quiet: bool) -> None:
    """List the datasets the Grand Est schema would reject, with the reasons.

    Every dataset is checked as if it were edited and saved without change; nothing is modified.
    """
    flask_app = ctx.meta.get("flask_app")
    if flask_app is None:  # called outside `ckan` (tests): the caller provides the app context
        return _audit(csv_path, quiet)
    # a request context, so that messages are in the portal's language (ckan.locale_default)
    with flask_app.test_request_context():
        return _audit(csv_path, quiet)


def _audit(csv_path: str | None, quiet: bool) -> None:
    import ckan.plugins.toolkit as tk
    from ckan.types import Context
    from ckanext.grandest.metadata import audit

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: Context = {"user": site_user["name"], "ignore_auth": True}
    ids = audit.dataset_ids()
    rejected: list[tuple[str, list[audit.Problem]]] = []
    with click.progressbar(audit.audit(ids, context), length=len(ids), label=tk._("Checking datasets"),
                           file=click.get_text_stream("stderr"), show_pos=True) as bar:
        for _pkg_id, problems in bar:
            if problems:
                rejected.append((_pkg_id, problems))

    if not quiet:
        for _pkg_id, problems in rejected:
            first = problems[0]
            click.echo(f"{first.dataset} ({first.organization or '-'}) — {first.title}")
            for pb in problems:
                click.echo(f"    {pb.label}: {pb.message}")
    if csv_path:
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            writer = csvsafe.writer(f)
            writer.writerow(["dataset", "title", "organization", "field", "label", "message"])
            for _pkg_id, problems in rejected:
                for pb in problems:
                    writer.writerow([pb.dataset, pb.title, pb.organization, pb.field, pb.label, pb.message])
    click.echo(tk._("{checked} dataset(s) checked, {rejected} would be rejected by the Grand Est schema.")
               .format(checked=len(ids), rejected=len(rejected)))
    if csv_path:
        click.echo(tk._("Details written to {path}").format(path=csv_path))
