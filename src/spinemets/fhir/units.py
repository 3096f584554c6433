"""Laboratory Observations: LOINC code -> interchange field, and UCUM unit -> factor.

The UCUM unit decides the conversion; the LOINC code only names the analyte, so mass and molar
codes are both accepted. A unit not listed for its analyte is an error of that field (never a
silent number). Converted values are used unrounded.

Factors: albumin g/L ÷ 10 = g/dL; CRP mg/L ÷ 10 = mg/dL; calcium mmol/L × 4.008 = mg/dL (molar
mass of calcium 40.08 g/mol); total bilirubin µmol/L ÷ 17.1 = mg/dL (molar mass 584.7 g/mol);
platelets 10*3/uL = 10*9/L.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

__all__ = ["LAB_FIELDS", "LAB_LOINC", "Analyte", "convert"]


@frozen
class Analyte:
    """An interchange laboratory field, the LOINC codes that name it, and its accepted units."""

    field: str
    label: str
    loinc: tuple[str, ...]
    #: UCUM code -> (operation, factor) to the field's unit: ``value * f`` or ``value / f``,
    #: written as the published factor so that the float result is the one a reader computes.
    units: dict[str, tuple[str, float]]


#: The laboratory fields read from Observations, with their LOINC codes and units.
#:
#: :meta hide-value:
LAB_FIELDS: Final[tuple[Analyte, ...]] = (
    Analyte("albumin_g_dl", "Albumin", ("1751-7",),
            {"g/dL": ("mul", 1.0), "g/L": ("div", 10.0)}),
    Analyte("crp_mg_dl", "C-reactive protein", ("1988-5",),
            {"mg/dL": ("mul", 1.0), "mg/L": ("div", 10.0)}),
    Analyte("ldh_u_l", "Lactate dehydrogenase", ("2532-0", "14804-9"), {"U/L": ("mul", 1.0)}),
    Analyte("platelets_10e9_l", "Platelets", ("777-3", "26515-7"),
            {"10*3/uL": ("mul", 1.0), "10*9/L": ("mul", 1.0)}),
    Analyte("calcium_mg_dl", "Calcium", ("17861-6", "2000-8"),
            {"mg/dL": ("mul", 1.0), "mmol/L": ("mul", 4.008)}),
    Analyte("bilirubin_mg_dl", "Total bilirubin", ("1975-2", "14631-6"),
            {"mg/dL": ("mul", 1.0), "umol/L": ("div", 17.1)}),
)

#: LOINC code -> analyte.
#:
#: :meta hide-value:
LAB_LOINC: Final[dict[str, Analyte]] = {code: a for a in LAB_FIELDS for code in a.loinc}


def convert(analyte: Analyte, value: float, unit: str) -> float | None:
    """*value* in UCUM *unit* expressed in the field's unit, or ``None`` for an unknown unit."""
    rule = analyte.units.get(unit)
    if rule is None:
        return None
    operation, factor = rule
    if factor == 1.0:
        return value
    return value * factor if operation == "mul" else value / factor
