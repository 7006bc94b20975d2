"""The sample secrets committed in ``dev/portal.ini`` and ``test.ini`` are public: a portal that runs with one
of them can have its session cookies, CSRF tokens and API tokens forged. Outside the dev portal and the tests
(a ``ckan.site_url`` on localhost or on the reserved ``.example`` domain), CKAN refuses to start with them."""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlsplit

SECRET_OPTIONS = ("SECRET_KEY", "WTF_CSRF_SECRET_KEY", "beaker.session.secret", "api_token.jwt.encode.secret",
                  "api_token.jwt.decode.secret")
SAMPLE_SECRETS = frozenset({
    "dev-only-secret-change-me-in-production", "dev-only-csrf-secret", "dev-only-jwt-secret",
    "test-only-secret-change-me-in-production", "test-only-csrf-secret", "test-only-jwt-secret",
})
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class SampleSecretError(RuntimeError):
    pass


def is_local_site(site_url: str) -> bool:
    host = (urlsplit(site_url or "").hostname or "").lower()
    return host in LOCAL_HOSTS or host.endswith(".localhost") or host == "example" or host.endswith(".example")


def sample_secrets_in_use(config: Mapping[str, Any]) -> list[str]:
    found = []
    for option in SECRET_OPTIONS:
        value = str(config.get(option) or "")
        if value.startswith("string:"):
            value = value[len("string:"):]
        if value in SAMPLE_SECRETS:
            found.append(option)
    return found


def refuse_sample_secrets(config: Mapping[str, Any]) -> None:
    """Raise (CKAN does not start) if a sample secret is used by a portal that is not local."""
    found = sample_secrets_in_use(config)
    if found and not is_local_site(str(config.get("ckan.site_url") or "")):
        raise SampleSecretError(
            f"ckanext-grandest: {', '.join(found)} is set to a sample secret published in the project's "
            f"repository (dev/portal.ini, test.ini); anyone could forge this portal's sessions and tokens. Set "
            f"your own random secrets (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))').")
