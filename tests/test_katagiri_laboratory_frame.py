"""Katagiri's laboratory item (recorded category, or the worst category the present values fix)
scores the same in ``score_frame`` as in ``assess()``, on every presence pattern and engine."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import spinemets

pd = pytest.importorskip("pandas")

#: Absent, within and beyond each cut-off; the recorded category absent or each code.
STATES: dict[str, tuple[Any, ...]] = {
    "crp_mg_dl": (None, 0.1, 0.5),
    "ldh_u_l": (None, 100.0, 300.0),
    "albumin_g_dl": (None, 4.0, 3.0),
    "platelets_10e9_l": (None, 200.0, 50.0),
    "calcium_mg_dl": (None, 9.0, 11.0),
    "bilirubin_mg_dl": (None, 0.5, 2.0),
    "katagiri_laboratory": (None, "normal", "abnormal", "critical"),
}
REST: dict[str, Any] = {
    "katagiri_group": "rapid",
    "katagiri_visceral": "none",
    "ecog": 4,
    "previous_chemotherapy": True,
    "extraspinal_bone_metastases": 2,
    "vertebral_metastases": 3,
}
ROWS = [
    dict(zip(STATES, combo, strict=True)) | REST for combo in itertools.product(*STATES.values())
]
ALL = list(ROWS[0])


def _want(columns: list[str]) -> list[Any]:
    out = []
    for row in ROWS:
        case = {k: row[k] for k in columns if row[k] is not None}
        out.append(spinemets.assess_dict(case)["scores"]["katagiri_2014"].get("total"))
    return out


def _values(series: Any) -> list[Any]:
    return [None if pd.isna(v) else int(v) for v in series.astype(object)]


#: Every column, and each column set with one laboratory column (or one tier) left out.
COLUMN_SETS = [
    ALL,
    *([c for c in ALL if c != drop] for drop in STATES),
    [c for c in ALL if c not in ("crp_mg_dl", "ldh_u_l", "albumin_g_dl")],
    [c for c in ALL if c not in ("platelets_10e9_l", "calcium_mg_dl", "bilirubin_mg_dl")],
]


def test_the_patterns_are_not_trivial() -> None:
    totals = _want(ALL)
    assert sum(t is None for t in totals) > 100
    assert {t for t in totals if t is not None} == {6, 7, 8}


@pytest.mark.parametrize("columns", COLUMN_SETS, ids=lambda c: str(len(c)))
def test_pandas_matches_assess(columns: list[str]) -> None:
    df = pd.DataFrame([{k: r[k] for k in columns} for r in ROWS])
    out = spinemets.score_frame(df, scores=["katagiri_2014"])
    assert _values(out["katagiri_2014"]) == _want(columns)


def test_polars_matches_assess() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(ROWS, infer_schema_length=None)
    want = _want(ALL)
    assert spinemets.score_frame(df, scores=["katagiri_2014"])["katagiri_2014"].to_list() == want
    lazy = spinemets.score_frame(df.lazy(), scores=["katagiri_2014"]).collect()
    assert lazy["katagiri_2014"].to_list() == want


def test_duckdb_matches_assess() -> None:
    duckdb = pytest.importorskip("duckdb")
    df = pd.DataFrame(ROWS)
    df["_row"] = range(len(df))
    relation = duckdb.sql("select * from df")
    got = spinemets.score_frame(relation, scores=["katagiri_2014"], keep_input=True)
    assert _values(got.df().sort_values("_row")["katagiri_2014"]) == _want(ALL)
