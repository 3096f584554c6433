"""The plan's small expression language: a graph of null-propagating nodes.

A node's domain is an enum class (its values are members), ``bool``, ``int`` (small non-negative
integers: points, keys) or ``float`` (numeric input fields). The builders (:func:`lookup`,
:func:`add`, ...) fold nulls away at build time, so an item whose input column is absent is the
constant :data:`NULL`. No point value is written here: :mod:`._plan` fills the nodes from the
instruments' tables, and :mod:`._numpy` and :mod:`._expr` evaluate them.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import frozen

Domain = type


@frozen(eq=False)
class Node:
    """A value per row, or null."""

    domain: Domain


@frozen(eq=False)
class _Null(Node):
    pass


NULL: Final = _Null(int)


@frozen(eq=False)
class Const(Node):
    value: Any


@frozen(eq=False)
class FieldRef(Node):
    name: str  #: The interchange field name.


@frozen(eq=False)
class Lookup(Node):
    """``table[x]``; null when *x* is null or not in the table."""

    x: Node
    table: tuple[tuple[Any, Any], ...]


@frozen(eq=False)
class Spans(Node):
    """The value of the first inclusive span ``lo <= x <= hi`` holding *x*, else null."""

    x: Node
    rows: tuple[tuple[int, int | None, Any], ...]


@frozen(eq=False)
class Add(Node):
    """The sum; null when any term is null."""

    terms: tuple[Node, ...]


@frozen(eq=False)
class Mul(Node):
    x: Node
    k: int


@frozen(eq=False)
class Min(Node):
    """``min(x, k)``; null when *x* is null."""

    x: Node
    k: int


#: The operators of :class:`~spinemets.scores._beyond.Cut`.
_CMP: Final[dict[str, Callable[[Any, Any], Any]]] = {
    ">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le,
}


@frozen(eq=False)
class Cmp(Node):
    """``x op value`` (bool) for a published threshold; null when *x* is null."""

    x: Node
    op: str
    value: float


@frozen(eq=False)
class Coalesce(Node):
    first: Node
    second: Node


@frozen(eq=False)
class Strict(Node):
    """*x*, but null wherever any of *deps* is null."""

    x: Node
    deps: tuple[Node, ...]


def lookup(x: Node, table: Mapping[Any, Any] | tuple[tuple[Any, Any], ...],
           domain: Domain) -> Node:
    """``table[x]`` (a mapping, or its items as a tuple, kept as given)."""
    if x is NULL or not table:
        return NULL
    items = table if isinstance(table, tuple) else tuple(table.items())
    return Lookup(domain, x, items)


def spans(x: Node, rows: Iterable[tuple[int, int | None, Any]], domain: Domain) -> Node:
    return NULL if x is NULL else Spans(domain, x, tuple(rows))


def add(*terms: Node) -> Node:
    if any(t is NULL for t in terms):
        return NULL
    domain = float if any(t.domain is float for t in terms) else int
    return terms[0] if len(terms) == 1 else Add(domain, tuple(terms))


def mul(x: Node, k: int) -> Node:
    return NULL if x is NULL else Mul(x.domain, x, k)


def minimum(x: Node, k: int) -> Node:
    return NULL if x is NULL else Min(x.domain, x, k)


def compare(x: Node, op: str, value: float) -> Node:
    """Whether ``x op value`` holds (a published threshold, or a breakpoint of a number)."""
    return NULL if x is NULL else Cmp(bool, x, op, value)


def coalesce(first: Node, second: Node) -> Node:
    if first is NULL:
        return second
    if second is NULL:
        return first
    return Coalesce(first.domain, first, second)


def strict(x: Node, deps: Iterable[Node]) -> Node:
    deps = tuple(deps)
    if x is NULL or any(d is NULL for d in deps):
        return NULL
    return Strict(x.domain, x, deps)


def const(value: Any) -> Node:
    return Const(type(value) if isinstance(value, enum.Enum) else int, value)


def _refcounts(roots: Iterable[Node]) -> dict[int, int]:
    """How many parents (and roots) use each node: shared nodes are computed once."""
    counts: dict[int, int] = {}

    def visit(node: Node) -> None:
        counts[id(node)] = counts.get(id(node), 0) + 1
        if counts[id(node)] == 1:
            for child in _children(node):
                visit(child)

    for root in roots:
        visit(root)
    return counts


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Lookup | Spans | Mul | Min | Cmp):
        return (node.x,)
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Coalesce):
        return (node.first, node.second)
    if isinstance(node, Strict):
        return (node.x, *node.deps)
    return ()


def _depths(roots: Sequence[Node]) -> dict[int, int]:
    depth: dict[int, int] = {}

    def visit(node: Node) -> int:
        if id(node) not in depth:
            depth[id(node)] = 1 + max((visit(c) for c in _children(node)), default=0)
        return depth[id(node)]

    for root in roots:
        visit(root)
    return depth


def _walk(roots: Sequence[Node]) -> list[Node]:
    seen: dict[int, Node] = {}

    def visit(node: Node) -> None:
        if id(node) not in seen:
            seen[id(node)] = node
            for child in _children(node):
                visit(child)

    for root in roots:
        visit(root)
    return list(seen.values())
