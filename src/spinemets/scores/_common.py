"""Shared steps of the summed scores: reading inputs into rows, summing, banding."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final, TypeVar

from .._table import BandRow, DefaultRow, Item, ItemScore, band_for
from ..model import Case, Systemic
from ..results import ScoreResult, Status
from ..scales import kps_range
from ..vocab import Histology

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ..citations import Citation

B = TypeVar("B", bound=enum.Enum)
V = TypeVar("V", bound=enum.Enum)

#: Histologies outside the derivation populations of Tomita and Tokuhashi (interchange format).
OUTSIDE_DERIVATION: Final = frozenset(
    {Histology.LYMPHOMA, Histology.MYELOMA, Histology.SEMINOMA, Histology.GERM_CELL}
)


def explicit_or_default(
    explicit: V | None, histology: Histology | None, defaults: Mapping[enum.Enum, DefaultRow[V]]
) -> tuple[V, DefaultRow[V] | None] | None:
    """An item given explicitly (``tomita_growth``, ``katagiri_group``) or else defaulted from the
    histology by a default row: the value and the row it came from (``None`` when explicit);
    ``None`` when neither gives it."""
    if explicit is not None:
        return explicit, None
    row = defaults.get(histology) if histology is not None else None
    return (row.value, row) if row is not None else None


def missing_explicit(name: str, histology: Histology | None, missing: list[str]) -> None:
    """Append what an item neither given nor defaulted lacks: *name*, and ``histology`` when it
    is absent too (a histology without a default row cannot supply the item)."""
    missing.append(name)
    if histology is None:
        missing.append("histology")


def check_case(case: object, function: str) -> None:
    """Raise a ``TypeError`` that says what to do when *case* is not a :class:`Case`."""
    if not isinstance(case, Case):
        from ..exceptions import case_type_error

        raise case_type_error(case, function)


#: Score *value* with *item*'s table (``Item.score``, cached ItemScores).
item_score: Final = Item.score


def kps_item(
    item: Item, systemic: Systemic, missing: list[str], flags: list[str]
) -> ItemScore | None:
    """Score a KPS-banded item, from ``kps`` or from ECOG through a named conversion.

    The converted range is used only when it falls wholly inside one of the item's KPS rows;
    otherwise the item is missing ``kps`` and the flag ``kps_from_ecog_ambiguous`` is raised.
    """
    if systemic.kps is not None:
        return item_score(item, systemic.kps)
    if systemic.ecog is not None and systemic.ecog_to_kps is not None:
        conv = kps_range(systemic.ecog_to_kps, systemic.ecog)
        row = item.row_covering(conv.lo, conv.hi)
        if row is not None:
            flags.append(f"kps_from_ecog:{systemic.ecog_to_kps.value}")
            value = f"ECOG {systemic.ecog} -> KPS {conv.lo}-{conv.hi} ({conv.conversion.value})"
            return ItemScore(key=item.key, value=value, points=row.points, row=row)
        flags.append("kps_from_ecog_ambiguous")
    missing.append("kps")
    return None


def histology_flags(case: Case, flags: list[str]) -> None:
    """Add ``outside_derivation_population`` for haematological and germ-cell primaries."""
    if case.tumour.histology in OUTSIDE_DERIVATION:
        flags.append("outside_derivation_population")


def summed(
    *,
    id: str,
    citation: Citation,
    higher_is_better: bool,
    bands: Sequence[BandRow[B]],
    items: Sequence[ItemScore | None],
    missing: Sequence[str],
    flags: list[str],
    strategy: Callable[[BandRow[B], int], tuple[str | None, tuple[str, ...]]] | None = None,
) -> ScoreResult[B]:
    """Sum complete items into a banded result, or report every missing field.

    *strategy*, given the band and total of a complete result, returns its strategy code and any
    flags that come with it (Tomita's goals; Tokuhashi 2005's treatment principle).
    """
    scored: list[ItemScore] = []
    total = 0
    unverified = False
    for item in items:
        if item is not None:
            scored.append(item)
            total += item.points
            unverified = unverified or item.unverified
    if unverified and "unverified_table" not in flags:
        flags.append("unverified_table")
    if missing:
        return ScoreResult(
            id=id,
            status=Status.INCOMPLETE,
            citation=citation,
            higher_is_better=higher_is_better,
            missing=tuple(dict.fromkeys(missing)),
            flags=tuple(dict.fromkeys(flags)),
        )
    band = band_for(bands, total) if bands else None  # no published bands: OSRI
    code: str | None = None
    if strategy is not None and band is not None:
        code, more = strategy(band, total)
        flags.extend(more)
    return ScoreResult(
        id=id,
        status=Status.COMPLETE,
        citation=citation,
        higher_is_better=higher_is_better,
        total=total,
        items=tuple(scored),
        band=band,
        flags=tuple(dict.fromkeys(flags)),
        strategy=code,
    )


__all__ = ["histology_flags", "item_score", "kps_item", "summed"]
