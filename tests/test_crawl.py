"""Every page a visitor, a commune and the regional team can reach answers without a server error, in French.

The portal as dev/portal runs it (every plugin, the Grand Est schemas, the demo content of dev/demo.json loaded
through the API and its files validated by a real worker) is crawled from the home page by following the links
of each page, logged out and logged in as each role: a commune's editor and admin, the regional admin (not a
sysadmin) and a sysadmin. Only GET requests are made (a crawl never submits a form) and a few links that
change state through GET in some CKAN versions are not followed (log out). A 5xx on any page fails the test,
naming the page, the role and the page that linked to it. Every page a commune or the regional admin sees
(logged out, as the commune's editor and admin, as the regional admin) must be French: English text left on a
page (tests/frenchtext.py: a word-level check with a reviewed allow-list) fails the test, naming the text, its
English words, the role and the first page where it was read. Pages that no link leads to (404 and 403 pages,
forms of a resource, the onboarding pages) are visited on purpose. Run on each supported CKAN version by dev/test.
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import pytest
import requests

from tests.frenchtext import english_texts
from tests.live import WHOLE_PORTAL, portal_config, run_cli, write_ini

ROOT = Path(__file__).resolve().parents[1]
REGIONAL = "crawl-regionale"
PORTAL = {
    **WHOLE_PORTAL,
    "ckanext.grandest.regional_admins": REGIONAL,
    # the portal's own texts, as dev/portal.ini sets them (CKAN's default « about » text is English)
    "ckan.site_about": "DataGrandEst est la plateforme régionale des données ouvertes du Grand Est.",
}
#: pages per role (breadth first from the home page); enough to reach every kind of page of the suite
MAX_PAGES = 140
#: the same path with other query strings: only this many are followed (facet and sort links multiply)
MAX_QUERY_VARIANTS = 2
#: never followed: leaving the session, files, the API (not pages), and CKAN's own static assets
SKIP = re.compile(r"/user/_?logout|/logout|/download/|/api/|/webassets/|/base/|\.(?:css|js|png|svg|ico|jpe?g)$")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(base: str, page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(page_url, href.strip()))[0]
        if url.startswith(base) and not SKIP.search(urlsplit(url).path):
            out.append(url)
    return out


def _login(session: requests.Session, base: str, name: str, password: str) -> None:
    form = session.get(base + "/user/login", timeout=60)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
    session.post(base + "/user/login", data={"login": name, "password": password, "_csrf_token": token},
                 timeout=60)
    assert session.get(base + "/dashboard/datasets", timeout=60, allow_redirects=False).status_code == 200, \
        f"{name} could not log in"


def crawl(session: requests.Session, base: str, start: list[str],
          english: dict[str, tuple[list[str], str]] | None = None) -> tuple[dict[str, int], list[str]]:
    """Breadth-first crawl: ``({url: status}, [problems])``. With ``english``, the English texts of the HTML
    pages are added to it (``{text: (english words, first url)}``)."""
    seen: dict[str, int] = {}
    variants: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque((base + path, "(start)") for path in start)
    queued = {url for url, _ in queue}
    problems = []
    while queue and len(seen) < MAX_PAGES:
        url, referrer = queue.popleft()
        resp = session.get(url, timeout=120, allow_redirects=True)
        seen[url] = resp.status_code
        if resp.status_code >= 500:
            problems.append(f"{resp.status_code} {url} (linked from {referrer})")
            continue
        if "html" not in resp.headers.get("Content-Type", ""):
            continue
        if english is not None:
            for text, words in english_texts(resp.text):
                english.setdefault(text, (words, url))
        for link in _links(base, resp.url, resp.text):
            parts = urlsplit(link)
            normal = parts._replace(query=urlencode(sorted(parse_qsl(parts.query)))).geturl()
            if normal in queued:
                continue
            if parts.query:
                variants[parts.path] = variants.get(parts.path, 0) + 1
                if variants[parts.path] > MAX_QUERY_VARIANTS:
                    continue
            queued.add(normal)
            queue.append((normal, url))
    return seen, problems


@pytest.fixture
def portal(clean_db, clean_index, tmp_path, ckan_config, live_server, smtp_server):
    """The dev portal's content on a live server: demo content loaded and validated, one user per role."""
    from ckan.tests import factories

    sysadmin = factories.SysadminWithToken(name="equipe-datagrandest", fullname="Équipe DataGrandEst",
                                           about="Équipe régionale.")
    run = subprocess.run([sys.executable, str(ROOT / "dev" / "demo.py"), "--url", live_server.url,
                          "--token", sysadmin["token"]], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    # the demo's files are validated and scored by a real worker, so report pages have content
    ini = write_ini(tmp_path / "worker.ini", {**PORTAL, "ckan.storage_path": ckan_config["ckan.storage_path"]})
    worker = run_cli(ini, "jobs", "worker", "default", "grandest:validation", "--burst", timeout=600,
                     config=ckan_config)
    assert worker.returncode == 0, worker.stdout + worker.stderr

    api = live_server.url + "/api/3/action/"
    auth = {"Authorization": sysadmin["token"]}
    users = {"sysadmin": sysadmin,
             "regional admin": factories.UserWithToken(name=REGIONAL, fullname="Région Grand Est",
                                                       about="Équipe régionale.")}
    for role, capacity, name, fullname in (("commune editor", "editor", "claire-martin", "Claire Martin"),
                                           ("commune admin", "admin", "paul-muller", "Paul Muller")):
        user = factories.UserWithToken(name=name, fullname=fullname, about="Secrétariat de mairie.")
        resp = requests.post(api + "organization_member_create", headers=auth, timeout=60, json={
            "id": "commune-de-schirmeck", "username": user["name"], "role": capacity})
        assert resp.ok, resp.text
        users[role] = user
    return live_server.url, users


@pytest.mark.usefixtures("storage")
@pytest.mark.timeout(1200)  # 5 roles x up to 140 pages on a shared 2-core machine: more than the 300 s default
@pytest.mark.live_server(threaded=True)
@portal_config(PORTAL)
def test_every_page_answers_without_5xx_and_in_french(portal):
    base, users = portal
    # a dataset of the commune with a file: its pages and forms (that no link of a logged-out crawl reaches)
    found = requests.get(base + "/api/3/action/package_search", timeout=60, params={
        "fq": "organization:commune-de-schirmeck", "rows": 50}).json()["result"]["results"]
    dataset = next(d for d in found if d["resources"])
    ds, res = f"/dataset/{dataset['name']}", dataset["resources"][0]["id"]
    # the pages each role starts from: the home page, and their own entry points that no link may lead to
    start = ["/", "/dataset/", "/organization/", "/catalog.ttl", "/commune/inscription", "/user/login",
             "/user/register", "/user/reset", "/dataset/ce-jeu-n-existe-pas", "/organization/commune-de-schirmeck",
             ds, f"{ds}/resource/{res}", f"{ds}/resource/{res}/validation", f"{ds}/quality", "/quality",
             "/hebergement", "/commune/demandes"]
    commune = ["/dashboard/datasets", "/dataset/new", f"/dataset/edit/{dataset['name']}", f"{ds}/resource/new",
               f"{ds}/resource/{res}/edit", "/organization/commune-de-schirmeck/quality",
               "/organization/hebergement/commune-de-schirmeck", "/ckan-admin"]
    extra = {
        "commune editor": commune + [f"/user/edit/{users['commune editor']['name']}",
                                     f"/user/{users['commune editor']['name']}"],
        "commune admin": commune + ["/organization/edit/commune-de-schirmeck",
                                    "/organization/members/commune-de-schirmeck",
                                    f"/user/edit/{users['commune admin']['name']}"],
        "regional admin": ["/commune/demandes", "/hebergement", "/quality", "/grandest/dcat", "/harvest/",
                           "/harvest/new", "/dataset/new", f"/user/edit/{REGIONAL}"],
        "sysadmin": ["/ckan-admin", "/commune/demandes", "/hebergement", "/harvest/", "/grandest/dcat"],
    }
    report = {}
    problems = []
    english: dict[str, dict[str, tuple[list[str], str]]] = {}
    for role in ["anonymous", "commune editor", "commune admin", "regional admin", "sysadmin"]:
        with requests.Session() as session:
            if role != "anonymous":
                _login(session, base, users[role]["name"], "correct123")
            # the sysadmins are the platform's team: CKAN's own admin pages need not be French
            english[role] = {} if role != "sysadmin" else None
            seen, found = crawl(session, base, start + extra.get(role, []), english[role])
        report[role] = seen
        problems += [f"[{role}] {p}" for p in found]
    assert not problems, "\n".join(problems)
    # the crawl went where each role can go (a crawl stopped at the home page would prove nothing)
    for role, seen in report.items():
        assert len(seen) >= 40, (role, len(seen))
        assert any("/dataset/" in u and "/resource/" in u for u in seen), role
    regional = report["regional admin"]
    assert regional[base + "/commune/demandes"] == 200 and regional[base + "/hebergement"] == 200
    assert regional[base + "/quality"] == 200 and report["anonymous"][base + "/quality"] == 403
    assert report["anonymous"][base + "/dataset/ce-jeu-n-existe-pas"] == 404
    assert report["commune editor"][base + f"{ds}/resource/{res}/edit"] == 200
    assert any(re.search(r"/commune/demandes/[^/?]+$", u) for u in regional), "no commune request opened"
    # every page a commune or the regional admin sees is French (each English text once, where first read)
    left = {}
    for role, texts in english.items():
        for text, (words, url) in (texts or {}).items():
            left.setdefault(text, f"{text!r} ({', '.join(dict.fromkeys(words))}) [{role}] {url[len(base):]}")
    assert not left, f"{len(left)} English text(s) on French pages:\n" + "\n".join(sorted(left.values()))
