"""New England Spinal Metastasis Score, NESMS (Schoenfeld et al., Spine J 2016;16(4):482-490).

Weights from Ghori et al. (Spine J 2015): modified Bauer score >= 3 gives 2 points, independent
ambulation 1, serum albumin >= 3.5 g/dL 1. The raw sum runs 0-4 but the published score has a
ceiling of three: ``NESMS = min(raw, 3)``; the result carries ``raw`` for audit (decision
``nesms-cap``).
Higher is better. There are two routes to NESMS 2: modified Bauer >= 3 alone, or modified Bauer
< 3 with both the ambulation and the albumin points.

Choices: "ambulatory" is the interchange field ``ambulatory`` (walks independently, assistive device
allowed; whether the 2021 methods read it so is not yet checked). The modified Bauer item is
:mod:`.bauer_modified` computed on the same case, so NESMS is ``incomplete`` whenever that score is,
naming its missing fields. Band meanings are the odds ratios of the 2021 prospective validation;
absolute 1-year survival per level is not published.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from attrs import evolve

from .._table import BandRow, Item, Row, Span, band_for
from ..citations import GHORI_2015, SCHOENFELD_2016, SCHOENFELD_2021, Evidence
from ..policy import DEFAULT_POLICY, Policy
from ..survival import SurvivalFigure, figures_text
from ..vocab import Code
from . import _inputs as inputs
from . import bauer_modified
from ._beyond import Ambulation, Cut, present
from ._common import check_case, item_score, summed
from ._inputs import inputs_of, score_items

if TYPE_CHECKING:
    from ..model import Case
    from ..results import ItemScore, ScoreResult

__all__ = [
    "ALBUMIN_NORMAL",
    "BANDS",
    "CAP",
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
    "Albumin",
    "Band",
    "score",
]

ID: Final = "nesms"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "New England Spinal Metastasis Score, NESMS"
#: Its heading in the text report of an assessment.
HEADING: Final = "New England Spinal Metastasis Score (NESMS)"
CITATION: Final = SCHOENFELD_2016
#: "All patients were assigned an NESMS score (0-3)" (Schoenfeld 2016 abstract [primary]).
RANGE: Final = (0, 3)
HIGHER_IS_BETTER: Final = True
#: The ceiling: the raw sum (up to 4) is capped at the top of the published range.
CAP: Final = RANGE[1]

_W = GHORI_2015.at(
    "most parsimonious model: modified Bauer weighted 2, intact ambulatory status and normal "
    "serum albumin 1 each, ceiling of three (Becker's Spine Review and Healio 2016 summaries)",
    Evidence.SECONDARY,
)
_M = SCHOENFELD_2016.at(
    "'Modified Bauer Score of equal or greater than 3' (Spineopedia review of the paper; "
    "Becker's Spine Review)",
    Evidence.SECONDARY,
)
_A = SCHOENFELD_2016.at(
    "serum albumin >= 3.5 g/dL (Spineopedia review of the paper)", Evidence.SECONDARY
)
_V = SCHOENFELD_2021.at("abstract: prospective validation, 180 patients", Evidence.PRIMARY)


class Band(Code):
    """One band per NESMS level (interchange format)."""

    NESMS_0 = "nesms_0"
    NESMS_1 = "nesms_1"
    NESMS_2 = "nesms_2"
    NESMS_3 = "nesms_3"


class Albumin(Code):
    """Serum albumin read against :data:`ALBUMIN_NORMAL`."""

    NORMAL = "normal"
    LOW = "low"


#: The albumin threshold, published in g/dL (35 g/L).
ALBUMIN_NORMAL: Final = Cut(field="albumin_g_dl", op=">=", value=3.5, unit="g/dL", source=_A)

MODIFIED_BAUER: Final = Item(key="modified_bauer", label="Modified Bauer score", rows=(
    Row(when=Span(3, 4), points=2, wording="Modified Bauer score >= 3", source=_M),
    Row(when=Span(0, 2), points=0, wording="Modified Bauer score <= 2", source=_M),
))
AMBULATORY: Final = Item(key="ambulatory", label="Ambulatory status", rows=(
    Row(when=(Ambulation.AMBULATORY,), points=1,
        wording="Intact (independent) ambulation, assistive device allowed", source=_W),
    Row(when=(Ambulation.NOT_AMBULATORY,), points=0, wording="Not independently ambulatory",
        source=_W),
))
ALBUMIN: Final = Item(key="albumin", label="Serum albumin", rows=(
    Row(when=(Albumin.NORMAL,), points=1, wording=f"Normal: {ALBUMIN_NORMAL}", source=_W),
    Row(when=(Albumin.LOW,), points=0, wording="Below the threshold", source=_W),
))
ITEMS: Final = (MODIFIED_BAUER, AMBULATORY, ALBUMIN)

_COHORT = ("cohort statistic of the prospective validation (Schoenfeld 2021; 180 patients, "
           "1-year mortality 56% overall), not an individual prediction")
#: The only absolute survival figure per level; the others are odds ratios (band meanings).
SURVIVAL: Final = (
    SurvivalFigure(band=Band.NESMS_0, statistic="survival", months=12, value=0.0, source=_V,
                   wording="'Perfect prediction': all patients dead at 1 year"),
)
BANDS: Final = (
    BandRow(code=Band.NESMS_0, lo=0, hi=0, source=_V,
            meaning=f"{figures_text(SURVIVAL, Band.NESMS_0, _V.evidence)} ({_COHORT})"),
    BandRow(code=Band.NESMS_1, lo=1, hi=1, source=_V,
            meaning="1-year mortality odds ratio 31.30 (95% CI 8.82-111.04) against NESMS 3 "
                    f"({_COHORT})"),
    BandRow(code=Band.NESMS_2, lo=2, hi=2, source=_V,
            meaning="1-year mortality odds ratio 7.04 (95% CI 2.47-20.08) against NESMS 3 "
                    f"({_COHORT})"),
    BandRow(code=Band.NESMS_3, lo=3, hi=3, source=_V,
            meaning=f"Reference group ({_COHORT})"),
)


def _modified_bauer(case: Case, item: Item, missing: list[str],
                    flags: list[str]) -> ItemScore | None:
    mbauer = bauer_modified.score(case)
    if mbauer.total is None:
        missing += mbauer.missing
        return None
    return item_score(item, mbauer.total)


def _albumin(case: Case, item: Item, missing: list[str], flags: list[str]) -> ItemScore | None:
    albumin = present(case.laboratory.albumin_g_dl, "albumin_g_dl", missing)
    if albumin is None:
        return None
    level = Albumin.NORMAL if ALBUMIN_NORMAL.holds(albumin) else Albumin.LOW
    return evolve(item_score(item, level), value=f"{albumin:g} g/dL ({level.value})")


#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = (
    (MODIFIED_BAUER, inputs.Reads(fields=bauer_modified.INPUTS, read=_modified_bauer)),
    (AMBULATORY, inputs.AMBULATORY),
    (ALBUMIN, inputs.Reads(fields=("albumin_g_dl",), read=_albumin)),
)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the NESMS: ``total = min(raw, 3)``, ``raw`` kept on the result.

    Needs the modified Bauer inputs (``visceral_metastases``, ``histology``,
    ``extraspinal_bone_metastases``, ``vertebral_metastases``), ``ambulatory`` and
    ``albumin_g_dl``; otherwise ``incomplete`` naming every missing one.
    """
    check_case(case, "nesms.score")
    missing: list[str] = []
    items = score_items(case, READS, missing, [])
    result: ScoreResult[Band] = summed(
        id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=(), items=items,
        missing=missing, flags=[],
    )
    if result.total is None:
        return result
    raw = result.total
    total = min(raw, CAP)
    return evolve(result, total=total, raw=raw, band=band_for(BANDS, total))
