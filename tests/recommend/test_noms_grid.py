"""
The NOMS recommendation (default policy) against an independent copy of interchange §5.

Every expected value below comes from tables typed again in this file from interchange.md
(§1.1 SINS points, §2 radiosensitivity defaults, §3 ESCC classes, §4.5 SINS location,
§5.1/§5.2 the grid); nothing is imported from ``src/`` except the public entry points.

The exhaustive grid is
7 ESCC variants (0, 1a, 1b, 1c, 2, 3, lesion without ``escc``)
x 8 radiosensitivity sources (explicit sensitive / resistant without histology, nothing at all,
breast / kidney / stomach defaults, kidney overridden to sensitive, stomach overridden to resistant)
x 3 myelopathy (true, false, absent) x 3 fit_for_surgery (true, false, absent)
x 7 SINS lesions (totals 0, 6, 7, 12, 13, 18 and one incomplete lesion)
= 3,528 cells (``GRID_CELL_COUNT``).
"""

from __future__ import annotations

import copy
import functools
import itertools
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import spinemets

Case = dict[str, Any]
Result = dict[str, Any]

# ---------------------------------------------------------------------------
# Tables typed again from interchange.md -- deliberately NOT imported from src.
# ---------------------------------------------------------------------------

# §4.5 SINS location from level.
LOCATION_POINTS: dict[str, int] = {
    **dict.fromkeys(("C1", "C2"), 3),
    **dict.fromkeys(("C3", "C4", "C5", "C6"), 2),
    **dict.fromkeys(("C7", "T1", "T2"), 3),
    **dict.fromkeys(("T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10"), 1),
    **dict.fromkeys(("T11", "T12", "L1"), 3),
    **dict.fromkeys(("L2", "L3", "L4"), 2),
    **dict.fromkeys(("L5", "S1"), 3),
    **dict.fromkeys(("S2", "S3", "S4", "S5"), 0),
}
# §1.1 SINS component points.
PAIN_POINTS = {"mechanical": 3, "occasional": 1, "none": 0}
BONE_LESION_POINTS = {"lytic": 2, "mixed": 1, "blastic": 0}
ALIGNMENT_POINTS = {"subluxation": 4, "deformity": 2, "normal": 0}
COLLAPSE_POINTS = {"over_50": 3, "under_50": 2, "involved_over_50": 1, "none": 0}
POSTEROLATERAL_POINTS = {"bilateral": 3, "unilateral": 1, "none": 0}
SINS_POINTS: dict[str, dict[str, int]] = {
    "level": LOCATION_POINTS,
    "pain": PAIN_POINTS,
    "bone_lesion": BONE_LESION_POINTS,
    "alignment": ALIGNMENT_POINTS,
    "collapse": COLLAPSE_POINTS,
    "posterolateral": POSTEROLATERAL_POINTS,
}
SINS_FIELDS = tuple(SINS_POINTS)

# §3 ESCC: order 0 < 1a < 1b < 1c < 2 < 3 and the classes.
ESCC_GRADES = ("0", "1a", "1b", "1c", "2", "3")
ESCC_CLASS = {
    "0": "low",
    "1a": "low",
    "1b": "low",
    "1c": "intermediate",
    "2": "high",
    "3": "high",
}

# §2 radiosensitivity column (None = "—", no default).
RADIOSENSITIVITY_DEFAULT: dict[str, str | None] = {
    "lung": None,
    "lung_nsclc": "resistant",
    "lung_sclc": None,
    "breast": "sensitive",
    "prostate": "sensitive",
    "thyroid": "resistant",
    "carcinoid": None,
    "kidney": "resistant",
    "uterus": None,
    "rectum": "resistant",
    "colon": "resistant",
    "stomach": None,
    "esophagus": None,
    "pancreas": None,
    "bladder": None,
    "liver": "resistant",
    "gallbladder": None,
    "osteosarcoma": "resistant",
    "sarcoma": "resistant",
    "melanoma": "resistant",
    "lymphoma": "sensitive",
    "myeloma": "sensitive",
    "seminoma": "sensitive",
    "germ_cell": None,
    "ovary": "sensitive",
    "head_neck": None,
    "unknown": None,
    "other": None,
}
HISTOLOGIES = tuple(RADIOSENSITIVITY_DEFAULT)

# §5 codes.
UNDETERMINED = "undetermined"
RADIATION_CODES = frozenset(
    {"cebrt", "srs", "separation_surgery_then_srs", "decompression_then_radiation", UNDETERMINED}
)
STABILIZATION_CODES = frozenset(
    {"none", "surgical_consultation", "stabilization", "percutaneous_stabilization", UNDETERMINED}
)
OPEN_SURGERY_RADIATION = frozenset({"separation_surgery_then_srs", "decompression_then_radiation"})
RADIATION_ALONE = frozenset({"cebrt", "srs"})
STABILIZATION_RANK = {
    "none": 0,
    "surgical_consultation": 1,
    "stabilization": 2,
    "percutaneous_stabilization": 2,
}
SINS_STABLE_MAX = 6
SINS_POTENTIALLY_UNSTABLE_MAX = 12
PILLARS = ("N", "O", "M", "S")
LIMITED_LIFE = "limited_life_expectancy"


# ---------------------------------------------------------------------------
# The oracle: interchange §5.1 / §5.2 typed again.
# ---------------------------------------------------------------------------


class Expected(NamedTuple):
    """What interchange §5 fixes for one case."""

    radiation: str
    stabilization: str
    flags: frozenset[str]  # must be present
    forbidden: frozenset[str]  # must be absent (they would claim something false)
    missing: dict[str, frozenset[str]]  # keys exactly; each value a subset of the listed paths


def radiosensitivity_of(case: Case) -> str | None:
    """Explicit radiosensitivity, else the §2 histology default, else None."""
    explicit = case.get("radiosensitivity")
    if explicit is not None:
        return str(explicit)
    histology = case.get("histology")
    return None if histology is None else RADIOSENSITIVITY_DEFAULT[histology]


def lesion_sins(lesion: dict[str, str]) -> int | None:
    """One lesion's SINS total from §1.1/§4.5, None when a component is absent."""
    if any(field not in lesion for field in SINS_FIELDS):
        return None
    return sum(SINS_POINTS[field][lesion[field]] for field in SINS_FIELDS)


def case_sins(case: Case) -> int | None:
    """The case's SINS: max over lesions, None unless every lesion is complete (§3)."""
    totals = [lesion_sins(lesion) for lesion in case.get("lesions", ())]
    if not totals or any(total is None for total in totals):
        return None
    return max(total for total in totals if total is not None)


def worst_escc(case: Case) -> str | None:
    """The worst ESCC grade over lesions, None unless every lesion has one (§3)."""
    grades = [lesion.get("escc") for lesion in case.get("lesions", ())]
    if not grades or any(grade is None for grade in grades):
        return None
    return max((str(grade) for grade in grades), key=ESCC_GRADES.index)


# §5.1 typed again, one row per (ESCC class, radiosensitivity, fit_for_surgery); None = unknown.
# Value: (code, flags that must be present). The single myelopathy modifier is EMERGENCY below.
HISTOLOGY = frozenset({"histology_needed"})
SYSTEMIC = frozenset({"systemic_status_unknown"})
NOT_FIT = frozenset({"not_fit_for_separation_surgery"})
CORD = frozenset({"escc_1c_cord_constraint"})
NO_FLAG: frozenset[str] = frozenset()
RADIATION_TABLE: dict[tuple[str, str | None, bool | None], tuple[str, frozenset[str]]] = {
    ("low", "sensitive", True): ("cebrt", NO_FLAG),
    ("low", "sensitive", False): ("cebrt", NO_FLAG),
    ("low", "sensitive", None): ("cebrt", NO_FLAG),
    ("low", "resistant", True): ("srs", NO_FLAG),
    ("low", "resistant", False): ("srs", NO_FLAG),
    ("low", "resistant", None): ("srs", NO_FLAG),
    ("low", None, True): (UNDETERMINED, HISTOLOGY),
    ("low", None, False): (UNDETERMINED, HISTOLOGY),
    ("low", None, None): (UNDETERMINED, HISTOLOGY),
    ("intermediate", "sensitive", True): ("cebrt", NO_FLAG),
    ("intermediate", "sensitive", False): ("cebrt", NO_FLAG),
    ("intermediate", "sensitive", None): ("cebrt", NO_FLAG),
    ("intermediate", "resistant", True): ("srs", CORD),
    ("intermediate", "resistant", False): ("srs", CORD),
    ("intermediate", "resistant", None): ("srs", CORD),
    ("intermediate", None, True): (UNDETERMINED, HISTOLOGY),
    ("intermediate", None, False): (UNDETERMINED, HISTOLOGY),
    ("intermediate", None, None): (UNDETERMINED, HISTOLOGY),
    ("high", "sensitive", True): ("cebrt", NO_FLAG),
    ("high", "sensitive", False): ("cebrt", NO_FLAG),
    ("high", "sensitive", None): ("cebrt", NO_FLAG),
    ("high", "resistant", True): ("separation_surgery_then_srs", NO_FLAG),
    ("high", "resistant", False): ("cebrt", NOT_FIT),
    ("high", "resistant", None): (UNDETERMINED, SYSTEMIC),
    ("high", None, True): (UNDETERMINED, HISTOLOGY),  # EMERGENCY when myelopathic
    ("high", None, False): (UNDETERMINED, HISTOLOGY),
    ("high", None, None): (UNDETERMINED, HISTOLOGY),
}
# High grade, radiosensitivity unknown, fit and myelopathy true.
EMERGENCY = ("decompression_then_radiation", HISTOLOGY)


def expected_radiation(case: Case) -> tuple[str, set[str], frozenset[str] | None]:
    """§5.1: (code, flags that must be present, paths that must be missing or None)."""
    if "lesions" not in case:
        return UNDETERMINED, set(), frozenset({"lesions"})
    grade = worst_escc(case)
    if grade is None:
        paths = frozenset(
            f"lesions[{i}].escc" for i, lesion in enumerate(case["lesions"]) if "escc" not in lesion
        )
        return UNDETERMINED, set(), paths
    radiosensitivity = radiosensitivity_of(case)
    key = (ESCC_CLASS[grade], radiosensitivity, case.get("fit_for_surgery"))
    code, flags = RADIATION_TABLE[key]
    if key == ("high", None, True) and case.get("myelopathy") is True:
        code, flags = EMERGENCY
    missing = None
    if code == UNDETERMINED:
        if radiosensitivity is None:
            missing = {"radiosensitivity"} | ({"histology"} if "histology" not in case else set())
        else:
            missing = {"fit_for_surgery"}
    return code, set(flags), None if missing is None else frozenset(missing)


def expected_stabilization(case: Case) -> tuple[str, set[str], frozenset[str] | None]:
    """§5.2: (code, flags that must be present, paths that must be missing or None)."""
    if "lesions" not in case:
        return UNDETERMINED, set(), frozenset({"lesions"})
    total = case_sins(case)
    if total is None:
        paths = frozenset(
            f"lesions[{i}].{field}"
            for i, lesion in enumerate(case["lesions"])
            for field in SINS_FIELDS
            if field not in lesion
        )
        return UNDETERMINED, set(), paths
    if total <= SINS_STABLE_MAX:
        return "none", set(), None
    if total <= SINS_POTENTIALLY_UNSTABLE_MAX:
        return "surgical_consultation", set(), None
    fit = case.get("fit_for_surgery")
    if fit is True:
        return "stabilization", set(), None
    if fit is False:
        return "percutaneous_stabilization", set(), None
    return "stabilization", {"systemic_status_unknown"}, None


def expect(case: Case) -> Expected:
    """The whole §5 expectation for one case."""
    radiation, radiation_flags, radiation_missing = expected_radiation(case)
    stabilization, stabilization_flags, stabilization_missing = expected_stabilization(case)
    missing = {}
    if radiation_missing is not None:
        missing["radiation"] = radiation_missing
    if stabilization_missing is not None:
        missing["stabilization"] = stabilization_missing
    forbidden = set()
    if radiosensitivity_of(case) is not None:
        forbidden.add("histology_needed")
    if case.get("fit_for_surgery") is not None:
        forbidden.add("systemic_status_unknown")
    if case.get("fit_for_surgery") is not False:
        forbidden.add("not_fit_for_separation_surgery")
    grade = worst_escc(case)
    if grade is not None and grade != "1c":
        forbidden.add("escc_1c_cord_constraint")
    return Expected(
        radiation=radiation,
        stabilization=stabilization,
        flags=frozenset(radiation_flags | stabilization_flags),
        forbidden=frozenset(forbidden),
        missing=missing,
    )


# ---------------------------------------------------------------------------
# Checks shared by the grid and the properties.
# ---------------------------------------------------------------------------


def recommend(case: Case) -> dict[str, Any]:
    """The recommendation part of ``assess_dict`` (fails loudly on an error object)."""
    result = spinemets.assess_dict(copy.deepcopy(case))
    assert "error" not in result, (case, result)
    recommendation: dict[str, Any] = result["recommendation"]
    return recommendation


def code_problems(case: Case, rec: dict[str, Any]) -> list[str]:
    """Differences in the two codes."""
    exp = expect(case)
    problems = []
    if rec["radiation"] != exp.radiation:
        problems.append(f"radiation: expected {exp.radiation!r}, got {rec['radiation']!r}")
    if rec["stabilization"] != exp.stabilization:
        problems.append(
            f"stabilization: expected {exp.stabilization!r}, got {rec['stabilization']!r}"
        )
    return problems


def flag_problems(case: Case, rec: dict[str, Any]) -> list[str]:
    """Required flags that are absent and flags that claim something false."""
    exp = expect(case)
    flags = set(rec["flags"])
    problems = []
    if exp.flags - flags:
        problems.append(f"flags lack {sorted(exp.flags - flags)} (got {sorted(flags)})")
    if exp.forbidden & flags:
        problems.append(f"flags wrongly hold {sorted(exp.forbidden & flags)}")
    return problems


def missing_problems(case: Case, rec: dict[str, Any]) -> list[str]:
    """``missing`` keyed exactly by the undetermined parts, naming the deciding fields."""
    exp = expect(case)
    missing = rec.get("missing")
    if not isinstance(missing, dict):
        return [f"missing is not an object: {missing!r}"]
    problems = []
    if set(missing) != set(exp.missing):
        problems.append(f"missing keys: expected {sorted(exp.missing)}, got {sorted(missing)}")
    for part, paths in exp.missing.items():
        listed = set(missing.get(part) or ())
        if paths - listed:
            problems.append(f"missing[{part!r}] lacks {sorted(paths - listed)} (got {listed})")
    return problems


def all_problems(case: Case, rec: dict[str, Any]) -> list[str]:
    """Every §5 difference for one case."""
    return code_problems(case, rec) + flag_problems(case, rec) + missing_problems(case, rec)


def report(failures: list[str]) -> str:
    """A readable summary of grid failures."""
    return f"{len(failures)} problem(s), first ones:\n" + "\n".join(failures[:30])


# ---------------------------------------------------------------------------
# The exhaustive grid.
# ---------------------------------------------------------------------------

# Lesions whose totals were added by hand from §1.1 / §4.5 (location + pain + bone + alignment +
# collapse + posterolateral); test_sins_fixtures_add_up re-adds them with the table above.
SINS_LESIONS: dict[str, tuple[dict[str, str], int | None]] = {
    "sins0": (  # S3 rigid 0 + 0 + 0 + 0 + 0 + 0
        {
            "level": "S3",
            "pain": "none",
            "bone_lesion": "blastic",
            "alignment": "normal",
            "collapse": "none",
            "posterolateral": "none",
        },
        0,
    ),
    "sins6": (  # T6 semi-rigid 1 + 3 + 1 + 0 + 1 + 0
        {
            "level": "T6",
            "pain": "mechanical",
            "bone_lesion": "mixed",
            "alignment": "normal",
            "collapse": "involved_over_50",
            "posterolateral": "none",
        },
        6,
    ),
    "sins7": (  # L3 mobile 2 + 3 + 2 + 0 + 0 + 0
        {
            "level": "L3",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "normal",
            "collapse": "none",
            "posterolateral": "none",
        },
        7,
    ),
    "sins12": (  # T12 junctional 3 + 3 + 2 + 2 + 1 + 1
        {
            "level": "T12",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "deformity",
            "collapse": "involved_over_50",
            "posterolateral": "unilateral",
        },
        12,
    ),
    "sins13": (  # C5 mobile 2 + 3 + 2 + 4 + 2 + 0
        {
            "level": "C5",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "subluxation",
            "collapse": "under_50",
            "posterolateral": "none",
        },
        13,
    ),
    "sins18": (  # L1 junctional 3 + 3 + 2 + 4 + 3 + 3
        {
            "level": "L1",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "subluxation",
            "collapse": "over_50",
            "posterolateral": "bilateral",
        },
        18,
    ),
    "sins_incomplete": (  # the 18-lesion without posterolateral: 15 so far, still incomplete
        {
            "level": "L1",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "subluxation",
            "collapse": "over_50",
        },
        None,
    ),
}

RADIOSENSITIVITY_SOURCES: dict[str, tuple[Case, str | None]] = {
    # explicit, no histology
    "explicit_sensitive": ({"radiosensitivity": "sensitive"}, "sensitive"),
    "explicit_resistant": ({"radiosensitivity": "resistant"}, "resistant"),
    # nothing: radiosensitivity unknown and histology absent
    "unknown_no_histology": ({}, None),
    # §2 defaults: one per class, including a histology without a default
    "breast_default": ({"histology": "breast"}, "sensitive"),
    "kidney_default": ({"histology": "kidney"}, "resistant"),
    "stomach_no_default": ({"histology": "stomach"}, None),
    # explicit overrides the default
    "kidney_explicit_sensitive": (
        {"histology": "kidney", "radiosensitivity": "sensitive"},
        "sensitive",
    ),
    "stomach_explicit_resistant": (
        {"histology": "stomach", "radiosensitivity": "resistant"},
        "resistant",
    ),
}
ESCC_VARIANTS: tuple[str | None, ...] = (*ESCC_GRADES, None)  # None: lesion without escc
TRISTATE: tuple[bool | None, ...] = (True, False, None)  # None: field absent
GRID_CELL_COUNT = (
    len(ESCC_VARIANTS)
    * len(RADIOSENSITIVITY_SOURCES)
    * len(TRISTATE)
    * len(TRISTATE)
    * len(SINS_LESIONS)
)  # 7 * 8 * 3 * 3 * 7 = 3,528


def grid_cells() -> list[tuple[str, Case]]:
    """Every (cell id, case) of the grid."""
    cells = []
    for escc, source, myelopathy, fit, sins in itertools.product(
        ESCC_VARIANTS, RADIOSENSITIVITY_SOURCES, TRISTATE, TRISTATE, SINS_LESIONS
    ):
        case: Case = dict(RADIOSENSITIVITY_SOURCES[source][0])
        if myelopathy is not None:
            case["myelopathy"] = myelopathy
        if fit is not None:
            case["fit_for_surgery"] = fit
        lesion = dict(SINS_LESIONS[sins][0])
        if escc is not None:
            lesion["escc"] = escc
        case["lesions"] = [lesion]
        cell = f"escc={escc} rs={source} myelopathy={myelopathy} fit={fit} {sins}"
        cells.append((cell, case))
    return cells


@functools.cache
def grid_results() -> tuple[tuple[str, Case, Result], ...]:
    """Each grid cell with its full result, computed once per test session."""
    return tuple(
        (cell, case, spinemets.assess_dict(copy.deepcopy(case))) for cell, case in grid_cells()
    )


def grid_failures(check: Any) -> list[str]:
    """Run one check over the whole grid and collect the failing cells."""
    failures = []
    for cell, case, result in grid_results():
        if "error" in result:
            failures.append(f"{cell}: error object {result['error']!r}")
            continue
        failures.extend(f"{cell}: {problem}" for problem in check(case, result["recommendation"]))
    return failures


class TestOracleSelfChecks:
    """The hand-typed fixtures agree with the hand-typed tables."""

    def test_sins_fixtures_add_up(self) -> None:
        """Each fixture lesion's hand total equals the §1.1/§4.5 sum."""
        for lesion, total in SINS_LESIONS.values():
            assert total == lesion_sins(lesion)

    def test_radiosensitivity_sources_resolve(self) -> None:
        """Each grid source resolves to the class it is labelled with."""
        for fields, radiosensitivity in RADIOSENSITIVITY_SOURCES.values():
            assert radiosensitivity == radiosensitivity_of({**fields, "lesions": []})

    def test_radiation_table_is_complete(self) -> None:
        """The §5.1 copy has exactly one row per class x radiosensitivity x fitness."""
        keys = itertools.product(
            ("low", "intermediate", "high"), ("sensitive", "resistant", None), TRISTATE
        )

        assert set(keys) == set(RADIATION_TABLE)

    def test_grid_size(self) -> None:
        """The grid enumerates 3,528 cells."""
        assert 3528 == GRID_CELL_COUNT == len(grid_cells())


class TestGrid:
    """Every cell of ESCC x radiosensitivity x myelopathy x fitness x SINS (3,528 cells)."""

    def test_recommendation_shape(self) -> None:
        """Every cell has the §6 keys, policy default and a rationale for N, O, M and S."""

        def shape(_case: Case, rec: dict[str, Any]) -> list[str]:
            problems = []
            keys = {"radiation", "stabilization", "flags", "missing", "policy", "rationale"}
            if keys - set(rec):
                problems.append(f"keys lack {sorted(keys - set(rec))}")
            if rec.get("policy") != "default":
                problems.append(f"policy {rec.get('policy')!r}")
            rationale = rec.get("rationale") or {}
            for pillar in PILLARS:
                text = rationale.get(pillar)
                if not (isinstance(text, str) and text.strip()):
                    problems.append(f"rationale[{pillar}] is {text!r}")
            if not isinstance(rec.get("options"), list):
                problems.append(f"options is {rec.get('options')!r}")
            return problems

        failures = grid_failures(shape)

        assert not failures, report(failures)

    def test_radiation_and_stabilization_codes(self) -> None:
        """Both codes equal the independent copy of §5.1 and §5.2 in every cell."""
        failures = grid_failures(code_problems)

        assert not failures, report(failures)

    def test_flags(self) -> None:
        """The §5 flags are present where the grid asks and never claim a false state."""
        failures = grid_failures(flag_problems)

        assert not failures, report(failures)

    def test_missing(self) -> None:
        """``missing`` has a key exactly per undetermined part, naming the deciding fields."""
        failures = grid_failures(missing_problems)

        assert not failures, report(failures)

    def test_sins_totals_of_fixtures(self) -> None:
        """The library's SINS total of each fixture lesion equals the hand total."""
        failures = []
        for cell, case, result in grid_results():
            total = lesion_sins(case["lesions"][0])
            sins = result.get("scores", {}).get("sins", {})
            if total is None:
                if sins.get("status") != "incomplete":
                    failures.append(f"{cell}: sins {sins!r}")
            elif sins.get("total") != total:
                failures.append(f"{cell}: sins total {sins.get('total')!r}, expected {total}")

        assert not failures, report(failures)


@pytest.mark.parametrize("histology", HISTOLOGIES)
def test_every_histology_default(histology: str) -> None:
    """Each §2 radiosensitivity default (or its absence) decides a low-grade, fit case."""
    case: Case = {
        "histology": histology,
        "fit_for_surgery": True,
        "myelopathy": False,
        "lesions": [{**SINS_LESIONS["sins0"][0], "escc": "0"}],
    }
    expected = {"sensitive": "cebrt", "resistant": "srs", None: UNDETERMINED}[
        RADIOSENSITIVITY_DEFAULT[histology]
    ]

    rec = recommend(case)

    assert expected == rec["radiation"]
    assert missing_problems(case, rec) == []


# ---------------------------------------------------------------------------
# Several lesions: the worst ESCC drives radiation, the maximum SINS drives stabilization.
# ---------------------------------------------------------------------------


def lesion(sins: str, escc: str | None) -> dict[str, str]:
    """A fixture lesion with an ESCC grade (or none)."""
    result = dict(SINS_LESIONS[sins][0])
    if escc is not None:
        result["escc"] = escc
    return result


class TestSeveralLesions:
    """Worst ESCC over lesions drives radiation; max SINS drives stabilization."""

    @pytest.mark.parametrize(
        ("fields", "lesions", "radiation", "stabilization", "flags"),
        [
            # high-grade lesion is stable, unstable lesion is low grade
            pytest.param(
                {"radiosensitivity": "resistant", "fit_for_surgery": True},
                [lesion("sins13", "1b"), lesion("sins6", "3")],
                "separation_surgery_then_srs",
                "stabilization",
                set(),
                id="worst-second",
            ),
            pytest.param(
                {"radiosensitivity": "resistant", "fit_for_surgery": True},
                [lesion("sins6", "3"), lesion("sins13", "1b")],
                "separation_surgery_then_srs",
                "stabilization",
                set(),
                id="worst-first",
            ),
            # 1c beats 1b; 12 beats 0
            pytest.param(
                {"histology": "kidney", "fit_for_surgery": True},
                [lesion("sins0", "1c"), lesion("sins12", "1b")],
                "srs",
                "surgical_consultation",
                {"escc_1c_cord_constraint"},
                id="1c-over-1b",
            ),
            # 2 beats 1c: high grade, not fit
            pytest.param(
                {"histology": "melanoma", "fit_for_surgery": False},
                [lesion("sins7", "1c"), lesion("sins0", "2"), lesion("sins6", "0")],
                "cebrt",
                "surgical_consultation",
                {"not_fit_for_separation_surgery"},
                id="2-over-1c-not-fit",
            ),
            # max SINS 18 from the second of two low-grade lesions, not fit
            pytest.param(
                {"histology": "breast", "fit_for_surgery": False},
                [lesion("sins7", "0"), lesion("sins18", "0")],
                "cebrt",
                "percutaneous_stabilization",
                set(),
                id="max-sins-not-fit",
            ),
            # a repeated level, the second worse on both counts
            pytest.param(
                {"histology": "thyroid", "fit_for_surgery": True, "myelopathy": True},
                [lesion("sins12", "1a"), {**lesion("sins18", "2"), "level": "T12"}],
                "separation_surgery_then_srs",
                "stabilization",
                set(),
                id="repeated-level",
            ),
            # radiosensitivity unknown, one myelopathic high-grade lesion among low ones
            pytest.param(
                {"histology": "pancreas", "fit_for_surgery": True, "myelopathy": True},
                [lesion("sins0", "0"), lesion("sins7", "1b"), lesion("sins6", "3")],
                "decompression_then_radiation",
                "surgical_consultation",
                {"histology_needed"},
                id="unknown-histology-emergency",
            ),
        ],
    )
    def test_worst_and_max_decide(
        self, fields: Case, lesions: list[Case], radiation: str, stabilization: str,
        flags: set[str],
    ) -> None:
        """Hand-picked lesion sets give the codes of their worst ESCC and max SINS."""
        case = {**fields, "lesions": lesions}

        rec = recommend(case)

        assert (radiation, stabilization) == (rec["radiation"], rec["stabilization"])
        assert flags <= set(rec["flags"])
        assert rec["missing"] == {}

    def test_one_lesion_without_escc_leaves_radiation_undetermined(self) -> None:
        """A second lesion without ``escc`` makes radiation undetermined, naming it."""
        case = {
            "histology": "kidney",
            "fit_for_surgery": True,
            "lesions": [lesion("sins13", "3"), lesion("sins0", None)],
        }

        rec = recommend(case)

        assert (rec["radiation"], rec["stabilization"]) == (UNDETERMINED, "stabilization")
        assert {"radiation"} == set(rec["missing"])
        assert "lesions[1].escc" in rec["missing"]["radiation"]

    @pytest.mark.parametrize("fields", [{}, {"histology": "kidney", "fit_for_surgery": True}])
    def test_no_lesions_leaves_both_parts_undetermined(self, fields: Case) -> None:
        """A case without ``lesions`` has both parts undetermined, each missing ``lesions``."""
        rec = recommend(dict(fields))

        assert (rec["radiation"], rec["stabilization"]) == (UNDETERMINED, UNDETERMINED)
        assert all_problems(dict(fields), rec) == []

    def test_one_incomplete_sins_lesion_leaves_stabilization_undetermined(self) -> None:
        """An incomplete lesion beside an 18 leaves stabilization undetermined, naming it."""
        first = lesion("sins7", "0")
        del first["pain"]
        case = {
            "radiosensitivity": "resistant",
            "fit_for_surgery": True,
            "lesions": [first, lesion("sins18", "0")],
        }

        rec = recommend(case)

        assert (rec["radiation"], rec["stabilization"]) == ("srs", UNDETERMINED)
        assert {"stabilization"} == set(rec["missing"])
        assert "lesions[0].pain" in rec["missing"]["stabilization"]


# ---------------------------------------------------------------------------
# Hypothesis: a small valid-case strategy of our own.
# ---------------------------------------------------------------------------

LESION_CODES: dict[str, tuple[str, ...]] = {
    **{field: tuple(points) for field, points in SINS_POINTS.items()},
    "escc": ESCC_GRADES,
}
PROGNOSTIC_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "histology": st.sampled_from(HISTOLOGIES),
    "kps": st.sampled_from(range(10, 101, 10)),
    "visceral_metastases": st.sampled_from(("none", "resectable", "treatable", "untreatable")),
    "extraspinal_bone_metastases": st.integers(0, 5),
    "vertebral_metastases": st.integers(1, 5),
    "frankel": st.sampled_from(("A", "B", "C", "D", "E")),
}
OTHER_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "tomita_growth": st.sampled_from(("slow", "moderate", "rapid")),
    "bone_metastases_isolated": st.booleans(),
    "radiosensitivity": st.sampled_from(("sensitive", "resistant")),
    "myelopathy": st.booleans(),
    "radiculopathy": st.booleans(),
    "fit_for_surgery": st.booleans(),
}
HISTOLOGY_BY_CLASS = {
    radiosensitivity: tuple(h for h, r in RADIOSENSITIVITY_DEFAULT.items() if r == radiosensitivity)
    for radiosensitivity in ("sensitive", "resistant")
}
# The profile tests/conftest.py loads decides max_examples (dev 60), capped at 100 so that the
# eleven properties stay within seconds under the ci profile too.
PROPERTY_SETTINGS = settings(
    max_examples=min(settings().max_examples, 100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def lesion_dicts(draw: st.DrawFn, droppable: tuple[str, ...]) -> dict[str, str]:
    """A lesion with every field or, one time in four, without one or two of ``droppable``."""
    result = {field: draw(st.sampled_from(codes)) for field, codes in LESION_CODES.items()}
    if draw(st.integers(0, 3)) == 0:
        for field in draw(st.sets(st.sampled_from(droppable), min_size=1, max_size=2)):
            del result[field]
    return result


@st.composite
def case_dicts(
    draw: st.DrawFn,
    *,
    droppable: tuple[str, ...] = tuple(LESION_CODES),
    radiosensitivity: str | None = None,
    fit: bool | None = None,
) -> Case:
    """A valid case; ``radiosensitivity``/``fit`` force that class or fitness when given."""
    case: Case = {}
    full_prognosis = draw(st.booleans())
    for field, strategy in PROGNOSTIC_FIELDS.items():
        value = draw(strategy if full_prognosis else st.none() | strategy)
        if value is not None:
            case[field] = value
    for field, strategy in OTHER_FIELDS.items():
        value = draw(st.none() | strategy)
        if value is not None:
            case[field] = value
    if radiosensitivity is not None:
        if draw(st.booleans()):
            case["radiosensitivity"] = radiosensitivity  # explicit, whatever the histology
        else:
            case.pop("radiosensitivity", None)
            case["histology"] = draw(st.sampled_from(HISTOLOGY_BY_CLASS[radiosensitivity]))
    if fit is not None:
        case["fit_for_surgery"] = fit
    case["lesions"] = draw(st.lists(lesion_dicts(droppable), min_size=1, max_size=3))
    return case


def band_code(result: Result, score: str) -> str | None:
    """The band code of a complete score, else None."""
    entry = result["scores"].get(score) or {}
    if entry.get("status") != "complete":
        return None
    return str(entry["band"]["code"])


class TestProperties:
    """Sentences of interchange §5 and of the NOMS papers, stated as properties."""

    @PROPERTY_SETTINGS
    @given(case=case_dicts())
    def test_any_case_matches_the_oracle(self, case: Case) -> None:
        """Any valid case gets exactly the §5 codes, flags and missing keys of the oracle."""
        assert all_problems(case, recommend(case)) == []

    @PROPERTY_SETTINGS
    @given(case=case_dicts(radiosensitivity="sensitive"))
    def test_radiosensitive_never_gets_separation_surgery(self, case: Case) -> None:
        """'Patients with radiosensitive tumors are offered external beam radiation.'"""
        assert recommend(case)["radiation"] != "separation_surgery_then_srs"

    @PROPERTY_SETTINGS
    @given(case=case_dicts(fit=False))
    def test_not_fit_never_gets_open_surgery(self, case: Case) -> None:
        """'Offered surgery if they can tolerate it': not fit never yields an open-surgery code."""
        rec = recommend(case)

        assert rec["radiation"] not in OPEN_SURGERY_RADIATION
        assert rec["stabilization"] != "stabilization"

    @PROPERTY_SETTINGS
    @given(case=case_dicts(droppable=("escc",)), data=st.data())
    def test_worsening_a_sins_component_never_removes_stabilization_advice(
        self, case: Case, data: st.DataObject
    ) -> None:
        """Worsening one SINS component never lowers the stabilization advice."""
        index = data.draw(st.integers(0, len(case["lesions"]) - 1))
        target = case["lesions"][index]
        worsenable = [
            field
            for field, points in SINS_POINTS.items()
            if max(points.values()) > points[target[field]]
        ]
        assume(worsenable)
        field = data.draw(st.sampled_from(worsenable))
        points = SINS_POINTS[field]
        worse = [code for code, value in points.items() if value > points[target[field]]]
        worsened = copy.deepcopy(case)
        worsened["lesions"][index][field] = data.draw(st.sampled_from(worse))

        before = recommend(case)["stabilization"]
        after = recommend(worsened)["stabilization"]

        assert STABILIZATION_RANK[before] <= STABILIZATION_RANK[after]

    @PROPERTY_SETTINGS
    @given(
        case=case_dicts(droppable=SINS_FIELDS, radiosensitivity="resistant"),
        data=st.data(),
    )
    def test_worsening_escc_keeps_a_radioresistant_case_in_surgery(
        self, case: Case, data: st.DataObject
    ) -> None:
        """A radioresistant case sent to surgery is never sent back to radiation alone."""
        index = data.draw(st.integers(0, len(case["lesions"]) - 1))
        grade = case["lesions"][index]["escc"]
        assume(grade != ESCC_GRADES[-1])
        worsened = copy.deepcopy(case)
        worsened["lesions"][index]["escc"] = data.draw(
            st.sampled_from(ESCC_GRADES[ESCC_GRADES.index(grade) + 1 :])
        )

        before = recommend(case)["radiation"]
        after = recommend(worsened)["radiation"]

        if before in OPEN_SURGERY_RADIATION:
            assert after not in RADIATION_ALONE

    @PROPERTY_SETTINGS
    @given(case=case_dicts())
    def test_rationale_policy_and_options(self, case: Case) -> None:
        """Every recommendation has policy default, N/O/M/S rationale and well-formed options."""
        rec = recommend(case)

        assert rec["policy"] == "default"
        assert rec["radiation"] in RADIATION_CODES
        assert rec["stabilization"] in STABILIZATION_CODES
        for pillar in PILLARS:
            assert isinstance(rec["rationale"][pillar], str)
            assert rec["rationale"][pillar].strip()
        for option in rec["options"]:
            for key in ("option", "rationale", "source"):
                assert isinstance(option[key], str)
                assert option[key].strip()

    @PROPERTY_SETTINGS
    @given(case=case_dicts())
    def test_a_code_never_rests_on_an_unknown_input(self, case: Case) -> None:
        """A code other than undetermined rests on known inputs, except §5's two flagged cells."""
        rec = recommend(case)
        flags = set(rec["flags"])
        fit = case.get("fit_for_surgery")
        radiosensitivity = radiosensitivity_of(case)
        grade = worst_escc(case)

        if rec["radiation"] != UNDETERMINED:
            assert grade is not None
            if radiosensitivity is None:
                # the one §5.1 cell: high grade, fit and myelopathic, histology needed
                assert rec["radiation"] == "decompression_then_radiation"
                assert "histology_needed" in flags
                assert ESCC_CLASS[grade] == "high"
                assert fit is True
                assert case.get("myelopathy") is True
            elif radiosensitivity == "resistant" and ESCC_CLASS[grade] == "high":
                assert fit is not None
        if rec["stabilization"] != UNDETERMINED:
            assert case_sins(case) is not None
            if rec["stabilization"] == "percutaneous_stabilization":
                assert fit is False
            if fit is None:
                # the one §5.2 cell: SINS 13-18, fitness unknown -> stabilization, flagged
                assert rec["stabilization"] != "percutaneous_stabilization"
                if rec["stabilization"] == "stabilization":
                    assert "systemic_status_unknown" in flags

    @PROPERTY_SETTINGS
    @given(case=case_dicts(), data=st.data())
    def test_null_is_the_same_as_absent(self, case: Case, data: st.DataObject) -> None:
        """Writing ``null`` for absent fields (case or lesion) changes no recommendation."""
        nulled = copy.deepcopy(case)
        absent = [field for field in (*PROGNOSTIC_FIELDS, *OTHER_FIELDS) if field not in case]
        for field in data.draw(st.sets(st.sampled_from(absent))) if absent else ():
            nulled[field] = None
        for item in nulled["lesions"]:
            for field in LESION_CODES:
                if field not in item and data.draw(st.booleans()):
                    item[field] = None

        assert recommend(case) == recommend(nulled)

    @PROPERTY_SETTINGS
    @given(case=case_dicts())
    def test_two_entry_points_agree(self, case: Case) -> None:
        """``Case.from_dict`` + ``assess().to_dict()`` equals ``assess_dict``."""
        via_case = spinemets.assess(spinemets.Case.from_dict(copy.deepcopy(case))).to_dict()

        assert spinemets.assess_dict(copy.deepcopy(case)) == via_case


# ---------------------------------------------------------------------------
# Edges pinned by hand.
# ---------------------------------------------------------------------------


class TestEdges:
    """Band edges 6/7 and 12/13 and ESCC worsening, enumerated."""

    @pytest.mark.parametrize("fit", TRISTATE)
    @pytest.mark.parametrize(
        ("sins", "change", "advice"),
        [
            ("sins6", ("bone_lesion", "lytic"), ("none", "surgical_consultation")),  # 6 -> 7
            (  # 12 -> 13
                "sins12",
                ("collapse", "under_50"),
                ("surgical_consultation", "stabilization"),
            ),
        ],
    )
    def test_sins_band_edges(
        self, fit: bool | None, sins: str, change: tuple[str, str], advice: tuple[str, str]
    ) -> None:
        """One point across 6/7 and 12/13 moves the stabilization advice up one step."""
        case: Case = {"histology": "breast", "lesions": [lesion(sins, "0")]}
        if fit is not None:
            case["fit_for_surgery"] = fit
        worsened = copy.deepcopy(case)
        field, code = change
        worsened["lesions"][0][field] = code
        before, after = advice
        if after == "stabilization" and fit is False:
            after = "percutaneous_stabilization"

        assert before == recommend(case)["stabilization"]
        assert after == recommend(worsened)["stabilization"]

    def test_worsening_escc_exhaustively(self) -> None:
        """Every grade pair, fitness and myelopathy: surgery never falls back to radiation alone."""
        failures = []
        for (low, high), fit, myelopathy, fields in itertools.product(
            itertools.combinations(ESCC_GRADES, 2),
            TRISTATE,
            TRISTATE,
            ({"radiosensitivity": "resistant"}, {"histology": "kidney"}),
        ):
            case: Case = {**fields, "lesions": [lesion("sins0", low)]}
            if fit is not None:
                case["fit_for_surgery"] = fit
            if myelopathy is not None:
                case["myelopathy"] = myelopathy
            worsened = copy.deepcopy(case)
            worsened["lesions"][0]["escc"] = high
            before = recommend(case)["radiation"]
            after = recommend(worsened)["radiation"]
            if before in OPEN_SURGERY_RADIATION and after in RADIATION_ALONE:
                failures.append(f"{case}: {before} -> {after} at {high}")

        assert not failures, report(failures)


# ---------------------------------------------------------------------------
# limited_life_expectancy (§5.3).
# ---------------------------------------------------------------------------


def prognosis_case(**fields: Any) -> Case:
    """A case with one unremarkable lesion and the given prognostic fields."""
    return {**fields, "fit_for_surgery": True, "lesions": [lesion("sins7", "0")]}


class TestLimitedLifeExpectancy:
    """``limited_life_expectancy`` exactly when Tokuhashi 2005 < 6 months or Tomita terminal."""

    @PROPERTY_SETTINGS
    @given(case=case_dicts())
    def test_flag_follows_the_scores(self, case: Case) -> None:
        """The flag is set exactly when the same result's bands say so."""
        result = spinemets.assess_dict(copy.deepcopy(case))
        expected = (
            band_code(result, "tokuhashi_2005") == "lt_6_months"
            or band_code(result, "tomita") == "terminal_care"
        )

        assert expected == (LIMITED_LIFE in result["recommendation"]["flags"])

    @pytest.mark.parametrize(
        ("case", "tokuhashi_2005", "tomita", "flagged"),
        [
            # breast: Tokuhashi 2005 2+2+2+2+5+2 = 15; Tomita 1+0+1 = 2
            pytest.param(
                prognosis_case(
                    histology="breast",
                    kps=90,
                    visceral_metastases="none",
                    extraspinal_bone_metastases=0,
                    vertebral_metastases=1,
                    frankel="E",
                ),
                "gte_12_months",
                "long_term_local_control",
                False,
                id="good-prognosis",
            ),
            # lung: Tokuhashi 2005 0+0+0+0+0+0 = 0; Tomita 4+4+2 = 10
            pytest.param(
                prognosis_case(
                    histology="lung",
                    kps=30,
                    visceral_metastases="untreatable",
                    extraspinal_bone_metastases=3,
                    vertebral_metastases=3,
                    frankel="A",
                ),
                "lt_6_months",
                "terminal_care",
                True,
                id="both-poor",
            ),
            # stomach without kps/frankel: Tokuhashi incomplete; Tomita 4+4+2 = 10
            pytest.param(
                prognosis_case(
                    histology="stomach",
                    visceral_metastases="untreatable",
                    extraspinal_bone_metastases=2,
                    vertebral_metastases=2,
                ),
                None,
                "terminal_care",
                True,
                id="tomita-only",
            ),
            # melanoma: Tomita incomplete (no growth default); Tokuhashi 1+0+1+1+2+1 = 6
            pytest.param(
                prognosis_case(
                    histology="melanoma",
                    kps=60,
                    visceral_metastases="treatable",
                    extraspinal_bone_metastases=1,
                    vertebral_metastases=2,
                    frankel="D",
                ),
                "lt_6_months",
                None,
                True,
                id="tokuhashi-only",
            ),
            # kidney: Tokuhashi 2+0+2+2+2+3 = 11; Tomita 2+4+1 = 7 (edge 7/8 below)
            pytest.param(
                prognosis_case(
                    histology="kidney",
                    kps=100,
                    visceral_metastases="untreatable",
                    extraspinal_bone_metastases=0,
                    vertebral_metastases=1,
                    frankel="E",
                ),
                "gte_6_months",
                "short_term_palliation",
                False,
                id="tomita-7",
            ),
            # kidney: Tokuhashi 2+0+1+2+2+3 = 10; Tomita 2+4+2 = 8
            pytest.param(
                prognosis_case(
                    histology="kidney",
                    kps=100,
                    visceral_metastases="untreatable",
                    extraspinal_bone_metastases=1,
                    vertebral_metastases=1,
                    frankel="E",
                ),
                "gte_6_months",
                "terminal_care",
                True,
                id="tomita-8",
            ),
            # kidney: Tokuhashi 2+0+1+1+2+3 = 9; Tomita 2+2+2 = 6
            pytest.param(
                prognosis_case(
                    histology="kidney",
                    kps=80,
                    visceral_metastases="treatable",
                    extraspinal_bone_metastases=1,
                    vertebral_metastases=2,
                    frankel="E",
                ),
                "gte_6_months",
                "short_term_palliation",
                False,
                id="tokuhashi-9",
            ),
            # kidney: Tokuhashi 2+2+0+0+1+3 = 8; Tomita 2+0+2 = 4
            pytest.param(
                prognosis_case(
                    histology="kidney",
                    kps=80,
                    visceral_metastases="none",
                    extraspinal_bone_metastases=3,
                    vertebral_metastases=3,
                    frankel="C",
                ),
                "lt_6_months",
                "middle_term_local_control",
                True,
                id="tokuhashi-8",
            ),
        ],
    )
    def test_hand_computed_cases(
        self, case: Case, tokuhashi_2005: str, tomita: str, flagged: bool
    ) -> None:
        """Hand-scored cases on both sides of the 8/9 and 7/8 edges get the flag right."""
        result = spinemets.assess_dict(copy.deepcopy(case))

        assert (tokuhashi_2005, tomita) == (
            band_code(result, "tokuhashi_2005"),
            band_code(result, "tomita"),
        )
        assert flagged == (LIMITED_LIFE in result["recommendation"]["flags"])


# ---------------------------------------------------------------------------
# Options beyond the grid (§5.3, clinical-reference §11).
# ---------------------------------------------------------------------------


def option_names(rec: dict[str, Any]) -> list[str]:
    """The lower-cased option names."""
    return [str(option["option"]).lower() for option in rec["options"]]


# Mechanical pain, SINS 7-12, normal alignment (hand totals in the comments).
CEMENT_LESIONS = {
    "L3-7": lesion("sins7", "0"),  # 2 + 3 + 2 + 0 + 0 + 0
    "T12-10": {  # interchange §1 example lesion: 3 + 3 + 2 + 0 + 1 + 1
        "level": "T12",
        "pain": "mechanical",
        "bone_lesion": "lytic",
        "alignment": "normal",
        "collapse": "involved_over_50",
        "posterolateral": "unilateral",
        "escc": "0",
    },
    "T12-12": {  # 3 + 3 + 2 + 0 + 3 + 1
        "level": "T12",
        "pain": "mechanical",
        "bone_lesion": "lytic",
        "alignment": "normal",
        "collapse": "over_50",
        "posterolateral": "unilateral",
        "escc": "0",
    },
}


class TestOptions:
    """Options named in clinical-reference §11 appear where their rule applies."""

    @pytest.mark.parametrize("fit", TRISTATE)
    @pytest.mark.parametrize("name", sorted(CEMENT_LESIONS))
    def test_cement_augmentation_for_mechanical_pain_without_gross_instability(
        self, fit: bool | None, name: str
    ) -> None:
        """Mechanical pain, SINS 7-12, normal alignment: cement augmentation is suggested."""
        case: Case = {"histology": "breast", "lesions": [dict(CEMENT_LESIONS[name])]}
        if fit is not None:
            case["fit_for_surgery"] = fit

        rec = recommend(case)

        assert rec["stabilization"] == "surgical_consultation"
        assert any(
            word in option
            for option in option_names(rec)
            for word in ("cement", "vertebroplasty", "kyphoplasty")
        ), rec["options"]

    @pytest.mark.parametrize("fit", TRISTATE)
    @pytest.mark.parametrize("escc", ["2", "3"])
    @pytest.mark.parametrize("sins", ["sins13", "sins18"])
    @pytest.mark.parametrize(
        "fields",
        [{"histology": "breast"}, {"histology": "myeloma"}, {"radiosensitivity": "sensitive"}],
        ids=["breast", "myeloma", "explicit-sensitive"],
    )
    def test_percutaneous_fixation_for_unstable_radiosensitive(
        self, fields: Case, sins: str, escc: str, fit: bool | None
    ) -> None:
        """Unstable lesion of a radiosensitive tumour: percutaneous fixation is suggested."""
        case: Case = {**fields, "lesions": [lesion(sins, escc)]}
        if fit is not None:
            case["fit_for_surgery"] = fit

        rec = recommend(case)

        assert rec["radiation"] == "cebrt"
        assert any("percutaneous" in option for option in option_names(rec)), rec["options"]
