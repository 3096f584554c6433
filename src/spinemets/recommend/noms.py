"""NOMS recommender (Bilsky & Smith 2006; Laufer et al., Oncologist 2013): decision grid + options.

:func:`recommend` reads the worst ESCC grade (N), the radiosensitivity (O, explicit or from the
histology default), the case's SINS (M) and ``fit_for_surgery`` (S, as given, never derived), and
returns the ``radiation`` and ``stabilization`` codes of the NOMS grid with flags, the fields that
would decide an ``undetermined`` part, a rationale per pillar and the options of the literature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from .. import _json
from ..exceptions import case_type_error
from ..model import Case
from ..policy import DEFAULT_POLICY, EsccIntermediateAs, Policy
from ..results import EsccClass, GradeResult, ScoreResult, Status
from ..scores import escc, sins, tokuhashi_2005, tomita
from ..vocab import Histology, Radiosensitivity
from .grid import (
    _UNK_O,
    RADIATION_CELLS,
    STABILIZATION_CELLS,
    Radiation,
    Stabilization,
    default_radiosensitivity,
)
from .options import Facts, Option, options_for

if TYPE_CHECKING:
    from ..citations import Source

__all__ = ["Rationale", "Recommendation", "recommend"]


@frozen(kw_only=True)
class Rationale:
    """Why, per pillar: ``N``, ``O``, ``M``, ``S``."""

    pillar: str
    text: str
    source: Source | None = None


@frozen(kw_only=True)
class Recommendation:
    """A NOMS recommendation: two codes, flags, what is missing, rationale, options.

    .. versionadded:: 0.1.0
    """

    radiation: Radiation
    stabilization: Stabilization
    flags: tuple[str, ...]
    missing: tuple[tuple[str, tuple[str, ...]], ...]  #: ``(part, fields)`` for undetermined parts.
    policy: str
    rationale: tuple[Rationale, ...]  #: One per pillar, in N, O, M, S order.
    options: tuple[Option, ...]

    def to_dict(self) -> dict[str, Any]:
        """The interchange form (the interchange result)."""
        return {
            "radiation": self.radiation.value,
            "stabilization": self.stabilization.value,
            "flags": list(self.flags),
            "missing": {part: list(fields) for part, fields in self.missing},
            "policy": self.policy,
            "rationale": {r.pillar: r.text for r in self.rationale},
            "options": [o.to_dict() for o in self.options],
        }

    def _repr_html_(self) -> str:
        from ..display import recommendation_html

        return recommendation_html(self)

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        missing = ",".join([f"{_json.string(part)}:{_json.strings(fields)}"
                            for part, fields in self.missing])
        rationale = ",".join([f"{_json.string(r.pillar)}:{_json.string(r.text)}"
                              for r in self.rationale])
        options = ",".join([o.json for o in self.options])
        return (f'{{"radiation":{_json.string(self.radiation._value_)},'
                f'"stabilization":{_json.string(self.stabilization._value_)},'
                f'"flags":{_json.strings(self.flags)},"missing":{{{missing}}},'
                f'"policy":{_json.string(self.policy)},"rationale":{{{rationale}}},'
                f'"options":[{options}]}}')


def _radiosensitivity(case: Case) -> tuple[Radiosensitivity | None, str]:
    """The radiosensitivity the O pillar uses and the rationale's wording of where it came from."""
    tumour = case.tumour
    key = (tumour.radiosensitivity, tumour.histology)
    found = _RADIOSENSITIVITY_TEXT.get(key)
    if found is None:
        found = _RADIOSENSITIVITY_TEXT[key] = _radiosensitivity_text(*key)
    return found


def _radiosensitivity_text(
    explicit: Radiosensitivity | None, histology: Histology | None
) -> tuple[Radiosensitivity | None, str]:
    if explicit is not None:
        return explicit, f"{explicit.value} (explicit)"
    row = default_radiosensitivity(histology)
    if row is not None:
        assert histology is not None
        return row.value, (
            f"{row.value.value} (default for histology {histology.value}; {row.source})"
        )
    if histology is None:
        return None, "unknown: neither radiosensitivity nor histology given"
    if histology is Histology.LUNG:
        return None, f"unknown: {_LUNG_NEEDED}"
    return None, f"unknown: histology {histology.value} has no default radiosensitivity"


#: What a ``lung`` case needs for the O pillar (decision ``lung-histology``).
_LUNG_NEEDED = (
    "lung cancer without its type: NSCLC (histology lung_nsclc, radioresistant by default) or "
    "SCLC (lung_sclc, no default), or state radiosensitivity (spinemets decision #lung-histology)"
)


#: Every (explicit radiosensitivity, histology) pair's reading, filled on first use (<= 87 keys).
_RADIOSENSITIVITY_TEXT: dict[
    tuple[Radiosensitivity | None, Histology | None], tuple[Radiosensitivity | None, str]
] = {}


def _yes_no(value: bool | None) -> str:
    return "not assessed" if value is None else ("yes" if value else "no")


def recommend(
    case: Case,
    policy: Policy = DEFAULT_POLICY,
    *,
    escc_result: GradeResult | None = None,
    sins_result: ScoreResult[sins.Band] | None = None,
    tomita_result: ScoreResult[tomita.Band] | None = None,
    tokuhashi_2005_result: ScoreResult[tokuhashi_2005.Band] | None = None,
) -> Recommendation:
    """Recommend local treatment and stabilization for *case* under *policy*.

    Already computed score results may be passed to avoid recomputation. Never raises for
    missing input: the affected part is ``undetermined`` and ``missing`` lists what would decide it.
    """
    if not isinstance(case, Case):
        raise case_type_error(case, "recommend")
    n = escc_result or escc.classify(case)
    m = sins_result or sins.score(case)
    t = tomita_result or tomita.score(case)
    k = tokuhashi_2005_result or tokuhashi_2005.score(case, policy)
    radio, radio_text = _radiosensitivity(case)
    fit = case.systemic.fit_for_surgery
    myelopathy = case.neurology.myelopathy
    flags: list[str] = [*n.flags, *m.flags]
    missing: list[tuple[str, tuple[str, ...]]] = []

    # N x O x S -> radiation
    escc_class = n.escc_class
    as_1c = policy.escc_1c_as
    if escc_class is EsccClass.INTERMEDIATE and as_1c is not EsccIntermediateAs.INTERMEDIATE:
        escc_class = EsccClass(policy.escc_1c_as.value)
    if escc_class is None:
        radiation = Radiation.UNDETERMINED
        decide = list(n.missing)
        if radio is None:
            decide += _names("radiosensitivity", case)
            flags.append("histology_needed")
        missing.append(("radiation", tuple(decide)))
        rad_text = "ESCC not complete"
        rad_source: Source | None = None
    else:
        rule = RADIATION_CELLS[(escc_class, radio, fit, myelopathy)]
        radiation = rule.radiation
        flags.extend(rule.flags)
        rad_text = rule.rationale
        if radio is None and case.tumour.histology is Histology.LUNG:
            rad_text = rad_text.replace(_UNK_O, "radiosensitivity unknown: state NSCLC or SCLC")
        rad_source = rule.source
        if radiation is Radiation.UNDETERMINED:
            decide = []
            for name in rule.decides:
                if name == "radiosensitivity" and radio is None:
                    decide += _names(name, case)
                elif name == "fit_for_surgery" and fit is None:
                    decide.append(name)
                    flags.append("systemic_status_unknown")
                elif name == "myelopathy" and myelopathy is None:
                    decide.append(name)
            missing.append(("radiation", tuple(decide)))

    # M x S -> stabilization
    if m.band is None:
        stabilization = Stabilization.UNDETERMINED
        missing.append(("stabilization", m.missing))
        stab_text = "SINS not complete"
        stab_source: Source | None = None
    else:
        srule = STABILIZATION_CELLS[(m.band.code, fit)]
        stabilization = srule.stabilization
        flags.extend(srule.flags)
        stab_text = srule.rationale
        stab_source = srule.source

    limited = (k.band is not None and k.band.code is tokuhashi_2005.Band.LT_6_MONTHS) or (
        t.band is not None and t.band.code is tomita.Band.TERMINAL_CARE
    )
    if limited:
        flags.append("limited_life_expectancy")

    neuro = case.neurology
    if n.status is Status.COMPLETE:
        assert n.grade is not None and n.escc_class is not None and n.lesion_index is not None
        at = case.lesions[n.lesion_index].level
        where = f"lesions[{n.lesion_index}]" + (f" ({at.value})" if at else "")
        n_text = f"worst ESCC grade {n.grade.value} at {where}: {n.escc_class.value} grade"
    else:
        n_text = "ESCC incomplete (missing " + ", ".join(n.missing) + ")"
    n_text += (f"; myelopathy: {_yes_no(myelopathy)}; "
               f"radiculopathy: {_yes_no(neuro.radiculopathy)}. Radiation: {rad_text}"
               f"{_decided(rad_source)}.")
    if m.status is Status.COMPLETE:
        assert m.band is not None and m.total is not None
        driver = next(les for les in m.lesions if les.total == m.total)
        level = driver.level.value if driver.level else "?"
        m_text = (f"SINS {m.total} ({m.band.code.value}, {m.band.lo}-{m.band.hi}), driven by "
                  f"lesions[{driver.index}] ({level}). Stabilization: {stab_text}"
                  f"{_decided(stab_source)}.")
    else:
        m_text = "SINS incomplete (missing " + ", ".join(m.missing) + ")"
    s_text = f"fit for surgery: {_yes_no(fit)} (as given by the clinician; never derived)"
    if limited:
        s_text += "; limited life expectancy by Tokuhashi 2005 or Tomita"
    rationale = (
        Rationale(pillar="N", text=n_text, source=rad_source),
        Rationale(pillar="O", text=f"radiosensitivity {radio_text}"),
        Rationale(pillar="M", text=m_text, source=stab_source),
        Rationale(pillar="S", text=s_text),
    )
    facts = Facts(case=case, radiosensitivity=radio, escc_class=n.escc_class, sins=m, tomita=t,
                  tokuhashi_2005=k, radiation=radiation, stabilization=stabilization,
                  limited_life_expectancy=limited)
    return Recommendation(
        radiation=radiation,
        stabilization=stabilization,
        flags=tuple(dict.fromkeys(flags)),
        missing=tuple(missing),
        policy=policy.name,
        rationale=rationale,
        options=options_for(facts),
    )


def _decided(source: Source | None) -> str:
    """`` (spinemets Clinical decisions #anchor)`` when a grid cell is one of the project's
    documented choices, else nothing (the cell restates the cited papers)."""
    if source is not None and source.citation.key == "spinemets":
        return f" ({source.place})"
    return ""


def _names(name: str, case: Case) -> list[str]:
    if name == "radiosensitivity" and case.tumour.histology is None:
        return ["radiosensitivity", "histology"]
    return [name]

