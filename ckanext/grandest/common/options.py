"""Typed reads of declared config options.

Each plugin declares its options, with their type and default, in its ``config_declaration.yaml``: that file is
the one source of the defaults. Once the declarations are loaded CKAN fills the options a portal leaves out with
their declared default and converts the values of the ini file to the declared type (``int``, ``bool``,
``list``), refusing to start on a value that does not convert. These readers only coerce with CKAN's own
converters (``asint``, ``asbool``, ``aslist``): values set at run time (``config[...] = "5"``, the test suite's
``ckan_config`` marker) bypass CKAN's conversion. No default here: an option read through them must be declared
(``tests/test_config.py`` checks it).
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def get_str(key: str) -> str:
    """The option's text, stripped ('' for an empty or null value)."""
    value = tk.config.get(key)
    return "" if value is None else str(value).strip()


def get_int(key: str) -> int:
    return tk.asint(tk.config.get(key))


def get_bool(key: str) -> bool:
    return tk.asbool(tk.config.get(key))


def get_list(key: str) -> list[str]:
    """The option's values, as CKAN's ``list`` options (space-separated in the ini file), empty ones left out."""
    return [text for text in (str(v).strip() for v in tk.aslist(tk.config.get(key))) if text]
