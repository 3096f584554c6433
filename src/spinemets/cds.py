"""CDS Hooks 2.0 cards for an assessment, as plain JSON-ready dicts.

:func:`cds_response` returns a CDS Hooks service response ``{"cards": [...]}``: one card for the
NOMS recommendation, one per complete score an integrator would surface (SINS, revised
Tokuhashi, Tomita), and an informative card naming what is missing ("SINS needs pain, collapse
for lesion T12") when one of these scores or a part of the recommendation is incomplete. Each
card has the required ``summary`` (under 140 characters), ``indicator`` and ``source`` (whose
label names the library version); ``detail`` is Markdown with the items, rationale, options,
flags and citations.

Every card gets a fresh random ``uuid`` per response (CDS Hooks clients use it to tell cards
apart and to send feedback, so two responses must never share one); the content hash in
``extension`` (:data:`HASH_KEY`) is the same for the same content and is what a client can use to
de-duplicate. With ``calculator_url`` each card links to the calculator page prefilled with the
case (``<calculator_url>?case=<URL-encoded JSON>``); with ``patient_id`` the recommendation card
carries ``suggestions``: a draft ``ServiceRequest`` (intent ``proposal``) for each proposed action
(radiation, stabilization or a surgical consultation) coded in the project's own code systems.

Indicators: ``critical`` for high-grade cord compression with myelopathy (the emergency of the
NOMS grid); ``warning`` when the recommendation involves surgery or stabilization, or a part is
``undetermined``; ``info`` otherwise. This is decision support, not an order: every card says so.

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Card uuids are random per response (they were derived from the content, so the same uuid
   came back for every patient with the same findings); the content hash moved to
   ``extension``. New: ``links`` to the calculator, ``suggestions``, the missing-data card.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from ._version import package_version
from .results import EsccClass, ScoreResult, Status
from .scores.registry import short_title

if TYPE_CHECKING:
    from .assessment import Assessment

__all__ = ["HASH_KEY", "SUMMARY_LIMIT", "calculator_link", "cds_response"]

#: CDS Hooks 2.0: ``summary`` "SHOULD be less than 140 characters".
SUMMARY_LIMIT: Final = 140
#: Key in a card's ``extension``: SHA-256 of the card's content (everything but the uuids).
HASH_KEY: Final = "spinemets-content-hash"
_DOCS: Final = "https://spinemets.readthedocs.io"
_DISCLAIMER: Final = (
    "_Published scores for research and decision support; not a medical device. A clinician "
    "decides._"
)
_SURGICAL: Final = frozenset(
    {"separation_surgery_then_srs", "decompression_then_radiation", "stabilization",
     "percutaneous_stabilization", "surgical_consultation"}
)
#: The scores whose absence the missing-data card summarises (the others are listed in detail).
_SEED: Final = ("sins", "escc", "tokuhashi_2005", "tomita")
#: What a proposed action is, for the suggestion's label and the ServiceRequest's text.
_ACTIONS: Final = {
    ("radiation", "cebrt"): "Conventional external-beam radiotherapy",
    ("radiation", "srs"): "Stereotactic radiosurgery / SBRT",
    ("radiation", "separation_surgery_then_srs"):
        "Separation surgery, then stereotactic radiosurgery",
    ("radiation", "decompression_then_radiation"): "Decompression surgery, then radiotherapy",
    ("stabilization", "stabilization"): "Surgical stabilization of the spine",
    ("stabilization", "percutaneous_stabilization"): "Percutaneous stabilization of the spine",
    ("stabilization", "surgical_consultation"): "Spine surgery consultation",
}


def _summary(text: str) -> str:
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2] + "…"


def calculator_link(calculator_url: str, case: dict[str, Any]) -> str:
    """The calculator page at *calculator_url*, prefilled with *case* (an interchange dict)."""
    text = json.dumps(case, separators=(",", ":"))  # ASCII: any string survives the URL
    return f"{calculator_url}?case={quote(text, safe='')}"


def _content_hash(card: dict[str, Any]) -> str:
    text = json.dumps(card, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _card(summary: str, indicator: str, detail: str, label: str) -> dict[str, Any]:
    return {
        "summary": _summary(summary),
        "indicator": indicator,
        "detail": detail + "\n\n" + _DISCLAIMER,
        "source": {"label": label, "url": _DOCS},
    }


def _finish(card: dict[str, Any], link: str | None) -> dict[str, Any]:
    """Add the link, the content hash (over everything but uuids) and fresh uuids."""
    if link is not None:
        card["links"] = [{"label": "Open in the spinemets calculator", "url": link,
                          "type": "absolute"}]
    card["extension"] = {HASH_KEY: _content_hash(card)}
    for suggestion in card.get("suggestions", ()):
        suggestion["uuid"] = str(uuid.uuid4())
    return {"uuid": str(uuid.uuid4()), **card}


def _suggestions(assessment: Assessment, patient_id: str) -> list[dict[str, Any]]:
    from .fhir import RADIATION_SYSTEM, STABILIZATION_SYSTEM

    systems = {"radiation": RADIATION_SYSTEM, "stabilization": STABILIZATION_SYSTEM}
    rec = assessment.recommendation
    out = []
    for part, code in (("radiation", rec.radiation.value),
                       ("stabilization", rec.stabilization.value)):
        text = _ACTIONS.get((part, code))
        if text is None:  # "none" and "undetermined" propose nothing
            continue
        system = systems[part]
        resource = {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "proposal",
            "code": {"coding": [{"system": system, "code": code, "display": text}],
                     "text": text},
            "subject": {"reference": f"Patient/{patient_id}"},
            "note": [{"text": "Proposed by spinemets (NOMS framework, Laufer et al. 2013); "
                              "decision support, not an order."}],
        }
        out.append({
            "label": f"Propose: {text}",
            "isRecommended": False,
            "actions": [{"type": "create", "description": f"Draft a request: {text}",
                         "resource": resource}],
        })
    return out


def _recommendation_card(assessment: Assessment, patient_id: str | None) -> dict[str, Any]:
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
    card = _card(summary, indicator, "\n".join(lines), label)
    suggestions = _suggestions(assessment, patient_id) if patient_id else []
    if suggestions:
        card["selectionBehavior"] = "any"
        card["suggestions"] = suggestions
    return card


def _score_card(result: ScoreResult[Any]) -> dict[str, Any]:
    assert result.band is not None and result.total is not None
    lo, hi = result.band.lo, result.band.hi
    summary = (f"{short_title(result.id)} {result.total}: {result.band.code.value} ({lo}-{hi})"
               + (f"; {result.strategy}" if result.strategy else ""))
    lines = [f"**{short_title(result.id)}** total **{result.total}**, band "
             f"`{result.band.code.value}` ({lo}-{hi}): {result.band.meaning}", ""]
    lines += [f"- {i.key}: {i.value} = {i.points} ({i.row.source})" for i in result.items]
    if result.flags:
        lines.append("\nFlags: " + ", ".join(f"`{f}`" for f in result.flags))
    label = f"spinemets {package_version()}: {result.citation.short}"
    indicator = "warning" if result.band.code.value in ("unstable", "lt_6_months",
                                                         "terminal_care") else "info"
    return _card(summary, indicator, "\n".join(lines), label)


def _needs(missing: Iterable[str], levels: list[str | None]) -> str:
    """``pain, collapse for lesion T12; histology``: lesion paths grouped by lesion."""
    case_fields: list[str] = []
    by_lesion: dict[int, list[str]] = {}
    for path in missing:
        if path.startswith("lesions[") and "]." in path:
            number, field = path[len("lesions["):].split("].", 1)
            by_lesion.setdefault(int(number), []).append(field)
        else:
            case_fields.append(path)
    parts = [", ".join(case_fields)] if case_fields else []
    for index, fields in by_lesion.items():
        level = levels[index] if index < len(levels) else None
        where = f"lesion {level}" if level else f"lesion {index + 1}"
        parts.append(f"{', '.join(fields)} for {where}")
    return "; ".join(parts)


def _missing_card(assessment: Assessment, problems: Iterable[str]) -> dict[str, Any] | None:
    levels = [lesion.level.value if lesion.level is not None else None
              for lesion in assessment.case.lesions or ()]
    short: list[str] = []
    lines: list[str] = []
    rec = assessment.recommendation
    for score_id in _SEED:
        result = assessment[score_id]
        if result.status is Status.INCOMPLETE:
            short.append(f"{short_title(score_id)} needs {_needs(result.missing, levels)}")
    for part, fields in rec.missing:
        lines.append(f"- NOMS *{part}* would be decided by: {_needs(fields, levels)}")
    for result in assessment.scores:
        if result.status is Status.INCOMPLETE:
            name = short_title(result.id)
            lines.append(f"- {name} needs {_needs(result.missing, levels)}")
    problems = list(problems)
    if problems:
        lines.append("\nRecorded data that could not be read (left out):")
        lines += [f"- {problem}" for problem in problems]
    if not short and not rec.missing and not problems:
        return None
    if not short:
        short.append("NOMS needs " + _needs([f for _, fs in rec.missing for f in fs], levels)
                     if rec.missing else "Some recorded data could not be read")
    label = f"spinemets {package_version()}: missing inputs"
    detail = ("Scores with missing inputs are never computed as if the item were 0. Record "
              "these to complete them:\n\n" + "\n".join(lines))
    return _card("; ".join(short), "info", detail, label)


def cds_response(
    assessment: Assessment,
    *,
    calculator_url: str | None = None,
    patient_id: str | None = None,
    problems: Iterable[str] = (),
) -> dict[str, Any]:
    """A CDS Hooks 2.0 response for *assessment*.

    Cards: the recommendation, then one card per complete SINS, revised Tokuhashi and Tomita
    score, then (when one of these scores or a recommendation part is incomplete, or *problems* are
    given) one informative card naming what is missing. Every card and suggestion has a fresh
    uuid. *calculator_url* (the service's page, e.g. ``https://host/``) adds a prefilled link to
    every card; *patient_id* adds the draft ``ServiceRequest`` suggestions; *problems* are
    messages about recorded data that could not be read (each naming its field).
    """
    from .interchange import case_to_dict

    link = (calculator_link(calculator_url, case_to_dict(assessment.case))
            if calculator_url is not None else None)
    cards = [_recommendation_card(assessment, patient_id)]
    for score_id in ("sins", "tokuhashi_2005", "tomita"):
        result = assessment[score_id]
        if isinstance(result, ScoreResult) and result.status is Status.COMPLETE:
            cards.append(_score_card(result))
    missing = _missing_card(assessment, problems)
    if missing is not None:
        cards.append(missing)
    return {"cards": [_finish(card, link) for card in cards]}

