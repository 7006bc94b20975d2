"""Caps that protect the validation workers from hostile or broken files.

One frozen dataclass, passed down to fetch, pre-scan and validation. The plugin builds it from its config
options; tests shrink it to build small bombs.
"""
from __future__ import annotations

import dataclasses

MiB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Limits:
    # -- fetch ------------------------------------------------------------------------------------------
    max_download_bytes: int = 200 * MiB
    """Largest body accepted from a remote server (and largest local file validated)."""
    connect_timeout: float = 10.0
    """Seconds allowed for DNS resolution and the TCP/TLS connection, per hop."""
    read_timeout: float = 30.0
    """Seconds allowed between two reads of the socket."""
    total_timeout: float = 300.0
    """Hard cap on the whole download, redirects included (defeats slow-drip servers)."""
    max_redirects: int = 5

    # -- pre-scan ---------------------------------------------------------------------------------------
    max_decompressed_bytes: int = 500 * MiB
    """Largest decompressed size of a gzip/zip/xlsx/ods (declared and actually streamed)."""
    max_compression_ratio: float = 200.0
    """A zip member whose declared size is this many times its compressed size is a zip bomb ..."""
    ratio_min_bytes: int = 10 * MiB
    """... once it declares at least this many bytes (small, very repetitive members are fine)."""
    max_zip_members: int = 10_000
    max_line_bytes: int = 1 * MiB
    """Longest physical line of a text file (a single cell of 10 MB is refused)."""
    max_columns: int = 2_000
    """Most columns (delimiters + 1) on one line."""
    max_json_bytes: int = 30 * MiB
    """JSON tables are parsed in memory: keep them small."""
    max_xls_bytes: int = 50 * MiB
    """Legacy .xls workbooks are loaded whole in memory by xlrd."""
    sniff_bytes: int = 64 * 1024
    """Bytes read at the start of a file to sniff its type, delimiter and decimal separator."""

    # -- validation -------------------------------------------------------------------------------------
    max_errors: int = 100_000
    """Validation stops (report marked partial) after counting this many errors."""
    error_sample_size: int = 200
    """Errors kept in the report, at most ``error_sample_per_type`` of each type."""
    error_sample_per_type: int = 20
    max_seconds: float | None = None
    """Optional wall-clock budget for the frictionless pass (report marked partial when exceeded)."""
    fast_path: bool = True
    """Columnar fast path (``fastpath/``): polars proves most rows clean, frictionless checks the others."""


DEFAULT_LIMITS = Limits()
