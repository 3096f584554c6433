"""The PySpark adapter: ``mapInArrow`` scores every partition's Arrow batches in the Python
worker that holds it (flat frames and lesions in long form)."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from ._arrow import LESIONS, ROW, _modules, output_fields, scorer
from ._options import _FIELDS, _no_duplicates, _Options, _present
from ._plan import _declared


def _spark_type(types: Any, kind: str) -> Any:
    if kind == "list":
        return types.ArrayType(types.StringType(), containsNull=True)
    return types.ShortType() if kind == "int16" else types.StringType()


#: What Spark's ``array_position`` gives for a string outside a field's codes (0: not found), as
#: the first entry of the dictionary the Python worker reads: a string no field accepts.
_SPARK_INVALID: Final = "\x00"


def _spark_codes(opts: _Options, schema: Any, vocabs: dict[str, list[str]],
                 coded: frozenset[str]) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """The ``mapInArrow`` function: input columns in *vocabs* arrive as small integers (Spark's
    ``array_position`` in the vocabulary) and are read as dictionary arrays of those vocabularies;
    the code columns in *coded* leave as their int8 indices (Spark turns them back into strings).
    Strings cost Spark far more to convert to and from Arrow than the scoring costs."""
    score = scorer(opts, schema, dictionary=True)

    def run(batches: Iterable[Any]) -> Iterator[Any]:
        pa, _, _ = _modules()
        dictionaries = {name: pa.array(v, pa.string()) for name, v in vocabs.items()}

        def read(batch: Any) -> Any:
            if not dictionaries:
                return batch
            columns = [pa.DictionaryArray.from_arrays(col, dictionaries[name])
                       if name in dictionaries else col
                       for name, col in zip(batch.schema.names, batch.columns, strict=True)]
            return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)

        for out in score(map(read, batches)):
            columns = [col.indices if name in coded else col
                       for name, col in zip(out.schema.names, out.columns, strict=True)]
            yield pa.RecordBatch.from_arrays(columns, names=out.schema.names)

    return run


def score_spark(df: Any, opts: _Options) -> Any:
    """PySpark: ``mapInArrow`` with the output schema declared; every partition is scored by the
    Python worker that holds it, batch by batch (no shuffle, no code generation). Strings cross
    between the JVM and Python as small integers: string columns of coded fields are looked up in
    the field's codes by Spark (``array_position``, unless the input is kept), code columns come
    back as int8 indices into their codes (``get``): two small expressions per column."""
    types = importlib.import_module("pyspark.sql.types")
    pa, _, _ = _modules()
    to_arrow = importlib.import_module("pyspark.sql.pandas.types").to_arrow_schema
    names = {name for name, _ in output_fields(opts)}
    kept = [f for f in df.schema.fields if f.name not in names] if opts.keep_input else []
    spark_schema = types.StructType(
        [*kept, *(types.StructField(name, _spark_type(types, kind), True)
                  for name, kind in output_fields(opts))])
    present = _present(opts.mapping, df.columns)
    _no_duplicates(present.values(), df.columns)
    schema = to_arrow(spark_schema)
    # Arrow field types Spark hands over for the kept columns come from the same conversion.
    schema = pa.schema([f.with_nullable(True) for f in schema])
    sf = importlib.import_module("pyspark.sql.functions")

    def col(name: str) -> Any:
        return sf.col("`" + name.replace("`", "``") + "`")

    vocabs: dict[str, list[str]] = {}
    if not opts.keep_input and present:  # only the columns read, strings of coded fields coded
        dtypes = {f.name: f.dataType for f in df.schema.fields}
        selected = []
        for name, column in present.items():
            spec, dtype = _FIELDS[name], dtypes[column]
            if (spec.codes is not None and len(spec.codes) < 127  # fits a tinyint
                    and isinstance(dtype, types.StringType)
                    and getattr(dtype, "collation", "UTF8_BINARY") == "UTF8_BINARY"):
                vocab = [m.value for m in spec.codes]
                vocabs[column] = [_SPARK_INVALID, *vocab]
                found = sf.array_position(sf.array(*map(sf.lit, vocab)), col(column))
                selected.append(found.cast(types.ByteType()).alias(column))
            else:
                selected.append(col(column))
        df = df.select(*selected)
    domains: dict[str, Any] = {opts.name(n): d for n, d in _declared(opts.ids)}
    coded = frozenset(name for name, kind in output_fields(opts) if kind == "code")
    schema = pa.schema([f.with_type(pa.dictionary(pa.int8(), pa.string())) if f.name in coded
                        else f for f in schema])
    wire = types.StructType([types.StructField(f.name, types.ByteType(), True)
                             if f.name in coded else f for f in spark_schema.fields])
    with warnings.catch_warnings():
        # mapInArrow checks the installed pandas although Arrow batches never meet pandas here.
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas",
                                FutureWarning)
        scored = df.mapInArrow(_spark_codes(opts, schema, vocabs, coded), wire)
    return scored.select(*(
        sf.get(sf.array(*(sf.lit(m.value) for m in domains[f.name])), col(f.name)).alias(f.name)
        if f.name in coded else col(f.name) for f in spark_schema.fields))


def _spark_long(cases: Any, lesions: Any, on: Any, fields: dict[str, Any],
                opts: _Options) -> Any:
    functions = importlib.import_module("pyspark.sql.functions")
    types = importlib.import_module("pyspark.sql.types")
    to_arrow = importlib.import_module("pyspark.sql.pandas.types").to_arrow_schema
    pa, _, _ = _modules()

    def col(name: str) -> Any:
        return functions.col("`" + name.replace("`", "``") + "`")

    lesion = functions.struct(functions.monotonically_increasing_id().alias(ROW),
                              *(col(c).alias(c) for c in fields.values()))
    grouped = (lesions.select(col(on).alias(on), lesion.alias(LESIONS)).groupBy(col(on))
               .agg(functions.sort_array(functions.collect_list(col(LESIONS))).alias(LESIONS)))
    present = _present(opts.mapping, cases.columns)
    read = list(cases.columns) if opts.keep_input else \
        [on, *(c for c in present.values() if c != on)]
    joined = cases.join(grouped, on=[on], how="left").select(*(col(c) for c in read),
                                                             col(LESIONS))
    names = {name for name, _ in output_fields(opts)}
    kept = [f for f in cases.schema.fields if f.name not in names] if opts.keep_input else \
        [cases.schema[on]]
    spark_schema = types.StructType(
        [*kept, *(types.StructField(name, _spark_type(types, kind), True)
                  for name, kind in output_fields(opts))])
    schema = pa.schema([f.with_nullable(True) for f in to_arrow(spark_schema)])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas",
                                FutureWarning)
        return joined.mapInArrow(scorer(opts, schema), spark_schema)
