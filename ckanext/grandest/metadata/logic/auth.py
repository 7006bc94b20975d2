"""Auth functions of grandest_metadata (same names as the actions)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.types import AuthResult, Context, DataDict


@tk.auth_allow_anonymous_access
def grandest_territory_autocomplete(context: Context, data_dict: DataDict) -> AuthResult:
    """The territorial referential is public: anyone may search it."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def grandest_organization_territory_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the organization may see its territory."""
    return authz.is_authorized("organization_show", context, data_dict)
