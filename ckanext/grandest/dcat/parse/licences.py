"""Licences as harvested records state them: a URL, a title or a known alias (Licence Ouverte 1/2, Etalab,
ODbL, CC-*), EU and SPDX URIs, a free-text rights statement naming one, INSPIRE access codes (which are not
licences, but for « no conditions apply »)."""
from __future__ import annotations

import functools
import re
from typing import Iterable

from ckanext.grandest.common.referential import fold
from ckanext.grandest.common.urls import comparable_url
from ckanext.grandest.metadata import vocabularies as voc

from .text import is_http

# licence id -> (URLs, titles and aliases)
_LICENCE_ALIASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lov2": (
        ("etalab.gouv.fr/licence-ouverte-open-licence",
         "etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0.pdf",
         "etalab.gouv.fr/licence-ouverte-open-licence/licence-ouverte-v2",
         "spdx.org/licenses/etalab-2.0", "spdx.org/licenses/etalab-2.0.html",
         "data.gouv.fr/fr/licences", "data.gouv.fr/licences",
         "github.com/etalab/licence-ouverte/blob/master/lo.md",
         "opendatacommons.org/licenses/lov2", "publications.europa.eu/resource/authority/licence/etalab_2_0",
         "data.europa.eu/licences/etalab-2.0"),
        # 2.0 only when the text says 2.0 (or v2): the unversioned titles are Licence Ouverte 1.0's
        ("lov2", "etalab-2.0", "etalab 2.0", "etalab v2", "etalab v2.0",
         "licence ouverte 2.0", "licence ouverte v2.0", "licence ouverte version 2.0",
         "licence ouverte / open licence version 2.0",
         "licence ouverte / open licence v2.0", "licence ouverte open licence version 2.0",
         "licence ouverte v2.0 (etalab)", "licence ouverte 2.0 (etalab)",
         "licence ouverte / open licence version 2.0 (etalab)", "open licence 2.0",
         "open licence version 2.0", "open license 2.0", "lo 2.0", "lo-2.0", "lo2",
         "licence etalab 2.0", "licence etalab v2", "etalab licence ouverte 2.0",
         "licence ouverte / open licence 2.0"),
    ),
    "odc-odbl": (
        ("opendatacommons.org/licenses/odbl", "opendatacommons.org/licenses/odbl/1.0",
         "opendatacommons.org/licenses/odbl/1-0", "opendatacommons.org/licenses/odbl/summary",
         "opendefinition.org/licenses/odc-odbl", "spdx.org/licenses/odbl-1.0",
         "spdx.org/licenses/odbl-1.0.html", "publications.europa.eu/resource/authority/licence/odc_bl",
         "vvlibri.org/fr/licence/odbl-10/legalcode/unofficial", "data.europa.eu/licences/odbl"),
        ("odc-odbl", "odbl", "odbl-1.0", "odbl 1.0", "odbl v1.0", "open database license",
         "open database licence", "open database license (odbl)", "open database license 1.0",
         "open data commons open database license", "open data commons open database license (odbl)",
         "open data commons open database license v1.0", "licence odbl", "odc odbl"),
    ),
    "cc-by": (
        ("creativecommons.org/licenses/by/4.0", "creativecommons.org/licenses/by/4.0/legalcode",
         "creativecommons.org/licenses/by/4.0/deed.fr", "creativecommons.org/licenses/by",
         "opendefinition.org/licenses/cc-by", "spdx.org/licenses/cc-by-4.0", "spdx.org/licenses/cc-by-4.0.html",
         "publications.europa.eu/resource/authority/licence/cc_by_4_0", "data.europa.eu/licences/cc-by-4.0"),
        ("cc-by", "cc by", "cc-by-4.0", "cc by 4.0", "cc-by 4.0", "ccby", "cc_by_4_0",
         "creative commons attribution", "creative commons attribution 4.0",
         "creative commons attribution 4.0 international", "creative commons attribution (cc-by 4.0)",
         "creative commons attribution 4.0 international (cc by 4.0)", "creative commons by", "attribution 4.0 international"),
    ),
    "cc-by-sa": (
        ("creativecommons.org/licenses/by-sa/4.0", "creativecommons.org/licenses/by-sa/4.0/legalcode",
         "creativecommons.org/licenses/by-sa/4.0/deed.fr", "creativecommons.org/licenses/by-sa",
         "opendefinition.org/licenses/cc-by-sa", "spdx.org/licenses/cc-by-sa-4.0",
         "spdx.org/licenses/cc-by-sa-4.0.html", "publications.europa.eu/resource/authority/licence/cc_bysa_4_0",
         "data.europa.eu/licences/cc-by-sa-4.0"),
        ("cc-by-sa", "cc by-sa", "cc by sa", "cc-by-sa-4.0", "cc by-sa 4.0", "cc-by-sa 4.0", "cc_bysa_4_0",
         "creative commons attribution share-alike", "creative commons attribution share alike",
         "creative commons attribution-sharealike", "creative commons attribution-sharealike 4.0",
         "creative commons attribution-sharealike 4.0 international",
         "creative commons attribution share-alike (cc-by-sa 4.0)"),
    ),
    "cc-zero": (
        ("creativecommons.org/publicdomain/zero/1.0", "creativecommons.org/publicdomain/zero/1.0/legalcode",
         "creativecommons.org/publicdomain/zero/1.0/deed.fr", "opendefinition.org/licenses/cc-zero",
         "spdx.org/licenses/cc0-1.0", "spdx.org/licenses/cc0-1.0.html",
         "publications.europa.eu/resource/authority/licence/cc0", "data.europa.eu/licences/cc0"),
        ("cc-zero", "cc0", "cc0 1.0", "cc0-1.0", "cc 0", "cc zero", "creative commons zero",
         "creative commons cc0", "cc0 1.0 universal", "creative commons cc0 1.0 universal",
         "public domain dedication", "domaine public", "creative commons zero (cc0)"),
    ),
}
#: Licence Ouverte 1.0 (fr-lo on data.gouv.fr) has no id of its own here: kept as "other" with this URL,
#: the one data.gouv.fr recognises as "fr-lo".
LO1_URL = "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf"
_LO1_ALIASES = (
    ("etalab.gouv.fr/wp-content/uploads/2014/05/licence_ouverte.pdf",
     "etalab.gouv.fr/wp-content/uploads/2014/05/open_licence.pdf", "data.gouv.fr/licence-ouverte-open-licence",
     "etalab.gouv.fr/pages/licence-ouverte-open-licence-5899923.html",
     "spdx.org/licenses/etalab-1.0", "data.europa.eu/licences/etalab-1.0"),
    ("fr-lo", "lov1", "licence ouverte 1.0", "licence ouverte v1.0", "licence ouverte version 1.0",
     "licence ouverte / open licence version 1.0", "licence ouverte / open licence 1.0", "open licence 1.0",
     "lo 1.0", "lo-1.0", "etalab 1.0", "etalab-1.0", "etalab v1",
     # data.gouv.fr's title of fr-lo, and the other unversioned names
     "licence ouverte / open licence", "licence ouverte", "open licence", "licence ouverte (etalab)",
     "licence etalab", "etalab open licence", "licence ouverte d'etalab", "licence ouverte etalab"),
)
#: INSPIRE codes of dct:rights / dct:accessRights: access limitations are not licences; « no conditions
#: apply to access and use » is free reuse (mapped to Licence Ouverte 2.0, flagged as inferred)
INSPIRE_LIMITATIONS = "inspire.ec.europa.eu/metadata-codelist/limitationsonpublicaccess/"
INSPIRE_CONDITIONS = "inspire.ec.europa.eu/metadata-codelist/conditionsapplyingtoaccessanduse/"
INSPIRE_NO_CONDITIONS_LICENCE = "lov2"


@functools.lru_cache(maxsize=1)
def _licence_tables() -> tuple[dict[str, str], dict[str, str]]:
    by_url: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for lic in voc.LICENCES:
        if lic.url:
            by_url[comparable_url(lic.url)] = lic.id
        if lic.eu_uri:
            by_url[comparable_url(lic.eu_uri)] = lic.id
        by_name[fold(lic.fr)] = lic.id
        by_name[fold(lic.en)] = lic.id
    for lid, (urls, names) in _LICENCE_ALIASES.items():
        if voc.licence(lid) is None:
            continue
        for u in urls:
            by_url[comparable_url(u)] = lid
        for n in names:
            by_name[fold(n)] = lid
    lo1 = "lov1" if voc.licence("lov1") is not None else "fr-lo"
    for u in _LO1_ALIASES[0]:
        by_url[comparable_url(u)] = lo1
    for n in _LO1_ALIASES[1]:
        by_name[fold(n)] = lo1
    by_name.pop("", None)
    by_name.pop(fold("other"), None)
    return by_url, by_name


def match_licence(values: Iterable[str]) -> tuple[str | None, str | None]:
    """``(license_id, license_other_url)`` for the texts describing one licence (its URI, labels,
    identifier...). Unknown licence with a URL → ``("other", url)``; unknown without URL → ``(None, None)``."""
    by_url, by_name = _licence_tables()
    url = None
    found = None
    values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    for v in values:
        if is_http(v):
            url = url or v
            lid = by_url.get(comparable_url(v))
            if lid is None and "creativecommons.org/licenses/" in v.lower():
                lid = _cc_from_url(v)
            if lid:
                found = lid
                break
    if found is None:
        for v in values:
            if is_http(v):
                continue
            lid = by_name.get(fold(v))
            if lid:
                found = lid
                break
    if found == "fr-lo":  # a vocabulary without lov1
        return voc.OTHER_LICENCE, LO1_URL
    if found:
        return found, None
    if url:
        return voc.OTHER_LICENCE, url
    return None, None


def is_inspire_limitation(value: str) -> bool:
    """An INSPIRE access-limitation or « conditions unknown » code: not a licence."""
    low = value.strip().lower()
    return INSPIRE_LIMITATIONS in low or (INSPIRE_CONDITIONS in low and "noconditionsapply" not in low)


def is_inspire_no_conditions(value: str) -> bool:
    low = fold(value)
    return (INSPIRE_CONDITIONS in value.strip().lower() and "noconditionsapply" in value.lower()) or low in (
        "no conditions apply to access and use", "no conditions apply", "aucune condition ne s applique",
        "aucune condition ne s applique a l acces et a l utilisation", "pas de restriction d utilisation")


# on folded text (lower case, no accents, punctuation as spaces: "CC-BY-SA 2.0" -> "cc by sa 2 0")
_TEXT_LICENCES = (
    (re.compile(r"\b(odbl|open database licen[cs]e)\b"), "odc-odbl"),
    (re.compile(r"\b(cc ?by ?sa|attribution share ?alike|paternite partage)\b"), "cc-by-sa"),
    (re.compile(r"\b(cc0|cc zero|creative commons zero)\b"), "cc-zero"),
    (re.compile(r"\b(licence ouverte|open licen[cs]e|etalab)\b.{0,40}?\b(v ?2|2 0|version 2)\b"), "lov2"),
    (re.compile(r"\b(etalab 2 0|lo ?2 0|lov2)\b"), "lov2"),
    (re.compile(r"\b(licence ouverte|open licen[cs]e|etalab)\b"), "lov1"),
    (re.compile(r"\b(cc ?by|creative commons attribution)\b"), "cc-by"),
)


def licence_in_text(text: str) -> str | None:
    """The licence a free-text rights statement names (« Utilisation libre sous Licence Ouverte v2.0 »...),
    version included: Licence Ouverte 2.0 only when the text says 2.0."""
    if not text or len(text) > 5000:
        return None
    folded = fold(text)
    for pattern, lid in _TEXT_LICENCES:
        if pattern.search(folded):
            return lid if voc.licence(lid) is not None else None
    return None


def _cc_from_url(url: str) -> str | None:
    m = re.search(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", url.lower())
    if not m:
        return None
    kind, version = m.groups()
    if version != "4.0":
        return None  # an older CC version is another licence: kept as "other" with its URL
    return {"by": "cc-by", "by-sa": "cc-by-sa"}.get(kind)
