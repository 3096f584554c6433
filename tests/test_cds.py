"""CDS Hooks cards: the required fields of CDS Hooks 2.0, deterministic, and an indicator that
follows the recommendation."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given

import spinemets
from spinemets.cds import SUMMARY_LIMIT, cds_response
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
    json.dumps(response)  # JSON-ready


class TestCards:
    @given(case_dicts())
    def test_every_assessment_gives_valid_cards(self, data: dict[str, Any]) -> None:
        """Any case: a response whose cards all carry summary, indicator and source."""
        _check(cds_response(spinemets.assess(spinemets.Case.from_dict(data))))

    @given(complete_case_dicts())
    def test_complete_cases_get_score_cards(self, data: dict[str, Any]) -> None:
        """Complete cases: the recommendation card plus SINS, Tokuhashi 2005 and Tomita cards."""
        response = cds_response(spinemets.assess(spinemets.Case.from_dict(data)))

        _check(response)
        assert len(response["cards"]) == 4

    def test_deterministic(self) -> None:
        """The same assessment gives the same response, uuids included."""
        from spinemets.report import EXAMPLE_CASE

        a = cds_response(spinemets.assess(spinemets.Case.from_dict(EXAMPLE_CASE)))
        b = cds_response(spinemets.assess(spinemets.Case.from_dict(EXAMPLE_CASE)))
        assert a == b

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
