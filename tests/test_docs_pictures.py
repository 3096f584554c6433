"""The docs' pictures are drawn from the rows the library scores with (issue 17).

Expectations come from the papers (the SINS location classes of Fisher 2010, the published band
ranges) or from a second reading of the rows (a walk through the NOMS flow chart for every grid
row, the straddling ECOG ranges), never from the pictures' own output.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import pairwise
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from spinemets.recommend import grid
from spinemets.scales import ECOG_TO_KPS
from spinemets.scores import SUMMED, escc, sins
from spinemets.vocab import SpinalLevel

from ._docs_site import EXT, missing

sys.path.insert(0, str(EXT))
pictures: Any = importlib.import_module("spinemets_pictures")

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert float(root.get("width", "0")) > 0 and float(root.get("height", "0")) > 0
    return root


def rects(root: ET.Element, cls: str) -> list[dict[str, str]]:
    return [dict(r.attrib) for r in root.iter(f"{SVG}rect") if r.get("class") == cls]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# --------------------------------------------------------------------------------------------
# the spine: Fisher 2010, Table 1 (location): junctional occiput-C2, C7-T2, T11-L1, L5-S1 (3);
# mobile C3-C6, L2-L4 (2); semi-rigid T3-T10 (1); rigid S2-S5 (0).

FISHER_LOCATION = {
    **dict.fromkeys(["C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"], 3),
    **dict.fromkeys(["C3", "C4", "C5", "C6", "L2", "L3", "L4"], 2),
    **dict.fromkeys([f"T{i}" for i in range(3, 11)], 1),
    **dict.fromkeys(["S2", "S3", "S4", "S5"], 0),
}
CRANIAL_TO_CAUDAL = ([f"C{i}" for i in range(1, 8)] + [f"T{i}" for i in range(1, 13)]
                     + [f"L{i}" for i in range(1, 6)] + [f"S{i}" for i in range(1, 6)])


def test_spine_shows_every_level_in_order_with_its_location_points() -> None:
    root = parse(pictures.spine(sins.LOCATION, list(SpinalLevel)))
    vertebrae = rects(root, "vertebra")
    assert [v["data-level"] for v in vertebrae] == CRANIAL_TO_CAUDAL
    assert {v["data-level"]: int(v["data-points"]) for v in vertebrae} == FISHER_LOCATION
    ys = [float(v["y"]) for v in vertebrae]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    # same class, same fill; four classes, four fills
    fills: dict[int, set[str]] = {int(v["data-points"]): set() for v in vertebrae}
    for v in vertebrae:
        fills[int(v["data-points"])].add(v["fill"])
    assert all(len(f) == 1 for f in fills.values())
    assert len({next(iter(f)) for f in fills.values()}) == 4
    # one bracket per run of consecutive levels of one class: 8 runs from C1 to S5
    runs = [p for p in root.iter(f"{SVG}path") if p.get("class") == "run"]
    assert len(runs) == 8
    assert sum("Semi-rigid" in t for t in texts(root)) == 1


def test_a_level_without_a_row_is_drawn_as_such() -> None:
    first = sins.LOCATION.rows[0]
    partial = SimpleNamespace(rows=(first,))
    root = parse(pictures.spine(partial, list(SpinalLevel)))
    empty = [v for v in rects(root, "vertebra") if v["data-points"] == ""]
    assert len(empty) == len(CRANIAL_TO_CAUDAL) - len(first.when)  # type: ignore[arg-type]
    assert any("no location row" in t for t in texts(root))


# --------------------------------------------------------------------------------------------
# bands on the total range: the published ranges (Fisher 2010; Tokuhashi 1990, 2005; Tomita
# 2001; Katagiri 2014; van der Linden 2005; Rades 2008; Bauer 1995; modified Bauer)

PUBLISHED_BANDS = {
    "sins": [(0, 6), (7, 12), (13, 18)],
    "tokuhashi_1990": [(0, 5), (6, 8), (9, 12)],
    "tokuhashi_2005": [(0, 8), (9, 11), (12, 15)],
    "tomita": [(2, 3), (4, 5), (6, 7), (8, 10)],
    "katagiri_2014": [(0, 3), (4, 6), (7, 10)],
    "van_der_linden": [(0, 3), (4, 5), (6, 6)],
    "rades_2008": [(20, 25), (26, 30), (31, 35), (36, 40), (41, 45)],
    "bauer_1995": [(0, 1), (2, 3), (4, 5)],
    "bauer_modified": [(0, 1), (2, 2), (3, 4)],
}
BANDED = [m for m in SUMMED if getattr(m, "BANDS", ())]


def test_every_banded_instrument_with_a_published_range_is_checked() -> None:
    assert {m.ID for m in BANDED} >= set(PUBLISHED_BANDS)


@pytest.mark.parametrize("module", BANDED, ids=lambda m: m.ID)
def test_band_strip_lays_the_bands_on_the_total_range(module: ModuleType) -> None:
    root = parse(pictures.band_strip(module))
    cells = rects(root, "total")
    lo, hi = module.RANGE
    assert [int(c["data-total"]) for c in cells] == list(range(lo, hi + 1))
    width = {float(c["width"]) for c in cells}
    assert len(width) == 1
    w = width.pop()
    xs = [float(c["x"]) for c in cells]
    assert all(abs(b - a - w) < 1e-6 for a, b in pairwise(xs))
    bands = rects(root, "band")
    ranges = [(int(b["data-lo"]), int(b["data-hi"])) for b in bands]
    if module.ID in PUBLISHED_BANDS:
        assert ranges == PUBLISHED_BANDS[module.ID]
    # every total is coloured by the band holding it; each band bar spans exactly its cells
    x_of = {int(c["data-total"]): float(c["x"]) for c in cells}
    for band, (b_lo, b_hi) in zip(bands, ranges, strict=True):
        assert float(band["x"]) == pytest.approx(x_of[b_lo])
        assert float(band["x"]) + float(band["width"]) == pytest.approx(x_of[b_hi] + w)
        for total in range(b_lo, b_hi + 1):
            cell = cells[total - lo]
            assert cell["data-band"] == band["data-band"] and cell["fill"] == band["fill"]
    assert len({b["fill"] for b in bands}) == len(bands)


@pytest.mark.parametrize("module", BANDED, ids=lambda m: m.ID)
def test_published_survival_rows_appear_beside_their_band(module: ModuleType) -> None:
    rows = pictures.survival_rows(module)
    root = parse(pictures.band_strip(module))
    shown = [t for t in root.iter(f"{SVG}text") if t.get("class") == "survival"]
    if not rows:
        assert shown == [] and "published survival" not in texts(root)
        return
    bands = {pictures.code_of(getattr(r, "band", None) or r.code) for r in rows}
    assert len(shown) == len(bands)


def test_survival_rows_are_read_when_a_module_carries_them() -> None:
    band = sins.BANDS
    fake = SimpleNamespace(
        ID="fake", RANGE=(0, 18), HIGHER_IS_BETTER=False, BANDS=band,
        SURVIVAL=(SimpleNamespace(band=band[0].code, median_months=21.5),
                  SimpleNamespace(band=band[2].code, months=12, survival=0.25)),
    )
    root = parse(pictures.band_strip(fake))
    shown = [("".join(t.itertext())) for t in root.iter(f"{SVG}text")
             if t.get("class") == "survival"]
    assert shown == ["median 21.5 mo", "12 mo: 25%"]
    assert "published survival" in texts(root)
    medians = rects(root, "median")
    assert [(m["data-band"], float(m["data-months"])) for m in medians] == [("stable", 21.5)]


def test_median_bars_are_drawn_to_scale() -> None:
    band = sins.BANDS
    primary = SimpleNamespace(evidence=SimpleNamespace(value="primary"))
    fake = SimpleNamespace(
        ID="fake", RANGE=(0, 18), HIGHER_IS_BETTER=False, BANDS=band,
        SURVIVAL=tuple(SimpleNamespace(band=b.code, statistic="median", value=v, months=None,
                                       text=f"median survival {v} months", cohort="",
                                       source=primary)
                       for b, v in zip(band, (19, 9, 3), strict=True)),
    )
    medians = rects(parse(pictures.band_strip(fake)), "median")
    assert [m["data-band"] for m in medians] == ["stable", "potentially_unstable", "unstable"]
    widths = [float(m["width"]) for m in medians]
    assert widths[0] / widths[1] == pytest.approx(19 / 9, rel=1e-3)
    assert widths[0] / widths[2] == pytest.approx(19 / 3, rel=1e-3)


def test_survival_rows_print_their_own_text_when_they_have_one() -> None:
    """Rows shaped like ``spinemets.survival.SurvivalFigure``: ``band``, ``text``, ``cohort``,
    ``source``; two figures of one band share its line."""
    band = sins.BANDS
    verified = SimpleNamespace(evidence=SimpleNamespace(value="primary"))
    fake = SimpleNamespace(
        ID="fake", RANGE=(0, 18), HIGHER_IS_BETTER=False, BANDS=band,
        SURVIVAL=(
            SimpleNamespace(band=band[1].code, text="median survival about 9 months",
                            cohort="", source=verified),
            SimpleNamespace(band=band[1].code, text="2-year survival about 22%",
                            cohort="validation", source=verified),
        ),
    )
    root = parse(pictures.band_strip(fake))
    shown = {t.get("class"): "".join(t.itertext()) for t in root.iter(f"{SVG}text")
             if t.get("class") == "survival"}
    assert shown == {"survival": "median survival about 9 months; "
                                 "2-year survival about 22% (validation)"}


# --------------------------------------------------------------------------------------------
# ECOG -> KPS beside the KPS rows


def kps_values(lo: int, hi: int) -> set[int]:
    return set(range(lo, hi + 1, 10))


def test_kps_banded_instruments_are_found() -> None:
    groups = pictures.kps_items([*SUMMED, escc])
    ids = {i for members, _ in groups for i in members}
    # the papers band the Karnofsky score: Tokuhashi (general condition), van der Linden,
    # OSRI (general condition from Karnofsky); SINS, Tomita and the Bauer scores do not
    assert ids >= {"tokuhashi_1990", "tokuhashi_2005", "van_der_linden", "osri"}
    assert not ids & {"sins", "tomita", "bauer_1995", "bauer_modified", "escc"}


def test_ecog_kps_marks_exactly_the_ranges_lying_in_no_single_kps_row() -> None:
    groups = pictures.kps_items(SUMMED)
    root = parse(pictures.ecog_kps(ECOG_TO_KPS, groups))
    rows = [set().union(*(kps_values(r.when.lo, r.when.hi or 100) for r in item.rows))
            for _, item in groups]
    assert all(r == kps_values(10, 100) for r in rows)  # each item covers KPS 10-100
    item_rows = [[kps_values(r.when.lo, r.when.hi or 100) for r in item.rows]
                 for _, item in groups]
    bars = rects(root, "conversion")
    assert len(bars) == len(ECOG_TO_KPS)
    for bar, conv in zip(bars, ECOG_TO_KPS, strict=True):
        assert (bar["data-conversion"], int(bar["data-ecog"])) == (conv.conversion.value,
                                                                   conv.ecog)
        assert (int(bar["data-lo"]), int(bar["data-hi"])) == (conv.lo, conv.hi)
        wanted = kps_values(conv.lo, conv.hi)
        expected = any(not any(wanted <= row for row in rows_) for rows_ in item_rows)
        assert (bar["data-straddles"] == "true") is expected, (conv, bar)
    # with the published conversions: common ECOG 1 is KPS 70-80 and Ma 2010 ECOG 3 is
    # KPS 40-50, both across the 50-70 row's edge
    straddling = {(b["data-conversion"], int(b["data-ecog"])) for b in bars
                  if b["data-straddles"] == "true"}
    assert straddling == {("common", 1), ("ma_2010", 3)}


def test_ecog_kps_bars_sit_on_their_kps_cells() -> None:
    groups = pictures.kps_items(SUMMED)
    root = parse(pictures.ecog_kps(ECOG_TO_KPS, groups))
    strip = rects(root, "kps-row")
    left = {int(r["data-lo"]): float(r["x"]) for r in strip}
    right = {int(r["data-hi"]): float(r["x"]) + float(r["width"]) for r in strip}
    cell = (right[40] - left[10]) / 4
    for bar in rects(root, "conversion"):
        lo, hi = int(bar["data-lo"]), int(bar["data-hi"])
        x0 = left[10] + (lo - 10) / 10 * cell
        x1 = left[10] + (hi - 10) / 10 * cell + cell
        assert float(bar["x"]) == pytest.approx(x0 + 2)
        assert float(bar["x"]) + float(bar["width"]) == pytest.approx(x1 - 2)


# --------------------------------------------------------------------------------------------
# the NOMS flow charts: every grid row is a path through the chart to its outcome


def dot_graph(source: str) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    labels = {m.group(1): re.sub(r"<[^>]+>", "|", m.group(2)).strip("|")
              for m in re.finditer(r"^\s*(n\d+) \[label=<(.*?)>[,\]]", source, re.M)}
    edges: dict[str, list[tuple[str, str]]] = {}
    for m in re.finditer(r'^\s*(n\d+) -> (n\d+)(?: \[label="([^"]*)"\])?;', source, re.M):
        edges.setdefault(m.group(1), []).append((m.group(3) or "", m.group(2)))
    return labels, edges


def docs_ext() -> Any:
    try:
        return importlib.import_module("spinemets_docs")
    except ImportError:
        missing("sphinx (pip install -e '.[docs]')")


def follow(labels: dict[str, str], edges: dict[str, list[tuple[str, str]]],
           answers: dict[str, str]) -> str:
    """Walk from the start node, answering each question from *answers*; the outcome label."""
    node = "n0"
    for _ in range(10):
        if node not in edges:
            return labels[node]
        question = labels[node]
        answer = answers[question]
        nexts = [to for label, to in edges[node] if label == answer
                 or label.startswith(answer + " (")]
        assert len(nexts) == 1, (question, answer, edges[node])
        node = nexts[0]
    raise AssertionError("no outcome within 10 steps")


def test_radiation_flow_reaches_every_grid_row_outcome() -> None:
    labels, edges = dot_graph(docs_ext().dot_radiation())
    yes_no = {True: "yes", False: "no", None: "unknown"}
    for rule in grid.RADIATION_GRID:
        answers = {
            "worst ESCC grade": rule.escc.value,
            "radiosensitivity?": (rule.radiosensitivity.value if rule.radiosensitivity
                                  else "unknown"),
            "fit for surgery?": yes_no[rule.fit_for_surgery],
            "myelopathy?": {True: "yes", False: "no / unknown", None: "any"}[rule.myelopathy],
        }
        outcome = follow(labels, edges, answers).split("|")
        assert outcome[0] == rule.radiation.value, rule
        assert tuple(o for o in outcome[1:] if o) == tuple(rule.flags), rule


def test_stabilization_flow_reaches_every_grid_row_outcome() -> None:
    labels, edges = dot_graph(docs_ext().dot_stabilization())
    yes_no = {True: "yes", False: "no", None: "unknown"}
    for rule in grid.STABILIZATION_GRID:
        answers = {"case SINS (maximum over lesions)": rule.sins.value,
                   "fit for surgery?": yes_no[rule.fit_for_surgery]}
        outcome = follow(labels, edges, answers).split("|")
        assert outcome[0] == rule.stabilization.value, rule
        assert tuple(o for o in outcome[1:] if o) == tuple(rule.flags), rule


@pytest.mark.parametrize("part", ["radiation", "stabilization"])
def test_flows_render_with_graphviz(part: str) -> None:
    if shutil.which("dot") is None:
        missing("Graphviz's dot (apt-get install graphviz)")
    source = getattr(docs_ext(), f"dot_{part}")()
    svg = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True,
                         check=True, timeout=60).stdout
    root = parse(svg[svg.index("<svg"):].replace("pt\"", '"'))
    assert sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "node") == source.count(
        "[label=<")
