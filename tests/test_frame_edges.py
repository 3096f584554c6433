"""Regression tests: the reproducers of issue 10 (DataFrame items 1-4), each row checked against
``assess()`` of its dict (tests/frame_oracle.py), plus the number bounds and float32 reading."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

import spinemets
from spinemets.frame import FrameError

from . import frame_oracle as oracle

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pl = pytest.importorskip("polars")


def rows_of(out: Any) -> list[dict[str, Any]]:
    if isinstance(out, pl.DataFrame):
        dicts: list[dict[str, Any]] = out.to_dicts()
        return dicts
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in out.astype(object).to_dict("records")]


def agrees(df: Any, dicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Score *df*; every row must equal ``assess()`` of the matching cells in *dicts*."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        out = spinemets.score_frame(df)
    got = rows_of(out)
    oracle.compare(got, [oracle.expect(oracle.row_dict(d)) for d in dicts], type(df).__name__)
    return got


# Item 1: all-null columns and one-row frames (IndexError in the fused key).


def test_all_null_lesion_columns_one_row() -> None:
    row = {"level": "T12", "pain": None, "bone_lesion": None, "alignment": None,
           "collapse": None, "posterolateral": None}
    agrees(pd.DataFrame([row]), [row])


def test_all_null_histology_beside_kps() -> None:
    data = {"histology": [None, None], "kps": [80, None]}
    agrees(pd.DataFrame(data), [{"histology": None, "kps": 80}, {"histology": None, "kps": None}])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_many_all_null_columns_next_to_values(n: int) -> None:
    # Several one-slot tables make the key offset exceed the fused table (the wrap bug).
    nulls = ("histology", "tomita_growth", "radiosensitivity", "ecog", "ecog_to_kps", "pain",
             "bone_lesion")
    data: dict[str, list[Any]] = {name: [None] * n for name in nulls}
    data.update({"kps": [80] * n, "level": ["T12"] * n, "alignment": ["normal"] * n,
                 "collapse": ["none"] * n, "posterolateral": ["none"] * n})
    agrees(pd.DataFrame(data), [{k: v[i] for k, v in data.items()} for i in range(n)])
    agrees(pl.DataFrame(data, schema_overrides=dict.fromkeys(data, pl.Null) | {
        "kps": pl.Int64, "level": pl.String, "alignment": pl.String, "collapse": pl.String,
        "posterolateral": pl.String}), [{k: v[i] for k, v in data.items()} for i in range(n)])


# Item 2: Polars Null dtype and strings in number columns, read the right way round.


def test_polars_null_dtype_is_absent_not_invalid() -> None:
    got = agrees(pl.DataFrame({"kps": [80, 90], "pain": [None, None]}),
                 [{"kps": 80}, {"kps": 90}])
    assert [r["error"] for r in got] == [None, None]


def test_polars_strings_in_a_number_column_are_invalid_and_nulls_absent() -> None:
    got = agrees(pl.DataFrame({"kps": ["80", None]}), [{"kps": "80"}, {"kps": None}])
    assert got[0]["error"] is not None and got[1]["error"] is None


# Item 3: output types never depend on the input columns.


def test_band_dtype_without_its_inputs_is_an_ordered_categorical() -> None:
    out = spinemets.score_frame(pd.DataFrame({"histology": ["kidney"]}), scores=["bauer_1995"])
    dtype = out["bauer_1995_band"].dtype
    assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
    # Bauer's bands from the lowest total up (interchange §3.1, typed here).
    assert list(dtype.categories) == ["poor", "intermediate", "good"]
    assert str(out["bauer_1995"].dtype) == "Int16"


def test_every_band_is_ordered_by_total() -> None:
    out = spinemets.score_frame(pd.DataFrame({"x": [1]}))
    assert list(out["sins_band"].dtype.categories) == ["stable", "potentially_unstable",
                                                       "unstable"]
    assert list(out["escc_grade"].dtype.categories) == ["0", "1a", "1b", "1c", "2", "3"]
    assert list(out["escc_class"].dtype.categories) == ["low", "intermediate", "high"]
    assert list(out["tomita_band"].dtype.categories) == [
        "long_term_local_control", "middle_term_local_control", "short_term_palliation",
        "terminal_care"]
    for name, dtype in out.dtypes.items():
        if name.endswith(("_band", "_grade", "_class")):
            assert dtype.ordered, name
    full = spinemets.score_frame(pd.DataFrame({"histology": ["kidney"], "kps": [80]}))
    assert dict(full.dtypes) == dict(out.dtypes)


def test_lazy_polars_scan_csv_without_laboratory_columns(tmp_path: Any) -> None:
    path = tmp_path / "cohort.csv"
    pl.DataFrame({"histology": ["kidney", "breast"], "kps": [80, None]}).write_csv(path)
    lazy = spinemets.score_frame(pl.scan_csv(path))
    out = lazy.collect()
    assert out.schema == lazy.collect_schema() == spinemets.score_frame(pl.DataFrame()).schema
    assert isinstance(out.schema["bauer_1995_band"], pl.Enum)
    assert out["error"].to_list() == [None, None]


def test_narwhals_output_types_do_not_depend_on_input() -> None:
    duckdb = pytest.importorskip("duckdb")
    one = spinemets.score_frame(duckdb.sql("select 'kidney' as histology")).pl()
    two = spinemets.score_frame(duckdb.sql("select 'kidney' as histology, 80 as kps")).pl()
    assert one.schema == two.schema and one.schema["bauer_1995_band"] == pl.String


# Item 4: pandas object columns, duplicated columns, huge numbers; DuckDB 1e19.


def test_object_booleans_are_never_numbers_and_true_is_a_boolean() -> None:
    counts = pd.Series([1, True, 2, np.bool_(False)], dtype=object)
    got = agrees(pd.DataFrame({"vertebral_metastases": counts}),
                 [{"vertebral_metastases": v} for v in (1, True, 2, False)])
    assert [r["error"] is None for r in got] == [True, False, True, False]
    flags = pd.Series([1, True, 0, False, np.bool_(True)], dtype=object)
    got = agrees(pd.DataFrame({"myelopathy": flags}),
                 [{"myelopathy": v} for v in (1, True, 0, False, True)])
    assert [r["error"] is None for r in got] == [False, True, False, True, True]


def test_duplicated_field_column_is_a_clear_error() -> None:
    df = pd.DataFrame([[80, 90, "x", "y"]], columns=["kps", "kps", "note", "note"])
    with pytest.raises(FrameError, match="'kps' appears more than once"):
        spinemets.score_frame(df)
    assert issubclass(FrameError, ValueError)
    # A duplicated column that is not a field is passed over.
    ok = pd.DataFrame([[80, "x", "y"]], columns=["kps", "note", "note"])
    assert spinemets.score_frame(ok)["error"].isna().all()


@pytest.mark.parametrize("cell", [[80], {"kps": 80}, 10**400, -(10**400), 10**20, 2**53,
                                  float("inf"), 1e308, "80", True, np.float64(80.5)])
def test_object_cells_of_every_kind_are_row_errors(cell: Any) -> None:
    df = pd.DataFrame({"kps": pd.Series([cell, 80], dtype=object)})
    got = agrees(df, [{"kps": cell}, {"kps": 80}])
    assert got[0]["error"].startswith("invalid input: kps: must be")


@pytest.mark.parametrize("count", [1e308, 2.0**53, 2**62, 10**400])
def test_huge_counts_are_row_errors_without_warnings(count: Any) -> None:
    for dtype in (object, None):
        if dtype is None and type(count) is int and count > 2**63:
            continue
        cells = {"extraspinal_bone_metastases": pd.Series([count, 0], dtype=dtype),
                 "vertebral_metastases": pd.Series([count, 1], dtype=dtype)}
        got = agrees(pd.DataFrame(cells),
                     [{"extraspinal_bone_metastases": count, "vertebral_metastases": count},
                      {"extraspinal_bone_metastases": 0, "vertebral_metastases": 1}])
        assert got[1]["error"] is None
        assert oracle.error_fields(got[0]["error"]) == {"extraspinal_bone_metastases",
                                                        "vertebral_metastases"}


def test_integers_at_the_bound_in_number_fields() -> None:
    # An integer column holds integers: 2**53 is out of bound even in a number field; a float
    # column's 2.0**60 is a finite float and valid there.
    ints = pd.DataFrame({"ldh_u_l": pd.Series([2**53, 2**53 - 1], dtype="Int64")})
    got = agrees(ints, [{"ldh_u_l": 2**53}, {"ldh_u_l": 2**53 - 1}])
    assert got[0]["error"] is not None and got[1]["error"] is None
    floats = pd.DataFrame({"ldh_u_l": [2.0**60]})
    assert agrees(floats, [{"ldh_u_l": 2.0**60}])[0]["error"] is None


def test_duckdb_huge_count_is_a_row_error() -> None:
    duckdb = pytest.importorskip("duckdb")
    relation = duckdb.sql("select 1e19::double as extraspinal_bone_metastases, "
                          "1 as vertebral_metastases, 'kidney' as histology")
    got = spinemets.score_frame(relation).fetchall()[0]
    assert "extraspinal_bone_metastases" in got[-1]
    big = duckdb.sql("select 10000000000000000000::ubigint as extraspinal_bone_metastases, "
                     "1 as vertebral_metastases")
    assert "extraspinal_bone_metastases" in spinemets.score_frame(big).fetchall()[0][-1]


# The number rulings: float32 through the shortest decimal; NumPy scalars in object columns.


def test_float32_columns_compare_cut_offs_as_written() -> None:
    # Katagiri: albumin < 3.7 g/dL is abnormal; NESMS: albumin >= 3.5 is normal (typed here).
    base = {"histology": "kidney", "visceral_metastases": "none", "ambulatory": True,
            "extraspinal_bone_metastases": 0, "vertebral_metastases": 1}
    values = [3.7, 3.5, 3.49, 3.69]
    for frame in (pd.DataFrame({**{k: [v] * 4 for k, v in base.items()},
                                "albumin_g_dl": np.array(values, np.float32)}),
                  pl.DataFrame({**{k: [v] * 4 for k, v in base.items()},
                                "albumin_g_dl": pl.Series(values, dtype=pl.Float32)})):
        agrees(frame, [{**base, "albumin_g_dl": v} for v in values])
    # Katagiri: bilirubin >= 1.4 mg/dL is critical; np.float32(1.4) is 1.39999998 as a double.
    labs = {"albumin_g_dl": 4.0, "crp_mg_dl": 0.1, "ldh_u_l": 200.0, "platelets_10e9_l": 200.0,
            "calcium_mg_dl": 9.0}
    bilirubin = [1.4, 1.39, 0.5]
    frame = pd.DataFrame({**{k: [v] * 3 for k, v in labs.items()},
                          "bilirubin_mg_dl": np.array(bilirubin, np.float32)})
    got = agrees(frame, [{**labs, "bilirubin_mg_dl": v} for v in bilirubin])
    assert got[0]["katagiri_2014"] is None  # no histology: incomplete, but the tier is read
    plain = [{**labs, "bilirubin_mg_dl": v, "katagiri_group": "slow", "katagiri_visceral": "none",
              "previous_chemotherapy": False, "ecog": 1, "extraspinal_bone_metastases": 0,
              "vertebral_metastases": 1} for v in bilirubin]
    frame = pd.DataFrame(plain).astype({"bilirubin_mg_dl": np.float32})
    got = agrees(frame, plain)
    assert got[0]["katagiri_2014"] != got[1]["katagiri_2014"]
    agrees(pl.DataFrame(plain).cast({"bilirubin_mg_dl": pl.Float32}), plain)
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.sql("select 'kidney' as histology, 'none' as visceral_metastases, "
                     "true as ambulatory, 0 as extraspinal_bone_metastases, "
                     "1 as vertebral_metastases, 3.5::float as albumin_g_dl")
    assert spinemets.score_frame(rel, scores=["nesms"]).fetchall()[0][:3] == (3, "nesms_3", 4)


def test_numpy_scalars_in_object_columns() -> None:
    cells = [np.float64(80.0), np.int64(70), np.float32(90.0), np.bool_(True), np.float64(80.5)]
    got = agrees(pd.DataFrame({"kps": pd.Series(cells, dtype=object)}),
                 [{"kps": v} for v in (80, 70, 90, True, 80.5)])
    assert [r["error"] is None for r in got] == [True, True, True, False, False]
    codes = pd.Series([np.str_("kidney"), "breast", np.str_("Kidney")], dtype=object)
    got = agrees(pd.DataFrame({"histology": codes}),
                 [{"histology": v} for v in ("kidney", "breast", "Kidney")])
    assert [r["error"] is None for r in got] == [True, True, False]


def test_nan_in_object_column_is_absent() -> None:
    df = pd.DataFrame({"kps": pd.Series([math.nan, None, pd.NA, 80], dtype=object)})
    assert [r["error"] for r in agrees(df, [{}, {}, {}, {"kps": 80}])] == [None] * 4


# Found by the property test (not in the issue): a float column whose values differ by whole
# numbers was read through integer codes, so ``kps`` 80.5 alone (or 1.5 beside 2.5 days) was
# taken as 80 (1 and 2 days) instead of being an error.


@pytest.mark.parametrize("cells", [[80.5], [80.5, 80.5, None], [1.5, 2.5]])
def test_fractional_values_in_integer_fields_with_whole_differences(cells: list[Any]) -> None:
    for name in ("kps", "motor_deficit_days"):
        got = agrees(pd.DataFrame({name: cells}), [{name: c} for c in cells])
        assert [r["error"] is None for r in got] == [c is None for c in cells]
        got = agrees(pl.DataFrame({name: cells}), [{name: c} for c in cells])
        assert [r["error"] is None for r in got] == [c is None for c in cells]
