"""grandest_metadata: the Grand Est metadata schemas (ckanext-scheming), their vocabularies, validators,
labels, territory picker, search facets and the ``ckan grandest metadata audit`` command.

Needs ``scheming_datasets`` and ``scheming_organizations`` loaded before it, with
``scheming.dataset_schemas = ckanext.grandest.schemas:dataset.yaml``,
``scheming.organization_schemas = ckanext.grandest.schemas:organization.yaml`` and
``scheming.presets = ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml``.
"""
from __future__ import annotations

import inspect
from collections import OrderedDict
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.grandest.common import cache
from ckanext.grandest.common import nav
from ckanext.grandest.common.i18n import GrandestTranslation
from ckanext.grandest.common.inputs import guarded_actions
from ckanext.grandest.metadata import config as md_config
from ckanext.grandest.metadata import search
from ckanext.grandest.metadata.helpers import (FACET_COMMUNE, FACET_DEPARTEMENT, FACET_EPCI, FACET_FREQUENCY,
                                               FACET_THEME, grandest_lang)


def _facet_titles() -> list[tuple[str, str]]:
    return [
        (FACET_DEPARTEMENT, tk._("Département")),
        (FACET_EPCI, tk._("Inter-municipality (EPCI)")),
        (FACET_COMMUNE, tk._("Municipality")),
        (FACET_THEME, tk._("Theme")),
        ("tags", tk._("Keywords")),
        ("res_format", tk._("Formats")),
        ("license_id", tk._("Licences")),
        (FACET_FREQUENCY, tk._("Update frequency")),
    ]


def _with_our_facets(facets_dict: "OrderedDict[str, Any]", keep_organization: bool) -> "OrderedDict[str, Any]":
    out: OrderedDict[str, Any] = OrderedDict()
    if keep_organization and "organization" in facets_dict:
        out["organization"] = facets_dict["organization"]
    for field, title in _facet_titles():
        out[field] = title
    for field, title in facets_dict.items():  # facets of other plugins (groups, scores...) stay, after ours
        if field not in out and (keep_organization or field != "organization"):
            out[field] = title
    return out


def _validators() -> dict[str, Any]:
    """The ``grandest_*`` validators: field validators (``logic/validators.py``) and the checks across fields
    (``logic/cross_field.py``)."""
    from ckanext.grandest.metadata.logic import cross_field, validators

    return {name: func for module in (validators, cross_field) for name, func in vars(module).items()
            if name.startswith("grandest_") and inspect.isfunction(func) and func.__module__ == module.__name__}


#: scheming options the plugin fills when the portal leaves them out
SCHEMING_DEFAULTS = {
    "scheming.dataset_schemas": "ckanext.grandest.schemas:dataset.yaml",
    "scheming.organization_schemas": "ckanext.grandest.schemas:organization.yaml",
}
OUR_PRESETS = "ckanext.grandest.schemas:presets.yaml"


def _default_to_our_schemas(config_: Any) -> None:
    """Turning the plugin on is enough (one line of ``ckan.plugins``): a scheming option the portal leaves out
    gets the Grand Est schema, and our presets are added whenever one of our schemas is used. A value the
    portal sets is never changed. Runs before scheming reads these options (CKAN calls IConfigurer in reverse
    plugin order, and grandest_metadata is listed after scheming)."""
    for key, ours in SCHEMING_DEFAULTS.items():
        if not str(config_.get(key, "") or "").strip():
            config_[key] = ours
    uses_ours = any("ckanext.grandest.schemas:" in str(config_.get(key, "") or "") for key in SCHEMING_DEFAULTS)
    presets = str(config_.get("scheming.presets", "") or "ckanext.scheming:presets.json").split()
    if uses_ours and OUR_PRESETS not in presets:
        config_["scheming.presets"] = " ".join(presets + [OUR_PRESETS])


@tk.blanket.actions(guarded_actions("ckanext.grandest.metadata.logic.action"))
@tk.blanket.auth_functions
@tk.blanket.validators(_validators)
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
class MetadataPlugin(p.SingletonPlugin, GrandestTranslation):
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    i18n_area = "metadata"

    # IMiddleware
    def make_middleware(self, app: Any, config: Any) -> Any:
        # anonymous public pages go out without a session cookie a shared cache would refuse (common/cache.py)
        return cache.install(app)

    # IConfigurer
    def update_config(self, config_: Any) -> None:
        _default_to_our_schemas(config_)
        # first the shared templates (header menu, form errors, focus ring) and scheming's behind them, then ours
        # in front: our templates extend scheming's (CKAN prepends each folder it is given)
        nav.add_shared_templates(config_)
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")  # /grandest/logo-datagrandest.svg (ckan.site_logo)
        tk.add_resource("assets", "grandest_metadata")
        if not config_.get("licenses_group_url"):
            # our licence list (the licences data.gouv.fr recognises) unless the portal chose another one
            config_["licenses_group_url"] = md_config.licences_file_url()
            from ckan import model
            if "_license_register" in vars(model.Package):
                del model.Package._license_register

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.before_dataset_index(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return search.label_facets(search_results, grandest_lang())

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return _with_our_facets(facets_dict, keep_organization=True)

    def organization_facets(self, facets_dict, organization_type, package_type):
        return _with_our_facets(facets_dict, keep_organization=False)
