"""Hypothesis strategies for valid interchange-v1 case dicts (the seed fields of §1 and §1.1).

The vocabulary comes from ``tests/vocab.py``, typed from the contract and not imported from
``spinemets``, so that a code the library renames or drops shows up as a test failure.
Every tuple of ordinal codes is ordered from the best finding to the worst.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.vocab import (
    ALIGNMENT,
    BONE_LESION,
    COLLAPSE,
    ECOG_TO_KPS,
    ECOG_VALUES,
    ESCC_GRADES,
    FRANKEL,
    HISTOLOGIES,
    KPS_VALUES,
    LESION_FIELDS,
    LEVELS,
    PAIN,
    POSTEROLATERAL,
    RADIOSENSITIVITIES,
    SINS_LESION_FIELDS,
    TOMITA_GROWTHS,
    VISCERAL,
)

__all__ = [
    "ALIGNMENT",
    "BONE_LESION",
    "COLLAPSE",
    "ECOG_TO_KPS",
    "ECOG_VALUES",
    "ESCC_GRADES",
    "FRANKEL",
    "HISTOLOGIES",
    "KPS_VALUES",
    "LESION_FIELDS",
    "LEVELS",
    "MAX_COUNT",
    "PAIN",
    "POSTEROLATERAL",
    "RADIOSENSITIVITIES",
    "SINS_LESION_FIELDS",
    "TOMITA_DEFAULT_GROWTH_HISTOLOGIES",
    "TOMITA_GROWTHS",
    "VISCERAL",
    "case_dicts",
    "case_field_strategies",
    "complete_case_dicts",
    "lesion_dicts",
]

CaseDict = dict[str, Any]

# Histologies with a default Tomita growth class (interchange §2); every other code needs
# an explicit ``tomita_growth``.
TOMITA_DEFAULT_GROWTH_HISTOLOGIES: frozenset[str] = frozenset(
    {
        "lung",
        "lung_nsclc",
        "lung_sclc",
        "breast",
        "prostate",
        "thyroid",
        "kidney",
        "uterus",
        "stomach",
        "unknown",
    }
)
MAX_COUNT = 30


def _maybe_null(strategy: st.SearchStrategy[Any], allow_null: bool) -> st.SearchStrategy[Any]:
    """Return ``strategy``, or ``strategy`` | None when explicit nulls are allowed."""
    return st.none() | strategy if allow_null else strategy


def case_field_strategies() -> dict[str, st.SearchStrategy[Any]]:
    """Return one value strategy per §1 case field except ``lesions``."""
    return {
        "histology": st.sampled_from(HISTOLOGIES),
        "tomita_growth": st.sampled_from(TOMITA_GROWTHS),
        "radiosensitivity": st.sampled_from(RADIOSENSITIVITIES),
        "kps": st.sampled_from(KPS_VALUES),
        "ecog": st.sampled_from(ECOG_VALUES),
        "ecog_to_kps": st.sampled_from(ECOG_TO_KPS),
        "visceral_metastases": st.sampled_from(VISCERAL),
        "extraspinal_bone_metastases": st.integers(0, MAX_COUNT),
        "vertebral_metastases": st.integers(1, MAX_COUNT),
        "bone_metastases_isolated": st.booleans(),
        "frankel": st.sampled_from(FRANKEL),
        "myelopathy": st.booleans(),
        "radiculopathy": st.booleans(),
        "fit_for_surgery": st.booleans(),
    }


def lesion_dicts(complete: bool = False, allow_null: bool = False) -> st.SearchStrategy[CaseDict]:
    """Lesion objects (§1.1); with ``complete`` every field, otherwise each field optional."""
    fields = {name: st.sampled_from(codes) for name, codes in LESION_FIELDS.items()}
    if complete:
        return st.fixed_dictionaries(fields)
    return st.fixed_dictionaries(
        {}, optional={name: _maybe_null(s, allow_null) for name, s in fields.items()}
    )


def case_dicts(allow_null: bool = False) -> st.SearchStrategy[CaseDict]:
    """Valid case dicts: every §1 field optional, 1-4 lesions each with every field optional."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        name: _maybe_null(s, allow_null) for name, s in case_field_strategies().items()
    }
    optional["lesions"] = _maybe_null(
        st.lists(lesion_dicts(complete=False, allow_null=allow_null), min_size=1, max_size=4),
        allow_null,
    )
    return st.fixed_dictionaries({}, optional=optional)


@st.composite
def complete_case_dicts(draw: st.DrawFn, max_lesions: int = 4) -> CaseDict:
    """Fully specified cases: every seed score (Tomita, Tokuhashi, SINS, ESCC) can complete.

    KPS is always given; ECOG with a conversion, ``bone_metastases_isolated``, the NOMS fields and
    an explicit ``tomita_growth`` (required where the histology has no default) are drawn too.
    """
    fields = case_field_strategies()
    case: CaseDict = {}
    histology = draw(fields["histology"])
    case["histology"] = histology
    if histology not in TOMITA_DEFAULT_GROWTH_HISTOLOGIES or draw(st.booleans()):
        case["tomita_growth"] = draw(fields["tomita_growth"])
    for name in (
        "kps",
        "visceral_metastases",
        "extraspinal_bone_metastases",
        "vertebral_metastases",
        "frankel",
    ):
        case[name] = draw(fields[name])
    for name in (
        "bone_metastases_isolated",
        "radiosensitivity",
        "myelopathy",
        "radiculopathy",
        "fit_for_surgery",
    ):
        if draw(st.booleans()):
            case[name] = draw(fields[name])
    if draw(st.booleans()):
        case["ecog"] = draw(fields["ecog"])
        case["ecog_to_kps"] = draw(fields["ecog_to_kps"])
    case["lesions"] = draw(st.lists(lesion_dicts(complete=True), min_size=1, max_size=max_lesions))
    return case
