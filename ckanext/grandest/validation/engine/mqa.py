"""Metadata score /405 of a dataset, aligned on data.europa.eu's Metadata Quality Assessment (MQA).

Same indicators, weights and bands as the MQA methodology
(https://data.europa.eu/mqa/methodology), computed from a plain
CKAN dataset dict so that communes see what data.europa.eu will compute after harvesting:

======================  ====  ========================================================================
Findability             100   keywords 30, themes 30, spatial coverage 20, temporal coverage 20
Accessibility           100   access URL answers 2xx 50, download URL given 20, download URL answers 30
Interoperability        110   format 20, media type 10, format/media type from vocabulary 10,
                              non-proprietary 20, machine-readable 20, DCAT-AP compliance 30
Reusability              75   licence 20, licence from vocabulary 10, access rights 10, access rights
                              from vocabulary 5, contact point 20, publisher 10
Contextuality            20   rights 5, file size 5, issue date 5, modification date 5
======================  ====  ========================================================================

Bands: Excellent 351–405, Bon 221–350, Suffisant 121–220, Insuffisant 0–120.

Aggregation over distributions: interoperability uses the **best** distribution (MQA rule); the other
distribution-level indicators (access/download URL, size, rights) give points pro rata of the
distributions that meet them.

Inputs that need the network or RDF are passed in, never fetched here:

* ``availability``: ``{resource id or url: status}`` where status is an HTTP code, a bool, a
  :class:`~.fetch.FetchResult` or a dict with ``status``/``ok``. Unknown -> no point, reason "non vérifié".
* ``shacl_conforms``: result of pySHACL on the DCAT-AP export. When ``None``, a fallback checks the
  DCAT-AP mandatory properties (title, description, a URL per distribution) and that the controlled fields
  (themes, frequency, access rights, licence, formats) use their vocabularies.

Dataset dict (our CKAN schema's field names): ``title, notes, tags[{name}], theme[EU data-theme URIs],
territories['commune:67482', ...], temporal_start, temporal_end, frequency (EU URI), license_id, license_url,
access_rights (EU URI), contact_name, contact_email, contact_url, organization{title}, metadata_created,
metadata_modified, issued, provenance, documentation, resources[{url, format, mimetype, size, schema,
description, last_modified}]``. Optional ``rights`` (dataset or resource) and ``download_url`` (resource)
are honoured when present.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import vocab
from .messages import N_, _, ngettext

MAX_TOTAL = 405
BANDS = (
    (351, "excellent", N_("Excellent")),
    (221, "bon", N_("Good")),
    (121, "suffisant", N_("Fair")),
    (0, "insuffisant", N_("Poor")),
)
SERVICE_TYPES = frozenset({"WMS_SRVC", "WFS_SRVC", "WCS_SRVC", "WMTS_SRVC", "REST", "SPARQLQ", "HTML", "MAP_SRVC"})


def mqa_band(total: float) -> tuple[str, str]:
    for threshold, key, label in BANDS:
        if total >= threshold:
            return key, _(label)
    return BANDS[-1][1], _(BANDS[-1][2])  # pragma: no cover


def _ind(key: str, label: str, points: float, maximum: int, reason: str) -> dict[str, Any]:
    points = round(max(0.0, min(points, float(maximum))), 1)
    return {"key": key, "label": label, "points": points, "max": maximum, "met": points >= maximum, "reason": reason}


def _dim(key: str, label: str, maximum: int, indicators: list[dict[str, Any]]) -> dict[str, Any]:
    return {"key": key, "label": label, "points": round(sum(i["points"] for i in indicators), 1), "max": maximum,
            "indicators": indicators}


def _status_ok(value: Any) -> bool | None:
    """Normalise an availability value to True (2xx), False, or None (unknown)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return 200 <= value < 300
    if isinstance(value, Mapping):
        if "ok" in value and value["ok"] is not None:
            return bool(value["ok"]) and (value.get("status") is None or 200 <= int(value["status"]) < 300)
        if value.get("status") is not None:
            return 200 <= int(value["status"]) < 300
        return None
    ok = getattr(value, "ok", None)
    if ok is not None:
        return bool(ok)
    return None  # pragma: no cover


def _share(flags: list[bool]) -> float:
    return sum(1 for f in flags if f) / len(flags) if flags else 0.0


def _count(flags: list[bool]) -> str:
    # « 1 ressource(s) sur 2 »: not an ngettext plural, the French text is pinned by tests/validation/engine/test_mqa.py
    return _(N_("{n} of {total} resource(s)")).format(n=sum(1 for f in flags if f), total=len(flags))


def _resource_file_type(res: Mapping[str, Any]) -> str | None:
    return vocab.normalize_file_type(res.get("format"))


def _download_url(res: Mapping[str, Any]) -> str | None:
    if res.get("download_url"):
        return str(res["download_url"])
    if res.get("url") and _resource_file_type(res) not in SERVICE_TYPES:
        return str(res["url"])
    return None


def _fallback_dcat_compliance(dataset: Mapping[str, Any]) -> tuple[bool, list[str]]:
    problems: list[str] = []
    if not (dataset.get("title") or "").strip():
        problems.append(_(N_("title missing")))
    if not (dataset.get("notes") or "").strip():
        problems.append(_(N_("description missing")))
    resources = dataset.get("resources") or []
    if any(not r.get("url") for r in resources):
        problems.append(_(N_("resource without an address")))
    for theme in dataset.get("theme") or []:
        if not str(theme).startswith(vocab.DATA_THEME_BASE) or str(theme).rsplit("/", 1)[-1] not in vocab.DATA_THEMES:
            problems.append(_(N_("theme outside the European vocabulary")))
            break
    if dataset.get("frequency") and not str(dataset["frequency"]).startswith(vocab.FREQUENCY_BASE):
        problems.append(_(N_("frequency outside the European vocabulary")))
    if dataset.get("access_rights") and vocab.access_right_code(dataset["access_rights"]) is None:
        problems.append(_(N_("access rights outside the European vocabulary")))
    if any(r.get("format") and _resource_file_type(r) is None for r in resources):
        problems.append(_(N_("file format outside the European vocabulary")))
    return not problems, problems


def score_metadata(
    dataset: Mapping[str, Any],
    *,
    availability: Mapping[str, Any] | None = None,
    shacl_conforms: bool | None = None,
    shacl_report: str | None = None,
) -> dict[str, Any]:
    """MQA-aligned metadata score of ``dataset`` (no network access).

    Returns ``{"total", "max": 405, "band", "band_label", "dimensions": [{"key", "label", "points", "max",
    "indicators": [{"key", "label", "points", "max", "met", "reason"}]}]}``.
    """
    availability = availability or {}
    resources = list(dataset.get("resources") or [])

    # -- Findability ------------------------------------------------------------------------------------
    tags = [t for t in dataset.get("tags") or [] if (t.get("name") if isinstance(t, Mapping) else t)]
    themes = [t for t in dataset.get("theme") or [] if t]
    territories = [t for t in dataset.get("territories") or [] if t]
    temporal = bool(dataset.get("temporal_start") or dataset.get("temporal_end"))
    findability = _dim("findability", _(N_("Findability")), 100, [
        _ind("keywords", _(N_("Keywords")), 30 if tags else 0, 30,
             ngettext("{n} keyword", "{n} keywords", len(tags)).format(n=len(tags)) if tags else _(N_("no keyword"))),
        _ind("themes", _(N_("Themes")), 30 if themes else 0, 30,
             ngettext("{n} theme", "{n} themes", len(themes)).format(n=len(themes)) if themes else _(N_("no theme"))),
        _ind("spatial", _(N_("Spatial coverage")), 20 if territories else 0, 20,
             ngettext("{n} territory", "{n} territories", len(territories)).format(
                 n=len(territories)) if territories else _(N_("no territory"))),
        _ind("temporal", _(N_("Temporal coverage")), 20 if temporal else 0, 20,
             _(N_("period given")) if temporal else _(N_("period not given"))),
    ])

    # -- Accessibility ----------------------------------------------------------------------------------
    access_flags: list[bool] = []
    unknown_access = 0
    download_flags: list[bool] = []
    download_ok_flags: list[bool] = []
    for res in resources:
        known = availability.get(res.get("id") or "", availability.get(res.get("url") or ""))
        status = _status_ok(known) if res.get("url") else False
        if status is None:
            unknown_access += 1
        access_flags.append(bool(status))
        durl = _download_url(res)
        download_flags.append(durl is not None)
        if durl is not None:
            dstatus = status if durl == res.get("url") else _status_ok(availability.get(durl))
            download_ok_flags.append(bool(dstatus))
        else:
            download_ok_flags.append(False)
    access_reason = _count(access_flags)
    if unknown_access:
        access_reason += " — " + ngettext("{n} not checked", "{n} not checked", unknown_access).format(n=unknown_access)
    accessibility = _dim("accessibility", _(N_("Accessibility")), 100, [
        _ind("access_url", _(N_("Working access URL")), 50 * _share(access_flags), 50,
             access_reason if resources else _(N_("no resource"))),
        _ind("download_url", _(N_("Direct download link")), 20 * _share(download_flags), 20,
             _count(download_flags) if resources else _(N_("no resource"))),
        _ind("download_url_ok", _(N_("Working download")), 30 * _share(download_ok_flags), 30,
             _count(download_ok_flags) if resources else _(N_("no resource"))),
    ])

    # -- Interoperability (best distribution) -----------------------------------------------------------
    best: list[dict[str, Any]] | None = None
    best_points = -1.0
    for res in resources:
        fmt = _resource_file_type(res)
        declared_format = bool(res.get("format"))
        mime = res.get("mimetype")
        indicators = [
            _ind("format", _(N_("Format given")), 20 if declared_format else 0, 20,
                 _(N_("format {fmt}")).format(fmt=res.get("format")) if declared_format else _(N_("format not given"))),
            _ind("media_type", _(N_("Media type given")), 10 if mime else 0, 10,
                 _(N_("type {mime}")).format(mime=mime) if mime else _(N_("media type not given"))),
            _ind("vocabulary", _(N_("Format from a vocabulary")), 10 if (fmt or vocab.is_iana_media_type(mime)) else 0, 10,
                 _(N_("format of the European vocabulary or IANA type")) if (fmt or vocab.is_iana_media_type(mime))
                 else _(N_("format and media type outside the vocabularies"))),
            _ind("non_proprietary", _(N_("Non-proprietary format")), 20 if fmt in vocab.NON_PROPRIETARY else 0, 20,
                 _(N_("open format")) if fmt in vocab.NON_PROPRIETARY else _(N_("proprietary or unknown format"))),
            _ind("machine_readable", _(N_("Machine-readable format")), 20 if fmt in vocab.MACHINE_READABLE else 0, 20,
                 _(N_("structured format")) if fmt in vocab.MACHINE_READABLE else _(N_("unstructured format"))),
        ]
        points = sum(i["points"] for i in indicators)
        if points > best_points:
            best, best_points = indicators, points
    if best is None:
        best = [
            _ind("format", _(N_("Format given")), 0, 20, _(N_("no resource"))),
            _ind("media_type", _(N_("Media type given")), 0, 10, _(N_("no resource"))),
            _ind("vocabulary", _(N_("Format from a vocabulary")), 0, 10, _(N_("no resource"))),
            _ind("non_proprietary", _(N_("Non-proprietary format")), 0, 20, _(N_("no resource"))),
            _ind("machine_readable", _(N_("Machine-readable format")), 0, 20, _(N_("no resource"))),
        ]
    if shacl_conforms is None:
        conforms, problems = _fallback_dcat_compliance(dataset)
        reason = (_(N_("required DCAT-AP properties present (simplified check)")) if conforms
                  else _(N_("not conforming (simplified check): {problems}")).format(problems=", ".join(problems)))
    else:
        conforms = bool(shacl_conforms)
        reason = _(N_("conforms to the DCAT-AP SHACL shapes")) if conforms else (
            _(N_("does not conform to the DCAT-AP SHACL shapes")) + (f" : {shacl_report}" if shacl_report else ""))
    best = best + [_ind("dcat_ap", _(N_("DCAT-AP conformity")), 30 if conforms else 0, 30, reason)]
    interoperability = _dim("interoperability", _(N_("Interoperability")), 110, best)

    # -- Reusability ------------------------------------------------------------------------------------
    license_id = (dataset.get("license_id") or "").strip()
    # « licence non précisée » (a harvested record that states none) is no licence for the score
    has_licence = bool(license_id) and license_id != "notspecified" and (
        license_id != "other" or bool(dataset.get("license_url")))
    in_vocab = vocab.LICENCES.get(license_id) is not None
    access_rights = dataset.get("access_rights")
    ar_code = vocab.access_right_code(access_rights)
    contact = bool(dataset.get("contact_email") or dataset.get("contact_url"))
    publisher = bool(((dataset.get("organization") or {}).get("title") or "").strip())
    reusability = _dim("reusability", _(N_("Reusability")), 75, [
        _ind("licence", _(N_("Licence")), 20 if has_licence else 0, 20,
             _(N_("licence given")) if has_licence else _(N_("licence not given"))),
        _ind("licence_vocabulary", _(N_("Recognised licence")), 10 if in_vocab else 0, 10,
             _(N_("licence of the European vocabulary ({code})")).format(code=vocab.LICENCES.get(license_id))
             if in_vocab else _(N_("licence outside the European vocabulary"))),
        _ind("access_rights", _(N_("Access rights")), 10 if access_rights else 0, 10,
             _(N_("access rights given")) if access_rights else _(N_("access rights not given"))),
        _ind("access_rights_vocabulary", _(N_("Standard access rights")), 5 if ar_code else 0, 5,
             _(N_("value {code} of the European vocabulary")).format(code=ar_code) if ar_code
             else _(N_("value outside the European vocabulary"))),
        _ind("contact_point", _(N_("Contact point")), 20 if contact else 0, 20,
             _(N_("e-mail address or contact form given")) if contact else _(N_("no e-mail address or contact link"))),
        _ind("publisher", _(N_("Publisher")), 10 if publisher else 0, 10,
             _(N_("publisher given")) if publisher else _(N_("publisher not given"))),
    ])

    # -- Contextuality ----------------------------------------------------------------------------------
    dataset_rights = bool(dataset.get("rights") or dataset.get("license_url"))
    rights_flags = [bool(r.get("rights")) or dataset_rights for r in resources]
    size_flags = [_has_size(r.get("size")) for r in resources]
    issued = bool(dataset.get("issued") or dataset.get("metadata_created"))
    modified = bool(dataset.get("metadata_modified"))
    contextuality = _dim("contextuality", _(N_("Context")), 20, [
        _ind("rights", _(N_("Rights statement")), 5 * _share(rights_flags), 5,
             _count(rights_flags) if resources else _(N_("no resource"))),
        _ind("byte_size", _(N_("Size of the files")), 5 * _share(size_flags), 5,
             _count(size_flags) if resources else _(N_("no resource"))),
        _ind("issued", _(N_("Publication date")), 5 if issued else 0, 5,
             _(N_("date given")) if issued else _(N_("date not given"))),
        _ind("modified", _(N_("Update date")), 5 if modified else 0, 5,
             _(N_("date given")) if modified else _(N_("date not given"))),
    ])

    dimensions = [findability, accessibility, interoperability, reusability, contextuality]
    total = round(sum(d["points"] for d in dimensions))
    key, label = mqa_band(total)
    return {"total": int(total), "max": MAX_TOTAL, "band": key, "band_label": label, "dimensions": dimensions}


def _has_size(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value > 0
    if isinstance(value, str):
        return value.strip().isdigit() and int(value) > 0
    return False
