"""Cohort scoring: one call scores a whole DataFrame (interchange §7).

:func:`score_frame` takes one row per case with a single lesion (the case fields of interchange §1,
§1.1 and §1.2 as columns) and returns, row for row, every summed score's total and band, the ESCC
grade and class, the two NOMS codes and an ``error`` column.

How it works — one definition, two evaluators:

1. A **plan** is built from the same tables the scalar scores read: each instrument's
   ``Item.rows`` (enum tuples or :class:`~spinemets._table.Span` ranges), ``BANDS``, the histology
   defaults (``tomita.GROWTH_DEFAULTS``, ``katagiri_2014.GROUP_DEFAULTS``,
   ``recommend.grid.RADIOSENSITIVITY_DEFAULTS``), the published thresholds (the
   :class:`~spinemets.scores._beyond.Cut` rows), the NOMS cells (``RADIATION_CELLS``,
   ``STABILIZATION_CELLS``), ``scales.ECOG_TO_KPS`` and, for validation, the
   :class:`~spinemets._fields.FieldSpec` of every column. The plan is a small graph of
   null-propagating nodes (look-up, span look-up, sum, comparison, coalesce, ...); no point value
   is written here. Items that are plain look-ups of one field are built generically; derived
   items (Tomita growth and bone, KPS from ECOG, the findings, skeletal extent and laboratory tier
   of the further instruments) have small builders; the yes/no findings are tabulated by calling
   the scalar derivations of ``scores/_beyond.py`` themselves.
2. The plan is evaluated either by a **NumPy evaluator** (pandas, Polars eager and lazy, Dask
   partitions) or as **narwhals expressions** (PySpark, DuckDB and every other engine narwhals
   supports). The NumPy evaluator reads each column once into small integer codes (categorical
   codes as they are; Arrow strings through one hash pass against the field's vocabulary; small
   whole-numbered columns arithmetically) and evaluates every sub-graph whose inputs have few
   combined values *once per combination*: the table is then gathered per row through a
   mixed-radix key of the input codes. Sums whose items cannot share one table are split into a
   few such tables and added; a null is a negative sentinel inside these tables, so no separate
   null masks are carried. Continuous columns (laboratory values) are compared row-wise against
   the thresholds.

Invalid cells never raise and never drop a row: the row's scores are null and ``error`` names the
offending columns (the caller's names when ``columns=`` renames them). NaN, None and ``pd.NA``
mean "not assessed"; only here an integer cell 0, 2 or 3 in ``escc`` reads as that grade.
"""

from __future__ import annotations

import enum
import functools
import importlib
import importlib.util
import math
import operator
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType, SimpleNamespace
from typing import Any, Final

from attrs import evolve, frozen

from ._fields import _MISSING, CASE_FIELDS, LESION_FIELDS, FieldSpec
from ._table import Item, Span
from .exceptions import SpinemetsError, echo
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
from .scores import (
    SUMMED,
    _beyond,
    escc,
    katagiri_2014,
    nesms,
    rades_2008,
    sins,
    tomita,
)
from .vocab import EcogToKps, EsccGrade, KatagiriGroup, Radiosensitivity, TomitaGrowth

__all__ = ["NOMS", "FrameError", "output_columns", "score_frame", "supported_scores"]

class FrameError(SpinemetsError, ValueError):
    """A frame :func:`score_frame` cannot read as a whole (a duplicated column, a long-form key
    that is null, repeated or matches no case); a bad *cell* is never raised, it is reported in
    its row's ``error``."""


#: The pseudo score id that selects the two NOMS columns (they bring ``sins`` and ``escc``).
NOMS: Final = "noms"

_FIELDS: Final[dict[str, FieldSpec]] = {f.name: f for f in (*CASE_FIELDS, *LESION_FIELDS)}

# --------------------------------------------------------------------------------------------
# The plan: a graph of null-propagating nodes. A node's domain is an enum class (its values are
# members), ``bool``, ``int`` (small non-negative integers: points, keys) or ``float`` (numeric
# input fields).
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
class Min(Node):
    """``min(x, k)``; null when *x* is null."""

    x: Node
    k: int


@frozen(eq=False)
class Eq(Node):
    """``x == value`` (bool); null when *x* is null."""

    x: Node
    value: Any


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
class Or(Node):
    """Any of the boolean *terms*; null when any term is null (a derived item needs every input
    it is derived from)."""

    terms: tuple[Node, ...]


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


@frozen(eq=False)
class Strict(Node):
    """*x*, but null wherever any of *deps* is null."""

    x: Node
    deps: tuple[Node, ...]


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


def minimum(x: Node, k: int) -> Node:
    return NULL if x is NULL else Min(x.domain, x, k)


def eq(x: Node, value: Any) -> Node:
    return NULL if x is NULL else Eq(bool, x, value)


def cmp(x: Node, cut: _beyond.Cut) -> Node:
    """Whether a published threshold holds (its field, operator and value are read from *cut*)."""
    return NULL if x is NULL else Cmp(bool, x, cut.op, cut.value)


def any_of(*terms: Node) -> Node:
    if any(t is NULL for t in terms):
        return NULL
    return terms[0] if len(terms) == 1 else Or(bool, tuple(terms))


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


def strict(x: Node, deps: Iterable[Node]) -> Node:
    deps = tuple(deps)
    if x is NULL or any(d is NULL for d in deps):
        return NULL
    return Strict(x.domain, x, deps)


def const(value: Any) -> Node:
    return Const(type(value) if isinstance(value, enum.Enum) else int, value)


# --------------------------------------------------------------------------------------------
# Builders: from the scores' tables to plan nodes.
# --------------------------------------------------------------------------------------------


@frozen
class _Options:
    """What one :func:`score_frame` call asks for (picklable: Dask ships it to workers)."""

    ids: tuple[str, ...]
    keep_input: bool = False
    mapping: Mapping[str, str] = {}
    policy: Policy = DEFAULT_POLICY
    prefix: str = ""
    invalid: str = "row"
    ecog_to_kps: EcogToKps | None = None
    detail: bool = False
    #: Cases of a long-form call: SINS and ESCC come from the lesion frame (pseudo fields).
    long: bool = False

    def name(self, column: str) -> str:
        """An output column's name (with the prefix)."""
        return self.prefix + column


#: Pseudo fields of a long-form call: the case's SINS (maximum over its lesions) and worst ESCC
#: grade, computed from the lesion frame and read by the plan like any field.
_SINS_TOTAL: Final = "__spinemets_sins_total"
_ESCC_WORST: Final = "__spinemets_escc_worst"
_PSEUDO: Final[dict[str, Domain]] = {_SINS_TOTAL: int, _ESCC_WORST: EsccGrade}


class _Plan:
    """Plan nodes for the fields present in one frame (absent fields are NULL)."""

    def __init__(self, present: Iterable[str], opts: _Options) -> None:
        self.present = frozenset(present)
        self.policy = opts.policy
        self.ecog_to_kps = opts.ecog_to_kps
        self.long = opts.long
        self._fields: dict[str, Node] = {}
        self.totals: dict[str, Node] = {}  #: Score id -> total node (NESMS reads modified Bauer).

    def field(self, name: str) -> Node:
        if name not in self.present:
            return NULL
        node = self._fields.get(name)
        if node is None and name in _PSEUDO:
            node = self._fields[name] = FieldRef(_PSEUDO[name], name)
        if node is None:
            spec = _FIELDS[name]
            domain: Domain = {"code": spec.codes, "bool": bool}.get(spec.kind, float)  # type: ignore[assignment]
            node = self._fields[name] = FieldRef(domain, name)
        return node


def _field_of(item: Item) -> str:
    """The interchange field a plain look-up item reads: its key, or the field of its codes."""
    classes = {type(m) for row in item.rows if isinstance(row.when, tuple) for m in row.when}
    if item.key in _FIELDS and (not classes or classes == {_FIELDS[item.key].codes}):
        return item.key
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
    named = plan.field("ecog_to_kps")
    if plan.ecog_to_kps is not None:  # score_frame(..., ecog_to_kps=): where the cell is absent
        named = coalesce(named, const(plan.ecog_to_kps))
    conv = lookup(named, {c: i for i, c in enumerate(conversions)}, int)
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
    by_counts = lookup(eq(counts, _beyond.SOLITARY_SUM), {True: solitary, False: multiple},
                       tomita.BoneMetastases)
    kind = when(eq(plan.field("bone_metastases_isolated"), True), const(solitary), by_counts)
    return _item_table(item, kind)


# The derived items of the further instruments (scores/_beyond.py, interchange §1.2). The yes/no
# findings are tabulated by calling the scalar derivations on each possible input.


def _finding_item(plan: _Plan, item: Item, name: str | None = None) -> Node:
    """A boolean field read as a ``Finding`` (``_beyond.finding``)."""
    name = name or item.key
    table = {v: _beyond.finding(v, name, []) for v in (False, True)}
    return _item_table(item, lookup(plan.field(name), table, _beyond.Finding))


def _visceral_item(plan: _Plan, item: Item) -> Node:
    """Visceral metastases present: ``_beyond.visceral_finding`` (brain included)."""
    stubs = {v: SimpleNamespace(tumour=SimpleNamespace(visceral_metastases=v))
             for v in _FIELDS["visceral_metastases"].codes or ()}
    table = {v: _beyond.visceral_finding(stub, []) for v, stub in stubs.items()}  # type: ignore[arg-type]
    return _item_table(item, lookup(plan.field("visceral_metastases"), table, _beyond.Finding))


def _ambulation_item(plan: _Plan, item: Item) -> Node:
    """``ambulatory`` as an ``Ambulation`` (``_beyond.ambulation``)."""
    table = {v: _beyond.ambulation(SimpleNamespace(neurology=SimpleNamespace(ambulatory=v)), [])  # type: ignore[arg-type]
             for v in (False, True)}
    return _item_table(item, lookup(plan.field("ambulatory"), table, _beyond.Ambulation))


def _counts(plan: _Plan) -> tuple[Node, Node]:
    return plan.field("extraspinal_bone_metastases"), plan.field("vertebral_metastases")


def _skeletal_item(plan: _Plan, item: Item) -> Node:
    """``_beyond.skeletal_extent``: solitary when the two counts sum to 1; both needed."""
    extent = _beyond.SkeletalExtent
    kind = lookup(eq(add(*_counts(plan)), _beyond.SOLITARY_SUM),
                  {True: extent.SOLITARY, False: extent.MULTIPLE}, extent)
    return _item_table(item, kind)


def _other_bone_item(plan: _Plan, item: Item) -> Node:
    """``_beyond.other_bone_metastases``: extraspinal >= 1 or vertebral >= 2; both needed."""
    present = any_of(*(cmp(count, cut)
                       for count, cut in zip(_counts(plan), _beyond.OTHER_BONE_CUTS, strict=True)))
    finding = _beyond.Finding
    return _item_table(item, lookup(present, {True: finding.PRESENT, False: finding.ABSENT},
                                    finding))


def _cut_item(cut: _beyond.Cut, yes: enum.Enum, no: enum.Enum) -> ItemBuilder:
    """An item read from one published threshold: *yes* where it holds, else *no*."""

    def build(plan: _Plan, item: Item) -> Node:
        return _item_table(item, lookup(cmp(plan.field(cut.field), cut), {True: yes, False: no},
                                        type(yes)))

    return build


def _of_field(name: str) -> ItemBuilder:
    """A plain look-up item whose key is not the field it reads."""

    def build(plan: _Plan, item: Item) -> Node:
        return _item_table(item, plan.field(name))

    return build


def _katagiri_primary(plan: _Plan, item: Item) -> Node:
    group = coalesce(plan.field("katagiri_group"),
                     _defaults(plan, katagiri_2014.GROUP_DEFAULTS, KatagiriGroup))
    return _item_table(item, group)


def _katagiri_laboratory(plan: _Plan, item: Item) -> Node:
    """``katagiri_2014.laboratory_tier``: the recorded ``katagiri_laboratory``, else critical when
    a present CRITICAL value is beyond its cut-off; with all three critical-type values present,
    abnormal when a present ABNORMAL value is; normal with all six present and within."""
    tier = katagiri_2014.LaboratoryData

    def first(cuts: Sequence[_beyond.Cut], code: enum.Enum, otherwise: Node) -> Node:
        for cut in reversed(cuts):  # a null comparison counts as false
            otherwise = when(cmp(plan.field(cut.field), cut), const(code), otherwise)
        return otherwise

    fields = [plan.field(c.field) for c in katagiri_2014.CRITICAL]
    normal = strict(const(tier.NORMAL), [plan.field(c.field) for c in katagiri_2014.ABNORMAL])
    below = strict(first(katagiri_2014.ABNORMAL, tier.ABNORMAL, normal), fields)
    level = first(katagiri_2014.CRITICAL, tier.CRITICAL, below)
    return _item_table(item, coalesce(plan.field("katagiri_laboratory"), level))


ItemBuilder = Callable[[_Plan, Item], Node]

_F = _beyond.Finding

#: Items that are not a plain look-up of one field, by (score id, item key).
_SPECIAL_ITEMS: Final[dict[tuple[str, str], ItemBuilder]] = {
    ("tomita", "growth"): _tomita_growth,
    ("tomita", "bone"): _tomita_bone,
    ("tokuhashi_1990", "general_condition"): _kps_item,
    ("tokuhashi_2005", "general_condition"): _kps_item,
    ("bauer_1995", "visceral_metastases"): _visceral_item,
    ("bauer_1995", "pathologic_fracture"): _finding_item,
    ("bauer_1995", "skeletal_metastases"): _skeletal_item,
    ("bauer_modified", "visceral_metastases"): _visceral_item,
    ("bauer_modified", "skeletal_metastases"): _skeletal_item,
    ("nesms", "ambulatory"): _ambulation_item,
    ("nesms", "albumin"): _cut_item(nesms.ALBUMIN_NORMAL, nesms.Albumin.NORMAL,
                                    nesms.Albumin.LOW),
    ("katagiri_2014", "primary"): _katagiri_primary,
    ("katagiri_2014", "laboratory"): _katagiri_laboratory,
    ("katagiri_2014", "previous_chemotherapy"): _finding_item,
    ("katagiri_2014", "skeletal_metastases"): _skeletal_item,
    ("van_der_linden", "general_condition"): _kps_item,
    ("van_der_linden", "visceral_metastases"): _visceral_item,
    ("rades_2008", "other_bone_metastases"): _other_bone_item,
    ("rades_2008", "visceral_metastases"): _visceral_item,
    ("rades_2008", "interval"): _cut_item(rades_2008.INTERVAL_LONG, rades_2008.Interval.LONG,
                                          rades_2008.Interval.SHORT),
    ("rades_2008", "ambulatory"): _ambulation_item,
    ("rades_2008", "motor_deficit"): _of_field("motor_deficit_days"),
    ("osri", "general_condition"): _kps_item,
}


def _summed(plan: _Plan, module: ModuleType) -> list[tuple[str, Node]]:
    """The output columns of one summed instrument: ``<id>``, ``<id>_band`` (NESMS: and
    ``nesms_raw``, the sum before the cap)."""
    items = []
    for item in () if plan.long and module is sins else module.ITEMS:
        if module is nesms and item.key == "modified_bauer":
            from .scores import bauer_modified

            mbauer = plan.totals.get(bauer_modified.ID)
            if mbauer is None:
                mbauer = _summed(plan, bauer_modified)[0][1]
            items.append(_item_table(item, mbauer))
        else:
            items.append(_SPECIAL_ITEMS.get((module.ID, item.key), _generic_item)(plan, item))
    total = raw = add(*items) if items else plan.field(_SINS_TOTAL)
    if module is nesms:
        total = minimum(raw, nesms.CAP)
    # Rades: motor_deficit_days = 0 is in no row of its motor item, so the total (and band) is
    # null, as the scalar score's not_applicable. OSRI has no bands: its band is always null.
    band = spans(total, ((b.lo, b.hi, b.code) for b in module.BANDS), module.Band)
    plan.totals[module.ID] = total
    out = [(module.ID, total), (f"{module.ID}_band", band)]
    if module is nesms:
        out.append((f"{module.ID}_raw", raw))
    return out


@functools.cache
def _supported_summed() -> tuple[str, ...]:
    """The summed instruments every item of which the plan can build."""
    plan = _Plan(_FIELDS, _Options(()))
    ids = []
    for module in SUMMED:
        try:
            _summed(plan, module)
        except LookupError:  # pragma: no cover - every instrument is supported today
            continue
        ids.append(module.ID)
    return tuple(ids)


def supported_scores() -> tuple[str, ...]:
    """The score ids :func:`score_frame` computes, in output order (plus ``"noms"``)."""
    return (*_supported_summed(), escc.ID, NOMS)


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
    for module in modules:
        out += _summed(plan, module)
    sins_band = dict(out).get(f"{sins.ID}_band", NULL)
    grade = plan.field(_ESCC_WORST if plan.long else "escc")
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
    return [name for name, _ in _declared(_selected(scores))] + ["error"]


@functools.cache
def _declared(ids: tuple[str, ...]) -> tuple[tuple[str, Domain], ...]:
    """Every output column and its domain, fixed by ``scores=`` alone: the plan of a frame that
    has every field (a frame without some columns has NULL nodes, whose domain says nothing)."""
    plan = _Plan(_FIELDS, _Options(ids))
    return tuple((name, node.domain) for name, node in _build(plan, ids))


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
    if isinstance(node, Lookup | Spans | Mul | Min | Eq | Cmp | IsNull):
        return (node.x,)
    if isinstance(node, Add | Or):
        return node.terms
    if isinstance(node, When):
        return (node.cond, node.then, node.otherwise)
    if isinstance(node, Coalesce):
        return (node.first, node.second)
    if isinstance(node, Strict):
        return (node.x, *node.deps)
    return ()


# --------------------------------------------------------------------------------------------
# Reading cells: the same strict rules as JSON (FieldSpec.parse), plus the DataFrame extras.
# --------------------------------------------------------------------------------------------


#: Integers must stay below this in absolute value (and floats be finite): a larger value is an
#: error of its field, as in the dict form.
_INT_BOUND: Final = 1 << 53


def _python_scalar(raw: Any) -> Any:
    """A NumPy scalar as the Python value it holds (``float32`` through its shortest decimal,
    so ``np.float32(1.4)`` is 1.4); anything else unchanged."""
    if type(raw).__module__ != "numpy" or not hasattr(raw, "item"):
        return raw
    if getattr(raw, "dtype", None) is not None and raw.dtype.kind == "f" and raw.dtype.itemsize < 8:
        return float(str(raw))
    return raw.item()


def parse_cell(spec: FieldSpec, raw: Any) -> Any:
    """One DataFrame cell: the typed value, ``None`` (not assessed) or ``_MISSING`` (invalid).

    NaN, None, ``pd.NA`` and ``NaT`` mean not assessed; NumPy scalars read as their Python
    values; an integer 0, 2 or 3 (or the same whole float) in ``escc`` reads as that grade;
    integers of 2**53 or more in absolute value (also whole floats in an integer field) are
    invalid.
    """
    if raw is None:
        return None
    raw = _python_scalar(raw)
    kind = type(raw)
    if kind is float and math.isnan(raw):
        return None
    if kind.__name__ in ("NAType", "NaTType"):
        return None
    if spec.codes is EsccGrade and kind in (int, float):
        if raw in (0, 2, 3):
            return EsccGrade(str(int(raw)))
        return _MISSING
    value = spec.parse(raw)
    if type(value) is int and not -_INT_BOUND < value < _INT_BOUND:
        return _MISSING
    return value


def _message(names: Iterable[tuple[str, FieldSpec]]) -> str:
    return "invalid input: " + "; ".join(f"{col}: must be {spec.allowed}" for col, spec in names)


# --------------------------------------------------------------------------------------------
# The NumPy evaluator (pandas, Polars, Dask partitions).
#
# Value encoding per row, by node domain: numeric fields as float64 with NaN for null; ``int``
# (points, totals, keys) as int16 with a negative sentinel for null; enum members and
# booleans as their index (int8, 0/1 for booleans) with -1 for null. So "null" is always readable
# from the values themselves (NaN or negative) and no mask travels beside them.
# --------------------------------------------------------------------------------------------

#: Largest product of input sizes evaluated once per combination and gathered per row.
_FUSE_LIMIT: Final = 1 << 14  # a larger grid costs more than it saves, even at 10**6 rows
#: Whole-numbered columns spanning at most this many values are read as codes.
_CODE_SPAN: Final = 1024
#: The null of ``int`` values (int16; valid ones are below ``_INT_TOP``): sums of up to
#: ``_MAX_TERMS`` terms with a null among them stay negative and within int16.
_NEG: Final = -(1 << 12)
_INT_TOP: Final = 1 << 12
_MAX_TERMS: Final = 7

_INDEX_CACHE: dict[type[enum.Enum], dict[enum.Enum, int]] = {}


def _member_index(cls: type[enum.Enum]) -> dict[enum.Enum, int]:
    index = _INDEX_CACHE.get(cls)
    if index is None:
        index = _INDEX_CACHE[cls] = {m: i for i, m in enumerate(cls)}
    return index


def _rep(value: Any) -> Any:
    """A value's NumPy representation: members by index, booleans as 0/1."""
    if isinstance(value, enum.Enum):
        return _member_index(type(value))[value]
    if isinstance(value, bool):
        return int(value)
    return value


def _kind(domain: Domain) -> str:
    """``"f"`` (float, NaN null), ``"i"`` (int16, _NEG null) or ``"c"`` (codes, -1 null)."""
    if domain is float:
        return "f"
    if domain is bool or (isinstance(domain, type) and issubclass(domain, enum.Enum)):
        return "c"
    return "i"


class _Column:
    """One input column read once.

    Coded: ``codes`` per row (-1 = NA) index ``table``, whose last slot is NA (so -1 reads it).
    Dense (``codes`` None): ``table`` holds the values per row. Values are in the field's
    encoding (above), invalid cells read as null; ``bad`` (per code, or per row when dense; None
    when nothing is invalid) marks the invalid cells for ``error``.
    """

    __slots__ = ("bad", "codes", "table")

    def __init__(self, codes: Any, table: Any, bad: Any) -> None:
        self.codes, self.table, self.bad = codes, table, bad

    def bad_rows(self, np: Any) -> Any:
        """Per-row invalid flags, or None."""
        if self.bad is None:
            return None
        if self.codes is None:
            return self.bad
        rows = np.take(self.bad, self.codes)
        return rows if rows.any() else None


def _field_kind(spec: FieldSpec) -> str:
    return "c" if spec.kind in ("code", "bool") else "f"


def _coded(np: Any, spec: FieldSpec, codes: Any, uniques: Sequence[Any]) -> _Column:
    """A column of codes into *uniques* (its distinct cells, NA = -1), parsed cell by cell."""
    numeric = _field_kind(spec) == "f"
    if len(uniques) < 127 and codes.dtype.itemsize > 1:
        codes = codes.astype(np.int8)  # small codes: less memory, faster keys
    table = np.full(len(uniques) + 1, np.nan if numeric else -1,
                    np.float64 if numeric else np.int8)
    bad = np.zeros(len(uniques) + 1, bool)
    for i, raw in enumerate(uniques):
        value = parse_cell(spec, raw)
        if value is _MISSING:
            bad[i] = True
        elif value is not None:
            table[i] = _rep(value)
    return _Column(codes, table, bad if bad.any() else None)


def _float64(np: Any, x: Any) -> Any:
    """A float array as float64; ``float32``/``float16`` through each value's shortest decimal
    (``np.float32(1.4)`` is 1.4, so published cut-offs compare as written)."""
    if x.dtype.kind == "f" and x.dtype.itemsize < 8:
        return x.astype(str).astype(np.float64)
    return x.astype(np.float64, copy=False)


def _numeric(np: Any, spec: FieldSpec, x: Any, *, integers: bool = False) -> _Column:
    """A float64 column (NaN = not assessed): codes when whole and narrow, else dense.

    *integers*: the column's dtype holds integers, which must lie below 2**53 in absolute value
    whatever the field (as a Python ``int`` in the dict form); so must whole values of an integer
    field."""
    nan = np.isnan(x)
    n = len(x)
    if n == 0 or nan.all():
        return _coded(np, spec, np.full(n, -1, np.int8), [])
    lo, hi = float(np.fmin.reduce(x)), float(np.fmax.reduce(x))
    if math.isfinite(lo) and math.isfinite(hi) and hi - lo <= _CODE_SPAN:
        shifted = x - lo
        with np.errstate(invalid="ignore"):
            codes = shifted.astype(np.int16)
        whole = codes == shifted
        has_nan = bool(nan.any())
        if bool((whole | nan).all() if has_nan else whole.all()):
            if has_nan:
                codes[nan] = -1
            # Whole *differences* say nothing about the values (80.5 alone is "whole" from
            # itself): each value is parsed as the float it is, or as an integer when the
            # column's dtype holds integers.
            cast = int if integers else float
            return _coded(np, spec, codes, [cast(lo + i) for i in range(int(hi - lo) + 1)])
    if spec.kind not in ("int", "number"):  # numbers in a code or boolean column
        uniques, codes = np.unique(x, return_inverse=True)
        codes = np.where(nan, -1, codes.ravel())
        return _coded(np, spec, codes, [None if math.isnan(u) else float(u) for u in uniques])
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x)
        if spec.minimum is not None:
            ok &= x >= spec.minimum
        if spec.exclusive_minimum is not None:
            ok &= x > spec.exclusive_minimum
        if spec.maximum is not None:
            ok &= x <= spec.maximum
        if spec.kind == "int":
            ok &= np.floor(x) == x
        if spec.kind == "int" or integers:
            ok &= np.abs(x) < _INT_BOUND
        if spec.multiple_of:
            ok &= np.fmod(x, spec.multiple_of) == 0
    bad = ~ok & ~nan
    values = x if not bad.any() else np.where(ok, x, np.nan)
    return _Column(None, values, bad if bad.any() else None)


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
        return np.take(rolled, self._key(names))

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
        if isinstance(node, Eq | Cmp):
            x = self.eval(node.x)
            with np.errstate(invalid="ignore"):
                if isinstance(node, Eq):
                    hit = x == _rep(node.value)
                else:
                    hit = _CMP[node.op](x, node.value)
            return np.where(self._missing(x), -1, hit).astype(np.int8)
        if isinstance(node, Or):
            values = [self.eval(t) for t in node.terms]
            hit = functools.reduce(operator.or_, (v == 1 for v in values))
            missing = functools.reduce(operator.or_, (v < 0 for v in values))
            return np.where(missing, -1, hit).astype(np.int8)
        if isinstance(node, IsNull):
            return self._missing(self.eval(node.x)).astype(np.int8)
        if isinstance(node, Strict):
            x = self.eval(node.x)
            missing = functools.reduce(operator.or_,
                                       (self._missing(self.eval(d)) for d in node.deps))
            return np.where(missing, self._null(kind, 1), x)
        if isinstance(node, When):
            cond = self.eval(node.cond) == 1
            a, b = self.eval(node.then), self.eval(node.otherwise)
            if a.dtype.kind == "f" or b.dtype.kind == "f":
                a, b = self._as(a, "f"), self._as(b, "f")
            return np.where(cond, a, b)
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
        keys = [_rep(k) for k, _ in node.table]
        size = max(keys) + 1
        table = self._null(kind, size + 2)  # slot 0 and the last: null
        for k, (_, v) in zip(keys, node.table, strict=True):
            table[k + 1] = _rep(v)
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


_INVALID: Final = object()  #: A cell no field accepts (stands for every unrecognised value).


def _arrow_strings(np: Any, spec: FieldSpec, arr: Any) -> _Column:
    """An Arrow string array: one hash pass against the field's codes; other strings invalid."""
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    if spec.codes is None:  # a string is never a boolean or a number
        valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
        return _coded(np, spec, np.where(valid, 0, -1).astype(np.int8), [_INVALID])
    vocab: list[Any] = [m.value for m in spec.codes]
    index = pc.index_in(arr, value_set=pa.array(vocab, type=arr.type))
    codes = index.fill_null(-1).to_numpy(zero_copy_only=False)
    if index.null_count > arr.null_count:
        invalid = pc.and_(pc.is_null(index), pc.is_valid(arr)).to_numpy(zero_copy_only=False)
        codes = np.where(invalid, len(vocab), codes)
        vocab.append(_INVALID)
    return _coded(np, spec, codes, vocab)


def _pandas_field(pd: Any, np: Any, spec: FieldSpec, series: Any) -> _Column:
    """A pandas column read once (categorical codes as they are, Arrow strings hashed once,
    numbers arithmetically, anything else through ``pd.factorize``)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _coded(np, spec, series.cat.codes.to_numpy(), list(dtype.categories))
    if dtype == np.dtype(object):
        return _object_column(pd, np, spec, series)
    if getattr(dtype, "storage", None) == "pyarrow" or type(dtype).__name__ == "ArrowDtype":
        pa = importlib.import_module("pyarrow")
        arr = pa.array(series.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            return _arrow_strings(np, spec, arr)
    if dtype.kind == "b":
        if isinstance(dtype, np.dtype):
            return _coded(np, spec, series.to_numpy().view(np.int8), [False, True])
        return _coded(np, spec, series.to_numpy(dtype=np.int8, na_value=-1), [False, True])
    if dtype.kind == "f" and getattr(dtype, "itemsize", 8) < 8:
        return _numeric(np, spec, _float64(np, series.to_numpy(dtype=np.float32,
                                                                 na_value=np.nan)))
    if dtype.kind in "iuf":
        return _numeric(np, spec, series.to_numpy(dtype=np.float64, na_value=np.nan),
                        integers=dtype.kind in "iu")
    return _object_column(pd, np, spec, series)


#: Cell types that ``pd.factorize`` may merge with each other without changing a cell's reading
#: (one family per column); bools never share a family with numbers, nor float32 with float64.
_FAMILIES: Final = ({"str", "str_"}, {"bool", "bool_"}, {"float", "float64"},
                    {"int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                     "uint64"})


def _object_column(pd: Any, np: Any, spec: FieldSpec, series: Any) -> _Column:
    """Cells of any Python type: hashed once by ``pd.factorize`` when they share one type family
    (see ``_FAMILIES``), else cell by cell keyed on type and value, so that ``True`` is never
    merged with ``1``, and unhashable cells (lists) are read as what they are (invalid)."""
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "boolean", "integer", "empty"):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)  # one family, hashable
        return _coded(np, spec, codes, list(uniques))
    na = pd.isna(series).to_numpy(dtype=bool)
    values = series.to_numpy(dtype=object, na_value=None)
    types = {type(v).__name__ for v in values[~na]}
    if any(types <= family for family in _FAMILIES):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return _coded(np, spec, codes, list(uniques))
    return _cells(np, spec, values, na)


def _cells(np: Any, spec: FieldSpec, values: Sequence[Any], na: Any) -> _Column:
    """Cells read one by one, deduplicated on (type, value); *na* marks the null cells."""
    index: dict[Any, int] = {}
    uniques: list[Any] = []
    codes = np.full(len(values), -1, np.int32)
    for i in np.flatnonzero(~na).tolist():
        raw = values[i]
        try:
            key = (type(raw), raw)
            j = index.get(key)
        except TypeError:  # unhashable: a code of its own
            key, j = None, None
        if j is None:
            j = len(uniques)
            uniques.append(raw)
            if key is not None:
                index[key] = j
        codes[i] = j
    return _coded(np, spec, codes, uniques)


def _polars_field(pl: Any, np: Any, spec: FieldSpec, s: Any) -> _Column:
    """A Polars column read once (codes through one cast to an Enum of the field's codes)."""
    dtype = s.dtype
    stringy = dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)
    if stringy and spec.codes is not None:
        vocab: list[Any] = [m.value for m in spec.codes]
        coded = s.cast(pl.Enum(vocab), strict=False)
        codes = coded.to_physical().cast(pl.Int16).fill_null(-1).to_numpy()
        if coded.null_count() > s.null_count():
            invalid = (coded.is_null() & s.is_not_null()).to_numpy()
            codes = np.where(invalid, len(vocab), codes)
            vocab.append(_INVALID)
        return _coded(np, spec, codes, vocab)
    if dtype == pl.Boolean:
        return _coded(np, spec, s.cast(pl.Int8).fill_null(-1).to_numpy(), [False, True])
    if dtype == pl.Float32:
        return _numeric(np, spec, _float64(np, s.to_numpy()))
    if dtype.is_numeric():
        return _numeric(np, spec, s.cast(pl.Float64).to_numpy(), integers=dtype.is_integer())
    if dtype == pl.Object:
        values = s.to_list()
        na = np.fromiter((v is None for v in values), bool, len(values))
        return _cells(np, spec, values, na)
    if dtype == pl.Null:  # every cell null (e.g. an empty CSV column)
        return _coded(np, spec, np.full(len(s), -1, np.int8), [])
    # Strings in a number or boolean field, dates, lists, ...: every non-null cell is invalid.
    return _coded(np, spec, s.is_not_null().cast(pl.Int8).to_numpy() - 1, [_INVALID])


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
    plan = _Plan(fields, opts)
    nodes = _build(plan, opts.ids)
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


def _no_duplicates(read: Iterable[Any], columns: Iterable[Any]) -> None:
    """Raise :class:`FrameError` when a column that would be read appears more than once."""
    seen: set[Any] = set()
    dups = []
    for col in columns:
        if col in seen and col not in dups:
            dups.append(col)
        seen.add(col)
    named = [c for c in dups if c in set(read)]
    if named:
        raise FrameError(f"score_frame: the column {named[0]!r} appears more than once "
                         f"({len(named)} duplicated field column(s): {named[:5]!r}); "
                         "rename or drop the copies")


def _present(mapping: Mapping[str, str], columns: Iterable[Any]) -> dict[str, Any]:
    """Interchange field -> the caller's column, for the columns the frame has."""
    have = set(columns)
    return {field: col for col, field in mapping.items() if col in have}


def _pandas_version(pd: Any) -> tuple[int, ...]:
    return tuple(int(p) for p in pd.__version__.split(".")[:2] if p.isdigit())


def _score_pandas(df: Any, opts: _Options, lesions: Any = None, on: Any = None) -> Any:
    pd = importlib.import_module("pandas")
    np = importlib.import_module("numpy")
    n = len(df)
    present = _present(opts.mapping, df.columns)
    _no_duplicates(present.values(), df.columns)
    fields = {name: _pandas_field(pd, np, _FIELDS[name], df[col])
              for name, col in present.items()}
    names = {k: str(v) for k, v in present.items()}
    long = None if lesions is None else _pandas_long_input(pd, np, df, lesions, on, opts)
    if long is not None:
        scored = _score_long(np, opts, fields, names, long)
    else:
        scored = _score_columns(np, n, fields, names, opts)
    detail = _detail(np, n, fields, opts, scored.bad_rows, long) if opts.detail else {}
    return _pandas_output(pd, np, df, scored, opts, detail)


def _pandas_output(pd: Any, np: Any, df: Any, scored: _Scored, opts: _Options,
                   detail: Mapping[str, list[Any]]) -> Any:
    n = len(df)
    columns: dict[str, Any] = {}
    for name, domain, data, mask in _output_arrays(np, scored, opts.invalid):
        if mask is None:
            dtype = _categories(pd, domain)
            columns[name] = pd.Categorical.from_codes(data, dtype=dtype, validate=False)
        else:
            columns[name] = pd.arrays.IntegerArray(data, mask)
    if opts.detail:
        pa = importlib.import_module("pyarrow")
        for name, kind in _detail_columns(opts.ids):
            values = detail.get(name, [None] * n)
            if kind == _STATUS:
                columns[opts.name(name)] = pd.Categorical(values, categories=_STATUSES)
            else:
                array = pa.array(values, type=pa.list_(pa.string()))
                columns[opts.name(name)] = pd.arrays.ArrowExtensionArray(array)
    columns[opts.name("error")] = _pandas_errors(pd, np, n, scored)
    out = pd.DataFrame(columns, index=df.index, copy=False)
    if opts.keep_input:
        kept = df.drop(columns=[c for c in out.columns if c in df.columns])
        out = pd.concat([kept, out], axis=1)
    return out


def _ordered(domain: type[enum.Enum]) -> bool:
    """Whether a code column is ordered: bands (by total), ESCC grades and classes."""
    return domain in (EsccGrade, EsccClass) or any(m.Band is domain for m in SUMMED)


@functools.cache
def _categories(pd: Any, domain: type[enum.Enum]) -> Any:
    """The pandas dtype of a code column: its codes in enum order (a band enum lists its bands
    from the lowest total up), ordered for bands, grades and classes."""
    return pd.CategoricalDtype(pd.Index([m.value for m in domain], dtype=object),
                               ordered=_ordered(domain))


def _pandas_errors(pd: Any, np: Any, n: int, scored: _Scored) -> Any:
    """The ``error`` column: pandas' default string dtype (object before pandas 3)."""
    if _pandas_version(pd) < (3, 0):
        if scored.kinds is None:
            return pd.array([None] * n, dtype=object)
        texts = np.array([*scored.texts, None], dtype=object)
        return np.take(texts, scored.kinds)
    pa = importlib.import_module("pyarrow")
    if scored.kinds is None:
        array = pa.nulls(n, pa.large_string())
    else:
        kinds = pa.array(scored.kinds, mask=scored.kinds < 0)
        array = pa.array(scored.texts, type=pa.large_string()).take(kinds)
    return pd.array(array, dtype="str")


def _polars_dtype(pl: Any, domain: Any) -> Any:
    if _kind(domain) != "c":
        return pl.Int16
    values = [m.value for m in domain] if domain is not bool else []
    return pl.Enum(values) if values else pl.String


def _polars_schema(pl: Any, schema: Any, opts: _Options) -> dict[str, Any]:
    outputs = {opts.name(name): _polars_dtype(pl, domain)
               for name, domain in _declared(opts.ids)}
    if opts.detail:
        for name, kind in _detail_columns(opts.ids):
            outputs[opts.name(name)] = (pl.Enum(_STATUSES) if kind == _STATUS
                                        else pl.List(pl.String))
    outputs[opts.name("error")] = pl.String
    kept = {k: v for k, v in schema.items() if k not in outputs} if opts.keep_input else {}
    return {**kept, **outputs}


def _score_polars(df: Any, opts: _Options, lesions: Any = None, on: Any = None) -> Any:
    pl = importlib.import_module("polars")
    np = importlib.import_module("numpy")
    if isinstance(df, pl.LazyFrame):
        schema = _polars_schema(pl, df.collect_schema(), opts)

        def batch(frame: Any) -> Any:
            found = lesions.collect() if isinstance(lesions, pl.LazyFrame) else lesions
            return _score_polars(frame, opts, found, on)

        # Rows are independent: without lesions, batches stream (each scored as it arrives).
        return df.map_batches(batch, schema=schema, streamable=lesions is None)
    n = df.height
    present = _present(opts.mapping, df.columns)
    fields = {name: _polars_field(pl, np, _FIELDS[name], df.get_column(col))
              for name, col in present.items()}
    long = None
    if lesions is not None:
        if isinstance(lesions, pl.LazyFrame):
            lesions = lesions.collect()
        long = _polars_long_input(pl, np, df, lesions, on, opts)
        scored = _score_long(np, opts, fields, present, long)
    else:
        scored = _score_columns(np, n, fields, present, opts)
    detail = _detail(np, n, fields, opts, scored.bad_rows, long) if opts.detail else {}
    series = []
    for name, domain, data, mask in _output_arrays(np, scored, opts.invalid):
        dtype = _polars_dtype(pl, domain)
        if mask is not None:
            values = np.ma.masked_array(data, mask) if mask.any() else data
            series.append(pl.Series(name, values, dtype=pl.Int16))
        elif dtype == pl.String:
            series.append(pl.repeat(None, n, dtype=pl.String, eager=True).alias(name))
        else:
            index = pl.Series(np.ma.masked_array(data.astype(np.int16), data < 0))
            series.append(pl.Series(name, dtype.categories, dtype=dtype).gather(index))
    for name, kind in _detail_columns(opts.ids) if opts.detail else ():
        dtype = pl.Enum(_STATUSES) if kind == _STATUS else pl.List(pl.String)
        series.append(pl.Series(opts.name(name), detail.get(name, [None] * n), dtype=dtype))
    error = opts.name("error")
    if scored.kinds is None:
        series.append(pl.repeat(None, n, dtype=pl.String, eager=True).alias(error))
    else:
        index = pl.Series(np.ma.masked_array(scored.kinds, scored.kinds < 0))
        series.append(pl.Series(error, scored.texts, dtype=pl.String).gather(index))
    out = pl.DataFrame(series)
    if opts.keep_input:
        kept = df.drop([s.name for s in series if s.name in df.columns])
        out = pl.concat([kept, out], how="horizontal")
    return out

# --------------------------------------------------------------------------------------------
# The narwhals evaluator (PySpark, DuckDB, and any other engine narwhals supports).
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
        if isinstance(node, Eq):
            return self.expr(node.x) == _nw_rep(node.value)
        if isinstance(node, Cmp):
            return _CMP[node.op](self.expr(node.x), node.value)
        if isinstance(node, Or):
            terms = [self.expr(t) for t in node.terms]
            known = functools.reduce(operator.and_, (~t.is_null() for t in terms))
            return nw.when(known).then(functools.reduce(operator.or_, terms))
        if isinstance(node, Strict):
            known = functools.reduce(operator.and_, (~self.expr(d).is_null() for d in node.deps))
            return nw.when(known).then(self.expr(node.x))
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
    lesions: Any = None,
    on: str | None = None,
    prefix: str = "",
    strict_columns: bool = False,
    invalid: str = "row",
    ecog_to_kps: str | None = None,
    detail: bool = False,
) -> Any:
    """Score every row of a DataFrame: one case per row (interchange §7, §8.5, §8.6).

    Args:
        df: a pandas, Polars (eager or lazy), Dask, PySpark or DuckDB frame (anything narwhals
            reads), or a narwhals frame. Columns named as interchange §1, §1.1 and §1.2; missing
            optional columns are allowed; other columns are ignored. Booleans must be a boolean
            dtype or Python ``bool`` cells (a number is never a boolean). On Dask, an object column
            of booleans must use the ``boolean`` dtype: Dask turns object columns into strings
            (``"True"``), which are invalid.
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
        lesions: a frame of the same engine with one row per lesion: the key column *on* and
            the lesion fields. A case's lesions are its key's rows, in this frame's order; the
            case's SINS is the maximum over them, its ESCC the worst grade, and NOMS reads both,
            as :func:`spinemets.assess` of the nested case. ``df`` then has no lesion columns.
            pandas, Polars (eager and lazy) and Dask.
        on: the key column of ``df`` and ``lesions``.
        prefix: prepended to every output column name (not to kept input columns).
        strict_columns: a column that looks like a misspelt field (``KPS``, ``Histology``,
            ``bone lesion``) raises :class:`FrameError` instead of a ``UserWarning``.
        invalid: ``"row"`` (an invalid cell nulls its row's scores) or ``"cell"`` (an invalid
            cell is read as absent: the scores that need it are null, the others computed);
            ``error`` names every invalid cell either way.
        ecog_to_kps: the ECOG-to-KPS conversion (``common``, ``ma_2010``, ``prasad_2018``) for
            rows whose ``ecog_to_kps`` cell is absent.
        detail: add, per score id, ``<id>_status`` (categorical/``Enum``), ``<id>_missing`` and
            ``<id>_flags`` (lists of strings: Arrow lists on pandas, ``List(String)`` on
            Polars; empty, not null, when there are none), and ``noms_flags``,
            ``noms_missing`` (the recommendation's flags and the field paths of its missing
            inputs, radiation's first), all as :func:`spinemets.assess` reports them; null on
            invalid rows. Read from the scalar scores once per distinct combination of the
            inputs each score reads: fast on registries with repeated values, a few thousand
            rows per second when nearly every row is distinct. pandas, Polars and Dask.

    Returns:
        A frame of the same kind and row order with, per summed score ``<id>`` (nullable Int16
        total, null when incomplete or not applicable) and ``<id>_band`` (``nesms`` is the
        capped total and ``nesms_raw`` the sum before the cap; ``osri_band`` is always null:
        OSRI has no published bands); ``escc_grade``, ``escc_class``; ``noms_radiation``,
        ``noms_stabilization``; ``error`` (null for a valid row, else a message naming each
        offending column; lesion cells of a long-form call as ``lesions[i].column``). Codes are
        categorical on pandas and Dask (bands, ESCC grades and classes ordered from the lowest
        total or grade up), ``Enum`` on Polars (whose values are the codes), strings elsewhere;
        the output types depend only on ``scores=``, never on which input columns exist. An
        invalid row has null scores and its error; nothing is raised for cell values. Integers
        must lie below 2**53 in absolute value and floats be finite; ``float32`` values are read
        through their shortest decimal (1.4, not 1.39999998).

    Raises:
        ValueError: for unknown ``scores`` ids, a ``columns`` mapping to no interchange field,
            or an unknown ``invalid``/``ecog_to_kps`` choice.
        FrameError: (a ``ValueError``) when a column it would read appears more than once, for a
            near-miss column under ``strict_columns=True``, and for long-form keys: lesion
            columns in ``df``, a null or repeated key in ``df``, lesion rows with a null key or
            a key that matches no case (raised at the call, on Polars lazy frames when
            collected).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``lesions=``, ``on=``, ``prefix=``, ``strict_columns=``, ``invalid=``, ``ecog_to_kps=``.
    """
    from ._optional import require_engine

    require_engine(_module_name(df))  # names the extra to install when a dependency is missing
    ids = _selected(scores)
    mapping = _mapping(columns)
    if invalid not in ("row", "cell"):
        raise ValueError(f"score_frame: invalid={invalid!r}; choose 'row' or 'cell'")
    conversion = None
    if ecog_to_kps is not None:
        try:
            conversion = EcogToKps(ecog_to_kps)
        except ValueError:
            choices = [c.value for c in EcogToKps]
            raise ValueError(f"score_frame: ecog_to_kps={ecog_to_kps!r}; choose from {choices}"
                             ) from None
    if (lesions is None) != (on is None):
        raise ValueError("score_frame: lesions= and on= go together (the lesion frame and the "
                         "key column both frames share)")
    root = _module_name(df)
    if root == "narwhals":
        nw = importlib.import_module("narwhals")
        native = nw.to_native(df)
        native_lesions = None if lesions is None else nw.to_native(lesions)
        return nw.from_native(score_frame(
            native, scores=scores, keep_input=keep_input, columns=columns, policy=policy,
            lesions=native_lesions, on=on, prefix=prefix, strict_columns=strict_columns,
            invalid=invalid, ecog_to_kps=ecog_to_kps, detail=detail))
    opts = _Options(ids, keep_input, mapping, policy, prefix, invalid, conversion, detail,
                    long=lesions is not None)
    _check_columns(_column_names(df), mapping, on, strict_columns)
    if lesions is not None:
        _check_columns(_column_names(lesions), mapping, on, strict_columns)
    if root == "pandas":
        return _score_pandas(df, opts, lesions, on)
    if root == "polars" and importlib.util.find_spec("numpy") is not None:
        return _score_polars(df, opts, lesions, on)
    if root == "dask":
        return _score_dask(df, opts, lesions, on)
    if detail:
        raise NotImplementedError(
            "score_frame: detail=True is implemented for pandas, Polars and Dask frames; on "
            "this engine convert the frame first (e.g. .toPandas(), .pl())")
    arrow = _arrow_engine(df, root) if lesions is None else None
    if arrow is not None:
        return arrow(df, opts)
    return _score_narwhals(df, opts, lesions, on)


def _arrow_engine(df: Any, root: str) -> Callable[[Any, _Options], Any] | None:
    """PySpark and DuckDB score Arrow batches with the NumPy evaluator (``_arrow``) when NumPy
    and pyarrow are installed; other engines (and those without them) take narwhals."""
    if root not in ("pyspark", "duckdb", "_duckdb"):
        return None
    if importlib.util.find_spec("numpy") is None or importlib.util.find_spec("pyarrow") is None:
        return None
    from . import _arrow

    if root == "pyspark":
        return _arrow.score_spark if hasattr(df, "mapInArrow") else None
    return _arrow.score_duckdb if hasattr(df, "to_arrow_reader") or hasattr(
        df, "fetch_record_batch") else None


def _score_dask(df: Any, opts: _Options, lesions: Any, on: Any) -> Any:
    """Dask: partitions are scored as pandas frames. In long form the lesion frame is computed
    (it is needed whole by every partition) and the keys are checked at the call."""
    if lesions is None:
        from ._dask import score_partition

        meta = _score_pandas(df._meta, opts)
        return df.map_partitions(score_partition, opts, meta=meta, enforce_metadata=False)
    pd = importlib.import_module("pandas")
    np = importlib.import_module("numpy")
    if _module_name(lesions) == "dask":
        lesions = lesions.compute()
    _require_key(on, df.columns, lesions.columns)
    keys = df[on].compute()
    _case_index(np, on, keys.tolist(), pd.isna(keys).to_numpy(),
                lesions[on].tolist(), pd.isna(lesions[on]).to_numpy())
    meta = _score_pandas(df._meta, opts, lesions.iloc[:0], on)
    return df.map_partitions(_dask_partition, opts, lesions, on, meta=meta,
                             enforce_metadata=False)


def _dask_partition(part: Any, opts: _Options, lesions: Any, on: Any) -> Any:
    from ._dask import tune_worker

    tune_worker()
    return _score_pandas(part, opts, lesions[lesions[on].isin(part[on])], on)


def _column_names(df: Any) -> list[Any]:
    """A frame's column names, without computing it."""
    if hasattr(df, "collect_schema"):
        return list(df.collect_schema().names())
    if hasattr(df, "columns"):
        return list(df.columns)
    nw = importlib.import_module("narwhals")
    return list(nw.from_native(df).collect_schema().names())  # pragma: no cover


def _check_columns(names: Iterable[Any], mapping: Mapping[str, str], on: Any,
                   strict: bool) -> None:
    """Warn about (or, *strict*, refuse) columns that look like a misspelt interchange field:
    equal to one after case folding and removing spaces, ``-`` and ``_``, or (fields of four or
    more characters) one edit away. Mapped columns and the key column are never warned about."""
    from ._suggest import suggest_field

    near = []
    for name in names:
        if not isinstance(name, str) or name in mapping or name == on:
            continue
        field = suggest_field(name, _FIELDS)
        if field is not None:
            near.append((name, field))
    if not near:
        return
    text = "; ".join(f"column {name!r} is not an interchange field and is ignored: did you mean "
                     f"{field!r}? (rename it, or pass columns={{{name!r}: {field!r}}})"
                     for name, field in near)
    if strict:
        raise FrameError(f"score_frame: {text}")
    warnings.warn(f"score_frame: {text}", UserWarning, stacklevel=3)


# --------------------------------------------------------------------------------------------
# Lesions in long form (interchange §8.5): each lesion row is read and scored (SINS total, ESCC
# grade) by the same plan, the case's SINS is the maximum and its ESCC the worst grade over its
# lesions (null when it has none or any of them is incomplete, as the scalar scores), and these
# two enter the case's plan as pseudo fields that SINS' band and NOMS read.
# --------------------------------------------------------------------------------------------


@frozen
class _LongInput:
    """The lesion frame of a long-form call, read: its fields and each row's case index."""

    n: int  #: Case rows.
    fields: Mapping[str, _Column]
    names: Mapping[str, str]  #: Lesion field -> the caller's column name.
    case_index: Any  #: Per lesion row, the row of its case in the cases frame.


def _require_key(on: Any, case_columns: Iterable[Any], lesion_columns: Iterable[Any]) -> None:
    for where, names in (("cases", case_columns), ("lesions", lesion_columns)):
        if on not in set(names):
            raise FrameError(f"score_frame: the {where} frame has no key column {on!r} (on=)")


def _first(keys: Sequence[Any]) -> str:
    shown = ", ".join(echo(k) for k in keys[:5])
    return f"{shown}, ..." if len(keys) > 5 else shown


def _case_index(np: Any, on: Any, case_keys: Sequence[Any], case_null: Any,
                lesion_keys: Sequence[Any], lesion_null: Any) -> Any:
    """Per lesion row, its case's row; :class:`FrameError` for null, repeated or unmatched
    keys (naming their count and the first ones)."""
    if case_null.any():
        rows = np.flatnonzero(case_null).tolist()
        raise FrameError(f"score_frame: {len(rows)} case row(s) have a null key {on!r} "
                         f"(first rows: {_first(rows)})")
    position: dict[Any, int] = {}
    repeated: list[Any] = []
    for i, key in enumerate(case_keys):
        if position.setdefault(key, i) != i and key not in repeated:
            repeated.append(key)
    if repeated:
        raise FrameError(f"score_frame: {len(repeated)} key(s) of {on!r} appear in more than one "
                         f"case row (first keys: {_first(repeated)})")
    if lesion_null.any():
        rows = np.flatnonzero(lesion_null).tolist()
        raise FrameError(f"score_frame: {len(rows)} lesion row(s) have a null key {on!r} "
                         f"(first rows: {_first(rows)})")
    index = np.fromiter((position.get(k, -1) for k in lesion_keys), np.int64, len(lesion_keys))
    unmatched = np.flatnonzero(index < 0)
    if len(unmatched):
        keys = list(dict.fromkeys(lesion_keys[i] for i in unmatched.tolist()))
        raise FrameError(f"score_frame: {len(unmatched)} lesion row(s) have a key {on!r} that "
                         f"matches no case (first keys: {_first(keys)})")
    return index


_LESION_NAMES: Final = frozenset(f.name for f in LESION_FIELDS)


def _lesion_fields_only(present: Mapping[str, Any]) -> dict[str, Any]:
    return {name: col for name, col in present.items() if name in _LESION_NAMES}


def _no_lesion_columns(present: Mapping[str, Any]) -> None:
    found = [str(col) for name, col in present.items() if name in _LESION_NAMES]
    if found:
        raise FrameError(f"score_frame: with lesions= the cases frame may not hold lesion "
                         f"columns (found {found}); they belong in the lesion frame")


def _pandas_long_input(pd: Any, np: Any, cases: Any, lesions: Any, on: Any,
                       opts: _Options) -> _LongInput:
    _require_key(on, cases.columns, lesions.columns)
    _no_lesion_columns(_present(opts.mapping, cases.columns))
    present = _lesion_fields_only(_present(opts.mapping, lesions.columns))
    _no_duplicates([*present.values(), on], lesions.columns)
    _no_duplicates([on], cases.columns)
    fields = {name: _pandas_field(pd, np, _FIELDS[name], lesions[col])
              for name, col in present.items()}
    index = _case_index(np, on, cases[on].tolist(), pd.isna(cases[on]).to_numpy(),
                        lesions[on].tolist(), pd.isna(lesions[on]).to_numpy())
    return _LongInput(len(cases), fields, {k: str(v) for k, v in present.items()}, index)


def _polars_long_input(pl: Any, np: Any, cases: Any, lesions: Any, on: Any,
                       opts: _Options) -> _LongInput:
    _require_key(on, cases.columns, lesions.columns)
    _no_lesion_columns(_present(opts.mapping, cases.columns))
    present = _lesion_fields_only(_present(opts.mapping, lesions.columns))
    fields = {name: _polars_field(pl, np, _FIELDS[name], lesions.get_column(col))
              for name, col in present.items()}
    case_keys, lesion_keys = cases.get_column(on), lesions.get_column(on)
    index = _case_index(np, on, case_keys.to_list(), case_keys.is_null().to_numpy(),
                        lesion_keys.to_list(), lesion_keys.is_null().to_numpy())
    return _LongInput(cases.height, fields, dict(present), index)


def _worst(np: Any, n: int, index: Any, values: Any) -> Any:
    """Per case, the maximum of its lesions' *values* (codes or totals, negative = null); -1
    when it has no lesion or any of them is null."""
    if values.dtype.kind == "f":
        values = np.where(np.isnan(values), -1, values)
    values = values.astype(np.int16)
    count = np.bincount(index, minlength=n)
    null = np.bincount(index, weights=values < 0, minlength=n) > 0
    best = np.full(n, -1, np.int16)
    np.maximum.at(best, index, values)
    return np.where((count > 0) & ~null, best, -1).astype(np.int8)


def _pseudo_column(np: Any, values: Any, size: int) -> _Column:
    """A computed column of small non-negative codes (-1 = null) into ``0 .. size - 1``."""
    return _Column(values, np.append(np.arange(size), -1).astype(np.int8), None)


def _score_long(np: Any, opts: _Options, fields: Mapping[str, _Column],
                names: Mapping[str, str], long: _LongInput) -> _Scored:
    """Score the cases of a long-form call (see the section comment)."""
    _no_lesion_columns(fields)
    m = len(long.case_index)
    lesion_opts = _Options((sins.ID, escc.ID), policy=opts.policy)
    scored = _score_columns(np, m, long.fields, long.names, lesion_opts)
    values = {name: v for (name, _), v in zip(scored.outputs, scored.values, strict=True)}
    index = long.case_index
    case_sins = _worst(np, long.n, index, values[sins.ID])
    case_escc = _worst(np, long.n, index, values["escc_grade"])
    columns = {**fields,
               _SINS_TOTAL: _pseudo_column(np, case_sins, sins.RANGE[1] + 1),
               _ESCC_WORST: _pseudo_column(np, case_escc, len(EsccGrade))}
    out = _score_columns(np, long.n, columns, names, opts)
    bad = [(long.names[name], _FIELDS[name], rows) for name, col in long.fields.items()
           for rows in [col.bad_rows(np)] if rows is not None]
    if not bad:
        return out
    # Each invalid lesion cell is named lesions[i].column, i its place among the case's lesions.
    order = np.argsort(index, kind="stable")
    first = np.searchsorted(index[order], np.arange(long.n))
    ordinal = np.empty(m, np.int64)
    ordinal[order] = np.arange(m) - first[index[order]]
    parts: dict[int, list[tuple[int, int, str]]] = {}
    for k, (col, spec, rows) in enumerate(bad):
        for j in np.flatnonzero(rows).tolist():
            text = f"lesions[{ordinal[j]}].{col}: must be {spec.allowed}"
            parts.setdefault(int(index[j]), []).append((int(ordinal[j]), k, text))
    return _add_errors(np, long.n, out, {row: "; ".join(t for _, _, t in sorted(found))
                                          for row, found in parts.items()})


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


# --------------------------------------------------------------------------------------------
# Detail columns (interchange §8.6): status, missing and flags per score, and the NOMS flags and
# missing paths. They are read from the scalar scores themselves, once per distinct combination
# of the inputs each score reads (its ``INPUTS``; NOMS: every present field), and gathered per
# row, so they equal assess() by construction. Null on invalid rows (``invalid="row"``).
# --------------------------------------------------------------------------------------------

#: Detail column kinds: a status code, or a list of strings.
_STATUS, _LIST = "status", "list"
#: The case fields the NOMS recommendation reads beside Tomita's and Tokuhashi 2005's inputs
#: (``recommend.noms``, ``recommend.options``): its flags and missing paths depend on no other.
_NOMS_INPUTS: Final = ("histology", "radiosensitivity", "myelopathy", "fit_for_surgery",
                       "vertebral_metastases", "visceral_metastases", *sorted(_LESION_NAMES))
#: The key of "this row has its one lesion" among the detail inputs.
_HAS_LESION: Final = "__spinemets_has_lesion"
#: The categories of a ``<id>_status`` column (interchange §6).
_STATUSES: Final = ["complete", "incomplete", "not_applicable"]


def _detail_columns(ids: Sequence[str]) -> list[tuple[str, str]]:
    """The detail columns for *ids*, in order: ``(name, kind)``."""
    out = []
    for score_id in ids:
        if score_id != NOMS:
            out += [(f"{score_id}_status", _STATUS), (f"{score_id}_missing", _LIST),
                     (f"{score_id}_flags", _LIST)]
    if NOMS in ids:
        out += [("noms_flags", _LIST), ("noms_missing", _LIST)]
    return out


def _decode(np: Any, spec: FieldSpec, values: Any) -> list[Any]:
    """Encoded values (member index / 0-1 / float, null negative or NaN) as interchange values."""
    if spec.kind == "code":
        members = [m.value for m in spec.codes or ()]
        return [None if v < 0 else members[int(v)] for v in values.tolist()]
    if spec.kind == "bool":
        return [None if v < 0 else bool(v) for v in values.tolist()]
    cast = int if spec.kind == "int" else float
    return [None if math.isnan(v) else cast(v) for v in values.astype(np.float64).tolist()]


def _detail(np: Any, n: int, fields: Mapping[str, _Column], opts: _Options,
            bad_rows: Any, long: _LongInput | None = None) -> dict[str, list[Any]]:
    """Per detail column, its per-row values (None on invalid rows). In long form a case's
    lesions are its lesion rows (scores that read lesions are then computed per case)."""
    from . import assessment
    from ._memo import memos
    from .interchange import parse_case

    modules = {m.ID: m for m in assessment.INSTRUMENTS}
    real = {name: col for name, col in fields.items() if name in _FIELDS}
    # Per field: a per-row key (codes, or the values) and the decoded values per row.
    keys: dict[str, Any] = {}
    decoded: dict[str, list[Any]] = {}
    for name, col in real.items():
        values = col.table if col.codes is None else np.take(col.table, col.codes)
        keys[name] = np.nan_to_num(values.astype(np.float64), nan=-np.inf)
        decoded[name] = _decode(np, _FIELDS[name], values)
    # A row has its one lesion when any lesion cell is non-null, an invalid one included (with
    # invalid="cell" it is read as absent, leaving the lesion's other cells).
    has_lesion = np.zeros(n, bool)
    for name in _LESION_NAMES & set(real):
        col = real[name]
        has_lesion |= np.fromiter((v is not None for v in decoded[name]), bool, n)
        bad = col.bad_rows(np)
        if bad is not None:
            has_lesion |= bad
    keys[_HAS_LESION] = has_lesion.astype(np.float64)
    nested: list[list[dict[str, Any]]] = []
    if long is not None:
        nested = [[] for _ in range(n)]
        lesion_values = {}
        for name, col in long.fields.items():
            values = col.table if col.codes is None else np.take(col.table, col.codes)
            lesion_values[name] = _decode(np, _FIELDS[name], values)
        for j, row in enumerate(long.case_index.tolist()):
            nested[row].append({name: v[j] for name, v in lesion_values.items()
                                if v[j] is not None})

    built: dict[int, Any] = {}

    def case_at(row: int) -> Any:
        """The row's whole case (built once; a score reads only its own inputs of it)."""
        found = built.get(row)
        if found is not None:
            return found
        data: dict[str, Any] = {}
        lesion: dict[str, Any] = {}
        for name, values in decoded.items():
            if name in _LESION_NAMES and long is not None:
                continue
            value = values[row]
            if value is not None:
                (lesion if name in _LESION_NAMES else data)[name] = value
        if long is not None and nested[row]:
            data["lesions"] = nested[row]
        elif long is None and bool(has_lesion[row]):
            data["lesions"] = [lesion]
        if opts.ecog_to_kps is not None and "ecog_to_kps" not in data:
            data["ecog_to_kps"] = opts.ecog_to_kps.value
        found = built[row] = parse_case(data)
        return found

    def groups(names: Sequence[str]) -> tuple[list[int], Any]:
        """Representative rows of the distinct input combinations, and each row's group."""
        if long is not None and _LESION_NAMES & set(names):
            return list(range(n)), np.arange(n)
        names = [name for name in names if name in keys]
        if not names or n == 0:
            return ([0] if n else []), np.zeros(n, np.int64)
        matrix = np.stack([keys[name] for name in names], axis=1)
        _, first, inverse = np.unique(matrix, axis=0, return_index=True, return_inverse=True)
        return first.tolist(), inverse.ravel()

    scorers = memos(opts.policy, assessment.INSTRUMENTS)
    out: dict[str, list[Any]] = {}
    for score_id in opts.ids:
        if score_id == NOMS:
            continue
        inputs = [f for f in modules[score_id].INPUTS if f != "lesions"]
        if "lesions" in modules[score_id].INPUTS:
            inputs += sorted(_LESION_NAMES)
        names = sorted({f for f in inputs if f in real or (long and f in _LESION_NAMES)})
        if "lesions" in modules[score_id].INPUTS:
            names.append(_HAS_LESION)
        firsts, inverse = groups(names)
        per_group = [scorers[score_id](case_at(r)) for r in firsts]
        status = [g.status.value for g in per_group]
        missing = [list(g.missing) for g in per_group]
        flags = [list(g.flags) for g in per_group]
        index = inverse.tolist()
        out[f"{score_id}_status"] = [status[i] for i in index]
        out[f"{score_id}_missing"] = [list(missing[i]) for i in index]
        out[f"{score_id}_flags"] = [list(flags[i]) for i in index]
    if NOMS in opts.ids:
        from .recommend import noms as recommender

        wanted = {*_NOMS_INPUTS, *modules["tomita"].INPUTS, *modules["tokuhashi_2005"].INPUTS}
        names = [*sorted(f for f in wanted if f in real or (long and f in _LESION_NAMES)),
                 _HAS_LESION]
        firsts, inverse = groups(names)
        recs = []
        for r in firsts:
            case = case_at(r)
            recs.append(recommender.recommend(
                case, opts.policy, escc_result=scorers["escc"](case),
                sins_result=scorers["sins"](case), tomita_result=scorers["tomita"](case),
                tokuhashi_2005_result=scorers["tokuhashi_2005"](case)))
        flags = [list(rec.flags) for rec in recs]
        paths = [list(dict.fromkeys(f for part, found in sorted(
            rec.missing, key=lambda p: p[0] != "radiation") for f in found)) for rec in recs]
        index = inverse.tolist()
        out["noms_flags"] = [list(flags[i]) for i in index]
        out["noms_missing"] = [list(paths[i]) for i in index]
    if bad_rows is not None and opts.invalid == "row":
        for values in out.values():
            for row in bad_rows.tolist():
                values[row] = None
    return out
