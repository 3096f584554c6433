"""What each item reads: declarations from which a score's ``INPUTS`` and missing lists follow.

An instrument pairs each of its items with a :class:`Reads`: the case fields the item reads and
how its :class:`~spinemets._table.ItemScore` is read from a case (appending every absent field
to ``missing``). :func:`score_items` scores the declared items in order and :func:`inputs_of`
gives the instrument's ``INPUTS`` (its memo key), so the fields are written once.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, Final

from attrs import frozen

from .._fields import CASE_FIELD_BY_NAME
from .._table import Item, ItemScore
from ..model import Case
from ._beyond import (
    ambulation_of,
    finding_of,
    other_bone_metastases,
    present,
    skeletal_extent,
    visceral_of,
)
from ._common import item_score, kps_item

__all__ = [
    "AMBULATORY",
    "HISTOLOGY",
    "KPS",
    "OTHER_BONE",
    "SKELETAL_EXTENT",
    "VISCERAL",
    "Reads",
    "boolean",
    "derived",
    "field",
    "inputs_of",
    "score_items",
]

#: Reads one item: ``(case, item, missing, flags) -> ItemScore | None``.
Reader = Callable[[Case, Item, list[str], list[str]], ItemScore | None]


@frozen(kw_only=True)
class Reads:
    """An item's input: every case field it reads, and how it is read."""

    fields: tuple[str, ...]
    read: Reader


def _getter(name: str) -> Callable[[Case], Any]:
    return operator.attrgetter(f"{CASE_FIELD_BY_NAME[name].group}.{name}")


def field(name: str, convert: Callable[[Any], object] | None = None) -> Reads:
    """The item scores the field *name* (through *convert*, if given); absent, *name* is missing."""
    get = _getter(name)

    def read(case: Case, item: Item, missing: list[str], flags: list[str]) -> ItemScore | None:
        value = present(get(case), name, missing, convert)
        return None if value is None else item_score(item, value)

    return Reads(fields=(name,), read=read)


def boolean(name: str) -> Reads:
    """The item scores the yes/no field *name* as a :class:`~._beyond.Finding`."""
    return field(name, finding_of)


def derived(fields: tuple[str, ...], derive: Callable[[Case, list[str]], object | None]) -> Reads:
    """The item scores ``derive(case, missing)``, a value derived from *fields* (``None``, with
    the absent fields appended to ``missing``, when any is absent)."""

    def read(case: Case, item: Item, missing: list[str], flags: list[str]) -> ItemScore | None:
        value = derive(case, missing)
        return None if value is None else item_score(item, value)

    return Reads(fields=fields, read=read)


#: A KPS-banded item: ``kps``, or ECOG through the named conversion (:func:`._common.kps_item`).
KPS: Final = Reads(
    fields=("kps", "ecog", "ecog_to_kps"),
    read=lambda case, item, missing, flags: kps_item(item, case.systemic, missing, flags),
)

#: The primary tumour's histology, as recorded.
HISTOLOGY: Final = field("histology")
#: Visceral metastases present or absent (:func:`._beyond.visceral_of`).
VISCERAL: Final = field("visceral_metastases", visceral_of)
#: Solitary or multiple skeletal metastases, from the two counts (:func:`._beyond.skeletal_extent`).
SKELETAL_EXTENT: Final = derived(
    ("extraspinal_bone_metastases", "vertebral_metastases"), skeletal_extent
)
#: Rades' other bone metastases, from the two counts (:func:`._beyond.other_bone_metastases`).
OTHER_BONE: Final = derived(
    ("extraspinal_bone_metastases", "vertebral_metastases"), other_bone_metastases
)
#: Walks independently or not (:func:`._beyond.ambulation_of`).
AMBULATORY: Final = field("ambulatory", ambulation_of)


def score_items(
    case: Case, declared: Sequence[tuple[Item, Reads]], missing: list[str], flags: list[str]
) -> list[ItemScore | None]:
    """Every declared item's score, in order (``None`` where an input is missing)."""
    return [reads.read(case, item, missing, flags) for item, reads in declared]


def inputs_of(declared: Sequence[tuple[Item, Reads]], *more: str) -> tuple[str, ...]:
    """Every field the declared items read, then *more* (read outside the items), once each."""
    return tuple(dict.fromkeys([*(f for _, reads in declared for f in reads.fields), *more]))
