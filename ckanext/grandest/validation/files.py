"""The file of a resource and the schema it declares, as the engine takes them: shared by the validation job
(:mod:`.jobs`) and the automatic repairs (:mod:`.repairs`), which both read a resource's file."""
from __future__ import annotations

import json
from typing import Any

from ckanext.grandest.common.i18n import N_, default_translator

from .engine import FetchResult, local_file, streamed_file

NO_STORAGE = N_("The uploaded file cannot be found on the server (no storage configured).")


def file_name(res: dict[str, Any]) -> str | None:
    """The name of the file at the end of the resource's URL (an upload's original name)."""
    url = str(res.get("url") or "").split("?", 1)[0].split("#", 1)[0]
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return name or None


def schema_ref(res: dict[str, Any]) -> str | dict[str, Any] | None:
    """The schema to check against: a national schema id (``scdl/deliberations@2.1.5``), a URL, or a
    publisher's Table Schema (a dict, or its JSON text)."""
    schema = res.get("schema")
    if not schema:
        return None
    if isinstance(schema, dict):
        return schema
    text = str(schema).strip()
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError:
            return text
        return loaded if isinstance(loaded, dict) else None
    version = str(res.get("schema_version") or "").strip()
    if version and "@" not in text and not text.startswith(("http://", "https://")):
        text = f"{text}@{version}"
    return text


def uploaded_file(res: dict[str, Any], limits: Any) -> FetchResult:
    """The uploaded file of ``res``, from the portal's resource store: read in place on a local disk, streamed
    to a temporary copy from a configured storage (CKAN 2.12: S3...)."""
    from ckanext.grandest.common import filestore

    url = str(res.get("url") or "")
    store = filestore.resource_files()
    if store is None:
        message = default_translator("validation").gettext(NO_STORAGE)
        return FetchResult(url=url, uploaded=True, error_code="not-found", error_message=message)
    location = store.location(res["id"])
    path = store.local_path(location)
    if path is not None:
        return local_file(path, url=res.get("url"), limits=limits)
    return streamed_file(store.chunks(location), url=url, limits=limits)
