"""The configuration of a Grand Est DCAT harvest source (JSON typed in the source form), checked with French
messages: ``rdf_format`` (turtle, xml, json-ld, nt, n3), ``deleted_records`` (``delete`` by default, or
``keep``), ``max_pages`` (at most the portal's cap), ``default_license_id`` (licence given to records that state
none), and the CSW options of formats.py."""
from __future__ import annotations

import json
from typing import Any

from ckanext.grandest.harvest import formats as hformats
from ckanext.grandest.harvest import rdf as hrdf
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

SOURCE_TYPE = "grandest_dcat"
CONFIG_KEYS = {"rdf_format", "deleted_records", "max_pages", "default_license_id"}
CONFIG_KEYS |= hformats.CONFIG_KEYS  # format, csw_output_schema, csw_page_size (see formats.py)


def parse_source_config(text: str | None) -> dict[str, Any]:
    """The source configuration as a dict; ValueError with a French message if it is not valid."""
    if not text or not str(text).strip():
        return {}
    try:
        cfg = json.loads(text)
    except ValueError:
        raise ValueError(_('The configuration must be JSON, for example {"deleted_records": "keep"}.'))
    if not isinstance(cfg, dict):
        raise ValueError(_('The configuration must be JSON, for example {"deleted_records": "keep"}.'))
    unknown = sorted(set(cfg) - CONFIG_KEYS)
    if unknown:
        raise ValueError(_("Unknown configuration option(s): {names}. Known options: {known}.").format(
            names=", ".join(unknown), known=", ".join(sorted(CONFIG_KEYS))))
    if "rdf_format" in cfg and not hrdf.normalize_format(cfg["rdf_format"] if isinstance(
            cfg["rdf_format"], str) else None):
        raise ValueError(_("rdf_format must be one of: turtle, xml, json-ld, nt, n3."))
    if cfg.get("deleted_records", "delete") not in ("delete", "keep"):
        raise ValueError(_('deleted_records must be "delete" or "keep".'))
    if "max_pages" in cfg:
        mp = cfg["max_pages"]
        if not isinstance(mp, int) or isinstance(mp, bool) or mp < 1:
            raise ValueError(_("max_pages must be a whole number of at least 1."))
    if "default_license_id" in cfg:
        from ckanext.grandest.metadata import vocabularies as voc

        if cfg["default_license_id"] not in voc.LICENCE_IDS or cfg["default_license_id"] == voc.OTHER_LICENCE:
            raise ValueError(_("default_license_id must be one of: {ids}.").format(
                ids=", ".join(i for i in voc.LICENCE_IDS if i != voc.OTHER_LICENCE)))
    hformats.validate_config(cfg)
    return cfg
