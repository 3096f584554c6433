"""Result types: a summed score, a lesion's SINS, and the ESCC grade.

Results are immutable. A score whose inputs are missing is ``incomplete`` and lists every missing
field; it never carries a partial total.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from attrs import field, frozen

from . import _json
from ._table import BandRow, ItemScore
from .vocab import Code, EsccGrade, SpinalLevel

if TYPE_CHECKING:
    from .citations import Citation

__all__ = ["EsccClass", "GradeResult", "ItemScore", "LesionScore", "ScoreResult", "Status"]

B = TypeVar("B", bound=enum.Enum)


class Status(Code):
    """Whether a score could be computed."""

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"  #: Some inputs were not assessed; ``missing`` lists all of them.
    NOT_APPLICABLE = "not_applicable"  #: The score does not apply; ``reason`` says why.


class EsccClass(Code):
    """The NOMS class of an ESCC grade."""

    LOW = "low"  #: 0, 1a, 1b
    INTERMEDIATE = "intermediate"  #: 1c
    HIGH = "high"  #: 2, 3


class _ReadOnlyDict(dict[str, Any]):
    """A dict that cannot change: the JSON-ready value of a shared, memoised result's ``extra``.

    It serialises like a dict (``json.dumps``, equality), hashes, and pickles.
    """

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a result is immutable: copy it with to_dict() to change it")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]:
        return (type(self), (dict(self),))

    def __copy__(self) -> _ReadOnlyDict:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _ReadOnlyDict:
        return self


def _frozen(value: Any) -> Any:
    """*value* with every dict made read-only and every list a tuple, at every depth."""
    if isinstance(value, dict):
        return _ReadOnlyDict({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _frozen_extra(extra: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((key, _frozen(value)) for key, value in extra)


def _fresh(value: Any) -> Any:
    """A new copy of every dict and list in a JSON-ready *value* (strings and numbers shared)."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fresh(v) for v in value]
    return value


def _items_dict(items: tuple[ItemScore, ...]) -> dict[str, int]:
    return {item.key: item.points for item in items}


@frozen(kw_only=True)
class LesionScore:
    """SINS of one lesion (entry *i* of the case's ``lesions``)."""

    index: int
    level: SpinalLevel | None
    status: Status
    total: int | None = None
    items: tuple[ItemScore, ...] = field(default=(), repr=False)
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"level": self.level._value_ if self.level else None,
                               "status": self.status._value_}
        if self.status is Status.COMPLETE:
            out["total"] = self.total
            out["items"] = _items_dict(self.items)
        else:
            out["missing"] = list(self.missing)
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        level = _json.string(self.level._value_) if self.level else "null"
        if self.status is Status.COMPLETE:
            items = ",".join([i.json for i in self.items])
            return (f'{{"level":{level},"status":"complete","total":{self.total},'
                    f'"items":{{{items}}}}}')
        return (f'{{"level":{level},"status":{_json.string(self.status._value_)},'
                f'"missing":{_json.strings(self.missing)}}}')


@frozen(kw_only=True)
class ScoreResult(Generic[B]):
    """A summed score: status, total, per-item points, band, flags and citation.

    ``total`` and ``band`` are ``None`` unless the status is complete; ``band`` is also ``None``
    for a complete score that has no published bands (OSRI).
    """

    id: str  #: The score id, e.g. ``"tomita"``.
    status: Status
    citation: Citation = field(repr=lambda c: c.key)
    higher_is_better: bool
    total: int | None = None
    items: tuple[ItemScore, ...] = field(default=(), repr=False)
    band: BandRow[B] | None = None
    missing: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    strategy: str | None = None  #: Tomita and Tokuhashi 2005 treatment strategy code.
    reason: str | None = None  #: Why the score is not applicable.
    lesions: tuple[LesionScore, ...] = field(default=(), repr=False)  #: SINS per lesion.
    raw: int | None = None  #: NESMS: the sum before the cap at 3.
    #: Further JSON-ready keys of this result, e.g. Rades' 2010 reading ``("rades_2010", {...})``.
    extra: tuple[tuple[str, Any], ...] = field(default=(), converter=_frozen_extra)
    _json: str | None = field(default=None, init=False, eq=False, repr=False)

    @property
    def complete(self) -> bool:
        return self.status is Status.COMPLETE

    def explain(self) -> str:
        """Why this result: one line per item (``growth: moderate -> 2 (Tomita 2001
        [secondary])``), total and band, what is missing and how to supply it, each source's
        place once, the full citation once and the legend of the evidence tags."""
        from .display import explain

        return explain(self)

    def __str__(self) -> str:
        from .display import score_text

        return score_text(self)

    def _repr_html_(self) -> str:
        from .display import score_html

        return score_html(self)

    def to_dict(self) -> dict[str, Any]:
        """The interchange form."""
        out: dict[str, Any] = {"status": self.status._value_}
        if self.status is Status.COMPLETE:
            out["total"] = self.total
            if self.raw is not None:
                out["raw"] = self.raw
            out["items"] = _items_dict(self.items)
            # A score without published bands (OSRI) reports ``"band": null``.
            out["band"] = None if self.band is None else {
                "code": self.band.code._value_, "range": [self.band.lo, self.band.hi]}
        elif self.status is Status.INCOMPLETE:
            out["missing"] = list(self.missing)
        else:
            out["reason"] = self.reason
        if self.lesions:
            out["lesions"] = [lesion.to_dict() for lesion in self.lesions]
        if self.strategy is not None:
            out["strategy"] = self.strategy
        for key, value in self.extra:
            out[key] = _fresh(value)  # the result is shared (memoised): never hand out its dict
        out["flags"] = list(self.flags)
        out["higher_is_better"] = self.higher_is_better
        out["citation"] = self.citation.short
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text, assembled from cached fragments (cached itself)."""
        text = self._json
        if text is None:
            text = self._make_json()
            object.__setattr__(self, "_json", text)
        return text

    def _make_json(self) -> str:
        status = self.status
        if status is Status.COMPLETE:
            parts = [f'{{"status":"complete","total":{self.total}']
            if self.raw is not None:
                parts.append(f',"raw":{self.raw}')
            parts.append(',"items":{' + ",".join([i.json for i in self.items]) + "}")
            parts.append(',"band":' + (self.band.json if self.band is not None else "null"))
        elif status is Status.INCOMPLETE:
            parts = ['{"status":"incomplete","missing":' + _json.strings(self.missing)]
        else:
            reason = _json.string(self.reason) if self.reason is not None else "null"
            parts = ['{"status":"not_applicable","reason":' + reason]
        if self.lesions:
            parts.append(',"lesions":[' + ",".join([les.to_json() for les in self.lesions]) + "]")
        if self.strategy is not None:
            parts.append(',"strategy":' + _json.string(self.strategy))
        for key, value in self.extra:
            parts.append(f",{_json.string(key)}:{_json.value(value)}")
        parts.append(f',"flags":{_json.strings(self.flags)},"higher_is_better":'
                     f'{_json.boolean(self.higher_is_better)},"citation":'
                     f'{_json.string(self.citation.short)}}}')
        return "".join(parts)


@frozen(kw_only=True)
class GradeResult:
    """The case's ESCC: the worst grade over lesions and its NOMS class (nothing is summed)."""

    id: str
    status: Status
    citation: Citation = field(repr=lambda c: c.key)
    grade: EsccGrade | None = None
    escc_class: EsccClass | None = None
    lesion_index: int | None = None  #: The lesion carrying the worst grade.
    missing: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    _json: str | None = field(default=None, init=False, eq=False, repr=False)

    @property
    def complete(self) -> bool:
        return self.status is Status.COMPLETE

    def explain(self) -> str:
        """Why this result: the worst grade and its lesion, or what is missing; the citation."""
        from .display import explain

        return explain(self)

    def __str__(self) -> str:
        from .display import grade_text

        return grade_text(self)

    def _repr_html_(self) -> str:
        from .display import grade_html

        return grade_html(self)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status._value_}
        if self.status is Status.COMPLETE:
            assert self.grade is not None and self.escc_class is not None
            out["grade"] = self.grade.value
            out["class"] = self.escc_class.value
            out["lesion"] = self.lesion_index
        else:
            out["missing"] = list(self.missing)
        out["flags"] = list(self.flags)
        out["higher_is_better"] = False
        out["citation"] = self.citation.short
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text (cached)."""
        if self._json is not None:
            return self._json
        if self.status is Status.COMPLETE:
            assert self.grade is not None and self.escc_class is not None
            head = (f'{{"status":"complete","grade":{_json.string(self.grade._value_)},'
                    f'"class":{_json.string(self.escc_class._value_)},'
                    f'"lesion":{self.lesion_index}')
        else:
            head = (f'{{"status":{_json.string(self.status._value_)},'
                    f'"missing":{_json.strings(self.missing)}')
        text = (f'{head},"flags":{_json.strings(self.flags)},"higher_is_better":false,'
                f'"citation":{_json.string(self.citation.short)}}}')
        object.__setattr__(self, "_json", text)
        return text
