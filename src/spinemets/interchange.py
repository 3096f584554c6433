"""The interchange form: strict parsing of cases and result dicts.

Parsing collects every problem of one case before raising, names each by its field path
(``lesions[0].level``) with what it allows, and never echoes long input values in full.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from typing import Any, Final

from ._fields import _MISSING, CASE_FIELD_BY_NAME, CASE_FIELDS, LESION_FIELDS, FieldSpec
from ._suggest import suggest_field
from .exceptions import InvalidInputError, Problem, echo
from .model import (
    Case,
    Laboratory,
    Lesion,
    Neurology,
    Systemic,
    Tumour,
    id_problem,
    valid_id,
)

__all__ = [
    "INTERCHANGE_VERSION",
    "case_to_dict",
    "error_dict",
    "loads_case",
    "loads_object",
    "parse_case",
]

#: The interchange version this library reads and writes.
INTERCHANGE_VERSION: Final = 1

def _readers(specs: tuple[FieldSpec, ...]) -> dict[str, tuple[FieldSpec, dict[str, Any] | None]]:
    """Field name -> (spec, code string -> member for a code field, else None)."""
    return {
        spec.name: (spec, dict(spec.codes._value2member_map_) if spec.codes else None)
        for spec in specs
    }


_CASE_READERS: Final = _readers(CASE_FIELDS)
_LESION_READERS: Final = _readers(LESION_FIELDS)

#: The value type each field group lives on (``Case`` has one attribute per group).
_GROUPS: Final[dict[str, type[Any]]] = {
    "tumour": Tumour,
    "neurology": Neurology,
    "systemic": Systemic,
    "laboratory": Laboratory,
}
_CASE_KEYS: Final = frozenset(CASE_FIELD_BY_NAME) | {"lesions", "interchange", "id"}
#: Every key a case or a lesion may have, for "did you mean" on an unknown key.
_CASE_NAMES: Final = (*CASE_FIELD_BY_NAME, "lesions", "interchange", "id")
_LESION_NAMES: Final = tuple(spec.name for spec in LESION_FIELDS)


def _unknown(path: str, key: Any, names: tuple[str, ...], what: str) -> Problem:
    """An unknown key: it is not a field, and the field it probably meant, if one is close."""
    near = suggest_field(key, names) if isinstance(key, str) else None
    hint = f' (did you mean "{near}"?)' if near else ""
    return Problem(path, f"is not a field of {what}{hint}")


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "list",
            dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


def parse_case(data: Any) -> Case:
    """Build a :class:`~spinemets.model.Case` from its interchange dict, strictly.

    The dict form also reads NumPy and pandas scalars as the Python values they hold
    (``df.loc[i].to_dict()``): ``numpy.integer`` and whole-valued ``numpy.floating`` as integers,
    ``numpy.bool_`` as a boolean (never a number), ``numpy.str_`` as a string, ``float32`` through
    its shortest decimal form; ``None``, NaN and ``pandas.NA`` are absent.

    Raises:
        InvalidInputError: every invalid field, with its path and what it allows.
    """
    return _parse(data, native=True)


def _parse(data: Any, *, native: bool) -> Case:
    """Parse a case; *native* (the dict form) reads NumPy/pandas scalars and NaN as absent."""
    if not isinstance(data, Mapping):
        raise InvalidInputError(
            (), f"invalid input: a case must be a JSON object, got {_type_name(data)}"
        )
    problems: list[Problem] = []
    groups: dict[str, dict[str, Any]] = {group: {} for group in _GROUPS}
    lesions: list[Lesion] = []
    case_id: str | int | None = None
    for key, raw in data.items():
        if native and type(raw) not in _PLAIN:
            raw = _native(raw)
        if raw is None and key in _CASE_KEYS:
            continue
        reader = _CASE_READERS.get(key)
        if reader is not None:
            spec, codes = reader
            if codes is None:
                value = spec.parse(raw)
            else:  # the common case, inlined: a code string
                value = codes.get(raw, _MISSING) if type(raw) is str else _MISSING
            if value is _MISSING:
                problems.append(spec.problem(str(key), raw))
            else:
                groups[spec.group][key] = value
        elif key == "lesions":
            lesions = _parse_lesions(raw, problems, native)
        elif key == "id":
            raw = _whole(raw)
            if valid_id(raw):
                case_id = raw
            else:
                problems.append(id_problem(raw))
        elif key == "interchange":
            if _VERSION.parse(raw) != INTERCHANGE_VERSION:
                problems.append(Problem(key, "must be 1 (interchange version 1)", echo(raw)))
        else:
            problems.append(_unknown(_key_name(key), key, _CASE_NAMES, "interchange version 1"))
    dups = getattr(data, "duplicates", ())
    problems.extend(Problem(k, "appears more than once in the object") for k in dups)
    if problems:
        raise InvalidInputError(problems)
    return Case(
        tumour=Tumour(**groups["tumour"]),
        neurology=Neurology(**groups["neurology"]),
        systemic=Systemic(**groups["systemic"]),
        laboratory=Laboratory(**groups["laboratory"]),
        lesions=tuple(lesions),
        id=case_id,
    )


def _key_name(key: Any) -> str:
    """An unknown key as a field path: cut to 100 characters, or a short repr when not a str."""
    return str(key)[:100] if isinstance(key, str) else echo(key)


#: ``interchange`` reads like an integer field: ``1`` and ``1.0`` are version 1 (never ``true``).
_VERSION: Final = FieldSpec(name="interchange", group="tumour", kind="int", minimum=1, maximum=1,
                            description="Interchange version.")

#: Value types the dict form reads as they are (everything else goes through :func:`_native`).
_PLAIN: Final = frozenset({str, int, bool, list, dict, type(None)})


def _native(raw: Any) -> Any:
    """A NumPy or pandas scalar (or NaN) as the Python value it holds; ``None`` when absent.

    NumPy and pandas are never imported here: a value of theirs can only exist once they are.
    Anything else is returned unchanged, for the field's own rules to judge.
    """
    cls = type(raw)
    if cls is float:
        return None if raw != raw else raw
    module = cls.__module__
    if module == "numpy":
        np = sys.modules["numpy"]
        if isinstance(raw, np.bool_):
            return bool(raw)
        if isinstance(raw, np.integer) and not isinstance(raw, np.timedelta64):  # a duration
            return int(raw)
        if isinstance(raw, np.floating):
            if raw != raw:
                return None
            # float64 holds its value exactly; narrower types are read as their shortest
            # decimal form, so np.float32(1.4) is 1.4 and cut-offs compare as written.
            return float(raw) if isinstance(raw, np.float64) else float(str(raw))
        if isinstance(raw, np.str_):
            return str(raw)
    elif type(module) is str and module.startswith("pandas") and cls.__name__ in ("NAType",
                                                                                 "NaTType"):
        return None
    return raw


def _parse_lesions(raw: Any, problems: list[Problem], native: bool) -> list[Lesion]:
    if type(raw) is not list or not raw:
        problems.append(
            Problem("lesions", "must be a non-empty list of lesion objects", echo(raw))
        )
        return []
    lesions: list[Lesion] = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            problems.append(Problem(f"lesions[{i}]", "must be a lesion object", echo(entry)))
            continue
        values: dict[str, Any] = {}
        bad = False
        for key, item in entry.items():
            reader = _LESION_READERS.get(key)
            if reader is None:
                problems.append(_unknown(f"lesions[{i}].{_key_name(key)}", key, _LESION_NAMES,
                                         "a lesion"))
                bad = True
                continue
            if native and type(item) not in _PLAIN:
                item = _native(item)
            if item is None:
                continue
            spec, codes = reader
            if codes is None:  # pragma: no cover - every lesion field is a code today
                value = spec.parse(item)
            else:
                value = codes.get(item, _MISSING) if type(item) is str else _MISSING
            if value is _MISSING:
                problems.append(spec.problem(f"lesions[{i}].{key}", item))
                bad = True
            else:
                values[key] = value
        dups = getattr(entry, "duplicates", ())
        for k in dups:
            problems.append(Problem(f"lesions[{i}].{k}", "appears more than once in the object"))
            bad = True
        if not bad:
            lesions.append(Lesion(**values))
    return lesions


def case_to_dict(case: Case) -> dict[str, Any]:
    """The interchange dict of *case* (its ``id`` first); fields not assessed (and ``isolated``
    false) left out."""
    out: dict[str, Any] = {} if case.id is None else {"id": case.id}
    for spec in CASE_FIELDS:
        value = getattr(getattr(case, spec.group), spec.name)
        if value is None or (spec.name == "bone_metastases_isolated" and value is False):
            continue
        out[spec.name] = value.value if spec.kind == "code" else value
    if case.lesions:
        out["lesions"] = [
            {
                spec.name: getattr(lesion, spec.name).value
                for spec in LESION_FIELDS
                if getattr(lesion, spec.name) is not None
            }
            for lesion in case.lesions
        ]
    return out


class _Object(dict[str, Any]):
    """A JSON object that remembers which keys appeared more than once."""

    __slots__ = ("duplicates",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.duplicates: tuple[str, ...] = ()
        if len(self) != len(pairs):
            seen: set[str] = set()
            dups: list[str] = []
            for key, _ in pairs:
                if key in seen and key not in dups:
                    dups.append(key)
                seen.add(key)
            self.duplicates = tuple(dups)


_DECODER: Final = json.JSONDecoder(object_pairs_hook=_Object)


def _big_int(digits: str) -> int | float:
    """An integer token too long for ``int()`` (Python's digit limit) overflows to ±Infinity."""
    try:
        return int(digits)
    except ValueError:
        return -math.inf if digits.startswith("-") else math.inf


_BIG_INT_DECODER: Final = json.JSONDecoder(object_pairs_hook=_Object, parse_int=_big_int)


def loads_json(text: str) -> Any:
    """Decode one JSON text; objects remember duplicate keys; NaN/Infinity become floats.

    Raises:
        ValueError: when *text* is not JSON.
    """
    try:
        return _DECODER.decode(text)
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        return _BIG_INT_DECODER.decode(text)


def loads_object(text: str) -> Any:
    """Decode one JSON text for :func:`loads_case` (duplicate keys remembered).

    Raises:
        InvalidInputError: with ``fields`` empty when the text is not JSON.
    """
    try:
        return loads_json(text)
    except ValueError as exc:
        raise InvalidInputError((), f"invalid input: not valid JSON ({exc})") from None
    except RecursionError:
        raise InvalidInputError((), "invalid input: JSON nested too deeply") from None


def loads_case(text: str) -> Case:
    """Parse one JSON text into a case, strictly (duplicate keys, NaN and ±Infinity are errors).

    Raises:
        InvalidInputError: with ``fields`` empty when the text is not a JSON object.
    """
    return _parse(loads_object(text), native=False)


def _whole(raw: Any) -> Any:
    """A whole, finite float as the integer it is (``1.0`` is ``1``, as in every integer field)."""
    if type(raw) is float and math.isfinite(raw) and raw.is_integer() and abs(raw) < 2**53:
        return int(raw)
    return raw


def echoed_id(data: Any) -> str | int | None:
    """The ``id`` an error object echoes: *data*'s own, when it is an object whose ``id`` (given
    once) is valid; otherwise ``None``."""
    if not isinstance(data, Mapping) or "id" in getattr(data, "duplicates", ()):
        return None
    raw = data.get("id")
    if raw is not None and type(raw) not in _PLAIN:
        raw = _native(raw)
    raw = _whole(raw)
    return raw if raw is not None and valid_id(raw) else None


def error_dict(error: InvalidInputError, data: Any = None) -> dict[str, Any]:
    """The interchange error object for an invalid case: ``interchange``, ``spinemets`` (the
    version), the input's ``id`` when *data* (the parsed input) has a valid one, and ``error``
    naming every offending field."""
    from ._version import package_version

    out: dict[str, Any] = {"interchange": INTERCHANGE_VERSION, "spinemets": package_version()}
    case_id = echoed_id(data)
    if case_id is not None:
        out["id"] = case_id
    out["error"] = {"message": error.message, "fields": list(dict.fromkeys(error.fields))}
    return out
