"""``ckan grandest metadata audit``: which datasets would the Grand Est schema reject, and why.

Each dataset is read as ``package_show`` gives it and validated as if it were edited and saved unchanged
(``package_update`` with the dataset schema): nothing is written.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Iterator

import ckan.lib.plugins as lib_plugins
import ckan.plugins.toolkit as tk
from ckan.types import Context
from ckan import model


@dataclasses.dataclass
class Problem:
    dataset: str  #: name
    title: str
    organization: str
    field: str  #: "notes", "resources[1].format", "tags[0].name"...
    label: str  #: the field's label in the schema, when it has one
    message: str


def _flatten(errors: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(errors, list):
        if errors and all(isinstance(e, str) for e in errors):
            for e in errors:
                yield prefix, e
        else:
            for i, value in enumerate(errors):
                yield from _flatten(value, f"{prefix}[{i}]")
    elif errors:
        yield prefix, str(errors)


def _labels(dataset_type: str) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        schema = tk.h.scheming_get_dataset_schema(dataset_type)
        lang = tk.h.lang() or "fr"
    except Exception:
        return out
    if not schema:
        return out
    text = tk.h.scheming_language_text
    for f in schema.get("dataset_fields", []):
        out[f["field_name"]] = text(f.get("label", f["field_name"]), lang)
    for f in schema.get("resource_fields", []):
        out["resources." + f["field_name"]] = text(f.get("label", f["field_name"]), lang)
    return out


def dataset_ids() -> list[str]:
    """Ids of every dataset of the portal that is not deleted (drafts and private ones included)."""
    q = model.Session.query(model.Package.id).filter(model.Package.state != "deleted") \
        .filter(model.Package.type != "harvest").order_by(model.Package.name)
    return [row[0] for row in q]


class _ValidationContext(Context, total=False):
    """The context of a schema validation run outside the actions: CKAN 2.11's validators read
    ``context["model"]`` (2.12's Context has no such key) and ``allow_partial_update``."""

    model: Any
    allow_partial_update: bool


def check_dataset(pkg_id: str, context_base: Context) -> list[Problem]:
    """The problems of one dataset (empty when the schema accepts it as it is)."""
    context: Context = {**context_base, "session": model.Session, "use_cache": False}
    # read from the database (use_cache=False), not the copy validated with the old schema in the search index
    pkg_dict = tk.get_action("package_show")({**context, "for_update": True}, {"id": pkg_id})
    pkg = model.Package.get(pkg_id)
    if pkg is None:
        raise tk.ObjectNotFound(pkg_id)
    plugin = lib_plugins.lookup_package_plugin(pkg_dict.get("type"))
    schema = plugin.update_package_schema()
    vcontext: _ValidationContext = {**context, "model": model, "package": pkg, "allow_partial_update": False}
    _data, errors = lib_plugins.plugin_validate(plugin, vcontext, dict(pkg_dict), schema, "package_update")
    model.Session.rollback()  # validators never write, but leave nothing pending
    if not errors:
        return []
    labels = _labels(pkg_dict.get("type") or "dataset")
    org = (pkg_dict.get("organization") or {}).get("name") or ""
    out = []
    for path, message in _flatten(errors):
        generic = path.split("[", 1)[0] if not path.startswith("resources[") else \
            "resources." + path.split("].", 1)[-1].split("[", 1)[0]
        out.append(Problem(pkg_dict["name"], pkg_dict.get("title") or "", org, path,
                           labels.get(generic, path), message))
    return out


def audit(ids: Iterable[str], context_base: Context) -> Iterator[tuple[str, list[Problem]]]:
    for pkg_id in ids:
        try:
            yield pkg_id, check_dataset(pkg_id, context_base)
        except tk.ObjectNotFound:
            continue
