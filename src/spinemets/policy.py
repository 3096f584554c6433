"""Policy: the choices an institution may state explicitly where the literature leaves room.

The default policy is the interchange format's (see the NOMS page and *Clinical decisions*). A
result records the name of the policy that produced it.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

from .exceptions import InvalidInputError, Problem
from .vocab import Code

__all__ = ["DEFAULT_POLICY", "EsccIntermediateAs", "Policy"]


class EsccIntermediateAs(Code):
    """How the recommender treats ESCC 1c (decision ``escc-1c``)."""

    #: Its own class (default): radioresistant -> SRS with ``escc_1c_cord_constraint``.
    INTERMEDIATE = "intermediate"
    #: As low grade (1c eligible for SRS without a cord-constraint caveat).
    LOW = "low"
    #: As high grade (1c sent to separation surgery like grade 2).
    HIGH = "high"


@frozen(kw_only=True)
class Policy:
    """Named, explicit choices; every field's default is the interchange's default.

    Attributes:
        name: recorded in ``recommendation.policy``; ``"default"`` only for the default policy.
        tokuhashi_2005_excision_requires_no_visceral: the figure-based reading of Tokuhashi 2005
            (9-11 points: excision only with a single vertebra AND no visceral metastases;
            decision ``tokuhashi-excision-9-11``). Default false: the abstract's wording (single
            vertebra only).
        escc_1c_as: how the NOMS grid treats ESCC 1c (decision ``escc-1c``).

    .. versionadded:: 0.1.0
    """

    name: str = "default"
    tokuhashi_2005_excision_requires_no_visceral: bool = False
    escc_1c_as: EsccIntermediateAs = EsccIntermediateAs.INTERMEDIATE

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if type(self.tokuhashi_2005_excision_requires_no_visceral) is not bool:
            problems.append(Problem("tokuhashi_2005_excision_requires_no_visceral",
                                    "must be true or false"))
        if not isinstance(self.escc_1c_as, EsccIntermediateAs):
            problems.append(Problem("escc_1c_as", "must be an EsccIntermediateAs member"))
        if not isinstance(self.name, str) or not self.name:
            problems.append(Problem("name", "must be a non-empty string"))
        elif self.name == "default" and (
            self.tokuhashi_2005_excision_requires_no_visceral
            or self.escc_1c_as is not EsccIntermediateAs.INTERMEDIATE
        ):
            # a result records the policy's name: "default" must mean the interchange's defaults
            problems.append(Problem("name", "must not be 'default' for a non-default policy"))
        if problems:
            raise InvalidInputError(problems)


#: The interchange format's default policy.
DEFAULT_POLICY: Final = Policy()
