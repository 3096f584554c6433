"""Property tests of the seed scores over random valid cases (Hypothesis; settings from profiles).

The oracle is ``tests/scores/reference.py``, an independent transcription of interchange.md.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from spinemets import Case, assess, assess_dict
from tests.scores.reference import BANDS, SCORE_RANGES, SEED_FLAGS, diff_scores
from tests.strategies import (
    FRANKEL,
    KPS_VALUES,
    MAX_COUNT,
    SINS_LESION_FIELDS,
    TOMITA_GROWTHS,
    VISCERAL,
    case_dicts,
    complete_case_dicts,
)

CaseDict = dict[str, Any]
SUMMED_IDS: tuple[str, ...] = ("tomita", "tokuhashi_1990", "tokuhashi_2005", "sins")
SEED_IDS: tuple[str, ...] = (*SUMMED_IDS, "escc")


def strip_nulls(case: CaseDict) -> CaseDict:
    """The case without null fields, in the case and in each lesion (interchange §1)."""
    out = {k: v for k, v in case.items() if v is not None}
    if "lesions" in out:
        out["lesions"] = [
            {k: v for k, v in lesion.items() if v is not None} for lesion in out["lesions"]
        ]
    return out


def scores_of(case: CaseDict) -> dict[str, Any]:
    """Assess one case and return its ``scores`` object (failing on an error result)."""
    result = assess_dict(case)
    assert "error" not in result, result
    scores: dict[str, Any] = result["scores"]
    return scores


@given(case_dicts(allow_null=True))
def test_random_cases_match_reference(case: CaseDict) -> None:
    """Any valid case, partial or not, scores exactly as the independent transcription predicts."""
    assert diff_scores(case, assess_dict(case)) == []


@given(complete_case_dicts())
def test_complete_cases_complete_every_seed_score(case: CaseDict) -> None:
    """A fully specified case completes all five seed scores, as the transcription predicts."""
    result = assess_dict(case)
    assert [result["scores"][s]["status"] for s in SEED_IDS] == ["complete"] * len(SEED_IDS)
    assert diff_scores(case, result) == []


@given(case_dicts(allow_null=True))
def test_totals_in_range_band_holds_total(case: CaseDict) -> None:
    """A complete total lies in its score's range, its band's range holds it, items sum to it."""
    scores = scores_of(case)
    for score_id in SUMMED_IDS:
        result = scores[score_id]
        if result["status"] != "complete":
            continue
        lo, hi = SCORE_RANGES[score_id]
        total = result["total"]
        band_lo, band_hi = result["band"]["range"]
        assert lo <= band_lo <= total <= band_hi <= hi, (score_id, result)
        assert sum(result["items"].values()) == total, (score_id, result)


@given(case_dicts(allow_null=True))
def test_seed_flags_from_contract_vocabulary(case: CaseDict) -> None:
    """Seed-score flags are drawn from the codes interchange §2-§4 define."""
    scores = scores_of(case)
    for score_id in SEED_IDS:
        flags = scores[score_id].get("flags", [])
        assert set(flags) <= SEED_FLAGS, (score_id, flags)
        assert len(flags) == len(set(flags)), (score_id, flags)


def sweep_cases() -> Iterable[CaseDict]:
    """Cases that together reach every total of every summed seed score."""
    for growth, visceral, counts in itertools.product(TOMITA_GROWTHS, VISCERAL, ((0, 1), (2, 3))):
        yield {
            "tomita_growth": growth,
            "visceral_metastases": visceral,
            "extraspinal_bone_metastases": counts[0],
            "vertebral_metastases": counts[1],
        }
    for histology, kps, extra, vert, visceral, frankel in itertools.product(
        ("lung", "breast"),
        (10, 50, 80),
        (0, 1, 3),
        (1, 2, 3),
        ("none", "resectable", "untreatable"),
        ("A", "C", "E"),
    ):
        yield {
            "histology": histology,
            "kps": kps,
            "extraspinal_bone_metastases": extra,
            "vertebral_metastases": vert,
            "visceral_metastases": visceral,
            "frankel": frankel,
        }
    components = [codes for name, codes in SINS_LESION_FIELDS.items() if name != "level"]
    for values in itertools.product(("S2", "T5", "L3", "C1"), *components):
        yield {"lesions": [dict(zip(SINS_LESION_FIELDS, values, strict=True))]}


def test_band_codes_partition_range() -> None:
    """Over every reachable total, the returned band ranges tile the score range, one per code."""
    seen: dict[str, dict[int, tuple[str, tuple[int, int]]]] = {s: {} for s in SUMMED_IDS}
    for case in sweep_cases():
        scores = scores_of(case)
        for score_id in SUMMED_IDS:
            result = scores[score_id]
            if result["status"] == "complete":
                band = (result["band"]["code"], tuple(result["band"]["range"]))
                previous = seen[score_id].setdefault(result["total"], band)
                assert previous == band, (score_id, result["total"], previous, band)
    for score_id, by_total in seen.items():
        lo, hi = SCORE_RANGES[score_id]
        assert sorted(by_total) == list(range(lo, hi + 1)), score_id
        ranges = dict(by_total.values())
        assert len(ranges) == len(set(by_total.values())), (score_id, "one range per code")
        tiles = sorted(ranges.values())
        assert tiles[0][0] == lo and tiles[-1][1] == hi, score_id
        for (_, prev_hi), (next_lo, _) in itertools.pairwise(tiles):
            assert next_lo == prev_hi + 1, (score_id, tiles)
        for total, (_code, (band_lo, band_hi)) in by_total.items():
            assert band_lo <= total <= band_hi
        assert tuple(sorted((rng[0], rng[1], code) for code, rng in ranges.items())) == tuple(
            (b_lo, b_hi, code) for code, b_lo, b_hi in BANDS[score_id]
        ), score_id


# --- monotonicity ------------------------------------------------------------------------------


# Ordinal case fields, their codes from the best finding to the worst.
ORDINAL_CASE_FIELDS: dict[str, tuple[str, ...]] = {
    "visceral_metastases": VISCERAL,
    "frankel": FRANKEL,
    "tomita_growth": TOMITA_GROWTHS,
}


def worse_of(codes: tuple[str, ...], current: str) -> st.SearchStrategy[str] | None:
    """Codes strictly worse than ``current`` in a best-to-worst tuple, or None if none is."""
    worse = codes[codes.index(current) + 1 :]
    return st.sampled_from(worse) if worse else None


@st.composite
def worsened_pairs(draw: st.DrawFn) -> tuple[CaseDict, CaseDict, str]:
    """A complete case and a copy with one finding made strictly worse (and its label)."""
    case = draw(complete_case_dicts())
    worse = copy.deepcopy(case)
    choices: list[str] = ["visceral_metastases", "lesion"]
    if case["kps"] > 10:
        choices.append("kps")
    if case["extraspinal_bone_metastases"] < MAX_COUNT:
        choices.append("extraspinal_bone_metastases")
    if case["vertebral_metastases"] < MAX_COUNT:
        choices.append("vertebral_metastases")
    if case["frankel"] != "A":
        choices.append("frankel")
    if case.get("tomita_growth") in ("slow", "moderate"):
        choices.append("tomita_growth")
    if case.get("bone_metastases_isolated") is True:
        choices.append("bone_metastases_isolated")
    label = draw(st.sampled_from(choices))
    if label == "kps":
        worse["kps"] = draw(st.sampled_from([k for k in KPS_VALUES if k < case["kps"]]))
    elif label in ("extraspinal_bone_metastases", "vertebral_metastases"):
        worse[label] = draw(st.integers(case[label] + 1, MAX_COUNT))
    elif label == "bone_metastases_isolated":
        worse[label] = False
    elif label == "lesion":
        i = draw(st.integers(0, len(case["lesions"]) - 1))
        name = draw(st.sampled_from([n for n in SINS_LESION_FIELDS if n != "level"]))
        strategy = worse_of(SINS_LESION_FIELDS[name], case["lesions"][i][name])
        if strategy is None:
            label = "unchanged"
        else:
            worse["lesions"][i][name] = draw(strategy)
            label = f"lesions[{i}].{name}"
    else:
        strategy = worse_of(ORDINAL_CASE_FIELDS[label], case[label])
        if strategy is None:
            label = "unchanged"
        else:
            worse[label] = draw(strategy)
    return case, worse, label


@given(worsened_pairs())
def test_worse_finding_monotone(pair: tuple[CaseDict, CaseDict, str]) -> None:
    """A worse finding never raises Tokuhashi and never lowers Tomita or SINS."""
    case, worse, label = pair
    before, after = scores_of(case), scores_of(worse)
    for score_id in SUMMED_IDS:
        assert before[score_id]["status"] == after[score_id]["status"] == "complete", score_id
    for score_id in ("tokuhashi_1990", "tokuhashi_2005"):
        assert after[score_id]["total"] <= before[score_id]["total"], (label, score_id)
    for score_id in ("tomita", "sins"):
        assert after[score_id]["total"] >= before[score_id]["total"], (label, score_id)


# --- determinism, round trip, robustness ------------------------------------------------------


@given(case_dicts(allow_null=True))
def test_deterministic_and_input_untouched(case: CaseDict) -> None:
    """The same input twice gives the same dict, and assessing never mutates the input."""
    snapshot = copy.deepcopy(case)
    first = assess_dict(case)
    assert case == snapshot
    assert assess_dict(copy.deepcopy(case)) == first
    assert assess(Case.from_dict(case)).to_dict() == first


@given(case_dicts(allow_null=True))
def test_case_round_trip(case: CaseDict) -> None:
    """Case.from_dict(d).to_dict() is d without nulls (bone_metastases_isolated false may go)."""
    expected = strip_nulls(case)
    actual = Case.from_dict(case).to_dict()
    if (
        expected.get("bone_metastases_isolated") is False
        and "bone_metastases_isolated" not in actual
    ):
        del expected["bone_metastases_isolated"]
    assert actual == expected
    assert Case.from_dict(actual).to_dict() == actual


@given(case_dicts(allow_null=True))
def test_valid_cases_never_raise(case: CaseDict) -> None:
    """Any valid case is assessed without raising, into a JSON-ready dict with every seed score."""
    result = assess(Case.from_dict(case)).to_dict()
    assert result["interchange"] == 1
    assert "error" not in result
    assert set(SEED_IDS) <= set(result["scores"])
    assert "recommendation" in result
    assert json.loads(json.dumps(result)) == result


@given(complete_case_dicts(), st.data())
def test_single_removal_matches_reference(case: CaseDict, data: st.DataObject) -> None:
    """Removing any one field of a complete case yields exactly the transcription's statuses."""
    paths = (
        [name for name in case if name != "lesions"]
        + ["lesions"]
        + [f"{i}.{name}" for i, lesion in enumerate(case["lesions"]) for name in lesion]
    )
    path = data.draw(st.sampled_from(paths))
    reduced = copy.deepcopy(case)
    if "." in path:
        index, name = path.split(".")
        del reduced["lesions"][int(index)][name]
    else:
        del reduced[path]
    assert diff_scores(reduced, assess_dict(reduced)) == []
