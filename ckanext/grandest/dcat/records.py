"""What the DCAT feeds read of the portal beside the datasets themselves: the organizations of a page of datasets
(with their schema fields) and the date of the catalogue's last change. Used by the feeds (``pages.py``, ``catalog.py``) and by
the profile's writer (``nodes.py``) when another caller hands it a dataset without its full organization."""
from __future__ import annotations

from ckanext.grandest.common import compat


def organizations(ids: list[str]) -> dict[str, dict]:
    """``{id: organization dict}`` with the schema fields (group extras) of the active organizations ``ids``;
    one query for the organizations and one for their extras, however many datasets share them."""
    from ckan import model

    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    out: dict[str, dict] = {}
    group = model.Group
    rows = (model.Session.query(group.id, group.name, group.title, group.description, group.image_url,
                                group.type, group.state)
            .filter(group.id.in_(wanted)).all())
    for gid, name, title, description, image_url, gtype, state in rows:
        out[gid] = {"id": gid, "name": name, "title": title, "description": description, "image_url": image_url,
                    "type": gtype, "state": state, "_grandest_full": True}
    if out:
        for group_id, key, value in compat.organization_extras(list(out)):
            if key not in out[group_id]:
                out[group_id][key] = value
    return out


def last_modification() -> str | None:
    """``metadata_modified`` of the most recently modified public dataset (None for an empty catalog)."""
    import ckan.plugins.toolkit as tk

    result = tk.get_action("package_search")(
        {"ignore_auth": True},
        {"q": "*:*", "rows": 1, "sort": "metadata_modified desc", "fl": ["metadata_modified"],
         "fq_list": ["-dataset_type:harvest", "-dataset_type:showcase"], "include_private": False},
    )
    rows = result.get("results") or []
    return rows[0].get("metadata_modified") if rows else None
