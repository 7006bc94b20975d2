"""Actions of grandest_metadata."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.grandest.metadata import config as md_config
from ckanext.grandest.metadata import territories
from ckanext.grandest.metadata.logic import schema
from ckanext.grandest.metadata.helpers import _lang


@tk.side_effect_free
@tk.validate(schema.territory_autocomplete)
def grandest_territory_autocomplete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Territories of Grand Est matching a text: the région, départements, EPCI (by name or code) and
    communes (by name, INSEE code or postcode), best first.

    :param q: the text typed (at least one character)
    :param limit: how many results (default and maximum: ``ckanext.grandest.metadata.autocomplete_limit``)
    :param kinds: comma-separated kinds to search (``commune,epci,departement,region``; default: all)
    :returns: ``{"results": [{"key": "commune:67482", "kind": "commune", "code": "67482",
        "name": "Strasbourg", "label": "Strasbourg (commune, 67)"}, ...]}``
    """
    tk.check_access("grandest_territory_autocomplete", context, data_dict)
    maximum = md_config.autocomplete_limit()
    limit = min(int(data_dict.get("limit") or maximum), maximum)
    kinds = [k.strip() for k in str(data_dict.get("kinds") or "").split(",") if k.strip() in territories.KINDS]
    results = territories.search(data_dict["q"], limit=max(limit, 1), kinds=kinds or territories.KINDS)
    return {"results": results}


@tk.side_effect_free
@tk.validate(schema.organization_territory_show)
def grandest_organization_territory_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The territory of an organization, from its schema fields (what a new dataset of it covers by default).

    :param id: the id or name of the organization
    :returns: ``{"key": "commune:68269", "label": "Ribeauvillé (commune, 68)"}``, or ``{"key": null}`` when the
        organization has no territory (a State service, an association without département...)
    """
    from ckan import model

    tk.check_access("grandest_organization_territory_show", context, data_dict)
    group = model.Group.get(data_dict["id"])
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ObjectNotFound(tk._("Organization not found"))
    # CKAN maps Group.extras imperatively (no attribute for type checkers)
    extras = group.extras  # pyright: ignore[reportAttributeAccessIssue]
    key = territories.organization_territory(dict(extras))
    return {"key": key, "label": territories.long_label(key, _lang()) if key else None}
