"""The project's Questionnaire: every interchange field, for what no standard code carries.

:func:`questionnaire` returns a FHIR R4 ``Questionnaire`` with one question per interchange field
(``linkId`` = the field name), grouped as tumour, neurology, systemic status and laboratory, and
the lesions as a repeating group. Coded fields answer with a ``Coding`` of the project's CodeSystem
for that field (:func:`~spinemets.fhir.code_systems`); integers, decimals and booleans answer with
their FHIR types. :func:`to_questionnaire_response` writes a case as a ``QuestionnaireResponse``,
and :func:`read_response` reads one back (used by :func:`~spinemets.fhir.read_fhir`), so that
``case_from_fhir([to_questionnaire_response(case)]) == case`` for every valid case.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import uuid
from typing import TYPE_CHECKING, Any, Final

from .._fields import _MISSING, CASE_FIELDS, LESION_FIELDS, FieldSpec
from ..exceptions import Problem, echo
from ._datetime import check_datetime
from .codes import FIELD_SYSTEMS, UCUM, plain

if TYPE_CHECKING:
    from ..model import Case

__all__ = ["QUESTIONNAIRE_URL", "questionnaire", "read_response", "to_questionnaire_response"]

#: Canonical URL of the Questionnaire (``QuestionnaireResponse.questionnaire``).
QUESTIONNAIRE_URL: Final = "https://spinemets.readthedocs.io/fhir/Questionnaire/spinemets-case"
_GROUPS: Final = (
    ("tumour", "Primary tumour and extent of metastatic disease"),
    ("neurology", "Neurological status"),
    ("systemic", "Performance status and fitness for surgery"),
    ("laboratory", "Laboratory values (units as in the question)"),
)
_LESIONS: Final = "lesions"
_MIN: Final = "http://hl7.org/fhir/StructureDefinition/minValue"
_MAX: Final = "http://hl7.org/fhir/StructureDefinition/maxValue"
_UNIT: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
_UNITS: Final = {
    "albumin_g_dl": ("g/dL", "g/dL"), "crp_mg_dl": ("mg/dL", "mg/dL"), "ldh_u_l": ("U/L", "U/L"),
    "platelets_10e9_l": ("10*9/L", "10^9/L"), "calcium_mg_dl": ("mg/dL", "mg/dL"),
    "bilirubin_mg_dl": ("mg/dL", "mg/dL"), "months_diagnosis_to_mscc": ("mo", "months"),
    "motor_deficit_days": ("d", "days"),
}
#: Questions that only matter for another question's answer.
_ENABLE_WHEN: Final = {"ecog_to_kps": "ecog"}
_TYPE: Final = {"code": "choice", "int": "integer", "number": "decimal", "bool": "boolean"}
_VALUE: Final = {"code": "valueCoding", "int": "valueInteger", "number": "valueDecimal",
                 "bool": "valueBoolean"}
_INT32_MIN: Final = -(2**31)
_INT32_MAX: Final = 2**31 - 1
_SPEC: Final[dict[str, FieldSpec]] = {s.name: s for s in CASE_FIELDS}
_LESION_SPEC: Final[dict[str, FieldSpec]] = {s.name: s for s in LESION_FIELDS}


def _coding(spec: FieldSpec, code: str) -> dict[str, Any]:
    return {"system": FIELD_SYSTEMS[spec.name], "code": code,
            "display": code.replace("_", " ")}


def _question(spec: FieldSpec) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": spec.name, "text": plain(spec.description),
                            "type": _TYPE[spec.kind]}
    extensions: list[dict[str, Any]] = []
    if spec.kind == "code":
        assert spec.codes is not None
        item["answerOption"] = [{"valueCoding": _coding(spec, m.value)} for m in spec.codes]
    elif spec.kind == "int" and spec.maximum is not None and spec.minimum is not None:
        step = spec.multiple_of or 1
        values = range(int(spec.minimum), int(spec.maximum) + 1, step)
        item["answerOption"] = [{"valueInteger": v} for v in values]
    elif spec.kind in ("int", "number"):
        key = "valueInteger" if spec.kind == "int" else "valueDecimal"
        if spec.minimum is not None:
            extensions.append({"url": _MIN, key: int(spec.minimum) if spec.kind == "int"
                               else float(spec.minimum)})
    if spec.name in _UNITS:
        code, display = _UNITS[spec.name]
        extensions.append({"url": _UNIT,
                           "valueCoding": {"system": UCUM, "code": code, "display": display}})
    if extensions:
        item["extension"] = extensions
    if spec.name in _ENABLE_WHEN:
        item["enableWhen"] = [{"question": _ENABLE_WHEN[spec.name], "operator": "exists",
                               "answerBoolean": True}]
    return item


@functools.cache
def _questionnaire() -> dict[str, Any]:
    from ..interchange import INTERCHANGE_VERSION

    items: list[dict[str, Any]] = [
        {"linkId": group, "text": text, "type": "group",
         "item": [_question(spec) for spec in CASE_FIELDS if spec.group == group]}
        for group, text in _GROUPS
    ]
    items.append({
        "linkId": _LESIONS, "text": "Spinal lesions (one group per lesion; SINS and ESCC are "
        "scored per lesion)", "type": "group", "repeats": True,
        "item": [_question(spec) for spec in LESION_FIELDS],
    })
    return {
        "resourceType": "Questionnaire",
        "id": "spinemets-case",
        "url": QUESTIONNAIRE_URL,
        "version": str(INTERCHANGE_VERSION),
        "name": "SpinemetsCase",
        "title": "spinemets case (interchange version 1)",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "Every input of the spinemets scores (Tomita, Tokuhashi, SINS, Bilsky ESCC, Bauer, "
            "NESMS, Katagiri, van der Linden, Rades, OSRI) and of its NOMS-style recommendation. "
            "Each linkId is an interchange field name; coded answers use the spinemets "
            "CodeSystems. An unanswered question means 'not assessed', never zero."),
        "item": items,
    }


def questionnaire() -> dict[str, Any]:
    """The FHIR R4 ``Questionnaire`` of every interchange field (a fresh dict on every call)."""
    return copy.deepcopy(_questionnaire())


def _answer(spec: FieldSpec, value: Any) -> dict[str, Any]:
    if spec.kind == "code":
        return {"valueCoding": _coding(spec, value.value)}
    if spec.kind == "int" and not _INT32_MIN <= value <= _INT32_MAX:
        return {"valueDecimal": value}  # FHIR integers are 32-bit; interchange allows 2^53
    return {_VALUE[spec.kind]: value}


def to_questionnaire_response(
    case: Case,
    *,
    subject: str | None = None,
    authored: str | _dt.datetime | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """*case* as a ``QuestionnaireResponse`` to :func:`questionnaire` (plain, JSON-ready dicts).

    Args:
        case: the case to write; every assessed field becomes an answer.
        subject: ``subject.reference``, e.g. ``"Patient/123"``.
        authored: when the answers were given (FHIR dateTime with time zone, or an aware
            ``datetime``).
        status: ``completed`` (default) or ``amended``.
    """
    if status not in ("completed", "amended"):
        from ..exceptions import InvalidInputError

        raise InvalidInputError([Problem("status", 'must be "completed" or "amended"',
                                         echo(status))])
    items: list[dict[str, Any]] = []
    for group, _ in _GROUPS:
        answered = []
        for spec in CASE_FIELDS:
            if spec.group != group:
                continue
            value = getattr(getattr(case, group), spec.name)
            if value is None or (spec.name == "bone_metastases_isolated" and value is False):
                continue
            answered.append({"linkId": spec.name, "answer": [_answer(spec, value)]})
        if answered:
            items.append({"linkId": group, "item": answered})
    for lesion in case.lesions:
        children = [
            {"linkId": spec.name, "answer": [_answer(spec, getattr(lesion, spec.name))]}
            for spec in LESION_FIELDS if getattr(lesion, spec.name) is not None
        ]
        # A lesion without any assessed field keeps its place with one unanswered question.
        items.append({"linkId": _LESIONS, "item": children or [{"linkId": "level"}]})
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(uuid.uuid4()),
        "questionnaire": QUESTIONNAIRE_URL,
        "status": status,
    }
    if subject is not None:
        response["subject"] = {"reference": subject}
    if authored is not None:
        response["authored"] = check_datetime(authored, "authored")
    if items:
        response["item"] = items
    return response


def _read_value(spec: FieldSpec, answers: Any, path: str,
                problems: list[Problem]) -> Any:
    """The interchange value of one answered question, or ``_MISSING`` (problem recorded)."""
    if not isinstance(answers, list) or len(answers) != 1 or not isinstance(answers[0], dict):
        problems.append(Problem(path, "must have exactly one answer", echo(answers)))
        return _MISSING
    answer = answers[0]
    if spec.kind == "code":
        # A Coding of the field's CodeSystem (or without a system: the linkId names the
        # vocabulary), or the code itself as valueString (an open-choice answer).
        coding = answer.get("valueCoding")
        system = FIELD_SYSTEMS[spec.name]
        if isinstance(coding, dict) and coding.get("system", system) == system:
            raw: Any = coding.get("code")
        elif coding is None and isinstance(answer.get("valueString"), str):
            raw = answer["valueString"]
        else:
            problems.append(Problem(path, f"must be answered with a Coding of {system}",
                                    echo(answer)))
            return _MISSING
    elif spec.kind in ("number", "int"):
        raw = answer.get("valueInteger", answer.get("valueDecimal"))
    else:
        raw = answer.get(_VALUE[spec.kind])
    value: Any = spec.parse(raw) if raw is not None else _MISSING
    if value is _MISSING:
        problems.append(Problem(path, "must be " + spec.allowed, echo(raw if raw is not None
                                                                      else answer)))
        return _MISSING
    return value.value if spec.kind == "code" else value


def read_response(
    response: dict[str, Any],
) -> tuple[dict[str, Any], list[Problem], list[str]]:
    """Read a ``QuestionnaireResponse`` to :func:`questionnaire`.

    Returns:
        the interchange fields it answers (``lesions`` as a list of lesion dicts when the
        response has lesion groups), the problems of unreadable answers (each naming its field,
        lesion fields as ``lesions[i].field``), and the linkIds it does not know.
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    unknown: list[str] = []
    lesions: list[dict[str, Any]] = []

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            link = item.get("linkId")
            if link == _LESIONS:
                lesion: dict[str, Any] = {}
                index = len(lesions)
                children = item.get("item")
                for child in children if isinstance(children, list) else ():
                    name = child.get("linkId") if isinstance(child, dict) else None
                    spec = _LESION_SPEC.get(name) if isinstance(name, str) else None
                    if spec is None:
                        unknown.append(f"{_LESIONS}.{name}")
                        continue
                    if "answer" not in child:
                        continue
                    value = _read_value(spec, child["answer"], f"lesions[{index}].{name}",
                                        problems)
                    if value is not _MISSING:
                        lesion[spec.name] = value
                lesions.append(lesion)
            elif isinstance(link, str) and link in _SPEC:
                if "answer" in item:
                    value = _read_value(_SPEC[link], item["answer"], link, problems)
                    if value is not _MISSING:
                        values[link] = value
            elif link in {g for g, _ in _GROUPS}:
                walk(item.get("item"))
            else:
                unknown.append(str(link))

    walk(response.get("item"))
    if lesions:
        values[_LESIONS] = lesions
    return values, problems, unknown
