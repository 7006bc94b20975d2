"""The gather stage of ``grandest_dcat_harvester``: pages of a feed read safely, one harvest object per record.

Pages are fetched by :class:`~ckanext.grandest.harvest.fetch.SafeFetcher` (http(s) only, no private or
loopback targets, size, time and redirect caps) and parsed by :mod:`~ckanext.grandest.harvest.rdf` (XXE and
entity-expansion checks, JSON-LD contexts fetched safely, HTML refused) or read as CSW (formats.py). Hydra paging
is followed with a page cap and loop detection (same URL or same content twice). Each record is parsed on its
own: a record that cannot be read becomes an errored harvest object with a French message, the others go on.
Datasets that left the feed are deleted (or kept, ``"deleted_records": "keep"``) only when the whole feed was
read. A page's harvest objects are committed together.

:class:`GatherStage` is a mixin of the harvester class (plugin.py): it uses ckanext-harvest's and ckanext-dcat's
helpers (``_save_gather_error``, ``_gen_new_name``, ``_get_dict_value``, ``_mark_datasets_for_deletion``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
import traceback
import uuid
from typing import TYPE_CHECKING, Any

from ckan import model

from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.grandest.harvest import config as hconfig
from ckanext.grandest.harvest import formats as hformats
from ckanext.grandest.harvest import rdf as hrdf
from ckanext.grandest.harvest import report as hreport
from ckanext.grandest.harvest.access import territory_of_organization
from ckanext.grandest.harvest.fetch import FetchError, Limits, SafeFetcher
from ckanext.grandest.harvest.source_config import parse_source_config
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

log = logging.getLogger(__name__)


def content_hash(dataset: dict[str, Any]) -> str:
    """Hash of what a record would write (the generated name excluded): equal hashes, nothing to update."""
    data = {k: v for k, v in dataset.items() if k not in ("name", "id")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


if TYPE_CHECKING:  # the harvester class the mixin goes into (its helpers are ckanext-dcat's and -harvest's)
    from ckanext.dcat.harvesters.rdf import DCATRDFHarvester as _Harvester
else:
    _Harvester = object


class GatherStage(_Harvester):
    """``gather_stage`` of the harvester (a mixin of ``GrandEstDCATHarvester``)."""

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
        org_territory = territory_of_organization(owner_org)  # once per job, not per record

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
                                                 guids_in_source, names_taken, org_territory)
                    if obj_id:
                        object_ids.append(obj_id)
                else:
                    url = read.next_url
                model.Session.commit()  # the page's harvest objects, in one transaction
                del graph
        finally:
            fetcher.close()

        if complete and pages and cfg.get("deleted_records", "delete") == "delete":
            object_ids.extend(self._mark_datasets_for_deletion(list(guids_in_source), harvest_job))
        elif not complete:
            log.warning("Harvest job %s: feed not read completely, deletions skipped", harvest_job.id)
        return object_ids

    def _gather_record(self, graph: Any, ref: Any, profiles: list[Any], job: Any, source: Any,
                       owner_org: str | None, cfg: dict[str, Any], guids: set[str], names: set[str],
                       org_territory: str | None = None) -> str | None:
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
            notes = hreport.complete_record(dataset, cfg, org_territory)
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
            object_id = str(uuid.uuid4())
            obj = HarvestObject(id=object_id, guid=guid, job=job, content=json.dumps(dataset), extras=extras)
            model.Session.add(obj)  # committed with its page (gather_stage)
            return object_id
        except Exception as e:  # one bad record never stops the others
            if not isinstance(e, ValueError):
                log.warning("Record %s of job %s could not be read:\n%s", ref, job.id, traceback.format_exc())
            msg = _("The record {label} could not be read: {error}").format(label=label, error=str(e)[:500])
            if guid and guid not in guids:
                guids.add(guid)  # still in the feed: never delete its previous version
                object_id = str(uuid.uuid4())
                obj = HarvestObject(id=object_id, guid=guid, job=job, extras=[
                    HarvestObjectExtra(key="status", value="error"), HarvestObjectExtra(key="error", value=msg)])
                model.Session.add(obj)  # committed with its page (gather_stage)
                return object_id
            self._save_gather_error(msg, job)
            return None

    def _record_guid(self, dataset: dict[str, Any], source_url: str) -> str | None:
        for key in ("uri", "identifier"):
            value = self._get_dict_value(dataset, key)
            if value:
                return str(value)
        return None
