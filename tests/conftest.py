"""Hypothesis profiles: ``HYPOTHESIS_PROFILE=ci`` (CI) runs more examples than ``dev``."""

import os
import sys

from hypothesis import settings

settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# score_frame on PySpark scores partitions in Spark's Python workers (mapInArrow): they must be
# this interpreter, which has spinemets installed, not the first ``python3`` on PATH.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
