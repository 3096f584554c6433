"""Views of results for people: HTML for notebooks (``_repr_html_``) and text for terminals.

:class:`~spinemets.results.ScoreResult`, :class:`~spinemets.results.GradeResult` and
:class:`~spinemets.assessment.Assessment` delegate their ``_repr_html_`` and ``__str__`` here, so a
result shown in Jupyter is a compact table (items, total, band, flags) and ``print(result)`` is a
short report. Every value is escaped with :func:`html.escape`. Nothing here is needed to compute a
score; the module imports only the standard library and spinemets itself.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .results import GradeResult, ScoreResult, Status

if TYPE_CHECKING:
    from .assessment import Assessment
    from .model import Case
    from .recommend.noms import Recommendation

__all__ = [
    "EVIDENCE_LEGEND",
    "assessment_html",
    "case_html",
    "grade_html",
    "grade_text",
    "instrument",
    "recommendation_html",
    "result_html",
    "score_html",
    "score_text",
    "title",
]

_DISCLAIMER = "Published scores for research and decision support; not a medical device."

#: What the evidence tags after each table row mean (shown wherever the tags appear).
EVIDENCE_LEGEND = (
    "Evidence tags: [primary] = checked against the paper's own abstract or table (or an "
    "authorised reproduction); [secondary] = from calculators, reviews or teaching pages, usually "
    "several agreeing; [unverified] = not confirmed from any supporting text (results using such "
    "a row carry the flag unverified_table)."
)


def instrument(score_id: str) -> ModuleType | None:
    """The instrument module (``spinemets.scores.<id>``) whose ``ID`` is *score_id*, if any."""
    from .scores import SUMMED, escc

    for module in (*SUMMED, escc):
        if getattr(module, "ID", None) == score_id:
            return module
    return None


def title(score_id: str) -> str:
    """The instrument's name, read from its module docstring (``"Tomita score"``).

    Falls back to *score_id* for an id no module declares.
    """
    module = instrument(score_id)
    doc = (module.__doc__ or "").strip() if module is not None else ""
    if not doc:
        return score_id
    first = doc.splitlines()[0]
    return first.split(" (", 1)[0].rstrip(" .,") or score_id


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _row(head: str, *cells: str, colspan: int = 0) -> str:
    """One ``<tr>``: a header cell, then data cells (already escaped)."""
    span = f' colspan="{colspan}"' if colspan else ""
    tds = "".join(f"<td{span}>{cell}</td>" for cell in cells)
    return f'<tr><th scope="row">{_e(head)}</th>{tds}</tr>'


def _joined(values: Iterable[str]) -> str:
    return ", ".join(_e(v) for v in values)


def score_html(result: ScoreResult[Any]) -> str:
    """A summed score as an HTML table: one row per item, then total, band, flags, missing."""
    caption = f"{title(result.id)} ({result.citation.short}): {result.status.value}"
    out = [
        f'<table class="spinemets-score" data-score="{_e(result.id)}">',
        f"<caption>{_e(caption)}</caption>",
    ]
    if result.items:
        out.append(
            "<thead><tr><th>item</th><th>input</th><th>points</th><th>row</th>"
            "<th>evidence</th></tr></thead>"
        )
    out.append("<tbody>")
    for item in result.items:
        source = item.row.source
        out.append(
            f'<tr><th scope="row">{_e(item.key)}</th><td>{_e(item.value)}</td>'
            f"<td>{item.points}</td><td>{_e(item.row.wording)}</td>"
            f'<td title="{_e(source)}">{_e(source.evidence.value)}</td></tr>'
        )
    span = 4 if result.items else 0
    if result.status is Status.COMPLETE:
        out.append(_row("total", _e(result.total), colspan=span))
        band = result.band
        text = f"{band.code.value} [{band.lo}-{band.hi}]: {band.meaning}" if band else "none"
        out.append(_row("band", _e(text), colspan=span))
    if result.strategy is not None:
        out.append(_row("strategy", _e(result.strategy), colspan=span))
    if result.missing:
        out.append(_row("missing", _joined(result.missing), colspan=span))
    if result.reason is not None:
        out.append(_row("reason", _e(result.reason), colspan=span))
    for lesion in result.lesions:
        level = lesion.level.value if lesion.level else "?"
        state = str(lesion.total) if lesion.total is not None else lesion.status.value
        out.append(_row(f"lesions[{lesion.index}] {level}", _e(state), colspan=span))
    out.append(_row("flags", _joined(result.flags) or "none", colspan=span))
    out.append("</tbody></table>")
    return "".join(out)


def grade_html(result: GradeResult) -> str:
    """The ESCC grade as an HTML table: grade, class, lesion, missing, flags."""
    caption = f"{title(result.id)} ({result.citation.short}): {result.status.value}"
    out = [
        f'<table class="spinemets-grade" data-score="{_e(result.id)}">',
        f"<caption>{_e(caption)}</caption><tbody>",
    ]
    if result.status is Status.COMPLETE:
        assert result.grade is not None and result.escc_class is not None
        out.append(_row("grade", _e(result.grade.value)))
        out.append(_row("class", _e(result.escc_class.value)))
        out.append(_row("lesion", _e(f"lesions[{result.lesion_index}]")))
    if result.missing:
        out.append(_row("missing", _joined(result.missing)))
    out.append(_row("flags", _joined(result.flags) or "none"))
    out.append("</tbody></table>")
    return "".join(out)


def result_html(result: ScoreResult[Any] | GradeResult) -> str:
    """:func:`score_html` or :func:`grade_html`, whichever fits *result*."""
    if isinstance(result, GradeResult):
        return grade_html(result)
    return score_html(result)


def recommendation_html(rec: Recommendation) -> str:
    """The NOMS recommendation as an HTML table: codes, missing, flags, rationale, options."""
    out = [
        '<table class="spinemets-recommendation">',
        f"<caption>{_e(f'NOMS recommendation (policy: {rec.policy})')}</caption><tbody>",
        _row("radiation", _e(rec.radiation.value)),
        _row("stabilization", _e(rec.stabilization.value)),
    ]
    for part, fields in rec.missing:
        out.append(_row(f"{part} would be decided by", _joined(fields)))
    out.append(_row("flags", _joined(rec.flags) or "none"))
    for reason in rec.rationale:
        out.append(_row(reason.pillar, _e(reason.text)))
    for option in rec.options:
        out.append(_row("option", _e(f"{option.option}: {option.rationale} ({option.source})")))
    out.append("</tbody></table>")
    return "".join(out)


def case_html(case: Case) -> str:
    """A case as an HTML table of the fields that were assessed (its interchange form)."""
    data = case.to_dict()
    lesions = data.pop("lesions", [])
    out = ['<table class="spinemets-case">', "<caption>spinemets case</caption><tbody>"]
    out += [_row(name, _e(_value(value))) for name, value in data.items()]
    for i, lesion in enumerate(lesions):
        text = ", ".join(f"{k} {_value(v)}" for k, v in lesion.items()) or "no field assessed"
        out.append(_row(f"lesions[{i}]", _e(text)))
    if not data and not lesions:
        out.append(_row("fields", "none assessed"))
    out.append("</tbody></table>")
    return "".join(out)


def _value(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def assessment_html(assessment: Assessment) -> str:
    """Every score's table, then the recommendation, then the evidence-tag legend."""
    out = ['<div class="spinemets-assessment">', f"<p><em>{_e(_DISCLAIMER)}</em></p>"]
    out += [result_html(result) for result in assessment.scores]
    out.append(recommendation_html(assessment.recommendation))
    out.append(f'<p class="spinemets-legend"><small>{_e(EVIDENCE_LEGEND)}</small></p></div>')
    return "".join(out)


def score_text(result: ScoreResult[Any]) -> str:
    """A summed score as a few lines of text (what ``str(result)`` prints)."""
    lines = [f"{title(result.id)} ({result.citation.short}): {result.status.value}"]
    width = max((len(i.key) for i in result.items), default=0)
    vwidth = max((len(i.value) for i in result.items), default=0)
    for item in result.items:
        lines.append(f"  {item.key:<{width}}  {item.value:<{vwidth}}  {item.points:>2}  "
                     f"{item.row.wording} [{item.row.source.evidence.value}]")
    if result.status is Status.COMPLETE:
        band = result.band
        text = f"{band.code.value} [{band.lo}-{band.hi}]: {band.meaning}" if band else "none"
        lines.append(f"  total {result.total}, band {text}")
    if result.strategy is not None:
        lines.append(f"  strategy: {result.strategy}")
    if result.missing:
        lines.append("  missing: " + ", ".join(result.missing))
    if result.reason is not None:
        lines.append(f"  reason: {result.reason}")
    for lesion in result.lesions:
        level = lesion.level.value if lesion.level else "?"
        state = str(lesion.total) if lesion.total is not None else lesion.status.value
        lines.append(f"  lesions[{lesion.index}] {level}: {state}")
    if result.flags:
        lines.append("  flags: " + ", ".join(result.flags))
    return "\n".join(lines)


def grade_text(result: GradeResult) -> str:
    """The ESCC grade as a few lines of text."""
    lines = [f"{title(result.id)} ({result.citation.short}): {result.status.value}"]
    if result.status is Status.COMPLETE:
        assert result.grade is not None and result.escc_class is not None
        lines.append(f"  worst grade {result.grade.value} at lesions[{result.lesion_index}], "
                     f"class {result.escc_class.value}")
    if result.missing:
        lines.append("  missing: " + ", ".join(result.missing))
    if result.flags:
        lines.append("  flags: " + ", ".join(result.flags))
    return "\n".join(lines)
