"""The calculator page: one HTML document, its script and style sheet, all served locally.

The form is generated in the browser from the field table (``_fields``) embedded as JSON in the
page, so it always offers exactly the interchange fields and codes; results come from
``POST /assess`` of the same service as the user types. ``/?case=<URL-encoded JSON>`` opens the
page prefilled (the link every CDS card carries).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Final

__all__ = ["STATIC_DIR", "field_table", "page_html"]

#: The page's assets (package data).
STATIC_DIR: Final = Path(__file__).with_name("static")
_GROUPS: Final = {
    "tumour": "Primary tumour and spread",
    "neurology": "Neurology",
    "systemic": "Performance status and fitness",
    "laboratory": "Laboratory and further instruments",
}


def _spec(spec: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": spec.name, "group": spec.group, "kind": spec.kind,
                           "description": spec.description, "allowed": spec.allowed}
    if spec.codes is not None:
        out["codes"] = [member.value for member in spec.codes]
    for key in ("minimum", "maximum", "exclusive_minimum", "multiple_of"):
        value = getattr(spec, key)
        if value is not None:
            out[key] = value
    return out


def field_table() -> dict[str, Any]:
    """What the page builds its form from: case and lesion fields, groups, score titles."""
    from .._fields import CASE_FIELDS, LESION_FIELDS
    from ..scores import registry

    return {
        "groups": _GROUPS,
        "case": [_spec(spec) for spec in CASE_FIELDS],
        "lesion": [_spec(spec) for spec in LESION_FIELDS],
        "scores": [{"id": m.ID, "title": m.TITLE} for m in registry.INSTRUMENTS],
    }


@functools.cache
def page_html() -> str:
    """The page, with the field table embedded (a JSON data block, never executed)."""
    from .._version import package_version

    data = json.dumps(field_table(), ensure_ascii=False).replace("</", "<\\/")
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return html.replace("{{FIELDS}}", data).replace("{{VERSION}}", package_version())
