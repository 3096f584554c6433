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

import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
from attrs import field, frozen

from ._fields import group_fields
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


def _validate(obj: object, group: Group, prefix: str = "") -> None:
    problems = [
        spec.problem(prefix + spec.name, value)
        for spec in group_fields(group)
        if (value := getattr(obj, spec.name)) is not None and not spec.is_valid(value)
    ]
    if problems:
        raise InvalidInputError(problems)


def _member(codes: type[enum.Enum], value: object) -> Any:
    """An interchange code string becomes its enum member; anything else is kept as given, for
    validation to report (with a suggestion for a near-miss code)."""
    if type(value) is str:
        return codes._value2member_map_.get(value, value)
    return value


# attrs converters (named functions, so that type checkers see ``str`` is accepted too)
def _histology(value: Histology | str | None) -> Histology | None:
    return _member(Histology, value)  # type: ignore[no-any-return]


def _tomita_growth(value: TomitaGrowth | str | None) -> TomitaGrowth | None:
    return _member(TomitaGrowth, value)  # type: ignore[no-any-return]


def _radiosensitivity(value: Radiosensitivity | str | None) -> Radiosensitivity | None:
    return _member(Radiosensitivity, value)  # type: ignore[no-any-return]


def _visceral_metastases(value: VisceralMetastases | str | None) -> VisceralMetastases | None:
    return _member(VisceralMetastases, value)  # type: ignore[no-any-return]


def _katagiri_group(value: KatagiriGroup | str | None) -> KatagiriGroup | None:
    return _member(KatagiriGroup, value)  # type: ignore[no-any-return]


def _katagiri_visceral(value: KatagiriVisceral | str | None) -> KatagiriVisceral | None:
    return _member(KatagiriVisceral, value)  # type: ignore[no-any-return]


def _katagiri_laboratory(
    value: KatagiriLaboratory | str | None,
) -> KatagiriLaboratory | None:
    return _member(KatagiriLaboratory, value)  # type: ignore[no-any-return]


def _frankel(value: Frankel | str | None) -> Frankel | None:
    return _member(Frankel, value)  # type: ignore[no-any-return]


def _ecog_to_kps(value: EcogToKps | str | None) -> EcogToKps | None:
    return _member(EcogToKps, value)  # type: ignore[no-any-return]


def _spinal_level(value: SpinalLevel | str | None) -> SpinalLevel | None:
    return _member(SpinalLevel, value)  # type: ignore[no-any-return]


def _pain(value: Pain | str | None) -> Pain | None:
    return _member(Pain, value)  # type: ignore[no-any-return]


def _bone_lesion(value: BoneLesion | str | None) -> BoneLesion | None:
    return _member(BoneLesion, value)  # type: ignore[no-any-return]


def _alignment(value: Alignment | str | None) -> Alignment | None:
    return _member(Alignment, value)  # type: ignore[no-any-return]


def _collapse(value: Collapse | str | None) -> Collapse | None:
    return _member(Collapse, value)  # type: ignore[no-any-return]


def _posterolateral(value: Posterolateral | str | None) -> Posterolateral | None:
    return _member(Posterolateral, value)  # type: ignore[no-any-return]


def _escc_grade(value: EsccGrade | str | None) -> EsccGrade | None:
    return _member(EsccGrade, value)  # type: ignore[no-any-return]


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
        _validate(self, "tumour")


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
        _validate(self, "neurology")


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
        _validate(self, "systemic")


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
        _validate(self, "laboratory")


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
        _validate(self, "lesion")


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


_T = TypeVar("_T")
_BUILDERS: dict[type[Any], Callable[[dict[str, Any]], Any]] = {}


def _trusted(cls: type[_T], values: dict[str, Any]) -> _T:
    """Build *cls* from values already validated by the strict parser, skipping re-validation.

    Only :mod:`spinemets.interchange` calls this, with values that passed the same field table
    the constructors check; everyone else goes through the validating constructor.
    """
    build = _BUILDERS.get(cls)
    if build is None:
        build = _BUILDERS[cls] = _builder(cls)
    return build(values)  # type: ignore[no-any-return]


def _builder(cls: type[Any]) -> Callable[[dict[str, Any]], Any]:
    """Generate ``build(values)`` for *cls*: one unrolled ``object.__setattr__`` per field."""
    names: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "_cls": cls,
                             "_absent": object()}
    lines = ["def build(values):", "    inst = _new(_cls)", "    get = values.get"]
    for i, f in enumerate(attrs.fields(cls)):
        if not f.init:  # pragma: no cover - the value types have no such field
            continue
        names[f"_d{i}"] = f.default
        if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            names[f"_f{i}"] = f.default.factory
            lines.append(f"    value = get({f.name!r}, _absent)")
            lines.append(f"    _set(inst, {f.name!r}, _f{i}() if value is _absent else value)")
        else:
            lines.append(f"    _set(inst, {f.name!r}, get({f.name!r}, _d{i}))")
    lines.append("    return inst")
    exec("\n".join(lines), names)
    return names["build"]  # type: ignore[no-any-return]
