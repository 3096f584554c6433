"""The Arrow batch scorer shared by the PySpark and DuckDB adapters: Arrow record batches (and
lesions in long form as a list column) through the NumPy evaluator."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from ._columns import _arrow_strings, _coded, _float64, _numeric, _pandas_field
from ._details import _STATUS, _detail, _detail_columns
from ._expr import _TMP, _nw_first
from ._long import (
    _first,
    _lesion_fields_only,
    _LongInput,
    _no_lesion_columns,
    _require_key,
    _score_long,
)
from ._numpy import _output_arrays, _score_columns
from ._options import _FIELDS, FrameError, _module_name, _no_duplicates, _Options, _present
from ._plan import _declared

# No row becomes a Python object and no engine builds a column expression from the plan: the same
# vectorised evaluator as for pandas reads each Arrow column once into small integer codes (strings
# through one hash pass against the field's vocabulary) and gathers the points from tables.
#
# The output schema is known before any row is read (it depends only on ``scores=``, ``prefix=``,
# ``keep_input=`` and ``detail=``): totals are ``int16``, code columns and ``error`` are strings
# (code columns dictionary-encoded for DuckDB, which reads them as VARCHAR), nulls where pandas has
# ``<NA>``; detail columns are strings (``<id>_status``) and ``list<string>``.
#
# Long form (``lesions=``, ``on=``): each case batch carries one ``list<struct>`` column
# (:data:`LESIONS`) of its cases' lesion rows in lesion-frame order, gathered by Spark
# (``collect_list`` joined onto the cases, ``_spark``) or, on DuckDB, attached in Python from the
# lesion relation read once per scan (``_duckdb``); the batch scorer reads it as the lesion frame
# of ``_long._score_long``.

#: Rows per scored batch: engines hand over small batches (Spark 10,000 rows, DuckDB 2,048-row
#: vectors); the evaluator's fixed cost per call (tables per combination of codes) is paid once
#: per this many rows. Memory stays bounded: about 0.3 KiB per row in flight.
BATCH_ROWS: Final = 131_072


def _modules() -> tuple[Any, Any, Any]:
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    np = importlib.import_module("numpy")
    return pa, pc, np


def output_fields(opts: _Options) -> list[tuple[str, str]]:
    """``(name, kind)`` per output column in output order (``error`` last): ``"int16"`` totals,
    ``"code"`` code columns, ``"string"`` the rest (``error``, always-null code columns,
    ``<id>_status``), ``"list"`` the list detail columns."""
    fields = [(opts.name(name), "int16" if domain is int else "string" if domain is bool
               else "code") for name, domain in _declared(opts.ids)]
    return [*fields, *_detail_fields(opts), (opts.name("error"), "string")]


def output_schema(opts: _Options, input_schema: Any, *, dictionary: bool = False) -> Any:
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
        return _arrow_strings(np, spec, arr)
    if pa.types.is_dictionary(t) and (pa.types.is_string(t.value_type)
                                      or pa.types.is_large_string(t.value_type)):
        codes = pc.fill_null(arr.indices.cast(pa.int32()), -1).to_numpy(zero_copy_only=False)
        return _coded(np, spec, codes, arr.dictionary.to_pylist())
    if pa.types.is_boolean(t):
        codes = pc.fill_null(arr.cast(pa.int8()), -1).to_numpy(zero_copy_only=False)
        return _coded(np, spec, codes, [False, True])
    if pa.types.is_null(t):
        return _coded(np, spec, np.full(len(arr), -1, np.int8), [])
    if pa.types.is_floating(t) and t.bit_width < 64:
        x = arr.to_numpy(zero_copy_only=False)  # nulls -> NaN
        return _numeric(np, spec, _float64(np, x))
    if pa.types.is_floating(t):
        return _numeric(np, spec, arr.to_numpy(zero_copy_only=False))
    if pa.types.is_integer(t):
        x = pc.cast(arr, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        return _numeric(np, spec, x, integers=True)
    pd = importlib.import_module("pandas")
    return _pandas_field(pd, np, spec, pd.Series(arr.to_pandas(), dtype=object))


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


def score_batch(batch: Any, opts: _Options, schema: Any = None, *,
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
    present = _present(opts.mapping, batch.schema.names)
    _no_duplicates(present.values(), batch.schema.names)
    fields = {name: _field(pa, pc, np, _FIELDS[name], batch.column(col))
              for name, col in present.items()}
    long = _long_input(pa, pc, np, batch, opts) if LESIONS in batch.schema.names else None
    if long is not None:
        scored = _score_long(np, opts, fields, present, long)
    else:
        scored = _score_columns(np, n, fields, present, opts)
    arrays: dict[str, Any] = {}
    for name, domain, data, mask in _output_arrays(np, scored, opts.invalid):
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


def scorer(opts: _Options, schema: Any, *,
           dictionary: bool = False) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """``batches -> scored batches`` in *schema* (picklable for Spark: a closure over the
    options and the schema only)."""

    def score(batches: Iterable[Any]) -> Iterator[Any]:
        for batch in rebatch(batches):
            yield score_batch(batch, opts, schema, dictionary=dictionary)

    return score



# --------------------------------------------------------------------------------------------
# Detail columns and lesions in long form (PySpark, DuckDB).
# --------------------------------------------------------------------------------------------

#: The joined relation's column of a case's lesions: a list of structs, one per lesion row in
#: lesion-frame order; each struct holds the row's number in that order (:data:`ROW`, first, so
#: that sorting the structs sorts by it) and the lesion columns under the caller's names.
LESIONS: Final = "__spinemets_lesions"
ROW: Final = "__spinemets_row"


def _detail_fields(opts: _Options) -> list[tuple[str, str]]:
    """The detail columns' ``(name, kind)`` (``detail=True``): statuses as strings, the rest
    lists of strings."""
    if not opts.detail:
        return []
    return [(opts.name(name), "string" if kind == _STATUS else "list")
            for name, kind in _detail_columns(opts.ids)]


def _detail_arrays(pa: Any, np: Any, n: int, fields: Any, opts: _Options,
                   scored: Any, long: Any) -> dict[str, Any]:
    """The detail columns of a scored batch, computed as for pandas (``frame._detail``): empty
    lists where there is nothing to list, nulls on invalid rows (``invalid="row"``)."""
    detail = _detail(np, n, fields, opts, scored.bad_rows, long)
    out = {}
    for name, kind in _detail_columns(opts.ids):
        type_ = pa.string() if kind == _STATUS else pa.list_(pa.string())
        out[opts.name(name)] = pa.array(detail.get(name, [None] * n), type_)
    return out


def _long_input(pa: Any, pc: Any, np: Any, batch: Any, opts: _Options) -> Any:
    """The batch's :data:`LESIONS` column as the lesion frame of ``frame._score_long``: the
    lesion rows of the batch's cases, in order, each with its case's row in the batch."""
    arr = batch.column(LESIONS)
    n = batch.num_rows
    lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
    index = np.repeat(np.arange(n, dtype=np.int64), lengths.astype(np.int64))
    structs = arr.flatten()  # null lists (cases without lesions) hold nothing
    names = [structs.type.field(i).name for i in range(structs.type.num_fields)]
    children = dict(zip(names, structs.flatten(), strict=True))
    present = _lesion_fields_only(_present(opts.mapping, names))
    fields = {name: _field(pa, pc, np, _FIELDS[name], children[col])
              for name, col in present.items()}
    return _LongInput(n, fields, {k: str(v) for k, v in present.items()}, index)


def _check_keys(cases: Any, lesions: Any, on: Any, opts: _Options) -> dict[str, Any]:
    """The long-form checks, as small queries at the call: the key in both frames, no lesion
    columns in the cases, no null key, no repeated case key, no lesion row without its case
    (:class:`~spinemets.frame.FrameError` naming the count and the first keys). Returns the
    lesion frame's lesion fields (field -> its column)."""
    nw = importlib.import_module("narwhals")
    case_frame, lesion_frame = nw.from_native(cases), nw.from_native(lesions)
    case_names = list(case_frame.collect_schema().names())
    lesion_names = list(lesion_frame.collect_schema().names())
    _require_key(on, case_names, lesion_names)
    _no_lesion_columns(_present(opts.mapping, case_names))
    fields = _lesion_fields_only(_present(opts.mapping, lesion_names))
    _no_duplicates([*_present(opts.mapping, case_names).values(), on], case_names)
    _no_duplicates([*fields.values(), on], lesion_names)
    key = nw.col(on)

    def count(frame: Any) -> int:
        """The rows of *frame* (one small query; the first keys are read only on an error)."""
        found = frame.select(nw.len().alias("n"))
        return int((found.collect() if hasattr(found, "collect") else found).item(0, "n"))

    for where, frame in (("case", case_frame), ("lesion", lesion_frame)):
        nulls = count(frame.filter(key.is_null()))
        if nulls:
            raise FrameError(f"score_frame: {nulls} {where} row(s) have a null key {on!r}")
    tmp = f"{_TMP}n"
    dups = case_frame.group_by(on).agg(nw.len().alias(tmp)).filter(nw.col(tmp) > 1)
    if count(dups):
        found, first = _nw_first(nw, dups, on)
        raise FrameError(f"score_frame: {found} key(s) of {on!r} appear in more than one "
                         f"case row (first keys: {_first(first)})")
    unmatched = lesion_frame.join(case_frame.select(key), on=on, how="anti")
    if count(unmatched):
        found, first = _nw_first(nw, unmatched, on)
        raise FrameError(f"score_frame: {found} lesion row(s) have a key {on!r} that "
                         f"matches no case (first keys: {_first(first)})")
    return fields


def score_long(cases: Any, opts: _Options, lesions: Any, on: Any) -> Any:
    """Long form on PySpark or DuckDB: the keys are checked at the call; each case's lesion
    rows are gathered (in lesion-frame order) into one list column joined onto the cases, and
    the cases are scored batch by batch like flat frames. The result keeps the key column: the
    engine does not keep the cases' row order through the join."""
    if _module_name(lesions) != _module_name(cases):
        raise FrameError(
            f"score_frame: lesions= is a {type(lesions).__name__}; on this engine it must be a "
            f"frame of the same engine as the cases ({type(cases).__name__})")
    fields = _check_keys(cases, lesions, on, opts)
    if _module_name(cases) == "pyspark":
        from ._spark import _spark_long

        return _spark_long(cases, lesions, on, fields, opts)
    from ._duckdb import _duckdb_long

    return _duckdb_long(cases, lesions, on, fields, opts)
