"""Sends malformed input to every ``grandest_*`` action of a running portal, as an outside reviewer would, and
counts the answers: every call must get a 4xx with a message (or a 200 where the input is harmless), never a 5xx.

usage: .venv/bin/python dev/probe_malformed.py --url http://127.0.0.1:5000 [--token TOKEN ...] [--ini dev/portal.ini]

Each token given adds one caller (anonymous is always one). Only 127.0.0.1 / localhost portals are probed.
"""
from __future__ import annotations

import argparse
import collections
import json
from urllib.parse import urlsplit

import requests

PAYLOADS = {
    "NUL byte": {"id": "a\x00b", "q": "a\x00b"},
    "lone surrogate": {"id": "a\ud800b", "token": "a\udfffb"},
    "non-ASCII token": {"id": "x", "token": "é"},
    "dict as text": {"id": "x", "reason": {"a": 1}, "message": {"b": 2}, "response": {"c": 3}},
    "huge offset": {"offset": 10**30, "limit": 10**30},
    "negative offset": {"offset": -5, "limit": -1},
    "CR/LF in a name": {"requester_name": "Jean\r\nBcc: x@example.org", "id": "x"},
    "list as id": {"id": ["a", "b"]},
    "nested garbage": {"id": "x", "nested": {"deep": [{"deeper": "a\x00"}]}},
    "empty": {},
}


def grandest_actions(ini: str) -> list[str]:
    """The suite's action names, from the plugins of the portal's configuration (the same code it runs)."""
    import ckan.logic as logic
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    make_app(CKANConfigLoader(ini).get_config())
    logic.get_action("status_show")
    return sorted(n for n in logic._actions if n.startswith("grandest_"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--ini", default="dev/portal.ini", help="the portal's configuration (to list its actions)")
    a = ap.parse_args()
    host = urlsplit(a.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("only a portal on this machine (127.0.0.1) is probed")
    api = a.url.rstrip("/") + "/api/3/action/"
    actions = grandest_actions(a.ini)
    callers = [("anonymous", {})] + [(f"token {i + 1}", {"Authorization": t}) for i, t in enumerate(a.token)]
    statuses: collections.Counter[int] = collections.Counter()
    failures = []
    calls = 0
    for name in actions:
        for who, headers in callers:
            for kind, payload in PAYLOADS.items():
                body = json.dumps(payload)
                resp = requests.post(api + name, data=body, headers={**headers, "Content-Type": "application/json"},
                                     timeout=60)
                calls += 1
                statuses[resp.status_code] += 1
                if resp.status_code >= 500:
                    failures.append(f"{resp.status_code} {name} ({who}, {kind})")
    print(f"{calls} calls: {len(actions)} grandest_* actions x {len(callers)} callers x {len(PAYLOADS)} payloads")
    print("answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"5xx: {len(failures)}")
    for f in failures:
        print("  " + f)
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
