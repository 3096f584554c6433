"""spinemets: published decision scores for spinal metastases and a NOMS-style recommender.

Implements Tomita (2001), Tokuhashi (1990 and revised 2005), SINS (Fisher 2010) and the Bilsky
ESCC scale (2010), the further prognostic scores Bauer (1995), modified Bauer (2008), NESMS,
new Katagiri (2014), van der Linden (2005), Rades (2008) and OSRI (2013; unverified tables are
flagged), and recommends radiation and stabilization by the NOMS framework. For research
and decision support; **not a medical device**.
"""

from __future__ import annotations

from typing import Any

from .assessment import Assessment, assess, assess_dict
from .citations import Citation, Evidence, Source
from .exceptions import InvalidInputError, SpinemetsError
from .interchange import INTERCHANGE_VERSION, loads_case
from .model import Case, Laboratory, Lesion, Neurology, Systemic, Tumour
from .policy import DEFAULT_POLICY, EsccIntermediateAs, Policy
from .recommend import Radiation, Recommendation, Stabilization, recommend
from .results import EsccClass, GradeResult, ItemScore, LesionScore, ScoreResult, Status
from .scores import (
    bauer_1995,
    bauer_modified,
    escc,
    katagiri_2014,
    nesms,
    osri,
    rades_2008,
    sins,
    tokuhashi_1990,
    tokuhashi_2005,
    tomita,
    van_der_linden,
)
from .vocab import (
    Alignment,
    BoneLesion,
    Collapse,
    EcogToKps,
    EsccGrade,
    Frankel,
    Histology,
    KatagiriGroup,
    KatagiriVisceral,
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
    "KatagiriGroup",
    "KatagiriVisceral",
    "Laboratory",
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
    "bauer_1995",
    "bauer_modified",
    "escc",
    "katagiri_2014",
    "loads_case",
    "nesms",
    "osri",
    "rades_2008",
    "recommend",
    "score_frame",
    "sins",
    "tokuhashi_1990",
    "tokuhashi_2005",
    "tomita",
    "van_der_linden",
]


def __dir__() -> list[str]:
    return list(__all__)


def __getattr__(name: str) -> Any:
    if name == "score_frame":  # imported on first use: engines load only when a frame is scored
        from .frame import score_frame

        return score_frame
    if name == "__version__":
        from importlib.metadata import version

        return version("spinemets")
    raise AttributeError(f"module 'spinemets' has no attribute {name!r}")
