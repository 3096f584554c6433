"""A toy instrument for tests: the whole of what a new instrument writes besides its line in the
registry. Not a published score: its table is fictional, its points exist only here.

One item, the KPS, read through the shared KPS input (``kps``, or ECOG with a named conversion);
KPS 0-40 scores 0, 50-100 scores 1; bands ``low`` (0) and ``high`` (1).
"""

from __future__ import annotations

from typing import Final

from spinemets._table import BandRow, Item, Row, Span
from spinemets.citations import Citation, Evidence, Source
from spinemets.model import Case
from spinemets.policy import DEFAULT_POLICY, Policy
from spinemets.results import ScoreResult
from spinemets.scores._common import check_case, summed
from spinemets.scores._inputs import KPS, inputs_of, score_items
from spinemets.vocab import Code

ID: Final = "toy"
TITLE: Final = "Toy score"
HEADING: Final = "Toy score (tests only)"
CITATION: Final = Citation(key="toy2026", authors="Nobody A", title="A toy score for tests",
                           journal="Tests", year=2026, short="Toy 2026")
RANGE: Final = (0, 1)
HIGHER_IS_BETTER: Final = True

_S = Source(citation=CITATION, locator="this module", evidence=Evidence.UNVERIFIED)


class Band(Code):
    """The toy's two bands."""

    LOW = "low"
    HIGH = "high"


GENERAL: Final = Item(key="general", label="KPS", rows=(
    Row(when=Span(0, 40), points=0, wording="KPS 0-40", source=_S),
    Row(when=Span(50, 100), points=1, wording="KPS 50-100", source=_S),
))
ITEMS: Final = (GENERAL,)
READS: Final = ((GENERAL, KPS),)
INPUTS: Final = inputs_of(READS)
BANDS: Final = (
    BandRow(code=Band.LOW, lo=0, hi=0, meaning="Low", source=_S),
    BandRow(code=Band.HIGH, lo=1, hi=1, meaning="High", source=_S),
)


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the toy table."""
    check_case(case, "toy.score")
    missing: list[str] = []
    flags: list[str] = []
    items = score_items(case, READS, missing, flags)
    return summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                  items=items, missing=missing, flags=flags)
