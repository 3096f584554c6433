"""Exhaustive checks of the further instruments against the oracle of ``test_beyond_oracle``.

Every item combination of each instrument (over every histology code and every code of its other
inputs), laboratory and interval thresholds at, just below and just above each published cut-off,
the Bauer / modified Bauer disagreements of clinical-beyond §1.2, the NESMS cap, and missing inputs.
Expectations come only from the oracle's independently typed tables.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import pytest

from spinemets import Case, assess_dict
from spinemets.scores import (
    bauer_1995,
    bauer_modified,
    katagiri_2014,
    nesms,
    osri,
    rades_2008,
    van_der_linden,
)
from tests.scores.test_beyond_oracle import (
    ECOG_TO_KPS,
    FURTHER_IDS,
    HISTOLOGIES,
    KATAGIRI_DEFAULT,
    KATAGIRI_UNVERIFIED_DEFAULT,
    KPS,
    LAB_BEYOND,
    LAB_FIELDS,
    LAB_WITHIN,
    LUNG,
    RADES_2010,
    VISCERAL,
    CaseDict,
    diff,
    expected,
)

MODULES: dict[str, Any] = {
    "bauer_1995": bauer_1995,
    "bauer_modified": bauer_modified,
    "nesms": nesms,
    "katagiri_2014": katagiri_2014,
    "van_der_linden": van_der_linden,
    "rades_2008": rades_2008,
    "osri": osri,
}

#: (extraspinal, vertebral) count pairs: solitary, multiple through either count, and both.
COUNTS = ((0, 1), (1, 1), (0, 2), (2, 3))


def result_of(score_id: str, case: CaseDict) -> dict[str, Any]:
    out: dict[str, Any] = MODULES[score_id].score(Case.from_dict(case)).to_dict()
    return out


def check_all(score_ids: Iterable[str], cases: Iterable[CaseDict]) -> int:
    """Score every case with each instrument; fail once, listing the first departures."""
    ids = tuple(score_ids)
    n = 0
    failures: list[str] = []
    for case in cases:
        n += 1
        for score_id in ids:
            errors = diff(score_id, case, result_of(score_id, case))
            if errors and len(failures) < 12:
                failures.append(f"{case!r}\n    " + "\n    ".join(errors))
    assert n > 0
    assert not failures, f"{len(failures)}+ of {n} cases differ:\n" + "\n".join(failures)
    return n


def _drop_none(case: dict[str, Any]) -> CaseDict:
    return {k: v for k, v in case.items() if v is not None}


# --- Bauer and modified Bauer -------------------------------------------------------------------


def test_bauer_every_combination() -> None:
    """Every histology x visceral code x fracture x counts, including each input absent."""
    cases = (
        _drop_none({"histology": h, "visceral_metastases": v, "pathologic_fracture": f,
                    "extraspinal_bone_metastases": e, "vertebral_metastases": n})
        for h, v, f, e, n in itertools.product(
            (*HISTOLOGIES, None), (*VISCERAL, None), (True, False, None), (0, 1, 3, None),
            (1, 2, None))
    )
    assert check_all(("bauer_1995", "bauer_modified"), cases) == 29 * 5 * 3 * 4 * 3


def _bauer_bands(case: CaseDict) -> tuple[str, str]:
    return (result_of("bauer_1995", case)["band"]["code"],
            result_of("bauer_modified", case)["band"]["code"])


def test_bauer_versions_disagree_exactly_where_the_reference_says() -> None:
    """clinical-beyond §1.2: bands disagree iff (mBauer 1, no fracture) or (mBauer 3, fracture)."""
    disagreements: set[tuple[int, bool]] = set()
    for h, v, (e, n), fracture in itertools.product(HISTOLOGIES, VISCERAL, COUNTS, (True, False)):
        case = {"histology": h, "visceral_metastases": v, "pathologic_fracture": fracture,
                "extraspinal_bone_metastases": e, "vertebral_metastases": n}
        mbauer = result_of("bauer_modified", case)["total"]
        bauer = result_of("bauer_1995", case)["total"]
        assert bauer == mbauer + (not fracture)
        original, modified = _bauer_bands(case)
        if original != modified:
            disagreements.add((mbauer, fracture))
    assert disagreements == {(1, False), (3, True)}


@pytest.mark.parametrize(
    ("case", "bands"),
    [
        # mBauer 1 (kidney 2 points? no: lung primary 0+0, no visceral 1, multiple 0) no fracture
        pytest.param({"histology": "lung", "visceral_metastases": "none",
                      "pathologic_fracture": False, "extraspinal_bone_metastases": 2,
                      "vertebral_metastases": 1}, ("intermediate", "poor"), id="mbauer1-nofx"),
        # mBauer 3 (breast 1+1, no visceral 1, multiple 0) with a fracture
        pytest.param({"histology": "breast", "visceral_metastases": "none",
                      "pathologic_fracture": True, "extraspinal_bone_metastases": 2,
                      "vertebral_metastases": 1}, ("intermediate", "good"), id="mbauer3-fx"),
        # agreeing neighbours: mBauer 1 with a fracture, mBauer 3 without one
        pytest.param({"histology": "lung", "visceral_metastases": "none",
                      "pathologic_fracture": True, "extraspinal_bone_metastases": 2,
                      "vertebral_metastases": 1}, ("poor", "poor"), id="mbauer1-fx"),
        pytest.param({"histology": "breast", "visceral_metastases": "none",
                      "pathologic_fracture": False, "extraspinal_bone_metastases": 2,
                      "vertebral_metastases": 1}, ("good", "good"), id="mbauer3-nofx"),
    ],
)
def test_bauer_disagreement_cases(case: CaseDict, bands: tuple[str, str]) -> None:
    """The two disagreement situations, and their agreeing neighbours, by hand."""
    assert _bauer_bands(case) == bands


def test_bauer_brain_counts_as_visceral_and_isolated_is_not_solitary() -> None:
    """Any visceral code scores as present; bone_metastases_isolated does not make 'solitary'."""
    base = {"histology": "kidney", "pathologic_fracture": False,
            "extraspinal_bone_metastases": 1, "vertebral_metastases": 1}
    for code in ("resectable", "treatable", "untreatable"):
        assert result_of("bauer_1995", {**base, "visceral_metastases": code})["items"][
            "visceral_metastases"] == 0
    isolated = {**base, "visceral_metastases": "none", "bone_metastases_isolated": True}
    assert result_of("bauer_1995", isolated)["items"]["skeletal_metastases"] == 0
    assert "bone_metastases_isolated" not in str(
        result_of("bauer_1995", {"bone_metastases_isolated": True})["missing"])


# --- NESMS ---------------------------------------------------------------------------------------

ALBUMIN_AROUND_3_5 = (0.1, 3.4, 3.49, 3.4999999, 3.5, 3.5000001, 3.51, 3.7, 6.0)


def test_nesms_every_combination() -> None:
    """Every modified Bauer input combination x ambulation x albumin around 3.5 g/dL."""
    cases = (
        {"histology": h, "visceral_metastases": v, "extraspinal_bone_metastases": e,
         "vertebral_metastases": n, "ambulatory": a, "albumin_g_dl": alb}
        for h, v, (e, n), a, alb in itertools.product(
            HISTOLOGIES, VISCERAL, COUNTS[:3], (True, False), ALBUMIN_AROUND_3_5)
    )
    check_all(("nesms",), cases)


@pytest.mark.parametrize(
    ("albumin", "points"),
    [(3.49, 0), (3.4999999, 0), (3.5, 1), (3.5000001, 1), (35 / 10, 1), (3.51, 1)],
)
def test_nesms_albumin_threshold_is_inclusive(albumin: float, points: int) -> None:
    """Albumin >= 3.5 g/dL scores 1; exactly 3.5 is normal."""
    case = {"histology": "lung", "visceral_metastases": "untreatable",
            "extraspinal_bone_metastases": 3, "vertebral_metastases": 2, "ambulatory": False,
            "albumin_g_dl": albumin}
    out = result_of("nesms", case)
    assert out["items"]["albumin"] == points
    assert out["total"] == points


@pytest.mark.parametrize(
    ("histology", "ambulatory", "albumin", "raw", "total"),
    [
        ("breast", True, 4.0, 4, 3),  # the cap: 2 + 1 + 1
        ("breast", True, 3.0, 3, 3),
        ("breast", False, 3.0, 2, 2),  # route 1 to 2: modified Bauer >= 3 alone
        ("lung", True, 4.0, 2, 2),  # route 2 to 2: ambulation and albumin
        ("lung", False, 4.0, 1, 1),
        ("lung", False, 3.0, 0, 0),
    ],
)
def test_nesms_cap_and_routes(histology: str, ambulatory: bool, albumin: float, raw: int,
                              total: int) -> None:
    """raw 0-4 is visible, the total is capped at 3, and both routes to 2 exist."""
    case = {"histology": histology, "visceral_metastases": "none",
            "extraspinal_bone_metastases": 0, "vertebral_metastases": 1,
            "ambulatory": ambulatory, "albumin_g_dl": albumin}
    out = result_of("nesms", case)
    assert (out["raw"], out["total"], out["band"]["code"]) == (raw, total, f"nesms_{total}")


def test_nesms_incomplete_names_modified_bauer_inputs() -> None:
    """A missing modified Bauer input makes NESMS incomplete, naming that field."""
    out = result_of("nesms", {"histology": "breast", "ambulatory": True, "albumin_g_dl": 4.0})
    assert out["status"] == "incomplete"
    assert set(out["missing"]) == {"visceral_metastases", "extraspinal_bone_metastases",
                                   "vertebral_metastases"}


# --- Katagiri ------------------------------------------------------------------------------------

NORMAL_LAB: dict[str, float] = {"crp_mg_dl": 0.1, "ldh_u_l": 200, "albumin_g_dl": 4.2,
                                "platelets_10e9_l": 220, "calcium_mg_dl": 9.4,
                                "bilirubin_mg_dl": 0.5}
#: Each published cut-off with values just below, at and just above it.
LAB_EDGES: dict[str, tuple[float, ...]] = {
    "crp_mg_dl": (0.39, 0.3999999, 0.4, 0.4000001, 0.41),
    "ldh_u_l": (249, 249.9, 250, 250.1, 251),
    "albumin_g_dl": (3.69, 3.6999999, 3.7, 3.7000001, 3.71),
    "platelets_10e9_l": (99, 99.9, 100, 100.1, 101),
    "calcium_mg_dl": (10.29, 10.2999999, 10.3, 10.3000001, 10.31),
    "bilirubin_mg_dl": (1.39, 1.3999999, 1.4, 1.4000001, 1.41),
}
LAB_PROFILES: tuple[dict[str, float], ...] = (
    NORMAL_LAB,
    *({**NORMAL_LAB, name: value} for name, values in LAB_EDGES.items() for value in values),
    # an abnormal and a critical value together: critical wins
    {**NORMAL_LAB, "crp_mg_dl": 5.0, "ldh_u_l": 900, "albumin_g_dl": 2.5,
     "platelets_10e9_l": 50},
    {**NORMAL_LAB, "albumin_g_dl": 3.0, "bilirubin_mg_dl": 3.0},
    {**NORMAL_LAB, "calcium_mg_dl": 12.0, "bilirubin_mg_dl": 2.0, "platelets_10e9_l": 30},
    {"crp_mg_dl": 0, "ldh_u_l": 0, "albumin_g_dl": 0.1, "platelets_10e9_l": 0,
     "calcium_mg_dl": 0, "bilirubin_mg_dl": 0},
)


def test_katagiri_every_combination() -> None:
    """Every group x visceral x laboratory profile x ECOG x chemotherapy x counts."""
    cases = (
        {"katagiri_group": g, "katagiri_visceral": v, **lab, "ecog": ecog,
         "previous_chemotherapy": chemo, "extraspinal_bone_metastases": e,
         "vertebral_metastases": n}
        for g, v, lab, ecog, chemo, (e, n) in itertools.product(
            ("slow", "moderate", "rapid"), ("none", "nodular", "disseminated"), LAB_PROFILES,
            range(5), (True, False), COUNTS[:3])
    )
    check_all(("katagiri_2014",), cases)


@pytest.mark.parametrize(
    ("field", "value", "points"),
    [
        ("crp_mg_dl", 0.3999999, 0), ("crp_mg_dl", 0.4, 1),
        ("ldh_u_l", 249.9, 0), ("ldh_u_l", 250, 1),
        ("albumin_g_dl", 3.7, 0), ("albumin_g_dl", 3.6999999, 1),
        ("platelets_10e9_l", 100, 0), ("platelets_10e9_l", 99.9, 2),
        ("calcium_mg_dl", 10.2999999, 0), ("calcium_mg_dl", 10.3, 2),
        ("bilirubin_mg_dl", 1.3999999, 0), ("bilirubin_mg_dl", 1.4, 2),
    ],
)
def test_katagiri_laboratory_equality_cases(field: str, value: float, points: int) -> None:
    """Each cut-off with its published operator: >= 0.4, >= 250, < 3.7, < 100, >= 10.3, >= 1.4."""
    case = {"katagiri_group": "slow", "katagiri_visceral": "none", **NORMAL_LAB, field: value,
            "ecog": 0, "previous_chemotherapy": False, "extraspinal_bone_metastases": 0,
            "vertebral_metastases": 1}
    out = result_of("katagiri_2014", case)
    assert out["items"]["laboratory"] == points
    assert out["total"] == points


@pytest.mark.parametrize("histology", [*HISTOLOGIES, None])
def test_katagiri_histology_defaults(histology: str | None) -> None:
    """Defaults only where interchange §3.1 gives one; unverified list members are flagged."""
    rest = {"katagiri_visceral": "none", **NORMAL_LAB, "ecog": 1, "previous_chemotherapy": False,
            "extraspinal_bone_metastases": 0, "vertebral_metastases": 1}
    case = _drop_none({"histology": histology, **rest})
    out = result_of("katagiri_2014", case)
    assert diff("katagiri_2014", case, out) == []
    if histology in KATAGIRI_DEFAULT:
        assert out["status"] == "complete"
        assert ("unverified_table" in out["flags"]) == (histology in KATAGIRI_UNVERIFIED_DEFAULT)
    else:
        assert out["missing"] == (["katagiri_group"] if histology else
                                  ["katagiri_group", "histology"])
    # An explicit group always overrides the default, and then no default flag is raised.
    for group in ("slow", "moderate", "rapid"):
        explicit = result_of("katagiri_2014", {**case, "katagiri_group": group})
        assert explicit["items"]["primary"] == {"slow": 0, "moderate": 2, "rapid": 3}[group]
        assert "unverified_table" not in explicit["flags"]


KATAGIRI_REST = {"katagiri_group": "rapid", "katagiri_visceral": "none", "ecog": 4,
                 "previous_chemotherapy": True, "extraspinal_bone_metastases": 2,
                 "vertebral_metastases": 3}


def test_katagiri_laboratory_every_presence_pattern() -> None:
    """Interchange §8.4, exhaustively: each of the six values absent, within or beyond its
    cut-off (3^6), times the recorded category absent, normal, abnormal or critical."""
    states = [(None, LAB_WITHIN[name], LAB_BEYOND[name]) for name in LAB_FIELDS]
    cases = (
        {**KATAGIRI_REST,
         **{k: v for k, v in zip(LAB_FIELDS, values, strict=True) if v is not None},
         **({"katagiri_laboratory": category} if category else {})}
        for values in itertools.product(*states)
        for category in (None, "normal", "abnormal", "critical")
    )
    assert check_all(("katagiri_2014",), cases) == 3**6 * 4


# (present values, recorded category) -> laboratory points, or the sorted missing fields;
# typed from the rule's wording, independently of the oracle above.
_C, _A = LAB_BEYOND, LAB_WITHIN
KATAGIRI_LAB_CASES: list[tuple[dict[str, Any], str | None, int | list[str]]] = [
    ({}, None, sorted(LAB_FIELDS)),
    ({}, "abnormal", 1),
    # a critical value fixes the item whatever else is missing
    ({"platelets_10e9_l": _C["platelets_10e9_l"]}, None, 2),
    ({"bilirubin_mg_dl": _C["bilirubin_mg_dl"], "crp_mg_dl": _A["crp_mg_dl"]}, None, 2),
    # an abnormal value alone does not: a missing critical-type value could still be critical
    ({"crp_mg_dl": _C["crp_mg_dl"]}, None,
     ["albumin_g_dl", "bilirubin_mg_dl", "calcium_mg_dl", "ldh_u_l", "platelets_10e9_l"]),
    # ... but with the three critical-type values present and within it does
    ({"crp_mg_dl": _C["crp_mg_dl"], "platelets_10e9_l": _A["platelets_10e9_l"],
      "calcium_mg_dl": _A["calcium_mg_dl"], "bilirubin_mg_dl": _A["bilirubin_mg_dl"]}, None, 1),
    # normal needs all six
    ({k: _A[k] for k in LAB_FIELDS if k != "ldh_u_l"}, None, ["ldh_u_l"]),
    ({k: _A[k] for k in LAB_FIELDS}, None, 0),
    # the recorded category overrides the values, both ways
    ({k: _C[k] for k in LAB_FIELDS}, "normal", 0),
    ({k: _A[k] for k in LAB_FIELDS}, "critical", 2),
]


@pytest.mark.parametrize(("values", "category", "want"), KATAGIRI_LAB_CASES)
def test_katagiri_laboratory_rule_cases(
    values: dict[str, Any], category: str | None, want: int | list[str]
) -> None:
    case = {**KATAGIRI_REST, **values}
    if category is not None:
        case["katagiri_laboratory"] = category
    out = result_of("katagiri_2014", case)
    if isinstance(want, int):
        assert out["status"] == "complete"
        assert out["items"]["laboratory"] == want
        assert out["total"] == 3 + 0 + want + 1 + 1 + 1
    else:
        assert out["status"] == "incomplete"
        assert sorted(out["missing"]) == want


def test_katagiri_ecog_from_ecog_only() -> None:
    """KPS is never converted to ECOG: with KPS but no ECOG, Katagiri is missing ``ecog``."""
    case = {"katagiri_group": "slow", "katagiri_visceral": "none", **NORMAL_LAB, "kps": 30,
            "ecog_to_kps": "common", "previous_chemotherapy": False,
            "extraspinal_bone_metastases": 0, "vertebral_metastases": 1}
    assert result_of("katagiri_2014", case)["missing"] == ["ecog"]


# --- van der Linden ------------------------------------------------------------------------------


def test_van_der_linden_every_combination() -> None:
    """Every KPS x histology x visceral code, including each input absent."""
    cases = (
        _drop_none({"kps": k, "histology": h, "visceral_metastases": v})
        for k, h, v in itertools.product((*KPS, None), (*HISTOLOGIES, None), (*VISCERAL, None))
    )
    check_all(("van_der_linden",), cases)


def test_van_der_linden_and_osri_ecog_conversions() -> None:
    """ECOG through each named conversion, used only when its KPS range sits in one class."""
    cases = (
        {"ecog": e, "ecog_to_kps": name, "histology": h, "visceral_metastases": "none"}
        for e, name, h in itertools.product(range(5), ECOG_TO_KPS, HISTOLOGIES)
    )
    check_all(("van_der_linden", "osri"), cases)


@pytest.mark.parametrize("histology", sorted(LUNG))
def test_van_der_linden_lung_row_is_flagged(histology: str) -> None:
    """The lung row is unverified (ambiguity 4); other primaries are not flagged."""
    case = {"kps": 90, "histology": histology, "visceral_metastases": "none"}
    out = result_of("van_der_linden", case)
    assert out["items"]["primary"] == 1
    assert "unverified_table" in out["flags"]
    assert "unverified_table" not in result_of(
        "van_der_linden", {**case, "histology": "breast"})["flags"]


# --- Rades 2008 ----------------------------------------------------------------------------------

MONTHS_AROUND_15 = (0, 15, 15.0000001, 16)


def test_rades_every_combination() -> None:
    """Every histology x counts x visceral code x interval x ambulation x motor-deficit bin."""
    cases = (
        {"histology": h, "extraspinal_bone_metastases": e, "vertebral_metastases": n,
         "visceral_metastases": v, "months_diagnosis_to_mscc": m, "ambulatory": a,
         "motor_deficit_days": d}
        for h, (e, n), v, m, a, d in itertools.product(
            HISTOLOGIES, COUNTS, VISCERAL, MONTHS_AROUND_15, (True, False), (7, 8, 14, 15))
    )
    check_all(("rades_2008",), cases)


@pytest.mark.parametrize("days", range(41))
def test_rades_motor_deficit_days(days: int) -> None:
    """0 -> not applicable; 1-7 -> 3, 8-14 -> 6, > 14 -> 8 (inclusive integer bins)."""
    case = {"histology": "breast", "extraspinal_bone_metastases": 0, "vertebral_metastases": 1,
            "visceral_metastases": "none", "months_diagnosis_to_mscc": 30, "ambulatory": True,
            "motor_deficit_days": days}
    out = result_of("rades_2008", case)
    assert diff("rades_2008", case, out) == []
    if days == 0:
        assert out["status"] == "not_applicable"
        assert out["reason"]
        assert "flags" in out and "unverified_table" not in out["flags"]
    else:
        want = 3 if days <= 7 else 6 if days <= 14 else 8
        assert out["items"]["motor_deficit"] == want


def test_rades_not_applicable_even_when_inputs_are_missing() -> None:
    """motor_deficit_days = 0 decides the status before any other input is needed."""
    out = result_of("rades_2008", {"motor_deficit_days": 0})
    assert out["status"] == "not_applicable"
    assert "missing" not in out


@pytest.mark.parametrize(("months", "points"), [(15, 4), (15.0, 4), (15.0000001, 7), (14.9, 4)])
def test_rades_interval_needs_more_than_15_months(months: float, points: int) -> None:
    """Exactly 15 months scores the lower points; '> 15' is needed for the higher."""
    case = {"histology": "lung", "extraspinal_bone_metastases": 1, "vertebral_metastases": 1,
            "visceral_metastases": "untreatable", "months_diagnosis_to_mscc": months,
            "ambulatory": False, "motor_deficit_days": 3}
    assert result_of("rades_2008", case)["items"]["interval"] == points


def test_rades_2010_reading_is_reported_for_every_total() -> None:
    """Each complete result carries the key rades_2010 (2010 group of its total) and
    unverified_table."""
    seen: set[int] = set()
    for h, (e, n), v, m, a, d in itertools.product(
            ("myeloma", "breast", "prostate", "other", "lung"), COUNTS, ("none", "treatable"),
            (0, 16), (True, False), (1, 8, 15)):
        case = {"histology": h, "extraspinal_bone_metastases": e, "vertebral_metastases": n,
                "visceral_metastases": v, "months_diagnosis_to_mscc": m, "ambulatory": a,
                "motor_deficit_days": d}
        out = result_of("rades_2008", case)
        total = out["total"]
        seen.add(total)
        group, lo, hi = next(row for row in RADES_2010 if row[1] <= total <= row[2])
        assert {"code": group, "range": [lo, hi]} == out["rades_2010"]
        assert not any(flag.startswith("rades_2010") for flag in out["flags"])
        assert "unverified_table" in out["flags"]
    assert min(seen) == 20 and max(seen) == 45


# --- OSRI ----------------------------------------------------------------------------------------


def test_osri_every_combination() -> None:
    """Every histology x KPS (and each absent): OSRI = PTP + (2 - GC), band null, flagged."""
    cases = (
        _drop_none({"histology": h, "kps": k})
        for h, k in itertools.product((*HISTOLOGIES, None), (*KPS, None))
    )
    check_all(("osri",), cases)


def test_osri_band_is_null_in_to_dict() -> None:
    """A complete OSRI has ``"band": null`` (interchange §3.1)."""
    out = result_of("osri", {"histology": "breast", "kps": 90})
    assert out["status"] == "complete"
    assert out["total"] == 1
    assert "band" in out and out["band"] is None


# --- wiring --------------------------------------------------------------------------------------


def test_assessment_lists_every_instrument_in_order() -> None:
    """``scores`` lists the seed scores, the seven further instruments, then ESCC."""
    for case in ({}, {"histology": "breast", "kps": 80}):
        result = assess_dict(case)
        assert list(result["scores"]) == ["tomita", "tokuhashi_1990", "tokuhashi_2005", "sins",
                                          *FURTHER_IDS, "escc"]


def test_empty_case_names_every_missing_field() -> None:
    """With no inputs each instrument is incomplete (Rades too) and names exactly its fields."""
    scores = assess_dict({})["scores"]
    for score_id in FURTHER_IDS:
        want = expected(score_id, {})
        assert scores[score_id]["status"] == "incomplete"
        assert set(scores[score_id]["missing"]) == want.missing, score_id
