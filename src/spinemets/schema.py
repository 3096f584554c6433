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

__all__ = ["SCHEMA_NAMES", "case_schema", "openapi", "result_schema", "shipped"]

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


def _d(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    """*schema* with a description (a fresh dict)."""
    return {"description": text, **schema}


def _band_schema(module: Any) -> dict[str, Any]:
    bands = list(module.BANDS)
    if not bands:
        return {"type": "null", "description": "No published bands: always null."}
    return {
        "type": "object",
        "description": "The band of the total: its code and inclusive range of totals.",
        "properties": {
            "code": _d("Band code.", {"enum": [b.code.value for b in bands]}),
            "range": _d("Inclusive [lowest, highest] total of the band.", {
                "type": "array",
                "prefixItems": [{"type": "integer"}, {"type": "integer"}],
                "items": False,
                "minItems": 2,
                "maxItems": 2,
            }),
        },
        "required": ["code", "range"],
        "additionalProperties": False,
    }


def _items_schema(module: Any) -> dict[str, Any]:
    items = list(getattr(module, "ITEMS", ()))
    return {
        "type": "object",
        "description": "Points per item of the score (only when complete).",
        "properties": {item.key: _d(item.label, {"type": "integer"}) for item in items},
        "additionalProperties": {"type": "integer"},
    }


def _summed_schema(module: Any) -> dict[str, Any]:
    lo, hi = module.RANGE
    extra: dict[str, Any] = {}
    if module.ID == "sins":
        lesion_items = _items_schema(module)
        extra["lesions"] = _d(
            "One entry per input lesion, in input order (entry i is lesions[i] of the case): "
            "the lesion's own SINS total and items when all six fields are given, else "
            "status incomplete with the missing fields.", {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "level": _d("Spinal level of the lesion (null when not given).",
                                    {"type": ["string", "null"]}),
                        "status": _d("complete or incomplete.",
                                     {"enum": ["complete", "incomplete"]}),
                        "total": _d("The lesion's SINS total.",
                                    {"type": "integer", "minimum": lo, "maximum": hi}),
                        "items": lesion_items,
                        "missing": _d("Missing fields of this lesion.", _STRINGS),
                    },
                    "required": ["level", "status"],
                },
            })
    if module.ID == "nesms":
        extra["raw"] = _d("NESMS points before the cap at 3 (0-4).",
                          {"type": "integer", "minimum": 0, "maximum": 4})
    if module.ID == "rades_2008":
        extra["rades_2010"] = _d(
            "The total read in the Rades 2010 survival groups (code and range).",
            {"type": ["object", "null"], "properties": {
                "code": _d("Group code.", {"type": "string"}),
                "range": _d("Inclusive [lowest, highest] total.",
                            {"type": "array", "items": {"type": "integer"}})}})
    complete = {
        "properties": {
            "total": {"type": "integer", "minimum": lo, "maximum": hi},
            "items": {"type": "object", "additionalProperties": {"type": "integer"}},
            "band": _band_schema(module),
        },
        "required": ["total", "items", "band"],
    }
    keys = {
        "total": _d(f"The total ({lo}-{hi}); only when complete.",
                    {"type": "integer", "minimum": lo, "maximum": hi}),
        "items": _items_schema(module),
        "band": _band_schema(module),
        **extra,
    }
    return _score_object(module.CITATION.short, complete, keys)


def _score_object(title: str, complete: dict[str, Any],
                  keys: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "description": f"The {title} result: status, and when complete its value and band.",
        "properties": {
            "status": _d("complete, incomplete (see missing) or not_applicable (see reason).",
                         {"enum": ["complete", "incomplete", "not_applicable"]}),
            **keys,
            "missing": _d("Interchange field paths whose absence keeps the score incomplete.",
                          _STRINGS),
            "reason": _d("Why the score does not apply (with not_applicable).",
                         {"type": ["string", "null"]}),
            "flags": _d("Flags that qualify the result (e.g. unverified_table).", _STRINGS),
            "higher_is_better": _d("Whether a higher total means a better outlook.",
                                   {"type": "boolean"}),
            "citation": _d("Short citation of the paper the score follows.", {"type": "string"}),
            "strategy": _d("Treatment strategy code of the band (Tomita, Tokuhashi 2005).",
                           {"type": "string"}),
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
    """The schema of one result line or error object (see the interchange docs page)."""
    from .recommend.grid import Radiation, Stabilization
    from .results import EsccClass
    from .scores import registry
    from .vocab import EsccGrade

    grades = [g.value for g in EsccGrade]
    classes = [c.value for c in EsccClass]
    # every instrument, in result order: a summed score, or a grade (ESCC, the one grade scale)
    scores: dict[str, Any] = {
        m.ID: _summed_schema(m) if m in registry.SUMMED_INSTRUMENTS else _score_object(
            m.CITATION.short,
            {
                "properties": {"grade": {"enum": grades}, "class": {"enum": classes}},
                "required": ["grade", "class"],
            },
            {
                "grade": _d("The worst ESCC grade over the lesions.", {"enum": grades}),
                "class": _d("The NOMS class of that grade.", {"enum": classes}),
                "lesion": _d("Index in the case's lesions of the lesion with the worst grade.",
                             {"type": "integer", "minimum": 0}),
            },
        )
        for m in registry.INSTRUMENTS
    }
    parts = ("radiation", "stabilization")
    recommendation = {
        "type": "object",
        "title": "Recommendation",
        "description": "The NOMS-style recommendation (decision support, not an order).",
        "properties": {
            "radiation": _d("Local treatment of the tumour (NOMS N and O pillars).",
                            {"enum": [r.value for r in Radiation]}),
            "stabilization": _d("Mechanical pillar (from the case's SINS and fitness).",
                                {"enum": [s.value for s in Stabilization]}),
            "flags": _d("Flags that qualify the recommendation.", _STRINGS),
            "missing": _d("For an undetermined part, the field paths that would decide it.", {
                "type": "object",
                "properties": {p: _d(f"Fields that would decide {p}.", _STRINGS)
                               for p in parts},
                "additionalProperties": False,
            }),
            "policy": _d("Name of the policy that produced it (default).", {"type": "string"}),
            "rationale": _d("Free-text rationale per NOMS pillar.", {
                "type": "object",
                "properties": {p: _d(f"Pillar {p}.", {"type": "string"}) for p in "NOMS"},
                "required": list("NOMS"),
            }),
            "options": _d("Options beyond the grid, each with rationale and source.", {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        k: _d(f"The option's {k}.", {"type": "string"})
                        for k in ("option", "rationale", "source")
                    },
                    "required": ["option", "rationale", "source"],
                },
            }),
        },
        "required": ["radiation", "stabilization", "flags", "missing", "policy", "rationale",
                     "options"],
    }
    result = {
        "type": "object",
        "title": "Result",
        "description": "The result of one valid case.",
        "properties": {
            "interchange": _d("Interchange version.", {"const": INTERCHANGE_VERSION}),
            "spinemets": _VERSION,
            "id": _ECHOED_ID,
            "scores": _d("Every implemented score, complete or not.", {
                "type": "object",
                "properties": scores,
                "required": list(scores),
                "additionalProperties": False,
            }),
            "recommendation": recommendation,
        },
        "required": ["interchange", "spinemets", "scores", "recommendation"],
    }
    error = {
        "type": "object",
        "title": "Error",
        "description": "An input that is not a valid case: nothing is scored.",
        "properties": {
            "interchange": _d("Interchange version.", {"const": INTERCHANGE_VERSION}),
            "spinemets": _VERSION,
            "id": _ECHOED_ID,
            "error": _d("What is wrong.", {
                "type": "object",
                "properties": {
                    "message": _d("Human-readable message.", {"type": "string"}),
                    "fields": _d("Every offending field path.", _STRINGS),
                },
                "required": ["message", "fields"],
                "additionalProperties": False,
            }),
            "line": _d("Input line number (command line).", {"type": "integer", "minimum": 1}),
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


_COMPONENTS: Final = "#/components/schemas/"


def _rewrite_refs(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: (new if k == "$ref" and v == old else _rewrite_refs(v, old, new))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite_refs(v, old, new) for v in value]
    return value


def openapi(
    paths: dict[str, Any] | None = None,
    *,
    title: str = "spinemets",
    servers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An OpenAPI 3.1 document embedding the case and result schemas (a fresh dict).

    The schemas become ``components.schemas``: ``Case``, ``Lesion``, ``Result`` (a scored case),
    ``Error`` (an invalid case) and ``Outcome`` (either). Without *paths* the document describes
    ``POST /assess`` (a case in, its result out, 400 with the error object); a service passes
    its own *paths* (Path Item Objects referring to ``#/components/schemas/...``).

    .. versionadded:: 0.2.0
    """
    from ._version import package_version

    case = case_schema()
    lesion = case.pop("$defs")["lesion"]
    for key in ("$schema", "$id"):
        case.pop(key)
    case = _rewrite_refs(case, "#/$defs/lesion", _COMPONENTS + "Lesion")
    result, error = result_schema()["oneOf"]

    def body(name: str, description: str) -> dict[str, Any]:
        return {"description": description,
                "content": {"application/json": {"schema": {"$ref": _COMPONENTS + name}}}}

    if paths is None:
        paths = {"/assess": {"post": {
            "summary": "Score one case",
            "description": "Every implemented score and the NOMS-style recommendation.",
            "operationId": "assess",
            "requestBody": {"required": True, **body("Case", "A case (interchange 1).")},
            "responses": {"200": body("Result", "The result."),
                          "400": body("Error", "Not a valid case: every offending field.")},
        }}}
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": package_version(),
            "summary": "Published decision scores for spinal metastases.",
            "description": ("Research and decision support; not a medical device. A qualified "
                            "clinician reviews every result and decides."),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "jsonSchemaDialect": _DRAFT,
        "paths": paths,
        "components": {"schemas": {
            "Case": case, "Lesion": lesion, "Result": result, "Error": error,
            "Outcome": {"oneOf": [{"$ref": _COMPONENTS + "Result"},
                                  {"$ref": _COMPONENTS + "Error"}]},
        }},
    }
    if servers is not None:
        document["servers"] = servers
    fresh: dict[str, Any] = json.loads(json.dumps(document))  # fresh containers, JSON-safe
    return fresh


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
