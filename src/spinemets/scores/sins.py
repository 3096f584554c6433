"""Spinal Instability Neoplastic Score, SINS (Fisher et al., Spine 2010;35(22):E1221-9).

Six components per lesion: location (derived from the level), pain, bone lesion, alignment,
vertebral body collapse and posterolateral involvement; 0-18, higher is more unstable. The case's
SINS is the maximum over its lesions, and every lesion's own total is reported (interchange format).
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Final

from .._table import BandRow, Item, Row, band_for
from ..citations import FISHER_2010, Evidence, decision
from ..policy import DEFAULT_POLICY, Policy
from ..results import ItemScore, LesionScore, ScoreResult, Status
from ..vocab import Alignment, BoneLesion, Code, Collapse, Pain, Posterolateral
from ..vocab import SpinalLevel as L
from ._common import check_case, item_score

if TYPE_CHECKING:
    from ..model import Case, Lesion

__all__ = [
    "BANDS",
    "CITATION",
    "HEADING",
    "HIGHER_IS_BETTER",
    "ID",
    "INPUTS",
    "ITEMS",
    "LESION_FIELDS",
    "RANGE",
    "SHORT",
    "TITLE",
    "Band",
    "score",
    "score_lesion",
]

ID: Final = "sins"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Spinal Instability Neoplastic Score, SINS"
#: Its heading in the text report of an assessment.
HEADING: Final = "Spinal Instability Neoplastic Score (SINS)"
#: Its short name, for one-line summaries (a CDS card).
SHORT: Final = "SINS"
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = (
    "lesions",
)
CITATION: Final = FISHER_2010
RANGE: Final = (0, 18)
HIGHER_IS_BETTER: Final = False

_S = FISHER_2010.at(
    "component table as reproduced by Radiopaedia, Oxford Medical Education, pacs.de and cliot "
    "(concordant)",
    Evidence.SECONDARY,
)
_LOC = decision("sins-location", Evidence.SECONDARY)  # level -> Fisher 2010 Table 1


class Band(Code):
    """SINS stability categories (Fisher 2010; Fourney 2011)."""

    STABLE = "stable"
    POTENTIALLY_UNSTABLE = "potentially_unstable"
    UNSTABLE = "unstable"


LOCATION: Final = Item(key="location", label="Location", rows=(
    Row(when=(L.C1, L.C2, L.C7, L.T1, L.T2, L.T11, L.T12, L.L1, L.L5, L.S1), points=3,
        wording="Junctional (occiput-C2, C7-T2, T11-L1, L5-S1)", source=_LOC),
    Row(when=(L.C3, L.C4, L.C5, L.C6, L.L2, L.L3, L.L4), points=2,
        wording="Mobile spine (C3-C6, L2-L4)", source=_LOC),
    Row(when=(L.T3, L.T4, L.T5, L.T6, L.T7, L.T8, L.T9, L.T10), points=1,
        wording="Semi-rigid (T3-T10)", source=_LOC),
    Row(when=(L.S2, L.S3, L.S4, L.S5), points=0, wording="Rigid (S2-S5)", source=_LOC),
))
PAIN: Final = Item(key="pain", label="Pain", rows=(
    Row(when=(Pain.MECHANICAL,), points=3, wording="Yes (mechanical pain)", source=_S),
    Row(when=(Pain.OCCASIONAL,), points=1, wording="Occasional pain but not mechanical",
        source=_S),
    Row(when=(Pain.NONE,), points=0, wording="Pain-free lesion", source=_S),
))
BONE_LESION: Final = Item(key="bone_lesion", label="Bone lesion", rows=(
    Row(when=(BoneLesion.LYTIC,), points=2, wording="Lytic", source=_S),
    Row(when=(BoneLesion.MIXED,), points=1, wording="Mixed (lytic/blastic)", source=_S),
    Row(when=(BoneLesion.BLASTIC,), points=0, wording="Blastic", source=_S),
))
ALIGNMENT: Final = Item(key="alignment", label="Radiographic spinal alignment", rows=(
    Row(when=(Alignment.SUBLUXATION,), points=4, wording="Subluxation/translation present",
        source=_S),
    Row(when=(Alignment.DEFORMITY,), points=2, wording="De novo deformity (kyphosis/scoliosis)",
        source=_S),
    Row(when=(Alignment.NORMAL,), points=0, wording="Normal alignment", source=_S),
))
COLLAPSE: Final = Item(key="collapse", label="Vertebral body collapse", rows=(
    Row(when=(Collapse.OVER_50,), points=3, wording="> 50% collapse", source=_S),
    Row(when=(Collapse.UNDER_50,), points=2, wording="< 50% collapse", source=_S),
    Row(when=(Collapse.INVOLVED_OVER_50,), points=1,
        wording="No collapse with > 50% body involved", source=_S),
    Row(when=(Collapse.NONE,), points=0, wording="None of the above", source=_S),
))
POSTEROLATERAL: Final = Item(key="posterolateral",
                             label="Posterolateral involvement of spinal elements", rows=(
    Row(when=(Posterolateral.BILATERAL,), points=3, wording="Bilateral", source=_S),
    Row(when=(Posterolateral.UNILATERAL,), points=1, wording="Unilateral", source=_S),
    Row(when=(Posterolateral.NONE,), points=0, wording="None of the above", source=_S),
))
ITEMS: Final = (LOCATION, PAIN, BONE_LESION, ALIGNMENT, COLLAPSE, POSTEROLATERAL)
#: The lesion field each item reads (location is derived from ``level``).
LESION_FIELDS: Final = ("level", "pain", "bone_lesion", "alignment", "collapse", "posterolateral")

BANDS: Final = (
    BandRow(code=Band.STABLE, lo=0, hi=6, source=_S,
            meaning="Stable: no surgical consultation needed for instability"),
    BandRow(code=Band.POTENTIALLY_UNSTABLE, lo=7, hi=12, source=_S,
            meaning="Indeterminate (possibly impending) instability: surgical consultation"),
    BandRow(code=Band.UNSTABLE, lo=13, hi=18, source=_S,
            meaning="Unstable: surgical consultation recommended"),
)


_FIELDS_OF: Final = operator.attrgetter(*LESION_FIELDS)


def MEMO_KEY(case: Case) -> tuple[tuple[object, ...], ...]:
    """The memo key of :func:`score`: the six SINS fields of every lesion, in order."""
    return tuple([_FIELDS_OF(lesion) for lesion in case.lesions])


def score_lesion(lesion: Lesion, index: int = 0) -> LesionScore:
    """SINS of one lesion; ``incomplete`` naming ``lesions[index].field`` for each absent one."""
    items: list[ItemScore] = []
    missing: list[str] = []
    for item, name in zip(ITEMS, LESION_FIELDS, strict=True):
        value = getattr(lesion, name)
        if value is None:
            missing.append(f"lesions[{index}].{name}")
        else:
            items.append(item_score(item, value))
    if missing:
        return LesionScore(index=index, level=lesion.level, status=Status.INCOMPLETE,
                           missing=tuple(missing))
    return LesionScore(index=index, level=lesion.level, status=Status.COMPLETE,
                       total=sum(i.points for i in items), items=tuple(items))


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """The case's SINS: the maximum over lesions, each lesion's own total reported.

    ``incomplete`` when there are no lesions (missing ``lesions``) or any lesion lacks a SINS
    field (even when the complete lesions already reach 13); nothing is raised.
    """
    check_case(case, "sins.score")
    if not case.lesions:
        return ScoreResult(id=ID, status=Status.INCOMPLETE, citation=CITATION,
                           higher_is_better=HIGHER_IS_BETTER, missing=("lesions",))
    lesions = tuple(score_lesion(lesion, i) for i, lesion in enumerate(case.lesions))
    missing = tuple(m for lesion in lesions for m in lesion.missing)
    if missing:
        return ScoreResult(id=ID, status=Status.INCOMPLETE, citation=CITATION,
                           higher_is_better=HIGHER_IS_BETTER, missing=missing, lesions=lesions)
    worst = max(lesions, key=lambda s: s.total or 0)
    assert worst.total is not None
    return ScoreResult(id=ID, status=Status.COMPLETE, citation=CITATION,
                       higher_is_better=HIGHER_IS_BETTER, total=worst.total, items=worst.items,
                       band=band_for(BANDS, worst.total), lesions=lesions)
