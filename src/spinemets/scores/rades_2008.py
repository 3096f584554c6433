"""Rades survival score for metastatic spinal cord compression (Rades et al., Cancer 2008).

Six items, each worth (6-month survival % in that category) / 10: tumour type, other bone
metastases, visceral metastases, interval from tumour diagnosis to MSCC, ambulatory status and
time developing motor deficits before radiotherapy; total 20-45 in five groups, higher is better.

Every item point is tagged unverified (range-consistent, but not checked against Table 2 of the
primary), so every result that uses them carries
``unverified_table``. The 2008 five groups are the band; the simplified three-group reading of the
2010 validation (Rades, Cancer 2010;116(15):3670-3673) is metadata: :data:`SIMPLIFIED_2010`, and
the extra key ``rades_2010`` (``{"code": "rades_20_30" | "rades_31_35" | "rades_36_45",
"range": [lo, hi]}``) on a complete result.

Choices (decision ``rades-no-motor-deficit``): ``motor_deficit_days = 0`` (no motor deficit) makes
the score ``not_applicable``, since its motor-deficit item has no category for it; the day bins are
inclusive integers (1-7, 8-14, > 14). The interval needs more than 15 months for the higher points.
"Other bone metastases" is present when ``extraspinal_bone_metastases >= 1`` or
``vertebral_metastases >= 2`` (both counts needed). Visceral metastases include brain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from attrs import evolve

from .._table import BandRow, Item, Row, Span, band_for
from ..citations import RADES_2008, RADES_2010, Evidence
from ..policy import DEFAULT_POLICY, Policy
from ..results import ItemScore, ScoreResult, Status
from ..survival import SurvivalFigure, figures_text
from ..vocab import Code, Histology
from . import _inputs as inputs
from ._beyond import (
    LUNG,
    Ambulation,
    Cut,
    Finding,
    present,
)
from ._common import check_case, item_score, summed
from ._inputs import inputs_of, score_items

if TYPE_CHECKING:
    from ..model import Case

__all__ = [
    "BANDS",
    "CITATION",
    "HEADING",
    "HIGHER_IS_BETTER",
    "ID",
    "INPUTS",
    "INTERVAL_LONG",
    "ITEMS",
    "RANGE",
    "READS",
    "SIMPLIFIED_2010",
    "SIMPLIFIED_2010_SURVIVAL",
    "SURVIVAL",
    "TITLE",
    "Band",
    "Interval",
    "Simplified2010",
    "score",
]

ID: Final = "rades_2008"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Rades survival score for metastatic spinal cord compression"
#: Its heading in the text report of an assessment.
HEADING: Final = "Rades survival score for spinal cord compression (2008)"
CITATION: Final = RADES_2008
#: "Totals range 20-45, in 5 groups" (Rades 2008 abstract [primary]).
RANGE: Final = (20, 45)
HIGHER_IS_BETTER: Final = True

_U = RADES_2008.at(
    "Table 2 item points (6-month survival % / 10), reconstructed; range-consistent with the "
    "published 20-45, not checked against the primary table",
    Evidence.UNVERIFIED,
)
_P = RADES_2008.at("abstract: 6-month overall survival per group", Evidence.PRIMARY)
_PU = RADES_2008.at("6-month overall survival per group, not checked against the primary",
                    Evidence.UNVERIFIED)
_V = RADES_2010.at("abstract: validation in 439 new patients and simplification",
                   Evidence.PRIMARY)

H = Histology


class Band(Code):
    """The five 2008 groups (interchange format)."""

    RADES_20_25 = "rades_20_25"
    RADES_26_30 = "rades_26_30"
    RADES_31_35 = "rades_31_35"
    RADES_36_40 = "rades_36_40"
    RADES_41_45 = "rades_41_45"


class Simplified2010(Code):
    """The three groups of the 2010 simplification (metadata, not the band)."""

    RADES_20_30 = "rades_20_30"
    RADES_31_35 = "rades_31_35"
    RADES_36_45 = "rades_36_45"


class Interval(Code):
    """Interval from tumour diagnosis to MSCC, read against :data:`INTERVAL_LONG`."""

    LONG = "long"
    SHORT = "short"


#: More than 15 months from tumour diagnosis to MSCC for the higher points.
INTERVAL_LONG: Final = Cut(field="months_diagnosis_to_mscc", op=">", value=15, unit="months",
                           source=_U)

TUMOUR: Final = Item(key="tumour_type", label="Tumour type", rows=(
    Row(when=(H.MYELOMA, H.LYMPHOMA), points=9, wording="Myeloma / lymphoma", source=_U),
    Row(when=(H.BREAST,), points=8, wording="Breast cancer", source=_U),
    Row(when=(H.PROSTATE,), points=7, wording="Prostate cancer", source=_U),
    Row(when=tuple(h for h in H if h not in (H.MYELOMA, H.LYMPHOMA, H.BREAST, H.PROSTATE, *LUNG)),
        points=4, wording="Other tumours", source=_U),
    Row(when=LUNG, points=3, wording="Lung cancer", source=_U),
))
OTHER_BONE: Final = Item(key="other_bone_metastases",
                         label="Other bone metastases at the time of radiotherapy", rows=(
    Row(when=(Finding.ABSENT,), points=7, wording="No", source=_U),
    Row(when=(Finding.PRESENT,), points=5, wording="Yes", source=_U),
))
VISCERAL: Final = Item(key="visceral_metastases",
                       label="Visceral metastases at the time of radiotherapy", rows=(
    Row(when=(Finding.ABSENT,), points=7, wording="No", source=_U),
    Row(when=(Finding.PRESENT,), points=2, wording="Yes", source=_U),
))
INTERVAL: Final = Item(key="interval", label="Interval from tumour diagnosis to MSCC", rows=(
    Row(when=(Interval.LONG,), points=7, wording=str(INTERVAL_LONG), source=_U),
    Row(when=(Interval.SHORT,), points=4, source=_U,
        wording=f"<= {INTERVAL_LONG.value:g} {INTERVAL_LONG.unit}"),
))
AMBULATORY: Final = Item(key="ambulatory", label="Ambulatory status before radiotherapy", rows=(
    Row(when=(Ambulation.AMBULATORY,), points=7, wording="Ambulatory", source=_U),
    Row(when=(Ambulation.NOT_AMBULATORY,), points=3, wording="Not ambulatory", source=_U),
))
MOTOR: Final = Item(key="motor_deficit",
                    label="Time developing motor deficits before radiotherapy (days)", rows=(
    Row(when=Span(15, None), points=8, wording="> 14 days", source=_U),
    Row(when=Span(8, 14), points=6, wording="8-14 days", source=_U),
    Row(when=Span(1, 7), points=3, wording="1-7 days", source=_U),
))
ITEMS: Final = (TUMOUR, OTHER_BONE, VISCERAL, INTERVAL, AMBULATORY, MOTOR)

_COHORT = ("cohort statistics of the 2008 derivation (1852 irradiated MSCC patients) and the 2010 "
           "validation (439 new patients), not an individual prediction")
_D, _VAL = "2008 derivation", "2010 validation"
#: 6-month overall survival per group: the 2008 derivation and the 2010 validation.
SURVIVAL: Final = tuple(
    SurvivalFigure(band=band, statistic="survival", months=6, value=value, cohort=cohort,
                   source=source)
    for band, derivation, d_source, validation in (
        (Band.RADES_20_25, 0.04, _P, 0.07),
        (Band.RADES_26_30, 0.11, _P, 0.19),
        (Band.RADES_31_35, 0.48, _P, 0.56),
        (Band.RADES_36_40, 0.87, _PU, 0.73),
        (Band.RADES_41_45, 0.99, _PU, 0.90),
    )
    for value, cohort, source in ((derivation, _D, d_source), (validation, _VAL, _V))
)
#: 6-month overall survival of the 2010 three-group reading (validation cohort).
SIMPLIFIED_2010_SURVIVAL: Final = tuple(
    SurvivalFigure(band=band, statistic="survival", months=6, value=value, cohort=_VAL,
                   source=_V)
    for band, value in ((Simplified2010.RADES_20_30, 0.14), (Simplified2010.RADES_31_35, 0.56),
                        (Simplified2010.RADES_36_45, 0.80))
)


BANDS: Final = tuple(
    BandRow(code=band, lo=lo, hi=hi, source=source,
            meaning=f"{figures_text(SURVIVAL, band, source.evidence)} ({_COHORT})")
    for band, lo, hi, source in (
        (Band.RADES_20_25, 20, 25, _P),
        (Band.RADES_26_30, 26, 30, _P),
        (Band.RADES_31_35, 31, 35, _P),
        (Band.RADES_36_40, 36, 40, _PU),
        (Band.RADES_41_45, 41, 45, _PU),
    )
)

#: The 2010 three-group reading (Rades 2010 [primary]): metadata beside the 2008 band.
SIMPLIFIED_2010: Final = tuple(
    BandRow(code=band, lo=lo, hi=hi, source=_V,
            meaning=f"{figures_text(SIMPLIFIED_2010_SURVIVAL, band, _V.evidence)} (cohort "
                    "statistic)")
    for band, lo, hi in ((Simplified2010.RADES_20_30, 20, 30),
                         (Simplified2010.RADES_31_35, 31, 35),
                         (Simplified2010.RADES_36_45, 36, 45))
)

#: Why a case without motor deficit is outside the score.
NO_MOTOR_DEFICIT: Final = (
    "motor_deficit_days is 0 (no motor deficit): the Rades 2008 score's 'time developing motor "
    "deficits before radiotherapy' item has no category for it (1-7, 8-14, > 14 days; "
    "spinemets decision #rades-no-motor-deficit)"
)


def _interval(case: Case, item: Item, missing: list[str], flags: list[str]) -> ItemScore | None:
    months = present(case.tumour.months_diagnosis_to_mscc, "months_diagnosis_to_mscc", missing)
    if months is None:
        return None
    interval = Interval.LONG if INTERVAL_LONG.holds(months) else Interval.SHORT
    return evolve(item_score(item, interval),
                  value=f"{months + 0.0:g} months ({interval.value})")  # -0.0 reads 0


#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = (
    (TUMOUR, inputs.HISTOLOGY),
    (OTHER_BONE, inputs.OTHER_BONE),
    (VISCERAL, inputs.VISCERAL),
    (INTERVAL, inputs.Reads(fields=("months_diagnosis_to_mscc",), read=_interval)),
    (AMBULATORY, inputs.AMBULATORY),
    (MOTOR, inputs.field("motor_deficit_days")),
)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the Rades 2008 survival score.

    ``not_applicable`` (with ``reason``) when ``motor_deficit_days`` is 0. Otherwise needs
    ``histology``, ``extraspinal_bone_metastases``, ``vertebral_metastases``,
    ``visceral_metastases``, ``months_diagnosis_to_mscc``, ``ambulatory`` and
    ``motor_deficit_days``, or is ``incomplete`` naming every missing one. Flags:
    ``unverified_table`` (always, when an item is scored); a complete result also carries the
    key ``rades_2010`` with the 2010 three-group reading.
    """
    check_case(case, "rades_2008.score")
    days = case.neurology.motor_deficit_days
    if days == 0:
        return ScoreResult(id=ID, status=Status.NOT_APPLICABLE, citation=CITATION,
                           higher_is_better=HIGHER_IS_BETTER, reason=NO_MOTOR_DEFICIT)
    missing: list[str] = []
    flags: list[str] = []
    items = score_items(case, READS, missing, flags)
    result = summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                    items=items, missing=missing, flags=flags)
    if result.total is None:
        return result
    simplified = band_for(SIMPLIFIED_2010, result.total)
    reading = {"code": simplified.code.value, "range": [simplified.lo, simplified.hi]}
    return evolve(result, extra=(("rades_2010", reading),))
