"""One public module per instrument, each with the same small protocol.

Every instrument exposes ``ID``, ``TITLE``, ``HEADING``, ``CITATION``, ``INPUTS`` and
``score(case, policy=DEFAULT_POLICY)`` (:class:`registry.Instrument`); summed scores add ``RANGE``,
``HIGHER_IS_BETTER``, ``Band``, ``ITEMS`` and ``BANDS`` (:class:`registry.SummedInstrument`); ESCC,
a grade rather than a sum, also keeps ``classify(case)``. :mod:`.registry` lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from . import (
    bauer_1995,
    bauer_modified,
    escc,
    katagiri_2014,
    nesms,
    osri,
    rades_2008,
    sins,
    tokuhashi_1990,
    tokuhashi_2005,
    tomita,
    van_der_linden,
)
from .registry import INSTRUMENTS, SUMMED_INSTRUMENTS, Instrument, SummedInstrument, by_id

if TYPE_CHECKING:
    from types import ModuleType

#: The summed instrument modules, in result order (:data:`registry.SUMMED_INSTRUMENTS`, typed as
#: modules for the code that still reads module attributes beyond the protocol).
SUMMED: tuple[ModuleType, ...] = tuple([cast("ModuleType", m) for m in SUMMED_INSTRUMENTS])

__all__ = [
    "INSTRUMENTS",
    "SUMMED",
    "SUMMED_INSTRUMENTS",
    "Instrument",
    "SummedInstrument",
    "bauer_1995",
    "bauer_modified",
    "by_id",
    "escc",
    "katagiri_2014",
    "nesms",
    "osri",
    "rades_2008",
    "sins",
    "tokuhashi_1990",
    "tokuhashi_2005",
    "tomita",
    "van_der_linden",
]
