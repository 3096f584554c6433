"""Original Tokuhashi score (Tokuhashi et al., Spine 1990;15(11):1110-3).

Six items of 0-2 points: general condition (KPS), extraspinal bone metastasis foci, vertebral
metastases, metastases to major internal organs, primary site and spinal cord palsy (Frankel);
total 0-12, higher is better. Kept separate from the 2005 revision (:mod:`.tokuhashi_2005`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, cast

from .._table import BandRow, Item, Row, Span
from ..citations import TOKUHASHI_1990, Evidence
from ..policy import DEFAULT_POLICY, Policy
from ..survival import SurvivalFigure, figures_text
from ..vocab import Code, Frankel, Histology, VisceralMetastases
from ._common import check_case
from ._inputs import inputs_of
from ._tokuhashi import evaluate, reads

if TYPE_CHECKING:
    import enum

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
    "SHORT",
    "SURVIVAL",
    "TITLE",
    "Band",
    "score",
]

ID: Final = "tokuhashi_1990"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Original Tokuhashi score"
#: Its heading in the text report of an assessment.
HEADING: Final = "Tokuhashi score (original, 1990)"
#: Its short name, for one-line summaries (a CDS card).
SHORT: Final = "Tokuhashi 1990"
CITATION: Final = TOKUHASHI_1990
RANGE: Final = (0, 12)
HIGHER_IS_BETTER: Final = True

_S = TOKUHASHI_1990.at("scoring table, as reproduced (medicalalgorithms.com)", Evidence.SECONDARY)

H = Histology


class Band(Code):
    """Prognosis bands of the original score."""

    POOR = "poor"
    INTERMEDIATE = "intermediate"
    GOOD = "good"


KPS: Final = Item(key="general_condition", label="General condition (KPS %)", rows=(
    Row(when=Span(10, 40), points=0, wording="Poor (KPS 10-40%)", source=_S),
    Row(when=Span(50, 70), points=1, wording="Moderate (KPS 50-70%)", source=_S),
    Row(when=Span(80, 100), points=2, wording="Good (KPS 80-100%)", source=_S),
))
EXTRASPINAL: Final = Item(key="extraspinal_bone_metastases",
                          label="No. of extraspinal bone metastasis foci", rows=(
    Row(when=Span(3, None), points=0, wording=">=3", source=_S),
    Row(when=Span(1, 2), points=1, wording="1-2", source=_S),
    Row(when=Span(0, 0), points=2, wording="0", source=_S),
))
VERTEBRAL: Final = Item(key="vertebral_metastases",
                        label="No. of metastases in the vertebral body", rows=(
    Row(when=Span(3, None), points=0, wording=">=3", source=_S),
    Row(when=Span(2, 2), points=1, wording="2", source=_S),
    Row(when=Span(1, 1), points=2, wording="1", source=_S),
))
VISCERAL: Final = Item(key="visceral_metastases",
                       label="Metastases to the major internal organs", rows=(
    Row(when=(VisceralMetastases.TREATABLE, VisceralMetastases.UNTREATABLE), points=0,
        wording="Unremovable", source=_S),
    Row(when=(VisceralMetastases.RESECTABLE,), points=1, wording="Removable", source=_S),
    Row(when=(VisceralMetastases.NONE,), points=2, wording="No metastases", source=_S),
))
PRIMARY: Final = Item(key="primary_site", label="Primary site of the cancer", rows=(
    Row(when=(H.LUNG, H.LUNG_NSCLC, H.LUNG_SCLC, H.STOMACH), points=0,
        wording="Lung, stomach", source=_S),
    Row(when=(H.KIDNEY, H.LIVER, H.UTERUS, H.UNKNOWN, H.CARCINOID, H.COLON, H.ESOPHAGUS,
              H.PANCREAS, H.BLADDER, H.GALLBLADDER, H.OSTEOSARCOMA, H.SARCOMA, H.MELANOMA,
              H.LYMPHOMA, H.MYELOMA, H.SEMINOMA, H.GERM_CELL, H.OVARY, H.HEAD_NECK, H.OTHER),
        points=1, wording="Kidney, liver, uterus, others, unidentified", source=_S),
    Row(when=(H.THYROID, H.PROSTATE, H.BREAST, H.RECTUM), points=2,
        wording="Thyroid, prostate, breast, rectum", source=_S),
))
PALSY: Final = Item(key="palsy", label="Spinal cord palsy", rows=(
    Row(when=(Frankel.A, Frankel.B), points=0, wording="Complete (Frankel A, B)", source=_S),
    Row(when=(Frankel.C, Frankel.D), points=1, wording="Incomplete (Frankel C, D)", source=_S),
    Row(when=(Frankel.E,), points=2, wording="None (Frankel E)", source=_S),
))
ITEMS: Final = (KPS, EXTRASPINAL, VERTEBRAL, VISCERAL, PRIMARY, PALSY)
#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = reads(ITEMS)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)

#: The expected survival period of the outer bands. The middle band's "variable, mostly < 6-12
#: months" names no single period, so it has no row (and no agreement reading).
SURVIVAL: Final = (
    SurvivalFigure(band=Band.POOR, statistic="period", op="<=", months=3, note="some up to 6",
                   source=_S),
    SurvivalFigure(band=Band.GOOD, statistic="period", op=">=", months=12, source=_S),
)
_COHORT = "cohort statistics of Tokuhashi 1990 as reproduced; not an individual prediction"
BANDS: Final = (
    BandRow(code=Band.POOR, lo=0, hi=5, source=_S,
            meaning=f"Expected {figures_text(SURVIVAL, Band.POOR, _S.evidence)}; palliative or "
                    f"conservative ({_COHORT})"),
    BandRow(code=Band.INTERMEDIATE, lo=6, hi=8, source=_S,
            meaning=f"Variable survival, mostly < 6-12 months; individual decision ({_COHORT})"),
    BandRow(code=Band.GOOD, lo=9, hi=12, source=_S,
            meaning=f"Expected {figures_text(SURVIVAL, Band.GOOD, _S.evidence)}; excisional "
                    f"surgery ({_COHORT})"),
)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the original Tokuhashi score (Tokuhashi 1990).

    KPS may come from ECOG only through a named conversion (decision ``ecog-to-kps``). Flags:
    ``colon_scored_as_other``, ``outside_derivation_population``, ``kps_from_ecog:<name>``,
    ``kps_from_ecog_ambiguous``. Missing inputs give an ``incomplete`` result naming all of them.
    """
    check_case(case, "tokuhashi_1990.score")
    result = evaluate(case, id=ID, citation=CITATION, reads=READS,
                      bands=cast("tuple[BandRow[enum.Enum], ...]", BANDS))
    return cast("ScoreResult[Band]", result)
