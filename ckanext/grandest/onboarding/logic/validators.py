"""Validators of grandest_onboarding (registered by the blanket; names prefixed ``grandest_``)."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.grandest.common.emails import is_email


def grandest_commune_code(value: Any, context: Context) -> Any:
    """An INSEE code of a Grand Est commune (from the referential); returns the normalised code."""
    from ckanext.grandest.common import referential as ref

    commune = ref.commune(value) if isinstance(value, str) else None
    if commune is None:
        raise tk.Invalid(tk._("Choose your commune in the list (type its name or its postcode)."))
    return commune.code


def grandest_email(value: Any, context: Context) -> Any:
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Please give a valid email address, e.g. mairie@ma-commune.fr."))
    value = value.strip()
    if not is_email(value):
        raise tk.Invalid(tk._("Please give a valid email address, e.g. mairie@ma-commune.fr."))
    return value


def grandest_phone(value: Any, context: Context) -> Any:
    """A French phone number, normalised to '03 88 12 34 56' (accepts +33 and 0033 forms)."""
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Please give a valid phone number, e.g. 03 88 12 34 56."))
    digits = re.sub(r"[\s.\-/()]", "", value.strip())
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        raise tk.Invalid(tk._("Please give a valid phone number, e.g. 03 88 12 34 56."))
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def grandest_tier(value: Any, context: Context) -> Any:
    from .. import config as cfg

    if value in (None, ""):
        return value
    if not isinstance(value, str) or value not in cfg.tiers():
        raise tk.Invalid(tk._("Unknown hosting tier. Choose one of: {tiers}.").format(tiers=", ".join(cfg.tiers())))
    return value


def grandest_quota_limit(value: Any, context: Context) -> Any:
    """An override of a limit: empty/None = use the tier's; 0 = no limit; else a positive integer."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Please give a whole number (0 for no limit, empty to use the tier's)."))
    if number < 0 or number > 10**9:
        raise tk.Invalid(tk._("Please give a whole number (0 for no limit, empty to use the tier's)."))
    return number

