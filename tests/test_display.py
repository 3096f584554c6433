"""Notebook display (issue 7): ``_repr_html_`` parsed with html.parser, and ``__str__``.

Expected points are those of the interchange §1 example (interchange §6 gives its totals).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from hypothesis import given

from spinemets import Assessment, Case, assess
from spinemets.display import title

from .strategies import case_dicts

EXAMPLE: dict[str, Any] = {
    "histology": "kidney",
    "kps": 80,
    "visceral_metastases": "none",
    "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1,
    "frankel": "E",
    "myelopathy": False,
    "fit_for_surgery": True,
    "lesions": [
        {"level": "T12", "pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
         "collapse": "involved_over_50", "posterolateral": "unilateral", "escc": "1b"}
    ],
}


class Tables(HTMLParser):
    """Collect each table's caption and rows (lists of cell texts); fail on unbalanced tags."""

    VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self.stack: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "table":
            self.tables.append({"attrs": dict(attrs), "caption": "", "rows": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption)
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def parse(markup: str) -> Tables:
    parser = Tables()
    parser.feed(markup)
    parser.close()
    assert not parser.stack, f"unclosed tags {parser.stack}"
    return parser


def _rows(table: dict[str, Any]) -> dict[str, list[str]]:
    """Row header -> the remaining cells."""
    return {row[0]: row[1:] for row in table["rows"] if row}


def example() -> Assessment:
    return assess(Case.from_dict(EXAMPLE))


class TestScoreHtml:
    def test_tomita_cells(self) -> None:
        """Items with input, points and evidence; total, band and strategy rows."""
        table = parse(example()["tomita"]._repr_html_()).tables[0]
        assert table["attrs"]["data-score"] == "tomita"
        assert table["caption"] == "Tomita score (Tomita 2001): complete"
        rows = _rows(table)
        assert rows["item"] == ["input", "points", "row", "evidence"]
        assert rows["growth"][:2] == ["moderate", "2"]
        assert rows["visceral"][:2] == ["none", "0"]
        assert rows["bone"][:2] == ["solitary_or_isolated", "1"]
        assert rows["growth"][3] == "secondary"
        assert rows["total"] == ["3"]
        assert rows["band"][0].startswith("long_term_local_control [2-3]: ")
        assert rows["strategy"] == ["wide_or_marginal_excision"]
        assert rows["flags"] == ["none"]

    def test_sins_lesions(self) -> None:
        rows = _rows(parse(example()["sins"]._repr_html_()).tables[0])
        assert rows["total"] == ["10"]
        assert rows["lesions[0] T12"] == ["10"]
        assert rows["location"][1:2] == ["3"]

    def test_incomplete(self) -> None:
        """No total or band for an incomplete score; every missing field listed."""
        data = {k: v for k, v in EXAMPLE.items() if k not in ("kps", "frankel")}
        table = parse(assess(Case.from_dict(data))["tokuhashi_2005"]._repr_html_()).tables[0]
        rows = _rows(table)
        assert table["caption"].endswith(": incomplete")
        assert "total" not in rows
        assert "band" not in rows
        # every missing field in order; kps says how to supply it (a named ECOG conversion)
        (missing,) = rows["missing"]
        assert missing.startswith("kps (") and missing.endswith("), frankel")
        assert "ecog_to_kps" in missing and "--ecog-to-kps" in missing

    def test_escaped(self) -> None:
        """Text from the tables is escaped (``>`` in SINS wording), so it parses back verbatim."""
        markup = example()["sins"]._repr_html_()
        assert "> 50%" not in markup
        rows = _rows(parse(markup).tables[0])
        assert rows["collapse"][2] == "No collapse with > 50% body involved"


class TestGradeHtml:
    def test_escc(self) -> None:
        table = parse(example()["escc"]._repr_html_()).tables[0]
        rows = _rows(table)
        assert rows["grade"] == ["1b"]
        assert rows["class"] == ["low"]
        assert rows["lesion"] == ["lesions[0]"]
        assert table["caption"].startswith("Bilsky")

    def test_escc_incomplete(self) -> None:
        data = {**EXAMPLE, "lesions": [{"level": "T4"}, {"level": "L2", "escc": "2"}]}
        rows = _rows(parse(assess(Case.from_dict(data))["escc"]._repr_html_()).tables[0])
        assert "grade" not in rows
        assert rows["missing"] == ["lesions[0].escc"]


class TestAssessmentHtml:
    def test_tables(self) -> None:
        """One table per score, in result order, then the recommendation."""
        assessment = example()
        tables = parse(assessment._repr_html_()).tables
        ids = [t["attrs"].get("data-score") for t in tables[:-1]]
        assert [r.id for r in assessment.scores] == ids
        rec = _rows(tables[-1])
        assert rec["radiation"] == ["srs"]
        assert rec["stabilization"] == ["surgical_consultation"]
        assert {"N", "O", "M", "S"} <= set(rec)
        assert "not a medical device" in assessment._repr_html_()

    @given(case_dicts())
    def test_any_case_parses(self, data: dict[str, Any]) -> None:
        """Every valid case renders to balanced HTML with one table per score + one."""
        assessment = assess(Case.from_dict(data))
        tables = parse(assessment._repr_html_()).tables
        assert len(assessment.scores) + 1 == len(tables)
        for result, table in zip(assessment.scores, tables, strict=False):
            rows = _rows(table)
            assert ("total" in rows or "grade" in rows) == result.complete


class TestText:
    def test_score_str(self) -> None:
        text = str(example()["tomita"])
        assert text.startswith("Tomita score (Tomita 2001): complete\n")
        assert "total 3, band long_term_local_control [2-3]" in text
        assert "growth" in text and "moderate" in text

    def test_grade_str(self) -> None:
        assert "worst grade 1b at lesions[0], class low" in str(example()["escc"])

    def test_assessment_str(self) -> None:
        """The assessment prints as the text report (not a medical device, recommendation)."""
        text = str(example())
        assert "not a medical device" in text
        assert "radiation:     srs" in text

    def test_repr_unchanged(self) -> None:
        """``repr`` stays the attrs repr; only ``str`` is the report."""
        assert repr(example()["tomita"]).startswith("ScoreResult(")

    def test_title(self) -> None:
        assert title("tomita") == "Tomita score"
        assert title("no_such_score") == "no_such_score"
