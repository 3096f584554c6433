"""One entry point that runs every score and the recommender on one case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from ._memo import memos
from .exceptions import InvalidInputError
from .interchange import INTERCHANGE_VERSION, error_dict, parse_case
from .model import Case
from .policy import DEFAULT_POLICY, Policy
from .recommend.noms import Recommendation, recommend
from .results import GradeResult, ScoreResult
from .scores import (
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

#: The further instruments (interchange §3.1), in result order between SINS and ESCC.
_FURTHER = (bauer_1995, bauer_modified, nesms, katagiri_2014, van_der_linden, rades_2008, osri)

__all__ = ["INSTRUMENTS", "Assessment", "assess", "assess_dict"]


@frozen(kw_only=True)
class Assessment:
    """Every score of one case and its NOMS recommendation (what ``to_dict`` serialises).

    .. versionadded:: 0.1.0
    """

    case: Case
    scores: tuple[ScoreResult[Any] | GradeResult, ...]  #: In interchange order.
    recommendation: Recommendation
    policy: Policy

    def __getitem__(self, score_id: str) -> ScoreResult[Any] | GradeResult:
        """The result of one score by its id, e.g. ``assessment["sins"]``."""
        for result in self.scores:
            if result.id == score_id:
                return result
        raise KeyError(score_id)

    def to_dict(self) -> dict[str, Any]:
        """The interchange result (interchange §6)."""
        return {
            "interchange": INTERCHANGE_VERSION,
            "scores": {result.id: result.to_dict() for result in self.scores},
            "recommendation": self.recommendation.to_dict(),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as compact JSON text (one ``spinemets assess`` line, fast)."""
        scores = ",".join([f'"{r.id}":{r.to_json()}' for r in self.scores])
        return (f'{{"interchange":{INTERCHANGE_VERSION},"scores":{{{scores}}},'
                f'"recommendation":{self.recommendation.to_json()}}}')

    def to_fhir(self, **options: Any) -> list[dict[str, Any]]:
        """FHIR R4 resources as JSON-ready dicts; *options* as :func:`spinemets.fhir.to_fhir`."""
        from .fhir import to_fhir

        return to_fhir(self, **options)

    def __str__(self) -> str:
        from .report import render

        return render(self)

    def _repr_html_(self) -> str:
        from .display import assessment_html

        return assessment_html(self)


#: Every instrument, in result order (interchange §3, §3.1): ESCC last.
INSTRUMENTS = (tomita, tokuhashi_1990, tokuhashi_2005, sins, *_FURTHER, escc)


def assess(case: Case, policy: Policy = DEFAULT_POLICY) -> Assessment:
    """Run every implemented score and the NOMS recommender on *case*.

    Results are memoised by the inputs each instrument reads (:mod:`spinemets._memo`); they are
    immutable, so a shared result is indistinguishable from a fresh one.
    """
    scorers = memos(policy, INSTRUMENTS)
    t = scorers["tomita"](case)
    k90 = scorers["tokuhashi_1990"](case)
    k05 = scorers["tokuhashi_2005"](case)
    s = scorers["sins"](case)
    further = tuple(scorers[module.ID](case) for module in _FURTHER)
    e = scorers["escc"](case)
    rec = recommend(case, policy, escc_result=e, sins_result=s, tomita_result=t,
                    tokuhashi_2005_result=k05)
    return Assessment(case=case, scores=(t, k90, k05, s, *further, e), recommendation=rec,
                      policy=policy)


def assess_dict(data: Mapping[str, Any], policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """Parse an interchange dict, assess it and return the result dict.

    Never raises for invalid input: returns the interchange error object instead.
    """
    try:
        case = parse_case(data)
    except InvalidInputError as error:
        return error_dict(error)
    return assess(case, policy).to_dict()
