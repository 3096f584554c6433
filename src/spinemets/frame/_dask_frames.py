"""The Dask adapter: every partition is scored as a pandas frame (long form: the lesion frame is
computed once and its keys checked at the call)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from ._long import _case_index, _require_key
from ._options import _module_name, _Options
from ._pandas import _score_pandas


def _score_dask(df: Any, opts: _Options, lesions: Any, on: Any) -> Any:
    """Dask: partitions are scored as pandas frames. In long form the lesion frame is computed
    (it is needed whole by every partition) and the keys are checked at the call."""
    if lesions is None:
        from ._dask import score_partition

        meta = _score_pandas(df._meta, opts)
        return df.map_partitions(score_partition, opts, meta=meta, enforce_metadata=False)
    pd = importlib.import_module("pandas")
    np = importlib.import_module("numpy")
    if _module_name(lesions) == "dask":
        lesions = lesions.compute()
    _require_key(on, df.columns, lesions.columns)
    keys = df[on].compute()
    _case_index(np, on, keys.tolist(), pd.isna(keys).to_numpy(),
                lesions[on].tolist(), pd.isna(lesions[on]).to_numpy())
    meta = _score_pandas(df._meta, opts, lesions.iloc[:0], on)
    return df.map_partitions(_dask_partition, opts, lesions, on, meta=meta,
                             enforce_metadata=False)


def _dask_partition(part: Any, opts: _Options, lesions: Any, on: Any) -> Any:
    from ._dask import tune_worker

    tune_worker()
    return _score_pandas(part, opts, lesions[lesions[on].isin(part[on])], on)
