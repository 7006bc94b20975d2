"""Checks across the fields of a dataset or an organization (``after_validators`` of the Grand Est schemas):
keywords, the "other" licence's address, temporal coverage, the contact point; an organization against the
territorial referential, filling in what the referential knows (SIREN, EPCI, département, population).

Messages follow the field validators' rules (``validators.py``): English msgids, attached to the field they
are about.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing

from ckanext.grandest.common import referential as ref
from ckanext.grandest.metadata import vocabularies as voc

from .validators import MIN_KEYWORD_LENGTH, SIREN_REQUIRED, _empty, _harvested


def _value(data, name: str) -> Any:
    v = data.get((name,), missing)
    return None if v is missing else v


def _extra_index(data, name: str) -> int | None:
    for k, v in data.items():
        if len(k) == 3 and k[0] == "extras" and k[2] == "key" and v == name:
            return k[1]
    return None


def _set_extra(data, name: str, value: Any) -> None:
    """Store ``value`` in the extras being saved (replacing it), or remove it when value is None."""
    idx = _extra_index(data, name)
    if value is None:
        if idx is not None:
            for k in [k for k in data if len(k) == 3 and k[0] == "extras" and k[1] == idx]:
                del data[k]
        data.pop((name,), None)
        return
    if idx is None:
        used = [k[1] for k in data if len(k) > 1 and k[0] == "extras"]
        idx = max(used) + 1 if used else 0
        data[("extras", idx, "key")] = name
    data[("extras", idx, "value")] = value
    data[(name,)] = value


def _add_error(errors, name: str, message: str) -> None:
    errors.setdefault((name,), []).append(message)


def grandest_dataset_after(key, data, errors, context) -> None:
    """Checks that involve several dataset fields: keywords, licence URL, temporal coverage, contact point."""
    # keywords: at least 3 characters (data.gouv.fr drops shorter tags)
    short = []
    for k in sorted(k for k in data if len(k) == 3 and k[0] == "tags" and k[2] == "name"):
        name = data[k]
        if isinstance(name, str) and len(name.strip()) < MIN_KEYWORD_LENGTH:
            if name.strip() not in short:
                short.append(name.strip())
            if _value(data, "tag_string") is None:
                errors.setdefault(k, []).append(
                    tk._('The keyword "{tag}" is too short: keywords need at least {n} characters.')
                    .format(tag=name.strip(), n=MIN_KEYWORD_LENGTH))
    if short and _value(data, "tag_string") is not None:
        _add_error(errors, "tag_string", tk._("These keywords are too short: {tags}. Keywords need at least "
                                              "{n} characters.").format(tags=", ".join(short),
                                                                        n=MIN_KEYWORD_LENGTH))

    # "other" licence: its address is needed
    license_id = _value(data, "license_id")
    other_url = _value(data, "license_other_url")
    if license_id == voc.OTHER_LICENCE:
        if _empty(other_url) and not errors.get(("license_other_url",)):
            _add_error(errors, "license_other_url", tk._('With "Other licence", give the web address of the '
                                                         'licence text.'))
    elif not _empty(other_url):
        _set_extra(data, "license_other_url", None)

    # temporal coverage: start <= end
    start, end = _value(data, "temporal_start"), _value(data, "temporal_end")
    if isinstance(start, str) and isinstance(end, str) and start and end and not errors.get(("temporal_start",)) \
            and not errors.get(("temporal_end",)) and end < start:
        _add_error(errors, "temporal_end", tk._("The end date ({end}) is before the start date ({start}).")
                   .format(end=end, start=start))

    # contact point: a name and a way to reach it (a harvested record keeps what its source gave)
    name, email, url = (_value(data, n) for n in ("contact_name", "contact_email", "contact_url"))
    if not (_empty(name) and _empty(email) and _empty(url)) and not _harvested(context):
        if _empty(email) and _empty(url) and not errors.get(("contact_email",)) \
                and not errors.get(("contact_url",)):
            _add_error(errors, "contact_email", tk._("Give an email address or a web address for this contact."))
        if _empty(name):
            _add_error(errors, "contact_name", tk._("Give the name of the contact (a person or a department)."))


def grandest_organization_after(key, data, errors, context) -> None:
    """Checks an organization against the territorial referential and fills what the referential knows:
    for a commune, its SIREN, EPCI, département and population; for an EPCI, its département(s) and
    population; for a département or the région, its population."""
    if "package_count" in (context.get("schema_keys") or ()):
        return  # ckanext-scheming also runs after_validators on organization_show: nothing to check there
    actor = _value(data, "actor_type")
    if actor == "commune":  # read-only for a commune: whatever was typed is replaced below
        for name in ("epci", "departement"):
            errors[(name,)] = []
    if _empty(actor) or errors.get(("actor_type",)):
        return
    insee = _value(data, "insee_code")
    siren = _value(data, "siren")
    failed = any(errors.get((n,)) for n in ("insee_code", "siren", "epci", "departement"))
    if failed:
        return
    population = None
    if actor == "commune":
        if _empty(insee):
            _add_error(errors, "insee_code", tk._("Give the INSEE code of the commune (5 characters, for "
                                                  "example 67482 for Strasbourg)."))
            return
        commune = ref.commune(insee)
        if commune is None:
            _add_error(errors, "insee_code", tk._("The INSEE code {code} is not a commune of the Grand Est "
                                                  "région. Check the code (5 characters, for example 67482).")
                       .format(code=insee))
            return
        if not _empty(siren) and siren != commune.siren:
            _add_error(errors, "siren", tk._("The SIREN {siren} is not that of {name} ({expected}).")
                       .format(siren=siren, name=commune.name, expected=commune.siren))
            return
        _set_extra(data, "siren", commune.siren)
        _set_extra(data, "epci", commune.epci)
        _set_extra(data, "departement", commune.departement)
        population = commune.population_totale
    elif actor == "epci":
        if _empty(siren):
            _add_error(errors, "siren", tk._("Give the SIREN of the EPCI (9 digits)."))
            return
        epci = ref.epci(siren)
        if epci is None:
            _add_error(errors, "siren", tk._("The SIREN {siren} is not that of an EPCI of the Grand Est région.")
                       .format(siren=siren))
            return
        _set_extra(data, "epci", epci.siren)
        _set_extra(data, "departement", epci.departements[0] if len(epci.departements) == 1 else None)
        _set_extra(data, "insee_code", None)
        population = epci.population_totale
    elif actor == "departement":
        dept = ref.departement(insee) if not _empty(insee) else ref.departement(_value(data, "departement"))
        if dept is None:
            _add_error(errors, "insee_code", tk._("Give the code of a département of the Grand Est région "
                                                  "(08, 10, 51, 52, 54, 55, 57, 67, 68 or 88)."))
            return
        _set_extra(data, "insee_code", dept.code)
        _set_extra(data, "departement", dept.code)
        _set_extra(data, "epci", None)
        population = dept.population
    elif actor == "region":
        region = ref.region(insee if not _empty(insee) else "44")
        if region is None:
            _add_error(errors, "insee_code", tk._("The only région of this portal is Grand Est (code 44)."))
            return
        _set_extra(data, "insee_code", region.code)
        _set_extra(data, "departement", None)
        _set_extra(data, "epci", None)
        population = region.population
    else:
        if actor in SIREN_REQUIRED and _empty(siren):
            _add_error(errors, "siren", tk._("Give the SIREN of the organization (9 digits): it is required for "
                                             "this kind of organization."))
            return
        if not _empty(insee):
            _add_error(errors, "insee_code", tk._("An INSEE code is only for a commune, a département or the "
                                                  "région: leave it empty."))
            return
    # EPCI and département given by hand (other kinds of organizations) must exist
    epci_value = _value(data, "epci")
    if actor not in ("commune", "epci") and not _empty(epci_value) and ref.epci(epci_value) is None:
        _add_error(errors, "epci", tk._("The SIREN {siren} is not that of an EPCI of the Grand Est région.")
                   .format(siren=epci_value))
        return
    dept_value = _value(data, "departement")
    if actor not in ("commune", "epci", "departement", "region") and not _empty(dept_value):
        dept = ref.departement(dept_value)
        if dept is None:
            _add_error(errors, "departement", tk._("Give the code of a département of the Grand Est région "
                                                   "(08, 10, 51, 52, 54, 55, 57, 67, 68 or 88)."))
            return
        _set_extra(data, "departement", dept.code)
    _set_extra(data, "population", str(population) if population is not None else None)
