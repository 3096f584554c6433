"""``spinemets.check`` beyond the frame suite (``test_check_frame.py``): the arguments, numbers
written as text, values Arrow cannot hold, and the ``more_invalid`` row. Expected rows are
written here by hand from ``check_frame``'s documented statuses."""

from __future__ import annotations

from typing import Any

import pytest

import spinemets

pd = pytest.importorskip("pandas")


def _rows(out: Any, status: str | None = None) -> list[tuple[Any, ...]]:
    def clean(v: Any) -> Any:
        return None if v is None or (isinstance(v, float) and v != v) else v

    return [(r.column, r.status, clean(r.value), r.count, clean(r.suggestion))
            for r in out.itertuples() if status is None or r.status == status]


def test_bad_arguments() -> None:
    df = pd.DataFrame({"kps": [80]})
    with pytest.raises(ValueError, match=r"columns=\{'k': 'karnofsky'\} does not name"):
        spinemets.check_frame(df, columns={"k": "karnofsky"})
    with pytest.raises(ValueError, match="max_values must be at least 1"):
        spinemets.check_frame(df, max_values=0)


def test_numbers_written_as_text() -> None:
    """A number as text is invalid; the suggestion is the number when it is a valid value."""
    df = pd.DataFrame({"kps": [" 80 ", "85", "eighty", "70.0", None],
                       "albumin_g_dl": ["3.5", "3.5", "-1", None, None]})
    out = spinemets.check_frame(df)
    assert sorted(_rows(out, "invalid"), key=str) == sorted([
        ("kps", "invalid", " 80 ", 1, "80"),
        ("kps", "invalid", "85", 1, None),  # not a multiple of 10
        ("kps", "invalid", "eighty", 1, None),
        ("kps", "invalid", "70.0", 1, "70"),
        ("albumin_g_dl", "invalid", "3.5", 2, "3.5"),
        ("albumin_g_dl", "invalid", "-1", 1, None),  # albumin must be > 0
    ], key=str)


def test_mapped_column_names_the_callers_column() -> None:
    df = pd.DataFrame({"Karnofsky": [80, 85]})
    out = spinemets.check_frame(df, columns={"Karnofsky": "kps"})
    assert ("Karnofsky", "invalid", 85, 1, None) in _rows(out)


def test_more_invalid_values_than_shown() -> None:
    df = pd.DataFrame({"histology": ["a", "b", "b", "c", "c", "c", "breast"]})
    out = spinemets.check_frame(df, max_values=2)
    invalid = _rows(out, "invalid")
    assert [(v, n) for _, _, v, n, _ in invalid] == [("c", 3), ("b", 2)]
    (more,) = _rows(out, "more_invalid")
    assert more[0] == "histology" and more[3] == 1  # one more value ("a") in one cell


def test_values_arrow_cannot_hold_are_still_counted() -> None:
    """A lone surrogate in an object column: counted by hand when Arrow refuses it."""
    df = pd.DataFrame({"histology": pd.Series(["x\ud800", "x\ud800", "breast"], dtype=object)})
    invalid = _rows(spinemets.check_frame(df), "invalid")
    assert [(v, n) for _, _, v, n, _ in invalid] == [("x\ud800", 2)]
