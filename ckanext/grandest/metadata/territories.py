"""Territories of the metadata schema, on top of the referential (pure Python, no CKAN import).

Keys are the referential's: ``commune:67482``, ``epci:246700488``, ``departement:67``, ``region:44``.
"""
from __future__ import annotations

import functools
from typing import Any, Iterable, Mapping

from ckanext.grandest.common import referential as ref

KINDS = ("commune", "epci", "departement", "region")

KIND_LABELS = {
    "commune": {"fr": "commune", "en": "municipality"},
    "epci": {"fr": "intercommunalité", "en": "inter-municipality"},
    "departement": {"fr": "département", "en": "département"},
    "region": {"fr": "région", "en": "region"},
}


def label(key: object, lang: str | None = "fr") -> str:
    """Display name of a territory key: "Strasbourg (67)", "Eurométropole de Strasbourg",
    "Bas-Rhin (67)", "Grand Est"; the key itself when unknown."""
    t = ref.territory(key)
    if t is None:
        return "" if key is None else str(key)
    if t.kind == "commune":
        return f"{t.name} ({t.departement})"
    if t.kind == "departement":
        return f"{t.name} ({t.code})"
    return t.name


def long_label(key: object, lang: str | None = "fr") -> str:
    """Name with the kind of territory: "Strasbourg (commune, 67)"; in English "Strasbourg (municipality, 67)"."""
    t = ref.territory(key)
    if t is None:
        return "" if key is None else str(key)
    kind = KIND_LABELS[t.kind]["en" if (lang or "fr").startswith("en") else "fr"]
    if t.kind == "commune":
        return f"{t.name} ({kind}, {t.departement})"
    if t.kind == "departement":
        return f"{t.name} ({kind}, {t.code})"
    return f"{t.name} ({kind})"


def organization_territory(extras: Mapping[str, Any]) -> str | None:
    """The territory of an organization from its schema fields (actor_type, insee_code, siren, epci,
    departement): the commune, EPCI, département or région it is; for other actors the EPCI or
    département they declare; None otherwise."""
    actor = extras.get("actor_type")
    insee, siren = extras.get("insee_code"), extras.get("siren")
    candidates: list[str] = []
    if actor == "commune":
        candidates.append(f"commune:{insee}")
    elif actor == "epci":
        candidates.append(f"epci:{siren or extras.get('epci')}")
    elif actor == "departement":
        candidates.append(f"departement:{insee or extras.get('departement')}")
    elif actor == "region":
        candidates.append(f"region:{insee or '44'}")
    if extras.get("epci"):
        candidates.append(f"epci:{extras['epci']}")
    if extras.get("departement"):
        candidates.append(f"departement:{extras['departement']}")
    for key in candidates:
        t = ref.territory(key)
        if t is not None:
            return t.key
    return None


def facet_codes(keys: Iterable[object]) -> dict[str, list[str]]:
    """Codes to index for the territory facets of a dataset covering ``keys``.

    A commune counts for itself, its EPCI and its département; an EPCI for itself and its départements; a
    département for itself. The région and unknown keys add nothing (a région-wide dataset is not filed
    under each département).
    """
    out: dict[str, list[str]] = {"commune": [], "epci": [], "departement": []}

    def add(kind: str, code: str | None) -> None:
        if code and code not in out[kind]:
            out[kind].append(code)

    for key in keys:
        t = ref.territory(key)
        if t is None:
            continue
        if t.kind == "commune":
            add("commune", t.code)
            add("epci", t.epci)
            add("departement", t.departement)
        elif t.kind == "epci":
            add("epci", t.code)
            e = ref.epci(t.code)
            for d in (e.departements if e else ()):
                add("departement", d)
        elif t.kind == "departement":
            add("departement", t.code)
    return out


@functools.lru_cache(maxsize=1)
def _named_territories() -> tuple[tuple[str, str, str, int], ...]:
    """(folded name, key, kind, population) of the région, départements and EPCI, for name search."""
    rows = []
    reg = ref.region()
    if reg is not None:
        rows.append((ref.fold(reg.name), reg.key, "region", reg.population))
    for d in ref.departements():
        rows.append((ref.fold(d.name), d.key, "departement", d.population))
    for e in ref.epcis():
        rows.append((ref.fold(e.name), e.key, "epci", e.population))
    return tuple(rows)


def search(text: object, limit: int = 10, kinds: Iterable[str] = KINDS) -> list[dict[str, Any]]:
    """Autocompletion over the région, départements, EPCI (names, codes) and communes (names, INSEE codes,
    postcodes), best first: [{key, kind, code, name, label}]."""
    if not isinstance(text, str):
        return []
    query = text.strip()
    if not query or limit <= 0:
        return []
    kinds = set(kinds)
    folded = ref.fold(query)
    words = folded.split()
    scored: list[tuple[int, int, str]] = []  # (tier, -population, key)

    if kinds & {"region", "departement", "epci"}:
        for name, key, kind, population in _named_territories():
            if kind not in kinds:
                continue
            code = key.split(":", 1)[1]
            if folded in (name, code):
                tier = 0
            elif name.startswith(folded) or code.startswith(folded):
                tier = 1
            elif words and all(any(w.startswith(q) for w in name.split()) for q in words):
                tier = 2
            else:
                continue
            scored.append((tier, -population, key))
    if "commune" in kinds:
        for rank, c in enumerate(ref.search_communes(query, limit=limit)):
            # the commune search ranks itself; place its best hits with the named territories' tiers
            tier = 0 if ref.fold(c.name) == folded or c.code == query else 1 if rank < 3 else 2
            scored.append((tier, -c.population, c.key))
    scored.sort()
    out = []
    for _tier, _pop, key in scored[:limit]:
        t = ref.territory(key)
        if t is None:
            continue
        out.append({"key": t.key, "kind": t.kind, "code": t.code, "name": t.name,
                    "label": long_label(t.key)})
    return out
