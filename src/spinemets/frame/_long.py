"""Lesions in long form: one row per lesion in a second frame, matched to its case by a key.

Each lesion row is read and scored (SINS total, ESCC grade) by the same plan; the case's SINS is
the maximum and its ESCC the worst grade over its lesions (null when it has none or any of them
is incomplete, as the scalar scores: Fisher et al. 2010; Bilsky et al. 2010), and these two enter
the case's plan as pseudo fields that SINS' band and NOMS read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import frozen

from .._fields import LESION_FIELDS
from ..exceptions import echo
from ..scores import escc, sins
from ..vocab import EsccGrade
from ._columns import _Column, _pandas_field, _polars_field
from ._numpy import _add_errors, _score_columns, _Scored
from ._options import (
    _ESCC_WORST,
    _FIELDS,
    _SINS_TOTAL,
    FrameError,
    _no_duplicates,
    _Options,
    _present,
)


@frozen
class _LongInput:
    """The lesion frame of a long-form call, read: its fields and each row's case index."""

    n: int  #: Case rows.
    fields: Mapping[str, _Column]
    names: Mapping[str, str]  #: Lesion field -> the caller's column name.
    case_index: Any  #: Per lesion row, the row of its case in the cases frame.


def _require_key(on: Any, case_columns: Iterable[Any], lesion_columns: Iterable[Any]) -> None:
    for where, names in (("cases", case_columns), ("lesions", lesion_columns)):
        if on not in set(names):
            raise FrameError(f"score_frame: the {where} frame has no key column {on!r} (on=)")


def _first(keys: Sequence[Any]) -> str:
    shown = ", ".join(echo(k) for k in keys[:5])
    return f"{shown}, ..." if len(keys) > 5 else shown


def _case_index(np: Any, on: Any, case_keys: Sequence[Any], case_null: Any,
                lesion_keys: Sequence[Any], lesion_null: Any) -> Any:
    """Per lesion row, its case's row; :class:`FrameError` for null, repeated or unmatched
    keys (naming their count and the first ones)."""
    if case_null.any():
        rows = np.flatnonzero(case_null).tolist()
        raise FrameError(f"score_frame: {len(rows)} case row(s) have a null key {on!r} "
                         f"(first rows: {_first(rows)})")
    position: dict[Any, int] = {}
    repeated: list[Any] = []
    for i, key in enumerate(case_keys):
        if position.setdefault(key, i) != i and key not in repeated:
            repeated.append(key)
    if repeated:
        raise FrameError(f"score_frame: {len(repeated)} key(s) of {on!r} appear in more than one "
                         f"case row (first keys: {_first(repeated)})")
    if lesion_null.any():
        rows = np.flatnonzero(lesion_null).tolist()
        raise FrameError(f"score_frame: {len(rows)} lesion row(s) have a null key {on!r} "
                         f"(first rows: {_first(rows)})")
    index = np.fromiter((position.get(k, -1) for k in lesion_keys), np.int64, len(lesion_keys))
    unmatched = np.flatnonzero(index < 0)
    if len(unmatched):
        keys = list(dict.fromkeys(lesion_keys[i] for i in unmatched.tolist()))
        raise FrameError(f"score_frame: {len(unmatched)} lesion row(s) have a key {on!r} that "
                         f"matches no case (first keys: {_first(keys)})")
    return index


_LESION_NAMES: Final = frozenset(f.name for f in LESION_FIELDS)


def _lesion_fields_only(present: Mapping[str, Any]) -> dict[str, Any]:
    return {name: col for name, col in present.items() if name in _LESION_NAMES}


def _no_lesion_columns(present: Mapping[str, Any]) -> None:
    found = [str(col) for name, col in present.items() if name in _LESION_NAMES]
    if found:
        raise FrameError(f"score_frame: with lesions= the cases frame may not hold lesion "
                         f"columns (found {found}); they belong in the lesion frame")


def _pandas_long_input(pd: Any, np: Any, cases: Any, lesions: Any, on: Any,
                       opts: _Options) -> _LongInput:
    _require_key(on, cases.columns, lesions.columns)
    _no_lesion_columns(_present(opts.mapping, cases.columns))
    present = _lesion_fields_only(_present(opts.mapping, lesions.columns))
    _no_duplicates([*present.values(), on], lesions.columns)
    _no_duplicates([on], cases.columns)
    fields = {name: _pandas_field(pd, np, _FIELDS[name], lesions[col])
              for name, col in present.items()}
    index = _case_index(np, on, cases[on].tolist(), pd.isna(cases[on]).to_numpy(),
                        lesions[on].tolist(), pd.isna(lesions[on]).to_numpy())
    return _LongInput(len(cases), fields, {k: str(v) for k, v in present.items()}, index)


def _polars_long_input(pl: Any, np: Any, cases: Any, lesions: Any, on: Any,
                       opts: _Options) -> _LongInput:
    _require_key(on, cases.columns, lesions.columns)
    _no_lesion_columns(_present(opts.mapping, cases.columns))
    present = _lesion_fields_only(_present(opts.mapping, lesions.columns))
    fields = {name: _polars_field(pl, np, _FIELDS[name], lesions.get_column(col))
              for name, col in present.items()}
    case_keys, lesion_keys = cases.get_column(on), lesions.get_column(on)
    index = _case_index(np, on, case_keys.to_list(), case_keys.is_null().to_numpy(),
                        lesion_keys.to_list(), lesion_keys.is_null().to_numpy())
    return _LongInput(cases.height, fields, dict(present), index)


def _worst(np: Any, n: int, index: Any, values: Any) -> Any:
    """Per case, the maximum of its lesions' *values* (codes or totals, negative = null); -1
    when it has no lesion or any of them is null."""
    if values.dtype.kind == "f":
        values = np.where(np.isnan(values), -1, values)
    values = values.astype(np.int16)
    count = np.bincount(index, minlength=n)
    null = np.bincount(index, weights=values < 0, minlength=n) > 0
    best = np.full(n, -1, np.int16)
    np.maximum.at(best, index, values)
    return np.where((count > 0) & ~null, best, -1).astype(np.int8)


def _pseudo_column(np: Any, values: Any, size: int) -> _Column:
    """A computed column of small non-negative codes (-1 = null) into ``0 .. size - 1``."""
    return _Column(values, np.append(np.arange(size), -1).astype(np.int8), None)


def _score_long(np: Any, opts: _Options, fields: Mapping[str, _Column],
                names: Mapping[str, str], long: _LongInput) -> _Scored:
    """Score the cases of a long-form call (see the section comment)."""
    _no_lesion_columns(fields)
    m = len(long.case_index)
    lesion_opts = _Options((sins.ID, escc.ID), policy=opts.policy)
    scored = _score_columns(np, m, long.fields, long.names, lesion_opts)
    values = {name: v for (name, _), v in zip(scored.outputs, scored.values, strict=True)}
    index = long.case_index
    case_sins = _worst(np, long.n, index, values[sins.ID])
    case_escc = _worst(np, long.n, index, values["escc_grade"])
    columns = {**fields,
               _SINS_TOTAL: _pseudo_column(np, case_sins, sins.RANGE[1] + 1),
               _ESCC_WORST: _pseudo_column(np, case_escc, len(EsccGrade))}
    out = _score_columns(np, long.n, columns, names, opts)
    bad = [(long.names[name], _FIELDS[name], rows) for name, col in long.fields.items()
           for rows in [col.bad_rows(np)] if rows is not None]
    if not bad:
        return out
    # Each invalid lesion cell is named lesions[i].column, i its place among the case's lesions.
    order = np.argsort(index, kind="stable")
    first = np.searchsorted(index[order], np.arange(long.n))
    ordinal = np.empty(m, np.int64)
    ordinal[order] = np.arange(m) - first[index[order]]
    parts: dict[int, list[tuple[int, int, str]]] = {}
    for k, (col, spec, rows) in enumerate(bad):
        for j in np.flatnonzero(rows).tolist():
            text = f"lesions[{ordinal[j]}].{col}: must be {spec.allowed}"
            parts.setdefault(int(index[j]), []).append((int(ordinal[j]), k, text))
    return _add_errors(np, long.n, out, {row: "; ".join(t for _, _, t in sorted(found))
                                          for row, found in parts.items()})
