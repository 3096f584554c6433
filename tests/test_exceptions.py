"""``spinemets.exceptions.echo``: error messages never echo long input back in full (interchange:
"echoed values are cut to about 100 characters"), and a value that cannot be shown is named by
its type."""

from __future__ import annotations

import pytest

from spinemets.exceptions import echo


class _Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (80, "80"),
        ("kidney", "'kidney'"),
        (None, "None"),
        (_Unprintable(), "a _Unprintable"),
        (10**400, "an integer of about 400 digits"),
        (-(10**400), "an integer of about 400 digits"),
    ],
)
def test_short_values_and_their_stand_ins(value: object, expected: str) -> None:
    assert echo(value) == expected


@pytest.mark.parametrize("value", ["x" * 500, b"y" * 500, ["z"] * 200, "\ud800" * 300])
def test_long_values_are_cut_to_100_characters(value: object) -> None:
    text = echo(value)
    assert len(text) == 100
    assert text.endswith("…")
    assert text[:-1] == repr(value)[:99]
