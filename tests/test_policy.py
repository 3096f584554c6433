"""``spinemets.Policy``: every invalid field is named at construction, "default" names only the
interchange's defaults, and the ESCC 1c choice moves grade 1c to the class it names (checked
against the default policy's answer for the grade of that class)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given

import spinemets
from spinemets import InvalidInputError, Policy
from spinemets.policy import EsccIntermediateAs
from tests.strategies import complete_case_dicts

# Each field: values the contract allows, and values it does not.
VALID_FLAG = (False, True)
INVALID_FLAG: tuple[Any, ...] = (0, 1, "true", None)
VALID_1C = tuple(EsccIntermediateAs)
INVALID_1C: tuple[Any, ...] = ("high", None, 1)
VALID_NAME = ("default", "institution")
INVALID_NAME: tuple[Any, ...] = ("", None, 3)


def _expected_fields(flag: Any, escc_1c: Any, name: Any) -> tuple[set[str], set[str]]:
    """The fields a policy must name, and those it may name besides, from the documented rules:
    each invalid field; and ``name`` when "default" names a valid non-default choice ("default"
    beside an invalid value may be named too: that value is not the default either)."""
    fields = set()
    flag_ok = type(flag) is bool
    escc_ok = escc_1c in VALID_1C
    if not flag_ok:
        fields.add("tokuhashi_2005_excision_requires_no_visceral")
    if not escc_ok:
        fields.add("escc_1c_as")
    if not isinstance(name, str) or name not in VALID_NAME:
        fields.add("name")
    elif name == "default":
        if (flag_ok and flag) or (escc_ok and escc_1c is not EsccIntermediateAs.INTERMEDIATE):
            fields.add("name")
        elif not (flag_ok and escc_ok):
            return fields, {"name"}
    return fields, set()


@pytest.mark.parametrize(
    ("flag", "escc_1c", "name"),
    list(itertools.product((*VALID_FLAG, *INVALID_FLAG), (*VALID_1C, *INVALID_1C),
                           (*VALID_NAME, *INVALID_NAME))),
)
def test_every_invalid_field_is_named(flag: Any, escc_1c: Any, name: Any) -> None:
    expected, optional = _expected_fields(flag, escc_1c, name)
    if not expected and not optional:
        policy = Policy(name=name, tokuhashi_2005_excision_requires_no_visceral=flag,
                        escc_1c_as=escc_1c)
        assert (policy.name, policy.escc_1c_as) == (name, escc_1c)
        return
    with pytest.raises(InvalidInputError) as info:
        Policy(name=name, tokuhashi_2005_excision_requires_no_visceral=flag, escc_1c_as=escc_1c)
    assert expected <= set(info.value.fields) <= expected | optional


def test_the_default_policy_is_the_interchange_default() -> None:
    assert Policy() == spinemets.DEFAULT_POLICY
    assert Policy().name == "default"
    assert Policy().escc_1c_as is EsccIntermediateAs.INTERMEDIATE
    assert Policy().tokuhashi_2005_excision_requires_no_visceral is False


# ESCC 1c read as another class gets, under the default policy, the answer of a grade of that
# class: 1b (low) and 2 (high).
AS_GRADE = {EsccIntermediateAs.LOW: "1b", EsccIntermediateAs.HIGH: "2"}


def _with_grade(case: dict[str, Any], grade: str) -> dict[str, Any]:
    return {**case, "lesions": [{**lesion, "escc": grade} for lesion in case["lesions"]]}


@given(case=complete_case_dicts(max_lesions=1))
def test_escc_1c_as_follows_the_named_class(case: dict[str, Any]) -> None:
    one_c = spinemets.Case.from_dict(_with_grade(case, "1c"))
    for choice, grade in AS_GRADE.items():
        policy = Policy(name=f"escc_1c_{choice.value}", escc_1c_as=choice)
        got = spinemets.assess(one_c, policy).to_dict()["recommendation"]
        want = spinemets.assess_dict(_with_grade(case, grade))["recommendation"]
        assert (got["radiation"], got["stabilization"]) == (want["radiation"],
                                                            want["stabilization"])
        assert "escc_1c_cord_constraint" not in got["flags"]
        assert got["policy"] == f"escc_1c_{choice.value}"
