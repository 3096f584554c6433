"""The DuckDB adapter: a relation whose every scan streams the input out as Arrow record batches,
scores them and streams them back in (flat frames and lesions in long form)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

# ``_arrow``'s names are read as module attributes, at call time (tests patch ``BATCH_ROWS`` and
# ``score_batch``).
from . import _arrow
from ._options import _no_duplicates, _Options, _present


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

    def __init__(self, rel: Any, opts: _Options, schema: Any) -> None:
        self.rel, self.opts, self.schema = rel, opts, schema

    def _batches(self) -> Iterator[Any]:
        # The input query starts at the first batch asked for, not when DuckDB probes the schema.
        reader = _duckdb_call(self.rel, "to_arrow_reader", "fetch_record_batch",
                              args=(_arrow.BATCH_ROWS,))
        yield from _arrow.scorer(self.opts, self.schema, dictionary=True)(reader)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        pa, _, _ = _arrow._modules()
        reader = pa.RecordBatchReader.from_batches(self.schema, self._batches())
        return reader.__arrow_c_stream__(requested_schema)


def score_duckdb(rel: Any, opts: _Options) -> Any:
    """DuckDB: a relation whose every scan streams the input relation out as Arrow record batches,
    scores them batch by batch and streams them back in (nothing is materialised whole; code
    columns go back dictionary-encoded and read as VARCHAR). The result lives on a connection of
    its own; while it is being read the input's connection is busy with the input query."""
    duckdb = importlib.import_module("duckdb")
    present = _present(opts.mapping, rel.columns)
    _no_duplicates(present.values(), rel.columns)
    empty = _duckdb_call(rel.limit(0), "to_arrow_table", "arrow")
    schema = _arrow.output_schema(opts, empty.schema, dictionary=True)
    if not opts.keep_input and present and len(present) < len(rel.columns):
        # Only the columns read leave DuckDB.
        rel = rel.project(", ".join('"' + c.replace('"', '""') + '"' for c in present.values()))
    return duckdb.connect().from_arrow(_Scored(rel, opts, schema))


def _duckdb_long(cases: Any, lesions: Any, on: Any, fields: dict[str, Any],
                 opts: _Options) -> Any:
    """DuckDB: every scan reads the lesion relation once, in its order, into an Arrow table (the
    key and the lesion columns), then streams the cases and attaches to each batch its cases'
    lesions (:func:`_attach`). DuckDB's list aggregate of strings is several times slower than
    this, and the lesion table is small beside the cases."""
    duckdb = importlib.import_module("duckdb")

    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    present = _present(opts.mapping, cases.columns)
    if not opts.keep_input:
        cases = cases.project(", ".join(q(c) for c in [on, *(c for c in present.values()
                                                              if c != on)]))
    lesion_rel = lesions.project(", ".join(q(c) for c in [on, *fields.values()]))
    empty = _duckdb_call(cases.limit(0), "to_arrow_table", "arrow").schema
    schema = _arrow.output_schema(opts, empty, dictionary=True)
    if not opts.keep_input:  # the key column leads: rows are matched by it
        schema = schema.insert(0, empty.field(on))
    return duckdb.connect().from_arrow(_ScoredLong(cases, opts, schema, lesion_rel, on))


class _ScoredLong(_Scored):
    """A long-form scored relation's source (see :func:`_duckdb_long`)."""

    def __init__(self, rel: Any, opts: _Options, schema: Any, lesions: Any,
                 on: Any) -> None:
        super().__init__(rel, opts, schema)
        self.lesions, self.on = lesions, on

    def _batches(self) -> Iterator[Any]:
        pa, pc, np = _arrow._modules()
        table = _duckdb_call(self.lesions, "to_arrow_table", "arrow").combine_chunks()
        keys = table.column(0)
        names = [_arrow.ROW, *table.schema.names[1:]]
        structs = pa.StructArray.from_arrays(
            [pa.array(np.arange(table.num_rows, dtype=np.int64)),
             *(c.combine_chunks() for c in table.columns[1:])], names=names)
        reader = _duckdb_call(self.rel, "to_arrow_reader", "fetch_record_batch",
                              args=(_arrow.BATCH_ROWS,))
        for batch in _arrow.rebatch(reader):
            batch = _attach(pa, pc, np, batch, self.on, keys, structs)
            yield _arrow.score_batch(batch, self.opts, self.schema, dictionary=True)


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
                                      names=[*batch.schema.names, _arrow.LESIONS])
