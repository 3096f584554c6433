"""Code tables of the FHIR bridge: systems, the Condition → histology map, metastasis sites,
performance-status answers and the project's own CodeSystems.

Every external code here was checked against a published implementation guide (mCODE; the LOINC
answer lists LL4986-7 and LL529-9 as mCODE and the German MII oncology module use them) or, for
SNOMED CT codes mCODE does not show, against two or more public FHIR sources that agree on code
and display (no SNOMED CT browser was reachable); the docs page ``ehr`` lists them as tables. A
code that could not be verified is left out, never guessed: a Condition with a code missing here
is reported as unmapped.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any, Final

from attrs import frozen

__all__ = [
    "BAND_SYSTEM",
    "CODE_SYSTEM_BASE",
    "ECOG_ANSWERS",
    "ECOG_LOINC",
    "ESCC_GRADE_SYSTEM",
    "FIELD_SYSTEMS",
    "FLAG_SYSTEM",
    "HISTOLOGY_CODES",
    "ICD10",
    "ICD10_CM",
    "ITEM_SYSTEM",
    "KPS_ANSWERS",
    "KPS_LOINC",
    "LOINC",
    "METASTASIS_CODES",
    "RADIATION_SYSTEM",
    "SCORE_SYSTEM",
    "SNOMED",
    "STABILIZATION_SYSTEM",
    "UCUM",
    "ConditionCode",
    "code_systems",
    "histology_for",
    "metastasis_site_for",
]

#: Base URL of the project's own code systems (for what no standard code carries).
CODE_SYSTEM_BASE: Final = "https://spinemets.readthedocs.io/fhir/CodeSystem"
#: Base URL of the project's extensions.
EXTENSION_BASE: Final = "https://spinemets.readthedocs.io/fhir/StructureDefinition"
#: Score ids (``tomita``, ``sins``, ``escc``, ...) and ``noms``.
SCORE_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/score"
#: Items of a summed score, ``<score id>.<item key>`` (``tomita.growth``).
ITEM_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/item"
#: Bands, ``<score id>.<band code>`` (``sins.potentially_unstable``); ESCC classes ``escc.high``.
BAND_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/band"
#: ESCC grades ``0``, ``1a``, ``1b``, ``1c``, ``2``, ``3`` (also the lesion field ``escc``).
ESCC_GRADE_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/escc-grade"
#: The NOMS ``radiation`` codes.
RADIATION_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/noms-radiation"
#: The NOMS ``stabilization`` codes.
STABILIZATION_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/noms-stabilization"
#: The flags of a result that matter to safety (``unverified_table``, ``incomplete``, ...).
FLAG_SYSTEM: Final = f"{CODE_SYSTEM_BASE}/flag"

LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
ICD10: Final = "http://hl7.org/fhir/sid/icd-10"
ICD10_CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM: Final = "http://unitsofmeasure.org"

#: Karnofsky Performance Status score (mCODE ``mcode-karnofsky-performance-status``).
KPS_LOINC: Final = "89243-0"
#: ECOG Performance Status score (mCODE ``mcode-ecog-performance-status``).
ECOG_LOINC: Final = "89247-1"
#: LOINC answer list LL4986-7 (Karnofsky): KPS value -> answer code (0 = dead is not an input).
KPS_ANSWERS: Final[dict[int, str]] = {
    100: "LA29175-9", 90: "LA29176-7", 80: "LA29177-5", 70: "LA29178-3", 60: "LA29179-1",
    50: "LA29180-9", 40: "LA29181-7", 30: "LA29182-5", 20: "LA29183-3", 10: "LA29184-1",
}
#: LOINC answer list LL529-9 (ECOG): grade -> answer code (5 = dead is not an input).
ECOG_ANSWERS: Final[dict[int, str]] = {
    0: "LA9622-7", 1: "LA9623-5", 2: "LA9624-3", 3: "LA9625-0", 4: "LA9626-8",
}
#: The "dead" answer shared by both lists (never a valid input).
DEAD_ANSWER: Final = "LA9627-6"
#: mCODE (STU3/STU4) profiles of the performance-status Observations.
MCODE_KPS_PROFILE: Final = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-karnofsky-performance-status")
MCODE_ECOG_PROFILE: Final = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-ecog-performance-status")
#: mCODE's primary cancer condition profile (an unmapped code there is a histology problem).
MCODE_PRIMARY_PROFILE: Final = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition")
MCODE_SECONDARY_PROFILE: Final = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-secondary-cancer-condition")


@frozen
class ConditionCode:
    """One row of a Condition code table: system, code (an ICD-10 row covers its subcodes),
    the interchange value it maps to, the code's display and where it was checked."""

    system: str
    code: str
    value: str
    display: str
    source: str


_WHO: Final = "ICD-10 (WHO 2019)"
_CM: Final = "ICD-10-CM"
_MCODE: Final = "mCODE IG (HL7)"
_IG: Final = "two or more public FHIR IG / terminology sources agree"


def _icd(code: str, value: str, display: str, source: str = _WHO) -> tuple[ConditionCode, ...]:
    """The same row for ICD-10 and ICD-10-CM (the C-chapter three-character codes agree)."""
    return (ConditionCode(ICD10, code, value, display, source),
            ConditionCode(ICD10_CM, code, value, display, source))


#: Primary-tumour Conditions -> ``histology``. ICD-10 rows match the code and every subcode
#: (``C50`` matches ``C50.911``). Codes that do not decide one interchange code are absent on
#: purpose (C19 rectosigmoid junction, C22 without ``.0``, C40-C41 bone, C62 testis, C90.1
#: plasma cell leukaemia): they are reported as unmapped and the Questionnaire supplies
#: ``histology``.
#:
#: :meta hide-value:
HISTOLOGY_CODES: Final[tuple[ConditionCode, ...]] = (
    *(row for c in ("C00", "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10",
                    "C11", "C12", "C13", "C14", "C30", "C31", "C32")
      for row in _icd(c, "head_neck", "Malignant neoplasm of lip, oral cavity, pharynx, nasal "
                      "cavity, sinuses or larynx (head and neck)")),
    *_icd("C15", "esophagus", "Malignant neoplasm of oesophagus"),
    *_icd("C16", "stomach", "Malignant neoplasm of stomach"),
    *_icd("C18", "colon", "Malignant neoplasm of colon"),
    *_icd("C20", "rectum", "Malignant neoplasm of rectum"),
    *_icd("C22.0", "liver", "Liver cell carcinoma"),
    *_icd("C23", "gallbladder", "Malignant neoplasm of gallbladder"),
    *_icd("C25", "pancreas", "Malignant neoplasm of pancreas"),
    *_icd("C34", "lung", "Malignant neoplasm of bronchus and lung"),
    *_icd("C43", "melanoma", "Malignant melanoma of skin"),
    *_icd("C49", "sarcoma", "Malignant neoplasm of other connective and soft tissue"),
    *_icd("C50", "breast", "Malignant neoplasm of breast"),
    *_icd("C53", "uterus", "Malignant neoplasm of cervix uteri"),
    *_icd("C54", "uterus", "Malignant neoplasm of corpus uteri"),
    *_icd("C55", "uterus", "Malignant neoplasm of uterus, part unspecified"),
    *_icd("C56", "ovary", "Malignant neoplasm of ovary"),
    *_icd("C61", "prostate", "Malignant neoplasm of prostate"),
    *_icd("C64", "kidney", "Malignant neoplasm of kidney, except renal pelvis"),
    *_icd("C67", "bladder", "Malignant neoplasm of bladder"),
    *_icd("C73", "thyroid", "Malignant neoplasm of thyroid gland"),
    *_icd("C80", "unknown", "Malignant neoplasm without specification of site"),
    *(row for c in ("C81", "C82", "C83", "C84", "C85", "C86")
      for row in _icd(c, "lymphoma", "Hodgkin or non-Hodgkin lymphoma")),
    *_icd("C90.0", "myeloma", "Multiple myeloma"),
    *_icd("C90.2", "myeloma", "Plasmacytoma, extramedullary"),
    *_icd("C90.3", "myeloma", "Solitary plasmacytoma"),
    ConditionCode(ICD10_CM, "C7A.0", "carcinoid", "Malignant carcinoid tumors", _CM),
    ConditionCode(SNOMED, "363358000", "lung", "Malignant tumor of lung (disorder)", _IG),
    ConditionCode(SNOMED, "254637007", "lung_nsclc", "Non-small cell lung cancer (disorder)",
                  _MCODE),
    ConditionCode(SNOMED, "254632001", "lung_sclc", "Small cell carcinoma of lung (disorder)",
                  _IG),
    ConditionCode(SNOMED, "254837009", "breast", "Malignant neoplasm of breast (disorder)",
                  _MCODE),
    ConditionCode(SNOMED, "372137005", "breast",
                  "Primary malignant neoplasm of breast (disorder)", _MCODE),
    ConditionCode(SNOMED, "399068003", "prostate", "Malignant tumor of prostate (disorder)",
                  _IG),
    ConditionCode(SNOMED, "702391001", "kidney", "Renal cell carcinoma (disorder)", _IG),
    ConditionCode(SNOMED, "363406005", "colon", "Malignant tumor of colon (disorder)", _IG),
    ConditionCode(SNOMED, "363351006", "rectum", "Malignant tumor of rectum (disorder)", _IG),
    ConditionCode(SNOMED, "363418001", "pancreas", "Malignant tumor of pancreas (disorder)",
                  _MCODE),
    ConditionCode(SNOMED, "363443007", "ovary", "Malignant tumor of ovary (disorder)", _MCODE),
    ConditionCode(SNOMED, "109841003", "liver", "Liver cell carcinoma (disorder)", _IG),
    ConditionCode(SNOMED, "109989006", "myeloma", "Multiple myeloma (disorder)", _IG),
    ConditionCode(SNOMED, "118600007", "lymphoma", "Malignant lymphoma (disorder)", _IG),
)

#: Secondary-malignancy Conditions -> the site they name. They never set a field by themselves
#: (no code says resectable or how many); they are reported, and the Questionnaire supplies
#: ``visceral_metastases`` and the counts.
#:
#: :meta hide-value:
METASTASIS_CODES: Final[tuple[ConditionCode, ...]] = (
    *_icd("C77", "lymph_nodes", "Secondary malignant neoplasm of lymph nodes"),
    *_icd("C78.0", "lung", "Secondary malignant neoplasm of lung"),
    *_icd("C78.7", "liver", "Secondary malignant neoplasm of liver"),
    *_icd("C78", "respiratory_or_digestive", "Secondary malignant neoplasm of respiratory "
          "and digestive organs"),
    *_icd("C79.3", "brain", "Secondary malignant neoplasm of brain and cerebral meninges"),
    *_icd("C79.5", "bone", "Secondary malignant neoplasm of bone and bone marrow"),
    *_icd("C79", "other", "Secondary malignant neoplasm of other and unspecified sites"),
    ConditionCode(SNOMED, "94222008", "bone", "Secondary malignant neoplasm of bone", _IG),
    ConditionCode(SNOMED, "94391008", "lung", "Secondary malignant neoplasm of lung", _IG),
    ConditionCode(SNOMED, "94381002", "liver", "Secondary malignant neoplasm of liver", _IG),
    ConditionCode(SNOMED, "94225005", "brain", "Secondary malignant neoplasm of brain",
                  _MCODE),
)

_ICD_SYSTEMS: Final = frozenset({ICD10, ICD10_CM})


def _norm(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _lookup(table: tuple[ConditionCode, ...], system: str, code: str) -> ConditionCode | None:
    if system in _ICD_SYSTEMS:
        key = _norm(code)
        best: ConditionCode | None = None
        for row in table:  # the longest matching prefix wins (C78.0 before C78)
            if row.system == system and key.startswith(_norm(row.code)) and (
                    best is None or len(row.code) > len(best.code)):
                best = row
        return best
    return next((row for row in table if row.system == system and row.code == code.strip()),
                None)


def histology_for(system: str, code: str) -> ConditionCode | None:
    """The histology row for a Condition coding, or ``None`` when the table does not map it."""
    return _lookup(HISTOLOGY_CODES, system, code)


def metastasis_site_for(system: str, code: str) -> ConditionCode | None:
    """The metastasis-site row for a Condition coding, or ``None``."""
    return _lookup(METASTASIS_CODES, system, code)


def is_malignant_icd(system: str, code: str) -> bool:
    """Whether an ICD-10 code lies in the malignant-neoplasm block (C00-C97, with C7A/C7B)."""
    if system not in _ICD_SYSTEMS:
        return False
    key = _norm(code)
    return len(key) >= 3 and key[0] == "C" and (key[1:3].isdigit() or key[1:3] in {"7A", "7B"})


def plain(text: str) -> str:
    """*text* without references to sections of the interchange specification."""
    return re.sub(r"\s*\(interchange §[^)]*\)", "", text)


def _field_system(name: str) -> str:
    return ESCC_GRADE_SYSTEM if name == "escc" else f"{CODE_SYSTEM_BASE}/{name.replace('_', '-')}"


def _field_systems() -> dict[str, str]:
    from .._fields import CASE_FIELDS, LESION_FIELDS

    return {spec.name: _field_system(spec.name) for spec in (*CASE_FIELDS, *LESION_FIELDS)
            if spec.kind == "code"}


#: Interchange code field -> the CodeSystem of its codes (Questionnaire answer options).
#:
#: :meta hide-value:
FIELD_SYSTEMS: Final[dict[str, str]] = _field_systems()

#: The flags a result can carry, with their meaning (the FLAG_SYSTEM CodeSystem).
#:
#: :meta hide-value:
FLAGS: Final[dict[str, str]] = {
    "incomplete": "The score could not be computed: an input is missing (the missing fields "
                  "are listed).",
    "not_applicable": "The score does not apply to this case (the reason is given).",
    "unverified_table": "A point row or default used here rests on a source the project could "
                        "not verify in full.",
    "outside_derivation_population": "The histology lies outside the population the score was "
                                     "derived from.",
    "colon_scored_as_other": "Colon cancer is scored as 'others' in the revised Tokuhashi score.",
    "tokuhashi_multiple_vertebrae_conflict": "Revised Tokuhashi total of 12 or more with two or "
                                             "more vertebrae involved.",
    "kps_from_ecog:common": "KPS taken from ECOG by the calculator convention.",
    "kps_from_ecog:ma_2010": "KPS taken from ECOG by Ma et al. 2010.",
    "kps_from_ecog:prasad_2018": "KPS taken from ECOG by Prasad et al. 2018.",
    "kps_from_ecog_ambiguous": "The ECOG grade does not decide the KPS category of this score.",
    "systemic_status_unknown": "Fitness for surgery was not assessed.",
    "histology_needed": "The radiosensitivity is unknown: histology or an explicit "
                        "radiosensitivity is needed.",
    "not_fit_for_separation_surgery": "High-grade compression from a radioresistant tumour in a "
                                      "patient not fit for surgery.",
    "escc_1c_cord_constraint": "ESCC 1c with a radioresistant tumour: separation surgery if the "
                               "cord dose constraint cannot be met.",
    "limited_life_expectancy": "A prognostic score indicates short expected survival.",
}


def _code_system(url: str, name: str, title: str, description: str,
                 concepts: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "resourceType": "CodeSystem",
        "id": name,
        "url": url,
        "name": "".join(part.capitalize() for part in name.replace("-", "_").split("_")),
        "title": title,
        "status": "active",
        "experimental": False,
        "description": description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": [{"code": code, "display": display} for code, display in concepts],
    }


@functools.cache
def _code_systems() -> tuple[dict[str, Any], ...]:
    from .._fields import CASE_FIELDS, LESION_FIELDS
    from ..recommend.grid import Radiation, Stabilization
    from ..results import EsccClass
    from ..scores.escc import GRADES
    from ..scores.registry import INSTRUMENTS, SUMMED_INSTRUMENTS
    from ..vocab import EsccGrade

    scores = [(m.ID, m.TITLE) for m in INSTRUMENTS] + [("noms", "NOMS recommendation")]
    items = [(f"{m.ID}.{item.key}", item.label) for m in SUMMED_INSTRUMENTS for item in m.ITEMS]
    items += [("noms.radiation", "Radiation"), ("noms.stabilization", "Stabilization")]
    bands = [(f"{m.ID}.{b.code.value}", b.meaning or b.code.value) for m in SUMMED_INSTRUMENTS
             for b in m.BANDS]
    bands += [(f"escc.{c.value}", f"{c.value} grade") for c in EsccClass]
    out = [
        _code_system(SCORE_SYSTEM, "score", "spinemets scores",
                     "The scores spinemets computes, and its NOMS recommendation.", scores),
        _code_system(ITEM_SYSTEM, "item", "spinemets score items",
                     "The items of each summed score, as <score>.<item>.", items),
        _code_system(BAND_SYSTEM, "band", "spinemets bands",
                     "The published bands of each score, as <score>.<band>.", bands),
        _code_system(RADIATION_SYSTEM, "noms-radiation", "NOMS radiation",
                     "The radiation part of the NOMS recommendation.",
                     [(r.value, r.value.replace("_", " ")) for r in Radiation]),
        _code_system(STABILIZATION_SYSTEM, "noms-stabilization", "NOMS stabilization",
                     "The stabilization part of the NOMS recommendation.",
                     [(s.value, s.value.replace("_", " ")) for s in Stabilization]),
        _code_system(FLAG_SYSTEM, "flag", "spinemets flags",
                     "Flags of a result that matter to safety.", list(FLAGS.items())),
    ]
    grades = dict(GRADES)
    for spec in (*CASE_FIELDS, *LESION_FIELDS):
        if spec.kind != "code":
            continue
        assert spec.codes is not None
        if spec.name == "escc":
            concepts = [(g.value, grades[g]) for g in EsccGrade]
            out.append(_code_system(ESCC_GRADE_SYSTEM, "escc-grade", "Bilsky ESCC grade",
                                    "Epidural spinal cord compression grade (Bilsky 2010).",
                                    concepts))
            continue
        concepts = [(m.value, m.value.replace("_", " ")) for m in spec.codes]
        out.append(_code_system(FIELD_SYSTEMS[spec.name], spec.name.replace("_", "-"),
                                f"spinemets {spec.name}", plain(spec.description), concepts))
    return tuple(out)


def code_systems() -> list[dict[str, Any]]:
    """The project's CodeSystems as FHIR R4 ``CodeSystem`` resources (fresh dicts on every call).

    One per own system: scores, items, bands, NOMS parts, flags, and one per coded interchange
    field (the Questionnaire's answer options).
    """
    return copy.deepcopy(list(_code_systems()))
