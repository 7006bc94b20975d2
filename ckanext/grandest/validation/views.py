"""Pages of grandest_validation (thin: parse, call the actions, render).

* ``/dataset/<id>/resource/<resource_id>/validation``: the report of a resource, in plain French (GET), and
  "check again" (POST);
* ``/dataset/<id>/quality``: the scores of a dataset, criterion by criterion;
* ``/organization/<id>/quality``: an organization's scores, worst resources first (its members);
* ``/quality``: the whole region, organization by organization (regional admins).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import exc as sa_exc

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.grandest.common.roles import is_regional_admin

from . import dbguard

grandest_validation = Blueprint("grandest_validation", __name__)


@grandest_validation.errorhandler(sa_exc.ProgrammingError)
def _database_not_ready(error: sa_exc.ProgrammingError) -> Any:
    """The plugin's tables are missing (``ckan db upgrade -p grandest_validation`` not run): say so (503)
    instead of an internal error; any other database error keeps CKAN's internal error page."""
    model.Session.rollback()
    if not dbguard.missing_schema(error):
        raise error
    dbguard.warn("showing a quality page", error)
    return tk.render("error_document_template.html", {
        "code": 503, "name": tk._("Service unavailable"), "show_login_redirect_link": False,
        "content": tk._("Quality checks are not available yet on this portal. Please try again later."),
    }), 503


def _context() -> Context:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}  # type: ignore[typeddict-item]


def _dataset_and_resource(id: str, resource_id: str | None = None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    context = _context()
    if is_regional_admin(context["user"] or None):  # they read every score through the API: private ones too
        context["ignore_auth"] = True
    try:
        pkg = tk.get_action("package_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You are not allowed to see this dataset."))
    if resource_id is None:
        return pkg, None
    res = next((r for r in pkg.get("resources") or [] if r.get("id") == resource_id), None)
    if res is None:
        return tk.abort(404, tk._("Resource not found"))
    return pkg, res


def report(id: str, resource_id: str) -> Any:
    pkg, res = _dataset_and_resource(id, resource_id)
    try:
        validation = tk.get_action("grandest_resource_validation_show")(_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You are not allowed to see this report."))
    return tk.render("grandest/validation/report.html", {
        "pkg_dict": pkg, "package": pkg, "resource": res, "res": res, "validation": validation,
        "report": validation.get("report"), "dataset_type": pkg.get("type") or "dataset",
    })


def run(id: str, resource_id: str) -> Any:
    _dataset_and_resource(id, resource_id)
    try:
        tk.get_action("grandest_resource_validation_run")(_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You are not allowed to check this resource again."))
    tk.h.flash_success(tk._("The file will be checked again in a few moments. Reload this page to see the result."))
    return tk.redirect_to("grandest_validation.report", id=id, resource_id=resource_id)


def dataset_quality(id: str) -> Any:
    pkg, _ = _dataset_and_resource(id)
    try:
        scores = tk.get_action("grandest_dataset_score_show")(_context(), {"id": pkg["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You are not allowed to see this dataset."))
    return tk.render("grandest/validation/dataset_quality.html", {
        "pkg_dict": pkg, "scores": scores, "dataset_type": pkg.get("type") or "dataset"})


def organization_quality(id: str) -> Any:
    args = tk.request.args
    data: dict[str, Any] = {"id": id, "limit": 50}
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    data["offset"] = (page - 1) * data["limit"]
    for key in ("band", "status"):
        if args.get(key):
            data[key] = args[key]
    try:
        group_dict = tk.get_action("organization_show")(_context(), {"id": id, "include_datasets": False})
        quality = tk.get_action("grandest_organization_quality_list")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the members of this organization can see its quality page."))
    except tk.ValidationError:
        return tk.redirect_to("grandest_validation.organization_quality", id=id)
    pages = max(1, -(-quality["count"] // data["limit"]))
    filters = {k: data[k] for k in ("band", "status") if data.get(k)}
    page_urls = [(n, tk.h.url_for("grandest_validation.organization_quality", id=group_dict["name"], page=n, **filters))
                 for n in range(1, pages + 1)]
    return tk.render("grandest/validation/organization_quality.html", {
        "group_dict": group_dict, "group_type": group_dict.get("type") or "organization", "quality": quality,
        "page_number": page, "page_urls": page_urls, "filters": filters})


def region_quality() -> Any:
    data: dict[str, Any] = {"limit": 30}
    if tk.request.args.get("departement"):
        data["departement"] = tk.request.args["departement"]
    try:
        region = tk.get_action("grandest_region_quality_list")(_context(), data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can do this."))
    except tk.ValidationError:
        return tk.redirect_to("grandest_validation.region_quality")
    from ckanext.grandest.common import referential

    return tk.render("grandest/validation/region_quality.html", {
        "region": region, "departement": data.get("departement"), "departements": referential.departements()})


grandest_validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation", view_func=report,
                                 methods=["GET"], endpoint="report")
grandest_validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation", view_func=run,
                                 methods=["POST"], endpoint="run")
grandest_validation.add_url_rule("/dataset/<id>/quality", view_func=dataset_quality, endpoint="dataset_quality")
grandest_validation.add_url_rule("/organization/<id>/quality", view_func=organization_quality,
                                 endpoint="organization_quality")
grandest_validation.add_url_rule("/quality", view_func=region_quality, endpoint="region_quality")
