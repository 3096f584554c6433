"""Items as they declare their inputs: each item's own reader, tabulated once.

Every summed instrument pairs its items with what they read (``READS``: the fields and the reader
its scalar ``score()`` calls, ``scores/_inputs.py``). The plan re-derives no item: it calls the
item's reader once per combination of *pieces* of its fields and looks the points up per row, so
the frames score what :func:`spinemets.assess` scores by construction.

The pieces of a field:

- a code or yes/no field, or a whole number with a small declared range (KPS 10-100 by 10,
  ECOG 0-4): each value;
- any other number: the intervals between its breakpoints, which are the bounds of the span rows
  of the item (Tokuhashi's counts, Rades' days before radiotherapy) and the published thresholds
  (:class:`~spinemets.scores._beyond.Cut`) of the instrument's module and of
  ``scores/_beyond.py`` (albumin, the laboratory values of Katagiri 2014, the interval of Rades
  2008, Rades' other bone metastases);

and "absent". One derivation compares a *sum* of fields, which no threshold row can declare: the
solitary rule of Tomita, Bauer and Katagiri (the two bone-metastasis counts read by
``_inputs.SKELETAL_EXTENT`` sum to ``_beyond.SOLITARY_SUM``), so these two counts are also cut at
every count up to ``SOLITARY_SUM``. The tests check that every reader is constant on every piece.

Values (or pieces) that score alike whatever the other fields are merged into one class, so a
Tomita growth item reads histology as four classes, not as every histology.
"""

from __future__ import annotations

import enum
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any, Final

from attrs import frozen

from .._fields import FieldSpec
from .._table import Item, Span
from ..scores import _beyond, _inputs
from ._columns import _INT_TOP
from ._nodes import NULL, Const, Node, add, coalesce, compare, const, lookup, mul, spans, strict
from ._options import _FIELDS

#: Whole-number fields with at most this many valid values are read value by value.
_ENUMERABLE: Final = 32
#: The lowest integer a piece of an integer field starts from (cells are below 2**53).
_LOWEST: Final = -(1 << 53)
#: A piece with no valid value (never read; its combinations are not tabulated).
_EMPTY: Final = object()


@frozen
class _Input:
    """One field as an item reads it, in classes of values that score alike.

    Enumerated (``cuts`` None): ``classes[v]`` is the class of value *v*. Cut: the pieces between
    the ordered ``cuts`` (``(op, value)``, ``op`` ``">="`` or ``">"``), ``classes[i]`` the class
    of piece *i*. ``absent`` is the class of an absent cell; ``size`` the number of classes.
    """

    name: str
    cuts: tuple[tuple[str, float], ...] | None
    classes: Mapping[Any, int]
    absent: int
    size: int


@frozen
class _Tabulated:
    """An item's inputs and its points per mixed-radix key of their classes (first most
    significant); a key that is absent scores null."""

    inputs: tuple[_Input, ...]
    table: tuple[tuple[int, int], ...]
    #: The fields whose absence still scores in some combination (their absent cell is a class).
    scoring_absent: frozenset[str]


def _valid(spec: FieldSpec, x: float) -> bool:
    """Whether *x* is a valid number of the field (its declared range, whole for integers)."""
    if not spec.in_range(x):
        return False
    if spec.kind == "int" and x != math.floor(x):
        return False
    return not (spec.multiple_of and math.fmod(x, spec.multiple_of) != 0)


def _values(spec: FieldSpec) -> list[Any] | None:
    """Every valid value of a field read value by value, else None."""
    if spec.kind == "code":
        return list(spec.codes or ())
    if spec.kind == "bool":
        return [False, True]
    if spec.kind == "int" and spec.minimum is not None and spec.maximum is not None:
        values = [v for v in range(int(spec.minimum), int(spec.maximum) + 1) if _valid(spec, v)]
        if len(values) <= _ENUMERABLE:
            return values
    return None


def _cuts_of(values: Iterable[Any]) -> list[_beyond.Cut]:
    """The published thresholds among module attributes (single or in tuples)."""
    found = []
    for value in values:
        for cut in value if isinstance(value, tuple) else (value,):
            if isinstance(cut, _beyond.Cut):
                found.append(cut)
    return found


def _breakpoints(module: ModuleType, item: Item, fields: Sequence[str],
                 name: str) -> list[tuple[str, float]]:
    """The ordered breakpoints of a number field as the item reads it (see the module text); the
    span rows bound the field when it is the item's only one."""
    found: set[tuple[str, float]] = set()
    for row in item.rows if len(fields) == 1 else ():
        if isinstance(row.when, Span):
            found.add((">=", row.when.lo))
            if row.when.hi is not None:
                found.add((">", row.when.hi))
    for cut in _cuts_of([*vars(module).values(), *vars(_beyond).values()]):
        if cut.field == name:
            found.add((">=" if cut.op in (">=", "<") else ">", cut.value))
    if name in _inputs.SKELETAL_EXTENT.fields:  # the solitary rule compares the counts' sum
        found |= {(">", j) for j in range(_beyond.SOLITARY_SUM + 1)}
    spec = _FIELDS[name]
    if spec.kind == "int":  # integer thresholds: x > 1.5 is x >= 2
        found = {(">=", math.floor(v) + 1 if op == ">" else math.ceil(v)) for op, v in found}
    return sorted(found, key=lambda b: (b[1], b[0] == ">"))


def _holds(op: str, value: float, x: float) -> bool:
    return x >= value if op == ">=" else x > value


def _representatives(spec: FieldSpec, cuts: Sequence[tuple[str, float]]) -> list[Any]:
    """Per piece between *cuts*, a valid value inside it (``_EMPTY`` when none was found)."""
    points = sorted({float(v) for _, v in cuts})
    candidates = {v + d for v in points for d in (-1, -0.5, -1e-6, 0, 1e-6, 0.5, 1)}
    candidates |= {(a + b) / 2 for a, b in itertools.pairwise(points)}
    for bound in (spec.minimum, spec.exclusive_minimum):
        if bound is not None:
            candidates |= {bound, bound + 1e-6, bound + 1}
    if not points:
        candidates.add(1.0)
    reps: list[Any] = [_EMPTY] * (len(cuts) + 1)
    for x in sorted(candidates):
        if spec.kind == "int":
            if x != math.floor(x):
                continue
            value: Any = int(x)
        else:
            value = float(x)
        if not _valid(spec, value):
            continue
        piece = sum(_holds(op, v, value) for op, v in cuts)
        if reps[piece] is _EMPTY:
            reps[piece] = value
    return reps


def _case(values: Mapping[str, Any]) -> Any:
    """A case holding *values* (every other field absent), built as a user's case is."""
    from ..interchange import parse_case

    return parse_case({name: v.value if isinstance(v, enum.Enum) else v
                       for name, v in values.items() if v is not None})


def _classes(keys: Sequence[Any], signatures: Sequence[Any]) -> dict[Any, int]:
    """Keys with equal signatures share a class (numbered in order of first appearance)."""
    seen: dict[Any, int] = {}
    return {k: seen.setdefault(s, len(seen)) for k, s in zip(keys, signatures, strict=True)}


@functools.cache
def tabulated(module: ModuleType, index: int) -> _Tabulated:
    """Item *index* of ``module.READS``, its reader called on every combination of pieces."""
    item, reads = module.READS[index]
    axes: list[tuple[str, tuple[tuple[str, float], ...] | None, list[Any]]] = []
    for name in reads.fields:
        spec = _FIELDS[name]
        values = _values(spec)
        if values is not None:
            axes.append((name, None, [*values, None]))
        else:
            cuts = tuple(_breakpoints(module, item, reads.fields, name))
            axes.append((name, cuts, [*_representatives(spec, cuts), None]))
    points: dict[tuple[int, ...], int | None] = {}
    for combo in itertools.product(*(range(len(values)) for _, _, values in axes)):
        chosen = [values[i] for (_, _, values), i in zip(axes, combo, strict=True)]
        if any(v is _EMPTY for v in chosen):
            continue
        case = _case({name: v for (name, _, _), v in zip(axes, chosen, strict=True)})
        try:
            scored = reads.read(case, item, [], [])
        except LookupError:  # a value in no row (Rades: 0 days) scores nothing
            scored = None
        points[combo] = None if scored is None else scored.points
    # Merge the values (pieces) of each field that score alike whatever the other fields are.
    inputs = []
    for axis, (name, axis_cuts, values) in enumerate(axes):
        others = sorted({c[:axis] + c[axis + 1:] for c in points})
        keys = list(range(len(values)))
        by_key = _classes(keys, [tuple(points.get((*o[:axis], k, *o[axis:]), _EMPTY)
                                       for o in others) for k in keys])
        points = {(*c[:axis], by_key[c[axis]], *c[axis + 1:]): v for c, v in points.items()}
        classes = {v if axis_cuts is None else k: by_key[k] for k, v in enumerate(values[:-1])}
        inputs.append(_Input(name, axis_cuts, classes, by_key[keys[-1]], len(set(by_key.values()))))
    sizes = [i.size for i in inputs]
    table = {}
    for combo, value in points.items():
        if value is not None:
            table[sum(c * math.prod(sizes[a + 1:]) for a, c in enumerate(combo))] = value
    scoring = frozenset(inp.name for a, inp in enumerate(inputs)
                        if any(c[a] == inp.absent and v is not None for c, v in points.items()))
    return _Tabulated(tuple(inputs), tuple(sorted(table.items())), scoring)


def _digit(x: Node, spec: FieldSpec, inp: _Input) -> Node:
    """The class of *x* (null when absent), as a node."""
    if inp.cuts is None:
        return lookup(x, inp.classes, int)
    if spec.kind == "int":
        starts = [_LOWEST, *(int(v) for _, v in inp.cuts)]
        ends: list[int | None] = [s - 1 for s in starts[1:]]
        rows = [(lo, hi, inp.classes[k]) for k, (lo, hi) in enumerate(zip(starts, [*ends, None],
                                                                            strict=True))]
        return spans(x, rows, int)
    if not inp.cuts:
        return strict(const(inp.classes[0]), [x])
    pieces = add(*(lookup(compare(x, op, value), {True: 1, False: 0}, int)
                   for op, value in inp.cuts))
    if list(inp.classes.values()) == list(range(len(inp.classes))):
        return pieces  # every piece its own class, in order
    return lookup(pieces, inp.classes, int)


def item_node(module: ModuleType, index: int, read: Callable[[str], Node]) -> Node:
    """Item *index* of ``module.READS`` as a plan node; *read* gives a field's node."""
    tab = tabulated(module, index)
    sizes = [i.size for i in tab.inputs]
    radix = [math.prod(sizes[a + 1:]) for a in range(len(sizes))]
    # An absent cell reads as its class where its absence still scores; elsewhere its null
    # reaches the key and the look-up (null), which the NumPy evaluator's int16 sums keep
    # negative only while every key is below _INT_TOP (see _columns).
    fill = math.prod(sizes) >= _INT_TOP
    offset = 0
    terms: list[Node] = []
    for inp, r in zip(tab.inputs, radix, strict=True):
        x = read(inp.name)
        scores_absent = inp.name in tab.scoring_absent
        if isinstance(x, Const):  # a call option (ecog_to_kps=) where the column is absent
            offset += r * inp.classes[x.value]
            continue
        if x is NULL:
            if not scores_absent:
                return NULL
            offset += r * inp.absent
            continue
        digit = _digit(x, _FIELDS[inp.name], inp)
        if scores_absent or fill:
            digit = coalesce(digit, const(inp.absent))
        terms.append(digit if r == 1 else mul(digit, r))
    if not terms:
        points = dict(tab.table).get(offset)
        return NULL if points is None else const(points)
    key = add(*terms, const(offset)) if offset else add(*terms)
    return lookup(key, tab.table, int)

