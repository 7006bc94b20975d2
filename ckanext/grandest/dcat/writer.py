"""The description of one dataset in DCAT-AP 3 as data.gouv.fr reads it (what is written and why: the module
docstring of ``profiles.py``), and :data:`OWNED`, the predicates the profile writes per kind of node."""
from __future__ import annotations

import json
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from . import mapping
from .nodes import catalog_publisher, organization_details, write_agent, write_place
from .quality import schema_checks
from .state import GraphState
from .values import checksum_of, file_name, mailto, non_negative_int, path_segment, read_list, text_of, uri
from .vocab import (ADMS, DCAT, DCT, DQV, FOAF, GSP, LOCN, OA, OWL, RDF, RDFS, SKOS, SPDX, VCARD, XSD,
                    date_literal)


#: The predicates whose values this profile decides, per kind of node it describes (``rdf:type`` aside: types
#: add up). The writer (this module and ``nodes.py``, ``quality.py``) writes nothing else on these nodes
#: (tests/dcat/test_chain.py checks it on a full dataset). Chained after ``euro_dcat_ap_3``, the values a
#: profile before this one wrote on exactly these predicates are removed before ours are written, what it wrote
#: on other predicates is kept (``chain.py``). Decided without a value of ours: on a licence, ckanext-dcat's
#: ``dct:type`` UnknownIPR (wrong on open licences, and not a ``skos:Concept``); on a dataset, ``dct:source``
#: (DCAT-AP 3 asks for a described ``dcat:Dataset`` behind it, title and description included, which a record's
#: ``source`` extra does not give: kept, it would fail the shapes).
OWNED: dict[str, frozenset[URIRef]] = {
    "dataset": frozenset({
        DCT.identifier, DCT.title, DCT.description, DCAT.landingPage, DCT.issued, DCT.modified, DCAT.version,
        DCAT.keyword, DCAT.theme, DCT.license, DCT.accrualPeriodicity, DCT.temporal, DCT.spatial, DCT.language,
        DCT.accessRights, DCT.provenance, FOAF.page, ADMS.identifier, DCAT.contactPoint, DCT.publisher,
        DCAT.distribution, DCT.conformsTo, DQV.hasQualityMeasurement, DCT.source}),
    "distribution": frozenset({
        DCT.identifier, DCT.title, DCT.description, DCAT.accessURL, DCAT.downloadURL, DCT["format"],
        DCAT.mediaType, DCAT.byteSize, DCT.license, SPDX.checksum, DCT.language, DCT.issued, DCT.modified,
        DCT.conformsTo, DQV.hasQualityAnnotation, DQV.hasQualityMeasurement}),
    "contact": frozenset({VCARD.fn, VCARD.hasEmail, VCARD.hasURL}),
    "agent": frozenset({FOAF.name, FOAF.mbox, FOAF.homepage, DCT.identifier, DCT.type}),
    "place": frozenset({SKOS.prefLabel, DCT.identifier, DCAT.bbox, LOCN.geometry}),
    "licence": frozenset({DCT.type}),
    "catalog": frozenset({
        DCT.title, DCT.description, FOAF.homepage, DCT.language, DCT.publisher, DCT.modified,
        DCAT.themeTaxonomy, DCT.spatial}),
}
#: the kind of the node behind an owned predicate, amended the same way (a blank node behind one is the other
#: profile's own: removed whole)
BEHIND: dict[URIRef, str] = {DCAT.distribution: "distribution", DCAT.contactPoint: "contact",
                             DCT.publisher: "agent", DCT.spatial: "place", DCT.license: "licence"}


class DatasetWriter:
    def __init__(self, g: Graph, dataset_dict: dict, ref: Any, state: GraphState) -> None:
        self.g = g
        self.d = dataset_dict
        self.ref = ref
        self.state = state
        self.add = g.add

    # helpers ---------------------------------------------------------------------------------------
    def lit(self, text: str) -> Literal:
        return Literal(text, lang=self.state.lang) if self.state.lang else Literal(text)

    def typed(self, subject: Any, predicate: Any, obj: Any, cls: Any) -> None:
        self.add((subject, predicate, obj))
        key = (obj, cls)
        if key not in self.state.typed:  # shared nodes (licences, formats, themes...) are typed once
            self.state.typed.add(key)
            self.add((obj, RDF.type, cls))

    # ------------------------------------------------------------------------------------------------
    def write(self) -> None:
        d, ref, add = self.d, self.ref, self.add
        lit = self.lit
        add((ref, RDF.type, DCAT.Dataset))
        if self.state.quality is not None:
            self.state.quality.prepare(d)

        identifier = text_of(d.get("id")) or text_of(d.get("name"))
        if identifier:
            add((ref, DCT.identifier, Literal(identifier)))
        title = text_of(d.get("title")) or text_of(d.get("name")) or identifier or ""
        add((ref, DCT.title, lit(title)))
        # DCAT-AP requires a description; the schema requires notes, harvested records may lack them
        add((ref, DCT.description, lit(text_of(d.get("notes")) or title)))

        name = text_of(d.get("name")) or identifier
        if name:
            page = URIRef(f"{self.state.base}/dataset/{path_segment(name)}")
            self.typed(ref, DCAT.landingPage, page, FOAF.Document)

        for date_key, pred in (("metadata_created", DCT.issued), ("metadata_modified", DCT.modified)):
            value = date_literal(d.get(date_key))
            if value is not None:
                add((ref, pred, value))

        version = text_of(d.get("version"))
        if version:
            add((ref, DCAT.version, Literal(version)))

        seen_tags = set()
        for tag in d.get("tags") or []:
            tag_name = text_of(tag.get("name") if isinstance(tag, dict) else tag)
            if tag_name and tag_name not in seen_tags:
                seen_tags.add(tag_name)
                add((ref, DCAT.keyword, lit(tag_name)))

        self._themes()
        self._licence()
        self._frequency()
        self._temporal()
        self._spatial()
        self._languages()
        self._access_rights()
        self._provenance()
        self._documentation()
        self._alternate_identifier()
        self._contact_point()
        self._publisher()
        standards = self._distributions()
        for std in standards:
            self._standard(ref, std)
        self._quality()

    # dataset properties ------------------------------------------------------------------------------
    def _themes(self) -> None:
        for value in read_list(self.d.get("theme")):
            concept = mapping.theme(value)
            if concept is None:
                continue
            node = URIRef(concept.uri)
            self.typed(self.ref, DCAT.theme, node, SKOS.Concept)
            # one label only: data.gouv.fr turns the theme's skos:prefLabel into a tag and would pick any of
            # several labels at random
            self.add((node, SKOS.prefLabel, Literal(concept.fr, lang="fr")))
            self.add((node, SKOS.inScheme, URIRef(mapping.EU_DATA_THEME_SCHEME)))

    def licence_ref(self) -> URIRef | None:
        if not hasattr(self, "_licence_ref"):
            url = mapping.licence_url(self.d.get("license_id"), self.d.get("license_other_url"))
            self._licence_ref = uri(url) if url else None
        return self._licence_ref

    def _licence(self) -> None:
        lic = self.licence_ref()
        if lic is not None:
            self.typed(self.ref, DCT.license, lic, DCT.LicenseDocument)

    def _frequency(self) -> None:
        freq = mapping.frequency_uri(self.d.get("frequency"))
        if freq:
            self.typed(self.ref, DCT.accrualPeriodicity, URIRef(freq), DCT.Frequency)

    def _temporal(self) -> None:
        start = date_literal(self.d.get("temporal_start"))
        end = date_literal(self.d.get("temporal_end"))
        if start is None and end is None:
            return
        node = BNode()
        self.typed(self.ref, DCT.temporal, node, DCT.PeriodOfTime)
        if start is not None:
            self.add((node, DCAT.startDate, start))
        if end is not None:
            self.add((node, DCAT.endDate, end))

    def _spatial(self) -> None:
        places = mapping.places(read_list(self.d.get("territories")))
        own = self._harvested_spatial() if not places else False
        if not places and not own:
            org = organization_details(self.d, self.state)
            place = mapping.organization_place(org)
            places = [place] if place else []
        for place in places:
            write_place(self.g, self.ref, place, self.state)

    def _extra(self, key: str) -> str | None:
        for extra in self.d.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == key:
                return text_of(extra.get("value"))
        return None

    def _harvested_spatial(self) -> bool:
        """A harvested record's own coverage when it is outside the referential: its zone URIs and its
        geometry (kept by the harvester as the ``spatial_uri`` and ``spatial`` extras). True if written."""
        written = False
        try:
            zones = json.loads(self._extra("spatial_uri") or "[]")
        except ValueError:
            zones = []
        for zone in zones if isinstance(zones, list) else []:
            node = uri(zone) if isinstance(zone, str) else None
            if node is not None:
                self.typed(self.ref, DCT.spatial, node, DCT.Location)
                written = True
        geometry = self._extra("spatial")
        if geometry:
            try:
                from geomet import wkt

                text = wkt.dumps(json.loads(geometry), decimals=6)
            except Exception:  # not a GeoJSON geometry: not exported
                text = None
            if text:
                node, geom = BNode(), BNode()
                self.typed(self.ref, DCT.spatial, node, DCT.Location)
                self.add((node, LOCN.geometry, geom))
                self.add((geom, RDF.type, LOCN.Geometry))
                self.add((geom, GSP.asWKT, Literal(text, datatype=GSP.wktLiteral)))
                written = True
        return written

    def _languages(self) -> None:
        values = [mapping.language_uri(v) for v in read_list(self.d.get("language"))]
        values = [v for v in values if v] or [mapping.voc.DEFAULT_LANGUAGE]
        for value in dict.fromkeys(values):
            self.typed(self.ref, DCT.language, URIRef(value), DCT.LinguisticSystem)

    def _access_rights(self) -> None:
        values = read_list(self.d.get("access_rights"))
        value = mapping.access_rights_uri(values[0]) if values else mapping.voc.DEFAULT_ACCESS_RIGHTS
        if value:
            self.typed(self.ref, DCT.accessRights, URIRef(value), DCT.RightsStatement)

    def _provenance(self) -> None:
        text = text_of(self.d.get("provenance"))
        if text:
            node = BNode()
            self.typed(self.ref, DCT.provenance, node, DCT.ProvenanceStatement)
            self.add((node, RDFS.label, self.lit(text)))

    def _documentation(self) -> None:
        for value in read_list(self.d.get("documentation")):
            page = uri(value)
            if page is not None:
                self.typed(self.ref, FOAF.page, page, FOAF.Document)

    def _alternate_identifier(self) -> None:
        """The identifier a harvested record had at its source (kept by the harvester as an extra)."""
        original = None
        for extra in self.d.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == "identifier":
                original = text_of(extra.get("value"))
        if original and original != text_of(self.d.get("id")):
            node = BNode()
            self.typed(self.ref, ADMS.identifier, node, ADMS.Identifier)
            self.add((node, SKOS.notation, Literal(original)))

    def _contact_point(self) -> None:
        """The dataset's contact (``contact_*``), else its maintainer, else its organization's address; the
        maintainer, when it is someone else with an email, as a second contact point (a person)."""
        d = self.d
        email, url = mailto(d.get("contact_email")), uri(d.get("contact_url"))
        name = text_of(d.get("contact_name"))
        maintainer_email = mailto(d.get("maintainer_email"))
        if email is None and url is None and maintainer_email is not None:
            email, name, maintainer_email = maintainer_email, text_of(d.get("maintainer")) or name, None
        if email is None and url is None:
            org = organization_details(d, self.state) or {}
            email = mailto(org.get("contact_email")) or mailto(org.get("email"))
            url = uri(org.get("website"))
            name = name or text_of(org.get("title"))
        if email is not None or url is not None:
            self._vcard(VCARD.Organization, name, email, url)
        if maintainer_email is not None and maintainer_email != email:
            self._vcard(VCARD.Individual, text_of(d.get("maintainer")), maintainer_email, None)

    def _vcard(self, kind: Any, name: str | None, email: URIRef | None, url: URIRef | None) -> None:
        node = BNode()
        self.add((self.ref, DCAT.contactPoint, node))
        self.add((node, RDF.type, VCARD.Kind))
        self.add((node, RDF.type, kind))
        if name:
            self.add((node, VCARD.fn, Literal(name)))
        if email is not None:
            self.add((node, VCARD.hasEmail, email))
        if url is not None:
            self.add((node, VCARD.hasURL, url))

    def _publisher(self) -> None:
        org = organization_details(self.d, self.state)
        if org is None:
            node = catalog_publisher(self.g, self.state)
            self.add((self.ref, DCT.publisher, node))
            return
        node = self.state.publisher_uri(self.d)
        self.add((self.ref, DCT.publisher, node))
        write_agent(self.g, node, org, self.state)

    # distributions ----------------------------------------------------------------------------------
    def _distributions(self) -> list[mapping.Standard]:
        standards: dict[str, mapping.Standard] = {}
        for res in self.d.get("resources") or []:
            if not isinstance(res, dict) or not res.get("id"):
                continue
            res.setdefault("package_id", self.d.get("id"))
            std = self._distribution(res)
            if std is not None:
                standards.setdefault(std.url, std)
        return list(standards.values())

    def _distribution(self, res: dict) -> mapping.Standard | None:
        add, lit = self.add, self.lit
        dist = self.state.resource_uri(res, str(self.d.get("id") or res.get("package_id")))
        add((self.ref, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCT.identifier, Literal(str(res["id"]))))

        url_text = text_of(res.get("url"))
        url = uri(url_text)
        ft = mapping.file_type(res.get("format")) or mapping.file_type(mapping.voc.guess_format(url_text))
        title = text_of(res.get("name")) or file_name(url_text) or (ft.code if ft else None) or str(res["id"])
        add((dist, DCT.title, lit(title)))
        description = text_of(res.get("description"))
        if description:
            add((dist, DCT.description, lit(description)))

        name = text_of(self.d.get("name")) or text_of(self.d.get("id"))
        page = URIRef(f"{self.state.base}/dataset/{path_segment(str(name))}/resource/"
                      f"{path_segment(str(res['id']))}")
        if url is None:
            # DCAT-AP requires an access URL: the resource page on the portal
            self.typed(dist, DCAT.accessURL, page, RDFS.Resource)
        else:
            self.typed(dist, DCAT.accessURL, url, RDFS.Resource)
            if res.get("url_type") == "upload" or (ft is not None and ft.downloadable):
                self.typed(dist, DCAT.downloadURL, url, RDFS.Resource)

        if ft is not None:
            self.typed(dist, DCT["format"], URIRef(ft.uri), DCT.MediaTypeOrExtent)
        media = (ft.media_type_uri if ft else None) or mapping.media_type_uri(res.get("mimetype"))
        if media:
            self.typed(dist, DCAT.mediaType, URIRef(media), DCT.MediaType)

        size = non_negative_int(res.get("size"))
        if size is not None:
            add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))

        lic = self.licence_ref()
        if lic is not None:
            self.typed(dist, DCT.license, lic, DCT.LicenseDocument)

        checksum = checksum_of(res)
        if checksum is not None:
            algorithm, value = checksum
            node = BNode()
            self.typed(dist, SPDX.checksum, node, SPDX.Checksum)
            self.typed(node, SPDX.algorithm, SPDX["checksumAlgorithm_" + algorithm], SPDX.ChecksumAlgorithm)
            add((node, SPDX.checksumValue, Literal(value)))  # plain: data.gouv.fr refuses xsd:hexBinary

        for value in read_list(res.get("language")):
            lang_uri = mapping.language_uri(value)
            if lang_uri:
                self.typed(dist, DCT.language, URIRef(lang_uri), DCT.LinguisticSystem)

        issued = date_literal(res.get("created"))
        if issued is not None:
            add((dist, DCT.issued, issued))
        modified = date_literal(res.get("last_modified") or res.get("metadata_modified"))
        if modified is not None:
            add((dist, DCT.modified, modified))

        std = mapping.standard(res.get("schema"), res.get("schema_version")) if res.get("schema") else None
        if std is not None:
            check = self._schema_checks().get(str(res["id"]))
            checked = mapping.standard(check.get("schema"), check.get("version")) if check else None
            if check and check.get("passed") and checked is not None and checked.id == std.id:
                # claimed only when the latest validation against this schema passed (issue #12)
                std = checked
                self._standard(dist, std)
            else:
                self._declared_standard(dist, std, check)
                std = None

        if self.state.quality is not None:
            self.state.quality.resource(self.g, dist, res)
        return std

    def _standard(self, subject: Any, std: mapping.Standard) -> None:
        node = URIRef(std.url)
        self.typed(subject, DCT.conformsTo, node, DCT.Standard)
        self.add((node, DCT.title, Literal(std.title, lang="fr")))
        if std.version:
            self.add((node, OWL.versionInfo, Literal(std.version)))

    def _schema_checks(self) -> dict[str, dict]:
        if not hasattr(self, "_checks"):

            self._checks = schema_checks(self.d, self.state.quality)
        return self._checks

    def _declared_standard(self, dist: Any, std: mapping.Standard, check: dict | None) -> None:
        """A declared schema that no passed validation backs: said as a DQV quality annotation that cites the
        schema (``dct:references``), never as ``dct:conformsTo``, which data.gouv.fr displays as conformity."""
        node = URIRef(std.url)
        ann = BNode()
        self.add((dist, DQV.hasQualityAnnotation, ann))
        self.add((ann, RDF.type, DQV.QualityAnnotation))
        self.add((ann, OA.motivatedBy, DQV.qualityAssessment))
        self.add((ann, OA.hasTarget, dist))
        self.typed(ann, DCT.references, node, DCT.Standard)
        self.add((node, DCT.title, Literal(std.title, lang="fr")))
        if std.version:
            self.add((node, OWL.versionInfo, Literal(std.version)))
        # RDF data, not interface text: an @fr literal of the export (the catalogue's metadata language is French,
        # data.gouv.fr shows it as is), identical for every visitor, so it does not go through the catalog (_()).
        if check is None:
            text = f"Schéma déclaré par le producteur : « {std.title} ». Conformité non vérifiée."
        elif check.get("passed"):
            text = f"Schéma déclaré : « {std.title} ». La dernière validation portait sur un autre schéma."
        else:
            share = check.get("valid_row_share")
            pct = f" : {float(share) * 100:.1f} % des lignes conformes".replace(".", ",") \
                if isinstance(share, (int, float)) else ""
            text = (f"Schéma déclaré : « {std.title} ». La dernière validation contre ce schéma a échoué{pct} ; "
                    "le fichier n'est pas déclaré conforme.")
        self.add((ann, OA.bodyValue, Literal(text, lang="fr")))

    def _quality(self) -> None:
        if self.state.quality is not None:
            self.state.quality.dataset(self.g, self.ref, self.d)
