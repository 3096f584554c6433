"""CDS Hooks cards: the required fields of CDS Hooks 2.0, deterministic, and an indicator that
follows the recommendation."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import spinemets
from spinemets.cds import HASH_KEY, SUMMARY_LIMIT, cds_response
from tests.strategies import case_dicts, complete_case_dicts

INDICATORS = {"info", "warning", "critical"}


def _check(response: dict[str, Any]) -> None:
    assert set(response) == {"cards"}
    assert response["cards"]
    for card in response["cards"]:
        assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < SUMMARY_LIMIT
        assert card["indicator"] in INDICATORS
        assert card["source"]["label"]
        assert "not a medical device" in card["detail"]
        assert uuid.UUID(card["uuid"]).version == 4
        assert re.fullmatch(r"[0-9a-f]{64}", card["extension"][HASH_KEY])
    json.dumps(response)  # JSON-ready


class TestCards:
    @given(case_dicts())
    def test_every_assessment_gives_valid_cards(self, data: dict[str, Any]) -> None:
        """Any case: a response whose cards all carry summary, indicator and source."""
        _check(cds_response(spinemets.assess(spinemets.Case.from_dict(data))))

    @given(complete_case_dicts())
    def test_complete_cases_get_score_cards(self, data: dict[str, Any]) -> None:
        """Complete cases: the recommendation card plus SINS, Tokuhashi 2005 and Tomita cards
        (and the missing-data card only when a NOMS part is undetermined)."""
        assessment = spinemets.assess(spinemets.Case.from_dict(data))
        response = cds_response(assessment)

        _check(response)
        expected = 4 + bool(assessment.recommendation.missing)
        assert len(response["cards"]) == expected

    @given(st.lists(case_dicts(), min_size=2, max_size=12))
    def test_no_uuid_is_ever_reused(self, cases: list[dict[str, Any]]) -> None:
        """Across responses for many patients (often with equal findings: the same case may be
        drawn twice), every card and suggestion uuid is new."""
        seen: list[str] = []
        for i, data in enumerate(cases * 2):
            response = cds_response(spinemets.assess(spinemets.Case.from_dict(data)),
                                    patient_id=f"p{i}")
            for card in response["cards"]:
                seen.append(card["uuid"])
                seen += [s["uuid"] for s in card.get("suggestions", ())]
        assert len(seen) == len(set(seen))

    def test_fresh_uuids_same_content_hash(self) -> None:
        """The same assessment twice: disjoint card uuids (a uuid names one card of one
        response), equal content hashes in ``extension``, equal content otherwise."""
        from spinemets.report import EXAMPLE_CASE

        assessment = spinemets.assess(spinemets.Case.from_dict(EXAMPLE_CASE))
        a = cds_response(assessment, patient_id="p1")
        b = cds_response(assessment, patient_id="p1")
        uuids_a = {c["uuid"] for c in a["cards"]} | {
            s["uuid"] for c in a["cards"] for s in c.get("suggestions", ())}
        uuids_b = {c["uuid"] for c in b["cards"]} | {
            s["uuid"] for c in b["cards"] for s in c.get("suggestions", ())}
        assert len(uuids_a) == len(a["cards"]) + sum(
            len(c.get("suggestions", ())) for c in a["cards"])
        assert not uuids_a & uuids_b
        assert [c["extension"][HASH_KEY] for c in a["cards"]] == [
            c["extension"][HASH_KEY] for c in b["cards"]]

        def strip(response: dict[str, Any]) -> str:
            text = json.dumps(response, sort_keys=True)
            for u in uuids_a | uuids_b:
                text = text.replace(u, "")
            return text

        assert strip(a) == strip(b)

    def test_content_hash_follows_content(self) -> None:
        """Different findings give different hashes (the hash is not a constant)."""
        one = {"histology": "breast", "lesions": [{"level": "T6", "escc": "0"}]}
        two = {"histology": "breast", "lesions": [{"level": "T6", "escc": "3"}]}
        h1 = cds_response(spinemets.assess(spinemets.Case.from_dict(one)))["cards"][0]
        h2 = cds_response(spinemets.assess(spinemets.Case.from_dict(two)))["cards"][0]
        assert h1["extension"][HASH_KEY] != h2["extension"][HASH_KEY]

    def test_high_grade_compression_with_myelopathy_is_critical(self) -> None:
        """ESCC 3 with myelopathy is the grid's emergency: a critical card."""
        case = {"histology": "kidney", "myelopathy": True, "fit_for_surgery": True,
                "lesions": [{"level": "T8", "escc": "3"}]}
        card = cds_response(spinemets.assess(spinemets.Case.from_dict(case)))["cards"][0]

        assert card["indicator"] == "critical"
        assert "separation_surgery_then_srs" in card["summary"]

    def test_radiation_alone_is_info(self) -> None:
        """Low-grade ESCC, stable spine, radiosensitive: cEBRT alone, an informational card."""
        case = {"histology": "breast", "fit_for_surgery": True,
                "lesions": [{"level": "T6", "pain": "none", "bone_lesion": "blastic",
                             "alignment": "normal", "collapse": "none",
                             "posterolateral": "none", "escc": "0"}]}
        card = cds_response(spinemets.assess(spinemets.Case.from_dict(case)))["cards"][0]

        assert card["indicator"] == "info"
        assert "radiation cebrt; stabilization none" in card["summary"]


class TestLinksSuggestionsMissing:
    def test_link_carries_the_case(self) -> None:
        """Each card links to the calculator with the case URL-encoded in ``?case=``."""
        from urllib.parse import parse_qs, urlsplit

        data = {"histology": "kidney", "kps": 80, "lesions": [{"level": "T12", "escc": "1b"}]}
        response = cds_response(spinemets.assess(spinemets.Case.from_dict(data)),
                                calculator_url="https://cds.example/")
        for card in response["cards"]:
            (link,) = card["links"]
            assert link["type"] == "absolute"
            parts = urlsplit(link["url"])
            assert (parts.scheme, parts.netloc, parts.path) == ("https", "cds.example", "/")
            assert json.loads(parse_qs(parts.query)["case"][0]) == data

    def test_suggestions_are_draft_service_requests(self) -> None:
        """With a patient, the proposed actions become draft ServiceRequests that validate
        against the FHIR R4B model; 'none' and 'undetermined' propose nothing."""
        from fhir.resources.R4B.servicerequest import ServiceRequest

        case = {"histology": "kidney", "myelopathy": True, "fit_for_surgery": True,
                "lesions": [{"level": "T8", "pain": "mechanical", "bone_lesion": "lytic",
                             "alignment": "subluxation", "collapse": "over_50",
                             "posterolateral": "bilateral", "escc": "3"}]}
        card = cds_response(spinemets.assess(spinemets.Case.from_dict(case)),
                            patient_id="123")["cards"][0]
        codes = []
        for suggestion in card["suggestions"]:
            (action,) = suggestion["actions"]
            assert action["type"] == "create"
            resource = action["resource"]
            ServiceRequest.model_validate(resource)
            assert resource["subject"] == {"reference": "Patient/123"}
            assert (resource["status"], resource["intent"]) == ("draft", "proposal")
            codes.append(resource["code"]["coding"][0]["code"])
        assert codes == ["separation_surgery_then_srs", "stabilization"]
        assert card["selectionBehavior"] == "any"
        none = {"histology": "breast", "lesions": [{"level": "T6", "escc": "0"}]}
        card = cds_response(spinemets.assess(spinemets.Case.from_dict(none)),
                            patient_id="123")["cards"][0]
        assert [s["actions"][0]["resource"]["code"]["coding"][0]["code"]
                for s in card["suggestions"]] == ["cebrt"]

    def test_missing_card_names_fields_per_lesion(self) -> None:
        """Missing data gives an informative card naming the fields and the lesion's level."""
        case = {"histology": "kidney", "lesions": [{"level": "T12", "pain": "none"}]}
        cards = cds_response(spinemets.assess(spinemets.Case.from_dict(case)),
                             problems=["kps: unit 'xyz' is not known"])["cards"]
        missing = cards[-1]
        assert missing["indicator"] == "info"
        assert missing["summary"].startswith(
            "SINS needs bone_lesion, alignment, collapse, posterolateral for lesion T12")
        assert "escc for lesion T12" in missing["detail"]
        assert "kps: unit 'xyz' is not known" in missing["detail"]
        _check({"cards": cards})

    def test_no_missing_card_when_seed_scores_complete(self) -> None:
        """The example case completes every seed score and NOMS: no missing-data card."""
        from spinemets.report import EXAMPLE_CASE

        cards = cds_response(spinemets.assess(spinemets.Case.from_dict(EXAMPLE_CASE)))["cards"]
        assert not any("missing inputs" in c["source"]["label"] for c in cards)
        from importlib.metadata import version

        assert all(f"spinemets {version('spinemets')}" in c["source"]["label"] for c in cards)
