"""The Python API a new user meets (issue 11 points 1-4, 9; issue 10 item 11).

Expectations are written here from the issue and the interchange vocabulary, not read back from
the code: the public names, the codes the constructors accept, the errors they raise.
"""

from __future__ import annotations

import ast
import enum
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spinemets
from spinemets import (
    Case,
    Histology,
    InvalidInputError,
    Laboratory,
    Lesion,
    Neurology,
    SpinalLevel,
    Systemic,
    Tumour,
    VisceralMetastases,
    assess,
)
from spinemets.report import EXAMPLE_CASE

from .strategies import case_dicts

ROOT = Path(__file__).resolve().parents[1]

SCORE_IDS = ["tomita", "tokuhashi_1990", "tokuhashi_2005", "sins", "bauer_1995", "bauer_modified",
             "nesms", "katagiri_2014", "van_der_linden", "rades_2008", "osri", "escc"]


# --- 1. the namespace ------------------------------------------------------------------------


def _fresh(code: str) -> str:
    """Run *code* in a fresh interpreter (the lazy namespace starts cold)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_recommend_is_the_subpackage_before_and_after_assess() -> None:
    out = _fresh(
        "import types, spinemets as s\n"
        "before = s.recommend\n"
        "s.assess(s.Case())\n"
        "after = s.recommend\n"
        "assert isinstance(before, types.ModuleType) and after is before, (before, after)\n"
        "assert callable(s.recommend.recommend)\n"
        "assert 'recommend' not in s.__all__\n"
        "print('ok')\n"
    )
    assert out.strip() == "ok"


def test_every_public_name_is_the_same_object_before_and_after_assess() -> None:
    out = _fresh(
        "import spinemets as s\n"
        "before = {n: getattr(s, n) for n in s.__all__}\n"
        "s.assess(s.Case.from_dict({'histology': 'kidney', 'lesions': [{'level': 'T12'}]}))\n"
        "s.score_frame\n"
        "changed = [n for n in s.__all__ if getattr(s, n) is not before[n]]\n"
        "assert not changed, changed\n"
        "print(len(before))\n"
    )
    assert int(out) == len(spinemets.__all__)


def test_public_names_keep_their_objects_and_types_once_every_submodule_is_loaded() -> None:
    """Loading every submodule (the edges included) after ``assess()`` rebinds no public name."""
    out = _fresh(
        "import importlib, pkgutil, spinemets as s\n"
        "before = {n: (getattr(s, n), type(getattr(s, n))) for n in s.__all__}\n"
        "s.assess(s.Case.from_dict({'kps': 80, 'lesions': [{'level': 'T12'}]}))\n"
        "loaded = 0\n"
        "for info in pkgutil.walk_packages(s.__path__, 'spinemets.'):\n"
        "    if info.name.endswith('__main__'):  # runs the command line\n"
        "        continue\n"
        "    try:\n"
        "        importlib.import_module(info.name)\n"
        "    except ImportError:  # an optional extra that is not installed\n"
        "        continue\n"
        "    loaded += 1\n"
        "changed = [n for n in s.__all__\n"
        "           if (getattr(s, n), type(getattr(s, n))) != before[n]\n"
        "           or getattr(s, n) is not before[n][0]]\n"
        "assert not changed, changed\n"
        "print(loaded)\n"
    )
    assert int(out) >= 40  # the submodules were really loaded


def test_no_public_name_is_a_subpackage_or_module_name() -> None:
    modules = {p.stem for p in (ROOT / "src" / "spinemets").iterdir()
               if p.suffix == ".py" or (p / "__init__.py").exists()}
    # the instrument modules are exported on purpose (spinemets.tomita is spinemets.scores.tomita);
    # no exported name may shadow a module of spinemets itself
    clash = sorted(set(spinemets.__all__) & modules)
    assert not clash, clash
    for name in spinemets.__all__:
        value = getattr(spinemets, name)
        if isinstance(value, types.ModuleType):
            assert value.__name__ == f"spinemets.scores.{name}"


def test_dir_lists_the_public_namespace() -> None:
    assert set(spinemets.__all__) <= set(dir(spinemets))
    assert "__version__" in dir(spinemets)


def test_the_type_checking_block_lists_exactly_the_public_names() -> None:
    tree = ast.parse((ROOT / "src" / "spinemets" / "__init__.py").read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If))
    names = {alias.asname for node in block.body if isinstance(node, ast.ImportFrom)
             for alias in node.names}
    assert names == set(spinemets.__all__)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        spinemets.nope  # noqa: B018


# --- 2. constructors take codes ----------------------------------------------------------------


def test_constructors_take_interchange_codes() -> None:
    tumour = Tumour(histology="kidney", visceral_metastases="none")
    assert tumour.histology is Histology.KIDNEY
    assert tumour.visceral_metastases is VisceralMetastases.NONE
    assert tumour == Tumour(histology=Histology.KIDNEY,
                            visceral_metastases=VisceralMetastases.NONE)
    lesion = Lesion(level="T12", escc="1b", pain="mechanical")
    assert lesion.level is SpinalLevel.T12
    assert Neurology(frankel="E").frankel is spinemets.Frankel.E
    assert Systemic(ecog_to_kps="common").ecog_to_kps is spinemets.EcogToKps.COMMON


# Every coded field of the value types, with its enum: an independent list.
CODED: dict[type[Any], dict[str, type[enum.Enum]]] = {
    Tumour: {"histology": spinemets.Histology, "tomita_growth": spinemets.TomitaGrowth,
             "radiosensitivity": spinemets.Radiosensitivity,
             "visceral_metastases": spinemets.VisceralMetastases,
             "katagiri_group": spinemets.KatagiriGroup,
             "katagiri_visceral": spinemets.KatagiriVisceral},
    Neurology: {"frankel": spinemets.Frankel},
    Systemic: {"ecog_to_kps": spinemets.EcogToKps},
    Laboratory: {"katagiri_laboratory": spinemets.KatagiriLaboratory},
    Lesion: {"level": spinemets.SpinalLevel, "pain": spinemets.Pain,
             "bone_lesion": spinemets.BoneLesion, "alignment": spinemets.Alignment,
             "collapse": spinemets.Collapse, "posterolateral": spinemets.Posterolateral,
             "escc": spinemets.EsccGrade},
}


@pytest.mark.parametrize(("cls", "name", "codes"),
                         [(c, n, e) for c, fields in CODED.items() for n, e in fields.items()])
def test_every_code_and_member_constructs_the_same_value(
    cls: type[Any], name: str, codes: type[enum.Enum]
) -> None:
    for member in codes:
        assert getattr(cls(**{name: member.value}), name) is member
        assert getattr(cls(**{name: member}), name) is member
        assert cls(**{name: member.value}) == cls(**{name: member})


@given(case_dicts())
def test_constructing_from_codes_equals_from_dict(data: dict[str, Any]) -> None:
    """Value types built from the codes of a case equal the parser's (a second path)."""
    case = Case.from_dict(data)
    rebuilt = Case(
        tumour=Tumour(**{k: (v.value if isinstance(v, enum.Enum) else v)
                         for k, v in vars_of(case.tumour).items()}),
        neurology=Neurology(**{k: (v.value if isinstance(v, enum.Enum) else v)
                               for k, v in vars_of(case.neurology).items()}),
        systemic=Systemic(**{k: (v.value if isinstance(v, enum.Enum) else v)
                             for k, v in vars_of(case.systemic).items()}),
        laboratory=Laboratory(**vars_of(case.laboratory)),
        lesions=[Lesion(**{k: v.value for k, v in vars_of(les).items() if v is not None})
                 for les in case.lesions],
    )
    assert rebuilt == case


def vars_of(value: Any) -> dict[str, Any]:
    import attrs

    return attrs.asdict(value, recurse=False)


# --- 3. errors that suggest the fix (constructors) ---------------------------------------------


@pytest.mark.parametrize(("call", "field", "suggestion"), [
    (lambda: Tumour(histology="Kidney"), "histology", '"kidney"'),
    (lambda: Tumour(histology="renal"), "histology", '"kidney"'),
    (lambda: Lesion(bone_lesion="lytic "), "bone_lesion", '"lytic"'),
    (lambda: Lesion(level="t12"), "level", '"T12"'),
    (lambda: Neurology(frankel="e"), "frankel", '"E"'),
    (lambda: Systemic(kps=85), "kps", "steps of 10"),
    (lambda: Neurology(myelopathy="yes"), "myelopathy", "true"),  # type: ignore[arg-type]
])
def test_constructor_errors_name_the_field_the_values_and_a_suggestion(
    call: Any, field: str, suggestion: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.fields == (field,)
    message = str(info.value)
    assert f"{field}: must be " in message
    assert "did you mean" in message or "steps of 10" in message
    assert suggestion in message


def test_kps_85_suggests_its_neighbours() -> None:
    with pytest.raises(InvalidInputError, match="did you mean 80 or 90"):
        Systemic(kps=85)


def test_renal_is_suggested_never_accepted() -> None:
    with pytest.raises(InvalidInputError):
        Tumour(histology="renal")
    with pytest.raises(InvalidInputError):
        Case.from_dict({"histology": "renal"})


# --- issue 10 item 11: wrong types are the library's own error ---------------------------------


@pytest.mark.parametrize("lesions", [None, 5, Lesion(), "T12", {Lesion(): 1}, {"level": "T12"}])
def test_case_lesions_of_a_wrong_type_name_the_field(lesions: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        Case(lesions=lesions)
    assert info.value.fields == ("lesions",)


def test_case_lesion_entries_of_a_wrong_type_name_their_index() -> None:
    with pytest.raises(InvalidInputError) as info:
        Case(lesions=[Lesion(), {"level": "T12"}, 3])
    assert info.value.fields == ("lesions[1]", "lesions[2]")
    assert "Case.from_dict" in str(info.value)


def test_case_groups_of_a_wrong_type_name_the_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        Case(tumour={"histology": "kidney"}, systemic=None)  # type: ignore[arg-type]
    assert info.value.fields == ("tumour", "systemic")


def test_lists_and_tuples_of_lesions_are_equal() -> None:
    assert Case(lesions=[Lesion(level="T1")]) == Case(lesions=(Lesion(level="T1"),))


@pytest.mark.parametrize("function", [
    assess, spinemets.tomita.score, spinemets.sins.score, spinemets.escc.classify,
    spinemets.nesms.score, spinemets.tokuhashi_2005.score, spinemets.recommend.recommend,
])
def test_scoring_a_dict_says_to_use_from_dict(function: Any) -> None:
    with pytest.raises(TypeError, match=r"Case\.from_dict"):
        function({"kps": 80})


def test_every_instrument_refuses_a_dict() -> None:
    from spinemets.assessment import INSTRUMENTS

    for module in INSTRUMENTS:
        instrument: Any = module
        scorer = getattr(instrument, "score", None) or instrument.classify
        with pytest.raises(TypeError, match=r"Case\.from_dict"):
            scorer({"kps": 80})
        with pytest.raises(TypeError, match="not NoneType"):
            scorer(None)


# --- 4. an assessment is the mapping it prints ---------------------------------------------------


def test_assessment_behaves_like_its_scores_mapping() -> None:
    a = assess(Case.from_dict(EXAMPLE_CASE))
    scores = a.to_dict()["scores"]
    assert list(a) == SCORE_IDS == list(scores)
    assert list(a.keys()) == SCORE_IDS
    assert len(a) == 12
    assert all(score_id in a for score_id in SCORE_IDS)
    assert "recommendation" not in a and 3 not in a  # type: ignore[comparison-overlap]
    assert [k for k, _ in a.items()] == SCORE_IDS
    assert {k: v.to_dict() for k, v in a.items()} == scores
    assert [v.id for v in a.values()] == SCORE_IDS
    assert a.get("nope") is None and a.get("sins") is a["sins"]
    assert dict(a)["tomita"] is a["tomita"]


def test_unknown_score_id_lists_the_valid_ids() -> None:
    a = assess(Case())
    with pytest.raises(KeyError) as info:
        a["sinss"]
    text = str(info.value)
    assert "did you mean 'sins'" in text
    for score_id in SCORE_IDS:
        assert score_id in text


def test_case_and_recommendation_have_html() -> None:
    from .test_display import Tables

    case = Case.from_dict(EXAMPLE_CASE)
    parser = Tables()
    parser.feed(case._repr_html_())
    parser.close()
    (table,) = parser.tables
    rows = {row[0]: row[1:] for row in table["rows"]}
    assert rows["histology"] == ["kidney"] and rows["kps"] == ["80"]
    assert rows["myelopathy"] == ["false"]
    assert rows["lesions[0]"][0].startswith("level T12")
    rec = assess(case).recommendation
    parser = Tables()
    parser.feed(rec._repr_html_())
    parser.close()
    (table,) = parser.tables
    rows = {row[0]: row[1:] for row in table["rows"]}
    assert rows["radiation"] == ["srs"] and rows["stabilization"] == ["surgical_consultation"]
    assert "<script" not in Case.from_dict({"histology": "kidney"})._repr_html_()


# --- 9. wording on real output -------------------------------------------------------------------


def test_demo_prints_its_input_case_first(capsys: pytest.CaptureFixture[str]) -> None:
    from spinemets.cli import main

    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    head, _, rest = out.partition("Tomita score")
    assert "Input case" in head
    for name, value in (("histology", "kidney"), ("kps", "80"), ("frankel", "E"),
                        ("albumin_g_dl", "3.9"), ("level", "T12"), ("escc", "1b")):
        assert f"{name}: {value}" in head, name
    assert rest  # the scores follow


def test_lung_says_nsclc_or_sclc_is_needed() -> None:
    data = {"histology": "lung", "kps": 70, "fit_for_surgery": True,
            "lesions": [{"level": "T5", "escc": "1b"}]}
    rec = assess(Case.from_dict(data)).recommendation
    assert "histology_needed" in rec.flags
    texts = " ".join([*(r.text for r in rec.rationale), *(o.rationale for o in rec.options),
                      *(o.option for o in rec.options)])
    assert "NSCLC" in texts and "SCLC" in texts
    assert "obtain histology" not in texts
    assert "obtain tissue diagnosis" not in [o.option for o in rec.options]
    # another histology without a default still asks for a tissue diagnosis
    other = assess(Case.from_dict({**data, "histology": "bladder"})).recommendation
    assert "obtain tissue diagnosis" in [o.option for o in other.options]


def test_nesms_cap_is_explained_in_words() -> None:
    a = assess(Case.from_dict(EXAMPLE_CASE))
    nesms = a["nesms"]
    assert isinstance(nesms, spinemets.ScoreResult)
    assert (nesms.raw, nesms.total) == (4, 3)  # modified Bauer 4 (2) + ambulatory 1 + albumin 1
    for text in (nesms.explain(), str(nesms), str(a), nesms._repr_html_()):
        assert "add up to 4" in text and "capped at 3" in text
        assert "raw sum" not in text


def test_ecog_without_kps_says_how_to_name_a_conversion() -> None:
    a = assess(Case.from_dict({"ecog": 1}))
    result = a["tokuhashi_2005"]
    assert "kps" in result.missing  # field paths only
    assert all(" " not in path for path in result.missing)
    for text in (result.explain(), str(result), str(a)):
        assert "ecog_to_kps" in text and "--ecog-to-kps" in text


def test_explain_gives_short_item_sources_and_the_citation_once() -> None:
    a = assess(Case.from_dict(EXAMPLE_CASE))
    for result in a.values():
        text = result.explain()
        assert text.count(str(result.citation)) == 1
        for item in getattr(result, "items", ()):
            line = next(x for x in text.splitlines() if x.startswith(f"{item.key}: "))
            assert item.row.source.citation.short in line
            assert item.row.source.locator not in line  # the place is given once, below
            assert item.row.source.locator in text


@given(st.sampled_from(SCORE_IDS))
def test_score_ids_are_keys(score_id: str) -> None:
    assert assess(Case())[score_id].id == score_id
