"""Reading cells and columns: the strict rules of the dict form, plus the DataFrame extras.

:func:`parse_cell` reads one cell as the JSON form reads a value (NaN, None, ``pd.NA`` mean not
assessed; NumPy scalars read as their Python values). A column is read once into a
:class:`_Column` of small integer codes (categorical codes as they are, Arrow strings through one
hash pass against the field's vocabulary, whole narrow numbers arithmetically) or, for continuous
values, a dense float array; invalid cells are marked, never raised.

Value encoding per row, by node domain: numeric fields as float64 with NaN for null; ``int``
(points, totals, keys) as int16 with a negative sentinel for null; enum members and booleans as
their index (int8, 0/1 for booleans) with -1 for null. So "null" is always readable from the
values themselves (NaN or negative) and no mask travels beside them.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import math
from collections.abc import Iterable, Sequence
from typing import Any, Final

from .._fields import _MISSING, FieldSpec
from ..vocab import EsccGrade
from ._nodes import Domain

#: Integers must stay below this in absolute value (and floats be finite): a larger value is an
#: error of its field, as in the dict form.
_INT_BOUND: Final = 1 << 53


def _python_scalar(raw: Any) -> Any:
    """A NumPy scalar as the Python value it holds (``float32`` through its shortest decimal,
    so ``np.float32(1.4)`` is 1.4); anything else unchanged."""
    if type(raw).__module__ != "numpy" or not hasattr(raw, "item"):
        return raw
    if getattr(raw, "dtype", None) is not None and raw.dtype.kind == "f" and raw.dtype.itemsize < 8:
        return float(str(raw))
    return raw.item()


def parse_cell(spec: FieldSpec, raw: Any) -> Any:
    """One DataFrame cell: the typed value, ``None`` (not assessed) or ``_MISSING`` (invalid).

    NaN, None, ``pd.NA`` and ``NaT`` mean not assessed; NumPy scalars read as their Python
    values; an integer 0, 2 or 3 (or the same whole float) in ``escc`` reads as that grade;
    integers of 2**53 or more in absolute value (also whole floats in an integer field) are
    invalid.
    """
    if raw is None:
        return None
    raw = _python_scalar(raw)
    kind = type(raw)
    if kind is float and math.isnan(raw):
        return None
    if kind.__name__ in ("NAType", "NaTType"):
        return None
    if spec.codes is EsccGrade and kind in (int, float):
        if raw in (0, 2, 3):
            return EsccGrade(str(int(raw)))
        return _MISSING
    value = spec.parse(raw)
    if type(value) is int and not -_INT_BOUND < value < _INT_BOUND:
        return _MISSING
    return value


def _message(names: Iterable[tuple[str, FieldSpec]]) -> str:
    return "invalid input: " + "; ".join(f"{col}: must be {spec.allowed}" for col, spec in names)


#: Whole-numbered columns spanning at most this many values are read as codes.
_CODE_SPAN: Final = 1024
#: The null of ``int`` values (int16; valid ones are below ``_INT_TOP``): sums of up to
#: ``_MAX_TERMS`` terms with a null among them stay negative and within int16.
_NEG: Final = -(1 << 12)
_INT_TOP: Final = 1 << 12
_MAX_TERMS: Final = 7

_INDEX_CACHE: dict[type[enum.Enum], dict[enum.Enum, int]] = {}


def _member_index(cls: type[enum.Enum]) -> dict[enum.Enum, int]:
    index = _INDEX_CACHE.get(cls)
    if index is None:
        index = _INDEX_CACHE[cls] = {m: i for i, m in enumerate(cls)}
    return index


def _rep(value: Any) -> Any:
    """A value's NumPy representation: members by index, booleans as 0/1."""
    if isinstance(value, enum.Enum):
        return _member_index(type(value))[value]
    if isinstance(value, bool):
        return int(value)
    return value


def _kind(domain: Domain) -> str:
    """``"f"`` (float, NaN null), ``"i"`` (int16, _NEG null) or ``"c"`` (codes, -1 null)."""
    if domain is float:
        return "f"
    if domain is bool or (isinstance(domain, type) and issubclass(domain, enum.Enum)):
        return "c"
    return "i"


class _Column:
    """One input column read once.

    Coded: ``codes`` per row (-1 = NA) index ``table``, whose last slot is NA (so -1 reads it).
    Dense (``codes`` None): ``table`` holds the values per row. Values are in the field's
    encoding (above), invalid cells read as null; ``bad`` (per code, or per row when dense; None
    when nothing is invalid) marks the invalid cells for ``error``.
    """

    __slots__ = ("bad", "codes", "table")

    def __init__(self, codes: Any, table: Any, bad: Any) -> None:
        self.codes, self.table, self.bad = codes, table, bad

    def bad_rows(self, np: Any) -> Any:
        """Per-row invalid flags, or None."""
        if self.bad is None:
            return None
        if self.codes is None:
            return self.bad
        rows = np.take(self.bad, self.codes)
        return rows if rows.any() else None


def _field_kind(spec: FieldSpec) -> str:
    return "c" if spec.kind in ("code", "bool") else "f"


def _coded(np: Any, spec: FieldSpec, codes: Any, uniques: Sequence[Any]) -> _Column:
    """A column of codes into *uniques* (its distinct cells, NA = -1), parsed cell by cell."""
    numeric = _field_kind(spec) == "f"
    if len(uniques) < 127 and codes.dtype.itemsize > 1:
        codes = codes.astype(np.int8)  # small codes: less memory, faster keys
    table = np.full(len(uniques) + 1, np.nan if numeric else -1,
                    np.float64 if numeric else np.int8)
    bad = np.zeros(len(uniques) + 1, bool)
    for i, raw in enumerate(uniques):
        value = parse_cell(spec, raw)
        if value is _MISSING:
            bad[i] = True
        elif value is not None:
            table[i] = _rep(value)
    return _Column(codes, table, bad if bad.any() else None)


def _float64(np: Any, x: Any) -> Any:
    """A float array as float64; ``float32``/``float16`` through each value's shortest decimal
    (``np.float32(1.4)`` is 1.4, so published cut-offs compare as written)."""
    if x.dtype.kind == "f" and x.dtype.itemsize < 8:
        return x.astype(str).astype(np.float64)
    return x.astype(np.float64, copy=False)


def _numeric(np: Any, spec: FieldSpec, x: Any, *, integers: bool = False) -> _Column:
    """A float64 column (NaN = not assessed): codes when whole and narrow, else dense.

    *integers*: the column's dtype holds integers, which must lie below 2**53 in absolute value
    whatever the field (as a Python ``int`` in the dict form); so must whole values of an integer
    field."""
    nan = np.isnan(x)
    n = len(x)
    if n == 0 or nan.all():
        return _coded(np, spec, np.full(n, -1, np.int8), [])
    lo, hi = float(np.fmin.reduce(x)), float(np.fmax.reduce(x))
    if math.isfinite(lo) and math.isfinite(hi) and hi - lo <= _CODE_SPAN:
        shifted = x - lo
        with np.errstate(invalid="ignore"):
            codes = shifted.astype(np.int16)
        whole = codes == shifted
        has_nan = bool(nan.any())
        if bool((whole | nan).all() if has_nan else whole.all()):
            if has_nan:
                codes[nan] = -1
            # Whole *differences* say nothing about the values (80.5 alone is "whole" from
            # itself): each value is parsed as the float it is, or as an integer when the
            # column's dtype holds integers.
            cast = int if integers else float
            return _coded(np, spec, codes, [cast(lo + i) for i in range(int(hi - lo) + 1)])
    if spec.kind not in ("int", "number"):  # numbers in a code or boolean column
        uniques, codes = np.unique(x, return_inverse=True)
        codes = np.where(nan, -1, codes.ravel())
        return _coded(np, spec, codes, [None if math.isnan(u) else float(u) for u in uniques])
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x)
        if spec.minimum is not None:
            ok &= x >= spec.minimum
        if spec.exclusive_minimum is not None:
            ok &= x > spec.exclusive_minimum
        if spec.maximum is not None:
            ok &= x <= spec.maximum
        if spec.kind == "int":
            ok &= np.floor(x) == x
        if spec.kind == "int" or integers:
            ok &= np.abs(x) < _INT_BOUND
        if spec.multiple_of:
            ok &= np.fmod(x, spec.multiple_of) == 0
    bad = ~ok & ~nan
    values = x if not bad.any() else np.where(ok, x, np.nan)
    return _Column(None, values, bad if bad.any() else None)


_INVALID: Final = object()  #: A cell no field accepts (stands for every unrecognised value).


def _arrow_strings(np: Any, spec: FieldSpec, arr: Any) -> _Column:
    """An Arrow string array: one hash pass against the field's codes; other strings invalid."""
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    if spec.codes is None:  # a string is never a boolean or a number
        valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
        return _coded(np, spec, np.where(valid, 0, -1).astype(np.int8), [_INVALID])
    vocab: list[Any] = [m.value for m in spec.codes]
    index = pc.index_in(arr, value_set=pa.array(vocab, type=arr.type))
    codes = index.fill_null(-1).to_numpy(zero_copy_only=False)
    if index.null_count > arr.null_count:
        invalid = pc.and_(pc.is_null(index), pc.is_valid(arr)).to_numpy(zero_copy_only=False)
        codes = np.where(invalid, len(vocab), codes)
        vocab.append(_INVALID)
    return _coded(np, spec, codes, vocab)


def _pandas_field(pd: Any, np: Any, spec: FieldSpec, series: Any) -> _Column:
    """A pandas column read once (categorical codes as they are, Arrow strings hashed once,
    numbers arithmetically, anything else through ``pd.factorize``)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _coded(np, spec, series.cat.codes.to_numpy(), list(dtype.categories))
    if dtype == np.dtype(object):
        return _object_column(pd, np, spec, series)
    if getattr(dtype, "storage", None) == "pyarrow" or type(dtype).__name__ == "ArrowDtype":
        pa = importlib.import_module("pyarrow")
        arr = pa.array(series.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            return _arrow_strings(np, spec, arr)
    if dtype.kind == "b":
        if isinstance(dtype, np.dtype):
            return _coded(np, spec, series.to_numpy().view(np.int8), [False, True])
        return _coded(np, spec, series.to_numpy(dtype=np.int8, na_value=-1), [False, True])
    if dtype.kind == "f" and getattr(dtype, "itemsize", 8) < 8:
        return _numeric(np, spec, _float64(np, series.to_numpy(dtype=np.float32,
                                                                 na_value=np.nan)))
    if dtype.kind in "iuf":
        return _numeric(np, spec, series.to_numpy(dtype=np.float64, na_value=np.nan),
                        integers=dtype.kind in "iu")
    return _object_column(pd, np, spec, series)


#: Cell types that ``pd.factorize`` may merge with each other without changing a cell's reading
#: (one family per column); bools never share a family with numbers, nor float32 with float64.
_FAMILIES: Final = ({"str", "str_"}, {"bool", "bool_"}, {"float", "float64"},
                    {"int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                     "uint64"})


def _object_column(pd: Any, np: Any, spec: FieldSpec, series: Any) -> _Column:
    """Cells of any Python type: hashed once by ``pd.factorize`` when they share one type family
    (see ``_FAMILIES``), else cell by cell keyed on type and value, so that ``True`` is never
    merged with ``1``, and unhashable cells (lists) are read as what they are (invalid)."""
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "boolean", "integer", "empty"):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)  # one family, hashable
        return _coded(np, spec, codes, list(uniques))
    na = pd.isna(series).to_numpy(dtype=bool)
    values = series.to_numpy(dtype=object, na_value=None)
    types = {type(v).__name__ for v in values[~na]}
    if any(types <= family for family in _FAMILIES):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return _coded(np, spec, codes, list(uniques))
    return _cells(np, spec, values, na)


def _cells(np: Any, spec: FieldSpec, values: Sequence[Any], na: Any) -> _Column:
    """Cells read one by one, deduplicated on (type, value); *na* marks the null cells."""
    index: dict[Any, int] = {}
    uniques: list[Any] = []
    codes = np.full(len(values), -1, np.int32)
    for i in np.flatnonzero(~na).tolist():
        raw = values[i]
        try:
            key = (type(raw), raw)
            j = index.get(key)
        except TypeError:  # unhashable: a code of its own
            key, j = None, None
        if j is None:
            j = len(uniques)
            uniques.append(raw)
            if key is not None:
                index[key] = j
        codes[i] = j
    return _coded(np, spec, codes, uniques)


#: String columns of fields with at most this many codes are read by comparing with each code;
#: larger vocabularies through one cast to an Enum (``benchmarks/bench_engines.py``: a comparison
#: costs about a tenth of the cast on 10**6 rows).
_COMPARE_CODES: Final = 8


def _polars_field(pl: Any, np: Any, spec: FieldSpec, s: Any) -> _Column:
    """A Polars column read once (strings compared with each of a few codes, or cast to an Enum
    of the field's codes)."""
    dtype = s.dtype
    stringy = dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)
    if stringy and spec.codes is not None:
        vocab: list[Any] = [m.value for m in spec.codes]
        if dtype == pl.String and len(vocab) <= _COMPARE_CODES:
            # One comparison per code (Polars compares short strings in place): several times
            # faster than the cast below for a few codes; slower for many.
            x = pl.col("x")
            chain = pl.when(x.is_null()).then(-1)
            for i, value in enumerate(vocab):
                chain = chain.when(x == value).then(i)
            expr = chain.otherwise(len(vocab)).cast(pl.Int8)
            codes = s.to_frame("x").select(expr).to_series().to_numpy()
            if (codes == len(vocab)).any():
                vocab.append(_INVALID)
            return _coded(np, spec, codes, vocab)
        coded = s.cast(pl.Enum(vocab), strict=False)
        codes = coded.to_physical().cast(pl.Int16).fill_null(-1).to_numpy()
        if coded.null_count() > s.null_count():
            invalid = (coded.is_null() & s.is_not_null()).to_numpy()
            codes = np.where(invalid, len(vocab), codes)
            vocab.append(_INVALID)
        return _coded(np, spec, codes, vocab)
    if dtype == pl.Boolean:
        return _coded(np, spec, s.cast(pl.Int8).fill_null(-1).to_numpy(), [False, True])
    if dtype == pl.Float32:
        return _numeric(np, spec, _float64(np, s.to_numpy()))
    if dtype.is_numeric():
        return _numeric(np, spec, s.cast(pl.Float64).to_numpy(), integers=dtype.is_integer())
    if dtype == pl.Object:
        values = s.to_list()
        na = np.fromiter((v is None for v in values), bool, len(values))
        return _cells(np, spec, values, na)
    if dtype == pl.Null:  # every cell null (e.g. an empty CSV column)
        return _coded(np, spec, np.full(len(s), -1, np.int8), [])
    # Strings in a number or boolean field, dates, lists, ...: every non-null cell is invalid.
    return _coded(np, spec, s.is_not_null().cast(pl.Int8).to_numpy() - 1, [_INVALID])
