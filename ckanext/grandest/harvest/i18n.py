"""``_()`` for the harvester.

Inside a web request, CKAN's translator (the visitor's language). Outside one (the harvest consumers, CLI
commands, tests driving the queues) there is no request to take a language from: messages written to harvest
reports are then translated into the portal's default language (``ckan.locale_default``, French here) from the
``ckanext-grandest-harvest`` catalog, so a regional admin reads the report in French whoever ran the job.
"""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=8)
def _catalog(locale: str):
    from babel.support import NullTranslations, Translations

    from ckanext.grandest.common.i18n import i18n_dir

    try:
        return Translations.load(i18n_dir(), [locale], domain="ckanext-grandest-harvest")
    except Exception:  # pragma: no cover - no catalog: English message ids
        return NullTranslations()


def _default_locale() -> str:
    try:
        import ckan.plugins.toolkit as tk

        return str(tk.config.get("ckan.locale_default") or "en")
    except Exception:  # pragma: no cover - CKAN not configured
        return "en"


def _(message: str) -> str:
    try:
        from flask import has_request_context

        if has_request_context():
            import ckan.plugins.toolkit as tk

            return tk._(message)
    except Exception:  # pragma: no cover - no Flask/CKAN
        pass
    return _catalog(_default_locale()).gettext(message)
