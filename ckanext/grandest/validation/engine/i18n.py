"""Tiny gettext shim for the validation engine.

Every user-facing string of the engine is wrapped in ``_()`` (and ``ngettext()`` for plurals) so that Babel
extracts it into the ``ckanext-grandest`` catalog. For now the functions return the French source text
unchanged: the engine has no CKAN import. The plugin can later route them to CKAN's translator with
:func:`set_translator`.
"""
from __future__ import annotations

from collections.abc import Callable

_gettext: Callable[[str], str] | None = None
_ngettext: Callable[[str, str, int], str] | None = None


def _(message: str) -> str:
    """Translate ``message`` (identity until :func:`set_translator` is called)."""
    if _gettext is not None:
        return _gettext(message)
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural-aware translation."""
    if _ngettext is not None:
        return _ngettext(singular, plural, n)
    return singular if n == 1 else plural


def set_translator(
    gettext: Callable[[str], str] | None, ngettext_: Callable[[str, str, int], str] | None = None
) -> None:
    """Route the engine's strings to a real translator (e.g. ``ckan.plugins.toolkit._``)."""
    global _gettext, _ngettext
    _gettext = gettext
    _ngettext = ngettext_


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (module-level tables)."""
    return message
