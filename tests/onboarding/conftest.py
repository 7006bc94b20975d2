"""Fixtures of the grandest_onboarding tests (real PostgreSQL, Solr, Redis and SMTP; see tests/conftest.py)."""
from __future__ import annotations

import re
from typing import Any

import pytest

BASE_PLUGINS = ("activity image_view text_view dcat dcat_json_interface structured_data harvest dcat_rdf_harvester "
                "scheming_datasets")
PLUGINS = BASE_PLUGINS + " grandest_onboarding"
REGIONAL = "regional-admin"

#: communes of the referential used by the tests
SMALL_WITH_EMAIL = "67448"  # Schirmeck, 2,115 inhabitants, town hall email in the annuaire
LARGE_WITH_EMAIL = "67130"  # Erstein, 11,193 inhabitants
NO_EMAIL = "08158"  # Étrépigny (278 inhabitants), no email in the annuaire


def onboarding_config(func: Any = None, *, request_context: bool = False, plugins: str = PLUGINS,
                      **options: str) -> Any:
    """Marks a test (class) to run with grandest_onboarding loaded and a regional admin configured.

    ``request_context=True`` for tests that call actions directly (no test client): they then run in a
    French request context, as a web request would. Don't combine it with the ``app`` client: the client's
    requests would share the context's ``g`` (and its anonymous user).
    """
    def mark(f: Any) -> Any:
        for key, value in options.items():  # e.g. scheming__dataset_schemas="..." for scheming.dataset_schemas
            f = pytest.mark.ckan_config(key.replace("__", "."), value)(f)
        f = pytest.mark.ckan_config("ckan.plugins", plugins)(f)
        f = pytest.mark.ckan_config("ckanext.grandest.regional_admins", REGIONAL)(f)
        fixtures = ["with_plugins", "clean_db", "clean_index", "clean_redis", "storage", "app"]
        if request_context:
            fixtures.append("with_request_context")
        return pytest.mark.usefixtures(*fixtures)(f)

    return mark(func) if func is not None else mark


@pytest.fixture
def clean_redis():
    """Each test starts with no rate-limit counters (our slot's own Redis db)."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    for key in redis.scan_iter("*grandest:onboarding:*"):
        redis.delete(key)
    yield


@pytest.fixture
def regional_admin(clean_db):
    from ckan.tests import factories

    return factories.UserWithToken(name=REGIONAL, email="regional@datagrandest.example")


@pytest.fixture
def sysadmin(clean_db):
    from ckan.tests import factories

    return factories.SysadminWithToken(email="sysadmin@datagrandest.example")


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def make_request(insee_code: str = SMALL_WITH_EMAIL, **overrides: Any) -> dict[str, Any]:
    """Create a request through the action, as an anonymous visitor."""
    from ckan.tests.helpers import call_action

    data = {
        "insee_code": insee_code,
        "requester_name": "Claire Martin",
        "requester_role": "Secrétaire de mairie",
        "requester_email": "claire.martin@example.org",
        "requester_phone": "03 88 97 00 00",
        "message": "Nous voudrions publier nos délibérations.",
    }
    data.update(overrides)
    return call_action("grandest_commune_request_create", {"user": ""}, **data)


MiB = 1 << 20


def set_quota(org_id: str, **limits: Any) -> dict[str, Any]:
    """Set an organization's tier/limits as a sysadmin would (``tier``, ``max_storage_mb``...)."""
    from ckan.tests.helpers import call_action

    return call_action("grandest_quota_update", {"ignore_auth": True, "user": ""}, id=org_id, **limits)


def quota_of(org_id: str) -> dict[str, Any]:
    from ckan.tests.helpers import call_action

    return call_action("grandest_quota_show", {"ignore_auth": True, "user": ""}, id=org_id)


def upload(app: Any, token: str, content: bytes, filename: str = "donnees.csv", action: str = "resource_create",
           status: int | None = None, **fields: Any) -> Any:
    """POST a real multipart upload to the API, as a browser or a script would."""
    import io

    data = dict(fields)
    data["upload"] = (io.BytesIO(content), filename)
    resp = app.post(f"/api/3/action/{action}", data=data, headers={"Authorization": token},
                    content_type="multipart/form-data")
    if status is not None:
        assert resp.status_code == status, resp.get_data(as_text=True)
    return resp


def stored_path(resource_id: str) -> str:
    from ckan.lib.uploader import ResourceUpload

    return ResourceUpload({}).get_path(resource_id)


@pytest.fixture
def commune_admin(clean_db):
    """A commune: its organization (free tier) and its admin, with an API token."""
    from ckan.tests import factories

    user = factories.UserWithToken(name="secretaire", email="secretaire@mairie.example")
    org = factories.Organization(name="commune-de-schirmeck", title="Commune de Schirmeck",
                                 users=[{"name": user["name"], "capacity": "admin"}])
    set_quota(org["id"], tier="free")
    return {"user": user, "org": org, "token": user["token"]}


def login(client: Any, name: str, password: str = "correct123") -> None:
    """Log ``client`` (``app.test_client()``: it keeps cookies) in through the login form, as a browser."""
    page = client.get("/user/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.body).group(1)
    resp = client.post("/user/login", data={"login": name, "password": password, "_csrf_token": token})
    assert resp.status_code == 200 and "/user/_logout" not in resp.request.path
    assert client.get("/dashboard/datasets").status_code == 200, "login failed"


def requester_token(smtp: Any, request_id: str, email: str = "claire.martin@example.org") -> str:
    """The token of the requester's personal link in the LATEST email that carries one (each email renews it)."""
    from tests.conftest import CapturedMail

    smtp.wait_for(1)
    for msg, env in reversed(list(zip(smtp.messages, smtp.envelopes))):
        if email not in env["to"]:
            continue
        for url in links(CapturedMail.body(msg)):
            if f"/commune/suivi/{request_id}/" in url:
                return url.rsplit("/", 1)[1]
    raise AssertionError(f"no tracking link mailed to {email}")
