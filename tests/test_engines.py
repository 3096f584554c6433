"""The Arrow paths of score_frame (DuckDB record batches, PySpark ``mapInArrow``, Polars lazy
streaming, Dask workers): every row equals ``assess()`` when the input arrives in many small
batches, results can be read twice, and the output schema is declared before any row is read."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import spinemets
from spinemets.frame import _arrow

from . import frame_oracle as oracle
from ._spark import local_spark
from .test_frame import random_rows
from .test_frame_property import frames, pandas_rows, polars_frame

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


def _values(frame: Any) -> dict[str, list[Any]]:
    """Output columns of a pandas frame as Python lists (codes as strings, nulls as None)."""
    return {c: [None if pd.isna(v) else v for v in frame[c].astype(object)]
            for c in frame.columns}


def _pandas_want(rows: list[dict[str, Any]], **kwargs: Any) -> dict[str, list[Any]]:
    return _values(spinemets.score_frame(pd.DataFrame(rows), **kwargs))


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large,
                                                 HealthCheck.function_scoped_fixture])
@given(frame=frames("polars", max_rows=30))
def test_duckdb_in_batches_of_four_rows_equals_assess(frame: Any, monkeypatch: Any) -> None:
    """Batches of 4 rows: a column may be all-null, all-invalid or dense in one batch and coded in
    the next; every row still equals assess() of its dict."""
    duckdb = pytest.importorskip("duckdb")
    monkeypatch.setattr(_arrow, "BATCH_ROWS", 4)
    columns, rows = frame
    df = polars_frame(columns, len(rows))
    con = duckdb.connect()
    con.register("cases", df)
    got = spinemets.score_frame(con.sql("select * from cases"), keep_input=True)
    oracle.compare(got.pl().sort("study_id").to_dicts(), [oracle.expect(r) for r in rows],
                   "duckdb")


def test_duckdb_relation_is_lazy_and_reads_twice(monkeypatch: Any) -> None:
    """Nothing is read before the result is; reading twice gives the same rows; the input's
    connection is free again afterwards."""
    duckdb = pytest.importorskip("duckdb")
    monkeypatch.setattr(_arrow, "BATCH_ROWS", 64)
    rows = random_rows(500, seed=41)
    rows[3]["kps"] = 85
    df = pd.DataFrame(rows)
    con = duckdb.connect()
    con.register("cases", df)
    reads: list[int] = []
    real = _arrow.score_batch

    def counting(batch: Any, *args: Any, **kwargs: Any) -> Any:
        reads.append(batch.num_rows)
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(_arrow, "score_batch", counting)
    scored = spinemets.score_frame(con.sql("select * from cases"), scores=["sins", "noms"])
    assert scored.columns == spinemets.frame.output_columns(["sins", "noms"])
    assert [str(t) for t in scored.types[:2]] == ["SMALLINT", "VARCHAR"]
    assert reads == []  # the schema is declared; no batch was scored
    first = scored.df()
    assert sum(reads) == 500 and max(reads) < 500  # batch by batch
    second = scored.df()
    assert _values(first) == _values(second) == _pandas_want(rows, scores=["sins", "noms"])
    assert con.sql("select count(*) from cases").fetchall() == [(500,)]


def test_duckdb_options_as_pandas() -> None:
    """keep_input (an output replaces a same-named input column), prefix= and invalid='cell'
    give what pandas gives, in the same column order."""
    duckdb = pytest.importorskip("duckdb")
    rows = random_rows(200, seed=43)
    rows[5]["frankel"] = "F"
    df = pd.DataFrame(rows)
    df["sins"] = -1  # replaced by the output column
    df["_row"] = range(len(df))
    for kwargs in ({"keep_input": True}, {"prefix": "sm_", "invalid": "cell"}):
        con = duckdb.connect()
        con.register("cases", df)
        got = spinemets.score_frame(con.sql("select * from cases"), **kwargs).df()
        want = spinemets.score_frame(df, **kwargs)
        assert list(got.columns) == list(want.columns)
        outputs = [c for c in want.columns if c not in df.columns or c == "sins"]
        assert _values(got[outputs]) == _values(want[outputs])


def test_duckdb_empty_relation() -> None:
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.sql("select 'lung' as histology, 80 as kps where false")
    got = spinemets.score_frame(rel)
    assert got.columns == spinemets.frame.output_columns()
    assert got.fetchall() == []


# --------------------------------------------------------------------------------------------
# Polars lazy frames stream
# --------------------------------------------------------------------------------------------


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
@given(frames("polars", max_rows=30))
def test_polars_lazy_streaming_equals_assess(frame: Any) -> None:
    pl = pytest.importorskip("polars")
    columns, rows = frame
    lazy = polars_frame(columns, len(rows)).lazy()
    got = spinemets.score_frame(lazy, keep_input=True).collect(engine="streaming")
    assert isinstance(got, pl.DataFrame)
    oracle.compare(got.sort("study_id").to_dicts(), [oracle.expect(r) for r in rows], "polars")


def test_polars_lazy_streams_in_batches() -> None:
    """A frame larger than one streaming morsel is scored in several batches, rows in order,
    as the eager frame is."""
    pl = pytest.importorskip("polars")
    rows = random_rows(1000, seed=47)
    eager = pl.DataFrame(pd.DataFrame(rows))
    big = pl.concat([eager] * 250)  # 250,000 rows
    plan = spinemets.score_frame(big.lazy(), scores=["sins", "tokuhashi_2005"])
    assert plan.collect_schema() == spinemets.score_frame(
        big.head(0), scores=["sins", "tokuhashi_2005"]).schema
    got = plan.collect(engine="streaming")
    want = spinemets.score_frame(big, scores=["sins", "tokuhashi_2005"])
    assert got.equals(want)


# --------------------------------------------------------------------------------------------
# Dask workers
# --------------------------------------------------------------------------------------------

_TUNE = "from spinemets.frame._dask import tune_worker; print(tune_worker(), tune_worker())"


@pytest.mark.parametrize(("env", "want"), [
    ({"MALLOC_TRIM_THRESHOLD_": "65536", "SPINEMETS_TUNE_MALLOC": "1"}, "True False"),
    ({"SPINEMETS_TUNE_MALLOC": "1"}, "False False"),
    ({"MALLOC_TRIM_THRESHOLD_": "65536", "MALLOC_MMAP_THRESHOLD_": "1000000",
      "SPINEMETS_TUNE_MALLOC": "1"}, "False False"),
    ({"MALLOC_TRIM_THRESHOLD_": "65536"}, "False False"),  # opt-in only
])
def test_dask_worker_allocator_tuned_once_only_under_dask_settings(
        env: dict[str, str], want: str) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("glibc only")
    base = {k: v for k, v in os.environ.items()
            if k not in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_",
                         "SPINEMETS_TUNE_MALLOC")}
    done = subprocess.run([sys.executable, "-c", _TUNE], env={**base, **env},
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == want


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(frames("pandas", max_rows=20))
def test_dask_partitions_equal_assess(frame: Any) -> None:
    """Per partition (three of them, some empty), through the worker entry point."""
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    columns, rows = frame
    from .test_frame_property import pandas_frame

    df = pandas_frame(columns, len(rows))
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        out = spinemets.score_frame(dd.from_pandas(df, npartitions=3)).compute()
    oracle.compare(pandas_rows(out), [oracle.expect(r) for r in rows], "dask")


# --------------------------------------------------------------------------------------------
# PySpark (mapInArrow; CI runs these with -m spark)
# --------------------------------------------------------------------------------------------


@pytest.mark.spark
def test_spark_map_in_arrow_matches_pandas() -> None:
    """Declared Spark types, kept input, prefix and an invalid row; Spark hands over batches of
    5 rows, regrouped in the Python workers."""
    with local_spark(2, {"spark.sql.execution.arrow.maxRecordsPerBatch": "5"}) as spark:
        rows = random_rows(120, seed=53)
        rows[9]["kps"] = 85
        df = pd.DataFrame(rows)
        df["_row"] = range(len(df))
        sdf = spark.createDataFrame(df).repartition(3)
        scored = spinemets.score_frame(sdf, keep_input=True, prefix="sm_")
        types = {f.name: type(f.dataType).__name__ for f in scored.schema.fields}
        assert types["sm_sins"] == "ShortType" and types["sm_sins_band"] == "StringType"
        assert types["_row"] == "LongType"
        got = scored.toPandas().sort_values("_row", ignore_index=True)
        want = spinemets.score_frame(df, keep_input=True, prefix="sm_")
        outputs = [c for c in want.columns if c.startswith("sm_")]
        assert _values(got[outputs]) == _values(want[outputs])
        assert "kps" in got["sm_error"][9]
        # Without keep_input only the columns read are shipped (``_row`` is not): same rows.
        plain = spinemets.score_frame(sdf)
        assert plain.columns == spinemets.frame.output_columns()
        def row_counts(frame: Any) -> Counter[tuple[Any, ...]]:
            return Counter(zip(*_values(frame).values(), strict=True))  # 5.0 == 5

        assert row_counts(plain.toPandas()) == row_counts(spinemets.score_frame(df))
