"""Automatic repairs of an uploaded file, with the publisher's consent (CKAN side of :mod:`.engine.repair`).

* :func:`preview` runs the repair without writing anything: what would change, counts per kind and a sample
  of the changed cells, the date columns whose order must be chosen;
* :func:`apply` writes the repaired copy to a temporary file, keeps the original aside, then replaces the
  resource's file **through** ``resource_update`` with the upload (so the uploader in place, and the hosting
  quotas of grandest_onboarding when it is loaded, apply exactly as for a file sent through the form). The
  resource change queues a new check (the validation hook sees a new file).

Where the original goes: ``grandest_validation/originals/<resource id>/`` **in the store of the resource files**
(:func:`ckanext.grandest.common.filestore.resource_files`: under ``ckan.storage_path``, or in the configured file
storage of CKAN 2.12, local or S3; a location of its own, outside CKAN's resource keys) holds the file as it was
before the **latest** repair (``original``) and what was changed (``repair.json``). Only one original is
kept per resource (a second repair replaces it), it is deleted with the resource, and it is **not counted** in
the organization's hosting quota: it is a bounded safety copy (never larger than a file the quota already
accepted) that the publisher did not choose to publish. See docs/score-qualite.md.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context
from werkzeug.datastructures import FileStorage

from ckanext.grandest.common.i18n import N_

from . import config as cfg
from .engine.messages import human_size
from .engine.repair import KINDS, RepairResult, repair_csv
from .files import file_name, schema_ref, uploaded_file

log = logging.getLogger(__name__)

ORIGINALS = ("grandest_validation", "originals")
RECORD = "repair.json"
ORIGINAL = "original"

KIND_LABELS = {
    "encoding": N_("Text encoding converted to UTF-8"),
    "delimiter": N_("Column separator changed to a comma"),
    "header": N_("Column names written exactly as in the schema"),
    "decimal-comma": N_("Decimal comma replaced by a point in number columns"),
    "french-date": N_("Dates written in the standard form YYYY-MM-DD"),
    "boolean": N_("Yes/no values written as the schema expects"),
    "code-spaces": N_("Spaces removed from SIRET, SIREN, postcodes and phone numbers"),
    "empty-rows": N_("Empty rows removed at the end of the file"),
    "empty-columns": N_("Empty columns removed at the right of the table"),
}
REFUSALS = {
    "not-upload": N_("Only files uploaded to the portal can be repaired automatically. For a link, repair the "
                     "file where it is published."),
    "no-file": N_("The file of this resource cannot be found on the server: nothing can be repaired."),
    "too-large": N_("This file is too large to be repaired automatically ({size}, limit {limit})."),
    "broken-encoding": N_("The file mixes two text encodings: it cannot be repaired safely. Open it in your "
                          "spreadsheet and save it again as « CSV UTF-8 »."),
    "compressed": N_("Compressed files (zip, gz) cannot be repaired automatically: publish the CSV file itself."),
    "unreadable": N_("The file could not be read as a table: it cannot be repaired automatically."),
    "not-csv": N_("Only CSV files can be repaired automatically."),
    "nothing": N_("No automatic repair is needed for this file."),
    "changed": N_("The file changed since the preview: look at the repairs again before accepting them."),
}
NOT_A_TABLE = N_("This file is not a readable CSV table: nothing can be repaired automatically.")
AMBIGUOUS = N_("In the column « {column} », dates such as {examples} can be read day first or month first. "
               "Choose the order used in your file, or leave these dates unchanged.")
MIXED = N_("In the column « {column} », some dates are written day first and others month first: they are "
           "left unchanged. Correct them by hand.")


class RepairRefused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return refusal_message(self.code, self.params)


def refusal_message(code: str, params: dict[str, Any] | None = None) -> str:
    params = dict(params or {})
    for key in ("size", "limit"):
        if isinstance(params.get(key), int):
            params[key] = human_size(params[key])
    template = REFUSALS.get(code)
    if template is None:
        return tk._(NOT_A_TABLE)
    try:
        return tk._(template).format(**params)
    except (KeyError, IndexError, ValueError):
        return tk._(template)


def describe(result: dict[str, Any]) -> dict[str, Any]:
    """The French labels of a repair result (preview or record) for pages and API clients."""
    counts = result.get("counts") or {}
    out = dict(result)
    out["kinds"] = [{"kind": k, "label": tk._(KIND_LABELS[k]), "count": counts[k]} for k in KINDS if counts.get(k)]
    for change in out.get("changes") or []:
        change["label"] = tk._(KIND_LABELS.get(change.get("kind"), change.get("kind") or ""))
    out["ambiguous_dates"] = [dict(a, message=_date_message(a)) for a in out.get("ambiguous_dates") or []]
    if out.get("refused"):
        out["message"] = refusal_message(out["refused"], out.get("refused_params"))
    return out


def _date_message(entry: dict[str, Any]) -> str:
    template = AMBIGUOUS if entry.get("reason") == "ambiguous" else MIXED
    return tk._(template).format(column=entry.get("column"), examples=", ".join(entry.get("examples") or []))


# --- files ---------------------------------------------------------------------------------------------------

def _store() -> Any:
    from ckanext.grandest.common import filestore

    return filestore.resource_files()


def _aside(store: Any, resource_id: str, name: str) -> str | None:
    """Location of ``name`` (``original``, ``repair.json``) among the originals of ``resource_id`` in ``store``."""
    if store is None or not resource_id or "/" in resource_id or ".." in resource_id:
        return None
    return store.aside(*ORIGINALS, resource_id, name)


@contextlib.contextmanager
def _source(res: dict[str, Any]) -> Iterator[str]:
    """A local path to the resource's current file: read in place on a local disk, streamed from its storage
    (CKAN 2.12: S3...) to a temporary copy deleted afterwards, as the validation worker does."""
    if res.get("url_type") != "upload":
        raise RepairRefused("not-upload")
    limits = cfg.limits()
    fetched = uploaded_file(res, limits)
    try:
        if fetched.error_code == "too-large":
            raise RepairRefused("too-large", size=fetched.bytes, limit=limits.max_download_bytes)
        if not fetched.ok or not fetched.path or not os.path.isfile(fetched.path):
            raise RepairRefused("no-file")
        yield fetched.path
    finally:
        fetched.cleanup()


def _run(path: str, res: dict[str, Any], *, date_orders: dict[str, str] | None,
         output: str | None) -> RepairResult:
    schema = schema_ref(res)
    if isinstance(schema, str) and schema.startswith("{"):
        schema = None  # unreadable JSON text: repair without a schema
    return repair_csv(path, schema=schema, name=file_name(res), output=output, date_orders=date_orders,
                      limits=cfg.limits())


def preview(res: dict[str, Any], date_orders: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        with _source(res) as path:
            result = _run(path, res, date_orders=date_orders, output=None).to_dict()
    except RepairRefused as exc:
        result = RepairResult(refused=exc.code, refused_params=exc.params).to_dict()
    if result.get("ok") and not result.get("change_count"):
        result["refused"] = "nothing"
    result["fingerprint"] = _fingerprint(res)
    return describe(result)


def _fingerprint(res: dict[str, Any]) -> str:
    return f"{res.get('last_modified') or res.get('created') or ''}|{res.get('size') or ''}"


def _read(store: Any, location: str | None) -> bytes | None:
    if location is None:
        return None
    try:
        return b"".join(store.chunks(location))
    except FileNotFoundError:
        return None
    except Exception as exc:  # the storage could not be read (down, refused...)
        log.warning("could not read %s from the resource storage: %s", location, exc)
        return None


def record(resource_id: str) -> dict[str, Any] | None:
    """What the latest repair changed (``None`` if the resource was never repaired)."""
    store = _store()
    raw = _read(store, _aside(store, resource_id, RECORD))
    try:
        data = json.loads(raw.decode("utf-8")) if raw is not None else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None
    data["original_available"] = original_location(resource_id) is not None
    return describe(data)


def original_location(resource_id: str) -> tuple[Any, str] | None:
    """``(store, location)`` of the original kept for ``resource_id``, None when there is none."""
    store = _store()
    location = _aside(store, resource_id, ORIGINAL)
    try:
        return (store, location) if location is not None and store.exists(location) else None
    except Exception as exc:  # the storage could not be asked
        log.warning("could not look for the original of %s: %s", resource_id, exc)
        return None


def remove_originals(resource_id: str) -> None:
    store = _store()
    for name in (ORIGINAL, RECORD):
        location = _aside(store, resource_id, name)
        if location is None:
            return
        try:
            store.remove(location)
        except Exception as exc:  # logged: the resource's deletion goes on
            log.warning("could not delete %s from the resource storage: %s", location, exc)
    path = store.local_path(_aside(store, resource_id, ORIGINAL))
    if path:  # the folder of a local disk, now empty
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(path))


def _put(store: Any, path: str, location: str, content_type: str) -> None:
    """Send the local file ``path`` to ``location`` of ``store`` (replacing what is there): written aside
    first, then moved into place, so a failed upload leaves the previous file."""
    from ckanext.grandest.common.filestore import LimitedReader

    pending = f"{location}~{uuid.uuid4().hex[:12]}"
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        store.write(pending, LimitedReader(fh, size), size, content_type)
    try:
        store.remove(location)
        store.move(pending, location)
    except BaseException:
        with contextlib.suppress(Exception):
            store.remove(pending)
        raise


def apply(context: Context, res: dict[str, Any], *, date_orders: dict[str, str] | None = None,
          fingerprint: str | None = None) -> dict[str, Any]:
    """Repair the resource's file and store it through ``resource_update``; returns the record.

    Raises :class:`RepairRefused` (nothing changed), or ``tk.ValidationError`` from ``resource_update`` (quota):
    in both cases the stored file and the previous original are untouched.
    """
    if fingerprint and fingerprint != _fingerprint(res):
        raise RepairRefused("changed")
    store = _store()
    original_at = _aside(store, res.get("id") or "", ORIGINAL)
    record_at = _aside(store, res.get("id") or "", RECORD)
    if original_at is None or record_at is None:
        raise RepairRefused("no-file")
    work = tempfile.mkdtemp(prefix="grandest-repair-")
    try:
        with _source(res) as source:
            repaired = os.path.join(work, "repaired.csv")
            result = _run(source, res, date_orders=date_orders, output=repaired)
            if not result.ok:
                raise RepairRefused(result.refused or "unreadable", **result.refused_params)
            if not result.change_count:
                raise RepairRefused("nothing")
            kept = os.path.join(work, ORIGINAL)
            shutil.copyfile(source, kept)  # a copy taken before the resource's file is replaced
        name = file_name(res) or "donnees.csv"
        stem = name.rsplit(".", 1)[0] if "." in name else name
        data = {k: v for k, v in res.items() if k not in ("upload", "url", "size", "hash", "mimetype")}
        data.update({"id": res["id"], "url": "", "format": "CSV"})
        with open(repaired, "rb") as fh:
            data["upload"] = FileStorage(stream=fh, filename=f"{stem}.csv", content_type="text/csv")
            updated = tk.get_action("resource_update")(context.copy(), data)
        entry = {
            "repaired_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "user": str(context.get("user") or ""),
            "original_name": name,
            "original_size": os.path.getsize(kept),
            "counts": result.counts, "changes": result.changes, "date_orders": result.date_orders,
            "ambiguous_dates": result.ambiguous_dates, "source_encoding": result.source_encoding,
            "delimiter": result.delimiter, "rows": result.rows, "change_count": result.change_count,
        }
        record_path = os.path.join(work, RECORD)
        with open(record_path, "w", encoding="utf-8") as fh:
            json.dump(entry, fh, ensure_ascii=False)
        try:
            _put(store, kept, original_at, "application/octet-stream")
            _put(store, record_path, record_at, "application/json")
        except Exception as exc:  # the repaired file is published: the safety copy could not be kept
            log.error("repair of %s: the original could not be kept in the resource storage: %s", res["id"], exc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = describe(entry)
    out["resource"] = updated
    return out
