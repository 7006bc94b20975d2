"""What every grandest plugin shares in the page: the « Administration régionale » menu of the header, the
form-error script and the accessibility styles (``common/templates``, ``common/assets``).

One text menu gathers the regional pages that several plugins serve: each entry is shown when its page exists in
this portal (its plugin is loaded) and the user is a regional admin or a sysadmin. Every plugin calls
:func:`add_shared_templates` from ``update_config`` (the folder is added once whichever plugins are loaded); the
plugins that serve a regional page expose :func:`regional_menu` as the template helper ``grandest_regional_menu``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .i18n import N_
from .templates import put_scheming_templates_behind_ours

if TYPE_CHECKING:
    from ckan.common import CKANConfig

#: (endpoint, label) in menu order; an endpoint that this portal does not serve is left out
ENTRIES: tuple[tuple[str, str], ...] = (
    ("grandest_onboarding.review_list", N_("Commune requests")),
    ("grandest_onboarding.usage_list", N_("Hosting usage")),
    ("grandest_validation.region_quality", N_("Data quality in the region")),
    ("grandest_validation.schema_registry", N_("Data schemas")),
    ("grandest_dcat.datagouv", N_("DCAT catalog and data.gouv.fr")),
    ("harvest.search", N_("Harvest sources")),
)


def add_shared_templates(config_: CKANConfig) -> None:
    """Add the shared templates (``common/templates``) and assets (``grandest_common/...``), once whichever
    grandest plugins are loaded."""
    import ckan.plugins.toolkit as tk

    put_scheming_templates_behind_ours(config_)  # our scheming overrides (additional info) first
    # both relative to this module's folder; CKAN adds a template folder once however many plugins ask
    tk.add_template_directory(config_, "templates")
    tk.add_resource("assets", "grandest_common")


def regional_menu() -> list[dict[str, Any]]:
    """The menu's entries for the current user: ``[{"endpoint", "url", "label", "active"}]``, empty for anyone
    but a regional admin or a sysadmin."""
    import ckan.plugins.toolkit as tk
    from flask import current_app, request

    from .roles import current_user_is_regional_admin

    if not current_user_is_regional_admin():
        return []
    entries = []
    for endpoint, label in ENTRIES:
        if endpoint not in current_app.view_functions:
            continue
        entries.append({"endpoint": endpoint, "url": tk.url_for(endpoint), "label": tk._(label),
                        "active": request.endpoint == endpoint})
    return entries

