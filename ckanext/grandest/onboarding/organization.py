"""The commune's organization: found by INSEE code, or created from the territorial referential.

Fields follow the contract in ``docs/metadata-fields.md`` (organization): ``actor_type``, ``insee_code``,
``siren``, ``epci``, ``departement``, ``population``, ``website``, ``contact_email``, ``phone``. When
``grandest_metadata`` (or another scheming organization schema that knows them) is loaded, they are
passed as schema fields; otherwise they are stored as plain organization extras, under the same names.
"""
from __future__ import annotations

import logging
import unicodedata
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context
from ckan import model
from ckan.lib.munge import munge_title_to_name

from ckanext.grandest.common import compat

log = logging.getLogger(__name__)

FIELDS = ("actor_type", "insee_code", "siren", "epci", "departement", "population", "website",
          "contact_email", "phone")
VOWELS = set("AEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ")


def of_commune(name: str) -> str:
    """The French "of" before a commune's name: 'de Metz', 'd’Erstein', 'du Hohwald', 'des Rousses',
    'de La Bresse', 'de L’Hôpital'."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    first = unicodedata.normalize("NFC", name[:1]).upper()
    if first in VOWELS and not name.startswith(("L'", "L’")):
        return "d\u2019" + name
    return "de " + name


def commune_title(name: str) -> str:
    """'Commune de Metz', 'Commune d’Erstein', 'Commune du Hohwald', 'Commune des Rousses'..."""
    return "Commune " + of_commune(name)


def fields_from_referential(commune: Any) -> dict[str, Any]:
    return {
        "actor_type": "commune",
        "insee_code": commune.code,
        "siren": commune.siren,
        "epci": commune.epci,
        "departement": commune.departement,
        "population": commune.population_totale,
        "website": commune.website or "",
        "contact_email": commune.email or "",
        "phone": commune.phone or "",
    }


def schema_has_fields() -> bool:
    """True when the organization schema in use declares our fields (grandest_metadata's scheming schema)."""
    if p.plugin_loaded("grandest_metadata"):
        return True
    if not p.plugin_loaded("scheming_organizations"):  # without it, fields are stored as plain extras
        return False
    try:
        from ckanext.scheming.helpers import scheming_get_organization_schema

        schema = scheming_get_organization_schema("organization")
    except Exception:
        return False
    names = {f.get("field_name") for f in (schema or {}).get("fields", [])}
    return "insee_code" in names


def find_linked(insee_code: str) -> model.Group | None:
    """The active organization whose ``insee_code`` is this commune's, if any."""
    query = model.Session.query(model.Group).filter(model.Group.state == "active",
                                                    model.Group.is_organization.is_(True))
    return compat.filter_groups_by_extra(query, "insee_code", insee_code).order_by(model.Group.created).first()


def _free_name(base: str, insee_code: str) -> str:
    for candidate in (base, f"{base}-{insee_code}"):
        if model.Group.get(candidate) is None:
            return candidate
    n = 2
    while model.Group.get(f"{base}-{insee_code}-{n}") is not None:
        n += 1
    return f"{base}-{insee_code}-{n}"


def _site_context() -> Context:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _with_fields(data: dict[str, Any], fields: dict[str, Any], existing_extras: list[dict[str, Any]] | None = None,
                 only_missing: bool = False) -> dict[str, Any]:
    if schema_has_fields():
        for key, value in fields.items():
            if value in (None, ""):
                continue
            if only_missing and data.get(key) not in (None, ""):
                continue
            data[key] = value
        return data
    extras = {e["key"]: e["value"] for e in (existing_extras or []) if e.get("state", "active") != "deleted"}
    for key, value in fields.items():
        if value in (None, ""):
            continue
        if only_missing and extras.get(key) not in (None, ""):
            continue
        extras[key] = str(value)
    data["extras"] = [{"key": k, "value": v} for k, v in extras.items()]
    return data


def create_or_link(commune: Any, organization_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """The commune's organization dict, and whether it was created now.

    An organization already linked (``organization_id``, or one whose ``insee_code`` is the commune's) is
    completed with the referential's fields it lacks; otherwise a new one is created and filled. Nothing is
    committed: the caller's transaction (the approval) commits or rolls back all of it.
    """
    context: Context = {**_site_context(), "defer_commit": True}
    fields = fields_from_referential(commune)
    org = model.Group.get(organization_id) if organization_id else None
    if org is None or org.state != "active":
        org = find_linked(commune.code)
    if org is not None:
        org_dict = tk.get_action("organization_show")(context.copy(), {"id": org.id, "include_datasets": False})
        missing = [k for k in FIELDS if fields.get(k) not in (None, "") and not _has_value(org_dict, k)]
        if missing:
            patch = {"id": org.id}
            if schema_has_fields():
                patch.update({k: fields[k] for k in missing})
            else:
                _with_fields(patch, fields, org_dict.get("extras"), only_missing=True)
            try:
                org_dict = tk.get_action("organization_patch")(context.copy(), patch)
            except tk.ValidationError as exc:  # keep the organization as it is rather than fail the approval
                log.warning("could not complete organization %s from the referential: %s", org.name,
                            exc.error_dict)
        return org_dict, False

    title = commune_title(commune.name)
    data: dict[str, Any] = {
        "name": _free_name(munge_title_to_name(title), commune.code),
        "title": title,
        "description": tk._(
            "Open data published by the commune of {name} (INSEE code {code}, département {dept})."
        ).format(name=commune.name, code=commune.code, dept=commune.departement),
    }
    _with_fields(data, fields)
    org_dict = tk.get_action("organization_create")(context.copy(), data)
    # the site user was made admin by core: the organization belongs to the commune, not to the robot (through
    # the model: core's member_delete commits)
    site_name = context.get("user") or ""
    site_user = model.User.get(site_name)
    model.Session.flush()  # CKAN's session does not autoflush: core's membership is pending
    for member in model.Session.query(model.Member).filter(
            model.Member.group_id == org_dict["id"], model.Member.table_name == "user",
            model.Member.table_id == (site_user.id if site_user is not None else ""), model.Member.state == "active"):
        member.delete()
    org_dict["users"] = [u for u in org_dict.get("users") or [] if u.get("name") != site_name]
    return org_dict, True


def _has_value(org_dict: dict[str, Any], key: str) -> bool:
    if org_dict.get(key) not in (None, ""):
        return True
    return any(e.get("key") == key and e.get("value") not in (None, "") for e in org_dict.get("extras") or [])


def field_value(org: model.Group | dict[str, Any] | None, key: str) -> Any:
    """Read one of our fields from an organization, whether stored as a schema field or an extra."""
    if org is None:
        return None
    if isinstance(org, dict):
        if org.get(key) not in (None, ""):
            return org[key]
        for e in org.get("extras") or []:
            if e.get("key") == key:
                return e.get("value")
        return None
    extra = org._extras.get(key)  # type: ignore[attr-defined]
    return extra.value if extra is not None and extra.state == "active" else None
