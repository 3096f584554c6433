"""Words a clinician reads (issue 11, points 8 and 9), checked on real output.

Outputs cite papers and the project's own documented decisions, never internal working documents:
no "seed rule R-S5", "seed refs [..]", "ambiguity A13", "CR §n" or "interchange §..." in the demo,
``str``, ``explain()``, ``_repr_html_``, ``to_dict()``, FHIR resources, CDS cards, the docs pages
or the text the code carries for them (every table row, option rule and grid cell is scanned, so
a case that happens not to trigger a rule cannot hide it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import spinemets
from spinemets import Case, assess
from spinemets.cds import cds_response
from spinemets.cli import main
from spinemets.display import EVIDENCE_LEGEND
from spinemets.fhir import to_fhir_bundle
from spinemets.recommend.grid import RADIATION_GRID, RADIOSENSITIVITY_DEFAULTS, STABILIZATION_GRID
from spinemets.recommend.options import OPTION_RULES
from spinemets.report import EXAMPLE_CASE

from .strategies import case_dicts

ROOT = Path(__file__).resolve().parents[1]

#: The internal terms, each as a pattern with what it stands for.
INTERNAL = {
    "seed review / seed rule / seed refs": re.compile(r"(?<!random )\bseed\b", re.IGNORECASE),
    "a rule id of the clinical reference (R-S5)": re.compile(r"\bR-[A-Z]{1,2}\d+\b"),
    "an ambiguity number (A13)": re.compile(r"(?i:\bambiguity\b)|\(A\d{1,2}\b|\bA\d{1,2}[);]"),
    "a section sign (CR §n, interchange §n)": re.compile("§"),
    "the clinical reference (CR)": re.compile(r"\bCR\b|clinical[ -]reference|clinical-beyond"),
    "a path into the working documents": re.compile(r"interchange\.md|landscape\.md|/spec/"),
}


def internal_terms(text: str) -> list[str]:
    """Every internal term in *text*, with a little context."""
    found = []
    for name, pattern in INTERNAL.items():
        for match in pattern.finditer(text):
            lo, hi = max(0, match.start() - 40), match.end() + 40
            found.append(f"{name}: ...{text[lo:hi]}...")
    return found


def test_the_scanner_finds_each_term() -> None:
    for text in ("see seed rule R-S5", "Zhao 2023 (seed refs [2, 30, 33])", "(ambiguity A13)",
                 "CR §7.3", "interchange §4.4", "clinical reference §0"):
        assert internal_terms(text), text
    for text in ("T12 lytic", "Group A: 3 months", "SINS 7-12", "ECOG 0-2", "Frankel A"):
        assert not internal_terms(text), text


#: Cases chosen to reach every branch of the recommendation's wording: known and unknown
#: histology, lung without NSCLC/SCLC, high-grade compression, instability, limited survival.
VARIED: list[dict[str, Any]] = [
    EXAMPLE_CASE,
    {},
    {"histology": "lung", "ecog": 2,
     "lesions": [{"level": "C7", "escc": "3", "pain": "mechanical", "bone_lesion": "blastic",
                  "alignment": "subluxation", "collapse": "over_50",
                  "posterolateral": "bilateral"}]},
    {"histology": "breast", "kps": 40, "visceral_metastases": "untreatable", "myelopathy": True,
     "fit_for_surgery": False, "extraspinal_bone_metastases": 5, "vertebral_metastases": 4,
     "frankel": "C", "lesions": [{"level": "L2", "escc": "2", "pain": "occasional",
                                  "bone_lesion": "mixed", "alignment": "deformity",
                                  "collapse": "under_50", "posterolateral": "unilateral"}]},
    {"histology": "colon", "kps": 70, "ecog": 1, "fit_for_surgery": True, "myelopathy": True,
     "lesions": [{"level": "T4", "escc": "1c", "pain": "mechanical", "bone_lesion": "lytic",
                  "alignment": "normal", "collapse": "none", "posterolateral": "none"}]},
    {"histology": "unknown", "ecog": 1, "ecog_to_kps": "common", "motor_deficit_days": 5,
     "months_diagnosis_to_mscc": 10, "ambulatory": False,
     "lesions": [{"level": "L5", "escc": "2"}]},
    {"histology": "myeloma", "kps": 90, "radiosensitivity": "sensitive",
     "lesions": [{"level": "T8", "escc": "1c", "pain": "mechanical", "bone_lesion": "lytic",
                  "alignment": "subluxation", "collapse": "over_50",
                  "posterolateral": "bilateral"}]},
    {"histology": "kidney", "ecog": 3, "fit_for_surgery": True,
     "lesions": [{"level": "T1", "escc": "2", "pain": "mechanical", "bone_lesion": "lytic",
                  "alignment": "deformity", "collapse": "over_50",
                  "posterolateral": "bilateral"}]},
]


def _outputs(data: dict[str, Any]) -> dict[str, str]:
    case = Case.from_dict(data)
    a = assess(case)
    out = {
        "str(assessment)": str(a),
        "assessment HTML": a._repr_html_(),
        "case HTML": case._repr_html_(),
        "recommendation HTML": a.recommendation._repr_html_(),
        "to_dict": json.dumps(a.to_dict(), ensure_ascii=False),
        "to_json": a.to_json(),
        "FHIR bundle": json.dumps(to_fhir_bundle(a, patient_reference="Patient/1",
                                                 include_incomplete=True), ensure_ascii=False),
        "CDS cards": json.dumps(cds_response(a), ensure_ascii=False),
    }
    for result in a.scores:
        out[f"str({result.id})"] = str(result)
        out[f"{result.id} HTML"] = result._repr_html_()
        explain = getattr(result, "explain", None)
        if explain is not None:
            out[f"{result.id}.explain()"] = explain()
    return out


@pytest.mark.parametrize("index", range(len(VARIED)))
def test_outputs_of_varied_cases_name_no_internal_term(index: int) -> None:
    problems = [f"{where}: {term}" for where, text in _outputs(VARIED[index]).items()
                for term in internal_terms(text)]
    assert not problems, "\n".join(problems)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(case_dicts())
def test_outputs_of_any_case_name_no_internal_term(data: dict[str, Any]) -> None:
    problems = [f"{where}: {term}" for where, text in _outputs(data).items()
                for term in internal_terms(text)]
    assert not problems, "\n".join(problems)


def test_demo_names_no_internal_term(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    text = capsys.readouterr().out
    assert not internal_terms(text), internal_terms(text)


def _table_texts() -> list[tuple[str, str]]:
    """Every wording and source the code carries for readers: rows, bands, rules, cells."""
    from spinemets.assessment import INSTRUMENTS

    texts: list[tuple[str, str]] = []
    for module in INSTRUMENTS:
        for name in dir(module):
            value = getattr(module, name)
            rows: list[Any] = []
            if isinstance(value, tuple):
                rows = list(value)
            items = [v for v in rows if hasattr(v, "rows")]
            for item in items:
                texts += [(f"{module.ID}.{item.key}", f"{r.wording} {r.source}") for r in item.rows]
            texts += [(f"{module.ID}.{name}", f"{r.meaning} {r.source}") for r in rows
                      if hasattr(r, "meaning")]
            texts += [(f"{module.ID}.{name}", str(r.source)) for r in rows
                      if hasattr(r, "when") and hasattr(r, "value") and hasattr(r, "source")]
    texts += [(f"option {r.option}", f"{r.option} {r.rationale} {r.source}") for r in OPTION_RULES]
    texts += [("radiation cell", f"{r.rationale} {r.source}") for r in RADIATION_GRID]
    texts += [("stabilization cell", f"{r.rationale} {r.source}") for r in STABILIZATION_GRID]
    texts += [("radiosensitivity default", str(r.source)) for r in RADIOSENSITIVITY_DEFAULTS]
    return texts


def test_every_row_rule_and_cell_names_no_internal_term() -> None:
    texts = _table_texts()
    assert len(texts) > 200  # the scan reaches the tables
    problems = [f"{where}: {term}" for where, text in texts for term in internal_terms(text)]
    assert not problems, "\n".join(problems)


def test_docs_pages_and_readme_name_no_internal_term() -> None:
    pages = [*sorted((ROOT / "docs").glob("**/*.md")), ROOT / "README.md"]
    pages = [p for p in pages if "_build" not in p.parts]
    problems = [f"{page.relative_to(ROOT)}: {term}" for page in pages
                for term in internal_terms(page.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_public_docstrings_name_no_internal_term() -> None:
    """The API reference is generated from the docstrings (and ``#:`` comments) of src/."""
    problems = []
    for path in sorted((ROOT / "src" / "spinemets").glob("**/*.py")):
        text = path.read_text(encoding="utf-8")
        # docstrings and #: attribute docs end up in the API pages; plain comments do not
        docs = re.findall(r'"""(.*?)"""', text, flags=re.DOTALL)
        docs += re.findall(r"#:(.*)", text)
        problems += [f"{path.relative_to(ROOT)}: {term}" for doc in docs
                     for term in internal_terms(doc)]
    assert not problems, "\n".join(problems)


def test_evidence_legend_appears_wherever_tags_do(capsys: pytest.CaptureFixture[str]) -> None:
    a = assess(Case.from_dict(EXAMPLE_CASE))
    for text in (str(a), a._repr_html_(), a["tomita"].explain()):
        assert "[secondary]" in text or ">secondary<" in text
    assert main(["demo"]) == 0
    assert "Evidence tags: [primary]" in capsys.readouterr().out
    assert "Evidence tags: [primary]" in str(a)
    assert "[primary] = checked against" in EVIDENCE_LEGEND
    assert "Evidence tags" in str(a["tomita"]) and "Evidence tags" in a["tomita"].explain()
    assert "Evidence tags" in a._repr_html_()
    assert spinemets.__version__
