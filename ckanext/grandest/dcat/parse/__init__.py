"""DCAT → Grand Est schema: the parsing half of the ``grandest_dcat_ap`` RDF profile.

The profile (``profiles.py``) delegates its ``parse_dataset`` to :func:`parse_dataset`, which reads one
``dcat:Dataset`` of the graph and fills ``dataset_dict`` **in place** with the fields of the Grand Est schema
(docs/metadata-fields.md). It understands what real portals emit:

* DCAT 2/3 and DCAT-AP 2/3 (CKAN with ckanext-dcat, udata / data.gouv.fr, OpenDataSoft), GeoDCAT-AP
  (GeoNetwork: INSPIRE themes, GML or WKT geometries, ``dct:rights`` statements);
* licences by URL, title or known alias (Licence Ouverte 1/2, Etalab, ODbL, CC-*), EU and SPDX URIs;
* frequencies as EU or purl.org/cld URIs, ISO 8601 durations or literals (French or English);
* themes as EU data-theme URIs, INSPIRE theme URIs or labels (French or English);
* temporal coverage as ``dct:PeriodOfTime`` (dcat:, schema: or time: properties) or ISO literals;
* spatial coverage as INSEE / geo.api.gouv.fr / data.gouv.fr zone URIs or identifiers, or place names matched
  against the territorial referential; the geometry is kept (``spatial``, GeoJSON);
* contacts (``dcat:contactPoint`` vCards, publisher), distributions (download vs access URL, formats from EU
  file-type or IANA URIs or literals, byte size, checksum, national Table Schema from ``dct:conformsTo``).

Nothing here fetches anything over the network or raises on odd input: a value that cannot be understood is
left out (and the raw value kept where the schema has no place for it). Pure Python apart from rdflib; CKAN is
only consulted through the profile (``profile._dataset_schema``) to know which fields the schema has.

The package reads in parts: ``text.py`` (literals, HTML descriptions, e-mails), ``licences.py``, ``terms.py``
(frequencies, themes, languages, access rights, formats), ``dates.py``, ``spatial.py`` (territories and
geometries), ``graph.py`` (namespaces, graph helpers), ``reader.py`` (one dataset) and ``distributions.py``.
"""
from __future__ import annotations

import json
from typing import Any

from .reader import DatasetReader

#: Fields this module owns (set or removed on every parse).
DATASET_FIELDS = (
    "title", "notes", "tags", "theme", "license_id", "license_other_url", "frequency", "temporal_start",
    "temporal_end", "territories", "contact_name", "contact_email", "contact_url", "maintainer",
    "maintainer_email", "author", "author_email", "language", "provenance", "access_rights", "version",
    "documentation", "url", "resources", "extras",
)
#: Extras this module may write (when the schema has no field of the same name).
EXTRA_KEYS = ("uri", "identifier", "issued", "modified", "spatial", "spatial_uri", "publisher_name",
              "publisher_uri", "publisher_email", "publisher_url", "harvested_license", "harvested_frequency",
              "license_inferred")



# ----------------------------------------------------------------------------------------------------------
# entry point
# ----------------------------------------------------------------------------------------------------------
def parse_dataset(profile: Any, dataset_dict: dict, dataset_ref: Any) -> dict:
    """Fill ``dataset_dict`` (in place, also returned) from the ``dcat:Dataset`` ``dataset_ref`` of
    ``profile.g``.

    Keys written by profiles that ran before (e.g. euro_dcat_ap_3) are replaced where this module knows the
    field, dropped where the Grand Est schema has no such field (they would fail validation), and kept where
    they are schema fields this module does not handle.
    """
    g = profile.g
    schema_fields = _schema_field_names(profile)
    parsed = DatasetReader(g, dataset_ref).dataset()

    kept = {k: v for k, v in dataset_dict.items()
            if k not in DATASET_FIELDS and (k in _CORE_KEEP or (schema_fields and k in schema_fields))}
    extras: list[dict[str, str]] = []
    root_names = set(schema_fields or ()) | _CORE_FIELDS
    for key, value in parsed.pop("_extras").items():
        if value in (None, "", [], {}):
            continue
        if key in root_names:
            parsed.setdefault(key, value)
        else:
            extras.append({"key": key, "value": value if isinstance(value, str) else json.dumps(value)})
    # fields the schema does not have go to extras too (a schema without `territories` still keeps them)
    if schema_fields:
        for key in list(parsed):
            if key not in schema_fields and key not in _CORE_FIELDS and key != "resources":
                value = parsed.pop(key)
                if value not in (None, "", []):
                    extras.append({"key": key, "value": value if isinstance(value, str) else json.dumps(value)})
    dataset_dict.clear()
    dataset_dict.update(kept)
    dataset_dict.update({k: v for k, v in parsed.items() if v not in (None, "", [])})
    dataset_dict.setdefault("resources", [])
    dataset_dict["extras"] = sorted(extras, key=lambda e: e["key"])
    return dataset_dict


_CORE_FIELDS = {
    "name", "title", "notes", "url", "version", "tags", "license_id", "maintainer", "maintainer_email",
    "author", "author_email", "owner_org", "private", "state", "type", "id", "groups", "resources", "extras",
    "tag_string",
}
_CORE_KEEP = {"name", "owner_org", "private", "type", "id", "groups"}


def _schema_field_names(profile: Any) -> set[str] | None:
    schema = getattr(profile, "_dataset_schema", None)
    if not isinstance(schema, dict):
        return None
    return {f.get("field_name") for f in schema.get("dataset_fields", []) if f.get("field_name")}
