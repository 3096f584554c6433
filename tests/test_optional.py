"""Every optional dependency's absence says how to install it (issue 11 point 12)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from spinemets._optional import EXTRAS, require
from spinemets.exceptions import MissingDependencyError, SpinemetsError

ROOT = Path(__file__).resolve().parents[1]

#: Distribution name -> module name, where they differ.
MODULE_OF = {"fhir.resources": "fhir.resources", "dask[dataframe]": "dask", "pyjwt[crypto]": "jwt"}


def test_extras_table_mirrors_pyproject() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    for extra, modules in EXTRAS.items():
        dists = [re.split(r"[<>=!~ ]", dep, maxsplit=1)[0] for dep in extras[extra]]
        assert sorted(MODULE_OF.get(d, d) for d in dists) == sorted(modules), extra


def test_require_names_the_extra() -> None:
    with pytest.raises(MissingDependencyError) as info:
        require("spinemets_no_such_module", "fhir", "reading FHIR resources")
    assert "pip install 'spinemets[fhir]'" in str(info.value)
    assert isinstance(info.value, ImportError) and isinstance(info.value, SpinemetsError)


FRAMES = {
    "pandas": ("import pandas as pd; df = pd.DataFrame({'kps': [80]})", ("pyarrow",), "pyarrow"),
    "dask": ("import pandas as pd, dask.dataframe as dd; "
             "df = dd.from_pandas(pd.DataFrame({'kps': [80]}), npartitions=1)",
             ("pyarrow",), "pyarrow"),
    "polars": ("import polars as pl; df = pl.DataFrame({'kps': [80]})", ("numpy", "narwhals"),
               "narwhals"),
    "duckdb": ("import duckdb; df = duckdb.sql('select 80 as kps')", ("narwhals",), "narwhals"),
}


@pytest.mark.parametrize("extra", sorted(FRAMES))
def test_score_frame_without_a_dependency_says_pip_install(extra: str) -> None:
    make, blocked, named = FRAMES[extra]
    code = (
        f"{make}\n"
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    for key in [k for k in sys.modules if k == name or k.startswith(name + '.')]:\n"
        "        sys.modules[key] = None\n"
        "    sys.modules[name] = None\n"
        "import spinemets\n"
        "try:\n"
        "    spinemets.score_frame(df)\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "else:\n"
        "    print('no error')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout.strip()
    assert out.startswith("MissingDependencyError"), out
    assert f"pip install 'spinemets[{extra}]'" in out and repr(named) in out


@pytest.mark.parametrize(("module", "expected"), [
    ("json", True), ("spinemets_no_such_module", False), ("spinemets_no_such_module.sub", False),
    ("..relative", False), ("", False),
])
def test_installed_never_raises(module: str, expected: bool) -> None:
    """``installed`` answers for any name, importing nothing (a bad name is "not installed")."""
    from spinemets._optional import installed

    assert installed(module) is expected
