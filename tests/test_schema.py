"""JSON Schema: generated from the code's definitions, shipped identically, and every valid case
and every result validates against it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given

import spinemets
from spinemets import schema
from tests.strategies import case_dicts, complete_case_dicts

jsonschema = pytest.importorskip("jsonschema")

CASE = jsonschema.Draft202012Validator(schema.case_schema())
RESULT = jsonschema.Draft202012Validator(schema.result_schema())


class TestShipped:
    @pytest.mark.parametrize("name", schema.SCHEMA_NAMES)
    def test_shipped_file_is_what_the_code_generates(self, name: str) -> None:
        """The schema files in the package are regenerated from the definitions, never edited."""
        assert schema.dumps(schema.generate(name)) == schema.shipped(name)

    @pytest.mark.parametrize("name", schema.SCHEMA_NAMES)
    def test_schemas_are_valid_draft_2020_12(self, name: str) -> None:
        """Each schema is itself valid under the draft 2020-12 meta-schema."""
        jsonschema.Draft202012Validator.check_schema(schema.generate(name))

    def test_command_line_prints_the_schema(self) -> None:
        """``spinemets schema case`` prints the shipped case schema."""
        out = subprocess.run([sys.executable, "-m", "spinemets", "schema", "case"],
                             capture_output=True, text=True, check=True)

        assert json.loads(out.stdout) == schema.case_schema()


class TestValidation:
    @given(case_dicts())
    def test_random_valid_cases_and_their_results_validate(self, case: dict[str, Any]) -> None:
        """Every valid case matches the case schema and its result the result schema."""
        CASE.validate(case)
        RESULT.validate(spinemets.assess_dict(case))

    @given(complete_case_dicts())
    def test_complete_cases_validate(self, case: dict[str, Any]) -> None:
        """Fully specified cases (complete scores) validate too."""
        CASE.validate(case)
        RESULT.validate(spinemets.assess_dict(case))

    @pytest.mark.parametrize(
        "bad",
        [
            {"kps": "80"},
            {"kps": 85},
            {"myelopathy": 1},
            {"histology": "Kidney"},
            {"lesions": []},
            {"lesions": [{"level": "T13"}]},
            {"unknown_field": 1},
            {"interchange": 2},
        ],
    )
    def test_the_schema_rejects_what_the_parser_rejects(self, bad: dict[str, Any]) -> None:
        """Invalid cases fail both the parser and the schema; their error objects validate."""
        assert not CASE.is_valid(bad)
        with pytest.raises(spinemets.InvalidInputError):
            spinemets.Case.from_dict(bad)
        RESULT.validate(spinemets.assess_dict(bad))
