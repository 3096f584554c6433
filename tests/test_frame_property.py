"""The net under score_frame: on Hypothesis-generated frames, every row equals ``assess()``.

Frames of 0-50 rows over any subset of the interchange columns, each column in a dtype a reader
produces (pandas: object, ``str``, ``string``, Arrow strings, categoricals with unused and unknown
categories, float64/float32 with NaN, int64, nullable ``Int64``/``Float64``/``boolean``, numpy
``bool``; Polars: ``String``, ``Categorical``, ``Enum``, ``Null``, ``Boolean``, ``Int64``,
``Float64``, ``Float32``), all-null columns, integers stored as strings, and bad cells mixed in
(wrong codes and case, numbers in boolean columns and booleans in number columns, lists, lone
surrogates, ``10**400``, ``1e308``, ``2**53``, ±Infinity, NumPy scalars). Every row's every output
column must equal ``assess()`` of the row's dict (``tests/frame_oracle.py``), or the row's
``error`` must name exactly the fields ``Case.from_dict`` names; output dtypes must not depend on
the input columns. Engines: pandas, Polars eager and lazy, DuckDB (from the Polars frame); Dask
and Spark on fewer examples (Spark behind the ``spark`` marker).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinemets

from . import frame_oracle as oracle
from ._spark import local_spark
from .test_frame import CHOICES

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

FIELDS = tuple(CHOICES)
#: Valid values beyond CHOICES: large counts and lab values (still valid).
MORE_VALID: dict[str, tuple[Any, ...]] = {
    "extraspinal_bone_metastases": (40, 2**40), "vertebral_metastases": (24, 2**53 - 1),
    "ldh_u_l": (1e300,), "platelets_10e9_l": (1e6,), "months_diagnosis_to_mscc": (0.004, 600.5),
}
#: Strings that are not codes: case, spaces, empties, words a CSV reader leaves behind.
BAD_STRINGS = ("", " ", "Kidney", "T12 ", "NONE", "None", "nan", "NA", "null", "true", "Y",
               "1a ", "4", "80")
#: Bad numbers for any numeric field (each is invalid for every integer and number field).
BAD_NUMBERS = (-1.0, math.inf, -math.inf, -(2.0**60))
INT_BAD = (2.5, 80.5, 1e308, 2.0**53, -(2.0**53), 2.0**60)
INT_BAD_INTS = (-1, -(2**53), 2**53, 2**62)
FIELD_BAD: dict[str, tuple[Any, ...]] = {
    "kps": (0, 85, 110, 5), "ecog": (5, 7), "vertebral_metastases": (0,),
    "albumin_g_dl": (0.0, -0.0), "motor_deficit_days": (1.5,),
}
OBJECT_ODDITIES = ([80], {"a": 1}, 10**400, -(10**400), "\ud800", (), b"kidney")


def valid_values(name: str) -> tuple[Any, ...]:
    values = (*CHOICES[name], *MORE_VALID.get(name, ()))
    if name == "motor_deficit_days":  # 0 (Rades not applicable) is not the first choice
        values = (*values[1:], values[0])
    return values


def kind_of(name: str) -> str:
    if name in oracle.CODE_FIELDS:
        return "code"
    if name in oracle.BOOL_FIELDS:
        return "bool"
    return "int" if name in oracle.INT_FIELDS else "number"


def pools(name: str, storage: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``(valid, bad)`` cells of field *name* that a column of *storage* type can hold."""
    kind = kind_of(name)
    valid = valid_values(name)
    if storage == "str":
        if kind == "code":
            wrong_case = tuple(v.upper() for v in valid if v.upper() != v)[:3]
            return valid, (*BAD_STRINGS, *wrong_case)
        return (), (*{str(v) for v in valid[:4]}, "True", "80.0", "")
    if storage == "bool":
        return ((True, False), ()) if kind == "bool" else ((), (True, False))
    if storage in ("float", "int"):
        if kind == "code":
            if name == "escc":
                return (0, 2, 3), (1, 4, -1, 12)
            return (), (0, 1, 2)
        if kind == "bool":
            return (), (0, 1)
        ints = tuple(v for v in valid if type(v) is int or (type(v) is float and v.is_integer()))
        bad = (*FIELD_BAD.get(name, ()),)
        if storage == "int":
            return (tuple(int(v) for v in ints if abs(v) < 2**62),
                    tuple(b for b in (*bad, *INT_BAD_INTS) if type(b) is int))
        floats = tuple(float(v) for v in valid)
        if kind == "int":
            return floats, (*(float(b) for b in bad), *BAD_NUMBERS, *INT_BAD)
        return (*floats, 2.0**60), (*(float(b) for b in bad), *BAD_NUMBERS)
    # object: every valid value, NumPy scalars of them, and cells of every wrong type.
    np_valid: tuple[Any, ...]
    if kind == "code":
        np_valid = tuple(np.str_(v) for v in valid[:3])
        bad = (*BAD_STRINGS[:6], 1, 2.0, True, np.int64(2), *OBJECT_ODDITIES)
        if name == "escc":
            np_valid += (np.int64(2), 3.0, np.float32(0.0), 0)
    elif kind == "bool":
        np_valid = (np.bool_(True), np.bool_(False))
        bad = (1, 0, 1.0, "True", "false", np.int64(1), np.float64(0.0), *OBJECT_ODDITIES)
    else:
        with np.errstate(over="ignore"):
            np_valid = (*(np.int64(v) for v in valid[:2] if type(v) is int),
                        *(np.float64(v) for v in valid[:3]),
                        *(np.float32(v) for v in valid[-2:]))
        bad = (True, False, np.bool_(True), "80", *OBJECT_ODDITIES, *BAD_NUMBERS,
               *FIELD_BAD.get(name, ()), 10**20, -(2**53), np.float64(1e308) if kind == "int"
               else np.int64(2**60))
        if kind == "int":
            bad += (*INT_BAD, np.float64(80.5))
    return (*valid, *np_valid), bad


#: Per engine, the dtypes a column may be built with, and the storage of its cells.
PANDAS_DTYPES = {
    "object": "object", "str": "str", "string": "str", "string[pyarrow]": "str",
    "category": "str", "float64": "float", "float32": "float", "Float64": "float",
    "int64": "int", "Int64": "int", "boolean": "bool", "bool": "bool",
}
POLARS_DTYPES = {
    "String": "str", "Categorical": "str", "Enum": "str", "Null": "null", "Boolean": "bool",
    "Int64": "int", "Float64": "float", "Float32": "float",
}
#: Which dtypes fit which field kind (a reader can give any dtype to any column, but a frame
#: of only wrong dtypes says little; the wrong ones are still drawn).
SENSIBLE = {
    "code": ("object", "str", "string", "string[pyarrow]", "category", "String", "Categorical",
             "Enum"),
    "bool": ("object", "boolean", "bool", "Boolean"),
    "int": ("float64", "Int64", "int64", "object", "Int64", "Float64", "float32", "Float32"),
    "number": ("float64", "float32", "Float64", "object", "Float64", "Float32", "Int64"),
}


@st.composite
def column(draw: Any, name: str, n: int, engine: str) -> tuple[str, list[Any], list[Any]]:
    """``(dtype, cells, python values)`` of one column of *n* rows."""
    table = PANDAS_DTYPES if engine == "pandas" else POLARS_DTYPES
    kind = kind_of(name)
    sensible = [d for d in SENSIBLE[kind] if d in table]
    dtype = draw(st.one_of(st.sampled_from(sensible), st.sampled_from(sorted(table))))
    storage = table[dtype]
    mode = draw(st.sampled_from(("clean",) * 10 + ("dirty", "dirty", "bad", "null")))
    if storage == "null":
        mode = "null"
    valid, bad = pools(name, "str" if storage == "null" else storage)
    if dtype == "string[pyarrow]" or (engine != "pandas" and storage == "str"):
        bad = tuple(b for b in bad if not (isinstance(b, str) and "\ud800" in b))
    if mode == "bad" or not valid:  # a column of bad cells only (and nulls)
        valid = bad if mode in ("dirty", "bad") else ()
    nulls = (None, math.nan, pd.NA) if dtype == "object" else (None,)
    cells: list[Any] = []
    if mode == "null" or not valid:
        cells = [draw(st.sampled_from(nulls)) for _ in range(n)]
    else:
        null_share = draw(st.sampled_from((0, 0, 0, 1, 4)))  # of 10 cells
        for _ in range(n):
            cells.append(draw(st.sampled_from(nulls)) if draw(st.integers(0, 9)) < null_share
                         else draw(st.sampled_from(valid)))
        if mode == "dirty" and bad and n:
            for i in draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3)):
                cells[i] = draw(st.sampled_from(bad))
    if dtype in ("bool", "int64") and any(oracle.is_null(c) for c in cells):
        dtype = "boolean" if dtype == "bool" else "Int64"
    float32 = dtype in ("float32", "Float32")
    with np.errstate(over="ignore"):  # 1e300 as float32 is inf (an error of its field)
        values = [None if oracle.is_null(c) else oracle.python_value(c) for c in cells]
        if storage == "float":
            values = [None if v is None else float(v) for v in values]
            if float32:
                values = [None if v is None else oracle.python_value(np.float32(v))
                          for v in values]
    return dtype, cells, values


@st.composite
def frames(draw: Any, engine: str, max_rows: int = 50) -> tuple[list[tuple[str, str, list[Any]]],
                                                                    list[dict[str, Any]]]:
    """Columns ``(name, dtype, cells)`` and the rows' dicts."""
    n = draw(st.one_of(st.integers(0, 3), st.integers(0, max_rows)))  # tiny frames often
    subset = draw(st.sampled_from(("all", "most", "any")))
    if subset == "all":
        names = list(FIELDS)
    elif subset == "most":
        drop = draw(st.sets(st.sampled_from(FIELDS), max_size=6))
        names = [f for f in FIELDS if f not in drop]
    else:
        names = draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=len(FIELDS)))
    columns = []
    values: dict[str, list[Any]] = {}
    for name in names:
        dtype, cells, vals = draw(column(name, n, engine))
        columns.append((name, dtype, cells))
        values[name] = vals
    rows = [oracle.row_dict({name: values[name][i] for name in names}) for i in range(n)]
    return columns, rows


def pandas_frame(columns: list[tuple[str, str, list[Any]]], n: int) -> Any:
    data = {}
    for name, dtype, cells in columns:
        if dtype == "category":
            present = [c for c in cells if not oracle.is_null(c)]
            extra = ["zz_unused", *CHOICES[name][:2]] if isinstance(CHOICES[name][0], str) else []
            categories = list(dict.fromkeys([*present, *extra]))
            data[name] = pd.Series(pd.Categorical(cells, categories=categories))
        elif dtype in ("float64", "float32"):
            with np.errstate(over="ignore"):  # 1e300 as float32 is inf
                data[name] = pd.Series([math.nan if c is None else c for c in cells],
                                       dtype=dtype)
        elif dtype == "Float32":
            with np.errstate(over="ignore"):
                data[name] = pd.Series(cells, dtype=dtype)
        elif dtype == "object":
            data[name] = pd.Series(cells, dtype=object)
        else:
            data[name] = pd.Series(cells, dtype=dtype)
    df = pd.DataFrame(data, index=pd.RangeIndex(n))
    df["study_id"] = range(n)
    df.index = pd.RangeIndex(n) * 3 + 7  # a non-default index is kept
    return df


def polars_frame(columns: list[tuple[str, str, list[Any]]], n: int) -> Any:
    pl = pytest.importorskip("polars")
    series = []
    for name, dtype, cells in columns:
        if dtype == "Enum":
            present = [c for c in cells if c is not None]
            categories = dict.fromkeys(str(c) for c in [*present, "zz_unused", *CHOICES[name][:2]])
            series.append(pl.Series(name, cells, dtype=pl.Enum(list(categories))))
        elif dtype == "Categorical":
            series.append(pl.Series(name, cells, dtype=pl.Categorical))
        else:
            series.append(pl.Series(name, cells, dtype=getattr(pl, dtype)))
    series.append(pl.Series("study_id", range(n), dtype=pl.Int64))
    return pl.DataFrame(series, schema=None) if series else pl.DataFrame()


def pandas_rows(out: Any) -> list[dict[str, Any]]:
    """Rows as dicts of Python values, None for null (detail lists as lists)."""
    def value(v: Any) -> Any:
        if isinstance(v, list | tuple | np.ndarray):
            return list(v)
        return None if pd.isna(v) else v

    return [{k: value(v) for k, v in row.items()}
            for row in out.astype(object).to_dict("records")]


def declared_pandas_dtypes() -> dict[str, str]:
    df = pd.DataFrame({name: pd.Series([], dtype=object) for name in FIELDS})
    return {k: str(v) for k, v in spinemets.score_frame(df).dtypes.items()}


PANDAS_OUT_DTYPES = declared_pandas_dtypes()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames("pandas"))
def test_pandas_rows_equal_assess(frame: Any) -> None:
    columns, rows = frame
    df = pandas_frame(columns, len(rows))
    want = [oracle.expect(row) for row in rows]
    out = spinemets.score_frame(df)
    assert list(out.index) == list(df.index)
    assert {k: str(v) for k, v in out.dtypes.items()} == PANDAS_OUT_DTYPES
    for k, v in out.dtypes.items():
        if k.endswith(("_band", "_grade", "_class")):
            assert v.ordered, k
    oracle.compare(pandas_rows(out), want, "pandas")


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames("polars"))
def test_polars_eager_and_lazy_rows_equal_assess(frame: Any) -> None:
    columns, rows = frame
    df = polars_frame(columns, len(rows))
    want = [oracle.expect(row) for row in rows]
    eager = spinemets.score_frame(df)
    lazy_frame = spinemets.score_frame(df.lazy())
    schema = lazy_frame.collect_schema()
    lazy = lazy_frame.collect()
    assert eager.schema == schema == lazy.schema == polars_declared()
    oracle.compare(eager.to_dicts(), want, "polars")
    oracle.compare(lazy.to_dicts(), want, "polars-lazy")


#: DuckDB compiles one large query per call (about a second): fewer examples.
@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
@given(frames("polars", max_rows=30))
def test_duckdb_rows_equal_assess(frame: Any) -> None:
    duckdb = pytest.importorskip("duckdb")
    columns, rows = frame
    df = polars_frame(columns, len(rows))
    want = [oracle.expect(row) for row in rows]
    con = duckdb.connect()
    con.register("cases", df)
    got = spinemets.score_frame(con.sql("select * from cases"), keep_input=True)
    got = got.pl().sort("study_id")
    oracle.compare(got.to_dicts(), want, "duckdb")


def polars_declared() -> Any:
    pl = pytest.importorskip("polars")
    return spinemets.score_frame(pl.DataFrame()).schema


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
@given(frames("pandas", max_rows=20))
def test_dask_rows_equal_assess(frame: Any) -> None:
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    columns, rows = frame
    df = pandas_frame(columns, len(rows))
    want = [oracle.expect(row) for row in rows]
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        ddf = dd.from_pandas(df, npartitions=2)
        out = spinemets.score_frame(ddf).compute()
    oracle.compare(pandas_rows(out), want, "dask")


def spark_frame(spark: Any, df: Any) -> Any:
    """A Spark frame of a Polars one, column types kept (Enum/Categorical/Null as strings)."""
    pl = pytest.importorskip("polars")
    types = pytest.importorskip("pyspark.sql").types
    spark_types = {pl.String: types.StringType(), pl.Categorical: types.StringType(),
                   pl.Null: types.StringType(), pl.Boolean: types.BooleanType(),
                   pl.Int64: types.LongType(), pl.Float64: types.DoubleType(),
                   pl.Float32: types.FloatType()}
    schema = types.StructType([types.StructField(c, spark_types.get(t, types.StringType()))
                               for c, t in df.schema.items()])
    df = df.with_columns([pl.col(c).cast(pl.String) for c, t in df.schema.items()
                          if isinstance(t, pl.Enum)])
    return spark.createDataFrame(df.rows(), schema=schema)


@pytest.mark.spark
def test_spark_rows_equal_assess() -> None:
    pytest.importorskip("polars")
    with local_spark(1) as spark:
        checked = []

        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        @given(frames("polars", max_rows=15))
        def check(frame: Any) -> None:
            columns, rows = frame
            want = [oracle.expect(row) for row in rows]
            sdf = spark_frame(spark, polars_frame(columns, len(rows)))
            # collect(): toPandas warns on pandas 3.
            out = spinemets.score_frame(sdf, keep_input=True).collect()
            got = sorted((row.asDict() for row in out), key=lambda row: row["study_id"])
            oracle.compare(got, want, "spark")
            checked.append(len(rows))

        check()
    assert checked
