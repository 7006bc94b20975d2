"""Validation and scoring engine of the ``grandest_validation`` plugin (no CKAN import: testable alone).

Public API::

    from ckanext.grandest.validation.engine import (
        fetch, local_file, FetchResult,                 # safe download / uploaded file
        prescan, PrescanResult,                         # cheap streaming pre-scan
        validate_file, validate_url,                    # full validation -> report dict
        score_resource, score_dataset_data,             # data score /100 (resource, dataset)
        score_metadata,                                 # MQA-aligned metadata score /405
        list_catalogue, get_schema_info, load_schema,   # national Table Schemas shipped with the package
        Limits, DEFAULT_LIMITS,
        set_translator,                                 # route the report texts to a translator
    )
"""
from __future__ import annotations

from .fetch import FetchResult, fetch, is_public_address, local_file, streamed_file
from .limits import DEFAULT_LIMITS, Limits
from .messages import set_translator
from .mqa import score_metadata
from .prescan import PrescanResult, prescan
from .schemas import SchemaInfo, get_schema_info, list_catalogue, load_schema
from .score import score_dataset_data, score_resource
from .validate import ENGINE_VERSION, validate_file, validate_url

__all__ = [
    "DEFAULT_LIMITS",
    "ENGINE_VERSION",
    "FetchResult",
    "Limits",
    "PrescanResult",
    "SchemaInfo",
    "fetch",
    "get_schema_info",
    "is_public_address",
    "list_catalogue",
    "load_schema",
    "local_file",
    "streamed_file",
    "prescan",
    "score_dataset_data",
    "score_metadata",
    "score_resource",
    "set_translator",
    "validate_file",
    "validate_url",
]
