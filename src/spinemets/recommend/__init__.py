"""The NOMS recommender: :func:`~spinemets.recommend.noms.recommend`, its grid and options."""

from __future__ import annotations

from . import grid, noms, options
from .grid import Radiation, Stabilization
from .noms import Recommendation, recommend

__all__ = ["Radiation", "Recommendation", "Stabilization", "grid", "noms", "options", "recommend"]
