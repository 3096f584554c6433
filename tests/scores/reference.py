"""An independent second transcription of the seed scores, used as the tests' oracle.

Every table is typed here from interchange.md (§2, §3, §4) and clinical-reference.md (§2-§6, §9.3);
nothing is imported from ``spinemets``. :func:`expected_scores` predicts the parts of
``Assessment.to_dict()["scores"]`` that the contract fixes, and :func:`diff_scores` lists every
way an actual result departs from that prediction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CaseDict = dict[str, Any]

# --- §2: histology defaults -------------------------------------------------------------------

TOMITA_DEFAULT_GROWTH: dict[str, str] = {
    "lung": "rapid",
    "lung_nsclc": "rapid",
    "lung_sclc": "rapid",
    "breast": "slow",
    "prostate": "slow",
    "thyroid": "slow",
    "kidney": "moderate",
    "uterus": "moderate",
    "stomach": "rapid",
    "unknown": "rapid",
}

# histology -> (Tokuhashi 1990 primary points, Tokuhashi 2005 primary points)
TOKUHASHI_PRIMARY: dict[str, tuple[int, int]] = {
    "lung": (0, 0),
    "lung_nsclc": (0, 0),
    "lung_sclc": (0, 0),
    "breast": (2, 5),
    "prostate": (2, 5),
    "thyroid": (2, 5),
    "carcinoid": (1, 5),
    "kidney": (1, 3),
    "uterus": (1, 3),
    "rectum": (2, 4),
    "colon": (1, 2),
    "stomach": (0, 0),
    "esophagus": (1, 0),
    "pancreas": (1, 0),
    "bladder": (1, 0),
    "liver": (1, 1),
    "gallbladder": (1, 1),
    "osteosarcoma": (1, 0),
    "sarcoma": (1, 2),
    "melanoma": (1, 2),
    "lymphoma": (1, 2),
    "myeloma": (1, 2),
    "seminoma": (1, 2),
    "germ_cell": (1, 2),
    "ovary": (1, 2),
    "head_neck": (1, 2),
    "unknown": (1, 1),
    "other": (1, 2),
}

OUTSIDE_DERIVATION: frozenset[str] = frozenset({"lymphoma", "myeloma", "seminoma", "germ_cell"})

# --- §3: items ---------------------------------------------------------------------------------

TOMITA_GROWTH_POINTS: dict[str, int] = {"slow": 1, "moderate": 2, "rapid": 4}
TOMITA_VISCERAL_POINTS: dict[str, int] = {
    "none": 0,
    "resectable": 2,
    "treatable": 2,
    "untreatable": 4,
}
TOKUHASHI_VISCERAL_POINTS: dict[str, int] = {
    "none": 2,
    "resectable": 1,
    "treatable": 0,
    "untreatable": 0,
}
TOKUHASHI_FRANKEL_POINTS: dict[str, int] = {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}


def tokuhashi_kps_points(kps: int) -> int:
    """KPS 10-40 -> 0, 50-70 -> 1, 80-100 -> 2."""
    if kps <= 40:
        return 0
    if kps <= 70:
        return 1
    return 2


def tokuhashi_extraspinal_points(count: int) -> int:
    """Extraspinal bone foci: 0 -> 2, 1-2 -> 1, >=3 -> 0."""
    if count == 0:
        return 2
    if count <= 2:
        return 1
    return 0


def tokuhashi_vertebral_points(count: int) -> int:
    """Vertebral metastases: 1 -> 2, 2 -> 1, >=3 -> 0 (interchange §4.1)."""
    if count == 1:
        return 2
    if count == 2:
        return 1
    return 0


# §4.4: ECOG grade -> inclusive KPS range, per named conversion.
ECOG_TO_KPS_RANGES: dict[str, dict[int, tuple[int, int]]] = {
    "common": {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)},
    "ma_2010": {0: (100, 100), 1: (80, 90), 2: (60, 70), 3: (40, 50), 4: (10, 30)},
    "prasad_2018": {0: (100, 100), 1: (80, 90), 2: (70, 70), 3: (50, 60), 4: (10, 40)},
}

# §4.5: SINS location points by level.
SINS_LOCATION_POINTS: dict[str, int] = {
    **dict.fromkeys(("C1", "C2"), 3),
    **{f"C{i}": 2 for i in range(3, 7)},
    **dict.fromkeys(("C7", "T1", "T2"), 3),
    **{f"T{i}": 1 for i in range(3, 11)},
    **dict.fromkeys(("T11", "T12", "L1"), 3),
    **{f"L{i}": 2 for i in range(2, 5)},
    **dict.fromkeys(("L5", "S1"), 3),
    **{f"S{i}": 0 for i in range(2, 6)},
}
SINS_POINTS: dict[str, dict[str, int]] = {
    "level": SINS_LOCATION_POINTS,
    "pain": {"mechanical": 3, "occasional": 1, "none": 0},
    "bone_lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    "alignment": {"subluxation": 4, "deformity": 2, "normal": 0},
    "collapse": {"over_50": 3, "under_50": 2, "involved_over_50": 1, "none": 0},
    "posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}
SINS_FIELDS: tuple[str, ...] = (
    "level",
    "pain",
    "bone_lesion",
    "alignment",
    "collapse",
    "posterolateral",
)

ESCC_ORDER: tuple[str, ...] = ("0", "1a", "1b", "1c", "2", "3")
ESCC_CLASS: dict[str, str] = {
    "0": "low",
    "1a": "low",
    "1b": "low",
    "1c": "intermediate",
    "2": "high",
    "3": "high",
}

# --- §3: ranges and bands ----------------------------------------------------------------------

SCORE_RANGES: dict[str, tuple[int, int]] = {
    "tomita": (2, 10),
    "tokuhashi_1990": (0, 12),
    "tokuhashi_2005": (0, 15),
    "sins": (0, 18),
}
BANDS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "tomita": (
        ("long_term_local_control", 2, 3),
        ("middle_term_local_control", 4, 5),
        ("short_term_palliation", 6, 7),
        ("terminal_care", 8, 10),
    ),
    "tokuhashi_1990": (("poor", 0, 5), ("intermediate", 6, 8), ("good", 9, 12)),
    "tokuhashi_2005": (("lt_6_months", 0, 8), ("gte_6_months", 9, 11), ("gte_12_months", 12, 15)),
    "sins": (("stable", 0, 6), ("potentially_unstable", 7, 12), ("unstable", 13, 18)),
}
HIGHER_IS_BETTER: dict[str, bool] = {
    "tomita": False,
    "tokuhashi_1990": True,
    "tokuhashi_2005": True,
    "sins": False,
}
TOMITA_STRATEGY: tuple[tuple[str, int, int], ...] = (
    ("wide_or_marginal_excision", 2, 3),
    ("marginal_or_intralesional_excision", 4, 5),
    ("palliative_surgery", 6, 7),
    ("supportive_care", 8, 10),
)

# Every flag the contract defines for the seed scores.
SEED_FLAGS: frozenset[str] = frozenset(
    {
        "colon_scored_as_other",
        "outside_derivation_population",
        "tokuhashi_multiple_vertebrae_conflict",
        "kps_from_ecog_ambiguous",
        *(f"kps_from_ecog:{name}" for name in ECOG_TO_KPS_RANGES),
    }
)


def band_of(score_id: str, total: int) -> tuple[str, tuple[int, int]]:
    """Return the band code and inclusive range holding ``total``."""
    for code, lo, hi in BANDS[score_id]:
        if lo <= total <= hi:
            return code, (lo, hi)
    raise AssertionError(f"{score_id} total {total} outside every band")


def tomita_strategy(total: int) -> str:
    """Tomita surgical strategy code for a total (interchange §3.1)."""
    for code, lo, hi in TOMITA_STRATEGY:
        if lo <= total <= hi:
            return code
    raise AssertionError(f"tomita total {total} outside every strategy")


def tokuhashi_2005_strategy(total: int, vertebral: int) -> str:
    """Tokuhashi 2005 strategy under the default policy (interchange §3.1)."""
    if total <= 8:
        return "conservative"
    if vertebral >= 2:
        return "palliative_surgery"
    return "excisional"


# --- expectations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LesionExpected:
    """What one entry of ``sins.lesions`` must show."""

    total: int | None
    missing: frozenset[str] = frozenset()  # bare lesion field names


@dataclass(frozen=True)
class Expected:
    """What one score result must show.

    Complete: ``flags`` is exactly the set of contract flags carried. Incomplete: ``flags`` must
    be carried and ``allowed_flags`` may be; ``missing`` must be listed and ``optional_missing``
    may be.
    """

    status: str
    total: int | None = None
    band: tuple[str, tuple[int, int]] | None = None
    strategy: str | None = None
    flags: frozenset[str] = frozenset()
    allowed_flags: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()
    optional_missing: frozenset[str] = frozenset()
    lesions: tuple[LesionExpected, ...] | None = None
    grade: str | None = None
    escc_class: str | None = None


def _present(case: Mapping[str, Any], name: str) -> bool:
    return case.get(name) is not None


def expected_tomita(case: Mapping[str, Any]) -> Expected:
    """Predict the Tomita result (§2, §3)."""
    histology = case.get("histology")
    flags = frozenset({"outside_derivation_population"} if histology in OUTSIDE_DERIVATION else ())
    missing: set[str] = set()
    growth = case.get("tomita_growth")
    if growth is None and histology is not None:
        growth = TOMITA_DEFAULT_GROWTH.get(histology)
    if growth is None:
        missing.add("tomita_growth")
        if histology is None:
            missing.add("histology")
    visceral = case.get("visceral_metastases")
    if visceral is None:
        missing.add("visceral_metastases")
    isolated = case.get("bone_metastases_isolated") is True
    if not isolated:
        for name in ("extraspinal_bone_metastases", "vertebral_metastases"):
            if not _present(case, name):
                missing.add(name)
    if missing:
        return Expected("incomplete", missing=frozenset(missing), allowed_flags=flags)
    assert growth is not None and visceral is not None
    if isolated:
        bone = 1
    else:
        bone = 1 if case["extraspinal_bone_metastases"] + case["vertebral_metastases"] == 1 else 2
    total = TOMITA_GROWTH_POINTS[growth] + TOMITA_VISCERAL_POINTS[visceral] + bone
    return Expected(
        "complete",
        total=total,
        band=band_of("tomita", total),
        strategy=tomita_strategy(total),
        flags=flags,
    )


def ecog_kps_points(conversion: str, ecog: int) -> int | None:
    """Tokuhashi KPS points from a converted ECOG grade, None when the range straddles."""
    lo, hi = ECOG_TO_KPS_RANGES[conversion][ecog]
    low_points, high_points = tokuhashi_kps_points(lo), tokuhashi_kps_points(hi)
    return low_points if low_points == high_points else None


def expected_tokuhashi(case: Mapping[str, Any], version: int) -> Expected:
    """Predict the Tokuhashi 1990 (``version=1990``) or 2005 result."""
    score_id = f"tokuhashi_{version}"
    histology = case.get("histology")
    flags: set[str] = set()
    if histology == "colon":
        flags.add("colon_scored_as_other")
    if histology in OUTSIDE_DERIVATION:
        flags.add("outside_derivation_population")
    missing: set[str] = set()
    optional_missing: set[str] = set()
    points = 0
    if _present(case, "kps"):
        points += tokuhashi_kps_points(case["kps"])
    elif _present(case, "ecog") and _present(case, "ecog_to_kps"):
        conversion = case["ecog_to_kps"]
        kps_points = ecog_kps_points(conversion, case["ecog"])
        if kps_points is None:
            missing.add("kps")
            flags.add("kps_from_ecog_ambiguous")
        else:
            points += kps_points
            flags.add(f"kps_from_ecog:{conversion}")
    else:
        missing.add("kps")
        if _present(case, "ecog"):
            optional_missing.add("ecog_to_kps")
    if _present(case, "extraspinal_bone_metastases"):
        points += tokuhashi_extraspinal_points(case["extraspinal_bone_metastases"])
    else:
        missing.add("extraspinal_bone_metastases")
    if _present(case, "vertebral_metastases"):
        points += tokuhashi_vertebral_points(case["vertebral_metastases"])
    else:
        missing.add("vertebral_metastases")
    if _present(case, "visceral_metastases"):
        points += TOKUHASHI_VISCERAL_POINTS[case["visceral_metastases"]]
    else:
        missing.add("visceral_metastases")
    if histology is not None:
        points += TOKUHASHI_PRIMARY[histology][0 if version == 1990 else 1]
    else:
        missing.add("histology")
    if _present(case, "frankel"):
        points += TOKUHASHI_FRANKEL_POINTS[case["frankel"]]
    else:
        missing.add("frankel")
    if missing:
        required = {"kps_from_ecog_ambiguous"} & flags
        return Expected(
            "incomplete",
            missing=frozenset(missing),
            optional_missing=frozenset(optional_missing),
            flags=frozenset(required),
            allowed_flags=frozenset(flags - required),
        )
    strategy = None
    if version == 2005:
        strategy = tokuhashi_2005_strategy(points, case["vertebral_metastases"])
        if case["vertebral_metastases"] >= 2 and points >= 12:
            flags.add("tokuhashi_multiple_vertebrae_conflict")
    return Expected(
        "complete",
        total=points,
        band=band_of(score_id, points),
        strategy=strategy,
        flags=frozenset(flags),
    )


def sins_lesion_points(lesion: Mapping[str, Any]) -> int:
    """SINS total of one complete lesion."""
    return sum(SINS_POINTS[name][lesion[name]] for name in SINS_FIELDS)


def expected_sins(case: Mapping[str, Any]) -> Expected:
    """Predict SINS (§3, §4.5): max over lesions, incomplete if any lesion lacks a field."""
    lesions = case.get("lesions")
    if lesions is None:
        return Expected("incomplete", missing=frozenset({"lesions"}))
    entries: list[LesionExpected] = []
    missing: set[str] = set()
    for i, lesion in enumerate(lesions):
        absent = frozenset(name for name in SINS_FIELDS if lesion.get(name) is None)
        if absent:
            missing |= {f"lesions[{i}].{name}" for name in absent}
            entries.append(LesionExpected(None, absent))
        else:
            entries.append(LesionExpected(sins_lesion_points(lesion)))
    if missing:
        return Expected("incomplete", missing=frozenset(missing), lesions=tuple(entries))
    total = max(entry.total for entry in entries if entry.total is not None)
    return Expected("complete", total=total, band=band_of("sins", total), lesions=tuple(entries))


def expected_escc(case: Mapping[str, Any]) -> Expected:
    """Predict the ESCC result: the worst grade over lesions and its NOMS class."""
    lesions = case.get("lesions")
    if lesions is None:
        return Expected("incomplete", missing=frozenset({"lesions"}))
    missing = {
        f"lesions[{i}].escc" for i, lesion in enumerate(lesions) if lesion.get("escc") is None
    }
    if missing:
        return Expected("incomplete", missing=frozenset(missing))
    grade = max((lesion["escc"] for lesion in lesions), key=ESCC_ORDER.index)
    return Expected("complete", grade=grade, escc_class=ESCC_CLASS[grade])


def expected_scores(case: Mapping[str, Any]) -> dict[str, Expected]:
    """Predict every seed score of a valid case dict."""
    return {
        "tomita": expected_tomita(case),
        "tokuhashi_1990": expected_tokuhashi(case, 1990),
        "tokuhashi_2005": expected_tokuhashi(case, 2005),
        "sins": expected_sins(case),
        "escc": expected_escc(case),
    }


# --- comparison --------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _diff_flags(where: str, actual: Mapping[str, Any], expected: Expected) -> list[str]:
    raw = actual.get("flags", [])
    if not isinstance(raw, list):
        return [f"{where}: flags is {raw!r}, not a list"]
    carried = set(raw) & SEED_FLAGS
    if expected.status == "complete":
        if carried != expected.flags:
            return [f"{where}: flags {sorted(carried)} != expected {sorted(expected.flags)}"]
        return []
    errors = []
    if not expected.flags <= carried:
        errors.append(f"{where}: flags {sorted(raw)} lack {sorted(expected.flags - carried)}")
    extra = carried - expected.flags - expected.allowed_flags
    if extra:
        errors.append(f"{where}: unexpected flags {sorted(extra)}")
    return errors


def _diff_missing(where: str, missing: object, expected: Expected) -> list[str]:
    if not isinstance(missing, list):
        return [f"{where}: missing is {missing!r}, not a list"]
    named = set(missing)
    if not expected.missing <= named <= expected.missing | expected.optional_missing:
        return [f"{where}: missing {sorted(named)} != expected {sorted(expected.missing)}"]
    return []


def _diff_items(where: str, result: Mapping[str, Any]) -> list[str]:
    items = result.get("items")
    if not isinstance(items, dict) or not all(_is_int(v) for v in items.values()):
        return [f"{where}: items {items!r} is not a dict of integer points"]
    if sum(items.values()) != result.get("total"):
        return [f"{where}: sum of items {sum(items.values())} != total {result.get('total')}"]
    return []


def _diff_sins_lesions(actual: Mapping[str, Any], expected: Expected) -> list[str]:
    assert expected.lesions is not None
    entries = actual.get("lesions")
    if not isinstance(entries, list) or len(entries) != len(expected.lesions):
        return [f"sins: lesions {entries!r} has not {len(expected.lesions)} entries"]
    errors: list[str] = []
    for i, (entry, want) in enumerate(zip(entries, expected.lesions, strict=True)):
        where = f"sins.lesions[{i}]"
        if want.total is not None:
            if entry.get("status", "complete") != "complete":
                errors.append(f"{where}: status {entry.get('status')!r} != 'complete'")
            if entry.get("total") != want.total or not _is_int(entry.get("total")):
                errors.append(f"{where}: total {entry.get('total')!r} != expected {want.total}")
            errors += _diff_items(where, entry)
            continue
        if entry.get("status") != "incomplete":
            errors.append(f"{where}: status {entry.get('status')!r} != 'incomplete'")
        if "total" in entry:
            errors.append(f"{where}: incomplete lesion carries total {entry.get('total')!r}")
        missing = entry.get("missing")
        if not isinstance(missing, list):
            errors.append(f"{where}: missing is {missing!r}")
            continue
        # Entry-level names may be bare (`pain`) or qualified (`lesions[i].pain`).
        prefix = f"lesions[{i}]."
        bare = {name.removeprefix(prefix) for name in missing}
        if bare != set(want.missing):
            errors.append(f"{where}: missing {sorted(missing)} != expected {sorted(want.missing)}")
    return errors


def diff_score(score_id: str, actual: Any, expected: Expected) -> list[str]:
    """List the departures of one actual score result from its expectation."""
    if not isinstance(actual, dict):
        return [f"{score_id}: result is {actual!r}"]
    errors: list[str] = []
    status = actual.get("status")
    if status != expected.status:
        detail = actual.get("missing") if status == "incomplete" else actual.get("total")
        return [f"{score_id}: status {status!r} ({detail!r}) != expected {expected.status!r}"]
    if not isinstance(actual.get("higher_is_better"), bool):
        errors.append(f"{score_id}: higher_is_better is {actual.get('higher_is_better')!r}")
    elif score_id in HIGHER_IS_BETTER and actual["higher_is_better"] != HIGHER_IS_BETTER[score_id]:
        errors.append(f"{score_id}: higher_is_better {actual['higher_is_better']!r}")
    if score_id == "escc":
        if expected.status == "complete":
            if actual.get("grade") != expected.grade:
                errors.append(f"escc: grade {actual.get('grade')!r} != expected {expected.grade!r}")
            if actual.get("class") != expected.escc_class:
                errors.append(
                    f"escc: class {actual.get('class')!r} != expected {expected.escc_class!r}"
                )
        else:
            errors += _diff_missing("escc", actual.get("missing"), expected)
        return errors
    if expected.status == "complete":
        total = actual.get("total")
        if total != expected.total or not _is_int(total):
            errors.append(f"{score_id}: total {total!r} != expected {expected.total}")
        errors += _diff_items(score_id, actual)
        band = actual.get("band")
        assert expected.band is not None
        want_code, want_range = expected.band
        if (
            not isinstance(band, dict)
            or band.get("code") != want_code
            or band.get("range") != list(want_range)
        ):
            errors.append(f"{score_id}: band {band!r} != expected {want_code} {list(want_range)}")
        if score_id in ("tomita", "tokuhashi_2005") and actual.get("strategy") != expected.strategy:
            errors.append(
                f"{score_id}: strategy {actual.get('strategy')!r} != expected {expected.strategy}"
            )
    else:
        errors += _diff_missing(score_id, actual.get("missing"), expected)
        for key in ("total", "band", "strategy"):
            if key in actual:
                errors.append(f"{score_id}: incomplete result carries {key}={actual[key]!r}")
    errors += _diff_flags(score_id, actual, expected)
    if score_id == "sins" and expected.lesions is not None:
        errors += _diff_sins_lesions(actual, expected)
    return errors


def diff_scores(
    case: Mapping[str, Any], result: Mapping[str, Any], only: tuple[str, ...] | None = None
) -> list[str]:
    """List the departures of ``result`` (an ``assess_dict`` output) from the seed-score oracle."""
    if "error" in result:
        return [f"valid case rejected: {result['error']!r}"]
    if result.get("interchange") != 1:
        return [f"interchange is {result.get('interchange')!r}"]
    scores = result.get("scores")
    if not isinstance(scores, dict):
        return [f"scores is {scores!r}"]
    errors: list[str] = []
    for score_id, expected in expected_scores(case).items():
        if only is not None and score_id not in only:
            continue
        errors += diff_score(score_id, scores.get(score_id), expected)
    return errors


@dataclass
class Mismatches:
    """Collects the first few mismatching cases of an enumeration for one readable failure."""

    limit: int = 15
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def check(
        self,
        case: Mapping[str, Any],
        result: Mapping[str, Any],
        only: tuple[str, ...] | None = None,
    ) -> None:
        """Record ``case`` if ``result`` departs from the oracle."""
        errors = diff_scores(case, result, only)
        if errors:
            self.count += 1
            if len(self.examples) < self.limit:
                self.examples.append(f"{dict(case)!r}\n    " + "\n    ".join(errors))

    def report(self, total: int) -> str:
        """Assertion message: how many of ``total`` cases failed and the first few of them."""
        return f"{self.count} of {total} cases differ; first ones:\n" + "\n".join(self.examples)
