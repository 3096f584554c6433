"""One public module per instrument, each with the same small protocol.

Summed scores expose ``ID``, ``CITATION``, ``RANGE``, ``HIGHER_IS_BETTER``, ``Band``, ``ITEMS``,
``BANDS`` and ``score(case)``; ESCC, a grade rather than a sum, exposes ``classify(case)``.
"""

from __future__ import annotations

from . import escc, sins, tokuhashi_1990, tokuhashi_2005, tomita

#: The summed instruments, in the order results list them.
SUMMED = (tomita, tokuhashi_1990, tokuhashi_2005, sins)

__all__ = ["SUMMED", "escc", "sins", "tokuhashi_1990", "tokuhashi_2005", "tomita"]
