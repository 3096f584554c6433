"""spinemets: published decision scores for spinal metastases and a NOMS-style recommender.

Implements Tomita (2001), Tokuhashi (1990 and revised 2005), SINS (Fisher 2010) and the Bilsky
ESCC scale (2010), and recommends radiation and stabilization by the NOMS framework. For research
and decision support; **not a medical device**.
"""

from __future__ import annotations

from typing import Any

from .assessment import Assessment, assess, assess_dict
from .citations import Citation, Evidence, Source
from .exceptions import InvalidInputError, SpinemetsError
from .interchange import INTERCHANGE_VERSION, loads_case
from .model import Case, Lesion, Neurology, Systemic, Tumour
from .policy import DEFAULT_POLICY, EsccIntermediateAs, Policy
from .recommend import Radiation, Recommendation, Stabilization, recommend
from .results import EsccClass, GradeResult, ItemScore, LesionScore, ScoreResult, Status
from .scores import escc, sins, tokuhashi_1990, tokuhashi_2005, tomita
from .vocab import (
    Alignment,
    BoneLesion,
    Collapse,
    EcogToKps,
    EsccGrade,
    Frankel,
    Histology,
    Pain,
    Posterolateral,
    Radiosensitivity,
    SpinalLevel,
    TomitaGrowth,
    VisceralMetastases,
)

__all__ = [
    "DEFAULT_POLICY",
    "INTERCHANGE_VERSION",
    "Alignment",
    "Assessment",
    "BoneLesion",
    "Case",
    "Citation",
    "Collapse",
    "EcogToKps",
    "EsccClass",
    "EsccGrade",
    "EsccIntermediateAs",
    "Evidence",
    "Frankel",
    "GradeResult",
    "Histology",
    "InvalidInputError",
    "ItemScore",
    "Lesion",
    "LesionScore",
    "Neurology",
    "Pain",
    "Policy",
    "Posterolateral",
    "Radiation",
    "Radiosensitivity",
    "Recommendation",
    "ScoreResult",
    "Source",
    "SpinalLevel",
    "SpinemetsError",
    "Stabilization",
    "Status",
    "Systemic",
    "TomitaGrowth",
    "Tumour",
    "VisceralMetastases",
    "assess",
    "assess_dict",
    "escc",
    "loads_case",
    "recommend",
    "sins",
    "tokuhashi_1990",
    "tokuhashi_2005",
    "tomita",
]


def __dir__() -> list[str]:
    return list(__all__)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("spinemets")
    raise AttributeError(f"module 'spinemets' has no attribute {name!r}")
