"""One definition of every interchange field: its group, type, allowed values and meaning.

This table drives construction-time validation of the value types, strict parsing of dicts and
JSON (:mod:`spinemets.interchange`), the JSON Schema and the DataFrame columns, so the rules are
written once.
"""

from __future__ import annotations

import enum
import functools
import math
from typing import Any, Final, Literal

from attrs import frozen

from .exceptions import Problem, echo
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

Kind = Literal["code", "int", "number", "bool"]
Group = Literal["tumour", "neurology", "systemic", "laboratory", "lesion"]

_MISSING: Final = object()

#: Every integer, in any field (a count, ``kps``, a laboratory value, a case ``id``), lies strictly
#: within +-2**53, the integers a JSON number (an IEEE double) holds exactly; anything beyond is
#: an error of its field at parse time, so no scale meets a number it cannot hold.
SAFE_INTEGER: Final = 2**53


def safe_integer(value: int) -> bool:
    """Whether the integer *value* lies strictly within +-2**53."""
    return -SAFE_INTEGER < value < SAFE_INTEGER


@frozen(kw_only=True)
class FieldSpec:
    """An interchange field: name, value type and bounds, and the value type it lives on."""

    name: str
    group: Group
    kind: Kind
    description: str
    codes: type[enum.Enum] | None = None
    minimum: float | None = None  #: Inclusive lower bound.
    exclusive_minimum: float | None = None
    maximum: float | None = None  #: Inclusive upper bound.
    multiple_of: int | None = None

    @property
    def allowed(self) -> str:
        """What the field accepts, for error messages."""
        if self.kind == "code":
            assert self.codes is not None
            values = [m.value for m in self.codes]
            if self.codes is SpinalLevel:
                return "one of C1-C7, T1-T12, L1-L5, S1-S5 (upper case)"
            return "one of " + ", ".join(f'"{v}"' for v in values)
        if self.kind == "bool":
            return "true or false"
        noun = "an integer" if self.kind == "int" else "a finite number"
        if self.multiple_of and self.minimum is not None and self.maximum is not None:
            lo, hi, step = int(self.minimum), int(self.maximum), self.multiple_of
            return f"{noun} {lo}, {lo + step}, ..., {hi}"
        if self.minimum is not None and self.maximum is not None:
            return f"{noun} from {_num(self.minimum)} to {_num(self.maximum)}"
        if self.minimum is not None:
            return f"{noun} >= {_num(self.minimum)}"
        if self.exclusive_minimum is not None:
            return f"{noun} > {_num(self.exclusive_minimum)}"
        return noun  # pragma: no cover - every number field has a bound

    def in_range(self, value: float) -> bool:
        """Whether a number lies within the field's minimum and maximum (its step not checked)."""
        if self.minimum is not None and value < self.minimum:
            return False
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            return False
        return self.maximum is None or value <= self.maximum

    def in_bounds(self, value: float) -> bool:
        """Whether a number of the right type lies within the field's bounds."""
        if not self.in_range(value):
            return False
        return not (self.multiple_of and int(value) % self.multiple_of)

    def is_valid(self, value: Any) -> bool:
        """Whether *value* (already typed: enum member, int, float, bool) is allowed."""
        if self.kind == "code":
            return isinstance(value, self.codes)  # type: ignore[arg-type]
        if self.kind == "bool":
            return type(value) is bool
        if type(value) is int:
            return -SAFE_INTEGER < value < SAFE_INTEGER and self.in_bounds(value)
        if self.kind == "int":
            return False
        return type(value) is float and math.isfinite(value) and self.in_bounds(value)

    def problem(self, path: str, value: Any) -> Problem:
        """The error of an invalid *value* at *path*: what the field allows, what was given, and
        a suggestion when one is close (``"Kidney"`` -> did you mean ``"kidney"``)."""
        got = echo(value)
        hint = self.hint(value)
        return Problem(path, self.must(value), f"{got}; {hint}" if hint else got)

    def hint(self, value: Any) -> str | None:
        """A short "did you mean" for a near-miss value, or ``None`` (offered, never accepted)."""
        from ._suggest import suggest_code

        if self.kind == "code":
            assert self.codes is not None
            code = suggest_code(self.name, value, [str(m.value) for m in self.codes])
            return f'did you mean "{code}"?' if code is not None else None
        if self.kind == "bool":
            code = suggest_code(self.name, value, ["true", "false"])
            return f"did you mean {code}?" if code is not None else None
        if (
            self.multiple_of
            and (type(value) is int or (type(value) is float and math.isfinite(value)))
            and self.minimum is not None
            and self.maximum is not None
            and self.minimum <= value <= self.maximum
        ):
            step = self.multiple_of
            lo = int(value // step * step)
            near = [n for n in (lo, lo + step) if self.minimum <= n <= self.maximum and n != value]
            label = self.name.upper() if len(self.name) <= 4 else self.name
            options = " or ".join(str(n) for n in near)
            return f"{label} is recorded in steps of {step}" + (
                f": did you mean {options}?" if options else ""
            )
        return None

    def parse(self, raw: Any) -> Any:
        """Read a JSON value strictly; return the typed value or ``_MISSING``."""
        kind = self.kind
        if kind == "code":
            if type(raw) is str:
                member = self.codes._value2member_map_.get(raw)  # type: ignore[union-attr]
                if member is not None:
                    return member
            return _MISSING
        if kind == "bool":
            return raw if type(raw) is bool else _MISSING
        if type(raw) is int:
            return raw if -SAFE_INTEGER < raw < SAFE_INTEGER and self.in_bounds(raw) else _MISSING
        if type(raw) is float and math.isfinite(raw):
            if kind == "int":
                if raw.is_integer() and -SAFE_INTEGER < raw < SAFE_INTEGER and self.in_bounds(raw):
                    return int(raw)
                return _MISSING
            if raw == 0:
                raw = 0.0  # -0.0 is 0.0: one value, one memo key, one text ("0 months")
            return raw if self.in_bounds(raw) else _MISSING
        return _MISSING

    def must(self, raw: Any) -> str:
        """The error text for *raw*, a value :meth:`parse` refused: what the field allows."""
        text = "must be " + self.allowed
        if (
            (type(raw) is int or (self.kind == "int" and type(raw) is float and math.isfinite(raw)))
            and self.kind in ("int", "number")
            and not -SAFE_INTEGER < raw < SAFE_INTEGER
            and self.in_bounds(raw)
        ):
            text += " (numbers are limited to less than 2**53 in magnitude)"
        return text


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _code(name: str, group: Group, codes: type[enum.Enum], description: str) -> FieldSpec:
    return FieldSpec(name=name, group=group, kind="code", codes=codes, description=description)


CASE_FIELDS: Final[tuple[FieldSpec, ...]] = (
    _code("histology", "tumour", Histology, "Primary tumour (a histology code)."),
    _code(
        "tomita_growth",
        "tumour",
        TomitaGrowth,
        "Explicit Tomita growth class; overrides the default from histology.",
    ),
    _code(
        "radiosensitivity",
        "tumour",
        Radiosensitivity,
        "Explicit response to conventional radiotherapy; overrides the histology default.",
    ),
    FieldSpec(
        name="kps",
        group="systemic",
        kind="int",
        minimum=10,
        maximum=100,
        multiple_of=10,
        description="Karnofsky performance status (0 = dead is not a valid input).",
    ),
    FieldSpec(
        name="ecog",
        group="systemic",
        kind="int",
        minimum=0,
        maximum=4,
        description="ECOG performance status; used for KPS only through a named conversion.",
    ),
    _code(
        "ecog_to_kps",
        "systemic",
        EcogToKps,
        "The published ECOG-to-KPS conversion to use when kps is absent.",
    ),
    _code(
        "visceral_metastases",
        "tumour",
        VisceralMetastases,
        "Metastases to major internal organs (lung, liver, kidney, brain).",
    ),
    FieldSpec(
        name="extraspinal_bone_metastases",
        group="tumour",
        kind="int",
        minimum=0,
        description="Number of bone metastatic foci outside the spine.",
    ),
    FieldSpec(
        name="vertebral_metastases",
        group="tumour",
        kind="int",
        minimum=1,
        description="Number of vertebrae with metastases.",
    ),
    FieldSpec(
        name="bone_metastases_isolated",
        group="tumour",
        kind="bool",
        description="Tomita's 'isolated': bone lesions confined to one region (default false).",
    ),
    _code("frankel", "neurology", Frankel, "Frankel grade (neurological status)."),
    FieldSpec(
        name="myelopathy", group="neurology", kind="bool", description="Clinical myelopathy."
    ),
    FieldSpec(
        name="radiculopathy",
        group="neurology",
        kind="bool",
        description="Functional radiculopathy.",
    ),
    FieldSpec(
        name="fit_for_surgery",
        group="systemic",
        kind="bool",
        description="NOMS S: the patient can tolerate open surgery (a clinician's judgement).",
    ),
    # Fields for the further instruments (additive to version 1).
    FieldSpec(
        name="pathologic_fracture",
        group="tumour",
        kind="bool",
        description="Pathologic fracture (Bauer 1995).",
    ),
    FieldSpec(
        name="ambulatory",
        group="neurology",
        kind="bool",
        description="Walks independently, aids allowed (NESMS, Rades).",
    ),
    FieldSpec(
        name="albumin_g_dl",
        group="laboratory",
        kind="number",
        exclusive_minimum=0,
        description="Serum albumin in g/dL (35 g/L = 3.5 g/dL; NESMS, Katagiri).",
    ),
    FieldSpec(
        name="crp_mg_dl",
        group="laboratory",
        kind="number",
        minimum=0,
        description="C-reactive protein in mg/dL (4 mg/L = 0.4 mg/dL; Katagiri).",
    ),
    FieldSpec(
        name="ldh_u_l",
        group="laboratory",
        kind="number",
        minimum=0,
        description="Lactate dehydrogenase in U/L (IU/L; Katagiri).",
    ),
    FieldSpec(
        name="platelets_10e9_l",
        group="laboratory",
        kind="number",
        minimum=0,
        description="Platelets in 10^9/L (100 = 100,000/uL; Katagiri).",
    ),
    FieldSpec(
        name="calcium_mg_dl",
        group="laboratory",
        kind="number",
        minimum=0,
        description="Serum calcium in mg/dL, corrected calcium where available (Katagiri).",
    ),
    FieldSpec(
        name="bilirubin_mg_dl",
        group="laboratory",
        kind="number",
        minimum=0,
        description="Total bilirubin in mg/dL (Katagiri).",
    ),
    _code(
        "katagiri_laboratory",
        "laboratory",
        KatagiriLaboratory,
        "Katagiri laboratory item as recorded; overrides the laboratory values.",
    ),
    FieldSpec(
        name="previous_chemotherapy",
        group="tumour",
        kind="bool",
        description="Previous cytotoxic chemotherapy (Katagiri).",
    ),
    _code(
        "katagiri_group",
        "tumour",
        KatagiriGroup,
        "Katagiri primary-lesion group; overrides the default from histology.",
    ),
    _code(
        "katagiri_visceral",
        "tumour",
        KatagiriVisceral,
        "Katagiri visceral item: nodular visceral or cerebral; pleural, peritoneal or "
        "leptomeningeal dissemination.",
    ),
    FieldSpec(
        name="months_diagnosis_to_mscc",
        group="tumour",
        kind="number",
        minimum=0,
        description="Months from tumour diagnosis to spinal cord compression (Rades).",
    ),
    FieldSpec(
        name="motor_deficit_days",
        group="neurology",
        kind="int",
        minimum=0,
        description="Days of developing motor deficit before radiotherapy; 0 = none (Rades).",
    ),
)

LESION_FIELDS: Final[tuple[FieldSpec, ...]] = (
    _code("level", "lesion", SpinalLevel, "Spinal level; SINS location is derived from it."),
    _code("pain", "lesion", Pain, "SINS pain."),
    _code("bone_lesion", "lesion", BoneLesion, "SINS bone lesion quality."),
    _code("alignment", "lesion", Alignment, "SINS radiographic alignment."),
    _code("collapse", "lesion", Collapse, "SINS vertebral body collapse."),
    _code("posterolateral", "lesion", Posterolateral, "SINS posterolateral involvement."),
    _code("escc", "lesion", EsccGrade, "Bilsky ESCC grade at this lesion."),
)

CASE_FIELD_BY_NAME: Final[dict[str, FieldSpec]] = {f.name: f for f in CASE_FIELDS}


@functools.cache
def group_fields(group: Group) -> tuple[FieldSpec, ...]:
    """The fields that live on one value type."""
    return tuple(f for f in (*CASE_FIELDS, *LESION_FIELDS) if f.group == group)
