"""The evaluation shared by Tokuhashi 1990 and 2005 (each module keeps its own table)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence

from .._table import BandRow, Item
from ..citations import Citation
from ..model import Case
from ..results import ItemScore, ScoreResult
from ..vocab import Histology
from ._common import histology_flags, item_score, kps_item, summed


def evaluate(
    case: Case,
    *,
    id: str,
    citation: Citation,
    items: tuple[Item, Item, Item, Item, Item, Item],
    bands: Sequence[BandRow[enum.Enum]],
    strategy: Callable[[BandRow[enum.Enum], int], tuple[str | None, tuple[str, ...]]]
    | None = None,
) -> ScoreResult[enum.Enum]:
    """Score the six Tokuhashi items in order: KPS, extraspinal foci, vertebrae, visceral
    metastases, primary site, palsy (Frankel)."""
    kps, extraspinal, vertebral, visceral, primary, palsy = items
    tumour = case.tumour
    missing: list[str] = []
    flags: list[str] = []
    histology_flags(case, flags)
    if tumour.histology is Histology.COLON:
        flags.append("colon_scored_as_other")
    scored: list[ItemScore | None] = [kps_item(kps, case.systemic, missing, flags)]
    for item, value, name in (
        (extraspinal, tumour.extraspinal_bone_metastases, "extraspinal_bone_metastases"),
        (vertebral, tumour.vertebral_metastases, "vertebral_metastases"),
        (visceral, tumour.visceral_metastases, "visceral_metastases"),
        (primary, tumour.histology, "histology"),
        (palsy, case.neurology.frankel, "frankel"),
    ):
        if value is None:
            missing.append(name)
            scored.append(None)
        else:
            scored.append(item_score(item, value))
    return summed(id=id, citation=citation, higher_is_better=True, bands=bands, items=scored,
                  missing=missing, flags=flags, strategy=strategy)
