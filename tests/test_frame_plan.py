"""The frame plan reads the items' declarations: each item's own reader, tabulated over the pieces
of its fields, scores every value of a piece alike; a toy instrument in the registry is scored by
the frames with no frame code changed; the frame package names no instrument it does not need."""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spinemets
from spinemets import _memo
from spinemets._fields import CASE_FIELD_BY_NAME, FieldSpec
from spinemets.frame import _items
from spinemets.interchange import parse_case
from spinemets.scores import registry

from . import toy_instrument

pd = pytest.importorskip("pandas")

DECLARED: list[tuple[Any, int]] = [(m, i) for m in registry.SUMMED_INSTRUMENTS
            for i in range(len(getattr(m, "READS", ())))]


def _published_cuts(module: Any) -> list[float]:
    """Every published threshold value in the instrument's module and ``_beyond`` (found here
    by scanning for objects with ``field``, ``op`` and ``value``, independently of the plan)."""
    from spinemets.scores import _beyond

    found = []
    for value in [*vars(module).values(), *vars(_beyond).values()]:
        for cut in value if isinstance(value, tuple) else (value,):
            if not isinstance(cut, type) and all(hasattr(cut, a) for a in ("field", "op", "value")):
                found.append(float(cut.value))
    return found


def _near(values: list[float]) -> list[float]:
    """Values at and just around each threshold (where a missed one would show)."""
    return [y for v in values for y in (v, math.nextafter(v, -math.inf),
                                        math.nextafter(v, math.inf), v - 1, v + 1)]


def _cell(spec: FieldSpec, cuts: list[float]) -> st.SearchStrategy[Any]:
    """Any valid value of the field (absent included): integers up to 60 (or the field's
    maximum), numbers on several scales, at one decimal (as clinical cut-offs are written) and
    around the published thresholds *cuts*."""
    if spec.kind == "code":
        return st.none() | st.sampled_from([m.value for m in spec.codes or ()])
    if spec.kind == "bool":
        return st.none() | st.booleans()
    lo = spec.minimum if spec.minimum is not None else 0
    if spec.kind == "int":
        values = st.integers(int(lo), int(spec.maximum if spec.maximum is not None else 60))
        if spec.multiple_of:
            values = values.map(lambda v: v - v % int(spec.multiple_of or 1))
        return st.none() | values.filter(lambda v: v >= lo)
    numbers = (st.integers(0, 150).map(lambda i: i / 10) | st.integers(0, 600).map(float)
               | st.floats(0, 1000, allow_nan=False)
               | st.sampled_from(_near(cuts) or [1.0]))
    low = spec.exclusive_minimum
    return st.none() | numbers.filter(lambda v: v >= lo and (low is None or v > low))


def _tabulated_points(tab: Any, values: dict[str, Any]) -> int | None:
    """The item's points as the tabulation gives them for *values* (computed here, in Python)."""
    key = 0
    for inp in tab.inputs:
        raw = values.get(inp.name)
        if raw is None:
            cls = inp.absent
        elif inp.cuts is None:
            spec = CASE_FIELD_BY_NAME[inp.name]
            cls = inp.classes[spec.codes(raw) if spec.kind == "code" and spec.codes else raw]
        else:
            piece = sum(raw >= v if op == ">=" else raw > v for op, v in inp.cuts)
            cls = inp.classes[piece]
        key = key * inp.size + cls
    return dict(tab.table).get(key)


@pytest.mark.parametrize(("module", "index"), DECLARED,
                         ids=[f"{m.ID}.{m.READS[i][0].key}" for m, i in DECLARED])
@given(data=st.data())
def test_every_reader_scores_each_piece_alike(module: Any, index: int, data: Any) -> None:
    """Differential: the item's reader (the scalar score's own code) on any valid values, against
    the table the plan built from one value per piece. A threshold the declarations do not reach
    would split a piece and fail here."""
    item, reads = module.READS[index]
    tab = _items.tabulated(module, index)
    cuts = _published_cuts(module)
    values = {name: data.draw(_cell(CASE_FIELD_BY_NAME[name], cuts), label=name)
              for name in reads.fields}
    case = parse_case({k: v for k, v in values.items() if v is not None})
    try:
        scored = reads.read(case, item, [], [])
    except LookupError:  # a value in no row scores nothing (Rades: 0 days)
        scored = None
    assert _tabulated_points(tab, values) == (None if scored is None else scored.points)


@pytest.fixture
def with_toy(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The toy instrument added to the registry, and only there."""
    instruments = (*registry.INSTRUMENTS, toy_instrument)
    monkeypatch.setattr(registry, "INSTRUMENTS", instruments)
    monkeypatch.setattr(registry, "SUMMED_INSTRUMENTS",
                        (*registry.SUMMED_INSTRUMENTS, toy_instrument))
    monkeypatch.setattr(registry, "_BY_ID", {i.ID: i for i in instruments})
    _memo.clear()
    yield toy_instrument
    _memo.clear()


def test_the_frames_score_a_toy_instrument_from_the_registry(with_toy: Any) -> None:
    """Registered, the toy (its table typed in its module only) is a frame score too."""
    rows: list[dict[str, Any]] = [{"kps": 40}, {"kps": 50}, {"kps": 100}, {},
                                  {"ecog": 1, "ecog_to_kps": "common"}, {"ecog": 3}]
    assert "toy" in spinemets.frame.supported_scores()
    out = spinemets.score_frame(pd.DataFrame(rows), scores=["toy"])
    assert list(out.columns) == ["toy", "toy_band", "error"]
    for i, row in enumerate(rows):
        result = spinemets.assess(spinemets.Case.from_dict(row))["toy"]
        assert isinstance(result, spinemets.ScoreResult)
        got = out["toy"].iloc[i]
        assert (None if pd.isna(got) else int(got)) == result.total, row
        band = out["toy_band"].iloc[i]
        want = None if result.band is None else result.band.code.value
        assert (None if pd.isna(band) else band) == want, row


#: Instruments the frame package may name: the NOMS recommendation reads SINS and ESCC (and, for
#: its flags, Tomita's and Tokuhashi 2005's results); SINS and ESCC are the long form's lesion
#: scores. Every other instrument reaches the frames through the registry only.
ALLOWED = {"sins", "escc"}
ALLOWED_IN = {"_details.py": {"tomita", "tokuhashi_2005"}}


def test_the_frame_package_names_no_other_instrument() -> None:
    ids = {i.ID for i in registry.INSTRUMENTS}
    root = Path(spinemets.frame.__file__).parent
    found = []
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
        names += [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names]
        names += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                  and isinstance(n.value, str) and id(n) not in docstrings]
        allowed = ALLOWED | ALLOWED_IN.get(path.name, set())
        found += [f"{path.name}: {name}" for name in names if name in ids - allowed]
    assert not found, found


@pytest.mark.parametrize(("entries", "size"), [(1, 32 << 20), (4096, 1), (4096, 32 << 20)])
def test_batches_share_fused_tables_only_when_their_columns_read_alike(
        monkeypatch: pytest.MonkeyPatch, entries: int, size: int) -> None:
    """The fused tables kept between calls (one per node and input table values): frames scored
    one after another in one process, whose columns hold tables of the same size but other values
    (another set of KPS values, a histology column with and without an unknown code), each equal
    ``assess()`` row by row; with a cache of one entry or one byte, it starts afresh each time."""
    from spinemets.frame import _numpy

    from .frame_oracle import expect

    monkeypatch.setattr(_numpy, "_CACHE_ENTRIES", entries)
    monkeypatch.setattr(_numpy, "_CACHE_BYTES", size)
    frames: list[dict[str, list[Any]]] = [
        {"kps": [40.0, 80.0, 40.0], "histology": ["breast", "lung", "kidney"],
         "visceral_metastases": ["none", "untreatable", "treatable"]},
        {"kps": [80.0, 100.0, 100.0], "histology": ["breast", "lung", "kidney"],
         "visceral_metastases": ["none", "untreatable", "treatable"]},
        {"kps": [80.0, 100.0, 40.0], "histology": ["thyroid", "not_a_code", "kidney"],
         "visceral_metastases": ["none", "untreatable", "treatable"]},
        {"kps": [40.0, 80.0, 40.0], "histology": ["breast", "lung", "kidney"],
         "visceral_metastases": ["none", "untreatable", "treatable"]},
    ]
    common: dict[str, list[Any]] = {
        "extraspinal_bone_metastases": [0, 1, 3], "vertebral_metastases": [1, 2, 3],
        "frankel": ["E", "D", "C"]}
    totals = 0
    for cells in frames:
        cells = {**cells, **common}
        out = spinemets.score_frame(pd.DataFrame(cells), scores=["tokuhashi_2005", "tomita"])
        for i in range(3):
            want = expect({k: v[i] for k, v in cells.items()})
            got = out.iloc[i]
            if "error" in want:
                assert isinstance(got["error"], str) and "histology" in got["error"]
                continue
            totals += want["tokuhashi_2005"] is not None
            for column in ("tokuhashi_2005", "tokuhashi_2005_band", "tomita", "tomita_band"):
                value = got[column]
                assert (None if pd.isna(value) else value) == want[column], (cells, i, column)
    assert totals == 11  # every valid row is complete: the KPS points count
