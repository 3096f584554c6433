"""The pandas adapter: read the columns, score them, build the output frame."""

from __future__ import annotations

import enum
import functools
import importlib
import importlib.util
from collections.abc import Mapping
from typing import Any

from ..results import EsccClass
from ..scores import registry
from ..vocab import EsccGrade
from ._columns import _pandas_field
from ._details import _STATUS, _STATUSES, _detail, _detail_columns
from ._long import _pandas_long_input, _score_long
from ._numpy import _output_arrays, _score_columns, _Scored
from ._options import _FIELDS, _no_duplicates, _Options, _present


def _pandas_version(pd: Any) -> tuple[int, ...]:
    return tuple(int(p) for p in pd.__version__.split(".")[:2] if p.isdigit())


def _score_pandas(df: Any, opts: _Options, lesions: Any = None, on: Any = None) -> Any:
    pd = importlib.import_module("pandas")
    np = importlib.import_module("numpy")
    n = len(df)
    present = _present(opts.mapping, df.columns)
    _no_duplicates(present.values(), df.columns)
    fields = {name: _pandas_field(pd, np, _FIELDS[name], df[col])
              for name, col in present.items()}
    names = {k: str(v) for k, v in present.items()}
    long = None if lesions is None else _pandas_long_input(pd, np, df, lesions, on, opts)
    if long is not None:
        scored = _score_long(np, opts, fields, names, long)
    else:
        scored = _score_columns(np, n, fields, names, opts)
    detail = _detail(np, n, fields, opts, scored.bad_rows, long) if opts.detail else {}
    return _pandas_output(pd, np, df, scored, opts, detail)


def _pandas_output(pd: Any, np: Any, df: Any, scored: _Scored, opts: _Options,
                   detail: Mapping[str, list[Any]]) -> Any:
    n = len(df)
    columns: dict[str, Any] = {}
    for name, domain, data, mask in _output_arrays(np, scored, opts.invalid):
        if mask is None:
            dtype = _categories(pd, domain)
            columns[name] = pd.Categorical.from_codes(data, dtype=dtype, validate=False)
        else:
            columns[name] = pd.arrays.IntegerArray(data, mask)
    if opts.detail:
        pa = importlib.import_module("pyarrow")
        for name, kind in _detail_columns(opts.ids):
            values = detail.get(name, [None] * n)
            if kind == _STATUS:
                columns[opts.name(name)] = pd.Categorical(values, categories=_STATUSES)
            else:
                array = pa.array(values, type=pa.list_(pa.string()))
                columns[opts.name(name)] = pd.arrays.ArrowExtensionArray(array)
    columns[opts.name("error")] = _pandas_errors(pd, np, n, scored)
    out = pd.DataFrame(columns, index=df.index, copy=False)
    if opts.keep_input:
        kept = df.drop(columns=[c for c in out.columns if c in df.columns])
        out = pd.concat([kept, out], axis=1)
    return out


def _ordered(domain: type[enum.Enum]) -> bool:
    """Whether a code column is ordered: bands (by total), ESCC grades and classes."""
    return domain in (EsccGrade, EsccClass) or any(getattr(m, "Band", None) is domain
                                                 for m in registry.SUMMED_INSTRUMENTS)


@functools.cache
def _categories(pd: Any, domain: type[enum.Enum]) -> Any:
    """The pandas dtype of a code column: its codes in enum order (a band enum lists its bands
    from the lowest total up), ordered for bands, grades and classes."""
    return pd.CategoricalDtype(pd.Index([m.value for m in domain], dtype=object),
                               ordered=_ordered(domain))


def _pandas_errors(pd: Any, np: Any, n: int, scored: _Scored) -> Any:
    """The ``error`` column: pandas' default string dtype (object before pandas 3)."""
    if _pandas_version(pd) < (3, 0):
        if scored.kinds is None:
            return pd.array([None] * n, dtype=object)
        texts = np.array([*scored.texts, None], dtype=object)
        return np.take(texts, scored.kinds)
    pa = importlib.import_module("pyarrow")
    if scored.kinds is None:
        array = pa.nulls(n, pa.large_string())
    else:
        kinds = pa.array(scored.kinds, mask=scored.kinds < 0)
        array = pa.array(scored.texts, type=pa.large_string()).take(kinds)
    return pd.array(array, dtype="str")
