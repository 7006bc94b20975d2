"""``grandest_dcat_harvester``: a hardened DCAT RDF harvester that maps records to the Grand Est schema.

It subclasses ckanext-dcat's ``DCATRDFHarvester`` (so ``IDCATRDFHarvester`` plugins still get their
create/update hooks) and changes what matters for a regional portal, each stage in its module:

* gather.py: pages fetched and parsed safely (size, time, redirect and page caps, loop detection, XXE checks),
  one harvest object per record, a record that cannot be read reported alone, deletions only when the whole
  feed was read;
* importer.py: datasets written by the normal ``package_create``/``package_update`` actions (validation,
  scheming, every plugin hook), unchanged records left untouched, lookups limited to the same source;
* indexing.py: new datasets indexed by batches with one Solr commit, a finished job searchable;
* source_config.py: the source configuration (JSON) checked with French messages.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester

from ckanext.grandest.common import compat
from ckanext.grandest.common.i18n import GrandestTranslation, request_translator
from ckanext.grandest.harvest import report as hreport
from ckanext.grandest.harvest.gather import GatherStage, content_hash  # noqa: F401 (content_hash: public name)
from ckanext.grandest.harvest.importer import ImportStage, _error_summary  # noqa: F401 (used by tests)
from ckanext.grandest.harvest.source_config import CONFIG_KEYS, SOURCE_TYPE, parse_source_config  # noqa: F401

if TYPE_CHECKING:
    from ckan.common import CKANConfig
    from ckan.config.declaration import Declaration, Key

_ = request_translator("harvest").gettext


@tk.blanket.auth_functions
@tk.blanket.actions
class GrandEstDCATHarvester(GatherStage, ImportStage, DCATRDFHarvester, GrandestTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurer, inherit=True)
    p.implements(p.ITemplateHelpers, inherit=True)
    i18n_area = "harvest"

    # IConfigurer, ITemplateHelpers: the job page lists, per record, what was inferred or defaulted; the dataset
    # page says when the territory was inferred from the organization
    def update_config(self, config_: CKANConfig) -> None:
        # our job page extends ckanext-harvest's ({% ckan_extends %}): its folder must come after ours. CKAN
        # calls IConfigurer in reverse plugin order and each plugin prepends its folder (harvest is listed
        # before us); registering harvest's folder first keeps it behind (it is not added twice)
        import os

        import ckanext.harvest

        folder = os.path.join(os.path.dirname(ckanext.harvest.__file__), "templates")
        paths = list(config_.get("plugin_template_paths") or [])
        if os.path.isdir(folder) and folder not in paths:
            config_["plugin_template_paths"] = [folder] + paths
        tk.add_template_directory(config_, "templates")
        # the gather and fetch consumers must survive waiting for work on CKAN 2.12's redis-py 8
        compat.keep_harvest_consumers_waiting()

    def get_helpers(self) -> dict[str, Any]:
        return {"grandest_harvest_job_notes": hreport.job_notes,
                "grandest_harvest_inferred": hreport.inferred_codes}

    def __new__(cls, *args: Any, **kwargs: Any) -> "GrandEstDCATHarvester":
        # SingletonPlugin keeps its instance in ``cls._instance`` and tests it with hasattr(), which also sees
        # the attribute of the parent class: once ckanext-dcat's DCATRDFHarvester was instantiated (e.g.
        # dcat_rdf_harvester loaded earlier in the process) this class would get *that* instance.
        if "_instance" not in cls.__dict__:
            cls._instance = object.__new__(cls)
        return cls._instance

    # IConfigDeclaration ----------------------------------------------------------------------------------
    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        import pathlib

        import yaml

        from ckanext.grandest.common import roles

        path = pathlib.Path(__file__).with_name("config_declaration.yaml")
        with path.open("rb") as f:
            declaration.load_dict(yaml.safe_load(f))
        roles.declare_config(declaration, key)

    # IHarvester ------------------------------------------------------------------------------------------
    def info(self) -> dict[str, str]:
        return {
            "name": SOURCE_TYPE,
            "title": _("DCAT feed (Grand Est)"),
            "description": _("Harvests a DCAT / DCAT-AP / GeoDCAT-AP feed (Turtle, RDF/XML or JSON-LD, Hydra "
                             "paging) or a CSW catalogue (GeoNetwork, Géo-IDE: DCAT or ISO 19139 records) into the "
                             "Grand Est schema. Regional administrators only; the source belongs to a commune or "
                             "an EPCI."),
            "form_config_interface": "Text",
        }

    def validate_config(self, source_config: str | None) -> str | None:
        parse_source_config(source_config)
        return source_config
