"""The narwhals expression evaluator (``spinemets.frame._expr``): the path of engines without a
NumPy adapter, e.g. a pyarrow ``Table``. Differential: every output column equals pandas' on the
same rows (pandas is checked against ``assess()`` by the oracle tests)."""

from __future__ import annotations

from typing import Any

import pytest

import spinemets

from .test_frame import random_rows

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pytest.importorskip("narwhals")


def _values(frame: Any, column: str) -> list[Any]:
    return [None if pd.isna(v) else v for v in frame[column].astype(object)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pyarrow_table_equals_pandas(seed: int) -> None:
    rows = random_rows(400, seed=seed)
    # Invalid cells too: a row error names them; the other rows are still scored.
    rows[0]["kps"] = 85
    rows[1]["histology"] = "renal cell"
    pdf = pd.DataFrame(rows)
    want = spinemets.score_frame(pdf, keep_input=False)
    got = spinemets.score_frame(pa.Table.from_pandas(pdf, preserve_index=False),
                                keep_input=False)
    assert isinstance(got, pa.Table)
    out = got.to_pandas()
    assert list(out.columns) == list(want.columns)
    for column in want.columns:
        assert _values(out, column) == _values(want, column), column
    assert _values(out, "error")[0] is not None and _values(out, "error")[2] is None



@pytest.mark.parametrize("n", [1, 2])
def test_pyarrow_table_all_null_columns(n: int) -> None:
    # pyarrow types an all-null column as null (narwhals: Unknown): still absent, never an error.
    pdf = pd.DataFrame({"kps": [None] * n, "histology": [None] * n, "escc": [None] * n,
                        "myelopathy": [None] * n, "albumin_g_dl": [None] * n,
                        "level": ["T12"] * n})
    want = spinemets.score_frame(pdf, keep_input=False)
    out = spinemets.score_frame(pa.Table.from_pandas(pdf, preserve_index=False),
                                keep_input=False).to_pandas()
    for column in want.columns:
        assert _values(out, column) == _values(want, column), column
