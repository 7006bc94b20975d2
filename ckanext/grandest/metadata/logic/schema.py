"""Input schemas of the grandest_metadata actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

KINDS = ("commune", "epci", "departement", "region")


@validator_args
def territory_autocomplete(
        not_missing: Validator, unicode_safe: Validator, ignore_missing: Validator,
        int_validator: Validator,
) -> Schema:
    return {
        "q": [not_missing, unicode_safe],
        "limit": [ignore_missing, int_validator],
        "kinds": [ignore_missing, unicode_safe],
    }


@validator_args
def organization_territory_show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}
