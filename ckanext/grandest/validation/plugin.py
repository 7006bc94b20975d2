"""grandest_validation: every resource validated in the background and scored, with a report in plain French.

* When a resource is created, or its file, link or declared schema changes, a job is queued on
  ``grandest:validation`` (the request does not wait); metadata-only edits only re-compute the scores.
* Reports and scores live in the plugin's own tables (``model.py``); resources are never modified. Scores
  reach Solr through ``before_dataset_index`` (facets and sorts by band/score).
* Pages: the report of a resource (``/dataset/<id>/resource/<rid>/validation``), the quality of a dataset
  (``/dataset/<id>/quality``), of an organization (``/organization/<id>/quality``) and of the region
  (``/quality``, regional admins); badges on dataset and resource pages and in dataset lists.

Run a worker on the queue: ``ckan jobs worker default grandest:validation``.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.grandest.common import nav, roles
from ckanext.grandest.common.i18n import GrandestTranslation, default_translator
from ckanext.grandest.common.inputs import guarded_actions

from . import scoring
from .dbguard import guarded

if TYPE_CHECKING:
    from ckan.common import CKANConfig
    from ckan.config.declaration import Declaration, Key

log = logging.getLogger(__name__)


def _facets(facets_dict: "OrderedDict[str, Any]") -> "OrderedDict[str, Any]":
    facets_dict[scoring.INDEX_DATA_BAND] = tk._("Data quality")
    facets_dict[scoring.INDEX_METADATA_BAND] = tk._("Metadata quality")
    return facets_dict


@tk.blanket.actions(lambda: {**guarded_actions("ckanext.grandest.validation.logic.action")(),
                             **guarded_actions("ckanext.grandest.validation.logic.repair")()})
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
class ValidationPlugin(GrandestTranslation, p.SingletonPlugin):
    i18n_area = "validation"

    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer

    def update_config(self, config_: CKANConfig) -> None:
        # first the shared templates (header menu, form errors, focus ring) and scheming's behind them, then ours
        # in front: our templates extend scheming's (CKAN prepends each folder it is given)
        nav.add_shared_templates(config_)
        tk.add_template_directory(config_, "templates")
        tk.add_resource("assets", "grandest_validation")
        from ckanext.grandest.common.mail import normalize_mail_from

        normalize_mail_from(config_)

    # IConfigurable

    def configure(self, config_: CKANConfig) -> None:
        from . import jobs, registry
        from .engine import set_translator

        jobs.listen()  # the runs a transaction creates are queued once it commits
        registry.install()  # the resource form, validators and engine read the schema registry
        # the engine (no CKAN import) writes through the area's catalog in the portal's default language: its
        # reports and scores are stored (by the worker, or in the request that edits a dataset) and read by all
        translator = default_translator(self.i18n_area)
        set_translator(translator.gettext, translator.ngettext)

    # IConfigDeclaration: our options, plus the shared regional-admins option

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        source = Path(__file__).with_name("config_declaration.yaml")
        declaration.load_dict(yaml.safe_load(source.read_text(encoding="utf-8")))
        roles.declare_config(declaration, key)

    # IPackageController: queue validations (or a re-scoring) with the transaction that changed the dataset

    def _note(self, context: Any, package_id: str | None, **kwargs: Any) -> list[str]:
        if not package_id:
            return []
        from . import scheduler

        try:
            # in a savepoint: a missing table (migrations not applied) must not abort the publication's
            # transaction; `rescore`/`recover` catch up once the tables exist
            return guarded("queuing the checks of a dataset", scheduler.note_package, package_id,
                           actor=str(context.get("user") or "") or None, default=[], **kwargs)
        except Exception:  # never break the publication of a dataset
            log.exception("grandest_validation: could not queue the checks of dataset %s", package_id)
            return []

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        self._note(context, pkg_dict.get("id"))

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        self._note(context, pkg_dict.get("id"))

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        for name in scoring.INDEX_FIELDS:
            pkg_dict.pop(name, None)
        try:
            pkg_dict.update(guarded("indexing the scores of a dataset", scoring.index_fields, pkg_dict.get("id"),
                                    default={}))
        except Exception:  # the scores must never stop indexing
            log.exception("grandest_validation: could not read the scores of %s", pkg_dict.get("id"))
        return pkg_dict

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        from . import helpers

        facets = search_results.get("search_facets") or {}
        for field in (scoring.INDEX_DATA_BAND, scoring.INDEX_METADATA_BAND):
            for item in (facets.get(field) or {}).get("items", []):
                item["display_name"] = helpers.grandest_validation_band_label(item.get("name"))
        try:
            helpers.prefetch_datasets([r["id"] for r in search_results.get("results") or []
                                       if isinstance(r, dict) and r.get("id")])
        except Exception:  # badges are a nicety: never break a search (database errors are caught inside)
            log.exception("grandest_validation: could not read the scores of the results")
        return search_results

    # IResourceController: the resource's own path (the dataset hook already ran; this catches direct
    # changes that bypassed it and never queues twice: same fingerprint, nothing to do)

    def _after_resource(self, context: Any, resource: dict[str, Any], trigger: str) -> None:
        if self._note(context, resource.get("package_id"), resource_trigger=trigger, score_if_unchanged=False):
            model.Session.commit()

    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        self._after_resource(context, resource, "create")

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        self._after_resource(context, resource, "update")

    def after_resource_delete(self, context: Any, resources: list[dict[str, Any]]) -> None:
        """The original kept by an automatic repair goes with its resource (see :mod:`.repairs`)."""
        from . import repairs

        deleted = context.pop("grandest_repair_deleted", None)  # type: ignore[misc]
        if deleted:
            repairs.remove_originals(deleted)

    def before_resource_delete(self, context: Any, resource: dict[str, Any], resources: list[dict[str, Any]]) -> None:
        context["grandest_repair_deleted"] = resource.get("id")  # type: ignore[index]

    # IFacets

    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return _facets(facets_dict)

    def organization_facets(self, facets_dict: Any, organization_type: str, package_type: str) -> Any:
        return _facets(facets_dict)
