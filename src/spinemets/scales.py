"""Performance status and neurological grades: KPS, ECOG, Frankel, and ECOG-to-KPS conversions.

These are inputs to the summed scores, not scores of their own. ECOG is turned into KPS only through
a conversion the caller names (decision ``ecog-to-kps``); each maps an ECOG grade to a KPS range.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

from .citations import (
    FRANKEL_1969,
    KARNOFSKY_1949,
    MA_2010,
    OKEN_1982,
    PRASAD_2018,
    Evidence,
    Source,
    decision,
)
from .vocab import EcogToKps, Frankel

__all__ = ["ECOG", "ECOG_TO_KPS", "FRANKEL", "KPS", "Definition", "KpsRange", "kps_range"]


@frozen(kw_only=True)
class Definition:
    """The published wording of one grade of a scale."""

    grade: str
    wording: str
    source: Source


_K = KARNOFSKY_1949.at("KPS definitions, as reproduced", Evidence.SECONDARY)
KPS: Final[tuple[Definition, ...]] = tuple(
    Definition(grade=str(g), wording=w, source=_K)
    for g, w in (
        (100, "Normal; no complaints; no evidence of disease"),
        (90, "Able to carry on normal activity; minor signs or symptoms of disease"),
        (80, "Normal activity with effort; some signs or symptoms of disease"),
        (70, "Cares for self; unable to carry on normal activity or to do active work"),
        (60, "Requires occasional assistance, but able to care for most personal needs"),
        (50, "Requires considerable assistance and frequent medical care"),
        (40, "Disabled; requires special care and assistance"),
        (30, "Severely disabled; hospitalization indicated although death not imminent"),
        (20, "Very sick; hospitalization necessary; active supportive treatment necessary"),
        (10, "Moribund; fatal processes progressing rapidly"),
    )
)

_E = OKEN_1982.at("ECOG performance status, reproduced by permission of ECOG", Evidence.PRIMARY)
ECOG: Final[tuple[Definition, ...]] = tuple(
    Definition(grade=str(g), wording=w, source=_E)
    for g, w in (
        (0, "Fully active, able to carry on all pre-disease performance without restriction"),
        (1, "Restricted in physically strenuous activity but ambulatory and able to carry out "
            "work of a light or sedentary nature"),
        (2, "Ambulatory and capable of all self-care but unable to carry out any work "
            "activities; up and about more than 50% of waking hours"),
        (3, "Capable of only limited self-care; confined to bed or chair more than 50% of "
            "waking hours"),
        (4, "Completely disabled; cannot carry on any self-care; totally confined to bed or "
            "chair"),
    )
)

_F = FRANKEL_1969.at("Frankel grades, as reproduced", Evidence.SECONDARY)
FRANKEL: Final[tuple[Definition, ...]] = tuple(
    Definition(grade=g.value, wording=w, source=_F)
    for g, w in (
        (Frankel.A, "Complete: no motor or sensory function below the level of the lesion"),
        (Frankel.B, "Sensory only: some sensation below the lesion, motor paralysis complete"),
        (Frankel.C, "Motor useless: some motor power below the lesion but of no practical use"),
        (Frankel.D, "Motor useful: useful motor power below the lesion"),
        (Frankel.E, "Recovery: no weakness, no sensory loss, no sphincter disturbance"),
    )
)


@frozen(kw_only=True)
class KpsRange:
    """One row of a named conversion: an ECOG grade and the inclusive KPS range it maps to."""

    conversion: EcogToKps
    ecog: int
    lo: int
    hi: int
    source: Source


def _rows(
    conversion: EcogToKps, source: Source, ranges: tuple[tuple[int, int], ...]
) -> tuple[KpsRange, ...]:
    return tuple(
        KpsRange(conversion=conversion, ecog=ecog, lo=lo, hi=hi, source=source)
        for ecog, (lo, hi) in enumerate(ranges)
    )


#: The three published conversions (decision ``ecog-to-kps``), one row per (conversion, ECOG).
ECOG_TO_KPS: Final[tuple[KpsRange, ...]] = (
    *_rows(
        EcogToKps.COMMON,
        decision("ecog-to-kps", Evidence.SECONDARY),
        ((90, 100), (70, 80), (50, 60), (30, 40), (10, 20)),
    ),
    *_rows(
        EcogToKps.MA_2010,
        MA_2010.at("abstract", Evidence.PRIMARY),
        ((100, 100), (80, 90), (60, 70), (40, 50), (10, 30)),
    ),
    *_rows(
        EcogToKps.PRASAD_2018,
        PRASAD_2018.at("abstract", Evidence.PRIMARY),
        ((100, 100), (80, 90), (70, 70), (50, 60), (10, 40)),
    ),
)

_BY_KEY: Final = {(r.conversion, r.ecog): r for r in ECOG_TO_KPS}


def kps_range(conversion: EcogToKps, ecog: int) -> KpsRange:
    """The KPS range a named conversion gives an ECOG grade (0-4)."""
    return _BY_KEY[(conversion, ecog)]
