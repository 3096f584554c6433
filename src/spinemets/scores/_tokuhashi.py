"""The evaluation shared by Tokuhashi 1990 and 2005 (each module keeps its own table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ..vocab import Histology
from . import _inputs as inputs
from ._common import histology_flags, summed
from ._inputs import Reads, score_items

if TYPE_CHECKING:
    import enum
    from collections.abc import Callable, Sequence

    from .._table import BandRow, Item
    from ..citations import Citation
    from ..model import Case
    from ..results import ScoreResult

#: What the six Tokuhashi items read, in order: KPS, extraspinal foci, vertebrae, visceral
#: metastases, primary site, palsy (Frankel).
_READS: Final = (
    inputs.KPS,
    inputs.field("extraspinal_bone_metastases"),
    inputs.field("vertebral_metastases"),
    inputs.field("visceral_metastases"),
    inputs.HISTOLOGY,
    inputs.field("frankel"),
)


def reads(items: tuple[Item, Item, Item, Item, Item, Item]) -> tuple[tuple[Item, Reads], ...]:
    """The six items (in the order above) paired with what each reads."""
    return tuple(zip(items, _READS, strict=True))


def evaluate(
    case: Case,
    *,
    id: str,
    citation: Citation,
    reads: Sequence[tuple[Item, Reads]],
    bands: Sequence[BandRow[enum.Enum]],
    strategy: Callable[[BandRow[enum.Enum], int], tuple[str | None, tuple[str, ...]]]
    | None = None,
) -> ScoreResult[enum.Enum]:
    """Score the six Tokuhashi items (:func:`reads`), with the flags both versions share."""
    missing: list[str] = []
    flags: list[str] = []
    histology_flags(case, flags)
    if case.tumour.histology is Histology.COLON:
        flags.append("colon_scored_as_other")
    scored = score_items(case, reads, missing, flags)
    return summed(id=id, citation=citation, higher_is_better=True, bands=bands, items=scored,
                  missing=missing, flags=flags, strategy=strategy)
