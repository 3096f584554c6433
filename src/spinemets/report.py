"""The text report of an assessment, kept importable: it now lives in :mod:`spinemets.display`
(one renderer for text and HTML). ``EXAMPLE_CASE`` is the built-in example case.

.. deprecated:: 0.2.0 Import from :mod:`spinemets.display`.
"""

from __future__ import annotations

from .display import EXAMPLE_CASE, case_lines, render

__all__ = ["EXAMPLE_CASE", "case_lines", "render"]
