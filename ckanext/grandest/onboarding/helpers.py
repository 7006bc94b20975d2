"""Template helpers of grandest_onboarding (registered by the blanket)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.grandest.common import compat


def grandest_onboarding_is_regional_admin() -> bool:
    from ckanext.grandest.common.roles import current_user_is_regional_admin

    return current_user_is_regional_admin()


def grandest_onboarding_pending_count() -> int:
    """Requests waiting for a regional admin (pending review or answered), 0 for anyone else."""
    if not grandest_onboarding_is_regional_admin():
        return 0
    from ckan import model

    from .model import CommuneRequest
    from .workflow import PENDING

    try:
        return model.Session.query(CommuneRequest).filter(CommuneRequest.state == PENDING).count()
    except Exception:  # tables missing (migrations not applied yet)
        model.Session.rollback()
        return 0


def grandest_onboarding_my_commune() -> dict[str, str] | None:
    """The commune organization the current user belongs to (any capacity), or None: the header's "My commune"
    then opens its page instead of the form to join. A commune organization is one with an INSEE code (set
    by the approval, or by the metadata schema)."""
    user = tk.current_user
    if not (user and getattr(user, "is_authenticated", False)):
        return None
    from ckan import model

    try:
        query = (model.Session.query(model.Group.name, model.Group.title)
                 .join(model.Member, model.Member.group_id == model.Group.id)
                 .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                         model.Member.state == "active", model.Group.is_organization.is_(True),
                         model.Group.state == "active"))
        row = compat.filter_groups_by_extra(query, "insee_code").order_by(model.Group.title).first()
    except Exception:  # noqa: BLE001 - a header helper never breaks the page
        model.Session.rollback()
        return None
    return {"name": row.name, "title": row.title or row.name} if row else None


def grandest_onboarding_quota(org_id_or_name: str | None) -> dict[str, Any] | None:
    """The organization's quota dict when the current user may see it, else None."""
    if not org_id_or_name:
        return None
    try:
        return tk.get_action("grandest_quota_show")({}, {"id": org_id_or_name})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return None


def grandest_onboarding_dataset_quota(package_id_or_name: str | None) -> dict[str, Any] | None:
    """The quota dict of the organization owning this dataset, when the current user may see it."""
    if not package_id_or_name:
        return None
    from ckan import model

    pkg = model.Package.get(package_id_or_name)
    if pkg is None or not pkg.owner_org:
        return None
    return grandest_onboarding_quota(pkg.owner_org)


def grandest_onboarding_human_size(n: int | None) -> str:
    from .limits import human_size

    return human_size(n)


def grandest_onboarding_state_label(state: str | None) -> str:
    from .workflow import state_label

    return state_label(state)


def grandest_onboarding_action_label(action: str) -> str:
    from .workflow import action_label

    return action_label(action)


def grandest_onboarding_tiers() -> list[dict[str, Any]]:
    """Configured tiers with their limits, for forms."""
    from . import config as cfg

    out = []
    for name in cfg.tiers():
        tier = cfg.tier(name)
        if tier is not None:
            out.append({"name": tier.name, "label": tier.label, "max_storage_bytes": tier.max_storage_bytes,
                        "max_datasets": tier.max_datasets, "max_file_bytes": tier.max_file_bytes})
    return out


def grandest_onboarding_tier_label(name: str | None) -> str:
    from . import config as cfg

    tier = cfg.tier(name)
    if tier is not None:
        return tier.label
    return tk._("EPCI (no own hosting)") if not name else name


def grandest_onboarding_percent_class(percent: float | None) -> str:
    from . import config as cfg

    if percent is None:
        return "grandest-usage--unlimited"
    if percent >= 100:
        return "grandest-usage--full"
    if percent >= cfg.warning_percent():
        return "grandest-usage--warning"
    return "grandest-usage--ok"


def grandest_onboarding_departements() -> list[tuple[str, str]]:
    from ckanext.grandest.common import referential as ref

    return [(d.code, d.choice_label) for d in ref.departements()]


def grandest_onboarding_epci_label(siren: str | None) -> str:
    from ckanext.grandest.common import referential as ref

    epci = ref.epci(siren) if siren else None
    return epci.label if epci else (siren or "")


def grandest_onboarding_datetime(value: Any) -> str:
    """An ISO date-time (UTC, as stored) shown in the portal's timezone, e.g. '25/11/2026 18:04'."""
    import datetime

    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    try:
        return tk.h.render_datetime(value, "%d/%m/%Y %H:%M")
    except Exception:
        return value.strftime("%d/%m/%Y %H:%M")


def grandest_onboarding_invitee_name(user_name: str | None) -> str:
    """The full name of an invited person (CKAN's invitation mail): the account's full name, else the name
    given in the latest commune request made from its address; "" when neither is known."""
    if not user_name:
        return ""
    from ckan import model

    from .model import CommuneRequest

    try:
        user = model.User.get(user_name)
        if user is None:
            return ""
        if user.fullname:
            return user.fullname
        if not user.email:
            return ""
        import sqlalchemy as sa

        row = (model.Session.query(CommuneRequest.requester_name)
               .filter(sa.func.lower(CommuneRequest.requester_email) == user.email.lower())
               .order_by(CommuneRequest.created.desc()).first())
        return row.requester_name if row else ""
    except Exception:  # noqa: BLE001 - a mail helper never stops the invitation
        model.Session.rollback()
        return ""


def grandest_onboarding_masked_email(email: str | None) -> str:
    """An address partly masked for a page anyone may see: ``mairie@aydoilles.fr`` -> ``m***e@aydoilles.fr``
    (first and last letters of the mailbox kept; a mailbox of one or two letters keeps only its first)."""
    text = str(email or "").strip()
    if "@" not in text:
        return ""
    local, _sep, domain = text.rpartition("@")
    if len(local) <= 2:
        masked = local[:1] + "*" * max(1, len(local) - 1)
    else:
        masked = local[0] + "*" * (len(local) - 2) + local[-1]
    return f"{masked}@{domain}"


def grandest_regional_menu() -> list[dict]:
    """The header's « Administration régionale » menu (ckanext/grandest/common/nav.py)."""
    from ckanext.grandest.common.nav import regional_menu

    return regional_menu()
