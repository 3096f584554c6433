"""Options beyond the grid: the treatment rules of the literature, as data.

Each :class:`OptionRule` names an option, the condition under which it is offered (a predicate
over the facts the recommender already computed), the rationale and its source (most are
treatment rules stated in the Zhao 2023 review, cited with the section and the review's own
reference numbers; where spinemets had to read a rule, the *Clinical decisions* anchor). These
are options with rationale for a tumour board, not codes other programs match on.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from attrs import field, frozen

from ..citations import BILSKY_2009, ZHAO_2023, Evidence, Source, decision
from ..results import EsccClass, ScoreResult
from ..scores import tokuhashi_2005, tomita
from ..scores.sins import Band as SinsBand
from ..vocab import (
    Alignment,
    BoneLesion,
    Collapse,
    Histology,
    Pain,
    Posterolateral,
    Radiosensitivity,
    SpinalLevel,
    VisceralMetastases,
)
from .grid import Radiation, Stabilization

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..model import Case, Lesion

__all__ = ["OPTION_RULES", "Facts", "Option", "OptionRule", "options_for"]


#: Project choice (decision ``cement-augmentation``): cement augmentation is offered for a lesion
#: whose own SINS is at most 12 (not in the unstable band), besides having no gross instability.
_CEMENT_MAX_SINS: Final = 12


def _gross_instability(lesion: Lesion) -> bool:
    """Gross instability as the NOMS literature exemplifies it (Bilsky 2009): subluxation or
    translation, or kyphotic collapse with posterior element involvement (read as: de novo
    deformity, a collapsed body and posterolateral involvement; decision ``gross-instability``)."""
    return lesion.alignment is Alignment.SUBLUXATION or (
        lesion.alignment is Alignment.DEFORMITY
        and lesion.collapse in (Collapse.UNDER_50, Collapse.OVER_50)
        and lesion.posterolateral in (Posterolateral.UNILATERAL, Posterolateral.BILATERAL)
    )


@frozen(kw_only=True)
class Facts:
    """What the option rules read: the case's inputs and the recommender's results.

    The per-lesion findings the rules ask about are summarised once at construction.
    """

    case: Case
    radiosensitivity: Radiosensitivity | None
    escc_class: EsccClass | None
    sins: ScoreResult[SinsBand]
    tomita: ScoreResult[tomita.Band]
    tokuhashi_2005: ScoreResult[tokuhashi_2005.Band]
    radiation: Radiation
    stabilization: Stabilization
    limited_life_expectancy: bool
    #: Some lesion has mechanical pain without gross instability (no subluxation, SINS <= 12).
    mechanical_without_gross_instability: bool = field(init=False)
    mechanical_pain: bool = field(init=False)  #: Some lesion has mechanical pain.
    painful: bool = field(init=False)  #: Some lesion has mechanical or occasional pain.
    blastic: bool = field(init=False)  #: Some lesion is blastic.
    #: Some lesion is lytic, collapsed or malaligned (fracture risk after SBRT).
    fracture_risk: bool = field(init=False)
    levels: frozenset[SpinalLevel] = field(init=False)  #: The lesions' levels.
    gross_instability: bool = field(init=False)  #: Some lesion is grossly unstable.

    def __attrs_post_init__(self) -> None:
        lesions = self.case.lesions
        scores = self.sins.lesions or (None,) * len(lesions)
        mech_stable = mech = painful = blastic = risk = gross = False
        for les, sc in zip(lesions, scores, strict=True):
            gross = gross or _gross_instability(les)
            if les.pain is Pain.MECHANICAL:
                mech = painful = True
                if not _gross_instability(les) and (
                    sc is None or sc.total is None or sc.total <= _CEMENT_MAX_SINS
                ):
                    mech_stable = True
            elif les.pain is Pain.OCCASIONAL:
                painful = True
            blastic = blastic or les.bone_lesion is BoneLesion.BLASTIC
            risk = risk or (
                les.bone_lesion is BoneLesion.LYTIC
                or les.collapse in (Collapse.UNDER_50, Collapse.OVER_50)
                or les.alignment in (Alignment.DEFORMITY, Alignment.SUBLUXATION)
            )
        setattr_ = object.__setattr__
        setattr_(self, "mechanical_without_gross_instability", mech_stable)
        setattr_(self, "mechanical_pain", mech)
        setattr_(self, "painful", painful)
        setattr_(self, "blastic", blastic)
        setattr_(self, "fracture_risk", risk)
        setattr_(self, "gross_instability", gross)
        setattr_(self, "levels", frozenset(les.level for les in lesions if les.level is not None))


@frozen(kw_only=True)
class Option:
    """An option offered for this case, with its rationale and source."""

    option: str
    rationale: str
    source: Source

    _as_dict: dict[str, str] = field(init=False, eq=False, repr=False)
    #: The option as interchange JSON text.
    json: str = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        as_dict = {"option": self.option, "rationale": self.rationale, "source": str(self.source)}
        object.__setattr__(self, "_as_dict", as_dict)
        object.__setattr__(self, "json", json.dumps(as_dict, ensure_ascii=False,
                                                    separators=(",", ":")))

    def to_dict(self) -> dict[str, str]:
        """The interchange form: ``option``, ``rationale``, ``source``."""
        return dict(self._as_dict)


@frozen(kw_only=True)
class OptionRule:
    """A rule of the literature: offer *option* when *applies* holds."""

    option: str
    rationale: str
    source: Source
    applies: Callable[[Facts], bool] = lambda f: False


def _zhao(section: str, refs: str) -> Source:
    """A treatment rule stated in the Zhao 2023 review: its section and its reference numbers."""
    noun = "references" if "," in refs else "reference"
    return ZHAO_2023.at(f"{section} (citing its {noun} {refs})", Evidence.SECONDARY)


_OPEN = "open surgery section"
_MINIMAL = "minimally invasive section"
_RADIO = "radiotherapy section"


def _mechanical_no_gross_instability(facts: Facts) -> bool:
    return facts.mechanical_without_gross_instability


def _cord_compressed_with_mechanical_pain(facts: Facts) -> bool:
    return facts.mechanical_without_gross_instability and facts.escc_class is EsccClass.HIGH


#: Project choice for the review's "evident epidural compression" (decision
#: ``evident-compression``): ESCC 1c or worse (thecal sac deformed with cord abutment, or cord
#: compression).
_EVIDENT_COMPRESSION: Final = frozenset({EsccClass.INTERMEDIATE, EsccClass.HIGH})


def _unstable_radiosensitive(facts: Facts) -> bool:
    return (
        facts.sins.band is not None
        and facts.sins.band.code is SinsBand.UNSTABLE
        and facts.radiosensitivity is Radiosensitivity.SENSITIVE
        and facts.escc_class in _EVIDENT_COMPRESSION
    )


def _en_bloc(facts: Facts) -> bool:
    tumour = facts.case.tumour
    lesions = facts.case.lesions
    return (
        facts.tomita.band is not None
        and facts.tomita.band.code is tomita.Band.LONG_TERM_LOCAL_CONTROL
        and tumour.vertebral_metastases == 1
        and tumour.visceral_metastases is VisceralMetastases.NONE
        and bool(lesions)
        and all(les.level is not None and les.level.value[0] in "TL" for les in lesions)
    )


def _open_surgery(facts: Facts) -> bool:
    return facts.radiation in (
        Radiation.SEPARATION_SURGERY_THEN_SRS,
        Radiation.DECOMPRESSION_THEN_RADIATION,
    ) or facts.stabilization is Stabilization.STABILIZATION


#: Project choice (decision ``combined-approach-levels``): the review names "the cervicothoracic
#: junction and lower lumbar" lesions without levels; read here as C7-T1 and L4-L5.
_COMBINED_LEVELS: Final = frozenset(
    {SpinalLevel.C7, SpinalLevel.T1, SpinalLevel.L4, SpinalLevel.L5}
)
_ANTERIOR_LEVELS: Final = frozenset({SpinalLevel.L2, SpinalLevel.L3})


def _at_levels(facts: Facts, levels: frozenset[SpinalLevel]) -> bool:
    return _open_surgery(facts) and not facts.levels.isdisjoint(levels)


def _ablation(facts: Facts) -> bool:
    unstable = facts.sins.band is not None and facts.sins.band.code is SinsBand.UNSTABLE
    return (
        facts.painful
        and not unstable
        and not facts.gross_instability
        and facts.escc_class in (EsccClass.LOW, EsccClass.INTERMEDIATE)
    )


def _ablation_contraindicated(facts: Facts) -> bool:
    unstable = facts.sins.band is not None and facts.sins.band.code is SinsBand.UNSTABLE
    return facts.painful and (
        facts.escc_class is EsccClass.HIGH or unstable or facts.gross_instability
    )


def _blastic_painful(facts: Facts) -> bool:
    return _ablation(facts) and facts.blastic


def _vcf_risk_after_sbrt(facts: Facts) -> bool:
    return facts.fracture_risk and facts.radiation in (
        Radiation.SRS,
        Radiation.SEPARATION_SURGERY_THEN_SRS,
    )


def _mechanical_pain(facts: Facts) -> bool:
    return facts.mechanical_pain and facts.radiation in (Radiation.CEBRT, Radiation.SRS)


#: The rules, in the order their options are listed.
OPTION_RULES: Final[tuple[OptionRule, ...]] = (
    OptionRule(
        option="cement augmentation (vertebroplasty or kyphoplasty)",
        rationale="mechanical (axial-load) pain without gross instability may be treated with "
                  "percutaneous cement augmentation rather than instrumentation (offered here "
                  "for a lesion with SINS 12 or less: spinemets decision #cement-augmentation)",
        source=BILSKY_2009.at("abstract", Evidence.PRIMARY),
        applies=_mechanical_no_gross_instability,
    ),
    OptionRule(
        option="kyphoplasty caution: posterior wall and cord compression",
        rationale="kyphoplasty is not suitable when the posterior vertebral wall is involved and "
                  "the cord is compressed (instrumentation instead); the posterior wall is not "
                  "an input here, check imaging",
        source=_zhao(_MINIMAL, "55"),
        applies=_cord_compressed_with_mechanical_pain,
    ),
    OptionRule(
        option="percutaneous pedicle-screw fixation plus radiotherapy",
        rationale="a mechanically unstable fracture from a radiosensitive tumour (lymphoma, "
                  "myeloma, breast, prostate) with evident epidural compression (read as ESCC "
                  "1c or worse: spinemets decision #evident-compression) can be fixed "
                  "percutaneously and irradiated",
        source=_zhao(_MINIMAL, "16"),
        applies=_unstable_radiosensitive,
    ),
    OptionRule(
        option="percutaneous pedicle-screw fixation",
        rationale="pathological fracture with instability when open surgery or cement "
                  "augmentation is not possible; "
                  "mainly for patients awaiting or ineligible for open surgery",
        source=_zhao(_MINIMAL, "43, 45, 46"),
        applies=lambda f: f.stabilization is Stabilization.PERCUTANEOUS_STABILIZATION,
    ),
    OptionRule(
        option="separation surgery technique",
        rationale="laminectomy of the compressed segment, posterior fixation spanning at least "
                  "two adjacent segments, ventral epidural tumour removed to a 2-3 mm "
                  "tumour-cord margin, then stereotactic radiotherapy",
        source=_zhao(_OPEN, "9, 25, 40"),
        applies=lambda f: f.radiation is Radiation.SEPARATION_SURGERY_THEN_SRS,
    ),
    OptionRule(
        option="en bloc resection (total en bloc spondylectomy)",
        rationale="single thoracic or lumbar vertebra and no visceral metastases (Zhao 2023), "
                  "with Tomita 2-3, whose strategy is wide or marginal excision (Tomita 2001); "
                  "also requires good primary control, low malignancy and long expected "
                  "survival, which are not inputs here",
        source=_zhao(_OPEN, "2, 30, 33"),
        applies=_en_bloc,
    ),
    OptionRule(
        option="combined anterior-posterior approach",
        rationale="cervicothoracic junction and lower lumbar lesions usually need a combined "
                  "anterior and posterior approach (read as C7-T1 and L4-L5: spinemets decision "
                  "#combined-approach-levels)",
        source=_zhao(_OPEN, "32, 37, 39"),
        applies=lambda f: _at_levels(f, _COMBINED_LEVELS),
    ),
    OptionRule(
        option="anterior (retroperitoneal) approach",
        rationale="L2-L3 vertebral body lesions are commonly approached anteriorly",
        source=_zhao(_OPEN, "32, 37"),
        applies=lambda f: _at_levels(f, _ANTERIOR_LEVELS),
    ),
    OptionRule(
        option="thermal ablation (RFA or MWA), with cement for a stable pathological fracture",
        rationale="painful, mechanically stable lesion without high-grade compression; "
                  "ablation does not improve neurology or prevent fracture, so combine RFA with "
                  "vertebroplasty for a stable pathological fracture; near neural elements "
                  "monitor temperature and protect them (CO2 or 5% dextrose, low power, short "
                  "cycles)",
        source=_zhao(_MINIMAL, "60, 63, 64, 69, 70"),
        applies=_ablation,
    ),
    OptionRule(
        option="cryoablation for osteoblastic lesions",
        rationale="RFA has limited efficacy in osteoblastic lesions; cryoablation does better "
                  "there and suits large soft-tissue components",
        source=_zhao(_MINIMAL, "58, 60"),
        applies=_blastic_painful,
    ),
    OptionRule(
        option="ablation relatively contraindicated",
        rationale="in the spine, unstable fracture and metastatic epidural compression are the "
                  "commonest relative contraindications to RFA; absolute: no safe access, acute "
                  "immunosuppression, infection, uncorrected coagulopathy, no consent",
        source=_zhao(_MINIMAL, "60"),
        applies=_ablation_contraindicated,
    ),
    OptionRule(
        option="laser interstitial thermal therapy (LITT)",
        rationale="MRI-guided alternative to open surgery for epidural disease",
        source=_zhao(_MINIMAL, "73, 74"),
        applies=lambda f: f.escc_class is EsccClass.HIGH
        and f.radiation is not Radiation.CEBRT,
    ),
    OptionRule(
        option="SBRT rather than cEBRT",
        rationale="SBRT overcomes radioresistance with a highly conformal dose; needs a small, "
                  "well-defined target; short course, spares normal tissue and marrow",
        source=_zhao(_RADIO, "9, 89, 95"),
        applies=lambda f: f.radiation in (Radiation.SRS, Radiation.SEPARATION_SURGERY_THEN_SRS),
    ),
    OptionRule(
        option="conventional external-beam radiotherapy",
        rationale="radiosensitive histologies (lymphoma, myeloma, breast, prostate, ovarian, "
                  "seminoma) respond well to cEBRT; also for non-surgical candidates and "
                  "multi-segment disease",
        source=_zhao(_RADIO, "20, 82, 85, 87"),
        applies=lambda f: f.radiation is Radiation.CEBRT,
    ),
    OptionRule(
        option="fracture risk after SBRT",
        rationale="vertebral compression fracture risk after SBRT rises with a baseline "
                  "fracture, lytic tumour and malalignment/dislocation",
        source=_zhao(_RADIO, "96"),
        applies=_vcf_risk_after_sbrt,
    ),
    OptionRule(
        option="radiotherapy alone will not relieve mechanical pain",
        rationale="pain from mechanical instability is not adequately relieved by radiotherapy "
                  "alone; address stability",
        source=_zhao(_RADIO, "43"),
        applies=_mechanical_pain,
    ),
    OptionRule(
        option="minimally invasive treatment preferred",
        rationale="limited expected survival (Tokuhashi 2005 < 6 months or Tomita terminal care): "
                  "surgery needs expected survival above 3 months; prefer minimally invasive "
                  "options, vertebroplasty/kyphoplasty for persistent pain",
        source=_zhao("open surgery and minimally invasive sections", "2, 30, 41, 42, 49"),
        applies=lambda f: f.limited_life_expectancy,
    ),
    OptionRule(
        option="obtain tissue diagnosis",
        rationale="radiosensitivity unknown: biopsy to decide between cEBRT, SRS and surgery",
        source=decision("tissue-diagnosis", Evidence.SECONDARY),
        applies=lambda f: f.radiosensitivity is None
        and f.case.tumour.histology is not Histology.LUNG,
    ),
    OptionRule(
        option="state the lung cancer type (NSCLC or SCLC)",
        rationale="the radiation part depends on it: non-small-cell lung cancer is radioresistant "
                  "by default (SRS or separation surgery), small-cell lung cancer has no default "
                  "class; give histology lung_nsclc or lung_sclc (or radiosensitivity), from the "
                  "pathology report or a biopsy",
        source=decision("lung-histology", Evidence.SECONDARY),
        applies=lambda f: f.radiosensitivity is None and f.case.tumour.histology is Histology.LUNG,
    ),
)


_OPTIONS: Final = tuple(
    (rule.applies, Option(option=rule.option, rationale=rule.rationale, source=rule.source))
    for rule in OPTION_RULES
)


def options_for(facts: Facts) -> tuple[Option, ...]:
    """The options whose rule applies to *facts*, in rule order."""
    return tuple([option for applies, option in _OPTIONS if applies(facts)])
