"""Loads the dev portal's demo content through CKAN's HTTP API, as a sysadmin would.

The content follows the Grand Est schemas (plugin grandest_metadata, docs/metadata-fields.md): a commune, an
EPCI and a State service, with datasets that declare their territories, themes, update frequency, contact...

The validated files show the three kinds of badges a commune meets (issue #12): a good file (Ribeauvillé's
subventions, conform to the SCDL « Subventions » schema), a capped file (Ribeauvillé's délibérations: the
schema is declared but its rows fail it, so the band is capped whatever the other points) and an unusable one
(the second file of Schirmeck's budget, a login page saved as CSV: 0, « Inutilisable », which also lowers its
dataset's band).

Hosting tiers are set on the two communes (Schirmeck, under 3,500 inhabitants: the free tier) and two commune
requests wait in the review queue (/commune/demandes): one awaiting its town hall's confirmation (the mail is in
.dev/mail/), one in manual review (the commune has no email in the annuaire).

Idempotent: missing organizations and datasets are created; existing ones are brought up to date with the
demo values (patch), so a portal that had the older demo content gets the schema fields too. Resources are
matched by name; files are uploaded only when a resource is created.
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


def _differs(current: dict, wanted: dict) -> bool:
    if "owner_org" in wanted and (current.get("organization") or {}).get("name") != wanted["owner_org"]:
        return True
    return any(current.get(k) != v for k, v in wanted.items() if k not in ("tags", "owner_org")) or (
        "tags" in wanted and sorted(t["name"] for t in current.get("tags", [])) != sorted(t["name"] for t in wanted["tags"]))


def _resource(api: Api, pkg_id: str, res: dict) -> None:
    res = dict(res, package_id=pkg_id)
    content = res.pop("upload_content", None)
    filename = res.pop("upload_name", None)
    if content is not None:
        data = {k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in res.items()}
        api.call("resource_create", data, files={"upload": (filename, io.BytesIO(content.encode("utf-8")), "text/csv")})
    else:
        api.call("resource_create", res)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    args = ap.parse_args()
    api = Api(args.url, args.token)

    created = updated = 0
    for org in DEMO["organizations"]:
        current = api.call("organization_show", {"id": org["name"]}, ok404=True)
        if current is None:
            api.call("organization_create", org)
            created += 1
        elif _differs(current, org):
            api.call("organization_patch", dict(org, id=current["id"]))
            updated += 1
    for ds in DEMO["datasets"]:
        ds = dict(ds)
        resources = ds.pop("resources", [])
        current = api.call("package_show", {"id": ds["name"]}, ok404=True)
        if current is None:
            pkg = api.call("package_create", ds)
            for res in resources:
                _resource(api, pkg["id"], res)
            created += 1
            continue
        changed = False
        if _differs(current, ds):
            current = api.call("package_patch", dict(ds, id=current["id"]))
            changed = True
        by_name = {r.get("name"): r for r in current.get("resources", [])}
        for res in resources:
            existing = by_name.get(res["name"])
            if existing is None:
                _resource(api, current["id"], res)
                changed = True
                continue
            wanted = {k: v for k, v in res.items() if k not in ("upload_content", "upload_name", "url", "format")}
            if any(existing.get(k) != v for k, v in wanted.items()):
                api.call("resource_patch", dict(wanted, id=existing["id"]))
                changed = True
        updated += changed
    onboarding = "grandest_onboarding" in api.call("status_show", {}).get("extensions", [])
    for q in DEMO.get("quotas", []) if onboarding else []:
        current = api.call("grandest_quota_show", {"id": q["organization"]})
        if current.get("own_tier") != q["tier"]:
            api.call("grandest_quota_update", {"id": q["organization"], "tier": q["tier"]})
            updated += 1
    for req in DEMO.get("commune_requests", []) if onboarding else []:
        # one request per commune: left alone once it exists, whatever its state (the town hall's mail of a new
        # one lands in .dev/mail/)
        if not api.call("grandest_commune_request_list", {"q": req["insee_code"], "limit": 1})["count"]:
            api.call("grandest_commune_request_create", req)
            created += 1
    total = api.call("package_search", {"rows": 0})["count"]
    print(f"demo content: {created} new, {updated} updated object(s); {total} dataset(s) in the search index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
