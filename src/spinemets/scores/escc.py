"""Bilsky epidural spinal cord compression scale, ESCC (Bilsky et al., J Neurosurg Spine 2010).

A six-point ordinal grade read on axial T2 MRI, not a sum: the case's ESCC is the worst grade over
its lesions (0 < 1a < 1b < 1c < 2 < 3) with its NOMS class: low (0, 1a, 1b), intermediate (1c),
high (2, 3) (the interchange format; decision ``escc-1c``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from attrs import frozen

from ..citations import BILSKY_2010, Evidence, Source, decision
from ..policy import DEFAULT_POLICY, Policy
from ..results import EsccClass, GradeResult, Status
from ..vocab import EsccGrade
from ._common import check_case

if TYPE_CHECKING:
    from ..model import Case

__all__ = [
    "CITATION",
    "CLASSES",
    "GRADES",
    "HEADING",
    "ID",
    "INPUTS",
    "SHORT",
    "TITLE",
    "ClassRow",
    "class_of",
    "classify",
    "score",
]

ID: Final = "escc"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Bilsky epidural spinal cord compression scale, ESCC"
#: Its heading in the text report of an assessment.
HEADING: Final = "Bilsky epidural spinal cord compression (ESCC)"
#: Its short name, for one-line summaries (a CDS card).
SHORT: Final = "ESCC"
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = (
    "lesions",
)
CITATION: Final = BILSKY_2010

_P = BILSKY_2010.at("abstract; grade wording per Radiopaedia and Uei 2018 Fig. 1",
                    Evidence.SECONDARY)


@frozen(kw_only=True)
class ClassRow:
    """The NOMS class of a set of ESCC grades."""

    when: tuple[EsccGrade, ...]
    code: EsccClass
    wording: str
    source: Source


#: Grade definitions (axial T2, level of most severe compression), mildest first.
GRADES: Final = (
    (EsccGrade.G0, "Bone-only disease"),
    (EsccGrade.G1A, "Epidural impingement, without deformation of the thecal sac"),
    (EsccGrade.G1B, "Deformation of the thecal sac, without spinal cord abutment"),
    (EsccGrade.G1C, "Deformation of the thecal sac with spinal cord abutment, without "
                    "cord compression"),
    (EsccGrade.G2, "Spinal cord compression, with CSF visible around the cord"),
    (EsccGrade.G3, "Spinal cord compression, without CSF visible around the cord"),
)

CLASSES: Final = (
    ClassRow(when=(EsccGrade.G0, EsccGrade.G1A, EsccGrade.G1B), code=EsccClass.LOW,
             wording="Low grade", source=_P),
    ClassRow(when=(EsccGrade.G1C,), code=EsccClass.INTERMEDIATE,
             wording="1c: its own class (management institution-dependent)",
             source=decision("escc-1c", Evidence.SECONDARY)),
    ClassRow(when=(EsccGrade.G2, EsccGrade.G3), code=EsccClass.HIGH, wording="High grade",
             source=_P),
)
_CLASS: Final = {grade: row.code for row in CLASSES for grade in row.when}
_ORDER: Final = {grade: i for i, grade in enumerate(EsccGrade)}


def MEMO_KEY(case: Case) -> tuple[EsccGrade | None, ...]:
    """The memo key of :func:`classify`: every lesion's grade, in order."""
    return tuple([lesion.escc for lesion in case.lesions])


def class_of(grade: EsccGrade) -> EsccClass:
    """The NOMS class of one grade."""
    return _CLASS[grade]


def classify(case: Case) -> GradeResult:
    """The worst ESCC grade over the case's lesions and its class.

    ``incomplete`` when there are no lesions (missing ``lesions``) or any lesion lacks ``escc``
    (missing ``lesions[i].escc``).
    """
    check_case(case, "escc.classify")
    if not case.lesions:
        return GradeResult(id=ID, status=Status.INCOMPLETE, citation=CITATION,
                           missing=("lesions",))
    missing = tuple(f"lesions[{i}].escc" for i, les in enumerate(case.lesions) if les.escc is None)
    if missing:
        return GradeResult(id=ID, status=Status.INCOMPLETE, citation=CITATION, missing=missing)
    index, worst = max(
        ((i, les.escc) for i, les in enumerate(case.lesions) if les.escc is not None),
        key=lambda pair: _ORDER[pair[1]],
    )
    return GradeResult(id=ID, status=Status.COMPLETE, citation=CITATION, grade=worst,
                       escc_class=_CLASS[worst], lesion_index=index)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> GradeResult:
    """:func:`classify` under the signature every instrument shares (ESCC reads no policy)."""
    return classify(case)
