"""The installed package's version, for provenance in exported resources."""

from __future__ import annotations

import functools

__all__ = ["package_version"]


@functools.cache
def package_version() -> str:
    """``spinemets``' version from its metadata (``"unknown"`` when run from a bare tree).

    Looked up once per process (the metadata scan costs milliseconds).
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spinemets")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"
