"""FHIR R4 export of an assessment as plain, JSON-ready dicts (no FHIR library needed at run time).

:func:`to_fhir` turns an :class:`~spinemets.assessment.Assessment` into a list of ``Observation``
resources:

* KPS (LOINC ``89243-0``) and ECOG (LOINC ``89247-1``) as ``valueInteger``, when the case gives
  them;
* one Observation per **complete** summed score: ``valueInteger`` total, one ``component`` per item
  (``valueInteger`` points), the band as ``interpretation``; incomplete scores are never exported
  as numbers (with ``include_incomplete=True`` they appear with a ``dataAbsentReason`` instead);
* the ESCC grade as ``valueCodeableConcept`` with its NOMS class as ``interpretation``;
* the NOMS recommendation: ``radiation`` and ``stabilization`` as coded components, the rationale
  and options as notes, ``derivedFrom`` pointing at the score Observations it read.

Scores without a LOINC code use the project's own code systems (:data:`SCORE_SYSTEM` and its
siblings). Resource ids are UUIDs derived from the content (``uuid5``), so the same assessment
always gives the same output, and references between the resources are ``urn:uuid:<id>``, which
resolve inside the Bundle that :func:`to_fhir_bundle` builds (``fullUrl`` = ``urn:uuid:<id>``).

The tests validate every produced resource against the R4B models of ``fhir.resources`` (the plain
R4 models are no longer maintained there; Observation is structurally the same in R4 and R4B).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any, Final

from ._version import package_version
from .results import GradeResult, ScoreResult, Status

if TYPE_CHECKING:
    from .assessment import Assessment
    from .recommend.noms import Recommendation

__all__ = [
    "BAND_SYSTEM",
    "CODE_SYSTEM_BASE",
    "ECOG_LOINC",
    "ESCC_GRADE_SYSTEM",
    "ITEM_SYSTEM",
    "KPS_LOINC",
    "LOINC",
    "RADIATION_SYSTEM",
    "SCORE_SYSTEM",
    "STABILIZATION_SYSTEM",
    "to_fhir",
    "to_fhir_bundle",
]

#: Base URL of the project's own code systems (for scores that have no LOINC code).
CODE_SYSTEM_BASE: Final = "https://spinemets.readthedocs.io/fhir/CodeSystem"
#: Score ids of interchange §3 (``tomita``, ``sins``, ``escc``, ...) and ``noms``.
SCORE_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/score"
#: Items of a summed score, ``<score id>.<item key>`` (``tomita.growth``).
ITEM_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/item"
#: Bands, ``<score id>.<band code>`` (``sins.potentially_unstable``); ESCC classes ``escc.high``.
BAND_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/band"
#: ESCC grades ``0``, ``1a``, ``1b``, ``1c``, ``2``, ``3``.
ESCC_GRADE_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/escc-grade"
#: The ``radiation`` codes of interchange §5.1.
RADIATION_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/noms-radiation"
#: The ``stabilization`` codes of interchange §5.2.
STABILIZATION_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/noms-stabilization"

LOINC: Final = "http://loinc.org"
#: Karnofsky Performance Status score (as in mCODE).
KPS_LOINC: Final = "89243-0"
#: ECOG Performance Status score (as in mCODE).
ECOG_LOINC: Final = "89247-1"

_CATEGORY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
_ABSENT: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, CODE_SYSTEM_BASE)
#: The scores the NOMS recommender reads (its ``derivedFrom``).
_NOMS_INPUTS: Final = ("escc", "sins", "tomita", "tokuhashi_2005")


def _concept(system: str, code: str, display: str | None = None,
             text: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: dict[str, Any] = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def _finish(resource: dict[str, Any]) -> dict[str, Any]:
    """Give *resource* an id derived from its content (stable across runs and machines)."""
    name = json.dumps(resource, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {"resourceType": resource["resourceType"],
            "id": str(uuid.uuid5(_NAMESPACE, name)),
            **{k: v for k, v in resource.items() if k != "resourceType"}}


def _observation(
    code: dict[str, Any],
    *,
    subject: dict[str, str] | None,
    effective: str | None,
    method: str | None = None,
) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [_CATEGORY],
        "code": code,
    }
    if subject is not None:
        obs["subject"] = subject
    if effective is not None:
        obs["effectiveDateTime"] = effective
    if method is not None:
        obs["method"] = {"text": method}
    return obs


def _method(result: ScoreResult[Any] | GradeResult) -> str:
    return (f"{str(result.citation).rstrip('.')}; computed by spinemets {package_version()} "
            f"(interchange {_interchange_version()})")


def _interchange_version() -> int:
    from .interchange import INTERCHANGE_VERSION

    return INTERCHANGE_VERSION


def _item_labels(score_id: str) -> dict[str, str]:
    from .display import instrument

    module = instrument(score_id)
    items = getattr(module, "ITEMS", ()) if module is not None else ()
    return {item.key: item.label for item in items}


def _notes(*texts: str) -> list[dict[str, str]]:
    return [{"text": text} for text in texts if text]


def _score_observation(
    result: ScoreResult[Any],
    *,
    subject: dict[str, str] | None,
    effective: str | None,
    include_incomplete: bool,
) -> dict[str, Any] | None:
    from .display import title

    name = title(result.id)
    obs = _observation(_concept(SCORE_SYSTEM, result.id, name, name), subject=subject,
                       effective=effective, method=_method(result))
    flags = "flags: " + ", ".join(result.flags) if result.flags else ""
    if result.status is not Status.COMPLETE or result.total is None:
        if not include_incomplete:
            return None
        if result.status is Status.NOT_APPLICABLE:
            obs["dataAbsentReason"] = _concept(_ABSENT, "not-applicable", "Not Applicable")
            detail = f"not applicable: {result.reason}"
        else:
            obs["dataAbsentReason"] = _concept(_ABSENT, "unknown", "Unknown")
            detail = "incomplete; missing: " + ", ".join(result.missing)
        obs["note"] = _notes(detail, flags)
        return obs
    band = result.band
    obs["valueInteger"] = result.total
    if band is not None:  # OSRI has no published bands
        obs["interpretation"] = [
            _concept(BAND_SYSTEM, f"{result.id}.{band.code.value}", band.meaning,
                     f"{band.code.value} [{band.lo}-{band.hi}]")
        ]
    labels = _item_labels(result.id)
    obs["component"] = [
        {
            "code": _concept(ITEM_SYSTEM, f"{result.id}.{item.key}",
                             labels.get(item.key, item.key), labels.get(item.key, item.key)),
            "valueInteger": item.points,
        }
        for item in result.items
    ]
    driver = next((les for les in result.lesions if les.total == result.total), None)
    if driver is not None and driver.level is not None:
        obs["bodySite"] = {"text": f"spinal level {driver.level.value}"}
    strategy = f"strategy: {result.strategy}" if result.strategy else ""
    obs["note"] = _notes(result.explain(), strategy, flags)
    return obs


def _grade_observation(
    result: GradeResult,
    case_levels: tuple[str | None, ...],
    *,
    subject: dict[str, str] | None,
    effective: str | None,
    include_incomplete: bool,
) -> dict[str, Any] | None:
    from .display import title
    from .scores.escc import GRADES

    name = title(result.id)
    obs = _observation(_concept(SCORE_SYSTEM, result.id, name, name), subject=subject,
                       effective=effective, method=_method(result))
    flags = "flags: " + ", ".join(result.flags) if result.flags else ""
    if result.status is not Status.COMPLETE or result.grade is None or result.escc_class is None:
        if not include_incomplete:
            return None
        obs["dataAbsentReason"] = _concept(_ABSENT, "unknown", "Unknown")
        obs["note"] = _notes("incomplete; missing: " + ", ".join(result.missing), flags)
        return obs
    wording = dict(GRADES)[result.grade]
    obs["valueCodeableConcept"] = _concept(ESCC_GRADE_SYSTEM, result.grade.value, wording,
                                           f"ESCC {result.grade.value}")
    cls = result.escc_class.value
    obs["interpretation"] = [_concept(BAND_SYSTEM, f"escc.{cls}", f"{cls} grade", cls)]
    if result.lesion_index is not None and case_levels[result.lesion_index] is not None:
        obs["bodySite"] = {"text": f"spinal level {case_levels[result.lesion_index]}"}
    if flags:
        obs["note"] = _notes(flags)
    return obs


def _recommendation_observation(
    rec: Recommendation,
    derived: list[str],
    *,
    subject: dict[str, str] | None,
    effective: str | None,
) -> dict[str, Any]:
    name = "NOMS recommendation"
    obs = _observation(
        _concept(SCORE_SYSTEM, "noms", name, name),
        subject=subject,
        effective=effective,
        method=(f"NOMS decision grid, policy {rec.policy}; computed by spinemets "
                f"{package_version()} (interchange {_interchange_version()})"),
    )
    obs["component"] = [
        {
            "code": _concept(ITEM_SYSTEM, "noms.radiation", "Radiation", "radiation"),
            "valueCodeableConcept": _concept(RADIATION_SYSTEM, rec.radiation.value,
                                             text=rec.radiation.value),
        },
        {
            "code": _concept(ITEM_SYSTEM, "noms.stabilization", "Stabilization",
                             "stabilization"),
            "valueCodeableConcept": _concept(STABILIZATION_SYSTEM, rec.stabilization.value,
                                             text=rec.stabilization.value),
        },
    ]
    if derived:
        obs["derivedFrom"] = [{"reference": f"urn:uuid:{ref}"} for ref in derived]
    notes = [f"{r.pillar}: {r.text}" for r in rec.rationale]
    notes += [f"{part} would be decided by: " + ", ".join(fields)
              for part, fields in rec.missing]
    if rec.flags:
        notes.append("flags: " + ", ".join(rec.flags))
    notes += [f"option: {o.option}: {o.rationale} ({o.source})" for o in rec.options]
    obs["note"] = _notes(*notes)
    return obs


def _performance(
    loinc: str, display: str, value: int, *, subject: dict[str, str] | None,
    effective: str | None,
) -> dict[str, Any]:
    obs = _observation(_concept(LOINC, loinc, display, display), subject=subject,
                       effective=effective)
    obs["valueInteger"] = value
    return obs


def to_fhir(
    assessment: Assessment,
    *,
    patient_reference: str | None = None,
    effective: str | None = None,
    include_incomplete: bool = False,
) -> list[dict[str, Any]]:
    """The assessment as FHIR R4 ``Observation`` resources (plain dicts, ready for ``json.dumps``).

    Args:
        assessment: the result of :func:`spinemets.assess`.
        patient_reference: becomes every resource's ``subject.reference``, e.g.
            ``"Patient/123"`` or a ``"urn:uuid:..."`` of a Patient in the same Bundle.
        effective: a FHIR ``dateTime`` (``"2026-03-01"``) copied to ``effectiveDateTime``.
        include_incomplete: also emit incomplete (and not applicable) scores, with a
            ``dataAbsentReason`` and the missing fields as a note, never a number.

    Returns:
        KPS and ECOG (when given), the complete scores in interchange order, then the NOMS
        recommendation, whose ``derivedFrom`` references the score Observations it read. Ids are
        content-derived UUIDs: equal input gives equal output.

    .. versionadded:: 0.1.0
    """
    subject = {"reference": patient_reference} if patient_reference is not None else None
    out: list[dict[str, Any]] = []
    systemic = assessment.case.systemic
    if systemic.kps is not None:
        out.append(_finish(_performance(KPS_LOINC, "Karnofsky Performance Status score",
                                        systemic.kps, subject=subject, effective=effective)))
    if systemic.ecog is not None:
        out.append(_finish(_performance(ECOG_LOINC, "ECOG Performance Status score",
                                        systemic.ecog, subject=subject, effective=effective)))
    levels = tuple(les.level.value if les.level else None for les in assessment.case.lesions)
    ids: dict[str, str] = {}
    for result in assessment.scores:
        obs: dict[str, Any] | None
        if isinstance(result, GradeResult):
            obs = _grade_observation(result, levels, subject=subject, effective=effective,
                                     include_incomplete=include_incomplete)
        else:
            obs = _score_observation(result, subject=subject, effective=effective,
                                     include_incomplete=include_incomplete)
        if obs is None:
            continue
        obs = _finish(obs)
        if result.complete:
            ids[result.id] = obs["id"]
        out.append(obs)
    derived = [ids[score_id] for score_id in _NOMS_INPUTS if score_id in ids]
    out.append(_finish(_recommendation_observation(assessment.recommendation, derived,
                                                   subject=subject, effective=effective)))
    return out


def to_fhir_bundle(
    assessment: Assessment,
    *,
    patient_reference: str | None = None,
    effective: str | None = None,
    include_incomplete: bool = False,
) -> dict[str, Any]:
    """:func:`to_fhir`'s resources in a ``collection`` Bundle, each ``fullUrl`` ``urn:uuid:<id>``.

    .. versionadded:: 0.1.0
    """
    resources = to_fhir(assessment, patient_reference=patient_reference, effective=effective,
                        include_incomplete=include_incomplete)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
