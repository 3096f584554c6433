"""score_frame on DuckDB relations (through narwhals): the same answers as on pandas, rows in
order, bad rows reported in place."""

from __future__ import annotations

import pytest

import spinemets

pd = pytest.importorskip("pandas")
duckdb = pytest.importorskip("duckdb")


def test_duckdb_matches_pandas() -> None:
    """500 random one-lesion rows (some invalid) score identically on DuckDB and pandas."""
    from tests.test_frame import random_rows

    rows = random_rows(500, seed=23)
    rows[7]["kps"] = 85  # an invalid row keeps its place
    df = pd.DataFrame(rows)
    df["_row"] = range(len(df))
    relation = duckdb.sql("select * from df")

    got = spinemets.score_frame(relation, keep_input=True).df().sort_values("_row")
    want = spinemets.score_frame(df, keep_input=True)

    assert len(got) == len(want) == 500
    for name in [c for c in want.columns if c not in df.columns]:
        got_values = [None if pd.isna(v) else v for v in got[name].astype(object)]
        want_values = [None if pd.isna(v) else v for v in want[name].astype(object)]
        assert got_values == want_values, name
    assert "kps" in got["error"].iloc[7]
