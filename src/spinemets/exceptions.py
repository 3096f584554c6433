"""The exceptions spinemets raises on purpose.

Missing input is never an error: a score without its inputs is an ``incomplete`` result.
Invalid input (a wrong type, an unknown code, an out-of-range number, an unknown field) raises
:class:`InvalidInputError`, which names every offending field at once.
"""

from __future__ import annotations

__all__ = ["InvalidInputError", "Problem", "SpinemetsError"]

_ECHO_LIMIT = 100
#: At most this many problems are spelled out in a message; ``fields`` still names every one.
MESSAGE_PROBLEMS = 20


class SpinemetsError(Exception):
    """Base class of every exception spinemets raises on purpose.

    Errors are values: two errors of the same type with the same arguments and attributes are
    equal (so an error that crossed a process boundary, pickled, equals the original).
    """

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.args == other.args and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), self.args))


def echo(value: object) -> str:
    """Return a short ``repr`` of *value* for an error message (cut to about 100 characters)."""
    if type(value) is int and value.bit_length() > 300:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, (str, bytes)) and len(value) > _ECHO_LIMIT:
        value = value[:_ECHO_LIMIT]
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails is still reported, by type
        text = f"a {type(value).__name__}"
    if len(text) > _ECHO_LIMIT:
        text = text[: _ECHO_LIMIT - 1] + "…"
    return text


class Problem(tuple[str, str, str]):
    """One invalid field: its path (``lesions[0].level``), what is allowed, and what was given."""

    __slots__ = ()

    def __new__(cls, field: str, allowed: str, got: str = "") -> Problem:
        return super().__new__(cls, (field, allowed, got))

    def __getnewargs__(self) -> tuple[str, str, str]:
        # Pickling a tuple subclass passes the tuple's items to ``__new__``, one by one.
        return (self[0], self[1], self[2])

    @property
    def field(self) -> str:
        """The field path, e.g. ``kps`` or ``lesions[1].escc``."""
        return self[0]

    @property
    def allowed(self) -> str:
        """What the field accepts."""
        return self[1]

    @property
    def got(self) -> str:
        """A short repr of the offending value ('' when not applicable)."""
        return self[2]

    def __str__(self) -> str:
        got = f" (got {self.got})" if self.got else ""
        return f"{self.field}: {self.allowed}{got}"


class InvalidInputError(SpinemetsError, ValueError):
    """An input is not valid; every offending field is reported together.

    Attributes:
        problems: one :class:`Problem` per invalid field, in input order.
    """

    def __init__(self, problems: tuple[Problem, ...] | list[Problem], message: str | None = None):
        self.problems: tuple[Problem, ...] = tuple(problems)
        if message is None:
            message = summary(self.problems)
        self.message = message
        super().__init__(message)

    @property
    def fields(self) -> tuple[str, ...]:
        """The offending field paths, as in the interchange error object (§6)."""
        return tuple(p.field for p in self.problems)

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...], str], dict[str, object]]:
        # The state keeps whatever else was set on the instance (e.g. ``add_note``'s notes).
        return (type(self), (self.problems, self.message), dict(self.__dict__))


def summary(problems: tuple[Problem, ...]) -> str:
    """The message for *problems*: the first :data:`MESSAGE_PROBLEMS` of them, then a count.

    A case with 100,000 bad lesions still gives a message of a few kilobytes.
    """
    shown = "; ".join(str(p) for p in problems[:MESSAGE_PROBLEMS])
    rest = len(problems) - MESSAGE_PROBLEMS
    if rest > 0:
        shown += f"; and {rest} more problem{'s' if rest > 1 else ''} ({len(problems)} in all)"
    return "invalid input: " + shown
