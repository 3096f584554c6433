"""Views of results for people: HTML for notebooks (``_repr_html_``) and text for terminals.

:class:`~spinemets.results.ScoreResult`, :class:`~spinemets.results.GradeResult` and
:class:`~spinemets.assessment.Assessment` delegate their ``_repr_html_`` and ``__str__`` here, so a
result shown in Jupyter is a compact table (items, total, band, flags), ``print(result)`` is a
short report and ``print(assessment)`` (and ``spinemets demo``) the full text report
(:func:`render`): the input case, every score, the recommendation and the legend of the evidence
tags. Titles and headings come from the registry of instruments. Every value is escaped with
:func:`html.escape`. Nothing here is needed to compute a score; the module imports only the
standard library and spinemets itself.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING, Any

from .results import GradeResult, ScoreResult, Status

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .assessment import Assessment
    from .model import Case
    from .recommend.noms import Recommendation
    from .scores.registry import Instrument

__all__ = [
    "EVIDENCE_LEGEND",
    "EXAMPLE_CASE",
    "MISSING_HINTS",
    "assessment_html",
    "cap_text",
    "case_html",
    "case_lines",
    "explain",
    "grade_html",
    "grade_text",
    "instrument",
    "missing_text",
    "recommendation_html",
    "render",
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


# -- the text report of an assessment -----------------------------------------------------------

#: The built-in example case: the interchange docs' example, plus the inputs of the further
#: instruments (fictional values that leave the first five scores unchanged; no motor deficit, so
#: Rades 2008 is not applicable).
EXAMPLE_CASE: dict[str, Any] = {
    "histology": "kidney",
    "kps": 80,
    "visceral_metastases": "none",
    "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1,
    "frankel": "E",
    "myelopathy": False,
    "fit_for_surgery": True,
    "ecog": 1,
    "pathologic_fracture": False,
    "ambulatory": True,
    "albumin_g_dl": 3.9,
    "crp_mg_dl": 0.2,
    "ldh_u_l": 180,
    "platelets_10e9_l": 250,
    "calcium_mg_dl": 9.4,
    "bilirubin_mg_dl": 0.6,
    "previous_chemotherapy": False,
    "katagiri_visceral": "none",
    "months_diagnosis_to_mscc": 24,
    "motor_deficit_days": 0,
    "lesions": [
        {
            "level": "T12",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "normal",
            "collapse": "involved_over_50",
            "posterolateral": "unilateral",
            "escc": "1b",
        }
    ],
}

def _score_lines(result: ScoreResult[Any]) -> list[str]:
    lines: list[str] = []
    if result.status is Status.NOT_APPLICABLE:
        lines.append(f"  {result.status.value}: {result.reason}")
    elif result.status is not Status.COMPLETE:
        lines.append(f"  {result.status.value}: missing " + missing_text(result.missing))
    else:
        for item in result.items:
            lines.append(f"  {item.key:<30} {item.value:<24} {item.points:>2}   "
                         f"{item.row.wording} [{item.row.source.evidence.value}]")
        lines.append(f"  {'total':<30} {'':<24} {result.total:>2}")
        capped = cap_text(result)
        if capped:
            lines.append(f"  {capped}")
        direction = "higher is better" if result.higher_is_better else "lower is better"
        if result.band is None:
            lines.append(f"  band: none published ({direction})")
        else:
            lines.append(f"  band: {result.band.code.value} [{result.band.lo}-{result.band.hi}]: "
                         f"{result.band.meaning}")
        if result.strategy:
            lines.append(f"  strategy: {result.strategy}")
    for lesion in result.lesions:
        level = lesion.level.value if lesion.level else "?"
        state = str(lesion.total) if lesion.total is not None else "incomplete"
        lines.append(f"  lesions[{lesion.index}] {level}: {state}")
    if result.flags:
        lines.append("  flags: " + ", ".join(result.flags))
    lines.append(f"  citation: {result.citation}")
    return lines


def _grade_lines(result: GradeResult) -> list[str]:
    if result.status is not Status.COMPLETE:
        lines = [f"  {result.status.value}: missing " + ", ".join(result.missing)]
    else:
        assert result.grade is not None and result.escc_class is not None
        lines = [f"  worst grade {result.grade.value} (lesions[{result.lesion_index}]), "
                 f"class {result.escc_class.value}"]
    lines.append(f"  citation: {result.citation}")
    return lines


def case_lines(case: Case) -> list[str]:
    """The input case as its interchange fields (``name: value``), wrapped between fields; a line
    per lesion."""
    data = case.to_dict()
    lesions = data.pop("lesions", [])
    lines = _wrapped([f"{name}: {_value(value)}" for name, value in data.items()], "  ")
    for i, lesion in enumerate(lesions):
        pairs = [f"{k}: {_value(v)}" for k, v in lesion.items()] or ["no field assessed"]
        pairs[0] = f"lesions[{i}]: {pairs[0]}"
        lines += _wrapped(pairs, "    ", first="  ")
    return lines or ["  (no field assessed)"]


def _wrapped(pairs: list[str], indent: str, first: str | None = None) -> list[str]:
    """*pairs* joined by ``"; "`` and wrapped at 98 columns, never inside a pair."""
    glue = "\x00"  # stands for the spaces inside a pair while wrapping
    text = "; ".join(p.replace(" ", glue) for p in pairs)
    lines = textwrap.wrap(text, width=98, initial_indent=indent if first is None else first,
                          subsequent_indent=indent, break_on_hyphens=False,
                          break_long_words=False)
    return [line.replace(glue, " ") for line in lines]


def render(assessment: Assessment) -> str:
    """The assessment as a plain-text report: the input case, every score, the recommendation
    and the legend of the evidence tags."""
    out = ["spinemets report — published scores for research and decision support; "
           "not a medical device.", "", "Input case", *case_lines(assessment.case), ""]
    for result in assessment.scores:
        found = instrument(result.id)
        out.append(found.HEADING if found is not None else result.id)
        if isinstance(result, GradeResult):
            out += _grade_lines(result)
        else:
            out += _score_lines(result)
        out.append("")
    rec = assessment.recommendation
    out.append(f"NOMS recommendation (policy: {rec.policy})")
    out.append(f"  radiation:     {rec.radiation.value}")
    out.append(f"  stabilization: {rec.stabilization.value}")
    for part, fields in rec.missing:
        out.append(f"  {part} would be decided by: " + missing_text(fields))
    if rec.flags:
        out.append("  flags: " + ", ".join(rec.flags))
    for reason in rec.rationale:
        out.append(f"  {reason.pillar}: {reason.text}")
    if rec.options:
        out.append("  options:")
        for option in rec.options:
            out.append(f"    - {option.option}: {option.rationale} ({option.source})")
    out += ["", EVIDENCE_LEGEND,
            "Where spinemets chose between readings of the literature, the text cites "
            "'spinemets Clinical decisions #<entry>': the documentation's page of those choices."]
    return "\n".join(out) + "\n"
