"""The cache of anonymous pages (issue #18): nginx stores what CKAN says is public (``ckan.cache_enabled``,
``ckan.cache_expires``), ckanext/grandest/common/cache.py lets a public page without a CSRF form go out without
a session cookie, and no private data is ever served from the cache: not a private dataset, not a page seen
logged in, not a flash message, not a form's CSRF token.

The servers are the real ones (uWSGI behind nginx with its cache on: dev/serve/, the ``topology`` fixture).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from tests.validation.conftest import CONFIG as VALIDATION_CONFIG, make_dataset

CONFIG = dict(VALIDATION_CONFIG, **{"ckan.plugins": VALIDATION_CONFIG["ckan.plugins"] + " grandest_onboarding",
                                    "ckan.cache_enabled": "true", "ckan.cache_expires": "60"})

pytestmark = [pytest.mark.ckan_config(k, v) for k, v in CONFIG.items()] + [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "storage")]

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _login(session: requests.Session, base: str, name: str, password: str = "correct123") -> None:
    page = session.get(base + "/user/login", timeout=60)
    resp = session.post(base + "/user/login", timeout=60, data={
        "login": name, "password": password, "_csrf_token": TOKEN.search(page.text).group(1)})
    assert resp.status_code == 200 and "/user/login" not in resp.url, resp.url


def _cached_bytes(topo) -> bytes:
    """Everything nginx stored in its cache."""
    return b"".join(p.read_bytes() for p in Path(topo.workdir, "nginx", "cache").rglob("*") if p.is_file())


def _org_admin():
    from ckan.tests import factories

    admin = factories.UserWithToken(fullname="Hélène Vidal", password="correct123")
    org = factories.Organization(name="commune-de-ribeauville", title="Commune de Ribeauvillé",
                                 actor_type="commune", insee_code="68269",
                                 users=[{"name": admin["name"], "capacity": "admin"}])
    return admin, org


class TestApplication:
    """What CKAN answers, before any cache (the Flask app of the test)."""

    def test_a_page_with_a_csrf_form_keeps_its_session(self, app):
        login = app.get("/user/login")
        assert TOKEN.search(login.get_data(as_text=True))
        assert "ckan=" in login.headers.get("Set-Cookie", "")

    def test_without_cache_enabled_ckan_keeps_its_own_behaviour(self, app, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckan.cache_enabled", False)  # read by CKAN on each request
        home = app.get("/")
        assert "private" in home.headers["Cache-Control"]
        assert "ckan=" in home.headers.get("Set-Cookie", "")


class TestNginxCache:
    def test_an_anonymous_home_page_is_served_from_the_cache(self, topology):
        topo = topology(nodes=1, workers=0, cache=True)
        first = requests.get(topo.url + "/", timeout=60)
        assert first.status_code == 200 and "DataGrandEst" in first.text
        assert first.headers["X-Cache-Status"] == "MISS" and "Set-Cookie" not in first.headers
        assert "public" in first.headers["Cache-Control"] and "max-age=60" in first.headers["Cache-Control"]
        # the language selector is a GET form: nothing on the page needs a session
        assert not TOKEN.search(first.text)
        second = requests.get(topo.url + "/", timeout=60)
        assert second.headers["X-Cache-Status"] == "HIT" and second.text == first.text

    def test_a_private_dataset_seen_by_its_admin_is_never_served_from_the_cache(self, topology):
        topo = topology(nodes=1, workers=0, cache=True)
        admin, org = _org_admin()
        make_dataset(org["id"], name="budget-confidentiel", title="Budget confidentiel", private=True)
        browser = requests.Session()
        _login(browser, topo.url, admin["name"])
        seen = browser.get(topo.url + "/dataset/budget-confidentiel", timeout=60)
        assert seen.status_code == 200 and "Budget confidentiel" in seen.text
        assert seen.headers["X-Cache-Status"] == "BYPASS"
        api = requests.get(topo.url + "/api/3/action/package_show?id=budget-confidentiel", timeout=60,
                           headers={"Authorization": admin["token"]})
        assert api.status_code == 200 and api.headers["X-Cache-Status"] == "BYPASS"
        for _ in range(2):  # the same URLs, anonymously: refused, never the admin's page
            page = requests.get(topo.url + "/dataset/budget-confidentiel", timeout=60)
            assert page.status_code in (403, 404) and "Budget confidentiel" not in page.text
            assert page.headers.get("X-Cache-Status") != "HIT"
            shown = requests.get(topo.url + "/api/3/action/package_show?id=budget-confidentiel", timeout=60)
            assert shown.status_code in (403, 404) and "Budget confidentiel" not in shown.text
        assert b"Budget confidentiel" not in _cached_bytes(topo)

    def test_a_logged_in_page_is_never_stored(self, topology):
        topo = topology(nodes=1, workers=0, cache=True)
        admin, _ = _org_admin()
        browser = requests.Session()
        _login(browser, topo.url, admin["name"])
        mine = browser.get(topo.url + "/", timeout=60)
        assert "Hélène Vidal" in mine.text and mine.headers["X-Cache-Status"] == "BYPASS"
        for status in ("MISS", "HIT"):
            anonymous = requests.get(topo.url + "/", timeout=60)
            assert anonymous.headers["X-Cache-Status"] == status and "Hélène Vidal" not in anonymous.text
        assert "Hélène Vidal".encode() not in _cached_bytes(topo) and admin["name"].encode() not in _cached_bytes(topo)

    def test_a_page_with_a_flash_message_is_never_stored(self, topology):
        topo = topology(nodes=1, workers=0, cache=True)
        visitor = requests.Session()
        refused = visitor.get(topo.url + "/dashboard/datasets", timeout=60, allow_redirects=False)
        assert refused.status_code in (302, 303) and "ckan" in visitor.cookies  # the flash, in its session
        flashed = visitor.get(topo.url + "/", timeout=60)
        alerts = re.findall(r'class="alert[^"]*"[^>]*>\s*([^<]+)', flashed.text)
        assert alerts and flashed.headers["X-Cache-Status"] == "BYPASS", flashed.text[:3000]
        for status in ("MISS", "HIT"):
            anonymous = requests.get(topo.url + "/", timeout=60)
            assert anonymous.headers["X-Cache-Status"] == status
            assert not any(a.strip() in anonymous.text for a in alerts)

    def test_a_form_with_a_csrf_token_is_never_shared(self, topology):
        topo = topology(nodes=1, workers=0, cache=True)
        pages = [requests.get(topo.url + path, timeout=60) for path in ("/user/login", "/user/login",
                                                                         "/commune/inscription")]
        for page in pages:
            assert page.status_code == 200 and page.headers["X-Cache-Status"] == "MISS"
            assert "ckan=" in page.headers.get("Set-Cookie", "")
        tokens = [TOKEN.search(p.text).group(1) for p in pages[:2]]
        assert tokens[0] != tokens[1]  # each visitor its own token
