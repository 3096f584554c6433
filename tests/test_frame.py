"""score_frame (interchange §7): the DataFrame path agrees with the scalar path row for row.

Random valid one-lesion cases are scored by :func:`spinemets.assess` and by
:func:`spinemets.score_frame` on pandas (default strings, object, categorical) and Polars (eager
and lazy); totals, bands and codes of every instrument (the seed scores and the further ones of
interchange §3.1) must be identical. The vocabulary and the laboratory values (at and around each
published cut-off, interchange §1.2) below are typed from interchange.md, not imported from the
library.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import spinemets
from spinemets.interchange import parse_case

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

HISTOLOGIES = (
    "lung", "lung_nsclc", "lung_sclc", "breast", "prostate", "thyroid", "carcinoid", "kidney",
    "uterus", "rectum", "colon", "stomach", "esophagus", "pancreas", "bladder", "liver",
    "gallbladder", "osteosarcoma", "sarcoma", "melanoma", "lymphoma", "myeloma", "seminoma",
    "germ_cell", "ovary", "head_neck", "unknown", "other",
)
LEVELS = (*(f"C{i}" for i in range(1, 8)), *(f"T{i}" for i in range(1, 13)),
          *(f"L{i}" for i in range(1, 6)), *(f"S{i}" for i in range(1, 6)))
CHOICES: dict[str, tuple[Any, ...]] = {
    "histology": HISTOLOGIES,
    "tomita_growth": ("slow", "moderate", "rapid"),
    "radiosensitivity": ("sensitive", "resistant"),
    "kps": tuple(range(10, 101, 10)),
    "ecog": (0, 1, 2, 3, 4),
    "ecog_to_kps": ("common", "ma_2010", "prasad_2018"),
    "visceral_metastases": ("none", "resectable", "treatable", "untreatable"),
    "extraspinal_bone_metastases": (0, 0, 1, 2, 3, 7),
    "vertebral_metastases": (1, 1, 2, 3, 12),
    "bone_metastases_isolated": (True, False),
    "frankel": ("A", "B", "C", "D", "E"),
    "myelopathy": (True, False),
    "radiculopathy": (True, False),
    "fit_for_surgery": (True, False),
    "level": LEVELS,
    "pain": ("mechanical", "occasional", "none"),
    "bone_lesion": ("lytic", "mixed", "blastic"),
    "alignment": ("subluxation", "deformity", "normal"),
    "collapse": ("over_50", "under_50", "involved_over_50", "none"),
    "posterolateral": ("bilateral", "unilateral", "none"),
    "escc": ("0", "1a", "1b", "1c", "2", "3"),
    # Interchange §1.2: values at and around every published cut-off.
    "pathologic_fracture": (True, False),
    "ambulatory": (True, False),
    "previous_chemotherapy": (True, False),
    "katagiri_group": ("slow", "moderate", "rapid"),
    "katagiri_visceral": ("none", "nodular", "disseminated"),
    "katagiri_laboratory": ("normal", "abnormal", "critical"),  # §8.4: overrides the values
    "albumin_g_dl": (2.1, 3.4, 3.49, 3.5, 3.51, 3.6, 3.69, 3.7, 3.71, 4.5),
    "crp_mg_dl": (0.0, 0.1, 0.39, 0.4, 0.41, 3.0),
    "ldh_u_l": (120.0, 249.0, 249.9, 250.0, 250.1, 700.0),
    "platelets_10e9_l": (30.0, 99.0, 99.9, 100.0, 100.1, 250.0),
    "calcium_mg_dl": (8.9, 10.2, 10.29, 10.3, 10.31, 12.0),
    "bilirubin_mg_dl": (0.4, 1.3, 1.39, 1.4, 1.41, 2.5),
    "months_diagnosis_to_mscc": (0.0, 2.5, 14.9, 15.0, 15.1, 16.0, 48.0),
    "motor_deficit_days": (0, 1, 7, 8, 14, 15, 40),
}
LESION = ("level", "pain", "bone_lesion", "alignment", "collapse", "posterolateral", "escc")
#: How often a field is left out: rare fields keep many rows complete.
ABSENT = {"katagiri_laboratory": 0.85, "tomita_growth": 0.8, "radiosensitivity": 0.7, "kps": 0.3,
          "ecog": 0.4, "ecog_to_kps": 0.4, "bone_metastases_isolated": 0.7, "katagiri_group": 0.5,
          **dict.fromkeys(("crp_mg_dl", "ldh_u_l", "platelets_10e9_l", "calcium_mg_dl",
                           "bilirubin_mg_dl"), 0.03)}
SEED_IDS = ("tomita", "tokuhashi_1990", "tokuhashi_2005", "sins")
#: The further instruments (interchange §3.1), in result order.
FURTHER_IDS = ("bauer_1995", "bauer_modified", "nesms", "katagiri_2014", "van_der_linden",
               "rades_2008", "osri")
SUMMED_IDS = (*SEED_IDS, *FURTHER_IDS)
BOOLS = tuple(name for name, values in CHOICES.items() if isinstance(values[0], bool))
N = 20_000


def random_rows(n: int, seed: int = 20240501) -> list[dict[str, Any]]:
    """Flat one-lesion rows; a field is absent (None) with its ABSENT probability (else 8 %)."""
    rng = random.Random(seed)
    return [
        {name: (None if rng.random() < ABSENT.get(name, 0.08) else rng.choice(values))
         for name, values in CHOICES.items()}
        for _ in range(n)
    ]


def as_case(row: dict[str, Any]) -> dict[str, Any]:
    case = {k: v for k, v in row.items() if k not in LESION and v is not None}
    case["lesions"] = [{k: row[k] for k in LESION if row[k] is not None}]
    return case


def expected(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The scalar path's totals, bands and codes, as columns (None where not produced)."""
    out: dict[str, list[Any]] = {}
    for row in rows:
        result = spinemets.assess(parse_case(as_case(row)))
        values: dict[str, Any] = {}
        for score_id in SUMMED_IDS:
            score = result[score_id]
            assert isinstance(score, spinemets.ScoreResult)
            values[score_id] = score.total
            values[f"{score_id}_band"] = score.band.code.value if score.band else None
            if score_id == "nesms":
                values["nesms_raw"] = score.raw
        grade = result["escc"]
        assert isinstance(grade, spinemets.GradeResult)
        values["escc_grade"] = grade.grade.value if grade.grade else None
        values["escc_class"] = grade.escc_class.value if grade.escc_class else None
        values["noms_radiation"] = result.recommendation.radiation.value
        values["noms_stabilization"] = result.recommendation.stabilization.value
        values["error"] = None
        for key, value in values.items():
            out.setdefault(key, []).append(value)
    return out


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return random_rows(N)


@pytest.fixture(scope="module")
def want(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return expected(rows)


def pandas_frame(rows: list[dict[str, Any]], kind: str) -> Any:
    df = pd.DataFrame(rows)
    for name in CHOICES:
        values = [r[name] for r in rows]
        if isinstance(CHOICES[name][0], str):
            if kind == "object":
                df[name] = pd.Series(values, dtype=object)
            elif kind == "category":
                df[name] = pd.Series(values, dtype="category")
            else:
                df[name] = pd.Series(values, dtype="str")
        elif isinstance(CHOICES[name][0], bool):
            df[name] = pd.Series(values, dtype="boolean" if kind == "category" else object)
        elif isinstance(CHOICES[name][0], float):
            df[name] = pd.Series(values, dtype="Float64" if kind == "category" else "float64")
        else:
            df[name] = pd.Series(values, dtype="Int64" if kind == "category" else "float64")
    df["study_id"] = range(len(rows))  # not an interchange field: ignored
    return df


def column_lists(frame: Any) -> dict[str, list[Any]]:
    """Output columns as Python lists with None for nulls, whatever the engine."""
    if hasattr(frame, "to_dict") and hasattr(frame, "iloc"):
        out = {}
        for name in frame.columns:
            series = frame[name].astype(object)
            out[name] = [None if pd.isna(v) else v for v in series]
        return out
    return {name: frame[name].to_list() for name in frame.columns}


def check(got: dict[str, list[Any]], want: dict[str, list[Any]]) -> None:
    assert list(got) == list(want)
    for name, values in want.items():
        mismatches = [i for i, (a, b) in enumerate(zip(got[name], values, strict=True)) if a != b]
        assert not mismatches, (name, mismatches[:5], [got[name][i] for i in mismatches[:5]],
                                [values[i] for i in mismatches[:5]])


def test_random_cases_are_not_trivial(want: dict[str, list[Any]]) -> None:
    # Each score is complete on a fair share of rows and incomplete on others.
    for score_id in SUMMED_IDS:
        done = sum(v is not None for v in want[score_id])
        assert 0.05 * N < done < 0.95 * N, score_id
        bands = {v for v in want[f"{score_id}_band"] if v is not None}
        assert len(bands) >= (2 if score_id != "osri" else 0), score_id
    assert len(set(want["noms_radiation"])) == 5
    assert set(want["osri_band"]) == {None}
    assert {v for v in want["nesms_raw"] if v is not None} == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("kind", ["str", "object", "category"])
def test_pandas_matches_scalar_path(
    rows: list[dict[str, Any]], want: dict[str, list[Any]], kind: str
) -> None:
    df = pandas_frame(rows, kind)
    out = spinemets.score_frame(df)
    assert list(out.index) == list(df.index)
    assert str(out["tomita"].dtype) == "Int16"
    check(column_lists(out), want)


def test_polars_eager_and_lazy_match_scalar_path(
    rows: list[dict[str, Any]], want: dict[str, list[Any]]
) -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(rows, schema={name: (pl.String if isinstance(v[0], str) else
                                           pl.Boolean if isinstance(v[0], bool) else
                                           pl.Float64 if isinstance(v[0], float) else pl.Int64)
                                    for name, v in CHOICES.items()})
    check(column_lists(spinemets.score_frame(df)), want)
    cat = df.with_columns(pl.col("histology", "level", "escc").cast(pl.Categorical))
    lazy = spinemets.score_frame(cat.lazy())
    assert isinstance(lazy, pl.LazyFrame)
    check(column_lists(lazy.collect()), want)


def test_ecog_and_overrides_follow_the_scalar_path() -> None:
    # Every ECOG x conversion pair without KPS, and explicit overrides of histology defaults.
    base = {name: values[0] for name, values in CHOICES.items()}
    rows = []
    for conversion in CHOICES["ecog_to_kps"]:
        for ecog in range(5):
            rows.append({**base, "kps": None, "ecog": ecog, "ecog_to_kps": conversion})
    rows.append({**base, "kps": None, "ecog": 1, "ecog_to_kps": None})
    rows.append({**base, "histology": "kidney", "tomita_growth": "rapid",
                 "radiosensitivity": "sensitive"})
    rows.append({**base, "histology": None, "tomita_growth": "slow"})
    rows.append({**base, "bone_metastases_isolated": True, "extraspinal_bone_metastases": None,
                 "vertebral_metastases": None})
    check(column_lists(spinemets.score_frame(pandas_frame(rows, "str"))), expected(rows))

