"""The NumPy evaluator: plan nodes to per-row arrays (pandas, Polars, Dask partitions, Arrow).

Every sub-graph whose inputs are coded columns with few combined values is evaluated *once per
combination* and gathered per row through a mixed-radix key of the input codes; sums too wide for
one table are split into a few such tables and added. Continuous columns (laboratory values) are
compared row-wise against the published thresholds. :func:`_score_columns` scores read columns
and collects each row's error message.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import evolve, frozen

from ._columns import _INT_TOP, _MAX_TERMS, _NEG, _Column, _kind, _message, _rep
from ._nodes import (
    _CMP,
    NULL,
    Add,
    Cmp,
    Coalesce,
    Const,
    Domain,
    FieldRef,
    Lookup,
    Min,
    Mul,
    Node,
    Spans,
    Strict,
    _children,
    _Null,
    _refcounts,
    add,
)
from ._options import _FIELDS, _Options
from ._plan import _build, _declared, _Plan, _summed_instruments

#: Largest product of input sizes evaluated once per combination and gathered per row.
_FUSE_LIMIT: Final = 1 << 14  # a larger grid costs more than it saves, even at 10**6 rows


#: Look-up tables of at least this many entries (the items tabulated once per process, see
#: ``_items``) are built into arrays once: by the identity of their entries, which the cache holds
#: (so the identity cannot pass to another object), and the value kind.
_CACHED_TABLE: Final = 256
_TABLES: dict[tuple[int, str], tuple[Any, Any]] = {}


#: Plans and fused tables kept between calls in one process, so that the batches of one stream
#: (Arrow batches on DuckDB and Spark, Dask partitions, Polars lazy batches) pay for them once: a
#: batch with the same fields reuses the plan's nodes, and a fused node whose input columns read
#: the same table values as before gathers from the table already built. Both are pure functions
#: of their keys; an entry holds its node, so the node's ``id()`` cannot pass to another object.
_PLANS: dict[tuple[Any, ...], list[tuple[str, Node]]] = {}
_FUSED: dict[tuple[Any, ...], tuple[Node, Any]] = {}
#: Entries, and bytes of fused tables and their keys, kept before a cache starts afresh (a
#: long-lived process scoring many kinds of frame).
_CACHE_ENTRIES: Final = 4096
_CACHE_BYTES: Final = 32 << 20
_fused_bytes = [0]


def _remember(cache: dict[Any, Any], key: Any, value: Any, size: int = 0) -> None:
    if len(cache) >= _CACHE_ENTRIES or (size and _fused_bytes[0] + size > _CACHE_BYTES):
        cache.clear()
        if size:
            _fused_bytes[0] = 0
    cache[key] = value
    _fused_bytes[0] += size


def _plan_nodes(present: Iterable[str], opts: _Options) -> list[tuple[str, Node]]:
    """Output name -> plan node (``_build``) for the fields *present*, built once per process for
    the same fields, options and registry."""
    key = (frozenset(present), opts.ids, opts.policy, opts.ecog_to_kps, opts.long,
           tuple(map(id, _summed_instruments())))
    nodes = _PLANS.get(key)
    if nodes is None:
        nodes = _build(_Plan(key[0], opts), opts.ids)
        _remember(_PLANS, key, nodes)
    return nodes


def _offset(sizes: Sequence[int]) -> int:
    """The mixed-radix value of all-ones digits: grid index minus key (NA digits are -1)."""
    return sum(math.prod(sizes[i + 1:]) for i in range(len(sizes)))


class _Eval:
    """Evaluate plan nodes to per-row arrays (see the value encoding above).

    A node whose inputs are all coded columns with at most ``_FUSE_LIMIT`` combinations is
    evaluated once per combination (this same evaluator on the grid of their codes) and gathered
    per row by a mixed-radix key; a sum that is too wide for one table is split into a few.
    """

    def __init__(self, np: Any, n: int, columns: Mapping[str, _Column], *, fuse: bool) -> None:
        self.np = np
        self.n = n
        self.columns = columns
        self.fuse = fuse
        self.counts: dict[int, int] = {}
        self.memo: dict[int, Any] = {}
        self.leaves: dict[int, frozenset[str]] = {}
        self.keys: dict[tuple[str, ...], Any] = {}
        self.made: list[Node] = []  # nodes made here stay alive: the caches key on id()

    def run(self, roots: Sequence[Node]) -> list[Any]:
        self.counts = _refcounts(roots)
        return [self.eval(root) for root in roots]

    def eval(self, node: Node) -> Any:
        key = id(node)
        hit = self.memo.get(key)
        if hit is None:
            hit = self._fused(node) if self.fuse else None
            if hit is None:
                hit = self._eval(node)
            if self.counts.get(key, 1) > 1:
                self.memo[key] = hit
        else:
            self.counts[key] -= 1
            if self.counts[key] <= 1:
                del self.memo[key]
        return hit

    # -- helpers --------------------------------------------------------------------------

    def _null(self, kind: str, n: int | None = None) -> Any:
        """*n* (default: every row) nulls of *kind*."""
        np = self.np
        n = self.n if n is None else n
        if kind == "f":
            return np.full(n, np.nan)
        return np.full(n, _NEG if kind == "i" else -1, np.int16 if kind == "i" else np.int8)

    def _missing(self, values: Any) -> Any:
        return self.np.isnan(values) if values.dtype.kind == "f" else values < 0

    def _as(self, values: Any, kind: str) -> Any:
        """*values* in the encoding of *kind* (ints and codes to float, codes to int)."""
        np = self.np
        if kind == "f" and values.dtype.kind != "f":
            return np.where(values < 0, np.nan, values.astype(np.float64))
        if kind == "i" and values.dtype.kind != "f" and values.dtype != np.int16:
            return np.where(values < 0, _NEG, values.astype(np.int16))
        return values

    def _leaves(self, node: Node) -> frozenset[str]:
        found = self.leaves.get(id(node))
        if found is None:
            if isinstance(node, FieldRef):
                found = frozenset({node.name})
            else:
                found = frozenset().union(*(self._leaves(c) for c in _children(node)))
            self.leaves[id(node)] = found
        return found

    def _size(self, names: Iterable[str]) -> int | None:
        """The number of code combinations of *names*, or None when one is dense."""
        size = 1
        for name in names:
            col = self.columns[name]
            if col.codes is None:
                return None
            size *= len(col.table)
        return size

    def _key(self, names: tuple[str, ...]) -> Any:
        """Per-row mixed-radix key of the codes of *names* (NA-first digits, minus the offset)."""
        key = self.keys.get(names)
        if key is None:
            np = self.np
            sizes = [len(self.columns[name].table) for name in names]
            # Keys run from -offset (every digit NA) to prod(sizes) - offset - 1.
            dtype = np.int16 if max(math.prod(sizes), _offset(sizes)) < 1 << 15 else np.int32
            if len(names) == 1:
                key = self.columns[names[0]].codes
            else:
                # Horner: ((c0 * s1 + c1) * s2 + c2) ..., in place on one array.
                key = self.columns[names[0]].codes.astype(dtype)
                for name, size in zip(names[1:], sizes[1:], strict=True):
                    key *= dtype(size)
                    key += self.columns[name].codes
            self.keys[names] = key
        return key

    def _fused(self, node: Node) -> Any:
        if isinstance(node, FieldRef | Const | _Null):
            return None
        names = tuple(sorted(self._leaves(node)))
        size = self._size(names)
        if not names:
            return None
        if size is None or size > _FUSE_LIMIT:
            return self._split_sum(node) if isinstance(node, Add) else None
        tables = [(t.dtype.str, t.tobytes()) for t in (self.columns[n].table for n in names)]
        cache_key = (id(node), *tables)
        cached = _FUSED.get(cache_key)
        if cached is not None and cached[0] is node:
            return self.np.take(cached[1], self._key(names))
        rolled = self._fused_table(node, names)
        nbytes = int(rolled.nbytes) + sum(len(data) for _, data in tables)
        _remember(_FUSED, cache_key, (node, rolled), nbytes)
        return self.np.take(rolled, self._key(names))

    def _fused_table(self, node: Node, names: tuple[str, ...]) -> Any:
        """*node* on every combination of the codes of *names*, rolled so that the mixed-radix
        key of a row's codes (:meth:`_key`) indexes its value."""
        np = self.np
        sizes = [len(self.columns[name].table) for name in names]
        grid = np.indices(sizes).reshape(len(sizes), -1)
        # Grid digit 0 is NA: digit - 1 reads the column's table with NA last.
        sub = {name: _Column(None, np.take(self.columns[name].table, grid[i] - 1), None)
               for i, name in enumerate(names)}
        table = _Eval(np, grid.shape[1], sub, fuse=False).run([node])[0]
        if _kind(node.domain) == "i":
            table = self._int_table(table)
        # The key is the grid index minus the offset (NA digits are -1, not 0): rolling the table
        # by the offset lets negative keys wrap to their slots. When all-null columns (a table of
        # one slot) make the offset exceed the table, the rolled table is repeated so that every
        # key from -offset up stays in range (the length is a multiple of the table's).
        offset = _offset(sizes)
        rolled = np.roll(table, -offset)
        if offset > len(table):
            rolled = np.tile(rolled, -(-offset // len(table)))
        return rolled

    def _int_table(self, values: Any) -> Any:
        """Small ints as int16 (null: _NEG); float (null: NaN) when a value is too large."""
        np = self.np
        if values.dtype.kind == "f" or not len(values):
            return values
        if int(values.max()) < _INT_TOP:
            return np.where(values < 0, _NEG, values.astype(np.int16))
        return np.where(values < 0, np.nan, values.astype(np.float64))  # pragma: no cover

    def _split_sum(self, node: Add) -> Any:
        """A wide sum as a few fused partial sums, grouped greedily by their input sizes."""
        groups: list[tuple[frozenset[str], list[Node]]] = []
        rest: list[Node] = []
        terms = sorted(node.terms, key=lambda t: -(self._size(self._leaves(t)) or 0))
        for term in terms:
            leaves = self._leaves(term)
            size = self._size(leaves)
            if size is None or size > _FUSE_LIMIT or not leaves:
                rest.append(term)
                continue
            best = None
            for i, (names, _) in enumerate(groups):
                merged = self._size(names | leaves) or 0
                if merged <= _FUSE_LIMIT and (best is None or merged < best[1]):
                    best = (i, merged)
            if best is None:
                groups.append((leaves, [term]))
            else:
                names, members = groups[best[0]]
                groups[best[0]] = (names | leaves, [*members, term])
        parts = [add(*members) for _, members in groups] + rest
        self.made += parts
        if len(parts) == 1 and parts[0] is node:  # pragma: no cover - fused above
            return None
        values = [self.eval(p) for p in parts]
        return self._sum(values, _kind(node.domain))

    def _sum(self, values: list[Any], kind: str) -> Any:
        if kind == "f" or len(values) > _MAX_TERMS or any(v.dtype.kind == "f" for v in values):
            values = [self._as(v, "f") for v in values]
        else:
            values = [self._as(v, "i") for v in values]
        total = values[0]
        for v in values[1:]:
            total = total + v
        return total

    # -- nodes ----------------------------------------------------------------------------

    def _eval(self, node: Node) -> Any:
        np = self.np
        kind = _kind(node.domain)
        if node is NULL:
            return self._null(kind)
        if isinstance(node, FieldRef):
            col = self.columns[node.name]
            return col.table if col.codes is None else np.take(col.table, col.codes)
        if isinstance(node, Const):
            value = _rep(node.value)
            return np.full(self.n, value, np.int8 if kind == "c" else np.int16)
        if isinstance(node, Lookup):
            return self._lookup(node, kind)
        if isinstance(node, Spans):
            return self._spans(node, kind)
        if isinstance(node, Add):
            return self._sum([self.eval(t) for t in node.terms], kind)
        if isinstance(node, Mul):
            x = self.eval(node.x)
            if x.dtype.kind == "f":
                return x * node.k
            return self._int_table(np.where(x < 0, -1, x.astype(np.int32) * node.k))
        if isinstance(node, Min):
            return np.minimum(self.eval(node.x), node.k)
        if isinstance(node, Cmp):
            x = self.eval(node.x)
            with np.errstate(invalid="ignore"):
                hit = _CMP[node.op](x, node.value)
            return np.where(self._missing(x), -1, hit).astype(np.int8)
        if isinstance(node, Strict):
            x = self.eval(node.x)
            missing = functools.reduce(operator.or_,
                                       (self._missing(self.eval(d)) for d in node.deps))
            return np.where(missing, self._null(kind, 1), x)
        if isinstance(node, Coalesce):
            a, b = self.eval(node.first), self.eval(node.second)
            if a.dtype.kind == "f" or b.dtype.kind == "f":
                a, b = self._as(a, "f"), self._as(b, "f")
            return np.where(self._missing(a), b, a)
        raise TypeError(f"unknown plan node {node!r}")  # pragma: no cover

    def _index(self, x: Any) -> Any:
        """Values as non-negative integer indexes; null or non-integral -> -1."""
        np = self.np
        if x.dtype.kind != "f":
            return x
        with np.errstate(invalid="ignore"):
            ok = (np.floor(x) == x) & (x >= 0) & (x < 1 << 30)
        return np.where(ok, x, -1).astype(np.int64)

    def _lookup(self, node: Lookup, kind: str) -> Any:
        np = self.np
        x = self._index(self.eval(node.x))
        cached = _TABLES.get((id(node.table), kind))
        if cached is not None and cached[0] is node.table:
            return np.take(cached[1], x + 1, mode="clip")
        keys = [_rep(k) for k, _ in node.table]
        size = max(keys) + 1
        table = self._null(kind, size + 2)  # slot 0 and the last: null
        for k, (_, v) in zip(keys, node.table, strict=True):
            table[k + 1] = _rep(v)
        if len(node.table) >= _CACHED_TABLE:
            _TABLES[id(node.table), kind] = (node.table, table)
        return np.take(table, x + 1, mode="clip")

    def _spans(self, node: Spans, kind: str) -> Any:
        np = self.np
        x = self.eval(node.x)
        if x.dtype.kind != "f" and len(x) > 64:
            # Integers: a table over 0..max (slot 0 null), clipped.
            hi = max(int(x.max()), 0)
            if hi < 1 << 16:
                values = np.arange(-1, hi + 1)
                table = self._spans_of(values.astype(np.float64), node, kind)
                return np.take(table, x + 1, mode="clip")
        return self._spans_of(x, node, kind)

    def _spans_of(self, x: Any, node: Spans, kind: str) -> Any:
        np = self.np
        out = self._null(kind, len(x))
        done = np.zeros(len(x), bool)
        with np.errstate(invalid="ignore"):
            for lo, hi, v in node.rows:
                inside = x >= lo
                if hi is not None:
                    inside &= x <= hi
                inside &= ~done
                out[inside] = _rep(v)
                done |= inside
        return out


@frozen
class _Scored:
    """Engine-neutral results: per output, its node and per-row values; the error kinds."""

    outputs: Sequence[tuple[str, Domain]]  #: Output name and its declared domain.
    values: list[Any]
    bad_rows: Any  #: Indexes of invalid rows, or None.
    kinds: Any  #: Per row, the index of its message in ``texts`` (-1: valid), or None.
    texts: list[str]


def _score_columns(
    np: Any, n: int, fields: Mapping[str, _Column], names: Mapping[str, str], opts: _Options,
) -> _Scored:
    """Score read columns (*names*: field -> the caller's column name)."""
    nodes = _plan_nodes(fields, opts)
    outputs = [(opts.name(name), domain) for name, domain in _declared(opts.ids)]
    ev = _Eval(np, n, fields, fuse=True)
    values = ev.run([node for _, node in nodes])
    # A NULL node (its inputs are absent) takes the declared domain's null.
    values = [ev._null(_kind(domain)) if node is NULL else v
              for (_, node), (_, domain), v in zip(nodes, outputs, values, strict=True)]
    bits = [(names[name], _FIELDS[name], bad) for name, col in fields.items()
            for bad in [col.bad_rows(np)] if bad is not None]
    if not bits:
        return _Scored(outputs, values, None, None, [])
    mask = np.zeros(n, np.int64)
    for i, (_, _, bad) in enumerate(bits):
        mask |= bad.astype(np.int64) << i
    rows = np.flatnonzero(mask)
    combos, inverse = np.unique(mask[rows], return_inverse=True)
    texts = [_message((c, s) for i, (c, s, _) in enumerate(bits) if int(k) >> i & 1)
             for k in combos]
    kinds = np.full(n, -1, np.int32)
    kinds[rows] = inverse.ravel()
    return _Scored(outputs, values, rows, kinds, texts)


def _output_arrays(
    np: Any, scored: _Scored, invalid: str = "row"
) -> list[tuple[str, Domain, Any, Any]]:
    """Per output ``(name, domain, data, mask)``: int16 totals with a null mask, or int8 codes with
    -1 for null (mask None); invalid rows are null everywhere (unless ``invalid="cell"``: an
    invalid cell was read as absent)."""
    out = []
    rows = scored.bad_rows if invalid == "row" else None
    for (name, domain), values in zip(scored.outputs, scored.values, strict=True):
        if _kind(domain) == "c":
            codes = values.astype(np.int8, copy=False)
            if rows is not None:
                codes = codes.copy() if codes is values else codes
                codes[rows] = -1
            out.append((name, domain, codes, None))
        else:
            mask = values < 0 if values.dtype.kind != "f" else np.isnan(values)
            if rows is not None:
                mask[rows] = True
            data = values.astype(np.int16, copy=False) if values.dtype.kind != "f" else \
                np.where(mask, 0, values).astype(np.int16)
            out.append((name, domain, data, mask))
    return out


def _add_errors(np: Any, n: int, scored: _Scored, extra: Mapping[int, str]) -> _Scored:
    """*scored* with more error text for some rows (appended to their message, if any)."""
    kinds = scored.kinds.copy() if scored.kinds is not None else np.full(n, -1, np.int32)
    texts = list(scored.texts)
    known: dict[str, int] = {}
    for row, part in extra.items():
        base = texts[kinds[row]] if kinds[row] >= 0 else None
        text = f"{base}; {part}" if base else f"invalid input: {part}"
        kind = known.get(text)
        if kind is None:
            kind = known[text] = len(texts)
            texts.append(text)
        kinds[row] = kind
    return evolve(scored, bad_rows=np.flatnonzero(kinds >= 0), kinds=kinds, texts=texts)


