"""Every DataFrame engine on the same input, side by side (issue 13).

Run from the repository root (one command; PySpark and Java optional):

    .venv/bin/python benchmarks/bench_engines.py               # 10**6 rows, every engine
    .venv/bin/python benchmarks/bench_engines.py --rows 100000 --engines pandas-str,duckdb

The input: the cases of ``bench_frame.py`` with every field of every instrument (29 columns, 14 of
them strings), every score (the default ``scores=``). Each engine runs in a child process of its
own (a clean peak RSS, no state shared between engines): it builds the input in its own form,
scores it once to warm up, then times the call best of 3 and checks the result against pandas on
the same rows (every output column, exactly). Before each timed call the evaluator's tables kept
between calls are forgotten (in the process, and in Dask's workers; PySpark's Python workers keep
theirs), so each call pays for them as a first call on a new frame does. What is timed, per engine:

- pandas, Polars eager: ``score_frame(df)`` on a frame in memory (one thread);
- Polars lazy: ``score_frame(lf).collect(engine="streaming")`` (one thread);
- DuckDB (``threads=1``): ``score_frame(con.table(...)).to_arrow_table()`` from a DuckDB table;
- ``duckdb-floor`` (not run unless named): DuckDB's own share of that, the input streamed out as
  Arrow batches and pandas' result streamed back in and read as Arrow, no scoring in between;
- Dask (``LocalCluster``, 1 or 2 single-threaded worker processes): the input read from 8
  Parquet parts and persisted on the workers, then every partition scored on its worker (only
  lengths come back); the workers run with ``SPINEMETS_TUNE_MALLOC=1`` (see
  ``spinemets/frame/_dask.py``; Dask's nanny makes glibc fault every array's pages in afresh
  without it), ``--no-dask-tune`` to leave the allocator as Dask sets it;
- PySpark (``local[1]``, ``local[2]``): the input cached in 8 partitions, then
  ``score_frame(sdf)`` written to Spark's ``noop`` sink (every row computed, nothing written);
  the session's start-up is not timed. Java ERROR lines the child logs are counted. The session
  sets ``spark.sql.execution.arrow.maxBytesPerBatch`` to 2147483647, as the scaling tutorial
  recommends (``BENCH_SPARK_BATCH_BYTES=67108864`` for Spark's default).

Printed per engine: rows/s, the cores it used, the ratio per core to pandas ``str`` on one thread
((rows/s ÷ cores) ÷ pandas ``str`` rows/s), the peak RSS of its process while scoring (workers'
memory is not included for Dask and Spark: their JVM/worker processes are reported separately
where measurable) and whether the result matched pandas. A second table compares pandas with the
per-row baseline of ``bench_frame.py`` (the five seed scores).
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gc
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_frame

ENGINES = ("pandas-str", "pandas-categorical", "polars", "polars-lazy", "duckdb", "dask-1",
           "dask-2", "spark-1", "spark-2")
CORES = {"dask-1": 1, "dask-2": 2, "spark-1": 1, "spark-2": 2}
PARTS = int(os.environ.get("BENCH_PARTS", "8"))  # partitions for Dask and Spark (--parts)


def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise KeyError(key)  # pragma: no cover


def _reset_peak() -> None:
    gc.collect()
    import ctypes

    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:  # the peak (VmHWM) restarts at the current RSS
        f.write("5")


def cold() -> None:
    """Forget the evaluator's tables kept between calls in this process (``_numpy``), so that a
    timed call pays for them as the first call on a new frame does."""
    from spinemets.frame import _numpy

    for name in ("_FUSED", "_PLANS"):
        getattr(_numpy, name, {}).clear()
    getattr(_numpy, "_fused_bytes", [0])[0] = 0


def best_of(fn: Callable[[], Any], repeat: int,
            before: Callable[[], Any] = lambda: None) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        before()
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _normal(df: Any) -> dict[str, Any]:
    """Columns of a pandas frame as comparable pandas arrays (codes as strings, totals Int16)."""
    import pandas as pd

    out = {}
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or \
                pd.api.types.is_string_dtype(col.dtype):
            out[name] = col.astype(object).where(col.notna(), None).astype("string[pyarrow]")
        else:
            out[name] = col.astype("Int16")
        out[name] = out[name].reset_index(drop=True)
    return out


def _same(got: Any, want: Any) -> bool:
    a, b = _normal(got), _normal(want)
    if list(a) != list(b):
        return False
    return all(a[k].equals(b[k]) for k in a)


def child(engine: str, rows: int, repeat: int, seeds: bool) -> dict[str, Any]:
    import pyarrow as pa

    pa.set_cpu_count(1)
    from spinemets import score_frame

    cols = bench_frame.make_columns(rows)
    if not seeds:
        cols = bench_frame.make_further(cols, rows)
    scores = bench_frame.SEEDS if seeds else None
    pdf = bench_frame.make_frame("pandas-str", cols)
    want = score_frame(pdf, scores=scores)
    cleanup: list[Callable[[], Any]] = []
    prepare: Callable[[], Any] = cold  # before each timed call (Dask: its workers too)
    if engine.startswith("pandas"):
        frame = bench_frame.make_frame(engine, cols)
        del cols, pdf

        def run() -> Any:
            return score_frame(frame, scores=scores)

        def result(out: Any) -> Any:
            return out
    elif engine.startswith("polars"):
        frame = bench_frame.make_frame("polars", cols)
        del cols, pdf
        if engine == "polars-lazy":
            lazy = frame.lazy()

            def run() -> Any:
                return score_frame(lazy, scores=scores).collect(engine="streaming")
        else:
            def run() -> Any:
                return score_frame(frame, scores=scores)

        def result(out: Any) -> Any:
            return out.to_pandas()
    elif engine.startswith("duckdb"):
        import duckdb

        from spinemets.frame import _arrow

        con = duckdb.connect()
        con.sql("set threads=1")
        arrow_cases = pa.Table.from_pandas(pdf, preserve_index=False)
        con.sql("create table cases as select * from arrow_cases")
        del cols, pdf, arrow_cases
        # duckdb-floor, DuckDB's own share: the input streamed out as Arrow (as score_frame reads
        # it) and the scored columns streamed back and read as Arrow, with no scoring in between
        # (the batches handed back are pandas' result, made before the clock starts).
        scored = pa.Table.from_pandas(want, preserve_index=False)
        out_batches = scored.to_batches(_arrow.BATCH_ROWS)

        def stream() -> Any:
            reader = con.table("cases").to_arrow_reader(_arrow.BATCH_ROWS)
            for batch, out in zip(reader, out_batches, strict=False):
                assert batch.num_rows
                yield out

        def run() -> Any:
            if engine == "duckdb-floor":
                source = pa.RecordBatchReader.from_batches(scored.schema, stream())
                return duckdb.connect().from_arrow(source).to_arrow_table()
            return score_frame(con.table("cases"), scores=scores).to_arrow_table()

        def result(out: Any) -> Any:
            return out.to_pandas()
    elif engine.startswith("dask"):
        import dask
        import dask.dataframe as dd
        from distributed import Client, LocalCluster, wait

        workers = CORES[engine]
        if os.environ.get("BENCH_DASK_TUNE", "1") == "1":  # the workers inherit it (opt-in)
            os.environ["SPINEMETS_TUNE_MALLOC"] = "1"
        tmp = tempfile.TemporaryDirectory()
        cleanup.append(tmp.cleanup)
        dd.from_pandas(pdf, npartitions=PARTS).to_parquet(tmp.name)
        del cols, pdf
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        cleanup[:0] = [client.close, cluster.close]
        with dask.config.set({"dataframe.convert-string": True}):
            ddf = dd.read_parquet(tmp.name).persist()
        wait(ddf)

        def prepare() -> None:
            cold()
            client.run(cold)

        def run() -> Any:  # every partition scored on its worker; only lengths come back
            out = score_frame(ddf, scores=scores)
            assert sum(dask.compute(*map(_length, out.to_delayed()))) == rows
            return out

        def result(out: Any) -> Any:
            return out.compute()
    elif engine.startswith("spark"):
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import spinemets
        cores = CORES[engine]
        spark = (SparkSession.builder.master(f"local[{cores}]")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                 .config("spark.sql.shuffle.partitions", str(PARTS))
                 # As the scaling tutorial recommends: no Arrow size check per row.
                 .config("spark.sql.execution.arrow.maxBytesPerBatch",
                         os.environ.get("BENCH_SPARK_BATCH_BYTES", "2147483647"))
                 .config("spark.driver.memory", "2g").getOrCreate())
        cleanup.append(spark.stop)
        pdf["_row"] = range(len(pdf))
        sdf = spark.createDataFrame(pdf).repartition(PARTS).cache()
        sdf.count()
        del cols, pdf

        def run() -> Any:
            out = score_frame(sdf, scores=scores)
            out.write.format("noop").mode("overwrite").save()
            return out

        def result(out: Any) -> Any:  # rows in input order, through the kept row number
            got = score_frame(sdf, scores=scores, keep_input=True).toPandas()
            return got.sort_values("_row", ignore_index=True)[list(want.columns)]
    else:
        raise SystemExit(f"unknown engine {engine!r}")
    try:
        run()  # warm-up: imports, JIT, worker start
        _reset_peak()
        before = _status("VmRSS:")
        seconds, out = best_of(run, repeat, prepare)
        peak = _status("VmHWM:")
        got = result(out)
        if engine.startswith("dask"):
            got = got.sort_index()
        same = _same(got, want)
    finally:
        for fn in cleanup:
            fn()
    return {"engine": engine, "rows": rows, "seconds": seconds, "rate": rows / seconds,
            "cores": CORES.get(engine, 1), "rss_before": before, "peak": peak, "same": same}


def _length(part: Any) -> Any:
    import dask

    return dask.delayed(len)(part)


def baseline_rate(rows: int) -> float:
    cols = bench_frame.make_columns(rows)
    dicts = bench_frame.as_dicts(cols, bench_frame.BASELINE_ROWS)
    seconds, _ = best_of(lambda: [bench_frame.baseline(r) for r in dicts], 3)
    return bench_frame.BASELINE_ROWS / seconds


def run_child(engine: str, rows: int, repeat: int, seeds: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", engine, "--rows", str(rows),
           "--repeat", str(repeat)] + (["--seeds"] if seeds else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    errors = [line for line in done.stderr.splitlines()
              if " ERROR " in line or line.startswith("ERROR")]
    java_errors = len(errors)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"engine": engine, "failed": " | ".join(tail)}
    out = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    out["java_errors"] = java_errors
    out["first_error"] = errors[0][:300] if errors else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--child")
    parser.add_argument("--seeds", action="store_true", help="the five seed scores only")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--parts", type=int, default=PARTS,
                        help="partitions of the Dask and Spark input (default 8)")
    parser.add_argument("--no-dask-tune", action="store_true",
                        help="Dask workers without SPINEMETS_TUNE_MALLOC=1")
    parser.add_argument("--no-seeds", action="store_true",
                        help="skip the table against the per-row baseline")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows, args.repeat, args.seeds)))
        return

    os.environ["BENCH_PARTS"] = str(args.parts)  # the children read it
    os.environ["BENCH_DASK_TUNE"] = "0" if args.no_dask_tune else "1"
    engines = [e for e in args.engines.split(",") if e]
    if "pandas-str" not in engines:
        engines.insert(0, "pandas-str")
    results = [run_child(e, args.rows, args.repeat, seeds=False) for e in engines]
    ref = next(r["rate"] for r in results if r["engine"] == "pandas-str" and "rate" in r)
    mib = 1024 * 1024
    print(f"\n{args.rows:,} rows, every score, 29 input columns; best of {args.repeat}; "
          "per core = (rows/s / cores) / pandas str rows/s")
    header = (f"{'engine':20} {'rows/s':>11} {'cores':>5} {'per core':>8} {'peak MiB':>9} "
              f"{'added MiB':>9} {'same':>5} {'java ERR':>8}")
    print(header)
    print("-" * len(header))
    for r in results:
        if "failed" in r:
            print(f"{r['engine']:20} failed: {r['failed']}")
            continue
        ratio = r["rate"] / r["cores"] / ref
        print(f"{r['engine']:20} {r['rate']:>11,.0f} {r['cores']:>5} {ratio:>8.2f} "
              f"{r['peak'] / mib:>9.0f} {(r['peak'] - r['rss_before']) / mib:>9.0f} "
              f"{r['same']!s:>5} {r['java_errors']:>8}")

    print(f"(Dask and Spark input in {args.parts} partitions; Dask workers "
          f"{'without' if args.no_dask_tune else 'with'} SPINEMETS_TUNE_MALLOC=1)")
    seeds = [] if args.no_seeds else [run_child(e, args.rows, args.repeat, seeds=True)
                                      for e in ("pandas-str", "pandas-categorical")]
    base = baseline_rate(args.rows) if seeds else math.nan
    if seeds:
        print(f"\nfive seed scores ({', '.join(bench_frame.SEEDS)}) against the per-row "
              f"baseline of bench_frame.py ({base:,.0f} rows/s)")
    for r in seeds:
        if "failed" in r:
            print(f"{r['engine']:20} failed: {r['failed']}")
            continue
        print(f"{r['engine']:20} {r['rate']:>11,.0f} rows/s {r['rate'] / base:>6.1f}x baseline")
    if args.json:
        Path(args.json).write_text(json.dumps({"engines": results, "seeds": seeds,
                                               "baseline": base}, indent=1))


if __name__ == "__main__":
    main()
