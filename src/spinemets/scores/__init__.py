"""One public module per instrument, each with the same small protocol.

Every instrument exposes ``ID``, ``TITLE``, ``HEADING``, ``CITATION``, ``INPUTS`` and
``score(case, policy=DEFAULT_POLICY)`` (:class:`registry.Instrument`); summed scores add ``RANGE``,
``HIGHER_IS_BETTER``, ``Band``, ``ITEMS`` and ``BANDS`` (:class:`registry.SummedInstrument`); ESCC,
a grade rather than a sum, also keeps ``classify(case)``. :mod:`.registry` lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

# The instrument modules are imported (and listed) once, by the registry.
from .registry import INSTRUMENTS, SUMMED_INSTRUMENTS, Instrument, SummedInstrument, by_id

if TYPE_CHECKING:
    from types import ModuleType

#: The summed instrument modules, in result order (:data:`registry.SUMMED_INSTRUMENTS`, typed as
#: modules for the code that still reads module attributes beyond the protocol).
SUMMED: tuple[ModuleType, ...] = tuple([cast("ModuleType", m) for m in SUMMED_INSTRUMENTS])

__all__ = [  # the names above, then every instrument module, from the registry
    "INSTRUMENTS",
    "SUMMED",
    "SUMMED_INSTRUMENTS",
    "Instrument",
    "SummedInstrument",
    "by_id",
    *sorted(m.__name__.rpartition(".")[2] for m in INSTRUMENTS),  # type: ignore[attr-defined]
]
