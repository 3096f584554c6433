"""The registry of instruments: what every instrument module provides, and the one list of them.

Everything that lists instruments (:func:`spinemets.assess`, its memo, the text and HTML views,
FHIR, the JSON Schema, the documentation) reads :data:`INSTRUMENTS` or :func:`by_id`, so adding an
instrument means writing its module and adding it here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

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

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._table import BandRow, Item
    from ..citations import Citation
    from ..model import Case
    from ..policy import Policy
    from ..results import GradeResult, ScoreResult

__all__ = [
    "INSTRUMENTS",
    "SUMMED_INSTRUMENTS",
    "Instrument",
    "SummedInstrument",
    "by_id",
    "short_title",
]


class Instrument(Protocol):
    """What every instrument module provides (ESCC, a grade, provides only this).

    A module may also declare ``SHORT``, a shorter name for one-line summaries
    (:func:`short_title`), and ``MEMO_KEY``, a narrower memo key than its ``INPUTS``.
    """

    @property
    def ID(self) -> str: ...
    @property
    def TITLE(self) -> str: ...
    @property
    def HEADING(self) -> str: ...
    @property
    def CITATION(self) -> Citation: ...
    @property
    def INPUTS(self) -> tuple[str, ...]: ...

    def score(self, case: Case, policy: Policy = ...) -> ScoreResult[Any] | GradeResult:
        """The instrument's result for *case*; *policy* matters only where a policy names it."""
        ...


class SummedInstrument(Instrument, Protocol):
    """A summed score: items with cited rows, a range and bands (OSRI has none)."""

    @property
    def RANGE(self) -> tuple[int, int]: ...
    @property
    def HIGHER_IS_BETTER(self) -> bool: ...
    @property
    def ITEMS(self) -> Sequence[Item]: ...
    @property
    def BANDS(self) -> Sequence[BandRow[Any]]: ...

    def score(self, case: Case, policy: Policy = ...) -> ScoreResult[Any]:
        """The instrument's result for *case*."""
        ...


#: The summed instruments, in result order: Tomita, Tokuhashi and SINS, then the further
#: instruments (OSRI has no bands; NESMS caps its raw sum).
SUMMED_INSTRUMENTS: Final[tuple[SummedInstrument, ...]] = (
    tomita,
    tokuhashi_1990,
    tokuhashi_2005,
    sins,
    bauer_1995,
    bauer_modified,
    nesms,
    katagiri_2014,
    van_der_linden,
    rades_2008,
    osri,
)

#: Every instrument, in result order (interchange format): ESCC last.
INSTRUMENTS: Final[tuple[Instrument, ...]] = (*SUMMED_INSTRUMENTS, escc)

_BY_ID: Final[dict[str, Instrument]] = {instrument.ID: instrument for instrument in INSTRUMENTS}


def by_id(score_id: str) -> Instrument | None:
    """The instrument whose ``ID`` is *score_id*, or ``None``."""
    return _BY_ID.get(score_id)


def short_title(score_id: str) -> str:
    """The short name of one-line summaries: the instrument's ``SHORT``, else its ``TITLE`` (the
    id itself for an unknown id)."""
    instrument = _BY_ID.get(score_id)
    if instrument is None:
        return score_id
    return getattr(instrument, "SHORT", None) or instrument.TITLE
