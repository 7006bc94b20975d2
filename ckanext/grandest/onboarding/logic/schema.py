"""Input schemas of the actions (navl), one per action."""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ..workflow import STATES


def _required(message: Callable[[], str]) -> Validator:
    def validator(key: Any, data: Any, errors: Any, context: Any) -> None:
        value = data.get(key)
        if value is missing or value is None or (isinstance(value, str) and not value.strip()):
            errors[key].append(message())
            raise StopOnError
        if isinstance(value, str):
            data[key] = value.strip()

    return validator


def _max_length(n: int) -> Validator:
    def validator(value: Any, context: Any) -> Any:
        if isinstance(value, str) and len(value) > n:
            raise tk.Invalid(tk._("Please keep it under {n} characters.").format(n=n))
        return value

    return validator


def _at_most(n: int) -> Validator:
    def validator(value: Any, context: Any) -> Any:
        if isinstance(value, int) and value > n:
            raise tk.Invalid(tk._("Please give a number up to {n}.").format(n=n))
        return value

    return validator


def _text(value: Any, context: Any) -> Any:
    if value is None or value is missing:
        return value
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Please type text."))
    return value.strip()


def _single_line(value: Any, context: Any) -> Any:
    """A name or role goes into mail headers: no line break or other control character."""
    if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise tk.Invalid(tk._("Please type it on one line, without line breaks."))
    return value


def _one_of(choices: tuple[str, ...]) -> Validator:
    def validator(value: Any, context: Any) -> Any:
        if value in (None, "", missing):
            return value
        if value not in choices:
            raise tk.Invalid(tk._("Unknown value: {value}.").format(value=value))
        return value

    return validator


@validator_args
def request_create(grandest_commune_code: Validator, grandest_email: Validator,
                   grandest_phone: Validator, ignore_missing: Validator, default: ValidatorFactory) -> Schema:
    return {
        "insee_code": [_required(lambda: tk._("Choose your commune in the list (type its name or its postcode).")),
                       grandest_commune_code],
        "requester_name": [_required(lambda: tk._("Please give your first and last name.")), _text,
                           _single_line, _max_length(200)],
        "requester_role": [_required(lambda: tk._("Please say what your role is at the town hall "
                                                 "(e.g. mayor, town-hall secretary).")), _text, _single_line,
                           _max_length(200)],
        "requester_email": [_required(lambda: tk._("Please give your email address.")), grandest_email],
        "requester_phone": [_required(lambda: tk._("Please give a phone number where we can reach you.")),
                            grandest_phone],
        "message": [default(""), _text, _max_length(5000)],
    }


def _id() -> list[Validator]:
    return [_required(lambda: tk._("Missing request id.")), _text, _max_length(64)]


@validator_args
def request_show(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"id": _id(), "token": [ignore_missing, unicode_safe, _max_length(200)]}


@validator_args
def request_confirm(unicode_safe: Validator) -> Schema:
    return {"id": _id(), "token": [_required(lambda: tk._("This confirmation link is incomplete.")),
                                   unicode_safe, _max_length(200)]}


@validator_args
def request_list(ignore_missing: Validator, natural_number_validator: Validator, default: ValidatorFactory,
                 int_validator: Validator) -> Schema:
    return {
        "state": [ignore_missing, _one_of(STATES + ("open",))],
        "departement": [ignore_missing, _text, _max_length(3)],
        "epci": [ignore_missing, _text, _max_length(9)],
        "tier": [ignore_missing, _text, _max_length(50)],
        "q": [ignore_missing, _text, _max_length(100)],
        "limit": [default(50), int_validator, natural_number_validator, _at_most(500)],
        "offset": [default(0), int_validator, natural_number_validator, _at_most(10**9)],
    }


@validator_args
def request_approve(ignore_missing: Validator, grandest_tier: Validator) -> Schema:
    return {
        "id": _id(),
        "tier": [ignore_missing, grandest_tier],
        "verification_note": [ignore_missing, _text, _max_length(2000)],
        "reason": [ignore_missing, _text, _max_length(2000)],
    }


@validator_args
def request_reject() -> Schema:
    return {"id": _id(), "reason": [_required(lambda: tk._("Please give the reason for the refusal: the "
                                                         "requester will read it.")), _text, _max_length(2000)]}


@validator_args
def request_request_info() -> Schema:
    return {"id": _id(), "message": [_required(lambda: tk._("Please write the question for the requester.")),
                                     _text, _max_length(2000)]}


@validator_args
def request_respond(unicode_safe: Validator) -> Schema:
    return {
        "id": _id(),
        "token": [_required(lambda: tk._("This link is incomplete.")), unicode_safe, _max_length(200)],
        "response": [_required(lambda: tk._("Please write your answer.")), _text, _max_length(5000)],
    }


@validator_args
def request_claim(unicode_safe: Validator) -> Schema:
    return {"id": _id(), "token": [_required(lambda: tk._("This link is incomplete.")), unicode_safe,
                                   _max_length(200)]}


@validator_args
def request_cancel(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {
        "id": _id(),
        "token": [ignore_missing, unicode_safe, _max_length(200)],
        "reason": [ignore_missing, _text, _max_length(2000)],
    }


@validator_args
def request_expire() -> Schema:
    return {}


@validator_args
def quota_show(unicode_safe: Validator) -> Schema:
    return {"id": [_required(lambda: tk._("Missing organization.")), unicode_safe]}


@validator_args
def quota_update(ignore_missing: Validator, unicode_safe: Validator, grandest_tier: Validator,
                 grandest_quota_limit: Validator) -> Schema:
    return {
        "id": [_required(lambda: tk._("Missing organization.")), unicode_safe],
        "tier": [ignore_missing, grandest_tier],
        "max_storage_mb": [ignore_missing, grandest_quota_limit],
        "max_datasets": [ignore_missing, grandest_quota_limit],
        "max_file_mb": [ignore_missing, grandest_quota_limit],
    }


USAGE_SORTS = ("name", "title", "tier", "bytes_used", "storage_percent", "datasets_used", "datasets_percent")


@validator_args
def usage_list(ignore_missing: Validator, default: ValidatorFactory) -> Schema:
    return {
        "sort": [default("name"), _one_of(USAGE_SORTS)],
        "order": [default("asc"), _one_of(("asc", "desc"))],
        "q": [ignore_missing, _text, _max_length(100)],
    }
