"""Pages of grandest_validation (thin: parse, call the actions, render).

* ``/dataset/<id>/resource/<resource_id>/validation``: the report of a resource, in plain French (GET), and
  "check again" (POST);
* ``/dataset/<id>/quality``: the scores of a dataset, criterion by criterion;
* ``/organization/<id>/quality``: an organization's scores, worst resources first (its members);
* ``/quality``: the whole region, organization by organization (regional admins);
* ``/schemas``: the schema registry (regional admins): the schemas resources may declare, their versions and
  last sync, a form to add a Table Schema by URL or file, and removal of the ones added;
  ``/schemas/<owner>/<name>/<version>/schema.json``: a kept version's file (public, cited by the DCAT export).
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
    if is_regional_admin(context.get("user") or None):  # they read every score through the API: private ones too
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


def _date_orders(values: Any) -> dict[str, str]:
    return {key[len("date_order-"):]: values[key] for key in values
            if key.startswith("date_order-") and values[key] in ("dmy", "mdy")}


def repair_preview(id: str, resource_id: str, error: str | None = None, date_orders: dict[str, str] | None = None
                   ) -> Any:
    pkg, res = _dataset_and_resource(id, resource_id)
    orders = date_orders if date_orders is not None else _date_orders(tk.request.args)
    try:
        preview = tk.get_action("grandest_repair_preview")(_context(), {"id": resource_id, "date_orders": orders})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only those who may replace the file of this resource can repair it."))
    return tk.render("grandest/validation/repair.html", {
        "pkg_dict": pkg, "package": pkg, "resource": res, "res": res, "preview": preview, "error": error,
        "date_orders": orders, "dataset_type": pkg.get("type") or "dataset"})


def repair_apply(id: str, resource_id: str) -> Any:
    pkg, _res = _dataset_and_resource(id, resource_id)
    form = tk.request.form
    orders = _date_orders(form)
    try:
        done = tk.get_action("grandest_repair_apply")(_context(), {
            "id": resource_id, "date_orders": orders, "fingerprint": form.get("fingerprint") or None})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only those who may replace the file of this resource can repair it."))
    except tk.ValidationError as exc:
        errors = exc.error_dict if isinstance(exc.error_dict, dict) else {}
        messages = [m for v in errors.values() for m in (v if isinstance(v, list) else [v])]
        return repair_preview(id, resource_id, error=" ".join(str(m) for m in messages) or str(exc),
                              date_orders=orders)
    tk.h.flash_success(tk.ungettext(
        "The file was repaired ({n} change). It is being checked again: this report updates on its own.",
        "The file was repaired ({n} changes). It is being checked again: this report updates on its own.",
        done.get("change_count") or 0).format(n=done.get("change_count") or 0))
    return tk.redirect_to("grandest_validation.report", id=pkg["name"], resource_id=resource_id)


def repair_original(id: str, resource_id: str) -> Any:
    import unicodedata
    from urllib.parse import quote

    from flask import Response, stream_with_context

    from . import repairs

    _dataset_and_resource(id, resource_id)
    found = repairs.original_location(resource_id)
    record = repairs.record(resource_id) or {}
    if found is None:
        return tk.abort(404, tk._("No original file is kept for this resource."))
    store, location = found
    name = str(record.get("original_name") or "original.csv").replace("/", "_")
    download = f"original-{name}"
    # as flask.send_file names it: an ASCII name, plus the UTF-8 one (RFC 5987) when it has accents
    ascii_name = unicodedata.normalize("NFKD", download).encode("ascii", "ignore").decode("ascii")
    names = {"filename": ascii_name}
    if ascii_name != download:
        names["filename*"] = "UTF-8''" + quote(download, safe="!#$&+-.^_`|~")
    resp = Response(stream_with_context(store.chunks(location)), mimetype="application/octet-stream")
    resp.headers.set("Content-Disposition", "attachment", **names)
    return resp


PUBLISH_SESSION_KEY = "grandest_publish_schema"


def schema_list() -> Any:
    from . import schema_templates

    return tk.render("grandest/validation/schema_templates.html", {"schemas": schema_templates.schemas()})


def schema_template(schema_id: str, ext: str) -> Any:
    from flask import Response

    from . import schema_templates

    try:
        if ext == "csv":
            body, mimetype = schema_templates.csv_bytes(schema_id), "text/csv; charset=utf-8"
        else:
            body = schema_templates.xlsx_bytes(schema_id)
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Unknown data schema."))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{schema_templates.file_name(schema_id, ext)}"'})


def schema_publish(schema_id: str) -> Any:
    """« Publier avec ce modèle »: the next new resource form has this schema chosen (see
    :func:`.helpers.grandest_validation_publish_schema`), then the new dataset form."""
    from flask import session

    from .engine import get_schema_info

    if get_schema_info(schema_id) is None:
        return tk.abort(404, tk._("Unknown data schema."))
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("grandest_validation.schema_publish",
                                                                     schema_id=schema_id))
    session[PUBLISH_SESSION_KEY] = schema_id
    return tk.redirect_to("dataset.new")


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


def schema_registry() -> Any:
    """GET: the registry and the form; POST: add a schema (``url`` or ``upload``) or remove one (``delete``)."""
    context = _context()
    form: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        data = dict(tk.request.form)
        try:
            if data.get("delete"):
                tk.get_action("grandest_schema_registry_delete")(context, {"id": data["delete"]})
                tk.h.flash_success(tk._("The schema {id} was removed from the registry.").format(id=data["delete"]))
                return tk.redirect_to("grandest_validation.schema_registry")
            upload = tk.request.files.get("upload")
            payload = {k: data.get(k) for k in ("url", "id", "title", "publisher", "version") if data.get(k)}
            if upload is not None and upload.filename:
                payload["upload"] = upload
            added = tk.get_action("grandest_schema_registry_add")(context, payload)
            tk.h.flash_success(tk._("The schema {id} (version {version}) is in the registry: files can now "
                                    "declare it and be checked against it.").format(
                id=added["id"], version=added.get("latest_version") or "-"))
            return tk.redirect_to("grandest_validation.schema_registry")
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can manage the schema "
                                      "registry."))
        except tk.ObjectNotFound as exc:
            errors = {"id": [str(exc) or tk._("This schema is not in the registry.")]}
            form = data
        except tk.ValidationError as exc:
            errors, form = exc.error_dict, data
    try:
        schemas = tk.get_action("grandest_schema_registry_list")(context, {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can manage the schema "
                                  "registry."))
    from ckanext.grandest.common import schema_catalog

    offered = {s.id for s in schema_catalog.offered()}
    return tk.render("grandest/validation/schema_registry.html", {
        "schemas": schemas, "offered": offered, "form": form, "errors": errors}), (400 if errors else 200)


def schema_file(owner: str, name: str, version: str) -> Any:
    """A kept version of a registry schema, as JSON (public: the DCAT export cites it as ``dct:conformsTo``)."""
    import json

    from flask import Response

    from .model import RegistryVersion

    row = dbguard.guarded("serving a schema file", model.Session.get, RegistryVersion, (f"{owner}/{name}", version))
    if row is None:
        return tk.abort(404, tk._("This version is not in the registry."))
    return Response(json.dumps(row.descriptor, ensure_ascii=False, indent=2), mimetype="application/json")


grandest_validation.add_url_rule("/schemas/<owner>/<name>/<version>/schema.json", view_func=schema_file,
                                 endpoint="schema_file")
grandest_validation.add_url_rule("/schemas", view_func=schema_registry, methods=["GET", "POST"],
                                 endpoint="schema_registry")
grandest_validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation", view_func=report,
                                 methods=["GET"], endpoint="report")
grandest_validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation", view_func=run,
                                 methods=["POST"], endpoint="run")
grandest_validation.add_url_rule("/dataset/<id>/resource/<resource_id>/repair", view_func=repair_preview,
                                 methods=["GET"], endpoint="repair_preview")
grandest_validation.add_url_rule("/dataset/<id>/resource/<resource_id>/repair", view_func=repair_apply,
                                 methods=["POST"], endpoint="repair_apply")
grandest_validation.add_url_rule("/dataset/<id>/resource/<resource_id>/repair/original", view_func=repair_original,
                                 endpoint="repair_original")
grandest_validation.add_url_rule("/publish-from-schema", view_func=schema_list, endpoint="schema_list")
grandest_validation.add_url_rule("/publish-from-schema/<path:schema_id>/template.<any(csv, xlsx):ext>",
                                 view_func=schema_template, endpoint="schema_template")
grandest_validation.add_url_rule("/publish-from-schema/<path:schema_id>/publish", view_func=schema_publish,
                                 endpoint="schema_publish")
grandest_validation.add_url_rule("/dataset/<id>/quality", view_func=dataset_quality, endpoint="dataset_quality")
grandest_validation.add_url_rule("/organization/<id>/quality", view_func=organization_quality,
                                 endpoint="organization_quality")
grandest_validation.add_url_rule("/quality", view_func=region_quality, endpoint="region_quality")
