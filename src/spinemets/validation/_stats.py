"""NumPy survival statistics: Harrell's C with an exact jackknife, and the Kaplan-Meier estimator.

Both are written here rather than taken from a survival library so that the ``validation`` extra
needs only NumPy and pandas; the tests check them against an O(n^2) Harrell's C written
separately and against scikit-survival's ``concordance_index_censored`` and
``kaplan_meier_estimator``.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

from attrs import frozen

np: Any = importlib.import_module("numpy")

#: Two-sided 95 % normal quantile.
Z95 = 1.959963984540054
#: Bound on the temporary level-count matrix (cells) before the events are taken in blocks.
_BLOCK_CELLS = 4_000_000
#: Largest (distinct times x risk levels) count table; beyond it, binary search per level.
_TABLE_CELLS = 4_000_000


@frozen(kw_only=True)
class Concordance:
    """Harrell's C of one score: the estimate, its jackknife standard error and the counts."""

    c_index: float
    se: float
    n: int
    events: int
    pairs: int  #: Comparable pairs.
    concordant: float  #: Concordant pairs plus one half per pair tied in the score.

    @property
    def ci(self) -> tuple[float, float]:
        """95 % interval ``C ± 1.96 SE``, clipped to [0, 1] (NaN when undefined)."""
        if not math.isfinite(self.se):
            return (math.nan, math.nan)
        return (max(0.0, self.c_index - Z95 * self.se), min(1.0, self.c_index + Z95 * self.se))


def _level_counts(values: Any, sorted_by_level: list[Any], side: str) -> Any:
    """``out[i, k]`` = ``searchsorted(sorted_by_level[k], values[i], side)``."""
    out = np.empty((len(values), len(sorted_by_level)), dtype=np.int64)
    for k, arr in enumerate(sorted_by_level):
        out[:, k] = np.searchsorted(arr, values, side=side)
    return out


def _counts_by_search(t: Any, d: Any, k: Any, nk: int) -> tuple[Any, ...]:
    """Each patient's pair counts, by binary search in the sorted times of every risk level."""
    n = len(t)
    by_level_all = [np.sort(t[k == j]) for j in range(nk)]
    by_level_cens = [np.sort(t[(k == j) & ~d]) for j in range(nk)]
    by_level_event = [np.sort(t[(k == j) & d]) for j in range(nk)]
    size = np.array([len(a) for a in by_level_all], dtype=np.int64)

    # As the shorter member: event i against every j with t_j > t_i, or t_j == t_i censored.
    ev = np.flatnonzero(d)
    conc_s = np.zeros(n)
    tie_s = np.zeros(n)
    comp_s = np.zeros(n)
    block = max(1, _BLOCK_CELLS // max(nk, 1))
    for start in range(0, len(ev), block):
        idx = ev[start:start + block]
        ti = t[idx]
        later = size[None, :] - _level_counts(ti, by_level_all, "right")
        same_cens = (_level_counts(ti, by_level_cens, "right")
                     - _level_counts(ti, by_level_cens, "left"))
        m = later + same_cens
        cum = np.cumsum(m, axis=1)
        ki = k[idx]
        below = np.where(ki > 0, cum[np.arange(len(idx)), np.maximum(ki - 1, 0)], 0)
        conc_s[idx] = below
        tie_s[idx] = m[np.arange(len(idx)), ki]
        comp_s[idx] = cum[:, -1]

    # As the longer member: j against every event i with t_i < t_j (or t_i == t_j, j censored).
    conc_l = np.zeros(n)
    tie_l = np.zeros(n)
    comp_l = np.zeros(n)
    all_idx = np.arange(n)
    for start in range(0, n, block):
        idx = all_idx[start:start + block]
        tj = t[idx]
        left = _level_counts(tj, by_level_event, "left")
        right = _level_counts(tj, by_level_event, "right")
        m = np.where(d[idx][:, None], left, right)
        cum = np.cumsum(m, axis=1)
        kj = k[idx]
        rows = np.arange(len(idx))
        at_or_below = cum[rows, kj]
        conc_l[idx] = cum[:, -1] - at_or_below
        tie_l[idx] = m[rows, kj]
        comp_l[idx] = cum[:, -1]

    return conc_s, tie_s, comp_s, conc_l, tie_l, comp_l


def _counts_by_table(d: Any, k: Any, nk: int, u: Any, nu: int) -> tuple[Any, ...]:
    """Each patient's pair counts from (distinct time x risk level) count tables.

    ``u`` is each patient's index among the ``nu`` distinct times. Shorter member (an event
    at time u): the patients after u, plus those censored at u; longer member: the events before u,
    plus (when censored) those at u.
    """
    n = len(k)

    def table(mask: Any) -> Any:
        flat = np.bincount(u[mask] * nk + k[mask], minlength=nu * nk)
        return flat.reshape(nu, nk)

    every, censored, events = table(np.ones(n, dtype=bool)), table(~d), table(d)
    later = every.sum(axis=0)[None, :] - np.cumsum(every, axis=0)
    before = np.cumsum(events, axis=0) - events
    def split(m: Any) -> tuple[Any, Any, Any]:
        """Per patient: pairs with a lower level, at the same level, and in all."""
        cum = np.cumsum(m, axis=1)
        mine = cum[u, k]
        return mine - m[u, k], m[u, k], cum[u, -1]

    shorter_lower, shorter_tie, shorter_all = split(later + censored)
    conc_s = np.where(d, shorter_lower, 0).astype(float)
    tie_s = np.where(d, shorter_tie, 0).astype(float)
    comp_s = np.where(d, shorter_all, 0).astype(float)
    m_event, m_cens = before, before + events
    lo_e, tie_e, all_e = split(m_event)
    lo_c, tie_c, all_c = split(m_cens)
    above_e = all_e - lo_e - tie_e
    above_c = all_c - lo_c - tie_c
    conc_l = np.where(d, above_e, above_c).astype(float)
    tie_l = np.where(d, tie_e, tie_c).astype(float)
    comp_l = np.where(d, all_e, all_c).astype(float)
    return conc_s, tie_s, comp_s, conc_l, tie_l, comp_l


def harrell_c(time: Any, event: Any, risk: Any) -> Concordance:
    """Harrell's C of *risk* (higher = expected to die sooner) against right-censored survival.

    A pair is comparable when the shorter time is an event; an event and a censoring at the same
    time are comparable (the censored patient outlived the event), two events at the same time
    are not. A pair tied in *risk* counts one half. The standard error is the jackknife's,
    computed exactly from each patient's own pair counts (leaving a patient out removes exactly
    the pairs they belong to), so no resampling is needed.

    The counts run per distinct value of *risk* (score totals have a handful): from count tables
    over (distinct time x level) when those are small, else by binary search, O(levels x n log n).
    """
    t = np.asarray(time, dtype=float)
    d = np.asarray(event, dtype=bool)
    r = np.asarray(risk, dtype=float)
    n = len(t)
    if n == 0:
        return Concordance(c_index=math.nan, se=math.nan, n=0, events=0, pairs=0, concordant=0.0)
    levels, k = np.unique(r, return_inverse=True)
    k = k.reshape(-1)
    uniq, u = np.unique(t, return_inverse=True)
    u = u.reshape(-1)
    if len(uniq) * max(len(levels), 1) <= _TABLE_CELLS:
        counts = _counts_by_table(d, k, len(levels), u, len(uniq))
    else:
        counts = _counts_by_search(t, d, k, len(levels))
    conc_s, tie_s, comp_s, conc_l, tie_l, comp_l = counts
    pairs = float(comp_s.sum())
    concordant = float(conc_s.sum() + 0.5 * tie_s.sum())
    c = concordant / pairs if pairs > 0 else math.nan
    se = math.nan
    if pairs > 0 and n > 2:
        own_num = conc_s + 0.5 * tie_s + conc_l + 0.5 * tie_l
        own_den = comp_s + comp_l
        rest = pairs - own_den
        if np.all(rest > 0):
            loo = (concordant - own_num) / rest
            se = math.sqrt((n - 1) / n * float(np.sum((loo - loo.mean()) ** 2)))
    return Concordance(c_index=c, se=se, n=n, events=int(d.sum()), pairs=int(pairs),
                       concordant=concordant)


@frozen(kw_only=True)
class KaplanMeier:
    """The Kaplan-Meier estimate at each distinct event time, with log-log 95 % limits."""

    times: Any  #: Distinct event times, increasing.
    survival: Any
    lower: Any
    upper: Any
    at_risk: Any
    events: Any
    n: int
    total_events: int
    last_time: float  #: The longest observed time (event or censoring); NaN when empty.

    def at(self, when: float) -> tuple[float, float, float]:
        """S(when) with its limits; NaN beyond the last observed time unless S already hit 0."""
        if self.n == 0:
            return (math.nan, math.nan, math.nan)
        i = int(np.searchsorted(self.times, when, side="right")) - 1
        reached_zero = i >= 0 and self.survival[i] <= 0
        if when > self.last_time and not reached_zero:
            return (math.nan, math.nan, math.nan)
        if i < 0:
            return (1.0, 1.0, 1.0)
        return (float(self.survival[i]), float(self.lower[i]), float(self.upper[i]))

    def median(self) -> tuple[float, float, float]:
        """Median survival (first time S <= 0.5) and its limits (first times the lower and the
        upper limit reach 0.5); NaN where a curve never reaches 0.5."""

        def first(values: Any) -> float:
            hit = np.flatnonzero(values <= 0.5)
            return float(self.times[hit[0]]) if len(hit) else math.nan

        return (first(self.survival), first(self.lower), first(self.upper))


def kaplan_meier(time: Any, event: Any) -> KaplanMeier:
    """Kaplan-Meier estimate with Greenwood's variance and log-log (Kalbfleisch-Prentice) 95 %
    limits ``S ** exp(±1.96 sigma)``, ``sigma = sqrt(sum d / (n (n - d))) / |log S|``."""
    t = np.asarray(time, dtype=float)
    d = np.asarray(event, dtype=bool)
    n = len(t)
    times = np.unique(t[d])
    order = np.sort(t)
    at_risk = n - np.searchsorted(order, times, side="left")
    ev_sorted = np.sort(t[d])
    deaths = (np.searchsorted(ev_sorted, times, side="right")
              - np.searchsorted(ev_sorted, times, side="left"))
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - deaths / at_risk)
        green = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
        log_s = np.log(surv)
        sigma = np.sqrt(green) / np.abs(log_s)
        lower = surv ** np.exp(Z95 * sigma)
        upper = surv ** np.exp(-Z95 * sigma)
    # Where S = 0 (everyone at risk died) or S = 1 the interval collapses to the estimate.
    flat = ~np.isfinite(sigma) | (surv <= 0)
    lower = np.where(flat, surv, lower)
    upper = np.where(flat, surv, upper)
    return KaplanMeier(times=times, survival=surv, lower=lower, upper=upper, at_risk=at_risk,
                       events=deaths, n=n, total_events=int(d.sum()),
                       last_time=float(t.max()) if n else math.nan)
