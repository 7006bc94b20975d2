"""Rules on resources of the publishing path (grandest_onboarding)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def _has_file(upload: Any) -> bool:
    if upload is None or isinstance(upload, (str, bytes)):
        return bool(upload) and not isinstance(upload, bytes) and bool(str(upload).strip())
    return bool(getattr(upload, "filename", None))


def refuse_empty_resource(resource: dict[str, Any]) -> None:
    """A resource with no file, no link and no name would be published as « Ressource sans nom » with nothing
    in it (the resource form sent empty): refused with a French message, nothing is created."""
    if _has_file(resource.get("upload")):
        return
    if str(resource.get("url") or "").strip() or str(resource.get("name") or "").strip():
        return
    raise tk.ValidationError({"url": [tk._(
        "Add a file (button « Upload ») or a link to a file before saving: a resource with no file, no link "
        "and no name cannot be published.")]})


def name_after_the_file(resource: dict[str, Any]) -> None:
    """A file uploaded without a name is named after the file (« subventions-2024.csv »): CKAN would publish it as
    « Ressource sans nom », which says nothing in the dataset, the report, the DCAT export and data.gouv.fr."""
    if str(resource.get("name") or "").strip():
        return
    upload = resource.get("upload")
    if not _has_file(upload) or isinstance(upload, str):
        return
    name = str(getattr(upload, "filename", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name:
        resource["name"] = name
