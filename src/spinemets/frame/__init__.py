"""Cohort scoring: one call scores a whole DataFrame.

:func:`score_frame` takes one row per case with a single lesion (the case and lesion fields of the
interchange format as columns), or cases and lesions in two frames, and returns, row for row,
every summed score's total and band, the ESCC grade and class, the two NOMS codes and an ``error``
column; it is the package's one public door (with :func:`supported_scores` and
:func:`output_columns`).

How it works: one definition, two evaluators.

1. A **plan** (``_plan``, in the expression language of ``_nodes``) is built from the registry
   and what the scalar scores read: each item's own reader, as the item declares its inputs,
   tabulated once over the pieces of its fields (``_items``), the bands, the NOMS cells and, for
   validation, the field table of every column. No point value is written in this package.
2. The plan is evaluated either by the **NumPy evaluator** (``_numpy``: pandas, Polars eager and
   lazy, Dask partitions, and PySpark and DuckDB through Arrow batches) or as **narwhals
   expressions** (``_expr``: every other engine narwhals supports). Columns are read once into
   small integer codes (``_columns``); each engine has its adapter (``_pandas``, ``_polars``,
   ``_dask``, ``_spark`` and ``_duckdb``, the last two through the Arrow batch scorer of
   ``_arrow``); lesions in long form (``_long``) and the detail columns (``_details``) have
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
from . import (
    _columns,
    _dask,
    _details,
    _expr,
    _long,
    _nodes,
    _numpy,
    _options,
    _pandas,
    _plan,
    _polars,
)
from ._columns import parse_cell as parse_cell
from ._options import NOMS, FrameError, _check_call, _require_frame
from ._plan import output_columns, supported_scores

__all__ = ["NOMS", "FrameError", "output_columns", "score_frame", "supported_scores"]

# Private names that ``check`` (and the tests) reach through ``spinemets.frame``.
_arrow_strings = _columns._arrow_strings
_cells = _columns._cells
_CODE_SPAN = _columns._CODE_SPAN
_coded = _columns._coded
_Column = _columns._Column
_FAMILIES = _columns._FAMILIES
_field_kind = _columns._field_kind
_float64 = _columns._float64
_INDEX_CACHE = _columns._INDEX_CACHE
_INT_BOUND = _columns._INT_BOUND
_INT_TOP = _columns._INT_TOP
_INVALID = _columns._INVALID
_kind = _columns._kind
_MAX_TERMS = _columns._MAX_TERMS
_member_index = _columns._member_index
_message = _columns._message
_NEG = _columns._NEG
_numeric = _columns._numeric
_object_column = _columns._object_column
_pandas_field = _columns._pandas_field
_polars_field = _columns._polars_field
_python_scalar = _columns._python_scalar
_rep = _columns._rep
_dask_partition = _dask._dask_partition
_score_dask = _dask._score_dask
_decode = _details._decode
_detail = _details._detail
_detail_columns = _details._detail_columns
_HAS_LESION = _details._HAS_LESION
_LIST = _details._LIST
_NOMS_INPUTS = _details._NOMS_INPUTS
_STATUS = _details._STATUS
_STATUSES = _details._STATUSES
_nw_field = _expr._nw_field
_nw_first = _expr._nw_first
_nw_long_frame = _expr._nw_long_frame
_nw_rep = _expr._nw_rep
_NwEval = _expr._NwEval
_score_narwhals = _expr._score_narwhals
_TMP = _expr._TMP
_case_index = _long._case_index
_first = _long._first
_lesion_fields_only = _long._lesion_fields_only
_LESION_NAMES = _long._LESION_NAMES
_LongInput = _long._LongInput
_no_lesion_columns = _long._no_lesion_columns
_pandas_long_input = _long._pandas_long_input
_polars_long_input = _long._polars_long_input
_pseudo_column = _long._pseudo_column
_require_key = _long._require_key
_score_long = _long._score_long
_worst = _long._worst
_children = _nodes._children
_depths = _nodes._depths
_refcounts = _nodes._refcounts
_walk = _nodes._walk
_add_errors = _numpy._add_errors
_Eval = _numpy._Eval
_FUSE_LIMIT = _numpy._FUSE_LIMIT
_offset = _numpy._offset
_output_arrays = _numpy._output_arrays
_score_columns = _numpy._score_columns
_Scored = _numpy._Scored
_check_columns = _options._check_columns
_column_names = _options._column_names
_ESCC_WORST = _options._ESCC_WORST
_FIELDS = _options._FIELDS
_mapping = _options._mapping
_module_name = _options._module_name
_no_duplicates = _options._no_duplicates
_Options = _options._Options
_present = _options._present
_PSEUDO = _options._PSEUDO
_SINS_TOTAL = _options._SINS_TOTAL
_categories = _pandas._categories
_ordered = _pandas._ordered
_pandas_errors = _pandas._pandas_errors
_pandas_output = _pandas._pandas_output
_pandas_version = _pandas._pandas_version
_score_pandas = _pandas._score_pandas
_build = _plan._build
_declared = _plan._declared
_Plan = _plan._Plan
_selected = _plan._selected
_polars_dtype = _polars._polars_dtype
_polars_schema = _polars._polars_schema
_score_polars = _polars._score_polars


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
            On PySpark and DuckDB (no row order through a join) the result carries the key
            column, by which rows are matched.
        on: the key column of ``df`` and ``lesions``.
        prefix: prepended to every output column name (not to kept input columns).
        strict_columns: a column that looks like a misspelt field (``KPS``, ``Histology``,
            ``bone lesion``) raises :class:`FrameError` instead of a ``UserWarning``.
        invalid: ``"row"`` (an invalid cell nulls its row's scores) or ``"cell"`` (an invalid
            cell is read as absent: the scores that need it are null, the others computed);
            ``error`` names every invalid cell either way.
        ecog_to_kps: the ECOG-to-KPS conversion (``common``, ``ma_2010``, ``prasad_2018``) for
            rows whose ``ecog_to_kps`` cell is absent.
        detail: add, per score id, ``<id>_status``, ``<id>_missing`` and ``<id>_flags``, and
            ``noms_flags``, ``noms_missing`` (the recommendation's flags and the field paths of
            its missing inputs, radiation's first), all as :func:`spinemets.assess` reports
            them; the lists are empty, not null, when there is nothing to list, and every detail
            cell is null on an invalid row. In each engine's native types: statuses categorical
            on pandas and Dask, ``Enum`` on Polars, strings on PySpark and DuckDB; lists
            ``pd.ArrowDtype(pa.list_(pa.string()))`` on pandas and Dask, ``List(String)`` on
            Polars, ``ArrayType(StringType())`` on PySpark, ``VARCHAR[]`` on DuckDB. Read from
            the scalar scores once per distinct combination of the inputs each score reads: fast
            on registries with repeated values, a few thousand rows per second when nearly every
            row is distinct.

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
        FrameError: (a :class:`~spinemets.exceptions.SpinemetsError` and a ``ValueError``) for
            every wrong call: *df* or *lesions* not a DataFrame (or of two engines), unknown
            ``scores`` ids, a ``columns`` mapping to no interchange field, an unknown
            ``invalid``/``ecog_to_kps`` choice, ``lesions=`` without ``on=``, a *policy* or
            *prefix* of the wrong type; when a column it would read appears more than once, for a
            near-miss column under ``strict_columns=True``, and for long-form keys: lesion
            columns in ``df``, a null or repeated key in ``df``, lesion rows with a null key or
            a key that matches no case (raised at the call, on Polars lazy frames when
            collected); ``detail=True`` on an engine other than pandas, Polars, Dask, PySpark
            and DuckDB.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``lesions=``, ``on=``, ``prefix=``, ``strict_columns=``, ``invalid=``, ``ecog_to_kps=``.
    """
    from .._optional import require_engine

    require_engine(_module_name(df))  # names the extra to install when a dependency is missing
    root = _require_frame(df, "df")
    ids = _selected(scores)
    mapping = _mapping(columns)
    if invalid not in ("row", "cell"):
        raise FrameError(f"score_frame: invalid={invalid!r}; choose 'row' or 'cell'")
    conversion = None
    if ecog_to_kps is not None:
        try:
            conversion = EcogToKps(ecog_to_kps)
        except ValueError:
            choices = [c.value for c in EcogToKps]
            raise FrameError(f"score_frame: ecog_to_kps={ecog_to_kps!r}; choose from {choices}"
                             ) from None
    if (lesions is None) != (on is None):
        raise FrameError("score_frame: lesions= and on= go together (the lesion frame and the "
                         "key column both frames share)")
    _check_call(df, root, policy, prefix, lesions)
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
    arrow = _arrow_engine(df, root)
    if arrow is not None and lesions is not None:
        from ._arrow import score_long

        return score_long(df, opts, lesions, on)
    if arrow is not None:
        return arrow(df, opts)
    if detail:
        raise FrameError(
            "score_frame: detail=True needs pandas, Polars, Dask, PySpark or DuckDB with NumPy "
            "and pyarrow installed; convert this frame to one of them first")
    return _score_narwhals(df, opts, lesions, on)


def _arrow_engine(df: Any, root: str) -> Callable[[Any, _Options], Any] | None:
    """PySpark and DuckDB score Arrow batches with the NumPy evaluator (``_arrow``) when NumPy
    and pyarrow are installed; other engines (and those without them) take narwhals."""
    if root not in ("pyspark", "duckdb", "_duckdb"):
        return None
    if importlib.util.find_spec("numpy") is None or importlib.util.find_spec("pyarrow") is None:
        return None
    from . import _duckdb, _spark

    if root == "pyspark":
        return _spark.score_spark if hasattr(df, "mapInArrow") else None
    return _duckdb.score_duckdb if hasattr(df, "to_arrow_reader") or hasattr(
        df, "fetch_record_batch") else None
