"""Benchmark score_frame against a hand-written per-row loop (issue 5).

Run from the repository root (one command):

    .venv/bin/python benchmarks/bench_frame.py            # 10**6 rows
    .venv/bin/python benchmarks/bench_frame.py --rows 200000 --spark

Everything runs single-threaded (POLARS_MAX_THREADS=1, one Arrow thread). Reported per input:
rows/s (best of 3), the ratio to the baseline (a minimal per-row Python function over plain dicts,
table look-ups only, on 20,000 of the same cases) and the memory the call adds (peak RSS during the
call minus RSS before it, measured in a fresh process) against the categorical input's
``memory_usage(deep=True)``.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

SEEDS = ["tomita", "tokuhashi_1990", "tokuhashi_2005", "sins", "escc"]
BASELINE_ROWS = 20_000

# ---------------------------------------------------------------------------------------------
# The cases: every seed field present except the two overrides (mostly absent) — typed here from
# interchange.md §1, §2.
# ---------------------------------------------------------------------------------------------
HISTOLOGIES = (
    "lung", "lung_nsclc", "lung_sclc", "breast", "prostate", "thyroid", "carcinoid", "kidney",
    "uterus", "rectum", "colon", "stomach", "esophagus", "pancreas", "bladder", "liver",
    "gallbladder", "osteosarcoma", "sarcoma", "melanoma", "lymphoma", "myeloma", "seminoma",
    "germ_cell", "ovary", "head_neck", "unknown", "other",
)
LEVELS = (*(f"C{i}" for i in range(1, 8)), *(f"T{i}" for i in range(1, 13)),
          *(f"L{i}" for i in range(1, 6)), *(f"S{i}" for i in range(1, 6)))
CODES: dict[str, tuple[Any, ...]] = {
    "histology": HISTOLOGIES,
    "tomita_growth": (None, None, None, None, "slow", "moderate", "rapid"),
    "radiosensitivity": (None, None, None, "sensitive", "resistant"),
    "visceral_metastases": ("none", "resectable", "treatable", "untreatable"),
    "frankel": ("A", "B", "C", "D", "E"),
    "level": LEVELS,
    "pain": ("mechanical", "occasional", "none"),
    "bone_lesion": ("lytic", "mixed", "blastic"),
    "alignment": ("subluxation", "deformity", "normal"),
    "collapse": ("over_50", "under_50", "involved_over_50", "none"),
    "posterolateral": ("bilateral", "unilateral", "none"),
    "escc": ("0", "1a", "1b", "1c", "2", "3"),
}
NUMBERS: dict[str, tuple[int, ...]] = {
    "kps": tuple(range(10, 101, 10)),
    "extraspinal_bone_metastases": (0, 0, 1, 2, 3, 5),
    "vertebral_metastases": (1, 1, 2, 3, 6),
}
BOOLS = ("bone_metastases_isolated", "myelopathy", "fit_for_surgery")
#: Interchange §1.2 fields, for the extra all-instruments row (values around the cut-offs).
FURTHER_CODES: dict[str, tuple[Any, ...]] = {
    "katagiri_group": (None, "slow", "moderate", "rapid"),
    "katagiri_visceral": ("none", "nodular", "disseminated"),
}
FURTHER_NUMBERS: dict[str, tuple[float, ...]] = {
    "albumin_g_dl": (2.8, 3.4, 3.5, 3.6, 3.7, 4.1),
    "crp_mg_dl": (0.1, 0.39, 0.4, 2.0),
    "ldh_u_l": (180.0, 249.0, 250.0, 400.0),
    "platelets_10e9_l": (80.0, 100.0, 220.0),
    "calcium_mg_dl": (9.1, 10.3, 11.0),
    "bilirubin_mg_dl": (0.5, 1.4, 2.0),
    "months_diagnosis_to_mscc": (3.0, 15.0, 15.5, 40.0),
    "motor_deficit_days": (0, 3, 10, 20),
    "ecog": (0, 1, 2, 3, 4),
}
FURTHER_BOOLS = ("pathologic_fracture", "ambulatory", "previous_chemotherapy")


def make_further(cols: dict[str, Any], n: int, seed: int = 6) -> dict[str, Any]:
    """*cols* plus the §1.2 columns (and ``ecog``) for the all-instruments row."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out = dict(cols)
    for name, values in FURTHER_CODES.items():
        out[name] = np.array(values, dtype=object)[rng.integers(0, len(values), n)]
    for name, numbers in FURTHER_NUMBERS.items():
        out[name] = np.array(numbers, dtype=np.float64)[rng.integers(0, len(numbers), n)]
    for name in FURTHER_BOOLS:
        out[name] = rng.random(n) < 0.5
    return out


def make_columns(n: int, seed: int = 5) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {}
    for name, values in CODES.items():
        cols[name] = np.array(values, dtype=object)[rng.integers(0, len(values), n)]
    for name, ints in NUMBERS.items():
        cols[name] = np.array(ints, dtype=np.float64)[rng.integers(0, len(ints), n)]
    for name in BOOLS:
        cols[name] = rng.random(n) < (0.1 if name == "bone_metastases_isolated" else 0.5)
    return cols


def make_frame(kind: str, cols: dict[str, Any]) -> Any:
    if kind == "polars":
        import polars as pl

        return pl.DataFrame({k: (pl.Series(k, list(v), dtype=pl.String)
                                 if k in CODES or k in FURTHER_CODES else v)
                             for k, v in cols.items()})
    import pandas as pd

    dtype = {"pandas-str": "str", "pandas-object": object, "pandas-categorical": "category"}[kind]
    return pd.DataFrame({k: (pd.Series(v, dtype=dtype) if k in CODES or k in FURTHER_CODES
                             else v)
                         for k, v in cols.items()})


def as_dicts(cols: dict[str, Any], n: int) -> list[dict[str, Any]]:
    names = list(cols)
    lists = [cols[k][:n].tolist() for k in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*lists, strict=True)]


# ---------------------------------------------------------------------------------------------
# Baseline: the fastest honest per-row loop — plain dicts, table look-ups, no validation, no
# result objects. Tables typed from interchange.md §2-§5.
# ---------------------------------------------------------------------------------------------
GROWTH = {"breast": "slow", "thyroid": "slow", "prostate": "slow", "kidney": "moderate",
          "uterus": "moderate", "lung": "rapid", "lung_nsclc": "rapid", "lung_sclc": "rapid",
          "stomach": "rapid", "unknown": "rapid"}
T_GROWTH = {"slow": 1, "moderate": 2, "rapid": 4}
T_VISC = {"none": 0, "resectable": 2, "treatable": 2, "untreatable": 4}
K_VISC = {"none": 2, "resectable": 1, "treatable": 0, "untreatable": 0}
K_KPS = {10: 0, 20: 0, 30: 0, 40: 0, 50: 1, 60: 1, 70: 1, 80: 2, 90: 2, 100: 2}
K_FRANKEL = {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}
P90 = dict.fromkeys(HISTOLOGIES, 1) | {"lung": 0, "lung_nsclc": 0, "lung_sclc": 0, "stomach": 0,
                                     "thyroid": 2, "prostate": 2, "breast": 2, "rectum": 2}
P05 = dict.fromkeys(HISTOLOGIES, 2) | {
    **dict.fromkeys(("lung", "lung_nsclc", "lung_sclc", "osteosarcoma", "stomach", "bladder",
                     "esophagus", "pancreas"), 0),
    **dict.fromkeys(("liver", "gallbladder", "unknown"), 1), "kidney": 3, "uterus": 3,
    "rectum": 4, **dict.fromkeys(("thyroid", "breast", "prostate", "carcinoid"), 5)}
LOCATION = {**dict.fromkeys(("C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"), 3),
            **dict.fromkeys(("C3", "C4", "C5", "C6", "L2", "L3", "L4"), 2),
            **dict.fromkeys(tuple(f"T{i}" for i in range(3, 11)), 1),
            **dict.fromkeys(("S2", "S3", "S4", "S5"), 0)}
PAIN = {"mechanical": 3, "occasional": 1, "none": 0}
BONE = {"lytic": 2, "mixed": 1, "blastic": 0}
ALIGN = {"subluxation": 4, "deformity": 2, "normal": 0}
COLLAPSE = {"over_50": 3, "under_50": 2, "involved_over_50": 1, "none": 0}
POSTERO = {"bilateral": 3, "unilateral": 1, "none": 0}
ESCC_CLASS = {"0": "low", "1a": "low", "1b": "low", "1c": "intermediate", "2": "high", "3": "high"}
RADIO = {**dict.fromkeys(("breast", "prostate", "lymphoma", "myeloma", "seminoma", "ovary"),
                         "sensitive"),
         **dict.fromkeys(("lung_nsclc", "thyroid", "kidney", "liver", "osteosarcoma", "sarcoma",
                          "melanoma", "colon", "rectum"), "resistant")}
T_BAND = {**dict.fromkeys((2, 3), "long_term_local_control"),
          **dict.fromkeys((4, 5), "middle_term_local_control"),
          **dict.fromkeys((6, 7), "short_term_palliation"),
          **dict.fromkeys((8, 9, 10), "terminal_care")}
K90_BAND = {t: "poor" if t <= 5 else "intermediate" if t <= 8 else "good" for t in range(13)}
K05_BAND = {t: "lt_6_months" if t <= 8 else "gte_6_months" if t <= 11 else "gte_12_months"
            for t in range(16)}
S_BAND = {t: "stable" if t <= 6 else "potentially_unstable" if t <= 12 else "unstable"
          for t in range(19)}


def _radiation(cls: str, radio: str | None, fit: bool | None, myelo: bool | None) -> str:
    if radio == "sensitive":
        return "cebrt"
    if cls != "high":
        return "srs" if radio == "resistant" else "undetermined"
    if radio == "resistant":
        return {True: "separation_surgery_then_srs", False: "cebrt"}.get(fit, "undetermined")  # type: ignore[arg-type]
    return "decompression_then_radiation" if fit is True and myelo is True else "undetermined"


FITS = (True, False, None)
RADIATION = {(c, r, f, m): _radiation(c, r, f, m) for c in ("low", "intermediate", "high")
             for r in ("sensitive", "resistant", None) for f in FITS for m in FITS}
STABILIZATION = {**{("stable", f): "none" for f in FITS},
                 **{("potentially_unstable", f): "surgical_consultation" for f in FITS},
                 ("unstable", True): "stabilization", ("unstable", None): "stabilization",
                 ("unstable", False): "percutaneous_stabilization"}


def baseline(r: dict[str, Any]) -> tuple[Any, ...]:
    h, visc, e, v = r["histology"], r["visceral_metastases"], r["extraspinal_bone_metastases"], \
        r["vertebral_metastases"]
    growth = r["tomita_growth"] or GROWTH.get(h)
    if growth is None:
        tomita = tomita_band = None
    else:
        bone = 1 if r["bone_metastases_isolated"] or e + v == 1 else 2
        tomita = T_GROWTH[growth] + T_VISC[visc] + bone
        tomita_band = T_BAND[tomita]
    common = (K_KPS[r["kps"]] + (0 if e >= 3 else 1 if e >= 1 else 2)
              + (0 if v >= 3 else 1 if v == 2 else 2) + K_VISC[visc] + K_FRANKEL[r["frankel"]])
    k90, k05 = common + P90[h], common + P05[h]
    sins = (LOCATION[r["level"]] + PAIN[r["pain"]] + BONE[r["bone_lesion"]]
            + ALIGN[r["alignment"]] + COLLAPSE[r["collapse"]] + POSTERO[r["posterolateral"]])
    sins_band = S_BAND[sins]
    grade = r["escc"]
    cls = ESCC_CLASS[grade]
    fit = r["fit_for_surgery"]
    radiation = RADIATION[(cls, r["radiosensitivity"] or RADIO.get(h), fit, r["myelopathy"])]
    return (tomita, tomita_band, k90, K90_BAND[k90], k05, K05_BAND[k05], sins, sins_band, grade,
            cls, radiation, STABILIZATION[(sins_band, fit)])


def scalar_loop(rows: list[dict[str, Any]]) -> list[Any]:
    from spinemets import assess
    from spinemets.interchange import parse_case

    lesion = ("level", "pain", "bone_lesion", "alignment", "collapse", "posterolateral", "escc")
    out = []
    for r in rows:
        case = {k: v for k, v in r.items() if k not in lesion}
        case["lesions"] = [{k: r[k] for k in lesion}]
        out.append(assess(parse_case(case)))
    return out


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# ---------------------------------------------------------------------------------------------
# Memory: a fresh process builds one input, warms up, then reports its peak RSS over the call.
# ---------------------------------------------------------------------------------------------


def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise KeyError(key)  # pragma: no cover


def memory_child(kind: str, rows: int) -> None:
    import pyarrow as pa

    pa.set_cpu_count(1)
    from spinemets import score_frame

    cols = make_columns(rows)
    frame = make_frame(kind, cols)
    del cols
    score_frame(frame[:100] if kind != "polars" else frame.head(100), scores=SEEDS)  # imports
    input_bytes = None
    if kind.startswith("pandas"):
        input_bytes = int(frame.memory_usage(deep=True).sum())
    else:
        input_bytes = int(frame.estimated_size())
    gc.collect()
    import ctypes

    ctypes.CDLL("libc.so.6").malloc_trim(0)  # free heap pages are not "before": return them
    before = _status("VmRSS:")
    with open("/proc/self/clear_refs", "w") as f:  # reset the peak (VmHWM) to the current RSS
        f.write("5")
    out = score_frame(frame, scores=SEEDS)
    peak = _status("VmHWM:")
    out_bytes = (int(out.memory_usage(deep=True).sum()) if kind.startswith("pandas")
                 else int(out.estimated_size()))
    print(json.dumps({"added": peak - before, "input": input_bytes, "output": out_bytes}))


def measure_memory(kind: str, rows: int) -> dict[str, int]:
    done = subprocess.run([sys.executable, __file__, "--memory-child", kind, "--rows", str(rows)],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def spark_rate(cols: dict[str, Any], rows: int) -> float | None:  # pragma: no cover - optional
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    import pandas as pd

    from spinemets import score_frame

    spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    try:
        sdf = spark.createDataFrame(pd.DataFrame(cols).head(rows)).cache()
        sdf.count()
        seconds = best_of(lambda: score_frame(sdf, scores=SEEDS).write.format("noop")
                          .mode("overwrite").save(), repeat=2)
    finally:
        spark.stop()
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory-child")
    parser.add_argument("--spark", action="store_true", help="also time PySpark (local[1])")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.rows)
        return

    import pyarrow as pa

    pa.set_cpu_count(1)
    from spinemets import score_frame

    cols = make_columns(args.rows)
    dicts = as_dicts(cols, BASELINE_ROWS)
    # The baseline is honest only if it computes the same answers.
    check = score_frame(make_frame("pandas-str", {k: v[:BASELINE_ROWS] for k, v in cols.items()}),
                        scores=SEEDS)
    import pandas as pd

    got = [tuple(None if pd.isna(v) else v for v in row)
           for row in check.drop(columns="error").astype(object).itertuples(index=False)]
    assert got == [baseline(r) for r in dicts], "baseline disagrees with score_frame"

    base = BASELINE_ROWS / best_of(lambda: [baseline(r) for r in dicts])
    results: list[tuple[str, int, float]] = [("baseline: per-row dict look-ups", BASELINE_ROWS,
                                              base)]
    results.append(("scalar API: assess() per row", BASELINE_ROWS,
                    BASELINE_ROWS / best_of(lambda: scalar_loop(dicts), repeat=1)))
    kinds = ["pandas-str", "pandas-object", "pandas-categorical", "polars"]
    for kind in kinds:
        frame = make_frame(kind, cols)
        score_frame(frame[:100] if kind != "polars" else frame.head(100), scores=SEEDS)
        results.append((f"score_frame {kind}", args.rows,
                        args.rows / best_of(lambda f=frame: score_frame(f, scores=SEEDS))))
        del frame
    # One extra row: every instrument (the default scores=) on categorical input with the
    # §1.2 columns added.
    frame = make_frame("pandas-categorical", make_further(cols, args.rows))
    score_frame(frame[:100])
    results.append(("score_frame pandas-categorical, all", args.rows,
                    args.rows / best_of(lambda f=frame: score_frame(f))))
    del frame
    if args.spark:
        rate = spark_rate(cols, min(args.rows, 200_000))
        if rate is not None:
            results.append(("score_frame pyspark local[1]", min(args.rows, 200_000), rate))

    memory = {kind: measure_memory(kind, args.rows) for kind in kinds}
    cat_input = memory["pandas-categorical"]["input"]
    mib = 1024 * 1024
    print(f"\nscore_frame(..., scores={SEEDS}); single-threaded; best of 3")
    print("(the 'all' row: every instrument, default scores=, on 29 categorical/numeric columns)")
    print(f"categorical input memory_usage(deep=True): {cat_input / mib:.1f} MiB\n")
    header = (f"{'input':36} {'rows':>9} {'rows/s':>12} {'x baseline':>10} "
              f"{'added MiB':>10} {'x cat input':>11}")
    print(header)
    print("-" * len(header))
    for label, n, rate in results:
        kind = label.removeprefix("score_frame ")
        mem = memory.get(kind)
        added = f"{mem['added'] / mib:10.1f} {mem['added'] / cat_input:11.2f}" if mem else ""
        print(f"{label:36} {n:>9,} {rate:>12,.0f} {rate / base:>10.1f} {added}")


if __name__ == "__main__":
    main()
