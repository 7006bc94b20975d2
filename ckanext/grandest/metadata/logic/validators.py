"""Validators of the Grand Est metadata schemas (dataset, resource, organization).

Every message is an English msgid translated to plain French (i18n/fr/.../ckanext-grandest-metadata.po) and is
attached to the field it is about, so the web form shows it under that field and the API returns it under
that key. A rejected value makes the whole action fail: nothing of the dataset or organization is saved.

Validators marked ``_scheming`` are factories that ckanext-scheming calls with ``(field, schema)``. The checks
across fields (``after_validators``) are in ``cross_field.py``; the plugin registers both modules' ``grandest_*``
functions.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Callable, NoReturn

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing

from ckanext.grandest.common import referential as ref
from ckanext.grandest.common.emails import is_email
from ckanext.grandest.metadata import table_schemas
from ckanext.grandest.metadata import vocabularies as voc

Invalid = tk.Invalid

MIN_YEAR = 1800
MAX_YEARS_AHEAD = 50
MIN_KEYWORD_LENGTH = 3
MAX_TERRITORIES = 200

ACTOR_TYPES = ("commune", "epci", "departement", "region", "etat", "etablissement_public", "association",
               "entreprise")
SIREN_REQUIRED = ("epci", "etablissement_public", "association", "entreprise")

_HOST_RE = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def _scheming(fn: Callable) -> Callable:
    """Mark a validator factory the way ckanext-scheming expects (``(field, schema) -> validator``)."""
    fn.is_a_scheming_validator = True  # type: ignore[attr-defined]
    return fn


def _empty(value: Any) -> bool:
    return value is missing or value is None or (isinstance(value, str) and not value.strip()) \
        or (isinstance(value, (list, tuple)) and not value)


def _as_list(value: Any) -> list[str]:
    """A list of non-empty strings from a list, a JSON list, or a comma/newline separated string."""
    if _empty(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                value = loaded
            else:
                value = re.split(r"[,\n;]", text)
        else:
            value = re.split(r"[,\n;]", text)
    if not isinstance(value, (list, tuple)):
        raise Invalid(tk._("Expected a list of values."))
    out = []
    for item in value:
        if item is None:
            continue
        if not isinstance(item, str):
            raise Invalid(tk._("Expected a list of values."))
        if item.strip():
            out.append(item.strip())
    return out


def _drop(key, data) -> NoReturn:
    data.pop(key, None)
    raise StopOnError


# --- simple values ----------------------------------------------------------------------------------------
def grandest_email(value: Any, context: Any = None) -> Any:
    """A plausible email address (or nothing)."""
    if _empty(value):
        return value
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not is_email(text):
        raise Invalid(tk._('"{value}" is not a valid email address. Write it like mairie@example.fr.')
                      .format(value=_short(value)))
    return text


def grandest_url(value: Any, context: Any = None) -> Any:
    """A web address starting with http:// or https:// (or nothing)."""
    if _empty(value):
        return value
    text = str(value).strip()
    scheme, sep, rest = text.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    if not sep or scheme.lower() not in ("http", "https") or not host or any(c.isspace() for c in text) \
            or not _HOST_RE.match(host) or "." not in host.strip("[]").split(":")[0] and not host.startswith("["):
        raise Invalid(tk._('"{value}" is not a valid web address: it must start with http:// or https:// '
                           '(for example https://www.example.fr/page).').format(value=_short(value)))
    return text


def grandest_keep_int(value: Any, context: Any = None) -> Any:
    """Output: an integer when the stored text is one."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def grandest_ignore_empty(key, data, errors, context) -> None:
    """Like ignore_missing, but an empty text also counts as nothing: the extra is not stored at all (so
    clearing a field in the form removes it instead of keeping an empty value)."""
    value = data.get(key, missing)
    if _empty(value):
        _drop(key, data)


def grandest_ignore_input(key, data, errors, context) -> None:
    """Read-only field: whatever the client sends is dropped (the value is computed)."""
    _drop(key, data)


def _short(value: Any, n: int = 80) -> str:
    text = str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


# --- dates ------------------------------------------------------------------------------------------------
def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)  # the French way, 31/12/2024
        if not m:
            raise ValueError(text)
        d, mo, y = (int(g) for g in m.groups())
    return dt.date(y, mo, d)


def grandest_date(value: Any, context: Any = None) -> Any:
    """A calendar date (YYYY-MM-DD, also DD/MM/YYYY) between 1800 and 50 years from now, stored as
    YYYY-MM-DD."""
    if _empty(value):
        return value
    try:
        date = _parse_date(value)
    except (ValueError, TypeError):
        raise Invalid(tk._('"{value}" is not a date. Write it as YYYY-MM-DD, for example 2024-01-31.')
                      .format(value=_short(value)))
    today = dt.date.today()
    if date.year < MIN_YEAR:
        raise Invalid(tk._("The date {date} is too far in the past: give a date after {year}.")
                      .format(date=date.isoformat(), year=MIN_YEAR))
    try:
        limit = today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)
    if date > limit:
        raise Invalid(tk._("The date {date} is too far in the future: give a date before {limit}.")
                      .format(date=date.isoformat(), limit=limit.isoformat()))
    return date.isoformat()


# --- controlled vocabularies ------------------------------------------------------------------------------
def _vocab_of(field: dict) -> voc.Vocabulary:
    name = field.get("vocabulary") or field.get("field_name")
    return voc.vocabulary(str(name))


def _choice_error(vocab: voc.Vocabulary, values: list[str]) -> str:
    bad = ", ".join(f'"{_short(v, 60)}"' for v in values)
    if vocab is voc.THEMES:
        return tk._("Unknown theme: {values}. Pick themes from the list.").format(values=bad)
    if vocab is voc.FREQUENCIES:
        return tk._("Unknown update frequency: {values}. Pick one from the list.").format(values=bad)
    if vocab is voc.LANGUAGES:
        return tk._("Unknown language: {values}. Pick one from the list.").format(values=bad)
    if vocab is voc.ACCESS_RIGHTS:
        return tk._("Unknown access rights: {values}. Pick public, restricted or non-public.").format(values=bad)
    return tk._("Unexpected value: {values}. Pick a value from the list.").format(values=bad)


@_scheming
def grandest_vocabulary(field: dict, schema: dict) -> Callable:
    """One value of the field's vocabulary (``vocabulary:`` in the YAML, default: the field name).
    Codes and URI variants are accepted and stored as the canonical value; a ``default`` applies when the
    value is missing."""
    vocab = _vocab_of(field)
    default = field.get("default")

    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if _empty(value):
            if default and value is missing:
                data[key] = default
                return
            _drop(key, data)
        if not isinstance(value, str):
            errors[key].append(_choice_error(vocab, [str(value)]))
            raise StopOnError
        found = voc.normalize(vocab, value)
        if found is None:
            errors[key].append(_choice_error(vocab, [value]))
            raise StopOnError
        data[key] = found

    return validator


@_scheming
def grandest_vocabulary_multiple(field: dict, schema: dict) -> Callable:
    """Zero or more values of the field's vocabulary (list, JSON list or comma-separated text), stored as a
    JSON list in vocabulary order; a ``default`` (list) applies when the value is missing."""
    vocab = _vocab_of(field)
    default = field.get("default")

    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if value is missing and default:
            value = default if isinstance(default, list) else [default]
        try:
            items = _as_list(value)
        except Invalid as e:
            errors[key].append(e.error)
            raise StopOnError
        if not items:
            if field.get("required"):
                errors[key].append(tk._("Missing value"))
                raise StopOnError
            _drop(key, data)
        found, bad = set(), []
        for item in items:
            norm = voc.normalize(vocab, item)
            if norm is None:
                bad.append(item)
            else:
                found.add(norm)
        if bad:
            errors[key].append(_choice_error(vocab, bad))
            raise StopOnError
        data[key] = json.dumps([v for v in vocab.values if v in found])

    return validator


def grandest_list_output(value: Any, context: Any = None) -> Any:
    """Output: a stored JSON list (or legacy comma-separated text) as a real list."""
    if value is None or value is missing:
        return []
    if isinstance(value, list):
        return value
    try:
        loaded = json.loads(value)
        if isinstance(loaded, list):
            return loaded
        return [loaded] if loaded not in (None, "") else []
    except (ValueError, TypeError):
        return [v.strip() for v in str(value).split(",") if v.strip()]


# --- harvested datasets -----------------------------------------------------------------------------------
#: context key set by the harvester (ckanext.grandest.harvest) when it writes a harvested record: checks that
#: the portal asks of its own publishers (a licence chosen, a complete contact point, the organization's
#: territory by default) are relaxed; what the record lacks is reported instead of refusing it.
HARVEST_CONTEXT_KEY = "grandest_harvested"


def _harvested(context: Any) -> bool:
    return bool(isinstance(context, dict) and context.get(HARVEST_CONTEXT_KEY))


def _stored_licence_is(context: Any, license_id: str) -> bool:
    pkg = context.get("package") if isinstance(context, dict) else None
    return getattr(pkg, "license_id", None) == license_id


# --- licence ----------------------------------------------------------------------------------------------
def grandest_license(value: Any, context: Any = None) -> Any:
    """A licence data.gouv.fr recognises (or "other", with its URL in ``license_other_url``)."""
    if _empty(value):
        return value
    if value == voc.NOT_SPECIFIED_LICENCE and not _harvested(context) and not _stored_licence_is(
            context, value):
        raise Invalid(tk._("Choose a licence: « licence not specified » is only given to harvested datasets "
                           "that state none."))
    if value not in voc.LICENCE_IDS:
        raise Invalid(tk._('The licence "{value}" is not one data.gouv.fr recognises. Choose Licence Ouverte '
                           '2.0, ODbL, CC-BY, CC-BY-SA, CC0, or "Other licence" and give its address.')
                      .format(value=_short(value)))
    return value


# --- territories ------------------------------------------------------------------------------------------
def _territory_key(text: str) -> str | None:
    """Canonical referential key for "commune:67482" (any case and spacing), or None if unknown."""
    kind, sep, code = text.partition(":")
    if not sep:
        return None
    t = ref.territory(f"{kind.strip().lower()}:{code.strip()}")
    return t.key if t else None


def _organization_territory(owner_org: Any) -> str | None:
    if _empty(owner_org):
        return None
    from ckan import model
    group = model.Group.get(str(owner_org))
    if group is None or not group.is_organization:
        return None
    # CKAN maps Group.extras imperatively (no attribute for type checkers)
    extras = {k: v for k, v in group.extras.items()}  # pyright: ignore[reportAttributeAccessIssue]
    from ckanext.grandest.metadata.territories import organization_territory
    return organization_territory(extras)


def _territories(default_from_org: bool) -> Callable:
    def validator(key, data, errors, context):
        value = data.get(key, missing)
        try:
            items = _as_list(value)
        except Invalid as e:
            errors[key].append(e.error)
            raise StopOnError
        if not items and default_from_org and not _harvested(context):
            org_key = _organization_territory(data.get(("owner_org",)))
            items = [org_key] if org_key else []
        if not items:
            _drop(key, data)
        keys, bad = [], []
        for item in items:
            k = _territory_key(item)
            if k is None:
                bad.append(item)
            elif k not in keys:
                keys.append(k)
        if bad:
            errors[key].append(tk._("Unknown territory: {values}. Pick communes, EPCI, départements or the "
                                    "région from the list.")
                               .format(values=", ".join(f'"{_short(b, 60)}"' for b in bad)))
            raise StopOnError
        if len(keys) > MAX_TERRITORIES:
            errors[key].append(tk._("Too many territories ({n}): pick at most {max}, or the larger territory "
                                    "that contains them.").format(n=len(keys), max=MAX_TERRITORIES))
            raise StopOnError
        data[key] = json.dumps(keys)

    return validator


@_scheming
def grandest_territories(field: dict, schema: dict) -> Callable:
    """Territories covered: referential keys (``commune:67482``, ``epci:246700488``, ``departement:67``,
    ``region:44``) as a list, JSON list or comma-separated text; stored as a JSON list."""
    return _territories(default_from_org=False)


@_scheming
def grandest_territories_or_organization(field: dict, schema: dict) -> Callable:
    """Like ``grandest_territories``; when none is given (creation), the organization's own territory."""
    return _territories(default_from_org=True)


# --- resources --------------------------------------------------------------------------------------------
def grandest_resource_url(key, data, errors, context) -> None:
    """A resource link must be an http(s) address (uploaded files are named by CKAN itself)."""
    value = data.get(key)
    if _empty(value):
        return
    if data.get(key[:-1] + ("url_type",)) == "upload":
        return
    try:
        data[key] = grandest_url(value)
    except Invalid as e:
        errors[key].append(e.error)
        raise StopOnError


def grandest_resource_format(key, data, errors, context) -> None:
    """An EU file type code (CSV, GEOJSON...). Other spellings ("geojson", "text/csv", "Shapefile") are
    normalised; when empty, it is guessed from the file name or link (and left empty if unknown)."""
    value = data.get(key, missing)
    if _empty(value):
        guessed = voc.guess_format(data.get(key[:-1] + ("url",)))
        data[key] = guessed or ""
        return
    code = voc.normalize_format(value)
    if code is None:
        errors[key].append(tk._('Unknown file format "{value}". Pick one from the list (CSV, JSON, GeoJSON, '
                                'XLSX, ODS, PDF, ZIP, SHP...).').format(value=_short(value)))
        raise StopOnError
    data[key] = code


def grandest_table_schema(key, data, errors, context) -> None:
    """A national Table Schema of schema.data.gouv.fr's catalogue (id such as ``scdl/deliberations``; an
    ``id@version`` reference or a schema.data.gouv.fr URL is read too)."""
    value = data.get(key, missing)
    if _empty(value):
        _drop(key, data)
    found = table_schemas.find(value) if isinstance(value, str) else None
    version_key = key[:-1] + ("schema_version",)
    if found is not None and "@" in value and _empty(data.get(version_key, missing)):
        data[version_key] = value.split("@", 1)[1]
    if found is None:
        errors[key].append(tk._('Unknown data schema "{value}". Pick a national schema from the list, or '
                                'leave it empty.').format(value=_short(value)))
        raise StopOnError
    data[key] = found.id


def grandest_table_schema_version(key, data, errors, context) -> None:
    """A version of the declared schema; the catalogue's latest when empty. Dropped without a schema."""
    schema_ref = data.get(key[:-1] + ("schema",))
    schema = table_schemas.find(schema_ref) if isinstance(schema_ref, str) else None
    value = data.get(key, missing)
    if schema is None:
        _drop(key, data)
    if _empty(value):
        # a version given as "id@version" in the schema field
        if isinstance(schema_ref, str) and "@" in schema_ref:
            value = schema_ref.split("@", 1)[1]
        else:
            if schema.latest:
                data[key] = schema.latest
                return
            _drop(key, data)
    text = str(value).strip().lstrip("vV")
    if schema.versions and text not in schema.versions:
        errors[key].append(tk._('Version "{value}" of the schema {schema} does not exist. Known versions: '
                                '{versions}.').format(value=_short(value), schema=schema.id,
                                                      versions=", ".join(schema.versions)))
        raise StopOnError
    data[key] = text


# --- organization -----------------------------------------------------------------------------------------
def grandest_actor_type(value: Any, context: Any = None) -> Any:
    if _empty(value):
        return value
    if value not in ACTOR_TYPES:
        raise Invalid(tk._('Unknown kind of organization "{value}". Pick one from the list.')
                      .format(value=_short(value)))
    return value


def grandest_siren(value: Any, context: Any = None) -> Any:
    """A SIREN: 9 digits (spaces allowed) passing the Luhn check."""
    if _empty(value):
        return value
    text = re.sub(r"[\s.\-]", "", str(value))
    if not re.fullmatch(r"\d{9}", text):
        raise Invalid(tk._('"{value}" is not a SIREN: a SIREN has 9 digits, for example 216 704 825.')
                      .format(value=_short(value)))
    if not ref.luhn_ok(text):
        raise Invalid(tk._('The SIREN {value} is not valid (its check digit is wrong): check for a typing '
                           'mistake.').format(value=text))
    return text


def grandest_insee_code(value: Any, context: Any = None) -> Any:
    """An INSEE code: 5 characters for a commune (2A/2B allowed), 2 for a département."""
    if _empty(value):
        return value
    text = str(value).strip().upper()
    if not re.fullmatch(r"\d{2}|\d{5}|2[AB]\d{3}", text):
        raise Invalid(tk._('"{value}" is not an INSEE code: a commune has a 5-character code such as '
                           '67482, a département a 2-digit code such as 67.').format(value=_short(value)))
    return text


def grandest_departement_code(value: Any, context: Any = None) -> Any:
    """A département code of Grand Est ("67"; "8" is read as "08")."""
    if _empty(value):
        return value
    dept = ref.departement(str(value).strip())
    if dept is None:
        raise Invalid(tk._("Give the code of a département of the Grand Est région (08, 10, 51, 52, 54, 55, 57, "
                           "67, 68 or 88)."))
    return dept.code
