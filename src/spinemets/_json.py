"""Fast JSON text for results (the command line's hot path).

Results assemble their JSON from fragments cached on the shared, immutable table objects (an
``ItemScore``'s ``"growth":2``, a ``BandRow``'s band object, an option), so a line is written
without building and encoding a dict first. ``to_dict`` stays the reference form; a test holds
``json.loads(x.to_json()) == x.to_dict()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring as string

__all__ = ["boolean", "line", "string", "strings", "utf8", "value"]


def strings(values: Iterable[str]) -> str:
    """A JSON array of strings."""
    return "[" + ",".join([string(v) for v in values]) + "]"


def value(obj: object) -> str:
    """Any JSON-ready value, compactly."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def boolean(value: bool) -> str:
    """``true`` or ``false``."""
    return "true" if value else "false"


def utf8(text: str) -> bytes:
    """*text* as UTF-8; a lone surrogate (from a ``\\ud800`` escape in the input, echoed in an
    error) is written back as that escape, so the line stays valid UTF-8 and valid JSON."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Surrogates occur only inside JSON strings, where \uXXXX is the escape JSON defines.
        return text.encode("utf-8", "backslashreplace")


def line(obj: object) -> bytes:
    """*obj* as one compact JSON line in UTF-8 (no newline): the form of every output line."""
    return utf8(value(obj))
