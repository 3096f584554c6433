"""Options beyond the grid follow the conditions of the treatment rules (clinical reference §11,
§7.3), including the project's documented readings of them."""

from __future__ import annotations

from typing import Any

import pytest

import spinemets

BASE: dict[str, Any] = {
    "histology": "breast",  # radiosensitive by default (interchange §2)
    "kps": 80, "visceral_metastases": "none", "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1, "frankel": "E", "myelopathy": False, "fit_for_surgery": True,
}
# SINS at T12: junctional 3 + mechanical 3 + lytic 2 + subluxation 4 + over_50 3 + unilateral 1 = 16
UNSTABLE = {"level": "T12", "pain": "mechanical", "bone_lesion": "lytic",
            "alignment": "subluxation", "collapse": "over_50", "posterolateral": "unilateral"}
# SINS at T6: semi-rigid 1 + mechanical 3 + mixed 1 + deformity 2 + under_50 2 + bilateral 3 = 12
KYPHOTIC = {"level": "T6", "pain": "mechanical", "bone_lesion": "mixed", "alignment": "deformity",
            "collapse": "under_50", "posterolateral": "bilateral"}
# SINS at T6: 1 + 3 + 2 + 0 + 1 + 1 = 8, no gross instability
STABLE_PAINFUL = {"level": "T6", "pain": "mechanical", "bone_lesion": "lytic",
                  "alignment": "normal", "collapse": "involved_over_50",
                  "posterolateral": "unilateral"}


def _options(lesion: dict[str, Any], escc: str, **case: Any) -> list[str]:
    data = {**BASE, **case, "lesions": [{**lesion, "escc": escc}]}
    result = spinemets.assess_dict(data)
    return [o["option"].lower() for o in result["recommendation"]["options"]]


def _has(options: list[str], *words: str) -> bool:
    return any(all(w in o for w in words) for o in options)


class TestPercutaneousFixationPlusRadiotherapy:
    """R-M3: unstable fracture, radiosensitive tumour, evident epidural compression."""

    @pytest.mark.parametrize("escc", ["1c", "2", "3"])
    def test_offered_with_epidural_compression(self, escc: str) -> None:
        """ESCC 1c or worse counts as evident compression (the project's reading)."""
        assert _has(_options(UNSTABLE, escc), "percutaneous", "radiotherapy")

    @pytest.mark.parametrize("escc", ["0", "1a", "1b"])
    def test_not_offered_without_it(self, escc: str) -> None:
        """Bone-only or thecal-sac-only disease does not meet the rule."""
        assert not _has(_options(UNSTABLE, escc), "percutaneous", "radiotherapy")

    def test_not_offered_for_a_radioresistant_tumour(self) -> None:
        """Radioresistant histology does not meet the rule."""
        assert not _has(_options(UNSTABLE, "2", histology="kidney"), "percutaneous",
                        "radiotherapy")


class TestCementAugmentation:
    def test_offered_for_mechanical_pain_without_gross_instability(self) -> None:
        """Mechanical pain, normal alignment, SINS 8: cement augmentation is an option."""
        assert _has(_options(STABLE_PAINFUL, "0"), "cement augmentation")

    def test_not_offered_for_kyphotic_collapse_with_posterior_involvement(self) -> None:
        """Deformity + collapse + posterolateral involvement is gross instability (§7.3)."""
        options = _options(KYPHOTIC, "0")

        assert not _has(options, "cement augmentation")
        assert not _has(options, "ablation (rfa")

    def test_not_offered_for_subluxation(self) -> None:
        """Subluxation/translation is gross instability."""
        assert not _has(_options(UNSTABLE, "0"), "cement augmentation")


class TestAblation:
    def test_offered_for_a_painful_stable_lesion(self) -> None:
        """R-M8: a painful, stable lesion without high-grade compression."""
        assert _has(_options(STABLE_PAINFUL, "1b"), "ablation (rfa")

    def test_not_offered_for_an_unstable_lesion(self) -> None:
        """R-M7/R-M8: unstable fracture is a relative contraindication, not an indication."""
        options = _options(UNSTABLE, "1b")

        assert not _has(options, "ablation (rfa")
        assert _has(options, "ablation relatively contraindicated")


class TestPolicy:
    def test_a_non_default_policy_cannot_call_itself_default(self) -> None:
        """``recommendation.policy == "default"`` always means the interchange's defaults."""
        with pytest.raises(spinemets.InvalidInputError) as info:
            spinemets.Policy(escc_1c_as=spinemets.EsccIntermediateAs.HIGH)

        assert info.value.fields == ("name",)

    @pytest.mark.parametrize(
        ("as_1c", "radiation"),
        [("intermediate", "srs"), ("low", "srs"), ("high", "separation_surgery_then_srs")],
    )
    def test_escc_1c_policy(self, as_1c: str, radiation: str) -> None:
        """ESCC 1c, radioresistant, fit: SRS with the cord-constraint flag by default; a policy
        may treat 1c as low (SRS, no flag) or high (separation surgery then SRS)."""
        choice = spinemets.EsccIntermediateAs(as_1c)
        policy = (spinemets.DEFAULT_POLICY if as_1c == "intermediate"
                  else spinemets.Policy(name=f"1c-{as_1c}", escc_1c_as=choice))
        case = spinemets.Case.from_dict({**BASE, "histology": "kidney",
                                         "lesions": [{**STABLE_PAINFUL, "escc": "1c"}]})
        rec = spinemets.assess(case, policy).recommendation

        assert radiation == rec.radiation.value
        assert (as_1c == "intermediate") == ("escc_1c_cord_constraint" in rec.flags)
        assert policy.name == rec.policy
