"""The NOMS decision grid as data (see the NOMS page of the docs): one row per cell.

``radiation`` is read from the ESCC class x radiosensitivity x fitness for surgery (with one
documented modifier on myelopathy); ``stabilization`` from the SINS band x fitness. ``None`` for
radiosensitivity or fitness means *unknown*: a cell of its own, never a guess.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

from .._table import DefaultRow, default_index
from ..citations import (
    BILSKY_2006,
    BILSKY_2009,
    FISHER_2010,
    LAUFER_2013,
    Evidence,
    Source,
    decision,
)
from ..results import EsccClass
from ..scores.sins import Band as SinsBand
from ..vocab import Code, Histology, Radiosensitivity

__all__ = [
    "RADIATION_GRID",
    "RADIOSENSITIVITY_DEFAULTS",
    "STABILIZATION_GRID",
    "Radiation",
    "RadiationRule",
    "Stabilization",
    "StabilizationRule",
    "default_radiosensitivity",
]


class Radiation(Code):
    """The ``radiation`` part: local treatment of the tumour (the NOMS grid)."""

    CEBRT = "cebrt"  #: Conventional external-beam radiotherapy.
    SRS = "srs"  #: Stereotactic radiosurgery / SBRT.
    SEPARATION_SURGERY_THEN_SRS = "separation_surgery_then_srs"
    DECOMPRESSION_THEN_RADIATION = "decompression_then_radiation"
    UNDETERMINED = "undetermined"


class Stabilization(Code):
    """The ``stabilization`` part, read from the case's SINS (the NOMS grid)."""

    NONE = "none"
    SURGICAL_CONSULTATION = "surgical_consultation"
    STABILIZATION = "stabilization"
    PERCUTANEOUS_STABILIZATION = "percutaneous_stabilization"
    UNDETERMINED = "undetermined"


#: Codes that mean open surgery (the NOMS grid).
OPEN_SURGERY: Final = frozenset(
    {
        Radiation.SEPARATION_SURGERY_THEN_SRS,
        Radiation.DECOMPRESSION_THEN_RADIATION,
        Stabilization.STABILIZATION,
    }
)


@frozen(kw_only=True)
class RadiationRule:
    """One cell of ESCC class x radiosensitivity x fitness (x myelopathy where it matters).

    ``myelopathy``: ``True`` = this row needs myelopathy; ``False`` = myelopathy absent or
    unknown; ``None`` = any. ``decides`` names the unknown inputs that would settle an
    undetermined cell.
    """

    escc: EsccClass
    radiosensitivity: Radiosensitivity | None
    fit_for_surgery: bool | None
    myelopathy: bool | None
    radiation: Radiation
    flags: tuple[str, ...]
    decides: tuple[str, ...]
    source: Source
    rationale: str


@frozen(kw_only=True)
class StabilizationRule:
    """One cell of SINS band x fitness."""

    sins: SinsBand
    fit_for_surgery: bool | None
    stabilization: Stabilization
    flags: tuple[str, ...]
    source: Source
    rationale: str


S, R = Radiosensitivity.SENSITIVE, Radiosensitivity.RESISTANT
LOW, MID, HIGH = EsccClass.LOW, EsccClass.INTERMEDIATE, EsccClass.HIGH

_B06 = BILSKY_2006.at("abstract", Evidence.PRIMARY)
_B09 = BILSKY_2009.at("abstract", Evidence.PRIMARY)
_L13 = LAUFER_2013.at("abstract (framework)", Evidence.PRIMARY)
_1C = decision("escc-1c", Evidence.SECONDARY)
_NOTFIT = decision("not-fit-high-grade", Evidence.UNVERIFIED)
_UNK = decision("radiosensitivity-unknown", Evidence.SECONDARY)
_SYS = decision("fitness-unknown", Evidence.SECONDARY)

_CEBRT_S = "radiosensitive tumours are offered cEBRT regardless of the degree of compression"
_SRS_R = "radioresistant tumours without high-grade compression are offered SRS"
_UNK_O = "radiosensitivity unknown: obtain histology (or state radiosensitivity)"


def _rad(
    escc: EsccClass,
    radio: Radiosensitivity | None,
    fit: bool | None,
    code: Radiation,
    source: Source,
    rationale: str,
    *,
    flags: tuple[str, ...] = (),
    decides: tuple[str, ...] = (),
    myelopathy: bool | None = None,
) -> RadiationRule:
    return RadiationRule(escc=escc, radiosensitivity=radio, fit_for_surgery=fit,
                         myelopathy=myelopathy, radiation=code, flags=flags, decides=decides,
                         source=source, rationale=rationale)


_U = Radiation.UNDETERMINED
_HN = ("histology_needed",)
_RS = ("radiosensitivity",)

#: Every cell of the NOMS grid: 3 ESCC classes x 3 radiosensitivities x 3 fitness values,
#: with the high / unknown / fit cell split on myelopathy (28 rows).
RADIATION_GRID: Final[tuple[RadiationRule, ...]] = (
    # low-grade ESCC (0, 1a, 1b): fitness does not matter
    *(_rad(LOW, S, f, Radiation.CEBRT, _B06, _CEBRT_S) for f in (True, False, None)),
    *(_rad(LOW, R, f, Radiation.SRS, _B06, _SRS_R) for f in (True, False, None)),
    *(_rad(LOW, None, f, _U, _UNK, _UNK_O, flags=_HN, decides=_RS) for f in (True, False, None)),
    # ESCC 1c
    *(_rad(MID, S, f, Radiation.CEBRT, _B06, _CEBRT_S) for f in (True, False, None)),
    *(
        _rad(MID, R, f, Radiation.SRS, _1C,
             "ESCC 1c, radioresistant: SRS if the spinal-cord dose constraint can be met, "
             "otherwise separation surgery then SRS", flags=("escc_1c_cord_constraint",))
        for f in (True, False, None)
    ),
    *(_rad(MID, None, f, _U, _UNK, _UNK_O, flags=_HN, decides=_RS) for f in (True, False, None)),
    # high-grade ESCC (2, 3)
    *(_rad(HIGH, S, f, Radiation.CEBRT, _B06, _CEBRT_S + " (no decompression needed for N)")
      for f in (True, False, None)),
    _rad(HIGH, R, True, Radiation.SEPARATION_SURGERY_THEN_SRS, _B06,
         "high-grade ESCC from a radioresistant tumour in a patient who can tolerate surgery: "
         "separation surgery, then SRS"),
    _rad(HIGH, R, False, Radiation.CEBRT, _NOTFIT,
         "high-grade ESCC, radioresistant, not fit for surgery: radiation alone (cEBRT, or SRS "
         "if feasible) +/- best supportive care", flags=("not_fit_for_separation_surgery",)),
    _rad(HIGH, R, None, _U, _SYS,
         "high-grade ESCC, radioresistant: separation surgery if the patient can tolerate it; "
         "fitness for surgery not assessed", flags=("systemic_status_unknown",),
         decides=("fit_for_surgery",)),
    _rad(HIGH, None, True, Radiation.DECOMPRESSION_THEN_RADIATION, _UNK,
         "high-grade ESCC with myelopathy and unknown histology in a fit patient: decompress, "
         "then radiate per histology", flags=_HN, myelopathy=True),
    _rad(HIGH, None, True, _U, _UNK, _UNK_O, flags=_HN,
         decides=("radiosensitivity", "myelopathy"), myelopathy=False),
    _rad(HIGH, None, False, _U, _UNK, _UNK_O, flags=_HN, decides=_RS),
    _rad(HIGH, None, None, _U, _UNK, _UNK_O, flags=_HN,
         decides=("radiosensitivity", "fit_for_surgery", "myelopathy")),
)

_F10 = FISHER_2010.at("SINS categories, as reproduced", Evidence.SECONDARY)
_STAB_NOT_FIT = decision("unstable-not-fit", Evidence.SECONDARY)
_STAB_UNKNOWN = decision("fitness-unknown", Evidence.SECONDARY)

#: Every cell of the NOMS grid: 3 SINS bands x 3 fitness values (9 rows).
STABILIZATION_GRID: Final[tuple[StabilizationRule, ...]] = (
    *(
        StabilizationRule(sins=SinsBand.STABLE, fit_for_surgery=f,
                          stabilization=Stabilization.NONE, flags=(), source=_F10,
                          rationale="SINS 0-6: stable, no stabilization needed")
        for f in (True, False, None)
    ),
    *(
        StabilizationRule(sins=SinsBand.POTENTIALLY_UNSTABLE, fit_for_surgery=f,
                          stabilization=Stabilization.SURGICAL_CONSULTATION, flags=(),
                          source=_F10,
                          rationale="SINS 7-12: potentially unstable, surgical consultation")
        for f in (True, False, None)
    ),
    StabilizationRule(sins=SinsBand.UNSTABLE, fit_for_surgery=True,
                      stabilization=Stabilization.STABILIZATION, flags=(), source=_B09,
                      rationale="SINS 13-18: unstable; gross instability requires an open "
                                "operation"),
    StabilizationRule(sins=SinsBand.UNSTABLE, fit_for_surgery=False,
                      stabilization=Stabilization.PERCUTANEOUS_STABILIZATION, flags=(),
                      source=_STAB_NOT_FIT,
                      rationale="SINS 13-18, not fit for open surgery: percutaneous "
                                "stabilization"),
    StabilizationRule(sins=SinsBand.UNSTABLE, fit_for_surgery=None,
                      stabilization=Stabilization.STABILIZATION,
                      flags=("systemic_status_unknown",), source=_STAB_UNKNOWN,
                      rationale="SINS 13-18: stabilization, if the patient can tolerate it "
                                "(fitness not assessed)"),
)

_LAUFER = LAUFER_2013.at(
    "radiosensitivity list as reproduced (full text unchecked; the radiotherapy list of the "
    "Zhao 2023 review agrees with every default here)",
    Evidence.SECONDARY,
)
_AO = decision("colorectal-radioresistant", Evidence.SECONDARY)

#: Default radiosensitivity per histology (interchange format); unlisted histologies have none.
RADIOSENSITIVITY_DEFAULTS: Final = (
    DefaultRow(when=(Histology.BREAST, Histology.PROSTATE, Histology.LYMPHOMA, Histology.MYELOMA,
                     Histology.SEMINOMA, Histology.OVARY), value=S, source=_LAUFER),
    DefaultRow(when=(Histology.LUNG_NSCLC, Histology.THYROID, Histology.KIDNEY, Histology.LIVER,
                     Histology.OSTEOSARCOMA, Histology.SARCOMA, Histology.MELANOMA),
               value=R, source=_LAUFER),
    DefaultRow(when=(Histology.COLON, Histology.RECTUM), value=R, source=_AO),
)
_RADIO_DEFAULT: Final = default_index(RADIOSENSITIVITY_DEFAULTS)


def default_radiosensitivity(histology: Histology | None) -> DefaultRow[Radiosensitivity] | None:
    """The default row for *histology*, or None when the lists give no class."""
    return _RADIO_DEFAULT.get(histology) if histology is not None else None


def _check_grids() -> tuple[
    dict[tuple[EsccClass, Radiosensitivity | None, bool | None, bool | None], RadiationRule],
    dict[tuple[SinsBand, bool | None], StabilizationRule],
]:
    """Expand the grids to every cell and prove each cell has exactly one row."""
    rad: dict[tuple[EsccClass, Radiosensitivity | None, bool | None, bool | None],
              RadiationRule] = {}
    for escc_class in EsccClass:
        for radio in (S, R, None):
            for fit in (True, False, None):
                for myelo in (True, False, None):
                    rows = [
                        r
                        for r in RADIATION_GRID
                        if (r.escc, r.radiosensitivity, r.fit_for_surgery)
                        == (escc_class, radio, fit)
                        and (r.myelopathy is None or r.myelopathy == (myelo is True))
                    ]
                    if len(rows) != 1:  # pragma: no cover - a broken table fails at import
                        cell = (escc_class, radio, fit, myelo)
                        raise AssertionError(f"{len(rows)} rows for {cell}")
                    rad[(escc_class, radio, fit, myelo)] = rows[0]
    stab = {(r.sins, r.fit_for_surgery): r for r in STABILIZATION_GRID}
    if len(stab) != len(STABILIZATION_GRID) or len(stab) != 9:  # pragma: no cover
        raise AssertionError("stabilization grid is not one row per cell")
    return rad, stab


RADIATION_CELLS, STABILIZATION_CELLS = _check_grids()


