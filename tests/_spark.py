"""A local PySpark session for the tests behind the ``spark`` marker (CI runs them in a step of
their own, with Java installed): the test skips when PySpark is absent."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def local_spark(cores: int, conf: Mapping[str, str] | None = None) -> Iterator[Any]:
    """A ``local[cores]`` session with its web UI off and *conf* (Spark setting -> value),
    stopped on exit."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    builder = pyspark_sql.SparkSession.builder.master(f"local[{cores}]").config(
        "spark.ui.enabled", "false")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        session.stop()
