"""Input schemas of the actions (navl), one per action."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ..model import STATUSES

from ..engine.score.points import BAND_KEYS as BANDS
MAX_LIMIT = 500


def _required_id(key: Any, data: Any, errors: Any, context: Any) -> None:
    value = data.get(key)
    if value is missing or value is None or not isinstance(value, str) or not value.strip():
        errors[key].append(tk._("Missing value"))
        raise StopOnError
    data[key] = value.strip()


def _one_of(choices: tuple[str, ...]) -> Validator:
    def validator(value: Any, context: Any) -> Any:
        if value in (None, "", missing):
            return value
        if value not in choices:
            raise tk.Invalid(tk._("Unknown value: {value}. Expected one of: {choices}.").format(
                value=value, choices=", ".join(choices)))
        return value

    return validator


def _bounded_int(low: int, high: int) -> Validator:
    def validator(value: Any, context: Any) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise tk.Invalid(tk._("Please give a whole number."))
        if not low <= number <= high:
            raise tk.Invalid(tk._("Please give a number between {low} and {high}.").format(low=low, high=high))
        return number

    return validator


@validator_args
def resource_id(unicode_safe: Validator) -> Schema:
    return {"id": [_required_id, unicode_safe]}


@validator_args
def dataset_id(unicode_safe: Validator) -> Schema:
    return {"id": [_required_id, unicode_safe]}


@validator_args
def organization_quality_list(unicode_safe: Validator, default: Any, ignore_missing: Validator) -> Schema:
    return {
        "id": [_required_id, unicode_safe],
        "limit": [default(50), _bounded_int(1, MAX_LIMIT)],
        "offset": [default(0), _bounded_int(0, 10_000_000)],
        "band": [ignore_missing, unicode_safe, _one_of(BANDS)],
        "status": [ignore_missing, unicode_safe, _one_of(STATUSES + ("unchecked",))],
    }


@validator_args
def region_quality_list(unicode_safe: Validator, default: Any, ignore_missing: Validator) -> Schema:
    return {
        "limit": [default(20), _bounded_int(1, MAX_LIMIT)],
        "departement": [ignore_missing, unicode_safe],
    }


def _date_orders(value: Any, context: Any) -> Any:
    """``{"column": "dmy"|"mdy"}`` (the publisher's answer for ambiguous date columns); JSON text accepted."""
    if value in (None, "", missing):
        return {}
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            raise tk.Invalid(tk._("Expected a JSON object such as {example}.").format(example='{"date": "dmy"}'))
    if not isinstance(value, dict) or len(value) > 2000:
        raise tk.Invalid(tk._("Expected a JSON object such as {example}.").format(example='{"date": "dmy"}'))
    out = {}
    for column, order in value.items():
        if order in ("", "keep", None):
            continue
        if not isinstance(column, str) or order not in ("dmy", "mdy"):
            raise tk.Invalid(tk._("Unknown value: {value}. Expected one of: {choices}.").format(
                value=order, choices="dmy, mdy"))
        out[column] = order
    return out


@validator_args
def repair_preview(unicode_safe: Validator, default: Any) -> Schema:
    return {"id": [_required_id, unicode_safe], "date_orders": [default({}), _date_orders]}


@validator_args
def repair_apply(unicode_safe: Validator, default: Any, ignore_missing: Validator) -> Schema:
    return {"id": [_required_id, unicode_safe], "date_orders": [default({}), _date_orders],
            "fingerprint": [ignore_missing, unicode_safe]}
