"""The plan: the output columns of a call as nodes built from the registry and the scalar tables.

Each summed instrument of the registry contributes its items as they declare their inputs
(``READS``, tabulated by ``_items``; ``LESION_FIELDS`` for SINS, scored per lesion), its sum (capped
where it declares ``CAP``: NESMS) and its bands; ESCC its grade and class (Bilsky et al. 2010);
NOMS its two cells (``RADIATION_CELLS``, ``STABILIZATION_CELLS``; Laufer et al. 2013) with the
histology defaults of radiosensitivity. No point value, cut-off or default is written here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any, cast

from .._table import Item, Span
from ..exceptions import echo
from ..policy import EsccIntermediateAs, Policy
from ..recommend.grid import (
    RADIATION_CELLS,
    RADIOSENSITIVITY_DEFAULTS,
    STABILIZATION_CELLS,
    Radiation,
    Stabilization,
)
from ..results import EsccClass
from ..scores import escc, registry, sins
from ..vocab import Radiosensitivity
from ._items import item_node
from ._nodes import (
    NULL,
    Domain,
    FieldRef,
    Node,
    add,
    coalesce,
    const,
    lookup,
    minimum,
    mul,
    spans,
)
from ._options import _ESCC_WORST, _FIELDS, _PSEUDO, _SINS_TOTAL, NOMS, FrameError, _Options


class _Plan:
    """Plan nodes for the fields present in one frame (absent fields are NULL)."""

    def __init__(self, present: Iterable[str], opts: _Options) -> None:
        self.present = frozenset(present)
        self.policy = opts.policy
        self.ecog_to_kps = opts.ecog_to_kps
        self.long = opts.long
        self._fields: dict[str, Node] = {}

    def value(self, name: str) -> Node:
        """The field as the scores read it: the call's ``ecog_to_kps=`` fills absent cells."""
        node = self.field(name)
        if name == "ecog_to_kps" and self.ecog_to_kps is not None:
            node = coalesce(node, const(self.ecog_to_kps))
        return node

    def field(self, name: str) -> Node:
        """The field's own column (NULL when the frame does not have it)."""
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


def _defaults(plan: _Plan, rows: Iterable[Any], domain: Domain) -> Node:
    """The histology default of a ``DefaultRow`` table."""
    return lookup(plan.field("histology"), {h: row.value for row in rows for h in row.when}, domain)


def _item_table(item: Item, x: Node) -> Node:
    """Points of a plain look-up item: enum rows through a table, span rows through spans."""
    if all(isinstance(row.when, Span) for row in item.rows):
        rows = [(r.when.lo, r.when.hi, r.points) for r in item.rows if isinstance(r.when, Span)]
        return spans(x, rows, int)
    if any(isinstance(row.when, Span) for row in item.rows):  # pragma: no cover - no such table
        raise LookupError(f"item {item.key!r} mixes code rows and spans")
    return lookup(x, {m: row.points for row in item.rows for m in row.when}, int)  # type: ignore[union-attr]


def _item_nodes(plan: _Plan, module: ModuleType) -> list[Node]:
    """The item nodes of one summed instrument, as its items declare their inputs: ``READS``
    (tabulated, see ``_items``), or ``LESION_FIELDS`` for an instrument scored per lesion (each
    item a look-up of its lesion field; in long form the case's total comes from the lesions)."""
    declared = getattr(module, "READS", None)
    if declared is not None:
        return [item_node(module, i, plan.value) for i in range(len(declared))]
    if plan.long:
        return []
    return [_item_table(item, plan.field(name))
            for item, name in zip(module.ITEMS, module.LESION_FIELDS, strict=True)]


def _summed(plan: _Plan, module: ModuleType) -> list[tuple[str, Node]]:
    """The output columns of one summed instrument: ``<id>``, ``<id>_band``, and for an
    instrument that caps its sum (``CAP``: NESMS) ``<id>_raw``, the sum before the cap."""
    items = _item_nodes(plan, module)
    total = raw = add(*items) if items else plan.field(_SINS_TOTAL)
    cap = getattr(module, "CAP", None)
    if cap is not None:
        total = minimum(raw, cap)
    # Rades: motor_deficit_days = 0 is in no row of its motor item, so the total (and band) is
    # null, as the scalar score's not_applicable. OSRI has no bands: its band is always null.
    band = spans(total, ((b.lo, b.hi, b.code) for b in module.BANDS), module.Band)
    out = [(module.ID, total), (f"{module.ID}_band", band)]
    if cap is not None:
        out.append((f"{module.ID}_raw", raw))
    return out


def _summed_instruments() -> tuple[ModuleType, ...]:
    """The summed instruments of the registry (read at call time: the registry is the list)
    whose items declare their inputs (``READS``, or ``LESION_FIELDS`` for an instrument scored
    per lesion), in result order."""
    return tuple(cast("ModuleType", m) for m in registry.SUMMED_INSTRUMENTS
                 if hasattr(m, "READS") or hasattr(m, "LESION_FIELDS"))


def _supported_summed() -> tuple[str, ...]:
    """The ids of :func:`_summed_instruments`."""
    return tuple(m.ID for m in _summed_instruments())


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
        try:
            wanted = set(scores)
        except TypeError:  # not an iterable of score ids (a number, lists)
            raise FrameError("score_frame: scores= takes score ids, e.g. ['tomita', 'sins'], "
                             f"not {echo(scores)}") from None
        unknown = sorted(wanted - set(offered), key=repr)
        if unknown:
            raise FrameError(
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
    modules = [m for m in _summed_instruments() if m.ID in ids]
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
