"""The Questionnaire, the CodeSystems and QuestionnaireResponses: valid R4B resources, every
interchange field captured, and ``case_from_fhir([to_questionnaire_response(case)]) == case`` for
every valid case.

The field names and codes are typed here a second time (tests/strategies.py and the further
instruments' fields below), never read from the library.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinemets import Case, InvalidInputError
from spinemets.fhir import (
    case_from_fhir,
    code_systems,
    questionnaire,
    read_fhir,
    to_questionnaire_response,
)
from spinemets.fhir.questionnaire import read_response
from tests.strategies import (
    ALIGNMENT,
    BONE_LESION,
    COLLAPSE,
    ECOG_TO_KPS,
    ESCC_GRADES,
    FRANKEL,
    HISTOLOGIES,
    LEVELS,
    PAIN,
    POSTEROLATERAL,
    RADIOSENSITIVITIES,
    TOMITA_GROWTHS,
    VISCERAL,
    case_dicts,
    case_field_strategies,
    complete_case_dicts,
)
from tests.vocab import KATAGIRI_GROUPS, KATAGIRI_LABORATORY, KATAGIRI_VISCERAL

q_module = pytest.importorskip("fhir.resources.R4B.questionnaire")
qr_module = pytest.importorskip("fhir.resources.R4B.questionnaireresponse")
cs_module = pytest.importorskip("fhir.resources.R4B.codesystem")

QUESTIONNAIRE = "https://spinemets.readthedocs.io/fhir/Questionnaire/spinemets-case"
#: Coded interchange fields and their codes.
CODED: dict[str, tuple[str, ...]] = {
    "histology": HISTOLOGIES, "tomita_growth": TOMITA_GROWTHS,
    "radiosensitivity": RADIOSENSITIVITIES, "ecog_to_kps": ECOG_TO_KPS,
    "visceral_metastases": VISCERAL, "frankel": FRANKEL, "katagiri_group": KATAGIRI_GROUPS,
    "katagiri_visceral": KATAGIRI_VISCERAL, "katagiri_laboratory": KATAGIRI_LABORATORY,
}
LESION_CODED: dict[str, tuple[str, ...]] = {
    "level": LEVELS, "pain": PAIN, "bone_lesion": BONE_LESION, "alignment": ALIGNMENT,
    "collapse": COLLAPSE, "posterolateral": POSTEROLATERAL, "escc": ESCC_GRADES,
}
OTHER_FIELDS = {
    "kps": "integer", "ecog": "integer", "extraspinal_bone_metastases": "integer",
    "vertebral_metastases": "integer", "bone_metastases_isolated": "boolean",
    "myelopathy": "boolean", "radiculopathy": "boolean", "fit_for_surgery": "boolean",
    "pathologic_fracture": "boolean", "ambulatory": "boolean", "albumin_g_dl": "decimal",
    "crp_mg_dl": "decimal", "ldh_u_l": "decimal", "platelets_10e9_l": "decimal",
    "calcium_mg_dl": "decimal", "bilirubin_mg_dl": "decimal",
    "previous_chemotherapy": "boolean", "months_diagnosis_to_mscc": "decimal",
    "motor_deficit_days": "integer",
}

_ugly = st.floats(min_value=0, allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.0, -0.0, 5e-324, 1.7976931348623157e308, 3.5, 0.1 + 0.2]) | st.integers(0, 2**53 - 1)


def further_fields() -> dict[str, st.SearchStrategy[Any]]:
    """The fields of the further instruments, with ugly numbers."""
    return {
        "pathologic_fracture": st.booleans(), "ambulatory": st.booleans(),
        "albumin_g_dl": _ugly.filter(lambda v: v > 0),
        "crp_mg_dl": _ugly, "ldh_u_l": _ugly, "platelets_10e9_l": _ugly,
        "calcium_mg_dl": _ugly, "bilirubin_mg_dl": _ugly,
        "previous_chemotherapy": st.booleans(),
        "katagiri_group": st.sampled_from(KATAGIRI_GROUPS),
        "katagiri_visceral": st.sampled_from(KATAGIRI_VISCERAL),
        "katagiri_laboratory": st.sampled_from(KATAGIRI_LABORATORY),
        "months_diagnosis_to_mscc": _ugly, "motor_deficit_days": st.integers(0, 2**53 - 1),
    }


@st.composite
def all_field_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Valid cases over every interchange field, counts up to 2^53 included."""
    data = draw(case_dicts() | complete_case_dicts())
    extra = draw(st.fixed_dictionaries({}, optional=further_fields()))
    big = draw(st.fixed_dictionaries({}, optional={
        "extraspinal_bone_metastases": st.integers(0, 2**53 - 1),
        "vertebral_metastases": st.integers(1, 2**53 - 1)}))
    return {**data, **extra, **big}


def _items(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        out[item["linkId"]] = item
        out.update(_items(item.get("item", [])))
    return out


class TestQuestionnaire:
    def test_validates(self) -> None:
        q_module.Questionnaire.model_validate(questionnaire())
        assert questionnaire()["url"] == QUESTIONNAIRE

    def test_every_field(self) -> None:
        """One question per interchange field; coded fields list exactly the interchange codes
        as Codings of a published CodeSystem; lesions repeat."""
        items = _items(questionnaire()["item"])
        systems = {cs["url"]: {c["code"] for c in cs["concept"]} for cs in code_systems()}
        for name, codes in {**CODED, **LESION_CODED}.items():
            item = items[name]
            assert item["type"] == "choice"
            options = [o["valueCoding"] for o in item["answerOption"]]
            assert [o["code"] for o in options] == list(codes) or sorted(
                o["code"] for o in options) == sorted(codes)
            (system,) = {o["system"] for o in options}
            assert systems[system] == set(codes)
        for name, kind in OTHER_FIELDS.items():
            assert items[name]["type"] == kind, name
        assert items["lesions"]["type"] == "group"
        assert items["lesions"]["repeats"] is True
        lesion_children = {i["linkId"] for i in items["lesions"]["item"]}
        assert lesion_children == set(LESION_CODED)
        questions = {k for k, v in items.items() if v["type"] != "group"}
        assert questions == set(CODED) | set(LESION_CODED) | set(OTHER_FIELDS)
        assert [o["valueInteger"] for o in items["kps"]["answerOption"]] == list(
            range(10, 101, 10))

    def test_enable_when(self) -> None:
        """The ECOG-to-KPS conversion is asked only when ECOG is answered."""
        (when,) = _items(questionnaire()["item"])["ecog_to_kps"]["enableWhen"]
        assert when == {"question": "ecog", "operator": "exists", "answerBoolean": True}

    def test_fresh(self) -> None:
        first = questionnaire()
        first["item"].clear()
        first["url"] = "vandal"
        assert questionnaire()["item"]
        systems = code_systems()
        systems[0]["concept"].clear()
        assert code_systems()[0]["concept"]

    def test_code_systems_validate(self) -> None:
        urls = [cs["url"] for cs in code_systems()]
        assert len(set(urls)) == len(urls)
        for cs in code_systems():
            cs_module.CodeSystem.model_validate(cs)
            assert cs["count"] == len(cs["concept"])


class TestResponse:
    def test_example(self) -> None:
        case = Case.from_dict({"histology": "kidney", "kps": 80, "lesions": [
            {"level": "T12", "escc": "1b"}, {}]})
        qr = to_questionnaire_response(case, subject="Patient/1",
                                       authored="2026-03-01T10:00:00+01:00")
        qr_module.QuestionnaireResponse.model_validate(qr)
        assert qr["questionnaire"] == QUESTIONNAIRE
        assert case_from_fhir([qr]) == case
        assert case_from_fhir(qr) == case
        assert case_from_fhir({"resourceType": "Bundle", "type": "searchset",
                               "entry": [{"resource": qr}]}) == case

    @given(all_field_cases())
    def test_round_trip(self, data: dict[str, Any]) -> None:
        """Every valid case survives Case -> QuestionnaireResponse (JSON) -> Case."""
        case = Case.from_dict(data)
        qr = json.loads(json.dumps(to_questionnaire_response(case)))
        qr_module.QuestionnaireResponse.model_validate(qr)
        reading = read_fhir([qr])
        assert reading.problems == ()
        assert reading.case == case
        assert reading.case.to_dict() == case.to_dict()

    @given(case_field_strategies()["kps"])
    def test_used_names_the_response(self, kps: int) -> None:
        qr = to_questionnaire_response(Case.from_dict({"kps": kps}))
        (used,) = read_fhir([qr]).used
        assert (used.field, used.source, used.value) == (
            "kps", f"QuestionnaireResponse/{qr['id']}", kps)

    def test_bad_answers_are_problems_of_their_field(self) -> None:
        qr = to_questionnaire_response(Case.from_dict({"kps": 80, "lesions": [
            {"level": "T1", "pain": "none"}]}))
        bad = copy.deepcopy(qr)
        for group in bad["item"]:
            for item in group["item"]:
                if item["linkId"] == "kps":
                    item["answer"] = [{"valueInteger": 85}]
                if item["linkId"] == "pain":
                    item["answer"] = [{"valueCoding": {"system": "http://example.org",
                                                       "code": "none"}}]
        reading = read_fhir([bad])
        assert {p.field for p in reading.problems} == {"kps", "lesions[0].pain"}
        assert reading.case.to_dict() == {"lesions": [{"level": "T1"}]}
        with pytest.raises(InvalidInputError) as info:
            case_from_fhir(bad)
        assert set(info.value.fields) == {"kps", "lesions[0].pain"}

    def test_other_questionnaire_ignored(self) -> None:
        qr = to_questionnaire_response(Case.from_dict({"kps": 80}))
        qr["questionnaire"] = "http://example.org/Questionnaire/other"
        reading = read_fhir(qr)
        assert reading.case == Case()
        assert [i.reason for i in reading.ignored] == ["other_questionnaire"]


class TestLenientAnswers:
    def test_coding_without_system_and_string(self) -> None:
        """A coded answer may omit the system (the linkId names the vocabulary) or be the exact
        code as valueString; a Coding of another system is a problem."""
        qr: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "status": "completed",
              "questionnaire": QUESTIONNAIRE + "|1",
              "item": [{"linkId": "histology", "answer": [{"valueCoding": {"code": "kidney"}}]},
                       {"linkId": "frankel", "answer": [{"valueString": "D"}]},
                       {"linkId": "lesions", "item": [
                           {"linkId": "escc", "answer": [{"valueString": "1c"}]}]}]}
        qr_module.QuestionnaireResponse.model_validate(qr)
        assert case_from_fhir(qr).to_dict() == {"histology": "kidney", "frankel": "D",
                                                "lesions": [{"escc": "1c"}]}
        qr["item"][1]["answer"] = [{"valueString": "d"}]
        assert [p.field for p in read_fhir(qr).problems] == ["frankel"]


class TestEdges:
    @given(all_field_cases())
    def test_assessment_equal_after_round_trip(self, data: dict[str, Any]) -> None:
        """Differential: assessing the case read back equals assessing the original."""
        import spinemets

        case = Case.from_dict(data)
        back = case_from_fhir(to_questionnaire_response(case))
        assert spinemets.assess(back).to_dict() == spinemets.assess(case).to_dict()

    def test_input_not_mutated_and_reading_pickles(self) -> None:
        import pickle

        case = Case.from_dict({"histology": "breast", "kps": 70, "lesions": [{"level": "C2"}]})
        qr = to_questionnaire_response(case, subject="Patient/1")
        pristine = copy.deepcopy(qr)
        reading = read_fhir({"resourceType": "Bundle", "type": "collection",
                             "entry": [{"resource": qr}]})
        assert qr == pristine
        assert pickle.loads(pickle.dumps(reading)) == reading

    def test_in_a_worker_process(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        case = Case.from_dict({"histology": "breast", "kps": 70})
        qr = to_questionnaire_response(case)
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            assert pool.submit(case_from_fhir, qr).result() == case

    def test_lone_surrogate_answer_is_a_problem(self) -> None:
        qr = to_questionnaire_response(Case.from_dict({"frankel": "E"}))
        qr["item"][0]["item"][0]["answer"] = [{"valueString": "\ud800"}]
        assert [p.field for p in read_fhir(qr).problems] == ["frankel"]


def test_no_internal_section_references() -> None:
    """What users read names no section of the internal specification."""
    text = json.dumps([questionnaire(), code_systems()], ensure_ascii=False)
    assert "§" not in text


class TestReadingOddResponses:
    """``read_response`` on hand-spoiled responses: what it keeps, what it names as a problem
    and which linkIds it reports as unknown (every expectation typed here)."""

    @staticmethod
    def _response() -> dict[str, Any]:
        return to_questionnaire_response(Case.from_dict(
            {"kps": 70, "lesions": [{"level": "T4", "pain": "none"}]}))

    def test_unknown_and_unanswered_items(self) -> None:
        qr = self._response()
        systemic, lesion = qr["item"]
        systemic["item"].append({"linkId": "ecog"})  # a known question left unanswered
        lesion["item"] += [{"linkId": "colour", "answer": [{"valueString": "red"}]},
                           {"linkId": "escc"}, "not an item"]
        qr["item"] += ["not an item", {"linkId": "mood"}]
        values, problems, unknown = read_response(qr)
        assert values == {"kps": 70, "lesions": [{"level": "T4", "pain": "none"}]}
        assert problems == []
        assert unknown == ["lesions.colour", "lesions.None", "mood"]

    @pytest.mark.parametrize("answers", [[], [{"valueInteger": 70}, {"valueInteger": 80}],
                                         ["70"], {"valueInteger": 70}])
    def test_not_exactly_one_answer(self, answers: Any) -> None:
        qr = self._response()
        qr["item"][0]["item"][0]["answer"] = answers
        qr["item"][1]["item"][1]["answer"] = answers
        values, problems, _ = read_response(qr)
        assert [p.field for p in problems] == ["kps", "lesions[0].pain"]
        assert values == {"lesions": [{"level": "T4"}]}

    @pytest.mark.parametrize("status", ["in-progress", "", None, "Completed"])
    def test_only_completed_or_amended_responses_are_written(self, status: Any) -> None:
        with pytest.raises(InvalidInputError) as info:
            to_questionnaire_response(Case(), status=status)
        assert info.value.fields == ("status",)
        for good in ("completed", "amended"):
            assert to_questionnaire_response(Case(), status=good)["status"] == good
