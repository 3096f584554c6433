"""CDS Hooks 2.0: the discovery document, the ``patient-view`` service and feedback.

A hook call reads every resource of every prefetch entry, whatever its key (Bundles, nested
Bundles or single resources), through :func:`spinemets.fhir.read_fhir`. A prefetch entry that is
absent (or ``null``) is fetched from ``fhirServer`` with a real HTTP client when the call carries
``fhirAuthorization`` (the token is sent to that server only, and only ``next`` pages under the
same base are followed). Missing or unreadable data gives an informative card, never an error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, Final
from urllib.parse import quote

__all__ = [
    "HOOK",
    "SERVICE_ID",
    "discovery",
    "flatten",
    "gather",
    "same_patient",
    "validate_call",
    "validate_feedback",
]

_log = logging.getLogger("spinemets.service")

SERVICE_ID: Final = "spinemets-patient-view"
HOOK: Final = "patient-view"
_PAGES: Final = 5
_TIMEOUT: Final = 10.0


def prefetch_templates() -> dict[str, str]:
    """The prefetch templates: what the FHIR reader reads for one patient (its LOINC codes and
    its Questionnaire's canonical URL come from :mod:`spinemets.fhir`)."""
    from ..fhir import ECOG_LOINC, KPS_LOINC, LOINC, QUESTIONNAIRE_URL
    from ..fhir.units import LAB_LOINC

    def codes(values: Iterable[str]) -> str:
        return ",".join(f"{LOINC}|{code}" for code in values)

    patient = "{{context.patientId}}"
    return {
        "conditions": f"Condition?patient={patient}",
        "performanceStatus": (f"Observation?patient={patient}"
                              f"&code={codes((KPS_LOINC, ECOG_LOINC))}&_sort=-date&_count=20"),
        "laboratory": (f"Observation?patient={patient}&code={codes(LAB_LOINC)}"
                       "&_sort=-date&_count=100"),
        "assessment": (f"QuestionnaireResponse?subject=Patient/{patient}"
                       f"&questionnaire={QUESTIONNAIRE_URL}&_sort=-authored&_count=1"),
    }


def discovery() -> dict[str, Any]:
    """The discovery document (``GET /cds-services``)."""
    return {"services": [{
        "hook": HOOK,
        "id": SERVICE_ID,
        "title": "spinemets: spinal metastasis scores and NOMS",
        "description": (
            "Published scores for spinal metastases (Tomita, Tokuhashi, SINS, Bilsky ESCC and "
            "more) and a NOMS-style recommendation, from the patient's Conditions, "
            "performance-status and laboratory Observations and the latest spinemets "
            "assessment QuestionnaireResponse. Decision support, not a medical device."
        ),
        "prefetch": prefetch_templates(),
        "usageRequirements": (
            "Record the spinal assessment (lesions, SINS items, ESCC grade, fitness for surgery) "
            "as a spinemets QuestionnaireResponse; the cards name whatever is missing."
        ),
    }]}


def _problem(fields: list[str], message: str) -> dict[str, Any]:
    from .app import error_object

    return error_object(message, fields)


def validate_call(body: Any) -> dict[str, Any] | None:
    """The interchange error object for a malformed hook request (``None`` when well formed)."""
    if not isinstance(body, dict):
        return _problem([], "a CDS Hooks request is a JSON object")
    bad = []
    if body.get("hook") != HOOK:
        bad.append("hook")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        bad.append("hookInstance")
    context = body.get("context")
    if not isinstance(context, dict):
        bad.append("context")
    elif not isinstance(context.get("patientId"), str) or not context["patientId"]:
        bad.append("context.patientId")
    prefetch = body.get("prefetch")
    if prefetch is not None and not isinstance(prefetch, dict):
        bad.append("prefetch")
    server = body.get("fhirServer")
    if server is not None and not (isinstance(server, str)
                                   and server.startswith(("http://", "https://"))):
        bad.append("fhirServer")
    auth = body.get("fhirAuthorization")
    if auth is not None and not (isinstance(auth, dict)
                                 and isinstance(auth.get("access_token"), str)):
        bad.append("fhirAuthorization")
    if not bad:
        return None
    return _problem(bad, f"invalid {HOOK} request: check {', '.join(bad)} "
                         f"(hook must be {HOOK!r}; context needs patientId)")


_OUTCOMES: Final = frozenset({"accepted", "overridden"})


def validate_feedback(body: Any) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """Check a feedback body (CDS Hooks 2.0); return (error object or None, outcome counts)."""
    items = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return _problem(["feedback"], "feedback must be a non-empty list"), {}
    bad: list[str] = []
    counts = dict.fromkeys(sorted(_OUTCOMES), 0)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            bad.append(f"feedback[{i}]")
            continue
        if not isinstance(item.get("card"), str) or not item["card"]:
            bad.append(f"feedback[{i}].card")
        outcome = item.get("outcome")
        if outcome not in _OUTCOMES:
            bad.append(f"feedback[{i}].outcome")
        else:
            counts[outcome] += 1
        if not isinstance(item.get("outcomeTimestamp"), str):
            bad.append(f"feedback[{i}].outcomeTimestamp")
        accepted = item.get("acceptedSuggestions")
        if accepted is not None and not (
                isinstance(accepted, list)
                and all(isinstance(a, dict) and isinstance(a.get("id"), str) for a in accepted)):
            bad.append(f"feedback[{i}].acceptedSuggestions")
        reason = item.get("overrideReason")
        if reason is not None and not isinstance(reason, dict):
            bad.append(f"feedback[{i}].overrideReason")
    if bad:
        return _problem(bad, "invalid feedback: check " + ", ".join(bad)), {}
    return None, counts


def flatten(value: Any) -> Iterator[dict[str, Any]]:
    """Every resource inside a prefetch value: Bundle entries (nested Bundles too) or itself."""
    if isinstance(value, list):
        for item in value:
            yield from flatten(item)
    elif isinstance(value, dict):
        if value.get("resourceType") == "Bundle":
            for entry in value.get("entry") or ():
                if isinstance(entry, dict) and "resource" in entry:
                    yield from flatten(entry["resource"])
        else:
            yield value


def _patient_of(resource: dict[str, Any]) -> str | None:
    """The patient id a resource names in ``subject`` or ``patient`` (``Patient/<id>``)."""
    for key in ("subject", "patient"):
        ref = resource.get(key)
        text = ref.get("reference") if isinstance(ref, dict) else None
        if isinstance(text, str):
            head, sep, tail = text.rstrip("/").rpartition("Patient/")
            if sep and tail and "/" not in tail and (not head or head.endswith("/")):
                return tail
    return None


def same_patient(resources: list[dict[str, Any]], patient_id: str
                 ) -> tuple[list[dict[str, Any]], list[str]]:
    """Keep the resources of the hook's patient; a resource naming another patient is left out
    and counted (one card must never mix two patients' data)."""
    kept = [r for r in resources if _patient_of(r) in (None, patient_id)]
    dropped = len(resources) - len(kept)
    problems = ([f"{dropped} resource(s) of another patient than context.patientId were "
                 "left out"] if dropped else [])
    return kept, problems


async def gather(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """All resources of a hook call (prefetch, then fetched) and problems met while fetching;
    resources of another patient than ``context.patientId`` are left out."""
    prefetch = body.get("prefetch") or {}
    resources: list[dict[str, Any]] = []
    for value in prefetch.values():
        resources.extend(flatten(value))
    templates = prefetch_templates()
    absent = [key for key in templates if prefetch.get(key) is None]
    problems: list[str] = []
    server, auth = body.get("fhirServer"), body.get("fhirAuthorization")
    if absent and server and auth:
        context = body["context"]
        fetched, problems = await _fetch(server, auth["access_token"],
                                         {k: templates[k] for k in absent}, context)
        resources.extend(fetched)
    resources, others = same_patient(resources, body["context"]["patientId"])
    return resources, [*problems, *others]


async def _fetch(
    server: str, token: str, queries: dict[str, str], context: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    import httpx

    base = server.rstrip("/") + "/"
    resources: list[dict[str, Any]] = []
    problems: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    async with httpx.AsyncClient(timeout=_TIMEOUT, follow_redirects=False,
                                 headers=headers) as client:
        for key, template in queries.items():
            query = template
            for name in ("patientId", "userId", "encounterId"):
                if isinstance(context.get(name), str):
                    query = query.replace(f"{{{{context.{name}}}}}", quote(context[name], safe=""))
            url: str | None = base + query
            pages = 0
            while url is not None and pages < _PAGES:
                pages += 1
                try:
                    response = await client.get(url)
                    if response.status_code != 200:
                        problems.append(f"{key}: the FHIR server answered HTTP "
                                        f"{response.status_code}")
                        break
                    data = response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    problems.append(f"{key}: the FHIR server could not be read "
                                    f"({type(exc).__name__})")
                    break
                resources.extend(flatten(data))
                url = _next_link(data, base)
    _log.info("fetched %d resources from the FHIR server", len(resources))
    return resources, problems


def _next_link(bundle: Any, base: str) -> str | None:
    """The Bundle's ``next`` page when it lies under *base* (the token goes nowhere else)."""
    if not isinstance(bundle, dict):
        return None
    for link in bundle.get("link") or ():
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if isinstance(url, str) and url.startswith(base):
                return url
    return None
