"""Lesions in long form (``score_frame(cases, lesions=..., on=...)``) and the options of
``score_frame`` (``invalid="cell"``, ``ecog_to_kps=``, ``prefix=``, near-miss columns), each
against ``assess()`` of the nested case (tests/frame_oracle.py).

The generated lesion frames give each case 0-4 lesions, interleaved across cases in random order,
with every lesion column in any reader dtype and bad cells mixed in; the expected case is the
case row's cells plus ``lesions``: its key's rows, in lesion-frame order.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinemets
from spinemets.frame import FrameError

from . import frame_oracle as oracle
from ._spark import local_spark
from .test_frame import CHOICES, LESION
from .test_frame_property import column, frames, pandas_frame, pandas_rows, polars_frame

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pl = pytest.importorskip("polars")

CASE_FIELDS = tuple(f for f in CHOICES if f not in LESION)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


@st.composite
def long_form(draw: Any, engine: str, max_cases: int = 25) -> Any:
    """``(case columns, lesion columns, case keys, lesion keys, nested case dicts)``."""
    n = draw(st.one_of(st.integers(0, 3), st.integers(0, max_cases)))
    names = draw(st.lists(st.sampled_from(CASE_FIELDS), unique=True))
    if draw(st.booleans()):
        names = list(CASE_FIELDS)
    case_columns, case_values = [], {}
    for name in names:
        dtype, cells, values = draw(column(name, n, engine))
        case_columns.append((name, dtype, cells))
        case_values[name] = values
    keys = draw(st.permutations(range(100, 100 + n)))
    per_case = [draw(st.integers(0, 4)) for _ in range(n)]
    owners = draw(st.permutations([k for k, c in zip(keys, per_case, strict=True)
                                   for _ in range(c)]))
    m = len(owners)
    lesion_names = draw(st.lists(st.sampled_from(LESION), unique=True))
    if draw(st.booleans()):
        lesion_names = list(LESION)
    lesion_columns, lesion_values = [], {}
    for name in lesion_names:
        dtype, cells, values = draw(column(name, m, engine))
        lesion_columns.append((name, dtype, cells))
        lesion_values[name] = values
    cases = []
    for i, key in enumerate(keys):
        case = oracle.row_dict({name: case_values[name][i] for name in names})
        lesions = [oracle.row_dict({name: lesion_values[name][j] for name in lesion_names})
                   .get("lesions", [{}])[0] for j in range(m) if owners[j] == key]
        if lesions:
            case["lesions"] = lesions
        cases.append(case)
    return case_columns, lesion_columns, list(keys), owners, cases


def with_key(frame: Any, keys: list[Any], engine: str) -> Any:
    if engine == "pandas":
        frame = frame.drop(columns=["study_id"])
        frame["pid"] = pd.Series(keys, index=frame.index, dtype="int64")
        return frame
    return frame.drop("study_id").with_columns(pl.Series("pid", keys, dtype=pl.Int64))


@settings(suppress_health_check=SLOW)
@given(long_form("pandas"))
def test_pandas_long_form_equals_assess_of_nested_cases(data: Any) -> None:
    case_columns, lesion_columns, keys, owners, cases = data
    df = with_key(pandas_frame(case_columns, len(keys)), keys, "pandas")
    lesions = with_key(pandas_frame(lesion_columns, len(owners)), owners, "pandas")
    want = [oracle.expect(case, flat=False) for case in cases]
    out = spinemets.score_frame(df, lesions=lesions, on="pid", detail=True)
    assert list(out.index) == list(df.index)
    oracle.compare(pandas_rows(out), want, "pandas-long")
    if len(keys) <= 12:  # Dask on the smaller ones (two partitions)
        dd = pytest.importorskip("dask.dataframe")
        import dask

        with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
            got = spinemets.score_frame(dd.from_pandas(df, npartitions=2),
                                        lesions=dd.from_pandas(lesions, npartitions=2),
                                        on="pid", detail=True).compute()
        oracle.compare(pandas_rows(got), want, "dask-long")


@settings(suppress_health_check=SLOW)
@given(long_form("polars"))
def test_polars_long_form_equals_assess_of_nested_cases(data: Any) -> None:
    case_columns, lesion_columns, keys, owners, cases = data
    df = with_key(polars_frame(case_columns, len(keys)), keys, "polars")
    lesions = with_key(polars_frame(lesion_columns, len(owners)), owners, "polars")
    want = [oracle.expect(case, flat=False) for case in cases]
    eager = spinemets.score_frame(df, lesions=lesions, on="pid", detail=True)
    oracle.compare(eager.to_dicts(), want, "polars-long")
    lazy = spinemets.score_frame(df.lazy(), lesions=lesions.lazy(), on="pid", detail=True)
    assert lazy.collect_schema() == eager.schema
    oracle.compare(lazy.collect().to_dicts(), want, "polars-lazy-long")


def test_long_form_key_errors() -> None:
    cases = pd.DataFrame({"pid": [1, 2], "histology": ["kidney", "breast"]})
    lesions = pd.DataFrame({"pid": [2, 1, 1], "level": ["T1", "T2", "T3"]})
    with pytest.raises(FrameError, match="more than one case row"):
        spinemets.score_frame(pd.concat([cases, cases]), lesions=lesions, on="pid")
    with pytest.raises(FrameError, match=r"2 lesion row\(s\) have a key 'pid' that matches no"):
        spinemets.score_frame(cases, lesions=lesions.assign(pid=[2, 7, 8]), on="pid")
    with pytest.raises(FrameError, match="null key"):
        spinemets.score_frame(cases.assign(pid=[1, None]), lesions=lesions, on="pid")
    with pytest.raises(FrameError, match="null key"):
        spinemets.score_frame(cases, lesions=lesions.assign(pid=[1, None, 2]), on="pid")
    with pytest.raises(FrameError, match="lesion columns"):
        spinemets.score_frame(cases.assign(level="T4"), lesions=lesions, on="pid")
    with pytest.raises(FrameError, match="no key column"):
        spinemets.score_frame(cases, lesions=lesions.rename(columns={"pid": "id"}), on="pid")
    with pytest.raises(ValueError, match="go together"):
        spinemets.score_frame(cases, lesions=lesions)
    # Polars: at the call when eager, at collect when lazy.
    pcases, plesions = pl.from_pandas(cases), pl.from_pandas(lesions.assign(pid=[2, 7, 8]))
    with pytest.raises(FrameError):
        spinemets.score_frame(pcases, lesions=plesions, on="pid")
    lazy = spinemets.score_frame(pcases.lazy(), lesions=plesions.lazy(), on="pid")
    with pytest.raises(Exception, match="matches no case"):
        lazy.collect()


def test_long_form_case_sins_is_the_maximum_not_the_first() -> None:
    # Typed from the SINS table (Fisher 2010): T12 junctional 3, C4 mobile 2; pain 3/1/0 ...
    lesion = {"bone_lesion": "lytic", "alignment": "normal", "collapse": "none",
              "posterolateral": "none"}
    cases = pd.DataFrame({"pid": ["a"], "fit_for_surgery": [True], "histology": ["breast"],
                          "myelopathy": [False]})
    lesions = pd.DataFrame([{"pid": "a", "level": "T5", "pain": "none", "escc": "3", **lesion},
                            {"pid": "a", "level": "T12", "pain": "mechanical", "escc": "0",
                             **lesion}])
    out = spinemets.score_frame(cases, lesions=lesions, on="pid")
    # T5 1 + 0 + 2 = 3; T12 3 + 3 + 2 = 8 -> SINS 8, potentially unstable; worst ESCC 3 (high).
    assert (out["sins"].iloc[0], out["sins_band"].iloc[0]) == (8, "potentially_unstable")
    assert (out["escc_grade"].iloc[0], out["escc_class"].iloc[0]) == ("3", "high")


# --- invalid="cell", ecog_to_kps=, prefix= on generated flat frames -------------------------


@settings(suppress_health_check=SLOW)
@given(frames("pandas", max_rows=20), st.sampled_from(("row", "cell")),
       st.sampled_from((None, "common", "ma_2010", "prasad_2018")), st.sampled_from(("", "sm_")),
       st.booleans())
def test_options_equal_assess(frame: Any, invalid: str, conversion: str | None,
                              prefix: str, detail: bool) -> None:
    columns, rows = frame
    want = [oracle.expect(row, invalid=invalid, ecog_to_kps=conversion) for row in rows]
    df = pandas_frame(columns, len(rows))
    out = spinemets.score_frame(df, invalid=invalid, ecog_to_kps=conversion, prefix=prefix,
                                detail=detail)
    assert (f"{prefix}noms_missing" in out.columns) == detail
    assert all(c.startswith(prefix) for c in out.columns)
    oracle.compare(pandas_rows(out), want, "pandas-options", prefix)


@settings(suppress_health_check=SLOW)
@given(frames("polars", max_rows=20), st.sampled_from(("row", "cell")),
       st.sampled_from((None, "common", "ma_2010", "prasad_2018")))
def test_options_equal_assess_on_polars_and_duckdb(frame: Any, invalid: str,
                                                   conversion: str | None) -> None:
    columns, rows = frame
    want = [oracle.expect(row, invalid=invalid, ecog_to_kps=conversion) for row in rows]
    df = polars_frame(columns, len(rows))
    out = spinemets.score_frame(df, invalid=invalid, ecog_to_kps=conversion, prefix="x_",
                                detail=True)
    oracle.compare(out.to_dicts(), want, "polars-options", "x_")
    lazy = spinemets.score_frame(df.lazy(), invalid=invalid, ecog_to_kps=conversion, detail=True)
    assert lazy.collect_schema() == lazy.collect().schema
    oracle.compare(lazy.collect().to_dicts(), want, "polars-lazy-options")


def test_options_on_duckdb() -> None:
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.sql("select 'kidney' as histology, 1 as ecog, 85 as kps, 'none' as "
                     "visceral_metastases, 0 as extraspinal_bone_metastases, "
                     "1 as vertebral_metastases")
    row = {"histology": "kidney", "ecog": 1, "kps": 85, "visceral_metastases": "none",
           "extraspinal_bone_metastases": 0, "vertebral_metastases": 1}
    for invalid in ("row", "cell"):
        got = spinemets.score_frame(rel, invalid=invalid, ecog_to_kps="common",
                                    prefix="p_").pl().to_dicts()
        oracle.compare(got, [oracle.expect(row, invalid=invalid, ecog_to_kps="common")],
                       "duckdb-options", "p_")


def test_near_miss_columns_warn_or_raise() -> None:
    df = pd.DataFrame({"KPS": [80], "Histology": ["kidney"], "bone lesion": ["lytic"],
                       "histolgy": ["x"], "study_id": [1], "pid": [3], "Bilsky": ["1b"]})
    with pytest.warns(UserWarning) as caught:
        spinemets.score_frame(df, columns={"Bilsky": "escc"})
    text = " ".join(str(w.message) for w in caught)
    for name, field in (("KPS", "kps"), ("Histology", "histology"),
                        ("bone lesion", "bone_lesion"), ("histolgy", "histology")):
        assert f"{name!r}" in text and f"{field!r}" in text
    assert "study_id" not in text and "Bilsky" not in text and "'pid'" not in text
    with pytest.raises(FrameError, match="'KPS'"):
        spinemets.score_frame(df, strict_columns=True)
    # The key column is never warned about, nor a column named in the mapping.
    lesions = pd.DataFrame({"Pid": [1], "level": ["T4"]})
    cases = pd.DataFrame({"Pid": [1], "kps": [80]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spinemets.score_frame(cases, lesions=lesions, on="Pid")
        spinemets.score_frame(pd.DataFrame({"KPS": [80]}), columns={"KPS": "kps"})
    # Short fields (under four characters) only match after folding: "kp" is not "kps", but
    # "ecg" is one edit from the four-letter "ecog".
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spinemets.score_frame(pd.DataFrame({"kp": [1], "kpss": [1]}))
    with pytest.warns(UserWarning, match="'ecog'"):
        spinemets.score_frame(pd.DataFrame({"ecg": [1]}))


def test_unknown_option_values() -> None:
    df = pd.DataFrame({"kps": [80]})
    with pytest.raises(ValueError, match="invalid="):
        spinemets.score_frame(df, invalid="drop")
    with pytest.raises(ValueError, match="ecog_to_kps="):
        spinemets.score_frame(df, ecog_to_kps="karnofsky")


@settings(max_examples=20, suppress_health_check=SLOW)
@given(long_form("polars", max_cases=12))
def test_duckdb_long_form_equals_assess_of_nested_cases(data: Any) -> None:
    duckdb = pytest.importorskip("duckdb")
    case_columns, lesion_columns, keys, owners, cases = data
    df = with_key(polars_frame(case_columns, len(keys)), keys, "polars")
    lesions = with_key(polars_frame(lesion_columns, len(owners)), owners, "polars")
    # Lesion cells are named by their place in lesion-frame order, as pandas names them.
    want = [oracle.expect(case, flat=False) for case in cases]
    con = duckdb.connect()
    con.register("cases", df)
    con.register("lesions", lesions)
    out = spinemets.score_frame(con.sql("select * from cases"),
                                lesions=con.sql("select * from lesions"), on="pid").pl()
    got = {row["pid"]: row for row in out.to_dicts()}
    assert sorted(got) == sorted(keys)
    oracle.compare([got[k] for k in keys], want, "duckdb-long")


def test_duckdb_long_form_key_errors() -> None:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    cases = con.sql("select * from (values (1, 'kidney'), (2, 'lung')) t(pid, histology)")
    lesions = con.sql("select * from (values (1, 'T4'), (7, 'T5')) t(pid, level)")
    with pytest.raises(FrameError, match="matches no case"):
        spinemets.score_frame(cases, lesions=lesions, on="pid")
    twice = con.sql("select * from (values (1, 'kidney'), (1, 'lung')) t(pid, histology)")
    with pytest.raises(FrameError, match="more than one case row"):
        spinemets.score_frame(twice, lesions=lesions, on="pid")


@pytest.mark.spark
def test_spark_long_form_equals_assess_of_nested_cases() -> None:
    from .test_frame_property import spark_frame

    with local_spark(1) as spark:
        checked = []

        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
        @given(long_form("polars", max_cases=8))
        def check(data: Any) -> None:
            case_columns, lesion_columns, keys, owners, cases = data
            df = with_key(polars_frame(case_columns, len(keys)), keys, "polars")
            lesions = with_key(polars_frame(lesion_columns, len(owners)), owners, "polars")
            want = [oracle.expect(case, flat=False) for case in cases]
            out = spinemets.score_frame(spark_frame(spark, df), lesions=spark_frame(spark, lesions),
                                        on="pid").collect()
            got = {row["pid"]: row.asDict() for row in out}
            oracle.compare([got[k] for k in keys], want, "spark-long")
            checked.append(len(keys))

        check()
    assert checked
