"""Typed getters of the grandest_metadata options (declared in config_declaration.yaml)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import ckan.plugins.toolkit as tk

AUTOCOMPLETE_LIMIT = "ckanext.grandest.metadata.autocomplete_limit"
LICENCES_FILE = "ckanext.grandest.metadata.licences_file"


def autocomplete_limit() -> int:
    return max(1, min(int(tk.config.get(AUTOCOMPLETE_LIMIT) or 10), 50))


def shipped_licences_file() -> Path:
    return Path(str(resources.files("ckanext.grandest.schemas"))) / "licenses.json"


def licences_file_url() -> str:
    """``file://`` URL of the licence list to use when ``licenses_group_url`` is not set."""
    path = tk.config.get(LICENCES_FILE) or str(shipped_licences_file())
    return path if "://" in path else "file://" + str(Path(path).resolve())
