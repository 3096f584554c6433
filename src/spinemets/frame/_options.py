"""What one :func:`~spinemets.frame.score_frame` call asks for, and the checks on its columns.

:class:`_Options` carries the call's choices to every engine (it is picklable: Dask ships it to its
workers); the column mapping, the duplicate-column and near-miss-name checks run before any cell is
read. :class:`FrameError` is what a frame that cannot be read as a whole raises.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Final

from attrs import frozen

from .._fields import CASE_FIELDS, LESION_FIELDS, FieldSpec
from ..exceptions import SpinemetsError, echo
from ..policy import DEFAULT_POLICY, Policy
from ..vocab import EcogToKps, EsccGrade
from ._nodes import Domain


class FrameError(SpinemetsError, ValueError):
    """A frame :func:`score_frame` cannot read as a whole (a duplicated column, a long-form key
    that is null, repeated or matches no case); a bad *cell* is never raised, it is reported in
    its row's ``error``."""


#: The pseudo score id that selects the two NOMS columns (they bring ``sins`` and ``escc``).
NOMS: Final = "noms"

_FIELDS: Final[dict[str, FieldSpec]] = {f.name: f for f in (*CASE_FIELDS, *LESION_FIELDS)}


@frozen
class _Options:
    """What one :func:`score_frame` call asks for (picklable: Dask ships it to workers)."""

    ids: tuple[str, ...]
    keep_input: bool = False
    mapping: Mapping[str, str] = {}
    policy: Policy = DEFAULT_POLICY
    prefix: str = ""
    invalid: str = "row"
    ecog_to_kps: EcogToKps | None = None
    detail: bool = False
    #: Cases of a long-form call: SINS and ESCC come from the lesion frame (pseudo fields).
    long: bool = False

    def name(self, column: str) -> str:
        """An output column's name (with the prefix)."""
        return self.prefix + column


#: Pseudo fields of a long-form call: the case's SINS (maximum over its lesions) and worst ESCC
#: grade, computed from the lesion frame and read by the plan like any field.
_SINS_TOTAL: Final = "__spinemets_sins_total"
_ESCC_WORST: Final = "__spinemets_escc_worst"
_PSEUDO: Final[dict[str, Domain]] = {_SINS_TOTAL: int, _ESCC_WORST: EsccGrade}


def _no_duplicates(read: Iterable[Any], columns: Iterable[Any]) -> None:
    """Raise :class:`FrameError` when a column that would be read appears more than once."""
    seen: set[Any] = set()
    dups = []
    for col in columns:
        if col in seen and col not in dups:
            dups.append(col)
        seen.add(col)
    named = [c for c in dups if c in set(read)]
    if named:
        raise FrameError(f"score_frame: the column {named[0]!r} appears more than once "
                         f"({len(named)} duplicated field column(s): {named[:5]!r}); "
                         "rename or drop the copies")


def _present(mapping: Mapping[str, str], columns: Iterable[Any]) -> dict[str, Any]:
    """Interchange field -> the caller's column, for the columns the frame has."""
    have = set(columns)
    return {field: col for col, field in mapping.items() if col in have}


def _mapping(columns: Mapping[str, str] | None) -> dict[str, str]:
    """Caller column -> interchange field (identity for unmapped fields)."""
    mapping: dict[str, str] = {name: name for name in _FIELDS}
    if columns is not None and not isinstance(columns, Mapping):
        raise FrameError("score_frame: columns= maps your column names to field names, e.g. "
                         f"{{'KPS': 'kps'}}, not {echo(columns)}")
    if columns:
        for col, name in columns.items():
            if not isinstance(name, str) or name not in _FIELDS:
                raise FrameError(
                    f"score_frame: columns={{{col!r}: {name!r}}} does not name an interchange "
                    "field (columns= maps your column names to the field names of the interchange "
                    "format)"
                )
            if mapping.get(name) == name:
                del mapping[name]
            mapping[col] = name
    targets = list(mapping.values())
    dups = sorted({t for t in targets if targets.count(t) > 1})
    if dups:
        raise FrameError(f"score_frame: several columns map to {dups}")
    return mapping


def _module_name(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


#: The libraries whose frames have an adapter (any other frame goes through narwhals).
_ENGINES: Final = frozenset({"pandas", "polars", "dask", "pyspark", "duckdb", "_duckdb",
                             "narwhals"})


def _require_frame(df: Any, what: str, function: str = "score_frame") -> str:
    """The library *df* comes from; :class:`FrameError` when it is not a DataFrame (a list, a
    dict, a Series)."""
    root = _module_name(df)
    if root in _ENGINES and (hasattr(df, "collect_schema") or hasattr(df, "columns")):
        return root
    if root not in _ENGINES:
        nw = importlib.import_module("narwhals")
        try:
            nw.from_native(df)
        except TypeError:
            pass
        else:
            return root
    raise FrameError(f"{function}: {what} must be a DataFrame (pandas, Polars, Dask, PySpark, "
                     f"DuckDB or another frame narwhals reads), not {type(df).__name__}")


def _check_call(df: Any, root: str, policy: Any, prefix: Any, lesions: Any) -> None:
    """:class:`FrameError` for options of the wrong type and a lesion frame of another
    engine than the cases (Dask cases may take a pandas lesion frame)."""
    if not isinstance(policy, Policy):
        raise FrameError(f"score_frame: policy= takes a spinemets.Policy, not {echo(policy)}")
    if not isinstance(prefix, str):
        raise FrameError(f"score_frame: prefix= takes a string, not {echo(prefix)}")
    if lesions is not None:
        found = _require_frame(lesions, "lesions")
        same = {found, root} <= {"duckdb", "_duckdb"} or found == root
        if not same and not (root == "dask" and found == "pandas"):
            raise FrameError(f"score_frame: the lesion frame is a {found} frame and the cases a "
                             f"{root} frame; give both frames of the same engine")


def _column_names(df: Any) -> list[Any]:
    """A frame's column names, without computing it."""
    if hasattr(df, "collect_schema"):
        return list(df.collect_schema().names())
    if hasattr(df, "columns"):
        return list(df.columns)
    nw = importlib.import_module("narwhals")
    return list(nw.from_native(df).collect_schema().names())  # pragma: no cover


def _check_columns(names: Iterable[Any], mapping: Mapping[str, str], on: Any,
                   strict: bool) -> None:
    """Warn about (or, *strict*, refuse) columns that look like a misspelt interchange field:
    equal to one after case folding and removing spaces, ``-`` and ``_``, or (fields of four or
    more characters) one edit away. Mapped columns and the key column are never warned about."""
    from .._suggest import suggest_field

    near = []
    for name in names:
        if not isinstance(name, str) or name in mapping or name == on:
            continue
        field = suggest_field(name, _FIELDS)
        if field is not None:
            near.append((name, field))
    if not near:
        return
    text = "; ".join(f"column {name!r} is not an interchange field and is ignored: did you mean "
                     f"{field!r}? (rename it, or pass columns={{{name!r}: {field!r}}})"
                     for name, field in near)
    if strict:
        raise FrameError(f"score_frame: {text}")
    warnings.warn(f"score_frame: {text}", UserWarning, stacklevel=3)

