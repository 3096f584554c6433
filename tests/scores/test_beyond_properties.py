"""Properties of the further instruments: agreement with the oracle on random partial cases,
ranges, band partition, direction-aware monotonicity, the NESMS cap, table laws and the §1.2
fields' validation. Expectations come from ``test_beyond_oracle`` (independently typed)."""

from __future__ import annotations

import enum
import itertools
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinemets import Case, InvalidInputError, Laboratory, assess_dict
from spinemets._table import Span
from spinemets.citations import ALL_CITATIONS, Evidence
from spinemets.scores import katagiri_2014
from tests import vocab
from tests.scores.test_beyond_exhaustive import MODULES
from tests.scores.test_beyond_oracle import (
    BANDS,
    FURTHER_IDS,
    HIGHER_IS_BETTER,
    HISTOLOGIES,
    KPS,
    LUNG,
    RANGES,
    VISCERAL,
    CaseDict,
    diff,
)

_FINITE: dict[str, Any] = {"allow_nan": False, "allow_infinity": False}
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "histology": st.sampled_from(HISTOLOGIES),
    "visceral_metastases": st.sampled_from(VISCERAL),
    "pathologic_fracture": st.booleans(),
    "extraspinal_bone_metastases": st.integers(0, 6),
    "vertebral_metastases": st.integers(1, 6),
    "bone_metastases_isolated": st.booleans(),
    "ambulatory": st.booleans(),
    "albumin_g_dl": st.sampled_from((3.5, 3.7)) | st.floats(0.01, 6.0, **_FINITE),
    "crp_mg_dl": st.sampled_from((0.4,)) | st.floats(0, 30, **_FINITE),
    "ldh_u_l": st.sampled_from((250,)) | st.floats(0, 2000, **_FINITE) | st.integers(0, 2000),
    "platelets_10e9_l": st.sampled_from((100,)) | st.floats(0, 700, **_FINITE),
    "calcium_mg_dl": st.sampled_from((10.3,)) | st.floats(0, 16, **_FINITE),
    "bilirubin_mg_dl": st.sampled_from((1.4,)) | st.floats(0, 12, **_FINITE),
    "previous_chemotherapy": st.booleans(),
    "katagiri_group": st.sampled_from(vocab.KATAGIRI_GROUPS),
    "katagiri_visceral": st.sampled_from(vocab.KATAGIRI_VISCERAL),
    "katagiri_laboratory": st.sampled_from(vocab.KATAGIRI_LABORATORY),
    "ecog": st.integers(0, 4),
    "kps": st.sampled_from(KPS),
    "ecog_to_kps": st.sampled_from(vocab.ECOG_TO_KPS),
    "months_diagnosis_to_mscc": st.sampled_from((15,)) | st.floats(0, 400, **_FINITE),
    "motor_deficit_days": st.integers(0, 60),
}
PARTIAL_CASE = st.fixed_dictionaries({}, optional=FIELDS)
FULL_CASE = st.fixed_dictionaries(
    {k: v for k, v in FIELDS.items()
     if k not in ("ecog_to_kps", "bone_metastases_isolated", "katagiri_laboratory")}
).map(lambda case: {**case, "motor_deficit_days": max(1, case["motor_deficit_days"])})


@given(PARTIAL_CASE)
def test_random_partial_cases_agree_with_the_oracle(case: CaseDict) -> None:
    """Status, total, raw, band, missing fields and unverified_table all match the oracle."""
    scores = assess_dict(case)["scores"]
    errors = [e for score_id in FURTHER_IDS for e in diff(score_id, case, scores[score_id])]
    assert not errors, errors


@given(FULL_CASE)
def test_complete_results_lie_in_range_and_band(case: CaseDict) -> None:
    """With every input given, every instrument completes inside its published range."""
    result = assess_dict(case)
    json.dumps(result, allow_nan=False)
    for score_id in FURTHER_IDS:
        out = result["scores"][score_id]
        assert out["status"] == "complete", (score_id, out)
        lo, hi = RANGES[score_id]
        assert lo <= out["total"] <= hi
        if BANDS[score_id]:
            band_lo, band_hi = out["band"]["range"]
            assert band_lo <= out["total"] <= band_hi
        else:
            assert out["band"] is None


@given(FULL_CASE)
def test_nesms_cap(case: CaseDict) -> None:
    """raw is 0-4 and the sum of the items; the total is min(raw, 3)."""
    out = assess_dict(case)["scores"]["nesms"]
    assert 0 <= out["raw"] <= 4
    assert out["raw"] == sum(out["items"].values())
    assert out["total"] == min(out["raw"], 3)


def _worse(order: tuple[str, ...]) -> Callable[[str], str]:
    return lambda code: order[min(order.index(code) + 1, len(order) - 1)]


#: Changes that make one input clinically worse (or leave it at its worst).
WORSENINGS: dict[str, Callable[[CaseDict], CaseDict]] = {
    "visceral": lambda c: {**c, "visceral_metastases": "untreatable"},
    "fracture": lambda c: {**c, "pathologic_fracture": True},
    "extraspinal": lambda c: {**c, "extraspinal_bone_metastases":
                              c["extraspinal_bone_metastases"] + 1},
    "vertebral": lambda c: {**c, "vertebral_metastases": c["vertebral_metastases"] + 1},
    "ambulatory": lambda c: {**c, "ambulatory": False},
    "albumin": lambda c: {**c, "albumin_g_dl": max(0.01, c["albumin_g_dl"] - 0.3)},
    "crp": lambda c: {**c, "crp_mg_dl": c["crp_mg_dl"] + 0.5},
    "ldh": lambda c: {**c, "ldh_u_l": c["ldh_u_l"] + 100},
    "platelets": lambda c: {**c, "platelets_10e9_l": max(0.0, c["platelets_10e9_l"] - 50)},
    "calcium": lambda c: {**c, "calcium_mg_dl": c["calcium_mg_dl"] + 1},
    "bilirubin": lambda c: {**c, "bilirubin_mg_dl": c["bilirubin_mg_dl"] + 1},
    "ecog": lambda c: {**c, "ecog": min(4, c["ecog"] + 1)},
    "chemotherapy": lambda c: {**c, "previous_chemotherapy": True},
    "katagiri_group": lambda c: {**c, "katagiri_group": _worse(("slow", "moderate", "rapid"))(
        c["katagiri_group"])},
    "katagiri_visceral": lambda c: {**c, "katagiri_visceral": _worse(
        ("none", "nodular", "disseminated"))(c["katagiri_visceral"])},
    "kps": lambda c: {**c, "kps": max(10, c["kps"] - 10)},
    "months": lambda c: {**c, "months_diagnosis_to_mscc": max(0.0,
                                                              c["months_diagnosis_to_mscc"] - 10)},
    "motor_days": lambda c: {**c, "motor_deficit_days": max(1, c["motor_deficit_days"] - 7)},
}


@given(FULL_CASE, st.sampled_from(sorted(WORSENINGS)))
def test_worse_input_never_gives_a_better_score(case: CaseDict, change: str) -> None:
    """Direction-aware monotonicity: a worse input never moves a total in the better direction."""
    before = assess_dict(case)["scores"]
    after = assess_dict(WORSENINGS[change](case))["scores"]
    for score_id in FURTHER_IDS:
        sign = 1 if HIGHER_IS_BETTER[score_id] else -1
        assert sign * (after[score_id]["total"] - before[score_id]["total"]) <= 0, (
            score_id, change)


# --- table laws of the seven modules --------------------------------------------------------------


def _enum_of(item: Any) -> type[enum.Enum] | None:
    for row in item.rows:
        if isinstance(row.when, tuple):
            return type(row.when[0])
    return None


@pytest.mark.parametrize("score_id", FURTHER_IDS)
def test_table_laws(score_id: str) -> None:
    """Rows cover their vocabulary once, spans have no gap, bands partition the published range,
    the extreme sums are the published range (NESMS: 0-4 before the cap), rows cite registered
    papers, and the declared direction is the published one."""
    module = MODULES[score_id]
    assert score_id == module.ID
    assert RANGES[score_id] == module.RANGE
    assert module.HIGHER_IS_BETTER is HIGHER_IS_BETTER[score_id]
    for item in module.ITEMS:
        kind = _enum_of(item)
        if kind is not None:
            members = [m for row in item.rows for m in row.when]
            assert sorted(members, key=str) == sorted(kind, key=str), item.key
        spans = sorted((r.when for r in item.rows if isinstance(r.when, Span)),
                       key=lambda s: s.lo)
        for a, b in itertools.pairwise(spans):
            assert a.hi is not None and b.lo in (a.hi + 1, a.hi + 10), (item.key, a, b)
        for row in item.rows:
            assert row.source.citation in ALL_CITATIONS
            assert row.source.locator and row.wording
    bands = [(b.code.value, b.lo, b.hi) for b in module.BANDS]
    assert tuple(bands) == BANDS[score_id]
    for band in module.BANDS:
        assert band.source.citation in ALL_CITATIONS
        assert "not an individual prediction" in band.meaning or "cohort" in band.meaning
    extremes = (sum(i.min_points for i in module.ITEMS), sum(i.max_points for i in module.ITEMS))
    assert extremes == ((0, 4) if score_id == "nesms" else RANGES[score_id])
    assert module.CITATION in ALL_CITATIONS


#: Which rows are tagged unverified, typed from interchange §3.1 / clinical-beyond.
UNVERIFIED_ITEMS: dict[str, frozenset[str]] = {
    "bauer_1995": frozenset(),
    "bauer_modified": frozenset(),
    "nesms": frozenset(),
    "katagiri_2014": frozenset(),
    "van_der_linden": frozenset({"primary"}),  # the lung row only
    "rades_2008": frozenset({"tumour_type", "other_bone_metastases", "visceral_metastases",
                             "interval", "ambulatory", "motor_deficit"}),
    "osri": frozenset({"primary_tumour", "general_condition"}),
}


@pytest.mark.parametrize("score_id", FURTHER_IDS)
def test_unverified_rows_are_exactly_the_tagged_ones(score_id: str) -> None:
    """Rades items and OSRI rows are unverified throughout; van der Linden only its lung row."""
    for item in MODULES[score_id].ITEMS:
        tags = {row.source.evidence for row in item.rows}
        if item.key not in UNVERIFIED_ITEMS[score_id]:
            assert Evidence.UNVERIFIED not in tags, item.key
        elif score_id == "van_der_linden":
            for row in item.rows:
                unverified = row.source.evidence is Evidence.UNVERIFIED
                assert unverified == ({m.value for m in row.when} <= LUNG), row.wording
        else:
            assert tags == {Evidence.UNVERIFIED}, item.key


def test_katagiri_unverified_defaults() -> None:
    """Only the ovary, gallbladder and bladder defaults rest on unverified list members."""
    unverified = {m.value for row in katagiri_2014.GROUP_DEFAULTS for m in row.when
                  if row.source.evidence is Evidence.UNVERIFIED}
    assert unverified == {"ovary", "gallbladder", "bladder"}


# --- §1.2 fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"albumin_g_dl": 0}, "albumin_g_dl"),
        ({"albumin_g_dl": -3.5}, "albumin_g_dl"),
        ({"albumin_g_dl": -math.inf}, "albumin_g_dl"),  # NaN is absent in the dict form
        ({"crp_mg_dl": -0.1}, "crp_mg_dl"),
        ({"ldh_u_l": math.inf}, "ldh_u_l"),
        ({"platelets_10e9_l": True}, "platelets_10e9_l"),
        ({"calcium_mg_dl": "10.3"}, "calcium_mg_dl"),
        ({"bilirubin_mg_dl": -1}, "bilirubin_mg_dl"),
        ({"katagiri_group": "fast"}, "katagiri_group"),
        ({"katagiri_visceral": "Nodular"}, "katagiri_visceral"),
        ({"katagiri_laboratory": "Critical"}, "katagiri_laboratory"),
        ({"katagiri_laboratory": 2}, "katagiri_laboratory"),
        ({"motor_deficit_days": 1.5}, "motor_deficit_days"),
        ({"motor_deficit_days": -1}, "motor_deficit_days"),
        ({"months_diagnosis_to_mscc": -0.5}, "months_diagnosis_to_mscc"),
        ({"ambulatory": 1}, "ambulatory"),
        ({"pathologic_fracture": "yes"}, "pathologic_fracture"),
        ({"previous_chemotherapy": 0}, "previous_chemotherapy"),
    ],
)
def test_further_fields_are_parsed_strictly(data: CaseDict, field: str) -> None:
    """The §1.2 fields follow the same value rules as the seed fields."""
    with pytest.raises(InvalidInputError) as info:
        Case.from_dict(data)
    assert list(info.value.fields) == [field]
    assert assess_dict(data)["error"]["fields"] == [field]


def test_laboratory_value_type() -> None:
    """Laboratory validates at construction and lives on Case.laboratory."""
    with pytest.raises(InvalidInputError):
        Laboratory(albumin_g_dl=0.0)
    lab = Laboratory(albumin_g_dl=3.5, crp_mg_dl=0.0, platelets_10e9_l=100)
    case = Case(laboratory=lab)
    assert Case.from_dict(case.to_dict()) == case
    assert case.to_dict() == {"albumin_g_dl": 3.5, "crp_mg_dl": 0.0, "platelets_10e9_l": 100}
    assert Case().laboratory == Laboratory()
