"""Private machinery for point tables: rows, items, bands and the lookup that reads them.

A :class:`Row` maps a set of inputs (enum members, or an inclusive integer span) to points and
carries the paper's wording and its :class:`~spinemets.citations.Source`. Every clinical number
lives in exactly one row; the scalar scores, the docs and the DataFrame path all read these rows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar

from attrs import field, frozen

from ._json import string as encode_basestring
from .citations import Evidence, Source

B = TypeVar("B", bound=enum.Enum)


class _Keyed(Protocol):
    """A table row keyed by the inputs it lists (``Row``, ``DefaultRow``)."""

    @property
    def when(self) -> object: ...


_R = TypeVar("_R", bound=_Keyed)


@frozen
class Span:
    """An inclusive integer range; ``hi=None`` means no upper bound."""

    lo: int
    hi: int | None

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.lo <= value and (self.hi is None or value <= self.hi)

    def covers(self, lo: int, hi: int) -> bool:
        """Whether the whole range ``lo..hi`` lies in this span."""
        return self.lo <= lo and (self.hi is None or hi <= self.hi)

    def __str__(self) -> str:
        if self.hi is None:
            return f">= {self.lo}"
        return str(self.lo) if self.lo == self.hi else f"{self.lo}-{self.hi}"


@frozen(kw_only=True)
class Row:
    """One line of a paper's point table."""

    when: tuple[enum.Enum, ...] | Span  #: The inputs this row scores.
    points: int
    wording: str  #: The paper's wording of the category.
    source: Source


def member_index(rows: Iterable[_R]) -> dict[object, _R]:
    """Enum member -> the row whose ``when`` lists it; span rows are skipped, and a member may
    appear in one row only."""
    index: dict[object, _R] = {}
    for row in rows:
        if isinstance(row.when, tuple):
            for member in row.when:
                if member in index:  # pragma: no cover - table laws forbid it
                    raise ValueError(f"{member} appears in two rows")
                index[member] = row
    return index


@frozen(kw_only=True)
class ItemScore:
    """One item's contribution: the input it read, its points and the table row that gave them."""

    key: str
    value: str  #: The input category as an interchange code or count, e.g. ``"lytic"``, ``"3"``.
    points: int
    row: Row
    #: This item's member of a result's ``items`` object, as JSON text (``"growth":2``).
    json: str = field(init=False, eq=False, repr=False)
    #: Whether the row is tagged unverified (results using it carry ``unverified_table``).
    unverified: bool = field(init=False, eq=False, repr=False)

    @unverified.default
    def _unverified(self) -> bool:
        return self.row.source.evidence is Evidence.UNVERIFIED

    @json.default
    def _json(self) -> str:
        return f"{encode_basestring(self.key)}:{self.points}"

    @property
    def explanation(self) -> str:
        """``growth: moderate -> 2 (Tomita 2001, ... [secondary])``."""
        return f"{self.key}: {self.value} -> {self.points} ({self.row.source})"


_CACHE_LIMIT = 1000  # integer inputs (counts, KPS) above this are scored but not cached


@frozen(kw_only=True)
class Item:
    """One item of a summed score: a name, the paper's label and its rows."""

    key: str  #: The item's name in results (``items`` keys), e.g. ``"growth"``.
    label: str  #: The paper's wording of the item.
    rows: tuple[Row, ...]
    _by_member: dict[object, Row] = field(init=False, eq=False, repr=False)
    _scores: dict[object, ItemScore] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_member = member_index(self.rows)
        object.__setattr__(self, "_by_member", by_member)
        object.__setattr__(
            self,
            "_scores",
            {
                m: ItemScore(key=self.key, value=m._value_, points=r.points, row=r)  # type: ignore[attr-defined]
                for m, r in by_member.items()
            },
        )

    def score(self, value: object) -> ItemScore:
        """The (cached, immutable) :class:`ItemScore` of *value* under this item."""
        cached = self._scores.get(value)
        if cached is not None:
            return cached
        row = self.row_for(value)
        result = ItemScore(key=self.key, value=str(value), points=row.points, row=row)
        if isinstance(value, int) and 0 <= value <= _CACHE_LIMIT:
            self._scores[value] = result
        return result

    def row_for(self, value: object) -> Row:
        """The row scoring *value* (an enum member or an integer)."""
        row = self._by_member.get(value)
        if row is not None:
            return row
        for row in self.rows:
            if isinstance(row.when, Span) and value in row.when:
                return row
        raise LookupError(f"{self.key}: no row for {value!r}")  # pragma: no cover

    def row_covering(self, lo: int, hi: int) -> Row | None:
        """The single span row that contains the whole range ``lo..hi``, if any."""
        for row in self.rows:
            if isinstance(row.when, Span) and row.when.covers(lo, hi):
                return row
        return None

    @property
    def min_points(self) -> int:
        return min(r.points for r in self.rows)

    @property
    def max_points(self) -> int:
        return max(r.points for r in self.rows)


@frozen(kw_only=True)
class BandRow(Generic[B]):
    """A band of a summed score: its code, inclusive range, published meaning and source."""

    code: B
    lo: int
    hi: int
    meaning: str
    source: Source
    #: The band as interchange JSON text (``{"code":"stable","range":[0,6]}``).
    json: str = field(init=False, eq=False, repr=False)

    @json.default
    def _json(self) -> str:
        code = encode_basestring(str(self.code.value))
        return f'{{"code":{code},"range":[{self.lo},{self.hi}]}}'

    @property
    def range(self) -> tuple[int, int]:
        return (self.lo, self.hi)


def band_for(bands: Iterable[BandRow[B]], total: int) -> BandRow[B]:
    """The band whose inclusive range holds *total*."""
    for band in bands:
        if band.lo <= total <= band.hi:
            return band
    raise LookupError(f"no band holds {total}")  # pragma: no cover - table laws forbid it


V = TypeVar("V", bound=enum.Enum)


@frozen(kw_only=True)
class DefaultRow(Generic[V]):
    """A default mapping row: these histologies take *value* unless the user gives it explicitly."""

    when: tuple[enum.Enum, ...]
    value: V
    source: Source


def default_index(rows: Iterable[DefaultRow[V]]) -> dict[enum.Enum, DefaultRow[V]]:
    """Member -> default row; a member may appear in one row only."""
    return member_index(rows)  # type: ignore[return-value]
