"""score_frame: bad cells never raise or drop a row; the options; engines beyond pandas/Polars."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import spinemets

from ._spark import local_spark

pd = pytest.importorskip("pandas")

GOOD: dict[str, Any] = {
    "histology": "kidney", "kps": 80, "visceral_metastases": "none",
    "extraspinal_bone_metastases": 0, "vertebral_metastases": 1, "frankel": "E",
    "myelopathy": False, "fit_for_surgery": True, "level": "T12", "pain": "mechanical",
    "bone_lesion": "lytic", "alignment": "normal", "collapse": "involved_over_50",
    "posterolateral": "unilateral", "escc": "1b",
}
# The interchange example (§1, §6): typed here from the spec.
GOOD_OUT = {"tomita": 3, "tomita_band": "long_term_local_control", "tokuhashi_1990": 11,
            "tokuhashi_1990_band": "good", "tokuhashi_2005": 13,
            "tokuhashi_2005_band": "gte_12_months", "sins": 10,
            "sins_band": "potentially_unstable", "escc_grade": "1b", "escc_class": "low",
            "noms_radiation": "srs", "noms_stabilization": "surgical_consultation"}
BAD = [
    {**GOOD, "kps": 85},  # not a multiple of 10
    {**GOOD, "histology": "Kidney", "escc": "4"},  # codes are case-sensitive; no grade 4
    {**GOOD, "myelopathy": 1},  # a number is never a boolean
]


def records(frame: Any) -> list[dict[str, Any]]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")]


SEEDS = ["tomita", "tokuhashi_1990", "tokuhashi_2005", "sins", "escc"]
FURTHER = ["bauer_1995", "bauer_modified", "nesms", "katagiri_2014", "van_der_linden",
           "rades_2008", "osri"]


def test_bad_rows_keep_their_place_and_errors() -> None:
    rows = [GOOD, BAD[0], GOOD, BAD[1], BAD[2], GOOD]
    out = records(spinemets.score_frame(pd.DataFrame(rows, index=list("abcdef")), scores=SEEDS))
    for i in (0, 2, 5):
        assert out[i] == {**GOOD_OUT, "error": None}
    for i in (1, 3, 4):
        assert {v for k, v in out[i].items() if k != "error"} == {None}
    assert "kps" in out[1]["error"] and "histology" not in out[1]["error"]
    assert "histology" in out[3]["error"] and "escc" in out[3]["error"]
    assert "myelopathy" in out[4]["error"] and out[4]["error"].startswith("invalid input: ")


def test_default_columns_are_every_instrument() -> None:
    out = spinemets.score_frame(pd.DataFrame([GOOD]))
    names = []
    for score_id in [*SEEDS[:4], *FURTHER]:
        names += [score_id, f"{score_id}_band"] + (["nesms_raw"] if score_id == "nesms" else [])
    names += ["escc_grade", "escc_class", "noms_radiation", "noms_stabilization", "error"]
    assert list(out.columns) == names
    assert list(out.columns) == spinemets.frame.output_columns()
    assert str(out["osri_band"].dtype) == "category" and out["osri_band"].isna().all()


def test_further_fields_bad_cells_and_not_applicable() -> None:
    further = {"pathologic_fracture": False, "ambulatory": True, "albumin_g_dl": 3.5,
               "months_diagnosis_to_mscc": 20.0, "motor_deficit_days": 10}
    rows = [
        {**GOOD, **further},
        {**GOOD, **further, "albumin_g_dl": 0.0},  # must be > 0
        {**GOOD, **further, "motor_deficit_days": 2.5, "ambulatory": "yes"},
        {**GOOD, **further, "motor_deficit_days": 0},  # Rades: not applicable
    ]
    out = records(spinemets.score_frame(pd.DataFrame(rows), scores=FURTHER))
    # kidney, no visceral metastases, solitary, ambulatory, albumin 3.5 (typed from the spec):
    # modified Bauer 4 -> NESMS raw 2 + 1 + 1 = 4, capped at 3; Bauer 5.
    assert out[0]["bauer_1995"] == 5 and out[0]["bauer_modified"] == 4
    assert (out[0]["nesms"], out[0]["nesms_raw"], out[0]["nesms_band"]) == (3, 4, "nesms_3")
    assert out[0]["rades_2008"] is not None and out[0]["error"] is None
    assert "albumin_g_dl" in out[1]["error"] and out[1]["nesms"] is None
    assert "motor_deficit_days" in out[2]["error"] and "ambulatory" in out[2]["error"]
    assert out[3]["error"] is None and out[3]["rades_2008"] is None
    assert out[3]["rades_2008_band"] is None and out[3]["nesms"] == 3


def test_polars_bad_rows_and_types() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"kps": [80.0, 85.0, float("nan"), None], "escc": [2, 4, None, 0],
                       "histology": ["kidney", "kidney", "nope", None]})
    out = spinemets.score_frame(df)
    assert out["escc_grade"].to_list() == ["2", None, None, "0"]
    errors = out["error"].to_list()
    assert errors[0] is None and errors[3] is None
    assert "kps" in errors[1] and "escc" in errors[1]
    assert "histology" in errors[2] and "kps" not in errors[2]


def test_dataframe_cells_nan_none_na_and_integer_escc() -> None:
    df = pd.DataFrame({
        "escc": pd.Series([0, 2, 3, None, 1], dtype="Int64"),
        "kps": pd.Series([80, None, pd.NA, 10.0, 100], dtype=object),
        "myelopathy": pd.Series([True, None, False, 1, 0.0], dtype=object),
        "fit_for_surgery": pd.Series([True, None, pd.NA, True, False], dtype="boolean"),
    })
    out = spinemets.score_frame(df)
    assert [None if pd.isna(v) else v for v in out["escc_grade"]] == ["0", "2", "3", None, None]
    errors = [None if pd.isna(v) else v for v in out["error"]]
    assert errors[:3] == [None, None, None]
    assert errors[3] is not None and errors[4] is not None
    assert "myelopathy" in errors[3] and "escc" not in errors[3]
    assert "escc" in errors[4] and "myelopathy" in errors[4] and "kps" not in errors[4]


def test_column_mapping_names_the_callers_columns_and_keep_input() -> None:
    df = pd.DataFrame([{**GOOD, "kps": 85}, GOOD]).rename(columns={"kps": "KPS", "escc": "Bilsky"})
    df["note"] = ["x", "y"]
    out = spinemets.score_frame(df, columns={"KPS": "kps", "Bilsky": "escc"}, keep_input=True)
    assert list(out.columns[: len(df.columns)]) == list(df.columns)
    assert out["error"].iloc[0].startswith("invalid input: KPS: must be")
    assert out["escc_grade"].iloc[1] == "1b" and out["tomita"].iloc[1] == 3
    with pytest.raises(ValueError, match="interchange"):
        spinemets.score_frame(df, columns={"KPS": "karnofsky"})


def test_scores_selection_and_noms_brings_its_seeds() -> None:
    df = pd.DataFrame([GOOD])
    assert list(spinemets.score_frame(df, scores=["tomita"]).columns) == [
        "tomita", "tomita_band", "error"]
    assert list(spinemets.score_frame(df, scores=["noms"]).columns) == [
        "sins", "sins_band", "escc_grade", "escc_class", "noms_radiation",
        "noms_stabilization", "error"]
    with pytest.raises(ValueError, match="unknown"):
        spinemets.score_frame(df, scores=["tomitaa"])


def test_policy_reaches_noms_radiation() -> None:
    from spinemets.policy import EsccIntermediateAs, Policy

    row = {**GOOD, "escc": "1c", "histology": "kidney"}
    df = pd.DataFrame([row])
    assert spinemets.score_frame(df)["noms_radiation"].iloc[0] == "srs"
    high = Policy(name="1c-high", escc_1c_as=EsccIntermediateAs.HIGH)
    out = spinemets.score_frame(df, policy=high)
    assert out["noms_radiation"].iloc[0] == "separation_surgery_then_srs"


def test_empty_and_column_less_frames() -> None:
    out = spinemets.score_frame(pd.DataFrame({"other": [1, 2]}))
    assert len(out) == 2 and out["tomita"].isna().all()
    assert (out["noms_radiation"] == "undetermined").all()
    assert len(spinemets.score_frame(pd.DataFrame(columns=list(GOOD)))) == 0


def test_import_spinemets_loads_no_engine() -> None:
    engines = "('pandas', 'numpy', 'narwhals', 'polars')"
    code = ("import sys, spinemets; spinemets.score_frame; "
            f"print(sorted(m for m in {engines} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_dask_local_cluster_matches_pandas() -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    from tests.test_frame import BOOLS, pandas_frame, random_rows

    df = pandas_frame(random_rows(4000, seed=7), "str")
    # Dask turns object columns into strings ("True"): booleans must be a boolean dtype.
    for name in BOOLS:
        df[name] = df[name].astype("boolean")
    ddf = dd.from_pandas(df, npartitions=4)
    lazy = spinemets.score_frame(ddf, keep_input=True)
    assert list(lazy.columns) == list(spinemets.score_frame(df.head(0), keep_input=True).columns)
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster):
        got = lazy.compute()
    want = spinemets.score_frame(df)  # dask may store the input strings differently
    assert list(got.columns[: len(df.columns)]) == list(df.columns)
    pd.testing.assert_frame_equal(got[list(want.columns)], want)


@pytest.mark.spark
def test_pyspark_matches_pandas() -> None:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    from tests.test_frame import CHOICES, random_rows

    rows = random_rows(500, seed=11)
    with local_spark(1) as spark:
        types = pyspark_sql.types
        schema = types.StructType([
            types.StructField(name, types.StringType() if isinstance(v[0], str) else
                              types.BooleanType() if isinstance(v[0], bool) else
                              types.DoubleType() if isinstance(v[0], float) else
                              types.LongType())
            for name, v in CHOICES.items()])
        sdf = spark.createDataFrame([[r[k] for k in CHOICES] for r in rows], schema=schema)
        got = [row.asDict() for row in spinemets.score_frame(sdf).collect()]
    want = spinemets.score_frame(pd.DataFrame(rows))
    for name in want.columns:
        assert [row[name] for row in got] == \
            [None if pd.isna(v) else v for v in want[name].astype(object)], name


def _wrong_calls() -> dict[str, Any]:
    """Every kind of wrong call of score_frame and check_frame, by name (each a thunk)."""
    from spinemets.check import check_frame

    frame = spinemets.score_frame
    df = pd.DataFrame([GOOD])
    cases = pd.DataFrame({"pid": [1, 2], "histology": ["kidney", "lung"]})
    lesions = pd.DataFrame({"pid": [1, 2], "level": ["T12", "L1"]})
    calls: dict[str, Any] = {
        "df a list": lambda: frame([GOOD]),
        "df a dict": lambda: frame(GOOD),
        "df None": lambda: frame(None),
        "df a Series": lambda: frame(df["kps"]),
        "unknown score id": lambda: frame(df, scores=["tomita", "tomitaa"]),
        "scores a number": lambda: frame(df, scores=5),  # type: ignore[arg-type]
        "scores of lists": lambda: frame(df, scores=[["tomita"]]),  # type: ignore[list-item]
        "columns to no field": lambda: frame(df, columns={"kps": "karnofsky"}),
        "columns to a list": lambda: frame(df, columns={"kps": ["kps"]}),  # type: ignore[dict-item]
        "columns a list": lambda: frame(df, columns=["kps"]),  # type: ignore[arg-type]
        "two columns to one field": lambda: frame(df, columns={"a": "kps", "b": "kps"}),
        "invalid= choice": lambda: frame(df, invalid="drop"),
        "ecog_to_kps= choice": lambda: frame(df, ecog_to_kps="karnofsky"),
        "policy a string": lambda: frame(df, policy="strict"),  # type: ignore[arg-type]
        "prefix a number": lambda: frame(df, prefix=1),  # type: ignore[arg-type]
        "duplicated column": lambda: frame(pd.DataFrame([[80, 80]], columns=["kps", "kps"])),
        "near-miss column, strict": lambda: frame(pd.DataFrame({"KPS": [80]}),
                                                  strict_columns=True),
        "lesions without on": lambda: frame(cases, lesions=lesions),
        "on without lesions": lambda: frame(cases, on="pid"),
        "lesions a list": lambda: frame(cases, lesions=[{"pid": 1}], on="pid"),
        "no key column": lambda: frame(cases, lesions=lesions, on="patient"),
        "lesion columns in cases": lambda: frame(cases.assign(level="T1"), lesions=lesions,
                                                 on="pid"),
        "repeated case key": lambda: frame(pd.DataFrame({"pid": [1, 1]}), lesions=lesions,
                                           on="pid"),
        "lesion key of no case": lambda: frame(cases.iloc[:1], lesions=lesions, on="pid"),
        "check: df a list": lambda: check_frame([GOOD]),
        "check: df a Series": lambda: check_frame(df["kps"]),
        "check: columns to no field": lambda: check_frame(df, columns={"kps": "karnofsky"}),
        "check: columns a list": lambda: check_frame(df, columns=["kps"]),  # type: ignore[arg-type]
        "check: max_values 0": lambda: check_frame(df, max_values=0),
        "check: max_values a string": lambda: check_frame(df, max_values="3"),  # type: ignore[arg-type]
    }
    try:
        import polars as pl
    except ImportError:  # pragma: no cover - polars is in the dev extra
        return calls
    calls["lesions of another engine"] = lambda: frame(cases, lesions=pl.from_pandas(lesions),
                                                       on="pid")
    calls["polars: unknown score id"] = lambda: frame(pl.from_pandas(df), scores=["x"])
    calls["polars: lesion key of no case"] = lambda: frame(
        pl.from_pandas(cases.iloc[:1]), lesions=pl.from_pandas(lesions), on="pid")
    return calls


@pytest.mark.parametrize("name", sorted(_wrong_calls()))
def test_every_wrong_call_raises_frame_error(name: str) -> None:
    """A wrong call raises the library's own FrameError (a SpinemetsError and a ValueError),
    never a bare ValueError, TypeError, KeyError or AttributeError."""
    from spinemets.exceptions import SpinemetsError
    from spinemets.frame import FrameError

    with pytest.raises(Exception) as raised:  # the class is checked below
        _wrong_calls()[name]()
    assert type(raised.value) is FrameError, repr(raised.value)
    assert isinstance(raised.value, SpinemetsError) and isinstance(raised.value, ValueError)
    assert str(raised.value).startswith(("score_frame: ", "check_frame: "))
