"""New Katagiri score (Katagiri et al., Cancer Med 2014;3(5):1359-1367).

Six items for skeletal (including spinal) metastases: primary-lesion group (slow 0, moderate 2,
rapid 3), visceral metastases (none 0, nodular visceral or cerebral 1, disseminated 2), laboratory
data (normal 0, abnormal 1, critical 2), ECOG performance status 3-4 (1), previous chemotherapy (1)
and multiple skeletal metastases (1); total 0-10, higher is worse. The 2005 Katagiri score (no
laboratory item) is a different instrument and is not implemented.

Choices (decisions ``katagiri-laboratory`` and ``derived-items``):

- The primary group is ``katagiri_group``, or a default from ``histology`` only where Katagiri's
  lists decide it without hormone or targeted-therapy status (:data:`GROUP_DEFAULTS`); every other
  histology needs an explicit ``katagiri_group``. The defaults for ``ovary``, ``gallbladder`` and
  ``bladder`` rest on unverified list members and raise ``unverified_table``.
- Laboratory data is any-of within each tier; a critical value makes the item 2 whatever else is
  abnormal. A recorded ``katagiri_laboratory`` category overrides the values (as
  ``tomita_growth`` overrides ``histology``). From values, the item is the worst category the
  present values already fix, since no missing value can lower a maximum that is reached:
  critical when any present critical-type value (platelets, calcium, bilirubin) is beyond its
  cut-off, whatever else is missing; otherwise, only with all three critical-type values present,
  abnormal when any present abnormal-type value (CRP, LDH, albumin) is beyond its cut-off, and
  normal when all six are present and within. Otherwise the item is missing and every absent
  value is named. Calcium is corrected calcium where available; units are those of the
  interchange fields.
- ECOG 3-4 reads ``ecog``; KPS is never converted to ECOG.
- "Previous chemotherapy" is cytotoxic chemotherapy (``previous_chemotherapy``), not hormone
  therapy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from attrs import evolve

from .._table import BandRow, DefaultRow, Item, Row, Span, default_index
from ..citations import KATAGIRI_2014, Evidence, Source
from ..policy import DEFAULT_POLICY, Policy
from ..survival import SurvivalFigure, figures_text
from ..vocab import Code, Histology, KatagiriGroup, KatagiriLaboratory, KatagiriVisceral
from . import _inputs as inputs
from ._beyond import Cut, Finding, SkeletalExtent
from ._common import check_case, explicit_or_default, item_score, missing_explicit, summed
from ._inputs import inputs_of, score_items

if TYPE_CHECKING:
    from ..model import Case, Laboratory
    from ..results import ItemScore, ScoreResult

__all__ = [
    "ABNORMAL",
    "BANDS",
    "CITATION",
    "CRITICAL",
    "GROUP_DEFAULTS",
    "HEADING",
    "HIGHER_IS_BETTER",
    "ID",
    "INPUTS",
    "ITEMS",
    "LABORATORY_FIELDS",
    "RANGE",
    "READS",
    "SURVIVAL",
    "TITLE",
    "Band",
    "LaboratoryData",
    "group_of",
    "laboratory_tier",
    "score",
]

ID: Final = "katagiri_2014"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "New Katagiri score"
#: Its heading in the text report of an assessment.
HEADING: Final = "New Katagiri score (2014)"
CITATION: Final = KATAGIRI_2014
RANGE: Final = (0, 10)
HIGHER_IS_BETTER: Final = False

_S = KATAGIRI_2014.at(
    "scoring system (Table), as reproduced by a calculator source citing the primary's open text",
    Evidence.SECONDARY,
)
_U = KATAGIRI_2014.at(
    "primary-lesion lists: bracketed members (ovarian; other urological, gallbladder), "
    "not confirmed against the primary table",
    Evidence.UNVERIFIED,
)
_PRIMARY_ABSTRACT = KATAGIRI_2014.at(
    "abstract: survival by prognostic score (808 patients, 2005-2008)", Evidence.PRIMARY
)

H = Histology


class Band(Code):
    """Katagiri 2014 risk groups (interchange format)."""

    LOW_RISK = "low_risk"
    INTERMEDIATE_RISK = "intermediate_risk"
    HIGH_RISK = "high_risk"


#: The laboratory tier: normal, abnormal (any :data:`ABNORMAL`), critical (any :data:`CRITICAL`);
#: the codes of the case field ``katagiri_laboratory``.
LaboratoryData = KatagiriLaboratory


#: "Abnormal" laboratory data: any of these (published units; CRP 0.4 mg/dL = 4 mg/L).
ABNORMAL: Final = (
    Cut(field="crp_mg_dl", op=">=", value=0.4, unit="mg/dL", source=_S),
    Cut(field="ldh_u_l", op=">=", value=250, unit="IU/L", source=_S),
    Cut(field="albumin_g_dl", op="<", value=3.7, unit="g/dL", source=_S),
)
#: "Critical" laboratory data: any of these (platelets 100 x 10^9/L = 100,000/uL).
CRITICAL: Final = (
    Cut(field="platelets_10e9_l", op="<", value=100, unit="x 10^9/L", source=_S),
    Cut(field="calcium_mg_dl", op=">=", value=10.3, unit="mg/dL (corrected)", source=_S),
    Cut(field="bilirubin_mg_dl", op=">=", value=1.4, unit="mg/dL (total)", source=_S),
)
#: The six values the laboratory item needs (interchange format).
LABORATORY_FIELDS: Final = (
    "crp_mg_dl", "ldh_u_l", "albumin_g_dl", "platelets_10e9_l", "calcium_mg_dl", "bilirubin_mg_dl",
)

PRIMARY: Final = Item(key="primary", label="Primary lesion", rows=(
    Row(when=(KatagiriGroup.SLOW,), points=0, source=_S,
        wording="Slow growth: hormone-dependent breast or prostate, thyroid, multiple myeloma, "
                "malignant lymphoma"),
    Row(when=(KatagiriGroup.MODERATE,), points=2, source=_S,
        wording="Moderate growth: lung with molecularly targeted drugs, hormone-independent "
                "breast or prostate, renal cell carcinoma, sarcoma"),
    Row(when=(KatagiriGroup.RAPID,), points=3, source=_S,
        wording="Rapid growth: lung without molecularly targeted drugs, colorectal, gastric, "
                "pancreatic, head and neck, oesophageal, hepatocellular, melanoma, unknown "
                "origin"),
))
VISCERAL: Final = Item(key="visceral", label="Visceral metastasis", rows=(
    Row(when=(KatagiriVisceral.NONE,), points=0, wording="None", source=_S),
    Row(when=(KatagiriVisceral.NODULAR,), points=1,
        wording="Nodular visceral or cerebral metastasis", source=_S),
    Row(when=(KatagiriVisceral.DISSEMINATED,), points=2,
        wording="Disseminated (pleural, peritoneal or leptomeningeal dissemination)", source=_S),
))
LABORATORY: Final = Item(key="laboratory", label="Laboratory data", rows=(
    Row(when=(LaboratoryData.NORMAL,), points=0, wording="Normal", source=_S),
    Row(when=(LaboratoryData.ABNORMAL,), points=1, source=_S,
        wording="Abnormal: " + " or ".join(str(c) for c in ABNORMAL)),
    Row(when=(LaboratoryData.CRITICAL,), points=2, source=_S,
        wording="Critical: " + " or ".join(str(c) for c in CRITICAL)),
))
ECOG: Final = Item(key="ecog", label="ECOG performance status 3 or 4", rows=(
    Row(when=Span(0, 2), points=0, wording="ECOG 0-2", source=_S),
    Row(when=Span(3, 4), points=1, wording="ECOG 3 or 4", source=_S),
))
CHEMOTHERAPY: Final = Item(key="previous_chemotherapy", label="Previous chemotherapy", rows=(
    Row(when=(Finding.ABSENT,), points=0, wording="No previous chemotherapy", source=_S),
    Row(when=(Finding.PRESENT,), points=1, wording="Previous (cytotoxic) chemotherapy",
        source=_S),
))
MULTIPLE: Final = Item(key="skeletal_metastases", label="Multiple skeletal metastases", rows=(
    Row(when=(SkeletalExtent.SOLITARY,), points=0, wording="Solitary skeletal metastasis",
        source=_S),
    Row(when=(SkeletalExtent.MULTIPLE,), points=1, wording="Multiple skeletal metastases",
        source=_S),
))
ITEMS: Final = (PRIMARY, VISCERAL, LABORATORY, ECOG, CHEMOTHERAPY, MULTIPLE)

#: Default primary group per histology (interchange format). Histologies not listed (breast,
#: prostate, lung, lung_nsclc, uterus, carcinoid, seminoma, germ_cell, other) need an explicit
#: ``katagiri_group``.
GROUP_DEFAULTS: Final = (
    DefaultRow(when=(H.THYROID, H.MYELOMA, H.LYMPHOMA), value=KatagiriGroup.SLOW, source=_S),
    DefaultRow(when=(H.KIDNEY, H.SARCOMA, H.OSTEOSARCOMA), value=KatagiriGroup.MODERATE,
               source=_S),
    DefaultRow(when=(H.OVARY,), value=KatagiriGroup.MODERATE, source=_U),
    DefaultRow(when=(H.LUNG_SCLC, H.COLON, H.RECTUM, H.STOMACH, H.ESOPHAGUS, H.PANCREAS,
                     H.LIVER, H.HEAD_NECK, H.MELANOMA, H.UNKNOWN),
               value=KatagiriGroup.RAPID, source=_S),
    DefaultRow(when=(H.GALLBLADDER, H.BLADDER), value=KatagiriGroup.RAPID, source=_U),
)
_GROUP_DEFAULT: Final = default_index(GROUP_DEFAULTS)

_COHORT = ("cohort statistics of the Katagiri 2014 derivation cohort, 808 patients "
           "2005-2008; not an individual prediction")
_SURV_S = KATAGIRI_2014.at("survival by prognostic score, as reproduced by secondary sources",
                           Evidence.SECONDARY)
_SURV_U = KATAGIRI_2014.at("survival by prognostic score, not confirmed in any available text",
                           Evidence.UNVERIFIED)


def _fig(band: Band, months: int, value: float, source: Source,
         decimals: int | None = None) -> SurvivalFigure[Band]:
    return SurvivalFigure(band=band, statistic="survival", months=months, value=value,
                          decimals=decimals, source=source)


_L, _I, _H = Band.LOW_RISK, Band.INTERMEDIATE_RISK, Band.HIGH_RISK
#: 6-month, 1-year and 2-year survival per risk group: the abstract's rounded figures first,
#: then the one-decimal figures of secondary sources.
SURVIVAL: Final = (
    _fig(_L, 12, 0.91, _PRIMARY_ABSTRACT), _fig(_L, 24, 0.78, _PRIMARY_ABSTRACT),
    _fig(_L, 12, 0.914, _SURV_S, 1), _fig(_L, 24, 0.778, _SURV_S, 1),
    _fig(_L, 6, 0.981, _SURV_U, 1),
    _fig(_I, 6, 0.740, _SURV_S, 1), _fig(_I, 12, 0.493, _SURV_S, 1),
    _fig(_I, 24, 0.276, _SURV_S, 1),
    _fig(_H, 6, 0.27, _PRIMARY_ABSTRACT), _fig(_H, 12, 0.06, _PRIMARY_ABSTRACT),
    _fig(_H, 6, 0.269, _SURV_S, 1), _fig(_H, 12, 0.060, _SURV_S, 1),
    _fig(_H, 24, 0.021, _SURV_U, 1),
)


def _s(band: Band, source: Source) -> str:
    return figures_text(SURVIVAL, band, source.evidence)


BANDS: Final = (
    BandRow(code=_L, lo=0, hi=3, source=_PRIMARY_ABSTRACT,
            meaning=f"Low risk: {_s(_L, _PRIMARY_ABSTRACT)} ({_COHORT})"),
    BandRow(code=_I, lo=4, hi=6, source=_S,
            meaning=f"Intermediate risk: {_s(_I, _S)} ({_COHORT})"),
    BandRow(code=_H, lo=7, hi=10, source=_PRIMARY_ABSTRACT,
            meaning=f"High risk: {_s(_H, _PRIMARY_ABSTRACT)} ({_COHORT})"),
)


def group_of(case: Case) -> tuple[KatagiriGroup, DefaultRow[KatagiriGroup] | None] | None:
    """The primary group and the default row it came from (``None`` when explicit)."""
    return explicit_or_default(case.tumour.katagiri_group, case.tumour.histology, _GROUP_DEFAULT)


def laboratory_tier(lab: Laboratory) -> tuple[LaboratoryData, tuple[Cut, ...]] | None:
    """The tier and the thresholds that set it, or ``None`` while the item is not yet fixed.

    A recorded ``katagiri_laboratory`` wins (no thresholds). From values: critical as soon as a
    present :data:`CRITICAL` value is beyond its cut-off; abnormal or normal only once all three
    critical-type values are present (and within), abnormal as soon as a present :data:`ABNORMAL`
    value is beyond its cut-off, normal once all six are present and within.
    """
    if lab.katagiri_laboratory is not None:
        return lab.katagiri_laboratory, ()
    for tier, cuts in ((LaboratoryData.CRITICAL, CRITICAL), (LaboratoryData.ABNORMAL, ABNORMAL)):
        beyond = tuple(c for c in cuts if (v := getattr(lab, c.field)) is not None and c.holds(v))
        if beyond:
            return tier, beyond
        if any(getattr(lab, c.field) is None for c in cuts):
            return None  # a missing value of this tier could still reach it
    return LaboratoryData.NORMAL, ()


def _primary(case: Case, item: Item, missing: list[str], flags: list[str]) -> ItemScore | None:
    group = group_of(case)
    histology = case.tumour.histology
    if group is None:
        missing_explicit("katagiri_group", histology, missing)
        return None
    value, default = group
    primary = item_score(item, value)
    if default is not None:
        assert histology is not None
        primary = evolve(primary, value=f"{value.value} (from {histology.value})")
        if default.source.evidence is Evidence.UNVERIFIED:
            flags.append("unverified_table")
    return primary


def _laboratory(case: Case, item: Item, missing: list[str], flags: list[str]) -> ItemScore | None:
    tier = laboratory_tier(case.laboratory)
    if tier is None:
        missing += [n for n in LABORATORY_FIELDS if getattr(case.laboratory, n) is None]
        return None
    level, cuts = tier
    shown = level.value + (": " + ", ".join(str(c) for c in cuts) if cuts else "")
    if case.laboratory.katagiri_laboratory is not None:
        shown += " (recorded)"
    return evolve(item_score(item, level), value=shown)


#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = (
    (PRIMARY, inputs.Reads(fields=("histology", "katagiri_group"), read=_primary)),
    (VISCERAL, inputs.field("katagiri_visceral")),
    (LABORATORY, inputs.Reads(
        fields=("albumin_g_dl", "crp_mg_dl", "ldh_u_l", "platelets_10e9_l", "calcium_mg_dl",
                "bilirubin_mg_dl", "katagiri_laboratory"), read=_laboratory)),
    (ECOG, inputs.field("ecog")),
    (CHEMOTHERAPY, inputs.boolean("previous_chemotherapy")),
    (MULTIPLE, inputs.SKELETAL_EXTENT),
)
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the new Katagiri score (Katagiri 2014).

    Needs ``katagiri_group`` (or a ``histology`` with a default), ``katagiri_visceral``, the
    laboratory item (``katagiri_laboratory``, or values that fix it: :func:`laboratory_tier`),
    ``ecog``, ``previous_chemotherapy``, ``extraspinal_bone_metastases`` and
    ``vertebral_metastases``; otherwise ``incomplete`` naming every missing one.
    """
    check_case(case, "katagiri_2014.score")
    missing: list[str] = []
    flags: list[str] = []
    items = score_items(case, READS, missing, flags)
    return summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                  items=items, missing=missing, flags=flags)
