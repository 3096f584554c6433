"""Modified Bauer score (Leithner et al., Eur Spine J 2008;17(11):1488-1495).

Bauer's score "without scoring for pathologic fracture": four items of one point each (no
visceral metastases, no lung cancer, a breast, kidney, lymphoma or myeloma primary, a solitary
skeletal metastasis); total 0-4, higher is better. A separate instrument from
:mod:`.bauer_1995`; its bands differ (0-1 / 2 / 3-4 against 0-1 / 2-3 / 4-5), so the two disagree
when modified Bauer is 1 without a fracture and when it is 3 with one.

Choices: visceral metastases read ``visceral_metastases``, brain included (the original Bauer
wording); "solitary" from the two counts (decision ``derived-items``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._table import BandRow, Item, Row
from ..citations import LEITHNER_2008, Evidence
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

ID: Final = "bauer_modified"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Modified Bauer score"
#: Its heading in the text report of an assessment.
HEADING: Final = "Modified Bauer score (Leithner 2008)"
CITATION: Final = LEITHNER_2008
RANGE: Final = (0, 4)
HIGHER_IS_BETTER: Final = True

_S = LEITHNER_2008.at(
    "modified Bauer score, as reproduced by the decision-support page "
    "http://dss.dign.eu/details.php?id=46",
    Evidence.SECONDARY,
)

H = Histology


class Band(Code):
    """Modified Bauer groups (interchange format)."""

    POOR = "poor"
    INTERMEDIATE = "intermediate"
    GOOD = "good"


#: Breast, kidney, lymphoma and multiple myeloma: the favourable primaries.
FAVOURABLE: Final = (H.BREAST, H.KIDNEY, H.LYMPHOMA, H.MYELOMA)

VISCERAL: Final = Item(key="visceral_metastases", label="Visceral metastases", rows=(
    Row(when=(Finding.ABSENT,), points=1, wording="No visceral metastases", source=_S),
    Row(when=(Finding.PRESENT,), points=0, wording="Visceral metastases", source=_S),
))
NOT_LUNG: Final = Item(key="primary_not_lung", label="No lung cancer", rows=(
    Row(when=LUNG, points=0, wording="Lung cancer", source=_S),
    Row(when=tuple(h for h in H if h not in LUNG), points=1, wording="No lung cancer",
        source=_S),
))
FAVOURABLE_PRIMARY: Final = Item(
    key="primary_favourable",
    label="Primary = breast, kidney, lymphoma, multiple myeloma",
    rows=(
        Row(when=FAVOURABLE, points=1, wording="Breast, kidney, lymphoma or multiple myeloma",
            source=_S),
        Row(when=tuple(h for h in H if h not in FAVOURABLE), points=0,
            wording="Any other primary", source=_S),
    ),
)
SOLITARY: Final = Item(key="skeletal_metastases", label="One solitary skeletal metastasis", rows=(
    Row(when=(SkeletalExtent.SOLITARY,), points=1, wording="One solitary skeletal metastasis",
        source=_S),
    Row(when=(SkeletalExtent.MULTIPLE,), points=0, wording="Multiple skeletal metastases",
        source=_S),
))
ITEMS: Final = (VISCERAL, NOT_LUNG, FAVOURABLE_PRIMARY, SOLITARY)
#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = (
    (VISCERAL, inputs.VISCERAL),
    (NOT_LUNG, inputs.HISTOLOGY),
    (FAVOURABLE_PRIMARY, inputs.HISTOLOGY),
    (SOLITARY, inputs.SKELETAL_EXTENT),
)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)

_COHORT = ("survival: cohort statistics of Leithner 2008 from secondary reproductions; strategy "
           "wording: dss.dign.eu citing Leithner 2008; not an individual prediction")
_SURV = LEITHNER_2008.at("survival per group, as reproduced by secondary sources",
                         Evidence.SECONDARY)
_MEAN = LEITHNER_2008.at("mean survival per group, not confirmed in any available text",
                         Evidence.UNVERIFIED)
SURVIVAL: Final = (
    SurvivalFigure(band=Band.POOR, statistic="period", op="<", months=6, source=_SURV),
    SurvivalFigure(band=Band.POOR, statistic="mean", value=4.8, approximate=True, source=_MEAN),
    SurvivalFigure(band=Band.INTERMEDIATE, statistic="period", op=">", months=6, source=_SURV),
    SurvivalFigure(band=Band.INTERMEDIATE, statistic="mean", value=18.2, approximate=True,
                   source=_MEAN),
    SurvivalFigure(band=Band.GOOD, statistic="period", op=">", months=12, source=_SURV),
    SurvivalFigure(band=Band.GOOD, statistic="mean", value=28.4, approximate=True, source=_MEAN),
)


def _s(band: Band) -> str:
    return figures_text(SURVIVAL, band, _S.evidence)


BANDS: Final = (
    BandRow(code=Band.POOR, lo=0, hi=1, source=_S,
            meaning=f"Supportive care, no surgery; {_s(Band.POOR)} ({_COHORT})"),
    BandRow(code=Band.INTERMEDIATE, lo=2, hi=2, source=_S,
            meaning="Short-term palliation, posterior (dorsal) surgery; "
                    f"{_s(Band.INTERMEDIATE)} ({_COHORT})"),
    BandRow(code=Band.GOOD, lo=3, hi=4, source=_S,
            meaning="Mid-term local control, anterior-posterior (ventral-dorsal) surgery; "
                    f"{_s(Band.GOOD)} ({_COHORT})"),
)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the modified Bauer score (Leithner 2008).

    Needs ``visceral_metastases``, ``histology``, ``extraspinal_bone_metastases`` and
    ``vertebral_metastases``; otherwise ``incomplete`` naming every missing one.
    """
    check_case(case, "bauer_modified.score")
    missing: list[str] = []
    items = score_items(case, READS, missing, [])
    return summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                  items=items, missing=missing, flags=[])
