"""Immutable input value types: the tumour, a lesion, neurology, systemic status, and the case.

Every field is optional because no single score needs all of them; ``None`` means *not assessed*
and is never scored as zero. Values are validated at construction: a bad value raises
:class:`~spinemets.exceptions.InvalidInputError`, which names every offending field and what it
allows. Use :meth:`Case.from_dict` to read the interchange form (strings for codes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

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
        Problem(prefix + spec.name, "must be " + spec.allowed, echo(value))
        for spec in group_fields(group)
        if (value := getattr(obj, spec.name)) is not None and not spec.is_valid(value)
    ]
    if problems:
        raise InvalidInputError(problems)


@frozen(kw_only=True)
class Tumour:
    """The primary tumour and the extent of metastatic disease.

    .. versionadded:: 0.1.0
    """

    histology: Histology | None = None  #: Primary tumour (interchange §2).
    tomita_growth: TomitaGrowth | None = None  #: Explicit growth class; overrides histology.
    radiosensitivity: Radiosensitivity | None = None  #: Explicit; overrides histology.
    visceral_metastases: VisceralMetastases | None = None
    extraspinal_bone_metastases: int | None = None  #: Bone foci outside the spine (>= 0).
    vertebral_metastases: int | None = None  #: Vertebrae with metastases (>= 1).
    bone_metastases_isolated: bool = False  #: Tomita's "isolated" (scored like solitary).
    pathologic_fracture: bool | None = None  #: Bauer 1995.
    previous_chemotherapy: bool | None = None  #: Previous cytotoxic chemotherapy (Katagiri).
    katagiri_group: KatagiriGroup | None = None  #: Explicit Katagiri group; overrides histology.
    katagiri_visceral: KatagiriVisceral | None = None  #: Katagiri visceral item.
    months_diagnosis_to_mscc: float | None = None  #: Tumour diagnosis to MSCC (Rades), >= 0.

    def __attrs_post_init__(self) -> None:
        _validate(self, "tumour")


@frozen(kw_only=True)
class Neurology:
    """Neurological status.

    .. versionadded:: 0.1.0
    """

    frankel: Frankel | None = None
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
    """

    kps: int | None = None  #: Karnofsky 10, 20, ..., 100.
    ecog: int | None = None  #: ECOG 0-4.
    ecog_to_kps: EcogToKps | None = None  #: Named conversion used when kps is absent.
    fit_for_surgery: bool | None = None

    def __attrs_post_init__(self) -> None:
        _validate(self, "systemic")


@frozen(kw_only=True)
class Laboratory:
    """Laboratory values for the further instruments (interchange §1.2; units in the names).

    .. versionadded:: 0.1.0
    """

    albumin_g_dl: float | None = None  #: Serum albumin, g/dL (> 0).
    crp_mg_dl: float | None = None  #: C-reactive protein, mg/dL.
    ldh_u_l: float | None = None  #: Lactate dehydrogenase, U/L.
    platelets_10e9_l: float | None = None  #: Platelets, 10^9/L (100 = 100,000/uL).
    calcium_mg_dl: float | None = None  #: Serum calcium, mg/dL (corrected where available).
    bilirubin_mg_dl: float | None = None  #: Total bilirubin, mg/dL.
    #: Katagiri's laboratory item as recorded; overrides the six values.
    katagiri_laboratory: KatagiriLaboratory | None = None

    def __attrs_post_init__(self) -> None:
        _validate(self, "laboratory")


@frozen(kw_only=True)
class Lesion:
    """One spinal lesion: the SINS components read from imaging and its ESCC grade.

    .. versionadded:: 0.1.0
    """

    level: SpinalLevel | None = None
    pain: Pain | None = None
    bone_lesion: BoneLesion | None = None
    alignment: Alignment | None = None
    collapse: Collapse | None = None
    posterolateral: Posterolateral | None = None
    escc: EsccGrade | None = None

    def __attrs_post_init__(self) -> None:
        _validate(self, "lesion")


def _lesions(value: Any) -> tuple[Lesion, ...]:
    return tuple(value)


@frozen(kw_only=True)
class Case:
    """One patient's case: everything the scores and the recommender read.

    ``lesions`` lists the lesions being assessed; an empty tuple means none were assessed.

    .. versionadded:: 0.1.0
    """

    tumour: Tumour = field(factory=Tumour)
    neurology: Neurology = field(factory=Neurology)
    systemic: Systemic = field(factory=Systemic)
    laboratory: Laboratory = field(factory=Laboratory)
    lesions: tuple[Lesion, ...] = field(default=(), converter=_lesions)

    def __attrs_post_init__(self) -> None:
        problems = [
            Problem(name, f"must be a {kind.__name__}", echo(value))
            for name, kind, value in (
                ("tumour", Tumour, self.tumour),
                ("neurology", Neurology, self.neurology),
                ("systemic", Systemic, self.systemic),
                ("laboratory", Laboratory, self.laboratory),
            )
            if not isinstance(value, kind)
        ]
        problems += [
            Problem(f"lesions[{i}]", "must be a Lesion", echo(lesion))
            for i, lesion in enumerate(self.lesions)
            if not isinstance(lesion, Lesion)
        ]
        if problems:
            raise InvalidInputError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Case:
        """Read a case in the interchange form (interchange §1), strictly.

        Raises:
            InvalidInputError: naming every invalid field path and what it allows.
        """
        from .interchange import parse_case

        return parse_case(data)

    def to_dict(self) -> dict[str, Any]:
        """The interchange form; fields that were not assessed are left out."""
        from .interchange import case_to_dict

        return case_to_dict(self)


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
