"""The one table of update frequencies: the schema's choices (EU frequency authority codes of the Grand Est list,
``metadata/vocabularies.FREQUENCIES``) ↔ data.gouv.fr's frequency ids ↔ the other spellings harvested portals
write (EU codes outside the list, purl.org/cld/freq, ISO 19115, French labels, ISO 8601 durations).

The export (:func:`frequency_uri`, used by the DCAT writer) and the harvest (:func:`match_frequency`, used by the
DCAT reader) both read this table, so a value exported and read back is the same value.

data.gouv.fr's ids and their EU equivalents follow udata's own tables (``FREQ_TERM_TO_UDATA`` and
``EUFREQ_TERM_TO_UDATA`` in ``udata/core/dataset/rdf.py``, https://github.com/opendatateam/udata): udata writes
its « Ponctuelle » frequency (``punctual``: published as the need arises) as EU ``AS_NEEDED`` and reads
``AS_NEEDED`` back as ``punctual``; ``NEVER`` is its separate « Jamais » (frozen data). The Grand Est list has no
``AS_NEEDED``, so ``punctual`` (and ``AS_NEEDED``) is folded into ``IRREG`` (updated at no fixed interval), never
into ``NEVER``: a punctual dataset may still be updated.
"""
from __future__ import annotations

import isodate

from ckanext.grandest.common.referential import fold
from ckanext.grandest.metadata import vocabularies as voc

#: data.gouv.fr's frequency ids (udata ``UpdateFrequency``) -> EU code of the Grand Est list.
DATAGOUV: dict[str, str] = {
    "punctual": "IRREG", "continuous": "CONT", "oneMinute": "UPDATE_CONT", "fiveMinutes": "UPDATE_CONT",
    "tenMinutes": "UPDATE_CONT", "fifteenMinutes": "UPDATE_CONT", "thirtyMinutes": "UPDATE_CONT",
    "hourly": "HOURLY", "bihourly": "HOURLY", "trihourly": "HOURLY", "twelveHours": "DAILY_2",
    "severalTimesADay": "CONT", "fourTimesADay": "DAILY_2", "threeTimesADay": "DAILY_2", "semidaily": "DAILY_2",
    "daily": "DAILY", "fiveTimesAWeek": "WEEKLY_3", "fourTimesAWeek": "WEEKLY_3",
    "threeTimesAWeek": "WEEKLY_3", "semiweekly": "WEEKLY_2", "weekly": "WEEKLY", "biweekly": "BIWEEKLY",
    "threeTimesAMonth": "MONTHLY_3", "semimonthly": "MONTHLY_2", "monthly": "MONTHLY",
    "bimonthly": "BIMONTHLY", "quarterly": "QUARTERLY", "threeTimesAYear": "ANNUAL_3",
    "semiannual": "ANNUAL_2", "annual": "ANNUAL", "biennial": "BIENNIAL", "triennial": "TRIENNIAL",
    "quadrennial": "QUINQUENNIAL", "quinquennial": "QUINQUENNIAL", "decennial": "QUINQUENNIAL",
    "bidecennial": "QUINQUENNIAL", "tridecennial": "QUINQUENNIAL", "irregular": "IRREG", "never": "NEVER",
    "notPlanned": "NEVER", "other": "IRREG", "unknown": "UNKNOWN",
}

#: EU authority codes outside the Grand Est list -> the neighbour the list keeps.
EU_FOLDED: dict[str, str] = {
    "1MIN": "UPDATE_CONT", "5MIN": "UPDATE_CONT", "10MIN": "UPDATE_CONT", "15MIN": "UPDATE_CONT",
    "30MIN": "UPDATE_CONT", "BIHOURLY": "HOURLY", "TRIHOURLY": "HOURLY", "12HRS": "DAILY_2",
    "DAILY_3": "DAILY_2", "WEEKLY_5": "WEEKLY_3", "QUADRENNIAL": "QUINQUENNIAL", "DECENNIAL": "QUINQUENNIAL",
    "BIDECENNIAL": "QUINQUENNIAL", "TRIDECENNIAL": "QUINQUENNIAL", "AS_NEEDED": "IRREG", "NOT_PLANNED": "NEVER",
    "OTHER": "IRREG", "OP_DATPRO": "IRREG",
}

#: Other spellings: purl.org/cld/freq (Dublin Core collection frequencies), ISO 19115
#: MD_MaintenanceFrequencyCode (GeoNetwork), English words, French labels.
OTHER_SPELLINGS: dict[str, str] = {
    "threetimesamonth": "MONTHLY_3", "irregular": "IRREG", "annually": "ANNUAL", "yearly": "ANNUAL",
    "asneeded": "IRREG", "update_cont": "UPDATE_CONT", "fortnightly": "BIWEEKLY", "biannually": "ANNUAL_2",
    "quotidien": "DAILY", "quotidienne": "DAILY", "journalier": "DAILY", "journaliere": "DAILY",
    "hebdomadaire": "WEEKLY", "mensuel": "MONTHLY", "mensuelle": "MONTHLY", "bimestriel": "BIMONTHLY",
    "bimestrielle": "BIMONTHLY", "trimestriel": "QUARTERLY", "trimestrielle": "QUARTERLY",
    "semestriel": "ANNUAL_2", "semestrielle": "ANNUAL_2", "annuel": "ANNUAL", "annuelle": "ANNUAL",
    "bisannuel": "BIENNIAL", "biennal": "BIENNIAL", "biennale": "BIENNIAL", "triennal": "TRIENNIAL",
    "triennale": "TRIENNIAL", "quinquennal": "QUINQUENNIAL", "irreguliere": "IRREG", "irregulier": "IRREG",
    "ponctuelle": "IRREG", "ponctuel": "IRREG", "jamais": "NEVER", "inconnue": "UNKNOWN", "inconnu": "UNKNOWN",
    "encontinu": "CONT", "continue": "CONT", "tempsreel": "UPDATE_CONT", "horaire": "HOURLY",
    "bimensuel": "MONTHLY_2", "bimensuelle": "MONTHLY_2", "toutesles2semaines": "BIWEEKLY",
    "touslesans": "ANNUAL",
}


def _key(text: str) -> str:
    """Folded spelling: accents, case, spaces, ``_`` and ``-`` ignored (``threeTimesAWeek``, ``AS_NEEDED``,
    « Temps réel » all match)."""
    return "".join(ch for ch in fold(text) if ch not in " _-")


#: Every spelling (folded) -> EU code of the Grand Est list.
ALIASES: dict[str, str] = {
    **{_key(k): v for k, v in OTHER_SPELLINGS.items()},
    **{_key(k): v for k, v in EU_FOLDED.items()},
    **{_key(k): v for k, v in DATAGOUV.items()},
}

_HOUR, _DAY = 3600, 86400
#: ISO 8601 durations, as (months, seconds) -> EU frequency code (P1Y = P12M, P1W = P7D, P0.5D = PT12H...)
DURATIONS = {
    (0, _HOUR): "HOURLY", (0, 12 * _HOUR): "DAILY_2", (0, _DAY): "DAILY", (0, 7 * _DAY): "WEEKLY",
    (0, 14 * _DAY): "BIWEEKLY", (0.5, 0): "MONTHLY_2", (1, 0): "MONTHLY", (2, 0): "BIMONTHLY", (3, 0): "QUARTERLY",
    (4, 0): "ANNUAL_3", (6, 0): "ANNUAL_2", (12, 0): "ANNUAL", (24, 0): "BIENNIAL", (36, 0): "TRIENNIAL",
    (60, 0): "QUINQUENNIAL",
}


def _duration_code(text: str) -> str | None:
    """The frequency code of an ISO 8601 duration (read by isodate), None if it is not one of the list's."""
    try:
        duration = isodate.parse_duration(text)
    except (ValueError, ArithmeticError):  # isodate.ISO8601Error is a ValueError
        return None
    if isinstance(duration, isodate.Duration):
        months, seconds = duration.years * 12 + duration.months, duration.tdelta.total_seconds()
    else:
        months, seconds = 0, duration.total_seconds()
    return DURATIONS.get((months, seconds))


def _uri(code: str | None) -> str | None:
    term = voc.FREQUENCIES.find(code) if code else None
    return term.value if term else None


def _spelling(candidate: str) -> str | None:
    """EU code of the list for a code, URI's last segment or literal (exact spellings of the table only)."""
    term = voc.FREQUENCIES.find(candidate)
    if term:
        return term.code
    return ALIASES.get(_key(candidate))


def frequency_uri(value: object) -> str | None:
    """The exported EU frequency URI of a stored frequency (an EU URI, a code, or a legacy spelling such as a
    purl.org URI or a data.gouv.fr id); None when it is not a frequency."""
    if not isinstance(value, str) or not value.strip():
        return None
    term = voc.FREQUENCIES.get(value) or voc.FREQUENCIES.find(value)
    if term is not None:
        return term.value
    return _uri(ALIASES.get(_key(value.strip().rstrip("/").rsplit("/", 1)[-1])))


def match_frequency(text: str | None) -> str | None:
    """EU frequency URI of the Grand Est list for what a harvested portal wrote: a URI, an ISO 8601 duration, a
    code or a literal (French or English label included); None if unknown."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    term = voc.FREQUENCIES.find(text)
    if term:
        return term.value
    iso = text.upper()
    if iso.startswith("R/"):
        iso = iso[2:]
    code = _duration_code(iso) if iso.startswith("P") else None
    if code:
        return voc.FREQUENCY_BASE + code
    last = text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    for candidate in (last, text):
        code = _spelling(candidate)
        if code is None:
            code = next((t.code for t in voc.FREQUENCIES if fold(t.fr) == fold(candidate)
                         or fold(t.en) == fold(candidate)), None)
        if _uri(code):
            return _uri(code)
    return None


def table() -> dict[str, str | None]:
    """``{stored value: exported URI}`` for every frequency of the vocabulary."""
    return {t.value: frequency_uri(t.value) for t in voc.FREQUENCIES}
