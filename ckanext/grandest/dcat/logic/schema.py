"""Input schemas of the actions (navl), one per action."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


@validator_args
def grandest_dcat_catalog_show(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {
        "format": [ignore_missing, unicode_safe],
        "page": [ignore_missing, unicode_safe],
        "after": [ignore_missing, unicode_safe],
        "organization": [ignore_missing, unicode_safe],
        "modified_since": [ignore_missing, unicode_safe],
        "q": [ignore_missing, unicode_safe],
        "profiles": [ignore_missing, unicode_safe],
    }


@validator_args
def grandest_dcat_feed_info(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"organization": [ignore_missing, unicode_safe]}
