"""Detail columns: per score its status, missing fields and flags, and the NOMS flags and
missing paths.

They are read from the scalar scores themselves, once per distinct combination of the inputs each
score reads (its ``INPUTS``; NOMS: every present field), and gathered per row, so they equal
:func:`spinemets.assess` by construction. Null on invalid rows (``invalid="row"``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .._fields import FieldSpec
from ._columns import _Column
from ._long import _LESION_NAMES, _LongInput
from ._options import _FIELDS, NOMS, _Options

#: Detail column kinds: a status code, or a list of strings.
_STATUS, _LIST = "status", "list"
#: The case fields the NOMS recommendation reads beside Tomita's and Tokuhashi 2005's inputs
#: (``recommend.noms``, ``recommend.options``): its flags and missing paths depend on no other.
_NOMS_INPUTS: Final = ("histology", "radiosensitivity", "myelopathy", "fit_for_surgery",
                       "vertebral_metastases", "visceral_metastases", *sorted(_LESION_NAMES))
#: The key of "this row has its one lesion" among the detail inputs.
_HAS_LESION: Final = "__spinemets_has_lesion"
#: The categories of a ``<id>_status`` column.
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
    from .._memo import memos
    from ..interchange import parse_case
    from ..scores import registry

    modules = {m.ID: m for m in registry.INSTRUMENTS}
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

    scorers = memos(opts.policy, registry.INSTRUMENTS)
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
        from ..recommend import noms as recommender

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
