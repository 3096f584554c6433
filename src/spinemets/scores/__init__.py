"""One public module per instrument, each with the same small protocol.

Summed scores expose ``ID``, ``CITATION``, ``RANGE``, ``HIGHER_IS_BETTER``, ``Band``, ``ITEMS``,
``BANDS`` and ``score(case)``; ESCC, a grade rather than a sum, exposes ``classify(case)``.
"""

from __future__ import annotations

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

#: The summed instruments, in the order results list them: Tomita, Tokuhashi and SINS, then the
#: further instruments (OSRI has no bands; NESMS caps its raw sum).
SUMMED = (
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

__all__ = [
    "SUMMED",
    "bauer_1995",
    "bauer_modified",
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
