"""Lesions in long form on DuckDB and PySpark: the Arrow batch path against the narwhals
expression path it replaced, side by side on the same input.

Run from the repository root (PySpark and Java optional):

    .venv/bin/python benchmarks/bench_long.py                      # 200,000 cases, both engines
    .venv/bin/python benchmarks/bench_long.py --cases 50000 --engines duckdb --detail

The input: the cases of ``bench_frame.py`` (every field of every instrument but the lesion fields)
with a key ``pid``, and 1-3 lesions per case (the seven lesion fields) in a shuffled lesion frame.
Timed, best of ``--repeat``, after one warm-up call: the whole call (its key checks included) and
the computation of every row: DuckDB (``threads=--threads``) into an Arrow table, PySpark
(``local[2]``, the inputs cached) into Spark's ``noop`` sink. Both paths must give the same rows
(compared by key, every output column). Printed: cases/s of each path and their ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

import bench_frame

LESION = ("level", "pain", "bone_lesion", "alignment", "collapse", "posterolateral", "escc")


def make_input(n: int, seed: int = 11) -> tuple[Any, Any]:
    """Polars frames ``(cases, lesions)``: *n* cases, 1-3 lesions each, lesions shuffled."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    cols = bench_frame.make_further(bench_frame.make_columns(n), n)
    cases = bench_frame.make_frame("polars", {k: v for k, v in cols.items() if k not in LESION})
    cases = cases.with_columns(pl.Series("pid", np.arange(n, dtype=np.int64)))
    owners = rng.permutation(np.repeat(np.arange(n, dtype=np.int64), rng.integers(1, 4, n)))
    m = len(owners)
    lesion_cols = bench_frame.make_columns(m, seed=seed + 1)
    lesions = bench_frame.make_frame("polars", {k: lesion_cols[k] for k in LESION})
    return cases, lesions.with_columns(pl.Series("pid", owners))


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def paths(detail: bool) -> dict[str, Callable[[Any, Any], Any]]:
    import spinemets
    from spinemets import frame

    def arrow(cases: Any, lesions: Any) -> Any:
        return spinemets.score_frame(cases, lesions=lesions, on="pid", detail=detail)

    def narwhals(cases: Any, lesions: Any) -> Any:  # the path of spinemets 0.1/0.2 dev
        opts = frame._Options(frame._selected(None), mapping=frame._mapping(None), long=True)
        return frame._score_narwhals(cases, opts, lesions, "pid")

    return {"arrow": arrow} if detail else {"narwhals": narwhals, "arrow": arrow}


def run_duckdb(cases: Any, lesions: Any, args: Any) -> dict[str, tuple[float, Any]]:
    import duckdb

    con = duckdb.connect()
    con.execute(f"set threads={args.threads}")
    con.execute("create table cases as select * from cases")
    con.execute("create table lesions as select * from lesions")
    out = {}
    for name, fn in paths(args.detail).items():
        def call(fn: Callable[[Any, Any], Any] = fn) -> Any:
            rel = fn(con.table("cases"), con.table("lesions"))
            return rel.pl() if hasattr(rel, "pl") else rel

        call()
        out[name] = best_of(call, args.repeat)
    return out


def run_spark(cases: Any, lesions: Any, args: Any) -> dict[str, tuple[float, Any]]:
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "8")
             .config("spark.driver.memory", "2g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        sc = spark.createDataFrame(cases.to_arrow()).repartition(8).cache()
        sl = spark.createDataFrame(lesions.to_arrow()).repartition(8).cache()
        sc.count(), sl.count()
        out = {}
        for name, fn in paths(args.detail).items():
            def call(fn: Callable[[Any, Any], Any] = fn) -> Any:
                scored = fn(sc, sl)
                scored.write.format("noop").mode("overwrite").save()
                return scored

            call()
            seconds, scored = best_of(call, args.repeat)
            import polars as pl

            out[name] = (seconds, pl.from_arrow(scored.toArrow()))
        return out
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--detail", action="store_true",
                        help="time detail=True on the Arrow path only (the other has none)")
    args = parser.parse_args()
    cases, lesions = make_input(args.cases)
    print(f"{args.cases:,} cases, {lesions.height:,} lesions")
    runners = {"duckdb": run_duckdb, "spark": run_spark}
    for engine in args.engines.split(","):
        found = runners[engine](cases, lesions, args)
        rates = {name: args.cases / seconds for name, (seconds, _) in found.items()}
        line = ", ".join(f"{name} {rate:,.0f} cases/s" for name, rate in rates.items())
        if len(found) == 2:
            a, b = (found[k][1].sort("pid") for k in ("narwhals", "arrow"))
            same = a.columns == b.columns and all(
                a.get_column(c).cast(str).to_list() == b.get_column(c).cast(str).to_list()
                for c in a.columns)
            line += f"; arrow/narwhals {rates['arrow'] / rates['narwhals']:.2f}x; same rows: {same}"
        print(f"{engine}: {line}", flush=True)


if __name__ == "__main__":
    main()
