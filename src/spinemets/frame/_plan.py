"""The plan: the output columns of a call as nodes built from the instruments' own tables.

Each summed instrument of the registry contributes its items, read as the items declare
(``READS``), its sum and its bands; ESCC its grade and class; NOMS its two cells
(``RADIATION_CELLS``, ``STABILIZATION_CELLS``) with the histology defaults of the radiosensitivity.
No point value, cut-off or default is written here.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType, SimpleNamespace
from typing import Any, Final

from .._table import Item, Span
from ..policy import EsccIntermediateAs, Policy
from ..recommend.grid import (
    RADIATION_CELLS,
    RADIOSENSITIVITY_DEFAULTS,
    STABILIZATION_CELLS,
    Radiation,
    Stabilization,
)
from ..results import EsccClass
from ..scales import ECOG_TO_KPS
from ..scores import SUMMED, _beyond, escc, katagiri_2014, nesms, rades_2008, sins, tomita
from ..vocab import EcogToKps, KatagiriGroup, Radiosensitivity, TomitaGrowth
from ._nodes import (
    NULL,
    Domain,
    FieldRef,
    IsNull,
    Node,
    add,
    any_of,
    cmp,
    coalesce,
    const,
    eq,
    lookup,
    minimum,
    mul,
    spans,
    strict,
    when,
)
from ._options import _ESCC_WORST, _FIELDS, _PSEUDO, _SINS_TOTAL, NOMS, _Options


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


# The derived items of the further instruments (``scores/_beyond.py``). The yes/no
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
            from ..scores import bauer_modified

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
