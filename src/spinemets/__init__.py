"""spinemets: published decision scores for spinal metastases and a NOMS-style recommender.

Implements Tomita (2001), Tokuhashi (1990 and revised 2005), SINS (Fisher 2010) and the Bilsky
ESCC scale (2010), the further prognostic scores Bauer (1995), modified Bauer (2008), NESMS,
new Katagiri (2014), van der Linden (2005), Rades (2008) and OSRI (2013; unverified tables are
flagged), and recommends radiation and stabilization by the NOMS framework. For research
and decision support; **not a medical device**.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers only; tests/test_api.py checks it lists _LAZY exactly
    from .assessment import Assessment as Assessment
    from .assessment import assess as assess
    from .assessment import assess_dict as assess_dict
    from .check import check_frame as check_frame
    from .citations import Citation as Citation
    from .citations import Evidence as Evidence
    from .citations import Source as Source
    from .exceptions import InvalidInputError as InvalidInputError
    from .exceptions import SpinemetsError as SpinemetsError
    from .frame import score_frame as score_frame
    from .interchange import INTERCHANGE_VERSION as INTERCHANGE_VERSION
    from .interchange import loads_case as loads_case
    from .model import Case as Case
    from .model import Laboratory as Laboratory
    from .model import Lesion as Lesion
    from .model import Neurology as Neurology
    from .model import Systemic as Systemic
    from .model import Tumour as Tumour
    from .policy import DEFAULT_POLICY as DEFAULT_POLICY
    from .policy import EsccIntermediateAs as EsccIntermediateAs
    from .policy import Policy as Policy
    from .recommend import Radiation as Radiation
    from .recommend import Recommendation as Recommendation
    from .recommend import Stabilization as Stabilization
    from .results import EsccClass as EsccClass
    from .results import GradeResult as GradeResult
    from .results import ItemScore as ItemScore
    from .results import LesionScore as LesionScore
    from .results import ScoreResult as ScoreResult
    from .results import Status as Status
    from .scores import bauer_1995 as bauer_1995
    from .scores import bauer_modified as bauer_modified
    from .scores import escc as escc
    from .scores import katagiri_2014 as katagiri_2014
    from .scores import nesms as nesms
    from .scores import osri as osri
    from .scores import rades_2008 as rades_2008
    from .scores import sins as sins
    from .scores import tokuhashi_1990 as tokuhashi_1990
    from .scores import tokuhashi_2005 as tokuhashi_2005
    from .scores import tomita as tomita
    from .scores import van_der_linden as van_der_linden
    from .survival import published_survival as published_survival
    from .vocab import Alignment as Alignment
    from .vocab import BoneLesion as BoneLesion
    from .vocab import Collapse as Collapse
    from .vocab import EcogToKps as EcogToKps
    from .vocab import EsccGrade as EsccGrade
    from .vocab import Frankel as Frankel
    from .vocab import Histology as Histology
    from .vocab import KatagiriGroup as KatagiriGroup
    from .vocab import KatagiriLaboratory as KatagiriLaboratory
    from .vocab import KatagiriVisceral as KatagiriVisceral
    from .vocab import Pain as Pain
    from .vocab import Posterolateral as Posterolateral
    from .vocab import Radiosensitivity as Radiosensitivity
    from .vocab import SpinalLevel as SpinalLevel
    from .vocab import TomitaGrowth as TomitaGrowth
    from .vocab import VisceralMetastases as VisceralMetastases

#: The public namespace, the one list: name -> the submodule that defines it. ``import
#: spinemets`` loads none of them; each is imported on first use, so the import stays light.
#: No public name is also the name of a subpackage: ``spinemets.recommend`` is the recommender
#: package, and its function is ``spinemets.recommend.recommend``.
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
    "score_frame": ".frame",  # engines load only when a frame is scored
    "sins": ".scores",
    "tokuhashi_1990": ".scores",
    "tokuhashi_2005": ".scores",
    "tomita": ".scores",
    "van_der_linden": ".scores",
}

#: Constants, then classes, then functions and modules, each alphabetically.
__all__ = sorted(_LAZY, key=lambda n: (not n.isupper(), not n[0].isupper(), n))

def __dir__() -> list[str]:
    return [*__all__, "__version__"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # later look-ups skip this hook
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module("." + name, __name__)  # a submodule, e.g. ``recommend``
    if name == "__version__":
        from ._version import package_version

        return package_version()
    raise AttributeError(f"module 'spinemets' has no attribute {name!r}")
