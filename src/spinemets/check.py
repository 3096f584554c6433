"""Check a DataFrame's columns against the interchange vocabulary, without scoring it.

:func:`check_frame` lists, for every column that maps to an interchange field, the values that are
not valid for it (with their counts and the code they probably mean), and the columns that look
like misnamed fields, so a researcher can write the recode once before calling
:func:`spinemets.score_frame`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Final

from ._fields import _MISSING, CASE_FIELDS, LESION_FIELDS, FieldSpec
from ._suggest import suggest_code, suggest_field

__all__ = ["CHECK_COLUMNS", "check_frame"]

_FIELDS: Final[dict[str, FieldSpec]] = {f.name: f for f in (*CASE_FIELDS, *LESION_FIELDS)}

#: The columns of :func:`check_frame`'s result, in order.
CHECK_COLUMNS: Final = ("column", "field", "status", "value", "count", "suggestion", "allowed")


def _codes(spec: FieldSpec) -> list[str]:
    """The field's values as strings, for suggestions (``"true"``/``"false"`` for booleans)."""
    if spec.kind == "bool":
        return ["true", "false"]
    if spec.kind == "code":
        assert spec.codes is not None
        return [str(m.value) for m in spec.codes]
    return []


def _python(value: Any) -> Any:
    """A NumPy scalar as its Python value (for the result table and for parsing)."""
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy":
        return item()
    return value


def _frame_error(message: str) -> Exception:
    """A :class:`~spinemets.frame.FrameError` (a ``ValueError``) for a wrong call."""
    from .frame import FrameError

    return FrameError(message)


def _mapping(columns: Mapping[str, str] | None) -> dict[str, str]:
    mapping = {name: name for name in _FIELDS}
    if columns is not None and not isinstance(columns, Mapping):
        raise _frame_error("check_frame: columns= maps your column names to field names, e.g. "
                           f"{{'KPS': 'kps'}}, not {type(columns).__name__}")
    for col, name in (columns or {}).items():
        if not isinstance(name, str) or name not in _FIELDS:
            raise _frame_error(
                f"check_frame: columns={{{col!r}: {name!r}}} does not name an interchange field"
            )
        if mapping.get(name) == name:
            del mapping[name]
        mapping[col] = name
    return mapping


def check_frame(df: Any, columns: Mapping[str, str] | None = None,
                *, max_values: int = 25) -> Any:
    """Check a DataFrame's columns against the interchange vocabulary, without scoring it.

    Args:
        df: a pandas or Polars DataFrame (a lazy frame, or any frame narwhals reads, is
            collected first).
        columns: ``{your_column: interchange_field}``, as for :func:`spinemets.score_frame`.
        max_values: at most this many invalid values are listed per column (the most frequent
            first); the rest are summed in one ``more_invalid`` row.

    Returns:
        A pandas DataFrame with the columns ``column`` (your name), ``field`` (the interchange
        field it maps to), ``status``, ``value``, ``count``, ``suggestion`` and ``allowed``:

        - ``ok``: a mapped column whose non-null values are all valid (``count`` non-null cells);
        - ``invalid``: one row per distinct value that :func:`spinemets.score_frame` would reject
          (``count`` cells), with ``suggestion`` the code it probably means (``"Renal cell"`` →
          ``kidney``, ``"Y"`` → ``true``; for a number field, a number written as text: ``"80"``)
          or null when there is no safe guess;
        - ``more_invalid``: the invalid values beyond *max_values* (``value`` says how many);
        - ``misnamed``: a column that is not a field but looks like one (``Histology``, ``KPS``,
          ``bone lesion``): ``suggestion`` is the field, ``count`` its non-null cells (its values
          are not checked; rename it and check again);
        - ``absent``: a column named in *columns* that the frame does not have.

        Other columns are ignored, as ``score_frame`` ignores them. Nulls (NaN, None, ``pd.NA``)
        are "not assessed", never invalid. Suggestions are only offered: rename or recode, then
        score.

    Reading recipes: ``pandas.read_csv`` turns the strings ``"None"``, ``"NA"`` and ``"null"``
    into NaN by default (``keep_default_na=False, na_values=[""]`` keeps them as text, e.g. when
    ``"none"`` is a code); Dask reads booleans stored as text as strings (``"True"``), which are
    invalid until mapped to ``True``/``False``.

    Raises:
        FrameError: (a ``ValueError``) when *df* is not a DataFrame, *columns* maps to no
            interchange field, or *max_values* is not a whole number of at least 1.

    .. versionadded:: 0.2.0
    """
    import narwhals as nw

    try:
        pd = importlib.import_module("pandas")
    except ImportError as exc:  # pragma: no cover - pandas is in every DataFrame extra but polars
        raise ImportError("check_frame returns a pandas DataFrame: pip install pandas") from exc
    if not isinstance(max_values, int) or isinstance(max_values, bool) or max_values < 1:
        raise _frame_error("check_frame: max_values must be at least 1")
    mapping = _mapping(columns)
    try:
        frame = nw.from_native(df)
    except TypeError:  # a list, a dict, a Series
        raise _frame_error("check_frame: df must be a DataFrame (pandas, Polars or another frame "
                           f"narwhals reads), not {type(df).__name__}") from None
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    present = [str(c) for c in frame.columns]
    rows: list[tuple[Any, ...]] = []
    for col in present:
        name = mapping.get(col)
        if name is None:
            guess = suggest_field(col, _FIELDS)
            if guess is not None:
                count = len(frame) - int(frame[col].is_null().sum())
                rows.append((col, None, "misnamed", None, count, guess, None))
            continue
        spec = _FIELDS[name]
        bad: list[tuple[Any, int]] = []
        valid = 0
        for raw, n in _value_counts(frame, col):
            value = _python(raw)
            parsed = _parse(spec, value)
            if parsed is None:
                continue
            if parsed is _MISSING:
                bad.append((value, int(n)))
            else:
                valid += int(n)
        allowed = spec.allowed
        if not bad:
            rows.append((col, name, "ok", None, valid, None, allowed))
            continue
        for value, n in bad[:max_values]:
            guess = _suggest(spec, value)
            rows.append((col, name, "invalid", value, n, guess, allowed))
        rest = bad[max_values:]
        if rest:
            rows.append((col, name, "more_invalid", f"{len(rest)} more distinct values",
                         sum(n for _, n in rest), None, allowed))
    for col, name in mapping.items():
        if col != name and col not in present:
            rows.append((col, name, "absent", None, 0, None, _FIELDS[name].allowed))
    # object columns: values (and names) are echoed as given, lone surrogates included
    out = pd.DataFrame({name: pd.Series([r[i] for r in rows], dtype=object)
                        for i, name in enumerate(CHECK_COLUMNS)})
    out["count"] = out["count"].astype("int64")
    return out


def _value_counts(frame: Any, col: str) -> list[tuple[Any, int]]:
    """(value, count) of every distinct value, the most frequent first.

    An object column is tallied by type as well as value: ``True`` and ``1`` (equal in Python)
    are different cells to the vocabulary.
    """
    import narwhals as nw

    series = frame[col]
    if series.dtype != nw.Object:
        try:
            counts = series.value_counts(sort=True, name="__count__")
            pairs = zip(counts[col].to_list(), counts["__count__"].to_list(), strict=True)
            return [(v, int(n)) for v, n in pairs if n]
        except (ValueError, TypeError):  # e.g. text Arrow cannot hold (a lone surrogate)
            pass
    tally: dict[Any, list[Any]] = {}
    for value in series.to_list():
        key = ("null",) if _is_null(value) else (type(value), repr(value))
        entry = tally.setdefault(key, [value, 0])
        entry[1] += 1
    return sorted(((v, n) for v, n in tally.values()), key=lambda p: -p[1])


def _is_null(value: Any) -> bool:
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return value is not None and type(value).__name__ == "NAType"


def _parse(spec: FieldSpec, value: Any) -> Any:
    """The typed value, ``None`` (null) or ``_MISSING`` (invalid), as ``score_frame`` reads it."""
    from .frame import parse_cell

    return parse_cell(spec, value)


def _suggest(spec: FieldSpec, value: Any) -> str | None:
    """The code (or, for a number field, the number) *value* probably means, as text."""
    codes = _codes(spec)
    if codes:
        return suggest_code(spec.name, value, codes)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        parsed = spec.parse(int(number) if number.is_integer() else number)
        if parsed is not _MISSING:
            return str(parsed)
    return None
