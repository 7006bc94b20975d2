"""Plugin ``grandest_dcat``: DCAT-AP 3 export of the portal for data.gouv.fr.

Needs ckanext-dcat's ``dcat`` plugin (before it in ``ckan.plugins``) and the RDF profile of this package:
``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 grandest_dcat_ap``. Serves ``/catalog.{ttl,rdf,xml,jsonld,n3}``
(stable paging), chains ckanext-dcat's ``dcat_dataset_show``/``dcat_catalog_show`` so ``/dataset/<id>.ttl``
gives the same description, adds ``ckan grandest dcat export`` and the page ``/grandest/dcat`` telling regional
admins how to register the feed on data.gouv.fr.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.grandest.common import nav
from ckanext.grandest.common.i18n import GrandestTranslation
from ckanext.grandest.common.inputs import guarded_actions

if TYPE_CHECKING:
    from ckan.common import CKANConfig
    from ckan.config.declaration import Declaration, Key


@tk.blanket.actions(guarded_actions("ckanext.grandest.dcat.logic.action"))
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.helpers
class DcatPlugin(p.SingletonPlugin, GrandestTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)

    i18n_area = "dcat"

    # IConfigurer
    def update_config(self, config_: CKANConfig) -> None:
        # first the shared templates (header menu, form errors, focus ring) and scheming's behind them, then ours
        # in front: our templates extend scheming's (CKAN prepends each folder it is given)
        nav.add_shared_templates(config_)
        tk.add_template_directory(config_, "templates")

    # IConfigDeclaration
    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        path = Path(__file__).parent / "config_declaration.yaml"
        declaration.load_dict(yaml.safe_load(path.read_text(encoding="utf-8")))
        try:
            from ckanext.grandest.common.roles import declare_config
        except ImportError:  # pragma: no cover
            return
        declare_config(declaration, key)
