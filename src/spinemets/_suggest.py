"""Suggestions for near-miss input: a code or a field name the caller probably meant.

Suggestions are only ever *offered* (in error messages, warnings and :func:`spinemets.check_frame`
reports); nothing here makes the library accept a value that is not an interchange code.

Three rules, tried in order, for a value that is not a code:

1. **Folding** — the value equals a code after case folding, trimming and removing spaces, ``-``
   and ``_`` (``"Kidney"``, ``"lytic "``, ``"t12"``, ``"e"``, ``"Lung NSCLC"``).
2. **Synonyms** — a small table of common clinical and registry spellings (``"renal"`` →
   ``kidney``, ``"Y"`` → ``true``), written per field below.
3. **One edit** — the value is one insertion, deletion, substitution or transposition away from
   a code (``"kidny"``), for codes of four or more characters.

Field names follow the DataFrame near-miss rule: folding applies to every field, the one-edit
rule only to fields of four or more characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final


def normalize(text: str) -> str:
    """Case-fold ``text`` and drop white space, ``-`` and ``_`` (the folding rule)."""
    return "".join(ch for ch in text.casefold() if not ch.isspace() and ch not in "-_")


#: Common clinical / registry spellings per field, keyed on their :func:`normalize` form.
#: Offered as "did you mean", never accepted. Booleans use the keys ``"true"`` and ``"false"``.
SYNONYMS: Final[Mapping[str, Mapping[str, str]]] = {
    "histology": {
        "renal": "kidney",
        "renalcell": "kidney",
        "renalcellcarcinoma": "kidney",
        "rcc": "kidney",
        "hypernephroma": "kidney",
        "nsclc": "lung_nsclc",
        "nonsmallcell": "lung_nsclc",
        "nonsmallcelllungcancer": "lung_nsclc",
        "adenocarcinomalung": "lung_nsclc",
        "sclc": "lung_sclc",
        "smallcell": "lung_sclc",
        "smallcelllungcancer": "lung_sclc",
        "lungcancer": "lung",
        "bronchial": "lung",
        "mammary": "breast",
        "breastcancer": "breast",
        "prostatic": "prostate",
        "prostatecancer": "prostate",
        "hcc": "liver",
        "hepatocellular": "liver",
        "hepatocellularcarcinoma": "liver",
        "colorectal": "colon",
        "colonic": "colon",
        "rectal": "rectum",
        "gastric": "stomach",
        "oesophagus": "esophagus",
        "oesophageal": "esophagus",
        "esophageal": "esophagus",
        "pancreatic": "pancreas",
        "urothelial": "bladder",
        "endometrial": "uterus",
        "cervical": "uterus",
        "cervix": "uterus",
        "uterine": "uterus",
        "ovarian": "ovary",
        "thyroidcancer": "thyroid",
        "multiplemyeloma": "myeloma",
        "plasmacytoma": "myeloma",
        "neuroendocrine": "carcinoid",
        "headandneck": "head_neck",
        "hnscc": "head_neck",
        "cup": "unknown",
        "unknownprimary": "unknown",
    },
    "bool": {
        "y": "true",
        "yes": "true",
        "1": "true",
        "t": "true",
        "n": "false",
        "no": "false",
        "0": "false",
        "f": "false",
    },
}


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _unique(candidates: Iterable[str]) -> str | None:
    found = list(dict.fromkeys(candidates))
    return found[0] if len(found) == 1 else None


def suggest_code(field: str, value: object, allowed: Iterable[str]) -> str | None:
    """The code of ``allowed`` that ``value`` probably meant for ``field``, or ``None``.

    ``allowed`` are the field's codes as strings (``"true"``/``"false"`` for a boolean field,
    whose synonyms are looked up under ``"bool"``). Only string values get suggestions.
    """
    if not isinstance(value, str):
        return None
    codes = list(allowed)
    key = normalize(value)
    if not key:
        return None
    folded = _unique(code for code in codes if normalize(code) == key)
    if folded is not None:
        return folded
    table = SYNONYMS.get("bool" if set(codes) == {"true", "false"} else field, {})
    if table.get(key) in codes:
        return table[key]
    return _unique(code for code in codes if len(code) >= 4 and _one_edit(normalize(code), key))


def suggest_field(name: str, fields: Iterable[str]) -> str | None:
    """The interchange field a key or column ``name`` probably meant, or ``None``.

    ``name`` itself being one of ``fields`` gives ``None`` (it needs no suggestion).
    """
    names = list(fields)
    if name in names:
        return None
    key = normalize(name)
    folded = _unique(f for f in names if normalize(f) == key)
    if folded is not None:
        return folded
    return _unique(f for f in names if len(f) >= 4 and _one_edit(normalize(f), key))
