"""``spinemets.check_frame``: invalid values with counts and suggestions, misnamed columns; the
verdict "invalid" agrees with ``score_frame``'s ``error`` column, cell by cell."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import spinemets

pd = pytest.importorskip("pandas")

MESSY: dict[str, list[Any]] = {
    "Histology": ["Renal cell", "breast", None, "lung"],  # misnamed: histology
    "kps": [80, 85, None, 90],
    "myelopathy": ["Y", "N", "Y", None],
    "visceral_metastases": ["None", "none", "treatable", "liver"],
    "escc": [0, "1b", 1, None],
    "study_id": [1, 2, 3, 4],  # not a field, not like one: ignored
    "frankel": ["E", "E", "D", "C"],
}


def _rows(out: Any) -> set[tuple[Any, ...]]:
    return {
        (r.column, r.field if isinstance(r.field, str) else None, r.status,
         r.value if not (isinstance(r.value, float) and r.value != r.value) else None,
         r.count, r.suggestion if isinstance(r.suggestion, str) else None)
        for r in out.itertuples()
    }


EXPECTED = {
    ("Histology", None, "misnamed", None, 3, "histology"),
    ("kps", "kps", "invalid", 85, 1, None),
    ("myelopathy", "myelopathy", "invalid", "Y", 2, "true"),
    ("myelopathy", "myelopathy", "invalid", "N", 1, "false"),
    ("visceral_metastases", "visceral_metastases", "invalid", "None", 1, "none"),
    ("visceral_metastases", "visceral_metastases", "invalid", "liver", 1, None),
    ("escc", "escc", "invalid", 1, 1, None),
    ("frankel", "frankel", "ok", None, 4, None),
}


def test_pandas_messy_frame() -> None:
    out = spinemets.check_frame(pd.DataFrame(MESSY))
    assert list(out.columns) == ["column", "field", "status", "value", "count", "suggestion",
                                 "allowed"]
    assert _rows(out) == EXPECTED


def test_polars_eager_and_lazy() -> None:
    pl = pytest.importorskip("polars")
    data: dict[str, list[Any]] = {
        k: [None if v is None else str(v) for v in vs] for k, vs in MESSY.items()
        if k not in ("kps", "escc", "study_id")}
    data["kps"] = [80, 85, None, 90]
    df = pl.DataFrame(data)
    want = {r for r in EXPECTED if r[0] not in ("escc",)}
    assert _rows(spinemets.check_frame(df)) == want
    assert _rows(spinemets.check_frame(df.lazy())) == want


def test_mapping_checks_the_renamed_column() -> None:
    out = spinemets.check_frame(pd.DataFrame(MESSY), columns={"Histology": "histology"})
    rows = _rows(out)
    assert ("Histology", "histology", "invalid", "Renal cell", 1, "kidney") in rows
    assert not any(r[2] == "misnamed" for r in rows)


def test_numbers_as_text_and_truncation() -> None:
    df = pd.DataFrame({"kps": ["80", "90.0", "85", "abc", None],
                       "histology": ["a", "b", "c", "c", "kidney"]})
    rows = _rows(spinemets.check_frame(df, max_values=2))
    assert ("kps", "kps", "invalid", "80", 1, "80") in rows
    assert ("kps", "kps", "invalid", "90.0", 1, "90") in rows
    assert ("histology", "histology", "invalid", "c", 2, None) in rows
    more = [r for r in rows if r[2] == "more_invalid"]
    assert {(r[0], r[3], r[4]) for r in more} == {("kps", "2 more distinct values", 2),
                                                   ("histology", "1 more distinct values", 1)}


def test_absent_mapped_column_and_bad_mapping() -> None:
    out = _rows(spinemets.check_frame(pd.DataFrame({"kps": [80]}), columns={"Dx": "histology"}))
    assert ("Dx", "histology", "absent", None, 0, None) in out
    with pytest.raises(ValueError, match="interchange field"):
        spinemets.check_frame(pd.DataFrame({"kps": [80]}), columns={"x": "nope"})


def test_empty_and_all_null() -> None:
    assert len(spinemets.check_frame(pd.DataFrame({"study": []}))) == 0
    out = _rows(spinemets.check_frame(pd.DataFrame({"kps": [None, None]}, dtype=object)))
    assert out == {("kps", "kps", "ok", None, 0, None)}


CELL = st.one_of(
    st.none(), st.sampled_from([80, 85, 80.0, 80.5, -1, "80", True, "kidney", "Kidney", "E", "e",
                                "1b", 0, 1, 3, "none", "None", "yes", float("nan"), "\ud800", -0.0,
                                1e308, 2**60]),
    st.text(max_size=4), st.integers(-5, 120), st.floats(allow_nan=False, width=32),
)
FIELDS = ("kps", "histology", "frankel", "escc", "myelopathy", "visceral_metastases",
          "albumin_g_dl")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.fixed_dictionaries(dict.fromkeys(FIELDS, CELL)), min_size=1, max_size=12))
def test_invalid_values_are_exactly_score_frames_errors(rows: list[dict[str, Any]]) -> None:
    """A column has an ``invalid`` row iff score_frame names it in some row's error."""
    # score_frame's all-null-column crash is a known frame bug (issue 10), not check_frame's.
    assume(all(any(r[f] is not None and r[f] == r[f] for r in rows) for f in FIELDS))
    df = pd.DataFrame({f: pd.Series([r[f] for r in rows], dtype=object) for f in FIELDS})
    report = spinemets.check_frame(df)
    flagged = {r.column for r in report.itertuples() if r.status == "invalid"}
    counts = {c: int(report[(report.column == c) & (report.status == "invalid")]["count"].sum())
              for c in flagged}
    scored = spinemets.score_frame(df)
    errors = [e for e in scored["error"].astype(object) if isinstance(e, str)]
    for f in FIELDS:
        named = sum(f"'{f}'" in e or f"{f} " in e or f"{f}:" in e for e in errors)
        assert (f in flagged) == (named > 0), (f, errors)
        if f in flagged:
            assert counts[f] == named
