"""Bauer score (Bauer & Wedin, Acta Orthop Scand 1995;66(2):143-146).

Five items of one point each: no visceral or brain metastases, no pathologic fracture, a solitary
skeletal metastasis, a primary other than lung cancer, and a breast, kidney, lymphoma or myeloma
primary; total 0-5, higher is better. Kept separate from the modified score
(:mod:`.bauer_modified`), which drops the fracture item.

Choices (decision ``derived-items``): "visceral or brain" reads ``visceral_metastases`` (which
includes brain, so brain always counts, as in the original wording); "solitary" is one bone lesion
in the whole skeleton, from the two counts (``bone_metastases_isolated`` is Tomita's and is not
read). The two primary-tumour items overlap by design: lung 0 + 0, breast/kidney/lymphoma/myeloma 1
+ 1, any other primary 1 + 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._table import BandRow, Item, Row
from ..citations import BAUER_1995, Evidence
from ..policy import DEFAULT_POLICY, Policy
from ..survival import SurvivalFigure, figures_text
from ..vocab import Code, Histology
from . import _inputs as inputs
from ._beyond import LUNG, Finding, SkeletalExtent
from ._common import check_case, summed
from ._inputs import inputs_of, score_items

if TYPE_CHECKING:
    from ..model import Case
    from ..results import ScoreResult

__all__ = [
    "BANDS",
    "CITATION",
    "HEADING",
    "HIGHER_IS_BETTER",
    "ID",
    "INPUTS",
    "ITEMS",
    "RANGE",
    "READS",
    "SURVIVAL",
    "TITLE",
    "Band",
    "score",
]

ID: Final = "bauer_1995"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Bauer score"
#: Its heading in the text report of an assessment.
HEADING: Final = "Bauer score (original, 1995)"
CITATION: Final = BAUER_1995
RANGE: Final = (0, 5)
HIGHER_IS_BETTER: Final = True

_P = BAUER_1995.at("abstract: multivariate prognostic factors, 1 point each", Evidence.PRIMARY)
_B = BAUER_1995.at(
    "prognostic groups, as reproduced by Janssen et al., Clin Orthop Relat Res 2015 "
    "(doi:10.1007/s11999-015-4446-z); consistent with the primary abstract",
    Evidence.SECONDARY,
)

H = Histology


class Band(Code):
    """Bauer 1995 prognostic groups (interchange format)."""

    POOR = "poor"
    INTERMEDIATE = "intermediate"
    GOOD = "good"


#: Breast, kidney, lymphoma and multiple myeloma: Bauer's favourable primaries.
FAVOURABLE: Final = (H.BREAST, H.KIDNEY, H.LYMPHOMA, H.MYELOMA)

VISCERAL: Final = Item(key="visceral_metastases", label="Visceral or brain metastases", rows=(
    Row(when=(Finding.ABSENT,), points=1, wording="Absence of visceral or brain metastases",
        source=_P),
    Row(when=(Finding.PRESENT,), points=0, wording="Visceral or brain metastases", source=_P),
))
FRACTURE: Final = Item(key="pathologic_fracture", label="Pathologic fracture", rows=(
    Row(when=(Finding.ABSENT,), points=1, wording="Absence of pathologic fracture", source=_P),
    Row(when=(Finding.PRESENT,), points=0, wording="Pathologic fracture", source=_P),
))
SOLITARY: Final = Item(key="skeletal_metastases", label="Solitary skeletal metastasis", rows=(
    Row(when=(SkeletalExtent.SOLITARY,), points=1, wording="Solitary skeletal metastasis",
        source=_P),
    Row(when=(SkeletalExtent.MULTIPLE,), points=0, wording="Multiple skeletal metastases",
        source=_P),
))
NOT_LUNG: Final = Item(key="primary_not_lung", label="Primary tumour is not lung cancer", rows=(
    Row(when=LUNG, points=0, wording="Lung cancer", source=_P),
    Row(when=tuple(h for h in H if h not in LUNG), points=1, wording="Not lung cancer",
        source=_P),
))
FAVOURABLE_PRIMARY: Final = Item(
    key="primary_favourable",
    label="Primary tumour is breast, kidney, lymphoma or multiple myeloma",
    rows=(
        Row(when=FAVOURABLE, points=1, wording="Breast, kidney, lymphoma or multiple myeloma",
            source=_P),
        Row(when=tuple(h for h in H if h not in FAVOURABLE), points=0,
            wording="Any other primary", source=_P),
    ),
)
ITEMS: Final = (VISCERAL, FRACTURE, SOLITARY, NOT_LUNG, FAVOURABLE_PRIMARY)
#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = (
    (VISCERAL, inputs.VISCERAL),
    (FRACTURE, inputs.boolean("pathologic_fracture")),
    (SOLITARY, inputs.SKELETAL_EXTENT),
    (NOT_LUNG, inputs.HISTOLOGY),
    (FAVOURABLE_PRIMARY, inputs.HISTOLOGY),
)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)

_COHORT = ("cohort statistic of Bauer & Wedin 1995, 241 operated patients (88 spinal); not an "
           "individual prediction")
SURVIVAL: Final = (
    SurvivalFigure(band=Band.POOR, statistic="survival", months=6, value=0.0, source=_B,
                   wording="All patients died within 6 months after surgery"),
    SurvivalFigure(band=Band.INTERMEDIATE, statistic="survival", months=12, value=0.25,
                   approximate=True, source=_B),
    SurvivalFigure(band=Band.GOOD, statistic="survival", months=12, value=0.50,
                   approximate=True, source=_B),
)


def _s(band: Band) -> str:
    return figures_text(SURVIVAL, band, _B.evidence)


BANDS: Final = (
    BandRow(code=Band.POOR, lo=0, hi=1, source=_B, meaning=f"{_s(Band.POOR)} ({_COHORT})"),
    BandRow(code=Band.INTERMEDIATE, lo=2, hi=3, source=_B,
            meaning=f"{_s(Band.INTERMEDIATE)} ({_COHORT})"),
    BandRow(code=Band.GOOD, lo=4, hi=5, source=_B, meaning=f"{_s(Band.GOOD)} ({_COHORT})"),
)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the original Bauer score (Bauer & Wedin 1995).

    Needs ``visceral_metastases``, ``pathologic_fracture``, ``extraspinal_bone_metastases``,
    ``vertebral_metastases`` and ``histology``; otherwise ``incomplete`` naming every missing one.
    """
    check_case(case, "bauer_1995.score")
    missing: list[str] = []
    items = score_items(case, READS, missing, [])
    return summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                  items=items, missing=missing, flags=[])
