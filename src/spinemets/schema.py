"""JSON Schema (draft 2020-12) of a case and of a result, generated from the code's definitions.

The case schema is built from the field table (``_fields.CASE_FIELDS``/``LESION_FIELDS``); the
result schema from the instrument modules (ids, ranges, band codes) and the NOMS enums. The copies
shipped in ``spinemets/schemas/`` are written by ``python -m spinemets.schema --write`` and a test
keeps them identical to what this module generates.
"""

from __future__ import annotations

import copy
import json
import sys
from importlib import resources
from typing import Any, Final

from ._fields import CASE_FIELDS, LESION_FIELDS, SAFE_INTEGER, FieldSpec
from .interchange import INTERCHANGE_VERSION

__all__ = ["SCHEMA_NAMES", "case_schema", "result_schema", "shipped"]

_DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
_BASE: Final = "https://spinemets.readthedocs.io/schema/interchange-1/"
#: The schemas ``spinemets schema NAME`` prints.
SCHEMA_NAMES: Final = ("case", "result")


def _field(spec: FieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"description": spec.description}
    if spec.kind == "code":
        assert spec.codes is not None
        out["enum"] = [*(m.value for m in spec.codes), None]
        return out
    out["type"] = [{"bool": "boolean", "int": "integer", "number": "number"}[spec.kind], "null"]
    if spec.minimum is not None:
        out["minimum"] = _num(spec.minimum)
    if spec.exclusive_minimum is not None:
        out["exclusiveMinimum"] = _num(spec.exclusive_minimum)
    if spec.maximum is not None:
        out["maximum"] = _num(spec.maximum)
    elif spec.kind == "int":
        out["maximum"] = SAFE_INTEGER - 1  # integers are bounded by +-2**53 (exclusive)
    if spec.multiple_of is not None:
        out["multipleOf"] = spec.multiple_of
    return out


#: A record's identity (never interpreted; echoed in its result and error object).
_ID: Final[dict[str, Any]] = {
    "description": "The record's identity: a string of 1-200 characters or an integer; echoed "
                   "as \"id\" in the result.",
    "oneOf": [
        {"type": "string", "minLength": 1, "maxLength": 200},
        {"type": "integer", "minimum": -(2**53) + 1, "maximum": 2**53 - 1},
        {"type": "null"},
    ],
}
_VERSION: Final[dict[str, Any]] = {
    "type": "string",
    "description": "The spinemets version that computed this object.",
}
_ECHOED_ID: Final[dict[str, Any]] = {k: v for k, v in _ID.items() if k != "oneOf"} | {
    "oneOf": _ID["oneOf"][:2]
}


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def case_schema() -> dict[str, Any]:
    """The schema of a case. ``null`` means not assessed."""
    lesion = {
        "type": "object",
        "description": "One spinal lesion.",
        "properties": {spec.name: _field(spec) for spec in LESION_FIELDS},
        "additionalProperties": False,
    }
    properties: dict[str, Any] = {
        # Like every integer field: 1 or 1.0; null is absent.
        "interchange": {"enum": [INTERCHANGE_VERSION, None], "description": "Interchange version."},
        **{spec.name: _field(spec) for spec in CASE_FIELDS},
        "lesions": {
            "type": ["array", "null"],
            "minItems": 1,
            "items": {"$ref": "#/$defs/lesion"},
            "description": "The spinal lesions being assessed; SINS and ESCC are per lesion.",
        },
        "id": copy.deepcopy(_ID),
    }
    return {
        "$schema": _DRAFT,
        "$id": _BASE + "case.schema.json",
        "title": f"spinemets case (interchange {INTERCHANGE_VERSION})",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": {"lesion": lesion},
    }


_STRINGS: Final = {"type": "array", "items": {"type": "string"}}


def _summed_schema(module: Any) -> dict[str, Any]:
    lo, hi = module.RANGE
    bands = list(module.BANDS)
    if bands:
        band: dict[str, Any] = {
            "type": "object",
            "properties": {
                "code": {"enum": [b.code.value for b in bands]},
                "range": {
                    "type": "array",
                    "prefixItems": [{"type": "integer"}, {"type": "integer"}],
                    "minItems": 2,
                    "maxItems": 2,
                },
            },
            "required": ["code", "range"],
            "additionalProperties": False,
        }
    else:
        band = {"type": "null"}
    complete = {
        "properties": {
            "total": {"type": "integer", "minimum": lo, "maximum": hi},
            "items": {"type": "object", "additionalProperties": {"type": "integer"}},
            "band": band,
        },
        "required": ["total", "items", "band"],
    }
    return _score_object(module.CITATION.short, complete)


def _score_object(title: str, complete: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "properties": {
            "status": {"enum": ["complete", "incomplete", "not_applicable"]},
            "missing": _STRINGS,
            "reason": {"type": ["string", "null"]},
            "flags": _STRINGS,
            "higher_is_better": {"type": "boolean"},
            "citation": {"type": "string"},
            "strategy": {"type": "string"},
        },
        "required": ["status", "flags", "higher_is_better"],
        "allOf": [
            {"if": {"properties": {"status": {"const": "complete"}}}, "then": complete},
            {
                "if": {"properties": {"status": {"const": "incomplete"}}},
                "then": {"required": ["missing"], "not": {"required": ["total"]}},
            },
        ],
    }


def result_schema() -> dict[str, Any]:
    """The schema of one result line or error object."""
    from .recommend.grid import Radiation, Stabilization
    from .results import EsccClass
    from .scores import SUMMED
    from .vocab import EsccGrade

    scores: dict[str, Any] = {m.ID: _summed_schema(m) for m in SUMMED}
    scores["escc"] = _score_object(
        "Bilsky 2010",
        {
            "properties": {
                "grade": {"enum": [g.value for g in EsccGrade]},
                "class": {"enum": [c.value for c in EsccClass]},
            },
            "required": ["grade", "class"],
        },
    )
    parts = ("radiation", "stabilization")
    recommendation = {
        "type": "object",
        "properties": {
            "radiation": {"enum": [r.value for r in Radiation]},
            "stabilization": {"enum": [s.value for s in Stabilization]},
            "flags": _STRINGS,
            "missing": {
                "type": "object",
                "properties": dict.fromkeys(parts, _STRINGS),
                "additionalProperties": False,
            },
            "policy": {"type": "string"},
            "rationale": {
                "type": "object",
                "properties": {p: {"type": "string"} for p in "NOMS"},
                "required": list("NOMS"),
            },
            "options": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        k: {"type": "string"} for k in ("option", "rationale", "source")
                    },
                    "required": ["option", "rationale", "source"],
                },
            },
        },
        "required": ["radiation", "stabilization", "flags", "missing", "policy", "rationale",
                     "options"],
    }
    result = {
        "type": "object",
        "properties": {
            "interchange": {"const": INTERCHANGE_VERSION},
            "spinemets": _VERSION,
            "id": _ECHOED_ID,
            "scores": {
                "type": "object",
                "properties": scores,
                "required": list(scores),
                "additionalProperties": False,
            },
            "recommendation": recommendation,
        },
        "required": ["interchange", "spinemets", "scores", "recommendation"],
    }
    error = {
        "type": "object",
        "properties": {
            "interchange": {"const": INTERCHANGE_VERSION},
            "spinemets": _VERSION,
            "id": _ECHOED_ID,
            "error": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "fields": _STRINGS},
                "required": ["message", "fields"],
                "additionalProperties": False,
            },
            "line": {"type": "integer", "minimum": 1},
        },
        "required": ["interchange", "spinemets", "error"],
        "additionalProperties": False,
    }
    # A fresh copy: the parts above share constants (``_STRINGS``) a caller must not reach.
    return copy.deepcopy({
        "$schema": _DRAFT,
        "$id": _BASE + "result.schema.json",
        "title": f"spinemets result (interchange {INTERCHANGE_VERSION})",
        "oneOf": [result, error],
    })


def generate(name: str) -> dict[str, Any]:
    """The schema called *name* (``case`` or ``result``), generated now."""
    return {"case": case_schema, "result": result_schema}[name]()


def dumps(schema: dict[str, Any]) -> str:
    """The canonical text of a schema (as shipped)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def shipped(name: str) -> str:
    """The text of the schema file shipped in the package."""
    return resources.files("spinemets").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")


def _write() -> None:  # pragma: no cover - maintenance entry point
    from pathlib import Path

    folder = Path(__file__).parent / "schemas"
    folder.mkdir(exist_ok=True)
    for name in SCHEMA_NAMES:
        (folder / f"{name}.schema.json").write_text(dumps(generate(name)), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--write"]:
        _write()
    else:
        sys.stdout.write(dumps(generate(sys.argv[1] if len(sys.argv) > 1 else "case")))
