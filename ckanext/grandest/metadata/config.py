"""Typed getters of the grandest_metadata options (declared, with their defaults, in config_declaration.yaml)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from ckanext.grandest.common import options

AUTOCOMPLETE_LIMIT = "ckanext.grandest.metadata.autocomplete_limit"
LICENCES_FILE = "ckanext.grandest.metadata.licences_file"


def autocomplete_limit() -> int:
    return max(1, min(options.get_int(AUTOCOMPLETE_LIMIT), 50))


def shipped_licences_file() -> Path:
    return Path(str(resources.files("ckanext.grandest.schemas"))) / "licenses.json"


def licences_file_url(path: str | None = None) -> str:
    """``file://`` URL of the licence list the plugin gives ``licenses_group_url`` when the portal does not set
    it: ``path`` (or the ``ckanext.grandest.metadata.licences_file`` option), else the shipped list."""
    path = (options.get_str(LICENCES_FILE) if path is None else path.strip()) or str(shipped_licences_file())
    # a URL without spaces: the declaration's ``default(...)`` validator is written in one word
    return path.replace(" ", "%20") if "://" in path else Path(path).resolve().as_uri()
