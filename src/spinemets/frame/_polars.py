"""The Polars adapter: eager frames scored at once, lazy frames batch by batch (streaming when
rows are independent) with the output schema known up front."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from ._columns import _kind, _polars_field
from ._details import _STATUS, _STATUSES, _detail, _detail_columns
from ._long import _polars_long_input, _score_long
from ._numpy import _output_arrays, _score_columns
from ._options import _FIELDS, _Options, _present
from ._plan import _declared


def _polars_dtype(pl: Any, domain: Any) -> Any:
    if _kind(domain) != "c":
        return pl.Int16
    values = [m.value for m in domain] if domain is not bool else []
    return pl.Enum(values) if values else pl.String


def _polars_schema(pl: Any, schema: Any, opts: _Options) -> dict[str, Any]:
    outputs = {opts.name(name): _polars_dtype(pl, domain)
               for name, domain in _declared(opts.ids)}
    if opts.detail:
        for name, kind in _detail_columns(opts.ids):
            outputs[opts.name(name)] = (pl.Enum(_STATUSES) if kind == _STATUS
                                        else pl.List(pl.String))
    outputs[opts.name("error")] = pl.String
    kept = {k: v for k, v in schema.items() if k not in outputs} if opts.keep_input else {}
    return {**kept, **outputs}


def _score_polars(df: Any, opts: _Options, lesions: Any = None, on: Any = None) -> Any:
    pl = importlib.import_module("polars")
    np = importlib.import_module("numpy")
    if isinstance(df, pl.LazyFrame):
        schema = _polars_schema(pl, df.collect_schema(), opts)

        def batch(frame: Any) -> Any:
            found = lesions.collect() if isinstance(lesions, pl.LazyFrame) else lesions
            return _score_polars(frame, opts, found, on)

        # Rows are independent: without lesions, batches stream (each scored as it arrives).
        return df.map_batches(batch, schema=schema, streamable=lesions is None)
    n = df.height
    present = _present(opts.mapping, df.columns)
    fields = {name: _polars_field(pl, np, _FIELDS[name], df.get_column(col))
              for name, col in present.items()}
    long = None
    if lesions is not None:
        if isinstance(lesions, pl.LazyFrame):
            lesions = lesions.collect()
        long = _polars_long_input(pl, np, df, lesions, on, opts)
        scored = _score_long(np, opts, fields, present, long)
    else:
        scored = _score_columns(np, n, fields, present, opts)
    detail = _detail(np, n, fields, opts, scored.bad_rows, long) if opts.detail else {}
    series = []
    for name, domain, data, mask in _output_arrays(np, scored, opts.invalid):
        dtype = _polars_dtype(pl, domain)
        if mask is not None:
            values = np.ma.masked_array(data, mask) if mask.any() else data
            series.append(pl.Series(name, values, dtype=pl.Int16))
        elif dtype == pl.String:
            series.append(pl.repeat(None, n, dtype=pl.String, eager=True).alias(name))
        else:
            index = pl.Series(np.ma.masked_array(data.astype(np.int16), data < 0))
            series.append(pl.Series(name, dtype.categories, dtype=dtype).gather(index))
    for name, kind in _detail_columns(opts.ids) if opts.detail else ():
        dtype = pl.Enum(_STATUSES) if kind == _STATUS else pl.List(pl.String)
        series.append(pl.Series(opts.name(name), detail.get(name, [None] * n), dtype=dtype))
    error = opts.name("error")
    if scored.kinds is None:
        series.append(pl.repeat(None, n, dtype=pl.String, eager=True).alias(error))
    else:
        index = pl.Series(np.ma.masked_array(scored.kinds, scored.kinds < 0))
        series.append(pl.Series(error, scored.texts, dtype=pl.String).gather(index))
    out = pl.DataFrame(series)
    if opts.keep_input:
        kept = df.drop([s.name for s in series if s.name in df.columns])
        out = pl.concat([kept, out], how="horizontal")
    return out
