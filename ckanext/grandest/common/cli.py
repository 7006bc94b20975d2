"""The ``ckan grandest`` command group shared by the plugins of the suite.

Each plugin adds its own subgroup and returns the root group from its IClick implementation (a blanket
``cli.py`` with ``__all__ = ["grandest"]``):

    # ckanext/grandest/<area>/cli.py
    from ckanext.grandest.common.cli import grandest, subgroup

    @subgroup("metadata", help="...")
    def metadata(): ...

    __all__ = ["grandest"]

Several plugins returning the same group is fine: CKAN registers it once, with every subgroup attached.
"""
from __future__ import annotations

from typing import Any, Callable

import click


@click.group(name="grandest", short_help="DataGrandEst: commands of the Grand Est plugins.")
def grandest() -> None:
    """DataGrandEst: commands of the Grand Est plugins (one subgroup per plugin)."""


def subgroup(name: str, **attrs: Any) -> Callable[[Callable], click.Group]:
    """Decorator: a click group attached under ``ckan grandest <name>`` (once, even if imported twice)."""

    def decorator(fn: Callable) -> click.Group:
        existing = grandest.commands.get(name)
        if isinstance(existing, click.Group):
            return existing
        group = click.group(name=name, **attrs)(fn)
        grandest.add_command(group)
        return group

    return decorator
