"""Tomita score (Tomita et al., Spine 2001;26(3):298-306).

Three items: growth of the primary tumour (slow 1, moderate 2, rapid 4), visceral metastases
(none 0, treatable 2, untreatable 4) and bone metastases (solitary or isolated 1, multiple 2);
total 2-10, higher is worse. Each band carries Tomita's treatment goal and surgical strategy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._table import BandRow, DefaultRow, Item, Row, default_index
from ..citations import TOMITA_2001, Evidence, decision
from ..policy import DEFAULT_POLICY, Policy
from ..vocab import Code, Histology, TomitaGrowth, VisceralMetastases
from . import _inputs as inputs
from ._beyond import SkeletalExtent, skeletal_extent
from ._common import (
    check_case,
    explicit_or_default,
    histology_flags,
    missing_explicit,
    summed,
)
from ._inputs import inputs_of, score_items

if TYPE_CHECKING:
    from ..model import Case
    from ..results import ScoreResult

__all__ = [
    "BANDS",
    "CITATION",
    "GROWTH_DEFAULTS",
    "HEADING",
    "HIGHER_IS_BETTER",
    "ID",
    "INPUTS",
    "ITEMS",
    "RANGE",
    "READS",
    "SHORT",
    "STRATEGY",
    "TITLE",
    "Band",
    "BoneMetastases",
    "growth_of",
    "score",
]

ID: Final = "tomita"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Tomita score"
#: Its heading in the text report of an assessment.
HEADING: Final = "Tomita score"
#: Its short name, for one-line summaries (a CDS card).
SHORT: Final = "Tomita"
CITATION: Final = TOMITA_2001
RANGE: Final = (2, 10)
HIGHER_IS_BETTER: Final = False

_T = TOMITA_2001.at(
    "scoring system as reproduced by Ulmar 2007, Yang 2012 and an open-source calculator citing "
    "the paper",
    Evidence.SECONDARY,
)
_B = TOMITA_2001.at(
    "treatment goals and surgical strategies as reproduced by secondary sources",
    Evidence.SECONDARY,
)


class BoneMetastases(Code):
    """Tomita's bone item, derived from the counts or ``bone_metastases_isolated``."""

    SOLITARY_OR_ISOLATED = "solitary_or_isolated"
    MULTIPLE = "multiple"


class Band(Code):
    """Tomita's treatment goal bands."""

    LONG_TERM_LOCAL_CONTROL = "long_term_local_control"
    MIDDLE_TERM_LOCAL_CONTROL = "middle_term_local_control"
    SHORT_TERM_PALLIATION = "short_term_palliation"
    TERMINAL_CARE = "terminal_care"


GROWTH: Final = Item(
    key="growth",
    label="Primary tumour",
    rows=(
        Row(when=(TomitaGrowth.SLOW,), points=1, wording="Slow growth (breast, thyroid, etc.)",
            source=_T),
        Row(when=(TomitaGrowth.MODERATE,), points=2,
            wording="Moderate growth (kidney, uterus, etc.)", source=_T),
        Row(when=(TomitaGrowth.RAPID,), points=4, wording="Rapid growth (lung, stomach, etc.)",
            source=_T),
    ),
)
VISCERAL: Final = Item(
    key="visceral",
    label="Visceral metastases",
    rows=(
        Row(when=(VisceralMetastases.NONE,), points=0, wording="No visceral metastases",
            source=_T),
        Row(when=(VisceralMetastases.RESECTABLE, VisceralMetastases.TREATABLE), points=2,
            wording="Treatable", source=_T),
        Row(when=(VisceralMetastases.UNTREATABLE,), points=4, wording="Untreatable", source=_T),
    ),
)
BONE: Final = Item(
    key="bone",
    label="Bone metastases (including spinal)",
    rows=(
        Row(when=(BoneMetastases.SOLITARY_OR_ISOLATED,), points=1,
            wording="Solitary or isolated", source=_T),
        Row(when=(BoneMetastases.MULTIPLE,), points=2, wording="Multiple", source=_T),
    ),
)
ITEMS: Final = (GROWTH, VISCERAL, BONE)

#: Default growth class per histology (decision ``tomita-growth-defaults``). Any histology not
#: listed has no default: Tomita is then incomplete, missing ``tomita_growth``.
GROWTH_DEFAULTS: Final = (
    DefaultRow(when=(Histology.BREAST, Histology.THYROID), value=TomitaGrowth.SLOW, source=_T),
    DefaultRow(when=(Histology.PROSTATE,), value=TomitaGrowth.SLOW,
               source=decision("tomita-growth-defaults", Evidence.SECONDARY)),
    DefaultRow(when=(Histology.KIDNEY, Histology.UTERUS), value=TomitaGrowth.MODERATE,
               source=_T),
    DefaultRow(when=(Histology.LUNG, Histology.LUNG_NSCLC, Histology.LUNG_SCLC,
                     Histology.STOMACH), value=TomitaGrowth.RAPID, source=_T),
    DefaultRow(when=(Histology.UNKNOWN,), value=TomitaGrowth.RAPID,
               source=decision("tomita-growth-defaults", Evidence.SECONDARY)),
)
_GROWTH_DEFAULT: Final = default_index(GROWTH_DEFAULTS)

BANDS: Final = (
    BandRow(code=Band.LONG_TERM_LOCAL_CONTROL, lo=2, hi=3, source=_B,
            meaning="Long-term local control: wide or marginal excision (e.g. total en bloc "
                    "spondylectomy)"),
    BandRow(code=Band.MIDDLE_TERM_LOCAL_CONTROL, lo=4, hi=5, source=_B,
            meaning="Middle-term local control: marginal or intralesional excision"),
    BandRow(code=Band.SHORT_TERM_PALLIATION, lo=6, hi=7, source=_B,
            meaning="Short-term palliation: palliative surgery (decompression +/- "
                    "stabilization)"),
    BandRow(code=Band.TERMINAL_CARE, lo=8, hi=10, source=_B,
            meaning="Terminal care: non-operative supportive care"),
)

#: The surgical strategy code of each band (interchange format).
STRATEGY: Final = {
    Band.LONG_TERM_LOCAL_CONTROL: "wide_or_marginal_excision",
    Band.MIDDLE_TERM_LOCAL_CONTROL: "marginal_or_intralesional_excision",
    Band.SHORT_TERM_PALLIATION: "palliative_surgery",
    Band.TERMINAL_CARE: "supportive_care",
}


def growth_of(case: Case) -> TomitaGrowth | None:
    """The growth class: explicit ``tomita_growth``, else the histology default, else None."""
    tumour = case.tumour
    found = explicit_or_default(tumour.tomita_growth, tumour.histology, _GROWTH_DEFAULT)
    return found[0] if found is not None else None


def _growth(case: Case, missing: list[str]) -> TomitaGrowth | None:
    growth = growth_of(case)
    if growth is None:
        missing_explicit("tomita_growth", case.tumour.histology, missing)
    return growth


def _bone(case: Case, missing: list[str]) -> BoneMetastases | None:
    """Solitary or isolated (``bone_metastases_isolated``, else the counts sum to 1), or
    multiple."""
    if case.tumour.bone_metastases_isolated:
        return BoneMetastases.SOLITARY_OR_ISOLATED
    extent = skeletal_extent(case, missing)
    if extent is None:
        return None
    if extent is SkeletalExtent.SOLITARY:
        return BoneMetastases.SOLITARY_OR_ISOLATED
    return BoneMetastases.MULTIPLE


#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = (
    (GROWTH, inputs.derived(("histology", "tomita_growth"), _growth)),
    (VISCERAL, inputs.field("visceral_metastases")),
    (BONE, inputs.derived(("extraspinal_bone_metastases", "vertebral_metastases",
                           "bone_metastases_isolated"), _bone)),
)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the Tomita score (Tomita 2001).

    Returns a complete result with items, band and ``strategy``, or an ``incomplete`` result
    naming every missing field (``tomita_growth`` [and ``histology``], ``visceral_metastases``,
    ``extraspinal_bone_metastases``, ``vertebral_metastases``). Nothing is raised.
    """
    check_case(case, "tomita.score")
    missing: list[str] = []
    flags: list[str] = []
    histology_flags(case, flags)
    items = score_items(case, READS, missing, flags)
    return summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                  items=items, missing=missing, flags=flags,
                  strategy=lambda band, total: (STRATEGY[band.code], ()))
