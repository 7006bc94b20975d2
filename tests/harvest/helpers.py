"""Helpers of the harvesting tests: the feed server, organizations, sources and jobs (see conftest.py)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable

FEEDS = Path(__file__).parent / "feeds"
REGIONAL_ADMIN = "admin-region"


# --- small Turtle feeds, one record per dataset ------------------------------------------------------------
PREFIXES = (b"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . "
            b"@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n")


def record(n: int, title: str | None = None, extra: str = "", label: str = "Jeu numéro") -> bytes:
    """The Turtle of dataset ``n`` (title ``f"{label} {n}"`` unless given; ``title=""``: no title at all)."""
    title = title if title is not None else f"{label} {n}"
    title_triple = f'dct:title "{title}" ; ' if title else ""
    return (
        f'<http://portail.example.org/dataset/{n}> a dcat:Dataset ; {title_triple}'
        f'dct:description "Description du jeu {n}, assez longue pour être utile." ; '
        f'dct:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence> ; '
        f'dcat:keyword "test" ; {extra}'
        f'dcat:distribution [ a dcat:Distribution ; dct:title "Fichier {n}" ; '
        f'dcat:downloadURL <https://portail.example.org/files/{n}.csv> ; dct:format "CSV" ] .\n'
    ).encode()


def feed(*records: bytes) -> bytes:
    return PREFIXES + b"".join(records)


# --- the harvest queues (Redis), consumed as ``ckan harvester gather-consumer`` / ``fetch-consumer`` do ------
def consume(kind: str, limit: int | None = None, after_each: Callable[[], None] | None = None) -> int:
    """Consume the ``gather`` or ``fetch`` queue until it is empty (or ``limit`` messages); ``after_each`` runs
    after every message. Returns how many were consumed."""
    from ckanext.harvest import queue

    consumer = queue.get_gather_consumer() if kind == "gather" else queue.get_fetch_consumer()
    name = queue.get_gather_queue_name() if kind == "gather" else queue.get_fetch_queue_name()
    callback = queue.gather_callback if kind == "gather" else queue.fetch_callback
    done = 0
    while limit is None or done < limit:
        reply = consumer.basic_get(queue=name)
        if reply[2] is None:
            break
        callback(consumer, *reply)
        done += 1
        if after_each is not None:
            after_each()
    return done


# --- the feed server ----------------------------------------------------------------------------------------
@dataclass
class Route:
    body: bytes | Callable[[], Iterable[bytes]] = b""
    content_type: str | None = "text/turtle"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """Routes are keyed by path + query ("/ckan/catalog.ttl?page=2"); ``{BASE}`` in bodies is replaced by
    the server's base URL. ``hits`` counts requests per route."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.fallback: Callable[[str], Route | None] | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                key = self.path
                server.hits[key] = server.hits.get(key, 0) + 1
                route = server.routes.get(key) or (server.fallback(key) if server.fallback else None)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                try:
                    self.send_response(route.status)
                    if route.content_type:
                        self.send_header("Content-Type", route.content_type)
                    for k, v in route.headers.items():
                        self.send_header(k, v)
                    if isinstance(route.body, bytes):
                        body = route.body.replace(b"{BASE}", server.base.encode())
                        if "Content-Length" not in route.headers:
                            self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    else:
                        self.end_headers()
                        for chunk in route.body():
                            self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the harvester hung up (size cap): expected

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: Any = b"", content_type: str | None = "text/turtle", **kw: Any) -> str:
        self.routes[path] = Route(body=body, content_type=content_type, **kw)
        return self.url(path)

    def add_file(self, path: str, name: str, content_type: str | None = None) -> str:
        ctype = content_type or {".ttl": "text/turtle", ".rdf": "application/rdf+xml",
                                 ".jsonld": "application/ld+json"}[Path(name).suffix]
        return self.add(path, (FEEDS / name).read_bytes(), ctype)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- organizations, users, sources, jobs ------------------------------------------------------------------------
def commune_org(name: str = "ville-de-strasbourg", title: str = "Ville de Strasbourg", insee: str = "67482",
                **kw: Any) -> dict:
    from ckan.tests import factories

    return factories.Organization(name=name, title=title, actor_type="commune", insee_code=insee, **kw)


def epci_org(name: str = "metz-metropole", title: str = "Metz Métropole", siren: str = "200039865") -> dict:
    from ckan.tests import factories

    return factories.Organization(name=name, title=title, actor_type="epci", siren=siren)


class Harvest:
    def __init__(self) -> None:
        from ckan.tests import factories

        self.admin = factories.Sysadmin()
        self.regional = factories.UserWithToken(name=REGIONAL_ADMIN)

    def context(self) -> dict:
        return {"user": self.admin["name"], "ignore_auth": False}

    def action(self, action_name: str, **data: Any) -> Any:
        import ckan.plugins.toolkit as tk

        return tk.get_action(action_name)(self.context(), data)

    def source(self, url: str, owner_org: str, name: str = "source-dcat", config: str | None = None,
               source_type: str = "grandest_dcat") -> dict:
        data = {"name": name, "title": name.replace("-", " ").capitalize(), "url": url, "owner_org": owner_org,
                "source_type": source_type}
        if config is not None:
            data["config"] = config
        return self.action("harvest_source_create", **data)

    def run(self, source_id: str) -> dict:
        """One job, through the gather and fetch queues (Redis), until both are empty; returns the report."""
        from ckanext.harvest import queue

        job = self.action("harvest_job_create", source_id=source_id, run=True)
        consume("gather")
        consume("fetch")
        self.action("harvest_jobs_run", source_id=source_id)
        report = self.action("harvest_job_report", id=job["id"])
        report["job"] = self.action("harvest_job_show", id=job["id"])
        return report

    def datasets(self, owner_org: str) -> dict[str, dict]:
        """Datasets of an organization (from the database, not the index), by title."""
        import ckan.plugins.toolkit as tk
        from ckan import model

        ids = [r[0] for r in model.Session.query(model.Package.id).filter(
            model.Package.owner_org == owner_org, model.Package.state == "active",
            model.Package.type == "dataset")]
        out = {}
        for pid in ids:
            d = tk.get_action("package_show")({"ignore_auth": True}, {"id": pid})
            out[d["title"]] = d
        return out


def stats(report: dict) -> dict:
    return report["job"]["stats"]


def gather_errors(report: dict) -> list[str]:
    return [e["message"] for e in report.get("gather_errors", [])]


def object_errors(report: dict) -> list[str]:
    out = []
    for obj in (report.get("object_errors") or {}).values():
        out.extend(e["message"] for e in obj.get("errors", []))
    return out
