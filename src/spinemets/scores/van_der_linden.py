"""van der Linden score (van der Linden et al., Dutch Bone Metastasis Study, Cancer 2005).

Three items: Karnofsky performance status (80-100: 2, 50-70: 1, 10-40: 0), primary tumour
(breast 3, prostate 2, lung 1, other 0) and visceral metastases (absent 1, present 0); total 0-6,
higher is better. Derived from patients in a randomized radiotherapy trial.

Choices: the lung row (1 point, above "other") is open (some citations may invert lung and other);
it is implemented as the one available table gives it, tagged unverified, so a lung primary raises
``unverified_table``. KPS below 50 scores 0 (the floor is given as both 10-40 and 20-40). KPS may
come from ECOG only through a named conversion (decision ``ecog-to-kps``). Visceral metastases
include brain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._table import BandRow, Item, Row, Span
from ..citations import VAN_DER_LINDEN_2005, Evidence
from ..policy import DEFAULT_POLICY, Policy
from ..survival import SurvivalFigure, figures_text
from ..vocab import Code, Histology
from . import _inputs as inputs
from ._beyond import LUNG, Finding
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

ID: Final = "van_der_linden"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "van der Linden score"
#: Its heading in the text report of an assessment.
HEADING: Final = "van der Linden score (Dutch Bone Metastasis Study, 2005)"
CITATION: Final = VAN_DER_LINDEN_2005
RANGE: Final = (0, 6)
HIGHER_IS_BETTER: Final = True

_S = VAN_DER_LINDEN_2005.at(
    "scoring system, as reproduced by medicalalgorithms.com", Evidence.SECONDARY
)
_U = VAN_DER_LINDEN_2005.at(
    "lung row, as reproduced by medicalalgorithms.com; lung vs other not checked against "
    "Table 3 of the primary",
    Evidence.UNVERIFIED,
)
_B = VAN_DER_LINDEN_2005.at(
    "groups, as reproduced by medicalalgorithms.com ('estimated from Figure 2, page 326')",
    Evidence.SECONDARY,
)

H = Histology


class Band(Code):
    """van der Linden groups A-C (interchange format)."""

    GROUP_A = "group_a"
    GROUP_B = "group_b"
    GROUP_C = "group_c"


KPS: Final = Item(key="general_condition", label="Karnofsky performance status", rows=(
    Row(when=Span(80, 100), points=2, wording="KPS 80-100", source=_S),
    Row(when=Span(50, 70), points=1, wording="KPS 50-70", source=_S),
    Row(when=Span(10, 40), points=0, wording="KPS below 50 (given as 20-40 and 10-40)",
        source=_S),
))
PRIMARY: Final = Item(key="primary", label="Primary tumour", rows=(
    Row(when=(H.BREAST,), points=3, wording="Breast", source=_S),
    Row(when=(H.PROSTATE,), points=2, wording="Prostate", source=_S),
    Row(when=LUNG, points=1, wording="Lung", source=_U),
    Row(when=tuple(h for h in H if h not in (H.BREAST, H.PROSTATE, *LUNG)), points=0,
        wording="Other", source=_S),
))
VISCERAL: Final = Item(key="visceral_metastases", label="Visceral metastases", rows=(
    Row(when=(Finding.ABSENT,), points=1, wording="Absent", source=_S),
    Row(when=(Finding.PRESENT,), points=0, wording="Present", source=_S),
))
ITEMS: Final = (KPS, PRIMARY, VISCERAL)
#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = ((KPS, inputs.KPS), (PRIMARY, inputs.HISTOLOGY), (VISCERAL, inputs.VISCERAL))
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)

_COHORT = ("cohort statistics of the Dutch Bone Metastasis Study spinal cohort "
           "(van der Linden 2005), not an individual prediction")
#: Median and 2-year survival per group, read off the primary's survival figure.
SURVIVAL: Final = (
    SurvivalFigure(band=Band.GROUP_A, statistic="median", value=3, approximate=True, source=_B),
    SurvivalFigure(band=Band.GROUP_A, statistic="survival", months=24, value=0.04,
                   approximate=True, source=_B),
    SurvivalFigure(band=Band.GROUP_B, statistic="median", value=9, approximate=True, source=_B),
    SurvivalFigure(band=Band.GROUP_B, statistic="survival", months=24, value=0.22,
                   approximate=True, source=_B),
    SurvivalFigure(band=Band.GROUP_C, statistic="median", value=19, approximate=True,
                   note="18.7 in some citations", source=_B),
    SurvivalFigure(band=Band.GROUP_C, statistic="survival", months=24, value=0.37,
                   approximate=True, source=_B),
)


def _s(band: Band) -> str:
    return figures_text(SURVIVAL, band, _B.evidence)


BANDS: Final = (
    BandRow(code=Band.GROUP_A, lo=0, hi=3, source=_B,
            meaning=f"Group A: {_s(Band.GROUP_A)} ({_COHORT})"),
    BandRow(code=Band.GROUP_B, lo=4, hi=5, source=_B,
            meaning=f"Group B: {_s(Band.GROUP_B)} ({_COHORT})"),
    BandRow(code=Band.GROUP_C, lo=6, hi=6, source=_B,
            meaning=f"Group C: {_s(Band.GROUP_C)} ({_COHORT})"),
)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the van der Linden score.

    Needs ``kps`` (or ``ecog`` with ``ecog_to_kps``), ``histology`` and ``visceral_metastases``;
    otherwise ``incomplete`` naming every missing one. Flags: ``unverified_table`` (lung primary),
    ``kps_from_ecog:<name>``, ``kps_from_ecog_ambiguous``.
    """
    check_case(case, "van_der_linden.score")
    missing: list[str] = []
    flags: list[str] = []
    items = score_items(case, READS, missing, flags)
    return summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                  items=items, missing=missing, flags=flags)
