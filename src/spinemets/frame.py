"""Cohort scoring: one call scores a whole DataFrame (interchange §7).

:func:`score_frame` takes one row per case with a single lesion (the case fields of interchange §1
and the lesion fields of §1.1 as columns) and returns, row for row, every summed score's total and
band, the ESCC grade and class, the two NOMS codes and an ``error`` column.

How it works — one definition, two evaluators:

1. A **plan** is built from the same tables the scalar scores read: each instrument's
   ``Item.rows`` (enum tuples or :class:`~spinemets._table.Span` ranges), ``BANDS``, the histology
   defaults (``tomita.GROWTH_DEFAULTS``, ``recommend.grid.RADIOSENSITIVITY_DEFAULTS``), the NOMS
   cells (``RADIATION_CELLS``, ``STABILIZATION_CELLS``), ``scales.ECOG_TO_KPS`` and, for
   validation, the :class:`~spinemets._fields.FieldSpec` of every column. The plan is a small
   graph of null-propagating nodes (look-up, span look-up, sum, coalesce, ...); no point value is
   written here. Instruments whose items are plain look-ups of one field are built generically;
   derived items (Tomita growth default and bone item, KPS from ECOG) have small builders.
2. The plan is evaluated either as **narwhals expressions** (Polars eager and lazy, PySpark,
   DuckDB and every other engine narwhals supports lazily) or, for pandas, by a **NumPy
   evaluator** that reads each column once (categorical columns through their categories, string
   columns through their distinct values) and computes on small integer codes. Dask runs the
   pandas evaluator per partition (``map_partitions`` with the output schema as ``meta``).

Invalid cells never raise and never drop a row: the row's scores are null and ``error`` names the
offending columns (the caller's names when ``columns=`` renames them). NaN, None and ``pd.NA``
mean "not assessed"; only here an integer cell 0, 2 or 3 in ``escc`` reads as that grade.
"""

from __future__ import annotations

import enum
import importlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any, Final

from attrs import frozen

from ._fields import _MISSING, CASE_FIELDS, LESION_FIELDS, FieldSpec
from ._table import Item, Span
from .policy import DEFAULT_POLICY, EsccIntermediateAs, Policy
from .recommend.grid import (
    RADIATION_CELLS,
    RADIOSENSITIVITY_DEFAULTS,
    STABILIZATION_CELLS,
    Radiation,
    Stabilization,
)
from .results import EsccClass
from .scales import ECOG_TO_KPS
from .scores import SUMMED, escc, sins, tomita
from .vocab import EcogToKps, EsccGrade, Radiosensitivity, TomitaGrowth

__all__ = ["NOMS", "output_columns", "score_frame", "supported_scores"]

#: The pseudo score id that selects the two NOMS columns (they bring ``sins`` and ``escc``).
NOMS: Final = "noms"

_FIELDS: Final[dict[str, FieldSpec]] = {f.name: f for f in (*CASE_FIELDS, *LESION_FIELDS)}

# --------------------------------------------------------------------------------------------
# The plan: a graph of null-propagating nodes. A node's domain is an enum class (its values are
# members), ``bool``, ``int`` (small integers: points, keys) or ``float`` (numeric input fields).
# --------------------------------------------------------------------------------------------

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
class Eq(Node):
    """``x == value`` (bool); null when *x* is null."""

    x: Node
    value: Any


@frozen(eq=False)
class When(Node):
    """*then* where *cond* is true, else *otherwise* (a null condition counts as false)."""

    cond: Node
    then: Node
    otherwise: Node


@frozen(eq=False)
class Coalesce(Node):
    first: Node
    second: Node


@frozen(eq=False)
class IsNull(Node):
    """Whether *x* is null (never null itself)."""

    x: Node


def lookup(x: Node, table: Mapping[Any, Any], domain: Domain) -> Node:
    if x is NULL or not table:
        return NULL
    return Lookup(domain, x, tuple(table.items()))


def spans(x: Node, rows: Iterable[tuple[int, int | None, Any]], domain: Domain) -> Node:
    return NULL if x is NULL else Spans(domain, x, tuple(rows))


def add(*terms: Node) -> Node:
    if any(t is NULL for t in terms):
        return NULL
    domain = float if any(t.domain is float for t in terms) else int
    return terms[0] if len(terms) == 1 else Add(domain, tuple(terms))


def mul(x: Node, k: int) -> Node:
    return NULL if x is NULL else Mul(x.domain, x, k)


def eq(x: Node, value: Any) -> Node:
    return NULL if x is NULL else Eq(bool, x, value)


def when(cond: Node, then: Node, otherwise: Node) -> Node:
    if cond is NULL:
        return otherwise
    if then is NULL and otherwise is NULL:
        return NULL
    return When(then.domain if then is not NULL else otherwise.domain, cond, then, otherwise)


def coalesce(first: Node, second: Node) -> Node:
    if first is NULL:
        return second
    if second is NULL:
        return first
    return Coalesce(first.domain, first, second)


def const(value: Any) -> Node:
    return Const(type(value) if isinstance(value, enum.Enum) else int, value)


# --------------------------------------------------------------------------------------------
# Builders: from the scores' tables to plan nodes.
# --------------------------------------------------------------------------------------------


class _Plan:
    """Plan nodes for the fields present in one frame (absent fields are NULL)."""

    def __init__(self, present: Iterable[str], policy: Policy) -> None:
        self.present = frozenset(present)
        self.policy = policy
        self._fields: dict[str, Node] = {}

    def field(self, name: str) -> Node:
        if name not in self.present:
            return NULL
        node = self._fields.get(name)
        if node is None:
            spec = _FIELDS[name]
            domain: Domain = {"code": spec.codes, "bool": bool}.get(spec.kind, float)  # type: ignore[assignment]
            node = self._fields[name] = FieldRef(domain, name)
        return node


def _field_of(item: Item) -> str:
    """The interchange field a plain look-up item reads: its key, or the field of its codes."""
    if item.key in _FIELDS:
        return item.key
    classes = {type(m) for row in item.rows if isinstance(row.when, tuple) for m in row.when}
    names = [f.name for f in _FIELDS.values() if f.codes is not None and f.codes in classes]
    if len(classes) == 1 and len(names) == 1:
        return names[0]
    raise LookupError(f"item {item.key!r} does not read one interchange field")


def _item_table(item: Item, x: Node) -> Node:
    """Points of a plain look-up item: enum rows through a table, span rows through spans."""
    if all(isinstance(row.when, Span) for row in item.rows):
        rows = [(r.when.lo, r.when.hi, r.points) for r in item.rows if isinstance(r.when, Span)]
        return spans(x, rows, int)
    if any(isinstance(row.when, Span) for row in item.rows):  # pragma: no cover - no such table
        raise LookupError(f"item {item.key!r} mixes code rows and spans")
    return lookup(x, {m: row.points for row in item.rows for m in row.when}, int)  # type: ignore[union-attr]


def _generic_item(plan: _Plan, item: Item) -> Node:
    return _item_table(item, plan.field(_field_of(item)))


def _kps_item(plan: _Plan, item: Item) -> Node:
    """KPS-banded item (``_common.kps_item``): ``kps``, else ECOG through the named conversion
    when the converted range lies inside one row, else null."""
    kps = plan.field("kps")
    from_kps = _item_table(item, kps)
    radix = 1 + max(r.ecog for r in ECOG_TO_KPS)
    conversions = list(EcogToKps)
    table = {}
    for r in ECOG_TO_KPS:
        row = item.row_covering(r.lo, r.hi)
        if row is not None:
            table[conversions.index(r.conversion) * radix + r.ecog] = row.points
    conv = lookup(plan.field("ecog_to_kps"), {c: i for i, c in enumerate(conversions)}, int)
    from_ecog = lookup(add(mul(conv, radix), plan.field("ecog")), table, int)
    return from_ecog if kps is NULL else when(IsNull(bool, kps), from_ecog, from_kps)


def _defaults(plan: _Plan, rows: Iterable[Any], domain: Domain) -> Node:
    """The histology default of a ``DefaultRow`` table."""
    return lookup(plan.field("histology"), {h: row.value for row in rows for h in row.when}, domain)


def _tomita_growth(plan: _Plan, item: Item) -> Node:
    growth = coalesce(plan.field("tomita_growth"),
                      _defaults(plan, tomita.GROWTH_DEFAULTS, TomitaGrowth))
    return _item_table(item, growth)


def _tomita_bone(plan: _Plan, item: Item) -> Node:
    """Solitary when isolated, or when the two counts sum to 1; multiple otherwise; null when a
    count is missing (and not isolated)."""
    solitary, multiple = tomita.BoneMetastases.SOLITARY_OR_ISOLATED, tomita.BoneMetastases.MULTIPLE
    counts = add(plan.field("extraspinal_bone_metastases"), plan.field("vertebral_metastases"))
    by_counts = lookup(eq(counts, 1), {True: solitary, False: multiple}, tomita.BoneMetastases)
    kind = when(eq(plan.field("bone_metastases_isolated"), True), const(solitary), by_counts)
    return _item_table(item, kind)


ItemBuilder = Callable[[_Plan, Item], Node]

#: Items that are not a plain look-up of one field, by (score id, item key).
_SPECIAL_ITEMS: Final[dict[tuple[str, str], ItemBuilder]] = {
    ("tomita", "growth"): _tomita_growth,
    ("tomita", "bone"): _tomita_bone,
    ("tokuhashi_1990", "general_condition"): _kps_item,
    ("tokuhashi_2005", "general_condition"): _kps_item,
}

#: Summed instruments whose total is the plain sum of their items (every item either a plain
#: look-up or listed in ``_SPECIAL_ITEMS``). An instrument of ``SUMMED`` not listed here is not
#: offered by :func:`score_frame` yet.
_PLAIN_SUMS: Final = frozenset({"tomita", "tokuhashi_1990", "tokuhashi_2005", "sins"})


def _summed(plan: _Plan, module: ModuleType) -> tuple[Node, Node]:
    items = [
        _SPECIAL_ITEMS.get((module.ID, item.key), _generic_item)(plan, item)
        for item in module.ITEMS
    ]
    total = add(*items)
    band = spans(total, ((b.lo, b.hi, b.code) for b in module.BANDS), module.Band)
    return total, band


def supported_scores() -> tuple[str, ...]:
    """The score ids :func:`score_frame` computes, in output order (plus ``"noms"``)."""
    return (*(m.ID for m in SUMMED if m.ID in _PLAIN_SUMS), escc.ID, NOMS)


def _selected(scores: Iterable[str] | None) -> tuple[str, ...]:
    """The score ids to compute for ``scores=``, in output order; NOMS brings sins and escc."""
    offered = supported_scores()
    if scores is None:
        wanted = set(offered)
    else:
        if isinstance(scores, str):
            scores = [scores]
        wanted = set(scores)
        unknown = sorted(wanted - set(offered))
        if unknown:
            raise ValueError(
                f"score_frame: unknown or unsupported score ids {unknown}; "
                f"choose from {list(offered)}"
            )
    if NOMS in wanted or {sins.ID, escc.ID} <= wanted:
        wanted |= {NOMS, sins.ID, escc.ID}
    return tuple(i for i in offered if i in wanted)


def _noms_class(code: EsccClass, policy: Policy) -> EsccClass:
    """The ESCC class the NOMS grid reads under *policy* (as ``recommend.noms``)."""
    if code is EsccClass.INTERMEDIATE and policy.escc_1c_as is not EsccIntermediateAs.INTERMEDIATE:
        return EsccClass(policy.escc_1c_as.value)
    return code


def _build(plan: _Plan, ids: Sequence[str]) -> list[tuple[str, Node]]:
    """Output column name -> plan node, in output order."""
    modules = [m for m in SUMMED if m.ID in ids]
    with_escc, with_noms = escc.ID in ids, NOMS in ids
    out: list[tuple[str, Node]] = []
    sins_band: Node = NULL
    for module in modules:
        total, band = _summed(plan, module)
        out += [(module.ID, total), (f"{module.ID}_band", band)]
        if module is sins:
            sins_band = band
    grade = plan.field("escc")
    classes = {g: row.code for row in escc.CLASSES for g in row.when}
    if with_escc:
        out += [("escc_grade", grade), ("escc_class", lookup(grade, classes, EsccClass))]
    if with_noms:
        policy = plan.policy
        radios: list[Radiosensitivity | None] = [*Radiosensitivity, None]
        fits: list[bool | None] = [True, False, None]
        radio = coalesce(plan.field("radiosensitivity"),
                         _defaults(plan, RADIOSENSITIVITY_DEFAULTS, Radiosensitivity))

        def digit(x: Node, values: list[Any]) -> Node:
            known = {v: i for i, v in enumerate(values) if v is not None}
            return coalesce(lookup(x, known, int), const(values.index(None)))

        class_list = list(EsccClass)
        noms_class = lookup(
            grade, {g: class_list.index(_noms_class(c, policy)) for g, c in classes.items()}, int
        )
        n = len(fits)
        fit = digit(plan.field("fit_for_surgery"), fits)
        key = add(mul(noms_class, len(radios) * n * n), mul(digit(radio, radios), n * n),
                  mul(fit, n), digit(plan.field("myelopathy"), fits))
        rad_table = {
            class_list.index(c) * len(radios) * n * n + radios.index(r) * n * n
            + fits.index(f) * n + fits.index(m): rule.radiation
            for (c, r, f, m), rule in RADIATION_CELLS.items()
        }
        bands = list(sins.Band)
        stab_key = add(mul(lookup(sins_band, {b: i for i, b in enumerate(bands)}, int), n), fit)
        stab_table = {bands.index(b) * n + fits.index(f): rule.stabilization
                      for (b, f), rule in STABILIZATION_CELLS.items()}
        out += [
            ("noms_radiation", coalesce(lookup(key, rad_table, Radiation),
                                        const(Radiation.UNDETERMINED))),
            ("noms_stabilization", coalesce(lookup(stab_key, stab_table, Stabilization),
                                            const(Stabilization.UNDETERMINED))),
        ]
    return out


def output_columns(scores: Iterable[str] | None = None) -> list[str]:
    """The output column names :func:`score_frame` adds for ``scores=``, in order."""
    plan = _Plan((), DEFAULT_POLICY)
    return [name for name, _ in _build(plan, _selected(scores))] + ["error"]


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
    if isinstance(node, Lookup | Spans | Mul | Eq | IsNull):
        return (node.x,)
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, When):
        return (node.cond, node.then, node.otherwise)
    if isinstance(node, Coalesce):
        return (node.first, node.second)
    return ()


# --------------------------------------------------------------------------------------------
# Reading cells: the same strict rules as JSON (FieldSpec.parse), plus the DataFrame extras.
# --------------------------------------------------------------------------------------------


def parse_cell(spec: FieldSpec, raw: Any) -> Any:
    """One DataFrame cell: the typed value, ``None`` (not assessed) or ``_MISSING`` (invalid).

    NaN, None, ``pd.NA`` and ``NaT`` mean not assessed; NumPy scalars read as their Python
    values; an integer 0, 2 or 3 (or the same whole float) in ``escc`` reads as that grade.
    """
    if raw is None:
        return None
    item = getattr(raw, "item", None)
    if item is not None and type(raw).__module__ == "numpy":
        raw = item()
    if type(raw) is float and math.isnan(raw):
        return None
    if type(raw).__name__ in ("NAType", "NaTType"):
        return None
    if spec.codes is EsccGrade and type(raw) in (int, float):
        if raw in (0, 2, 3):
            return EsccGrade(str(int(raw)))
        return _MISSING
    return spec.parse(raw)


def _message(names: Iterable[tuple[str, FieldSpec]]) -> str:
    return "invalid input: " + "; ".join(f"{col}: must be {spec.allowed}" for col, spec in names)


# --------------------------------------------------------------------------------------------
# The NumPy evaluator (pandas, and Dask partitions).
# --------------------------------------------------------------------------------------------

_SAFE_OBJECT_KINDS: Final = frozenset(
    {"string", "empty", "boolean", "integer", "floating", "mixed-integer-float", "decimal"}
)
#: Largest product of input domains evaluated once per combination and then gathered per row.
_FUSE_LIMIT: Final = 16384


def _rep(value: Any) -> Any:
    """A value's NumPy representation: members by index, booleans as 0/1."""
    if isinstance(value, enum.Enum):
        return _member_index(type(value))[value]
    if isinstance(value, bool):
        return int(value)
    return value


_INDEX_CACHE: dict[type[enum.Enum], dict[enum.Enum, int]] = {}


def _member_index(cls: type[enum.Enum]) -> dict[enum.Enum, int]:
    index = _INDEX_CACHE.get(cls)
    if index is None:
        index = _INDEX_CACHE[cls] = {m: i for i, m in enumerate(cls)}
    return index


@frozen
class _Column:
    """One input column read once: per-row codes into a small table of its distinct cells.

    ``values``/``missing``/``bad`` have one entry per distinct cell plus a last entry for NA;
    ``codes`` (one per row, ``0 <= code < size``) index them.
    """

    codes: Any
    values: Any
    missing: Any
    bad: Any
    has_na: bool = True  #: Whether any row is NA (reads the last slot).

    @property
    def size(self) -> int:
        return len(self.values)


class _NumpyEval:
    """Evaluate plan nodes as ``(values, missing)`` NumPy arrays (``missing`` None = none).

    A sub-graph that reads only a few small columns is evaluated once per combination of their
    distinct cells (the same evaluator on a tiny grid) and gathered per row by a combined code:
    categorical columns are computed on their categories, never row by row.
    """

    def __init__(self, np: Any, n: int, columns: Mapping[str, _Column], *, fuse: bool) -> None:
        self.np = np
        self.n = n
        self.columns = columns
        self.fuse = fuse
        self.counts: dict[int, int] = {}
        self.memo: dict[int, tuple[Any, Any]] = {}
        self.leaves: dict[int, frozenset[str]] = {}

    def run(self, roots: Sequence[Node]) -> list[tuple[Any, Any]]:
        self.counts = _refcounts(roots)
        return [self.eval(root) for root in roots]

    def eval(self, node: Node) -> tuple[Any, Any]:
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

    def _leaves(self, node: Node) -> frozenset[str]:
        found = self.leaves.get(id(node))
        if found is None:
            if isinstance(node, FieldRef):
                found = frozenset({node.name})
            else:
                found = frozenset().union(*(self._leaves(c) for c in _children(node)))
            self.leaves[id(node)] = found
        return found

    def _fused(self, node: Node) -> tuple[Any, Any] | None:
        if isinstance(node, FieldRef | Const | _Null):
            return None
        names = sorted(self._leaves(node))
        if not names:
            return None
        sizes = [self.columns[name].size for name in names]
        if math.prod(sizes) > _FUSE_LIMIT:
            return None
        np = self.np
        grid = np.indices(sizes, dtype=np.int16).reshape(len(sizes), -1)
        sub = {name: _Column(grid[i], col.values, col.missing, col.bad)
               for i, name in enumerate(names) for col in (self.columns[name],)}
        table, table_missing = _NumpyEval(np, grid.shape[1], sub, fuse=False).run([node])[0]
        key = self.columns[names[0]].codes
        for name, size in zip(names[1:], sizes[1:], strict=True):
            key = key * np.int16(size) + self.columns[name].codes
        values = np.take(table, key)
        if table_missing is not None:
            # Combinations with an NA slot no row reads cannot make a row missing.
            used = np.ones(grid.shape[1], bool)
            for i, name in enumerate(names):
                if not self.columns[name].has_na:
                    used &= grid[i] != sizes[i] - 1
            if (table_missing & used).any():
                return values, np.take(table_missing, key)
        return values, None

    def _or(self, *masks: Any) -> Any:
        present = [m for m in masks if m is not None]
        if not present:
            return None
        out = present[0]
        for m in present[1:]:
            out = out | m
        return out

    def _eval(self, node: Node) -> tuple[Any, Any]:
        np = self.np
        if node is NULL:
            return np.zeros(self.n, np.int16), np.ones(self.n, bool)
        if isinstance(node, FieldRef):
            col = self.columns[node.name]
            missing = np.take(col.missing, col.codes)
            return np.take(col.values, col.codes), (missing if missing.any() else None)
        if isinstance(node, Const):
            return np.full(self.n, _rep(node.value), np.int16), None
        if isinstance(node, Lookup):
            x, miss = self.eval(node.x)
            keys = [_rep(k) for k, _ in node.table]
            size = max(max(keys), 0) + 2
            values = np.zeros(size, np.int16)
            ok = np.zeros(size, bool)
            for k, (_, v) in zip(keys, node.table, strict=True):
                if k >= 0:
                    values[k] = _rep(v)
                    ok[k] = True
            idx = x if x.dtype.kind in "iu" else np.nan_to_num(x, nan=-1.0).astype(np.intp)
            if idx.size and (idx.min() < 0 or idx.max() >= size):
                idx = np.clip(idx, -1, size - 1)  # -1 reads the last (empty) slot
            hit = np.take(ok, idx)
            return np.take(values, idx), self._or(miss, None if hit.all() else ~hit)
        if isinstance(node, Spans):
            x, miss = self.eval(node.x)
            out = np.zeros(self.n, np.int16)
            hit = np.zeros(self.n, bool)
            for lo, hi, v in node.rows:
                inside = x >= lo
                if hi is not None:
                    inside &= x <= hi
                inside &= ~hit
                out[inside] = _rep(v)
                hit |= inside
            return out, self._or(miss, None if hit.all() else ~hit)
        if isinstance(node, Add):
            parts = [self.eval(t) for t in node.terms]
            total = parts[0][0]
            for arr, _ in parts[1:]:
                total = total + arr
            return total, self._or(*(m for _, m in parts))
        if isinstance(node, Mul):
            x, miss = self.eval(node.x)
            return x * node.k, miss
        if isinstance(node, Eq):
            x, miss = self.eval(node.x)
            return (x == _rep(node.value)).astype(np.int8), miss
        if isinstance(node, IsNull):
            _, miss = self.eval(node.x)
            return (np.zeros(self.n, np.int8) if miss is None else miss.astype(np.int8)), None
        if isinstance(node, When):
            c, cmiss = self.eval(node.cond)
            cond = c.astype(bool) if cmiss is None else c.astype(bool) & ~cmiss
            a, amiss = self.eval(node.then)
            b, bmiss = self.eval(node.otherwise)
            arr = np.where(cond, a, b)
            if amiss is None and bmiss is None:
                return arr, None
            amiss = np.zeros(self.n, bool) if amiss is None else amiss
            bmiss = np.zeros(self.n, bool) if bmiss is None else bmiss
            return arr, np.where(cond, amiss, bmiss)
        if isinstance(node, Coalesce):
            a, amiss = self.eval(node.first)
            if amiss is None:
                return a, None
            b, bmiss = self.eval(node.second)
            return np.where(amiss, b, a), (None if bmiss is None else amiss & bmiss)
        raise TypeError(f"unknown plan node {node!r}")  # pragma: no cover


def _small_codes(np: Any, codes: Any, size: int) -> Any:
    """Codes with NA (-1) moved to the last slot, in the smallest integer type."""
    dtype = np.int16 if size <= np.iinfo(np.int16).max else np.int32
    out = codes.astype(dtype)
    out[out < 0] = size - 1
    return out


def _column_codes(pd: Any, np: Any, series: Any) -> tuple[Any, list[Any]]:
    """``(codes, distinct cells)``: each cell as an index into its distinct values (-1 = NA).

    Categorical columns are read through their categories; Arrow strings through a dictionary
    encoding; booleans and small whole-numbered columns arithmetically; others through
    ``pd.factorize``. Object columns that mix booleans with numbers (which factorize would
    merge) are read cell by cell.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), list(dtype.categories)
    if dtype == np.dtype(object):
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind not in _SAFE_OBJECT_KINDS:
            return np.arange(len(series)), list(series)
    elif getattr(dtype, "storage", None) == "pyarrow" or type(dtype).__name__ == "ArrowDtype":
        pa = importlib.import_module("pyarrow")
        arr = pa.array(series.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            encoded = arr.dictionary_encode()
            codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
            return codes, encoded.dictionary.to_pylist()
    elif dtype.kind == "b":
        if isinstance(dtype, np.dtype):
            return series.to_numpy().view(np.int8), [False, True]
        data = series.to_numpy(dtype=np.int8, na_value=-1)
        return data, [False, True]
    elif isinstance(dtype, np.dtype) and dtype.kind in "iuf" and len(series):
        values = series.to_numpy()
        nan = np.isnan(values) if dtype.kind == "f" else None
        if nan is None or not nan.all():
            lo, hi = np.nanmin(values), np.nanmax(values)
            whole = np.floor(values) == values
            if nan is not None:
                whole |= nan
            if math.isfinite(lo) and math.isfinite(hi) and hi - lo <= _FUSE_LIMIT \
                    and whole.all():
                codes = (values - lo).astype(np.int32) if nan is None else \
                    np.where(nan, -1, np.nan_to_num(values - lo)).astype(np.int32)
                cast = float if dtype.kind == "f" else int
                return codes, [cast(lo + i) for i in range(int(hi - lo) + 1)]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, list(uniques)


def _read_field(pd: Any, np: Any, spec: FieldSpec, series: Any) -> _Column:
    """A column read once into a :class:`_Column` in the plan's NumPy representation."""
    codes, uniques = _column_codes(pd, np, series)
    numeric = spec.kind in ("int", "number")
    values = np.zeros(len(uniques) + 1, np.float64 if numeric else np.int16)
    missing = np.ones(len(uniques) + 1, bool)  # the last slot is NA (code -1)
    bad = np.zeros(len(uniques) + 1, bool)
    for i, raw in enumerate(uniques):
        value = parse_cell(spec, raw)
        if value is _MISSING:
            bad[i] = True
        elif value is not None:
            values[i] = _rep(value)
            missing[i] = False
    small = _small_codes(np, codes, len(values))
    has_na = bool(len(codes)) and bool(codes.min() < 0)
    return _Column(small, values, missing | bad, bad, has_na)


def _error_column(pd: Any, n: int, error: Any) -> Any:
    """The ``error`` column: pandas' default string dtype (object before pandas 3)."""
    if _pandas_version(pd) < (3, 0):
        return error if error is not None else pd.array([None] * n, dtype=object)
    pa = importlib.import_module("pyarrow")
    if error is None:
        array = pa.nulls(n, pa.large_string())
    else:
        array = pa.array(error, type=pa.large_string(), from_pandas=True)
    return pd.array(array, dtype="str")


def _pandas_version(pd: Any) -> tuple[int, ...]:
    return tuple(int(p) for p in pd.__version__.split(".")[:2] if p.isdigit())


def _score_pandas(
    df: Any,
    ids: Sequence[str],
    keep_input: bool,
    mapping: Mapping[str, str],
    policy: Policy,
) -> Any:
    pd = importlib.import_module("pandas")
    np = importlib.import_module("numpy")
    n = len(df)
    present = {field: col for col, field in mapping.items() if col in df.columns}
    fields: dict[str, _Column] = {}
    bits: list[tuple[str, FieldSpec, Any]] = []
    for name, col in present.items():
        spec = _FIELDS[name]
        fields[name] = column = _read_field(pd, np, spec, df[col])
        if column.bad.any():
            bad = column.bad[column.codes]
            if bad.any():
                bits.append((str(col), spec, bad))
    plan = _Plan(present, policy)
    outputs = _build(plan, ids)
    results = _NumpyEval(np, n, fields, fuse=True).run([node for _, node in outputs])
    any_bad = None
    error = None
    if bits:
        error = np.full(n, None, dtype=object)
        any_bad = np.zeros(n, bool)
        mask = np.zeros(n, np.int64)
        for i, (_, _, bad) in enumerate(bits):
            any_bad |= bad
            mask |= bad.astype(np.int64) << i
        rows = np.flatnonzero(any_bad)
        kinds, inverse = np.unique(mask[rows], return_inverse=True)
        texts = np.array(
            [_message((c, s) for i, (c, s, _) in enumerate(bits) if int(k) >> i & 1)
             for k in kinds],
            dtype=object,
        )
        error[rows] = texts[inverse.ravel()]
    columns: dict[str, Any] = {}
    for (name, node), (arr, miss) in zip(outputs, results, strict=True):
        if any_bad is not None:
            miss = any_bad if miss is None else miss | any_bad
        if isinstance(node.domain, type) and issubclass(node.domain, enum.Enum):
            codes = arr.astype(np.int8) if miss is None else np.where(miss, -1, arr).astype(np.int8)
            dtype = pd.CategoricalDtype(pd.Index([m.value for m in node.domain], dtype=object))
            columns[name] = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
        elif miss is None:
            columns[name] = pd.arrays.IntegerArray(arr.astype(np.int16), np.zeros(n, bool))
        else:
            data = np.where(miss, 0, arr).astype(np.int16)
            columns[name] = pd.arrays.IntegerArray(data, np.asarray(miss, bool))
    columns["error"] = _error_column(pd, n, error)
    out = pd.DataFrame(columns, index=df.index, copy=False)
    if keep_input:
        kept = df.drop(columns=[c for c in out.columns if c in df.columns])
        out = pd.concat([kept, out], axis=1)
    return out


# --------------------------------------------------------------------------------------------
# The narwhals evaluator (Polars eager and lazy, PySpark, DuckDB, ...).
# --------------------------------------------------------------------------------------------

_TMP: Final = "__spinemets_"


def _nw_rep(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _nw_field(nw: Any, spec: FieldSpec, col: str, dtype: Any) -> tuple[Any, Any]:
    """``(value, bad)`` expressions for one input column, by its dtype."""
    c = nw.col(col)
    is_float = dtype.is_float()
    present = (~c.is_null() & ~c.is_nan()) if is_float else ~c.is_null()
    stringy = dtype == nw.String or dtype == nw.Categorical or isinstance(dtype, nw.Enum)
    numeric = dtype.is_numeric() and dtype != nw.Boolean
    none = nw.lit(None)
    if spec.kind == "code":
        assert spec.codes is not None
        codes = [m.value for m in spec.codes]
        if stringy:
            s = c if dtype == nw.String else c.cast(nw.String)
            ok = s.is_in(codes).fill_null(value=False)
            return nw.when(ok).then(s), ~s.is_null() & ~ok
        if spec.codes is EsccGrade and numeric:
            value: Any = none
            for number in (3, 2, 0):
                value = nw.when(c == number).then(nw.lit(str(number))).otherwise(value)
            ok = c.is_in([0, 2, 3]).fill_null(value=False)
            return value, present & ~ok
        return none, present
    if spec.kind == "bool":
        if dtype == nw.Boolean:
            return c, nw.lit(value=False)
        return none, present
    if not numeric:
        return none, present
    ok = c.is_finite() if is_float else nw.lit(value=True)
    if spec.minimum is not None:
        ok &= c >= spec.minimum
    if spec.exclusive_minimum is not None:
        ok &= c > spec.exclusive_minimum
    if spec.maximum is not None:
        ok &= c <= spec.maximum
    if spec.kind == "int" and is_float:
        ok &= c == c.floor()
    if spec.multiple_of:
        ok &= (c % spec.multiple_of) == 0
    ok = ok.fill_null(value=False)
    value = nw.when(ok).then(c)
    if spec.kind == "int" and is_float:
        value = value.cast(nw.Int64)
    return value, present & ~ok


class _NwEval:
    """Translate plan nodes to narwhals expressions; shared nodes become staged columns."""

    def __init__(self, nw: Any, columns: Mapping[int, str]) -> None:
        self.nw = nw
        self.columns = columns  # id(node) -> a staged column holding its value

    def expr(self, node: Node) -> Any:
        nw = self.nw
        staged = self.columns.get(id(node))
        if staged is not None:
            return nw.col(staged)
        if node is NULL:
            return nw.lit(None)
        if isinstance(node, FieldRef):  # pragma: no cover - fields are always staged
            raise AssertionError(node.name)
        if isinstance(node, Const):
            return nw.lit(_nw_rep(node.value))
        if isinstance(node, Lookup | Spans):
            x = self.expr(node.x)
            groups: dict[Any, list[Any]] = {}
            conds: list[tuple[Any, Any]] = []
            if isinstance(node, Lookup):
                for k, v in node.table:
                    groups.setdefault(_nw_rep(v), []).append(_nw_rep(k))
                conds = [(x.is_in(keys), v) for v, keys in groups.items()]
            else:
                for lo, hi, v in node.rows:
                    cond = x >= lo if hi is None else (x >= lo) & (x <= hi)
                    conds.append((cond, _nw_rep(v)))
            result: Any = None
            for cond, v in reversed(conds):
                step = nw.when(cond).then(nw.lit(v))
                result = step if result is None else step.otherwise(result)
            return result
        if isinstance(node, Add):
            total = self.expr(node.terms[0])
            for t in node.terms[1:]:
                total = total + self.expr(t)
            return total
        if isinstance(node, Mul):
            return self.expr(node.x) * node.k
        if isinstance(node, Eq):
            return self.expr(node.x) == _nw_rep(node.value)
        if isinstance(node, IsNull):
            return self.expr(node.x).is_null()
        if isinstance(node, When):
            return nw.when(self.expr(node.cond)).then(self.expr(node.then)).otherwise(
                self.expr(node.otherwise))
        if isinstance(node, Coalesce):
            return nw.coalesce(self.expr(node.first), self.expr(node.second))
        raise TypeError(f"unknown plan node {node!r}")  # pragma: no cover


def _depths(roots: Sequence[Node]) -> dict[int, int]:
    depth: dict[int, int] = {}

    def visit(node: Node) -> int:
        if id(node) not in depth:
            depth[id(node)] = 1 + max((visit(c) for c in _children(node)), default=0)
        return depth[id(node)]

    for root in roots:
        visit(root)
    return depth


def _score_narwhals(
    native: Any,
    ids: Sequence[str],
    keep_input: bool,
    mapping: Mapping[str, str],
    policy: Policy,
) -> Any:
    nw = importlib.import_module("narwhals")
    frame = nw.from_native(native)
    schema = frame.collect_schema()
    names = list(schema.names())
    present = {field: col for col, field in mapping.items() if col in schema}
    plan = _Plan(present, policy)
    outputs = _build(plan, ids)
    roots = [node for _, node in outputs]

    # Stage 1: every present field read once into a typed column, plus its "bad" flag.
    stage1: list[Any] = []
    staged: dict[int, str] = {}
    bad_exprs: list[tuple[str, FieldSpec, Any]] = []
    for name, col in present.items():
        spec = _FIELDS[name]
        value, bad = _nw_field(nw, spec, col, schema[col])
        tmp = f"{_TMP}{name}"
        stage1.append(value.alias(tmp))
        staged[id(plan.field(name))] = tmp
        bad_exprs.append((str(col), spec, bad))
    ok_name, error_name = f"{_TMP}ok", f"{_TMP}error"
    if bad_exprs:
        any_bad = bad_exprs[0][2]
        for _, _, bad in bad_exprs[1:]:
            any_bad = any_bad | bad
        parts = [nw.when(bad).then(nw.lit(f"{col}: must be {spec.allowed}"))
                 for col, spec, bad in bad_exprs]
        text = nw.concat_str(parts, separator="; ", ignore_nulls=True)
        stage1.append((~any_bad).alias(ok_name))
        message = nw.concat_str([nw.lit("invalid input: "), text])
        stage1.append(nw.when(any_bad).then(message).alias(error_name))
    else:
        stage1.append(nw.lit(value=True).alias(ok_name))
        stage1.append(nw.lit(None, dtype=nw.String).alias(error_name))
    frame = frame.with_columns(stage1)

    # Shared nodes (totals read by bands and NOMS, ...) become columns, shallowest first.
    counts = _refcounts(roots)
    depth = _depths(roots)
    shared = [n for n in _walk(roots) if counts[id(n)] > 1 and id(n) not in staged
              and not isinstance(n, Const | _Null)]
    ev = _NwEval(nw, staged)
    for level in sorted({depth[id(n)] for n in shared}):
        batch = [n for n in shared if depth[id(n)] == level]
        exprs = [ev.expr(n).alias(f"{_TMP}n{i}_{level}") for i, n in enumerate(batch)]
        frame = frame.with_columns(exprs)
        for i, n in enumerate(batch):
            staged[id(n)] = f"{_TMP}n{i}_{level}"

    ok = nw.col(ok_name)
    final: list[Any] = []
    for name, node in outputs:
        expr = ev.expr(node)
        if node.domain is int:
            expr = expr.cast(nw.Int16)
            dtype = nw.Int16
        else:
            expr = expr.cast(nw.String)
            dtype = nw.String
        final.append(nw.when(ok).then(expr).cast(dtype).alias(name))
    final.append(nw.col(error_name).cast(nw.String).alias("error"))
    out_names = [name for name, _ in outputs] + ["error"]
    kept = [nw.col(c) for c in names if c not in out_names] if keep_input else []
    return nw.to_native(frame.select([*kept, *final]))


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


# --------------------------------------------------------------------------------------------
# The entry point.
# --------------------------------------------------------------------------------------------


def _mapping(columns: Mapping[str, str] | None) -> dict[str, str]:
    """Caller column -> interchange field (identity for unmapped fields)."""
    mapping: dict[str, str] = {name: name for name in _FIELDS}
    if columns:
        for col, name in columns.items():
            if name not in _FIELDS:
                raise ValueError(
                    f"score_frame: columns={{{col!r}: {name!r}}} does not name an interchange "
                    "field (columns= maps your column names to the field names of interchange "
                    "§1 and §1.1)"
                )
            if mapping.get(name) == name:
                del mapping[name]
            mapping[col] = name
    targets = list(mapping.values())
    dups = sorted({t for t in targets if targets.count(t) > 1})
    if dups:
        raise ValueError(f"score_frame: several columns map to {dups}")
    return mapping


def _module_name(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def score_frame(
    df: Any,
    *,
    scores: Iterable[str] | None = None,
    keep_input: bool = False,
    columns: Mapping[str, str] | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Any:
    """Score every row of a DataFrame: one case with a single lesion per row (interchange §7).

    Args:
        df: a pandas, Polars (eager or lazy), Dask, PySpark or DuckDB frame (anything narwhals
            reads), or a narwhals frame. Columns named as interchange §1 / §1.1; missing optional
            columns are allowed; other columns are ignored.
        scores: score ids to compute (default: every supported one, see
            :func:`supported_scores`). ``"noms"`` adds ``noms_radiation`` and
            ``noms_stabilization`` and the seed scores they need (``sins``, ``escc``); selecting
            both ``sins`` and ``escc`` brings the NOMS columns too.
        keep_input: return the input columns first (output columns replace input columns of the
            same name).
        columns: ``{your_column: interchange_field}`` for frames whose names differ; error
            messages then name your column.
        policy: the :class:`~spinemets.policy.Policy` (its ESCC 1c choice drives
            ``noms_radiation``).

    Returns:
        A frame of the same kind and row order with, per summed score ``<id>`` (nullable Int16
        total, null when incomplete) and ``<id>_band``; ``escc_grade``, ``escc_class``;
        ``noms_radiation``, ``noms_stabilization``; ``error`` (null for a valid row, else a
        message naming each offending column). Codes are categorical on pandas and Dask, strings
        elsewhere. An invalid row has null scores and its error; nothing is raised for cell
        values.

    Raises:
        ValueError: for unknown ``scores`` ids or a ``columns`` mapping to no interchange field.

    .. versionadded:: 0.2.0
    """
    ids = _selected(scores)
    mapping = _mapping(columns)
    args = (ids, keep_input, mapping, policy)
    root = _module_name(df)
    if root == "narwhals":
        nw = importlib.import_module("narwhals")
        native = nw.to_native(df)
        return nw.from_native(score_frame(native, scores=scores, keep_input=keep_input,
                                          columns=columns, policy=policy))
    if root == "pandas":
        return _score_pandas(df, *args)
    if root == "dask":
        meta = _score_pandas(df._meta, *args)
        return df.map_partitions(_score_pandas, *args, meta=meta, enforce_metadata=False)
    return _score_narwhals(df, *args)
