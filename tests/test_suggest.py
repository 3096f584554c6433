"""Near-miss suggestions: each expectation written by hand from the rules in ``_suggest``."""

import pytest

from spinemets._suggest import normalize, suggest_code, suggest_field

HISTOLOGY = ["lung", "lung_nsclc", "lung_sclc", "breast", "kidney", "myeloma", "other"]
LEVELS = ["T11", "T12", "L1"]
BOOL = ["true", "false"]


@pytest.mark.parametrize(
    ("field", "value", "allowed", "expected"),
    [
        ("histology", "Kidney", HISTOLOGY, "kidney"),
        ("histology", "renal", HISTOLOGY, "kidney"),
        ("histology", "Renal cell", HISTOLOGY, "kidney"),
        ("histology", "NSCLC", HISTOLOGY, "lung_nsclc"),
        ("histology", "Lung NSCLC", HISTOLOGY, "lung_nsclc"),
        ("histology", "kidny", HISTOLOGY, "kidney"),
        ("histology", "kindey", HISTOLOGY, "kidney"),
        ("histology", "zzz", HISTOLOGY, None),
        ("histology", "", HISTOLOGY, None),
        ("histology", 5, HISTOLOGY, None),
        ("bone_lesion", "lytic ", ["blastic", "mixed", "lytic"], "lytic"),
        ("level", "t12", LEVELS, "T12"),
        ("frankel", "e", ["A", "B", "C", "D", "E"], "E"),
        ("escc", "1A", ["0", "1a", "1b", "1c", "2", "3"], "1a"),
        ("myelopathy", "Y", BOOL, "true"),
        ("myelopathy", "no", BOOL, "false"),
        # one-edit is only for codes of four or more characters
        ("level", "T13", LEVELS, None),
    ],
)
def test_suggest_code(field: str, value: object, allowed: list[str], expected: str | None) -> None:
    assert suggest_code(field, value, allowed) == expected


def test_synonyms_only_suggest_codes_the_field_has() -> None:
    assert suggest_code("histology", "renal", ["breast"]) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Histology", "histology"),
        ("KPS", "kps"),
        ("bone lesion", "bone_lesion"),
        ("histlogy", "histology"),
        ("kps", None),
        ("kp", None),
        ("ecg", "ecog"),
        ("ecpg", "ecog"),  # one substitution
        ("ceog", "ecog"),  # one swap of neighbours
        ("cego", None),  # two swaps
        ("unrelated", None),
    ],
)
def test_suggest_field(name: str, expected: str | None) -> None:
    fields = ["histology", "kps", "ecog", "bone_lesion", "level"]
    assert suggest_field(name, fields) == expected


def test_normalize() -> None:
    assert normalize(" Bone-Lesion_x ") == "bonelesionx"
