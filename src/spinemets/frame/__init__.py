"""Cohort scoring: one call scores a whole DataFrame.

:func:`score_frame` takes one row per case with a single lesion (the case and lesion fields of the
interchange format as columns), or cases and lesions in two frames, and returns, row for row,
every summed score's total and band, the ESCC grade and class, the two NOMS codes and an ``error``
column; it is the package's one public door (with :func:`supported_scores` and
:func:`output_columns`).

How it works: one definition, two evaluators.

1. A **plan** (``_plan``, in the expression language of ``_nodes``) is built from the same tables
   the scalar scores read: each instrument's items as the items declare their inputs, ``BANDS``,
   the histology defaults, the published thresholds, the NOMS cells and, for validation, the field
   table of every column. No point value is written in this package.
2. The plan is evaluated either by the **NumPy evaluator** (``_numpy``: pandas, Polars eager and
   lazy, Dask partitions, and PySpark and DuckDB through Arrow batches) or as **narwhals
   expressions** (``_expr``: every other engine narwhals supports). Columns are read once into
   small integer codes (``_cells``); each engine has its adapter (``_pandas``, ``_polars``,
   ``_dask_frames``); lesions in long form (``_long``) and the detail columns (``_detail``) have
   their own modules.

Invalid cells never raise and never drop a row: the row's scores are null and ``error`` names the
offending columns (the caller's names when ``columns=`` renames them). NaN, None and ``pd.NA``
mean "not assessed"; only here an integer cell 0, 2 or 3 in ``escc`` reads as that grade.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..policy import DEFAULT_POLICY, Policy
from ..vocab import EcogToKps
from ._cells import parse_cell as parse_cell
from ._options import NOMS, FrameError
from ._plan import output_columns, supported_scores

__all__ = ["NOMS", "FrameError", "output_columns", "score_frame", "supported_scores"]

# Private names that other modules of the package (``_arrow``, ``_dask``, ``check``) and the tests
# reach through ``spinemets.frame``.
from ._cells import (
    _CODE_SPAN as _CODE_SPAN,
)
from ._cells import (
    _FAMILIES as _FAMILIES,
)
from ._cells import (
    _INDEX_CACHE as _INDEX_CACHE,
)
from ._cells import (
    _INT_BOUND as _INT_BOUND,
)
from ._cells import (
    _INT_TOP as _INT_TOP,
)
from ._cells import (
    _INVALID as _INVALID,
)
from ._cells import (
    _MAX_TERMS as _MAX_TERMS,
)
from ._cells import (
    _NEG as _NEG,
)
from ._cells import (
    _arrow_strings as _arrow_strings,
)
from ._cells import (
    _cells as _cells,
)
from ._cells import (
    _coded as _coded,
)
from ._cells import (
    _Column as _Column,
)
from ._cells import (
    _field_kind as _field_kind,
)
from ._cells import (
    _float64 as _float64,
)
from ._cells import (
    _kind as _kind,
)
from ._cells import (
    _member_index as _member_index,
)
from ._cells import (
    _message as _message,
)
from ._cells import (
    _numeric as _numeric,
)
from ._cells import (
    _object_column as _object_column,
)
from ._cells import (
    _pandas_field as _pandas_field,
)
from ._cells import (
    _polars_field as _polars_field,
)
from ._cells import (
    _python_scalar as _python_scalar,
)
from ._cells import (
    _rep as _rep,
)
from ._dask_frames import (
    _dask_partition as _dask_partition,
)
from ._dask_frames import (
    _score_dask as _score_dask,
)
from ._detail import (
    _HAS_LESION as _HAS_LESION,
)
from ._detail import (
    _LIST as _LIST,
)
from ._detail import (
    _NOMS_INPUTS as _NOMS_INPUTS,
)
from ._detail import (
    _STATUS as _STATUS,
)
from ._detail import (
    _STATUSES as _STATUSES,
)
from ._detail import (
    _decode as _decode,
)
from ._detail import (
    _detail as _detail,
)
from ._detail import (
    _detail_columns as _detail_columns,
)
from ._expr import (
    _TMP as _TMP,
)
from ._expr import (
    _nw_field as _nw_field,
)
from ._expr import (
    _nw_first as _nw_first,
)
from ._expr import (
    _nw_long_frame as _nw_long_frame,
)
from ._expr import (
    _nw_rep as _nw_rep,
)
from ._expr import (
    _NwEval as _NwEval,
)
from ._expr import (
    _score_narwhals as _score_narwhals,
)
from ._long import (
    _LESION_NAMES as _LESION_NAMES,
)
from ._long import (
    _case_index as _case_index,
)
from ._long import (
    _first as _first,
)
from ._long import (
    _lesion_fields_only as _lesion_fields_only,
)
from ._long import (
    _LongInput as _LongInput,
)
from ._long import (
    _no_lesion_columns as _no_lesion_columns,
)
from ._long import (
    _pandas_long_input as _pandas_long_input,
)
from ._long import (
    _polars_long_input as _polars_long_input,
)
from ._long import (
    _pseudo_column as _pseudo_column,
)
from ._long import (
    _require_key as _require_key,
)
from ._long import (
    _score_long as _score_long,
)
from ._long import (
    _worst as _worst,
)
from ._nodes import (
    _children as _children,
)
from ._nodes import (
    _depths as _depths,
)
from ._nodes import (
    _refcounts as _refcounts,
)
from ._nodes import (
    _walk as _walk,
)
from ._numpy import (
    _FUSE_LIMIT as _FUSE_LIMIT,
)
from ._numpy import (
    _add_errors as _add_errors,
)
from ._numpy import (
    _Eval as _Eval,
)
from ._numpy import (
    _offset as _offset,
)
from ._numpy import (
    _output_arrays as _output_arrays,
)
from ._numpy import (
    _score_columns as _score_columns,
)
from ._numpy import (
    _Scored as _Scored,
)
from ._options import (
    _ESCC_WORST as _ESCC_WORST,
)
from ._options import (
    _FIELDS as _FIELDS,
)
from ._options import (
    _PSEUDO as _PSEUDO,
)
from ._options import (
    _SINS_TOTAL as _SINS_TOTAL,
)
from ._options import (
    _check_columns as _check_columns,
)
from ._options import (
    _column_names as _column_names,
)
from ._options import (
    _mapping as _mapping,
)
from ._options import (
    _module_name as _module_name,
)
from ._options import (
    _no_duplicates as _no_duplicates,
)
from ._options import (
    _Options as _Options,
)
from ._options import (
    _present as _present,
)
from ._pandas import (
    _categories as _categories,
)
from ._pandas import (
    _ordered as _ordered,
)
from ._pandas import (
    _pandas_errors as _pandas_errors,
)
from ._pandas import (
    _pandas_output as _pandas_output,
)
from ._pandas import (
    _pandas_version as _pandas_version,
)
from ._pandas import (
    _score_pandas as _score_pandas,
)
from ._plan import (
    _build as _build,
)
from ._plan import (
    _declared as _declared,
)
from ._plan import (
    _Plan as _Plan,
)
from ._plan import (
    _selected as _selected,
)
from ._polars import (
    _polars_dtype as _polars_dtype,
)
from ._polars import (
    _polars_schema as _polars_schema,
)
from ._polars import (
    _score_polars as _score_polars,
)


def score_frame(
    df: Any,
    *,
    scores: Iterable[str] | None = None,
    keep_input: bool = False,
    columns: Mapping[str, str] | None = None,
    policy: Policy = DEFAULT_POLICY,
    lesions: Any = None,
    on: str | None = None,
    prefix: str = "",
    strict_columns: bool = False,
    invalid: str = "row",
    ecog_to_kps: str | None = None,
    detail: bool = False,
) -> Any:
    """Score every row of a DataFrame: one case per row (or cases and their lesions).

    Args:
        df: a pandas, Polars (eager or lazy), Dask, PySpark or DuckDB frame (anything narwhals
            reads), or a narwhals frame. Columns named as the fields of the interchange format;
            missing optional columns are allowed; other columns are ignored. Booleans must be a
            boolean dtype or Python ``bool`` cells (a number is never a boolean). On Dask, an
            object column of booleans must use the ``boolean`` dtype: Dask turns object columns
            into strings (``"True"``), which are invalid.
        scores: score ids to compute (default: every supported one, see
            :func:`supported_scores`). ``"noms"`` adds ``noms_radiation`` and
            ``noms_stabilization`` and the scores they need (``sins``, ``escc``); selecting
            both ``sins`` and ``escc`` brings the NOMS columns too.
        keep_input: return the input columns first (output columns replace input columns of the
            same name).
        columns: ``{your_column: interchange_field}`` for frames whose names differ; error
            messages then name your column.
        policy: the :class:`~spinemets.policy.Policy` (its ESCC 1c choice drives
            ``noms_radiation``).
        lesions: a frame of the same engine with one row per lesion: the key column *on* and
            the lesion fields. A case's lesions are its key's rows, in this frame's order; the
            case's SINS is the maximum over them, its ESCC the worst grade, and NOMS reads both,
            as :func:`spinemets.assess` of the nested case. ``df`` then has no lesion columns.
            pandas, Polars (eager and lazy) and Dask.
        on: the key column of ``df`` and ``lesions``.
        prefix: prepended to every output column name (not to kept input columns).
        strict_columns: a column that looks like a misspelt field (``KPS``, ``Histology``,
            ``bone lesion``) raises :class:`FrameError` instead of a ``UserWarning``.
        invalid: ``"row"`` (an invalid cell nulls its row's scores) or ``"cell"`` (an invalid
            cell is read as absent: the scores that need it are null, the others computed);
            ``error`` names every invalid cell either way.
        ecog_to_kps: the ECOG-to-KPS conversion (``common``, ``ma_2010``, ``prasad_2018``) for
            rows whose ``ecog_to_kps`` cell is absent.
        detail: add, per score id, ``<id>_status`` (categorical/``Enum``), ``<id>_missing`` and
            ``<id>_flags`` (lists of strings: Arrow lists on pandas, ``List(String)`` on
            Polars; empty, not null, when there are none), and ``noms_flags``,
            ``noms_missing`` (the recommendation's flags and the field paths of its missing
            inputs, radiation's first), all as :func:`spinemets.assess` reports them; null on
            invalid rows. Read from the scalar scores once per distinct combination of the
            inputs each score reads: fast on registries with repeated values, a few thousand
            rows per second when nearly every row is distinct. pandas, Polars and Dask.

    Returns:
        A frame of the same kind and row order with, per summed score ``<id>`` (nullable Int16
        total, null when incomplete or not applicable) and ``<id>_band`` (``nesms`` is the
        capped total and ``nesms_raw`` the sum before the cap; ``osri_band`` is always null:
        OSRI has no published bands); ``escc_grade``, ``escc_class``; ``noms_radiation``,
        ``noms_stabilization``; ``error`` (null for a valid row, else a message naming each
        offending column; lesion cells of a long-form call as ``lesions[i].column``). Codes are
        categorical on pandas and Dask (bands, ESCC grades and classes ordered from the lowest
        total or grade up), ``Enum`` on Polars (whose values are the codes), strings elsewhere;
        the output types depend only on ``scores=``, never on which input columns exist. An
        invalid row has null scores and its error; nothing is raised for cell values. Integers
        must lie below 2**53 in absolute value and floats be finite; ``float32`` values are read
        through their shortest decimal (1.4, not 1.39999998).

    Raises:
        ValueError: for unknown ``scores`` ids, a ``columns`` mapping to no interchange field,
            or an unknown ``invalid``/``ecog_to_kps`` choice.
        FrameError: (a ``ValueError``) when a column it would read appears more than once, for a
            near-miss column under ``strict_columns=True``, and for long-form keys: lesion
            columns in ``df``, a null or repeated key in ``df``, lesion rows with a null key or
            a key that matches no case (raised at the call, on Polars lazy frames when
            collected).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``lesions=``, ``on=``, ``prefix=``, ``strict_columns=``, ``invalid=``, ``ecog_to_kps=``.
    """
    from .._optional import require_engine

    require_engine(_module_name(df))  # names the extra to install when a dependency is missing
    ids = _selected(scores)
    mapping = _mapping(columns)
    if invalid not in ("row", "cell"):
        raise ValueError(f"score_frame: invalid={invalid!r}; choose 'row' or 'cell'")
    conversion = None
    if ecog_to_kps is not None:
        try:
            conversion = EcogToKps(ecog_to_kps)
        except ValueError:
            choices = [c.value for c in EcogToKps]
            raise ValueError(f"score_frame: ecog_to_kps={ecog_to_kps!r}; choose from {choices}"
                             ) from None
    if (lesions is None) != (on is None):
        raise ValueError("score_frame: lesions= and on= go together (the lesion frame and the "
                         "key column both frames share)")
    root = _module_name(df)
    if root == "narwhals":
        nw = importlib.import_module("narwhals")
        native = nw.to_native(df)
        native_lesions = None if lesions is None else nw.to_native(lesions)
        return nw.from_native(score_frame(
            native, scores=scores, keep_input=keep_input, columns=columns, policy=policy,
            lesions=native_lesions, on=on, prefix=prefix, strict_columns=strict_columns,
            invalid=invalid, ecog_to_kps=ecog_to_kps, detail=detail))
    opts = _Options(ids, keep_input, mapping, policy, prefix, invalid, conversion, detail,
                    long=lesions is not None)
    _check_columns(_column_names(df), mapping, on, strict_columns)
    if lesions is not None:
        _check_columns(_column_names(lesions), mapping, on, strict_columns)
    if root == "pandas":
        return _score_pandas(df, opts, lesions, on)
    if root == "polars" and importlib.util.find_spec("numpy") is not None:
        return _score_polars(df, opts, lesions, on)
    if root == "dask":
        return _score_dask(df, opts, lesions, on)
    if detail:
        raise NotImplementedError(
            "score_frame: detail=True is implemented for pandas, Polars and Dask frames; on "
            "this engine convert the frame first (e.g. .toPandas(), .pl())")
    arrow = _arrow_engine(df, root) if lesions is None else None
    if arrow is not None:
        return arrow(df, opts)
    return _score_narwhals(df, opts, lesions, on)


def _arrow_engine(df: Any, root: str) -> Callable[[Any, _Options], Any] | None:
    """PySpark and DuckDB score Arrow batches with the NumPy evaluator (``_arrow``) when NumPy
    and pyarrow are installed; other engines (and those without them) take narwhals."""
    if root not in ("pyspark", "duckdb", "_duckdb"):
        return None
    if importlib.util.find_spec("numpy") is None or importlib.util.find_spec("pyarrow") is None:
        return None
    from .. import _arrow

    if root == "pyspark":
        return _arrow.score_spark if hasattr(df, "mapInArrow") else None
    return _arrow.score_duckdb if hasattr(df, "to_arrow_reader") or hasattr(
        df, "fetch_record_batch") else None
