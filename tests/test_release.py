"""Release 0.2.0 (issue 11 points 10-11): version, changelog, package metadata, decisions page.

The expectations are the issue's and the project's own docs, read independently of the code.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tarfile
import tomllib
from importlib.metadata import metadata, version
from pathlib import Path

import pytest

import spinemets
from spinemets.citations import DECISIONS

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def test_version_is_0_2_0_everywhere() -> None:
    assert PROJECT["version"] == "0.2.0"
    assert version("spinemets") == "0.2.0" == spinemets.__version__


def test_changelog_has_0_2_0_then_a_dated_0_1_0() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    heads = re.findall(r"^## \[(.+?)\](.*)$", text, flags=re.MULTILINE)
    assert heads[:2] == [("0.2.0", " - unreleased"), ("0.1.0", " - 2026-11-26")]
    assert "Unreleased]" not in text
    # user-facing wording: no CI script names, no internal section or rule numbers
    for term in (".ci/run", "§", "seed", "R-M3", "clinical reference"):
        assert term not in text, term


def test_metadata_names_authors_urls_and_the_instruments() -> None:
    assert PROJECT["authors"] == [{"name": "The spinemets developers"}]
    urls = PROJECT["urls"]
    assert set(urls) == {"Documentation", "Changelog", "Source", "Issues"}
    # placeholders, and the docs say so
    assert all(".invalid/" in url for url in urls.values())
    versioning = (ROOT / "docs" / "versioning.md").read_text(encoding="utf-8")
    assert "placeholders" in versioning and "spinemets.invalid" in versioning
    summary = metadata("spinemets")["Summary"]
    for name in ("Tomita", "Tokuhashi", "SINS", "ESCC", "Bauer", "modified Bauer", "NESMS",
                 "Katagiri", "van der Linden", "Rades", "OSRI", "NOMS"):
        assert name in summary, name


def test_classifiers_name_only_python_versions_ci_runs() -> None:
    """CI runs the machine's python3 (.ci/run); the classifiers name exactly that minor version."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m venv .venv-ci" in ci
    minors = {c.rsplit(" ", 1)[-1] for c in PROJECT["classifiers"]
              if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert minors == {f"{sys.version_info.major}.{sys.version_info.minor}"}
    low = PROJECT["requires-python"].removeprefix(">=")
    assert all(tuple(map(int, m.split("."))) >= tuple(map(int, low.split("."))) for m in minors)


def test_all_extra_needs_no_jvm() -> None:
    extras = PROJECT["optional-dependencies"]
    (spec,) = extras["all"]
    names = re.fullmatch(r"spinemets\[(.+)\]", spec).group(1).split(",")  # type: ignore[union-attr]
    assert "spark" not in names
    assert all(name in extras for name in names)
    assert not any("pyspark" in dep for name in names for dep in extras[name])
    assert "spark" in extras  # still available on its own


def test_dev_extra_has_the_release_tools() -> None:
    dev = " ".join(PROJECT["optional-dependencies"]["dev"])
    assert "build" in dev and "twine" in dev


def test_ci_builds_checks_and_runs_the_wheel() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m build" in ci and "twine check --strict dist/*" in ci
    assert re.search(r"pip install -q dist/\*\.whl", ci) and "spinemets\" demo" in ci


@pytest.mark.skipif(importlib.util.find_spec("build") is None, reason="needs the dev extra")
def test_sdist_ships_an_explicit_list(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--sdist", "-q", "-o", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    (sdist,) = tmp_path.glob("spinemets-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
    tops = {n.split("/", 1)[0] for n in names}
    assert tops <= {"src", "tests", "docs", "benchmarks", ".ci", "README.md", "CHANGELOG.md",
                    "LICENSE", "pyproject.toml", "PKG-INFO", ".gitignore"}, tops
    assert not [n for n in names if ".venv" in n or "_build" in n or "__pycache__" in n]
    assert {"LICENSE", "CHANGELOG.md", "src/spinemets/py.typed", "docs/decisions.md"} <= set(names)


def test_decisions_page_has_every_anchor_and_no_other() -> None:
    page = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    targets = re.findall(r"^\(([a-z0-9-]+)\)=$", page, flags=re.MULTILINE)
    assert len(targets) == len(set(targets))
    assert set(targets) == set(DECISIONS)
    # each entry gives the readings, the choice and the papers
    for block in re.split(r"^\([a-z0-9-]+\)=$", page, flags=re.MULTILINE)[1:]:
        assert "**Readings.**" in block and "**Choice.**" in block and "**Papers.**" in block


def test_every_anchor_cited_in_output_exists() -> None:
    """Scan the code's text for '#anchor' citations and {ref} links of the docs."""
    cited: set[str] = set()
    for path in (ROOT / "src" / "spinemets").glob("**/*.py"):
        text = path.read_text(encoding="utf-8")
        cited |= set(re.findall(r"spinemets decision #([a-z0-9-]+)", text))
        cited |= set(re.findall(r'decision\("([a-z0-9-]+)"', text))
        cited |= set(re.findall(r"decisions? ``([a-z0-9-]+)``", text))
    for path in (ROOT / "docs").glob("**/*.md"):
        cited |= set(re.findall(r"\{ref\}`([a-z0-9-]+)`", path.read_text(encoding="utf-8")))
    assert cited, "the scan found no citation"
    assert cited <= set(DECISIONS), sorted(cited - set(DECISIONS))


def test_docs_index_lists_the_new_pages() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "\ndecisions\n" in index and "\nversioning\n" in index
