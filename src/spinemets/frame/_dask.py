"""The Dask adapter: partitions scored as pandas frames (long form: the lesion frame computed
once, keys checked at the call), in workers whose allocator is tuned once when asked."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, Final

from ._long import _case_index, _require_key
from ._options import _module_name, _Options
from ._pandas import _score_pandas


def _score_dask(df: Any, opts: _Options, lesions: Any, on: Any) -> Any:
    """Dask: partitions are scored as pandas frames. In long form the lesion frame is computed
    (it is needed whole by every partition) and the keys are checked at the call."""
    if lesions is None:
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
    tune_worker()
    return _score_pandas(part, opts, lesions[lesions[on].isin(part[on])], on)


# Worker allocator tuning.
#
# Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_`` set (to return freed memory to the
# system sooner). glibc then also stops raising its mmap threshold, so every array above 128 KiB is
# mapped and unmapped afresh, and each page is faulted in again: the column arrays of a 25,000-row
# partition cost three to five times their computation. :func:`tune_worker` raises the mmap
# threshold back to glibc's own dynamic ceiling (32 MiB) and keeps 32 MiB of padding at the top of
# the heap (``M_TOP_PAD``), so a partition's arrays reuse pages instead of faulting them in again,
# once per process, only where that variable is set and ``MALLOC_MMAP_THRESHOLD_`` is not; the trim
# threshold Dask chose is kept, so freed memory beyond the pad still goes back to the system.
#
# A library should not change a process's allocator behind its owner's back, so this is opt-in: set
# ``SPINEMETS_TUNE_MALLOC=1`` in the workers' environment to enable it.

#: glibc's ``M_TOP_PAD`` and ``M_MMAP_THRESHOLD`` (malloc.h); the mmap threshold's dynamic
#: ceiling on 64-bit systems, also used as the pad.
_M_TOP_PAD: Final = -2
_M_MMAP_THRESHOLD: Final = -3
_CEILING: Final = 32 * 1024 * 1024

_tuned = False


def tune_worker() -> bool:
    """Raise glibc's mmap threshold in a Dask worker (see the comment above); True if done."""
    global _tuned
    if _tuned:
        return False
    _tuned = True
    env = os.environ
    if (not sys.platform.startswith("linux") or "MALLOC_TRIM_THRESHOLD_" not in env
            or "MALLOC_MMAP_THRESHOLD_" in env or env.get("SPINEMETS_TUNE_MALLOC") != "1"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, _CEILING)) and bool(
            libc.mallopt(_M_TOP_PAD, _CEILING))
    except (OSError, AttributeError):  # not glibc
        return False


def score_partition(part: Any, opts: Any) -> Any:
    """One Dask partition (a pandas frame) scored by the pandas path."""
    tune_worker()
    return _score_pandas(part, opts)
