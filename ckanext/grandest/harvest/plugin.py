"""``grandest_dcat_harvester``: a hardened DCAT RDF harvester that maps records to the Grand Est schema.

It subclasses ckanext-dcat's ``DCATRDFHarvester`` (so ``IDCATRDFHarvester`` plugins still get their
create/update hooks) and changes what matters for a regional portal:

gather
    Pages are fetched by :class:`~ckanext.grandest.harvest.fetch.SafeFetcher` (http(s) only, no private or
    loopback targets, size, time and redirect caps) and parsed by :mod:`~ckanext.grandest.harvest.rdf`
    (XXE and entity-expansion checks, JSON-LD contexts fetched safely, HTML refused). Hydra paging is followed
    with a page cap and loop detection (same URL or same content twice). Each record is parsed on its own:
    a record that cannot be read becomes an errored harvest object with a French message, the others go on.
    Datasets that left the feed are deleted (or kept, ``"deleted_records": "keep"``) only when the whole
    feed was read.
import
    Datasets are created and updated with the normal ``package_create``/``package_update`` actions (so
    validation, scheming and every ``IPackageController``/``IResourceController`` hook, grandest_validation's
    included, run as for a dataset typed in the web form). A record whose content did not change since the
    last harvest is left untouched ('not modified'). Existing datasets are looked up among those of the same
    harvest source only, so two sources can never take over each other's datasets.

Source configuration (JSON, optional): ``rdf_format`` (turtle, xml, json-ld, nt, n3), ``deleted_records``
(``delete`` by default, or ``keep``), ``max_pages`` (at most the portal's cap), ``default_license_id`` (licence
given to records that state none).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
import traceback
import uuid
from typing import Any, Iterator

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.grandest.common import compat
from ckanext.grandest.common.i18n import GrandestTranslation, request_translator
from ckanext.grandest.harvest import config as hconfig
from ckanext.grandest.harvest import formats as hformats
from ckanext.grandest.harvest import rdf as hrdf
from ckanext.grandest.harvest import report as hreport
from ckanext.grandest.harvest.access import territory_of_organization
from ckanext.grandest.harvest.fetch import FetchError, Limits, SafeFetcher
from ckanext.grandest.metadata.logic.validators import HARVEST_CONTEXT_KEY

_ = request_translator("harvest").gettext

log = logging.getLogger(__name__)

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


@contextlib.contextmanager
def deferred_index_commit(commit_now: Any) -> Iterator[None]:
    """Creating a dataset with resources indexes it twice in one database commit (CKAN notifies the new
    dataset, then the same dataset again as "changed" through its new resources), and by default each index
    write asks Solr for a full commit and waits for the new searcher: most of the time of a harvest.

    While a harvested record is written, index writes are sent without commit (``ckan.search.solr_commit``,
    CKAN's own option, scoped to this block of this single-threaded consumer). Solr's auto soft commit (3 s in
    CKAN's solrconfig) makes them searchable meanwhile, and the last record of a job ends with one explicit
    commit (``commit_now()`` true), so a finished job is fully searchable at once. Same documents in the same
    real Solr, far less waiting."""
    key = "ckan.search.solr_commit"
    before = tk.config.get(key, True)
    if not tk.asbool(before):
        yield
        return
    tk.config[key] = False
    try:
        yield
    finally:
        tk.config[key] = before
        try:
            if commit_now():
                from ckan.lib import search

                search.commit()
        except Exception:  # the next write or Solr's auto commit makes it visible anyway
            log.warning("Solr commit after a harvested record failed", exc_info=True)


def _last_of_job(harvest_object: Any) -> bool:
    """True when no other object of the job waits to be fetched or imported."""
    pending = (model.Session.query(HarvestObject.id)
               .filter(HarvestObject.harvest_job_id == harvest_object.harvest_job_id)
               .filter(HarvestObject.id != harvest_object.id)
               .filter(HarvestObject.state.in_(("WAITING", "FETCH", "IMPORT")))
               .limit(1).first())
    return pending is None


def content_hash(dataset: dict[str, Any]) -> str:
    """Hash of what a record would write (the generated name excluded): equal hashes, nothing to update."""
    data = {k: v for k, v in dataset.items() if k not in ("name", "id")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@tk.blanket.auth_functions
@tk.blanket.actions
class GrandEstDCATHarvester(DCATRDFHarvester, GrandestTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurer, inherit=True)
    p.implements(p.ITemplateHelpers, inherit=True)
    i18n_area = "harvest"

    # IConfigurer, ITemplateHelpers: the job page lists, per record, what was inferred or defaulted; the dataset
    # page says when the territory was inferred from the organization
    def update_config(self, config_: Any) -> None:
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
    def declare_config_options(self, declaration: Any, key: Any) -> None:
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

    # gather ----------------------------------------------------------------------------------------------
    def _profiles(self) -> list[type]:
        from ckanext.dcat.processors import RDFParser

        return RDFParser(profiles=hconfig.profiles())._profiles

    def gather_stage(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        try:
            cfg = parse_source_config(source.config)
        except ValueError as e:
            self._save_gather_error(_("The source configuration is not valid: {error}").format(error=e),
                                    harvest_job)
            return []
        max_pages = min(cfg.get("max_pages", hconfig.max_pages()), hconfig.max_pages())
        limits = Limits(max_bytes=hconfig.max_page_bytes(), timeout=hconfig.timeout(),
                        allow_loopback=hconfig.allow_loopback(), user_agent=hconfig.user_agent())
        deadline = time.monotonic() + hconfig.max_gather_seconds()
        fetcher = SafeFetcher(limits, deadline)
        source_pkg = model.Package.get(source.id)
        owner_org = source_pkg.owner_org if source_pkg else None

        try:
            profiles = self._profiles()
        except Exception as e:
            self._save_gather_error(_("The RDF profiles could not be loaded: {error}").format(error=e),
                                    harvest_job)
            return []

        object_ids: list[str] = []
        guids_in_source: set[str] = set()
        names_taken: set[str] = set()
        visited: set[str] = set()
        hashes: set[str] = set()
        complete = True
        records = 0
        reader = hformats.Reader(cfg)  # how a page is read: DCAT feed or CSW (formats.py)
        url: str | None = reader.first_url(source.url)
        pages = 0

        def load_context(ctx_url: str) -> bytes:
            try:
                return fetcher.get(ctx_url, max_bytes=hrdf.MAX_CONTEXT_BYTES).content
            except FetchError as e:
                raise hrdf.FeedError(str(e))

        try:
            while url:
                if pages >= max_pages:
                    self._save_gather_error(_("The feed has more than {n} pages: the harvest stopped there. "
                                              "No dataset was deleted.").format(n=max_pages), harvest_job)
                    complete = False
                    break
                key = hrdf.normalize_url(url)
                if key in visited:
                    self._save_gather_error(_("The feed's next-page links go round in a loop ({url}): the "
                                              "harvest stopped there. No dataset was deleted.").format(
                                                  url=url[:200]), harvest_job)
                    complete = False
                    break
                visited.add(key)
                pages += 1
                try:
                    page = fetcher.get(url)
                    digest = hashlib.sha256(page.content).hexdigest()
                    if digest in hashes:
                        self._save_gather_error(_("The page {url} repeats a page already read (next-page "
                                                  "loop): the harvest stopped there. No dataset was deleted.")
                                                .format(url=url[:200]), harvest_job)
                        complete = False
                        break
                    hashes.add(digest)
                    if hrdf.looks_like_html(page.content, page.content_type):
                        raise hrdf.FeedError(_(
                            "The address {url} returned a web page (HTML), not a DCAT feed. Give the address of "
                            "the catalogue itself, e.g. …/catalog.ttl or …/catalog.jsonld.").format(
                                url=page.url[:200]))
                    read = reader.read(page, load_context)
                    graph = read.graph
                except (FetchError, hrdf.FeedError) as e:
                    msg = str(e)
                    if pages > 1:
                        msg += " " + _("Datasets of the pages already read are imported; none is deleted.")
                    self._save_gather_error(msg, harvest_job)
                    complete = False
                    break
                del page

                for msg in read.errors:  # records of the page that could not be read: keep everything
                    self._save_gather_error(msg + " " + _("No dataset was deleted."), harvest_job)
                    complete = False
                refs = read.refs
                instances = reader.guards(graph) + [cls(graph, dataset_type="dataset") for cls in profiles]
                for ref in refs:
                    if time.monotonic() > deadline:
                        self._save_gather_error(_("The harvest took longer than allowed and was stopped."),
                                                harvest_job)
                        complete = False
                        url = None
                        break
                    if records >= hconfig.max_records():
                        self._save_gather_error(_("The feed has more than {n} datasets: the harvest stopped "
                                                  "there. No dataset was deleted.").format(
                                                      n=hconfig.max_records()), harvest_job)
                        complete = False
                        url = None
                        break
                    records += 1
                    obj_id = self._gather_record(graph, ref, instances, harvest_job, source, owner_org, cfg,
                                                 guids_in_source, names_taken)
                    if obj_id:
                        object_ids.append(obj_id)
                else:
                    url = read.next_url
                del graph
        finally:
            fetcher.close()

        if complete and pages and cfg.get("deleted_records", "delete") == "delete":
            object_ids.extend(self._mark_datasets_for_deletion(list(guids_in_source), harvest_job))
        elif not complete:
            log.warning("Harvest job %s: feed not read completely, deletions skipped", harvest_job.id)
        return object_ids

    def _gather_record(self, graph: Any, ref: Any, profiles: list[Any], job: Any, source: Any,
                       owner_org: str | None, cfg: dict[str, Any], guids: set[str], names: set[str]) -> str | None:
        """One harvest object for one dcat:Dataset: its content, or an error that the import stage reports."""
        label = str(ref)[:200]
        guid = str(ref) if isinstance(ref, hrdf.URIRef) else None
        try:
            dataset: dict[str, Any] = {}
            for profile in profiles:
                profile.parse_dataset(dataset, ref)
            dataset.pop("id", None)
            guid = self._record_guid(dataset, source.url) or guid
            title = dataset.get("title")
            if not title and hreport.bare_reference(graph, ref):
                log.info("Job %s: %s is only referred to (no title): skipped", job.id, label)
                return None
            if not title:
                raise ValueError(_("the record has no title (dct:title)"))
            label = f"« {title[:150]} »"
            if not guid:
                raise ValueError(_("the record has no identifier (URI or dct:identifier)"))
            if guid in guids:
                raise ValueError(_("another record of the feed has the same identifier ({guid})").format(
                    guid=guid[:200]))
            notes = hreport.complete_record(dataset, cfg, territory_of_organization(owner_org))
            dataset["type"] = "dataset"
            if owner_org:
                dataset["owner_org"] = owner_org
            dataset.setdefault("extras", []).append({"key": "guid", "value": guid})
            digest = content_hash(dataset)
            name = self._gen_new_name(title) or ("jeu-" + uuid.uuid4().hex[:12])
            if name in names:
                name = f"{name[:90]}-{len([n for n in names if n.startswith(name)]) + 1}"
            names.add(name)
            dataset["name"] = name
            guids.add(guid)
            extras = [HarvestObjectExtra(key="content_hash", value=digest)]
            if notes:
                extras.append(HarvestObjectExtra(key=hreport.NOTES_EXTRA, value=json.dumps(notes)))
            obj = HarvestObject(guid=guid, job=job, content=json.dumps(dataset), extras=extras)
            obj.save()
            return obj.id
        except Exception as e:  # one bad record never stops the others
            if not isinstance(e, ValueError):
                log.warning("Record %s of job %s could not be read:\n%s", ref, job.id, traceback.format_exc())
            msg = _("The record {label} could not be read: {error}").format(label=label, error=str(e)[:500])
            if guid and guid not in guids:
                guids.add(guid)  # still in the feed: never delete its previous version
                obj = HarvestObject(guid=guid, job=job, extras=[
                    HarvestObjectExtra(key="status", value="error"), HarvestObjectExtra(key="error", value=msg)])
                obj.save()
                return obj.id
            self._save_gather_error(msg, job)
            return None

    def _record_guid(self, dataset: dict[str, Any], source_url: str) -> str | None:
        for key in ("uri", "identifier"):
            value = self._get_dict_value(dataset, key)
            if value:
                return str(value)
        return None

    # import ----------------------------------------------------------------------------------------------
    def import_stage(self, harvest_object: Any) -> bool | str:
        with deferred_index_commit(lambda: _last_of_job(harvest_object)):
            return self._import(harvest_object)

    def _import(self, harvest_object: Any) -> bool | str:
        status = self._get_object_extra(harvest_object, "status")
        if status == "error":
            self._save_object_error(self._get_object_extra(harvest_object, "error") or _("Unreadable record."),
                                    harvest_object, "Import")
            return False
        context: dict[str, Any] = {"user": self._get_user_name(), "ignore_auth": True,
                                   HARVEST_CONTEXT_KEY: True}
        if status == "delete":
            try:
                tk.get_action("package_delete")(dict(context), {"id": harvest_object.package_id})
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
        previous = (model.Session.query(HarvestObject)
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

        if existing is not None and new_hash and new_hash == self._get_object_extra(previous, "content_hash") \
                and existing.owner_org == dataset.get("owner_org"):
            previous.current = False
            harvest_object.current = True
            harvest_object.package_id = existing.id
            model.Session.add(previous)
            model.Session.add(harvest_object)
            model.Session.commit()
            return "unchanged"

        tmp: dict[str, Any] = {}
        return self._write(harvest_object, dataset, existing, previous, context, tmp, title)

    def _write(self, harvest_object: Any, dataset: dict[str, Any], existing: Any, previous: Any,
               context: dict[str, Any], tmp: dict[str, Any], title: str) -> bool:
        try:
            if existing is not None:
                current = tk.get_action("package_show")(dict(context, for_update=True), {"id": existing.id})
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
                tk.get_action("package_update")(dict(context), dataset)
                hook, action = "after_update", "update"
            else:
                dataset["id"] = str(uuid.uuid4())
                for plugin in p.PluginImplementations(IDCATRDFHarvester):
                    plugin.before_create(harvest_object, dataset, tmp)
                # the harvest plugin indexes the dataset with its *current* harvest object (harvest_source_id,
                # what the source's own filter searches): link them first, in the same transaction
                model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
                _make_current(harvest_object, previous, dataset["id"])
                tk.get_action("package_create")(dict(context), dataset)
                hook, action = "after_create", "create"
        except tk.ValidationError as e:
            model.Session.rollback()
            self._save_object_error(_("The dataset {title} was not imported: {errors}").format(
                title=f"« {title[:150]} »", errors=_error_summary(e, dataset)), harvest_object, "Import")
            return False
        except Exception as e:
            model.Session.rollback()
            log.error("Import of %s failed:\n%s", harvest_object.guid, traceback.format_exc())
            self._save_object_error(_("The dataset {title} was not imported: {error}").format(
                title=f"« {title[:150]} »", error=repr(e)[:500]), harvest_object, "Import")
            return False

        for plugin in p.PluginImplementations(IDCATRDFHarvester):
            err = getattr(plugin, hook)(harvest_object, dataset, tmp)
            if err:
                self._save_object_error(_("Harvester extension error: {error}").format(error=err),
                                        harvest_object, "Import")
                return False
        if previous is not None:
            previous.current = False
            model.Session.add(previous)
        harvest_object.current = True
        harvest_object.package_id = dataset["id"]
        model.Session.add(harvest_object)
        model.Session.commit()
        log.info("Harvest: %sd dataset %s", action, dataset.get("name"))
        return True


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
