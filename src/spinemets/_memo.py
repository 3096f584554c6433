"""Memoised scoring for :func:`spinemets.assess`: results keyed by exactly the inputs they read.

Every instrument module declares ``INPUTS``, the case fields its score reads. Results are
immutable, so a case whose inputs for one instrument equal an earlier case's gets the earlier
result object (and, with it, that result's cached JSON text). The key is read with one
``operator.attrgetter`` call; each cache is bounded (cleared when full), so memory stays bounded
on a stream of any length. A test holds that changing a field outside ``INPUTS`` never changes a
score, and that memoised and direct results are equal.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any, Final

from ._fields import CASE_FIELD_BY_NAME

if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import Case
    from .policy import Policy
    from .scores.registry import Instrument

__all__ = ["MAX_ENTRIES", "Memo"]

#: Results kept per instrument and policy before the cache is cleared.
MAX_ENTRIES: Final = 4096


def _path(name: str) -> str:
    return "lesions" if name == "lesions" else f"{CASE_FIELD_BY_NAME[name].group}.{name}"


class Memo:
    """One instrument's scoring function under one policy, with an input-keyed, bounded cache."""

    __slots__ = ("_cache", "_key", "_policy", "_score")

    def __init__(self, instrument: Instrument, policy: Policy) -> None:
        paths = [_path(name) for name in instrument.INPUTS]
        # A module may narrow its key further (SINS and ESCC read only some lesion fields).
        self._key: Callable[[Case], Any] = getattr(
            instrument, "MEMO_KEY", None
        ) or operator.attrgetter(*paths)
        self._score = instrument.score
        self._policy = policy
        self._cache: dict[Any, Any] = {}

    def __call__(self, case: Case) -> Any:
        key = self._key(case)
        cache = self._cache
        result = cache.get(key)
        if result is None:
            if len(cache) >= MAX_ENTRIES:
                cache.clear()
            result = cache[key] = self._score(case, self._policy)
        return result


_BY_POLICY: dict[Policy, dict[str, Memo]] = {}


def memos(policy: Policy, instruments: tuple[Instrument, ...]) -> dict[str, Memo]:
    """The memoised scorers of *instruments* under *policy* (created on first use)."""
    table = _BY_POLICY.get(policy)
    if table is None:
        # Build the whole table, then publish it: a thread that finds it finds it full. Two
        # threads on a cold cache may both build one; the first published wins (setdefault).
        fresh = {instrument.ID: Memo(instrument, policy) for instrument in instruments}
        table = _BY_POLICY.setdefault(policy, fresh)
    return table


def clear() -> None:
    """Forget every memoised result (tests use it to compare cold and warm caches)."""
    _BY_POLICY.clear()
