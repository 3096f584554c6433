"""A patient-view call whose prefetch is built from Conditions, Observations and a
QuestionnaireResponse, on a real server: the cards show the case the resources describe.

The expected case is written out here (the example case of the docs); the resources are built
from its parts by hand (Condition, Observations) and by ``to_questionnaire_response`` (the rest),
so the test fails if the service drops a prefetch key, a Bundle entry or a single resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

import spinemets
from spinemets.fhir import to_questionnaire_response
from spinemets.report import EXAMPLE_CASE
from tests._service import running

if TYPE_CHECKING:
    import httpx
else:
    httpx = pytest.importorskip("httpx")

HOOK = "/cds-services/spinemets-patient-view"
PATIENT = "Patient/p-77"
#: What the Condition and Observations carry; the QuestionnaireResponse carries the rest.
FROM_RECORD = ("histology", "kps", "albumin_g_dl")


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with running() as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in resources]}


def _prefetch() -> dict[str, Any]:
    condition = {
        "resourceType": "Condition", "id": "c1", "subject": {"reference": PATIENT},
        "clinicalStatus": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
            "code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "C64",
                             "display": "Malignant neoplasm of kidney"}]},
        "recordedDate": "2026-10-01",
    }
    kps = {"resourceType": "Observation", "id": "o1", "status": "final",
           "subject": {"reference": PATIENT}, "effectiveDateTime": "2026-11-29T09:00:00Z",
           "code": {"coding": [{"system": "http://loinc.org", "code": "89243-0"}]},
           "valueInteger": 80}
    albumin = {"resourceType": "Observation", "id": "o2", "status": "final",
               "subject": {"reference": PATIENT}, "effectiveDateTime": "2026-11-29T09:00:00Z",
               "code": {"coding": [{"system": "http://loinc.org", "code": "1751-7"}]},
               "valueQuantity": {"value": 39, "unit": "g/L", "system": "http://unitsofmeasure.org",
                                 "code": "g/L"}}  # 39 g/L = 3.9 g/dL
    rest = {k: v for k, v in EXAMPLE_CASE.items() if k not in FROM_RECORD}
    response = to_questionnaire_response(spinemets.Case.from_dict(rest), subject=PATIENT,
                                         authored="2026-11-28T10:00:00Z")
    return {"conditions": _bundle(condition), "performanceStatus": _bundle(kps),
            "laboratory": {"resourceType": "Bundle", "type": "collection",
                           "entry": [{"resource": _bundle(albumin)}]},  # nested
            "assessment": response}  # a single resource, not a Bundle


def _case_of(card: dict[str, Any]) -> dict[str, Any]:
    query = urlsplit(card["links"][0]["url"]).query
    return dict(json.loads(parse_qs(query)["case"][0]))


def test_patient_view_with_a_prefetch_bundle(client: httpx.Client) -> None:
    body = {"hook": "patient-view", "hookInstance": "h-1",
            "context": {"userId": "Practitioner/9", "patientId": "p-77"},
            "prefetch": _prefetch()}
    response = client.post(HOOK, json=body)
    assert response.status_code == 200
    cards = response.json()["cards"]
    summaries = [c["summary"] for c in cards]
    # Totals worked out by hand from the published tables (see tests/service/test_page.py).
    assert summaries[0] == "NOMS: radiation srs; stabilization surgical_consultation"
    assert summaries[1].startswith("SINS 10: potentially_unstable (7-12)")
    assert summaries[2].startswith("Revised Tokuhashi 13: gte_12_months (12-15)")
    assert summaries[3].startswith("Tomita 3: long_term_local_control (2-3)")
    assert len(cards) == 4  # nothing missing, nothing unreadable: no missing-data card
    assert _case_of(cards[0]) == EXAMPLE_CASE
    suggestion = cards[0]["suggestions"]
    assert [s["actions"][0]["resource"]["subject"]["reference"] for s in suggestion] == [
        "Patient/p-77", "Patient/p-77"]


def test_unreadable_and_missing_data_make_a_card(client: httpx.Client) -> None:
    """An unknown unit is named on the missing-data card, the rest is still read."""
    prefetch = _prefetch()
    albumin = prefetch["laboratory"]["entry"][0]["resource"]["entry"][0]["resource"]
    albumin["valueQuantity"] = {"value": 39, "system": "http://unitsofmeasure.org",
                                "code": "mg/mL"}
    del prefetch["performanceStatus"]
    body = {"hook": "patient-view", "hookInstance": "h-2",
            "context": {"userId": "Practitioner/9", "patientId": "p-77"}, "prefetch": prefetch}
    cards = client.post(HOOK, json=body).json()["cards"]
    missing = cards[-1]
    assert missing["source"]["label"].endswith("missing inputs")
    assert "albumin_g_dl" in missing["detail"]
    assert "Revised Tokuhashi needs kps" in missing["summary"]
    case = _case_of(missing)
    assert "albumin_g_dl" not in case and "kps" not in case
    assert case["histology"] == "kidney"


def test_resources_of_another_patient_are_left_out(client: httpx.Client) -> None:
    """A prefetch that also holds another patient's KPS: left out and said on a card; the
    hook's patient's KPS stands."""
    prefetch = _prefetch()
    other = {"resourceType": "Observation", "id": "o9", "status": "final",
             "subject": {"reference": "https://ehr.example/fhir/Patient/someone-else"},
             "effectiveDateTime": "2026-11-30T09:00:00Z",
             "code": {"coding": [{"system": "http://loinc.org", "code": "89243-0"}]},
             "valueInteger": 40}
    prefetch["performanceStatus"]["entry"].append({"resource": other})
    body = {"hook": "patient-view", "hookInstance": "h-3",
            "context": {"userId": "Practitioner/9", "patientId": "p-77"}, "prefetch": prefetch}
    cards = client.post(HOOK, json=body).json()["cards"]
    assert _case_of(cards[0])["kps"] == 80
    assert "1 resource(s) of another patient" in cards[-1]["detail"]


# --- the request checks and the prefetch helpers, one rule at a time (CDS Hooks 2.0) ---------

GOOD_CALL: dict[str, Any] = {"hook": "patient-view", "hookInstance": "d1577c69",
                             "context": {"userId": "Practitioner/1", "patientId": "p-77"}}
# One spoiled key per entry: the fields the error must name (nothing else).
BAD_CALLS: list[tuple[dict[str, Any], list[str]]] = [
    ({"hook": "order-select"}, ["hook"]),
    ({"hookInstance": ""}, ["hookInstance"]),
    ({"hookInstance": 7}, ["hookInstance"]),
    ({"context": []}, ["context"]),
    ({"context": {"patientId": ""}}, ["context.patientId"]),
    ({"context": {"userId": "Practitioner/1"}}, ["context.patientId"]),
    ({"prefetch": ["a"]}, ["prefetch"]),
    ({"fhirServer": "ftp://ehr.example/fhir"}, ["fhirServer"]),
    ({"fhirServer": 5}, ["fhirServer"]),
    ({"fhirAuthorization": {"token_type": "Bearer"}}, ["fhirAuthorization"]),
    ({"fhirAuthorization": "tok"}, ["fhirAuthorization"]),
    ({"hook": None, "context": None, "prefetch": 1}, ["hook", "context", "prefetch"]),
]


class TestRequestChecks:
    def test_a_well_formed_call_passes(self) -> None:
        from spinemets.service.hooks import validate_call

        assert validate_call(GOOD_CALL) is None
        assert validate_call({**GOOD_CALL, "prefetch": None, "fhirServer": "https://x/fhir",
                              "fhirAuthorization": {"access_token": "t"}}) is None

    @pytest.mark.parametrize(("spoil", "fields"), BAD_CALLS)
    def test_each_bad_key_is_named(self, spoil: dict[str, Any], fields: list[str]) -> None:
        from spinemets.service.hooks import validate_call

        error = validate_call({**GOOD_CALL, **spoil})
        assert error is not None
        assert error["error"]["fields"] == fields
        assert error["interchange"] == 1

    @pytest.mark.parametrize("body", [None, [], "patient-view", 3])
    def test_not_an_object(self, body: Any) -> None:
        from spinemets.service.hooks import validate_call

        error = validate_call(body)
        assert error is not None and error["error"]["fields"] == []

    def test_feedback_counts_outcomes(self) -> None:
        from spinemets.service.hooks import validate_feedback

        item = {"card": "c1", "outcome": "accepted", "outcomeTimestamp": "2026-11-30T10:00:00Z"}
        items = [item, item, {**item, "outcome": "overridden", "overrideReason": {"code": "x"}},
                 {**item, "acceptedSuggestions": [{"id": "s1"}]}]
        assert validate_feedback({"feedback": items}) == (None, {"accepted": 3, "overridden": 1})

    @pytest.mark.parametrize(
        ("items", "fields"),
        [
            ([3], ["feedback[0]"]),
            ([{"outcome": "accepted", "outcomeTimestamp": "t"}], ["feedback[0].card"]),
            ([{"card": "c", "outcome": "maybe", "outcomeTimestamp": "t"}],
             ["feedback[0].outcome"]),
            ([{"card": "c", "outcome": "accepted"}], ["feedback[0].outcomeTimestamp"]),
            ([{"card": "c", "outcome": "accepted", "outcomeTimestamp": "t",
               "acceptedSuggestions": [{"id": 1}]}], ["feedback[0].acceptedSuggestions"]),
            ([{"card": "c", "outcome": "accepted", "outcomeTimestamp": "t",
               "acceptedSuggestions": "s1"}], ["feedback[0].acceptedSuggestions"]),
            ([{"card": "c", "outcome": "overridden", "outcomeTimestamp": "t",
               "overrideReason": "no"}], ["feedback[0].overrideReason"]),
            ([{"card": "c", "outcome": "accepted", "outcomeTimestamp": "t"}, {}],
             ["feedback[1].card", "feedback[1].outcome", "feedback[1].outcomeTimestamp"]),
        ],
    )
    def test_feedback_names_every_bad_item_field(self, items: list[Any],
                                                 fields: list[str]) -> None:
        from spinemets.service.hooks import validate_feedback

        error, counts = validate_feedback({"feedback": items})
        assert error is not None and error["error"]["fields"] == fields
        assert counts == {}

    @pytest.mark.parametrize("body", [None, [], {}, {"feedback": []}, {"feedback": {"a": 1}}])
    def test_feedback_must_be_a_non_empty_list(self, body: Any) -> None:
        from spinemets.service.hooks import validate_feedback

        error, counts = validate_feedback(body)
        assert error is not None and error["error"]["fields"] == ["feedback"]
        assert counts == {}


class TestPrefetchHelpers:
    def test_flatten_reaches_every_resource(self) -> None:
        from spinemets.service.hooks import flatten

        a, b, c = ({"resourceType": "Observation", "id": x} for x in "abc")
        inner = {"resourceType": "Bundle", "entry": [{"resource": b}, {"fullUrl": "no-resource"}]}
        outer = {"resourceType": "Bundle", "entry": [{"resource": a}, {"resource": inner}, 7]}
        assert list(flatten([outer, c, "text", None])) == [a, b, c]
        assert list(flatten({"resourceType": "Bundle", "entry": None})) == []

    @pytest.mark.parametrize(
        ("reference", "patient"),
        [
            ("Patient/p-77", "p-77"),
            ("https://ehr.example/fhir/Patient/p-77", "p-77"),
            ("Patient/p-77/", "p-77"),
            ("Patient/q-1", "q-1"),
            ("Patient/", None),
            ("Group/p-77", None),
            ("Patient/p-77/_history/2", None),
            ("XPatient/p-77", None),
        ],
    )
    @pytest.mark.parametrize("key", ["subject", "patient"])
    def test_same_patient_keeps_the_hook_patient_and_the_unnamed(
            self, reference: str, patient: str | None, key: str) -> None:
        """A resource is left out (and counted) exactly when it names another patient."""
        from spinemets.service.hooks import same_patient

        resource = {"resourceType": "Observation", key: {"reference": reference}}
        for hook_patient in ("p-77", "q-1"):
            kept, problems = same_patient([resource, {"resourceType": "Condition"}],
                                          hook_patient)
            other = patient is not None and patient != hook_patient
            assert kept == ([] if other else [resource]) + [{"resourceType": "Condition"}]
            assert len(problems) == int(other)
            assert all(p.startswith("1 resource(s) of another patient") for p in problems)

    def test_next_link_stays_under_the_server(self) -> None:
        from spinemets.service.hooks import _next_link

        base = "https://ehr.example/fhir"
        page = {"link": [{"relation": "self", "url": f"{base}/1"},
                         {"relation": "next", "url": f"{base}/2"}]}
        assert _next_link(page, base) == f"{base}/2"
        assert _next_link({"link": [{"relation": "next", "url": "https://evil.example/2"}]},
                          base) is None
        assert _next_link({"link": [{"relation": "next", "url": 5}, "x"]}, base) is None
        assert _next_link([], base) is None
        assert _next_link({"link": None}, base) is None
