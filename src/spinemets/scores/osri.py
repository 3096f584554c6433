"""Oswestry Spinal Risk Index, OSRI (Balain et al., Bone Joint J 2013;95-B(2):210-216).

``OSRI = PTP + (2 - GC)``: primary tumour pathology (PTP, 1-5) plus two minus the general
condition (GC, from Karnofsky: 80-100 is 2, 50-70 is 1, 10-40 is 0); total 1-7, lower is better.
The items report their contribution to the sum: ``primary_tumour`` is PTP and
``general_condition`` is ``2 - GC``.

No bands are published (survival per OSRI value is given only as curves, not yet checked): a
complete result has ``band`` None (``"band": null`` in ``to_dict``); read the total as "lower is
better" only.

Every row is tagged unverified (the PTP grades are a reconstruction from the revised Tokuhashi
primary-site item and the GC cut-offs mirror Tokuhashi's), so every result that uses them carries
``unverified_table``. KPS may come from ECOG only through a named conversion (decision
``ecog-to-kps``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._table import BandRow, Item, Row, Span
from ..citations import BALAIN_2013, Evidence
from ..policy import DEFAULT_POLICY, Policy
from ..vocab import Code, Histology
from . import _inputs as inputs
from ._beyond import LUNG
from ._common import check_case, summed
from ._inputs import inputs_of, score_items

if TYPE_CHECKING:
    from ..model import Case
    from ..results import ScoreResult

__all__ = [
    "BANDS",
    "CITATION",
    "HEADING",
    "HIGHER_IS_BETTER",
    "ID",
    "INPUTS",
    "ITEMS",
    "RANGE",
    "READS",
    "TITLE",
    "Band",
    "score",
]

ID: Final = "osri"
#: The instrument's name (captions, FHIR display text, ``str(result)``).
TITLE: Final = "Oswestry Spinal Risk Index, OSRI"
#: Its heading in the text report of an assessment.
HEADING: Final = "Oswestry Spinal Risk Index (OSRI)"
CITATION: Final = BALAIN_2013
RANGE: Final = (1, 7)
HIGHER_IS_BETTER: Final = False

_PTP = BALAIN_2013.at(
    "primary tumour pathology grades 1-5, reconstructed from the revised Tokuhashi "
    "primary-site item; not checked against the primary table",
    Evidence.UNVERIFIED,
)
_GC = BALAIN_2013.at(
    "general condition from KPS, mirroring the Tokuhashi item (the Fleming 2016 validation "
    "confirms GC is scored from KPS); not checked against the primary",
    Evidence.UNVERIFIED,
)

H = Histology


class Band(Code):
    """OSRI has no published bands (interchange format): this vocabulary is empty."""


_GRADE_1: Final = (H.THYROID, H.BREAST, H.PROSTATE, H.CARCINOID)
_GRADE_2: Final = (H.RECTUM, H.KIDNEY, H.UTERUS)
_GRADE_4: Final = (H.LIVER, H.GALLBLADDER, H.UNKNOWN)
_GRADE_5: Final = (*LUNG, H.OSTEOSARCOMA, H.STOMACH, H.BLADDER, H.ESOPHAGUS, H.PANCREAS)

PRIMARY: Final = Item(key="primary_tumour", label="Primary tumour pathology (PTP)", rows=(
    Row(when=_GRADE_1, points=1, wording="Thyroid, breast, prostate, carcinoid", source=_PTP),
    Row(when=_GRADE_2, points=2, wording="Rectum, kidney, uterus", source=_PTP),
    Row(when=tuple(h for h in H if h not in (*_GRADE_1, *_GRADE_2, *_GRADE_4, *_GRADE_5)),
        points=3, wording="Others", source=_PTP),
    Row(when=_GRADE_4, points=4, wording="Liver, gallbladder, unidentified primary",
        source=_PTP),
    Row(when=_GRADE_5, points=5,
        wording="Lung, osteosarcoma, stomach, bladder, oesophagus, pancreas", source=_PTP),
))
GENERAL_CONDITION: Final = Item(
    key="general_condition", label="2 - general condition (GC, from Karnofsky)", rows=(
        Row(when=Span(80, 100), points=0, wording="KPS 80-100 (GC 2)", source=_GC),
        Row(when=Span(50, 70), points=1, wording="KPS 50-70 (GC 1)", source=_GC),
        Row(when=Span(10, 40), points=2, wording="KPS 10-40 (GC 0)", source=_GC),
    ),
)
ITEMS: Final = (PRIMARY, GENERAL_CONDITION)
#: What each item reads, in result order: ``INPUTS`` and the missing fields follow from it.
READS: Final = ((PRIMARY, inputs.HISTOLOGY), (GENERAL_CONDITION, inputs.KPS))
#: Every case field this score reads (its memo key in :func:`spinemets.assess`; a test
#: checks that changing any other field leaves the result unchanged).
INPUTS: Final = inputs_of(READS)

#: None published (interchange format).
BANDS: Final[tuple[BandRow[Band], ...]] = ()


def score(case: Case, policy: Policy = DEFAULT_POLICY) -> ScoreResult[Band]:
    """Score *case* with the OSRI; a complete result has no band.

    Needs ``histology`` and ``kps`` (or ``ecog`` with ``ecog_to_kps``); otherwise ``incomplete``
    naming every missing one. Flags: ``unverified_table``, ``kps_from_ecog:<name>``,
    ``kps_from_ecog_ambiguous``.
    """
    check_case(case, "osri.score")
    missing: list[str] = []
    flags: list[str] = []
    items = score_items(case, READS, missing, flags)
    return summed(id=ID, citation=CITATION, higher_is_better=HIGHER_IS_BETTER, bands=BANDS,
                  items=items, missing=missing, flags=flags)
