"""Revised Tokuhashi score (Tokuhashi et al., Spine 2005;30(19):2186-91).

As the original, but the primary site scores 0-5; total 0-15, higher is better. Rows tagged
``primary`` are read from NICE CG75 (2008) Appendix 3, Table 2, reproduced with corrections by
permission of Y. Tokuhashi; the others from concordant secondary reproductions. The result
carries Tokuhashi's treatment principle as ``strategy``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, cast

from .._table import BandRow, Item, Row, Span
from ..citations import TOKUHASHI_2005, Evidence
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
    "strategy_for",
]

ID: Final = "tokuhashi_2005"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Revised Tokuhashi score"
#: Its heading in the text report of an assessment.
HEADING: Final = "Tokuhashi score (revised, 2005)"
#: Its short name, for one-line summaries (a CDS card).
SHORT: Final = "Revised Tokuhashi"
CITATION: Final = TOKUHASHI_2005
RANGE: Final = (0, 15)
HIGHER_IS_BETTER: Final = True

_P = TOKUHASHI_2005.at("NICE CG75 Appendix 3, Table 2", Evidence.PRIMARY)
_S = TOKUHASHI_2005.at("secondary reproductions (NICE row not legible)", Evidence.SECONDARY)
_A = TOKUHASHI_2005.at("abstract", Evidence.PRIMARY)

H = Histology


class Band(Code):
    """Predicted survival (Tokuhashi 2005; NICE wording)."""

    LT_6_MONTHS = "lt_6_months"
    GTE_6_MONTHS = "gte_6_months"
    GTE_12_MONTHS = "gte_12_months"


KPS: Final = Item(key="general_condition", label="General condition (KPS %)", rows=(
    Row(when=Span(10, 40), points=0, wording="Poor (KPS 10-40%)", source=_P),
    Row(when=Span(50, 70), points=1, wording="Moderate (KPS 50-70%)", source=_P),
    Row(when=Span(80, 100), points=2, wording="Good (KPS 80-100%)", source=_P),
))
EXTRASPINAL: Final = Item(key="extraspinal_bone_metastases",
                          label="No. of extraspinal bone metastasis foci", rows=(
    Row(when=Span(3, None), points=0, wording=">=3", source=_P),
    Row(when=Span(1, 2), points=1, wording="1-2", source=_P),
    Row(when=Span(0, 0), points=2, wording="0", source=_S),
))
#: Decision ``tokuhashi-vertebral-item``: >=3 -> 0, 2 -> 1, 1 -> 2.
VERTEBRAL: Final = Item(key="vertebral_metastases",
                        label="No. of metastases in the vertebral body", rows=(
    Row(when=Span(3, None), points=0, wording=">=3", source=_P),
    Row(when=Span(2, 2), points=1, wording="2", source=_S),
    Row(when=Span(1, 1), points=2, wording="1", source=_S),
))
#: Decision ``visceral-treatable-removable``: "removable" is resectable only; treatable and
#: untreatable score 0.
VISCERAL: Final = Item(key="visceral_metastases",
                       label="Metastases to the major internal organs", rows=(
    Row(when=(VisceralMetastases.TREATABLE, VisceralMetastases.UNTREATABLE), points=0,
        wording="Unremovable", source=_S),
    Row(when=(VisceralMetastases.RESECTABLE,), points=1, wording="Removable", source=_S),
    Row(when=(VisceralMetastases.NONE,), points=2, wording="No metastases", source=_P),
))
#: Colon is not listed and scores as "others" (decision ``colon-not-rectum``, flag
#: colon_scored_as_other).
PRIMARY: Final = Item(key="primary_site", label="Primary site of the cancer", rows=(
    Row(when=(H.LUNG, H.LUNG_NSCLC, H.LUNG_SCLC, H.OSTEOSARCOMA, H.STOMACH, H.BLADDER,
              H.ESOPHAGUS, H.PANCREAS), points=0,
        wording="Lung, osteosarcoma, stomach, bladder, esophagus, pancreas", source=_P),
    Row(when=(H.LIVER, H.GALLBLADDER, H.UNKNOWN), points=1,
        wording="Liver, gallbladder, unidentified", source=_P),
    Row(when=(H.COLON, H.SARCOMA, H.MELANOMA, H.LYMPHOMA, H.MYELOMA, H.SEMINOMA, H.GERM_CELL,
              H.OVARY, H.HEAD_NECK, H.OTHER), points=2, wording="Others", source=_S),
    Row(when=(H.KIDNEY, H.UTERUS), points=3, wording="Kidney, uterus", source=_P),
    Row(when=(H.RECTUM,), points=4, wording="Rectum", source=_S),
    Row(when=(H.THYROID, H.BREAST, H.PROSTATE, H.CARCINOID), points=5,
        wording="Thyroid, breast, prostate, carcinoid tumor", source=_P),
))
PALSY: Final = Item(key="palsy", label="Palsy", rows=(
    Row(when=(Frankel.A, Frankel.B), points=0, wording="Complete (Frankel A, B)", source=_P),
    Row(when=(Frankel.C, Frankel.D), points=1, wording="Incomplete (Frankel C, D)", source=_P),
    Row(when=(Frankel.E,), points=2, wording="None (Frankel E)", source=_P),
))
ITEMS: Final = (KPS, EXTRASPINAL, VERTEBRAL, VISCERAL, PRIMARY, PALSY)
#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = reads(ITEMS)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)

_COHORT = ("cohort statistics of Tokuhashi 2005 (NICE CG75 wording); not an individual "
           "prediction")
#: The predicted survival period of each band (the reading Tokuhashi's agreement studies check).
SURVIVAL: Final = (
    SurvivalFigure(band=Band.LT_6_MONTHS, statistic="period", op="<", months=6, source=_P),
    SurvivalFigure(band=Band.GTE_6_MONTHS, statistic="period", op=">=", months=6, source=_P),
    SurvivalFigure(band=Band.GTE_12_MONTHS, statistic="period", op=">=", months=12, source=_P),
)


def _s(band: Band) -> str:
    return figures_text(SURVIVAL, band, _P.evidence)


BANDS: Final = (
    BandRow(code=Band.LT_6_MONTHS, lo=0, hi=8, source=_P,
            meaning=f"Predicted {_s(Band.LT_6_MONTHS)}; conservative treatment or palliative "
                    f"procedures ({_COHORT})"),
    BandRow(code=Band.GTE_6_MONTHS, lo=9, hi=11, source=_P,
            meaning=f"Predicted {_s(Band.GTE_6_MONTHS)}; palliative surgery, excisional if the "
                    f"metastasis is in a single vertebra ({_COHORT})"),
    BandRow(code=Band.GTE_12_MONTHS, lo=12, hi=15, source=_P,
            meaning=f"Predicted {_s(Band.GTE_12_MONTHS)}; excisional procedures ({_COHORT})"),
)


def strategy_for(
    total: int, vertebrae: int, visceral: VisceralMetastases, policy: Policy = DEFAULT_POLICY
) -> tuple[str, tuple[str, ...]]:
    """Tokuhashi 2005's treatment principle (abstract; the interchange format) and its flags.

    1. total <= 8: ``conservative``;
    2. two or more vertebrae: ``palliative_surgery`` ("or those with multiple vertebral
       metastases"), flagged ``tokuhashi_multiple_vertebrae_conflict`` when total >= 12;
    3. 9-11 with visceral metastases, under the non-default policy that requires none:
       ``palliative_surgery``;
    4. otherwise ``excisional``.
    """
    if total <= 8:
        return "conservative", ()
    if vertebrae >= 2:
        flags = ("tokuhashi_multiple_vertebrae_conflict",) if total >= 12 else ()
        return "palliative_surgery", flags
    if (
        total <= 11
        and policy.tokuhashi_2005_excision_requires_no_visceral
        and visceral is not VisceralMetastases.NONE
    ):
        return "palliative_surgery", ()
    return "excisional", ()


#: Where the treatment principle is read (the abstract's rule).
STRATEGY_SOURCE: Final = _A


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the revised Tokuhashi score (Tokuhashi 2005), with its strategy.

    Flags as :func:`spinemets.scores.tokuhashi_1990.score`, plus
    ``tokuhashi_multiple_vertebrae_conflict`` (decision ``tokuhashi-multiple-vertebrae``). *policy*
    selects the 9-11 reading (decision ``tokuhashi-excision-9-11``; default: the abstract's
    wording).
    """
    check_case(case, "tokuhashi_2005.score")
    tumour = case.tumour

    def principle(band: BandRow[enum.Enum], total: int) -> tuple[str | None, tuple[str, ...]]:
        # complete, so both inputs are present
        assert tumour.vertebral_metastases is not None and tumour.visceral_metastases is not None
        return strategy_for(total, tumour.vertebral_metastases, tumour.visceral_metastases, policy)

    result = evaluate(case, id=ID, citation=CITATION, reads=READS,
                      bands=cast("tuple[BandRow[enum.Enum], ...]", BANDS), strategy=principle)
    return cast("ScoreResult[Band]", result)
