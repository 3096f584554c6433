"""A readable text report of an assessment (``str(assessment)`` and ``spinemets demo``): the
input case first, then every score, the recommendation and the legend of the evidence tags."""

from __future__ import annotations

import textwrap
from typing import Any

from .assessment import Assessment
from .display import EVIDENCE_LEGEND, cap_text, missing_text
from .model import Case
from .results import GradeResult, ScoreResult, Status
from .scores.registry import by_id

__all__ = ["EXAMPLE_CASE", "render"]

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
    lines = _wrapped([f"{name}: {_text(value)}" for name, value in data.items()], "  ")
    for i, lesion in enumerate(lesions):
        pairs = [f"{k}: {_text(v)}" for k, v in lesion.items()] or ["no field assessed"]
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


def _text(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def render(assessment: Assessment) -> str:
    """The assessment as a plain-text report: the input case, every score, the recommendation
    and the legend of the evidence tags."""
    out = ["spinemets report — published scores for research and decision support; "
           "not a medical device.", "", "Input case", *case_lines(assessment.case), ""]
    for result in assessment.scores:
        found = by_id(result.id)
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
