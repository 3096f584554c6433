"""The oracle of the score_frame property tests: a row's dict, scored by the scalar path.

Per the DataFrame ruling "a row's dict", a row must equal ``assess()`` of its non-null interchange
cells, the flat lesion cells forming ``lesions: [one lesion]`` when any of them is non-null.
The cell-to-Python rules below are written here from the contract, not imported from the
library: NumPy scalars read as the Python value they hold (``float32`` through its shortest
decimal), NaN/None/``pd.NA`` are absent, and (only in frames) an integer 0, 2 or 3 in ``escc``
is that grade. Integers of 2**53 or more in absolute value, and whole floats that large in an
integer field, are errors of their field (the number bound), whatever the scalar parser of the
day does with them.
"""

from __future__ import annotations

import math
from typing import Any

import spinemets
from spinemets.exceptions import InvalidInputError
from spinemets.model import Case

from .test_frame import CHOICES, LESION, SUMMED_IDS

BOUND = 2**53
INT_FIELDS = ("kps", "ecog", "extraspinal_bone_metastases", "vertebral_metastases",
              "motor_deficit_days")
NUMBER_FIELDS = ("albumin_g_dl", "crp_mg_dl", "ldh_u_l", "platelets_10e9_l", "calcium_mg_dl",
                 "bilirubin_mg_dl", "months_diagnosis_to_mscc")
BOOL_FIELDS = tuple(k for k, v in CHOICES.items() if isinstance(v[0], bool))
CODE_FIELDS = tuple(k for k, v in CHOICES.items() if isinstance(v[0], str))
OUTPUTS = [
    *(c for i in SUMMED_IDS for c in (i, f"{i}_band", *(["nesms_raw"] if i == "nesms" else []))),
    "escc_grade", "escc_class", "noms_radiation", "noms_stabilization",
]
#: The detail columns (interchange 8.6), checked when a frame has them.
DETAIL = [*(f"{i}_{part}" for i in (*SUMMED_IDS, "escc") for part in ("status", "missing",
                                                                      "flags")),
          "noms_flags", "noms_missing"]


def is_null(value: Any) -> bool:
    if value is None:
        return True
    if type(value).__name__ in ("NAType",):
        return True
    return isinstance(value, float) and math.isnan(value)


def python_value(value: Any) -> Any:
    """A cell as the Python value it holds (interchange: NumPy scalars; the float32 ruling)."""
    module = type(value).__module__
    if module == "numpy":
        if value.dtype.kind == "f" and value.dtype.itemsize < 8:
            return float(str(value))
        value = value.item()
    return value


def row_dict(cells: dict[str, Any]) -> dict[str, Any]:
    """The row's dict from its cells (already Python values; nulls are dropped)."""
    case: dict[str, Any] = {}
    lesion: dict[str, Any] = {}
    for name, value in cells.items():
        if is_null(value):
            continue
        if (name == "escc" and type(value) in (int, float) and value in (0, 2, 3)):
            value = str(int(value))
        (lesion if name in LESION else case)[name] = value
    if lesion:
        case["lesions"] = [lesion]
    return case


def out_of_bound(case: dict[str, Any], *, flat: bool = True) -> set[str]:
    """Fields whose value the number bound rejects (lesion fields as ``lesions[i].field``
    unless *flat*)."""
    bad = set()
    items = [(k, v) for k, v in case.items() if k != "lesions"]
    for i, lesion in enumerate(case.get("lesions") or []):
        items += [(k if flat else f"lesions[{i}].{k}", v) for k, v in lesion.items()]
    for name, value in items:
        if type(value) is int and abs(value) >= BOUND:
            bad.add(name)
        if name in INT_FIELDS and type(value) is float and math.isfinite(value) \
                and abs(value) >= BOUND:
            bad.add(name)
    return bad


def invalid_fields(case: dict[str, Any], *, flat: bool = True) -> set[str]:
    """The fields ``Case.from_dict`` (and the number bound) reject; lesion fields by name when
    *flat* (one-lesion rows), else as ``lesions[i].field``."""
    bad = out_of_bound(case, flat=flat)
    try:
        Case.from_dict(case)
    except InvalidInputError as exc:
        bad |= {f.removeprefix("lesions[0].") if flat else f for f in exc.fields}
    return bad


def without(case: dict[str, Any], fields: set[str], *, flat: bool = True) -> dict[str, Any]:
    """*case* with *fields* left out (``invalid="cell"``: an invalid cell is absent)."""
    out = {k: v for k, v in case.items() if k != "lesions" and k not in fields}
    if "lesions" in case:
        out["lesions"] = [
            {k: v for k, v in lesion.items()
             if (k if flat else f"lesions[{i}].{k}") not in fields}
            for i, lesion in enumerate(case["lesions"])]
    return out


def expect(case: dict[str, Any], *, flat: bool = True, invalid: str = "row",
           ecog_to_kps: str | None = None) -> dict[str, Any]:
    """Every output column of one row, or ``{"error": set of field names}``; with
    ``invalid="cell"`` both (the scores of the case without its invalid cells)."""
    bad = invalid_fields(case, flat=flat)
    if bad and invalid == "row":
        return {"error": bad}
    case = without(case, bad, flat=flat)
    if ecog_to_kps is not None and "ecog_to_kps" not in case:  # absent, or invalid and dropped
        case = {**case, "ecog_to_kps": ecog_to_kps}
    out = scores_of(case)
    if bad:
        out["error"] = bad
    return out


def scores_of(case: dict[str, Any]) -> dict[str, Any]:
    """The output columns of a valid case, from ``assess()``."""
    result = spinemets.assess(Case.from_dict(case))
    out: dict[str, Any] = {}
    for score_id in SUMMED_IDS:
        score = result[score_id]
        assert isinstance(score, spinemets.ScoreResult)
        out[score_id] = score.total
        out[f"{score_id}_band"] = score.band.code.value if score.band else None
        if score_id == "nesms":
            out["nesms_raw"] = score.raw
    for score_id in (*SUMMED_IDS, "escc"):
        score = result[score_id]
        out[f"{score_id}_status"] = score.status.value
        out[f"{score_id}_missing"] = list(score.missing)
        out[f"{score_id}_flags"] = list(score.flags)
    rec = result.recommendation
    out["noms_flags"] = list(rec.flags)
    parts = sorted(rec.missing, key=lambda part: part[0] != "radiation")
    out["noms_missing"] = list(dict.fromkeys(f for _, found in parts for f in found))
    grade = result["escc"]
    assert isinstance(grade, spinemets.GradeResult)
    out["escc_grade"] = grade.grade.value if grade.grade else None
    out["escc_class"] = grade.escc_class.value if grade.escc_class else None
    out["noms_radiation"] = result.recommendation.radiation.value
    out["noms_stabilization"] = result.recommendation.stabilization.value
    return out


def error_fields(message: str | None) -> set[str]:
    """The columns an ``error`` message names (``invalid input: a: must be ...; b: ...``)."""
    if message is None:
        return set()
    assert message.startswith("invalid input: "), message
    parts = message.removeprefix("invalid input: ").split("; ")
    return {part.split(": must be ")[0] for part in parts}


def compare(rows: list[dict[str, Any]], want: list[dict[str, Any]], engine: str,
            prefix: str = "") -> None:
    """*rows*: per row, every output column (names with *prefix*) as a Python value (None for
    null); *want* from :func:`expect`. Only the output columns present in the rows are checked
    (``scores=`` may select a few; ``error`` always)."""
    assert len(rows) == len(want), engine
    for i, (got, exp) in enumerate(zip(rows, want, strict=True)):
        got = {k.removeprefix(prefix): v for k, v in got.items()}
        outputs = [c for c in (*OUTPUTS, *DETAIL) if c in got]
        if "error" in exp:
            assert error_fields(got["error"]) == exp["error"], (engine, i, got["error"], exp)
        else:
            assert got["error"] is None, (engine, i, got["error"])
        if "error" in exp and len(exp) == 1:
            assert {got[c] for c in outputs} <= {None}, (engine, i, got)
        else:
            diff = {c: (got[c], exp[c]) for c in outputs if got[c] != exp[c]}
            assert not diff, (engine, i, diff)
