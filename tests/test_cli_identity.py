"""Command line and parser points of issue 11 (3, 5, 6, 7, the ECOG alias), on real output.

Every run is the installed ``spinemets`` console script in a child process, as a user calls it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spinemets
from spinemets import Case, InvalidInputError, assess, assess_dict
from spinemets.report import EXAMPLE_CASE

from .strategies import case_dicts

SCRIPT = str(Path(sys.executable).with_name("spinemets"))
VERSION = spinemets.__version__


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([SCRIPT, *args], input=stdin, capture_output=True, timeout=120,
                          check=False)


def lines(out: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.decode().splitlines()]


# --- 3. errors that suggest the fix (parser) ----------------------------------------------------


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"histology": "Kidney"}, "histology", 'did you mean "kidney"?'),
    ({"histology": "renal"}, "histology", 'did you mean "kidney"?'),
    ({"lesions": [{"bone_lesion": "lytic "}]}, "lesions[0].bone_lesion", 'did you mean "lytic"?'),
    ({"lesions": [{"level": "t12"}]}, "lesions[0].level", 'did you mean "T12"?'),
    ({"frankel": "e"}, "frankel", 'did you mean "E"?'),
    ({"histlogy": "kidney"}, "histlogy", 'did you mean "histology"?'),
    ({"lesions": [{"levl": "T12"}]}, "lesions[0].levl", 'did you mean "level"?'),
    ({"kps": 85}, "kps", "KPS is recorded in steps of 10"),
    ({"myelopathy": "yes"}, "myelopathy", "did you mean true?"),
])
def test_parser_errors_suggest_the_fix(data: dict[str, Any], field: str, text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        Case.from_dict(data)
    assert info.value.fields == (field,)
    assert text in info.value.message
    if field != "histlogy" and "levl" not in field:
        assert "must be" in info.value.message  # the allowed values are still named


def test_a_value_far_from_every_code_gets_no_suggestion() -> None:
    with pytest.raises(InvalidInputError) as info:
        Case.from_dict({"histology": "zzz"})
    assert "did you mean" not in info.value.message


# --- 5. identity and provenance ----------------------------------------------------------------


@settings(max_examples=30)
@given(st.one_of(st.text(min_size=1, max_size=200),
                 st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)))
def test_id_is_echoed_by_to_dict_and_to_json(case_id: str | int) -> None:
    result = assess(Case.from_dict({**EXAMPLE_CASE, "id": case_id}))
    assert result.to_dict()["id"] == case_id
    assert json.loads(result.to_json()) == result.to_dict()
    assert result.to_dict()["spinemets"] == VERSION


@pytest.mark.parametrize("bad", ["", "x" * 201, True, 2**53, 1.5, [], {}])
def test_an_invalid_id_is_an_error_of_the_field_id(bad: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        Case.from_dict({"id": bad, "kps": 80})
    assert info.value.fields == ("id",)


def test_assess_dict_echoes_id_and_version_on_results_and_errors() -> None:
    ok = assess_dict({"id": "a-1", "kps": 80})
    assert (ok["id"], ok["spinemets"], ok["interchange"]) == ("a-1", VERSION, 1)
    bad = assess_dict({"id": 7, "kps": 85})
    assert (bad["id"], bad["spinemets"]) == (7, VERSION) and "error" in bad
    no_id = assess_dict({"id": "", "kps": 85})  # the id itself is invalid: not echoed
    assert "id" not in no_id and set(no_id["error"]["fields"]) == {"id", "kps"}


def test_every_cli_line_carries_id_and_version() -> None:
    stdin = b"\n".join([
        json.dumps({"id": "p1", "kps": 80}).encode(),
        json.dumps({"id": 2, "kps": 85}).encode(),
        b"not json",
        json.dumps({"kps": 70}).encode(),
        json.dumps({"id": "", "kps": 70}).encode(),
    ]) + b"\n"
    done = run("assess", "-", stdin=stdin)
    assert done.returncode == 1
    out = lines(done.stdout)
    assert len(out) == 5
    assert all(o["spinemets"] == VERSION and o["interchange"] == 1 for o in out)
    assert out[0]["id"] == "p1" and "scores" in out[0]
    assert out[1]["id"] == 2 and out[1]["line"] == 2 and out[1]["error"]["fields"] == ["kps"]
    assert "id" not in out[2] and out[2]["error"]["fields"] == []
    assert "id" not in out[3] and "scores" in out[3]
    assert "id" not in out[4] and out[4]["error"]["fields"] == ["id"]


# --- 6. one JSON document ----------------------------------------------------------------------


PRETTY = json.dumps({**EXAMPLE_CASE, "id": "doc"}, indent=2).encode()


def test_a_pretty_json_file_is_one_case(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(PRETTY)
    done = run("assess", str(path))
    assert done.returncode == 0, done.stderr
    (result,) = lines(done.stdout)
    assert result["id"] == "doc"
    assert result == json.loads(assess(Case.from_dict({**EXAMPLE_CASE, "id": "doc"})).to_json())
    pretty = run("assess", "--pretty", str(path))
    assert json.loads(pretty.stdout) == result


def test_document_flag_reads_stdin_as_one_case() -> None:
    done = run("assess", "--document", "-", stdin=PRETTY)
    assert done.returncode == 0, done.stderr
    assert len(lines(done.stdout)) == 1


def test_stdin_and_other_files_stay_json_lines(tmp_path: Path) -> None:
    """The ruling: only FILE ending in .json (or --document) is a document."""
    done = run("assess", "-", stdin=PRETTY)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == len([x for x in PRETTY.splitlines() if x.strip()])
    path = tmp_path / "case.txt"
    path.write_bytes(PRETTY)
    assert len(run("assess", str(path)).stdout.splitlines()) > 1


def test_a_bad_json_document_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{\n  "kps": 85,\n  "histology": "renal"\n}\n')
    done = run("assess", str(path))
    assert done.returncode == 1
    (error,) = lines(done.stdout)
    assert set(error["error"]["fields"]) == {"kps", "histology"}
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{\n  "kps": \n')
    done = run("assess", str(broken))
    assert done.returncode == 1 and len(lines(done.stdout)) == 1


# --- 7. a summary on stderr; compact error lines -----------------------------------------------


def test_bad_lines_give_a_one_line_summary_on_stderr() -> None:
    rows = [json.dumps({"kps": 80}).encode()] * 1000
    rows[16] = json.dumps({"kps": 85}).encode()
    rows[40] = b"{"
    rows[99] = json.dumps({"histology": "renal"}).encode()
    done = run("assess", "-", stdin=b"\n".join(rows) + b"\n")
    assert done.returncode == 1
    (summary,) = done.stderr.decode().splitlines()
    assert summary.startswith("spinemets: 3 of 1,000 lines invalid; first at line 17: kps")
    assert len(summary) < 300
    good = run("assess", "-", stdin=json.dumps({"kps": 80}).encode() + b"\n")
    assert good.returncode == 0 and good.stderr == b""


def test_error_lines_are_compact_json_like_result_lines() -> None:
    done = run("assess", "-", stdin=b'{"kps": 85}\n{"kps": 80}\n')
    error_line, result_line = done.stdout.decode().splitlines()
    for line in (error_line, result_line):
        assert json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")) == line


# --- the ECOG-to-KPS name: --ecog-to-kps, with --kps-from-ecog kept as an alias ----------------


@pytest.mark.parametrize("flag", ["--ecog-to-kps", "--kps-from-ecog"])
def test_ecog_to_kps_flag_and_its_alias(flag: str) -> None:
    # ECOG 0 is KPS 90-100 under "common": inside Tokuhashi's 80-100 row
    done = run("assess", flag, "common", "-", stdin=b'{"ecog": 0}\n')
    assert done.returncode == 0, done.stderr
    (result,) = lines(done.stdout)
    tok = result["scores"]["tokuhashi_2005"]
    assert "kps_from_ecog:common" in tok["flags"] and "kps" not in tok["missing"]
    (plain,) = lines(run("assess", "-", stdin=b'{"ecog": 0}\n').stdout)
    assert "kps" in plain["scores"]["tokuhashi_2005"]["missing"]


def test_help_names_the_new_flag_and_the_alias() -> None:
    text = run("assess", "--help").stdout.decode()
    assert "--ecog-to-kps" in text and "--kps-from-ecog" in text and "--document" in text
    assert "§" not in text


def _cli_bytes(args: list[str]) -> tuple[int, bytes]:
    """Run the command line in this process; return its exit status and standard output."""
    import contextlib
    import io

    from spinemets.cli import main

    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8")
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(io.StringIO()):
        status = main(args)
        stream.flush()
    return status, buffer.getvalue()


@settings(max_examples=30, deadline=None)
@given(case_dicts(), st.one_of(st.none(), st.text(min_size=1, max_size=20), st.integers()))
def test_a_document_scores_like_its_json_line(data: dict[str, Any], case_id: Any) -> None:
    """Differential: a pretty-printed .json document gives the line JSON Lines gives for it."""
    import tempfile

    if case_id is not None and abs(case_id if isinstance(case_id, int) else 0) < 2**53:
        data = {**data, "id": case_id}
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / "case.json"
        document.write_text(json.dumps(data, indent=2), encoding="utf-8")
        jsonl = Path(folder) / "case.jsonl"
        jsonl.write_text(json.dumps(data) + "\n", encoding="utf-8")
        status_doc, out_doc = _cli_bytes(["assess", str(document)])
        status_lines, out_lines = _cli_bytes(["assess", str(jsonl)])
    line = json.loads(out_lines)
    line.pop("line", None)
    assert (status_doc, json.loads(out_doc)) == (status_lines, line)
    if "error" not in line:
        assert line == assess_dict(data)
