"""The ``grandest_dcat_ap`` RDF profile: DCAT-AP 3 as data.gouv.fr reads it, on top of ckanext-dcat's
``euro_dcat_ap_3``.

Enabled with ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 grandest_dcat_ap``.

Export. The profile owns the description of a dataset and of the catalog on the predicates it writes (the
table ``writer.OWNED``, per kind of node). The feeds of this plugin (``/catalog.*``, ``/dataset/<id>.*``,
``ckan grandest dcat export``) skip the profiles it extends and run it alone. Chained after a profile that
already described the dataset (``euro_dcat_ap_3``, e.g. ckanext-dcat's own endpoints and actions), it amends
that description instead of erasing it (``chain.py``): the other profile's values on the predicates this one
writes are removed (with its blank nodes behind them: contact points, periods, ``xsd:hexBinary`` checksums,
and the ``dct:type`` UnknownIPR it puts on licences), then this profile writes its own; what the other profile
wrote on other predicates (``adms:versionNotes``... of fields this profile does not cover) is
kept. So the chained output is what ``euro_dcat_ap_3`` wrote on predicates this profile does not write, plus
exactly what this profile writes alone. What it writes, and why (data.gouv.fr's reading: its importer, udata's
``udata/core/dataset/rdf.py``, summed up in ``docs/dcat.md``):

* a stable, non-URI ``dct:identifier`` (the CKAN id), ``dcat:landingPage`` on the portal;
* the licence on the dataset AND on every distribution, as the URL data.gouv.fr's matcher resolves, never
  with an ``rdfs:label`` (a label would win over the URL);
* ``dct:accrualPeriodicity`` as an EU frequency URI; one ``dct:PeriodOfTime`` blank node with
  ``dcat:startDate``/``dcat:endDate``;
* ``dct:spatial``: one ``dct:Location`` per territory, INSEE code-based URI, name, code and ``dcat:bbox`` as
  a WKT polygon (the literal data.gouv.fr keeps), optionally the outline (``locn:geometry``);
* themes as EU data-theme ``skos:Concept`` with ``skos:prefLabel``@fr (data.gouv.fr turns labelled themes
  into tags), keywords;
* ``dcat:contactPoint`` vCard with an email or a URL; ``dct:publisher`` ``foaf:Agent`` with ``foaf:name``,
  ``foaf:mbox``, SIREN (``dct:identifier``) and ADMS publisher type;
* distributions with access and download URLs, ``dct:format`` (EU file type), ``dcat:mediaType`` (IANA),
  ``dcat:byteSize``, ``dct:conformsTo`` the national Table Schema (exact schema.data.gouv.fr URL) **only when
  the latest validation against that schema passed** (grandest_validation); a declared schema that no passed
  validation backs is cited by a ``dqv:QualityAnnotation`` (``dct:references`` the schema, ``oa:bodyValue``
  saying why it is not claimed), which data.gouv.fr does not read as conformity;
* a resource's checksum (``hash``, an md5 / sha1 / sha256 hex digest) as ``spdx:checksum`` with
  ``spdx:algorithm`` and ``spdx:checksumValue`` as a **plain literal**: data.gouv.fr keeps that form and
  rejects the whole dataset when the value is typed ``xsd:hexBinary`` (what the DCAT-AP 3 shapes ask: the
  one SHACL deviation of this profile, on purpose);
* every object typed with the class the DCAT-AP 3 SHACL shapes expect (zero violations without inference);
* W3C DQV quality measurements when grandest_validation is enabled (``quality.py``).

Parsing is delegated to :func:`ckanext.grandest.dcat.parse.parse_dataset` (the package ``dcat/parse/``).

The module holds the profile; the writing is in ``writer.py`` (one dataset, and the table of what it owns),
``nodes.py`` (places, agents, catalog), ``values.py``; the state of a graph in ``state.py``, the chained case
in ``chain.py``.
"""
from __future__ import annotations

from typing import Any, Iterable

from rdflib import Graph

from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile

from . import parse
from .chain import Amendment
from .nodes import write_catalog
from .state import bind_namespaces, graph_state
from .values import checksum_of, mailto, read_list, uri  # noqa: F401 (value helpers, also used from here)
from .vocab import DCAT, DCT, RDF, date_literal  # noqa: F401 (date_literal: the export's date literals)
from .writer import DatasetWriter


class GrandEstDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 profile of DataGrandEst (export) + Grand Est schema parsing (``parse/``)."""

    # ------------------------------------------------------------------------------------------------
    # parsing
    # ------------------------------------------------------------------------------------------------
    def parse_dataset(self, dataset_dict: dict, dataset_ref: Any) -> dict:
        return parse.parse_dataset(self, dataset_dict, dataset_ref)

    # ------------------------------------------------------------------------------------------------
    # export
    # ------------------------------------------------------------------------------------------------
    def graph_from_dataset(self, dataset_dict: dict, dataset_ref: Any) -> None:
        g = self.g
        state = graph_state(g)
        if not state.chunked:  # chunks are written with the namespaces of the first one
            bind_namespaces(g, state)
        if (dataset_ref, RDF.type, None) in g:
            # a profile before this one in the chain described the dataset: amended (``chain.py``)
            amendment = Amendment(g, state)
            amendment.remove(dataset_ref, "dataset")
            DatasetWriter(g, dataset_dict, dataset_ref, state).write()
            amendment.finish()
        else:
            DatasetWriter(g, dataset_dict, dataset_ref, state).write()

    def graph_from_catalog(self, catalog_dict: dict | None, catalog_ref: Any) -> None:
        g = self.g
        state = graph_state(g)
        bind_namespaces(g, state)
        amendment = None
        if (catalog_ref, None, None) in g:  # described by a profile before this one: amended
            amendment = Amendment(g, state)
            amendment.remove(catalog_ref, "catalog")
        write_catalog(g, catalog_ref, catalog_dict or {}, state)
        if amendment is not None:
            amendment.finish()


def dataset_refs(g: Graph) -> Iterable[Any]:
    return g.subjects(RDF.type, DCAT.Dataset)
