"""The library speaks the contract's vocabulary: ``spinemets.vocab``'s enums, the shipped JSON
Schemas (generated from the library's field table and instruments) and ``assess()``'s output
equal the vocabulary typed independently in ``tests/vocab.py``. A code renamed, added or dropped
on either side fails here."""

from __future__ import annotations

import enum
from typing import Any

import pytest

import spinemets
from spinemets import schema
from spinemets import vocab as library
from tests import vocab

ENUMS: dict[str, tuple[type[enum.Enum], tuple[Any, ...]]] = {
    "histology": (library.Histology, vocab.HISTOLOGIES),
    "tomita_growth": (library.TomitaGrowth, vocab.TOMITA_GROWTHS),
    "radiosensitivity": (library.Radiosensitivity, vocab.RADIOSENSITIVITIES),
    "ecog_to_kps": (library.EcogToKps, vocab.ECOG_TO_KPS),
    "visceral_metastases": (library.VisceralMetastases, vocab.VISCERAL),
    "frankel": (library.Frankel, vocab.FRANKEL),
    "katagiri_group": (library.KatagiriGroup, vocab.KATAGIRI_GROUPS),
    "katagiri_visceral": (library.KatagiriVisceral, vocab.KATAGIRI_VISCERAL),
    "katagiri_laboratory": (library.KatagiriLaboratory, vocab.KATAGIRI_LABORATORY),
    "level": (library.SpinalLevel, vocab.LEVELS),
    "pain": (library.Pain, vocab.PAIN),
    "bone_lesion": (library.BoneLesion, vocab.BONE_LESION),
    "alignment": (library.Alignment, vocab.ALIGNMENT),
    "collapse": (library.Collapse, vocab.COLLAPSE),
    "posterolateral": (library.Posterolateral, vocab.POSTEROLATERAL),
    "escc": (library.EsccGrade, vocab.ESCC_GRADES),
}
JSON_TYPE = {"int": "integer", "number": "number", "bool": "boolean"}


def _enum(prop: dict[str, Any]) -> tuple[Any, ...]:
    """A schema property's codes, without the ``null`` that stands for "absent"."""
    return tuple(v for v in prop["enum"] if v is not None)


@pytest.mark.parametrize("field", sorted(ENUMS))
def test_each_enum_holds_the_contract_codes_in_order(field: str) -> None:
    """Codes equal, and ordinal vocabularies in the same mildest-first order."""
    codes, expected = ENUMS[field]
    assert tuple(m.value for m in codes) == expected


def test_every_coded_field_has_an_enum() -> None:
    assert set(ENUMS) == set(vocab.CASE_CODES) | set(vocab.LESION_FIELDS)
    assert all(ENUMS[name][1] == codes for name, codes in vocab.CASE_CODES.items())
    assert all(ENUMS[name][1] == codes for name, codes in vocab.LESION_FIELDS.items())


def test_the_case_schema_has_exactly_the_contract_fields() -> None:
    case = schema.case_schema()
    props = case["properties"]
    assert set(props) == set(vocab.CASE_FIELDS) | set(vocab.CASE_KEYS_BESIDES)
    assert case["additionalProperties"] is False
    for name, kind in vocab.CASE_FIELDS.items():
        if kind == "code":
            assert _enum(props[name]) == vocab.CASE_CODES[name], name
        else:
            assert set(props[name]["type"]) == {JSON_TYPE[kind], "null"}, name


def test_the_schema_bounds_give_the_contract_kps_and_ecog_values() -> None:
    props = schema.case_schema()["properties"]

    def values(prop: dict[str, Any]) -> set[int]:
        step = prop.get("multipleOf", 1)
        return set(range(prop["minimum"], prop["maximum"] + 1, step))

    assert values(props["kps"]) == set(vocab.KPS_VALUES)
    assert values(props["ecog"]) == set(vocab.ECOG_VALUES)


def test_the_lesion_schema_has_exactly_the_contract_fields() -> None:
    case = schema.case_schema()
    ref = case["properties"]["lesions"]["items"]["$ref"]
    lesion = case["$defs"][ref.rsplit("/", 1)[1]]
    assert set(lesion["properties"]) == set(vocab.LESION_FIELDS)
    for name, codes in vocab.LESION_FIELDS.items():
        assert _enum(lesion["properties"][name]) == codes, name


def _result() -> dict[str, Any]:
    result: dict[str, Any] = schema.result_schema()["oneOf"][0]["properties"]
    return result


def test_the_result_schema_lists_every_score_with_its_bands() -> None:
    scores = _result()["scores"]["properties"]
    assert tuple(scores) == vocab.SCORE_IDS
    for score_id, bands in vocab.BANDS.items():
        band = scores[score_id]["properties"]["band"]
        if bands:
            assert _enum(band["properties"]["code"]) == bands, score_id
        else:
            assert band["type"] == "null", score_id
    for score_id in vocab.SCORE_IDS:
        assert _enum(scores[score_id]["properties"]["status"]) == vocab.STATUSES
    escc = scores["escc"]["properties"]
    assert _enum(escc["grade"]) == vocab.ESCC_GRADES
    assert _enum(escc["class"]) == vocab.ESCC_CLASSES


def test_the_result_schema_lists_the_noms_codes() -> None:
    recommendation = _result()["recommendation"]["properties"]
    assert _enum(recommendation["radiation"]) == vocab.NOMS_RADIATION
    assert _enum(recommendation["stabilization"]) == vocab.NOMS_STABILIZATION


def test_assess_reports_every_score_in_order() -> None:
    """An empty case: every score listed, each incomplete."""
    result = spinemets.assess_dict({})
    assert tuple(result["scores"]) == vocab.SCORE_IDS
    assert {s["status"] for s in result["scores"].values()} == {"incomplete"}
    assert result["recommendation"]["radiation"] in vocab.NOMS_RADIATION
    assert result["recommendation"]["stabilization"] in vocab.NOMS_STABILIZATION


def test_every_contract_field_parses() -> None:
    """A case naming every field with its first code (or a valid number) is accepted, and
    ``to_dict`` gives back exactly those fields."""
    numbers: dict[str, Any] = {"int": 1, "number": 1.5, "bool": True}
    data: dict[str, Any] = {
        name: vocab.CASE_CODES[name][0] if kind == "code" else numbers[kind]
        for name, kind in vocab.CASE_FIELDS.items()
    }
    data["kps"] = vocab.KPS_VALUES[0]
    data["lesions"] = [{name: codes[0] for name, codes in vocab.LESION_FIELDS.items()}]
    back = spinemets.Case.from_dict(data).to_dict()
    assert set(back) == set(data)
    assert set(back["lesions"][0]) == set(vocab.LESION_FIELDS)
