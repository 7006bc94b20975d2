"""Blueprint ``grandest_dcat``: the DCAT catalog feeds and the data.gouv.fr registration page.

The feeds answer ``/catalog.ttl``, ``.rdf``, ``.xml``, ``.jsonld`` and ``.n3`` (GET and HEAD, never a redirect).
Their rules are static paths, which Flask matches before ckanext-dcat's ``/catalog.<_format>``: with both
plugins loaded, these feeds are the ones served.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import pages

grandest_dcat = Blueprint("grandest_dcat", __name__)

__all__ = ["grandest_dcat"]


def _text_error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def catalog_feed(fmt: str) -> Response:
    content_type = pages.FORMATS[fmt]
    args: dict[str, Any] = tk.request.args.to_dict()
    try:
        pages.parse_request(fmt, args)
    except pages.FeedError as e:
        return _text_error(400, str(e))
    if tk.request.method == "HEAD":
        # data.gouv.fr asks HEAD for the Content-Type of a URL without a known extension (catalog.ttl?page=2):
        # answer it without building the page
        resp = Response(b"", status=200, content_type=content_type)
        resp.automatically_set_content_length = False
        return resp
    try:
        body = tk.get_action("grandest_dcat_catalog_show")({}, {**args, "format": fmt})
    except tk.ValidationError as e:
        messages = [m for value in e.error_dict.values() for m in (value if isinstance(value, list) else [value])]
        return _text_error(400, " ".join(str(m) for m in messages) or str(e))
    return Response(body.encode("utf-8"), status=200, content_type=content_type)


def _feed_view(fmt: str):
    def view() -> Response:
        return catalog_feed(fmt)

    view.__name__ = f"catalog_{fmt}"
    return view


for _fmt in pages.FEED_FORMATS:
    grandest_dcat.add_url_rule(f"/catalog.{_fmt}", endpoint=f"catalog_{_fmt}", view_func=_feed_view(_fmt),
                               methods=["GET", "HEAD"], strict_slashes=False)


def datagouv() -> Any:
    """How to register the catalog on data.gouv.fr (regional admins), with the feed URLs."""
    context: Context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    org = tk.request.args.get("organization") or None
    try:
        info = tk.get_action("grandest_dcat_feed_info")(context, {"organization": org} if org else {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the regional administrators can see how the catalog is registered on "
                                  "data.gouv.fr."))
    except tk.ValidationError:
        return tk.abort(400)
    return tk.render("grandest/dcat/datagouv.html", {"info": info, "organization": org})


grandest_dcat.add_url_rule("/grandest/dcat", endpoint="datagouv", view_func=datagouv)
