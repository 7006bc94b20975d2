"""The import stage of ``grandest_dcat_harvester``: one harvest object, one dataset written by CKAN's actions.

Datasets are created and updated with the normal ``package_create``/``package_update`` actions (so validation,
scheming and every ``IPackageController``/``IResourceController`` hook, grandest_validation's included, run as
for a dataset typed in the web form), and ckanext-dcat's ``IDCATRDFHarvester`` plugins get their
``before_create``/``after_create``/``before_update``/``after_update`` calls. A record whose content did not change
since the last harvest is left untouched ('not modified'). Existing datasets are looked up among those of the
same harvest source only, so two sources can never take over each other's datasets. New datasets are indexed by
batches (indexing.py).

:class:`ImportStage` is a mixin of the harvester class (plugin.py): it uses ckanext-harvest's and ckanext-dcat's
helpers (``_get_object_extra``, ``_save_object_error``, ``_get_user_name``, ``modify_package_dict``).
"""
from __future__ import annotations

import contextlib
import json
import logging
import traceback
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context
from ckan import model

from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.model import HarvestObject

from ckanext.grandest.harvest import indexing
from ckanext.grandest.metadata.logic.validators import HARVEST_CONTEXT_KEY
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

log = logging.getLogger(__name__)


#: set on a harvest object by :meth:`ImportStage.fetch_stage`: ckanext-harvest's queue imports it and commits it
#: right after the import (``fetch_and_import_stages``), so the import leaves the record's commit to it
QUEUE_COMMITS = "_grandest_queue_commits"


class _HarvestContext(Context, total=False):
    """The actions' context of a harvested record: marked for the metadata validators (HARVEST_CONTEXT_KEY)."""

    grandest_harvested: bool


assert HARVEST_CONTEXT_KEY == "grandest_harvested"

if TYPE_CHECKING:  # the harvester class the mixin goes into (its helpers are ckanext-dcat's and -harvest's)
    from ckanext.dcat.harvesters.rdf import DCATRDFHarvester as _Harvester
else:
    _Harvester = object


class ImportStage(_Harvester):
    """``fetch_stage`` and ``import_stage`` of the harvester (a mixin of ``GrandEstDCATHarvester``)."""

    def fetch_stage(self, harvest_object: Any) -> bool:
        """Nothing to fetch: the gather stored each record. Only ckanext-harvest's queue calls this, and it saves
        (commits) the object's state right after ``import_stage`` returns; other callers of ``import_stage``
        (``harvest_objects_import``, ``ckan harvester import``) commit nothing after it and get a committed
        record."""
        setattr(harvest_object, QUEUE_COMMITS, True)  # a plain attribute of this instance, never stored
        return True

    def import_stage(self, harvest_object: Any) -> bool | str:
        """One record. On CKAN 2.12 (batched indexing), imported by ckanext-harvest's queue (:meth:`fetch_stage`
        ran), a record written here is *not* committed: the queue saves the object (state ``COMPLETE``) and
        commits right after ``import_stage`` returns, so the dataset,
        its activity, its « to index » mark and the object's state go in one transaction (one less per record).
        Everything that can fail is flushed here, inside the import's error handling: a record refused or
        broken is rolled back alone (no partial dataset) and reported as an error. When a batch is to be indexed
        (a full batch, the job's last object), the record is committed first."""
        try:
            # CKAN 2.11 indexes every record at its commit: no Solr commit per record (indexing.py). On 2.12
            # only the writes that CKAN indexes itself (updates, deletions) need it
            with indexing.deferred_index_commit() if not indexing.batching() else contextlib.nullcontext():
                result = self._import(harvest_object)
        except Exception:
            model.Session.rollback()  # nothing of a record that broke the import is kept
            indexing.after_import(harvest_object)
            raise
        finally:
            harvest_object.__dict__.pop(QUEUE_COMMITS, None)  # once: a later direct import commits itself
        due = indexing.flush_due(harvest_object)
        if due and result:
            result = self._commit_record(harvest_object, result)
        indexing.after_import(harvest_object, due)  # a full batch, or the job's last object: indexed
        return result

    def _commit_record(self, harvest_object: Any, result: bool | str) -> bool | str:
        try:
            model.Session.commit()
            return result
        except Exception as e:
            return self._failed(harvest_object, harvest_object.guid, "Commit", e)

    def _failed(self, harvest_object: Any, title: str, step: str, error: Exception) -> bool:
        """A record that broke at ``step``: nothing of it is kept, the error is recorded on its object."""
        model.Session.rollback()
        log.error("%s of %s failed:\n%s", step, harvest_object.guid, traceback.format_exc())
        self._save_object_error(_("The dataset {title} was not imported: {error}").format(
            title=f"« {title[:150]} »", error=repr(error)[:500]), harvest_object, "Import")
        return False

    def _import(self, harvest_object: Any) -> bool | str:
        status = self._get_object_extra(harvest_object, "status")
        if status == "error":
            self._save_object_error(self._get_object_extra(harvest_object, "error") or _("Unreadable record."),
                                    harvest_object, "Import")
            return False
        context: _HarvestContext = {"user": self._get_user_name(), "ignore_auth": True,
                                           "grandest_harvested": True}  # HARVEST_CONTEXT_KEY
        if status == "delete":
            try:
                with indexing.deferred_index_commit():
                    tk.get_action("package_delete")(context.copy(), {"id": harvest_object.package_id})
                log.info("Deleted dataset %s (guid %s)", harvest_object.package_id, harvest_object.guid)
            except tk.ObjectNotFound:
                pass
            return True
        if not harvest_object.content:
            self._save_object_error(_("Empty record."), harvest_object, "Import")
            return False
        try:
            dataset = json.loads(harvest_object.content)
        except ValueError:
            self._save_object_error(_("Unreadable record."), harvest_object, "Import")
            return False
        dataset = self.modify_package_dict(dataset, {}, harvest_object)

        source_id = harvest_object.harvest_source_id or harvest_object.job.source_id
        # ckanext-harvest's model declares its columns untyped (Column[...] to type checkers)
        previous: Any = (model.Session.query(HarvestObject)
                    .filter(HarvestObject.guid == harvest_object.guid)
                    .filter(HarvestObject.harvest_source_id == source_id)
                    .filter(HarvestObject.current == True)  # noqa: E712
                    .filter(HarvestObject.id != harvest_object.id)
                    .first())
        existing = None
        if previous is not None and previous.package_id:
            pkg = model.Package.get(previous.package_id)
            if pkg is not None and pkg.state == "active":
                existing = pkg
        new_hash = self._get_object_extra(harvest_object, "content_hash")
        title = dataset.get("title") or harvest_object.guid

        if existing is not None and previous is not None and new_hash \
                and new_hash == self._get_object_extra(previous, "content_hash") \
                and existing.owner_org == dataset.get("owner_org"):
            previous.current = False
            harvest_object.current = True
            harvest_object.package_id = existing.id
            model.Session.add(previous)
            model.Session.add(harvest_object)
            _commit_unless_deferred(harvest_object)
            return "unchanged"

        tmp: dict[str, Any] = {}
        return self._write(harvest_object, dataset, existing, previous, context, tmp, title)

    def _write(self, harvest_object: Any, dataset: dict[str, Any], existing: Any, previous: Any,
               context: _HarvestContext, tmp: dict[str, Any], title: str) -> bool:
        try:
            if existing is not None:
                current = tk.get_action("package_show")({**context, "for_update": True}, {"id": existing.id})
                dataset["id"] = existing.id
                dataset["name"] = existing.name
                by_key = {}
                for res in current.get("resources", []):
                    for k in (res.get("uri"), res.get("url")):
                        if k:
                            by_key.setdefault(k, res["id"])
                for res in dataset.get("resources", []):
                    rid = by_key.get(res.get("uri")) or by_key.get(res.get("url"))
                    if rid:
                        res["id"] = rid
                for plugin in p.PluginImplementations(IDCATRDFHarvester):
                    plugin.before_update(harvest_object, dataset, tmp)
                _make_current(harvest_object, previous, existing.id)
                with indexing.deferred_index_commit():
                    tk.get_action("package_update")(context.copy(), dataset)
                hook, action = "after_update", "update"
            else:
                dataset["id"] = str(uuid.uuid4())
                for plugin in p.PluginImplementations(IDCATRDFHarvester):
                    plugin.before_create(harvest_object, dataset, tmp)
                if not indexing.batching():
                    # indexed at its commit (CKAN 2.11): the harvest plugin indexes the dataset with its *current*
                    # harvest object (harvest_source_id, what the source's own filter searches): link them first,
                    # in the same transaction. Batched (2.12), it is indexed after the record's commit
                    model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
                    _make_current(harvest_object, previous, dataset["id"])
                # neither shown nor committed by the action (nor indexed on 2.12: with its batch, indexing.py)
                create_context = indexing.create_context(context)
                with indexing.creating(harvest_object, dataset["id"]):  # one dictization for activity and index
                    tk.get_action("package_create")(create_context, dataset)
                indexing.mark_pending(harvest_object)  # committed with the record (or not at all)
                hook, action = "after_create", "create"
            for plugin in p.PluginImplementations(IDCATRDFHarvester):
                err = getattr(plugin, hook)(harvest_object, dataset, tmp)
                if err:
                    hook_error = err
                    break
            else:
                hook_error = None
            if hook_error is None:
                if previous is not None:
                    previous.current = False
                    model.Session.add(previous)
                # what the database refuses (the dataset, its activity, its mark) is refused here, inside the
                # import's error handling, not at ckanext-harvest's commit of the object
                model.Session.flush()
        except tk.ValidationError as e:
            model.Session.rollback()
            self._save_object_error(_("The dataset {title} was not imported: {errors}").format(
                title=f"« {title[:150]} »", errors=_error_summary(e, dataset)), harvest_object, "Import")
            return False
        except Exception as e:
            return self._failed(harvest_object, title, "Import", e)

        if hook_error is not None:
            # as ckanext-dcat's harvester: the dataset written stays (committed with the error), the object errs
            self._save_object_error(_("Harvester extension error: {error}").format(error=hook_error),
                                    harvest_object, "Import")
            return False
        # the object becomes the dataset's current one: written with ckanext-harvest's update of its state
        harvest_object.current = True
        harvest_object.package_id = dataset["id"]
        model.Session.add(harvest_object)
        _commit_unless_deferred(harvest_object)
        log.info("Harvest: %sd dataset %s", action, dataset.get("name"))
        return True


def _commit_unless_deferred(harvest_object: Any) -> None:
    """Commit the record, except on CKAN 2.12 (batched indexing) when ckanext-harvest's queue imports it: its
    save of the object, right after ``import_stage`` returns, commits the record with the object's state (one
    transaction per record); :meth:`ImportStage.import_stage` commits it for other callers."""
    if not (indexing.batching() and getattr(harvest_object, QUEUE_COMMITS, False)):
        model.Session.commit()


def _make_current(harvest_object: Any, previous: Any, package_id: str) -> None:
    """The new harvest object becomes the dataset's current one before the dataset is written (and
    indexed); a failed write rolls this back with the rest."""
    if previous is not None:
        previous.current = False
        model.Session.add(previous)
    harvest_object.current = True
    harvest_object.package_id = package_id
    model.Session.add(harvest_object)
    model.Session.flush()


def _resource_errors(dataset: dict[str, Any], errors: Any) -> list[str]:
    """One French sentence per refused resource: which one (its name, else its address) and why."""
    out = []
    resources = dataset.get("resources") or []
    for i, res_errors in enumerate(errors if isinstance(errors, list) else []):
        if not res_errors:
            continue
        res = resources[i] if i < len(resources) else {}
        name = (res.get("name") or res.get("url") or str(i + 1))[:150]
        why = " ; ".join(f"{field} : {' '.join(str(m) for m in msgs) if isinstance(msgs, list) else msgs}"
                         for field, msgs in res_errors.items())
        out.append(_("file « {name} »: {errors}").format(name=name, errors=why[:400]))
    return out


def _error_summary(e: Any, dataset: dict[str, Any] | None = None) -> str:
    parts = []
    error_dict = getattr(e, "error_dict", None) or {}
    if dataset is not None and error_dict.get("resources"):
        parts.extend(_resource_errors(dataset, error_dict["resources"]))
    summary = getattr(e, "error_summary", None) or {}
    for field, msg in summary.items():
        if parts and field.lower().startswith(("resources", "ressources")):
            continue  # said above, resource by resource
        parts.append(f"{field} : {msg}")
    if not parts:
        parts.append(str(getattr(e, "error_dict", e))[:500])
    return " ; ".join(parts)[:1000]
