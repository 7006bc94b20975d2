"""grandest_metadata: the Grand Est metadata schemas (ckanext-scheming), their vocabularies, validators,
labels, territory picker, search facets and the ``ckan grandest metadata audit`` command.

Needs ``scheming_datasets`` and ``scheming_organizations`` loaded before it. Its config declaration gives the
scheming options their Grand Est defaults (``scheming.dataset_schemas = ckanext.grandest.schemas:dataset.yaml``,
``scheming.organization_schemas = ckanext.grandest.schemas:organization.yaml``,
``scheming.presets = ckanext.scheming:presets.json ckanext.grandest.schemas:presets.yaml``) and
``licenses_group_url`` our licence list: a portal sets them only to use others.
"""
from __future__ import annotations

import inspect
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import yaml

from ckanext.grandest.common import cache
from ckanext.grandest.common import nav
from ckanext.grandest.common.i18n import GrandestTranslation
from ckanext.grandest.common.inputs import guarded_actions
from ckanext.grandest.metadata import config as md_config
from ckanext.grandest.metadata import search
from ckanext.grandest.metadata.helpers import (FACET_COMMUNE, FACET_DEPARTEMENT, FACET_EPCI, FACET_FREQUENCY,
                                               FACET_THEME, grandest_lang)

if TYPE_CHECKING:
    from ckan.common import CKANConfig
    from ckan.config.declaration import Declaration, Key


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


#: the scheming options whose empty value means their declared default (the Grand Est schema)
SCHEMA_OPTIONS = ("scheming.dataset_schemas", "scheming.organization_schemas")
OUR_SCHEMAS = "ckanext.grandest.schemas:"
OUR_PRESETS = "ckanext.grandest.schemas:presets.yaml"


def declare_options(declaration: Declaration, key: Key) -> None:
    """Our options (``config_declaration.yaml``), and the defaults that make turning the plugin on enough (one
    line of ``ckan.plugins``): the scheming options a portal leaves out (or empty) get the Grand Est schemas and
    presets, ``licenses_group_url`` our licence list. CKAN fills and converts them from these declarations
    before any plugin reads them, so the plugin never writes to the config. A scheming option another plugin
    already declares is left to it."""
    data = yaml.safe_load(Path(__file__).with_name("config_declaration.yaml").read_text(encoding="utf-8"))
    for group in data["groups"]:
        group["options"] = [option for option in group["options"] if option["key"] not in declaration]
    declaration.load_dict(data)
    for name in SCHEMA_OPTIONS:
        option = declaration[key.from_string(name)]
        if option.default:
            option.append_validators(f"default({option.default!r})")  # empty: the declared default too
    licences = declaration[key.licenses_group_url]
    url = md_config.licences_file_url(str(tk.config.get(md_config.LICENCES_FILE, None) or ""))
    licences.set_default(url)
    licences.append_validators(f"default({url!r})")


def check_presets(config_: CKANConfig) -> None:
    """The Grand Est schemas need our presets: a portal that uses one of them with ``scheming.presets`` set
    without ours does not start (scheming would fail on the first unknown preset, less clearly)."""
    uses_ours = any(OUR_SCHEMAS in str(config_.get(name) or "") for name in SCHEMA_OPTIONS)
    if uses_ours and OUR_PRESETS not in str(config_.get("scheming.presets") or "").split():
        from ckan.exceptions import CkanConfigurationException

        raise CkanConfigurationException(
            f"grandest_metadata: scheming.presets must list {OUR_PRESETS} (after ckanext.scheming:presets.json) "
            "when a Grand Est schema is used; leave scheming.presets out to get both.")


@tk.blanket.actions(guarded_actions("ckanext.grandest.metadata.logic.action"))
@tk.blanket.auth_functions
@tk.blanket.validators(_validators)
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
class MetadataPlugin(p.SingletonPlugin, GrandestTranslation):
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    i18n_area = "metadata"

    # IMiddleware
    def make_middleware(self, app: Any, config: Any) -> Any:
        # anonymous public pages go out without a session cookie a shared cache would refuse (common/cache.py)
        return cache.install(app)

    # IConfigurer
    def update_config(self, config_: CKANConfig) -> None:
        check_presets(config_)  # runs before scheming reads them (CKAN calls IConfigurer in reverse order)
        # first the shared templates (header menu, form errors, focus ring) and scheming's behind them, then ours
        # in front: our templates extend scheming's (CKAN prepends each folder it is given)
        nav.add_shared_templates(config_)
        tk.add_template_directory(config_, "templates")
        tk.add_public_directory(config_, "public")  # /grandest/logo-datagrandest.svg (ckan.site_logo)
        tk.add_resource("assets", "grandest_metadata")
        # the licence list may have changed with the plugins (licenses_group_url's declared default): CKAN reads
        # it again on first use
        from ckan import model
        if "_license_register" in vars(model.Package):
            del model.Package._license_register

    # IConfigDeclaration
    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        declare_options(declaration, key)

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
