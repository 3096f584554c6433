"""spinemets: published decision scores for spinal metastases and a NOMS-style recommender.

Implements Tomita (2001), Tokuhashi (1990 and revised 2005), SINS (Fisher 2010) and the Bilsky
ESCC scale (2010), the further prognostic scores Bauer (1995), modified Bauer (2008), NESMS,
new Katagiri (2014), van der Linden (2005), Rades (2008) and OSRI (2013; unverified tables are
flagged), and recommends radiation and stabilization by the NOMS framework. For research
and decision support; **not a medical device**.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assessment import Assessment, assess, assess_dict
    from .check import check_frame
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
    from .survival import published_survival
    from .vocab import (
        Alignment,
        BoneLesion,
        Collapse,
        EcogToKps,
        EsccGrade,
        Frankel,
        Histology,
        KatagiriGroup,
        KatagiriLaboratory,
        KatagiriVisceral,
        Pain,
        Posterolateral,
        Radiosensitivity,
        SpinalLevel,
        TomitaGrowth,
        VisceralMetastases,
    )

#: Public name -> the submodule that defines it. ``import spinemets`` loads none of them;
#: each is imported on first use, so the import stays light (no attrs classes built).
_LAZY: dict[str, str] = {
    "Alignment": ".vocab",
    "Assessment": ".assessment",
    "BoneLesion": ".vocab",
    "Case": ".model",
    "Citation": ".citations",
    "Collapse": ".vocab",
    "DEFAULT_POLICY": ".policy",
    "EcogToKps": ".vocab",
    "EsccClass": ".results",
    "EsccGrade": ".vocab",
    "EsccIntermediateAs": ".policy",
    "Evidence": ".citations",
    "Frankel": ".vocab",
    "GradeResult": ".results",
    "Histology": ".vocab",
    "INTERCHANGE_VERSION": ".interchange",
    "InvalidInputError": ".exceptions",
    "ItemScore": ".results",
    "KatagiriGroup": ".vocab",
    "KatagiriLaboratory": ".vocab",
    "KatagiriVisceral": ".vocab",
    "Laboratory": ".model",
    "Lesion": ".model",
    "LesionScore": ".results",
    "Neurology": ".model",
    "Pain": ".vocab",
    "Policy": ".policy",
    "Posterolateral": ".vocab",
    "Radiation": ".recommend",
    "Radiosensitivity": ".vocab",
    "Recommendation": ".recommend",
    "ScoreResult": ".results",
    "Source": ".citations",
    "SpinalLevel": ".vocab",
    "SpinemetsError": ".exceptions",
    "Stabilization": ".recommend",
    "Status": ".results",
    "Systemic": ".model",
    "TomitaGrowth": ".vocab",
    "Tumour": ".model",
    "VisceralMetastases": ".vocab",
    "assess": ".assessment",
    "assess_dict": ".assessment",
    "bauer_1995": ".scores",
    "bauer_modified": ".scores",
    "check_frame": ".check",
    "escc": ".scores",
    "katagiri_2014": ".scores",
    "loads_case": ".interchange",
    "nesms": ".scores",
    "osri": ".scores",
    "published_survival": ".survival",
    "rades_2008": ".scores",
    "recommend": ".recommend",
    "sins": ".scores",
    "tokuhashi_1990": ".scores",
    "tokuhashi_2005": ".scores",
    "tomita": ".scores",
    "van_der_linden": ".scores",
}

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
    "KatagiriLaboratory",
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
    "check_frame",
    "escc",
    "katagiri_2014",
    "loads_case",
    "nesms",
    "osri",
    "published_survival",
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
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # later look-ups skip this hook
        return value
    if name == "score_frame":  # imported on first use: engines load only when a frame is scored
        from .frame import score_frame

        return score_frame
    if name == "__version__":
        from importlib.metadata import version

        return version("spinemets")
    raise AttributeError(f"module 'spinemets' has no attribute {name!r}")
