"""Reliability at the edges (issue 10): number bounds, NumPy/pandas scalars in the dict form,
pickling and worker processes, fresh output containers, memo keys and the cold-cache race, the
``interchange`` field in parser and schema, and the size of error messages.

Expectations come from the interchange contract (bounds typed here again, not imported), from a
cold cache, or from a JSON copy taken before anything was mutated — never from the code's own
output for the same call.
"""

from __future__ import annotations

import copy
import json
import math
import multiprocessing
import pickle
import sys
import threading
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinemets
from spinemets import _memo, exceptions
from spinemets.cds import cds_response
from spinemets.exceptions import InvalidInputError, Problem
from spinemets.results import ScoreResult
from tests import _workers, vocab
from tests.strategies import case_dicts, complete_case_dicts

#: The numeric fields and their bounds, typed again from interchange.md §1 and §1.2:
#: name -> (integer field?, inclusive minimum, exclusive minimum, inclusive maximum, step).
NUMERIC: dict[str, tuple[bool, float | None, float | None, float | None, int | None]] = {
    "kps": (True, 10, None, 100, 10),
    "ecog": (True, 0, None, 4, None),
    "extraspinal_bone_metastases": (True, 0, None, None, None),
    "vertebral_metastases": (True, 1, None, None, None),
    "motor_deficit_days": (True, 0, None, None, None),
    "albumin_g_dl": (False, None, 0, None, None),
    "crp_mg_dl": (False, 0, None, None, None),
    "ldh_u_l": (False, 0, None, None, None),
    "platelets_10e9_l": (False, 0, None, None, None),
    "calcium_mg_dl": (False, 0, None, None, None),
    "bilirubin_mg_dl": (False, 0, None, None, None),
    "months_diagnosis_to_mscc": (False, 0, None, None, None),
}
LIMIT = 9007199254740992  # 2**53: integers must lie strictly within +-LIMIT


def valid_number(name: str, value: int | float) -> bool:
    """Whether *value* is valid for the numeric field *name*, by the contract's rules alone."""
    integer, lo, lo_excl, hi, step = NUMERIC[name]
    if isinstance(value, float):
        if not math.isfinite(value):
            return False
        if integer:
            if not value.is_integer():
                return False
            value = int(value)
    if isinstance(value, int) and not -LIMIT < value < LIMIT:
        return False
    if lo is not None and value < lo:
        return False
    if lo_excl is not None and value <= lo_excl:
        return False
    if hi is not None and value > hi:
        return False
    return not (step and int(value) % step)


#: A case dict with every further-instrument field too (Rades, Katagiri, NESMS, Bauer can complete).
@st.composite
def full_case_dicts(draw: st.DrawFn) -> dict[str, Any]:
    case = draw(complete_case_dicts(max_lesions=3))
    positive = st.floats(0.1, 500, allow_nan=False).map(lambda x: round(x, 2))
    case.update(
        albumin_g_dl=draw(positive), crp_mg_dl=draw(positive), ldh_u_l=draw(positive),
        platelets_10e9_l=draw(positive), calcium_mg_dl=draw(positive),
        bilirubin_mg_dl=draw(positive), ambulatory=draw(st.booleans()),
        pathologic_fracture=draw(st.booleans()), previous_chemotherapy=draw(st.booleans()),
        months_diagnosis_to_mscc=draw(st.floats(0, 200).map(lambda x: round(x, 1))),
        motor_deficit_days=draw(st.integers(0, 30)),
        katagiri_group=draw(st.sampled_from(vocab.KATAGIRI_GROUPS)),
        katagiri_visceral=draw(st.sampled_from(vocab.KATAGIRI_VISCERAL)),
    )
    return case


any_case = st.one_of(case_dicts(), complete_case_dicts(), full_case_dicts())


def _error(data: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        spinemets.Case.from_dict(data)
    return info.value


class TestNumberBounds:
    """Every number is bounded at parse time; a value no scale can hold is an error of its field."""

    @pytest.mark.parametrize("name", sorted(NUMERIC))
    @pytest.mark.parametrize(
        "value",
        [10**400, -(10**400), 10**5000, LIMIT, -LIMIT, 2**63, 1e308, -1e308, math.inf, -math.inf],
        ids=["1e400", "-1e400", "1e5000", "2**53", "-2**53", "2**63", "1e308f", "-1e308f", "inf",
             "-inf"],
    )
    def test_huge_numbers_never_reach_a_score(self, name: str, value: int | float) -> None:
        """Parsing rejects exactly the field (or accepts a finite float), and scoring never
        overflows; the digit limit of int() never escapes as a plain ValueError."""
        data = {name: value}
        if valid_number(name, value):
            result = spinemets.assess(spinemets.Case.from_dict(data))
            assert json.loads(result.to_json()) == result.to_dict()
        else:
            error = _error(data)
            assert error.fields == (name,)
            assert len(str(error)) < 400
            assert spinemets.assess_dict(data)["error"]["fields"] == [name]

    @pytest.mark.parametrize("name", sorted(NUMERIC))
    def test_json_text_with_huge_integers(self, name: str) -> None:
        """The same in JSON text: 400 and 5000 digits (beyond int()'s limit) are field errors."""
        for digits in (17, 400, 5000):
            text = f'{{"{name}": 1{"0" * digits}}}'
            with pytest.raises(InvalidInputError) as info:
                spinemets.loads_case(text)
            assert info.value.fields == (name,)

    @given(
        name=st.sampled_from(sorted(NUMERIC)),
        value=st.integers(-(2**70), 2**70)
        | st.integers(-LIMIT - 2, -LIMIT + 2)
        | st.integers(LIMIT - 2, LIMIT + 2)
        | st.floats(),
    )
    def test_any_number_in_any_field(self, name: str, value: int | float) -> None:
        """Valid exactly when the contract says so; an invalid value names exactly its field."""
        if valid_number(name, value):
            case = spinemets.Case.from_dict({name: value})
            result = spinemets.assess(case)
            assert json.loads(result.to_json()) == result.to_dict()
        elif isinstance(value, float) and math.isnan(value):
            # NaN is absent in the dict form (interchange §8.3) ...
            assert spinemets.Case.from_dict({name: value}) == spinemets.Case()
            # ... and an error of its field in JSON text.
            with pytest.raises(InvalidInputError) as info:
                spinemets.loads_case(f'{{"{name}": NaN}}')
            assert info.value.fields == (name,)
        else:
            assert _error({name: value}).fields == (name,)

    @pytest.mark.parametrize("name", [n for n, spec in NUMERIC.items() if spec[3] is None])
    def test_the_largest_safe_integer_is_accepted(self, name: str) -> None:
        """2**53 - 1 is the largest integer accepted, and is scored without overflow."""
        case = spinemets.Case.from_dict({name: LIMIT - 1})
        spinemets.assess(case).to_json()

    def test_constructors_share_the_bound(self) -> None:
        """The value types validate with the same table: a count of 2**53 is an error there too."""
        with pytest.raises(InvalidInputError) as info:
            spinemets.Tumour(extraspinal_bone_metastases=LIMIT)
        assert info.value.fields == ("extraspinal_bone_metastases",)


np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")


class TestNumpyAndPandasScalars:
    """The dict form reads NumPy/pandas scalars as the Python values they hold (§8.3)."""

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({"kps": np.float64(80.0)}, {"kps": 80}),
            ({"kps": np.int64(80)}, {"kps": 80}),
            ({"kps": np.float32(80.0)}, {"kps": 80}),
            ({"ecog": np.uint8(2)}, {"ecog": 2}),
            ({"vertebral_metastases": np.int32(3)}, {"vertebral_metastases": 3}),
            ({"myelopathy": np.bool_(True)}, {"myelopathy": True}),
            ({"myelopathy": np.bool_(False)}, {"myelopathy": False}),
            ({"histology": np.str_("kidney")}, {"histology": "kidney"}),
            ({"albumin_g_dl": np.float32(3.7)}, {"albumin_g_dl": 3.7}),
            ({"bilirubin_mg_dl": np.float32(1.4)}, {"bilirubin_mg_dl": 1.4}),
            ({"crp_mg_dl": np.float16(0.4)}, {"crp_mg_dl": 0.4}),
            ({"lesions": [{"level": np.str_("T12"), "escc": np.str_("1b")}]},
             {"lesions": [{"level": "T12", "escc": "1b"}]}),
            ({np.str_("kps"): np.float64(90.0)}, {"kps": 90}),
        ],
    )
    def test_read_as_the_python_value(self, data: dict[str, Any], expected: dict[str, Any]) -> None:
        case = spinemets.Case.from_dict(data)
        assert case == spinemets.Case.from_dict(expected)
        assert case.to_dict() == expected
        assert spinemets.assess_dict(data) == spinemets.assess_dict(expected)

    @pytest.mark.parametrize(
        "absent", [None, math.nan, np.nan, np.float64("nan"), np.float32("nan"), pd.NA, pd.NaT],
        ids=["None", "nan", "np.nan", "float64-nan", "float32-nan", "pd.NA", "pd.NaT"],
    )
    def test_missing_markers_are_absent(self, absent: Any) -> None:
        """None, NaN and pandas.NA are absent in every field and lesion field (never zero)."""
        data = dict.fromkeys(NUMERIC, absent) | {"histology": absent, "myelopathy": absent,
                                                 "lesions": [{"level": "T1", "escc": absent}]}
        expected = {"lesions": [{"level": "T1"}]}
        assert spinemets.Case.from_dict(data) == spinemets.Case.from_dict(expected)

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"kps": np.float64(80.5)}, "kps"),
            ({"kps": np.bool_(True)}, "kps"),
            ({"myelopathy": np.int64(1)}, "myelopathy"),
            ({"myelopathy": np.float64(1.0)}, "myelopathy"),
            ({"lesions": [{"escc": np.int64(2)}]}, "lesions[0].escc"),
            ({"kps": np.float64("inf")}, "kps"),
            ({"extraspinal_bone_metastases": np.float64(1e300)}, "extraspinal_bone_metastases"),
            ({"extraspinal_bone_metastases": np.uint64(2**64 - 1)}, "extraspinal_bone_metastases"),
            ({"kps": np.datetime64("2020-01-01")}, "kps"),
            ({"kps": np.complex128(80)}, "kps"),
            ({"kps": np.timedelta64(80, "D")}, "kps"),  # an integer subclass in NumPy
            ({"kps": pd.Timestamp("2020-01-01")}, "kps"),
            ({"kps": np.array(80.0)}, "kps"),  # an array, even 0-d, is not a scalar
            ({"histology": np.bytes_(b"kidney")}, "histology"),
        ],
    )
    def test_the_value_rules_still_apply(self, data: dict[str, Any], field: str) -> None:
        """np.float64(80.5) is an error; a NumPy boolean is never a number, nor the reverse."""
        error = _error(data)
        assert error.fields == (field,)

    @given(st.data())
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def test_any_python_value_in_the_dict_form(self, data: st.DataObject) -> None:
        """Whatever object a caller puts in a dict, the answer is a case or the library's error
        (never an AttributeError or TypeError from reading it)."""

        class NoModule:
            pass

        NoModule.__module__ = None  # type: ignore[assignment]

        odd = [np.float64(80.0), np.float32(1.4), np.int8(3), np.uint64(2**64 - 1),
               np.bool_(True), np.str_("T1"), np.float16("nan"), np.longdouble("1e4000"),
               np.datetime64("NaT"), np.timedelta64(1, "D"), np.complex64(1), pd.NA, pd.NaT,
               pd.Timestamp("2020-01-01"), NoModule(), object(), {1, 2}, (1, 2),
               np.array([1.0]), b"80", 10**400, -0.0]
        leaf = st.sampled_from(odd) | st.none() | st.integers() | st.floats() | st.text(max_size=5)
        keys = st.sampled_from(["kps", "histology", "myelopathy", "albumin_g_dl", "interchange",
                                "level", "escc", "lesions"])
        value = st.recursive(leaf, lambda c: st.lists(c, max_size=2)
                             | st.dictionaries(keys, c, max_size=2), max_leaves=4)
        case = data.draw(st.dictionaries(keys, value, max_size=4))
        try:
            parsed = spinemets.Case.from_dict(case)
        except InvalidInputError as error:
            assert error.fields and len(error.message) < 5_000
            assert spinemets.assess_dict(case)["error"]["fields"] == list(dict.fromkeys(
                error.fields))
        else:
            assert spinemets.assess_dict(case) == spinemets.assess(parsed).to_dict()

    @given(st.floats(width=32, allow_nan=False, allow_infinity=False, min_value=0))
    def test_float32_is_read_through_its_shortest_decimal_form(self, x: float) -> None:
        """A float32 value is the number its shortest decimal text names, and maps back to it."""
        value = np.float32(x)
        got = spinemets.Case.from_dict({"crp_mg_dl": value}).laboratory.crp_mg_dl
        assert got == float(np.format_float_positional(value, unique=True))
        assert np.float32(got) == value

    def test_float32_cut_offs_compare_as_written(self) -> None:
        """Bilirubin np.float32(1.4) reaches Katagiri's 1.4 mg/dL cut-off (float: 1.39999998)."""
        labs = {"crp_mg_dl": 0.1, "ldh_u_l": 100, "albumin_g_dl": 4.0, "platelets_10e9_l": 200,
                "calcium_mg_dl": 9.0}
        by_float = spinemets.assess_dict({**labs, "bilirubin_mg_dl": 1.4})
        by_float32 = spinemets.assess_dict({**labs, "bilirubin_mg_dl": np.float32(1.4)})
        assert by_float32 == by_float

    def test_a_pandas_row_dict_is_a_case(self) -> None:
        """The notebook idiom: ``df.loc[i].to_dict()`` of a mixed-dtype frame is read as a case."""
        df = pd.DataFrame({"histology": ["kidney", "breast"], "kps": [80.0, None],
                           "myelopathy": [True, False], "vertebral_metastases": [1, 2]})
        rows = [df.loc[i].to_dict() for i in df.index]
        expected = [{"histology": "kidney", "kps": 80, "myelopathy": True,
                     "vertebral_metastases": 1},
                    {"histology": "breast", "myelopathy": False, "vertebral_metastases": 2}]
        for row, want in zip(rows, expected, strict=True):
            assert spinemets.assess_dict(row) == spinemets.assess_dict(want)

    def test_import_loads_neither_numpy_nor_pandas(self) -> None:
        """Reading NumPy scalars costs nothing at import time."""
        import subprocess

        code = ("import sys, spinemets; spinemets.assess_dict({'kps': 80});"
                "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        assert out.stdout.strip() == "[]"


def _exception_classes() -> list[type[BaseException]]:
    """Every public exception class: those spinemets.exceptions exports, and every subclass of
    SpinemetsError defined anywhere in the package (its modules imported first)."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(spinemets.__path__, "spinemets."):
        if info.name.rsplit(".", 1)[-1].startswith("_") or info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            continue
    classes: list[type[BaseException]] = []
    todo: list[type[BaseException]] = [getattr(exceptions, n) for n in exceptions.__all__]
    while todo:
        cls = todo.pop(0)
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in classes:
            classes.append(cls)
            todo.extend(cls.__subclasses__())
    return classes


def _exception_samples() -> list[BaseException]:
    """One or more instances of every public exception class."""
    samples: list[BaseException] = []
    for cls in _exception_classes():
        if issubclass(cls, InvalidInputError):
            samples.append(cls([Problem("kps", "must be 10", "85"), Problem("lesions[0].x", "no")]))
            samples.append(cls((), "invalid input: not valid JSON"))
            noted = cls([Problem("ecog", "must be 0-4")])
            noted.add_note("a note")
            samples.append(noted)
        else:
            try:
                samples.append(cls("something went wrong"))
            except TypeError as exc:  # pragma: no cover - tells a new class's author what to do
                raise AssertionError(f"add a sample of {cls.__qualname__} to this test") from exc
    return samples


def _same_exception(a: BaseException, b: BaseException) -> bool:
    return (type(a) is type(b) and a.args == b.args and str(a) == str(b)
            and getattr(a, "problems", None) == getattr(b, "problems", None)
            and getattr(a, "__notes__", None) == getattr(b, "__notes__", None))


class TestPickling:
    """Every public exception and result type survives pickling (worker processes need it)."""

    @pytest.mark.parametrize("error", _exception_samples(), ids=repr)
    @pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
    def test_exceptions(self, error: BaseException, protocol: int) -> None:
        back = pickle.loads(pickle.dumps(error, protocol))
        assert _same_exception(error, back)
        assert back == error and hash(back) == hash(error)
        if isinstance(error, InvalidInputError):
            assert isinstance(back, InvalidInputError)
            assert back.fields == error.fields and back.message == error.message
            assert all(type(p) is Problem for p in back.problems)
        assert _same_exception(copy.deepcopy(error), error)

    def test_errors_compare_as_values(self) -> None:
        a = InvalidInputError([Problem("kps", "must be 10", "85")])
        assert a == InvalidInputError([Problem("kps", "must be 10", "85")])
        assert a != InvalidInputError([Problem("ecog", "must be 10", "85")])
        assert a != ValueError(a.message) and len({a, copy.copy(a)}) == 1

    def test_problem(self) -> None:
        problem = Problem("lesions[3].level", "one of C1-C7", "'T13'")
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(problem, protocol))
            assert back == problem and type(back) is Problem and back.got == "'T13'"

    @given(any_case)
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def test_every_result_object(self, data: dict[str, Any]) -> None:
        """The assessment and every object in it (results, lesion scores, items, bands,
        recommendation, case) unpickle equal and serialise identically."""
        assessment = spinemets.assess(spinemets.Case.from_dict(data))
        for obj in _attrs_objects(assessment):
            back = pickle.loads(pickle.dumps(obj))
            assert back == obj
            if hasattr(obj, "to_dict"):
                assert back.to_dict() == obj.to_dict()
        back = pickle.loads(pickle.dumps(assessment))
        assert back.to_json() == assessment.to_json()


def _attrs_objects(root: Any) -> list[Any]:
    """Every attrs instance reachable from *root* (through attributes and tuples)."""
    found: list[Any] = []
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if attrs.has(type(obj)):
            found.append(obj)
            todo.extend(getattr(obj, f.name) for f in attrs.fields(type(obj)))
        elif isinstance(obj, tuple):
            todo.extend(obj)
    return found


class TestWorkerProcesses:
    """``Pool.map(assess, cases)`` with a bad case raises the library's error in the parent."""

    TIMEOUT = 120  # seconds; a hang (the old unpicklable error) fails instead of blocking CI

    @pytest.mark.parametrize("method", [None, "spawn"], ids=["default", "spawn"])
    def test_pool_map_raises_the_library_error(self, method: str | None) -> None:
        cases: list[dict[str, Any]] = [
            {"kps": 80}, {"kps": 85, "lesions": [{"level": "T13"}]}, {"histology": "breast"}]
        ctx = multiprocessing.get_context(method)
        with ctx.Pool(2) as pool:
            job = pool.map_async(_workers.assess_strict, cases)
            with pytest.raises(InvalidInputError) as info:
                job.get(timeout=self.TIMEOUT)
            assert set(info.value.fields) == {"kps", "lesions[0].level"}
            # The pool still works after the error, and results cross the process boundary.
            good = pool.map_async(_workers.assess_strict, [cases[0], cases[2]])
            results = good.get(timeout=self.TIMEOUT)
        assert [r.to_dict() for r in results] == [spinemets.assess_dict(cases[0]),
                                                  spinemets.assess_dict(cases[2])]

    def test_pool_map_of_assess_itself(self) -> None:
        """``Pool.map(assess, cases)`` literally: Case objects cross, results come back equal; a
        non-case among them raises in the parent (whatever the error), never hangs."""
        cases = [spinemets.Case.from_dict(d) for d in ({"kps": 80}, {"histology": "kidney"})]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(2) as pool:
            results = pool.map_async(spinemets.assess, cases).get(timeout=self.TIMEOUT)
            assert [r.to_dict() for r in results] == [spinemets.assess(c).to_dict() for c in cases]
            # a dict is not a Case: deliberately the wrong type
            job = pool.map_async(spinemets.assess, [cases[0], {"kps": 80}])  # type: ignore[arg-type]
            with pytest.raises(Exception) as info:  # any error, as long as it comes
                job.get(timeout=self.TIMEOUT)
            assert not isinstance(info.value, multiprocessing.TimeoutError)

    def test_an_error_without_fields_crosses_too(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(1) as pool:
            job = pool.map_async(_workers.raise_error, [{}])
            with pytest.raises(InvalidInputError, match="raised on purpose"):
                job.get(timeout=self.TIMEOUT)


def _mutate(value: Any) -> None:
    """Change every container inside *value*, at every depth."""
    if isinstance(value, dict):
        for v in list(value.values()):
            _mutate(v)
        for k in list(value):
            if isinstance(value[k], (str, int, float, bool)) or value[k] is None:
                value[k] = "MUTATED"
        value["MUTATED"] = ["MUTATED"]
    elif isinstance(value, list):
        for v in value:
            _mutate(v)
        value.append("MUTATED")
        value.insert(0, "MUTATED")


def _mutated(value: Any) -> bool:
    return "MUTATED" in json.dumps(value)


class TestFreshOutput:
    """Memoised results never hand out a shared mutable object: each call's containers are new."""

    @given(any_case)
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def test_mutating_to_dict_changes_no_later_result(self, data: dict[str, Any]) -> None:
        case = spinemets.Case.from_dict(data)
        first = spinemets.assess(case)
        reference = json.loads(json.dumps(first.to_dict()))
        reference_text = first.to_json()
        _mutate(first.to_dict())
        out = first.to_dict()
        _mutate(out)
        for obj in _attrs_objects(first):  # results, lesion scores, recommendation, options, case
            if hasattr(obj, "to_dict"):
                _mutate(obj.to_dict())
        again = spinemets.assess(spinemets.Case.from_dict(data))
        assert again.to_dict() == reference
        assert first.to_dict() == reference
        assert again.to_json() == reference_text
        assert not _mutated(spinemets.assess_dict(data))

    def test_the_rades_2010_range(self) -> None:
        """The reproducer: appending to ``rades_2008.rades_2010.range`` of one result."""
        data = {"histology": "breast", "extraspinal_bone_metastases": 0, "vertebral_metastases": 1,
                "visceral_metastases": "none", "months_diagnosis_to_mscc": 20,
                "ambulatory": True, "motor_deficit_days": 10}
        out = spinemets.assess_dict(data)
        expected = list(out["scores"]["rades_2008"]["rades_2010"]["range"])
        out["scores"]["rades_2008"]["rades_2010"]["range"].append(99)
        later = spinemets.assess_dict(dict(data, kps=90))
        assert later["scores"]["rades_2008"]["rades_2010"]["range"] == expected

    @given(any_case)
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def test_mutating_a_cds_response_changes_no_later_one(self, data: dict[str, Any]) -> None:
        assessment = spinemets.assess(spinemets.Case.from_dict(data))
        reference = _without_uuids(cds_response(assessment))
        _mutate(cds_response(assessment))
        assert _without_uuids(cds_response(assessment)) == reference
        later = cds_response(spinemets.assess(spinemets.Case.from_dict(data)))
        assert _without_uuids(later) == reference


def _without_uuids(value: Any) -> Any:
    """A JSON copy without the ``uuid`` keys (every card gets a fresh uuid per response)."""
    if isinstance(value, dict):
        return {k: _without_uuids(v) for k, v in value.items() if k != "uuid"}
    if isinstance(value, list):
        return [_without_uuids(v) for v in value]
    return value


class TestFreshSchemas:
    @pytest.mark.parametrize("name", ["case", "result"])
    def test_mutating_a_schema_changes_no_later_one(self, name: str) -> None:
        from spinemets import schema

        reference = json.loads(schema.shipped(name))
        _mutate(schema.generate(name))
        _mutate({"case": schema.case_schema, "result": schema.result_schema}[name]())
        assert schema.generate(name) == reference


class TestMemoKeys:
    """Equal memo keys give equal results: -0.0 and 0.0 are one value with one text."""

    RADES: ClassVar[dict[str, Any]] = {
        "histology": "breast", "extraspinal_bone_metastases": 0, "vertebral_metastases": 1,
        "visceral_metastases": "none", "ambulatory": True, "motor_deficit_days": 3}

    @pytest.mark.parametrize("order", [(-0.0, 0.0), (0.0, -0.0), (-0.0, 0), (0, -0.0)])
    def test_negative_zero_months(self, order: tuple[float, float]) -> None:
        _memo.clear()
        texts = []
        for months in order:
            result = spinemets.assess(
                spinemets.Case.from_dict({**self.RADES, "months_diagnosis_to_mscc": months}))
            texts.append(result["rades_2008"].explain())
            assert "-0" not in result["rades_2008"].explain()
        assert texts[0] == texts[1]
        _memo.clear()

    def test_negative_zero_through_the_constructor(self) -> None:
        """The value types keep -0.0 as given; the text still reads 0 either way round."""
        _memo.clear()
        case = spinemets.Case.from_dict({**self.RADES, "months_diagnosis_to_mscc": 0.0})
        negative = attrs.evolve(case, tumour=attrs.evolve(case.tumour,
                                                          months_diagnosis_to_mscc=-0.0))
        first = spinemets.assess(negative)["rades_2008"].explain()
        second = spinemets.assess(case)["rades_2008"].explain()
        assert first == second and "-0" not in first
        _memo.clear()

    @pytest.mark.parametrize("name", sorted(NUMERIC))
    def test_parsed_negative_zero_is_zero(self, name: str) -> None:
        """-0.0 is read as 0 (0.0 in a number field), never written back as -0.0."""
        data = {name: -0.0}
        if not valid_number(name, 0.0):
            assert _error(data).fields == (name,)
            return
        out = spinemets.Case.from_dict(data).to_dict()
        assert math.copysign(1.0, out[name]) == 1.0
        assert json.dumps(out) == json.dumps({name: 0 if NUMERIC[name][0] else 0.0})


class TestThreads:
    """A cold cache hit by 8 threads at once, and results read from many threads."""

    def test_cold_cache_race(self) -> None:
        """Every thread gets a full memo table (the old code published it empty: KeyError)."""
        data = {"histology": "kidney", "kps": 80, "lesions": [{"level": "T12", "escc": "2"}]}
        expected = spinemets.assess_dict(data)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            for _ in range(20):
                _memo.clear()
                barrier = threading.Barrier(8)
                results: list[Any] = []
                errors: list[BaseException] = []
                args = (barrier, data, results, errors)
                threads = [threading.Thread(target=self._work, args=args) for _ in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=60)
                assert errors == []
                assert results == [expected] * 8
        finally:
            sys.setswitchinterval(interval)
            _memo.clear()

    @staticmethod
    def _work(barrier: threading.Barrier, data: dict[str, Any], results: list[Any],
              errors: list[BaseException]) -> None:
        barrier.wait()
        try:
            results.append(spinemets.assess(spinemets.Case.from_dict(data)).to_dict())
        except BaseException as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    @given(st.lists(any_case, min_size=8, max_size=8))
    @settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
    def test_threads_agree_with_serial(self, cases: list[dict[str, Any]]) -> None:
        """8 threads scoring (and serialising) different cases get what one thread gets."""
        _memo.clear()
        serial = [spinemets.assess_dict(c) for c in cases]
        _memo.clear()
        barrier = threading.Barrier(len(cases))
        out: list[Any] = [None] * len(cases)

        def work(i: int) -> None:
            barrier.wait()
            for _ in range(5):
                out[i] = json.loads(spinemets.assess(spinemets.Case.from_dict(cases[i])).to_json())

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(cases))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert out == serial


class TestImmutability:
    """Results and errors are values: no attribute can be reassigned."""

    @given(any_case)
    @settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
    def test_every_result_object_is_frozen(self, data: dict[str, Any]) -> None:
        assessment = spinemets.assess(spinemets.Case.from_dict(data))
        for obj in _attrs_objects(assessment):
            name = attrs.fields(type(obj))[0].name
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                setattr(obj, name, None)
            for f in attrs.fields(type(obj)):
                if not f.name.startswith("_"):  # private caches are copied on the way out
                    _assert_immutable(getattr(obj, f.name), f"{type(obj).__name__}.{f.name}")

    def test_the_rades_2010_reading_is_read_only(self) -> None:
        """The reproducer's container, reached through the public attribute instead."""
        data = {"histology": "breast", "extraspinal_bone_metastases": 0, "vertebral_metastases": 1,
                "visceral_metastases": "none", "months_diagnosis_to_mscc": 20,
                "ambulatory": True, "motor_deficit_days": 10}
        result = spinemets.assess(spinemets.Case.from_dict(data))["rades_2008"]
        assert isinstance(result, ScoreResult)
        ((key, reading),) = result.extra
        assert key == "rades_2010"
        with pytest.raises(TypeError):
            reading["range"] = [0, 0]
        with pytest.raises(AttributeError):
            reading["range"].append(99)
        assert hash(result) == hash(pickle.loads(pickle.dumps(result)))

    def test_problems_are_tuples(self) -> None:
        error = _error({"kps": 85, "ecog": 9})
        assert type(error.problems) is tuple and all(type(p) is Problem for p in error.problems)
        with pytest.raises(TypeError):
            error.problems[0][0] = "x"  # type: ignore[index]


def _assert_immutable(value: Any, where: str) -> None:
    """No list, set or writable dict anywhere inside *value*."""
    if isinstance(value, tuple):
        for item in value:
            _assert_immutable(item, where)
    elif isinstance(value, dict):
        with pytest.raises(TypeError):
            value["MUTATED"] = 1
        for item in value.values():
            _assert_immutable(item, where)
    else:
        assert not isinstance(value, (list, set, bytearray)), where


class TestInterchangeField:
    """``interchange``: null is absent and 1.0 is 1, in the parser and the schema alike."""

    @pytest.mark.parametrize(
        ("value", "valid"),
        [(1, True), (1.0, True), (None, True), (True, False), ("1", False), (2, False),
         (0, False), (1.5, False), (math.nan, False), ([1], False)],
    )
    def test_parser_and_schema_agree(self, value: Any, valid: bool) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        from spinemets import schema

        validator = jsonschema.Draft202012Validator(json.loads(schema.shipped("case")))
        text = json.dumps({"interchange": value})
        if valid:
            spinemets.loads_case(text)
            spinemets.Case.from_dict({"interchange": value})
            assert validator.is_valid(json.loads(text))
        else:
            with pytest.raises(InvalidInputError) as info:
                spinemets.loads_case(text)
            assert info.value.fields == ("interchange",)
            assert not validator.is_valid(json.loads(text))

    @pytest.mark.parametrize("name", [n for n, spec in NUMERIC.items() if spec[0]])
    @pytest.mark.parametrize("value", [LIMIT - 1, LIMIT, 1e300, 80.0, 80.5])
    def test_integer_bounds_in_the_schema(self, name: str, value: float) -> None:
        """The schema rejects exactly the integers the parser rejects."""
        jsonschema = pytest.importorskip("jsonschema")
        from spinemets import schema

        validator = jsonschema.Draft202012Validator(json.loads(schema.shipped("case")))
        assert validator.is_valid({name: value}) == valid_number(name, value)


class TestErrorMessageSize:
    """A huge bad case: the message is capped; ``fields`` still names every offending field."""

    def test_100000_bad_lesions(self) -> None:
        data = {"kps": 85, "lesions": [{"level": "T13"}] * 100_000}
        error = _error(data)
        assert len(error.fields) == 100_001
        assert error.fields[1] == "lesions[0].level" and error.fields[-1] == "lesions[99999].level"
        assert len(error.message) < 5_000
        assert "99981 more problems (100001 in all)" in error.message
        out = spinemets.assess_dict(data)
        assert len(out["error"]["fields"]) == 100_001
        assert len(json.dumps(out)) < 3_000_000

    @pytest.mark.parametrize("count", [1, 19, 20, 21, 25])
    def test_small_cases_name_every_problem(self, count: int) -> None:
        error = _error({"lesions": [{"level": "X"}] * count})
        shown = error.message.count("lesions[")
        assert shown == min(count, 20)
        assert ("more problem" in error.message) == (count > 20)
        assert len(error.fields) == count
