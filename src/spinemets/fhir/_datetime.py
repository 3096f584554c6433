"""FHIR ``dateTime`` values: validation for what spinemets writes, ordering for what it reads."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Final

from ..exceptions import InvalidInputError, Problem, echo

__all__ = ["check_datetime", "instant"]

# FHIR R4 dateTime: a year, year-month or date, or a date and time that carries a time zone.
_DATETIME: Final = re.compile(
    r"(?P<y>[0-9]{4})(-(?P<m>0[1-9]|1[0-2])(-(?P<d>0[1-9]|[12][0-9]|3[01])"
    r"(T(?P<t>[01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?"
    r"(?P<z>Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?"
)


def check_datetime(value: object, name: str = "effective") -> str:
    """*value* as a FHIR ``dateTime`` string: a valid string is kept, an aware ``datetime`` is
    written in ISO 8601. A naive ``datetime``, a time without a zone or any other value raises
    :class:`~spinemets.InvalidInputError` naming *name*."""
    allowed = ("must be a FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or a date and time with a "
               "time zone) or a timezone-aware datetime")
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInputError([Problem(name, allowed, "a naive datetime")])
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATETIME.fullmatch(value) and instant(value) is not None:
        return value
    raise InvalidInputError([Problem(name, allowed, echo(value))])


def instant(value: object) -> _dt.datetime | None:
    """The start of a FHIR ``date``/``dateTime``/``instant`` as an aware datetime (for ordering),
    or ``None`` when *value* is not one. A partial date stands for its first moment in UTC."""
    if not isinstance(value, str):
        return None
    match = _DATETIME.fullmatch(value)
    if match is None:
        return None
    try:
        if match.group("t") is None:
            year, month, day = int(match["y"]), int(match["m"] or 1), int(match["d"] or 1)
            return _dt.datetime(year, month, day, tzinfo=_dt.UTC)
        text = value.replace("Z", "+00:00")
        if text[17:19] == "60":  # a leap second orders with the second before it
            text = text[:17] + "59" + text[19:]
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
