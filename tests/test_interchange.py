"""
Parsing of a case from its interchange form (interchange.md §1, §1.1, §1.2 and §6).

Every expectation here is read from ../shared/spec/interchange.md, never from the code's output.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import spinemets
from spinemets import Case, InvalidInputError

# --- The vocabulary of interchange §1, §1.1, §1.2 and §2, typed a second time. -----------------

HISTOLOGY = (
    "lung",
    "lung_nsclc",
    "lung_sclc",
    "breast",
    "prostate",
    "thyroid",
    "carcinoid",
    "kidney",
    "uterus",
    "rectum",
    "colon",
    "stomach",
    "esophagus",
    "pancreas",
    "bladder",
    "liver",
    "gallbladder",
    "osteosarcoma",
    "sarcoma",
    "melanoma",
    "lymphoma",
    "myeloma",
    "seminoma",
    "germ_cell",
    "ovary",
    "head_neck",
    "unknown",
    "other",
)
GROWTH = ("slow", "moderate", "rapid")
RADIOSENSITIVITY = ("sensitive", "resistant")
KPS = tuple(range(10, 101, 10))
ECOG = (0, 1, 2, 3, 4)
ECOG_TO_KPS = ("common", "ma_2010", "prasad_2018")
VISCERAL = ("none", "resectable", "treatable", "untreatable")
FRANKEL = ("A", "B", "C", "D", "E")
LEVELS = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)
PAIN = ("mechanical", "occasional", "none")
BONE_LESION = ("lytic", "mixed", "blastic")
ALIGNMENT = ("subluxation", "deformity", "normal")
COLLAPSE = ("over_50", "under_50", "involved_over_50", "none")
POSTEROLATERAL = ("bilateral", "unilateral", "none")
ESCC = ("0", "1a", "1b", "1c", "2", "3")
KATAGIRI_VISCERAL = ("none", "nodular", "disseminated")
KATAGIRI_LABORATORY = ("normal", "abnormal", "critical")

SEED_FIELDS = (
    "histology",
    "tomita_growth",
    "radiosensitivity",
    "kps",
    "ecog",
    "ecog_to_kps",
    "visceral_metastases",
    "extraspinal_bone_metastases",
    "vertebral_metastases",
    "bone_metastases_isolated",
    "frankel",
    "myelopathy",
    "radiculopathy",
    "fit_for_surgery",
    "lesions",
)
FURTHER_FIELDS = (
    "pathologic_fracture",
    "ambulatory",
    "albumin_g_dl",
    "crp_mg_dl",
    "ldh_u_l",
    "platelets_10e9_l",
    "calcium_mg_dl",
    "bilirubin_mg_dl",
    "previous_chemotherapy",
    "katagiri_group",
    "katagiri_visceral",
    "katagiri_laboratory",
    "months_diagnosis_to_mscc",
    "motor_deficit_days",
)
LESION_FIELDS = ("level", "pain", "bone_lesion", "alignment", "collapse", "posterolateral", "escc")
ALL_CODES = tuple(
    sorted(
        {
            *HISTOLOGY,
            *GROWTH,
            *RADIOSENSITIVITY,
            *ECOG_TO_KPS,
            *VISCERAL,
            *FRANKEL,
            *LEVELS,
            *PAIN,
            *BONE_LESION,
            *ALIGNMENT,
            *COLLAPSE,
            *POSTEROLATERAL,
            *ESCC,
            *KATAGIRI_VISCERAL,
            *KATAGIRI_LABORATORY,
        }
    )
)

# The case of interchange §1 (its example).
EXAMPLE: dict[str, Any] = {
    "histology": "kidney",
    "kps": 80,
    "visceral_metastases": "none",
    "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1,
    "frankel": "E",
    "myelopathy": False,
    "fit_for_surgery": True,
    "lesions": [
        {
            "level": "T12",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "normal",
            "collapse": "involved_over_50",
            "posterolateral": "unilateral",
            "escc": "1b",
        }
    ],
}


def _lesion(**fields: Any) -> dict[str, Any]:
    """Return the example's lesion with some fields replaced."""
    return {**EXAMPLE["lesions"][0], **fields}


def _raises(data: Any) -> InvalidInputError:
    """Parse `data` with `Case.from_dict`, which must raise `InvalidInputError`, and return it."""
    with pytest.raises(InvalidInputError) as info:
        Case.from_dict(data)
    return info.value


def _json_error(result: dict[str, Any]) -> dict[str, Any]:
    """Check that an `assess_dict` result is the §6 error object and return its `error`."""
    assert {"interchange", "spinemets", "error"} == set(result)
    assert result["interchange"] == 1
    error = result["error"]
    assert {"message", "fields"} == set(error)
    assert isinstance(error["message"], str)
    assert isinstance(error["fields"], list)
    return dict(error)


# --- §1 value rules: rejected values. ---------------------------------------------------------

REJECTED = [
    # Unknown field names are an error (usually typos).
    pytest.param({"kpss": 80}, {"kpss"}, id="unknown-field"),
    pytest.param({"lesions": [_lesion(colour="red")]}, {"lesions[0].colour"}, id="lesion-unknown"),
    # A boolean is never a number, a number never a boolean, and a string never a number.
    pytest.param({"kps": "80"}, {"kps"}, id="kps-string"),
    pytest.param({"kps": True}, {"kps"}, id="kps-true"),
    pytest.param({"ecog": False}, {"ecog"}, id="ecog-false"),
    pytest.param({"vertebral_metastases": True}, {"vertebral_metastases"}, id="count-true"),
    pytest.param({"myelopathy": 1}, {"myelopathy"}, id="myelopathy-1"),
    pytest.param({"radiculopathy": 0}, {"radiculopathy"}, id="radiculopathy-0"),
    pytest.param({"fit_for_surgery": "true"}, {"fit_for_surgery"}, id="fit-string"),
    pytest.param({"bone_metastases_isolated": 0.0}, {"bone_metastases_isolated"}, id="iso-0.0"),
    # An integer field accepts only whole-valued numbers.
    pytest.param({"kps": 80.5}, {"kps"}, id="kps-80.5"),
    pytest.param({"extraspinal_bone_metastases": 1.5}, {"extraspinal_bone_metastases"}, id="1.5"),
    # KPS is 10, 20, ..., 100 (0 = dead is not a valid input); ECOG is 0-4.
    pytest.param({"kps": 0}, {"kps"}, id="kps-0"),
    pytest.param({"kps": 5}, {"kps"}, id="kps-5"),
    pytest.param({"kps": 85}, {"kps"}, id="kps-85"),
    pytest.param({"kps": 110}, {"kps"}, id="kps-110"),
    pytest.param({"kps": -10}, {"kps"}, id="kps-minus-10"),
    pytest.param({"kps": 10**30}, {"kps"}, id="kps-huge"),
    pytest.param({"ecog": 5}, {"ecog"}, id="ecog-5"),
    pytest.param({"ecog": -1}, {"ecog"}, id="ecog-minus-1"),
    # Counts: extraspinal >= 0, vertebral >= 1.
    pytest.param(
        {"extraspinal_bone_metastases": -1}, {"extraspinal_bone_metastases"}, id="ext-neg"
    ),
    pytest.param({"vertebral_metastases": -1}, {"vertebral_metastases"}, id="vert-neg"),
    pytest.param({"vertebral_metastases": 0}, {"vertebral_metastases"}, id="vert-0"),
    pytest.param({"motor_deficit_days": -1}, {"motor_deficit_days"}, id="motor-days-neg"),
    pytest.param({"albumin_g_dl": 0}, {"albumin_g_dl"}, id="albumin-0"),
    pytest.param({"crp_mg_dl": -0.5}, {"crp_mg_dl"}, id="crp-neg"),
    # Codes are strings, case-sensitive, exactly as listed.
    pytest.param({"histology": "Kidney"}, {"histology"}, id="histology-case"),
    pytest.param({"histology": ""}, {"histology"}, id="histology-empty"),
    pytest.param({"histology": "renal"}, {"histology"}, id="histology-unknown"),
    pytest.param({"tomita_growth": "fast"}, {"tomita_growth"}, id="growth-unknown"),
    pytest.param({"visceral_metastases": "None"}, {"visceral_metastases"}, id="visceral-case"),
    pytest.param({"frankel": "e"}, {"frankel"}, id="frankel-case"),
    pytest.param({"ecog_to_kps": "MA_2010"}, {"ecog_to_kps"}, id="ecog-to-kps-case"),
    pytest.param({"lesions": [_lesion(level="t12")]}, {"lesions[0].level"}, id="level-case"),
    pytest.param({"lesions": [_lesion(level="T13")]}, {"lesions[0].level"}, id="level-T13"),
    pytest.param({"lesions": [_lesion(pain="Mechanical")]}, {"lesions[0].pain"}, id="pain-case"),
    pytest.param({"lesions": [_lesion(escc="1B")]}, {"lesions[0].escc"}, id="escc-case"),
    # "2" for an ESCC grade, never the number 2 (dict and JSON form).
    pytest.param({"lesions": [_lesion(escc=2)]}, {"lesions[0].escc"}, id="escc-number-2"),
    pytest.param({"lesions": [_lesion(escc=0)]}, {"lesions[0].escc"}, id="escc-number-0"),
    # `lesions` is a list of lesion objects, at least one, and no entry may be null.
    pytest.param({"lesions": []}, {"lesions"}, id="lesions-empty"),
    pytest.param({"lesions": {}}, {"lesions"}, id="lesions-object"),
    pytest.param({"lesions": "T12"}, {"lesions"}, id="lesions-string"),
    pytest.param({"lesions": [_lesion(), "T12"]}, {"lesions[1]"}, id="lesion-string"),
    # A case may carry "interchange": 1; any other value is an error.
    pytest.param({"interchange": 2}, {"interchange"}, id="interchange-2"),
    pytest.param({"interchange": "1"}, {"interchange"}, id="interchange-string"),
    pytest.param({"interchange": True}, {"interchange"}, id="interchange-true"),
    # +-Infinity is an error of its field in the dict form too (NaN is absent there, like
    # pandas.NA: tests/test_edges.py; in JSON text NaN is an error, below).
    pytest.param({"kps": math.inf}, {"kps"}, id="kps-inf"),
    pytest.param({"kps": -math.inf}, {"kps"}, id="kps-minus-inf"),
    pytest.param({"ldh_u_l": math.inf}, {"ldh_u_l"}, id="ldh-inf"),
    pytest.param({"months_diagnosis_to_mscc": math.inf}, {"months_diagnosis_to_mscc"}, id="m-inf"),
]


class TestValueRules:
    """Interchange §1: each value rule, in the dict form and through `assess_dict`."""

    @pytest.mark.parametrize(("data", "fields"), REJECTED)
    def test_rejected_by_from_dict(self, data: dict[str, Any], fields: set[str]) -> None:
        """`Case.from_dict` raises `InvalidInputError` naming exactly the offending field."""
        error = _raises(data)

        assert fields == set(error.fields)
        for field in fields:
            assert field in str(error)

    @pytest.mark.parametrize(("data", "fields"), REJECTED)
    def test_rejected_by_assess_dict(self, data: dict[str, Any], fields: set[str]) -> None:
        """`assess_dict` returns the §6 error object naming the offending field, without raising."""
        error = _json_error(spinemets.assess_dict(data))

        assert fields == set(error["fields"])

    def test_lesion_null_entry(self) -> None:
        """A `null` entry of `lesions` is an error of that entry (or of `lesions`)."""
        error = _raises({"lesions": [None]})

        assert set(error.fields) in ({"lesions[0]"}, {"lesions"})

    @pytest.mark.parametrize(
        ("data", "canonical"),
        [
            pytest.param({"kps": 80.0}, {"kps": 80}, id="kps-80.0"),
            pytest.param({"ecog": 0.0}, {"ecog": 0}, id="ecog-0.0"),
            pytest.param({"vertebral_metastases": 2.0}, {"vertebral_metastases": 2}, id="vm-2.0"),
            pytest.param({"motor_deficit_days": 3.0}, {"motor_deficit_days": 3}, id="days-3.0"),
        ],
    )
    def test_whole_valued_float_is_integer(
        self, data: dict[str, Any], canonical: dict[str, int]
    ) -> None:
        """A whole-valued number such as 80.0 is accepted as the integer 80."""
        case = Case.from_dict(data)
        (field,) = canonical

        assert Case.from_dict(canonical) == case
        assert canonical[field] == case.to_dict()[field]
        assert isinstance(case.to_dict()[field], int)

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param({}, id="empty"),
            pytest.param(EXAMPLE, id="example"),
            pytest.param({"kps": 10}, id="kps-10"),
            pytest.param({"kps": 100}, id="kps-100"),
            pytest.param({"ecog": 0}, id="ecog-0"),
            pytest.param({"ecog": 4}, id="ecog-4"),
            pytest.param({"extraspinal_bone_metastases": 0}, id="extraspinal-0"),
            pytest.param({"vertebral_metastases": 1}, id="vertebral-1"),
            pytest.param({"interchange": 1}, id="interchange-1"),
            pytest.param({"lesions": [{}]}, id="empty-lesion"),
            pytest.param({"lesions": [_lesion(escc="2")]}, id="escc-string-2"),
            pytest.param({"lesions": [_lesion(), _lesion(), _lesion()]}, id="repeated-level"),
            pytest.param({"vertebral_metastases": 1, "lesions": [_lesion(), _lesion()]}, id="more"),
            pytest.param({"bone_metastases_isolated": True}, id="isolated-no-counts"),
            pytest.param({"albumin_g_dl": 3.5, "motor_deficit_days": 0}, id="further"),
        ],
    )
    def test_accepted(self, data: dict[str, Any]) -> None:
        """Valid cases parse, and `assess_dict` scores them instead of reporting an error."""
        Case.from_dict(data)
        result = spinemets.assess_dict(data)

        assert "error" not in result
        assert result["interchange"] == 1
        assert isinstance(result["scores"], dict)

    def test_interchange_1_is_not_a_field_of_the_case(self) -> None:
        """`"interchange": 1` is accepted and gives the same case as leaving it out."""
        assert Case.from_dict(EXAMPLE) == Case.from_dict({"interchange": 1, **EXAMPLE})

    @pytest.mark.parametrize("field", [*SEED_FIELDS, *FURTHER_FIELDS, "interchange"])
    def test_null_is_absent(self, field: str) -> None:
        """A `null` field is the same as an absent one, and `to_dict()` leaves it out."""
        without = {key: value for key, value in EXAMPLE.items() if key != field}
        case = Case.from_dict({**without, field: None})

        assert Case.from_dict(without) == case
        assert field not in case.to_dict()
        assert spinemets.assess_dict(without) == spinemets.assess_dict({**without, field: None})

    @pytest.mark.parametrize("field", LESION_FIELDS)
    def test_null_lesion_field_is_absent(self, field: str) -> None:
        """A `null` lesion field is the same as an absent one."""
        without = {key: value for key, value in _lesion().items() if key != field}

        with_null = Case.from_dict({"lesions": [{**without, field: None}]})

        assert Case.from_dict({"lesions": [without]}) == with_null
        assert field not in with_null.to_dict()["lesions"][0]

    def test_not_an_object(self) -> None:
        """A case that is not an object is an error with no field named."""
        data: Any
        for data in ([1, 2], "x", 3, None, True, [EXAMPLE]):
            assert tuple(_raises(data).fields) == ()
            assert _json_error(spinemets.assess_dict(data))["fields"] == []

    def test_error_types(self) -> None:
        """`InvalidInputError` is a `SpinemetsError` and a `ValueError`; `fields` is a tuple."""
        error = _raises({"kps": 85})

        assert isinstance(error, spinemets.SpinemetsError)
        assert isinstance(error, ValueError)
        assert error.fields == ("kps",)


class TestErrorReports:
    """Interchange §6: an error names every offending field, and never echoes long values."""

    def test_every_bad_field_named(self) -> None:
        """Several bad fields at once are all named, lesion fields as `lesions[i].field`."""
        data = {
            "kps": 85,
            "ecog": 7,
            "histology": "Kidney",
            "myelopathy": 1,
            "bogus": 1,
            "lesions": [
                _lesion(level="t12", pain="sharp"),
                _lesion(),
                _lesion(escc=2, wobble="yes"),
            ],
        }
        expected = {
            "kps",
            "ecog",
            "histology",
            "myelopathy",
            "bogus",
            "lesions[0].level",
            "lesions[0].pain",
            "lesions[2].escc",
            "lesions[2].wobble",
        }

        error = _raises(data)
        reported = _json_error(spinemets.assess_dict(data))

        assert expected == set(error.fields)
        assert len(expected) == len(error.fields)
        assert expected == set(reported["fields"])
        for field in expected:
            assert field in str(error)
            assert field in reported["message"]

    @pytest.mark.parametrize(
        ("data", "allowed"),
        [
            pytest.param({"kps": 85}, ["10", "100"], id="kps"),
            pytest.param({"ecog": 5}, ["0", "4"], id="ecog"),
            pytest.param({"frankel": "F"}, ["A", "E"], id="frankel"),
            pytest.param({"tomita_growth": "fast"}, ["slow", "moderate", "rapid"], id="growth"),
            pytest.param({"lesions": [_lesion(pain="x")]}, ["mechanical", "occasional"], id="pain"),
            pytest.param({"lesions": [_lesion(escc=2)]}, ["1a", "1c"], id="escc"),
        ],
    )
    def test_message_says_what_is_allowed(self, data: dict[str, Any], allowed: list[str]) -> None:
        """The message names what the field allows."""
        message = str(_raises(data))

        for word in allowed:
            assert word in message

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param({"histology": "x" * 1_000_000}, id="code"),
            pytest.param({"kps": "x" * 1_000_000}, id="integer"),
            pytest.param({"myelopathy": "x" * 1_000_000}, id="boolean"),
            pytest.param({"lesions": [_lesion(level="x" * 1_000_000)]}, id="lesion"),
            pytest.param({"lesions": "x" * 1_000_000}, id="lesions"),
            pytest.param({"kps": ["x" * 1_000_000]}, id="list"),
            pytest.param({"kps": 10**5000}, id="huge-int"),
            pytest.param({"x" * 1_000_000: 1}, id="unknown-key"),
            pytest.param({"lesions": [{"x" * 1_000_000: 1}]}, id="unknown-lesion-key"),
        ],
    )
    def test_long_value_not_echoed(self, data: dict[str, Any]) -> None:
        """A 1 MB value is not echoed in full: the message stays under 1 kB."""
        error = _raises(data)
        reported = _json_error(spinemets.assess_dict(data))

        assert len(str(error)) < 1_000
        assert len(reported["message"]) < 1_000
        assert "x" * 200 not in str(error)

    @pytest.mark.parametrize("field", ["histology", "kps", "myelopathy", "unknown_field"])
    def test_echo_cut_to_about_100_characters(self, field: str) -> None:
        """A 500-character value is echoed, if at all, cut to about 100 characters."""
        error = _raises({field: "y" * 500})

        assert (field,) == error.fields
        assert "y" * 130 not in str(error)


class TestLoadsCase:
    """`loads_case` reads one JSON text strictly (interchange §1)."""

    def test_valid(self) -> None:
        """A valid JSON text gives the same case as the dict form."""
        assert Case.from_dict(EXAMPLE) == spinemets.loads_case(json.dumps(EXAMPLE))

    @pytest.mark.parametrize(
        ("text", "fields"),
        [
            # Duplicate keys in one object are an error.
            pytest.param('{"kps": 80, "kps": 80}', {"kps"}, id="duplicate-same"),
            pytest.param('{"kps": 80, "kps": 90}', {"kps"}, id="duplicate"),
            pytest.param(
                '{"lesions": [{"level": "T1", "level": "T2"}]}',
                {"lesions[0].level"},
                id="duplicate-in-lesion",
            ),
            # NaN, Infinity, -Infinity and overflowing numbers are errors of their field.
            pytest.param('{"kps": NaN}', {"kps"}, id="nan"),
            pytest.param('{"kps": Infinity}', {"kps"}, id="infinity"),
            pytest.param('{"kps": -Infinity}', {"kps"}, id="minus-infinity"),
            pytest.param('{"kps": 1e999}', {"kps"}, id="1e999"),
            pytest.param('{"vertebral_metastases": -1e999}', {"vertebral_metastases"}, id="-1e999"),
            pytest.param('{"albumin_g_dl": NaN}', {"albumin_g_dl"}, id="albumin-nan"),
            pytest.param('{"lesions": [{"escc": Infinity}]}', {"lesions[0].escc"}, id="lesion-inf"),
            # The other value rules hold in the JSON form too.
            pytest.param('{"lesions": [{"escc": 2}]}', {"lesions[0].escc"}, id="escc-number"),
            pytest.param('{"kps": true}', {"kps"}, id="kps-true"),
            pytest.param('{"kps": 1' + "0" * 5000 + "}", {"kps"}, id="5000-digits"),
            pytest.param(
                '{"kps": NaN, "ecog": 1e999, "kps2": 1}', {"kps", "ecog", "kps2"}, id="several"
            ),
        ],
    )
    def test_field_errors(self, text: str, fields: set[str]) -> None:
        """Each offending field of the text is named."""
        with pytest.raises(InvalidInputError) as info:
            spinemets.loads_case(text)

        assert fields == set(info.value.fields)

    @pytest.mark.parametrize(
        "text",
        [
            pytest.param('{"kps": 80', id="truncated"),
            pytest.param("", id="empty"),
            pytest.param("kps=80", id="not-json"),
            pytest.param('{"kps": 80} {"kps": 90}', id="two-objects"),
            pytest.param("[1, 2]", id="array"),
            pytest.param('"x"', id="string"),
            pytest.param("3", id="number"),
            pytest.param("null", id="null"),
            pytest.param("NaN", id="nan"),
        ],
    )
    def test_not_a_json_object(self, text: str) -> None:
        """A text that is not JSON, or not a JSON object, is an error with no field named."""
        with pytest.raises(InvalidInputError) as info:
            spinemets.loads_case(text)

        assert tuple(info.value.fields) == ()

    def test_long_value_not_echoed(self) -> None:
        """A 1 MB bad value in the text is not echoed in full."""
        with pytest.raises(InvalidInputError) as info:
            spinemets.loads_case(json.dumps({"frankel": "x" * 1_000_000}))

        assert info.value.fields == ("frankel",)
        assert len(str(info.value)) < 1_000


# --- Hypothesis: no input crashes the reader. --------------------------------------------------

_KEYS = st.sampled_from(("interchange", *SEED_FIELDS, *FURTHER_FIELDS, *LESION_FIELDS)) | st.text(
    max_size=12
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from((0, 1, 2, 3, 4, 5, 10, 80, 100, -1, 80.0, 0.5, 2**64))
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(ALL_CODES)
    | st.text(max_size=20)
)
_JSON_LIKE = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=6),
    max_leaves=25,
)
_CASE_LIKE = st.dictionaries(
    st.sampled_from((*SEED_FIELDS, *FURTHER_FIELDS, "interchange")) | st.text(max_size=8),
    _JSON_LIKE,
    max_size=8,
)
_LESIONS_LIKE = st.lists(
    st.dictionaries(st.sampled_from(LESION_FIELDS) | st.text(max_size=6), _JSON_LIKE, max_size=8)
    | _SCALARS,
    max_size=4,
)


@st.composite
def _anything(draw: st.DrawFn) -> Any:
    """Draw a JSON-like value, often shaped like a case with lesions."""
    kind = draw(st.sampled_from(("json", "case", "case_with_lesions")))
    if kind == "json":
        return draw(_JSON_LIKE)
    case = draw(_CASE_LIKE)
    if kind == "case_with_lesions":
        case["lesions"] = draw(_LESIONS_LIKE)
    return case


def _is_strict_json(value: Any) -> bool:
    """Tell whether `value` serialises to JSON without NaN or Infinity."""
    json.dumps(value, allow_nan=False)
    return True


_FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nan(v) for v in value)
    return False


class TestNeverCrashes:
    """For any JSON-like input, the reader accepts or raises `InvalidInputError`, nothing else."""

    @_FUZZ
    @given(_anything())
    def test_from_dict(self, data: Any) -> None:
        """`Case.from_dict` returns a `Case` or raises `InvalidInputError` naming string fields."""
        try:
            case = Case.from_dict(data)
        except InvalidInputError as error:
            assert isinstance(error.fields, tuple)
            assert all(isinstance(field, str) for field in error.fields)
        else:
            assert isinstance(case, Case)

    @_FUZZ
    @given(_anything())
    def test_assess_dict(self, data: Any) -> None:
        """`assess_dict` never raises and always returns strict JSON with `interchange` 1."""
        result = spinemets.assess_dict(data)

        assert result["interchange"] == 1
        assert ("error" in result) != ("scores" in result)
        assert _is_strict_json(result)

    @_FUZZ
    @given(_anything())
    def test_json_form_agrees(self, data: Any) -> None:
        """`loads_case(json.dumps(d))` accepts or rejects exactly as `Case.from_dict(d)` does.

        NaN is the one designed difference: the dict form reads it as absent (a NumPy/pandas
        missing value), while ``NaN`` in JSON text is not JSON and is an error.
        """
        assume(not _has_nan(data))
        try:
            expected: Any = Case.from_dict(data)
        except InvalidInputError as error:
            expected = set(error.fields)
        try:
            got: Any = spinemets.loads_case(json.dumps(data))
        except InvalidInputError as error:
            got = set(error.fields)

        assert expected == got

    @_FUZZ
    @given(st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
    def test_loads_case_any_text(self, text: str) -> None:
        """`loads_case` returns a `Case` or raises `InvalidInputError` for any text."""
        try:
            spinemets.loads_case(text)
        except InvalidInputError as error:
            assert isinstance(error.fields, tuple)


# --- Hypothesis: valid cases round-trip. --------------------------------------------------------


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Return a strategy for a field that may be absent (`None` is dropped or written as null)."""
    return st.none() | strategy


_LESION = st.fixed_dictionaries(
    {},
    optional={
        "level": _optional(st.sampled_from(LEVELS)),
        "pain": _optional(st.sampled_from(PAIN)),
        "bone_lesion": _optional(st.sampled_from(BONE_LESION)),
        "alignment": _optional(st.sampled_from(ALIGNMENT)),
        "collapse": _optional(st.sampled_from(COLLAPSE)),
        "posterolateral": _optional(st.sampled_from(POSTEROLATERAL)),
        "escc": _optional(st.sampled_from(ESCC)),
    },
)
_SEED_CASE = st.fixed_dictionaries(
    {},
    optional={
        "histology": _optional(st.sampled_from(HISTOLOGY)),
        "tomita_growth": _optional(st.sampled_from(GROWTH)),
        "radiosensitivity": _optional(st.sampled_from(RADIOSENSITIVITY)),
        "kps": _optional(st.sampled_from(KPS)),
        "ecog": _optional(st.sampled_from(ECOG)),
        "ecog_to_kps": _optional(st.sampled_from(ECOG_TO_KPS)),
        "visceral_metastases": _optional(st.sampled_from(VISCERAL)),
        "extraspinal_bone_metastases": _optional(st.integers(0, 50)),
        "vertebral_metastases": _optional(st.integers(1, 30)),
        "bone_metastases_isolated": _optional(st.booleans()),
        "frankel": _optional(st.sampled_from(FRANKEL)),
        "myelopathy": _optional(st.booleans()),
        "radiculopathy": _optional(st.booleans()),
        "fit_for_surgery": _optional(st.booleans()),
        "lesions": _optional(st.lists(_LESION, min_size=1, max_size=3)),
    },
)
_NONNEGATIVE = st.floats(0, 1e4, allow_nan=False) | st.integers(0, 10_000)
_FURTHER_CASE = st.fixed_dictionaries(
    {},
    optional={
        "pathologic_fracture": _optional(st.booleans()),
        "ambulatory": _optional(st.booleans()),
        "albumin_g_dl": _optional(st.floats(0.1, 10.0)),
        "crp_mg_dl": _optional(_NONNEGATIVE),
        "ldh_u_l": _optional(_NONNEGATIVE),
        "platelets_10e9_l": _optional(_NONNEGATIVE),
        "calcium_mg_dl": _optional(_NONNEGATIVE),
        "bilirubin_mg_dl": _optional(_NONNEGATIVE),
        "previous_chemotherapy": _optional(st.booleans()),
        "katagiri_group": _optional(st.sampled_from(GROWTH)),
        "katagiri_visceral": _optional(st.sampled_from(KATAGIRI_VISCERAL)),
        "katagiri_laboratory": _optional(st.sampled_from(KATAGIRI_LABORATORY)),
        "months_diagnosis_to_mscc": _optional(_NONNEGATIVE),
        "motor_deficit_days": _optional(st.integers(0, 365)),
    },
)
_FULL_CASE = st.builds(lambda seed, further: {**seed, **further}, _SEED_CASE, _FURTHER_CASE)


def _canonical(data: dict[str, Any]) -> dict[str, Any]:
    """Drop nulls, `bone_metastases_isolated: false` (its default) and `interchange: 1`."""
    defaults = {"bone_metastases_isolated": False, "interchange": 1}
    out = {
        key: value
        for key, value in data.items()
        if value is not None and not (key in defaults and value == defaults[key])
    }
    if "lesions" in out:
        out["lesions"] = [
            {key: value for key, value in lesion.items() if value is not None}
            for lesion in out["lesions"]
        ]
    return out


_ROUND_TRIP = settings(max_examples=300, deadline=None)


class TestRoundTrip:
    """`to_dict` speaks the interchange vocabulary: valid cases survive a round trip."""

    @_ROUND_TRIP
    @given(_SEED_CASE)
    def test_seed_fields(self, data: dict[str, Any]) -> None:
        """`Case.from_dict(d).to_dict()` is `d` without its nulls (seed fields of §1, §1.1)."""
        case = Case.from_dict(data)

        assert _canonical(data) == _canonical(case.to_dict())
        assert case == Case.from_dict(case.to_dict())
        assert "error" not in spinemets.assess_dict(data)

    @_ROUND_TRIP
    @given(_FULL_CASE)
    def test_with_further_fields(self, data: dict[str, Any]) -> None:
        """The fields of §1.2 round-trip as well."""
        case = Case.from_dict(data)

        assert _canonical(data) == _canonical(case.to_dict())
        assert case == Case.from_dict(case.to_dict())

    @_ROUND_TRIP
    @given(_SEED_CASE)
    def test_to_dict_drops_nulls(self, data: dict[str, Any]) -> None:
        """`to_dict()` leaves out fields that were not assessed instead of writing null."""
        out = Case.from_dict(data).to_dict()

        assert None not in out.values()
        for lesion in out.get("lesions", []):
            assert None not in lesion.values()
        assert out.get("interchange", 1) == 1
        assert json.loads(json.dumps(out, allow_nan=False)) == out

    def test_example(self) -> None:
        """The example case of §1 round-trips exactly."""
        assert _canonical(Case.from_dict(EXAMPLE).to_dict()) == EXAMPLE
