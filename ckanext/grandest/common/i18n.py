"""Translations of the suite: one gettext catalog per plugin area, all in the top-level ``i18n/`` folder.

``i18n/<locale>/LC_MESSAGES/ckanext-grandest-<area>.po`` (area = metadata, onboarding, dcat, harvest,
validation). Message ids are English, French is the portal's default locale; ``dev/i18n.sh`` extracts, updates
and compiles. Every area translates through this module:

* :func:`N_` marks a msgid for the extractor where the text is translated later (module-level tables).
* :class:`Translator` is the ``gettext``/``ngettext`` pair a piece of code calls (``_ = t.gettext``). Where
  its text comes from is the function pair installed with :meth:`Translator.set_translator`; without one it
  returns the English msgids (plural chosen by the English rule).
* :func:`request_translator` gives an area's translator in the language of the moment: inside a web request
  the visitor's, elsewhere (background jobs, harvest consumers, CLI commands) the portal's default language
  ``ckan.locale_default``, so that what a job writes for a regional admin is in French whoever started it.
  :func:`default_translator` always speaks the portal's default language: for texts stored once and shown to
  everyone (the error of a validation run), even when a request writes them. Both read the area's own
  compiled catalog; a msgid it lacks goes to CKAN's translator (core's and the other plugins' catalogs) inside
  a request, and stays English outside one.
* :class:`GrandestTranslation` is the ``ITranslation`` mixin of the plugins.

Nothing of CKAN is imported when this module loads: the validation engine, which runs without CKAN (workers,
benches), uses :class:`Translator` and :func:`catalog` too, and gets its translator injected by its plugin.
"""
from __future__ import annotations

import contextlib
import functools
import gettext as _gettext
import os
from collections.abc import Callable, Iterator

GettextFn = Callable[[str], str]
NgettextFn = Callable[[str, str, int], str]


def N_(message: str) -> str:
    """Marks a msgid for the extractor (``dev/i18n.sh``); translated where it is shown."""
    return message


def i18n_dir() -> str:
    # shipped from the top-level i18n/ folder as this package (setup.py package_dir): not under ckanext/
    import ckanext.grandest.i18n as pkg  # pyright: ignore[reportMissingImports]

    return os.path.dirname(os.path.abspath(str(pkg.__file__)))


def domain(area: str) -> str:
    return f"ckanext-grandest-{area}" if area else "ckanext-grandest"


@functools.lru_cache(maxsize=64)
def catalog(area: str, locale: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``area`` in ``locale`` (standard library gettext; a catalog that returns the
    msgids when there is none)."""
    return _gettext.translation(domain(area), i18n_dir(), [locale], fallback=True)


class Translator:
    """``gettext`` and ``ngettext`` routed to the functions given to :meth:`set_translator` (none: English)."""

    def __init__(self, gettext: GettextFn | None = None, ngettext: NgettextFn | None = None) -> None:
        self._gettext = gettext
        self._ngettext = ngettext

    def set_translator(self, gettext: GettextFn | None, ngettext: NgettextFn | None = None) -> None:
        """Route the messages to ``gettext``/``ngettext`` (``None``: back to the English msgids)."""
        self._gettext = gettext
        self._ngettext = ngettext

    @contextlib.contextmanager
    def using(self, gettext: GettextFn | None, ngettext: NgettextFn | None = None) -> Iterator[None]:
        """Route the messages to ``gettext``/``ngettext`` inside a ``with`` block, then back to what it was."""
        before = self._gettext, self._ngettext
        self.set_translator(gettext, ngettext)
        try:
            yield
        finally:
            self.set_translator(*before)

    def gettext(self, message: str) -> str:
        fn = self._gettext
        return fn(message) if fn is not None else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        fn = self._ngettext
        if fn is not None:
            return fn(singular, plural, n)
        return singular if n == 1 else plural


class _CkanCatalogs(_gettext.NullTranslations):
    """CKAN's translator of the current request (core's catalog merged with every plugin's)."""

    def gettext(self, message: str) -> str:
        import ckan.plugins.toolkit as tk

        return tk._(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        import ckan.plugins.toolkit as tk

        return tk.ungettext(singular, plural, n)


def _request_language() -> str | None:
    """The language of the current web request; None outside one (or without Flask/CKAN)."""
    try:
        from flask import has_request_context

        if not has_request_context():
            return None
        from ckan.lib.i18n import get_lang

        return str(get_lang())
    except Exception:  # pragma: no cover - no Flask/CKAN, or a request before CKAN's i18n is set up
        return None


def _default_language() -> str:
    try:
        import ckan.plugins.toolkit as tk

        return str(tk.config.get("ckan.locale_default") or "en")
    except Exception:  # pragma: no cover - CKAN not configured
        return "en"


@functools.lru_cache(maxsize=64)
def _request_catalog(area: str, locale: str) -> _gettext.NullTranslations:
    # a copy of the area's catalog (gettext.translation copies its cached one) that falls back to CKAN's
    translations = _gettext.translation(domain(area), i18n_dir(), [locale], fallback=True)
    translations.add_fallback(_CkanCatalogs())
    return translations


def _current_catalog(area: str, *, visitor: bool) -> _gettext.NullTranslations:
    lang = _request_language()
    if lang is not None:
        return _request_catalog(area, lang if visitor else _default_language())
    return catalog(area, _default_language())


def _translator(area: str, *, visitor: bool) -> Translator:
    return Translator(lambda message: _current_catalog(area, visitor=visitor).gettext(message),
                      lambda singular, plural, n: _current_catalog(area, visitor=visitor).ngettext(singular, plural, n))


@functools.lru_cache(maxsize=None)
def request_translator(area: str) -> Translator:
    """The translator of ``area`` in the visitor's language, or the default one outside a request."""
    return _translator(area, visitor=True)


@functools.lru_cache(maxsize=None)
def default_translator(area: str) -> Translator:
    """The translator of ``area`` in the portal's default language (``ckan.locale_default``)."""
    return _translator(area, visitor=False)


class GrandestTranslation:
    """Mix into a plugin (with ``p.implements(p.ITranslation)``) and set ``i18n_area``: CKAN loads the area's
    catalog (``i18n_directory``/``i18n_locales``/``i18n_domain``, the methods of CKAN's DefaultTranslation)."""

    i18n_area: str = ""

    def i18n_directory(self) -> str:
        return i18n_dir()

    def i18n_locales(self) -> list[str]:
        d = i18n_dir()
        return sorted(n for n in os.listdir(d) if os.path.isdir(os.path.join(d, n, "LC_MESSAGES")))

    def i18n_domain(self) -> str:
        return domain(self.i18n_area)
