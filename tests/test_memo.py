"""Memoised scoring (spinemets._memo) and the fast JSON path are invisible: every instrument
reads only the fields it declares in INPUTS, memoised results equal direct ones, and
``to_json`` text parses to exactly ``to_dict``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spinemets
from spinemets import _memo
from spinemets.assessment import INSTRUMENTS
from spinemets.results import ScoreResult
from tests import vocab
from tests.strategies import case_field_strategies, lesion_dicts

#: The interchange §1.2 fields, typed again here (the library's tables are not read).
FURTHER_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "pathologic_fracture": st.booleans(),
    "ambulatory": st.booleans(),
    "albumin_g_dl": st.sampled_from([2.0, 3.4, 3.5, 3.6, 3.7, 4.5]),
    "crp_mg_dl": st.sampled_from([0.0, 0.3, 0.4, 0.5, 2.0]),
    "ldh_u_l": st.sampled_from([100.0, 250.0, 400.0, 800.0]),
    "platelets_10e9_l": st.sampled_from([50.0, 99.0, 100.0, 300.0]),
    "calcium_mg_dl": st.sampled_from([9.0, 10.3, 10.4, 12.0]),
    "bilirubin_mg_dl": st.sampled_from([0.5, 1.4, 1.5, 3.0]),
    "previous_chemotherapy": st.booleans(),
    "katagiri_group": st.sampled_from(vocab.KATAGIRI_GROUPS),
    "katagiri_visceral": st.sampled_from(vocab.KATAGIRI_VISCERAL),
    "katagiri_laboratory": st.sampled_from(vocab.KATAGIRI_LABORATORY),
    "months_diagnosis_to_mscc": st.sampled_from([0.0, 6.0, 15.0, 16.0, 40.0]),
    "motor_deficit_days": st.sampled_from([0, 1, 7, 8, 14, 15, 30]),
}
ALL_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    **case_field_strategies(),
    **FURTHER_FIELDS,
    "lesions": st.lists(lesion_dicts(complete=False), min_size=1, max_size=3),
}


def _cases() -> st.SearchStrategy[dict[str, Any]]:
    """Cases with every field optional, the seed and further ones alike."""
    return st.fixed_dictionaries({}, optional=ALL_FIELDS)


def _full_cases() -> st.SearchStrategy[dict[str, Any]]:
    """Cases with every field present and complete lesions, so every score can complete and a
    changed value shows in the total (an incomplete result hides the values it has)."""
    fields = dict(ALL_FIELDS)
    fields["lesions"] = st.lists(lesion_dicts(complete=True), min_size=1, max_size=3)
    return st.fixed_dictionaries(fields)


def _direct(module: Any, case: spinemets.Case) -> dict[str, Any]:
    scorer = getattr(module, "score", None) or module.classify
    return scorer(case).to_dict()  # type: ignore[no-any-return]


class TestInputs:
    def test_every_instrument_declares_its_inputs(self) -> None:
        """INPUTS names only interchange fields (or ``lesions``), without repeats."""
        names = set(ALL_FIELDS)
        for module in INSTRUMENTS:
            assert module.INPUTS, module.ID
            assert len(set(module.INPUTS)) == len(module.INPUTS), module.ID
            assert set(module.INPUTS) <= names, (module.ID, set(module.INPUTS) - names)

    @pytest.mark.parametrize("module", INSTRUMENTS, ids=lambda m: m.ID)
    @given(data=st.data())
    def test_fields_outside_inputs_never_change_the_score(self, module: Any,
                                                          data: st.DataObject) -> None:
        """Changing or removing any field an instrument does not declare leaves it unchanged."""
        case = data.draw(_full_cases() if data.draw(st.booleans()) else _cases())
        others = sorted(set(ALL_FIELDS) - set(module.INPUTS))
        name = data.draw(st.sampled_from(others))
        changed = dict(case)
        if data.draw(st.booleans()):
            changed[name] = data.draw(ALL_FIELDS[name].filter(lambda v: v != case.get(name)))
        else:
            changed.pop(name, None)

        before = _direct(module, spinemets.Case.from_dict(case))
        after = _direct(module, spinemets.Case.from_dict(changed))
        assert before == after


class TestMemoised:
    @given(st.lists(_cases(), min_size=1, max_size=8))
    def test_memoised_results_equal_direct_ones(self, cases: list[dict[str, Any]]) -> None:
        """Warm or cold, assess() returns exactly what each instrument computes directly."""
        for data in cases:
            case = spinemets.Case.from_dict(data)
            assessment = spinemets.assess(case)
            for module, result in zip(INSTRUMENTS, assessment.scores, strict=True):
                assert result.id == module.ID
                assert result.to_dict() == _direct(module, case)

    def test_cache_is_bounded(self) -> None:
        """More distinct inputs than the bound never grow a cache past it."""
        _memo.clear()
        for kps in range(10, 101, 10):
            for count in range(_memo.MAX_ENTRIES // 10 + 2):
                spinemets.assess(spinemets.Case.from_dict(
                    {"kps": kps, "extraspinal_bone_metastases": count}))
        for table in _memo._BY_POLICY.values():
            for memo in table.values():
                assert len(memo._cache) <= _memo.MAX_ENTRIES

    def test_policy_is_part_of_the_key(self) -> None:
        """A non-default policy never receives a result computed under another policy."""
        data = {"histology": "breast", "kps": 80, "extraspinal_bone_metastases": 0,
                "vertebral_metastases": 1, "visceral_metastases": "treatable", "frankel": "E"}
        case = spinemets.Case.from_dict(data)
        strict = spinemets.Policy(name="figure_reading",
                                  tokuhashi_2005_excision_requires_no_visceral=True)
        # breast 5 + KPS 2 + extraspinal 2 + vertebral 2 + visceral 0 + palsy 2 = 13 (>= 12)
        # so use one vertebra and total 9-11: drop KPS to 50 (1 point) -> 12; frankel C -> 11
        data.update(kps=50, frankel="C")
        case = spinemets.Case.from_dict(data)

        def strategy(policy: spinemets.Policy = spinemets.DEFAULT_POLICY) -> object:
            result = spinemets.assess(case, policy)["tokuhashi_2005"]
            assert isinstance(result, ScoreResult)
            return result.strategy

        assert strategy() == "excisional"
        assert strategy(strict) == "palliative_surgery"
        assert strategy() == "excisional"


class TestJsonText:
    @given(_cases())
    def test_to_json_parses_to_to_dict(self, data: dict[str, Any]) -> None:
        """The fast JSON line is the interchange result, key for key."""
        assessment = spinemets.assess(spinemets.Case.from_dict(data))

        assert json.loads(assessment.to_json()) == assessment.to_dict()
