"""Arrow record batches through the NumPy evaluator of :mod:`spinemets.frame`.

One batch scorer serves the engines that speak Arrow: PySpark (``mapInArrow``: each Python
worker scores its partition's batches) and DuckDB (the relation is read as a stream of record
batches and the scored batches are handed back as a relation over an Arrow stream). No row
becomes a Python object and no engine builds a column expression from the plan: the same
vectorised evaluator as for pandas reads each Arrow column once into small integer codes (strings
through one hash pass against the field's vocabulary) and gathers the points from tables.

The output schema is known before any row is read (it depends only on ``scores=``, ``prefix=`` and
``keep_input=``): totals are ``int16``, code columns and ``error`` are strings (code columns
dictionary-encoded for DuckDB, which reads them as VARCHAR), nulls where pandas has ``<NA>``.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from . import frame as _frame

#: Rows per scored batch: engines hand over small batches (Spark 10,000 rows, DuckDB 2,048-row
#: vectors); the evaluator's fixed cost per call (tables per combination of codes) is paid once
#: per this many rows. Memory stays bounded: about 0.3 KiB per row in flight.
BATCH_ROWS: Final = 131_072


def _modules() -> tuple[Any, Any, Any]:
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    np = importlib.import_module("numpy")
    return pa, pc, np


def output_fields(opts: _frame._Options) -> list[tuple[str, str]]:
    """``(name, kind)`` per output column in output order (``error`` last): ``"int16"`` totals,
    ``"code"`` code columns, ``"string"`` the rest (``error``, always-null code columns)."""
    fields = [(opts.name(name), "int16" if domain is int else "string" if domain is bool
               else "code") for name, domain in _frame._declared(opts.ids)]
    return [*fields, (opts.name("error"), "string")]


def output_schema(opts: _frame._Options, input_schema: Any, *, dictionary: bool = False) -> Any:
    """The Arrow schema of scored batches: kept input columns first (``keep_input=True``, those
    not replaced by an output column), then the outputs; code columns are strings, or
    dictionary-encoded strings (int8 indices) with *dictionary*."""
    pa, _, _ = _modules()
    types = {"int16": pa.int16(), "string": pa.string(),
             "code": pa.dictionary(pa.int8(), pa.string()) if dictionary else pa.string()}
    outputs = [pa.field(name, types[kind]) for name, kind in output_fields(opts)]
    names = {f.name for f in outputs}
    kept = [f for f in input_schema if f.name not in names] if opts.keep_input else []
    return pa.schema([*kept, *outputs])


def _field(pa: Any, pc: Any, np: Any, spec: Any, arr: Any) -> Any:
    """One Arrow column read once into a :class:`~spinemets.frame._Column`, as pandas reads the
    same cells (strings hashed against the vocabulary, booleans and numbers arithmetically,
    dictionaries through their dictionary, anything else through pandas)."""
    t = arr.type
    if pa.types.is_string_view(t) if hasattr(pa.types, "is_string_view") else False:
        arr, t = arr.cast(pa.large_string()), pa.large_string()
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _frame._arrow_strings(np, spec, arr)
    if pa.types.is_dictionary(t) and (pa.types.is_string(t.value_type)
                                      or pa.types.is_large_string(t.value_type)):
        codes = pc.fill_null(arr.indices.cast(pa.int32()), -1).to_numpy(zero_copy_only=False)
        return _frame._coded(np, spec, codes, arr.dictionary.to_pylist())
    if pa.types.is_boolean(t):
        codes = pc.fill_null(arr.cast(pa.int8()), -1).to_numpy(zero_copy_only=False)
        return _frame._coded(np, spec, codes, [False, True])
    if pa.types.is_null(t):
        return _frame._coded(np, spec, np.full(len(arr), -1, np.int8), [])
    if pa.types.is_floating(t) and t.bit_width < 64:
        x = arr.to_numpy(zero_copy_only=False)  # nulls -> NaN
        return _frame._numeric(np, spec, _frame._float64(np, x))
    if pa.types.is_floating(t):
        return _frame._numeric(np, spec, arr.to_numpy(zero_copy_only=False))
    if pa.types.is_integer(t):
        x = pc.cast(arr, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        return _frame._numeric(np, spec, x, integers=True)
    pd = importlib.import_module("pandas")
    return _frame._pandas_field(pd, np, spec, pd.Series(arr.to_pandas(), dtype=object))


def _strings(pa: Any, values: Any, codes: Any) -> Any:
    """Codes (-1: null) into a string array of *values* (a list, or an array of them)."""
    index = pa.array(codes, mask=codes < 0)
    return (values if isinstance(values, pa.Array) else pa.array(values, pa.string())).take(index)


_CODES: dict[Any, Any] = {}


def _codes(pa: Any, domain: Any) -> Any:
    """The string array of an enum's codes, in member order (built once per enum)."""
    found = _CODES.get(domain)
    if found is None:
        found = _CODES[domain] = pa.array([m.value for m in domain], pa.string())
    return found


def score_batch(batch: Any, opts: _frame._Options, schema: Any = None, *,
                dictionary: bool = False) -> Any:
    """Score one Arrow record batch (or table); returns a record batch in *schema*
    (:func:`output_schema` of the batch's schema when None)."""
    pa, pc, np = _modules()
    if isinstance(batch, pa.Table):
        batch = batch.combine_chunks().to_batches()[0] if batch.num_rows else \
            pa.RecordBatch.from_pylist([], schema=batch.schema)
    if schema is None:
        schema = output_schema(opts, batch.schema, dictionary=dictionary)
    n = batch.num_rows
    present = _frame._present(opts.mapping, batch.schema.names)
    _frame._no_duplicates(present.values(), batch.schema.names)
    fields = {name: _field(pa, pc, np, _frame._FIELDS[name], batch.column(col))
              for name, col in present.items()}
    scored = _frame._score_columns(np, n, fields, present, opts)
    arrays: dict[str, Any] = {}
    for name, domain, data, mask in _frame._output_arrays(np, scored, opts.invalid):
        if mask is not None:
            arrays[name] = pa.array(data, type=pa.int16(), mask=mask)
        elif domain is bool:
            arrays[name] = pa.nulls(n, pa.string())
        else:
            codes = _codes(pa, domain)
            arrays[name] = pa.DictionaryArray.from_arrays(pa.array(data, mask=data < 0), codes) \
                if dictionary else _strings(pa, codes, data)
    error = opts.name("error")
    if scored.kinds is None:
        arrays[error] = pa.nulls(n, pa.string())
    else:
        arrays[error] = _strings(pa, scored.texts, scored.kinds)
    columns = [arrays[f.name] if f.name in arrays else batch.column(f.name) for f in schema]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def rebatch(batches: Iterable[Any], rows: int | None = None) -> Iterator[Any]:
    """Record batches regrouped into batches of at least *rows* rows (default ``BATCH_ROWS``;
    the last may be smaller); an empty stream yields nothing."""
    pa, _, _ = _modules()
    rows = BATCH_ROWS if rows is None else rows
    pending: list[Any] = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield _concat(pa, pending)
            pending, count = [], 0
    if pending:
        yield _concat(pa, pending)


def _concat(pa: Any, batches: list[Any]) -> Any:
    if len(batches) == 1:
        return batches[0]
    if hasattr(pa, "concat_batches"):
        return pa.concat_batches(batches)
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


def scorer(opts: _frame._Options, schema: Any, *,
           dictionary: bool = False) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """``batches -> scored batches`` in *schema* (picklable for Spark: a closure over the
    options and the schema only)."""

    def score(batches: Iterable[Any]) -> Iterator[Any]:
        for batch in rebatch(batches):
            yield score_batch(batch, opts, schema, dictionary=dictionary)

    return score


# --------------------------------------------------------------------------------------------
# Engines.
# --------------------------------------------------------------------------------------------


def _spark_type(types: Any, kind: str) -> Any:
    return types.ShortType() if kind == "int16" else types.StringType()


#: What Spark's ``array_position`` gives for a string outside a field's codes (0: not found), as
#: the first entry of the dictionary the Python worker reads: a string no field accepts.
_SPARK_INVALID: Final = "\x00"


def _spark_codes(opts: _frame._Options, schema: Any, vocabs: dict[str, list[str]],
                 coded: frozenset[str]) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """The ``mapInArrow`` function: input columns in *vocabs* arrive as small integers (Spark's
    ``array_position`` in the vocabulary) and are read as dictionary arrays of those vocabularies;
    the code columns in *coded* leave as their int8 indices (Spark turns them back into strings).
    Strings cost Spark far more to convert to and from Arrow than the scoring costs."""
    score = scorer(opts, schema, dictionary=True)

    def run(batches: Iterable[Any]) -> Iterator[Any]:
        pa, _, _ = _modules()
        dictionaries = {name: pa.array(v, pa.string()) for name, v in vocabs.items()}

        def read(batch: Any) -> Any:
            if not dictionaries:
                return batch
            columns = [pa.DictionaryArray.from_arrays(col, dictionaries[name])
                       if name in dictionaries else col
                       for name, col in zip(batch.schema.names, batch.columns, strict=True)]
            return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)

        for out in score(map(read, batches)):
            columns = [col.indices if name in coded else col
                       for name, col in zip(out.schema.names, out.columns, strict=True)]
            yield pa.RecordBatch.from_arrays(columns, names=out.schema.names)

    return run


def score_spark(df: Any, opts: _frame._Options) -> Any:
    """PySpark: ``mapInArrow`` with the output schema declared; every partition is scored by the
    Python worker that holds it, batch by batch (no shuffle, no code generation). Strings cross
    between the JVM and Python as small integers: string columns of coded fields are looked up in
    the field's codes by Spark (``array_position``, unless the input is kept), code columns come
    back as int8 indices into their codes (``get``): two small expressions per column."""
    types = importlib.import_module("pyspark.sql.types")
    pa, _, _ = _modules()
    to_arrow = importlib.import_module("pyspark.sql.pandas.types").to_arrow_schema
    names = {name for name, _ in output_fields(opts)}
    kept = [f for f in df.schema.fields if f.name not in names] if opts.keep_input else []
    spark_schema = types.StructType(
        [*kept, *(types.StructField(name, _spark_type(types, kind), True)
                  for name, kind in output_fields(opts))])
    _frame._no_duplicates(_frame._present(opts.mapping, df.columns).values(), df.columns)
    schema = to_arrow(spark_schema)
    # Arrow field types Spark hands over for the kept columns come from the same conversion.
    schema = pa.schema([f.with_nullable(True) for f in schema])
    present = _frame._present(opts.mapping, df.columns)
    sf = importlib.import_module("pyspark.sql.functions")

    def col(name: str) -> Any:
        return sf.col("`" + name.replace("`", "``") + "`")

    vocabs: dict[str, list[str]] = {}
    if not opts.keep_input and present:  # only the columns read, strings of coded fields coded
        dtypes = {f.name: f.dataType for f in df.schema.fields}
        selected = []
        for name, column in present.items():
            spec, dtype = _frame._FIELDS[name], dtypes[column]
            if (spec.codes is not None and len(spec.codes) < 127  # fits a tinyint
                    and isinstance(dtype, types.StringType)
                    and getattr(dtype, "collation", "UTF8_BINARY") == "UTF8_BINARY"):
                vocab = [m.value for m in spec.codes]
                vocabs[column] = [_SPARK_INVALID, *vocab]
                found = sf.array_position(sf.array(*map(sf.lit, vocab)), col(column))
                selected.append(found.cast(types.ByteType()).alias(column))
            else:
                selected.append(col(column))
        df = df.select(*selected)
    domains: dict[str, Any] = {opts.name(n): d for n, d in _frame._declared(opts.ids)}
    coded = frozenset(name for name, kind in output_fields(opts) if kind == "code")
    schema = pa.schema([f.with_type(pa.dictionary(pa.int8(), pa.string())) if f.name in coded
                        else f for f in schema])
    wire = types.StructType([types.StructField(f.name, types.ByteType(), True)
                             if f.name in coded else f for f in spark_schema.fields])
    with warnings.catch_warnings():
        # mapInArrow checks the installed pandas although Arrow batches never meet pandas here.
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas",
                                FutureWarning)
        scored = df.mapInArrow(_spark_codes(opts, schema, vocabs, coded), wire)
    return scored.select(*(
        sf.get(sf.array(*(sf.lit(m.value) for m in domains[f.name])), col(f.name)).alias(f.name)
        if f.name in coded else col(f.name) for f in spark_schema.fields))


def _duckdb_call(obj: Any, *names: str, args: tuple[Any, ...] = ()) -> Any:
    """The first of *names* the installed DuckDB has (newer names first, no deprecated call)."""
    for name in names:
        method = getattr(obj, name, None)
        if method is not None:
            return method(*args)
    raise AttributeError(names[0])  # pragma: no cover - every DuckDB >= 1.0 has one


class _Scored:
    """A scored relation's source: each scan (``__arrow_c_stream__``, the Arrow PyCapsule stream
    interface) reads the input relation afresh as record batches and scores them one by one, so
    the result is lazy and can be read any number of times, like a view."""

    def __init__(self, rel: Any, opts: _frame._Options, schema: Any) -> None:
        self.rel, self.opts, self.schema = rel, opts, schema

    def _batches(self) -> Iterator[Any]:
        # The input query starts at the first batch asked for, not when DuckDB probes the schema.
        reader = _duckdb_call(self.rel, "to_arrow_reader", "fetch_record_batch",
                              args=(BATCH_ROWS,))
        yield from scorer(self.opts, self.schema, dictionary=True)(reader)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        pa, _, _ = _modules()
        reader = pa.RecordBatchReader.from_batches(self.schema, self._batches())
        return reader.__arrow_c_stream__(requested_schema)


def score_duckdb(rel: Any, opts: _frame._Options) -> Any:
    """DuckDB: a relation whose every scan streams the input relation out as Arrow record batches,
    scores them batch by batch and streams them back in (nothing is materialised whole; code
    columns go back dictionary-encoded and read as VARCHAR). The result lives on a connection of
    its own; while it is being read the input's connection is busy with the input query."""
    duckdb = importlib.import_module("duckdb")
    _frame._no_duplicates(_frame._present(opts.mapping, rel.columns).values(), rel.columns)
    empty = _duckdb_call(rel.limit(0), "to_arrow_table", "arrow")
    schema = output_schema(opts, empty.schema, dictionary=True)
    present = _frame._present(opts.mapping, rel.columns)
    if not opts.keep_input and present and len(present) < len(rel.columns):
        # Only the columns read leave DuckDB.
        rel = rel.project(", ".join('"' + c.replace('"', '""') + '"' for c in present.values()))
    return duckdb.connect().from_arrow(_Scored(rel, opts, schema))
