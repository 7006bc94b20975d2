"""Template path order shared by the plugins whose templates extend ckanext-scheming's."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p


def put_scheming_templates_behind_ours(config_: Any) -> None:
    """Our templates extend some of ckanext-scheming's (``{% ckan_extends %}``), so they must come first in the
    template path. CKAN runs IConfigurer in reverse plugin order and each plugin prepends its folder, which
    would put scheming's (listed before us) in front; registering scheming's folder first, behind ours, keeps
    the order right (scheming does not add a folder that is already there)."""
    if not (p.plugin_loaded("scheming_datasets") or p.plugin_loaded("scheming_organizations")):
        return
    import os

    import ckanext.scheming.plugins as scheming_plugins

    folder = os.path.join(os.path.dirname(scheming_plugins.__file__), "templates")
    paths = list(config_.get("plugin_template_paths") or [])
    if folder not in paths:
        config_["plugin_template_paths"] = [folder] + paths
