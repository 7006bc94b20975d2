"""Source formats of ``grandest_dcat``: one page of a source → (RDF graph, records, next page).

The harvester's gather loop (gather.py) fetches pages, guards against loops, page and record caps, and turns
each record into a harvest object; this module decides how a page is read:

* a CSW answer (``csw:GetRecordsResponse``, an ISO 19139 record, an OWS exception) — recognised from the
  document itself, whatever the source says — is read by :mod:`~ckanext.grandest.harvest.csw` (records in DCAT
  or ISO 19139, paging by ``nextRecord``);
* anything else is a DCAT feed read by :mod:`~ckanext.grandest.harvest.rdf` (Turtle, RDF/XML, JSON-LD, Hydra
  paging).

Source configuration keys handled here: ``format`` (``dcat``, the default, or ``csw``: the URL is a CSW service;
its bare address gets a GetRecords request), ``csw_output_schema`` (``iso19139``, the default, or ``dcat``) and
``csw_page_size`` (records per GetRecords page, 1–500, 50 by default).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import rdflib

from ckanext.grandest.harvest import csw, graph_records
from ckanext.grandest.harvest import rdf as hrdf
from ckanext.grandest.harvest.fetch import Page
from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

CONFIG_KEYS = {"format", "csw_output_schema", "csw_page_size"}
FORMATS = ("dcat", "csw")


def validate_config(cfg: dict[str, Any]) -> None:
    """ValueError (French) for a bad value of the keys above."""
    if cfg.get("format", "dcat") not in FORMATS:
        raise ValueError(_('format must be "dcat" or "csw".'))
    if cfg.get("csw_output_schema", "iso19139") not in csw.OUTPUT_SCHEMAS:
        raise ValueError(_('csw_output_schema must be "iso19139" or "dcat".'))
    if "csw_page_size" in cfg:
        size = cfg["csw_page_size"]
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= csw.MAX_PAGE_SIZE:
            raise ValueError(_("csw_page_size must be a whole number between 1 and {n}.").format(
                n=csw.MAX_PAGE_SIZE))
    if cfg.get("format") == "csw" and "rdf_format" in cfg:
        raise ValueError(_('rdf_format does not apply to a CSW source ("format": "csw").'))


@dataclass
class PageRead:
    graph: rdflib.Graph
    refs: list[Any]
    next_url: str | None
    errors: list[str] = field(default_factory=list)


class Reader:
    """Reads the pages of one harvest job (keeps what must be remembered from page to page)."""

    def __init__(self, cfg: dict[str, Any]):
        self.cfg = cfg
        self.guard = graph_records.DuplicateGuard()

    def first_url(self, url: str) -> str:
        return csw.first_url(url, self.cfg) if self.cfg.get("format") == "csw" else url

    def read(self, page: Page, load_context: Callable[[str], bytes]) -> PageRead:
        """FeedError (French) when the page cannot be read at all."""
        if csw.recognise(page.content):
            found = csw.read_page(page.content, page.url)
            graph, next_url, errors = found.graph, found.next_url, found.errors
            if not errors and not len(graph) and found.matched:
                errors = [_("The catalogue service (CSW) at {url} returned no record it could read.").format(
                    url=page.url[:200])]
        elif self.cfg.get("format") == "csw":
            raise hrdf.FeedError(_("The address {url} did not answer as a catalogue service (CSW GetRecords). "
                                   "Check the address (…/geonetwork/srv/fre/csw) or remove \"format\": \"csw\" "
                                   "from the configuration.").format(url=page.url[:200]))
        else:
            fmt = hrdf.detect_format(page.content, page.content_type, page.url, self.cfg.get("rdf_format"))
            graph = hrdf.parse_page(page.content, fmt, page.url, load_context)
            next_url, errors = hrdf.next_page(graph, page.url), []
        return PageRead(graph, graph_records.select(graph), next_url, errors)

    def guards(self, graph: rdflib.Graph) -> list[Any]:
        """Extra profiles run first on each record of the page (duplicated DOIs)."""
        return [self.guard.for_graph(graph)]
