"""Arrow record batches through the NumPy evaluator of :mod:`spinemets.frame`.

One batch scorer serves the engines that speak Arrow: PySpark (``mapInArrow``: each Python
worker scores its partition's batches) and DuckDB (the relation is read as a stream of record
batches and the scored batches are handed back as a relation over an Arrow stream). No row
becomes a Python object and no engine builds a column expression from the plan: the same
vectorised evaluator as for pandas reads each Arrow column once into small integer codes (strings
through one hash pass against the field's vocabulary) and gathers the points from tables.

The output schema is known before any row is read (it depends only on ``scores=``, ``prefix=``,
``keep_input=`` and ``detail=``): totals are ``int16``, code columns and ``error`` are strings (code
columns dictionary-encoded for DuckDB, which reads them as VARCHAR), nulls where pandas has
``<NA>``; detail columns are strings (``<id>_status``) and ``list<string>``.

Long form (``lesions=``, ``on=``): each case batch carries one ``list<struct>`` column
(:data:`LESIONS`) of its cases' lesion rows in lesion-frame order, gathered by Spark
(``collect_list`` joined onto the cases) or, on DuckDB, attached in Python from the lesion relation
read once per scan; the batch scorer reads it as the lesion frame of ``frame._score_long``.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from .. import frame as _frame

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
    ``"code"`` code columns, ``"string"`` the rest (``error``, always-null code columns,
    ``<id>_status``), ``"list"`` the list detail columns."""
    fields = [(opts.name(name), "int16" if domain is int else "string" if domain is bool
               else "code") for name, domain in _frame._declared(opts.ids)]
    return [*fields, *_detail_fields(opts), (opts.name("error"), "string")]


def output_schema(opts: _frame._Options, input_schema: Any, *, dictionary: bool = False) -> Any:
    """The Arrow schema of scored batches: kept input columns first (``keep_input=True``, those
    not replaced by an output column), then the outputs; code columns are strings, or
    dictionary-encoded strings (int8 indices) with *dictionary*."""
    pa, _, _ = _modules()
    types = {"int16": pa.int16(), "string": pa.string(), "list": pa.list_(pa.string()),
             "code": pa.dictionary(pa.int8(), pa.string()) if dictionary else pa.string()}
    outputs = [pa.field(name, types[kind]) for name, kind in output_fields(opts)]
    names = {f.name for f in outputs} | {LESIONS}
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
    long = _long_input(pa, pc, np, batch, opts) if LESIONS in batch.schema.names else None
    if long is not None:
        scored = _frame._score_long(np, opts, fields, present, long)
    else:
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
    if opts.detail:
        arrays.update(_detail_arrays(pa, np, n, fields, opts, scored, long))
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
    if kind == "list":
        return types.ArrayType(types.StringType(), containsNull=True)
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


# --------------------------------------------------------------------------------------------
# Detail columns and lesions in long form (PySpark, DuckDB).
# --------------------------------------------------------------------------------------------

#: The joined relation's column of a case's lesions: a list of structs, one per lesion row in
#: lesion-frame order; each struct holds the row's number in that order (:data:`ROW`, first, so
#: that sorting the structs sorts by it) and the lesion columns under the caller's names.
LESIONS: Final = "__spinemets_lesions"
ROW: Final = "__spinemets_row"


def _detail_fields(opts: _frame._Options) -> list[tuple[str, str]]:
    """The detail columns' ``(name, kind)`` (``detail=True``): statuses as strings, the rest
    lists of strings."""
    if not opts.detail:
        return []
    return [(opts.name(name), "string" if kind == _frame._STATUS else "list")
            for name, kind in _frame._detail_columns(opts.ids)]


def _detail_arrays(pa: Any, np: Any, n: int, fields: Any, opts: _frame._Options,
                   scored: Any, long: Any) -> dict[str, Any]:
    """The detail columns of a scored batch, computed as for pandas (``frame._detail``): empty
    lists where there is nothing to list, nulls on invalid rows (``invalid="row"``)."""
    detail = _frame._detail(np, n, fields, opts, scored.bad_rows, long)
    out = {}
    for name, kind in _frame._detail_columns(opts.ids):
        type_ = pa.string() if kind == _frame._STATUS else pa.list_(pa.string())
        out[opts.name(name)] = pa.array(detail.get(name, [None] * n), type_)
    return out


def _long_input(pa: Any, pc: Any, np: Any, batch: Any, opts: _frame._Options) -> Any:
    """The batch's :data:`LESIONS` column as the lesion frame of ``frame._score_long``: the
    lesion rows of the batch's cases, in order, each with its case's row in the batch."""
    arr = batch.column(LESIONS)
    n = batch.num_rows
    lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
    index = np.repeat(np.arange(n, dtype=np.int64), lengths.astype(np.int64))
    structs = arr.flatten()  # null lists (cases without lesions) hold nothing
    names = [structs.type.field(i).name for i in range(structs.type.num_fields)]
    children = dict(zip(names, structs.flatten(), strict=True))
    present = _frame._lesion_fields_only(_frame._present(opts.mapping, names))
    fields = {name: _field(pa, pc, np, _frame._FIELDS[name], children[col])
              for name, col in present.items()}
    return _frame._LongInput(n, fields, {k: str(v) for k, v in present.items()}, index)


def _check_keys(cases: Any, lesions: Any, on: Any, opts: _frame._Options) -> dict[str, Any]:
    """The long-form checks, as small queries at the call: the key in both frames, no lesion
    columns in the cases, no null key, no repeated case key, no lesion row without its case
    (:class:`~spinemets.frame.FrameError` naming the count and the first keys). Returns the
    lesion frame's lesion fields (field -> its column)."""
    nw = importlib.import_module("narwhals")
    case_frame, lesion_frame = nw.from_native(cases), nw.from_native(lesions)
    case_names = list(case_frame.collect_schema().names())
    lesion_names = list(lesion_frame.collect_schema().names())
    _frame._require_key(on, case_names, lesion_names)
    _frame._no_lesion_columns(_frame._present(opts.mapping, case_names))
    fields = _frame._lesion_fields_only(_frame._present(opts.mapping, lesion_names))
    _frame._no_duplicates([*_frame._present(opts.mapping, case_names).values(), on], case_names)
    _frame._no_duplicates([*fields.values(), on], lesion_names)
    key = nw.col(on)

    def count(frame: Any) -> int:
        """The rows of *frame* (one small query; the first keys are read only on an error)."""
        found = frame.select(nw.len().alias("n"))
        return int((found.collect() if hasattr(found, "collect") else found).item(0, "n"))

    for where, frame in (("case", case_frame), ("lesion", lesion_frame)):
        nulls = count(frame.filter(key.is_null()))
        if nulls:
            raise _frame.FrameError(f"score_frame: {nulls} {where} row(s) have a null key {on!r}")
    tmp = f"{_frame._TMP}n"
    dups = case_frame.group_by(on).agg(nw.len().alias(tmp)).filter(nw.col(tmp) > 1)
    if count(dups):
        found, first = _frame._nw_first(nw, dups, on)
        raise _frame.FrameError(f"score_frame: {found} key(s) of {on!r} appear in more than one "
                                f"case row (first keys: {_frame._first(first)})")
    unmatched = lesion_frame.join(case_frame.select(key), on=on, how="anti")
    if count(unmatched):
        found, first = _frame._nw_first(nw, unmatched, on)
        raise _frame.FrameError(f"score_frame: {found} lesion row(s) have a key {on!r} that "
                                f"matches no case (first keys: {_frame._first(first)})")
    return fields


def score_long(cases: Any, opts: _frame._Options, lesions: Any, on: Any) -> Any:
    """Long form on PySpark or DuckDB: the keys are checked at the call; each case's lesion
    rows are gathered (in lesion-frame order) into one list column joined onto the cases, and
    the cases are scored batch by batch like flat frames. The result keeps the key column: the
    engine does not keep the cases' row order through the join."""
    if _frame._module_name(lesions) != _frame._module_name(cases):
        raise _frame.FrameError(
            f"score_frame: lesions= is a {type(lesions).__name__}; on this engine it must be a "
            f"frame of the same engine as the cases ({type(cases).__name__})")
    fields = _check_keys(cases, lesions, on, opts)
    if _frame._module_name(cases) == "pyspark":
        return _spark_long(cases, lesions, on, fields, opts)
    return _duckdb_long(cases, lesions, on, fields, opts)


def _spark_long(cases: Any, lesions: Any, on: Any, fields: dict[str, Any],
                opts: _frame._Options) -> Any:
    functions = importlib.import_module("pyspark.sql.functions")
    types = importlib.import_module("pyspark.sql.types")
    to_arrow = importlib.import_module("pyspark.sql.pandas.types").to_arrow_schema
    pa, _, _ = _modules()

    def col(name: str) -> Any:
        return functions.col("`" + name.replace("`", "``") + "`")

    lesion = functions.struct(functions.monotonically_increasing_id().alias(ROW),
                              *(col(c).alias(c) for c in fields.values()))
    grouped = (lesions.select(col(on).alias(on), lesion.alias(LESIONS)).groupBy(col(on))
               .agg(functions.sort_array(functions.collect_list(col(LESIONS))).alias(LESIONS)))
    present = _frame._present(opts.mapping, cases.columns)
    read = list(cases.columns) if opts.keep_input else \
        [on, *(c for c in present.values() if c != on)]
    joined = cases.join(grouped, on=[on], how="left").select(*(col(c) for c in read),
                                                             col(LESIONS))
    names = {name for name, _ in output_fields(opts)}
    kept = [f for f in cases.schema.fields if f.name not in names] if opts.keep_input else \
        [cases.schema[on]]
    spark_schema = types.StructType(
        [*kept, *(types.StructField(name, _spark_type(types, kind), True)
                  for name, kind in output_fields(opts))])
    schema = pa.schema([f.with_nullable(True) for f in to_arrow(spark_schema)])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas",
                                FutureWarning)
        return joined.mapInArrow(scorer(opts, schema), spark_schema)


def _duckdb_long(cases: Any, lesions: Any, on: Any, fields: dict[str, Any],
                 opts: _frame._Options) -> Any:
    """DuckDB: every scan reads the lesion relation once, in its order, into an Arrow table (the
    key and the lesion columns), then streams the cases and attaches to each batch its cases'
    lesions (:func:`_attach`). DuckDB's list aggregate of strings is several times slower than
    this, and the lesion table is small beside the cases."""
    duckdb = importlib.import_module("duckdb")

    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    present = _frame._present(opts.mapping, cases.columns)
    if not opts.keep_input:
        cases = cases.project(", ".join(q(c) for c in [on, *(c for c in present.values()
                                                              if c != on)]))
    lesion_rel = lesions.project(", ".join(q(c) for c in [on, *fields.values()]))
    empty = _duckdb_call(cases.limit(0), "to_arrow_table", "arrow").schema
    schema = output_schema(opts, empty, dictionary=True)
    if not opts.keep_input:  # the key column leads: rows are matched by it
        schema = schema.insert(0, empty.field(on))
    return duckdb.connect().from_arrow(_ScoredLong(cases, opts, schema, lesion_rel, on))


class _ScoredLong(_Scored):
    """A long-form scored relation's source (see :func:`_duckdb_long`)."""

    def __init__(self, rel: Any, opts: _frame._Options, schema: Any, lesions: Any,
                 on: Any) -> None:
        super().__init__(rel, opts, schema)
        self.lesions, self.on = lesions, on

    def _batches(self) -> Iterator[Any]:
        pa, pc, np = _modules()
        table = _duckdb_call(self.lesions, "to_arrow_table", "arrow").combine_chunks()
        keys = table.column(0)
        names = [ROW, *table.schema.names[1:]]
        structs = pa.StructArray.from_arrays(
            [pa.array(np.arange(table.num_rows, dtype=np.int64)),
             *(c.combine_chunks() for c in table.columns[1:])], names=names)
        reader = _duckdb_call(self.rel, "to_arrow_reader", "fetch_record_batch",
                              args=(BATCH_ROWS,))
        for batch in rebatch(reader):
            batch = _attach(pa, pc, np, batch, self.on, keys, structs)
            yield score_batch(batch, self.opts, self.schema, dictionary=True)


def _attach(pa: Any, pc: Any, np: Any, batch: Any, on: Any, keys: Any, structs: Any) -> Any:
    """*batch* with its :data:`LESIONS` column: per case, the lesion rows (*structs*, in
    lesion-frame order) whose key (*keys*) is the case's."""
    case_keys = batch.column(on)
    if pa.types.is_dictionary(case_keys.type):
        case_keys = case_keys.dictionary_decode()
    if pa.types.is_dictionary(keys.type):
        keys = keys.combine_chunks().dictionary_decode()
    if keys.type != case_keys.type:
        try:
            keys = keys.cast(case_keys.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            keys, case_keys = keys.cast(pa.string()), case_keys.cast(pa.string())
    n = batch.num_rows
    found = pc.fill_null(pc.index_in(keys, value_set=case_keys), -1)
    found = found.to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(found >= 0)  # lesion rows of this batch's cases, in order
    case = found[rows]
    rows = rows[np.argsort(case, kind="stable")]
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(case, minlength=n), out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), structs.take(pa.array(rows)))
    return pa.RecordBatch.from_arrays([*batch.columns, lists],
                                      names=[*batch.schema.names, LESIONS])
