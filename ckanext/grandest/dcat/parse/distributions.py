"""The distributions of a harvested dataset: download vs access URL, format (EU file type, IANA media type,
literal, OGC service, file name), size, checksum, languages, licence and the national Table Schema it conforms
to (or another schema it names)."""
from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Literal, URIRef

from ckanext.grandest.common import schema_catalog
from ckanext.grandest.metadata import table_schemas
from ckanext.grandest.metadata import vocabularies as voc

from ..vocab import ADMS, DCAT, DCT, DQV, OWL, RDFS, SPDX
from .dates import DATE_PREFIX
from .graph import DC, GraphReader
from .terms import match_format, media_type_of
from .text import best, clean_text, html_to_text, is_http

MAX_RESOURCES = 500


class DistributionReader(GraphReader):
    _OGC = (("wms", "WMS_SRVC"), ("wfs", "WFS_SRVC"), ("wmts", "WMTS_SRVC"))

    def service_format(self, dist: Any, url: str) -> str | None:
        """WMS / WFS / WMTS for a distribution served by an OGC service: ``dcat:accessService`` whose
        ``dct:conformsTo`` (or endpoint) names the standard, the distribution's own ``dct:conformsTo``, or an
        access URL with ``service=WMS``."""
        texts: list[str] = []
        for svc in self.objects(dist, DCAT.accessService):
            for o in self.objects(svc, DCT.conformsTo, DCT.type):
                texts.extend(self.values(o))
            texts.extend(self.uris_or_literals(svc, DCAT.endpointURL, DCAT.endpointDescription))
        for o in self.objects(dist, DCT.conformsTo):
            texts.extend(self.values(o))
        texts.append(url)
        for text in texts:
            low = text.lower()
            m = re.search(r"service=(wmts|wms|wfs)\b", low)
            if m:
                return dict(self._OGC)[m.group(1)]
            for key, code in sorted(self._OGC, key=lambda kc: -len(kc[0])):
                if re.search(rf"(ogc|opengis)[^ ]*[/:#_ -]{key}\b|\bogc:{key}\b|\b{key}[ -]?1\.\d", low) \
                        or low in (key, f"ogc:{key}", f"ogc {key}"):
                    return code
        return None

    def external_schema(self, nodes: list[Any]) -> dict[str, str] | None:
        """A data schema the distribution conforms to that is not in the national catalogue (a URL naming a
        schema: ``.../schema.json``, ``.xsd``...): kept as ``harvested_schema_url`` / ``_name`` / ``_version``."""
        for node in nodes:
            urls = [v for v in ([str(node)] if isinstance(node, URIRef) else []) + self.values(node) if is_http(v)]
            for u in urls:
                low = u.lower().split("?", 1)[0]
                if "opengis" in low or "inspire.ec.europa.eu" in low or "eur-lex" in low:
                    continue
                if "schema" in low or low.endswith((".json", ".yaml", ".yml", ".xsd")):
                    out = {"harvested_schema_url": u[:500]}
                    name = self.label(node) if not isinstance(node, Literal) else None
                    if name:
                        out["harvested_schema_name"] = clean_text(name, 200) or ""
                    version = next((str(v).strip() for v in self.objects(node, OWL.versionInfo, DCAT.version,
                                                                          ADMS.version) if str(v).strip()), None)
                    if version:
                        out["harvested_schema_version"] = version[:50]
                    return out
        return None

    def distributions(self, dataset: Any) -> list[dict[str, Any]]:
        out = []
        for dist in self.objects(dataset, DCAT.distribution)[:MAX_RESOURCES]:
            if isinstance(dist, Literal):
                continue
            res = self.distribution(dist)
            if res:
                out.append(res)
        out.sort(key=lambda r: (r.get("url") or "", r.get("uri") or "", r.get("name") or ""))
        return out

    def distribution(self, dist: Any) -> dict[str, Any] | None:
        downloads = [u for u in self.uris_or_literals(dist, DCAT.downloadURL) if is_http(u)]
        accesses = [u for u in self.uris_or_literals(dist, DCAT.accessURL) if is_http(u)]
        url = (downloads or accesses or [None])[0]
        if not url:
            return None
        res: dict[str, Any] = {"url": url}
        if downloads:
            res["download_url"] = downloads[0]
        if accesses:
            res["access_url"] = accesses[0]
        name = self.text(dist, DCT.title, DC.title, RDFS.label)
        if not name:
            name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or url
        res["name"] = clean_text(name, 1000)
        desc = self.text(dist, DCT.description, RDFS.comment)
        if desc:
            res["description"] = clean_text(html_to_text(desc))

        fmt = None
        raw_format = None
        for o in self.objects(dist, DCT["format"], DC["format"]):
            for v in self.values(o):
                raw_format = raw_format or v
                fmt = match_format(v)
                if fmt:
                    break
            if fmt:
                break
        media_types = [v for o in self.objects(dist, DCAT.mediaType) for v in self.values(o)]
        if fmt is None:
            for v in media_types:
                fmt = match_format(v)
                if fmt:
                    break
        if fmt is None:
            fmt = self.service_format(dist, url)
        if fmt is None:
            fmt = voc.guess_format(downloads[0] if downloads else url)
        if fmt:
            res["format"] = fmt
        elif raw_format:
            res["harvested_format"] = raw_format[:100]
        media = next((m for m in (media_type_of(v) for v in media_types) if m), None)
        if media:
            res["mimetype"] = media

        size = best(self.objects(dist, DCAT.byteSize))
        if size:
            try:
                value = int(float(size))
                if value >= 0:
                    res["size"] = value
            except (ValueError, OverflowError):
                pass

        conforms_nodes = self.objects(dist, DCT.conformsTo)
        if not conforms_nodes:
            # a declared schema exported without a conformity claim (grandest_dcat_ap: quality annotation)
            conforms_nodes = [ref for ann in self.objects(dist, DQV.hasQualityAnnotation)
                              for ref in self.objects(ann, DCT.references)]
        conforms = [v for o in conforms_nodes for v in self.values(o)]
        schema_id, schema_version = schema_catalog.conforms_to(conforms)
        if schema_id and not schema_version:
            schema_version = next((str(v).strip().lstrip("v") for o in conforms_nodes
                                   for v in self.objects(o, OWL.versionInfo, DCAT.version, ADMS.version)
                                   if str(v).strip()), None)
        if schema_id and schema_version:
            ts = table_schemas.find(schema_id)
            if ts is not None and ts.versions and schema_version not in ts.versions:
                # a version the catalogue does not know: kept and flagged; the latest one is used
                res["harvested_schema_version"] = schema_version[:50]
                schema_version = None
        if not schema_id:
            external = self.external_schema(conforms_nodes)
            if external:
                res.update(external)
        if schema_id:
            res["schema"] = schema_id
            if schema_version:
                res["schema_version"] = schema_version
        langs = self.languages(dist)
        if langs:
            res["language"] = langs[0]
        lic = [v for o in self.objects(dist, DCT.license) for v in self.values(o)]
        if lic:
            res["license"] = lic[0]
        for cs in self.objects(dist, SPDX.checksum):
            value = best(self.objects(cs, SPDX.checksumValue))
            algo = " ".join(self.values(next(iter(self.objects(cs, SPDX.algorithm)), BNode()))).lower()
            if value and re.fullmatch(r"[0-9a-fA-F]{16,128}", value):
                res["hash"] = value.lower()
                for name_ in ("sha512", "sha256", "sha1", "md5"):
                    if name_ in algo:
                        res["hash_algorithm"] = name_
                        break
            break
        for key, pred in (("issued", DCT.issued), ("modified", DCT.modified)):
            value = best(self.objects(dist, pred))
            if value and DATE_PREFIX.match(value):
                res[key] = value[:32]
        if isinstance(dist, URIRef):
            res["uri"] = str(dist)
        return res
