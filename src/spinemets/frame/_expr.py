"""The expression evaluator: plan nodes as narwhals expressions (any engine narwhals supports,
and PySpark or DuckDB without NumPy and pyarrow), long form included.

Every present field is read once into a typed column with its "bad" flag; nodes shared by several
outputs (totals read by bands and NOMS) become columns, shallowest first; each output is one
expression.
"""

from __future__ import annotations

import enum
import functools
import importlib
import importlib.util
import operator
from collections.abc import Mapping
from typing import Any, Final

from .._fields import FieldSpec
from ..scores import escc, sins
from ..vocab import EsccGrade
from ._columns import _INT_BOUND
from ._long import _first, _lesion_fields_only, _no_lesion_columns, _require_key
from ._nodes import (
    _CMP,
    NULL,
    Add,
    Cmp,
    Coalesce,
    Const,
    FieldRef,
    Lookup,
    Min,
    Mul,
    Node,
    Spans,
    Strict,
    _depths,
    _Null,
    _refcounts,
    _walk,
)
from ._options import _ESCC_WORST, _FIELDS, _PSEUDO, _SINS_TOTAL, FrameError, _Options, _present
from ._plan import _build, _declared, _Plan

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
    # A typed null: an all-null column (dtype Unknown on pyarrow) must still compare with codes.
    none = nw.lit(None, dtype={"code": nw.String, "bool": nw.Boolean, "int": nw.Int64}.get(
        spec.kind, nw.Float64))
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
    if dtype == nw.Float32:  # through the shortest decimal: cut-offs compare as written
        c = c.cast(nw.String).cast(nw.Float64)
    ok = c.is_finite() if is_float else nw.lit(value=True)
    if spec.kind == "int" or dtype.is_integer():
        ok &= c.abs() < _INT_BOUND
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
            return nw.lit(None) if result is None else result
        if isinstance(node, Add):
            total = self.expr(node.terms[0])
            for t in node.terms[1:]:
                total = total + self.expr(t)
            return total
        if isinstance(node, Mul):
            return self.expr(node.x) * node.k
        if isinstance(node, Min):
            x = self.expr(node.x)
            return nw.when(x > node.k).then(nw.lit(node.k)).otherwise(x)
        if isinstance(node, Cmp):
            return _CMP[node.op](self.expr(node.x), node.value)
        if isinstance(node, Strict):
            known = functools.reduce(operator.and_, (~self.expr(d).is_null() for d in node.deps))
            return nw.when(known).then(self.expr(node.x))
        if isinstance(node, Coalesce):
            return nw.coalesce(self.expr(node.first), self.expr(node.second))
        raise TypeError(f"unknown plan node {node!r}")  # pragma: no cover


def _score_narwhals(native: Any, opts: _Options, lesions: Any = None, on: Any = None) -> Any:
    nw = importlib.import_module("narwhals")
    frame = nw.from_native(native)
    schema = frame.collect_schema()
    names = list(schema.names())
    present = _present(opts.mapping, names)
    extra_error = None
    if lesions is not None:
        frame, extra_error = _nw_long_frame(nw, frame, present, nw.from_native(lesions), on, opts)
        present = {**present, _SINS_TOTAL: _SINS_TOTAL, _ESCC_WORST: _ESCC_WORST}
        schema = frame.collect_schema()
        names = [c for c in schema.names() if not str(c).startswith(_TMP)]
    plan = _Plan(present, opts)
    outputs = _build(plan, opts.ids)
    roots = [node for _, node in outputs]

    # Stage 1: every present field read once into a typed column, plus its "bad" flag.
    stage1: list[Any] = []
    staged: dict[int, str] = {}
    bad_exprs: list[tuple[str, FieldSpec, Any]] = []
    for name, col in present.items():
        if name in _PSEUDO:  # computed from the lesion frame: always valid
            staged[id(plan.field(name))] = col
            continue
        spec = _FIELDS[name]
        value, bad = _nw_field(nw, spec, col, schema[col])
        tmp = f"{_TMP}{name}"
        stage1.append(value.alias(tmp))
        staged[id(plan.field(name))] = tmp
        bad_exprs.append((str(col), spec, bad))
    ok_name, error_name = f"{_TMP}ok", f"{_TMP}error"
    if bad_exprs or extra_error is not None:
        bads = [bad for _, _, bad in bad_exprs]
        if extra_error is not None:
            bads.append(~nw.col(extra_error).is_null())
        any_bad = functools.reduce(operator.or_, bads)
        parts = [nw.when(bad).then(nw.lit(f"{col}: must be {spec.allowed}"))
                 for col, spec, bad in bad_exprs]
        if extra_error is not None:
            parts.append(nw.col(extra_error))
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

    ok = nw.col(ok_name) if opts.invalid == "row" else nw.lit(value=True)
    final: list[Any] = []
    for (name, node), (_, domain) in zip(outputs, _declared(opts.ids), strict=True):
        expr = ev.expr(node)
        if domain is int:
            expr = expr.cast(nw.Int16)
            dtype = nw.Int16
        else:
            expr = expr.cast(nw.String)
            dtype = nw.String
        final.append(nw.when(ok).then(expr).cast(dtype).alias(opts.name(name)))
    final.append(nw.col(error_name).cast(nw.String).alias(opts.name("error")))
    out_names = [opts.name(name) for name, _ in outputs] + [opts.name("error")]
    kept = [nw.col(c) for c in names if c not in out_names] if opts.keep_input else []
    if lesions is not None and not opts.keep_input:  # rows are matched by the key
        kept = [nw.col(on)]
    return nw.to_native(frame.select([*kept, *final]))


def _nw_first(nw: Any, frame: Any, column: str) -> tuple[int, list[Any]]:
    """The number of rows of a narwhals frame and the first values of *column* (computed)."""
    found = frame.select(nw.col(column))
    count = found.select(nw.len().alias("n"))
    count = count.collect() if hasattr(count, "collect") else count
    first = found.head(5)
    first = first.collect() if hasattr(first, "collect") else first
    return int(count.item(0, "n")), first.get_column(column).to_list()


def _nw_long_frame(nw: Any, cases: Any, present: Mapping[str, Any], lesions: Any, on: Any,
                   opts: _Options) -> tuple[Any, str]:
    """Cases joined with their lesions' aggregates (engines without row order: the lesions'
    places are unknown, so an invalid lesion cell is named ``lesions[*].column``). The key
    checks run small queries at the call. Returns the frame and its lesion-error column."""
    lesion_names = list(lesions.collect_schema().names())
    _require_key(on, cases.collect_schema().names(), lesion_names)
    _no_lesion_columns(present)
    key = nw.col(on)
    for where, frame in (("case", cases), ("lesion", lesions)):
        count, _ = _nw_first(nw, frame.filter(key.is_null()), on)
        if count:
            raise FrameError(f"score_frame: {count} {where} row(s) have a null key {on!r}")
    dups = cases.group_by(on).agg(nw.len().alias(f"{_TMP}n")).filter(nw.col(f"{_TMP}n") > 1)
    count, first = _nw_first(nw, dups, on)
    if count:
        raise FrameError(f"score_frame: {count} key(s) of {on!r} appear in more than one case "
                         f"row (first keys: {_first(first)})")
    unmatched = lesions.join(cases.select(key), on=on, how="anti")
    count, first = _nw_first(nw, unmatched, on)
    if count:
        raise FrameError(f"score_frame: {count} lesion row(s) have a key {on!r} that matches "
                         f"no case (first keys: {_first(first)})")
    fields = _lesion_fields_only(_present(opts.mapping, lesion_names))
    schema = lesions.collect_schema()
    bad_columns = []
    for name, col in fields.items():
        _, bad = _nw_field(nw, _FIELDS[name], col, schema[col])
        bad_columns.append((f"{_TMP}bad_{name}", str(col), _FIELDS[name], bad))
    scored = nw.from_native(_score_narwhals(
        nw.to_native(lesions.select([key, *(nw.col(c) for c in fields.values())])),
        _Options((sins.ID, escc.ID), keep_input=True, mapping=opts.mapping,
                 policy=opts.policy)))
    grades = [g.value for g in EsccGrade]
    index: Any = nw.lit(None)
    for i, grade in reversed(list(enumerate(grades))):
        index = nw.when(nw.col("escc_grade") == grade).then(nw.lit(i)).otherwise(index)
    lesion_bad = [bad.cast(nw.Int32).alias(tmp) for tmp, _, _, bad in bad_columns]
    scored = scored.with_columns(
        nw.col(sins.ID).is_null().cast(nw.Int32).alias(f"{_TMP}s_null"),
        index.alias(f"{_TMP}g"),
        nw.col("escc_grade").is_null().cast(nw.Int32).alias(f"{_TMP}g_null"))
    # The bad flags are read from the raw lesion columns, beside the scored ones.
    raw = lesions.with_columns(lesion_bad).select([key, *(nw.col(t) for t, _, _, _ in bad_columns)])
    aggregates = [nw.len().alias(f"{_TMP}count"), nw.col(sins.ID).max().alias(f"{_TMP}s_max"),
                  nw.col(f"{_TMP}s_null").sum(), nw.col(f"{_TMP}g").max().alias(f"{_TMP}g_max"),
                  nw.col(f"{_TMP}g_null").sum()]
    agg = scored.group_by(on).agg(aggregates)
    if bad_columns:
        bad_agg = raw.group_by(on).agg([nw.col(t).sum() for t, _, _, _ in bad_columns])
        agg = agg.join(bad_agg, on=on, how="left")
    joined = cases.join(agg, on=on, how="left")
    complete = (nw.col(f"{_TMP}count") > 0)
    worst: Any = nw.lit(None)
    for i, grade in reversed(list(enumerate(grades))):
        worst = nw.when(nw.col(f"{_TMP}g_max") == i).then(nw.lit(grade)).otherwise(worst)
    error_name = f"{_TMP}lesion_error"
    parts = [nw.when(nw.col(tmp) > 0).then(nw.lit(f"lesions[*].{col}: must be {spec.allowed}"))
             for tmp, col, spec, _ in bad_columns]
    lesion_error = (nw.concat_str(parts, separator="; ", ignore_nulls=True) if parts
                    else nw.lit(None, dtype=nw.String))
    joined = joined.with_columns(
        nw.when(complete & (nw.col(f"{_TMP}s_null") == 0)).then(nw.col(f"{_TMP}s_max"))
        .alias(_SINS_TOTAL),
        nw.when(complete & (nw.col(f"{_TMP}g_null") == 0)).then(worst).alias(_ESCC_WORST),
        nw.when(lesion_error != "").then(lesion_error).alias(error_name))
    return joined, error_name
