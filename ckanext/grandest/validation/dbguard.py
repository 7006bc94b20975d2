"""Reading or writing the plugin's tables from CKAN's own requests without ever breaking them.

The hooks and template helpers of grandest_validation run inside the request of somebody else (a
``resource_create``, a dataset page, a search). If the plugin's tables are missing (the plugin was enabled
before ``ckan db upgrade -p grandest_validation``) or lag behind the code (a migration not applied yet), a
failed statement would leave PostgreSQL's transaction *aborted*: every later statement of the request fails
("current transaction is aborted") and the user gets an error for something that has nothing to do with
quality scores.

:func:`guarded` runs such code inside a SAVEPOINT (``Session.begin_nested()``): on a database error only the
savepoint is rolled back, the request's transaction stays usable, a warning is logged (at most once every
few minutes per place, so that a busy portal's log is not flooded) and a default value is returned.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc

from ckan import model

log = logging.getLogger(__name__)

T = TypeVar("T")

#: seconds between two warnings for the same place
WARN_EVERY = 300.0
_last_warning: dict[str, float] = {}

UPGRADE_HINT = "ckan db upgrade -p grandest_validation"


def missing_schema(error: BaseException) -> bool:
    """A table or a column of the plugin is missing (PostgreSQL 42P01 undefined_table, 42703 undefined_column)."""
    code = getattr(getattr(error, "orig", None), "pgcode", None)
    return code in ("42P01", "42703")


def warn(where: str, error: BaseException) -> None:
    """Log that ``where`` was skipped because of ``error`` (at most once every ``WARN_EVERY`` seconds)."""
    now = time.monotonic()
    last = _last_warning.get(where)
    if last is not None and now - last < WARN_EVERY:
        log.debug("grandest_validation: %s skipped again (%s)", where, type(error).__name__)
        return
    _last_warning[where] = now
    if missing_schema(error):
        log.warning("grandest_validation: its database tables are missing or out of date (run `%s`): %s skipped "
                    "(%s)", UPGRADE_HINT, where, str(getattr(error, "orig", error)).strip().splitlines()[0])
    else:
        log.warning("grandest_validation: database error, %s skipped", where, exc_info=error)


def guarded(where: str, fn: Callable[..., T], *args: Any, default: Any = None, **kwargs: Any) -> T | Any:
    """``fn(*args, **kwargs)`` inside a savepoint of CKAN's session; ``default`` if the database refuses it.

    Only database errors are caught (a bug in ``fn`` still raises). The savepoint also isolates what ``fn``
    wrote: on failure it is undone, the rest of the request's transaction is kept.
    """
    session = model.Session()  # the request's Session itself (model.Session is its scoped registry)
    # Releasing a savepoint fires the session's ``before_commit`` event, and CKAN's listener then notifies
    # (re-indexes) every dataset the request changed so far; from ``before_dataset_index`` that re-enters
    # indexing again and again (hundreds of Solr updates for one dataset). The changes of the request are
    # therefore put aside during the savepoint and handed back after it: they are notified once, at the
    # request's own commit, as without this guard.
    session.flush()  # the request's pending changes, recorded by CKAN as usual (not inside our savepoint)
    outer = session.__dict__.pop("_object_cache", None)
    try:
        with session.begin_nested():
            return fn(*args, **kwargs)
    except sa_exc.DBAPIError as error:
        warn(where, error)
        return default
    finally:
        _hand_back(session, outer)


def _hand_back(session: Any, outer: dict[str, set[Any]] | None) -> None:
    """Merge what CKAN recorded during the savepoint (our own rows) into what it had recorded before."""
    inner = session.__dict__.pop("_object_cache", None)
    if outer is None and inner is None:
        return
    merged = outer if outer is not None else {"new": set(), "changed": set(), "deleted": set()}
    for kind, objects in (inner or {}).items():
        merged.setdefault(kind, set()).update(objects)
    session._object_cache = merged


def reset_warnings() -> None:
    """Forget the warnings already logged (tests)."""
    _last_warning.clear()
