"""Fixtures of the validation engine tests: small files, a local HTTP server, a network guard.

No CKAN, no service: the engine is pure Python. The HTTP server listens on 127.0.0.1 only, and every test
that touches the network runs under ``no_external_connect``, which makes any connection attempt to a
non-loopback address fail loudly (the SSRF tests must refuse *before* connecting).
"""
from __future__ import annotations

import csv
import http.server
import io
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DELIB_HEADER = [
    "COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
    "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL",
    "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL",
]
SUBV_HEADER = [
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire", "idBeneficiaire",
    "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement", "datesPeriodeVersement", "idRAE",
    "notificationUE", "pourcentageSubvention", "dispositifAide",
]


def luhn_siret(prefix13: str) -> str:
    """A SIRET (14 digits) whose Luhn check digit is right."""
    for last in "0123456789":
        candidate = prefix13 + last
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch)
            if i % 2:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


SIRET_STRASBOURG = "21670482500019"
SIRET_OK_2 = luhn_siret("2167048250003")


def delib_row(**overrides: Any) -> dict[str, str]:
    row = {
        "COLL_NOM": "Strasbourg",
        "COLL_SIRET": SIRET_STRASBOURG,
        "DELIB_ID": "2024-001",
        "DELIB_DATE": "2024-01-15",
        "DELIB_MATIERE_CODE": "7.5",
        "DELIB_MATIERE_NOM": "Finances locales/Subventions",
        "DELIB_OBJET": "Subvention au club de football",
        "BUDGET_ANNEE": "2024",
        "BUDGET_NOM": "Budget principal",
        "PREF_ID": "PREF067",
        "PREF_DATE": "2024-01-20",
        "VOTE_EFFECTIF": "50",
        "VOTE_REEL": "45",
        "VOTE_POUR": "40",
        "VOTE_CONTRE": "3",
        "VOTE_ABSTENTION": "2",
        "DELIB_URL": "https://www.strasbourg.eu/deliberations/2024-001.pdf",
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def subv_row(**overrides: Any) -> dict[str, str]:
    row = {
        "nomAttribuant": "Commune de Sélestat",
        "idAttribuant": SIRET_STRASBOURG,
        "dateConvention": "2024-02-01",
        "referenceDecision": "2024-12",
        "nomBeneficiaire": "Club de basket",
        "idBeneficiaire": SIRET_OK_2,
        "rnaBeneficiaire": "",
        "objet": "Fonctionnement",
        "montant": "1500.50",
        "nature": "aide en numéraire",
        "conditionsVersement": "unique",
        "datesPeriodeVersement": "2024-03-01",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "0.5",
        "dispositifAide": "",
    }
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def failing_subventions_csv(rows: int = 6) -> bytes:
    """The SCDL « Subventions » file a commune published (issue #12): saved by a spreadsheet in latin-1 with
    ``;``, decimal commas, wrong SIRETs (Luhn), an impossible date (30 February) — no row conforms. It scored
    72/100 « Bon » before conformity capped the band."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(SUBV_HEADER)
    for i in range(rows):
        row = subv_row(idAttribuant="21670482500018", idBeneficiaire="12345678901234", dateConvention="2024-02-30",
                       montant="1500,50", pourcentageSubvention="0,5", referenceDecision=f"2024-{i}")
        writer.writerow([row[h] for h in SUBV_HEADER])
    return buf.getvalue().encode("latin-1")


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]] | list[list[str]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write("name.csv", b"bytes" | "text")`` -> path in a per-test temporary folder."""

    def _write(name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


# ------------------------------------------------------------------------------------------------------
# Network guard and local HTTP server
# ------------------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def french_reports() -> Any:
    """The engine writes in the language its translator gives (English msgids without one); its plugin injects
    the portal's, French. These tests read what a French commune reads: the validation area's French catalog."""
    from ckanext.grandest.common.i18n import catalog
    from ckanext.grandest.validation.engine.messages import translator

    french = catalog("validation", "fr")
    with translator.using(french.gettext, french.ngettext):
        yield


@pytest.fixture
def no_external_connect(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail any TCP connection to a non-loopback address (records the attempts)."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        try:
            loopback = ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            loopback = False
        attempts.append(address)
        if not loopback:
            raise AssertionError(f"test tried to connect to a non-loopback address: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    routes: dict[str, Callable[["_Handler"], None]] = {}

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        handler = self.routes.get(path)
        if handler is None:
            self.send_error(404)
            return
        try:
            handler(self)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    # helpers used by routes
    def body(self, data: bytes, content_type: str = "text/csv; charset=utf-8", status: int = 200,
             length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class LocalServer:
    def __init__(self) -> None:
        routes: dict[str, Callable[[_Handler], None]] = {}
        handler = type("Handler", (_Handler,), {"routes": routes})
        self.routes = routes
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str) -> Callable[[Callable[[_Handler], None]], Callable[[_Handler], None]]:
        def register(fn: Callable[[_Handler], None]) -> Callable[[_Handler], None]:
            self.routes[path] = fn
            return fn

        return register


@pytest.fixture
def http_server(no_external_connect: list[Any]) -> Any:
    server = LocalServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def drip(handler: _Handler, *, total: int, every: float, deadline: float = 10.0) -> None:
    """Slow-drip server: one byte every ``every`` seconds, bounded in count and time."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/csv")
    handler.send_header("Content-Length", str(total))
    handler.end_headers()
    stop = time.monotonic() + deadline
    for _ in range(total):
        if time.monotonic() > stop:
            break
        handler.wfile.write(b"a")
        handler.wfile.flush()
        time.sleep(every)


def messy_subventions() -> bytes:
    """A clerk's export: Windows-1252, ``;``, decimal comma, French dates, Oui/Non, spaced SIRET, header case,
    empty trailing rows and columns."""
    header = ("NomAttribuant;idAttribuant;date convention;referenceDecision;nomBeneficiaire;idBeneficiaire;"
              "rnaBeneficiaire;objet;montant;nature;conditionsVersement;datesPeriodeVersement;idRAE;"
              "notificationUE;pourcentageSubvention;dispositifAide;;")
    rows = [
        "Strasbourg;216 704 825 00019;31/01/2024;;Association Élan;775 672 272 00017;;Achat de matériel;"
        "1234,50;aide en numéraire;unique;2024-02-01;;Oui;0,5;;;",
        "Strasbourg;216 704 825 00019;5 avril 2024;;Club de Pétanque;775 672 272 00017;;Fête;100;"
        "aide en numéraire;unique;2024-05-01;;Non;1;;;",
        ";;;;;;;;;;;;;;;;;",
    ]
    return ("\r\n".join([header, *rows]) + "\r\n").encode("cp1252")
