"""The reader of one ``dcat:Dataset``: title, description, keywords, themes, licence, frequency, temporal and
spatial coverage, contacts and publisher, languages, and its distributions (``distributions.py``)."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from rdflib import BNode, Literal, URIRef

from ckanext.grandest.metadata import vocabularies as voc

from ..vocab import ADMS, DCAT, DCT, FOAF, GSP, LOCN, OWL, PROV, RDF, RDFS, SKOS, VCARD
from .dates import DATE_PREFIX, date_bounds, iso, parse_interval, plausible_date
from .distributions import DistributionReader
from .graph import CC, DC, SCHEMA, SCHEMA_S, TIME, GraphReader
from .licences import (
    INSPIRE_CONDITIONS,
    INSPIRE_NO_CONDITIONS_LICENCE,
    is_inspire_limitation,
    is_inspire_no_conditions,
    licence_in_text,
    match_licence,
)
from .spatial import parse_geometry, territory_from_identifier, territory_from_name
from .terms import match_access_rights, match_frequency, match_theme
from .text import best, clean_text, email_address, html_to_text, is_http, lang_rank

MAX_TAGS = 100


class DatasetReader(GraphReader):
    def __init__(self, g: Any, ref_: Any):
        super().__init__(g)
        self.ref = ref_

    # dataset ----------------------------------------------------------------------------------------------
    def dataset(self) -> dict[str, Any]:
        d = self.ref
        out: dict[str, Any] = {}
        extras: dict[str, Any] = {}

        title = clean_text(self.text(d, DCT.title, DC.title, RDFS.label), 1000)
        notes = self.text(d, DCT.description, DCT.abstract, DC.description, RDFS.comment)
        notes = clean_text(html_to_text(notes)) if notes else None
        out["title"] = title
        out["notes"] = notes or title

        out["tags"] = [{"name": t} for t in self.tags()]
        out["theme"] = self.themes()
        lic_id, lic_url, lic_raw, lic_how = self.licence()
        out["license_id"] = lic_id
        out["license_other_url"] = lic_url
        if lic_id is None and lic_raw:
            extras["harvested_license"] = lic_raw
        if lic_id and lic_how:
            extras["license_inferred"] = lic_how
        freq, freq_raw = self.frequency()
        out["frequency"] = freq
        if freq is None and freq_raw:
            extras["harvested_frequency"] = freq_raw
        start, end = self.temporal()
        out["temporal_start"], out["temporal_end"] = iso(start), iso(end)
        territories, geometry = self.spatial()
        out["territories"] = territories
        if geometry:
            extras["spatial"] = json.dumps(geometry, separators=(",", ":"))
        if self.zone_uris:
            extras["spatial_uri"] = json.dumps(self.zone_uris)
        out.update(self.contact())
        for key, value in self.people().items():
            if not out.get(key):
                out[key] = value
        out["language"] = self.languages(d)
        prov = self.text(d, DCT.provenance)
        out["provenance"] = clean_text(prov, 10_000)
        access = [match_access_rights(v) for o in self.objects(d, DCT.accessRights) for v in self.values(o)]
        out["access_rights"] = next((a for a in access if a), None)
        out["version"] = clean_text(self.text(d, DCAT.version, OWL.versionInfo, ADMS.version), 100)
        out["documentation"] = next((u for u in self.uris_or_literals(d, FOAF.page, DCAT.qualifiedRelation)
                                     if is_http(u)), None)
        landing = [u for u in self.uris_or_literals(d, DCAT.landingPage) if is_http(u)]
        out["url"] = landing[0] if landing else None
        out["resources"] = DistributionReader(self.g).distributions(self.ref)

        if isinstance(d, URIRef):
            extras["uri"] = str(d)
        ident = best(self.objects(d, DCT.identifier)) or next(
            (str(o) for o in self.objects(d, DCT.identifier) if isinstance(o, URIRef)), None)
        if ident:
            extras["identifier"] = ident
        for key, pred in (("issued", DCT.issued), ("modified", DCT.modified)):
            value = best(self.objects(d, pred))
            if value:
                extras[key] = value
        extras.update(self.publisher())
        out["_extras"] = extras
        return out

    def tags(self) -> list[str]:
        seen: dict[str, str] = {}
        lits = [o for o in self.objects(self.ref, DCAT.keyword, DC.subject) if isinstance(o, Literal)]
        # several languages for one keyword: keep French and untagged ones when there are some
        if any(lang_rank(lit) <= 1 for lit in lits):
            lits = [lit for lit in lits if lang_rank(lit) <= 1]
        for lit in lits:
            for raw in re.split(r"[,;]", str(lit)):
                tag = re.sub(r"[^\w \-.]", " ", raw, flags=re.UNICODE)
                tag = " ".join(tag.split()).strip(" .-")[:100]
                if len(tag) < 3:
                    continue
                seen.setdefault(tag.casefold(), tag)
        return sorted(seen.values(), key=str.casefold)[:MAX_TAGS]

    def themes(self) -> list[str]:
        found: set[str] = set()
        for o in self.objects(self.ref, DCAT.theme):
            for v in self.values(o):
                t = match_theme(v)
                if t:
                    found.add(t)
                    break
        return sorted(found)

    def licence(self) -> tuple[str | None, str | None, str | None, str | None]:
        """``(license_id, license_other_url, raw text, how)``: the dataset's ``dct:license``, else its
        ``dct:rights`` statement (a licence it names), else the licence every distribution states
        (``dct:license`` or ``dct:rights``), else INSPIRE « no conditions apply » (rights or access rights).
        INSPIRE access-limitation codes are never taken for a licence. ``how`` says where it came from when it
        was not the dataset's own licence (``rights``, ``distributions``, ``inspire``)."""
        raw: str | None = None
        no_conditions = False

        def pick(nodes: list[Any]) -> tuple[str | None, str | None]:
            nonlocal raw, no_conditions
            other: tuple[str, str] | None = None
            for node in nodes:
                values = [v for v in self.values(node) if not is_inspire_limitation(v)]
                if any(is_inspire_no_conditions(v) for v in values):
                    no_conditions = True
                    values = [v for v in values if not is_inspire_no_conditions(v)
                              and INSPIRE_CONDITIONS not in v.lower()]
                if not values:
                    continue
                raw = raw or values[0]
                lid, url = match_licence(values)
                if lid is None or lid == voc.OTHER_LICENCE:
                    named = next((licence_in_text(v) for v in values if not is_http(v) and licence_in_text(v)),
                                 None)
                    if named:
                        lid, url = named, None
                if lid and lid != voc.OTHER_LICENCE:
                    return lid, None
                if lid and url and other is None:
                    other = (lid, url)
            return other if other else (None, None)

        lid, url = pick(self.objects(self.ref, DCT.license, CC.license))
        if lid:
            return lid, url, None, None
        lid, url = pick(self.objects(self.ref, DCT.rights))
        if lid:
            return lid, url, None, "rights"
        dists = [d for d in self.objects(self.ref, DCAT.distribution) if not isinstance(d, Literal)]
        if dists:
            found = []
            for dist in dists:
                found.append(pick(self.objects(dist, DCT.license, CC.license))
                             if self.objects(dist, DCT.license, CC.license) else pick(self.objects(dist, DCT.rights)))
            if found[0][0] and all(f == found[0] for f in found):
                return found[0][0], found[0][1], None, "distributions"
        for node in self.objects(self.ref, DCT.accessRights):
            if any(is_inspire_no_conditions(v) for v in self.values(node)):
                no_conditions = True
        if no_conditions and voc.licence(INSPIRE_NO_CONDITIONS_LICENCE) is not None:
            return INSPIRE_NO_CONDITIONS_LICENCE, None, None, "inspire"
        return None, None, raw, None

    def frequency(self) -> tuple[str | None, str | None]:
        raw = None
        for o in self.objects(self.ref, DCT.accrualPeriodicity):
            for v in self.values(o):
                raw = raw or v
                f = match_frequency(v)
                if f:
                    return f, None
        return None, raw

    def temporal(self) -> tuple[dt.date | None, dt.date | None]:
        starts: list[dt.date] = []
        ends: list[dt.date] = []
        for node in self.objects(self.ref, DCT.temporal):
            s = e = None
            if isinstance(node, Literal):
                s, e = parse_interval(str(node))
            else:
                sv = self.text(node, DCAT.startDate, SCHEMA.startDate, SCHEMA_S.startDate)
                ev = self.text(node, DCAT.endDate, SCHEMA.endDate, SCHEMA_S.endDate)
                if not sv:
                    for b in self.objects(node, TIME.hasBeginning):
                        sv = self.text(b, TIME.inXSDDate, TIME.inXSDDateTime, TIME.inXSDDateTimeStamp,
                                       TIME.inXSDgYear, TIME.inXSDgYearMonth)
                if not ev:
                    for b in self.objects(node, TIME.hasEnd):
                        ev = self.text(b, TIME.inXSDDate, TIME.inXSDDateTime, TIME.inXSDDateTimeStamp,
                                       TIME.inXSDgYear, TIME.inXSDgYearMonth)
                if sv:
                    sb = date_bounds(sv[:10]) if DATE_PREFIX.match(sv) else date_bounds(sv)
                    s = sb[0] if sb else None
                if ev:
                    eb = date_bounds(ev[:10]) if DATE_PREFIX.match(ev) else date_bounds(ev)
                    e = eb[1] if eb else None
                if not sv and not ev:
                    lit = best(self.objects(node, RDF.value, RDFS.label, DCT.title))
                    if lit:
                        s, e = parse_interval(lit)
            s, e = plausible_date(s), plausible_date(e)
            if s:
                starts.append(s)
            if e:
                ends.append(e)
        start = min(starts) if starts else None
        end = max(ends) if ends else None
        if start and end and start > end:
            end = None
        return start, end

    def spatial(self) -> tuple[list[str], dict | None]:
        keys: list[str] = []
        geometry: dict | None = None
        self.zone_uris: list[str] = []  # zones outside the referential (another region, a GeoNames place)
        for node in self.objects(self.ref, DCT.spatial):
            key = None
            if isinstance(node, Literal):
                text = str(node)
                key = territory_from_identifier(text) or territory_from_name(text)
                if key is None:
                    geometry = geometry or parse_geometry(node)
            else:
                for v in self.values(node):
                    key = territory_from_identifier(v)
                    if key:
                        break
                if key is None:
                    for v in self.objects(node, SKOS.prefLabel, RDFS.label, LOCN.geographicName, DCT.title,
                                          SKOS.altLabel):
                        key = territory_from_name(str(v))
                        if key:
                            break
                for p in (LOCN.geometry, DCAT.bbox, DCAT.centroid):
                    if geometry is not None and p != LOCN.geometry:
                        break
                    for lit in self.objects(node, p):
                        if not isinstance(lit, Literal):  # a locn:Geometry node (gsp:asWKT / asGeoJSON)
                            lit = next(iter(self.objects(lit, GSP.asWKT, GSP.asGeoJSON, LOCN.geometry)), None)
                            if not isinstance(lit, Literal):
                                continue
                        geom = parse_geometry(lit)
                        if geom and (geometry is None or (geometry["type"] == "Point" and geom["type"] != "Point")):
                            geometry = geom
            if key and key not in keys:
                keys.append(key)
            elif key is None and isinstance(node, URIRef) and is_http(str(node)) \
                    and str(node) not in self.zone_uris and len(self.zone_uris) < 20:
                self.zone_uris.append(str(node)[:500])
        return sorted(keys), geometry

    def _vcard(self, node: Any) -> tuple[str | None, str | None, str | None]:
        name = self.text(node, VCARD.fn, VCARD["organization-name"], VCARD["given-name"], FOAF.name, RDFS.label)
        emails = [email_address(str(o)) for o in self.objects(node, VCARD.hasEmail, VCARD.email, FOAF.mbox)]
        email = next((e for e in emails if e), None)
        urls = [str(o) for o in self.objects(node, VCARD.hasURL, VCARD.url, FOAF.homepage)]
        url = next((u for u in urls if is_http(u)), None)
        return clean_text(name, 500), email, url

    def contact(self) -> dict[str, Any]:
        """The contact point -> ``contact_*``. With several, a person (``vcard:Individual`` only) next to an
        organization's or a service's contact is the maintainer (as the Grand Est export writes it)."""
        nodes = [n for n in self.objects(self.ref, DCAT.contactPoint, ADMS.contactPoint)]
        out: dict[str, Any] = {}
        for node in nodes:
            if isinstance(node, Literal):
                email = email_address(str(node))
                if email and not out:
                    out = {"contact_email": email}
        cards = []
        for node in nodes:
            if isinstance(node, Literal):
                continue
            name, email, url = self._vcard(node)
            if name or email or url:
                types = set(self.g.objects(node, RDF.type))
                person = VCARD.Individual in types and VCARD.Organization not in types
                cards.append((person, str(node) if isinstance(node, URIRef) else "", name, email, url))
        if not cards:
            return out
        cards.sort(key=lambda c: (c[0], c[4] is None and c[3] is None, c[1], c[2] or "", c[3] or ""))
        _, _, name, email, url = cards[0]
        out = {"contact_name": name, "contact_email": email, "contact_url": url}
        people = [c for c in cards[1:] if c[0] and c[3]]
        if people:
            out["maintainer"] = people[0][2]
            out["maintainer_email"] = people[0][3]
        return out

    def people(self) -> dict[str, Any]:
        """CKAN's author (``dct:creator``) and maintainer (GeoDCAT-AP ``prov:qualifiedAttribution`` with the
        role custodian / point of contact / maintainer), when given as agents."""
        out: dict[str, Any] = {}
        for node in self.objects(self.ref, DCT.creator):
            if isinstance(node, Literal):
                continue
            name = self.text(node, FOAF.name, VCARD.fn, RDFS.label)
            email = next((e for e in (email_address(str(o)) for o in self.objects(node, FOAF.mbox, VCARD.hasEmail))
                          if e), None)
            if name:
                out["author"] = clean_text(name, 500)
            if email:
                out["author_email"] = email
            break
        for qa in self.objects(self.ref, PROV.qualifiedAttribution):
            role = " ".join(self.values(next(iter(self.objects(qa, DCAT.hadRole)), BNode()))).lower()
            agent = next(iter(self.objects(qa, PROV.agent)), None)
            if agent is None or not any(r in role for r in ("maintainer", "custodian", "pointofcontact")):
                continue
            name = self.text(agent, FOAF.name, VCARD.fn)
            email = next((e for e in (email_address(str(o)) for o in self.objects(agent, FOAF.mbox, VCARD.hasEmail))
                          if e), None)
            if name:
                out.setdefault("maintainer", clean_text(name, 500))
            if email:
                out.setdefault("maintainer_email", email)
        return out

    def publisher(self) -> dict[str, Any]:
        for node in self.objects(self.ref, DCT.publisher):
            if isinstance(node, Literal):
                return {"publisher_name": str(node)}
            out = {
                "publisher_name": self.text(node, FOAF.name, VCARD.fn, SKOS.prefLabel, RDFS.label),
                "publisher_uri": str(node) if isinstance(node, URIRef) else None,
                "publisher_email": next((e for e in (email_address(str(o)) for o in self.objects(
                    node, FOAF.mbox, VCARD.hasEmail)) if e), None),
                "publisher_url": next((str(o) for o in self.objects(node, FOAF.homepage, VCARD.hasURL)
                                       if is_http(str(o))), None),
            }
            return {k: v for k, v in out.items() if v}
        return {}
