"""``spinemets.published_survival``: the band survival figures, typed again here from the papers'
figures as the project's clinical evidence records them (not read from the library), and the band
meanings that print them."""

from __future__ import annotations

from typing import Any

import pytest

import spinemets
from spinemets.scores import SUMMED, escc

# (score id, band, statistic, months, value, op, evidence) for every published figure.
EXPECTED: set[tuple[Any, ...]] = {
    # Tokuhashi 2005: predicted survival period of each band (NICE CG75 table)
    ("tokuhashi_2005", "lt_6_months", "period", 6, None, "<", "primary"),
    ("tokuhashi_2005", "gte_6_months", "period", 6, None, ">=", "primary"),
    ("tokuhashi_2005", "gte_12_months", "period", 12, None, ">=", "primary"),
    # Tokuhashi 1990: <= 3 months (some up to 6); >= 12 months; the middle band has no period
    ("tokuhashi_1990", "poor", "period", 3, None, "<=", "secondary"),
    ("tokuhashi_1990", "good", "period", 12, None, ">=", "secondary"),
    # Bauer 1995: all dead within 6 months; 1-year about 0.25 and 0.50
    ("bauer_1995", "poor", "survival", 6, 0.0, None, "secondary"),
    ("bauer_1995", "intermediate", "survival", 12, 0.25, None, "secondary"),
    ("bauer_1995", "good", "survival", 12, 0.5, None, "secondary"),
    # modified Bauer: < 6, > 6, > 12 months; means 4.8 / 18.2 / 28.4 (unverified)
    ("bauer_modified", "poor", "period", 6, None, "<", "secondary"),
    ("bauer_modified", "intermediate", "period", 6, None, ">", "secondary"),
    ("bauer_modified", "good", "period", 12, None, ">", "secondary"),
    ("bauer_modified", "poor", "mean", None, 4.8, None, "unverified"),
    ("bauer_modified", "intermediate", "mean", None, 18.2, None, "unverified"),
    ("bauer_modified", "good", "mean", None, 28.4, None, "unverified"),
    # NESMS: only the NESMS 0 anchor (100% dead at 1 year); the rest are odds ratios
    ("nesms", "nesms_0", "survival", 12, 0.0, None, "primary"),
    # Katagiri 2014
    ("katagiri_2014", "low_risk", "survival", 12, 0.91, None, "primary"),
    ("katagiri_2014", "low_risk", "survival", 24, 0.78, None, "primary"),
    ("katagiri_2014", "low_risk", "survival", 12, 0.914, None, "secondary"),
    ("katagiri_2014", "low_risk", "survival", 24, 0.778, None, "secondary"),
    ("katagiri_2014", "low_risk", "survival", 6, 0.981, None, "unverified"),
    ("katagiri_2014", "intermediate_risk", "survival", 6, 0.74, None, "secondary"),
    ("katagiri_2014", "intermediate_risk", "survival", 12, 0.493, None, "secondary"),
    ("katagiri_2014", "intermediate_risk", "survival", 24, 0.276, None, "secondary"),
    ("katagiri_2014", "high_risk", "survival", 6, 0.27, None, "primary"),
    ("katagiri_2014", "high_risk", "survival", 12, 0.06, None, "primary"),
    ("katagiri_2014", "high_risk", "survival", 6, 0.269, None, "secondary"),
    ("katagiri_2014", "high_risk", "survival", 12, 0.06, None, "secondary"),
    ("katagiri_2014", "high_risk", "survival", 24, 0.021, None, "unverified"),
    # van der Linden: median about 3 / 9 / 19 months; 2-year about 4 / 22 / 37 %
    ("van_der_linden", "group_a", "median", None, 3, None, "secondary"),
    ("van_der_linden", "group_b", "median", None, 9, None, "secondary"),
    ("van_der_linden", "group_c", "median", None, 19, None, "secondary"),
    ("van_der_linden", "group_a", "survival", 24, 0.04, None, "secondary"),
    ("van_der_linden", "group_b", "survival", 24, 0.22, None, "secondary"),
    ("van_der_linden", "group_c", "survival", 24, 0.37, None, "secondary"),
    # Rades 2008: 6-month OS, 2008 derivation and 2010 validation
    ("rades_2008", "rades_20_25", "survival", 6, 0.04, None, "primary"),
    ("rades_2008", "rades_26_30", "survival", 6, 0.11, None, "primary"),
    ("rades_2008", "rades_31_35", "survival", 6, 0.48, None, "primary"),
    ("rades_2008", "rades_36_40", "survival", 6, 0.87, None, "unverified"),
    ("rades_2008", "rades_41_45", "survival", 6, 0.99, None, "unverified"),
    ("rades_2008", "rades_20_25", "survival", 6, 0.07, None, "primary"),
    ("rades_2008", "rades_26_30", "survival", 6, 0.19, None, "primary"),
    ("rades_2008", "rades_31_35", "survival", 6, 0.56, None, "primary"),
    ("rades_2008", "rades_36_40", "survival", 6, 0.73, None, "primary"),
    ("rades_2008", "rades_41_45", "survival", 6, 0.9, None, "primary"),
}
ALL_IDS = [m.ID for m in SUMMED] + [escc.ID]
VALIDATIONS = {"rades_2008": {"Rades 2008", "Rades 2010"}, "nesms": {"Schoenfeld 2021"}}


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    value = None if row["value"] is None else round(row["value"], 6)
    return (row["score"], row["band"], row["statistic"], row["months"], value, row["op"],
            row["evidence"])


def test_every_figure_and_only_those() -> None:
    got = [_key(row) for score_id in ALL_IDS for row in spinemets.published_survival(score_id)]
    assert len(got) == len(set(got))
    assert set(got) == EXPECTED


@pytest.mark.parametrize("score_id", ["tomita", "sins", "escc", "osri"])
def test_scores_without_band_survival(score_id: str) -> None:
    assert spinemets.published_survival(score_id) == []


@pytest.mark.parametrize("score_id", ALL_IDS)
def test_rows_are_well_formed_and_fresh(score_id: str) -> None:
    rows = spinemets.published_survival(score_id)
    module = {m.ID: m for m in (*SUMMED, escc)}[score_id]
    bands = {b.code.value for b in getattr(module, "BANDS", ())}
    for row in rows:
        assert row["band"] in bands
        # the derivation paper, or the validation paper that reported the figure
        assert row["citation"] in VALIDATIONS.get(score_id, {module.CITATION.short}), row
        assert row["evidence"] in ("primary", "secondary", "unverified")
        assert row["text"]
        if row["statistic"] == "survival":
            assert 0 <= row["value"] <= 1 and row["months"] > 0
    if rows:
        rows[0]["value"] = "mutated"
        assert spinemets.published_survival(score_id)[0]["value"] != "mutated"


@pytest.mark.parametrize("score_id", ALL_IDS)
def test_band_meanings_print_the_same_rows(score_id: str) -> None:
    """Every figure's text appears in its band's meaning (the docs print the meanings)."""
    module = {m.ID: m for m in (*SUMMED, escc)}[score_id]
    meanings = {b.code.value: b.meaning for b in getattr(module, "BANDS", ())}
    for row in spinemets.published_survival(score_id):
        assert row["text"] in meanings[row["band"]], row


def test_texts_read_as_published() -> None:
    texts = {(r["band"], r["text"]) for r in spinemets.published_survival("katagiri_2014")}
    assert ("intermediate_risk", "6-month survival 74.0%") in texts
    assert ("low_risk", "1-year survival 91%") in texts
    vdl = {r["text"] for r in spinemets.published_survival("van_der_linden")}
    assert "median survival about 19 months (18.7 in some citations)" in vdl
    tok = {r["text"] for r in spinemets.published_survival("tokuhashi_2005")}
    assert tok == {"survival < 6 months", "survival >= 6 months", "survival >= 1 year"}


def test_rades_simplified_reading() -> None:
    from spinemets.scores import rades_2008

    values = [(f.band.value, f.value) for f in rades_2008.SIMPLIFIED_2010_SURVIVAL]
    assert values == [("rades_20_30", 0.14), ("rades_31_35", 0.56), ("rades_36_45", 0.8)]
    for band, fig in zip(rades_2008.SIMPLIFIED_2010, rades_2008.SIMPLIFIED_2010_SURVIVAL,
                         strict=True):
        assert fig.text in band.meaning


def test_unknown_score() -> None:
    with pytest.raises(ValueError, match="unknown score id"):
        spinemets.published_survival("tokuhashi")
