"""Literals of a harvested record as text: the literal in the best language, cleaned text, descriptions
written as HTML, web addresses and e-mail addresses."""
from __future__ import annotations

import html
import re
from typing import Any, Iterable

from rdflib import Literal

from ckanext.grandest.common.emails import is_email

MAX_TEXT = 100_000  # longest description kept (characters)


_LANG_RANK = {"fr": 0, "": 1, "en": 2}


def lang_rank(lit: Literal) -> int:
    lang = (lit.language or "").split("-")[0].lower()
    return _LANG_RANK.get(lang, 3)


def best(literals: Iterable[Any]) -> str | None:
    """French first, then untagged, then English, then anything; first in document order within a rank."""
    found: tuple[int, str] | None = None
    for lit in literals:
        if not isinstance(lit, Literal):
            continue
        text = str(lit).strip()
        if not text:
            continue
        rank = lang_rank(lit)
        if found is None or rank < found[0]:
            found = (rank, text)
            if rank == 0:
                break
    return found[1] if found else None


def clean_text(text: str | None, limit: int = MAX_TEXT) -> str | None:
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    return text[:limit] if text else None


_TAG_RE = re.compile(r"<[^>]{0,2000}>")
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|ul|ol|table|tr)\s*>|<br\s*/?>", re.I)
_LI = re.compile(r"<li[^>]{0,500}>", re.I)
_HTML_HINT = re.compile(r"</?(p|br|div|span|ul|ol|li|a|strong|em|b|i|h[1-6])\b[^>]{0,500}>", re.I)


def html_to_text(text: str) -> str:
    """Descriptions written as HTML (udata, some CKAN) become plain text with paragraphs kept."""
    if not _HTML_HINT.search(text):
        return text
    text = _LI.sub("\n- ", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def is_http(value: str | None) -> bool:
    return bool(value) and value.lower().startswith(("http://", "https://"))  # type: ignore[union-attr]


def _strip_mailto(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.split("?", 1)[0].strip()


def email_address(value: str | None) -> str | None:
    if not value:
        return None
    value = _strip_mailto(value)
    return value if is_email(value) else None
