"""``detail=True`` and lesions in long form on the engines scored through Arrow batches (DuckDB;
PySpark behind the ``spark`` marker): every row's scores and detail columns equal ``assess()`` of
the row's dict or of the nested case (tests/frame_oracle.py), the detail columns are the engine's
native list type, and the long-form key errors of the contract are raised at the call.

Inputs are the Hypothesis frames of tests/test_frame_property.py and tests/test_frame_long.py:
all-null and all-invalid columns, empty and one-row frames, cases without lesion rows, lesion
rows in another order than the cases, ``invalid="row"`` and ``"cell"``; on DuckDB the scorer is
also handed batches of three rows, so that a case's lesion list and a column's codes are cut
across batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinemets
from spinemets.frame import FrameError, _arrow

from . import frame_oracle as oracle
from ._spark import local_spark
from .test_frame_long import long_form, with_key
from .test_frame_property import frames, polars_frame

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")

SLOW = list(HealthCheck)
#: The detail columns of every score, in output order (the list columns among them).
DETAIL = [name for name, _ in spinemets.frame._detail_columns(spinemets.frame.supported_scores())]
LISTS = [name for name in DETAIL if not name.endswith("_status")]


def _duckdb() -> Any:
    return pytest.importorskip("duckdb")


def _by_key(rows: list[dict[str, Any]], key: str, keys: list[Any]) -> list[dict[str, Any]]:
    found = {row[key]: row for row in rows}
    assert sorted(found) == sorted(keys) and len(rows) == len(keys)
    return [found[k] for k in keys]


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------


@settings(max_examples=25, suppress_health_check=SLOW)
@given(frame=frames("polars", max_rows=25), invalid=st.sampled_from(("row", "cell")),
       small=st.booleans())
def test_duckdb_flat_detail_equals_assess(frame: Any, invalid: str, small: bool,
                                          monkeypatch: Any) -> None:
    duckdb = _duckdb()
    if small:
        monkeypatch.setattr(_arrow, "BATCH_ROWS", 3)
    columns, rows = frame
    df = polars_frame(columns, len(rows))
    con = duckdb.connect()
    con.register("cases", df)
    got = spinemets.score_frame(con.sql("select * from cases"), keep_input=True, detail=True,
                                invalid=invalid)
    types = dict(zip(got.columns, (str(t) for t in got.types), strict=True))
    assert all(types[c] == "VARCHAR[]" for c in LISTS)
    assert all(types[c] == "VARCHAR" for c in DETAIL if c not in LISTS)
    out = got.pl().sort("study_id").to_dicts()
    oracle.compare(out, [oracle.expect(r, invalid=invalid) for r in rows], "duckdb-detail")
    for row in out:  # an invalid row (invalid="row") has null details, every other lists
        nulls = {row[c] is None for c in DETAIL}
        assert nulls == {invalid == "row" and row["error"] is not None}


@settings(max_examples=25, suppress_health_check=SLOW)
@given(data=long_form("polars", max_cases=12), invalid=st.sampled_from(("row", "cell")),
       keep=st.booleans(), small=st.booleans())
def test_duckdb_long_form_detail_equals_assess(data: Any, invalid: str, keep: bool,
                                               small: bool, monkeypatch: Any) -> None:
    """Lesion cells are named by their place among the case's lesions, in lesion-frame order,
    as pandas names them (the lesions carry their row number through the engine)."""
    duckdb = _duckdb()
    if small:
        monkeypatch.setattr(_arrow, "BATCH_ROWS", 3)
    case_columns, lesion_columns, keys, owners, cases = data
    df = with_key(polars_frame(case_columns, len(keys)), keys, "polars")
    lesions = with_key(polars_frame(lesion_columns, len(owners)), owners, "polars")
    want = [oracle.expect(case, flat=False, invalid=invalid) for case in cases]
    con = duckdb.connect()
    con.register("cases", df)
    con.register("lesions", lesions)
    got = spinemets.score_frame(con.sql("select * from cases"),
                                lesions=con.sql("select * from lesions"), on="pid",
                                detail=True, invalid=invalid, keep_input=keep, prefix="sm_")
    columns = got.columns
    if keep:
        assert columns[:len(df.columns)] == df.columns
    else:
        assert columns[0] == "pid" and len(columns) == 1 + len(
            spinemets.score_frame(df.head(0), detail=True).columns)
    assert "__spinemets_lesions" not in columns
    oracle.compare(_by_key(got.pl().to_dicts(), "pid", keys), want, "duckdb-long-detail", "sm_")


def test_duckdb_long_form_names_lesion_cells_in_lesion_frame_order() -> None:
    duckdb = _duckdb()
    con = duckdb.connect()
    cases = pd.DataFrame({"pid": ["b", "a", "c"], "histology": ["kidney", "lung", "breast"]})
    # Case "a": lesions T2 (bad pain) then T3 (bad escc); "b": one lesion; "c": none.
    lesions = pd.DataFrame({"pid": ["a", "b", "a"], "level": ["T2", "L1", "T3"],
                            "pain": ["sharp", "none", None], "escc": [None, "1a", "4"]})
    con.register("cases", cases)
    con.register("lesions", lesions)
    for invalid in ("row", "cell"):
        got = spinemets.score_frame(con.sql("select * from cases"), on="pid", detail=True,
                                    lesions=con.sql("select * from lesions"), invalid=invalid)
        rows = {r["pid"]: r for r in got.pl().to_dicts()}
        want = spinemets.score_frame(cases, lesions=lesions, on="pid", detail=True,
                                     invalid=invalid)
        assert rows["a"]["error"] == want["error"].iloc[1]
        assert "lesions[0].pain" in rows["a"]["error"] and "lesions[1].escc" in rows["a"]["error"]
        assert rows["c"]["sins_missing"] == ["lesions"] and rows["c"]["escc_flags"] == []
        for column in DETAIL:
            for key, i in (("b", 0), ("a", 1), ("c", 2)):
                value = want[column].iloc[i]
                value = None if value is None or value is pd.NA or (
                    isinstance(value, float) and value != value) else value
                assert rows[key][column] == (list(value) if column in LISTS and value is not None
                                             else value), (column, key)


def test_duckdb_detail_on_empty_relations() -> None:
    duckdb = _duckdb()
    con = duckdb.connect()
    rel = con.sql("select 'lung' as histology, 1 as pid where false")
    got = spinemets.score_frame(rel, detail=True)
    assert got.fetchall() == []
    assert [str(t) for t in got.types][-3:] == ["VARCHAR[]", "VARCHAR[]", "VARCHAR"]
    lesions = con.sql("select 1 as pid, 'T4' as level where false")
    long = spinemets.score_frame(rel, lesions=lesions, on="pid", detail=True)
    assert long.columns[0] == "pid" and long.fetchall() == []
    # Cases but no lesion rows at all: every case is scored without lesions.
    cases = con.sql("select * from (values (1, 'lung'), (2, 'kidney')) t(pid, histology)")
    rows = spinemets.score_frame(cases, lesions=lesions, on="pid", detail=True).pl().to_dicts()
    assert sorted(r["pid"] for r in rows) == [1, 2]
    assert all(r["sins_missing"] == ["lesions"] and r["sins"] is None for r in rows)


def test_duckdb_long_form_key_errors_name_count_and_first_keys() -> None:
    duckdb = _duckdb()
    con = duckdb.connect()
    cases = con.sql("select * from (values (1, 'kidney'), (2, 'lung')) t(pid, histology)")
    lesions = con.sql("select * from (values (1, 'T4'), (7, 'T5'), (8, 'T6'), (7, 'L1')) "
                      "t(pid, level)")
    with pytest.raises(FrameError, match=r"3 lesion row\(s\) have a key 'pid' that matches no "
                                         r"case \(first keys: (7, 8|8, 7)"):
        spinemets.score_frame(cases, lesions=lesions, on="pid", detail=True)
    twice = con.sql("select * from (values (1, 'kidney'), (1, 'lung'), (3, 'x'), (3, 'y')) "
                    "t(pid, histology)")
    with pytest.raises(FrameError, match=r"2 key\(s\) of 'pid' appear in more than one case"):
        spinemets.score_frame(twice, lesions=lesions, on="pid")
    null_case = con.sql("select * from (values (1, 'kidney'), (null, 'lung')) t(pid, histology)")
    with pytest.raises(FrameError, match=r"1 case row\(s\) have a null key 'pid'"):
        spinemets.score_frame(null_case, lesions=lesions.filter("pid = 1"), on="pid")
    null_lesion = con.sql("select * from (values (1, 'T4'), (null, 'T5')) t(pid, level)")
    with pytest.raises(FrameError, match=r"1 lesion row\(s\) have a null key 'pid'"):
        spinemets.score_frame(cases, lesions=null_lesion, on="pid")
    with pytest.raises(FrameError, match="lesion columns"):
        spinemets.score_frame(con.sql("select 1 as pid, 'T4' as level"),
                              lesions=lesions, on="pid")
    with pytest.raises(FrameError, match="no key column"):
        spinemets.score_frame(cases, lesions=lesions, on="patient")
    with pytest.raises(FrameError, match="same engine"):
        spinemets.score_frame(cases, lesions=pd.DataFrame({"pid": [1]}), on="pid")


def test_other_engines_without_arrow_refuse_detail_clearly() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"kps": [80]})
    with pytest.raises(FrameError, match="convert this frame"):
        spinemets.score_frame(table, detail=True)


# --------------------------------------------------------------------------------------------
# PySpark (CI runs these with -m spark): one local session for the module.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    with local_spark(2, {"spark.sql.execution.arrow.maxRecordsPerBatch": "4",
                         "spark.sql.shuffle.partitions": "3"}) as session:
        yield session


@pytest.mark.spark
def test_spark_flat_detail_equals_assess(spark: Any) -> None:
    from .test_frame_property import spark_frame

    checked = []

    @settings(max_examples=15, deadline=None, suppress_health_check=SLOW)
    @given(frames("polars", max_rows=15), st.sampled_from(("row", "cell")))
    def check(frame: Any, invalid: str) -> None:
        columns, rows = frame
        sdf = spark_frame(spark, polars_frame(columns, len(rows)))
        out = spinemets.score_frame(sdf, keep_input=True, detail=True, invalid=invalid)
        types = {f.name: f.dataType.simpleString() for f in out.schema.fields}
        assert all(types[c] == "array<string>" for c in LISTS)
        assert all(types[c] == "string" for c in DETAIL if c not in LISTS)
        got = sorted((row.asDict() for row in out.collect()), key=lambda r: r["study_id"])
        oracle.compare(got, [oracle.expect(r, invalid=invalid) for r in rows], "spark-detail")
        checked.append(len(rows))

    check()
    assert checked


@pytest.mark.spark
def test_spark_long_form_detail_equals_assess(spark: Any) -> None:
    from .test_frame_property import spark_frame

    checked = []

    @settings(max_examples=15, deadline=None, suppress_health_check=SLOW)
    @given(long_form("polars", max_cases=10), st.sampled_from(("row", "cell")), st.booleans())
    def check(data: Any, invalid: str, keep: bool) -> None:
        case_columns, lesion_columns, keys, owners, cases = data
        df = with_key(polars_frame(case_columns, len(keys)), keys, "polars")
        lesions = with_key(polars_frame(lesion_columns, len(owners)), owners, "polars")
        want = [oracle.expect(case, flat=False, invalid=invalid) for case in cases]
        out = spinemets.score_frame(spark_frame(spark, df), lesions=spark_frame(spark, lesions),
                                    on="pid", detail=True, invalid=invalid, keep_input=keep)
        if keep:
            assert out.columns[:len(df.columns)] == df.columns
        else:
            assert out.columns[0] == "pid"
        rows = [row.asDict() for row in out.collect()]
        oracle.compare(_by_key(rows, "pid", keys), want, "spark-long-detail")
        checked.append(len(keys))

    check()
    assert checked


@pytest.mark.spark
def test_spark_long_form_key_errors_at_the_call(spark: Any) -> None:
    cases = spark.createDataFrame([(1, "kidney"), (2, "lung")], "pid long, histology string")
    lesions = spark.createDataFrame([(1, "T4"), (7, "T5"), (8, "T6")], "pid long, level string")
    with pytest.raises(FrameError, match=r"2 lesion row\(s\) have a key 'pid' that matches no"):
        spinemets.score_frame(cases, lesions=lesions, on="pid", detail=True)
    twice = cases.union(cases)
    with pytest.raises(FrameError, match=r"2 key\(s\) of 'pid' appear in more than one case"):
        spinemets.score_frame(twice, lesions=lesions.limit(1), on="pid")
    null_case = spark.createDataFrame([(None, "lung")], "pid long, histology string")
    with pytest.raises(FrameError, match="null key"):
        spinemets.score_frame(null_case, lesions=lesions, on="pid")
    null_lesion = spark.createDataFrame([(None, "T5")], "pid long, level string")
    with pytest.raises(FrameError, match="null key"):
        spinemets.score_frame(cases, lesions=null_lesion, on="pid")


@pytest.mark.parametrize(("case_key", "lesion_key"), [
    ("cast(k as integer)", "cast(k as bigint)"),
    ("cast(k as varchar)", "cast(k as varchar)"),
    ("cast(cast(k as varchar) as enum_key)", "cast(k as varchar)"),
])
def test_duckdb_long_form_keys_of_other_types(case_key: str, lesion_key: str,
                                              monkeypatch: Any) -> None:
    """Keys of different integer widths, strings and an ENUM (read as an Arrow dictionary) match
    as DuckDB's join matches them; batches of two cases."""
    duckdb = _duckdb()
    monkeypatch.setattr(_arrow, "BATCH_ROWS", 2)
    con = duckdb.connect()
    con.execute("create type enum_key as enum ('1', '2', '3', '4', '5')")
    cases = con.sql(f"select {case_key} as pid, 'kidney' as histology, true as myelopathy "
                    "from range(1, 6) t(k)")
    lesions = con.sql(f"select {lesion_key} as pid, level, escc from (values (3, 'T4', '2'), "
                      "(1, 'T5', '0'), (3, 'L1', '3'), (5, 'C2', null)) t(k, level, escc)")
    rows = {str(r["pid"]): r for r in spinemets.score_frame(
        cases, lesions=lesions, on="pid", detail=True).pl().to_dicts()}
    assert sorted(rows) == ["1", "2", "3", "4", "5"]
    assert [rows[k]["escc_grade"] for k in "12345"] == ["0", None, "3", None, None]
    assert rows["5"]["escc_missing"] == ["lesions[0].escc"]
    assert rows["2"]["escc_missing"] == ["lesions"]
