"""FHIR R4 export: every resource validates against the R4B models of fhir.resources, and the
choices an integrator needs (status, ids, effective, performer, encounter, profiles, mCODE, coded
flags, intended use, fresh containers) hold.

The LOINC codes, answer codes, profile URLs and FHIR system URLs are typed here a second time on
purpose (mCODE STU4; LOINC answer lists LL4986-7 and LL529-9): a renamed constant in
``spinemets.fhir`` shows up as a failure.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinemets import Assessment, Case, InvalidInputError, assess
from spinemets.fhir import code_systems, to_fhir, to_fhir_bundle
from tests.strategies import case_dicts, complete_case_dicts

observation = pytest.importorskip("fhir.resources.R4B.observation")
careplan = pytest.importorskip("fhir.resources.R4B.careplan")
bundle_module = pytest.importorskip("fhir.resources.R4B.bundle")

KPS_LOINC = "89243-0"
ECOG_LOINC = "89247-1"
LOINC = "http://loinc.org"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
FLAG_SYSTEM = "https://spinemets.readthedocs.io/fhir/CodeSystem/flag"
MCODE_KPS = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-karnofsky-performance-status"
MCODE_ECOG = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-ecog-performance-status"
KPS_ANSWER = {100: "LA29175-9", 90: "LA29176-7", 80: "LA29177-5", 70: "LA29178-3",
              60: "LA29179-1", 50: "LA29180-9", 40: "LA29181-7", 30: "LA29182-5",
              20: "LA29183-3", 10: "LA29184-1"}
ECOG_ANSWER = {0: "LA9622-7", 1: "LA9623-5", 2: "LA9624-3", 3: "LA9625-0", 4: "LA9626-8"}
STATUSES = ("preliminary", "final", "amended", "corrected")

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
    """Parse *resource* with its R4B model and check it survives a JSON round trip."""
    model = {"Observation": observation.Observation, "CarePlan": careplan.CarePlan}[
        resource["resourceType"]]
    parsed = model.model_validate(resource)
    assert parsed.id == resource["id"]
    assert json.loads(json.dumps(resource)) == resource


def _code(resource: dict[str, Any]) -> tuple[str, str]:
    coding = resource["code"]["coding"][0]
    return coding["system"], coding["code"]


def _by_code(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {_code(r)[1]: r for r in resources if r["resourceType"] == "Observation"}


def _value_keys(resource: dict[str, Any]) -> set[str]:
    return {key for key in resource if key.startswith("value")}


def _flag_codes(resource: dict[str, Any]) -> list[str]:
    return [e["valueCoding"]["code"] for e in resource.get("extension", ())
            if e.get("valueCoding", {}).get("system") == FLAG_SYSTEM]


def _published_flags() -> set[str]:
    (flags,) = [cs for cs in code_systems() if cs["url"] == FLAG_SYSTEM]
    return {c["code"] for c in flags["concept"]}


def _check(assessment: Assessment, resources: list[dict[str, Any]], *, incomplete: bool,
           status: str = "preliminary") -> None:
    """The invariants of the export for one assessment."""
    for resource in resources:
        _validate(resource)
    ids = [r["id"] for r in resources]
    assert len(set(ids)) == len(ids)
    by_code = _by_code(resources)
    case = assessment.case
    result = assessment.to_dict()
    published = _published_flags()
    for resource in resources:
        assert set(_flag_codes(resource)) <= published, "every flag is a published code"
        if resource["resourceType"] == "Observation":
            assert resource["status"] == status
    if case.systemic.kps is not None:
        kps = by_code[KPS_LOINC]
        assert _code(kps) == (LOINC, KPS_LOINC)
        assert kps["valueInteger"] == case.systemic.kps
        assert kps["interpretation"][0]["coding"][0] == {
            "system": LOINC, "code": KPS_ANSWER[case.systemic.kps]}
    else:
        assert KPS_LOINC not in by_code
    if case.systemic.ecog is not None:
        ecog = by_code[ECOG_LOINC]
        assert ecog["valueInteger"] == case.systemic.ecog
        assert ecog["interpretation"][0]["coding"][0]["code"] == ECOG_ANSWER[case.systemic.ecog]
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
            assert _flag_codes(obs)[0] == score["status"], "incomplete is coded, not only noted"
            missing = [e["valueString"] for e in obs.get("extension", ())
                       if "valueString" in e]
            assert missing == score.get("missing", [])
            assert _flag_codes(obs)[1:] == score["flags"]
            continue
        obs = by_code[score_id]
        assert _flag_codes(obs) == score["flags"], "every flag is coded"
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
    plan = resources[-1]
    assert plan["resourceType"] == "CarePlan"
    assert (plan["intent"], plan["status"]) == ("proposal", "draft")
    activities = [a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"]]
    rec = result["recommendation"]
    assert activities == [rec["radiation"], rec["stabilization"]]
    assert _flag_codes(plan) == rec["flags"]
    complete_ids = {
        by_code[s]["id"]
        for s in ("escc", "sins", "tomita", "tokuhashi_2005")
        if result["scores"][s]["status"] == "complete"
    }
    supporting = {ref["reference"] for ref in plan.get("supportingInfo", [])}
    assert supporting == {f"urn:uuid:{i}" for i in complete_ids}


class TestExample:
    def test_resources(self) -> None:
        """The example (with ECOG) gives KPS, ECOG, the scores and the recommendation."""
        assessment = _assess(EXAMPLE)
        resources = to_fhir(assessment, patient_reference="Patient/example")
        _check(assessment, resources, incomplete=False)
        codes = [_code(r)[1] for r in resources[:-1]]
        seed = ("tomita", "tokuhashi_1990", "tokuhashi_2005", "sins", "escc")
        assert codes[:2] == [KPS_LOINC, ECOG_LOINC]
        assert list(seed) == [c for c in codes if c in seed]
        assert all(r["subject"] == {"reference": "Patient/example"} for r in resources)
        by_code = _by_code(resources)
        assert by_code["tomita"]["valueInteger"] == 3
        assert by_code["sins"]["valueInteger"] == 10
        assert by_code["sins"]["bodySite"] == {"text": "spinal level T12"}

    def test_method_delegates(self) -> None:
        """``Assessment.to_fhir`` is :func:`spinemets.fhir.to_fhir` (with the same options)."""
        assessment = _assess(EXAMPLE)
        options: dict[str, Any] = {"patient_reference": "Patient/1", "ids": "deterministic"}
        assert to_fhir(assessment, **options) == assessment.to_fhir(**options)

    def test_random_ids_by_default(self) -> None:
        """Two exports never share an id (different patients or sessions cannot collide)."""
        first = to_fhir(_assess(EXAMPLE), patient_reference="Patient/1")
        again = to_fhir(_assess(EXAMPLE), patient_reference="Patient/1")
        assert not {r["id"] for r in first} & {r["id"] for r in again}

    def test_deterministic_ids(self) -> None:
        """Deterministic ids: equal for the same subject and content, different for another
        subject or time, and independent of status, notes and library version."""
        def ids(**kw: Any) -> list[str]:
            return [r["id"] for r in to_fhir(_assess(EXAMPLE), ids="deterministic", **kw)]

        base = ids(patient_reference="Patient/1", effective="2026-03-01")
        assert base == ids(patient_reference="Patient/1", effective="2026-03-01")
        assert base == ids(patient_reference="Patient/1", effective="2026-03-01", status="final")
        assert not set(base) & set(ids(patient_reference="Patient/2", effective="2026-03-01"))
        assert not set(base) & set(ids(patient_reference="Patient/1", effective="2026-03-02"))

    def test_deterministic_ids_are_stable(self) -> None:
        """The documented recipe, recomputed here: UUID v5 (namespace: UUID v5 of the code
        system base URL) of the canonical JSON of the coded parts, without display texts. A
        pinned value besides, so that a patch release cannot change it."""
        resources = to_fhir(_assess(EXAMPLE), ids="deterministic",
                            patient_reference="Patient/1", effective="2026-03-01")
        coded = {
            "resourceType": "Observation",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey"}]}],
            "code": {"coding": [{"system": LOINC, "code": KPS_LOINC}]},
            "subject": {"reference": "Patient/1"},
            "effectiveDateTime": "2026-03-01",
            "valueInteger": 80,
            "interpretation": [{"coding": [{"system": LOINC, "code": "LA29177-5"}]}],
        }
        namespace = uuid.uuid5(uuid.NAMESPACE_URL,
                               "https://spinemets.readthedocs.io/fhir/CodeSystem")
        text = json.dumps(coded, sort_keys=True, separators=(",", ":"))
        assert resources[0]["id"] == str(uuid.uuid5(namespace, text)) == PINNED_KPS_ID

    def test_deterministic_needs_a_subject(self) -> None:
        with pytest.raises(InvalidInputError) as info:
            to_fhir(_assess(EXAMPLE), ids="deterministic")
        assert info.value.fields == ("ids",)

    @pytest.mark.parametrize("status", STATUSES)
    def test_status(self, status: str) -> None:
        assessment = _assess(EXAMPLE)
        resources = to_fhir(assessment, status=status)  # type: ignore[arg-type]
        _check(assessment, resources, incomplete=False, status=status)

    def test_default_status_is_preliminary(self) -> None:
        resources = to_fhir(_assess(EXAMPLE))
        assert {r["status"] for r in resources if r["resourceType"] == "Observation"} == {
            "preliminary"}

    @pytest.mark.parametrize("bad", ["registered", "cancelled", "FINAL", "", None])
    def test_bad_status(self, bad: Any) -> None:
        with pytest.raises(InvalidInputError) as info:
            to_fhir(_assess(EXAMPLE), status=bad)
        assert info.value.fields == ("status",)

    @pytest.mark.parametrize("good", [
        "2026", "2026-03", "2026-03-01", "2026-03-01T10:30:00Z", "2026-03-01T10:30:00+01:00",
        "2026-03-01T10:30:00.123-05:00", dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.UTC),
    ])
    def test_effective_accepted(self, good: Any) -> None:
        resources = to_fhir(_assess(EXAMPLE), effective=good)
        expected = good.isoformat() if isinstance(good, dt.datetime) else good
        assert {r.get("effectiveDateTime", r.get("created")) for r in resources} == {expected}
        for resource in resources:
            _validate(resource)

    @pytest.mark.parametrize("bad", [
        "2026-03-01T10:30:00", "2026-03-01 10:30:00Z", "01.03.2026", "2026-13-01", "2026-02-30",
        "2026-03-01T25:00:00Z", "yesterday", "", 20260301, dt.datetime(2026, 3, 1, 10, 30),
    ])
    def test_effective_rejected(self, bad: Any) -> None:
        """A time without a zone, a naive datetime, or anything not a FHIR dateTime."""
        with pytest.raises(InvalidInputError) as info:
            to_fhir(_assess(EXAMPLE), effective=bad)
        assert info.value.fields == ("effective",)

    def test_performer_encounter_profiles(self) -> None:
        resources = to_fhir(
            _assess(EXAMPLE), patient_reference="Patient/1", performer=["Practitioner/7"],
            encounter="Encounter/9",
            profiles={"*": ["http://example.org/a"], "sins": ["http://example.org/sins"]})
        for resource in resources:
            _validate(resource)
            assert resource["encounter"] == {"reference": "Encounter/9"}
            assert resource["meta"]["profile"][0] == "http://example.org/a"
            if resource["resourceType"] == "Observation":
                assert resource["performer"] == [{"reference": "Practitioner/7"}]
        sins = _by_code(resources)["sins"]
        assert sins["meta"]["profile"] == ["http://example.org/a", "http://example.org/sins"]
        assert resources[-1]["contributor"] == [{"reference": "Practitioner/7"}]

    @pytest.mark.parametrize(("options", "field"), [
        ({"profiles": {"*": [1]}}, "profiles['*']"), ({"encounter": 7}, "encounter"),
        ({"performer": [""]}, "performer"), ({"patient_reference": ""}, "patient_reference"),
        ({"ids": "sequential"}, "ids")])
    def test_bad_options(self, options: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInputError) as info:
            to_fhir(_assess(EXAMPLE), **options)
        assert info.value.fields == (field,)

    def test_one_profile_as_a_string(self) -> None:
        resources = to_fhir(_assess(EXAMPLE), profiles={"noms": "http://example.org/p"})
        assert resources[-1]["meta"] == {"profile": ["http://example.org/p"]}

    def test_mcode(self) -> None:
        """KPS and ECOG claim mCODE's profiles, with subject, survey category and answer code."""
        resources = to_fhir(_assess(EXAMPLE), patient_reference="Patient/1", mcode=True)
        by_code = _by_code(resources)
        for code, profile in ((KPS_LOINC, MCODE_KPS), (ECOG_LOINC, MCODE_ECOG)):
            obs = by_code[code]
            assert obs["meta"]["profile"] == [profile]
            assert obs["category"][0]["coding"][0]["code"] == "survey"
            assert obs["subject"] == {"reference": "Patient/1"}
            assert obs["interpretation"][0]["coding"][0]["system"] == LOINC
        assert "meta" not in by_code["sins"]
        with pytest.raises(InvalidInputError):
            to_fhir(_assess(EXAMPLE), mcode=True)

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
        plan = with_absent[-1]
        assert [a["detail"]["status"] for a in plan["activity"]] == ["unknown", "unknown"]

    def test_bundle(self) -> None:
        """The Bundle validates, carries the intended-use statement, and every urn:uuid
        reference resolves to one of its entries."""
        bundle = to_fhir_bundle(_assess(EXAMPLE), patient_reference="Patient/example")
        bundle_module.Bundle.model_validate(bundle)
        (extension,) = bundle["meta"]["extension"]
        assert "not a medical device" in extension["valueString"]
        full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
        assert len(full_urls) == len(bundle["entry"])
        for entry in bundle["entry"]:
            assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
            for ref in entry["resource"].get("supportingInfo", []):
                assert ref["reference"] in full_urls

    def test_fresh_containers(self) -> None:
        """Mutating every list and dict of an export never changes a later export."""
        options: dict[str, Any] = {"patient_reference": "Patient/1", "ids": "deterministic",
                                   "effective": "2026-03-01", "include_incomplete": True,
                                   "mcode": True}
        first = to_fhir_bundle(_assess(EXAMPLE), **options)
        pristine = copy.deepcopy(first)
        _vandalize(first)
        assert to_fhir_bundle(_assess(EXAMPLE), **options) == pristine

    def test_version_looked_up_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The package-version lookup runs once per process, not once per export."""
        import importlib.metadata

        from spinemets._version import package_version

        calls: list[str] = []
        real = importlib.metadata.version

        def counting(name: str) -> str:
            calls.append(name)
            return real(name)

        package_version.cache_clear()
        monkeypatch.setattr(importlib.metadata, "version", counting)
        for _ in range(3):
            to_fhir(_assess(EXAMPLE))
        assert calls == ["spinemets"]


def _vandalize(value: Any) -> None:
    if isinstance(value, dict):
        for key in list(value):
            _vandalize(value[key])
        value["vandal"] = True
    elif isinstance(value, list):
        for item in value:
            _vandalize(item)
        value.append("vandal")


#: The deterministic id of the example's KPS Observation for Patient/1 on 2026-03-01.
PINNED_KPS_ID = "0e29bfe6-aa2e-56ad-b516-d01270799ae2"


class TestRandom:
    @given(case_dicts(), st.sampled_from(STATUSES), st.booleans(), st.booleans())
    def test_any_case(self, data: dict[str, Any], status: str, mcode: bool,
                      deterministic: bool) -> None:
        """Random valid cases, every status and option: every resource validates."""
        assessment = _assess(data)
        options: dict[str, Any] = {"status": status,
                                   "ids": "deterministic" if deterministic else "random"}
        _check(assessment, to_fhir(assessment, patient_reference="Patient/1", mcode=mcode,
                                   **options), incomplete=False, status=status)
        _check(assessment, to_fhir(assessment, include_incomplete=True, status=options["status"],
                                   effective="2026-03-01T08:00:00Z"),
               incomplete=True, status=status)

    @given(complete_case_dicts())
    def test_complete_case(self, data: dict[str, Any]) -> None:
        """Complete cases: every score is exported as a number, and the Bundle validates."""
        assessment = _assess(data)
        resources = to_fhir(assessment)
        _check(assessment, resources, incomplete=False)
        bundle_module.Bundle.model_validate(to_fhir_bundle(assessment))
