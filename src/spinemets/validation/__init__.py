"""How well do the scores predict survival in *your* cohort? Validation statistics for the result
of :func:`spinemets.score_frame` (install the ``validation`` extra: NumPy, pandas, narwhals).

- :func:`concordance`: Harrell's C of each score's total against survival, with a 95 % interval.
- :func:`survival_by_band`: Kaplan-Meier per band (n, events, median with its interval, survival at
  the published time points) beside the figures each paper published
  (:func:`spinemets.published_survival`): the calibration table validation papers print.
- :func:`accuracy`: the share of patients whose observed survival falls in the period their band
  predicts (the measure Tokuhashi's validations report).
- :func:`plot_survival_by_band` (needs matplotlib) and :func:`table_one`.

Survival time is in months by default (``unit="days"``, ``"weeks"`` or ``"years"`` converts, a
month being 365.25 / 12 days), because the published figures are. ``results`` is a pandas or
Polars DataFrame (a lazy frame is collected); ``time`` and ``event`` are column names of
``results`` or arrays of the same length; ``event`` is true (or 1) for a death and false (or 0)
for a patient censored alive. Rows with a missing time or event, or an incomplete score, are left
out of that score's statistics and counted. Every function returns a pandas DataFrame.

**Why NumPy and not a survival library.** Kaplan-Meier and Harrell's C are short, well-defined
computations; writing them with NumPy keeps the extra small and free of a pandas pin (lifelines
0.30 requires pandas < 3, which spinemets otherwise supports). Both are checked in the test-suite
against scikit-survival (``concordance_index_censored``, ``kaplan_meier_estimator``), which allows
pandas 3, and Harrell's C also against an independent O(n^2) count, to 1e-9.

**Confidence intervals.** Harrell's C: ``C ± 1.96 × SE`` (clipped to [0, 1]), where SE is the
jackknife standard error; it is computed exactly (leaving one patient out removes exactly the
comparable pairs that patient belongs to), so it needs no resampling and is reproducible.
Kaplan-Meier: Greenwood's variance with log-log limits ``S ** exp(±1.96 σ)``; the median's limits
are the first times the lower and the upper limit fall to 0.5 or below (Brookmeyer-Crowley
style).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any, Final

from ..scores import SUMMED
from ..survival import months_text, published_survival
from ._stats import harrell_c, kaplan_meier

__all__ = ["accuracy", "concordance", "plot_survival_by_band", "survival_by_band", "table_one"]

#: Months per unit of the caller's time column.
UNITS: Final = {"months": 1.0, "days": 12 / 365.25, "weeks": 7 * 12 / 365.25, "years": 12.0}
_MODULES: Final[dict[str, ModuleType]] = {m.ID: m for m in SUMMED}


def _np() -> Any:
    return importlib.import_module("numpy")


def _pd() -> Any:
    return importlib.import_module("pandas")


class _Frame:
    """Columns of a pandas or Polars result as NumPy arrays / Python lists."""

    def __init__(self, results: Any) -> None:
        import narwhals as nw

        frame = nw.from_native(results)
        if isinstance(frame, nw.LazyFrame):
            frame = frame.collect()
        self.frame = frame
        self.n = len(frame)
        self.columns = [str(c) for c in frame.columns]

    def has(self, name: str) -> bool:
        return name in self.columns

    def numbers(self, name: str) -> Any:
        """A numeric column as float64 with NaN for null."""
        import narwhals as nw

        np = _np()
        series = self.frame[name]
        if series.dtype == nw.Boolean:
            series = series.cast(nw.Int8)
        values = series.cast(nw.Float64).to_list()
        return np.array([math.nan if _is_null(v) else v for v in values], dtype=float)

    def objects(self, name: str) -> list[Any]:
        return [None if _is_null(v) else v for v in self.frame[name].to_list()]


def _is_null(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises
    except TypeError:
        return True


def _outcome(frame: _Frame, time: Any, event: Any, unit: str) -> tuple[Any, Any, Any]:
    """(time in months, event as bool, valid mask); raises on negative times or odd events."""
    np = _np()
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}, not {unit!r}")
    t = _vector(frame, time, "time")
    e = _vector(frame, event, "event")
    valid = np.isfinite(t) & np.isfinite(e)
    if np.any(t[valid] < 0):
        raise ValueError("time: negative survival times")
    bad = sorted({float(v) for v in e[valid] if v not in (0.0, 1.0)})
    if bad:
        raise ValueError(f"event: must be true/false or 1/0 (death / censored), found {bad[:5]}")
    return t * UNITS[unit], e == 1.0, valid


def _vector(frame: _Frame, spec: Any, what: str) -> Any:
    np = _np()
    if isinstance(spec, str):
        if not frame.has(spec):
            raise ValueError(f"{what}: results has no column {spec!r}")
        return frame.numbers(spec)
    import narwhals as nw

    if hasattr(spec, "to_list") and not isinstance(spec, list):
        spec = nw.from_native(spec, series_only=True).to_list()
    values = [math.nan if _is_null(v) else v for v in list(spec)]
    try:
        arr = np.array([float(v) for v in values], dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: values must be numbers or booleans") from exc
    if len(arr) != frame.n:
        raise ValueError(f"{what}: {len(arr)} values for {frame.n} rows of results")
    return arr


def _score_ids(frame: _Frame, scores: Iterable[str] | str | None, prefix: str) -> list[str]:
    if scores is None:
        return [i for i in _MODULES if frame.has(prefix + i)]
    wanted = [scores] if isinstance(scores, str) else list(scores)
    unknown = [s for s in wanted if s not in _MODULES]
    if unknown:
        raise ValueError(f"unknown score ids {unknown}; choose from {list(_MODULES)}")
    missing = [s for s in wanted if not frame.has(prefix + s)]
    if missing:
        raise ValueError(f"results has no column for {[prefix + s for s in missing]}")
    return wanted


def concordance(results: Any, time: Any, event: Any, scores: Iterable[str] | str | None = None,
                *, prefix: str = "") -> Any:
    """Harrell's C of each score's total against survival, one row per score.

    Oriented by each score's ``higher_is_better``, so 0.5 is chance and above 0.5 means the score
    ranks survival in its intended direction. Pairs are comparable when the shorter time is a
    death (a death and a censoring at the same time are comparable, two deaths at the same time
    are not); a pair tied in the score counts one half. Rows whose score is incomplete (null
    total) or whose time or event is missing are left out and counted in ``excluded``.

    Args:
        results: the DataFrame :func:`spinemets.score_frame` returns (pandas or Polars).
        time, event: column names of *results*, or arrays of its length (``event``: 1/true =
            death, 0/false = censored).
        scores: score ids (default: every summed score with a column in *results*).
        prefix: the ``prefix=`` given to ``score_frame``.

    Returns:
        pandas DataFrame with ``score``, ``n``, ``events``, ``excluded``, ``c_index``, ``ci_low``,
        ``ci_high`` (95 %, jackknife; see the module notes), ``pairs`` (comparable pairs) and
        ``higher_is_better``.
    """
    np = _np()
    frame = _Frame(results)
    t, d, valid = _outcome(frame, time, event, "months")
    rows = []
    for score_id in _score_ids(frame, scores, prefix):
        module = _MODULES[score_id]
        total = frame.numbers(prefix + score_id)
        use = valid & np.isfinite(total)
        risk = -total[use] if module.HIGHER_IS_BETTER else total[use]
        res = harrell_c(t[use], d[use], risk)
        lo, hi = res.ci
        rows.append({"score": score_id, "n": res.n, "events": res.events,
                     "excluded": frame.n - res.n, "c_index": res.c_index, "ci_low": lo,
                     "ci_high": hi, "pairs": res.pairs,
                     "higher_is_better": bool(module.HIGHER_IS_BETTER)})
    return _pd().DataFrame(rows, columns=["score", "n", "events", "excluded", "c_index", "ci_low",
                                          "ci_high", "pairs", "higher_is_better"])


def _bands(frame: _Frame, score: str, prefix: str) -> tuple[ModuleType, list[Any]]:
    module = _MODULES.get(score)
    if module is None:
        raise ValueError(f"unknown score id {score!r}; choose from {list(_MODULES)}")
    if not module.BANDS:
        raise ValueError(f"{score} has no bands")
    column = f"{prefix}{score}_band"
    if not frame.has(column):
        raise ValueError(f"results has no column {column!r}")
    values = [None if v is None else str(getattr(v, "value", v)) for v in frame.objects(column)]
    return module, values


def _time_points(figures: Sequence[dict[str, Any]]) -> list[float]:
    return sorted({float(f["months"]) for f in figures
                   if f["statistic"] in ("survival", "period")})


def _label(months: float) -> str:
    return f"{months:g}m"


def survival_by_band(results: Any, time: Any, event: Any, score: str, *,
                     unit: str = "months", prefix: str = "") -> Any:
    """Kaplan-Meier per band of *score*, beside the survival figures its paper published.

    One row per band (lowest total first): ``band``, ``range``, ``n``, ``events``, ``median`` with
    ``median_ci_low`` / ``median_ci_high`` (months), then for every time point a published figure
    names (survival at *t* months, or a predicted-period bound) ``km_<t>m`` with ``km_<t>m_low`` /
    ``km_<t>m_high`` (NaN once *t* is past the band's last follow-up) and ``published_<t>m`` (the
    paper's survival at *t*, the first-listed figure where sources differ), and
    ``published_median`` and ``published`` (every figure of the band in words, with its source and
    evidence tag). Rows with an incomplete score or a missing outcome are left out; their count is
    in ``.attrs["excluded"]``.
    """
    np = _np()
    frame = _Frame(results)
    t, d, valid = _outcome(frame, time, event, unit)
    module, bands = _bands(frame, score, prefix)
    figures = published_survival(score)
    points = _time_points(figures)
    rows = []
    used = 0
    for band in module.BANDS:
        code = band.code.value
        mask = valid & np.array([b == code for b in bands], dtype=bool)
        used += int(mask.sum())
        km = kaplan_meier(t[mask], d[mask])
        median, m_lo, m_hi = km.median()
        row: dict[str, Any] = {"band": code, "range": f"{band.lo}-{band.hi}", "n": km.n,
                               "events": km.total_events, "median": median,
                               "median_ci_low": m_lo, "median_ci_high": m_hi}
        mine = [f for f in figures if f["band"] == code]
        for months in points:
            s, lo, hi = km.at(months)
            key = f"km_{_label(months)}"
            row[key], row[key + "_low"], row[key + "_high"] = s, lo, hi
            pub = [f["value"] for f in mine
                   if f["statistic"] == "survival" and f["months"] == months]
            row[f"published_{_label(months)}"] = pub[0] if pub else math.nan
        med = [f["value"] for f in mine if f["statistic"] == "median"]
        row["published_median"] = med[0] if med else math.nan
        row["published"] = "; ".join(
            f"{f['text']}{' (' + f['cohort'] + ')' if f['cohort'] else ''} "
            f"[{f['citation']}, {f['evidence']}]" for f in mine)
        rows.append(row)
    out = _pd().DataFrame(rows)
    out.attrs["excluded"] = frame.n - used
    return out


def _verdict(op: str, bound: float, time: float, died: bool) -> bool | None:
    """Whether survival *time* (death or censoring) agrees with "survival op bound"; ``None``
    when censoring came too early to tell."""
    if op in (">=", ">"):
        alive_past = time >= bound if op == ">=" else time > bound
        if alive_past:
            return True
        return False if died else None
    died_within = died and (time < bound if op == "<" else time <= bound)
    if died_within:
        return True
    past = time >= bound if op == "<" else time > bound
    return False if past else None


def accuracy(results: Any, time: Any, event: Any, score: str, *, unit: str = "months",
             prefix: str = "") -> Any:
    """The share of patients whose observed survival falls in the period their band predicts.

    Only bands whose paper states a predicted survival period are scored (Tokuhashi 2005:
    < 6 months, >= 6 months, >= 1 year; Tokuhashi 1990: <= 3 months and >= 12 months, its middle
    band names no period; modified Bauer: < 6, > 6, > 12 months). Follow-up rules, per patient:

    - predicted "survival >= m" (or "> m"): agrees when the patient was still alive at m (a
      death or a censoring at or after m; strictly after for ">"); disagrees on a death before m
      (at or before for ">"); undetermined when censored before m;
    - predicted "survival < m" (or "<= m"): agrees on a death before m (at or before for
      "<="); disagrees when alive at m (any death or censoring at or after m; strictly after
      for "<="); undetermined when censored before m.

    Undetermined patients are left out of the share and counted. Returns one row per band with a
    period, then ``all``: ``band``, ``predicted``, ``n``, ``evaluable``, ``undetermined``,
    ``agree``, ``accuracy`` (``agree / evaluable``).
    """
    np = _np()
    frame = _Frame(results)
    t, d, valid = _outcome(frame, time, event, unit)
    module, bands = _bands(frame, score, prefix)
    periods = [f for f in published_survival(score) if f["statistic"] == "period"]
    if not periods:
        raise ValueError(f"{score}: its paper states no predicted survival period per band")
    rows = []
    for band in module.BANDS:
        code = band.code.value
        mine = [f for f in periods if f["band"] == code]
        if not mine:
            continue
        idx = np.flatnonzero(valid & np.array([b == code for b in bands], dtype=bool))
        verdicts = []
        for i in idx:
            checks = [_verdict(f["op"], float(f["months"]), float(t[i]), bool(d[i]))
                      for f in mine]
            verdicts.append(None if None in checks and False not in checks
                            else all(c is True for c in checks))
        agree = sum(v is True for v in verdicts)
        evaluable = sum(v is not None for v in verdicts)
        predicted = " and ".join(f"{f['op']} {months_text(float(f['months']))}" for f in mine)
        rows.append({"band": code, "predicted": "survival " + predicted, "n": len(idx),
                     "evaluable": evaluable, "undetermined": len(idx) - evaluable,
                     "agree": agree, "accuracy": agree / evaluable if evaluable else math.nan})
    total = {k: sum(r[k] for r in rows) for k in ("n", "evaluable", "undetermined", "agree")}
    rows.append({"band": "all", "predicted": "", **total,
                 "accuracy": total["agree"] / total["evaluable"] if total["evaluable"]
                 else math.nan})
    return _pd().DataFrame(rows)


def plot_survival_by_band(results: Any, time: Any, event: Any, score: str, *, ax: Any = None,
                          unit: str = "months", prefix: str = "") -> Any:
    """Kaplan-Meier curves per band of *score* with the published survival figures as markers
    (same colour, open circles); needs matplotlib. Returns the matplotlib ``Axes``."""
    try:
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot_survival_by_band needs matplotlib: pip install matplotlib") from exc
    np = _np()
    frame = _Frame(results)
    t, d, valid = _outcome(frame, time, event, unit)
    module, bands = _bands(frame, score, prefix)
    figures = published_survival(score)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    for band in module.BANDS:
        code = band.code.value
        mask = valid & np.array([b == code for b in bands], dtype=bool)
        if not mask.any():
            continue
        km = kaplan_meier(t[mask], d[mask])
        xs = np.concatenate([[0.0], km.times, [km.last_time]])
        ys = np.concatenate([[1.0], km.survival, [km.survival[-1] if len(km.survival) else 1.0]])
        (line,) = ax.step(xs, ys, where="post", label=f"{code} ({band.lo}-{band.hi}, n={km.n})")
        pub = [(f["months"], f["value"]) for f in figures
               if f["band"] == code and f["statistic"] == "survival"]
        if pub:
            ax.plot([p[0] for p in pub], [p[1] for p in pub], "o", mfc="none",
                    color=line.get_color())
    ax.set_xlabel("months")
    ax.set_ylabel("survival")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{score}: Kaplan-Meier by band (circles: published figures)")
    ax.legend(fontsize="small")
    return ax


def table_one(results: Any, by: str, columns: Sequence[str] | None = None) -> Any:
    """A descriptive "table 1" of *results* by the groups of column *by* (e.g. a band column).

    Numeric columns give ``median [Q1, Q3]``; others (text, categorical, boolean) ``n (%)`` per
    value; every variable also reports its missing count. Columns: one per group (in category
    order; ``(missing)`` for a null *by*) and ``overall``; the index is (``variable``,
    ``level``). Default *columns*: every column but *by* and ``error``.
    """
    import narwhals as nw

    pd = _pd()
    native = nw.from_native(results)
    if isinstance(native, nw.LazyFrame):
        native = native.collect()
    df = native.to_pandas()
    if by not in df.columns:
        raise ValueError(f"results has no column {by!r}")
    names = [c for c in df.columns if c not in (by, "error")] if columns is None else list(columns)
    group = df[by].astype(object).where(df[by].notna(), "(missing)")
    order = [str(v) for v in getattr(df[by].dtype, "categories", sorted(df[by].dropna().unique(),
                                                                          key=str))]
    keys = [g for g in order if (group.astype(str) == g).any()]
    if (group == "(missing)").any():
        keys.append("(missing)")
    parts = {g: df[group.astype(str) == g] for g in keys}
    parts["overall"] = df
    records: list[tuple[str, str, dict[str, str]]] = [
        ("n", "", {g: str(len(part)) for g, part in parts.items()})]
    for name in names:
        series = df[name]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric:
            cells = {}
            for g, part in parts.items():
                s = pd.to_numeric(part[name], errors="coerce").dropna()
                cells[g] = (f"{s.median():g} [{s.quantile(0.25):g}, {s.quantile(0.75):g}]"
                            if len(s) else "")
            records.append((name, "median [Q1, Q3]", cells))
        else:
            levels = list(getattr(series.dtype, "categories", []))
            levels += sorted({v for v in series.dropna().unique() if v not in levels}, key=str)
            for level in levels:
                cells = {}
                for g, part in parts.items():
                    count = int((part[name] == level).sum())
                    share = 100 * count / len(part) if len(part) else 0.0
                    cells[g] = f"{count} ({share:.0f}%)"
                records.append((name, str(level), cells))
        records.append((name, "missing", {g: str(int(part[name].isna().sum()))
                                          for g, part in parts.items()}))
    index = pd.MultiIndex.from_tuples([(v, lvl) for v, lvl, _ in records],
                                      names=["variable", "level"])
    return pd.DataFrame([cells for _, _, cells in records], index=index, columns=list(parts))
