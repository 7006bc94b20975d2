"""Where CKAN 2.11 and CKAN 2.12 differ, the one place that knows it.

The suite supports both (see README, "Supported CKAN versions"). Each shim below is named after what the code
needs, not after a version; the plugins call these and never test CKAN's version themselves. Each shim picks
its way by what the installed CKAN has (a feature check), so a 2.11 portal and a 2.12 portal run the same code.

* Organization extras: 2.11 keeps them in the ``group_extra`` table (``model.GroupExtra``, one row per key with
  a ``state``); 2.12 keeps them in a JSONB column ``group.extras`` (flat ``{key: string}``).
* Re-indexing a dataset: 2.12 indexes both the default and the custom (scheming) show of a dataset, and
  ``PackageSearchIndex.update_dict`` asserts it receives both; ``ckan.logic.index_update_package`` does that.
  2.11 indexes the show of the dataset's own schema.
* Writing a dataset without indexing it: 2.12's ``package_create``/``package_update`` index the dataset
  themselves and skip it (and the show, and the commit) with ``defer_commit`` + ``return_id_only``; 2.11
  indexes at the database commit through its ``synchronous_search`` plugin, whatever the context says.
* Site figures: 2.12 removed the ``get_site_statistics`` template helper.
* Harvest queues on Redis: CKAN 2.12 pins redis-py 8, whose connections time out reads after 5 s by default;
  ckanext-harvest 1.6.3's consumers wait for work with a ``BLPOP`` without timeout, so an idle gather or fetch
  consumer died with ``TimeoutError: Timeout reading from socket`` five seconds after it started waiting.
* Resource files: 2.12 can keep them in a configured file storage (``ckan.files.storage.<name>.*``, the
  ``file-keeper`` library: local disk, S3...); 2.11 has only ``ckan.storage_path``.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ckan import model

#: True when organization extras live in ``group.extras`` (CKAN >= 2.12)
GROUP_EXTRAS_COLUMN: bool = not hasattr(model, "GroupExtra")


def organization_extras(group_ids: Iterable[str] | None = None,
                        keys: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """``(group_id, key, value)`` of the active extras of groups/organizations, optionally only of these
    groups and these keys. One query."""
    wanted_ids = None if group_ids is None else list(group_ids)
    wanted_keys = None if keys is None else set(keys)
    if wanted_ids is not None and not wanted_ids:
        return []
    if GROUP_EXTRAS_COLUMN:
        # CKAN maps Group.extras imperatively (no attribute for type checkers)
        extras_column = model.Group.extras  # pyright: ignore[reportAttributeAccessIssue]
        q = model.Session.query(model.Group.id, extras_column)
        if wanted_ids is not None:
            q = q.filter(model.Group.id.in_(wanted_ids))
        out = []
        for gid, extras in q.all():
            for key, value in (extras or {}).items():
                if wanted_keys is None or key in wanted_keys:
                    out.append((gid, key, value))
        return out
    extra = model.GroupExtra  # type: ignore[attr-defined]
    q = model.Session.query(extra.group_id, extra.key, extra.value).filter(extra.state == "active")
    if wanted_ids is not None:
        q = q.filter(extra.group_id.in_(wanted_ids))
    if wanted_keys is not None:
        q = q.filter(extra.key.in_(sorted(wanted_keys)))
    return [(gid, key, value) for gid, key, value in q.all()]


def organization_extra_values(key: str, group_ids: Iterable[str] | None = None) -> dict[str, str]:
    """``{group_id: value}`` of one extra."""
    return {gid: value for gid, _k, value in organization_extras(group_ids, [key])}


def filter_groups_by_extra(query: Any, key: str, value: str | None = None) -> Any:
    """``query`` (a query that selects from ``model.Group``) restricted to groups whose extra ``key`` is set
    to ``value`` (or, when ``value`` is None, to any non-empty value)."""
    if GROUP_EXTRAS_COLUMN:
        # CKAN maps Group.extras imperatively (no attribute for type checkers)
        column = model.Group.extras[key].astext  # pyright: ignore[reportAttributeAccessIssue]
        if value is None:
            return query.filter(column.isnot(None), column != "")
        return query.filter(column == value)
    extra = model.GroupExtra  # type: ignore[attr-defined]
    query = query.join(extra, extra.group_id == model.Group.id).filter(extra.key == key, extra.state == "active")
    if value is None:
        return query.filter(extra.value.isnot(None), extra.value != "")
    return query.filter(extra.value == value)


def actions_can_skip_indexing() -> bool:
    """True when ``package_create``/``package_update`` index the dataset themselves and skip it with the
    ``defer_commit`` + ``return_id_only`` context keys (CKAN >= 2.12); CKAN 2.11 indexes at the database commit
    (its ``synchronous_search`` plugin), whatever the context says."""
    from ckan import logic

    return hasattr(logic, "index_update_package")


def reindex_dataset(package_id: str, defer_commit: bool = False) -> None:
    """Send a dataset to the search index again, the way the installed CKAN indexes it (plugins'
    ``before_dataset_index`` hooks run). ``defer_commit``: no Solr commit for this write, whatever
    ``ckan.search.solr_commit`` says (the caller commits)."""
    from ckan import logic

    if hasattr(logic, "index_update_package"):  # CKAN >= 2.12
        logic.index_update_package({"ignore_auth": True}, package_id, defer_commit)
        return
    from ckan.lib.search import index_for

    pkg = logic.get_action("package_show")({"ignore_auth": True, "validate": False, "use_cache": False},
                                           {"id": package_id})
    index_for(model.Package).update_dict(pkg, defer_commit)


def site_statistics() -> dict[str, int]:
    """The portal's figures: public active datasets (as the search counts them) and active organizations."""
    from ckan.plugins import toolkit as tk

    datasets = tk.get_action("package_search")({}, {"rows": 0})["count"]
    organizations = (model.Session.query(model.Group.id)
                     .filter(model.Group.is_organization.is_(True), model.Group.state == "active").count())
    groups = (model.Session.query(model.Group.id)
              .filter(model.Group.is_organization.is_(False), model.Group.state == "active").count())
    return {"dataset_count": datasets, "organization_count": organizations, "group_count": groups}


def keep_harvest_consumers_waiting() -> None:
    """Give ckanext-harvest's Redis connections no read timeout when the installed redis-py sets one by default.

    The harvest consumers block on ``BLPOP`` until a job arrives (minutes or days); redis-py >= 6 applies a
    5-second socket timeout to such a read unless the connection is made with ``socket_timeout=None``. We wrap
    ``ckanext.harvest.queue.get_connection_redis`` (the only place the queues make a connection; it takes no
    argument to pass one) so that the connections it makes keep waiting. With redis-py 5 (CKAN 2.11) the
    default is already ``None`` and nothing is changed. Idempotent.
    """
    try:
        from redis import _defaults as redis_defaults  # redis-py >= 6
        from ckanext.harvest import queue
    except ImportError:
        return
    if getattr(redis_defaults, "DEFAULT_SOCKET_TIMEOUT", None) is None:
        return
    original = queue.get_connection_redis
    if getattr(original, "_grandest_waits", False):
        return

    def get_connection_redis() -> Any:
        conn = original()
        # the pool makes its connections from these keyword arguments; without the key, the connection class
        # applies its own 5 s default: the key must be present and None (no connection is open yet)
        kwargs = conn.connection_pool.connection_kwargs
        kwargs["socket_timeout"] = None
        if "orig_socket_timeout" in kwargs:
            kwargs["orig_socket_timeout"] = None
        return conn

    get_connection_redis._grandest_waits = True  # type: ignore[attr-defined]
    queue.get_connection_redis = get_connection_redis


def resource_file_storage() -> Any | None:
    """The configured file storage of resource uploads (a ``file_keeper`` storage named by
    ``ckan.files.default_storages.resource``), or None: CKAN 2.11 has no configured storages, and on 2.12 a
    portal that configures none keeps its files under ``ckan.storage_path``."""
    try:
        from ckan.lib import files
    except ImportError:  # CKAN 2.11
        return None
    from ckan.common import config

    try:
        return files.get_storage(config.get("ckan.files.default_storages.resource") or "resources")
    except files.exc.UnknownStorageError:
        return None


def storage_resource_uploader() -> type | None:
    """CKAN's uploader class for resource files kept in a configured storage (2.12), else None."""
    from ckan.lib import uploader

    return getattr(uploader, "FKResourceUpload", None)
