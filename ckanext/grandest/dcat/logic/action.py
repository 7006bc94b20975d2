"""Actions of grandest_dcat.

* ``grandest_dcat_catalog_show``: one page of the DCAT-AP 3 catalog (the ``/catalog.*`` feeds);
* ``grandest_dcat_feed_info``: feed URLs and figures for the data.gouv.fr registration page;
* ``dcat_dataset_show`` / ``dcat_catalog_show`` (ckanext-dcat's, chained): served by the same code, so the
  API and ``/dataset/<id>.<format>`` give the same description as the feed.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict
from ckanext.dcat.exceptions import RDFProfileException

from .. import catalog, config, pages
from . import schema


def _page_request(data_dict: DataDict) -> pages.PageRequest:
    try:
        return pages.parse_request(str(data_dict.get("format") or "ttl"), data_dict)
    except pages.FeedError as e:
        raise tk.ValidationError({"message": [str(e)]})


@tk.side_effect_free
@tk.validate(schema.grandest_dcat_catalog_show)
def grandest_dcat_catalog_show(context: Context, data_dict: DataDict) -> str:
    """One page of the DCAT-AP 3 catalog, serialized.

    :param format: ``ttl`` (default), ``rdf``, ``xml``, ``jsonld`` or ``n3``
    :param page: page number (default 1)
    :param after: cursor of the ``hydra:next`` link (stable paging)
    :param organization: only the datasets of this organization (name or id)
    :param modified_since: only the datasets modified since this date (ISO 8601)
    :param q: a search query
    :param profiles: comma-separated RDF profiles (default: ``ckanext.dcat.rdf.profiles``)
    """
    tk.check_access("grandest_dcat_catalog_show", context, data_dict)
    req = _page_request(data_dict)
    try:
        page = pages.fetch_page(req)
        return catalog.render_page(page)
    except RDFProfileException as e:
        raise tk.ValidationError({"profiles": [str(e)]})


@tk.side_effect_free
@tk.validate(schema.grandest_dcat_feed_info)
def grandest_dcat_feed_info(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Feed URLs and figures for the data.gouv.fr registration page (regional admins).

    :param organization: name of an organization, for the URL of its own feed (optional)
    """
    tk.check_access("grandest_dcat_feed_info", context, data_dict)
    search = tk.get_action("package_search")(
        {"ignore_auth": True},
        {"q": "*:*", "rows": 0, "include_private": False,
         "fq_list": [f"-dataset_type:{t}" for t in pages.EXCLUDED_TYPES]},
    )
    org = data_dict.get("organization")
    feeds = {fmt: pages.feed_url(fmt, {}) for fmt in ("ttl", "rdf", "jsonld")}
    return {
        "feeds": feeds,
        "recommended": feeds["ttl"],
        "organization_feed": pages.feed_url("ttl", {"organization": org}) if org else None,
        "public_datasets": search["count"],
        "page_size": config.page_size(),
        "pages": max(1, -(-search["count"] // config.page_size())),
        "profiles": str(tk.config.get("ckanext.dcat.rdf.profiles") or ""),
        "profile_enabled": "grandest_dcat_ap" in str(tk.config.get("ckanext.dcat.rdf.profiles") or "").split(),
        "site_url": config.public_base(),
    }


@tk.side_effect_free
@tk.chained_action
def dcat_dataset_show(up_func: Action, context: Context, data_dict: DataDict) -> str:
    """ckanext-dcat's ``/dataset/<id>.<format>``, served by this plugin's serializer (same output as the
    feed; the organization's schema fields read once)."""
    tk.check_access("dcat_dataset_show", context, data_dict)
    dataset = tk.get_action("package_show")(context, {"id": data_dict.get("id")})
    profiles = data_dict.get("profiles")
    if isinstance(profiles, str):
        profiles = [p.strip() for p in profiles.split(",") if p.strip()]
    fmt = data_dict.get("format") or "xml"
    if fmt not in pages.FORMATS:
        raise tk.ValidationError({"format": [tk._("Unknown format “{fmt}”. Available formats: {formats}.")
                                             .format(fmt=fmt, formats=", ".join(pages.FEED_FORMATS))]})
    return catalog.render_dataset(dataset, fmt, profiles or None)


@tk.side_effect_free
@tk.chained_action
def dcat_catalog_show(up_func: Action, context: Context, data_dict: DataDict) -> str:
    """ckanext-dcat's catalog action, served like the feed (stable order, cursor paging, full profile)."""
    tk.check_access("dcat_catalog_show", context, data_dict)
    profiles = data_dict.get("profiles")
    args = {k: v for k, v in data_dict.items() if k in ("page", "after", "organization", "modified_since", "q")}
    if profiles:
        args["profiles"] = ",".join(profiles) if isinstance(profiles, (list, tuple)) else str(profiles)
    try:
        req = pages.parse_request(str(data_dict.get("format") or "xml"), args)
    except pages.FeedError as e:
        raise tk.ValidationError({"message": [str(e)]})
    return catalog.render_page(pages.fetch_page(req))
