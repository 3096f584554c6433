"""The code tables on the EHR docs page are the package's tables (they cannot drift apart)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tests
from spinemets.fhir import codes, units

PAGE = Path(tests.__file__).resolve().parent.parent / "docs" / "ehr.md"
SYSTEMS = {"ICD-10": codes.ICD10, "ICD-10-CM": codes.ICD10_CM, "SNOMED CT": codes.SNOMED}

pytestmark = pytest.mark.skipif(not PAGE.exists(), reason="docs not in this tree")


def _rows(marker: str) -> list[list[str]]:
    text = PAGE.read_text(encoding="utf-8")
    block = text.split(f"<!-- spinemets:{marker} -->")[1].split(f"<!-- /spinemets:{marker} -->")[0]
    lines = [line for line in block.splitlines() if line.startswith("|")][2:]
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in lines]


def _expand(rows: list[list[str]], value_column: int) -> set[tuple[str, str, str]]:
    out = set()
    for row in rows:
        for system in row[0].split(", "):
            out.add((SYSTEMS[system], row[1], row[value_column].replace(" ", "_")))
    return out


def test_histology_table() -> None:
    documented = _expand(_rows("histology-codes"), 3)
    assert documented == {(r.system, r.code, r.value) for r in codes.HISTOLOGY_CODES}


def test_metastasis_table() -> None:
    documented = _expand(_rows("metastasis-codes"), 3)
    assert documented == {(r.system, r.code, r.value) for r in codes.METASTASIS_CODES}


def test_laboratory_table() -> None:
    documented: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {}
    for field, loinc, conversions in _rows("lab-codes"):
        documented[field] = (
            tuple(code.strip(" `") for code in loinc.split(",")),
            dict(re.findall(r"`?([^`;]+?)` (as is|[×÷] [0-9.]+)", conversions)),
        )
    for analyte in units.LAB_FIELDS:
        loincs, rules = documented[analyte.field]
        assert loincs == analyte.loinc
        expected = {u: "as is" if f == 1.0 else f"{'×' if op == 'mul' else '÷'} {f:g}"
                    for u, (op, f) in analyte.units.items()}
        assert rules == expected
