"""Values of a dataset as the export writes them: lists however CKAN stores them, http(s) URIs and ``mailto:``
URIs from what people typed, URL path segments, sizes, file names and checksums."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from rdflib import URIRef
from rdflib.term import _is_valid_uri

from ckanext.dcat.profiles.base import CleanedURIRef

from ckanext.grandest.common.emails import is_email


def read_list(value: Any) -> list:
    """A list from a list, a JSON list string or a comma-separated string."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v not in (None, "")]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                data = json.loads(text)
                return [v for v in data if v not in (None, "")] if isinstance(data, list) else []
            except ValueError:
                pass
        if text.startswith("{") and text.endswith("}"):  # postgres array literal
            text = text[1:-1]
        return [v.strip() for v in text.split(",") if v.strip()]
    return [value]


def uri(value: Any) -> URIRef | None:
    """An http(s) URIRef for a URL typed by people, or None when it cannot be one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text[:8].lower().startswith(("http://", "https://")) or len(text) > 4000:
        return None
    if _PLAIN_URL.match(text):
        return URIRef(text)
    ref = CleanedURIRef(text)
    return ref if _is_valid_uri(str(ref)) and "\n" not in ref and "\t" not in ref else None


_PLAIN_URL = re.compile(r"^https?://[A-Za-z0-9.:@-]+(/[A-Za-z0-9._~%/:@&=+$-]*)?(\?[A-Za-z0-9._~%/:@&=+$?-]*)?"
                        r"(#[A-Za-z0-9._~%/:@&=+$?-]*)?$", re.I)
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~-]+$")


def path_segment(segment: str) -> str:
    """A URL path segment (CKAN names and ids are already safe: no quoting work for them)."""
    return segment if _SAFE_PATH.match(segment) else quote(segment, safe="")


def mailto(email: Any) -> URIRef | None:
    if not isinstance(email, str):
        return None
    text = email.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not is_email(text):
        return None
    ref = URIRef("mailto:" + quote(text, safe="@.+-_!~*'"))
    return ref if _is_valid_uri(str(ref)) else None


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def non_negative_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(float(value)) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def file_name(url: str | None) -> str | None:
    if not url:
        return None
    last = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last if "." in last else None


_DIGEST_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256"}


def checksum_of(res: dict) -> tuple[str, str] | None:
    """``(algorithm, lower-case hex digest)`` of a resource's ``hash`` ("…", "sha256:…"), with its
    ``hash_algorithm`` when given (md5, sha1 or sha256: what data.gouv.fr stores), else by its length."""
    text = text_of(res.get("hash"))
    if not text:
        return None
    algo = (text_of(res.get("hash_algorithm")) or "").lower().replace("-", "")
    if ":" in text:
        prefix, _, text = text.partition(":")
        algo = algo or prefix.strip().lower().replace("-", "")
    text = text.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32,64}", text):
        return None
    algo = algo or _DIGEST_LENGTHS.get(len(text), "")
    if algo not in ("md5", "sha1", "sha256") or _DIGEST_LENGTHS.get(len(text)) != algo:
        return None
    return algo, text
