"""Anonymous pages that a shared cache (nginx, dev/serve/nginx.conf.in) may store.

CKAN says which answers may be cached (``ckan.cache_enabled``, ``ckan.cache_expires``: ``Cache-Control:
public, max-age=N`` on a page rendered for nobody in particular, ``private`` otherwise). But every CKAN page
(base.html's ``<meta name="_csrf_token">``) puts a CSRF token in the session, so the first answer to an
anonymous visitor always carries a new session cookie, and a cache stores nothing with ``Set-Cookie``.

:func:`forget_unneeded_session` drops that cookie where nothing needs it: a GET by a visitor who has no session
yet, on a page CKAN marks public, whose session would hold only the CSRF token, and whose HTML has no form
posting that token. The page then goes out without ``Set-Cookie`` and nginx may store it. A page with a form
that posts a CSRF token (log-in, the commune join form...), a flash message, anything a logged-in user sees,
keeps its session cookie: never stored, never shared between visitors.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

_INSTALLED = "grandest_cache_installed"


def _csrf_field() -> str:
    return tk.config.get("WTF_CSRF_FIELD_NAME") or "_csrf_token"


def _session_cookie() -> str:
    return tk.config.get("SESSION_COOKIE_NAME") or "ckan"


def cacheable_without_session(request: Any, session: Any, response: Any) -> bool:
    """True when the answer is public and the session exists only for a CSRF token no form of it posts."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    if not tk.asbool(tk.config.get("ckan.cache_enabled")) or "__no_cache__" in request.environ:
        return False  # CKAN itself marks the answer private
    if _session_cookie() in request.cookies or "remember_token" in request.cookies:
        return False  # a returning visitor keeps the session (and its token) it has
    if request.headers.get("Authorization"):
        return False
    field = _csrf_field()
    if any(key != field and not key.startswith("_permanent") for key in session.keys()):
        return False  # a flash message, a logged-in user, anything else
    if response.is_streamed or response.direct_passthrough:
        return False  # never consumed here (a stream is sent as it comes): its session stays
    if response.mimetype != "text/html":
        return True
    body = response.get_data(as_text=True)
    return f'name="{field}"' not in body.replace(f'<meta name="{field}"', "")


def forget_unneeded_session(response: Any) -> Any:
    """Flask ``after_request``: no session cookie for a public anonymous page with no CSRF form (see above)."""
    from flask import request, session

    if session.modified and cacheable_without_session(request, session, response):
        session.clear()
        session.modified = False
    return response


def install(app: Any) -> Any:
    """Register :func:`forget_unneeded_session` on CKAN's Flask app (once, whichever plugin asks first)."""
    if hasattr(app, "after_request") and not app.config.get(_INSTALLED):
        app.after_request(forget_unneeded_session)
        app.config[_INSTALLED] = True
    return app
