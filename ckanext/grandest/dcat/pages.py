"""The pages of the DCAT feeds: the request (format, page, cursor, filters), the search and the links.

Order and paging. Datasets are listed by creation date, then id (``metadata_created asc, id asc``): a dataset
keeps its place while it is edited (ckanext-dcat sorts by ``metadata_modified desc``, so every edit moves
datasets between pages during a harvest). The ``next`` link of a page carries a cursor, the (creation date,
id) of the page's last dataset, and the next page lists the datasets after it (keyset paging): a dataset
created, deleted or made private meanwhile never shifts the others, so following ``next`` from page 1 lists
every dataset public during the walk exactly once (new ones come last). ``?page=N`` without a cursor still
works (offset paging on the same order). Links are absolute, built from ``ckan.site_url`` (never from the
request, so they stay right behind a proxy) and URL-encoded.

One ``package_search`` per page (plus a count when a cursor is used), the organizations of the page read in
one query.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import math
import re
from typing import Any, Iterator
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk

from . import config
from .records import organizations

#: extension -> Content-Type (the rdflib format of an extension is ``rdflib.util.guess_format(ext)``)
FORMATS: dict[str, str] = {
    "ttl": "text/turtle; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "xml": "application/rdf+xml; charset=utf-8",
    "jsonld": "application/ld+json",
    "n3": "text/n3; charset=utf-8",
    "nt": "application/n-triples; charset=utf-8",
}
FEED_FORMATS = ("ttl", "rdf", "xml", "jsonld", "n3")
SORT = "metadata_created asc, id asc"
EXCLUDED_TYPES = ("harvest", "showcase")
_NAME = re.compile(r"^[\w.:-]{1,100}$", re.UNICODE)


class FeedError(ValueError):
    """A bad request for the feed, with a message in plain French."""


# ----------------------------------------------------------------------------------------------------------
# request parameters
# ----------------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class PageRequest:
    fmt: str = "ttl"
    page: int = 1
    after: tuple[str, str] | None = None  #: cursor: (metadata_created, id) of the previous page's last dataset
    organization: str | None = None
    modified_since: dt.datetime | None = None
    q: str | None = None
    profiles: list[str] | None = None

    def params(self) -> dict[str, str]:
        """The query parameters that select the feed (kept in every link)."""
        out: dict[str, str] = {}
        if self.organization:
            out["organization"] = self.organization
        if self.modified_since:
            out["modified_since"] = self.modified_since.isoformat()
        if self.q:
            out["q"] = self.q
        if self.profiles:
            out["profiles"] = ",".join(self.profiles)
        return out


def parse_request(fmt: str, args: dict[str, Any]) -> PageRequest:
    """Read the query string of a feed request; raises :class:`FeedError` (French message) on bad input."""
    if fmt not in FORMATS:
        raise FeedError(tk._("Unknown format “{fmt}”. Available formats: {formats}.").format(
            fmt=fmt, formats=", ".join(FEED_FORMATS)))
    req = PageRequest(fmt=fmt)
    page = args.get("page")
    if page not in (None, ""):
        try:
            req.page = int(str(page))
        except ValueError:
            req.page = 0
        if req.page < 1 or req.page > 1_000_000:
            raise FeedError(tk._("The page number must be a whole number from 1 (for example ?page=2)."))
    after = args.get("after")
    if after not in (None, ""):
        req.after = decode_cursor(str(after))
    org = args.get("organization")
    if org not in (None, ""):
        org = str(org).strip()
        if not _NAME.match(org):
            raise FeedError(tk._("The organization asked for is not a valid name (letters, digits and dashes)."))
        req.organization = org
    since = args.get("modified_since")
    if since not in (None, ""):
        req.modified_since = parse_since(str(since))
    q = args.get("q")
    if q not in (None, ""):
        req.q = str(q)[:500]
    profiles = args.get("profiles")
    if profiles not in (None, ""):
        names = [p.strip() for p in str(profiles).split(",") if p.strip()]
        if not names or not all(_NAME.match(n) for n in names):
            raise FeedError(tk._("The list of profiles asked for is not valid (names separated by commas)."))
        req.profiles = names
    return req


def parse_since(text: str) -> dt.datetime:
    value = text.strip()
    try:
        if re.match(r"^\d{4}-\d\d-\d\d$", value):
            parsed = dt.datetime.fromisoformat(value + "T00:00:00")
        else:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(tk._(
            "The date “modified_since” cannot be read: write it as YYYY-MM-DD (for example 2026-01-31) "
            "or YYYY-MM-DDTHH:MM:SS."
        )) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def encode_cursor(created: str, dataset_id: str) -> str:
    raw = json.dumps([created, dataset_id], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(token: str) -> tuple[str, str]:
    bad = FeedError(tk._("The link to the next page is damaged: read the catalog again from page 1."))
    if len(token) > 400:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        created, dataset_id = json.loads(raw.decode("utf-8"))
        dt.datetime.fromisoformat(str(created))
    except (ValueError, TypeError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(created, str) or not isinstance(dataset_id, str) or not dataset_id:
        raise bad
    return created, dataset_id


# ----------------------------------------------------------------------------------------------------------
# search
# ----------------------------------------------------------------------------------------------------------
def _solr_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _solr_date(value: str | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    text = value.rstrip("Z")
    if "T" not in text:
        text += "T00:00:00"
    return text + "Z"


def filters(req: PageRequest) -> list[str]:
    fq = [f"-dataset_type:{t}" for t in EXCLUDED_TYPES]
    if req.organization:
        value = _solr_quote(req.organization)
        fq.append(f"(organization:{value} OR owner_org:{value})")
    if req.modified_since:
        fq.append(f"metadata_modified:[{_solr_quote(_solr_date(req.modified_since))} TO *]")
    return fq


def keyset_filter(after: tuple[str, str]) -> str:
    created, dataset_id = after
    c, i = _solr_quote(_solr_date(created)), _solr_quote(dataset_id)
    return f"(metadata_created:{{{c} TO *] OR (metadata_created:{c} AND id:{{{i} TO *]))"


def _search(req: PageRequest, rows: int, start: int, extra_fq: list[str] | None = None,
            fl: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "q": req.q or "*:*",
        "fq_list": filters(req) + (extra_fq or []),
        "rows": rows,
        "start": start,
        "sort": SORT,
        "include_private": False,
        "include_drafts": False,
    }
    if fl:
        data["fl"] = fl
    return tk.get_action("package_search")({"ignore_auth": True}, data)


@dataclasses.dataclass
class Page:
    request: PageRequest
    datasets: list[dict]
    total: int
    rows: int
    has_next: bool
    modified: str | None

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.total / self.rows)) if self.total else 1

    def next_cursor(self) -> str | None:
        if not self.has_next or not self.datasets:
            return None
        last = self.datasets[-1]
        return encode_cursor(last["metadata_created"], last["id"])


def fetch_page(req: PageRequest, rows: int | None = None) -> Page:
    """The datasets of one feed page (public, active, in the stable order)."""
    rows = rows or config.page_size()
    if req.after:
        result = _search(req, rows + 1, 0, [keyset_filter(req.after)])
        total = _search(req, 0, 0)["count"]
    else:
        result = _search(req, rows + 1, (req.page - 1) * rows)
        total = result["count"]
    datasets = result["results"]
    has_next = len(datasets) > rows
    datasets = datasets[:rows]
    attach_organizations(datasets)
    return Page(req, datasets, total, rows, has_next, modified=None)


def iter_pages(req: PageRequest, rows: int) -> Iterator[Page]:
    """Every page of a feed, following the cursors (the whole catalog for an export)."""
    while True:
        page = fetch_page(req, rows)
        yield page
        cursor = page.next_cursor()
        if not cursor:
            return
        req = dataclasses.replace(req, after=decode_cursor(cursor), page=req.page + 1)


# ----------------------------------------------------------------------------------------------------------
# organizations, once per page
# ----------------------------------------------------------------------------------------------------------
def attach_organizations(datasets: list[dict]) -> None:
    """Replace each dataset's ``organization`` by the full organization (schema fields included)."""
    ids = [(d.get("organization") or {}).get("id") or d.get("owner_org") for d in datasets]
    orgs = organizations([i for i in ids if i])
    for d, org_id in zip(datasets, ids):
        if org_id and org_id in orgs:
            d["organization"] = orgs[org_id]



def feed_url(fmt: str, params: dict[str, Any]) -> str:
    """Absolute URL of a feed page from ``ckan.site_url`` (``ckan.root_path`` honoured), URL-encoded."""
    query = urlencode([(k, str(v)) for k, v in params.items() if v not in (None, "")])
    return f"{config.public_base()}/catalog.{fmt}" + (f"?{query}" if query else "")
