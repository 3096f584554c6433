"""The interchange vocabulary, typed once for the tests from the contract (interchange format v1).

Nothing here is imported from ``spinemets``: field names and codes are written out from the
interchange format's tables (a case and its lesions, the further instruments' fields, record
identity, the Katagiri laboratory category, the scores' ids and bands, the NOMS codes), so that a
code the library renames, adds or drops fails ``tests/test_vocab.py``. The strategies and the
oracles take their code lists from here.

Ordinal tuples run from the mildest (or best) finding to the most severe, as the library declares
its enums; the other tuples follow the contract's tables.
"""

from __future__ import annotations

from typing import Final, Literal

Kind = Literal["code", "int", "number", "bool"]

# --- a case (§1) --------------------------------------------------------------------------------

HISTOLOGIES: Final[tuple[str, ...]] = (
    "lung", "lung_nsclc", "lung_sclc", "breast", "prostate", "thyroid", "carcinoid", "kidney",
    "uterus", "rectum", "colon", "stomach", "esophagus", "pancreas", "bladder", "liver",
    "gallbladder", "osteosarcoma", "sarcoma", "melanoma", "lymphoma", "myeloma", "seminoma",
    "germ_cell", "ovary", "head_neck", "unknown", "other",
)
TOMITA_GROWTHS: Final = ("slow", "moderate", "rapid")
RADIOSENSITIVITIES: Final = ("sensitive", "resistant")
KPS_VALUES: Final = (100, 90, 80, 70, 60, 50, 40, 30, 20, 10)
ECOG_VALUES: Final = (0, 1, 2, 3, 4)
ECOG_TO_KPS: Final = ("common", "ma_2010", "prasad_2018")
VISCERAL: Final = ("none", "resectable", "treatable", "untreatable")
FRANKEL: Final = ("E", "D", "C", "B", "A")

# --- a lesion (§1.1) ----------------------------------------------------------------------------

LEVELS: Final[tuple[str, ...]] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)
PAIN: Final = ("none", "occasional", "mechanical")
BONE_LESION: Final = ("blastic", "mixed", "lytic")
ALIGNMENT: Final = ("normal", "deformity", "subluxation")
COLLAPSE: Final = ("none", "involved_over_50", "under_50", "over_50")
POSTEROLATERAL: Final = ("none", "unilateral", "bilateral")
ESCC_GRADES: Final = ("0", "1a", "1b", "1c", "2", "3")

#: The six SINS fields of a lesion and their codes, best to worst.
SINS_LESION_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "level": LEVELS,
    "pain": PAIN,
    "bone_lesion": BONE_LESION,
    "alignment": ALIGNMENT,
    "collapse": COLLAPSE,
    "posterolateral": POSTEROLATERAL,
}
LESION_FIELDS: Final[dict[str, tuple[str, ...]]] = {**SINS_LESION_FIELDS, "escc": ESCC_GRADES}

# --- the further instruments' fields (§1.2) and the Katagiri laboratory category (§8.4) ----------

KATAGIRI_GROUPS: Final = ("slow", "moderate", "rapid")
KATAGIRI_VISCERAL: Final = ("none", "nodular", "disseminated")
KATAGIRI_LABORATORY: Final = ("normal", "abnormal", "critical")
#: The six laboratory values of Katagiri's laboratory item (units in the names).
LABORATORY_FIELDS: Final = ("albumin_g_dl", "crp_mg_dl", "ldh_u_l", "platelets_10e9_l",
                            "calcium_mg_dl", "bilirubin_mg_dl")

#: Every coded case field and its codes.
CASE_CODES: Final[dict[str, tuple[str, ...]]] = {
    "histology": HISTOLOGIES,
    "tomita_growth": TOMITA_GROWTHS,
    "radiosensitivity": RADIOSENSITIVITIES,
    "ecog_to_kps": ECOG_TO_KPS,
    "visceral_metastases": VISCERAL,
    "frankel": FRANKEL,
    "katagiri_group": KATAGIRI_GROUPS,
    "katagiri_visceral": KATAGIRI_VISCERAL,
    "katagiri_laboratory": KATAGIRI_LABORATORY,
}
#: Every case field except ``lesions``, ``id`` and ``interchange``, with its kind.
CASE_FIELDS: Final[dict[str, Kind]] = {
    # §1
    "histology": "code",
    "tomita_growth": "code",
    "radiosensitivity": "code",
    "kps": "int",
    "ecog": "int",
    "ecog_to_kps": "code",
    "visceral_metastases": "code",
    "extraspinal_bone_metastases": "int",
    "vertebral_metastases": "int",
    "bone_metastases_isolated": "bool",
    "frankel": "code",
    "myelopathy": "bool",
    "radiculopathy": "bool",
    "fit_for_surgery": "bool",
    # §1.2
    "pathologic_fracture": "bool",
    "ambulatory": "bool",
    **dict.fromkeys(LABORATORY_FIELDS, "number"),
    "previous_chemotherapy": "bool",
    "katagiri_group": "code",
    "katagiri_visceral": "code",
    "months_diagnosis_to_mscc": "number",
    "motor_deficit_days": "int",
    # §8.4
    "katagiri_laboratory": "code",
}
#: The keys of a case object that are not scored fields.
CASE_KEYS_BESIDES: Final = ("lesions", "id", "interchange")

# --- scores (§3, §3.1) and the recommendation (§5) ----------------------------------------------

#: Band codes of each summed score, lowest totals first (OSRI publishes none).
BANDS: Final[dict[str, tuple[str, ...]]] = {
    "tomita": ("long_term_local_control", "middle_term_local_control", "short_term_palliation",
               "terminal_care"),
    "tokuhashi_1990": ("poor", "intermediate", "good"),
    "tokuhashi_2005": ("lt_6_months", "gte_6_months", "gte_12_months"),
    "sins": ("stable", "potentially_unstable", "unstable"),
    "bauer_1995": ("poor", "intermediate", "good"),
    "bauer_modified": ("poor", "intermediate", "good"),
    "nesms": ("nesms_0", "nesms_1", "nesms_2", "nesms_3"),
    "katagiri_2014": ("low_risk", "intermediate_risk", "high_risk"),
    "van_der_linden": ("group_a", "group_b", "group_c"),
    "rades_2008": ("rades_20_25", "rades_26_30", "rades_31_35", "rades_36_40", "rades_41_45"),
    "osri": (),
}
SUMMED_IDS: Final[tuple[str, ...]] = tuple(BANDS)
#: Every score id: the summed scores, then ESCC (a grade, not a sum).
SCORE_IDS: Final[tuple[str, ...]] = (*SUMMED_IDS, "escc")
ESCC_CLASSES: Final = ("low", "intermediate", "high")
STATUSES: Final = ("complete", "incomplete", "not_applicable")
NOMS_RADIATION: Final = ("cebrt", "srs", "separation_surgery_then_srs",
                         "decompression_then_radiation", "undetermined")
NOMS_STABILIZATION: Final = ("none", "surgical_consultation", "stabilization",
                             "percutaneous_stabilization", "undetermined")
