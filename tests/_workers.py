"""Functions for worker processes in the tests (kept light: a spawned worker imports only this)."""

from __future__ import annotations

from typing import Any

import spinemets


def assess_strict(data: dict[str, Any]) -> spinemets.Assessment:
    """``assess(Case.from_dict(data))``: raises the library's error on an invalid case."""
    return spinemets.assess(spinemets.Case.from_dict(data))


def raise_error(data: dict[str, Any]) -> None:
    """Raise the library's error for *data*, whatever it is (for Pool.map error round trips)."""
    spinemets.Case.from_dict(data)
    raise spinemets.InvalidInputError((), "invalid input: raised on purpose")
