"""Exhaustive checks of the seed scores against an independent transcription of the contract.

Expectations come from ``tests/scores/reference.py`` (tables typed from interchange.md §2-§4 and
clinical-reference.md §2-§6, §9.3) and from hand-computed tables in this file; nothing is derived
from ``spinemets`` itself. Cases go through ``spinemets.assess_dict`` only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from spinemets import assess_dict
from tests.scores.reference import (
    ECOG_TO_KPS_RANGES,
    ESCC_CLASS,
    ESCC_ORDER,
    Mismatches,
    diff_scores,
)
from tests.strategies import (
    ALIGNMENT,
    BONE_LESION,
    COLLAPSE,
    ECOG_TO_KPS,
    ECOG_VALUES,
    ESCC_GRADES,
    FRANKEL,
    HISTOLOGIES,
    LEVELS,
    PAIN,
    POSTEROLATERAL,
    SINS_LESION_FIELDS,
    TOMITA_DEFAULT_GROWTH_HISTOLOGIES,
    TOMITA_GROWTHS,
    VISCERAL,
)

CaseDict = dict[str, Any]
SEED_IDS: tuple[str, ...] = ("tomita", "tokuhashi_1990", "tokuhashi_2005", "sins", "escc")


def run_all(cases: Iterable[CaseDict], only: tuple[str, ...] | None = None) -> None:
    """Assess every case and fail once, listing the first cases that depart from the oracle."""
    mismatches = Mismatches()
    n = 0
    for case in cases:
        n += 1
        mismatches.check(case, assess_dict(case), only)
    assert n > 0
    assert mismatches.count == 0, mismatches.report(n)


def scores_of(case: CaseDict) -> dict[str, Any]:
    """Assess one case and return its ``scores`` object (failing on an error result)."""
    result = assess_dict(case)
    assert "error" not in result, result
    scores: dict[str, Any] = result["scores"]
    return scores


# --- SINS: every level x every component ----------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_sins_single_lesion_every_combination(level: str) -> None:
    """Every single-lesion SINS combination at this level has the transcribed total and band."""
    cases = (
        {
            "lesions": [
                {
                    "level": level,
                    "pain": pain,
                    "bone_lesion": bone,
                    "alignment": alignment,
                    "collapse": collapse,
                    "posterolateral": posterolateral,
                }
            ]
        }
        for pain, bone, alignment, collapse, posterolateral in itertools.product(
            PAIN, BONE_LESION, ALIGNMENT, COLLAPSE, POSTEROLATERAL
        )
    )
    run_all(cases, only=("sins",))


# SINS location points level by level (interchange §4.5), typed out once more in full.
SINS_LOCATION_HAND: str = (
    "C1:3 C2:3 C3:2 C4:2 C5:2 C6:2 C7:3 "
    "T1:3 T2:3 T3:1 T4:1 T5:1 T6:1 T7:1 T8:1 T9:1 T10:1 T11:3 T12:3 "
    "L1:3 L2:2 L3:2 L4:2 L5:3 S1:3 S2:0 S3:0 S4:0 S5:0"
)


def test_sins_location_by_level() -> None:
    """A lesion with every other component at 0 scores its level's location points (§4.5)."""
    table = {
        level: int(points) for level, points in (p.split(":") for p in SINS_LOCATION_HAND.split())
    }
    assert tuple(table) == LEVELS
    quiet = {"pain": "none", "bone_lesion": "blastic", "alignment": "normal", "collapse": "none",
             "posterolateral": "none"}  # fmt: skip
    got = {
        level: scores_of({"lesions": [{"level": level, **quiet}]})["sins"]["total"]
        for level in LEVELS
    }
    assert got == table


# Hand-computed SINS totals:
# (level, pain, bone_lesion, alignment, collapse, posterolateral, total, band).
SINS_HAND: tuple[tuple[str, str, str, str, str, str, int, str], ...] = (
    ("T12", "mechanical", "lytic", "normal", "involved_over_50", "unilateral", 10,
     "potentially_unstable"),
    ("S3", "none", "blastic", "normal", "none", "none", 0, "stable"),
    ("C1", "mechanical", "lytic", "subluxation", "over_50", "bilateral", 18, "unstable"),
    ("T7", "occasional", "mixed", "deformity", "under_50", "none", 7, "potentially_unstable"),
    ("L3", "occasional", "mixed", "deformity", "none", "none", 6, "stable"),
    ("C7", "mechanical", "lytic", "deformity", "none", "bilateral", 13, "unstable"),
    ("L5", "mechanical", "lytic", "normal", "under_50", "unilateral", 11, "potentially_unstable"),
    ("S1", "mechanical", "lytic", "deformity", "none", "unilateral", 11, "potentially_unstable"),
    ("C4", "mechanical", "lytic", "normal", "under_50", "bilateral", 12, "potentially_unstable"),
    ("T2", "none", "blastic", "normal", "none", "none", 3, "stable"),
    ("T3", "mechanical", "lytic", "subluxation", "over_50", "bilateral", 16, "unstable"),
    ("S5", "mechanical", "lytic", "subluxation", "over_50", "bilateral", 15, "unstable"),
)  # fmt: skip


@pytest.mark.parametrize("row", SINS_HAND)
def test_sins_hand_computed(row: tuple[str, str, str, str, str, str, int, str]) -> None:
    """Hand-computed SINS examples (interchange §1.1, §4.5) give the stated total and band."""
    *codes, total, band = row
    lesion = dict(zip(SINS_LESION_FIELDS, codes, strict=True))
    sins = scores_of({"lesions": [lesion]})["sins"]
    assert sins["status"] == "complete"
    assert sins["total"] == total
    assert sins["band"]["code"] == band
    assert sins["lesions"][0]["total"] == total


# --- Tomita ------------------------------------------------------------------------------------

TOMITA_BONE_SITUATIONS: tuple[CaseDict, ...] = (
    {"bone_metastases_isolated": True},
    {"bone_metastases_isolated": True, "extraspinal_bone_metastases": 4, "vertebral_metastases": 3},
    {"extraspinal_bone_metastases": 0, "vertebral_metastases": 1},
    {
        "bone_metastases_isolated": False,
        "extraspinal_bone_metastases": 0,
        "vertebral_metastases": 1,
    },
    {"extraspinal_bone_metastases": 1, "vertebral_metastases": 1},
    {"extraspinal_bone_metastases": 0, "vertebral_metastases": 2},
    {
        "bone_metastases_isolated": False,
        "extraspinal_bone_metastases": 2,
        "vertebral_metastases": 1,
    },
    {"extraspinal_bone_metastases": 30, "vertebral_metastases": 30},
)


def test_tomita_explicit_growth_grid() -> None:
    """Every explicit growth x visceral x bone situation has the transcribed Tomita score."""
    cases = (
        {"tomita_growth": growth, "visceral_metastases": visceral, **bone}
        for growth, visceral, bone in itertools.product(
            TOMITA_GROWTHS, VISCERAL, TOMITA_BONE_SITUATIONS
        )
    )
    run_all(cases, only=("tomita",))


@pytest.mark.parametrize("histology", HISTOLOGIES)
def test_tomita_histology_default_growth(histology: str) -> None:
    """Without tomita_growth, a histology's §2 default is used, else Tomita is incomplete."""
    cases = (
        {"histology": histology, "visceral_metastases": visceral, **bone}
        for visceral, bone in itertools.product(VISCERAL, TOMITA_BONE_SITUATIONS)
    )
    run_all(cases, only=("tomita",))
    tomita = scores_of(
        {"histology": histology, "visceral_metastases": "none", "bone_metastases_isolated": True}
    )["tomita"]
    if histology in TOMITA_DEFAULT_GROWTH_HISTOLOGIES:
        assert tomita["status"] == "complete"
    else:
        assert tomita["status"] == "incomplete"
        assert "tomita_growth" in tomita["missing"]
        assert "histology" not in tomita["missing"]


@pytest.mark.parametrize("histology", HISTOLOGIES)
def test_tomita_explicit_growth_overrides_histology(histology: str) -> None:
    """An explicit tomita_growth overrides the histology default (interchange §1)."""
    cases = (
        {
            "histology": histology,
            "tomita_growth": growth,
            "visceral_metastases": "none",
            "extraspinal_bone_metastases": 0,
            "vertebral_metastases": 1,
        }
        for growth in TOMITA_GROWTHS
    )
    run_all(cases, only=("tomita",))


def test_tomita_no_histology_no_growth() -> None:
    """With neither histology nor tomita_growth, missing names both (interchange §3)."""
    tomita = scores_of(
        {"visceral_metastases": "none", "extraspinal_bone_metastases": 0, "vertebral_metastases": 1}
    )["tomita"]
    assert tomita["status"] == "incomplete"
    assert set(tomita["missing"]) == {"tomita_growth", "histology"}
    assert "total" not in tomita
    assert "band" not in tomita


def test_tomita_partial_counts_never_complete() -> None:
    """One count alone never completes Tomita, even when it already implies 'multiple' (§3)."""
    base = {"tomita_growth": "slow", "visceral_metastases": "none"}
    for counts, absent in (
        ({"vertebral_metastases": 5}, "extraspinal_bone_metastases"),
        ({"extraspinal_bone_metastases": 7}, "vertebral_metastases"),
        (
            {"bone_metastases_isolated": False, "vertebral_metastases": 2},
            "extraspinal_bone_metastases",
        ),
    ):
        tomita = scores_of({**base, **counts})["tomita"]
        assert tomita["status"] == "incomplete", counts
        assert tomita["missing"] == [absent], counts


# Hand-computed Tomita totals: (case, total, band, strategy).
TOMITA_HAND: tuple[tuple[CaseDict, int, str, str], ...] = (
    ({"histology": "breast", "visceral_metastases": "none", "extraspinal_bone_metastases": 0,
      "vertebral_metastases": 1}, 2, "long_term_local_control", "wide_or_marginal_excision"),
    ({"histology": "thyroid", "visceral_metastases": "none", "extraspinal_bone_metastases": 5,
      "vertebral_metastases": 5}, 3, "long_term_local_control", "wide_or_marginal_excision"),
    ({"histology": "uterus", "visceral_metastases": "none", "extraspinal_bone_metastases": 0,
      "vertebral_metastases": 2}, 4, "middle_term_local_control",
     "marginal_or_intralesional_excision"),
    ({"histology": "kidney", "visceral_metastases": "resectable", "extraspinal_bone_metastases": 0,
      "vertebral_metastases": 1}, 5, "middle_term_local_control",
     "marginal_or_intralesional_excision"),
    ({"histology": "prostate", "visceral_metastases": "untreatable",
      "bone_metastases_isolated": True}, 6, "short_term_palliation", "palliative_surgery"),
    ({"histology": "unknown", "visceral_metastases": "resectable",
      "bone_metastases_isolated": True}, 7, "short_term_palliation", "palliative_surgery"),
    ({"histology": "lung", "visceral_metastases": "treatable", "extraspinal_bone_metastases": 1,
      "vertebral_metastases": 1}, 8, "terminal_care", "supportive_care"),
    ({"histology": "lung_sclc", "visceral_metastases": "untreatable",
      "bone_metastases_isolated": True}, 9, "terminal_care", "supportive_care"),
    ({"histology": "stomach", "visceral_metastases": "untreatable",
      "extraspinal_bone_metastases": 3, "vertebral_metastases": 4}, 10, "terminal_care",
     "supportive_care"),
    ({"histology": "lymphoma", "tomita_growth": "moderate", "visceral_metastases": "none",
      "extraspinal_bone_metastases": 0, "vertebral_metastases": 1}, 3,
     "long_term_local_control", "wide_or_marginal_excision"),
    ({"histology": "breast", "tomita_growth": "rapid", "visceral_metastases": "none",
      "bone_metastases_isolated": True, "extraspinal_bone_metastases": 9,
      "vertebral_metastases": 9}, 5, "middle_term_local_control",
     "marginal_or_intralesional_excision"),
)  # fmt: skip


@pytest.mark.parametrize(("case", "total", "band", "strategy"), TOMITA_HAND)
def test_tomita_hand_computed(case: CaseDict, total: int, band: str, strategy: str) -> None:
    """Hand-computed Tomita examples give the stated total, band and strategy (§3, §3.1)."""
    tomita = scores_of(case)["tomita"]
    assert tomita["status"] == "complete"
    assert (tomita["total"], tomita["band"]["code"], tomita["strategy"]) == (total, band, strategy)
    outside = case.get("histology") in {"lymphoma", "myeloma", "seminoma", "germ_cell"}
    assert ("outside_derivation_population" in tomita["flags"]) == outside


# --- Tokuhashi 1990 and 2005 -------------------------------------------------------------------

TOKUHASHI_KPS: tuple[int, ...] = (10, 40, 50, 70, 80, 100)
TOKUHASHI_EXTRASPINAL: tuple[int, ...] = (0, 1, 2, 3, 7)
TOKUHASHI_VERTEBRAL: tuple[int, ...] = (1, 2, 3, 9)


def tokuhashi_grid(histology: str) -> Iterable[CaseDict]:
    """Every Tokuhashi item category (with KPS boundaries) for one histology."""
    for kps, extra, vert, visceral, frankel in itertools.product(
        TOKUHASHI_KPS, TOKUHASHI_EXTRASPINAL, TOKUHASHI_VERTEBRAL, VISCERAL, FRANKEL
    ):
        yield {
            "histology": histology,
            "kps": kps,
            "extraspinal_bone_metastases": extra,
            "vertebral_metastases": vert,
            "visceral_metastases": visceral,
            "frankel": frankel,
        }


# 28 histologies x 2,400 item combinations = 67,200 cases (about 8 s on a 2-core machine). Should it
# grow slow, one histology per (1990, 2005) primary-points class keeps every total reachable.
@pytest.mark.parametrize("histology", HISTOLOGIES)
def test_tokuhashi_every_item_combination(histology: str) -> None:
    """Every histology x item category x KPS boundary gives the transcribed results."""
    run_all(tokuhashi_grid(histology), only=("tomita", "tokuhashi_1990", "tokuhashi_2005"))


# Fixed rests for the every-histology sweep: (kps, extraspinal, vertebral, visceral, frankel).
TOKUHASHI_RESTS: tuple[tuple[int, int, int, str, str], ...] = (
    (100, 0, 1, "none", "E"),
    (80, 0, 2, "none", "E"),
    (70, 1, 1, "resectable", "D"),
    (50, 2, 2, "treatable", "C"),
    (40, 3, 3, "untreatable", "B"),
    (10, 7, 9, "untreatable", "A"),
    (90, 0, 1, "resectable", "E"),
    (80, 1, 1, "none", "E"),
)


@pytest.mark.parametrize("histology", HISTOLOGIES)
def test_tokuhashi_every_histology(histology: str) -> None:
    """Every histology's primary points (§2) under fixed rests give the transcribed results."""
    cases = (
        {
            "histology": histology,
            "kps": kps,
            "extraspinal_bone_metastases": extra,
            "vertebral_metastases": vert,
            "visceral_metastases": visceral,
            "frankel": frankel,
        }
        for kps, extra, vert, visceral, frankel in TOKUHASHI_RESTS
    )
    run_all(cases, only=("tokuhashi_1990", "tokuhashi_2005"))


# Hand-computed Tokuhashi results:
# (histology, kps, extra, vert, visceral, frankel,
#  total 1990, band 1990, total 2005, band 2005, strategy 2005, conflict flag).
TOKUHASHI_HAND: tuple[tuple[str, int, int, int, str, str, int, str, int, str, str, bool], ...] = (
    ("breast", 100, 0, 1, "none", "E", 12, "good", 15, "gte_12_months", "excisional", False),
    ("breast", 100, 0, 2, "none", "E", 11, "good", 14, "gte_12_months", "palliative_surgery",
     True),
    ("lung", 80, 0, 1, "none", "E", 10, "good", 10, "gte_6_months", "excisional", False),
    ("lung", 80, 0, 2, "none", "E", 9, "good", 9, "gte_6_months", "palliative_surgery", False),
    ("lung", 70, 0, 2, "none", "E", 8, "intermediate", 8, "lt_6_months", "conservative", False),
    ("rectum", 50, 2, 3, "resectable", "D", 6, "intermediate", 8, "lt_6_months",
     "conservative", False),
    ("colon", 40, 3, 9, "treatable", "C", 2, "poor", 3, "lt_6_months", "conservative", False),
    ("kidney", 80, 1, 1, "untreatable", "E", 8, "intermediate", 10, "gte_6_months",
     "excisional", False),
    ("carcinoid", 90, 0, 2, "none", "E", 10, "good", 14, "gte_12_months", "palliative_surgery",
     True),
    ("myeloma", 60, 0, 1, "none", "B", 8, "intermediate", 9, "gte_6_months", "excisional",
     False),
    ("unknown", 10, 30, 30, "untreatable", "A", 1, "poor", 1, "lt_6_months", "conservative",
     False),
    ("thyroid", 80, 0, 3, "none", "E", 10, "good", 13, "gte_12_months", "palliative_surgery",
     True),
    ("kidney", 80, 0, 2, "none", "E", 10, "good", 12, "gte_12_months", "palliative_surgery",
     True),
    ("kidney", 80, 0, 2, "resectable", "E", 9, "good", 11, "gte_6_months", "palliative_surgery",
     False),
    ("esophagus", 80, 0, 1, "none", "E", 11, "good", 10, "gte_6_months", "excisional", False),
    ("prostate", 50, 1, 1, "resectable", "C", 8, "intermediate", 11, "gte_6_months",
     "excisional", False),
    ("lung_nsclc", 40, 0, 1, "none", "E", 8, "intermediate", 8, "lt_6_months", "conservative",
     False),
    ("sarcoma", 70, 0, 1, "none", "D", 9, "good", 10, "gte_6_months", "excisional", False),
)  # fmt: skip


@pytest.mark.parametrize(
    ("histology", "kps", "extra", "vert", "visceral", "frankel", "t1990", "b1990", "t2005",
     "b2005", "strategy", "conflict"),
    TOKUHASHI_HAND,
)  # fmt: skip
def test_tokuhashi_hand_computed(
    histology: str,
    kps: int,
    extra: int,
    vert: int,
    visceral: str,
    frankel: str,
    t1990: int,
    b1990: str,
    t2005: int,
    b2005: str,
    strategy: str,
    conflict: bool,
) -> None:
    """Hand-computed Tokuhashi examples give the stated totals, bands, strategy, conflict flag."""
    scores = scores_of(
        {
            "histology": histology,
            "kps": kps,
            "extraspinal_bone_metastases": extra,
            "vertebral_metastases": vert,
            "visceral_metastases": visceral,
            "frankel": frankel,
        }
    )
    old, new = scores["tokuhashi_1990"], scores["tokuhashi_2005"]
    assert (old["status"], old["total"], old["band"]["code"]) == ("complete", t1990, b1990)
    assert (new["status"], new["total"], new["band"]["code"]) == ("complete", t2005, b2005)
    assert new["strategy"] == strategy
    assert ("tokuhashi_multiple_vertebrae_conflict" in new["flags"]) == conflict
    assert "tokuhashi_multiple_vertebrae_conflict" not in old["flags"]
    for result in (old, new):
        assert ("colon_scored_as_other" in result["flags"]) == (histology == "colon")
        assert ("outside_derivation_population" in result["flags"]) == (histology == "myeloma")


@pytest.mark.parametrize("histology", ["lymphoma", "myeloma", "seminoma", "germ_cell"])
def test_outside_derivation_population_flag(histology: str) -> None:
    """Hematologic and germ-cell primaries are scored with outside_derivation_population (§2)."""
    scores = scores_of(
        {
            "histology": histology,
            "tomita_growth": "slow",
            "kps": 80,
            "extraspinal_bone_metastases": 0,
            "vertebral_metastases": 1,
            "visceral_metastases": "none",
            "frankel": "E",
        }
    )
    for score_id in ("tomita", "tokuhashi_1990", "tokuhashi_2005"):
        assert scores[score_id]["status"] == "complete", score_id
        assert "outside_derivation_population" in scores[score_id]["flags"], score_id
        assert "colon_scored_as_other" not in scores[score_id]["flags"], score_id


# --- ECOG -> KPS (§4.4) ------------------------------------------------------------------------

# Tokuhashi KPS points per conversion and ECOG grade, None where the range straddles a category.
# Typed by hand from interchange §4.4 against the categories 10-40 / 50-70 / 80-100.
ECOG_KPS_POINTS_HAND: dict[str, dict[int, int | None]] = {
    "common": {0: 2, 1: None, 2: 1, 3: 0, 4: 0},
    "ma_2010": {0: 2, 1: 2, 2: 1, 3: None, 4: 0},
    "prasad_2018": {0: 2, 1: 2, 2: 1, 3: 1, 4: 0},
}
# Rest of the case: breast, extra 0, vert 1, none, E -> 1990 rest 10, 2005 rest 13.
ECOG_REST: CaseDict = {
    "histology": "breast",
    "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1,
    "visceral_metastases": "none",
    "frankel": "E",
}


def test_ecog_hand_table_matches_ranges() -> None:
    """The hand table of ECOG points agrees with the §4.4 ranges (guards the test's own tables)."""
    for name, grades in ECOG_TO_KPS_RANGES.items():
        for ecog, (lo, hi) in grades.items():
            categories = {(k > 40) + (k > 70) for k in range(lo, hi + 1, 10)}
            want = ECOG_KPS_POINTS_HAND[name][ecog]
            assert (categories == {want}) if want is not None else len(categories) == 2


@pytest.mark.parametrize("conversion", ECOG_TO_KPS)
@pytest.mark.parametrize("ecog", ECOG_VALUES)
def test_ecog_conversion(conversion: str, ecog: int) -> None:
    """ECOG without KPS uses the named conversion only when its range fits one KPS category."""
    case = {**ECOG_REST, "ecog": ecog, "ecog_to_kps": conversion}
    scores = scores_of(case)
    points = ECOG_KPS_POINTS_HAND[conversion][ecog]
    for score_id, rest in (("tokuhashi_1990", 10), ("tokuhashi_2005", 13)):
        result = scores[score_id]
        if points is None:
            assert result["status"] == "incomplete", score_id
            assert result["missing"] == ["kps"], score_id
            assert "kps_from_ecog_ambiguous" in result["flags"], score_id
            assert "total" not in result
        else:
            assert result["status"] == "complete", score_id
            assert result["total"] == rest + points, score_id
            assert f"kps_from_ecog:{conversion}" in result["flags"], score_id
            assert "kps_from_ecog_ambiguous" not in result["flags"], score_id
    assert scores["tomita"]["status"] == "complete"
    assert not any(f.startswith("kps_from_ecog") for f in scores["tomita"]["flags"])
    assert diff_scores(case, assess_dict(case), ("tokuhashi_1990", "tokuhashi_2005")) == []


@pytest.mark.parametrize("conversion", ECOG_TO_KPS)
@pytest.mark.parametrize("ecog", ECOG_VALUES)
@pytest.mark.parametrize("kps", [10, 40, 50, 70, 80, 100])
def test_kps_wins_over_ecog(conversion: str, ecog: int, kps: int) -> None:
    """When kps and ecog are both given, KPS items use kps and carry no kps_from_ecog flag."""
    case = {**ECOG_REST, "kps": kps, "ecog": ecog, "ecog_to_kps": conversion}
    points = 0 if kps <= 40 else 1 if kps <= 70 else 2
    scores = scores_of(case)
    for score_id, rest in (("tokuhashi_1990", 10), ("tokuhashi_2005", 13)):
        result = scores[score_id]
        assert result["status"] == "complete"
        assert result["total"] == rest + points
        assert not any(flag.startswith("kps_from_ecog") for flag in result["flags"])


@pytest.mark.parametrize("ecog", ECOG_VALUES)
def test_ecog_without_conversion_is_not_used(ecog: int) -> None:
    """ECOG without ecog_to_kps never becomes a KPS: Tokuhashi is incomplete, missing kps."""
    scores = scores_of({**ECOG_REST, "ecog": ecog})
    for score_id in ("tokuhashi_1990", "tokuhashi_2005"):
        result = scores[score_id]
        assert result["status"] == "incomplete"
        assert "kps" in result["missing"]
        assert set(result["missing"]) <= {"kps", "ecog_to_kps"}
        assert not any(flag.startswith("kps_from_ecog:") for flag in result.get("flags", []))


@pytest.mark.parametrize("conversion", ECOG_TO_KPS)
def test_conversion_without_ecog_is_not_a_kps(conversion: str) -> None:
    """ecog_to_kps alone supplies no KPS: Tokuhashi is incomplete, missing kps."""
    scores = scores_of({**ECOG_REST, "ecog_to_kps": conversion})
    for score_id in ("tokuhashi_1990", "tokuhashi_2005"):
        assert scores[score_id]["status"] == "incomplete"
        assert "kps" in scores[score_id]["missing"]


# --- ESCC --------------------------------------------------------------------------------------


def test_escc_every_grade_combination() -> None:
    """Over 1-3 lesions the case grade is the worst one (0<1a<1b<1c<2<3) with its class."""
    cases = (
        {"lesions": [{"escc": grade} for grade in grades]}
        for n in (1, 2, 3)
        for grades in itertools.product(ESCC_GRADES, repeat=n)
    )
    run_all(cases, only=("escc",))


@pytest.mark.parametrize(
    ("grades", "worst", "cls"),
    [
        (("0",), "0", "low"),
        (("1a", "0"), "1a", "low"),
        (("1b", "1a"), "1b", "low"),
        (("0", "1c", "1b"), "1c", "intermediate"),
        (("1c", "2", "1a"), "2", "high"),
        (("3", "2"), "3", "high"),
        (("2", "0", "3"), "3", "high"),
    ],
)
def test_escc_hand_computed(grades: tuple[str, ...], worst: str, cls: str) -> None:
    """Hand-picked grade lists give the stated worst grade and NOMS class (§3)."""
    escc = scores_of({"lesions": [{"escc": g} for g in grades]})["escc"]
    assert (escc["status"], escc["grade"], escc["class"]) == ("complete", worst, cls)


def test_escc_class_table() -> None:
    """The test's own class table agrees with §3: low 0/1a/1b, intermediate 1c, high 2/3."""
    assert ESCC_ORDER == ESCC_GRADES
    assert [ESCC_CLASS[g] for g in ESCC_GRADES] == ["low"] * 3 + ["intermediate"] + ["high"] * 2


def test_escc_any_lesion_without_grade_is_incomplete() -> None:
    """A case whose lesions lack escc anywhere is incomplete naming each lesions[i].escc."""
    options: tuple[str | None, ...] = (None, *ESCC_GRADES)
    cases = (
        {"lesions": [{} if g is None else {"escc": g} for g in grades]}
        for n in (1, 2, 3)
        for grades in itertools.product(options, repeat=n)
        if None in grades
    )
    run_all(cases, only=("escc",))
    escc = scores_of({"lesions": [{"escc": "3"}, {"level": "T4"}, {"escc": "0"}, {}]})["escc"]
    assert escc["status"] == "incomplete"
    assert sorted(escc["missing"]) == ["lesions[1].escc", "lesions[3].escc"]


@pytest.mark.parametrize(
    "case",
    [
        {},
        {"lesions": None},
        {
            "histology": "breast",
            "kps": 80,
            "visceral_metastases": "none",
            "extraspinal_bone_metastases": 0,
            "vertebral_metastases": 1,
            "frankel": "E",
            "fit_for_surgery": True,
        },
    ],
)
def test_no_lesions_sins_and_escc_incomplete(case: CaseDict) -> None:
    """A case without lesions has SINS and ESCC incomplete with missing ['lesions'] (§3)."""
    scores = scores_of(case)
    for score_id in ("sins", "escc"):
        assert scores[score_id]["status"] == "incomplete", score_id
        assert scores[score_id]["missing"] == ["lesions"], score_id
        assert "total" not in scores[score_id]
    assert "band" not in scores["sins"]


# --- SINS over several lesions -----------------------------------------------------------------

SINS_SAMPLE_LESIONS: tuple[CaseDict, ...] = tuple(
    dict(zip(SINS_LESION_FIELDS, values, strict=True))
    for values in (
        ("S4", "none", "blastic", "normal", "none", "none"),  # 0
        ("T5", "occasional", "blastic", "normal", "none", "none"),  # 2
        ("L2", "occasional", "mixed", "deformity", "none", "none"),  # 6
        ("T8", "occasional", "mixed", "deformity", "under_50", "none"),  # 7
        ("C5", "mechanical", "lytic", "normal", "involved_over_50", "unilateral"),  # 9
        ("T12", "mechanical", "lytic", "normal", "involved_over_50", "unilateral"),  # 10
        ("L4", "mechanical", "lytic", "normal", "under_50", "bilateral"),  # 12
        ("C2", "mechanical", "lytic", "deformity", "none", "bilateral"),  # 13
        ("L1", "mechanical", "lytic", "subluxation", "over_50", "unilateral"),  # 16
        ("T12", "mechanical", "lytic", "subluxation", "over_50", "bilateral"),  # 18
    )
)
SINS_SAMPLE_TOTALS: tuple[int, ...] = (0, 2, 6, 7, 9, 10, 12, 13, 16, 18)


def test_sins_sample_lesions_hand_totals() -> None:
    """The sample lesions used below score the hand-computed totals one by one."""
    for lesion, total in zip(SINS_SAMPLE_LESIONS, SINS_SAMPLE_TOTALS, strict=True):
        assert scores_of({"lesions": [lesion]})["sins"]["total"] == total, lesion


def test_sins_multi_lesion_is_max() -> None:
    """The case SINS is the maximum lesion total; every lesion's total is reported in order."""
    cases = (
        {"lesions": list(combo)}
        for n in (2, 3)
        for combo in itertools.product(SINS_SAMPLE_LESIONS, repeat=n)
    )
    run_all(cases, only=("sins",))
    lesions = [SINS_SAMPLE_LESIONS[i] for i in (3, 9, 0, 9, 5)]
    sins = scores_of({"lesions": lesions})["sins"]
    assert sins["total"] == 18
    assert sins["band"] == {"code": "unstable", "range": [13, 18]}
    assert [entry["total"] for entry in sins["lesions"]] == [7, 18, 0, 18, 10]


def without(mapping: Mapping[str, Any], name: str) -> CaseDict:
    """Copy of ``mapping`` without key ``name``."""
    return {k: v for k, v in mapping.items() if k != name}


def test_sins_multi_lesion_incomplete() -> None:
    """Any lesion missing a SINS field makes the case incomplete; complete lesions keep totals."""
    base = [SINS_SAMPLE_LESIONS[i] for i in (9, 2, 4)]
    cases: list[CaseDict] = []
    for i, name in itertools.product(range(3), SINS_LESION_FIELDS):
        lesions = list(base)
        lesions[i] = without(lesions[i], name)
        cases.append({"lesions": lesions})
    for drop in itertools.combinations(SINS_LESION_FIELDS, 2):
        lesions = [dict(base[0]), without(without(base[1], drop[0]), drop[1]), {}]
        cases.append({"lesions": lesions})
    run_all(cases, only=("sins",))
    sins = scores_of({"lesions": [base[0], without(base[1], "pain"), {"escc": "0"}]})["sins"]
    assert sins["status"] == "incomplete"
    assert "total" not in sins and "band" not in sins
    assert set(sins["missing"]) == {"lesions[1].pain"} | {
        f"lesions[2].{name}" for name in SINS_LESION_FIELDS
    }
    assert sins["lesions"][0]["total"] == 18
    assert sins["lesions"][1]["status"] == "incomplete"
    assert "total" not in sins["lesions"][1]
    assert sins["lesions"][2]["status"] == "incomplete"


def test_sins_escc_independent_per_lesion() -> None:
    """A lesion's missing escc leaves SINS complete; a missing SINS field leaves ESCC complete."""
    full = {**SINS_SAMPLE_LESIONS[5], "escc": "1b"}
    scores = scores_of({"lesions": [full, dict(SINS_SAMPLE_LESIONS[3])]})
    assert scores["sins"]["status"] == "complete"
    assert scores["sins"]["total"] == 10
    assert scores["escc"]["missing"] == ["lesions[1].escc"]
    scores = scores_of({"lesions": [full, {"level": "T3", "escc": "2"}]})
    escc = scores["escc"]
    assert (escc["status"], escc["grade"], escc["class"]) == ("complete", "2", "high")
    assert scores["sins"]["status"] == "incomplete"


# --- Missing is never zero ---------------------------------------------------------------------

COMPLETE_BASES: tuple[CaseDict, ...] = (
    {  # the worked example of interchange §1 / §6
        "histology": "kidney",
        "kps": 80,
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
    },
    {  # histology without a default growth, explicit growth, isolated, two lesions, ECOG too
        "histology": "melanoma",
        "tomita_growth": "rapid",
        "radiosensitivity": "resistant",
        "kps": 60,
        "ecog": 2,
        "ecog_to_kps": "common",
        "visceral_metastases": "treatable",
        "extraspinal_bone_metastases": 2,
        "vertebral_metastases": 3,
        "bone_metastases_isolated": True,
        "frankel": "C",
        "myelopathy": True,
        "radiculopathy": False,
        "fit_for_surgery": False,
        "lesions": [
            {"level": "C7", "pain": "occasional", "bone_lesion": "mixed", "alignment": "deformity",
             "collapse": "under_50", "posterolateral": "none", "escc": "2"},
            {"level": "L3", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
             "collapse": "none", "posterolateral": "bilateral", "escc": "0"},
        ],
    },
    {  # histology with a default growth plus an explicit one; ECOG that straddles
        "histology": "breast",
        "tomita_growth": "moderate",
        "kps": 30,
        "ecog": 1,
        "ecog_to_kps": "common",
        "visceral_metastases": "resectable",
        "extraspinal_bone_metastases": 5,
        "vertebral_metastases": 2,
        "frankel": "A",
        "lesions": [
            {"level": "S2", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
             "collapse": "none", "posterolateral": "none", "escc": "1c"},
        ],
    },
    {  # ECOG that converts cleanly: removing kps keeps Tokuhashi complete
        "histology": "colon",
        "tomita_growth": "moderate",
        "kps": 90,
        "ecog": 0,
        "ecog_to_kps": "ma_2010",
        "visceral_metastases": "untreatable",
        "extraspinal_bone_metastases": 0,
        "vertebral_metastases": 1,
        "bone_metastases_isolated": False,
        "frankel": "D",
        "lesions": [
            {"level": "T1", "pain": "mechanical", "bone_lesion": "lytic",
             "alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral",
             "escc": "3"},
        ],
    },
)  # fmt: skip


def dependents(case: Mapping[str, Any], removed: str) -> dict[str, set[str]]:
    """Scores that must turn incomplete when top-level field ``removed`` is dropped, and the names
    their ``missing`` must then hold (typed from interchange §3 and §4.4)."""
    tokuhashi = ("tokuhashi_1990", "tokuhashi_2005")
    isolated = case.get("bone_metastases_isolated") is True
    if removed == "histology":
        out = {score_id: {"histology"} for score_id in tokuhashi}
        if "tomita_growth" not in case:
            out["tomita"] = {"tomita_growth", "histology"}
        return out
    if removed == "tomita_growth":
        if case["histology"] in TOMITA_DEFAULT_GROWTH_HISTOLOGIES:
            return {}
        return {"tomita": {"tomita_growth"}}
    if removed == "kps":
        converted = (
            ECOG_KPS_POINTS_HAND[case["ecog_to_kps"]][case["ecog"]] if "ecog" in case else None
        )
        return {} if converted is not None else {score_id: {"kps"} for score_id in tokuhashi}
    if removed == "visceral_metastases":
        return {score_id: {removed} for score_id in ("tomita", *tokuhashi)}
    if removed in ("extraspinal_bone_metastases", "vertebral_metastases"):
        ids = tokuhashi if isolated else ("tomita", *tokuhashi)
        return {score_id: {removed} for score_id in ids}
    if removed == "frankel":
        return {score_id: {removed} for score_id in tokuhashi}
    if removed == "lesions":
        return {"sins": {"lesions"}, "escc": {"lesions"}}
    return {}


def removals(case: CaseDict) -> Iterable[tuple[str, CaseDict, dict[str, set[str]]]]:
    """Every single-field removal of ``case`` with the scores it must make incomplete."""
    for name in case:
        yield name, without(case, name), dependents(case, name)
    for i, lesion in enumerate(case["lesions"]):
        for name in lesion:
            lesions = list(case["lesions"])
            lesions[i] = without(lesion, name)
            score_id = "escc" if name == "escc" else "sins"
            yield (
                f"lesions[{i}].{name}",
                {**case, "lesions": lesions},
                {score_id: {f"lesions[{i}].{name}"}},
            )


@pytest.mark.parametrize("base", COMPLETE_BASES)
def test_missing_field_never_scored_as_zero(base: CaseDict) -> None:
    """Dropping one field turns exactly its dependent scores incomplete, naming that field."""
    full = scores_of(base)
    assert [full[s]["status"] for s in SEED_IDS] == ["complete"] * len(SEED_IDS)
    assert diff_scores(base, assess_dict(base)) == []
    for label, case, deps in removals(base):
        scores = scores_of(case)
        for score_id in SEED_IDS:
            result = scores[score_id]
            if score_id in deps:
                assert result["status"] == "incomplete", (label, score_id)
                assert deps[score_id] <= set(result["missing"]), (label, result["missing"])
                assert "total" not in result, (label, score_id)
            else:
                assert result["status"] == "complete", (label, score_id, result)
        assert diff_scores(case, assess_dict(case)) == [], label
