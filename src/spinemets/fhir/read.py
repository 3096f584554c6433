"""Read a case from FHIR resources: Conditions, Observations and QuestionnaireResponses.

:func:`read_fhir` takes what an EHR's prefetch or a FHIR search returns (a Bundle of any type, a
single resource, or an iterable of resources) and returns a :class:`FhirReading`: the
:class:`~spinemets.Case` it could read, which resource gave which field (and the choice made when
several gave one), what it ignored and why, and the problems (unknown unit or code), each naming
its field. :func:`case_from_fhir` returns the case or raises naming every field with a problem.

Rules:

* **Conditions** give ``histology`` through the code table of :mod:`spinemets.fhir.codes`
  (ICD-10, ICD-10-CM, SNOMED CT). A malignant-neoplasm code the table does not map, or any
  unmapped code on an mCODE primary cancer condition, is a problem of ``histology``, never a
  guess. Any other unmapped Condition is reported; it makes ``histology`` a problem only when no
  source gives ``histology`` (it may name the primary). Metastasis Conditions (bone, lung, liver,
  brain, ...) are reported, and never set a field.
* **Observations** by LOINC: KPS 89243-0 and ECOG 89247-1 (``valueInteger`` or the LOINC answer
  codes mCODE uses), and the laboratory values of :mod:`spinemets.fhir.units`, whose UCUM unit
  decides the conversion; an unknown unit is a problem of that field.
* The **QuestionnaireResponse** to :func:`~spinemets.fhir.questionnaire` gives every other field.
* When several resources give one field, the most recent (``effective[x]``, ``authored``, a
  Condition's ``recordedDate`` or onset) wins, and on a tie the QuestionnaireResponse; the choice
  is reported in :attr:`FhirReading.used`. A resource without a date counts as the oldest. Two
  sources of the same kind and date that disagree are a problem of the field (no rule decides).
  When the winner cannot be read, the field is absent and the problem reported (no fall-back to
  an older value).
* Resources of another patient than the first ``subject`` are ignored and reported as a problem
  of ``subject``.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import copy
import datetime as _dt
import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from attrs import field, frozen

from .._fields import _MISSING, CASE_FIELD_BY_NAME
from ..exceptions import InvalidInputError, Problem, echo
from ..model import Case
from ._datetime import instant
from .codes import (
    DEAD_ANSWER,
    ECOG_ANSWERS,
    ECOG_LOINC,
    KPS_ANSWERS,
    KPS_LOINC,
    LOINC,
    MCODE_PRIMARY_PROFILE,
    UCUM,
    histology_for,
    is_malignant_icd,
    metastasis_site_for,
)
from .questionnaire import QUESTIONNAIRE_URL, read_response
from .units import LAB_LOINC, convert

__all__ = ["FhirReading", "Ignored", "Used", "case_from_fhir", "read_fhir"]


@frozen
class Used:
    """A field read from a resource: ``field`` came from ``source`` (``"Observation/kps-1"``).

    ``when`` is the resource's date as written; ``choice`` says why this resource won when
    several gave the field (``None`` when it was the only one); ``others`` names the losers.
    """

    field: str
    source: str
    value: Any
    when: str | None = None
    choice: str | None = None
    others: tuple[str, ...] = ()


@frozen
class Ignored:
    """A resource (or one of its codes) that gave no field, and why.

    ``reason`` is a short code: ``unmapped_code``, ``metastasis_site``, ``other_patient``,
    ``status``, ``unsupported_resource``, ``other_questionnaire``, ``unknown_item``,
    ``superseded``, ``conflict``, ``duplicate`` or ``not_a_resource``; ``detail`` says more.
    """

    source: str
    reason: str
    detail: str


@frozen
class FhirReading:
    """What :func:`read_fhir` read: the case, and the report of how."""

    case: Case
    used: tuple[Used, ...] = field(default=())
    ignored: tuple[Ignored, ...] = field(default=())
    problems: tuple[Problem, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the interchange case and the report (fresh containers)."""
        return {
            "case": self.case.to_dict(),
            "used": [{"field": u.field, "source": u.source, "value": copy.deepcopy(u.value),
                      "when": u.when, "choice": u.choice, "others": list(u.others)}
                     for u in self.used],
            "ignored": [{"source": i.source, "reason": i.reason, "detail": i.detail}
                        for i in self.ignored],
            "problems": [{"field": p.field, "message": str(p)} for p in self.problems],
        }


#: Statuses read (``None``: a resource without a status still carries its value).
_OBS_STATUS: Final = frozenset({"final", "amended", "corrected", "preliminary", None})
_QR_STATUS: Final = frozenset({"completed", "amended", None})
_BAD_VERIFICATION: Final = frozenset({"refuted", "entered-in-error"})
_PATIENT_REF: Final = re.compile(r"(?:.*/)?(Patient/[A-Za-z0-9\-.]{1,64})(?:/_history/.*)?")
_KPS_BY_ANSWER: Final = {code: value for value, code in KPS_ANSWERS.items()}
_ECOG_BY_ANSWER: Final = {code: value for value, code in ECOG_ANSWERS.items()}


@frozen
class _Candidate:
    """One resource's reading of one field: a value, or the problem that stops it."""

    field: str
    source: str
    order: int
    when: _dt.datetime | None
    when_text: str | None
    from_response: bool
    value: Any = None  #: ``None`` when a problem stops the field (lesions keep the rest).
    problems: tuple[Problem, ...] = ()
    #: A Condition whose code is not in the tables: it gives no field, but when no source gives
    #: ``histology`` it makes that a problem (the code may name the primary; never guessed).
    unmapped: bool = False


def _list(value: Any) -> list[Any]:
    """*value* when it is a list (a malformed resource may hold anything), else ``[]``."""
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _flatten(resources: Any) -> tuple[list[tuple[dict[str, Any], str | None]], list[Ignored]]:
    """(resource, fullUrl) pairs from a Bundle, a resource or an iterable of resources."""
    out: list[tuple[dict[str, Any], str | None]] = []
    ignored: list[Ignored] = []

    def add(item: Any, full_url: str | None, where: str) -> None:
        if not isinstance(item, Mapping) or not isinstance(item.get("resourceType"), str):
            ignored.append(Ignored(where, "not_a_resource", f"not a FHIR resource: {echo(item)}"))
            return
        if item["resourceType"] == "Bundle":
            for i, entry in enumerate(_list(item.get("entry"))):
                if isinstance(entry, Mapping) and "resource" in entry:
                    url = entry.get("fullUrl")
                    add(entry["resource"], url if isinstance(url, str) else None,
                        f"{where}.entry[{i}]")
                else:
                    ignored.append(Ignored(f"{where}.entry[{i}]", "not_a_resource",
                                           "a Bundle entry without a resource"))
            return
        out.append((dict(item), full_url))

    if isinstance(resources, Mapping):
        add(resources, None, "input")
    elif isinstance(resources, Iterable) and not isinstance(resources, (str, bytes)):
        for i, item in enumerate(resources):
            add(item, None, f"input[{i}]")
    else:
        ignored.append(Ignored("input", "not_a_resource",
                               f"not a Bundle, resource or iterable: {echo(resources)}"))
    return out, ignored


def _name(resource: dict[str, Any], full_url: str | None, index: int) -> str:
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        return f"{resource['resourceType']}/{rid}"
    if full_url:
        return full_url
    return f"{resource['resourceType']} #{index}"


def _patient(resource: dict[str, Any], aliases: dict[str, str]) -> str | None:
    subject = resource.get("subject")
    if not isinstance(subject, Mapping):
        return None
    ref = subject.get("reference")
    if not isinstance(ref, str):
        identifier = subject.get("identifier")
        if isinstance(identifier, Mapping):
            return f"identifier {identifier.get('system')}|{identifier.get('value')}"
        return None
    ref = aliases.get(ref, ref)
    match = _PATIENT_REF.fullmatch(ref)
    return match.group(1) if match else ref


def _codings(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, Mapping):
        return []
    return [(str(c["system"]), str(c["code"])) for c in _list(concept.get("coding"))
            if isinstance(c, Mapping) and isinstance(c.get("system"), str)
            and isinstance(c.get("code"), str)]


def _observation_time(resource: dict[str, Any]) -> str | None:
    for key in ("effectiveDateTime", "effectiveInstant"):
        if isinstance(resource.get(key), str):
            return str(resource[key])
    period = resource.get("effectivePeriod")
    if isinstance(period, Mapping):
        for key in ("end", "start"):
            if isinstance(period.get(key), str):
                return str(period[key])
    issued = resource.get("issued")
    return issued if isinstance(issued, str) else None


def _condition_time(resource: dict[str, Any]) -> str | None:
    for key in ("recordedDate", "onsetDateTime"):
        if isinstance(resource.get(key), str):
            return str(resource[key])
    period = resource.get("onsetPeriod")
    if isinstance(period, Mapping) and isinstance(period.get("start"), str):
        return str(period["start"])
    return None


def _performance(resource: dict[str, Any], name: str, answers: dict[str, int]) -> tuple[Any, str]:
    """The KPS/ECOG value of an Observation: ``valueInteger`` (or a ``valueQuantity``), else a
    LOINC answer code; a number and an answer code that disagree are a problem."""
    coded: list[int | None] = []
    for concept in (resource.get("valueCodeableConcept"), *_list(resource.get("interpretation"))):
        for system, code in _codings(concept):
            if system == LOINC and code in answers:
                coded.append(answers[code])
            elif system == LOINC and code == DEAD_ANSWER:
                coded.append(None)
    number: Any = resource.get("valueInteger")
    quantity = resource.get("valueQuantity")
    if number is None and isinstance(quantity, Mapping):
        number = quantity.get("value")
    if number is not None:
        if any(value != number for value in coded):
            return None, f"{name}: the value and the LOINC answer code disagree"
        return number, ""
    if coded:
        if len(set(coded)) > 1:
            return None, f"{name}: the LOINC answer codes disagree"
        if coded[0] is None:
            return None, f"{DEAD_ANSWER} (dead) is not an input of {name}"
        return coded[0], ""
    return None, f"{name} needs valueInteger or a LOINC answer code"


def _observation(resource: dict[str, Any], source: str, order: int,
                 ignored: list[Ignored]) -> list[_Candidate]:
    status = _str(resource.get("status"))
    if status not in _OBS_STATUS:
        ignored.append(Ignored(source, "status", f"Observation status {echo(status)} is not read"))
        return []
    when_text = _observation_time(resource)
    base: dict[str, Any] = {"source": source, "order": order, "when": instant(when_text),
                            "when_text": when_text, "from_response": False}
    codes = [code for system, code in _codings(resource.get("code")) if system == LOINC]
    for code in codes:
        if code in (KPS_LOINC, ECOG_LOINC):
            name = "kps" if code == KPS_LOINC else "ecog"
            answers = _KPS_BY_ANSWER if code == KPS_LOINC else _ECOG_BY_ANSWER
            raw, why = _performance(resource, name, answers)
            return [_value(name, raw, why, base)]
        analyte = LAB_LOINC.get(code)
        if analyte is None:
            continue
        quantity = resource.get("valueQuantity")
        if not isinstance(quantity, Mapping) or "value" not in quantity:
            why = f"needs a valueQuantity (LOINC {code})"
            return [_value(analyte.field, None, why, base)]
        units = " or ".join(analyte.units)
        unit, system, value = quantity.get("code"), quantity.get("system"), quantity.get("value")
        if quantity.get("comparator") is not None:
            why = f"is a bound ({echo(quantity['comparator'])}), not a value"
            return [_value(analyte.field, None, why, base, got=echo(quantity))]
        if system not in (UCUM, None) or not isinstance(unit, str):
            why = f"needs a UCUM unit code ({units}) (LOINC {code})"
            return [_value(analyte.field, None, why, base,
                           got=echo(quantity.get("unit", unit)))]
        if type(value) not in (int, float):
            return [_value(analyte.field, value, "", base)]
        converted = convert(analyte, value, unit)  # type: ignore[arg-type]
        if converted is None:
            why = f"has the UCUM unit {echo(unit)}; accepted: {units} (LOINC {code})"
            return [_value(analyte.field, None, why, base, got=echo(unit))]
        return [_value(analyte.field, converted, "", base)]
    shown = ", ".join(f"{s}|{c}" for s, c in _codings(resource.get("code"))) or "no coding"
    ignored.append(Ignored(source, "unmapped_code", f"Observation code not read: {shown}"))
    return []


def _value(name: str, raw: Any, why: str, base: dict[str, Any], got: str = "") -> _Candidate:
    """A candidate for *name*: the typed value when *raw* is valid, else its problem."""
    spec = CASE_FIELD_BY_NAME[name]
    if not why:
        value = spec.parse(raw)
        if value is not _MISSING:
            return _Candidate(name, value=value, **base)
        why = "must be " + spec.allowed
        got = echo(raw)
    return _Candidate(name, problems=(Problem(name, f"{why} ({base['source']})", got),), **base)


def _condition(resource: dict[str, Any], source: str, order: int,
               ignored: list[Ignored]) -> list[_Candidate]:
    verification = [c for _, c in _codings(resource.get("verificationStatus"))]
    if any(c in _BAD_VERIFICATION for c in verification):
        ignored.append(Ignored(source, "status", f"Condition verification {verification[0]}"))
        return []
    when_text = _condition_time(resource)
    base: dict[str, Any] = {"source": source, "order": order, "when": instant(when_text),
                            "when_text": when_text, "from_response": False}
    codings = _codings(resource.get("code"))
    mapped = {row.value for s, c in codings if (row := histology_for(s, c)) is not None}
    if len(mapped) == 1:
        return [_value("histology", mapped.pop(), "", base)]
    shown = ", ".join(f"{s}|{c}" for s, c in codings) or "no coding"
    if mapped:
        why = f"its codes map to different histologies ({', '.join(sorted(mapped))})"
        return [_value("histology", None, why, base, got=shown)]
    sites = [row.value for s, c in codings if (row := metastasis_site_for(s, c)) is not None]
    if sites:
        ignored.append(Ignored(
            source, "metastasis_site",
            f"metastasis to {sites[0].replace('_', ' ')} ({shown}): no code says resectable or "
            "how many; the Questionnaire supplies visceral_metastases and the counts"))
        return []
    meta = resource.get("meta")
    profiles = _list(meta.get("profile")) if isinstance(meta, Mapping) else []
    if any(is_malignant_icd(s, c) for s, c in codings) or MCODE_PRIMARY_PROFILE in profiles:
        why = "is a primary cancer code the spinemets table does not map (never guessed)"
        return [_value("histology", None, why, base, got=shown)]
    ignored.append(Ignored(source, "unmapped_code",
                           f"not a primary-tumour or metastasis code spinemets reads: {shown}"))
    return [_Candidate("histology", unmapped=True, **base)]


def _response(resource: dict[str, Any], source: str, order: int,
              ignored: list[Ignored]) -> list[_Candidate]:
    status = _str(resource.get("status"))
    if status not in _QR_STATUS:
        ignored.append(Ignored(source, "status",
                               f"QuestionnaireResponse status {echo(status)} is not read"))
        return []
    canonical = resource.get("questionnaire")
    if not isinstance(canonical, str) or canonical.split("|")[0] != QUESTIONNAIRE_URL:
        ignored.append(Ignored(source, "other_questionnaire",
                               f"answers {echo(canonical)}, not {QUESTIONNAIRE_URL}"))
        return []
    values, problems, unknown = read_response(resource)
    when_text = resource.get("authored") if isinstance(resource.get("authored"), str) else None
    base: dict[str, Any] = {"source": source, "order": order, "when": instant(when_text),
                            "when_text": when_text, "from_response": True}
    by_field: dict[str, list[Problem]] = {}
    for problem in problems:
        name = problem.field.split("[")[0]
        by_field.setdefault(name, []).append(
            Problem(problem.field, f"{problem.allowed} ({source})", problem.got))
    # An unreadable lesion field leaves only that field absent; the lesions are still read.
    out = [_Candidate(name, value=values.get(name), problems=tuple(by_field.get(name, ())),
                      **base) for name in dict.fromkeys([*values, *by_field])]
    if unknown:
        ignored.append(Ignored(source, "unknown_item",
                               "linkIds not in the Questionnaire: " + ", ".join(unknown)))
    return out


_READERS: Final = {"Observation": _observation, "Condition": _condition,
                   "QuestionnaireResponse": _response}
_OLDEST: Final = _dt.datetime.min.replace(tzinfo=_dt.UTC)


def _rank(candidate: _Candidate) -> tuple[_dt.datetime, bool, int]:
    return (candidate.when or _OLDEST, candidate.from_response, -candidate.order)


def read_fhir(resources: Any) -> FhirReading:
    """Read a case from FHIR resources, with a report of what was used, ignored and why.

    Args:
        resources: a Bundle (any type), a single resource, or an iterable of resources (dicts).

    Returns:
        a :class:`FhirReading`; fields that could not be read are absent from its ``case``
        and named in its ``problems``.
    """
    flat, ignored = _flatten(resources)
    aliases = {url: f"{r['resourceType']}/{r['id']}" for r, url in flat
               if url and isinstance(r.get("id"), str)}
    problems: list[Problem] = []
    candidates: list[_Candidate] = []
    first_patient: str | None = None
    seen: dict[str, dict[str, Any]] = {}
    for order, (resource, full_url) in enumerate(flat):
        source = _name(resource, full_url, order)
        if seen.get(source) == resource:  # e.g. a search that also _include-d it
            ignored.append(Ignored(source, "duplicate", "the same resource appeared before"))
            continue
        seen[source] = resource
        reader = _READERS.get(resource["resourceType"])
        if reader is None:
            ignored.append(Ignored(source, "unsupported_resource",
                                   f"{resource['resourceType']} resources are not read"))
            continue
        patient = _patient(resource, aliases)
        if patient is not None:
            if first_patient is None:
                first_patient = patient
            elif patient != first_patient:
                ignored.append(Ignored(source, "other_patient",
                                       f"subject {patient}, not {first_patient}"))
                problems.append(Problem("subject", f"must be {first_patient}, the first "
                                        f"resource's subject ({source})", echo(patient)))
                continue
        candidates += reader(resource, source, order, ignored)
    data: dict[str, Any] = {}
    used: list[Used] = []
    by_field: dict[str, list[_Candidate]] = {}
    unmapped = [c.source for c in candidates if c.unmapped]
    for candidate in candidates:
        if not candidate.unmapped:
            by_field.setdefault(candidate.field, []).append(candidate)
    if unmapped and "histology" not in by_field:
        problems.append(Problem(
            "histology", "is given by no source, and these Conditions have codes spinemets "
            "does not map (never guessed): " + ", ".join(unmapped)))
    for name, group in by_field.items():
        winner = max(group, key=_rank)
        losers = [c for c in group if c is not winner]
        others = tuple(c.source for c in losers)
        # Sources as recent as the winner and of the same kind that say something else: no
        # rule decides between them, so the field is a problem (never a guess).
        rivals = [c for c in losers if _rank(c)[:2] == _rank(winner)[:2]
                  and (c.value != winner.value or c.problems)]
        for loser in losers:
            why = "as recent, and disagrees" if loser in rivals else "is more recent"
            if loser not in rivals and loser.when == winner.when:
                why += " (same date: the QuestionnaireResponse wins)"
            ignored.append(Ignored(loser.source, "superseded" if loser not in rivals
                                   else "conflict", f"{name}: {winner.source} {why}"))
        if rivals:
            names = ", ".join([winner.source, *(c.source for c in rivals)])
            problems.append(Problem(name, f"has sources of the same date that disagree "
                                    f"({names}); no rule decides between them"))
            continue
        problems += winner.problems
        if winner.value is None:
            continue
        value = winner.value
        if isinstance(value, enum.Enum):
            value = value.value
        data[name] = value
        choice = None
        if others:
            choice = (f"most recent of {len(others) + 1} sources"
                      if winner.when is not None else f"first of {len(others) + 1} sources")
        used.append(Used(name, winner.source, value, winner.when_text, choice, others))
    case = Case.from_dict(data)
    return FhirReading(case=case, used=tuple(used), ignored=tuple(ignored),
                       problems=tuple(problems))


def case_from_fhir(resources: Any) -> Case:
    """The case :func:`read_fhir` reads from *resources*.

    Raises:
        InvalidInputError: naming every field with a problem (an unknown unit or code, an
            unreadable answer) and ``subject`` when resources of another patient are present.
    """
    reading = read_fhir(resources)
    if reading.problems:
        raise InvalidInputError(reading.problems)
    return reading.case
