"""Optional dependencies: each is used only through :func:`require`, whose error says which extra
installs it (``pip install 'spinemets[pandas]'``).

The core needs only attrs. :data:`EXTRAS` mirrors ``[project.optional-dependencies]`` of
``pyproject.toml`` (a test holds them equal): for each extra, the modules it provides.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Final

from .exceptions import MissingDependencyError

__all__ = [
    "ENGINE_EXTRAS",
    "EXTRAS",
    "MissingDependencyError",
    "installed",
    "require",
    "require_engine",
]

#: Extra -> the importable modules it installs (run-time extras only).
EXTRAS: Final[dict[str, tuple[str, ...]]] = {
    "pandas": ("narwhals", "pandas", "pyarrow"),
    "polars": ("narwhals", "polars"),
    "dask": ("narwhals", "dask", "distributed", "pandas", "pyarrow"),
    "spark": ("narwhals", "pyspark", "pandas", "pyarrow"),
    "duckdb": ("narwhals", "duckdb", "pandas", "pyarrow"),
    "fhir": ("fhir.resources",),
    "validation": ("narwhals", "numpy", "pandas", "pyarrow"),
    "service": ("starlette", "uvicorn", "jwt", "httpx"),
}

#: A frame's top-level module -> (the extra that scores it, the modules its path imports).
ENGINE_EXTRAS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "pandas": ("pandas", ("numpy", "pyarrow")),
    "dask": ("dask", ("numpy", "pyarrow")),
    "polars": ("polars", ("numpy",)),  # or, without NumPy, narwhals
    "pyspark": ("spark", ("narwhals",)),
    "duckdb": ("duckdb", ("narwhals",)),
}


def installed(module: str) -> bool:
    """Whether *module* can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(module: str, extra: str, purpose: str = "this") -> ModuleType:
    """Import *module*, or raise :class:`MissingDependencyError` saying
    ``pip install 'spinemets[<extra>]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the optional dependency {module!r}, which is not installed: "
            f"pip install 'spinemets[{extra}]'"
        ) from exc


def require_engine(root: str) -> None:
    """Raise :class:`MissingDependencyError` naming the extra when scoring a frame of library
    *root* (``"pandas"``) would need a module that is not installed."""
    extra, needs = ENGINE_EXTRAS.get(root, ("pandas", ("narwhals",)))
    if root == "polars" and not installed("numpy"):
        needs = ("narwhals",)
    for module in needs:
        if not installed(module):
            raise MissingDependencyError(
                f"score_frame on a {root} frame needs the optional dependency {module!r}, which "
                f"is not installed: pip install 'spinemets[{extra}]'"
            )
