"""FHIR R4 export (issue 7): every resource validates against the R4B models of fhir.resources.

The LOINC codes and FHIR system URLs are typed here a second time on purpose (landscape §4.1,
mCODE): a renamed constant in ``spinemets.fhir`` shows up as a failure.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from spinemets import Assessment, Case, assess
from spinemets.fhir import to_fhir, to_fhir_bundle

from .strategies import case_dicts, complete_case_dicts

observation = pytest.importorskip("fhir.resources.R4B.observation")
bundle_module = pytest.importorskip("fhir.resources.R4B.bundle")

KPS_LOINC = "89243-0"
ECOG_LOINC = "89247-1"
LOINC = "http://loinc.org"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

EXAMPLE: dict[str, Any] = {
    "histology": "kidney",
    "kps": 80,
    "ecog": 1,
    "visceral_metastases": "none",
    "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1,
    "frankel": "E",
    "myelopathy": False,
    "fit_for_surgery": True,
    "lesions": [
        {"level": "T12", "pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
         "collapse": "involved_over_50", "posterolateral": "unilateral", "escc": "1b"}
    ],
}


def _assess(data: dict[str, Any]) -> Assessment:
    return assess(Case.from_dict(data))


def _validate(resource: dict[str, Any]) -> None:
    """Parse *resource* with the R4B Observation model and check it survives a JSON round trip."""
    assert resource["resourceType"] == "Observation"
    model = observation.Observation.model_validate(resource)
    assert model.id == resource["id"]
    assert json.loads(json.dumps(resource)) == resource


def _code(resource: dict[str, Any]) -> tuple[str, str]:
    coding = resource["code"]["coding"][0]
    return coding["system"], coding["code"]


def _by_code(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {_code(r)[1]: r for r in resources}


def _value_keys(resource: dict[str, Any]) -> set[str]:
    return {key for key in resource if key.startswith("value")}


def _check(assessment: Assessment, resources: list[dict[str, Any]], *, incomplete: bool) -> None:
    """The invariants of issue 7 for one assessment's export."""
    for resource in resources:
        _validate(resource)
    ids = [r["id"] for r in resources]
    assert len(set(ids)) == len(ids)
    by_code = _by_code(resources)
    case = assessment.case
    result = assessment.to_dict()
    # KPS and ECOG: LOINC codes, exported exactly when given.
    if case.systemic.kps is not None:
        kps = by_code[KPS_LOINC]
        assert _code(kps) == (LOINC, KPS_LOINC)
        assert kps["valueInteger"] == case.systemic.kps
    else:
        assert KPS_LOINC not in by_code
    if case.systemic.ecog is not None:
        assert by_code[ECOG_LOINC]["valueInteger"] == case.systemic.ecog
    else:
        assert ECOG_LOINC not in by_code
    for score_id, score in result["scores"].items():
        if score["status"] != "complete":
            if not incomplete:
                assert score_id not in by_code
                continue
            obs = by_code[score_id]
            assert not _value_keys(obs), "an incomplete score is never exported as a number"
            assert obs["dataAbsentReason"]["coding"][0]["system"] == ABSENT
            continue
        obs = by_code[score_id]
        if score_id == "escc":
            assert obs["valueCodeableConcept"]["coding"][0]["code"] == score["grade"]
            assert obs["interpretation"][0]["coding"][0]["code"] == f"escc.{score['class']}"
            continue
        assert _value_keys(obs) == {"valueInteger"}
        assert obs["valueInteger"] == score["total"]
        assert sum(c["valueInteger"] for c in obs["component"]) == score["total"]
        assert [c["code"]["coding"][0]["code"] for c in obs["component"]] == [
            f"{score_id}.{key}" for key in score["items"]
        ]
        if score.get("band") is None:
            assert "interpretation" not in obs
        else:
            assert obs["interpretation"][0]["coding"][0]["code"] == (
                f"{score_id}.{score['band']['code']}"
            )
    rec = by_code["noms"]
    assert resources[-1] is rec
    components = {c["code"]["coding"][0]["code"]: c for c in rec["component"]}
    radiation = components["noms.radiation"]["valueCodeableConcept"]["coding"][0]["code"]
    stabilization = components["noms.stabilization"]["valueCodeableConcept"]["coding"][0]["code"]
    assert radiation == result["recommendation"]["radiation"]
    assert stabilization == result["recommendation"]["stabilization"]
    complete_ids = {
        by_code[s]["id"]
        for s in ("escc", "sins", "tomita", "tokuhashi_2005")
        if result["scores"][s]["status"] == "complete"
    }
    derived = {ref["reference"] for ref in rec.get("derivedFrom", [])}
    assert derived == {f"urn:uuid:{i}" for i in complete_ids}


class TestExample:
    def test_resources(self) -> None:
        """The §1 example (with ECOG) gives KPS, ECOG, five scores and the recommendation."""
        assessment = _assess(EXAMPLE)
        resources = to_fhir(assessment, patient_reference="Patient/example")
        _check(assessment, resources, incomplete=False)
        codes = [_code(r)[1] for r in resources]
        seed = ("tomita", "tokuhashi_1990", "tokuhashi_2005", "sins", "escc")
        assert codes[:2] == [KPS_LOINC, ECOG_LOINC]
        assert codes[-1] == "noms"
        assert list(seed) == [c for c in codes if c in seed]
        assert all(r["subject"] == {"reference": "Patient/example"} for r in resources)
        by_code = _by_code(resources)
        assert by_code["tomita"]["valueInteger"] == 3
        assert by_code["sins"]["valueInteger"] == 10
        assert by_code["sins"]["bodySite"] == {"text": "spinal level T12"}

    def test_method_delegates(self) -> None:
        """``Assessment.to_fhir`` is :func:`spinemets.fhir.to_fhir`."""
        assessment = _assess(EXAMPLE)
        assert to_fhir(assessment) == assessment.to_fhir()

    def test_deterministic(self) -> None:
        """Ids derive from content: the same input gives byte-identical output."""
        first = json.dumps(to_fhir(_assess(EXAMPLE), effective="2026-03-01"))
        again = json.dumps(to_fhir(_assess(EXAMPLE), effective="2026-03-01"))
        assert first == again
        other = json.dumps(to_fhir(_assess(EXAMPLE), patient_reference="Patient/2"))
        assert json.loads(first)[0]["id"] != json.loads(other)[0]["id"]

    def test_effective(self) -> None:
        resources = to_fhir(_assess(EXAMPLE), effective="2026-03-01")
        assert {"2026-03-01"} == {r["effectiveDateTime"] for r in resources}

    def test_incomplete_not_exported(self) -> None:
        """A case without lesions: no SINS or ESCC number, the recommendation undetermined."""
        data = {k: v for k, v in EXAMPLE.items() if k != "lesions"}
        assessment = _assess(data)
        resources = to_fhir(assessment)
        _check(assessment, resources, incomplete=False)
        by_code = _by_code(resources)
        assert "sins" not in by_code
        assert "escc" not in by_code
        with_absent = to_fhir(assessment, include_incomplete=True)
        _check(assessment, with_absent, incomplete=True)
        sins = _by_code(with_absent)["sins"]
        assert sins["dataAbsentReason"]["coding"][0]["code"] == "unknown"
        assert sins["note"][0]["text"] == "incomplete; missing: lesions"

    def test_bundle(self) -> None:
        """The Bundle validates and every urn:uuid reference resolves to one of its entries."""
        bundle = to_fhir_bundle(_assess(EXAMPLE), patient_reference="Patient/example")
        bundle_module.Bundle.model_validate(bundle)
        full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
        assert len(full_urls) == len(bundle["entry"])
        for entry in bundle["entry"]:
            assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
            for ref in entry["resource"].get("derivedFrom", []):
                assert ref["reference"] in full_urls


class TestRandom:
    @given(case_dicts())
    def test_any_case(self, data: dict[str, Any]) -> None:
        """Random valid cases (every field optional): every resource validates."""
        assessment = _assess(data)
        _check(assessment, to_fhir(assessment, patient_reference="Patient/1"), incomplete=False)
        _check(assessment, to_fhir(assessment, include_incomplete=True), incomplete=True)

    @given(complete_case_dicts())
    def test_complete_case(self, data: dict[str, Any]) -> None:
        """Complete cases: every score is exported as a number, and the Bundle validates."""
        assessment = _assess(data)
        resources = to_fhir(assessment)
        _check(assessment, resources, incomplete=False)
        bundle_module.Bundle.model_validate(to_fhir_bundle(assessment))
