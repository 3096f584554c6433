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
from typing import TYPE_CHECKING, Any

from .results import GradeResult, ScoreResult, Status

if TYPE_CHECKING:
    from .assessment import Assessment
    from .model import Case
    from .recommend.noms import Recommendation
    from .scores.registry import Instrument

__all__ = [
    "EVIDENCE_LEGEND",
    "MISSING_HINTS",
    "assessment_html",
    "cap_text",
    "case_html",
    "explain",
    "grade_html",
    "grade_text",
    "instrument",
    "missing_text",
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


def instrument(score_id: str) -> Instrument | None:
    """The instrument module (``spinemets.scores.<id>``) whose ``ID`` is *score_id*, if any."""
    from .scores.registry import by_id

    return by_id(score_id)


def title(score_id: str) -> str:
    """The instrument's ``TITLE`` from the registry (``"Tomita score"``).

    Falls back to *score_id* for an id no instrument declares.
    """
    found = instrument(score_id)
    return found.TITLE if found is not None else score_id


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
        capped = cap_text(result)
        if capped:
            out.append(_row("cap", _e(capped), colspan=span))
    if result.strategy is not None:
        out.append(_row("strategy", _e(result.strategy), colspan=span))
    if result.missing:
        out.append(_row("missing", _e(missing_text(result.missing)), colspan=span))
    if result.reason is not None:
        out.append(_row("reason", _e(result.reason), colspan=span))
    for lesion in result.lesions:
        level = lesion.level.value if lesion.level else "?"
        state = str(lesion.total) if lesion.total is not None else lesion.status.value
        out.append(_row(f"lesions[{lesion.index}] {level}", _e(state), colspan=span))
    out.append(_row("flags", _joined(result.flags) or "none", colspan=span))
    out.append("</tbody></table>")
    if result.items:
        out.append(f'<p class="spinemets-legend"><small>{_e(EVIDENCE_LEGEND)}</small></p>')
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


#: How to supply a missing input, where a field name alone does not say it (shown beside
#: ``missing`` in text and HTML; ``missing`` itself holds field paths only).
MISSING_HINTS: dict[str, str] = {
    "kps": (
        "Karnofsky performance status; ECOG counts only through a named conversion: set "
        "ecog_to_kps (common, ma_2010 or prasad_2018), or --ecog-to-kps NAME on the command "
        "line (spinemets decision #ecog-to-kps)"
    ),
    "tomita_growth": (
        "Tomita's growth class (slow, moderate or rapid), unless the histology has a default "
        "class (spinemets decision #tomita-growth-defaults)"
    ),
    "katagiri_group": (
        "Katagiri's primary-lesion group (slow, moderate or rapid), unless the histology has a "
        "default group"
    ),
    "radiosensitivity": (
        "radiosensitive or radioresistant, unless the histology has a default class "
        "(spinemets decision #radiosensitivity-unknown)"
    ),
}


def missing_text(missing: Iterable[str]) -> str:
    """The missing field paths, each with its hint (:data:`MISSING_HINTS`) where one exists."""
    return ", ".join(f"{name} ({MISSING_HINTS[name]})" if name in MISSING_HINTS else name
                     for name in missing)


def cap_text(result: ScoreResult[Any]) -> str | None:
    """In words, why a capped total is below the items' sum (NESMS), or ``None``."""
    if result.raw is None or result.total is None or result.raw == result.total:
        return None
    return (f"the items add up to {result.raw}; the score is capped at {result.total}, the top "
            f"of its published range (Ghori 2015: 'ceiling of three'; spinemets decision "
            f"#nesms-cap)")


def _band_text(result: ScoreResult[Any]) -> str:
    band = result.band
    if band is None:
        return "no published band"
    return f"band {band.code.value} ({band.lo}-{band.hi})"


def explain(result: ScoreResult[Any] | GradeResult) -> str:
    """Why a result is what it is: one line per item with a short source (author year and
    evidence tag), the total and band, what is missing, then each source's place once, the full
    citation once and the legend of the evidence tags."""
    items = result.items if isinstance(result, ScoreResult) else ()
    sources = list(dict.fromkeys(item.row.source for item in items))
    numbered = len(sources) > 1
    lines = []
    for item in items:
        src = item.row.source
        ref = src.citation.short + (f", source {sources.index(src) + 1}" if numbered else "")
        lines.append(f"{item.key}: {item.value} -> {item.points} ({ref} [{src.evidence.value}])")
    if isinstance(result, GradeResult):
        if result.status is Status.COMPLETE:
            assert result.grade is not None and result.escc_class is not None
            lines.append(f"worst grade {result.grade.value} at lesions[{result.lesion_index}], "
                         f"class {result.escc_class.value}")
    elif result.status is Status.COMPLETE:
        lines.append(f"total {result.total}, {_band_text(result)}")
        capped = cap_text(result)
        if capped:
            lines.append(capped)
    if result.status is Status.INCOMPLETE:
        lines.append("incomplete, missing: " + missing_text(result.missing))
    reason = getattr(result, "reason", None)
    if reason is not None:
        lines.append(f"not applicable: {reason}")
    for lesion in getattr(result, "lesions", ()):
        level = lesion.level.value if lesion.level else "?"
        state = str(lesion.total) if lesion.total is not None else lesion.status.value
        lines.append(f"lesions[{lesion.index}] {level}: {state}")
    if result.flags:
        lines.append("flags: " + ", ".join(result.flags))
    if numbered:
        lines.append("sources:")
        lines += [f"  {i}. {src.place}" for i, src in enumerate(sources, start=1)]
    elif sources:
        lines.append(f"source: {sources[0].place}")
    lines.append(f"citation: {result.citation}")
    if items:
        lines.append(EVIDENCE_LEGEND)
    return "\n".join(lines)


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
        capped = cap_text(result)
        if capped:
            lines.append(f"  {capped}")
    if result.strategy is not None:
        lines.append(f"  strategy: {result.strategy}")
    if result.missing:
        lines.append("  missing: " + missing_text(result.missing))
    if result.reason is not None:
        lines.append(f"  reason: {result.reason}")
    for lesion in result.lesions:
        level = lesion.level.value if lesion.level else "?"
        state = str(lesion.total) if lesion.total is not None else lesion.status.value
        lines.append(f"  lesions[{lesion.index}] {level}: {state}")
    if result.flags:
        lines.append("  flags: " + ", ".join(result.flags))
    if result.items:
        lines.append(f"  {EVIDENCE_LEGEND}")
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
