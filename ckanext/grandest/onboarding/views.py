"""Pages of grandest_onboarding. Thin views: parse the form, call the action, re-render or redirect.

Public: ``/commune/inscription`` (request form, with commune autocompletion), the town hall's confirmation
link, the requester's tracking link. Regional admins: ``/commune/demandes`` (review queue and decisions),
``/hebergement`` (every organization's usage, CSV). Editors and admins of an organization:
``/organization/hebergement/<id>`` (its usage; regional admins also set its tier and limits there).
"""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, jsonify

import ckan.plugins.toolkit as tk
from ckan.types import Context
from ckan.lib.helpers import Page

from ckanext.grandest.common import csvsafe
from ckanext.grandest.common import referential as ref

bp = Blueprint("grandest_onboarding", __name__)

__all__ = ["bp"]


@bp.before_request
def _csrf_for_everyone() -> None:
    """Every form of this blueprint is CSRF-checked, anonymous visitors' included.

    CKAN 2.11 exempts a request from CSRF when flask-login found no session user, i.e. for every anonymous
    visitor (``load_user_from_request`` sets ``g.login_via_auth_header``): the request form, the town hall's
    confirmation and the requester's tracking page would go unchecked. Only real API-token clients (an
    Authorization header that identified a user) stay exempt, as in core.
    """
    from flask import current_app, g

    if tk.request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if g.get("login_via_auth_header") and getattr(tk.current_user, "is_authenticated", False):
        return
    csrf = current_app.extensions.get("csrf")
    if csrf is not None and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def _context() -> Context:
    user = tk.current_user
    if getattr(user, "is_authenticated", False):
        return {"user": user.name, "auth_user_obj": user}
    return {"user": "", "auth_user_obj": None}


def _form() -> dict[str, Any]:
    return {k: v for k, v in tk.request.form.items() if k != "_csrf_token"}


def _summary(errors: dict[str, Any]) -> dict[str, str]:
    labels = {
        "insee_code": tk._("Commune"), "requester_name": tk._("Your name"), "requester_role": tk._("Your role"),
        "requester_email": tk._("Email"), "requester_phone": tk._("Phone"), "message": tk._("Message"),
        "rate_limit": tk._("Too many requests"), "state": tk._("Request"), "token": tk._("Link"),
        "verification_note": tk._("Verification"), "reason": tk._("Reason"), "tier": tk._("Hosting tier"),
        "response": tk._("Your answer"), "email": tk._("Invitation"), "max_storage_mb": tk._("Total storage"),
        "max_datasets": tk._("Datasets"), "max_file_mb": tk._("Size of one file"),
    }
    out = {}
    for key, value in errors.items():
        message = value[0] if isinstance(value, list) and value else value
        out[labels.get(key, key)] = str(message)
    return out


# --- request -------------------------------------------------------------------------------------------

def _commune_choice(commune: Any) -> dict[str, Any]:
    return {
        "code": commune.code,
        "name": commune.name,
        "departement": commune.departement,
        "postcodes": list(commune.postcodes),
        "label": f"{commune.name} ({', '.join(commune.postcodes)}) \u2013 {commune.departement}",
    }


def commune_search() -> Response:
    """Autocompletion over the referential: name, postcode or INSEE code."""
    query = tk.request.args.get("q", "")[:80]
    return jsonify([_commune_choice(c) for c in ref.search_communes(query, limit=10)])


def _resolve_commune(data: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    """The INSEE code picked (hidden field set by the autocompletion) or, without JavaScript, what the typed
    text designates unambiguously; else the candidates to choose from."""
    code = (data.get("insee_code") or "").strip()
    if code and ref.commune(code) is not None:
        return code, []
    query = (data.get("commune_query") or "").strip()
    if not query:
        return None, []
    matches = ref.search_communes(query, limit=8)
    folded = ref.fold(query)
    exact = [c for c in matches if ref.fold(c.name) == folded or query in c.postcodes or query == c.code]
    if len(exact) == 1:
        return exact[0].code, []
    if len(matches) == 1:
        return matches[0].code, []
    return None, [_commune_choice(c) for c in (exact or matches)]


def join() -> Any:
    data: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    candidates: list[dict[str, Any]] = []
    if tk.request.method == "POST":
        data = _form()
        code, candidates = _resolve_commune(data)
        data["insee_code"] = code or ""
        if code:
            commune = ref.commune(code)
            data["commune_query"] = commune.name if commune else data.get("commune_query", "")
        try:
            if not code and candidates:
                raise tk.ValidationError({"insee_code": [tk._("Several communes match: choose yours below.")]})
            result = tk.get_action("grandest_commune_request_create")(_context(), dict(data))
            return tk.redirect_to("grandest_onboarding.sent", commune=result["insee_code"],
                                  manual=int(bool(result["manual_review"])))
        except tk.ValidationError as exc:
            errors = exc.error_dict
    return tk.render("grandest/onboarding/request_form.html", {
        "data": data, "errors": errors, "error_summary": _summary(errors), "candidates": candidates,
    })


def sent() -> Any:
    commune = ref.commune(tk.request.args.get("commune", ""))
    return tk.render("grandest/onboarding/request_sent.html", {
        "commune": commune, "manual": tk.request.args.get("manual") == "1",
    })


# --- town hall confirmation ---------------------------------------------------------------------------

def _confirm_link_valid(id: str, token: str) -> bool:
    """The town hall's link itself (regional admins may read any request, but not through a bogus link)."""
    from .workflow import get, token_matches

    request = get(id)
    return request is not None and token_matches(token, request.confirm_token_hash)


def _requester_link_valid(id: str, token: str) -> bool:
    from .workflow import is_requester

    return is_requester(id, token)


def confirm(id: str, token: str) -> Any:
    context = _context()
    errors: dict[str, Any] = {}
    done = False
    if not _confirm_link_valid(id, token):
        return tk.render("grandest/onboarding/confirm.html", {"invalid": True}), 404
    try:
        request = tk.get_action("grandest_commune_request_show")(context, {"id": id, "token": token})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return tk.render("grandest/onboarding/confirm.html", {"invalid": True}), 404
    if tk.request.method == "POST":
        try:
            tk.get_action("grandest_commune_request_confirm")(_context(), {"id": id, "token": token})
            done = True
        except tk.NotAuthorized:
            return tk.render("grandest/onboarding/confirm.html", {"invalid": True}), 404
        except tk.ValidationError as exc:
            errors = exc.error_dict
    return tk.render("grandest/onboarding/confirm.html", {
        "request_": request, "token": token, "done": done, "errors": errors, "error_summary": _summary(errors),
    })


def deny(id: str, token: str) -> Any:
    """« Ce n'est pas nous » (link of the town hall's mail): a page that explains, and a button (POST, CSRF)
    that cancels the request; opening the link alone changes nothing (mail scanners open links)."""
    errors: dict[str, Any] = {}
    if not _confirm_link_valid(id, token):
        return tk.render("grandest/onboarding/confirm.html", {"invalid": True}), 404
    try:
        request = tk.get_action("grandest_commune_request_show")(_context(), {"id": id, "token": token})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return tk.render("grandest/onboarding/confirm.html", {"invalid": True}), 404
    if tk.request.method == "POST":
        try:
            request = tk.get_action("grandest_commune_request_deny")(_context(), {"id": id, "token": token})
            return tk.render("grandest/onboarding/confirm.html", {"request_": request, "denied": True})
        except tk.NotAuthorized:
            return tk.render("grandest/onboarding/confirm.html", {"invalid": True}), 404
        except tk.ValidationError as exc:
            errors = exc.error_dict
    return tk.render("grandest/onboarding/confirm.html", {
        "request_": request, "token": token, "deny": True, "errors": errors, "error_summary": _summary(errors),
    })


# --- requester's tracking page --------------------------------------------------------------------------

def track(id: str, token: str) -> Any:
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if not _requester_link_valid(id, token):
        return tk.render("grandest/onboarding/track.html", {"invalid": True}), 404
    if tk.request.method == "POST":
        data = _form()
        action = data.get("action")
        try:
            if action == "respond":
                out = tk.get_action("grandest_commune_request_respond")(_context(), {
                    "id": id, "token": token, "response": data.get("response", "")})
                tk.h.flash_success(tk._("Thank you: your answer was sent to the DataGrandEst team."))
            elif action == "cancel":
                out = tk.get_action("grandest_commune_request_cancel")(_context(), {
                    "id": id, "token": token, "reason": data.get("reason", "")})
                tk.h.flash_success(tk._("Your request was cancelled."))
            elif action == "claim":
                out = tk.get_action("grandest_commune_request_claim")(_context(), {"id": id, "token": token})
                tk.h.flash_success(tk._("The request is now linked to your account."))
            else:
                raise tk.ValidationError({"state": [tk._("Unknown action.")]})
            # the link just used was renewed: the page moves to the new one (bookmark it)
            return tk.redirect_to("grandest_onboarding.track", id=id, token=out.get("token") or token)
        except tk.NotAuthorized:
            return tk.render("grandest/onboarding/track.html", {"invalid": True}), 404
        except tk.ValidationError as exc:
            errors = exc.error_dict
    try:
        request = tk.get_action("grandest_commune_request_show")(_context(), {"id": id, "token": token})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return tk.render("grandest/onboarding/track.html", {"invalid": True}), 404
    return tk.render("grandest/onboarding/track.html", {
        "request_": request, "token": token, "logged_in": bool(getattr(tk.current_user, "is_authenticated", False)), "data": data, "errors": errors, "error_summary": _summary(errors),
    })


# --- after choosing a password: logged in, on one's commune -------------------------------------------

def log_in_after_password(sender: Any, **kwargs: Any) -> None:
    """``perform_password_reset`` signal (CKAN's invitation and reset links, both versions): the person who just
    chose a password through the link emailed to them is logged in, as if she had typed it."""
    from ckan import model
    from ckan.common import login_user

    user = kwargs.get("user")
    if user is None:
        return
    fresh = model.User.get(user.id)
    if fresh is None:
        return
    model.Session.refresh(fresh)  # the view made a pending (invited) account active meanwhile
    if fresh.state == "active":
        login_user(fresh)


def after_password() -> Any:
    """Where CKAN sends a person after the password is set (``ckan.user_reset_landing_page``): her commune's
    page, which invites her to publish her first dataset; the home page when she has no commune."""
    commune = None
    if getattr(tk.current_user, "is_authenticated", False):
        from .helpers import grandest_onboarding_my_commune

        commune = grandest_onboarding_my_commune()
    if commune:
        return tk.redirect_to("organization.read", id=commune["name"])
    return tk.redirect_to("home.index")


# --- review (regional admins) ---------------------------------------------------------------------------

FILTERS = ("state", "departement", "epci", "tier", "q")
PER_PAGE = 25


def review_list() -> Any:
    filters = {k: tk.request.args.get(k, "").strip() for k in FILTERS}
    if "state" not in tk.request.args:
        filters["state"] = "open"
    try:
        page_number = max(1, int(tk.request.args.get("page", 1)))
    except ValueError:
        page_number = 1
    query = {k: v for k, v in filters.items() if v}
    try:
        result = tk.get_action("grandest_commune_request_list")(_context(), dict(
            query, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can see the requests."))
    except tk.ValidationError as exc:
        result = {"count": 0, "results": []}
        tk.h.flash_error(" ".join(_summary(exc.error_dict).values()))

    def pager_url(q: Any = None, page: int | None = None) -> str:
        return tk.h.url_for("grandest_onboarding.review_list", page=page, **query)

    page = Page(collection=result["results"], page=page_number, url=pager_url, item_count=result["count"],
                items_per_page=PER_PAGE, presliced_list=True)
    return tk.render("grandest/onboarding/review_list.html", {
        "result": result, "filters": filters, "page": page,
        "epcis": sorted({r["epci"] for r in result["results"] if r.get("epci")}),
    })


def review(id: str) -> Any:
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    context = _context()
    if tk.request.method == "POST":
        data = _form()
        action = data.get("action")
        actions = {
            "approve": ("grandest_commune_request_approve", ("tier", "verification_note", "reason"),
                        tk._("Request approved: the organization is ready and the requester was emailed.")),
            "reject": ("grandest_commune_request_reject", ("reason",),
                       tk._("Request rejected: the requester was emailed the reason.")),
            "request_info": ("grandest_commune_request_request_info", ("message",),
                             tk._("Question sent to the requester.")),
            "cancel": ("grandest_commune_request_cancel", ("reason",), tk._("Request cancelled.")),
        }
        try:
            if action not in actions:
                raise tk.ValidationError({"state": [tk._("Unknown action.")]})
            name, fields, success = actions[action]
            payload = {"id": id}
            payload.update({f: data.get(f, "") for f in fields if f in data})
            if action == "approve" and not payload.get("verification_note"):
                payload.pop("verification_note", None)
            tk.get_action(name)(_context(), payload)
            tk.h.flash_success(success)
            return tk.redirect_to("grandest_onboarding.review", id=id)
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can decide on requests."))
        except tk.ObjectNotFound:
            return tk.abort(404, tk._("This request does not exist."))
        except tk.ValidationError as exc:
            errors = exc.error_dict
    try:
        request = tk.get_action("grandest_commune_request_show")(context, {"id": id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can see the requests."))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("This request does not exist."))
    return tk.render("grandest/onboarding/review_detail.html", {
        "request_": request, "data": data, "errors": errors, "error_summary": _summary(errors),
        "action": data.get("action"),
    })


# --- usage ------------------------------------------------------------------------------------------------

def _usage() -> tuple[dict[str, Any], dict[str, Any]]:
    """Every organization's usage for the page and its CSV: (result, the sort/filter arguments kept);
    arguments that do not validate are dropped, a visitor who is not a regional admin gets a 403."""
    args = {k: tk.request.args.get(k) for k in ("sort", "order", "q") if tk.request.args.get(k)}
    try:
        return tk.get_action("grandest_usage_list")(_context(), args), args
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can see every organization's "
                                  "usage."))
    except tk.ValidationError:
        return tk.get_action("grandest_usage_list")(_context(), {}), {}


def usage_list() -> Any:
    result, args = _usage()
    return tk.render("grandest/onboarding/usage_list.html", {"result": result, "args": args})


def usage_csv() -> Any:
    result, _args = _usage()
    out = io.StringIO()
    writer = csvsafe.writer(out)  # a title like =HYPERLINK(...) is not a formula
    writer.writerow(["organization", "title", "tier", "bytes_used", "max_storage_bytes", "storage_percent",
                     "datasets_used", "max_datasets", "datasets_percent", "max_file_bytes"])
    for row in result["results"]:
        writer.writerow([
            row["organization_name"], row["organization_title"], row["tier"] or "",
            row["usage"]["bytes_used"], row["limits"]["max_storage_bytes"] or "",
            "" if row["storage_percent"] is None else row["storage_percent"],
            row["usage"]["datasets_used"], row["limits"]["max_datasets"] or "",
            "" if row["datasets_percent"] is None else row["datasets_percent"],
            row["limits"]["max_file_bytes"] or "",
        ])
    return Response("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=hebergement-datagrandest.csv"})


def usage(id: str) -> Any:
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if tk.request.method == "POST":
        data = _form()
        payload = {"id": id}
        payload.update({k: data.get(k, "") for k in ("tier", "max_storage_mb", "max_datasets", "max_file_mb")
                        if k in data})
        try:
            tk.get_action("grandest_quota_update")(_context(), payload)
            tk.h.flash_success(tk._("Hosting limits saved."))
            return tk.redirect_to("grandest_onboarding.usage", id=id)
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only the regional administrators of DataGrandEst can change hosting limits."))
        except tk.ObjectNotFound:
            return tk.abort(404, tk._("Organization not found."))
        except tk.ValidationError as exc:
            errors = exc.error_dict
    try:
        quota_ = tk.get_action("grandest_quota_show")(_context(), {"id": id})
        group_dict = tk.get_action("organization_show")(_context(), {"id": id, "include_datasets": False})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the editors and administrators of this organization can see its hosting "
                                  "usage."))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found."))
    return tk.render("grandest/onboarding/usage.html", {
        "quota": quota_, "group_dict": group_dict, "group_type": "organization", "data": data, "errors": errors,
        "error_summary": _summary(errors),
    })


bp.add_url_rule("/commune/inscription", view_func=join, methods=["GET", "POST"])
bp.add_url_rule("/commune/inscription/recherche", view_func=commune_search)
bp.add_url_rule("/commune/inscription/envoyee", view_func=sent)
bp.add_url_rule("/commune/confirmation/<id>/<token>", view_func=confirm, methods=["GET", "POST"])
bp.add_url_rule("/commune/pas-nous/<id>/<token>", view_func=deny, methods=["GET", "POST"])
bp.add_url_rule("/commune/suivi/<id>/<token>", view_func=track, methods=["GET", "POST"])
bp.add_url_rule("/bienvenue", view_func=after_password)
bp.add_url_rule("/commune/demandes", view_func=review_list)
bp.add_url_rule("/commune/demandes/<id>", view_func=review, methods=["GET", "POST"])
bp.add_url_rule("/hebergement", view_func=usage_list)
bp.add_url_rule("/hebergement.csv", view_func=usage_csv)
bp.add_url_rule("/organization/hebergement/<id>", view_func=usage, methods=["GET", "POST"])
