"""``ckan grandest dcat ...``: whole-catalog DCAT-AP export.

    ckan -c portal.ini grandest dcat export catalogue.ttl [--format ttl|nt|jsonld|rdf]
        [--organization NAME] [--modified-since 2026-01-01]

The file is written page by page (memory stays that of one page) to a temporary file next to FILE, renamed
to FILE at the end: a failed export never leaves half a catalog behind. ``-`` writes to the standard output.
"""
from __future__ import annotations

import os
import sys
import tempfile

import click

from ckanext.grandest.common.cli import grandest

__all__ = ["grandest"]


@grandest.group(name="dcat", short_help="DCAT-AP 3 catalog (data.gouv.fr export).")
def dcat() -> None:
    """DCAT-AP 3 catalog of the portal (the feed data.gouv.fr harvests)."""


@dcat.command("export", short_help="Write the whole catalog to a file.")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "rdf"]), default="ttl",
              show_default=True, help="Turtle, N-Triples, JSON-LD or RDF/XML.")
@click.option("--organization", default=None, help="Only the datasets of this organization (name or id).")
@click.option("--modified-since", default=None, help="Only the datasets modified since this date (YYYY-MM-DD).")
@click.option("--page-size", type=int, default=None,
              help="Datasets read per search (default: ckanext.grandest.dcat.export_page_size).")
def export(file: str, fmt: str, organization: str | None, modified_since: str | None,
           page_size: int | None) -> None:
    """Write the public datasets of the catalog to FILE, in DCAT-AP 3 (the same description as the feeds)."""
    import ckan.plugins.toolkit as tk

    from . import catalog, pages

    args = {"organization": organization, "modified_since": modified_since}
    try:
        req = pages.parse_request(fmt if fmt in pages.FORMATS else "ttl", args)
        req.fmt = fmt
        total = pages.fetch_page(req, 1).total
    except pages.FeedError as e:
        raise click.ClickException(str(e))

    if file == "-":
        count = catalog.export(sys.stdout.buffer, fmt, req, page_size)
        sys.stdout.buffer.flush()
        click.echo(tk._("{count} datasets exported.").format(count=count), err=True)
        return

    target = os.path.abspath(file)
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise click.ClickException(tk._("The folder {folder} does not exist.").format(folder=folder))
    fd, tmp = tempfile.mkstemp(prefix=".grandest-dcat-", suffix="." + fmt, dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, click.progressbar(
            length=total, label=tk._("Exporting {total} datasets").format(total=total), file=sys.stderr
        ) as bar:
            count = catalog.export(out, fmt, req, page_size, progress=bar.update)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's file is private; the export is a public catalog
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    click.secho(tk._("{count} datasets exported to {file}.").format(count=count, file=target), fg="green",
                err=True)
