"""The built documentation site, for the docs tests (offline sources, pictures in a browser).

``built_site()`` returns the directory of a fresh HTML build, made once per test process with
``python -m sphinx -W --keep-going -q -b html docs <tmp>`` (the command CI runs), or the
directory named by ``SPINEMETS_DOCS_HTML`` when a build of this very checkout already exists
(``.ci/run`` builds the docs before the tests and sets it, so CI builds once).

The build needs the ``docs`` extra (Sphinx, furo, myst-nb) and Graphviz's ``dot``: without them
the tests skip on a developer machine and fail under ``CI=true``.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXT = DOCS / "_ext"


def missing(what: str) -> None:
    """Skip, or fail under ``CI=true`` (where ``.ci/run`` installs every tool)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


def need_docs_tools() -> None:
    """Sphinx with the docs extra, and Graphviz's ``dot``."""
    for module in ("sphinx", "furo", "myst_nb"):
        if importlib.util.find_spec(module) is None:
            missing(f"{module} (pip install -e '.[docs]')")
    if shutil.which("dot") is None:
        missing("Graphviz's dot (apt-get install graphviz)")


@cache
def _build() -> Path:
    out = Path(tempfile.mkdtemp(prefix="spinemets-docs-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    html = out / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(html)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"the docs build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return html


def built_site() -> Path:
    """The root of a built HTML site of this checkout."""
    given = os.environ.get("SPINEMETS_DOCS_HTML")
    if given:
        site = Path(given)
        if not (site / "index.html").is_file():
            pytest.fail(f"SPINEMETS_DOCS_HTML={given} holds no built site")
        return site.resolve()
    need_docs_tools()
    return _build()
