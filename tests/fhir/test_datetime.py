"""FHIR ``dateTime`` values (``spinemets.fhir._datetime``): what the writer accepts and how the
reader orders them. Expectations are built with :mod:`datetime` from the FHIR R4 definition of
``dateTime`` (a year, year-month or date, or a date and time with a zone)."""

from __future__ import annotations

import datetime as dt

import pytest

from spinemets import InvalidInputError
from spinemets.fhir._datetime import check_datetime, instant

UTC = dt.UTC
PLUS_2 = dt.timezone(dt.timedelta(hours=2))
MINUS_14 = dt.timezone(dt.timedelta(hours=-14))

VALID: list[tuple[str, dt.datetime]] = [
    ("2026", dt.datetime(2026, 1, 1, tzinfo=UTC)),
    ("2026-11", dt.datetime(2026, 11, 1, tzinfo=UTC)),
    ("2026-11-30", dt.datetime(2026, 11, 30, tzinfo=UTC)),
    ("2024-02-29", dt.datetime(2024, 2, 29, tzinfo=UTC)),
    ("2026-11-30T10:15:00Z", dt.datetime(2026, 11, 30, 10, 15, tzinfo=UTC)),
    ("2026-11-30T10:15:00.5+02:00", dt.datetime(2026, 11, 30, 10, 15, 0, 500000, PLUS_2)),
    ("2026-11-30T23:59:59-14:00", dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=MINUS_14)),
    # a leap second orders with the second before it
    ("2016-12-31T23:59:60Z", dt.datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),
]
INVALID = [
    "", "26", "2026-13", "2026-00", "2026-11-31", "2025-02-29", "2026-11-32",
    "2026-11-30T10:15:00",  # a time needs a zone
    "2026-11-30T24:00:00Z", "2026-11-30T10:60:00Z", "2026-11-30T10:15Z",
    "2026-11-30T10:15:00+14:01", "2026-11-30T10:15:00+15:00", "2026-11-30 10:15:00Z",
    "2026-11-30T10:15:00.1234567890Z", " 2026", "2026-11-30Z",
]


@pytest.mark.parametrize(("text", "moment"), VALID)
def test_valid_values_are_kept_and_ordered(text: str, moment: dt.datetime) -> None:
    assert check_datetime(text) == text
    assert instant(text) == moment


@pytest.mark.parametrize("text", INVALID)
def test_invalid_values_are_errors_of_the_named_field(text: str) -> None:
    assert instant(text) is None
    with pytest.raises(InvalidInputError) as info:
        check_datetime(text, "authored")
    assert list(info.value.fields) == ["authored"]


def test_datetime_objects() -> None:
    aware = dt.datetime(2026, 11, 30, 10, 15, tzinfo=PLUS_2)
    assert check_datetime(aware) == "2026-11-30T10:15:00+02:00"
    assert check_datetime(dt.date(2026, 11, 30)) == "2026-11-30"
    with pytest.raises(InvalidInputError) as info:
        check_datetime(dt.datetime(2026, 11, 30, 10, 15))
    assert list(info.value.fields) == ["effective"]


@pytest.mark.parametrize("value", [None, 2026, 2026.0, b"2026", ["2026"]])
def test_other_types(value: object) -> None:
    assert instant(value) is None
    with pytest.raises(InvalidInputError):
        check_datetime(value)
