"""The interchange vocabulary (interchange.md §1, §1.1, §2): one enum per coded field.

Enum values are exactly the interchange codes. Ordinal vocabularies are declared from the mildest
to the most severe finding; the tests rely on that order for monotonicity.
"""

from __future__ import annotations

import enum

__all__ = [
    "Alignment",
    "BoneLesion",
    "Code",
    "Collapse",
    "EcogToKps",
    "EsccGrade",
    "Frankel",
    "Histology",
    "KatagiriGroup",
    "KatagiriLaboratory",
    "KatagiriVisceral",
    "Pain",
    "Posterolateral",
    "Radiosensitivity",
    "SpinalLevel",
    "TomitaGrowth",
    "VisceralMetastases",
]


class Code(enum.Enum):
    """Base of every vocabulary enum: members hash by identity (they are singletons), which keeps
    the table look-ups of the hot scoring path cheap."""

    __hash__ = object.__hash__


class Histology(Code):
    """Primary tumour (interchange §2)."""

    LUNG = "lung"  #: Lung cancer, histology not given.
    LUNG_NSCLC = "lung_nsclc"  #: Non-small-cell lung cancer.
    LUNG_SCLC = "lung_sclc"  #: Small-cell lung cancer.
    BREAST = "breast"
    PROSTATE = "prostate"
    THYROID = "thyroid"
    CARCINOID = "carcinoid"  #: Carcinoid / well-differentiated neuroendocrine tumour.
    KIDNEY = "kidney"  #: Renal cell carcinoma.
    UTERUS = "uterus"  #: Uterine (endometrial or cervical).
    RECTUM = "rectum"
    COLON = "colon"  #: Colon (not rectum).
    STOMACH = "stomach"
    ESOPHAGUS = "esophagus"
    PANCREAS = "pancreas"
    BLADDER = "bladder"
    LIVER = "liver"  #: Hepatocellular carcinoma.
    GALLBLADDER = "gallbladder"
    OSTEOSARCOMA = "osteosarcoma"
    SARCOMA = "sarcoma"  #: Other sarcoma.
    MELANOMA = "melanoma"
    LYMPHOMA = "lymphoma"
    MYELOMA = "myeloma"  #: Multiple myeloma / plasmacytoma.
    SEMINOMA = "seminoma"
    GERM_CELL = "germ_cell"  #: Non-seminomatous germ-cell tumour.
    OVARY = "ovary"
    HEAD_NECK = "head_neck"  #: Head and neck cancer.
    UNKNOWN = "unknown"  #: Primary not identified.
    OTHER = "other"  #: Any other primary.


class TomitaGrowth(Code):
    """Tomita's growth class of the primary tumour (slow to rapid)."""

    SLOW = "slow"
    MODERATE = "moderate"
    RAPID = "rapid"


class KatagiriGroup(Code):
    """Katagiri 2014 primary-lesion group (interchange §1.2), slow to rapid growth.

    The codes equal :class:`TomitaGrowth`'s, but the classes differ (Katagiri's depend on hormone
    and targeted-therapy status), so the two are separate vocabularies.
    """

    SLOW = "slow"
    MODERATE = "moderate"
    RAPID = "rapid"


class KatagiriLaboratory(Code):
    """Katagiri 2014 laboratory item as a registry records it, mildest first."""

    NORMAL = "normal"
    ABNORMAL = "abnormal"  #: CRP, LDH or albumin beyond its cut-off.
    CRITICAL = "critical"  #: Platelets, calcium or bilirubin beyond its cut-off.


class KatagiriVisceral(Code):
    """Katagiri 2014 visceral item (interchange §1.2), mildest first."""

    NONE = "none"
    NODULAR = "nodular"  #: Nodular visceral or cerebral metastasis.
    DISSEMINATED = "disseminated"  #: Pleural, peritoneal or leptomeningeal dissemination.


class Radiosensitivity(Code):
    """Response of the histology to conventional external-beam radiotherapy (NOMS O)."""

    SENSITIVE = "sensitive"
    RESISTANT = "resistant"


class VisceralMetastases(Code):
    """Metastases to major internal organs (lung, liver, kidney, brain); interchange §4.2."""

    NONE = "none"
    RESECTABLE = "resectable"  #: Present and surgically removable.
    TREATABLE = "treatable"  #: Present, treatable but not resectable.
    UNTREATABLE = "untreatable"


class Frankel(Code):
    """Frankel grade (Frankel 1969), declared from normal (E) to complete (A)."""

    E = "E"  #: Normal motor and sensory function.
    D = "D"  #: Motor useful.
    C = "C"  #: Motor useless.
    B = "B"  #: Sensory only.
    A = "A"  #: Complete.


class Pain(Code):
    """SINS pain item (Fisher 2010)."""

    NONE = "none"  #: Pain-free lesion.
    OCCASIONAL = "occasional"  #: Occasional pain, not mechanical.
    MECHANICAL = "mechanical"  #: Relieved by recumbency and/or worse with movement or loading.


class BoneLesion(Code):
    """SINS bone-lesion quality (Fisher 2010)."""

    BLASTIC = "blastic"
    MIXED = "mixed"  #: Mixed lytic/blastic.
    LYTIC = "lytic"


class Alignment(Code):
    """SINS radiographic spinal alignment (Fisher 2010)."""

    NORMAL = "normal"
    DEFORMITY = "deformity"  #: De novo deformity (kyphosis/scoliosis).
    SUBLUXATION = "subluxation"  #: Subluxation/translation present.


class Collapse(Code):
    """SINS vertebral body collapse (Fisher 2010). Exactly 50 % has no code: choose (§4.6)."""

    NONE = "none"
    INVOLVED_OVER_50 = "involved_over_50"  #: No collapse with > 50 % of the body involved.
    UNDER_50 = "under_50"  #: < 50 % collapse.
    OVER_50 = "over_50"  #: > 50 % collapse.


class Posterolateral(Code):
    """SINS posterolateral involvement of spinal elements (Fisher 2010)."""

    NONE = "none"
    UNILATERAL = "unilateral"
    BILATERAL = "bilateral"


class EsccGrade(Code):
    """Bilsky epidural spinal cord compression grade (Bilsky 2010), mildest first."""

    G0 = "0"  #: Bone-only disease.
    G1A = "1a"  #: Epidural impingement, no deformation of the thecal sac.
    G1B = "1b"  #: Deformation of the thecal sac, no spinal cord abutment.
    G1C = "1c"  #: Deformation of the thecal sac with cord abutment, no cord compression.
    G2 = "2"  #: Cord compression, CSF visible around the cord.
    G3 = "3"  #: Cord compression, no CSF visible around the cord.


class EcogToKps(Code):
    """A named, published ECOG-to-KPS conversion (interchange §4.4)."""

    COMMON = "common"  #: Calculator convention.
    MA_2010 = "ma_2010"  #: Ma et al., Eur J Cancer 2010.
    PRASAD_2018 = "prasad_2018"  #: Prasad et al., World J Clin Oncol 2018.


class SpinalLevel(Code):
    """A spinal level, C1 to S5, declared cranial to caudal."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"
    C6 = "C6"
    C7 = "C7"
    T1 = "T1"
    T2 = "T2"
    T3 = "T3"
    T4 = "T4"
    T5 = "T5"
    T6 = "T6"
    T7 = "T7"
    T8 = "T8"
    T9 = "T9"
    T10 = "T10"
    T11 = "T11"
    T12 = "T12"
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"
    L5 = "L5"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"
    S4 = "S4"
    S5 = "S5"
