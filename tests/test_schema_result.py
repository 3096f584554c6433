"""The result JSON Schema declares every key of a complete score, with descriptions; it embeds in
an OpenAPI 3.1 document that a maintained validator accepts, and Pydantic models generated from it
keep ``total``, ``band`` and ``items``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import spinemets
from spinemets import schema
from tests.strategies import complete_case_dicts
from tests.vocab import SCORE_IDS

jsonschema = pytest.importorskip("jsonschema")

#: Every field of the further instruments, so that every score completes.
FURTHER: dict[str, Any] = {
    "pathologic_fracture": True, "ambulatory": True, "albumin_g_dl": 3.4, "crp_mg_dl": 0.2,
    "ldh_u_l": 200, "platelets_10e9_l": 200, "calcium_mg_dl": 9.0, "bilirubin_mg_dl": 0.5,
    "previous_chemotherapy": False, "katagiri_group": "moderate", "katagiri_visceral": "none",
    "months_diagnosis_to_mscc": 20, "motor_deficit_days": 5, "ecog": 1,
}
SCORES = SCORE_IDS


def _score_schemas() -> dict[str, Any]:
    result, _ = schema.result_schema()["oneOf"]
    return result["properties"]["scores"]["properties"]  # type: ignore[no-any-return]


def _walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every (path, property schema) under ``properties`` in *node*."""
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            out.append((f"{path}.{key}", value))
            out += _walk(value, f"{path}.{key}")
        for key in ("items", "oneOf", "allOf"):
            child = node.get(key)
            for item in child if isinstance(child, list) else [child]:
                if isinstance(item, dict) and "if" not in item:
                    out += _walk(item, f"{path}[]")
    return out


def _check_declared(result: dict[str, Any]) -> None:
    declared = _score_schemas()
    for score_id, score in result["scores"].items():
        props = declared[score_id]["properties"]
        assert set(score) <= set(props), (score_id, set(score) - set(props))
        if score["status"] != "complete":
            continue
        if score.get("band"):
            assert set(score["band"]) <= set(props["band"]["properties"])
        if "items" in score:
            assert set(score["items"]) <= set(props["items"]["properties"]), score_id
        for lesion in score.get("lesions", ()):
            assert set(lesion) <= set(props["lesions"]["items"]["properties"])


class TestProperties:
    def test_named_keys_declared(self) -> None:
        declared = _score_schemas()
        assert list(declared) == list(SCORES)
        for score_id in SCORES:
            for key in ("status", "flags", "higher_is_better", "citation", "missing"):
                assert key in declared[score_id]["properties"]
        for score_id in SCORES[:-1]:
            assert {"total", "band", "items"} <= set(declared[score_id]["properties"])
        assert "lesions" in declared["sins"]["properties"]
        assert {"grade", "class", "lesion"} <= set(declared["escc"]["properties"])
        assert "raw" in declared["nesms"]["properties"]
        assert "rades_2010" in declared["rades_2008"]["properties"]

    def test_every_property_has_a_description(self) -> None:
        for path, prop in _walk(schema.result_schema()):
            if path.startswith(".scores.") and path.count(".") == 2:
                continue  # the score objects themselves carry title and description
            assert prop.get("description"), path

    def test_full_case(self) -> None:
        """A case that completes every score: each key it returns is declared."""
        case = {"histology": "kidney", "kps": 80, "visceral_metastases": "none",
                "extraspinal_bone_metastases": 0, "vertebral_metastases": 1, "frankel": "E",
                "myelopathy": False, "fit_for_surgery": True, **FURTHER,
                "lesions": [{"level": "T12", "pain": "mechanical", "bone_lesion": "lytic",
                             "alignment": "normal", "collapse": "involved_over_50",
                             "posterolateral": "unilateral", "escc": "1b"}]}
        result = spinemets.assess_dict(case)
        assert {s["status"] for s in result["scores"].values()} == {"complete"}
        _check_declared(result)

    @given(complete_case_dicts())
    def test_complete_cases(self, data: dict[str, Any]) -> None:
        _check_declared(spinemets.assess_dict({**data, **FURTHER}))


class TestOpenAPI:
    def test_valid_openapi_31(self) -> None:
        validator = pytest.importorskip("openapi_spec_validator")
        document = schema.openapi()
        assert document["openapi"].startswith("3.1")
        validator.validate(document)

    def test_custom_paths(self) -> None:
        validator = pytest.importorskip("openapi_spec_validator")
        paths = {"/v1/score": {"post": {"responses": {"200": {
            "description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Outcome"}}}}}}}}
        document = schema.openapi(paths, servers=[{"url": "http://127.0.0.1:8080"}])
        validator.validate(document)
        assert list(document["paths"]) == ["/v1/score"]

    @given(complete_case_dicts())
    def test_results_validate_against_the_embedded_schema(self, data: dict[str, Any]) -> None:
        document = schema.openapi()
        for name, payload in (("Case", data), ("Result", spinemets.assess_dict(data))):
            root = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
            jsonschema.Draft202012Validator(root).validate(payload)

    def test_fresh(self) -> None:
        first = schema.openapi()
        first["components"]["schemas"].clear()
        assert schema.openapi()["components"]["schemas"]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Pydantic v2 models generated from the shipped result schema."""
    codegen = pytest.importorskip("datamodel_code_generator")
    path = Path(tmp_path_factory.mktemp("models")) / "spinemets_result_models.py"
    path.write_text(codegen.generate(
        schema.shipped("result"), input_file_type=codegen.InputFileType.JsonSchema,
        output_model_type=codegen.DataModelType.PydanticV2BaseModel,
        formatters=[codegen.Formatter.BUILTIN]), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("spinemets_result_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


class TestPydantic:
    def test_models_keep_total_band_items(self, models: Any) -> None:
        from pydantic import BaseModel

        scored = [cls for cls in vars(models).values()
                  if isinstance(cls, type) and issubclass(cls, BaseModel)
                  and {"total", "band", "items"} <= set(cls.model_fields)]
        assert len(scored) == len(SCORES) - 1  # every summed score; ESCC has a grade
        scores = models.Scores.model_fields
        assert set(scores) == set(SCORES)

    @settings(max_examples=20)
    @given(complete_case_dicts())
    def test_results_parse(self, models: Any, data: dict[str, Any]) -> None:
        result = spinemets.assess_dict({**data, **FURTHER})
        parsed = models.SpinemetsResultInterchange1.model_validate(result)
        scores = parsed.root.scores
        assert scores.sins.total == result["scores"]["sins"]["total"]
        assert scores.tomita.band.code.value == result["scores"]["tomita"]["band"]["code"]
        assert scores.nesms.items is not None
