"""``spinemets.validation`` on simulated cohorts whose truth is known, against an independent
O(n^2) Harrell's C, an explicit leave-one-out jackknife and scikit-survival."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import spinemets  # noqa: E402
from spinemets.validation import (  # noqa: E402
    accuracy,
    concordance,
    plot_survival_by_band,
    survival_by_band,
    table_one,
)
from spinemets.validation._stats import harrell_c, kaplan_meier  # noqa: E402


def naive_c(time: Any, event: Any, risk: Any) -> tuple[float, float]:
    """Harrell's C by looking at every ordered pair: (concordant + ties / 2, comparable)."""
    num = den = 0.0
    n = len(time)
    for i in range(n):
        if not event[i]:
            continue
        for j in range(n):
            if j == i:
                continue
            if time[i] < time[j] or (time[i] == time[j] and not event[j]):
                den += 1
                num += 1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0
    return num, den


def cohort(n: int, seed: int, effect: float = 0.35, levels: int = 12) -> dict[str, Any]:
    """Score 0..levels-1 (higher = longer survival) drives an exponential hazard; uniform
    censoring; times rounded to whole months so that ties in time occur."""
    rng = np.random.default_rng(seed)
    score = rng.integers(0, levels, n)
    latent = rng.exponential(6.0 * np.exp(effect * (score - levels / 2)))
    censor = rng.uniform(0, 30, n)
    time = np.ceil(np.minimum(latent, censor))
    return {"score": score, "time": time, "event": latent <= censor, "rng": rng}


def frame_of(score_id: str, data: dict[str, Any], band: list[Any] | None = None) -> Any:
    df = pd.DataFrame({score_id: pd.array(data["score"], dtype="Int16"),
                       "months": data["time"], "died": data["event"]})
    if band is not None:
        df[f"{score_id}_band"] = band
    return df


# --- Harrell's C ---------------------------------------------------------------------------------


def test_c_equals_an_independent_pairwise_count() -> None:
    data = cohort(500, seed=1)
    want_num, want_den = naive_c(data["time"], data["event"], -data["score"])
    # tokuhashi_2005: higher is better, so the risk is the negated total
    row = concordance(frame_of("tokuhashi_2005", data), "months", "died").iloc[0]
    assert row["pairs"] == want_den
    assert abs(row["c_index"] - want_num / want_den) < 1e-9
    # katagiri_2014: higher is worse, so the same column reads the other way round
    other = concordance(frame_of("katagiri_2014", data), "months", "died").iloc[0]
    num, den = naive_c(data["time"], data["event"], data["score"])
    assert abs(other["c_index"] - num / den) < 1e-9


def test_c_equals_scikit_survival() -> None:
    metrics = pytest.importorskip("sksurv.metrics")
    for seed in range(5):
        data = cohort(800, seed=seed, levels=5 + seed)
        got = harrell_c(data["time"], data["event"], -data["score"].astype(float))
        want = metrics.concordance_index_censored(data["event"], data["time"],
                                                  -data["score"].astype(float))
        assert abs(got.c_index - want[0]) < 1e-12
        assert got.concordant == want[1] + 0.5 * want[3]
        assert got.pairs == want[1] + want[2] + want[3]


def test_a_score_that_drives_the_hazard_ranks_well_and_a_shuffled_one_does_not() -> None:
    data = cohort(4000, seed=7)
    good = concordance(frame_of("tokuhashi_2005", data), "months", "died").iloc[0]
    assert good["c_index"] > 0.65 and good["ci_low"] > 0.6
    shuffled = dict(data, score=data["rng"].permutation(data["score"]))
    chance = concordance(frame_of("tokuhashi_2005", shuffled), "months", "died").iloc[0]
    assert abs(chance["c_index"] - 0.5) < 0.03
    assert chance["ci_low"] < 0.5 < chance["ci_high"]


def test_count_tables_equal_binary_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of counting pairs (small count tables, per-level binary search) agree."""
    from spinemets.validation import _stats

    for seed, levels in ((1, 3), (2, 12), (3, 40)):
        data = cohort(700, seed=seed, levels=levels)
        data["time"] = data["time"] + (seed == 3) * data["rng"].random(700)  # distinct times
        table = harrell_c(**_arrays(data))
        monkeypatch.setattr(_stats, "_TABLE_CELLS", 0)
        search = harrell_c(**_arrays(data))
        monkeypatch.undo()
        assert (table.concordant, table.pairs) == (search.concordant, search.pairs)
        assert abs(table.se - search.se) < 1e-12


def test_jackknife_se_equals_explicit_leave_one_out() -> None:
    data = cohort(70, seed=3, levels=4)
    t, d, r = data["time"], data["event"], -data["score"].astype(float)
    loo = []
    for m in range(len(t)):
        keep = np.arange(len(t)) != m
        num, den = naive_c(t[keep], d[keep], r[keep])
        loo.append(num / den)
    loo_a = np.array(loo)
    n = len(t)
    want = math.sqrt((n - 1) / n * float(np.sum((loo_a - loo_a.mean()) ** 2)))
    assert abs(harrell_c(t, d, r).se - want) < 1e-12


def test_interval_covers_the_truth_about_95_percent() -> None:
    truth = harrell_c(**_arrays(cohort(60_000, seed=99))).c_index
    hits = 0
    runs = 200
    for seed in range(runs):
        ci = harrell_c(**_arrays(cohort(150, seed=1000 + seed))).ci
        hits += ci[0] <= truth <= ci[1]
    assert 0.90 * runs <= hits <= 0.99 * runs


def _arrays(data: dict[str, Any]) -> dict[str, Any]:
    return {"time": data["time"], "event": data["event"], "risk": -data["score"].astype(float)}


def test_exclusions_arrays_and_polars() -> None:
    data = cohort(300, seed=11)
    df = frame_of("tokuhashi_2005", data)
    df.loc[:19, "tokuhashi_2005"] = pd.NA  # incomplete scores
    df.loc[20:29, "months"] = np.nan  # missing outcome
    row = concordance(df, "months", "died").iloc[0]
    assert (row["n"], row["excluded"]) == (270, 30)
    keep = np.arange(300) >= 30
    num, den = naive_c(data["time"][keep], data["event"][keep], -data["score"][keep])
    assert abs(row["c_index"] - num / den) < 1e-9
    by_array = concordance(df.drop(columns=["months", "died"]), df["months"].to_numpy(),
                           list(df["died"]), scores="tokuhashi_2005").iloc[0]
    assert by_array["c_index"] == row["c_index"]
    pl = pytest.importorskip("polars")
    polars_row = concordance(pl.from_pandas(df), "months", "died").iloc[0]
    assert polars_row["c_index"] == row["c_index"] and polars_row["n"] == 270
    lazy_row = concordance(pl.from_pandas(df).lazy(), "months", "died").iloc[0]
    assert lazy_row["c_index"] == row["c_index"]


def test_on_score_frame_output() -> None:
    rows = [{"histology": h, "kps": k, "extraspinal_bone_metastases": e,
             "vertebral_metastases": 1, "visceral_metastases": "none", "frankel": "E"}
            for h, k, e in zip(["breast", "lung", "kidney", "stomach"] * 30,
                               [90, 40, 70, 50] * 30, [0, 3, 1, 2] * 30, strict=True)]
    res = spinemets.score_frame(pd.DataFrame(rows), prefix="sm_") if _has_prefix() else \
        spinemets.score_frame(pd.DataFrame(rows))
    prefix = "sm_" if _has_prefix() else ""
    rng = np.random.default_rng(5)
    months = rng.exponential(10, len(rows))
    out = concordance(res, months, np.ones(len(rows), dtype=bool), prefix=prefix)
    assert set(out["score"]) >= {"tomita", "tokuhashi_1990", "tokuhashi_2005"}
    assert (out.set_index("score").loc["tokuhashi_2005", "n"]) == len(rows)
    assert out.set_index("score").loc["sins", "n"] == 0  # no lesion columns: incomplete


def _has_prefix() -> bool:
    import inspect

    return "prefix" in inspect.signature(spinemets.score_frame).parameters


def test_bad_outcomes_are_errors() -> None:
    df = frame_of("tokuhashi_2005", cohort(10, seed=1))
    with pytest.raises(ValueError, match="negative"):
        concordance(df.assign(months=-1.0), "months", "died")
    with pytest.raises(ValueError, match="event"):
        concordance(df.assign(died=2), "months", "died")
    with pytest.raises(ValueError, match="no column"):
        concordance(df, "time", "died")
    with pytest.raises(ValueError, match="numbers or booleans"):
        concordance(df.assign(died="yes"), "months", "died")
    with pytest.raises(ValueError, match="numbers or booleans"):
        concordance(df, "months", ["yes"] * len(df))
    with pytest.raises(ValueError, match="rows of results"):
        concordance(df, [1.0, 2.0], "died")
    with pytest.raises(ValueError, match="unknown score"):
        concordance(df, "months", "died", scores=["tokuhashi"])
    with pytest.raises(ValueError, match="unit"):
        survival_by_band(df, "months", "died", "tokuhashi_2005", unit="hours")


def test_tiny_cohorts() -> None:
    empty = concordance(frame_of("tomita", cohort(0, seed=1)), "months", "died").iloc[0]
    assert empty["n"] == 0 and math.isnan(empty["c_index"])
    one = concordance(frame_of("tomita", cohort(1, seed=1)), "months", "died").iloc[0]
    assert one["n"] == 1 and math.isnan(one["c_index"])


# --- Kaplan-Meier --------------------------------------------------------------------------------


def test_kaplan_meier_equals_scikit_survival() -> None:
    nonparametric = pytest.importorskip("sksurv.nonparametric")
    for seed in range(4):
        data = cohort(400, seed=seed)
        km = kaplan_meier(data["time"], data["event"])
        x, y, (lo, hi) = nonparametric.kaplan_meier_estimator(
            data["event"], data["time"], conf_type="log-log")
        for t in np.unique(data["time"]):
            i = int(np.searchsorted(x, t, side="right")) - 1
            s, s_lo, s_hi = km.at(float(t))
            assert abs(s - y[i]) < 1e-12
            if 0 < y[i] < 1 and np.isfinite(lo[i]):
                assert abs(s_lo - lo[i]) < 1e-9 and abs(s_hi - hi[i]) < 1e-9


def test_kaplan_meier_by_hand() -> None:
    # times 1, 2+, 3, 3, 4+, 5: S(1)=5/6, S(3)=5/6*(1-2/4)=5/12, S(5)=0
    km = kaplan_meier([1, 2, 3, 3, 4, 5], [True, False, True, True, False, True])
    assert list(km.times) == [1, 3, 5]
    assert np.allclose(km.survival, [5 / 6, 5 / 12, 0.0])
    assert list(km.at_risk) == [6, 4, 1]
    assert km.median()[0] == 3
    assert km.at(0.5) == (1.0, 1.0, 1.0)
    assert km.at(6.0)[0] == 0.0  # past follow-up, but the curve already reached 0
    censored_last = kaplan_meier([1, 2, 3], [True, False, False])
    assert math.isnan(censored_last.at(4.0)[0])
    assert math.isnan(censored_last.median()[0])


def test_median_limits_bracket_the_median() -> None:
    km = kaplan_meier(**{k: v for k, v in cohort(600, seed=4).items() if k in ("time", "event")})
    median, lo, hi = km.median()
    assert lo <= median <= hi


# --- survival by band, accuracy -------------------------------------------------------------------


def _band(score: Any) -> list[str]:
    return ["lt_6_months" if s <= 8 else "gte_6_months" if s <= 11 else "gte_12_months"
            for s in score]


def test_survival_by_band_matches_per_band_kaplan_meier() -> None:
    data = cohort(900, seed=21, levels=16)
    df = frame_of("tokuhashi_2005", data, band=_band(data["score"]))
    df.loc[:9, "tokuhashi_2005_band"] = None
    out = survival_by_band(df, "months", "died", "tokuhashi_2005")
    assert list(out["band"]) == ["lt_6_months", "gte_6_months", "gte_12_months"]
    assert out.attrs["excluded"] == 10
    for _, row in out.iterrows():
        mask = (df["tokuhashi_2005_band"] == row["band"]).to_numpy()
        km = kaplan_meier(data["time"][mask], data["event"][mask])
        assert row["n"] == mask.sum() and row["events"] == data["event"][mask].sum()
        assert row["median"] == km.median()[0] or (math.isnan(row["median"])
                                                   and math.isnan(km.median()[0]))
        for t in (6, 12):
            assert row[f"km_{t}m"] == km.at(t)[0]
        assert "Tokuhashi 2005, primary" in row["published"]
    days = df.assign(months=df["months"] * 365.25 / 12)
    same = survival_by_band(days, "months", "died", "tokuhashi_2005", unit="days")
    assert np.allclose(same["km_6m"], out["km_6m"])


def test_published_columns_beside_katagiri() -> None:
    data = cohort(300, seed=2, levels=11)
    bands = ["low_risk" if s <= 3 else "intermediate_risk" if s <= 6 else "high_risk"
             for s in data["score"]]
    out = survival_by_band(frame_of("katagiri_2014", data, bands), "months", "died",
                           "katagiri_2014").set_index("band")
    assert out.loc["low_risk", "published_12m"] == 0.91  # the primary figure is listed first
    assert out.loc["intermediate_risk", "published_6m"] == 0.74
    assert math.isnan(out.loc["low_risk", "published_median"])
    assert {"km_6m", "km_12m", "km_24m"} <= set(out.columns)


#: (band, months, died, verdict) typed from the stated follow-up rules.
ACCURACY_CASES = [
    ("lt_6_months", 3.0, True, True),    # died before 6: agrees
    ("lt_6_months", 6.0, True, False),   # died at 6: survival is not < 6
    ("lt_6_months", 8.0, False, False),  # alive at 8
    ("lt_6_months", 4.0, False, None),   # censored at 4: cannot tell
    ("gte_6_months", 6.0, True, True),   # died at 6: survived >= 6
    ("gte_6_months", 7.0, False, True),  # alive at 7
    ("gte_6_months", 5.9, True, False),
    ("gte_6_months", 5.0, False, None),
    ("gte_12_months", 30.0, True, True),
    ("gte_12_months", 11.0, True, False),
    ("gte_12_months", 11.0, False, None),
]


def test_accuracy_follow_up_rules() -> None:
    df = pd.DataFrame({"tokuhashi_2005_band": [c[0] for c in ACCURACY_CASES],
                       "tokuhashi_2005": [5 if c[0] == "lt_6_months" else 10
                                          if c[0] == "gte_6_months" else 13
                                          for c in ACCURACY_CASES],
                       "months": [c[1] for c in ACCURACY_CASES],
                       "died": [c[2] for c in ACCURACY_CASES]})
    out = accuracy(df, "months", "died", "tokuhashi_2005").set_index("band")
    for band in ("lt_6_months", "gte_6_months", "gte_12_months"):
        verdicts = [c[3] for c in ACCURACY_CASES if c[0] == band]
        assert out.loc[band, "n"] == len(verdicts)
        assert out.loc[band, "agree"] == sum(v is True for v in verdicts)
        assert out.loc[band, "undetermined"] == sum(v is None for v in verdicts)
    assert out.loc["all", "agree"] == 4 and out.loc["all", "evaluable"] == 8
    assert out.loc["all", "accuracy"] == 4 / 8


def test_accuracy_strict_and_inclusive_bounds() -> None:
    # modified Bauer: < 6, > 6, > 12; Tokuhashi 1990: <= 3 and >= 12, no middle-band period
    df = pd.DataFrame({"bauer_modified_band": ["intermediate", "intermediate", "good"],
                       "bauer_modified": [2, 2, 3], "months": [6.0, 6.0, 12.5],
                       "died": [True, False, True]})
    out = accuracy(df, "months", "died", "bauer_modified").set_index("band")
    assert out.loc["intermediate", "agree"] == 0 and out.loc["intermediate", "undetermined"] == 1
    assert out.loc["good", "agree"] == 1
    t90 = pd.DataFrame({"tokuhashi_1990_band": ["poor", "poor", "intermediate"],
                        "tokuhashi_1990": [3, 3, 7], "months": [3.0, 3.0, 2.0],
                        "died": [True, False, True]})
    out90 = accuracy(t90, "months", "died", "tokuhashi_1990").set_index("band")
    assert list(out90.index) == ["poor", "good", "all"]
    assert out90.loc["poor", "agree"] == 1 and out90.loc["poor", "undetermined"] == 1
    with pytest.raises(ValueError, match="no predicted survival period"):
        accuracy(df.rename(columns=lambda c: c.replace("bauer_modified", "katagiri_2014")),
                 "months", "died", "katagiri_2014")


# --- plot, table one ------------------------------------------------------------------------------


def test_plot_survival_by_band() -> None:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    data = cohort(300, seed=8, levels=11)
    bands = ["low_risk" if s <= 3 else "intermediate_risk" if s <= 6 else "high_risk"
             for s in data["score"]]
    ax = plot_survival_by_band(frame_of("katagiri_2014", data, bands), "months", "died",
                               "katagiri_2014")
    assert len(ax.get_legend().get_texts()) == 3
    assert len(ax.lines) == 6  # a curve and the published markers per band
    import matplotlib.pyplot as plt

    plt.close("all")


def test_table_one() -> None:
    df = pd.DataFrame({"band": pd.Categorical(["a", "b", "a", None], categories=["a", "b", "c"]),
                       "kps": [80, 60, None, 40], "sex": ["f", "m", "m", "f"],
                       "error": [None] * 4, "tomita_missing": [["kps"], [], [], ["a", "b"]]})
    out = table_one(df, by="band")
    assert list(out.columns) == ["a", "b", "(missing)", "overall"]
    assert out.loc[("n", ""), "overall"] == "4"
    assert out.loc[("kps", "median [Q1, Q3]"), "a"] == "80 [80, 80]"
    assert out.loc[("kps", "missing"), "a"] == "1"
    assert out.loc[("sex", "m"), "overall"] == "2 (50%)"
    assert {"error", "tomita_missing"}.isdisjoint(out.index.get_level_values("variable"))


# --- properties on ugly inputs ------------------------------------------------------------------

TIMES = st.sampled_from([0.0, -0.0, 0.5, 1.0, 1.0, 2.0, 7.25, 1e300, 5e-324])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TIMES, st.booleans(), st.integers(-3, 3) | st.just(10**15)),
                max_size=25))
def test_harrell_c_equals_pairwise_count_on_any_small_cohort(
    rows: list[tuple[float, bool, int]]
) -> None:
    t = np.array([r[0] for r in rows], dtype=float)
    d = np.array([r[1] for r in rows], dtype=bool)
    risk = np.array([r[2] for r in rows], dtype=float)
    num, den = naive_c(t, d, risk)
    got = harrell_c(t, d, risk)
    assert got.pairs == den and got.concordant == num
    if den:
        assert abs(got.c_index - num / den) < 1e-12
    else:
        assert math.isnan(got.c_index)


def naive_km(t: Any, d: Any, when: float) -> float:
    """Product-limit estimate at *when*, from its definition."""
    s = 1.0
    for u in sorted({x for x, e in zip(t, d, strict=True) if e and x <= when}):
        at_risk = sum(x >= u for x in t)
        deaths = sum(x == u and e for x, e in zip(t, d, strict=True))
        s *= 1 - deaths / at_risk
    return s


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TIMES, st.booleans()), min_size=1, max_size=25), TIMES)
def test_kaplan_meier_equals_its_definition(rows: list[tuple[float, bool]], when: float) -> None:
    t = [r[0] for r in rows]
    d = [r[1] for r in rows]
    km = kaplan_meier(t, d)
    s, lo, hi = km.at(when)
    if when > max(t) and naive_km(t, d, when) > 0:
        assert math.isnan(s)
    else:
        assert abs(s - naive_km(t, d, when)) < 1e-12
        assert lo <= s + 1e-12 and s <= hi + 1e-12


def test_returned_frames_are_the_callers() -> None:
    data = cohort(50, seed=1)
    df = frame_of("tokuhashi_2005", data)
    before = df.copy()
    out = concordance(df, "months", "died")
    out.loc[0, "c_index"] = -1.0
    assert concordance(df, "months", "died").loc[0, "c_index"] != -1.0
    pd.testing.assert_frame_equal(df, before)


def test_band_tables_on_polars_enum_bands() -> None:
    pl = pytest.importorskip("polars")
    data = cohort(400, seed=31, levels=16)
    df = frame_of("tokuhashi_2005", data, band=_band(data["score"]))
    want_km = survival_by_band(df, "months", "died", "tokuhashi_2005")
    want_acc = accuracy(df, "months", "died", "tokuhashi_2005")
    enum = pl.Enum(["lt_6_months", "gte_6_months", "gte_12_months"])
    polars = pl.from_pandas(df).with_columns(pl.col("tokuhashi_2005_band").cast(enum))
    pd.testing.assert_frame_equal(survival_by_band(polars, "months", "died", "tokuhashi_2005"),
                                  want_km)
    pd.testing.assert_frame_equal(accuracy(polars.lazy(), "months", "died", "tokuhashi_2005"),
                                  want_acc)


def test_bad_score_and_band_arguments_are_errors() -> None:
    """Each wrong argument is its own ValueError naming what is wrong."""
    data = cohort(10, seed=2)
    df = frame_of("tokuhashi_2005", data)
    with pytest.raises(ValueError, match=r"no column for \['tokuhashi_1990'\]"):
        concordance(df, "months", "died", scores="tokuhashi_1990")
    with pytest.raises(ValueError, match="unknown score id 'tokuhashi'"):
        survival_by_band(df, "months", "died", "tokuhashi")
    with pytest.raises(ValueError, match="osri has no bands"):
        survival_by_band(df, "months", "died", "osri")
    with pytest.raises(ValueError, match="no column 'tokuhashi_2005_band'"):
        survival_by_band(df, "months", "died", "tokuhashi_2005")
    with pytest.raises(ValueError, match="no column 'group'"):
        table_one(df, by="group")


def test_outcomes_as_series_and_nulls() -> None:
    """Outcome columns given as Series (not names) equal the named columns; a null outcome
    excludes its row."""
    data = cohort(40, seed=3)
    df = frame_of("tokuhashi_2005", data)
    by_name = concordance(df, "months", "died")
    by_series = concordance(df, df["months"], pd.Series(df["died"].astype(object)))
    assert by_series.equals(by_name)
    with_null = concordance(df, df["months"].astype(object).where(df.index > 0, None), "died")
    assert int(with_null["excluded"].iloc[0]) == int(by_name["excluded"].iloc[0]) + 1


def test_plot_skips_an_empty_band_and_draws_on_the_callers_axes() -> None:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    data = cohort(60, seed=9, levels=11)
    bands = ["low_risk" if s <= 5 else "high_risk" for s in data["score"]]  # no intermediate
    _, ax = plt.subplots()
    out = plot_survival_by_band(frame_of("katagiri_2014", data, bands), "months", "died",
                                "katagiri_2014", ax=ax)
    assert out is ax
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [label.split(" ")[0] for label in labels] == ["low_risk", "high_risk"]
    plt.close("all")


def test_table_one_with_named_columns_and_uncategorised_groups() -> None:
    df = pd.DataFrame({"band": ["b", "a", "b", "a"], "kps": [80, 60, 70, 40],
                       "sex": ["f", "m", "m", "f"]})
    out = table_one(df, by="band", columns=["kps"])
    assert list(out.columns) == ["a", "b", "overall"]  # sorted when not categorical
    assert set(out.index.get_level_values("variable")) == {"n", "kps"}
    # 70 and 80: median 75, quartiles by linear interpolation 72.5 and 77.5
    assert out.loc[("kps", "median [Q1, Q3]"), "b"] == "75 [72.5, 77.5]"
