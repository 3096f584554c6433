"""Pictures of the package's own rows, as inline SVG text (no drawing by hand, nothing fetched).

Each function reads the rows the library scores with and returns one ``<svg>`` element; the
docs extension puts it into the page as raw HTML. Hand-written SVG was chosen over matplotlib
for these strips and columns: the output is a few kilobytes of text per picture, needs no
font files or renderer at build time, follows the theme's text colour (light and dark mode)
and carries ``data-*`` attributes (band code, range, level, class) that the tests read back.

* :func:`band_strip` - an instrument's total range with its bands laid on it (and the
  published survival per band when the module carries such rows);
* :func:`spine` - the spinal levels C1-S5 coloured by their SINS location class;
* :func:`ecog_kps` - the named ECOG-to-KPS conversions beside the KPS rows they fall in or
  straddle.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from html import escape
from types import ModuleType
from typing import Any

#: Fills for consecutive bands or classes (light enough for dark text; distinguishable in
#: greyscale and for the common colour-vision deficiencies: a single-hue ramp plus an accent).
PALETTE = ("#e3f0fa", "#b3d4ee", "#7fb1dd", "#4d8cc4", "#2b6aa6", "#174a80")
#: Text on the two darkest fills is white.
DARK = frozenset(PALETTE[4:])

FONT = 13  # px; the figure is scaled to the column width by CSS


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "",
          size: int = FONT, weight: str = "normal", fill: str | None = None) -> str:
    fill_attr = f' fill="{fill}"' if fill else ""
    klass = f' class="{cls}"' if cls else ""
    bold = ' font-weight="bold"' if weight != "normal" else ""
    return (f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-size="{size}"'
            f'{bold}{fill_attr}{klass}>{escape(text)}</text>')


def _svg(width: float, height: float, title: str, body: Iterable[str], *, kind: str) -> str:
    """The outer element: sized by its viewBox, labelled for screen readers."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="spinemets-picture" '
            f'data-picture="{_attr(kind)}" role="img" aria-label="{_attr(title)}" '
            f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
            f'font-family="sans-serif" fill="currentColor">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def _fill(i: int, n: int) -> str:
    """Spread *n* consecutive categories over the palette, mildest first."""
    if n <= 1:
        return PALETTE[1]
    return PALETTE[round(i * (len(PALETTE) - 1) / (n - 1))]


def _ink(fill: str) -> str:
    return "#ffffff" if fill in DARK else "#1a1a1a"


def code_of(value: object) -> str:
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


# --------------------------------------------------------------------------------------------
# published survival per band (optional rows of an instrument module)

#: Module attributes that may hold published survival rows, first found wins.
SURVIVAL_NAMES = ("SURVIVAL", "PUBLISHED_SURVIVAL", "BAND_SURVIVAL")


def survival_rows(module: ModuleType) -> tuple[Any, ...]:
    """The module's published survival rows, or ``()`` when it carries none."""
    for name in SURVIVAL_NAMES:
        rows = getattr(module, name, None)
        if rows:
            return tuple(rows)
    return ()


def _first(row: Any, names: Sequence[str]) -> Any:
    for name in names:
        value = getattr(row, name, None)
        if value is not None:
            return value
    return None


def survival_text(row: Any) -> str:
    """One published figure as text: the row's own ``text`` (``SurvivalFigure.text``, as the
    band meanings print it) with its series, else ``median 9 mo`` or ``12 mo: 22%``."""
    text = getattr(row, "text", None)
    if isinstance(text, str) and text:
        cohort = getattr(row, "cohort", "")
        evidence = getattr(getattr(getattr(row, "source", None), "evidence", None), "value", "")
        tags = [t for t in (cohort, "unverified" if evidence == "unverified" else "") if t]
        return text + (f" ({', '.join(tags)})" if tags else "")
    median = _first(row, ("median_months", "median"))
    if median is not None:
        return f"median {median:g} mo" if isinstance(median, int | float) else f"median {median}"
    months = _first(row, ("months", "at_months", "time_months"))
    share = _first(row, ("survival", "proportion", "rate", "percent", "value"))
    if months is not None and share is not None:
        pct = share * 100 if isinstance(share, float) and share <= 1 else share
        return f"{months:g} mo: {pct:g}%" if isinstance(pct, int | float) else f"{months} mo: {pct}"
    return str(_first(row, ("text", "wording", "meaning", "label")) or row)


def median_months(row: Any) -> float | None:
    """The median survival in months a row gives, if it is a median."""
    value = getattr(row, "median_months", None)
    if value is None and getattr(row, "statistic", None) == "median":
        value = getattr(row, "value", None)
    return float(value) if isinstance(value, int | float) else None


def survival_by_band(module: ModuleType) -> dict[str, list[tuple[str, Any]]]:
    """Band code -> [(figure text, row)], in the module's row order."""
    out: dict[str, list[tuple[str, Any]]] = {}
    for row in survival_rows(module):
        band = _first(row, ("band", "code"))
        if band is None:
            continue
        out.setdefault(code_of(band), []).append((survival_text(row), row))
    return out


# --------------------------------------------------------------------------------------------
# an instrument's range and bands


def band_strip(module: ModuleType) -> str:
    """The total range of *module* (``RANGE``) with its ``BANDS`` laid on it, one cell per
    possible total; each band also gets a row of its own with its code, range and (when the
    module carries published survival rows) the survival the paper gives for it."""
    lo, hi = module.RANGE
    bands = list(module.BANDS)
    survival = survival_by_band(module)
    n = hi - lo + 1
    cell = float(max(20, min(44, 600 // n)))  # whole pixels: positions print exactly
    left, top, strip_h, row_h = 190.0, 34.0, 30.0, 24.0
    longest = max((len("; ".join(t for t, _ in f)) for f in survival.values()), default=0)
    medians = {code: m for code, figures in survival.items()
               for m in [next((median_months(r) for _, r in figures
                               if median_months(r) is not None), None)] if m is not None}
    bar_w = 150.0 if medians else 0.0  # median survival drawn to scale, when given
    longest_median = max(medians.values(), default=0.0)
    right = max(150.0, 7.0 * longest + 30) + bar_w if survival else 20.0
    width = left + n * cell + right
    height = top + strip_h + 26 + row_h * len(bands) + 10
    better = "higher is better" if module.HIGHER_IS_BETTER else "higher is worse"
    body: list[str] = [
        _text(left, 18, f"{module.ID} total {lo}–{hi} ({better})", weight="bold"),
    ]

    def x_of(total: float) -> float:
        return left + (total - lo) * cell

    fills = {code_of(b.code): _fill(i, len(bands)) for i, b in enumerate(bands)}
    band_at = {t: b for b in bands for t in range(b.lo, b.hi + 1)}
    for total in range(lo, hi + 1):
        band = band_at.get(total)
        fill = fills[code_of(band.code)] if band else "none"
        code = code_of(band.code) if band else ""
        body.append(f'<rect class="total" data-total="{total}" data-band="{_attr(code)}" '
                    f'x="{x_of(total):g}" y="{top:g}" width="{cell:g}" height="{strip_h:g}" '
                    f'fill="{fill}" stroke="#ffffff" stroke-width="1"/>')
        body.append(_text(x_of(total) + cell / 2, top + strip_h / 2 + 4.5, str(total),
                          anchor="middle", fill=_ink(fill) if band else None))
    body.append(_text(left - 8, top + strip_h / 2 + 4.5, "total", anchor="end"))
    x_bar = left + n * cell + 12
    x_text = x_bar + (bar_w + 12 if medians else 0)
    if medians:
        body.append(_text(x_bar, top + strip_h / 2 + 4.5, "median (months)", weight="bold"))
    if survival:
        body.append(_text(x_text, top + strip_h / 2 + 4.5, "published survival",
                          weight="bold"))
    y = top + strip_h + 16
    for band in bands:
        code = code_of(band.code)
        fill = fills[code]
        body.append(f'<rect class="band" data-band="{_attr(code)}" data-lo="{band.lo}" '
                    f'data-hi="{band.hi}" x="{x_of(band.lo):g}" y="{y:g}" '
                    f'width="{(band.hi - band.lo + 1) * cell:g}" height="{row_h - 6:g}" '
                    f'rx="4" fill="{fill}" stroke="#4d4d4d" stroke-width="0.5"/>')
        span = str(band.lo) if band.lo == band.hi else f"{band.lo}–{band.hi}"
        body.append(_text(left - 8, y + row_h / 2 + 2, f"{code} ({span})", anchor="end"))
        figures = survival.get(code, [])
        if code in medians:
            length = (bar_w - 30) * medians[code] / longest_median
            body.append(f'<rect class="median" data-band="{_attr(code)}" '
                        f'data-months="{medians[code]:g}" x="{x_bar:g}" y="{y + 3:g}" '
                        f'width="{length:g}" height="{row_h - 12:g}" fill="{fill}" '
                        f'stroke="#4d4d4d" stroke-width="0.5"/>')
            body.append(_text(x_bar + length + 4, y + row_h / 2 + 2, f"{medians[code]:g}",
                              size=11))
        if figures:
            body.append(_text(x_text, y + row_h / 2 + 2,
                              "; ".join(text for text, _ in figures), cls="survival"))
        y += row_h
    return _svg(width, height, f"{module.ID}: total range and bands", body, kind="bands")


# --------------------------------------------------------------------------------------------
# the spine and its SINS location classes


def spine(location: Any, levels: Sequence[enum.Enum]) -> str:
    """Every level of *levels* (cranial to caudal) as a vertebra coloured by the SINS location
    row (*location*: the ``Item`` whose rows list levels) that scores it, with a bracket and
    the row's wording beside each run of consecutive levels of one class."""
    rows = list(location.rows)
    row_of = {member: row for row in rows for member in row.when}
    order = sorted(range(len(rows)), key=lambda i: rows[i].points)  # more points: darker
    fills = {id(rows[i]): _fill(rank, len(rows)) for rank, i in enumerate(order)}
    step, top, left = 19.0, 40.0, 46.0
    height = top + step * len(levels) + 14
    width = 560.0
    body: list[str] = [_text(12, 20, "SINS location class by spinal level", weight="bold")]
    runs: list[tuple[Any, int, int]] = []
    for i, level in enumerate(levels):
        row = row_of.get(level)
        y = top + i * step
        w = 44 + 36 * i / max(1, len(levels) - 1)  # vertebral bodies widen caudally
        fill = fills[id(row)] if row is not None else "none"
        points = "" if row is None else str(row.points)
        body.append(f'<rect class="vertebra" data-level="{_attr(level.value)}" '
                    f'data-points="{points}" x="{left + (80 - w) / 2:g}" y="{y:g}" '
                    f'width="{w:g}" height="{step - 4:g}" rx="4" fill="{fill}" '
                    f'stroke="#4d4d4d" stroke-width="0.6"/>')
        body.append(_text(left - 8, y + step / 2 + 2, str(level.value), anchor="end"))
        body.append(_text(left + 40, y + step / 2 + 2, points, anchor="middle",
                          fill=_ink(fill) if row is not None else None))
        if runs and runs[-1][0] is row:
            runs[-1] = (row, runs[-1][1], i)
        else:
            runs.append((row, i, i))
    for row, first, last in runs:
        y0, y1 = top + first * step + 2, top + last * step + step - 6
        x = left + 96
        body.append(f'<path class="run" d="M{x:g},{y0:g} h6 V{y1:g} h-6" fill="none" '
                    f'stroke="currentColor" stroke-width="1"/>')
        label = ("no location row" if row is None
                 else f"{row.wording}: {row.points} point{'s' if row.points != 1 else ''}")
        body.append(_text(x + 14, (y0 + y1) / 2 + 4, label))
    return _svg(width, height, "SINS location class by spinal level", body, kind="spine")


# --------------------------------------------------------------------------------------------
# ECOG -> KPS conversions and the KPS rows they straddle


def kps_items(modules: Iterable[ModuleType]) -> list[tuple[list[str], Any]]:
    """The KPS-banded items of *modules*, grouped by identical spans: ``[(["tokuhashi_1990",
    ...], item), ...]``. An item is KPS-banded when it reads ``kps`` (declared by the item, or
    the general-condition item every such instrument names) and its rows are spans."""
    groups: dict[tuple[tuple[int, int | None], ...], tuple[list[str], Any]] = {}
    for module in modules:
        for item in getattr(module, "ITEMS", ()):
            reads = getattr(item, "reads", None) or getattr(item, "fields", None) or ()
            if "kps" not in reads and item.key != "general_condition":
                continue
            spans = tuple(sorted((row.when.lo, row.when.hi) for row in item.rows
                                 if hasattr(row.when, "lo")))
            if len(spans) != len(item.rows):
                continue
            groups.setdefault(spans, ([], item))[0].append(module.ID)
    return list(groups.values())


def straddles(lo: int, hi: int, spans: Iterable[tuple[int, int | None]]) -> bool:
    """Whether ``lo..hi`` lies in no single span (the score is then ``incomplete``)."""
    return not any(a <= lo and (b is None or hi <= b) for a, b in spans)


def ecog_kps(conversions: Sequence[Any], groups: Sequence[tuple[list[str], Any]]) -> str:
    """The KPS rows of the KPS-banded items on top, then per named conversion one lane per ECOG
    grade with the KPS range it gives; a range lying in no single KPS row is hatched and
    marked *straddles* (the library then leaves the score incomplete rather than guess)."""
    names = list(dict.fromkeys(r.conversion for r in conversions))
    grades = sorted({r.ecog for r in conversions})
    cell, left, lane = 44.0, 210.0, 20.0
    x0 = left
    width = left + 10 * cell + 250

    def x_of(kps: int) -> float:  # KPS 10..100, one cell per step of 10
        return x0 + (kps - 10) / 10 * cell

    body: list[str] = [
        '<defs><pattern id="spinemets-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f6d2c4"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b5401c" stroke-width="2"/></pattern></defs>',
        _text(12, 20, "ECOG → KPS conversions and the KPS rows of the scores", weight="bold"),
    ]
    y = 34.0
    for kps in range(10, 101, 10):
        body.append(_text(x_of(kps) + cell / 2, y + 10, str(kps), anchor="middle", size=11))
    body.append(_text(left - 8, y + 10, "KPS", anchor="end", size=11))
    y += 18
    span_sets: list[list[tuple[int, int | None]]] = []
    for ids, item in groups:
        rows = list(item.rows)
        spans = sorted(rows, key=lambda r: r.when.lo)
        span_sets.append([(r.when.lo, r.when.hi) for r in spans])
        for i, row in enumerate(spans):
            lo, hi = row.when.lo, row.when.hi if row.when.hi is not None else 100
            fill = _fill(i, len(spans))
            body.append(f'<rect class="kps-row" data-lo="{lo}" data-hi="{hi}" '
                        f'x="{x_of(lo):g}" y="{y:g}" width="{(hi - lo + 10) / 10 * cell:g}" '
                        f'height="{lane + 4:g}" fill="{fill}" stroke="#ffffff"/>')
            body.append(_text((x_of(lo) + x_of(hi) + cell) / 2, y + lane / 2 + 6,
                              f"KPS {lo}–{hi}", anchor="middle", size=11, fill=_ink(fill)))
        body.append(_text(left - 8, y + lane / 2 + 6, f"KPS rows ({item.key})", anchor="end",
                          size=12))
        body.append(_text(x0, y + lane + 18, "the rows of " + ", ".join(ids), size=11,
                          cls="kps-users"))
        y += lane + 30
    for name in names:
        rows = [r for r in conversions if r.conversion == name]
        source = rows[0].source
        body.append(_text(12, y + 12, f"{code_of(name)} ({source.citation.short}, "
                                      f"{source.evidence.value})", weight="bold", size=12))
        y += 18
        for grade in grades:
            row = next((r for r in rows if r.ecog == grade), None)
            if row is None:
                continue
            wide = any(straddles(row.lo, row.hi, spans) for spans in span_sets)
            fill = "url(#spinemets-hatch)" if wide else "#7fb1dd"
            body.append(f'<rect class="conversion" data-conversion="{_attr(code_of(name))}" '
                        f'data-ecog="{grade}" data-lo="{row.lo}" data-hi="{row.hi}" '
                        f'data-straddles="{str(wide).lower()}" x="{x_of(row.lo) + 2:g}" '
                        f'y="{y:g}" width="{(row.hi - row.lo + 10) / 10 * cell - 4:g}" '
                        f'height="{lane - 4:g}" rx="3" fill="{fill}" stroke="#4d4d4d" '
                        f'stroke-width="0.6"/>')
            body.append(_text(left - 8, y + lane / 2 + 2, f"ECOG {grade}", anchor="end",
                              size=12))
            kps = str(row.lo) if row.lo == row.hi else f"{row.lo}–{row.hi}"
            note = f"KPS {kps}" + (": straddles two rows" if wide else "")
            body.append(_text(x_of(100) + cell + 10, y + lane / 2 + 2, note, size=11,
                              cls="straddles" if wide else ""))
            y += lane
        y += 8
    for kps in range(10, 101, 10):  # faint gridlines at the KPS cell edges
        body.append(f'<line x1="{x_of(kps):g}" y1="46" x2="{x_of(kps):g}" y2="{y:g}" '
                    f'stroke="currentColor" stroke-opacity="0.12"/>')
    return _svg(width, y + 6, "ECOG to KPS conversions beside the KPS rows", body,
                kind="ecog-kps")


__all__ = ["band_strip", "ecog_kps", "kps_items", "spine", "straddles", "survival_rows"]
