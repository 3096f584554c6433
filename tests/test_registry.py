"""The registry of instruments (issue 12): every consumer reads it, so a new instrument touches
only its own module and the registry; and the layers import in one direction."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

import spinemets
from spinemets import _memo
from spinemets.scores import registry
from tests import toy_instrument

SRC = Path(spinemets.__file__).resolve().parent

#: The layers, lowest first, typed here independently of the package: a module may import (at
#: module level, outside ``TYPE_CHECKING``) only from its own layer or a lower one. Function-level
#: imports are the sanctioned way up (a result's ``__str__`` reaching the renderer).
CORE = {
    "spinemets._fields", "spinemets._json", "spinemets._optional", "spinemets._suggest",
    "spinemets._table", "spinemets._version", "spinemets.citations", "spinemets.exceptions",
    "spinemets.model", "spinemets.policy", "spinemets.results", "spinemets.scales",
    "spinemets.survival", "spinemets.vocab",
}
LAYERS = ("core", "scores", "recommend", "edges")


def _layer(module: str) -> int:
    if module in CORE:
        return 0
    if module == "spinemets.scores" or module.startswith("spinemets.scores."):
        return 1
    if module == "spinemets.recommend" or module.startswith("spinemets.recommend."):
        return 2
    return 3


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(path: Path) -> set[str]:
    """The spinemets modules *path* imports at module level, outside ``if TYPE_CHECKING``."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                if not _is_type_checking(node):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("spinemets"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                if base.startswith("spinemets"):
                    for alias in node.names:
                        sub = f"{base}.{alias.name}"
                        found.add(sub if (SRC.parent / sub.replace(".", "/")).exists()
                                  or (SRC.parent / f"{sub.replace('.', '/')}.py").exists()
                                  else base)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def test_layers_import_downwards_only() -> None:
    """vocab/model and the other core modules -> scores -> recommend -> edges, never upwards."""
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        name = _module_name(path)
        for imported in _runtime_imports(path):
            if _layer(imported) > _layer(name):
                upward.append(f"{name} ({LAYERS[_layer(name)]}) imports {imported} "
                              f"({LAYERS[_layer(imported)]})")
    assert upward == []


def test_layer_check_can_fail(tmp_path: Path) -> None:
    """The check sees an upward import (so the test above can fail)."""
    assert _layer("spinemets.assessment") > _layer("spinemets.scores.tomita") > _layer(
        "spinemets.model")
    imports = _runtime_imports(SRC / "scores" / "tomita.py")
    assert "spinemets.model" not in imports  # type-only: under TYPE_CHECKING
    assert "spinemets.scores._inputs" in imports


def test_registry_lists_every_instrument_module_once() -> None:
    modules = sorted(p.stem for p in (SRC / "scores").glob("[a-z]*.py") if p.stem != "registry")
    assert sorted(i.ID for i in registry.INSTRUMENTS) == modules
    assert [registry.by_id(i.ID) for i in registry.INSTRUMENTS] == list(registry.INSTRUMENTS)
    assert registry.by_id("no_such_score") is None


@pytest.fixture
def with_toy(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The toy instrument added to the registry, and only there."""
    instruments = (*registry.INSTRUMENTS, toy_instrument)
    monkeypatch.setattr(registry, "INSTRUMENTS", instruments)
    monkeypatch.setattr(registry, "SUMMED_INSTRUMENTS",
                        (*registry.SUMMED_INSTRUMENTS, toy_instrument))
    monkeypatch.setattr(registry, "_BY_ID", {i.ID: i for i in instruments})
    _forget_what_was_read_from_the_registry()
    yield toy_instrument
    _forget_what_was_read_from_the_registry()


def _forget_what_was_read_from_the_registry() -> None:
    """The memo and the FHIR code systems are computed from the registry once, on first use; a
    registry changed at run time (only ever in a test) needs them computed again."""
    from spinemets.fhir import codes

    _memo.clear()
    codes._code_systems.cache_clear()


@pytest.mark.parametrize(("kps", "points", "band"), [(40, 0, "low"), (50, 1, "high"),
                                                      (100, 1, "high")])
def test_toy_instrument_needs_only_its_module_and_the_registry(
    with_toy: Any, kps: int, points: int, band: str
) -> None:
    """Registered, the toy is scored by assess(), memoised on its INPUTS, serialised, rendered in
    text and HTML, and described by the JSON Schema, with no other file changed."""
    case = spinemets.Case.from_dict({"kps": kps})
    assessment = spinemets.assess(case)
    result = assessment["toy"]
    assert isinstance(result, spinemets.ScoreResult)
    assert (result.status.value, result.total) == ("complete", points)
    assert result.band is not None and result.band.code.value == band
    assert list(assessment)[-1] == "toy"
    data = assessment.to_dict()
    assert data["scores"]["toy"]["total"] == points
    assert json.loads(assessment.to_json()) == data
    assert "Toy score (tests only)" in str(assessment)
    assert "Toy score (Toy 2026)" in str(result)
    assert "Toy score" in assessment._repr_html_()
    from spinemets.schema import result_schema

    assert "toy" in json.dumps(result_schema())
    missing = spinemets.assess(spinemets.Case.from_dict({}))["toy"]
    assert (missing.status.value, missing.missing) == ("incomplete", ("kps",))


def test_the_toy_is_gone_without_the_registry_entry() -> None:
    _memo.clear()
    assert "toy" not in spinemets.assess(spinemets.Case.from_dict({"kps": 80}))


def test_the_toy_reaches_every_edge_that_lists_instruments(with_toy: Any) -> None:
    """explain(), the CDS cards, FHIR (its Observation and the code systems) and the service page's
    field table all list the registered toy, with no other module changed."""
    from spinemets.cds import cds_response
    from spinemets.display import explain
    from spinemets.fhir import code_systems, to_fhir_bundle
    from spinemets.service.page import field_table

    complete = spinemets.assess(spinemets.Case.from_dict({"kps": 80}))
    text = explain(complete["toy"])
    assert text.startswith("general: 80 -> 1 (Toy 2026") and "source: Toy 2026, this module" in text
    incomplete = spinemets.assess(spinemets.Case.from_dict({}))
    details = [card["detail"] for card in cds_response(incomplete)["cards"]]
    assert any("- Toy score needs kps" in detail for detail in details)
    bundle = json.dumps(to_fhir_bundle(complete))
    assert '"code": "toy"' in bundle and "Toy score" in bundle
    systems = json.dumps(code_systems())
    assert '"code": "toy.general"' in systems and '"code": "toy.high"' in systems
    assert {"id": "toy", "title": "Toy score"} in field_table()["scores"]
