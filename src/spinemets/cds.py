"""CDS Hooks 2.0 cards for an assessment, as plain JSON-ready dicts.

:func:`cds_response` returns a CDS Hooks service response ``{"cards": [...]}`` with one card for
the NOMS recommendation and one per complete seed score an integrator would surface (SINS, revised
Tokuhashi, Tomita). Each card has the required ``summary`` (at most 140 characters), an
``indicator`` and a ``source``; ``detail`` is Markdown with the items, rationale, options, flags
and citations. Card ``uuid`` values are derived from the content, so the same assessment always
gives the same response.

Indicators: ``critical`` for high-grade cord compression with myelopathy (the emergency of the
NOMS grid); ``warning`` when the recommendation involves surgery or stabilization, or a part is
``undetermined``; ``info`` otherwise. This is decision support, not an order: every card says so.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Final

from ._version import package_version
from .results import EsccClass, ScoreResult, Status

if TYPE_CHECKING:
    from .assessment import Assessment

__all__ = ["SUMMARY_LIMIT", "cds_response"]

#: CDS Hooks 2.0: ``summary`` "SHOULD be less than 140 characters".
SUMMARY_LIMIT: Final = 140
_NAMESPACE: Final = uuid.UUID("7f1d2c8e-54c1-4a8e-9f43-2b1c9d6e0a11")
_DOCS: Final = "https://spinemets.readthedocs.io"
_DISCLAIMER: Final = (
    "_Published scores for research and decision support; not a medical device. A clinician "
    "decides._"
)
_SURGICAL: Final = frozenset(
    {"separation_surgery_then_srs", "decompression_then_radiation", "stabilization",
     "percutaneous_stabilization", "surgical_consultation"}
)
_TITLES: Final = {"sins": "SINS", "tokuhashi_2005": "Revised Tokuhashi", "tomita": "Tomita"}


def _summary(text: str) -> str:
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2] + "…"


def _card(summary: str, indicator: str, detail: str, label: str) -> dict[str, Any]:
    card = {
        "summary": _summary(summary),
        "indicator": indicator,
        "detail": detail + "\n\n" + _DISCLAIMER,
        "source": {"label": label, "url": _DOCS},
    }
    card["uuid"] = str(uuid.uuid5(_NAMESPACE, repr(sorted(card.items()))))
    return card


def _recommendation_card(assessment: Assessment) -> dict[str, Any]:
    rec = assessment.recommendation
    escc = assessment["escc"]
    high = getattr(escc, "escc_class", None) is EsccClass.HIGH
    if high and assessment.case.neurology.myelopathy:
        indicator = "critical"
    elif (
        rec.radiation.value in _SURGICAL
        or rec.stabilization.value in _SURGICAL
        or "undetermined" in (rec.radiation.value, rec.stabilization.value)
    ):
        indicator = "warning"
    else:
        indicator = "info"
    summary = f"NOMS: radiation {rec.radiation.value}; stabilization {rec.stabilization.value}"
    lines = [f"**Radiation:** `{rec.radiation.value}`  ",
             f"**Stabilization:** `{rec.stabilization.value}`", ""]
    lines += [f"- **{r.pillar}**: {r.text}" for r in rec.rationale]
    for part, fields in rec.missing:
        lines.append(f"- *{part}* would be decided by: {', '.join(fields)}")
    if rec.flags:
        lines.append("\nFlags: " + ", ".join(f"`{f}`" for f in rec.flags))
    if rec.options:
        lines.append("\nOptions from the literature:")
        lines += [f"- {o.option}: {o.rationale} ({o.source})" for o in rec.options]
    label = f"spinemets {package_version()}: NOMS (Bilsky 2006; Laufer 2013), policy {rec.policy}"
    return _card(summary, indicator, "\n".join(lines), label)


def _score_card(result: ScoreResult[Any]) -> dict[str, Any]:
    assert result.band is not None and result.total is not None
    lo, hi = result.band.lo, result.band.hi
    summary = (f"{_TITLES[result.id]} {result.total}: {result.band.code.value} ({lo}-{hi})"
               + (f"; {result.strategy}" if result.strategy else ""))
    lines = [f"**{_TITLES[result.id]}** total **{result.total}**, band "
             f"`{result.band.code.value}` ({lo}-{hi}): {result.band.meaning}", ""]
    lines += [f"- {i.key}: {i.value} = {i.points} ({i.row.source})" for i in result.items]
    if result.flags:
        lines.append("\nFlags: " + ", ".join(f"`{f}`" for f in result.flags))
    label = f"spinemets {package_version()}: {result.citation.short}"
    indicator = "warning" if result.band.code.value in ("unstable", "lt_6_months",
                                                         "terminal_care") else "info"
    return _card(summary, indicator, "\n".join(lines), label)


def cds_response(assessment: Assessment) -> dict[str, Any]:
    """A CDS Hooks 2.0 response for *assessment*: the recommendation card, then one card per
    complete SINS, revised Tokuhashi and Tomita score (incomplete scores get no card)."""
    cards = [_recommendation_card(assessment)]
    for score_id in ("sins", "tokuhashi_2005", "tomita"):
        result = assessment[score_id]
        if isinstance(result, ScoreResult) and result.status is Status.COMPLETE:
            cards.append(_score_card(result))
    return {"cards": cards}
