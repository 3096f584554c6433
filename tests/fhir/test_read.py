"""Reading a case from Conditions and Observations: code tables, UCUM conversion, choices and
reports.

Expected values are computed here from the published factors (albumin g/L ÷ 10, CRP mg/L ÷ 10,
calcium mmol/L × 4.008, bilirubin µmol/L ÷ 17.1, platelets 10*3/uL = 10*9/L), and the code table
rows are typed here a second time (ICD-10 and the SNOMED CT codes of mCODE's examples).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinemets import Case, InvalidInputError, assess
from spinemets.fhir import case_from_fhir, read_fhir, to_fhir, to_questionnaire_response

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"

#: (LOINC, UCUM unit, field, function from the value to the field's unit)
UNITS: list[tuple[str, str, str, Any]] = [
    ("1751-7", "g/dL", "albumin_g_dl", lambda v: v),
    ("1751-7", "g/L", "albumin_g_dl", lambda v: v / 10),
    ("1988-5", "mg/dL", "crp_mg_dl", lambda v: v),
    ("1988-5", "mg/L", "crp_mg_dl", lambda v: v / 10),
    ("2532-0", "U/L", "ldh_u_l", lambda v: v),
    ("14804-9", "U/L", "ldh_u_l", lambda v: v),
    ("777-3", "10*3/uL", "platelets_10e9_l", lambda v: v),
    ("777-3", "10*9/L", "platelets_10e9_l", lambda v: v),
    ("26515-7", "10*3/uL", "platelets_10e9_l", lambda v: v),
    ("26515-7", "10*9/L", "platelets_10e9_l", lambda v: v),
    ("17861-6", "mg/dL", "calcium_mg_dl", lambda v: v),
    ("17861-6", "mmol/L", "calcium_mg_dl", lambda v: v * 4.008),
    ("2000-8", "mg/dL", "calcium_mg_dl", lambda v: v),
    ("2000-8", "mmol/L", "calcium_mg_dl", lambda v: v * 4.008),
    ("1975-2", "mg/dL", "bilirubin_mg_dl", lambda v: v),
    ("1975-2", "umol/L", "bilirubin_mg_dl", lambda v: v / 17.1),
    ("14631-6", "mg/dL", "bilirubin_mg_dl", lambda v: v),
    ("14631-6", "umol/L", "bilirubin_mg_dl", lambda v: v / 17.1),
]
#: A unit that is valid UCUM but not accepted for the analyte, per LOINC code.
WRONG_UNIT = {"1751-7": "mg/dL", "1988-5": "g/L", "2532-0": "[IU]/L", "14804-9": "ukat/L",
              "777-3": "/uL", "26515-7": "10*6/uL", "17861-6": "mEq/L", "2000-8": "mg/L",
              "1975-2": "mmol/L", "14631-6": "ug/dL"}
FIELD_OF = {loinc: field for loinc, _, field, _ in UNITS}

CONDITIONS: list[tuple[str, str, str]] = [
    (ICD10, "C64", "kidney"), (ICD10_CM, "C64.1", "kidney"), (ICD10, "C50", "breast"),
    (ICD10_CM, "C50.911", "breast"), (ICD10, "C61", "prostate"), (ICD10, "C34", "lung"),
    (ICD10_CM, "C34.90", "lung"), (ICD10, "C18", "colon"), (ICD10_CM, "C18.9", "colon"),
    (ICD10, "C20", "rectum"), (ICD10, "C90.0", "myeloma"), (ICD10_CM, "C90.00", "myeloma"),
    (ICD10, "C73", "thyroid"), (ICD10, "C16.9", "stomach"), (ICD10, "C22.0", "liver"),
    (ICD10, "C43.5", "melanoma"), (ICD10, "C80.1", "unknown"),
    (SNOMED, "254637007", "lung_nsclc"), (SNOMED, "254837009", "breast"),
    (SNOMED, "363418001", "pancreas"), (SNOMED, "363443007", "ovary"),
]
UNMAPPED_CANCER = [(ICD10, "C19"), (ICD10, "C22.1"), (ICD10_CM, "C62.90"), (ICD10, "C90.1"),
                   (ICD10, "C40.2")]
METASTASES = [(ICD10, "C79.5"), (ICD10_CM, "C79.51"), (ICD10, "C78.0"), (ICD10_CM, "C78.7"),
              (ICD10, "C79.3"), (SNOMED, "94225005")]


def _obs(loinc: str, *, value: Any = None, unit: str | None = None, when: str | None = None,
         rid: str = "o1", subject: str = "Patient/1", **extra: Any) -> dict[str, Any]:
    obs: dict[str, Any] = {"resourceType": "Observation", "id": rid, "status": "final",
                           "code": {"coding": [{"system": LOINC, "code": loinc}]},
                           "subject": {"reference": subject}}
    if unit is not None:
        obs["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    if when is not None:
        obs["effectiveDateTime"] = when
    obs.update(extra)
    return obs


def _condition(system: str, code: str, *, rid: str = "c1", when: str | None = None,
               **extra: Any) -> dict[str, Any]:
    cond: dict[str, Any] = {"resourceType": "Condition", "id": rid,
                            "code": {"coding": [{"system": system, "code": code}]},
                            "subject": {"reference": "Patient/1"}}
    if when is not None:
        cond["recordedDate"] = when
    cond.update(extra)
    return cond


class TestConditions:
    @pytest.mark.parametrize(("system", "code", "histology"), CONDITIONS)
    def test_histology(self, system: str, code: str, histology: str) -> None:
        reading = read_fhir([_condition(system, code)])
        assert reading.problems == ()
        assert reading.case.to_dict() == {"histology": histology}
        (used,) = reading.used
        assert (used.field, used.source, used.value) == ("histology", "Condition/c1", histology)

    @pytest.mark.parametrize(("system", "code"), UNMAPPED_CANCER)
    def test_unmapped_cancer_is_a_problem(self, system: str, code: str) -> None:
        """A primary cancer code the table does not map is never guessed."""
        reading = read_fhir([_condition(system, code)])
        assert reading.case == Case()
        assert [p.field for p in reading.problems] == ["histology"]
        with pytest.raises(InvalidInputError) as info:
            case_from_fhir([_condition(system, code)])
        assert info.value.fields == ("histology",)

    def test_unmapped_snomed_on_mcode_primary_is_a_problem(self) -> None:
        profile = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition"
        cond = _condition(SNOMED, "123456789", meta={"profile": [profile]})
        assert [p.field for p in read_fhir(cond).problems] == ["histology"]

    def test_other_conditions_are_ignored(self) -> None:
        """Unmapped Conditions beside a mapped primary are reported and change nothing."""
        others = [_condition(ICD10, "E11.9"), _condition(SNOMED, "38341003", rid="c2")]
        reading = read_fhir([*others, _condition(ICD10, "C61", rid="c3")])
        assert reading.problems == ()
        assert reading.case.to_dict() == {"histology": "prostate"}
        assert [i.reason for i in reading.ignored] == ["unmapped_code", "unmapped_code"]
        qr = to_questionnaire_response(Case.from_dict({"histology": "melanoma"}))
        assert read_fhir([*others, qr]).problems == ()

    def test_unmapped_conditions_alone_make_histology_a_problem(self) -> None:
        """With no source of histology, an unmapped Condition (which may name the primary, e.g.
        a SNOMED CT cancer code not in the table) is a problem of histology."""
        reading = read_fhir([_condition(SNOMED, "363346000"), _obs("89243-0", valueInteger=80)])
        assert reading.case.to_dict() == {"kps": 80}
        assert [p.field for p in reading.problems] == ["histology"]
        assert "Condition/c1" in reading.problems[0].allowed

    @pytest.mark.parametrize(("system", "code"), METASTASES)
    def test_metastases_are_reported_never_fields(self, system: str, code: str) -> None:
        reading = read_fhir([_condition(system, code)])
        assert reading.case == Case()
        assert reading.problems == ()
        assert [i.reason for i in reading.ignored] == ["metastasis_site"]

    def test_refuted_ignored(self) -> None:
        cond = _condition(ICD10, "C64", verificationStatus={"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "code": "refuted"}]})
        assert read_fhir(cond).case == Case()

    def test_most_recent_condition_wins(self) -> None:
        reading = read_fhir([_condition(ICD10, "C64", when="2020-01-01"),
                             _condition(ICD10, "C50", rid="c2", when="2024-05-01")])
        assert reading.case.to_dict() == {"histology": "breast"}
        (used,) = reading.used
        assert used.others == ("Condition/c1",)
        assert used.choice is not None

    def test_disagreeing_codings_are_a_problem(self) -> None:
        cond = _condition(ICD10, "C64")
        cond["code"]["coding"].append({"system": SNOMED, "code": "254837009"})
        assert [p.field for p in read_fhir(cond).problems] == ["histology"]


class TestObservations:
    @pytest.mark.parametrize(("loinc", "unit", "field", "convert"), UNITS)
    @pytest.mark.parametrize("value", [0.0, 0.4, 3.2, 35, 140.0, 2.35, 17.1])
    def test_units(self, loinc: str, unit: str, field: str, convert: Any, value: float) -> None:
        if field == "albumin_g_dl" and value == 0:
            return  # albumin must be > 0
        reading = read_fhir([_obs(loinc, value=value, unit=unit)])
        assert reading.problems == ()
        assert reading.case.to_dict() == {field: convert(value)}

    @given(st.sampled_from(UNITS), st.floats(0.001, 1e6, allow_nan=False))
    def test_units_random(self, row: tuple[str, str, str, Any], value: float) -> None:
        loinc, unit, field, convert = row
        assert case_from_fhir([_obs(loinc, value=value, unit=unit)]).to_dict() == {
            field: convert(value)}

    @pytest.mark.parametrize("loinc", sorted(WRONG_UNIT))
    def test_unknown_unit_is_a_problem_of_the_field(self, loinc: str) -> None:
        obs = _obs(loinc, value=1.0, unit=WRONG_UNIT[loinc])
        reading = read_fhir([obs, _obs("89243-0", rid="k", valueInteger=80)])
        assert reading.case.to_dict() == {"kps": 80}
        assert [p.field for p in reading.problems] == [FIELD_OF[loinc]]
        with pytest.raises(InvalidInputError) as info:
            case_from_fhir([obs])
        assert info.value.fields == (FIELD_OF[loinc],)

    def test_unit_text_without_ucum_code_is_a_problem(self) -> None:
        obs = _obs("1988-5", valueQuantity={"value": 5, "unit": "mg/L"})
        assert [p.field for p in read_fhir(obs).problems] == ["crp_mg_dl"]
        obs = _obs("1988-5", valueQuantity={"value": 5, "code": "mg/L",
                                            "system": "http://example.org/units"})
        assert [p.field for p in read_fhir(obs).problems] == ["crp_mg_dl"]

    def test_comparator_is_a_problem(self) -> None:
        obs = _obs("1988-5", valueQuantity={"value": 5, "comparator": "<", "code": "mg/L",
                                            "system": UCUM})
        assert [p.field for p in read_fhir(obs).problems] == ["crp_mg_dl"]

    @pytest.mark.parametrize("kps", range(10, 101, 10))
    def test_kps(self, kps: int) -> None:
        assert case_from_fhir(_obs("89243-0", valueInteger=kps)).systemic.kps == kps

    @pytest.mark.parametrize(("answer", "kps"), [("LA29175-9", 100), ("LA29177-5", 80),
                                                 ("LA29184-1", 10)])
    def test_kps_answer_code(self, answer: str, kps: int) -> None:
        obs = _obs("89243-0", valueCodeableConcept={"coding": [{"system": LOINC,
                                                                 "code": answer}]})
        assert case_from_fhir(obs).systemic.kps == kps

    @pytest.mark.parametrize(("answer", "ecog"), [("LA9622-7", 0), ("LA9623-5", 1),
                                                  ("LA9624-3", 2), ("LA9625-0", 3),
                                                  ("LA9626-8", 4)])
    def test_ecog_answer_code(self, answer: str, ecog: int) -> None:
        obs = _obs("89247-1", interpretation=[{"coding": [{"system": LOINC, "code": answer}]}])
        assert case_from_fhir(obs).systemic.ecog == ecog

    def test_value_and_answer_code_must_agree(self) -> None:
        interpretation = [{"coding": [{"system": LOINC, "code": "LA29177-5"}]}]  # 80
        assert case_from_fhir(_obs("89243-0", valueInteger=80,
                                   interpretation=interpretation)).systemic.kps == 80
        reading = read_fhir(_obs("89243-0", valueInteger=90, interpretation=interpretation))
        assert [p.field for p in reading.problems] == ["kps"]
        assert reading.case == Case()

    @pytest.mark.parametrize(("loinc", "value", "field"), [
        ("89243-0", 85, "kps"), ("89243-0", 0, "kps"), ("89247-1", 5, "ecog"),
        ("89247-1", True, "ecog")])
    def test_invalid_performance_values(self, loinc: str, value: Any, field: str) -> None:
        reading = read_fhir(_obs(loinc, valueInteger=value))
        assert [p.field for p in reading.problems] == [field]
        assert reading.case == Case()

    def test_most_recent_wins_and_is_reported(self) -> None:
        reading = read_fhir([
            _obs("89243-0", rid="new", valueInteger=60, when="2026-03-02T08:00:00Z"),
            _obs("89243-0", rid="old", valueInteger=90, when="2026-03-01T23:00:00-10:00"),
        ])
        # 2026-03-01T23:00-10:00 is 2026-03-02T09:00Z: later than 08:00Z.
        assert reading.case.systemic.kps == 90
        (used,) = reading.used
        assert (used.source, used.others) == ("Observation/old", ("Observation/new",))
        assert [(i.source, i.reason) for i in reading.ignored] == [
            ("Observation/new", "superseded")]

    def test_newest_unreadable_is_not_replaced_by_older(self) -> None:
        reading = read_fhir([
            _obs("1988-5", rid="new", value=5, unit="mmol/L", when="2026-03-02"),
            _obs("1988-5", rid="old", value=5, unit="mg/L", when="2026-03-01"),
        ])
        assert reading.case == Case()
        assert [p.field for p in reading.problems] == ["crp_mg_dl"]

    def test_tie_goes_to_the_questionnaire_response(self) -> None:
        qr = to_questionnaire_response(Case.from_dict({"kps": 70}),
                                       authored="2026-03-01T10:00:00Z", subject="Patient/1")
        obs = _obs("89243-0", valueInteger=50, when="2026-03-01T11:00:00+01:00")
        for order in ([obs, qr], [qr, obs]):
            assert case_from_fhir(order).systemic.kps == 70
        later = _obs("89243-0", valueInteger=50, when="2026-03-01T10:00:01Z")
        assert case_from_fhir([qr, later]).systemic.kps == 50

    def test_other_patient_is_an_error(self) -> None:
        resources = [_obs("89243-0", valueInteger=80),
                     _obs("89247-1", rid="e", valueInteger=1, subject="Patient/2")]
        reading = read_fhir(resources)
        assert reading.case.to_dict() == {"kps": 80}
        assert [p.field for p in reading.problems] == ["subject"]
        assert ("Observation/e", "other_patient") in [(i.source, i.reason)
                                                       for i in reading.ignored]
        with pytest.raises(InvalidInputError):
            case_from_fhir(resources)

    @pytest.mark.parametrize(("status", "read"), [
        ("final", True), ("amended", True), ("corrected", True), ("preliminary", True),
        (None, True), ("registered", False), ("cancelled", False), ("entered-in-error", False),
        ("unknown", False)])
    def test_status(self, status: str | None, read: bool) -> None:
        obs = _obs("89243-0", valueInteger=80)
        if status is None:
            del obs["status"]
        else:
            obs["status"] = status
        assert (read_fhir(obs).case.systemic.kps == 80) is read

    @pytest.mark.parametrize("when", ["2026-03-01T08:00:00Z", None])
    def test_same_date_disagreement_is_a_problem(self, when: str | None) -> None:
        """Two Observations of the same date (or both undated) that disagree: no rule
        decides, so the field is a problem; when they agree, the value is read."""
        agree = [_obs("89243-0", rid="a", valueInteger=70, when=when),
                 _obs("89243-0", rid="b", valueInteger=70, when=when)]
        assert case_from_fhir(agree).systemic.kps == 70
        disagree = [_obs("89243-0", rid="a", valueInteger=70, when=when),
                    _obs("89243-0", rid="b", valueInteger=60, when=when)]
        reading = read_fhir(disagree)
        assert reading.case == Case()
        assert [p.field for p in reading.problems] == ["kps"]
        assert [i.reason for i in reading.ignored] == ["conflict"]
        conditions = [_condition(ICD10, "C64", when="2025-01-01"),
                      _condition(ICD10, "C50", rid="c2", when="2025-01-01")]
        assert [p.field for p in read_fhir(conditions).problems] == ["histology"]

    def test_duplicates_are_read_once(self) -> None:
        obs = _obs("89243-0", valueInteger=80)
        reading = read_fhir([obs, dict(obs)])
        assert reading.case.systemic.kps == 80
        assert [u.others for u in reading.used] == [()]
        assert [i.reason for i in reading.ignored] == ["duplicate"]

    def test_patient_reference_forms_agree(self) -> None:
        resources = [_obs("89243-0", valueInteger=80, subject="https://ehr.example/fhir/Patient/1"),
                     _obs("89247-1", rid="e", valueInteger=1)]
        assert read_fhir(resources).problems == ()

    def test_unmapped_and_status(self) -> None:
        reading = read_fhir([_obs("8867-4", rid="hr"),
                             _obs("89243-0", rid="x", valueInteger=80, status="entered-in-error"),
                             {"resourceType": "Patient", "id": "1"}, "junk"])
        assert reading.case == Case()
        assert [i.reason for i in reading.ignored] == [
            "not_a_resource", "unmapped_code", "status", "unsupported_resource"]


class TestBundles:
    def test_own_export_reads_back_performance_status(self) -> None:
        """A Bundle of spinemets' own export (any type) reads back KPS and ECOG; the score
        Observations and the CarePlan are reported as not read."""
        case = Case.from_dict({"kps": 70, "ecog": 2, "histology": "breast"})
        bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [
            {"fullUrl": f"urn:uuid:{r['id']}", "resource": r}
            for r in to_fhir(assess(case), patient_reference="Patient/1")]}
        reading = read_fhir(bundle)
        assert reading.case.to_dict() == {"kps": 70, "ecog": 2}
        assert {i.reason for i in reading.ignored} == {"unmapped_code", "unsupported_resource"}

    def test_mixed_bundle(self) -> None:
        """Conditions, Observations in mixed units and a QuestionnaireResponse together."""
        qr = to_questionnaire_response(
            Case.from_dict({"fit_for_surgery": True, "lesions": [{"level": "L1", "escc": "2"}]}),
            subject="Patient/1", authored="2026-03-01")
        resources = [
            _condition(ICD10_CM, "C61", when="2019-06-01"),
            _condition(SNOMED, "94222008", rid="c2"),
            _obs("89243-0", rid="k", valueInteger=70, when="2026-02-28"),
            _obs("1751-7", rid="a", value=34, unit="g/L", when="2026-02-28"),
            _obs("2000-8", rid="ca", value=2.4, unit="mmol/L", when="2026-02-28"),
            _obs("1975-2", rid="b", value=12, unit="umol/L", when="2026-02-28"),
            _obs("26515-7", rid="p", value=210, unit="10*9/L", when="2026-02-28"),
            qr,
        ]
        case = case_from_fhir({"resourceType": "Bundle", "type": "collection",
                               "entry": [{"resource": r} for r in resources]})
        assert case.to_dict() == {
            "histology": "prostate", "kps": 70, "fit_for_surgery": True,
            "albumin_g_dl": 34 / 10, "platelets_10e9_l": 210, "calcium_mg_dl": 2.4 * 4.008,
            "bilirubin_mg_dl": 12 / 17.1, "lesions": [{"level": "L1", "escc": "2"}]}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["final", "completed", LOINC, UCUM, "89243-0", "1751-7", "g/L", ICD10,
                       "C64", "Patient/1", "Patient/2", "2026-03-01", "\ud800"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["system", "code", "value", "coding", "reference", "linkId", "answer",
                         "item", "valueCoding", "valueInteger", "profile", "start"]),
        inner, max_size=4),
    max_leaves=12,
)
_KEYS = ["id", "status", "code", "subject", "valueInteger", "valueQuantity", "interpretation",
         "valueCodeableConcept", "effectiveDateTime", "effectivePeriod", "recordedDate",
         "verificationStatus", "meta", "questionnaire", "item", "authored", "entry"]
_junk_resource = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Observation", "Condition", "QuestionnaireResponse",
                                      "Bundle", "Patient"])},
    optional=dict.fromkeys(_KEYS, _json))


class TestUgly:
    @given(st.lists(_junk_resource | _json, max_size=5))
    def test_never_crashes(self, resources: list[Any]) -> None:
        """Malformed resources are reported, never a traceback: the case is always valid."""
        reading = read_fhir(resources)
        assert isinstance(reading.case, Case)
        Case.from_dict(reading.case.to_dict())
        try:
            case_from_fhir(resources)
        except InvalidInputError as error:
            assert error.fields == tuple(p.field for p in reading.problems)


def test_reading_to_dict() -> None:
    """The report as JSON: the service returns it beside the assessment."""
    import json

    resources = [_condition(ICD10, "C61"), _obs("1988-5", rid="crp", value=5, unit="mmol/L"),
                 _obs("89243-0", rid="k", valueInteger=70, subject="Patient/2")]
    report = read_fhir(resources).to_dict()
    assert json.loads(json.dumps(report)) == report
    assert report["case"] == {"histology": "prostate"}
    assert [u["source"] for u in report["used"]] == ["Condition/c1"]
    assert [p["field"] for p in report["problems"]] == ["subject", "crp_mg_dl"]
    assert {i["reason"] for i in report["ignored"]} == {"other_patient"}


class TestWhatIsNotRead:
    """Inputs that are not resources, and resources that cannot give a value, are reported (in
    ``ignored`` or ``problems``), never guessed; the rest is still read."""

    @staticmethod
    def _reasons(reading: Any) -> list[tuple[str, str]]:
        return [(i.source, i.reason) for i in reading.ignored]

    def test_inputs_that_are_not_resources(self) -> None:
        assert self._reasons(read_fhir("Observation")) == [("input", "not_a_resource")]
        assert self._reasons(read_fhir(7)) == [("input", "not_a_resource")]
        reading = read_fhir([1, {"id": "x"}, _obs("89243-0", valueInteger=80)])
        assert self._reasons(reading) == [("input[0]", "not_a_resource"),
                                          ("input[1]", "not_a_resource")]
        assert reading.case.to_dict() == {"kps": 80}

    def test_bundle_entries_without_a_resource(self) -> None:
        bundle = {"resourceType": "Bundle", "entry": [
            {"fullUrl": "urn:uuid:1"}, "x",
            {"fullUrl": "urn:uuid:2", "resource": {**_obs("89243-0", valueInteger=70),
                                                   "id": None}}]}
        reading = read_fhir(bundle)
        assert self._reasons(reading) == [("input.entry[0]", "not_a_resource"),
                                          ("input.entry[1]", "not_a_resource")]
        (used,) = reading.used
        assert (used.field, used.value, used.source) == ("kps", 70, "urn:uuid:2")

    def test_a_resource_without_id_or_url_is_named_by_type_and_place(self) -> None:
        obs = {**_obs("89243-0", valueInteger=70), "id": None}
        reading = read_fhir([_condition(ICD10, "C61"), obs])
        assert {u.source for u in reading.used} == {"Condition/c1", "Observation #1"}

    def test_subjects_by_identifier(self) -> None:
        """A subject given by identifier is a patient too: a second patient is refused."""
        one = {"identifier": {"system": "urn:mrn", "value": "1"}}
        two = {"identifier": {"system": "urn:mrn", "value": "2"}}
        reading = read_fhir([_obs("89243-0", valueInteger=80, subject="x") | {"subject": one},
                             _obs("89247-1", valueInteger=1, rid="o2") | {"subject": two}])
        assert reading.case.to_dict() == {"kps": 80}
        assert [p.field for p in reading.problems] == ["subject"]
        assert self._reasons(reading) == [("Observation/o2", "other_patient")]

    @pytest.mark.parametrize(
        ("extra", "kps"),
        [
            ({"valueQuantity": {"value": 80}}, 80),
            ({"valueInteger": 80, "valueCodeableConcept": {"coding": [
                {"system": LOINC, "code": "LA29177-5"}]}}, 80),
            ({"valueInteger": 80, "valueCodeableConcept": {"coding": [
                {"system": LOINC, "code": "LA29176-7"}]}}, None),  # 80 beside the code of 90
            ({"valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA29177-5"},
                                                  {"system": LOINC, "code": "LA29176-7"}]}},
             None),  # two answers that disagree
            ({"valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA9627-6"}]}},
             None),  # dead: never an input
            ({"valueString": "80"}, None),  # neither a number nor an answer code
        ],
    )
    def test_performance_status_values(self, extra: dict[str, Any], kps: int | None) -> None:
        reading = read_fhir(_obs("89243-0", **extra))
        if kps is None:
            assert reading.case.to_dict() == {}
            assert [p.field for p in reading.problems] == ["kps"]
        else:
            assert reading.case.to_dict() == {"kps": kps}
            assert reading.problems == ()

    @pytest.mark.parametrize(
        "quantity",
        [
            None,  # no valueQuantity
            {"unit": "g/dL"},  # no value
            {"value": 3.0, "comparator": "<", "system": UCUM, "code": "g/dL"},
            {"value": 3.0, "system": "http://example.org/units", "code": "g/dL"},
            {"value": 3.0, "unit": "g/dL"},  # a unit text without a UCUM code
            {"value": "3.0", "system": UCUM, "code": "g/dL"},  # not a number
        ],
    )
    def test_laboratory_values_that_are_not_read(self, quantity: dict[str, Any] | None) -> None:
        obs = _obs("1751-7")
        if quantity is not None:
            obs["valueQuantity"] = quantity
        reading = read_fhir([obs, _obs("89243-0", valueInteger=80, rid="o2")])
        assert reading.case.to_dict() == {"kps": 80}
        assert [p.field for p in reading.problems] == ["albumin_g_dl"]
        with pytest.raises(InvalidInputError) as info:
            case_from_fhir(obs)
        assert info.value.fields == ("albumin_g_dl",)

    def test_questionnaire_responses_that_are_not_read(self) -> None:
        qr = to_questionnaire_response(Case.from_dict({"kps": 70}))
        draft = {**qr, "id": "q1", "status": "in-progress"}
        other = {**qr, "id": "q2", "questionnaire": "http://example.org/Questionnaire/x"}
        unknown = copy.deepcopy({**qr, "id": "q3"})
        unknown["item"].append({"linkId": "not-an-item", "answer": [{"valueBoolean": True}]})
        reading = read_fhir([draft, other, unknown])
        assert self._reasons(reading) == [("QuestionnaireResponse/q1", "status"),
                                          ("QuestionnaireResponse/q2", "other_questionnaire"),
                                          ("QuestionnaireResponse/q3", "unknown_item")]
        assert reading.case.to_dict() == {"kps": 70}
