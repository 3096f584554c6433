"""Immutable input value types: the tumour, a lesion, neurology, systemic status, and the case.

Every field is optional because no single score needs all of them; ``None`` means *not assessed*
and is never scored as zero. Values are validated at construction: a bad value raises
:class:`~spinemets.exceptions.InvalidInputError`, which names every offending field and what it
allows. Coded fields take the enum member or its interchange code (``Tumour(histology="kidney")``
is ``Tumour(histology=Histology.KIDNEY)``); a near-miss code is an error that suggests the code
(``"Kidney"``: did you mean ``"kidney"``). Use :meth:`Case.from_dict` to read a whole case in the
interchange form.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from attrs import field, frozen

from ._fields import FieldSpec, group_fields
from .exceptions import InvalidInputError, Problem, echo
from .vocab import (
    Alignment,
    BoneLesion,
    Collapse,
    EcogToKps,
    EsccGrade,
    Frankel,
    Histology,
    KatagiriGroup,
    KatagiriLaboratory,
    KatagiriVisceral,
    Pain,
    Posterolateral,
    Radiosensitivity,
    SpinalLevel,
    TomitaGrowth,
    VisceralMetastases,
)

if TYPE_CHECKING:
    from ._fields import Group

__all__ = ["Case", "Laboratory", "Lesion", "Neurology", "Systemic", "Tumour"]


@frozen
class _Checks:
    """The precomputed checks of one value type: one getter for every field's value, and per field
    the exact type every valid value has (an enum for a code field, ``bool``; ``None`` for a number,
    whose bounds the spec checks) with its spec."""

    values: Callable[[object], tuple[Any, ...]]
    fields: tuple[tuple[type[Any] | None, FieldSpec], ...]


def _checks(group: Group) -> _Checks:
    """The check list of one value type (built once, at import)."""
    specs = group_fields(group)
    names = [spec.name for spec in specs]
    return _Checks(
        operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),),
        tuple(
            (spec.codes if spec.kind == "code" else bool if spec.kind == "bool" else None, spec)
            for spec in specs
        ),
    )


def _validate(obj: object, checks: _Checks) -> None:
    """Raise naming every invalid field of *obj*: an absent (``None``) field costs one test, a code
    or boolean one type test, a number its bounds."""
    problems: list[Problem] = []
    for value, (exact, spec) in zip(checks.values(obj), checks.fields, strict=True):
        if (
            value is not None
            and type(value) is not exact
            and (exact is not None or not spec.is_valid(value))
        ):
            problems.append(spec.problem(spec.name, value))
    if problems:
        raise InvalidInputError(problems)


_TUMOUR_CHECKS: Final = _checks("tumour")
_NEUROLOGY_CHECKS: Final = _checks("neurology")
_SYSTEMIC_CHECKS: Final = _checks("systemic")
_LABORATORY_CHECKS: Final = _checks("laboratory")
_LESION_CHECKS: Final = _checks("lesion")


# attrs converters: an interchange code string becomes its enum member; anything else is kept as
# given, for validation to report (with a suggestion for a near-miss code). Named functions, so
# that type checkers see ``str`` is accepted too; one call each, since every value passes here.
_HISTOLOGY: Final[dict[str, Any]] = Histology._value2member_map_


def _histology(value: Histology | str | None) -> Histology | None:
    if type(value) is str:
        value = _HISTOLOGY.get(value, value)
    return value  # type: ignore[return-value]


_TOMITA_GROWTH: Final[dict[str, Any]] = TomitaGrowth._value2member_map_


def _tomita_growth(value: TomitaGrowth | str | None) -> TomitaGrowth | None:
    if type(value) is str:
        value = _TOMITA_GROWTH.get(value, value)
    return value  # type: ignore[return-value]


_RADIOSENSITIVITY: Final[dict[str, Any]] = Radiosensitivity._value2member_map_


def _radiosensitivity(value: Radiosensitivity | str | None) -> Radiosensitivity | None:
    if type(value) is str:
        value = _RADIOSENSITIVITY.get(value, value)
    return value  # type: ignore[return-value]


_VISCERAL_METASTASES: Final[dict[str, Any]] = VisceralMetastases._value2member_map_


def _visceral_metastases(value: VisceralMetastases | str | None) -> VisceralMetastases | None:
    if type(value) is str:
        value = _VISCERAL_METASTASES.get(value, value)
    return value  # type: ignore[return-value]


_KATAGIRI_GROUP: Final[dict[str, Any]] = KatagiriGroup._value2member_map_


def _katagiri_group(value: KatagiriGroup | str | None) -> KatagiriGroup | None:
    if type(value) is str:
        value = _KATAGIRI_GROUP.get(value, value)
    return value  # type: ignore[return-value]


_KATAGIRI_VISCERAL: Final[dict[str, Any]] = KatagiriVisceral._value2member_map_


def _katagiri_visceral(value: KatagiriVisceral | str | None) -> KatagiriVisceral | None:
    if type(value) is str:
        value = _KATAGIRI_VISCERAL.get(value, value)
    return value  # type: ignore[return-value]


_KATAGIRI_LABORATORY: Final[dict[str, Any]] = KatagiriLaboratory._value2member_map_


def _katagiri_laboratory(value: KatagiriLaboratory | str | None) -> KatagiriLaboratory | None:
    if type(value) is str:
        value = _KATAGIRI_LABORATORY.get(value, value)
    return value  # type: ignore[return-value]


_FRANKEL: Final[dict[str, Any]] = Frankel._value2member_map_


def _frankel(value: Frankel | str | None) -> Frankel | None:
    if type(value) is str:
        value = _FRANKEL.get(value, value)
    return value  # type: ignore[return-value]


_ECOG_TO_KPS: Final[dict[str, Any]] = EcogToKps._value2member_map_


def _ecog_to_kps(value: EcogToKps | str | None) -> EcogToKps | None:
    if type(value) is str:
        value = _ECOG_TO_KPS.get(value, value)
    return value  # type: ignore[return-value]


_SPINAL_LEVEL: Final[dict[str, Any]] = SpinalLevel._value2member_map_


def _spinal_level(value: SpinalLevel | str | None) -> SpinalLevel | None:
    if type(value) is str:
        value = _SPINAL_LEVEL.get(value, value)
    return value  # type: ignore[return-value]


_PAIN: Final[dict[str, Any]] = Pain._value2member_map_


def _pain(value: Pain | str | None) -> Pain | None:
    if type(value) is str:
        value = _PAIN.get(value, value)
    return value  # type: ignore[return-value]


_BONE_LESION: Final[dict[str, Any]] = BoneLesion._value2member_map_


def _bone_lesion(value: BoneLesion | str | None) -> BoneLesion | None:
    if type(value) is str:
        value = _BONE_LESION.get(value, value)
    return value  # type: ignore[return-value]


_ALIGNMENT: Final[dict[str, Any]] = Alignment._value2member_map_


def _alignment(value: Alignment | str | None) -> Alignment | None:
    if type(value) is str:
        value = _ALIGNMENT.get(value, value)
    return value  # type: ignore[return-value]


_COLLAPSE: Final[dict[str, Any]] = Collapse._value2member_map_


def _collapse(value: Collapse | str | None) -> Collapse | None:
    if type(value) is str:
        value = _COLLAPSE.get(value, value)
    return value  # type: ignore[return-value]


_POSTEROLATERAL: Final[dict[str, Any]] = Posterolateral._value2member_map_


def _posterolateral(value: Posterolateral | str | None) -> Posterolateral | None:
    if type(value) is str:
        value = _POSTEROLATERAL.get(value, value)
    return value  # type: ignore[return-value]


_ESCC_GRADE: Final[dict[str, Any]] = EsccGrade._value2member_map_


def _escc_grade(value: EsccGrade | str | None) -> EsccGrade | None:
    if type(value) is str:
        value = _ESCC_GRADE.get(value, value)
    return value  # type: ignore[return-value]


@frozen(kw_only=True)
class Tumour:
    """The primary tumour and the extent of metastatic disease.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Coded fields take their interchange code too.
    """

    #: Primary tumour (see the histology codes in the interchange docs).
    histology: Histology | None = field(default=None, converter=_histology)
    #: Explicit growth class; overrides histology.
    tomita_growth: TomitaGrowth | None = field(default=None, converter=_tomita_growth)
    #: Explicit; overrides histology.
    radiosensitivity: Radiosensitivity | None = field(
        default=None, converter=_radiosensitivity
    )
    visceral_metastases: VisceralMetastases | None = field(
        default=None, converter=_visceral_metastases
    )
    extraspinal_bone_metastases: int | None = None  #: Bone foci outside the spine (>= 0).
    vertebral_metastases: int | None = None  #: Vertebrae with metastases (>= 1).
    bone_metastases_isolated: bool = False  #: Tomita's "isolated" (scored like solitary).
    pathologic_fracture: bool | None = None  #: Bauer 1995.
    previous_chemotherapy: bool | None = None  #: Previous cytotoxic chemotherapy (Katagiri).
    #: Explicit Katagiri group; overrides histology.
    katagiri_group: KatagiriGroup | None = field(default=None, converter=_katagiri_group)
    #: Katagiri visceral item.
    katagiri_visceral: KatagiriVisceral | None = field(
        default=None, converter=_katagiri_visceral
    )
    months_diagnosis_to_mscc: float | None = None  #: Tumour diagnosis to MSCC (Rades), >= 0.

    def __attrs_post_init__(self) -> None:
        _validate(self, _TUMOUR_CHECKS)


@frozen(kw_only=True)
class Neurology:
    """Neurological status.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Coded fields take their interchange code too.
    """

    frankel: Frankel | None = field(default=None, converter=_frankel)
    myelopathy: bool | None = None
    radiculopathy: bool | None = None
    ambulatory: bool | None = None  #: Walks independently, aids allowed (NESMS, Rades).
    motor_deficit_days: int | None = None  #: Days developing motor deficit; 0 = none (Rades).

    def __attrs_post_init__(self) -> None:
        _validate(self, _NEUROLOGY_CHECKS)


@frozen(kw_only=True)
class Systemic:
    """Performance status and fitness for surgery (NOMS S, a clinician's judgement).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Coded fields take their interchange code too.
    """

    kps: int | None = None  #: Karnofsky 10, 20, ..., 100.
    ecog: int | None = None  #: ECOG 0-4.
    #: Named conversion used when kps is absent.
    ecog_to_kps: EcogToKps | None = field(default=None, converter=_ecog_to_kps)
    fit_for_surgery: bool | None = None

    def __attrs_post_init__(self) -> None:
        _validate(self, _SYSTEMIC_CHECKS)


@frozen(kw_only=True)
class Laboratory:
    """Laboratory values for the further instruments (units in the names).

    .. versionadded:: 0.1.0
    """

    albumin_g_dl: float | None = None  #: Serum albumin, g/dL (> 0).
    crp_mg_dl: float | None = None  #: C-reactive protein, mg/dL.
    ldh_u_l: float | None = None  #: Lactate dehydrogenase, U/L.
    platelets_10e9_l: float | None = None  #: Platelets, 10^9/L (100 = 100,000/uL).
    calcium_mg_dl: float | None = None  #: Serum calcium, mg/dL (corrected where available).
    bilirubin_mg_dl: float | None = None  #: Total bilirubin, mg/dL.
    #: Katagiri's laboratory item as recorded; overrides the six values.
    katagiri_laboratory: KatagiriLaboratory | None = field(
        default=None, converter=_katagiri_laboratory
    )

    def __attrs_post_init__(self) -> None:
        _validate(self, _LABORATORY_CHECKS)


@frozen(kw_only=True)
class Lesion:
    """One spinal lesion: the SINS components read from imaging and its ESCC grade.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Coded fields take their interchange code too.
    """

    level: SpinalLevel | None = field(default=None, converter=_spinal_level)
    pain: Pain | None = field(default=None, converter=_pain)
    bone_lesion: BoneLesion | None = field(default=None, converter=_bone_lesion)
    alignment: Alignment | None = field(default=None, converter=_alignment)
    collapse: Collapse | None = field(default=None, converter=_collapse)
    posterolateral: Posterolateral | None = field(default=None, converter=_posterolateral)
    escc: EsccGrade | None = field(default=None, converter=_escc_grade)

    def __attrs_post_init__(self) -> None:
        _validate(self, _LESION_CHECKS)


def _lesions(value: Any) -> tuple[Lesion, ...]:
    """A list or tuple becomes a tuple; anything else is kept for validation to report."""
    if type(value) is tuple:
        return value
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value  # type: ignore[no-any-return]


@frozen(kw_only=True)
class Case:
    """One patient's case: everything the scores and the recommender read.

    ``lesions`` lists the lesions being assessed; an empty tuple means none were assessed.
    ``id`` is the record's identity (a string of 1-200 characters or an integer): never
    interpreted, echoed as ``"id"`` in the result so results can be joined back to their inputs.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``id``.
    """

    tumour: Tumour = field(factory=Tumour)
    neurology: Neurology = field(factory=Neurology)
    systemic: Systemic = field(factory=Systemic)
    laboratory: Laboratory = field(factory=Laboratory)
    lesions: tuple[Lesion, ...] = field(default=(), converter=_lesions)
    id: str | int | None = None  #: The record's identity, echoed in its result.

    def __attrs_post_init__(self) -> None:
        lesions = self.lesions
        if (  # the common case in one test: every part of its type, a valid id
            type(lesions) is tuple
            and isinstance(self.tumour, Tumour)
            and isinstance(self.neurology, Neurology)
            and isinstance(self.systemic, Systemic)
            and isinstance(self.laboratory, Laboratory)
            and all(isinstance(lesion, Lesion) for lesion in lesions)
            and valid_id(self.id)
        ):
            return
        problems = [] if valid_id(self.id) else [id_problem(self.id)]
        problems += [
            Problem(name, f"must be a {kind.__name__}" + (
                " (use Case.from_dict for the interchange form)"
                if isinstance(value, Mapping) else ""), echo(value))
            for name, kind, value in (
                ("tumour", Tumour, self.tumour),
                ("neurology", Neurology, self.neurology),
                ("systemic", Systemic, self.systemic),
                ("laboratory", Laboratory, self.laboratory),
            )
            if not isinstance(value, kind)
        ]
        if not isinstance(self.lesions, tuple):
            problems.append(Problem("lesions", "must be a list or tuple of Lesion objects",
                                    echo(self.lesions)))
        else:
            problems += [
                Problem(f"lesions[{i}]", "must be a Lesion" + (
                    " (use Case.from_dict for the interchange form)"
                    if isinstance(lesion, Mapping) else ""), echo(lesion))
                for i, lesion in enumerate(self.lesions)
                if not isinstance(lesion, Lesion)
            ]
        if problems:
            raise InvalidInputError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Case:
        """Read a case in the interchange form (see :doc:`/interchange`), strictly.

        Raises:
            InvalidInputError: naming every invalid field path and what it allows.
        """
        from .interchange import parse_case

        return parse_case(data)

    def to_dict(self) -> dict[str, Any]:
        """The interchange form; fields that were not assessed are left out."""
        from .interchange import case_to_dict

        return case_to_dict(self)

    def _repr_html_(self) -> str:
        from .display import case_html

        return case_html(self)


#: What a case ``id`` may be (interchange additions: record identity).
ID_ALLOWED: Final = "must be a string of 1-200 characters or an integer (below 2**53 in magnitude)"


def valid_id(value: object) -> bool:
    """Whether *value* is a valid case ``id`` (``None``, absent, is valid)."""
    if value is None:
        return True
    if type(value) is str:
        return 1 <= len(value) <= 200
    return type(value) is int and -(2**53) < value < 2**53


def id_problem(value: object) -> Problem:
    """The error of an invalid case ``id``."""
    return Problem("id", ID_ALLOWED, echo(value))

