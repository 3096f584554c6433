"""Sphinx configuration for the spinemets documentation.

Build (warnings are errors; no network needed at build time)::

    python -m pip install -e '.[docs]'
    python -m sphinx -W --keep-going -b html docs docs/_build/html
    python -m sphinx -W --keep-going -b doctest docs docs/_build/doctest

Tables, the NOMS diagram, the vocabulary, the command-line help and the JSON Schema are generated
from the installed package by ``_ext/spinemets_docs.py``; nothing clinical is typed here twice.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "spinemets"
author = "the spinemets authors"
copyright = "2026, the spinemets authors"
release = metadata.version("spinemets")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",  # MyST Markdown pages and notebooks (includes myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.extlinks",
    "sphinxcontrib.mermaid",
    "spinemets_docs",
]
# No intersphinx: the build machines reach only the package registries, and no objects.inv
# inventory is committed to the repository.

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = [
    "_build", "Thumbs.db", ".DS_Store", "**/.ipynb_checkpoints", "**/.jupyter_cache",
]
root_doc = "index"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Notebooks (tutorials/cohort.md) run at build time, once; html and doctest share the cache.
nb_execution_mode = "cache"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autoclass_content = "class"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

doctest_global_setup = "import spinemets"
doctest_test_doctest_blocks = "default"

extlinks = {"doi": ("https://doi.org/%s", "doi:%s")}

# Mermaid renders in the reader's browser (mermaid.js); nothing is needed at build time.
mermaid_output_format = "raw"

html_theme = "furo"
html_title = f"spinemets {release}"
html_static_path = ["_static"]
html_css_files = ["spinemets.css"]
