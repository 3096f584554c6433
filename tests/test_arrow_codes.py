"""PySpark hands strings to the Python workers as codes (``array_position`` in the field's codes)
and takes code columns back as int8 indices: the result must still equal pandas cell for cell,
for strings that are near misses of a code, empty, the invalid-code sentinel itself, or in a
column with a case-insensitive collation (which Spark must not code: it would compare loosely)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import spinemets
from spinemets import frame as _frame
from spinemets._fields import _MISSING
from spinemets.frame import _spark

from ._spark import local_spark
from .test_frame import random_rows

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

#: Histology cells: codes, near misses (case, spaces), empty, the sentinel, null.
_ODD = ["lung", "LUNG", "lung ", "", _spark._SPARK_INVALID, None, "breast", "Breast", "kidney"]


def test_sentinel_is_invalid_for_every_coded_field() -> None:
    """``array_position``'s "not found" (0) reads the sentinel: no coded field may accept it."""
    for spec in _frame._FIELDS.values():
        if spec.codes is not None:
            assert _frame.parse_cell(spec, _spark._SPARK_INVALID) is _MISSING
            assert _spark._SPARK_INVALID not in {m.value for m in spec.codes}


def _values(frame: Any) -> dict[str, list[Any]]:
    return {c: [None if pd.isna(v) else v for v in frame[c].astype(object)]
            for c in frame.columns}


@pytest.mark.spark
def test_spark_coded_strings_equal_pandas() -> None:
    with local_spark(2, {"spark.sql.execution.arrow.maxRecordsPerBatch": "7"}) as spark:
        rows = random_rows(90, seed=61)
        for i, row in enumerate(rows):
            row["histology"] = _ODD[i % len(_ODD)]
            row["frankel"] = ["A", "e", None, "E", ""][i % 5]
        df = pd.DataFrame(rows)
        df["_row"] = range(len(df))
        sdf = spark.createDataFrame(df).repartition(3)
        want = spinemets.score_frame(df.drop(columns="_row"))
        # Only the columns read are shipped: Spark codes the strings (order by a kept key).
        got = spinemets.score_frame(sdf.drop("_row"))
        assert [f.dataType.simpleString() for f in got.schema.fields][:2] == [
            "smallint", "string"]

        def row_counts(frame: Any) -> Counter[tuple[Any, ...]]:
            return Counter(zip(*_values(frame).values(), strict=True))

        assert row_counts(got.toPandas()) == row_counts(want)
        # A case-insensitive collation is not coded by Spark: "LUNG" stays invalid.
        sf = pytest.importorskip("pyspark.sql.functions")
        lcase = sdf.withColumn("histology", sf.expr("histology collate UTF8_LCASE"))
        scored = spinemets.score_frame(lcase, keep_input=True)
        got_l = scored.toPandas().sort_values("_row", ignore_index=True)
        outputs = list(want.columns)
        assert _values(got_l[outputs]) == _values(want[outputs])
