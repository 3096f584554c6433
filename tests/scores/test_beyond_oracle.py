"""An independent second transcription of the further instruments, used as the tests' oracle.

Every table below is typed again from clinical-beyond.md §1-§6 and interchange.md §1.2, §3, §3.1,
§4.4 (the code lists come from ``tests/vocab.py``); nothing is imported from ``spinemets``.
:func:`expected` predicts the parts of a result's ``to_dict()`` that the contract fixes (status,
total, raw, band, missing, ``unverified_table``); :func:`diff` lists every departure. The tests at
the bottom check the oracle's own arithmetic against the published ranges.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.vocab import HISTOLOGIES as HISTOLOGIES
from tests.vocab import VISCERAL as VISCERAL

CaseDict = dict[str, Any]

LUNG = frozenset({"lung", "lung_nsclc", "lung_sclc"})
KPS = tuple(range(10, 101, 10))

FURTHER_IDS: tuple[str, ...] = (
    "bauer_1995", "bauer_modified", "nesms", "katagiri_2014", "van_der_linden", "rades_2008",
    "osri",
)
HIGHER_IS_BETTER: dict[str, bool] = {
    "bauer_1995": True, "bauer_modified": True, "nesms": True, "katagiri_2014": False,
    "van_der_linden": True, "rades_2008": True, "osri": False,
}
RANGES: dict[str, tuple[int, int]] = {
    "bauer_1995": (0, 5), "bauer_modified": (0, 4), "nesms": (0, 3), "katagiri_2014": (0, 10),
    "van_der_linden": (0, 6), "rades_2008": (20, 45), "osri": (1, 7),
}
BANDS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "bauer_1995": (("poor", 0, 1), ("intermediate", 2, 3), ("good", 4, 5)),
    "bauer_modified": (("poor", 0, 1), ("intermediate", 2, 2), ("good", 3, 4)),
    "nesms": (("nesms_0", 0, 0), ("nesms_1", 1, 1), ("nesms_2", 2, 2), ("nesms_3", 3, 3)),
    "katagiri_2014": (("low_risk", 0, 3), ("intermediate_risk", 4, 6), ("high_risk", 7, 10)),
    "van_der_linden": (("group_a", 0, 3), ("group_b", 4, 5), ("group_c", 6, 6)),
    "rades_2008": (("rades_20_25", 20, 25), ("rades_26_30", 26, 30), ("rades_31_35", 31, 35),
                   ("rades_36_40", 36, 40), ("rades_41_45", 41, 45)),
    "osri": (),
}
RADES_2010: tuple[tuple[str, int, int], ...] = (
    ("rades_20_30", 20, 30), ("rades_31_35", 31, 35), ("rades_36_45", 36, 45),
)

# --- §1 Bauer / modified Bauer ------------------------------------------------------------------
BAUER_FAVOURABLE = frozenset({"breast", "kidney", "lymphoma", "myeloma"})

# --- §6 / interchange §3.1 Katagiri ---------------------------------------------------------------
KATAGIRI_GROUP_POINTS = {"slow": 0, "moderate": 2, "rapid": 3}
KATAGIRI_DEFAULT: dict[str, str] = {
    "thyroid": "slow", "myeloma": "slow", "lymphoma": "slow",
    "kidney": "moderate", "sarcoma": "moderate", "osteosarcoma": "moderate", "ovary": "moderate",
    "lung_sclc": "rapid", "colon": "rapid", "rectum": "rapid", "stomach": "rapid",
    "esophagus": "rapid", "pancreas": "rapid", "liver": "rapid", "gallbladder": "rapid",
    "bladder": "rapid", "head_neck": "rapid", "melanoma": "rapid", "unknown": "rapid",
}
KATAGIRI_UNVERIFIED_DEFAULT = frozenset({"ovary", "gallbladder", "bladder"})
KATAGIRI_VISCERAL_POINTS = {"none": 0, "nodular": 1, "disseminated": 2}
LAB_FIELDS = ("crp_mg_dl", "ldh_u_l", "albumin_g_dl", "platelets_10e9_l", "calcium_mg_dl",
              "bilirubin_mg_dl")
# interchange §8.4: the recorded category, and one value on each side of every cut-off.
KATAGIRI_LAB_CATEGORY_POINTS = {"normal": 0, "abnormal": 1, "critical": 2}
LAB_WITHIN = {"crp_mg_dl": 0.1, "ldh_u_l": 100, "albumin_g_dl": 4.5, "platelets_10e9_l": 300,
              "calcium_mg_dl": 9.0, "bilirubin_mg_dl": 0.5}
LAB_BEYOND = {"crp_mg_dl": 2.0, "ldh_u_l": 900, "albumin_g_dl": 2.0, "platelets_10e9_l": 20,
              "calcium_mg_dl": 13.0, "bilirubin_mg_dl": 4.0}

# --- §4 van der Linden ----------------------------------------------------------------------------
VDL_PRIMARY = {"breast": 3, "prostate": 2, "lung": 1, "lung_nsclc": 1, "lung_sclc": 1}

# --- §5.1 Rades 2008 ------------------------------------------------------------------------------
RADES_TUMOUR = {"myeloma": 9, "lymphoma": 9, "breast": 8, "prostate": 7,
                "lung": 3, "lung_nsclc": 3, "lung_sclc": 3}

# --- §3 OSRI --------------------------------------------------------------------------------------
OSRI_PTP: dict[str, int] = {
    **dict.fromkeys(("thyroid", "breast", "prostate", "carcinoid"), 1),
    **dict.fromkeys(("rectum", "kidney", "uterus"), 2),
    **dict.fromkeys(("liver", "gallbladder", "unknown"), 4),
    **dict.fromkeys(("lung", "lung_nsclc", "lung_sclc", "osteosarcoma", "stomach", "bladder",
                     "esophagus", "pancreas"), 5),
}

# --- interchange §4.4 ECOG -> KPS ranges ----------------------------------------------------------
ECOG_TO_KPS: dict[str, dict[int, tuple[int, int]]] = {
    "common": {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)},
    "ma_2010": {0: (100, 100), 1: (80, 90), 2: (60, 70), 3: (40, 50), 4: (10, 30)},
    "prasad_2018": {0: (100, 100), 1: (80, 90), 2: (70, 70), 3: (50, 60), 4: (10, 40)},
}


def kps_class(kps: int) -> int:
    """KPS class of van der Linden and OSRI GC: 80-100 -> 2, 50-70 -> 1, below 50 -> 0."""
    if kps >= 80:
        return 2
    if kps >= 50:
        return 1
    return 0


@dataclass(frozen=True)
class Expected:
    status: str
    total: int | None = None
    raw: int | None = None
    band: str | None = None
    band_range: tuple[int, int] | None = None
    missing: frozenset[str] = frozenset()
    unverified: bool = False


def _band(score_id: str, total: int) -> tuple[str | None, tuple[int, int] | None]:
    for code, lo, hi in BANDS[score_id]:
        if lo <= total <= hi:
            return code, (lo, hi)
    assert not BANDS[score_id], (score_id, total)
    return None, None


def _has(case: Mapping[str, Any], name: str) -> bool:
    return case.get(name) is not None


def _done(score_id: str, points: int, missing: set[str], unverified: bool,
          raw: int | None = None) -> Expected:
    if missing:
        return Expected("incomplete", missing=frozenset(missing), unverified=unverified)
    band, band_range = _band(score_id, points)
    return Expected("complete", total=points, raw=raw, band=band, band_range=band_range,
                    unverified=unverified)


def _counts(case: Mapping[str, Any], missing: set[str]) -> tuple[int, int] | None:
    for name in ("extraspinal_bone_metastases", "vertebral_metastases"):
        if not _has(case, name):
            missing.add(name)
    if not (_has(case, "extraspinal_bone_metastases") and _has(case, "vertebral_metastases")):
        return None
    return case["extraspinal_bone_metastases"], case["vertebral_metastases"]


def _kps(case: Mapping[str, Any], missing: set[str]) -> int | None:
    """KPS class from kps, or from ECOG through a named conversion when unambiguous."""
    if _has(case, "kps"):
        return kps_class(case["kps"])
    if _has(case, "ecog") and _has(case, "ecog_to_kps"):
        lo, hi = ECOG_TO_KPS[case["ecog_to_kps"]][case["ecog"]]
        if kps_class(lo) == kps_class(hi):
            return kps_class(lo)
    missing.add("kps")
    return None


def mbauer_points(case: Mapping[str, Any], missing: set[str]) -> int:
    points = 0
    if _has(case, "visceral_metastases"):
        points += case["visceral_metastases"] == "none"
    else:
        missing.add("visceral_metastases")
    if _has(case, "histology"):
        points += case["histology"] not in LUNG
        points += case["histology"] in BAUER_FAVOURABLE
    else:
        missing.add("histology")
    counts = _counts(case, missing)
    if counts is not None:
        points += sum(counts) == 1
    return points


def expected_bauer(case: Mapping[str, Any]) -> Expected:
    missing: set[str] = set()
    points = mbauer_points(case, missing)
    if _has(case, "pathologic_fracture"):
        points += not case["pathologic_fracture"]
    else:
        missing.add("pathologic_fracture")
    return _done("bauer_1995", points, missing, False)


def expected_mbauer(case: Mapping[str, Any]) -> Expected:
    missing: set[str] = set()
    return _done("bauer_modified", mbauer_points(case, missing), missing, False)


def expected_nesms(case: Mapping[str, Any]) -> Expected:
    missing: set[str] = set()
    mb = mbauer_points(case, missing)
    raw = 2 if mb >= 3 else 0
    if _has(case, "ambulatory"):
        raw += case["ambulatory"] is True
    else:
        missing.add("ambulatory")
    if _has(case, "albumin_g_dl"):
        raw += case["albumin_g_dl"] >= 3.5
    else:
        missing.add("albumin_g_dl")
    return _done("nesms", min(raw, 3), missing, False, raw=raw)


def katagiri_lab_points(case: Mapping[str, Any]) -> int:
    if (case["platelets_10e9_l"] < 100 or case["calcium_mg_dl"] >= 10.3
            or case["bilirubin_mg_dl"] >= 1.4):
        return 2
    if case["crp_mg_dl"] >= 0.4 or case["ldh_u_l"] >= 250 or case["albumin_g_dl"] < 3.7:
        return 1
    return 0


def katagiri_lab_item(case: Mapping[str, Any]) -> int | None:
    """The laboratory item's points, or None when the present values do not fix it yet.

    A recorded ``katagiri_laboratory`` decides. Otherwise the item is fixed exactly when every
    way of filling in the absent values (each within or beyond its cut-off) gives the same
    points: a second formulation of "the worst category the present values already fix".
    """
    if _has(case, "katagiri_laboratory"):
        return KATAGIRI_LAB_CATEGORY_POINTS[case["katagiri_laboratory"]]
    absent = [name for name in LAB_FIELDS if not _has(case, name)]
    outcomes = {
        katagiri_lab_points({**case, **dict(zip(absent, fill, strict=True))})
        for fill in itertools.product(*(
            (LAB_WITHIN[name], LAB_BEYOND[name]) for name in absent))
    }
    return outcomes.pop() if len(outcomes) == 1 else None


def expected_katagiri(case: Mapping[str, Any]) -> Expected:
    missing: set[str] = set()
    unverified = False
    points = 0
    group = case.get("katagiri_group")
    if group is None and _has(case, "histology"):
        group = KATAGIRI_DEFAULT.get(case["histology"])
        unverified = case["histology"] in KATAGIRI_UNVERIFIED_DEFAULT
    if group is None:
        missing.add("katagiri_group")
        if not _has(case, "histology"):
            missing.add("histology")
    else:
        points += KATAGIRI_GROUP_POINTS[group]
    if _has(case, "katagiri_visceral"):
        points += KATAGIRI_VISCERAL_POINTS[case["katagiri_visceral"]]
    else:
        missing.add("katagiri_visceral")
    lab = katagiri_lab_item(case)
    if lab is None:
        missing |= {name for name in LAB_FIELDS if not _has(case, name)}
    else:
        points += lab
    if _has(case, "ecog"):
        points += case["ecog"] >= 3
    else:
        missing.add("ecog")
    if _has(case, "previous_chemotherapy"):
        points += case["previous_chemotherapy"] is True
    else:
        missing.add("previous_chemotherapy")
    counts = _counts(case, missing)
    if counts is not None:
        points += sum(counts) != 1
    return _done("katagiri_2014", points, missing, unverified)


def expected_vdl(case: Mapping[str, Any]) -> Expected:
    missing: set[str] = set()
    points = 0
    kps = _kps(case, missing)
    if kps is not None:
        points += kps
    unverified = False
    if _has(case, "histology"):
        points += VDL_PRIMARY.get(case["histology"], 0)
        unverified = case["histology"] in LUNG
    else:
        missing.add("histology")
    if _has(case, "visceral_metastases"):
        points += case["visceral_metastases"] == "none"
    else:
        missing.add("visceral_metastases")
    return _done("van_der_linden", points, missing, unverified)


def rades_motor_points(days: int) -> int:
    if days > 14:
        return 8
    if days >= 8:
        return 6
    return 3


def expected_rades(case: Mapping[str, Any]) -> Expected:
    if case.get("motor_deficit_days") == 0:
        return Expected("not_applicable")
    missing: set[str] = set()
    used = False
    points = 0
    if _has(case, "histology"):
        points += RADES_TUMOUR.get(case["histology"], 4)
        used = True
    else:
        missing.add("histology")
    counts = _counts(case, missing)
    if counts is not None:
        points += 5 if counts[0] >= 1 or counts[1] >= 2 else 7
        used = True
    if _has(case, "visceral_metastases"):
        points += 7 if case["visceral_metastases"] == "none" else 2
        used = True
    else:
        missing.add("visceral_metastases")
    if _has(case, "months_diagnosis_to_mscc"):
        points += 7 if case["months_diagnosis_to_mscc"] > 15 else 4
        used = True
    else:
        missing.add("months_diagnosis_to_mscc")
    if _has(case, "ambulatory"):
        points += 7 if case["ambulatory"] else 3
        used = True
    else:
        missing.add("ambulatory")
    if _has(case, "motor_deficit_days"):
        points += rades_motor_points(case["motor_deficit_days"])
        used = True
    else:
        missing.add("motor_deficit_days")
    return _done("rades_2008", points, missing, used)


def expected_osri(case: Mapping[str, Any]) -> Expected:
    missing: set[str] = set()
    used = False
    points = 0
    if _has(case, "histology"):
        points += OSRI_PTP.get(case["histology"], 3)
        used = True
    else:
        missing.add("histology")
    gc = _kps(case, missing)
    if gc is not None:
        points += 2 - gc
        used = True
    return _done("osri", points, missing, used)


EXPECT = {
    "bauer_1995": expected_bauer,
    "bauer_modified": expected_mbauer,
    "nesms": expected_nesms,
    "katagiri_2014": expected_katagiri,
    "van_der_linden": expected_vdl,
    "rades_2008": expected_rades,
    "osri": expected_osri,
}


def expected(score_id: str, case: Mapping[str, Any]) -> Expected:
    return EXPECT[score_id](case)


def diff(score_id: str, case: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Departures of one result dict from the oracle (empty when it agrees)."""
    want = expected(score_id, case)
    errors: list[str] = []
    if actual.get("status") != want.status:
        return [f"{score_id}: status {actual.get('status')!r} ({actual.get('missing')}) "
                f"!= {want.status!r} ({sorted(want.missing)})"]
    if actual.get("higher_is_better") is not HIGHER_IS_BETTER[score_id]:
        errors.append(f"{score_id}: higher_is_better {actual.get('higher_is_better')!r}")
    flags = actual.get("flags", [])
    if ("unverified_table" in flags) != want.unverified:
        errors.append(f"{score_id}: unverified_table {'unverified_table' in flags} "
                      f"!= {want.unverified}")
    if want.status == "complete":
        if actual.get("total") != want.total:
            errors.append(f"{score_id}: total {actual.get('total')!r} != {want.total}")
        items = actual.get("items", {})
        summed = sum(items.values())
        if summed != (want.raw if want.raw is not None else want.total):
            errors.append(f"{score_id}: items sum {summed} ({items})")
        if actual.get("raw") != want.raw or ("raw" in actual) != (want.raw is not None):
            errors.append(f"{score_id}: raw {actual.get('raw')!r} != {want.raw}")
        band = actual.get("band", "absent")
        if want.band is None:
            if band is not None:
                errors.append(f"{score_id}: band {band!r} != null")
        elif band != {"code": want.band, "range": list(want.band_range or ())}:
            errors.append(f"{score_id}: band {band!r} != {want.band} {want.band_range}")
    elif want.status == "incomplete":
        if set(actual.get("missing", [])) != want.missing:
            errors.append(f"{score_id}: missing {actual.get('missing')} != {sorted(want.missing)}")
        for key in ("total", "band", "raw"):
            if key in actual:
                errors.append(f"{score_id}: incomplete result carries {key}")
    elif not actual.get("reason"):
        errors.append(f"{score_id}: not_applicable without a reason")
    return errors


# --- the oracle's own arithmetic ------------------------------------------------------------------


def test_oracle_extremes_match_published_ranges() -> None:
    """The typed tables reach exactly the published minimum and maximum of each instrument."""
    assert min(RADES_TUMOUR.values()) + 5 + 2 + 4 + 3 + 3 == RANGES["rades_2008"][0]
    assert max(RADES_TUMOUR.values()) + 7 + 7 + 7 + 7 + 8 == RANGES["rades_2008"][1]
    assert RANGES["katagiri_2014"] == (0 + 0 + 0 + 0 + 0 + 0, 3 + 2 + 2 + 1 + 1 + 1)
    assert (min(OSRI_PTP.values()) + 0, max(OSRI_PTP.values()) + 2) == RANGES["osri"]
    assert (0, 2 + max(VDL_PRIMARY.values()) + 1) == RANGES["van_der_linden"]


def test_oracle_bands_partition_ranges() -> None:
    """Each typed band table covers its published range without gap or overlap."""
    for score_id, bands in BANDS.items():
        if not bands:
            continue
        assert (bands[0][1], bands[-1][2]) == RANGES[score_id]
        for (_, _, hi), (_, lo, _) in itertools.pairwise(bands):
            assert lo == hi + 1
    assert (RADES_2010[0][1], RADES_2010[-1][2]) == RANGES["rades_2008"]
