"""Result values are immutable and shared safely: the read-only dict of a result's ``extra``
(a memoised result is shared between callers) refuses every mutation, copies to itself, pickles
to an equal read-only dict and hashes like its items."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

import spinemets
from spinemets.results import ScoreResult

RADES = {"histology": "breast", "extraspinal_bone_metastases": 0, "vertebral_metastases": 1,
         "visceral_metastases": "none", "months_diagnosis_to_mscc": 20, "ambulatory": True,
         "motor_deficit_days": 10}


def _reading() -> Any:
    result = spinemets.assess(spinemets.Case.from_dict(RADES))["rades_2008"]
    assert isinstance(result, ScoreResult)
    ((key, reading),) = result.extra
    assert key == "rades_2010"
    return reading


MUTATIONS = [
    lambda d: d.__setitem__("x", 1),
    lambda d: d.__delitem__(next(iter(d))),
    lambda d: d.update(x=1),
    lambda d: d.clear(),
    lambda d: d.pop(next(iter(d))),
    lambda d: d.popitem(),
    lambda d: d.setdefault("x", 1),
    lambda d: d.__ior__({"x": 1}),
]


@pytest.mark.parametrize("mutate", MUTATIONS)
def test_every_mutation_raises(mutate: Any) -> None:
    reading = _reading()
    before = dict(reading)
    with pytest.raises(TypeError, match="immutable"):
        mutate(reading)
    assert dict(reading) == before
    assert dict(_reading()) == before  # the shared, memoised value is unchanged


def test_copies_pickles_and_hashes() -> None:
    reading = _reading()
    assert copy.copy(reading) is reading
    assert copy.deepcopy(reading) is reading
    back = pickle.loads(pickle.dumps(reading))
    assert back == reading and type(back) is type(reading)
    assert hash(back) == hash(reading) == hash(frozenset(dict(reading).items()))
