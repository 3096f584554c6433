"""Published survival figures attached to a score's bands: one :class:`SurvivalFigure` per number.

Each instrument module that prints survival in its band meanings keeps the figures as a
``SURVIVAL`` tuple of rows (paper, place and evidence tag in ``source``); the band meanings, the
docs and :func:`spinemets.published_survival` all read those rows, so every figure lives once.
Figures are cohort statistics of the paper's series, never an individual prediction.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from attrs import frozen

from .citations import Evidence, Source

if TYPE_CHECKING:
    from collections.abc import Iterable

B = TypeVar("B", bound=enum.Enum)

Statistic = Literal["survival", "median", "mean", "period"]
Op = Literal["<", "<=", ">", ">="]

__all__ = ["SurvivalFigure", "figures_text", "months_text", "published_survival"]


def months_text(months: float) -> str:
    """``6`` -> ``"6 months"``, ``12`` -> ``"1 year"``, ``24`` -> ``"2 years"``."""
    if months >= 12 and months % 12 == 0:
        years = int(months // 12)
        return f"{years} year" + ("s" if years > 1 else "")
    return f"{months:g} months"


def _point(months: float) -> str:
    """``6`` -> ``"6-month"``, ``12`` -> ``"1-year"``."""
    if months >= 12 and months % 12 == 0:
        return f"{int(months // 12)}-year"
    return f"{months:g}-month"


@frozen(kw_only=True)
class SurvivalFigure(Generic[B]):
    """One survival figure a paper attached to a band.

    ``statistic`` is ``"survival"`` (the share alive at ``months``; ``value`` in 0-1),
    ``"median"`` or ``"mean"`` (``value`` in months) or ``"period"`` (the band's predicted survival
    period: survival ``op`` ``months``, e.g. ``< 6``), the reading that agreement ("accuracy")
    studies check patient by patient.
    """

    band: B
    statistic: Statistic
    source: Source
    months: float | None = None
    value: float | None = None
    op: Op | None = None
    approximate: bool = False  #: Published as "about" / read off a figure.
    cohort: str = ""  #: Which series, when the paper reports more than one (e.g. a validation).
    note: str = ""  #: The paper's qualification, printed after the figure.
    wording: str = ""  #: The paper's own words, printed instead of the generated text.
    decimals: int | None = None  #: Decimals of a percentage as published (``74.0%``).

    def __attrs_post_init__(self) -> None:
        ok = {
            "survival": self.months is not None and self.value is not None
            and 0 <= self.value <= 1 and self.op is None,
            "median": self.months is None and self.value is not None and self.op is None,
            "mean": self.months is None and self.value is not None and self.op is None,
            "period": self.months is not None and self.value is None and self.op is not None,
        }[self.statistic]
        if not ok:  # pragma: no cover - a malformed table row
            raise ValueError(f"malformed survival figure: {self!r}")

    @property
    def text(self) -> str:
        """The figure in words, e.g. ``"1-year survival 91%"``."""
        about = "about " if self.approximate else ""
        if self.wording:
            text = self.wording
        elif self.statistic == "survival":
            assert self.months is not None and self.value is not None
            pct = (f"{self.value * 100:g}" if self.decimals is None
                   else f"{self.value * 100:.{self.decimals}f}")
            text = f"{_point(self.months)} survival {about}{pct}%"
        elif self.statistic == "period":
            assert self.months is not None and self.op is not None
            text = f"survival {self.op} {months_text(self.months)}"
        else:
            text = f"{self.statistic} survival {about}{self.value:g} months"
        if self.note:
            text += f" ({self.note})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A plain row: band code, statistic, months, value, op, text, cohort and the source."""
        return {
            "band": self.band.value,
            "statistic": self.statistic,
            "months": self.months,
            "value": self.value,
            "op": self.op,
            "approximate": self.approximate,
            "text": self.text,
            "cohort": self.cohort,
            "citation": self.source.citation.short,
            "locator": self.source.locator,
            "evidence": self.source.evidence.value,
        }


def figures_text(figures: Iterable[SurvivalFigure[Any]], band: enum.Enum,
                 evidence: Evidence | None = None) -> str:
    """The figures of *band* joined for a band meaning; a figure whose evidence differs from
    *evidence* (the band row's), or is unverified, is tagged with its own, and a figure of a named
    series with that series."""
    parts = []
    for fig in figures:
        if fig.band is not band:
            continue
        tagged = fig.source.evidence is not evidence or fig.source.evidence is Evidence.UNVERIFIED
        tags = [t for t in (fig.cohort, fig.source.evidence.value if tagged else "") if t]
        parts.append(fig.text + (f" ({', '.join(tags)})" if tags else ""))
    return "; ".join(parts)


def published_survival(score_id: str) -> list[dict[str, Any]]:
    """The survival figures a score's paper attached to its bands, one plain dict per figure.

    Keys: ``score``, ``band`` (band code), ``statistic`` (``"survival"``: the share alive at
    ``months``, ``value`` 0-1; ``"median"`` / ``"mean"``: ``value`` in months; ``"period"``: the
    band's predicted survival, ``op`` ``months``), ``approximate``, ``text``, ``cohort`` (a named
    series such as a validation) and the source: ``citation``, ``locator``, ``evidence``
    (``primary``, ``secondary`` or ``unverified``). These are cohort statistics of the paper's
    series, never an individual prediction. Scores whose papers give no survival figure per band
    (Tomita, SINS, ESCC, OSRI) return an empty list. Each call returns new dicts.

    Raises:
        ValueError: *score_id* is not a score the library implements.

    .. versionadded:: 0.2.0
    """
    from .scores.registry import INSTRUMENTS, by_id

    module = by_id(score_id)
    if module is None:
        ids = sorted(instrument.ID for instrument in INSTRUMENTS)
        raise ValueError(f"unknown score id {score_id!r}; choose from {ids}")
    figures: tuple[SurvivalFigure[Any], ...] = getattr(module, "SURVIVAL", ())
    return [{"score": score_id, **f.to_dict()} for f in figures]
