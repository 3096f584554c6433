"""One entry point that runs every score and the recommender on one case."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

from . import _json
from ._memo import memos
from ._version import package_version
from .exceptions import InvalidInputError, case_type_error
from .interchange import INTERCHANGE_VERSION, error_dict, parse_case
from .model import Case
from .policy import DEFAULT_POLICY, Policy
from .recommend.noms import Recommendation, recommend
from .scores import registry
from .scores.registry import INSTRUMENTS

if TYPE_CHECKING:
    from .results import GradeResult, ScoreResult

__all__ = ["INSTRUMENTS", "Assessment", "assess", "assess_dict"]


@frozen(kw_only=True)
class Assessment(Mapping[str, "ScoreResult[Any] | GradeResult"]):
    """Every score of one case and its NOMS recommendation (what ``to_dict`` serialises).

    An assessment is a read-only mapping from score id to result, in result order:
    ``assessment["sins"]``, ``"sins" in assessment``, ``list(assessment)``, ``keys()``,
    ``items()``, ``values()`` and ``get()`` behave as on ``to_dict()["scores"]``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 A mapping of score id to result; ``to_dict()`` carries
       ``spinemets`` and the case's ``id``.
    """

    case: Case
    scores: tuple[ScoreResult[Any] | GradeResult, ...]  #: In interchange order.
    recommendation: Recommendation
    policy: Policy

    def __getitem__(self, score_id: str) -> ScoreResult[Any] | GradeResult:
        """The result of one score by its id, e.g. ``assessment["sins"]``.

        Raises:
            KeyError: for an id that is not a score id, listing the valid ids.
        """
        for result in self.scores:
            if result.id == score_id:
                return result
        raise KeyError(_unknown_id(score_id, [r.id for r in self.scores]))

    def __iter__(self) -> Iterator[str]:
        """The score ids, in result order (like ``to_dict()["scores"]``)."""
        return iter([result.id for result in self.scores])

    def __len__(self) -> int:
        return len(self.scores)

    def __contains__(self, score_id: object) -> bool:
        return any(result.id == score_id for result in self.scores)

    def to_dict(self) -> dict[str, Any]:
        """The interchange result: ``interchange`` and ``spinemets`` (the version that computed
        it), the case's ``id`` when it has one, ``scores`` and ``recommendation``."""
        out: dict[str, Any] = {"interchange": INTERCHANGE_VERSION, "spinemets": package_version()}
        if self.case.id is not None:
            out["id"] = self.case.id
        out["scores"] = {result.id: result.to_dict() for result in self.scores}
        out["recommendation"] = self.recommendation.to_dict()
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as compact JSON text (one ``spinemets assess`` line, fast)."""
        scores = ",".join([f'"{r.id}":{r.to_json()}' for r in self.scores])
        case_id = self.case.id
        head = _HEAD if case_id is None else f'{_HEAD},"id":{_json.value(case_id)}'
        return (f'{head},"scores":{{{scores}}},'
                f'"recommendation":{self.recommendation.to_json()}}}')

    def to_fhir(self, **options: Any) -> list[dict[str, Any]]:
        """FHIR R4 resources as JSON-ready dicts; *options* as :func:`spinemets.fhir.to_fhir`."""
        from .fhir import to_fhir

        return to_fhir(self, **options)

    def __str__(self) -> str:
        from .display import render

        return render(self)

    def _repr_html_(self) -> str:
        from .display import assessment_html

        return assessment_html(self)


#: Where the results the recommender reads sit in ``Assessment.scores`` (instruments registered
#: later are appended after them).
_AT: Final = {instrument.ID: i for i, instrument in enumerate(INSTRUMENTS)}

_HEAD: Final = f'{{"interchange":{INTERCHANGE_VERSION},"spinemets":{json.dumps(package_version())}'


def _unknown_id(score_id: object, ids: list[str]) -> str:
    from ._suggest import suggest_field

    near = suggest_field(score_id, ids) if isinstance(score_id, str) else None
    hint = f" (did you mean {near!r}?)" if near else ""
    return f"{score_id!r} is not a score id{hint}; valid ids: {', '.join(ids)}"


def assess(case: Case, policy: Policy = DEFAULT_POLICY) -> Assessment:
    """Run every implemented score and the NOMS recommender on *case*.

    Results are memoised by the inputs each instrument reads (:mod:`spinemets._memo`); they are
    immutable, so a shared result is indistinguishable from a fresh one.
    """
    if not isinstance(case, Case):
        raise case_type_error(case, "assess")
    scorers = memos(policy, registry.INSTRUMENTS)  # read at call time: the registry is the list
    scores = tuple([scorer(case) for scorer in scorers.values()])
    rec = recommend(case, policy, escc_result=scores[_AT["escc"]], sins_result=scores[_AT["sins"]],
                    tomita_result=scores[_AT["tomita"]],
                    tokuhashi_2005_result=scores[_AT["tokuhashi_2005"]])
    return Assessment(case=case, scores=scores, recommendation=rec, policy=policy)


def assess_dict(data: Mapping[str, Any], policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """Parse an interchange dict, assess it and return the result dict.

    Never raises for invalid input: returns the interchange error object instead.
    """
    try:
        case = parse_case(data)
    except InvalidInputError as error:
        return error_dict(error, data)
    return assess(case, policy).to_dict()
