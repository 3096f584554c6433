"""Sphinx configuration for the spinemets documentation.

Build (warnings are errors; no network needed at build time)::

    python -m pip install -e '.[docs]'
    python -m sphinx -W --keep-going -b html docs docs/_build/html
    python -m sphinx -W --keep-going -b doctest docs docs/_build/doctest

Tables, the NOMS diagrams, the pictures of bands, levels and conversions, the vocabulary, the
command-line help and the JSON Schema are generated from the installed package by
``_ext/spinemets_docs.py`` (pictures: ``_ext/spinemets_pictures.py``); nothing clinical is typed
here twice. The HTML build needs Graphviz's ``dot`` (Debian: ``apt-get install graphviz``).

The built site loads nothing from the network (no CDN script, font, style or image): it is read
offline in hospital networks. ``tests/test_docs_offline.py`` and ``tests/test_docs_browser.py``
check that, and the extension warns (an error under ``-W``) when a page would load an asset from
outside the site.
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
    "sphinx.ext.graphviz",
    "spinemets_docs",
]
# No intersphinx: the build machines reach only the package registries, and no objects.inv
# inventory is committed to the repository.

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = [
    "_build", "Thumbs.db", ".DS_Store", "**/.ipynb_checkpoints", "**/.jupyter_cache",
    "README.md",  # notes for contributors, not a page of the site
    "**/screenshots",  # _static/screenshots: for docs/README.md, not copied into the site
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

# Diagrams: Graphviz, rendered to SVG when the site is built.
# Why Graphviz (sphinx.ext.graphviz + Debian's `graphviz`) and not mermaid or a JS renderer:
# - the reader's browser needs no script: the SVG is in the page (the extension inlines it, so
#   the DOT source is never the visible fallback), and the site works offline as built;
# - `dot` is one small, long-stable Debian package (CI installs it in .ci/run), where mermaid at
#   build time would need Node plus a headless browser (mermaid-cli), and shipping mermaid.js
#   in _static would add ~3 MB of JavaScript that must then be kept current by hand;
# - the flow charts are generated as DOT text from the grid rows (_ext/spinemets_docs.py), which
#   stays easy to read and to diff; the pictures that are not graphs (bands, spine, ECOG/KPS)
#   are a few lines of hand-written SVG each, from the rows (_ext/spinemets_pictures.py).
graphviz_output_format = "svg"

# Nothing from a CDN. myst-nb would add require.js and the Jupyter widget manager from CDNs to
# pages with notebook widget output: switched off (the tutorials use no widgets). MathJax keeps
# Sphinx's default, which loads from a CDN only on a page with math; there is none, and the
# extension's asset check fails the build (-W) if a page ever would, so MathJax must then be
# shipped under _static first (e.g. from Debian's libjs-mathjax) and `mathjax_path` set to it.
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
# Notebook outputs in the HTML site: no LaTeX (it would need MathJax) and no widgets; such an
# output falls back to its HTML, image or plain-text form.
nb_mime_priority_overrides = [
    ("html", "text/latex", None),
    ("html", "application/vnd.jupyter.widget-view+json", None),
]

html_theme = "furo"
html_title = f"spinemets {release}"
html_static_path = ["_static"]
html_css_files = ["spinemets.css"]
