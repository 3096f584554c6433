"""Write an assessment as FHIR R4 resources (plain, JSON-ready dicts).

:func:`to_fhir` returns:

* KPS (LOINC ``89243-0``) and ECOG (LOINC ``89247-1``) as ``valueInteger`` with the LOINC answer
  code as ``interpretation`` (as mCODE does), when the case gives them; with ``mcode=True`` they
  claim mCODE's performance-status profiles;
* one ``Observation`` per **complete** score: ``valueInteger`` total, one ``component`` per item,
  the band as ``interpretation``; the ESCC grade as ``valueCodeableConcept``. Incomplete scores are
  never numbers: with ``include_incomplete=True`` they carry a ``dataAbsentReason`` and the coded
  flag ``incomplete`` with each missing field;
* the NOMS recommendation as a ``CarePlan`` with ``intent`` ``proposal`` and ``status`` ``draft``
  (one activity per part, ``supportingInfo`` pointing at the score Observations it read): a
  proposal for a clinician to accept or reject, not a finding.

Every flag that matters to safety (``unverified_table``, ``outside_derivation_population``,
``incomplete``, ...) is coded in an extension (system :data:`~spinemets.fhir.FLAG_SYSTEM`), not
only written in a note. Observations are ``preliminary`` unless the caller says otherwise:
unreviewed decision support.

Ids are random UUIDs (version 4) by default, so exports of different patients and sessions never
collide. With ``ids="deterministic"`` and a ``patient_reference`` they are UUIDs (version 5) of
the subject, the effective time, the resource's code and its coded values: the same assessment of
the same patient at the same time gives the same ids, and these do not change between patch
releases (only codes and values count: no display text, note, method or library version).

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Random ids by default, ``status`` (default ``preliminary``), the recommendation as a CarePlan
   proposal, coded flags, ``performer``, ``encounter``, ``profiles``, ``mcode``.
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from .._version import package_version
from ..exceptions import InvalidInputError, Problem, echo
from ..results import GradeResult, ScoreResult, Status
from ._datetime import check_datetime
from .codes import (
    BAND_SYSTEM,
    CODE_SYSTEM_BASE,
    ECOG_ANSWERS,
    ECOG_LOINC,
    ESCC_GRADE_SYSTEM,
    EXTENSION_BASE,
    FLAG_SYSTEM,
    FLAGS,
    ITEM_SYSTEM,
    KPS_ANSWERS,
    KPS_LOINC,
    LOINC,
    MCODE_ECOG_PROFILE,
    MCODE_KPS_PROFILE,
    RADIATION_SYSTEM,
    SCORE_SYSTEM,
    STABILIZATION_SYSTEM,
)

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..recommend.noms import Recommendation

__all__ = ["FLAG_EXTENSION", "INTENDED_USE", "MISSING_EXTENSION", "to_fhir", "to_fhir_bundle"]

#: The intended-use statement carried by every Bundle and every recommendation.
INTENDED_USE: Final = (
    "spinemets computes published scores for spinal metastases and a NOMS-style treatment "
    "recommendation for research and clinical decision support. It is not a medical device: "
    "the results are preliminary until a qualified clinician has reviewed them, and the "
    "clinician decides."
)
#: Extension holding one coded flag (``valueCoding`` of :data:`FLAG_SYSTEM`).
FLAG_EXTENSION: Final = f"{EXTENSION_BASE}/flag"
#: Extension naming one missing input of an incomplete score (``valueString``, a field path).
MISSING_EXTENSION: Final = f"{EXTENSION_BASE}/missing-field"
#: Extension of ``Bundle.meta`` holding :data:`INTENDED_USE`.
INTENDED_USE_EXTENSION: Final = f"{EXTENSION_BASE}/intended-use"

_STATUSES: Final = ("preliminary", "final", "amended", "corrected")
_ABSENT: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_OBS_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, CODE_SYSTEM_BASE)
#: The scores the NOMS recommender reads (the CarePlan's ``supportingInfo``).
_NOMS_INPUTS: Final = ("escc", "sins", "tomita", "tokuhashi_2005")
#: Parts of a resource that make its deterministic id (never notes, method or version).
_WORDING: Final = frozenset({"display", "text", "description"})
_ID_KEYS: Final = ("resourceType", "code", "subject", "effectiveDateTime", "valueInteger",
                   "valueCodeableConcept", "component", "interpretation", "dataAbsentReason",
                   "bodySite", "category", "activity", "supportingInfo")


def _concept(system: str, code: str, display: str | None = None,
             text: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: dict[str, Any] = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def _notes(*texts: str) -> list[dict[str, str]]:
    return [{"text": text} for text in texts if text]


def _flag(code: str) -> dict[str, Any]:
    coding = {"system": FLAG_SYSTEM, "code": code}
    if code in FLAGS:
        coding["display"] = FLAGS[code]
    return {"url": FLAG_EXTENSION, "valueCoding": coding}


def _flags(result: ScoreResult[Any] | GradeResult) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if result.status is Status.INCOMPLETE:
        out.append(_flag("incomplete"))
        out += [{"url": MISSING_EXTENSION, "valueString": path} for path in result.missing]
    elif result.status is Status.NOT_APPLICABLE:
        out.append(_flag("not_applicable"))
    out += [_flag(flag) for flag in result.flags]
    return out


class _Options:
    """The caller's choices, validated once per export."""

    def __init__(self, *, patient_reference: str | None, effective: Any, status: str,
                 ids: str, performer: str | Sequence[str] | None, encounter: str | None,
                 profiles: Mapping[str, str | Sequence[str]] | None, mcode: bool) -> None:
        problems: list[Problem] = []
        if status not in _STATUSES:
            problems.append(Problem("status", "must be one of " + ", ".join(_STATUSES),
                                    echo(status)))
        if ids not in ("random", "deterministic"):
            problems.append(Problem("ids", 'must be "random" or "deterministic"', echo(ids)))
        elif ids == "deterministic" and patient_reference is None:
            problems.append(Problem("ids", "deterministic ids need a patient_reference"))
        if mcode and patient_reference is None:
            problems.append(Problem("patient_reference",
                                    "is required by mCODE's performance-status profiles"))
        self.effective: str | None = None
        if effective is not None:
            try:
                self.effective = check_datetime(effective, "effective")
            except InvalidInputError as error:
                problems += error.problems
        refs = [performer] if isinstance(performer, str) else list(performer or ())
        if not all(isinstance(r, str) and r for r in refs):
            problems.append(Problem("performer", "must be a reference string or a list of them",
                                    echo(performer)))
        if encounter is not None and not (isinstance(encounter, str) and encounter):
            problems.append(Problem("encounter", "must be a reference string", echo(encounter)))
        self.profiles: dict[str, list[str]] = {}
        for key, value in (profiles or {}).items():
            urls = [value] if isinstance(value, str) else value
            if not isinstance(key, str) or not isinstance(urls, Sequence) or not all(
                    isinstance(u, str) and u for u in urls):
                problems.append(Problem(f"profiles[{key!r}]",
                                        "must be a canonical URL or a list of them",
                                        echo(value)))
                continue
            self.profiles[key] = list(urls)
        if patient_reference is not None and not (
                isinstance(patient_reference, str) and patient_reference):
            problems.append(Problem("patient_reference", "must be a reference string",
                                    echo(patient_reference)))
        if problems:
            raise InvalidInputError(problems)
        self.subject = {"reference": patient_reference} if patient_reference else None
        self.status = status
        self.deterministic = ids == "deterministic"
        self.performer = refs
        self.encounter = encounter
        self.mcode = mcode

    def observation(self, key: str, code: dict[str, Any], *,
                    method: str | None = None) -> dict[str, Any]:
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "status": self.status,
            "category": [_concept(_OBS_CATEGORY, "survey", "Survey")],
            "code": code,
        }
        self.common(obs, key)
        if self.effective is not None:
            obs["effectiveDateTime"] = self.effective
        if self.performer:
            obs["performer"] = [{"reference": ref} for ref in self.performer]
        if method is not None:
            obs["method"] = {"text": method}
        return obs

    def common(self, resource: dict[str, Any], key: str) -> None:
        profiles = [*self.profiles.get("*", ()), *self.profiles.get(key, ())]
        if self.mcode and key in ("kps", "ecog"):
            profiles.insert(0, MCODE_KPS_PROFILE if key == "kps" else MCODE_ECOG_PROFILE)
        if profiles:
            resource["meta"] = {"profile": list(dict.fromkeys(profiles))}
        if self.subject is not None:
            resource["subject"] = dict(self.subject)
        if self.encounter is not None:
            resource["encounter"] = {"reference": self.encounter}

    def finish(self, resource: dict[str, Any]) -> dict[str, Any]:
        """Give *resource* its id (random, or derived from the subject and coded content)."""
        if self.deterministic:
            key = _coded({k: resource[k] for k in _ID_KEYS if k in resource})
            text = json.dumps(key, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            rid = str(uuid.uuid5(_NAMESPACE, text))
        else:
            rid = str(uuid.uuid4())
        return {"resourceType": resource["resourceType"], "id": rid,
                **{k: v for k, v in resource.items() if k != "resourceType"}}


def _coded(value: Any) -> Any:
    """*value* without its human-readable parts (``display``, ``text``, ``description``), so
    that rewording a label never changes a deterministic id."""
    if isinstance(value, dict):
        return {k: _coded(v) for k, v in value.items() if k not in _WORDING}
    if isinstance(value, list):
        return [_coded(v) for v in value]
    return value


def _method(result: ScoreResult[Any] | GradeResult) -> str:
    return (f"{str(result.citation).rstrip('.')}; computed by spinemets {package_version()} "
            f"(interchange {_interchange_version()})")


def _interchange_version() -> int:
    from ..interchange import INTERCHANGE_VERSION

    return INTERCHANGE_VERSION


def _item_labels(score_id: str) -> dict[str, str]:
    from ..scores.registry import by_id

    items = getattr(by_id(score_id), "ITEMS", ())
    return {item.key: item.label for item in items}


def _score_observation(result: ScoreResult[Any], options: _Options,
                       include_incomplete: bool) -> dict[str, Any] | None:
    from ..display import title

    name = title(result.id)
    obs = options.observation(result.id, _concept(SCORE_SYSTEM, result.id, name, name),
                              method=_method(result))
    flags = _flags(result)
    if flags:
        obs["extension"] = flags
    flag_text = "flags: " + ", ".join(result.flags) if result.flags else ""
    if result.status is not Status.COMPLETE or result.total is None:
        if not include_incomplete:
            return None
        if result.status is Status.NOT_APPLICABLE:
            obs["dataAbsentReason"] = _concept(_ABSENT, "not-applicable", "Not Applicable")
            detail = f"not applicable: {result.reason}"
        else:
            obs["dataAbsentReason"] = _concept(_ABSENT, "unknown", "Unknown")
            detail = "incomplete; missing: " + ", ".join(result.missing)
        obs["note"] = _notes(detail, flag_text)
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
    obs["note"] = _notes(result.explain(), strategy, flag_text)
    return obs


def _grade_observation(result: GradeResult, levels: tuple[str | None, ...], options: _Options,
                       include_incomplete: bool) -> dict[str, Any] | None:
    from ..display import title
    from ..scores.escc import GRADES

    name = title(result.id)
    obs = options.observation(result.id, _concept(SCORE_SYSTEM, result.id, name, name),
                              method=_method(result))
    flags = _flags(result)
    if flags:
        obs["extension"] = flags
    flag_text = "flags: " + ", ".join(result.flags) if result.flags else ""
    if result.status is not Status.COMPLETE or result.grade is None or result.escc_class is None:
        if not include_incomplete:
            return None
        obs["dataAbsentReason"] = _concept(_ABSENT, "unknown", "Unknown")
        obs["note"] = _notes("incomplete; missing: " + ", ".join(result.missing), flag_text)
        return obs
    wording = dict(GRADES)[result.grade]
    obs["valueCodeableConcept"] = _concept(ESCC_GRADE_SYSTEM, result.grade.value, wording,
                                           f"ESCC {result.grade.value}")
    cls = result.escc_class.value
    obs["interpretation"] = [_concept(BAND_SYSTEM, f"escc.{cls}", f"{cls} grade", cls)]
    if result.lesion_index is not None and levels[result.lesion_index] is not None:
        obs["bodySite"] = {"text": f"spinal level {levels[result.lesion_index]}"}
    if flag_text:
        obs["note"] = _notes(flag_text)
    return obs


def _activity(system: str, code: str, part: str, rationale: str) -> dict[str, Any]:
    return {"detail": {
        "kind": "ServiceRequest",
        "code": _concept(system, code, code.replace("_", " "), f"{part}: {code}"),
        "status": "unknown" if code == "undetermined" else "not-started",
        "description": rationale,
    }}


def _care_plan(rec: Recommendation, supporting: list[str], options: _Options) -> dict[str, Any]:
    rationale = {r.pillar: r.text for r in rec.rationale}
    radiation_text = " ".join(rationale.get(p, "") for p in ("N", "O")).strip()
    mechanical_text = " ".join(rationale.get(p, "") for p in ("M", "S")).strip()
    plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "draft",
        "intent": "proposal",
        "category": [_concept(SCORE_SYSTEM, "noms", "NOMS recommendation",
                              "NOMS recommendation")],
        "title": "NOMS-style recommendation (decision support, not an order)",
        "description": INTENDED_USE,
    }
    options.common(plan, "noms")
    if "subject" not in plan:  # CarePlan.subject is required; the caller gave no patient
        plan["subject"] = {"display": "patient not identified by the caller"}
    if options.effective is not None:
        plan["created"] = options.effective
    if options.performer:
        plan["contributor"] = [{"reference": ref} for ref in options.performer]
    flags = [_flag(flag) for flag in rec.flags]
    flags += [{"url": MISSING_EXTENSION, "valueString": path}
              for _, fields in rec.missing for path in fields]
    if flags:
        plan["extension"] = flags
    if supporting:
        plan["supportingInfo"] = [{"reference": f"urn:uuid:{ref}"} for ref in supporting]
    plan["activity"] = [
        _activity(RADIATION_SYSTEM, rec.radiation.value, "radiation", radiation_text),
        _activity(STABILIZATION_SYSTEM, rec.stabilization.value, "stabilization",
                  mechanical_text),
    ]
    notes = [f"{r.pillar}: {r.text}" for r in rec.rationale]
    notes += [f"{part} would be decided by: " + ", ".join(fields)
              for part, fields in rec.missing]
    if rec.flags:
        notes.append("flags: " + ", ".join(rec.flags))
    notes += [f"option: {o.option}: {o.rationale} ({o.source})" for o in rec.options]
    notes.append(f"NOMS decision grid, policy {rec.policy}; computed by spinemets "
                 f"{package_version()} (interchange {_interchange_version()})")
    plan["note"] = _notes(*notes)
    return plan


def _performance(key: str, value: int, options: _Options) -> dict[str, Any]:
    if key == "kps":
        code, display, answers = KPS_LOINC, "Karnofsky Performance Status score", KPS_ANSWERS
    else:
        code, display, answers = ECOG_LOINC, "ECOG Performance Status score", ECOG_ANSWERS
    obs = options.observation(key, _concept(LOINC, code, display, display))
    obs["valueInteger"] = value
    obs["interpretation"] = [_concept(LOINC, answers[value])]
    return obs


def to_fhir(
    assessment: Assessment,
    *,
    patient_reference: str | None = None,
    effective: str | _dt.date | None = None,
    status: Literal["preliminary", "final", "amended", "corrected"] = "preliminary",
    ids: Literal["random", "deterministic"] = "random",
    performer: str | Sequence[str] | None = None,
    encounter: str | None = None,
    profiles: Mapping[str, str | Sequence[str]] | None = None,
    mcode: bool = False,
    include_incomplete: bool = False,
) -> list[dict[str, Any]]:
    """The assessment as FHIR R4 resources (fresh, JSON-ready dicts on every call).

    Args:
        assessment: the result of :func:`spinemets.assess`.
        patient_reference: every resource's ``subject.reference``, e.g. ``"Patient/123"``.
        effective: a FHIR ``dateTime`` with a time zone when it has a time
            (``"2026-03-01"``, ``"2026-03-01T10:30:00+01:00"``) or an aware ``datetime``;
            copied to ``effectiveDateTime`` (and the CarePlan's ``created``).
        status: the Observations' ``status``: ``preliminary`` (default; unreviewed decision
            support), ``final`` once a clinician has reviewed them, ``amended``, ``corrected``.
        ids: ``"random"`` (default) or ``"deterministic"`` (needs ``patient_reference``).
        performer: reference(s) of who is responsible (``Observation.performer``, the
            CarePlan's ``contributor``).
        encounter: ``encounter.reference`` of every resource.
        profiles: ``meta.profile`` canonicals by resource key: a score id, ``"kps"``,
            ``"ecog"``, ``"noms"`` (the CarePlan) or ``"*"`` (every resource).
        mcode: KPS and ECOG claim mCODE's performance-status profiles (needs
            ``patient_reference``).
        include_incomplete: also emit incomplete (and not applicable) scores, with a
            ``dataAbsentReason`` and coded flags, never a number.

    Returns:
        KPS and ECOG (when given), the scores in result order, then the recommendation's
        ``CarePlan``, whose ``supportingInfo`` references the score Observations it read.

    Raises:
        InvalidInputError: naming each invalid option (``effective``, ``status``, ``ids``, ...).
    """
    options = _Options(patient_reference=patient_reference, effective=effective, status=status,
                       ids=ids, performer=performer, encounter=encounter, profiles=profiles,
                       mcode=mcode)
    out: list[dict[str, Any]] = []
    systemic = assessment.case.systemic
    if systemic.kps is not None:
        out.append(options.finish(_performance("kps", systemic.kps, options)))
    if systemic.ecog is not None:
        out.append(options.finish(_performance("ecog", systemic.ecog, options)))
    levels = tuple(les.level.value if les.level else None for les in assessment.case.lesions)
    ids_by_score: dict[str, str] = {}
    for result in assessment.scores:
        obs: dict[str, Any] | None
        if isinstance(result, GradeResult):
            obs = _grade_observation(result, levels, options, include_incomplete)
        else:
            obs = _score_observation(result, options, include_incomplete)
        if obs is None:
            continue
        obs = options.finish(obs)
        if result.complete:
            ids_by_score[result.id] = obs["id"]
        out.append(obs)
    supporting = [ids_by_score[s] for s in _NOMS_INPUTS if s in ids_by_score]
    out.append(options.finish(_care_plan(assessment.recommendation, supporting, options)))
    return out


def to_fhir_bundle(
    assessment: Assessment,
    *,
    patient_reference: str | None = None,
    effective: str | _dt.date | None = None,
    status: Literal["preliminary", "final", "amended", "corrected"] = "preliminary",
    ids: Literal["random", "deterministic"] = "random",
    performer: str | Sequence[str] | None = None,
    encounter: str | None = None,
    profiles: Mapping[str, str | Sequence[str]] | None = None,
    mcode: bool = False,
    include_incomplete: bool = False,
) -> dict[str, Any]:
    """:func:`to_fhir`'s resources in a ``collection`` Bundle (each ``fullUrl`` ``urn:uuid:<id>``)
    whose ``meta`` carries the intended-use statement (:data:`INTENDED_USE`).
    """
    resources = to_fhir(assessment, patient_reference=patient_reference, effective=effective,
                        status=status, ids=ids, performer=performer, encounter=encounter,
                        profiles=profiles, mcode=mcode, include_incomplete=include_incomplete)
    return {
        "resourceType": "Bundle",
        "meta": {"extension": [{"url": INTENDED_USE_EXTENSION, "valueString": INTENDED_USE}]},
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
