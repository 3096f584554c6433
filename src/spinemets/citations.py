"""Papers that spinemets transcribes: one :class:`Citation` per paper, one :class:`Source` per row.

Every clinical number in the library sits in a table row whose ``source`` names the paper, the
place in it (or the reproduction it was read from) and an evidence tag: ``primary`` (the paper's
own abstract/table or an authorised reproduction), ``secondary`` (calculators, reviews, teaching
pages; usually several agreeing) or ``unverified``. Where spinemets had to choose between readings
of the literature, the source is :func:`decision`: an anchor of the documentation's page
*Clinical decisions* (``docs/decisions.md``), which gives the readings, the choice and the papers.
"""

from __future__ import annotations

import enum

from attrs import field, frozen

__all__ = [
    "ALL_CITATIONS",
    "BALAIN_2013",
    "BAUER_1995",
    "BILSKY_2006",
    "BILSKY_2009",
    "BILSKY_2010",
    "DECISIONS",
    "FISHER_2010",
    "FRANKEL_1969",
    "GHORI_2015",
    "KARNOFSKY_1949",
    "KATAGIRI_2014",
    "LAUFER_2013",
    "LEITHNER_2008",
    "MA_2010",
    "OKEN_1982",
    "PRASAD_2018",
    "RADES_2008",
    "RADES_2010",
    "SCHOENFELD_2016",
    "SCHOENFELD_2021",
    "SPINEMETS",
    "TOKUHASHI_1990",
    "TOKUHASHI_2005",
    "TOMITA_2001",
    "VAN_DER_LINDEN_2005",
    "ZHAO_2023",
    "Citation",
    "Evidence",
    "Source",
    "decision",
]


class Evidence(enum.Enum):
    """How firmly a table row is confirmed (the legend shown beside the tags)."""

    #: Confirmed against the paper's own abstract/table or an authorised reproduction.
    PRIMARY = "primary"
    #: Confirmed only from calculators, reviews or teaching pages (usually several agreeing).
    SECONDARY = "secondary"
    #: Not confirmed from any supporting text; results using such a row carry ``unverified_table``.
    UNVERIFIED = "unverified"


#: Lower-case surname particles kept in :attr:`Citation.short` ("van der Linden 2005").
_PARTICLES = frozenset({"van", "der", "den", "de", "von", "la", "le", "du", "da", "di"})


@frozen(kw_only=True)
class Citation:
    """A published paper (or, for :data:`SPINEMETS`, the library's own documented convention)."""

    key: str  #: Short stable id, e.g. ``"fisher2010"``.
    authors: str
    title: str
    journal: str
    year: int
    volume: str = ""
    pages: str = ""
    doi: str | None = None
    #: ``"Fisher 2010"``: first author's surname and year (given explicitly for the project's
    #: own documentation, :data:`SPINEMETS`).
    short: str = field(eq=False)

    @short.default
    def _short(self) -> str:
        words = self.authors.split(" ")
        n = 0
        while n < len(words) - 1 and words[n] in _PARTICLES:
            n += 1
        return f"{' '.join(words[: n + 1])} {self.year}"

    def __str__(self) -> str:
        ref = f"{self.authors} {self.title}. {self.journal} {self.year}"
        if self.volume:
            ref += f";{self.volume}"
        if self.pages:
            ref += f":{self.pages}"
        if self.doi:
            ref += f". doi:{self.doi}"
        return ref + "."

    def at(self, locator: str, evidence: Evidence) -> Source:
        """Point at one place in this paper, e.g. ``"Table 1"``, with its evidence tag."""
        return Source(citation=self, locator=locator, evidence=evidence)


@frozen
class Source:
    """A citation, where in it to look, and how firmly the row is confirmed."""

    citation: Citation = field(repr=lambda c: c.key)
    locator: str
    evidence: Evidence

    @property
    def place(self) -> str:
        """``"Fisher 2010, Table 1"``, or ``"spinemets Clinical decisions #escc-1c"``."""
        if self.citation.key == "spinemets":  # an anchor of the Clinical decisions page
            return f"{self.citation.short} #{self.locator}"
        return f"{self.citation.short}, {self.locator}"

    def __str__(self) -> str:
        return f"{self.place} [{self.evidence.value}]"


TOMITA_2001 = Citation(
    key="tomita2001",
    authors="Tomita K, Kawahara N, Kobayashi T, Yoshida A, Murakami H, Akamaru T.",
    title="Surgical strategy for spinal metastases",
    journal="Spine",
    year=2001,
    volume="26(3)",
    pages="298-306",
)
TOKUHASHI_1990 = Citation(
    key="tokuhashi1990",
    authors="Tokuhashi Y, Matsuzaki H, Toriyama S, Kawano H, Ohsaka S.",
    title="Scoring system for the preoperative evaluation of metastatic spine tumor prognosis",
    journal="Spine",
    year=1990,
    volume="15(11)",
    pages="1110-1113",
)
TOKUHASHI_2005 = Citation(
    key="tokuhashi2005",
    authors="Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J.",
    title=(
        "A revised scoring system for preoperative evaluation of metastatic spine tumor prognosis"
    ),
    journal="Spine",
    year=2005,
    volume="30(19)",
    pages="2186-2191",
    doi="10.1097/01.brs.0000180401.06919.a5",
)
FISHER_2010 = Citation(
    key="fisher2010",
    authors="Fisher CG, DiPaola CP, Ryken TC, et al.",
    title=(
        "A novel classification system for spinal instability in neoplastic disease: an "
        "evidence-based approach and expert consensus from the Spine Oncology Study Group"
    ),
    journal="Spine",
    year=2010,
    volume="35(22)",
    pages="E1221-E1229",
    doi="10.1097/BRS.0b013e3181e16ae2",
)
BILSKY_2010 = Citation(
    key="bilsky2010",
    authors="Bilsky MH, Laufer I, Fourney DR, et al.",
    title="Reliability analysis of the epidural spinal cord compression scale",
    journal="J Neurosurg Spine",
    year=2010,
    volume="13(3)",
    pages="324-328",
    doi="10.3171/2010.3.SPINE09459",
)
BILSKY_2006 = Citation(
    key="bilsky2006",
    authors="Bilsky M, Smith M.",
    title="Surgical approach to epidural spinal cord compression",
    journal="Hematol Oncol Clin North Am",
    year=2006,
    volume="20(6)",
    pages="1307-1317",
)
BILSKY_2009 = Citation(
    key="bilsky2009",
    authors="Bilsky MH, Laufer I, Burch S.",
    title="Shifting paradigms in the treatment of metastatic spine disease",
    journal="Spine",
    year=2009,
    volume="34(22 Suppl)",
    pages="S101-S107",
)
LAUFER_2013 = Citation(
    key="laufer2013",
    authors="Laufer I, Rubin DG, Lis E, et al.",
    title="The NOMS framework: approach to the treatment of spinal metastatic tumors",
    journal="Oncologist",
    year=2013,
    volume="18(6)",
    pages="744-751",
    doi="10.1634/theoncologist.2012-0293",
)
FRANKEL_1969 = Citation(
    key="frankel1969",
    authors="Frankel HL, Hancock DO, Hyslop G, et al.",
    title=(
        "The value of postural reduction in the initial management of closed injuries of the "
        "spine with paraplegia and tetraplegia"
    ),
    journal="Paraplegia",
    year=1969,
    volume="7",
    pages="179-192",
)
KARNOFSKY_1949 = Citation(
    key="karnofsky1949",
    authors="Karnofsky DA, Burchenal JH.",
    title="The clinical evaluation of chemotherapeutic agents in cancer",
    journal="book chapter",
    year=1949,
)
OKEN_1982 = Citation(
    key="oken1982",
    authors="Oken MM, Creech RH, Tormey DC, et al.",
    title="Toxicity and response criteria of the Eastern Cooperative Oncology Group",
    journal="Am J Clin Oncol",
    year=1982,
    volume="5(6)",
    pages="649-655",
)
MA_2010 = Citation(
    key="ma2010",
    authors="Ma C, Bandukwala S, Burman D, et al.",
    title="Interconversion of three measures of performance status",
    journal="Eur J Cancer",
    year=2010,
    volume="46(18)",
    pages="3175-3183",
)
PRASAD_2018 = Citation(
    key="prasad2018",
    authors="Prasad KT, Kaur H, Muthu V, et al.",
    title="Interconversion of two commonly used performance tools",
    journal="World J Clin Oncol",
    year=2018,
    volume="9(7)",
    pages="140-147",
)
ZHAO_2023 = Citation(
    key="zhao2023",
    authors="Zhao Y, Liu F, Wang W.",
    title=(
        "Treatment progress of spinal metastatic cancer: a powerful tool for improving the "
        "quality of life of the patients (systematic review)"
    ),
    journal="BMC / Springer Nature",
    year=2023,
)
SPINEMETS = Citation(
    key="spinemets",
    authors="spinemets.",
    title="Clinical decisions: where spinemets chose between readings of the literature",
    journal="spinemets documentation (docs/decisions.md)",
    year=2026,
    short="spinemets Clinical decisions",
)

#: The anchors of the *Clinical decisions* page (``docs/decisions.md``) and what each decides.
#: Results cite them as ``spinemets Clinical decisions #<anchor>``; a test checks that each one
#: is a heading target of the page.
DECISIONS: dict[str, str] = {
    "tokuhashi-versions": "Tokuhashi 1990 and revised 2005 are two instruments",
    "tokuhashi-survival-labels": "Revised Tokuhashi bands keep the paper's survival wording",
    "tokuhashi-vertebral-item": "Revised Tokuhashi vertebral-body item: >=3 -> 0, 2 -> 1, 1 -> 2",
    "colon-not-rectum": "Colon scores as 'others' in Tokuhashi; only rectum scores 4",
    "tokuhashi-excision-9-11": "Revised Tokuhashi 9-11 points: the abstract's excision rule",
    "tokuhashi-multiple-vertebrae": "Revised Tokuhashi >= 12 points with several vertebrae",
    "tomita-weights": "Tomita's 1/2/4 weights, the 'no visceral metastases' row and its bands",
    "tomita-growth-defaults": "Which histologies have a Tomita growth class by default",
    "solitary-or-isolated": "'Solitary' from the two counts; 'isolated' as the clinician says",
    "visceral-treatable-removable": "'Treatable' (Tomita) is not 'removable' (Tokuhashi)",
    "ecog-to-kps": "ECOG is converted to KPS only through a named published conversion",
    "sins-location": "SINS location classes derived from the spinal level",
    "sins-collapse-50": "SINS collapse of exactly 50 %",
    "sins-several-lesions": "SINS of a case with several lesions: the maximum",
    "escc-1c": "ESCC 1c is a class of its own in the NOMS grid",
    "not-fit-high-grade": "High-grade compression, radioresistant, not fit for surgery",
    "radiosensitivity-unknown": "No radiosensitivity guessed for an unlisted histology",
    "lung-histology": "Lung cancer without NSCLC or SCLC",
    "colorectal-radioresistant": "Colon and rectum under the AO list's 'colorectal'",
    "fitness-unknown": "Fitness for surgery not assessed",
    "unstable-not-fit": "SINS 13-18 in a patient not fit for open surgery",
    "outside-derivation": "Haematological and germ-cell primaries",
    "derived-items": "Items derived from the counts: solitary, other bone metastases",
    "nesms-cap": "NESMS: the sum is capped at 3",
    "katagiri-laboratory": "Katagiri laboratory item from partial values",
    "rades-no-motor-deficit": "Rades 2008 without a motor deficit",
    "cement-augmentation": "When cement augmentation is offered",
    "gross-instability": "What counts as gross instability",
    "evident-compression": "'Evident epidural compression' read as ESCC 1c or worse",
    "combined-approach-levels": "Combined anterior-posterior approach: C7-T1 and L4-L5",
    "tissue-diagnosis": "Obtain a tissue diagnosis when radiosensitivity is unknown",
}


def decision(anchor: str, evidence: Evidence) -> Source:
    """A source pointing at one entry of the *Clinical decisions* page (an anchor of
    :data:`DECISIONS`), with the evidence tag of the readings it chose between."""
    if anchor not in DECISIONS:  # pragma: no cover - a typo fails at import
        raise ValueError(f"{anchor!r} is not an anchor of the Clinical decisions page")
    return SPINEMETS.at(anchor, evidence)

# --- Further instruments -------------------------------------------

BAUER_1995 = Citation(
    key="bauer1995",
    authors="Bauer HCF, Wedin R.",
    title=(
        "Survival after surgery for spinal and extremity metastases. Prognostication in 241 "
        "patients"
    ),
    journal="Acta Orthop Scand",
    year=1995,
    volume="66(2)",
    pages="143-146",
    doi="10.3109/17453679508995508",
)
LEITHNER_2008 = Citation(
    key="leithner2008",
    authors="Leithner A, Radl R, Gruber G, et al.",
    title="Predictive value of seven preoperative prognostic scoring systems for spinal metastases",
    journal="Eur Spine J",
    year=2008,
    volume="17(11)",
    pages="1488-1495",
    doi="10.1007/s00586-008-0763-1",
)
GHORI_2015 = Citation(
    key="ghori2015",
    authors="Ghori AK, Leonard DA, Schoenfeld AJ, et al.",
    title="Modeling 1-year survival after surgery on the metastatic spine",
    journal="Spine J",
    year=2015,
    volume="15(11)",
    pages="2345-2350",
)
SCHOENFELD_2016 = Citation(
    key="schoenfeld2016",
    authors="Schoenfeld AJ, Le HV, Marjoua Y, et al.",
    title=(
        "Assessing the utility of a clinical prediction score regarding 30-day morbidity and "
        "mortality following metastatic spinal surgery: the New England Spinal Metastasis Score "
        "(NESMS)"
    ),
    journal="Spine J",
    year=2016,
    volume="16(4)",
    pages="482-490",
    doi="10.1016/j.spinee.2015.09.043",
)
SCHOENFELD_2021 = Citation(
    key="schoenfeld2021",
    authors="Schoenfeld AJ, Ferrone ML, Schwab JH, et al.",
    title=(
        "Prospective validation of a clinical prediction score for survival in patients with "
        "spinal metastases: the New England Spinal Metastasis Score"
    ),
    journal="Spine J",
    year=2021,
    volume="21(1)",
    pages="28-36",
    doi="10.1016/j.spinee.2020.02.009",
)
BALAIN_2013 = Citation(
    key="balain2013",
    authors="Balain B, Jaiswal A, Trivedi JM, Eisenstein SM, Kuiper JH, Jaffray DC.",
    title="The Oswestry Risk Index: an aid in the treatment of metastatic disease of the spine",
    journal="Bone Joint J",
    year=2013,
    volume="95-B(2)",
    pages="210-216",
)
VAN_DER_LINDEN_2005 = Citation(
    key="vanderlinden2005",
    authors=(
        "van der Linden YM, Dijkstra SPDS, Vonk EJA, Marijnen CAM, Leer JWH; Dutch Bone "
        "Metastasis Study Group."
    ),
    title=(
        "Prediction of survival in patients with metastases in the spinal column: results based "
        "on a randomized trial of radiotherapy"
    ),
    journal="Cancer",
    year=2005,
    volume="103(2)",
    pages="320-328",
    doi="10.1002/cncr.20756",
)
RADES_2008 = Citation(
    key="rades2008",
    authors="Rades D, Dunst J, Schild SE.",
    title=(
        "The first score predicting overall survival in patients with metastatic spinal cord "
        "compression"
    ),
    journal="Cancer",
    year=2008,
    volume="112(1)",
    pages="157-161",
    doi="10.1002/cncr.23150",
)
RADES_2010 = Citation(
    key="rades2010",
    authors="Rades D, Douglas S, Veninga T, et al.",
    title=(
        "Validation and simplification of a score predicting survival in patients irradiated "
        "for MSCC"
    ),
    journal="Cancer",
    year=2010,
    volume="116(15)",
    pages="3670-3673",
)
KATAGIRI_2014 = Citation(
    key="katagiri2014",
    authors="Katagiri H, Okada R, Takagi T, et al.",
    title="New prognostic factors and scoring system for patients with skeletal metastasis",
    journal="Cancer Med",
    year=2014,
    volume="3(5)",
    pages="1359-1367",
    doi="10.1002/cam4.292",
)

ALL_CITATIONS: tuple[Citation, ...] = (
    TOMITA_2001,
    TOKUHASHI_1990,
    TOKUHASHI_2005,
    FISHER_2010,
    BILSKY_2010,
    BILSKY_2006,
    BILSKY_2009,
    LAUFER_2013,
    FRANKEL_1969,
    KARNOFSKY_1949,
    OKEN_1982,
    MA_2010,
    PRASAD_2018,
    ZHAO_2023,
    SPINEMETS,
    BAUER_1995,
    LEITHNER_2008,
    GHORI_2015,
    SCHOENFELD_2016,
    SCHOENFELD_2021,
    BALAIN_2013,
    VAN_DER_LINDEN_2005,
    RADES_2008,
    RADES_2010,
    KATAGIRI_2014,
)
