"""What the harvester inferred or defaulted for one record, and the French notes of the harvest report.

A harvested record is never refused for a field the portal asks of its own publishers: what the record lacks
is filled in the most honest way and said, record by record.

* licence: the one the record states (dataset, else its rights statement, else the one every distribution
  states, else INSPIRE « no conditions apply »: :mod:`ckanext.grandest.dcat.parse`), else the source's
  ``default_license_id``, else « licence non précisée » (``notspecified``, data.gouv.fr's own), which the
  metadata score counts as no licence;
* territory: the record's own zones (INSEE / data.gouv.fr URIs) and geometry are kept; the owner
  organization's territory only when the record has neither, marked as inferred;
* national schemas: a version the catalogue does not know, or a schema outside it, is kept on the resource
  (``harvested_schema_*``) and flagged, never a reason to refuse the record.

The codes of what was inferred are kept on the dataset (extra ``harvest_inferred``, a JSON list) so that the
dataset page and the score can show it; the French sentences go to the harvest object (extra ``notes``) and
are listed per record on the job page (template helper ``grandest_harvest_job_notes``).
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.grandest.common.i18n import request_translator

_ = request_translator("harvest").gettext

INFERRED_EXTRA = "harvest_inferred"
NOTES_EXTRA = "notes"


def _extra(dataset: dict[str, Any], key: str) -> Any:
    for e in dataset.get("extras") or []:
        if e.get("key") == key:
            return e.get("value")
    return None


def _set_extra(dataset: dict[str, Any], key: str, value: Any) -> None:
    extras = [e for e in dataset.get("extras") or [] if e.get("key") != key]
    if value not in (None, "", []):
        extras.append({"key": key, "value": value if isinstance(value, str) else json.dumps(value)})
    dataset["extras"] = sorted(extras, key=lambda e: e["key"])


def complete_record(dataset: dict[str, Any], cfg: dict[str, Any], org_territory: str | None) -> list[str]:
    """Fills the licence and the territory a record lacks (in place); returns the French notes."""
    from ckanext.grandest.metadata import vocabularies as voc

    codes: list[str] = []
    notes: list[str] = []

    # licence ---------------------------------------------------------------------------------------------
    how = _extra(dataset, "license_inferred")
    _set_extra(dataset, "license_inferred", None)
    lic = voc.licence(dataset.get("license_id"))
    if dataset.get("license_id") and how:
        label = lic.short_label() if lic else dataset["license_id"]
        codes.append("license:" + how)
        notes.append({
            "rights": _("Licence read from the record's rights statement (dct:rights): {licence}."),
            "distributions": _("Licence read from the record's files (every file states it): {licence}."),
            "inspire": _("Licence inferred from INSPIRE « no conditions apply to access and use »: {licence}."),
        }.get(how, _("Licence inferred: {licence}.")).format(licence=label))
    if not dataset.get("license_id"):
        raw = _extra(dataset, "harvested_license")
        default = cfg.get("default_license_id")
        if default:
            dataset["license_id"] = default
            codes.append("license:source_default")
            default_lic = voc.licence(default)
            notes.append(_("No licence recognised in the record: the source's default licence ({licence}) was "
                           "given.").format(licence=default_lic.short_label() if default_lic else default))
        else:
            dataset["license_id"] = voc.NOT_SPECIFIED_LICENCE
            codes.append("license:notspecified")
            notes.append(_("No licence recognised in the record: imported with « licence not specified »."))
        if raw:
            notes[-1] += " " + _("The record said: « {text} ».").format(text=str(raw)[:200])

    # territory -------------------------------------------------------------------------------------------
    has_own = bool(dataset.get("territories")) or bool(_extra(dataset, "spatial")) or bool(
        _extra(dataset, "spatial_uri"))
    if not has_own and org_territory:
        dataset["territories"] = [org_territory]
        codes.append("territory:organization")
        from ckanext.grandest.metadata.territories import label as territory_label

        notes.append(_("The record states no spatial coverage: the territory of the owner organization "
                       "({territory}) was given, marked as inferred.").format(
                           territory=territory_label(org_territory) or org_territory))

    # national schemas ------------------------------------------------------------------------------------
    for res in dataset.get("resources") or []:
        name = res.get("name") or res.get("url") or ""
        if res.get("harvested_schema_version") and res.get("schema"):
            codes.append("schema:version_unknown")
            notes.append(_("File « {name} »: version {version} of the national schema {schema} is not in the "
                           "catalogue; its latest version is used and the declared one is kept.").format(
                               name=name[:150], version=res["harvested_schema_version"][:50],
                               schema=res["schema"]))
        elif res.get("harvested_schema_url") and not res.get("schema"):
            codes.append("schema:external")
            notes.append(_("File « {name} »: its schema ({url}) is not in the national catalogue; it is kept "
                           "with the file but not checked.").format(name=name[:150],
                                                                     url=res["harvested_schema_url"][:200]))
    _set_extra(dataset, INFERRED_EXTRA, sorted(set(codes)) or None)
    return notes


def inferred_codes(pkg_dict: dict[str, Any] | None) -> list[str]:
    """The codes of what the harvester inferred for a dataset (``harvest_inferred``, e.g.
    ``territory:organization``), for the dataset page; [] when none or unreadable."""
    if not pkg_dict:
        return []
    value = _extra(pkg_dict, INFERRED_EXTRA) or pkg_dict.get(INFERRED_EXTRA)
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        codes = json.loads(value or "[]")
    except (TypeError, ValueError):
        return []
    return [str(v) for v in codes] if isinstance(codes, list) else []


def notes_of(harvest_object: Any) -> list[str]:
    for extra in getattr(harvest_object, "extras", None) or []:
        if extra.key == NOTES_EXTRA:
            try:
                value = json.loads(extra.value or "[]")
            except ValueError:
                return []
            return [str(v) for v in value] if isinstance(value, list) else []
    return []


def job_notes(job_id: str) -> dict[str, dict[str, Any]]:
    """``{harvest object id: {guid, package_id, title, notes}}`` of the records of a job with notes."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

    rows = (model.Session.query(HarvestObject.id, HarvestObject.guid, HarvestObject.package_id,
                                HarvestObject.report_status, HarvestObjectExtra.value)
            .join(HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
            .filter(HarvestObject.harvest_job_id == job_id)
            .filter(HarvestObjectExtra.key == NOTES_EXTRA)
            .order_by(HarvestObject.guid))
    out: dict[str, dict[str, Any]] = {}
    for obj_id, guid, package_id, status, value in rows:
        try:
            notes = json.loads(value or "[]")
        except ValueError:
            continue
        if not notes or status not in ("added", "updated", "not modified"):
            continue
        pkg = model.Package.get(package_id) if package_id else None
        out[obj_id] = {"guid": guid, "package_id": package_id, "name": pkg.name if pkg else None,
                       "title": pkg.title if pkg else None, "notes": [str(n) for n in notes]}
    return out


def bare_reference(graph: Any, ref: Any) -> bool:
    """A dataset only referred to, not described (a DataService's ``dcat:servesDataset`` target, a typed URI
    with nothing else): skipped, not an error. A node with a description or distributions but no title stays
    an error (a record that cannot be read)."""
    from rdflib.namespace import RDF, Namespace

    dcat = Namespace("http://www.w3.org/ns/dcat#")
    dct = Namespace("http://purl.org/dc/terms/")
    described = {p for p in graph.predicates(ref, None)} - {RDF.type, dct.identifier, dct.conformsTo}
    if not described:
        return True
    served = (None, dcat.servesDataset, ref) in graph
    return served and not ({dct.description, dcat.distribution} & described)
