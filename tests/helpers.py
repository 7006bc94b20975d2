"""Helpers shared by the tests (import as ``from tests.helpers import ...``)."""
from __future__ import annotations


def api_post(app, action: str, token: str | None = None, status: int = 200, **data):
    """POST to /api/3/action/<action> through the app; returns the decoded JSON body."""
    headers = {"Authorization": token} if token else {}
    resp = app.post(f"/api/3/action/{action}", json=data, headers=headers, status=status)
    return resp.json
