"""Loads the dev portal's demo content through CKAN's HTTP API, as a sysadmin would.

Idempotent: organizations and datasets that already exist are left as they are.
usage: python dev/demo.py --url http://127.0.0.1:5000 --token API_TOKEN
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import requests

HERE = Path(__file__).parent
DEMO = json.loads((HERE / "demo.json").read_text(encoding="utf-8"))


class Api:
    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/") + "/api/3/action/"
        self.s = requests.Session()
        self.s.headers["Authorization"] = token

    def call(self, action: str, data: dict | None = None, files: dict | None = None, ok404: bool = False):
        if files:
            r = self.s.post(self.url + action, data=data, files=files, timeout=60)
        elif data is None:
            r = self.s.get(self.url + action, timeout=60)
        else:
            r = self.s.post(self.url + action, json=data, timeout=60)
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code == 404 and ok404:
            return None
        if not body.get("success"):
            raise SystemExit(f"{action} failed ({r.status_code}): {json.dumps(body.get('error'), ensure_ascii=False)}")
        return body["result"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    args = ap.parse_args()
    api = Api(args.url, args.token)

    created = 0
    for org in DEMO["organizations"]:
        if api.call("organization_show", {"id": org["name"]}, ok404=True) is None:
            api.call("organization_create", org)
            created += 1
    for ds in DEMO["datasets"]:
        ds = dict(ds)
        resources = ds.pop("resources", [])
        if api.call("package_show", {"id": ds["name"]}, ok404=True) is not None:
            continue
        pkg = api.call("package_create", ds)
        for res in resources:
            res = dict(res, package_id=pkg["id"])
            content = res.pop("upload_content", None)
            if content is not None:
                filename = res.pop("upload_name")
                data = {k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in res.items()}
                api.call("resource_create", data,
                         files={"upload": (filename, io.BytesIO(content.encode("utf-8")), "text/csv")})
            else:
                api.call("resource_create", res)
        created += 1
    total = api.call("package_search", {"rows": 0})["count"]
    print(f"demo content: {created} new object(s); {total} dataset(s) in the search index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
