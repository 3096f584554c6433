"""Derived items and thresholds shared by the further instruments.

The derivations (decision ``derived-items``): "solitary skeletal metastasis" (Bauer) and
"multiple skeletal metastases" (Katagiri) come from the two counts (solitary when their sum is 1),
"visceral metastases" is any ``visceral_metastases`` but ``none`` (brain included), Rades' "other
bone metastases" is ``extraspinal_bone_metastases >= 1`` or ``vertebral_metastases >= 2``. A
derived item needs every input it is derived from: a score never completes from a partial input.

A :class:`Cut` is a published threshold on a continuous input (laboratory value, months), with the
paper's operator reproduced exactly and its own source; it is the one place its number is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TypeVar, overload

from attrs import frozen

from ..citations import Evidence, Source, decision
from ..vocab import Code, Histology, VisceralMetastases

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..model import Case

__all__ = [
    "LUNG",
    "OTHER_BONE_CUTS",
    "SOLITARY_SUM",
    "Ambulation",
    "Cut",
    "Finding",
    "SkeletalExtent",
    "ambulation",
    "ambulation_of",
    "finding",
    "finding_of",
    "other_bone_metastases",
    "present",
    "skeletal_extent",
    "visceral_finding",
    "visceral_of",
]

V = TypeVar("V")
R = TypeVar("R")

#: The lung codes of the interchange format (a "lung cancer" row covers all three).
LUNG: Final = (Histology.LUNG, Histology.LUNG_NSCLC, Histology.LUNG_SCLC)


class Finding(Code):
    """A yes/no finding read from the case (visceral metastases, fracture, chemotherapy...)."""

    ABSENT = "absent"
    PRESENT = "present"


class SkeletalExtent(Code):
    """Solitary (the two counts sum to 1) or multiple skeletal metastases."""

    SOLITARY = "solitary"
    MULTIPLE = "multiple"


class Ambulation(Code):
    """``ambulatory``: walks independently, aids allowed (the further instruments' fields)."""

    AMBULATORY = "ambulatory"
    NOT_AMBULATORY = "not_ambulatory"


_OPS: Final = {
    ">=": lambda x, v: x >= v,
    ">": lambda x, v: x > v,
    "<": lambda x, v: x < v,
    "<=": lambda x, v: x <= v,
}


@frozen(kw_only=True)
class Cut:
    """A published threshold ``field op value`` (e.g. ``albumin_g_dl >= 3.5``) and its source."""

    field: str  #: The interchange field it reads.
    op: Literal[">=", ">", "<", "<="]  #: The paper's operator, reproduced exactly.
    value: float
    unit: str  #: The published unit (the field's unit).
    source: Source

    def holds(self, x: float) -> bool:
        """Whether the input *x* meets the threshold."""
        return bool(_OPS[self.op](x, self.value))

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value:g} {self.unit}".rstrip()


_DERIVED = decision("derived-items", Evidence.SECONDARY)

#: "Solitary" skeletal metastasis (Tomita, Bauer, Katagiri): the two counts sum to this.
SOLITARY_SUM: Final = 1
#: Rades' "other bone metastases": present when either count meets its cut.
OTHER_BONE_CUTS: Final = (
    Cut(field="extraspinal_bone_metastases", op=">=", value=1, unit="", source=_DERIVED),
    Cut(field="vertebral_metastases", op=">=", value=2, unit="", source=_DERIVED),
)


@overload
def present(value: V | None, name: str, missing: list[str]) -> V | None: ...
@overload
def present(
    value: V | None, name: str, missing: list[str], convert: Callable[[V], R]
) -> R | None: ...
@overload
def present(
    value: V | None, name: str, missing: list[str], convert: Callable[[V], R] | None
) -> V | R | None: ...
def present(
    value: V | None, name: str, missing: list[str], convert: Callable[[V], R] | None = None
) -> V | R | None:
    """*value* (through *convert*, if given), or ``None`` with *name* appended to *missing* when
    the field is absent: every "absent means missing" read goes through here."""
    if value is None:
        missing.append(name)
        return None
    return value if convert is None else convert(value)


def finding_of(value: bool) -> Finding:
    """A yes/no field's value as a :class:`Finding`."""
    return Finding.PRESENT if value else Finding.ABSENT


def visceral_of(value: VisceralMetastases) -> Finding:
    """Visceral metastases present: any ``visceral_metastases`` but ``none`` (brain included)."""
    return Finding.ABSENT if value is VisceralMetastases.NONE else Finding.PRESENT


def ambulation_of(value: bool) -> Ambulation:
    """``ambulatory`` as an :class:`Ambulation`."""
    return Ambulation.AMBULATORY if value else Ambulation.NOT_AMBULATORY


def finding(value: bool | None, name: str, missing: list[str]) -> Finding | None:
    """A boolean field as a :class:`Finding`; ``None`` (and *name* missing) when absent."""
    return present(value, name, missing, finding_of)


def visceral_finding(case: Case, missing: list[str]) -> Finding | None:
    """:func:`visceral_of` of the case; ``None`` (and the field missing) when absent."""
    return present(case.tumour.visceral_metastases, "visceral_metastases", missing, visceral_of)


def _counts(case: Case, missing: list[str]) -> tuple[int, int] | None:
    """Both bone counts; ``None`` (every absent one missing) unless both are present."""
    extraspinal = present(
        case.tumour.extraspinal_bone_metastases, "extraspinal_bone_metastases", missing
    )
    vertebral = present(case.tumour.vertebral_metastases, "vertebral_metastases", missing)
    if extraspinal is None or vertebral is None:
        return None
    return extraspinal, vertebral


def skeletal_extent(case: Case, missing: list[str]) -> SkeletalExtent | None:
    """Solitary when ``extraspinal_bone_metastases + vertebral_metastases == 1``; both needed.

    ``bone_metastases_isolated`` affects Tomita only (interchange format).
    """
    counts = _counts(case, missing)
    if counts is None:
        return None
    return SkeletalExtent.SOLITARY if sum(counts) == SOLITARY_SUM else SkeletalExtent.MULTIPLE


def other_bone_metastases(case: Case, missing: list[str]) -> Finding | None:
    """Rades: present when ``extraspinal_bone_metastases >= 1`` or ``vertebral_metastases >= 2``.

    Both counts are required, even when one already implies "present".
    """
    counts = _counts(case, missing)
    if counts is None:
        return None
    present = any(cut.holds(count) for cut, count in zip(OTHER_BONE_CUTS, counts, strict=True))
    return Finding.PRESENT if present else Finding.ABSENT


def ambulation(case: Case, missing: list[str]) -> Ambulation | None:
    """:func:`ambulation_of` of the case; ``None`` (and ``ambulatory`` missing) if absent."""
    return present(case.neurology.ambulatory, "ambulatory", missing, ambulation_of)
