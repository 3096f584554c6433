"""
The command line (interchange.md §7, with the result and error shapes of §6).

Each test runs `python -m spinemets` in a child process, as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pytest

import spinemets

if TYPE_CHECKING:
    from pathlib import Path

# The case of interchange §1; its scores are those of the example in §6.
EXAMPLE: dict[str, Any] = {
    "histology": "kidney",
    "kps": 80,
    "visceral_metastases": "none",
    "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1,
    "frankel": "E",
    "myelopathy": False,
    "fit_for_surgery": True,
    "lesions": [
        {
            "level": "T12",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "normal",
            "collapse": "involved_over_50",
            "posterolateral": "unilateral",
            "escc": "1b",
        }
    ],
}
# SINS of the example with another pain: T12 junctional 3 + lytic 2 + normal 0
# + involved_over_50 1 + unilateral 1 = 7, plus pain mechanical 3 / occasional 1 / none 0.
SINS_BY_PAIN = {"mechanical": 10, "occasional": 8, "none": 7}


def _case(pain: str = "mechanical", **fields: Any) -> dict[str, Any]:
    """Return the example case with another lesion pain and some case fields replaced."""
    lesion = {**EXAMPLE["lesions"][0], "pain": pain}
    return {**EXAMPLE, "lesions": [lesion], **fields}


def _line(pain: str = "mechanical", **fields: Any) -> str:
    """Return `_case(...)` as one JSON line (without its line end)."""
    return json.dumps(_case(pain, **fields))


def _strict_loads(line: str) -> Any:
    """Parse one output line as strict JSON (no NaN or Infinity tokens)."""

    def reject(token: str) -> None:
        msg = f"non-standard JSON token {token}"
        raise ValueError(msg)

    return json.loads(line, parse_constant=reject)


def _run(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m spinemets ARGS` with `stdin`, and check that stderr has no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "spinemets", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert b"Traceback" not in proc.stderr
    return proc


def run_cli(*args: str, stdin: bytes | str = b"") -> tuple[int, list[dict[str, Any]], str]:
    """
    Run `python -m spinemets ARGS`; return the exit status, parsed output lines and stderr.

    Every output line must be strict JSON.
    """
    proc = _run(*args, stdin=stdin.encode() if isinstance(stdin, str) else stdin)
    lines = proc.stdout.decode("utf-8").splitlines()
    stderr = proc.stderr.decode("utf-8", errors="replace")
    return proc.returncode, [_strict_loads(line) for line in lines], stderr


def assess(stdin: bytes | str, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    """Run `spinemets assess -` on `stdin`."""
    return run_cli("assess", *args, "-", stdin=stdin)


def _error(result: dict[str, Any]) -> dict[str, Any]:
    """Check that a result line is the §6 error object and return its `error`."""
    assert {"interchange", "spinemets", "error", "line"} == set(result) - {"id"}
    assert result["interchange"] == 1 and result["spinemets"] == spinemets.__version__
    assert {"message", "fields"} == set(result["error"])
    assert isinstance(result["error"]["message"], str)
    assert isinstance(result["error"]["fields"], list)
    return dict(result["error"])


def _scored(result: dict[str, Any]) -> dict[str, Any]:
    """Check that a result line is a §6 result, not an error, and return its `scores`."""
    assert result["interchange"] == 1
    assert "error" not in result
    return dict(result["scores"])


class TestAssess:
    """`spinemets assess`: JSON Lines in, one result line out per non-blank line."""

    def test_example_result(self) -> None:
        """The §1 example yields the §6 example result."""
        status, out, _ = assess(_line() + "\n")

        assert status == 0
        (result,) = out
        scores = _scored(result)
        assert (scores["tomita"]["status"], scores["tomita"]["total"]) == ("complete", 3)
        assert scores["tomita"]["band"] == {"code": "long_term_local_control", "range": [2, 3]}
        assert scores["tokuhashi_1990"]["total"] == 11
        assert scores["tokuhashi_1990"]["band"] == {"code": "good", "range": [9, 12]}
        assert scores["tokuhashi_2005"]["total"] == 13
        assert scores["tokuhashi_2005"]["band"] == {"code": "gte_12_months", "range": [12, 15]}
        assert scores["sins"]["total"] == 10
        assert scores["sins"]["band"] == {"code": "potentially_unstable", "range": [7, 12]}
        assert (scores["escc"]["grade"], scores["escc"]["class"]) == ("1b", "low")
        assert result["recommendation"]["radiation"] == "srs"
        assert result["recommendation"]["stabilization"] == "surgical_consultation"

    def test_mixed_lines(self) -> None:
        """Good and bad lines: one output per input line, in order, bad ones named; exit 1."""
        lines = [
            _line("mechanical"),
            _line("occasional", kps=85),
            _line("occasional"),
            json.dumps({**_case(), "lesions": [{"level": "t12", "escc": 2}]}),
            _line("none"),
            _line("none", myelopathy=1, bogus=True),
            _line("mechanical"),
        ]
        status, out, _ = assess("\n".join(lines) + "\n")

        assert status == 1
        assert len(lines) == len(out)
        assert _scored(out[0])["sins"]["total"] == 10
        assert _error(out[1])["fields"] == ["kps"]
        assert out[1]["line"] == 2
        assert _scored(out[2])["sins"]["total"] == 8
        assert {"lesions[0].level", "lesions[0].escc"} == set(_error(out[3])["fields"])
        assert out[3]["line"] == 4
        assert _scored(out[4])["sins"]["total"] == 7
        assert {"myelopathy", "bogus"} == set(_error(out[5])["fields"])
        assert out[5]["line"] == 6
        assert _scored(out[6])["sins"]["total"] == 10
        for number, (line, result) in enumerate(zip(lines, out, strict=True), start=1):
            expected = spinemets.assess_dict(json.loads(line))
            if "error" in expected:
                expected["line"] = number
            assert expected == result

    def test_all_good(self) -> None:
        """Every line valid: exit 0, one scored result per line, in order."""
        pains = ["none", "mechanical", "occasional", "none", "occasional"]
        status, out, _ = assess("".join(_line(pain) + "\n" for pain in pains))

        assert status == 0
        assert [SINS_BY_PAIN[pain] for pain in pains] == [
            _scored(result)["sins"]["total"] for result in out
        ]

    def test_no_trailing_newline(self) -> None:
        """The last line is read even without a line end."""
        status, out, _ = assess(_line("none") + "\n" + _line("occasional"))

        assert status == 0
        assert [_scored(result)["sins"]["total"] for result in out] == [7, 8]

    @pytest.mark.parametrize("stdin", ["", "\n", "\n\n  \n\t\n", "\r\n \r\n"])
    def test_empty_input(self, stdin: str) -> None:
        """Empty or blank-only input: no output, exit 0."""
        status, out, _ = assess(stdin)

        assert status == 0
        assert out == []

    def test_blank_lines_skipped(self) -> None:
        """Blank and whitespace-only lines produce nothing; `line` still counts input lines."""
        stdin = "\n" + _line("none") + "\n   \n\t\n" + _line(kps=85) + "\n\n" + _line() + "\n \n"
        status, out, _ = assess(stdin)

        assert status == 1
        assert len(out) == 3
        assert _scored(out[0])["sins"]["total"] == 7
        assert _error(out[1])["fields"] == ["kps"]
        assert out[1]["line"] == 5
        assert _scored(out[2])["sins"]["total"] == 10

    def test_bom_and_crlf(self) -> None:
        """A byte-order mark and CRLF line ends are accepted."""
        stdin = "\ufeff" + _line("none") + "\r\n" + _line("occasional") + "\r\n\r\n"
        status, out, _ = assess(stdin.encode("utf-8"))

        assert status == 0
        assert [_scored(result)["sins"]["total"] for result in out] == [7, 8]

    def test_bom_and_crlf_bad_line(self) -> None:
        """With a BOM and CRLF, a bad line is still named by field and line number."""
        stdin = "\ufeff" + _line(kps=85) + "\r\n" + _line() + "\r\n"
        status, out, _ = assess(stdin.encode("utf-8"))

        assert status == 1
        assert _error(out[0])["fields"] == ["kps"]
        assert out[0]["line"] == 1
        assert _scored(out[1])["sins"]["total"] == 10

    def test_long_value_not_echoed(self) -> None:
        """A line with a 1 MB string value yields an error line shorter than 2 kB."""
        big = json.dumps({**_case(), "histology": "x" * 1_000_000})
        proc_status, out, _ = assess(big + "\n" + _line() + "\n")

        assert proc_status == 1
        assert _error(out[0])["fields"] == ["histology"]
        assert len(json.dumps(out[0])) < 2_000
        assert _scored(out[1])["sins"]["total"] == 10

    @pytest.mark.parametrize(
        "bad",
        [
            pytest.param('{"kps": 80', id="truncated"),
            pytest.param("kps=80", id="not-json"),
            pytest.param("[1,2]", id="array"),
            pytest.param('"x"', id="string"),
            pytest.param("3", id="number"),
            pytest.param("null", id="null"),
            pytest.param('{"kps": 80} {"kps": 80}', id="two-objects"),
        ],
    )
    def test_not_an_object(self, bad: str) -> None:
        """A line that is not JSON, or not a JSON object, gets `fields: []`; the rest are scored."""
        status, out, _ = assess(_line("none") + "\n" + bad + "\n" + _line() + "\n")

        assert status == 1
        assert len(out) == 3
        assert _scored(out[0])["sins"]["total"] == 7
        assert _error(out[1])["fields"] == []
        assert out[1]["line"] == 2
        assert _scored(out[2])["sins"]["total"] == 10

    @pytest.mark.parametrize(
        "bad",
        [
            pytest.param(b"\xff\xfe{}", id="bad-bytes"),
            pytest.param(b'{"histology": "kidn\xc3"}', id="truncated-sequence"),
            pytest.param(b'{"kps": 80, "frankel": "\xed\xa0\x80"}', id="surrogate"),
        ],
    )
    def test_invalid_utf8(self, bad: bytes) -> None:
        """Invalid UTF-8 on one line is an error of that line only, with `fields: []`."""
        stdin = _line("none").encode() + b"\n" + bad + b"\n" + _line().encode() + b"\n"
        status, out, _ = assess(stdin)

        assert status == 1
        assert len(out) == 3
        assert _scored(out[0])["sins"]["total"] == 7
        assert _error(out[1])["fields"] == []
        assert out[1]["line"] == 2
        assert _scored(out[2])["sins"]["total"] == 10

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            pytest.param('{"kps": NaN}', "kps", id="nan"),
            pytest.param('{"kps": Infinity}', "kps", id="infinity"),
            pytest.param('{"vertebral_metastases": -Infinity}', "vertebral_metastases", id="-inf"),
            pytest.param('{"kps": 1e999}', "kps", id="overflow"),
            pytest.param('{"kps": 80, "kps": 90}', "kps", id="duplicate-key"),
            pytest.param('{"lesions": [{"escc": 2}]}', "lesions[0].escc", id="escc-number"),
            pytest.param('{"interchange": 2}', "interchange", id="interchange-2"),
            pytest.param('{"kps": 1' + "0" * 5000 + "}", "kps", id="5000-digits"),
        ],
    )
    def test_strict_reader(self, bad: str, field: str) -> None:
        """Non-finite numbers, duplicate keys and number codes are errors of their field."""
        status, out, _ = assess(bad + "\n" + _line() + "\n")

        assert status == 1
        assert [field] == _error(out[0])["fields"]
        assert out[0]["line"] == 1
        assert _scored(out[1])["sins"]["total"] == 10

    @pytest.mark.parametrize(
        "separator",
        [
            pytest.param("\u2028", id="line-separator"),
            pytest.param("\u2029", id="paragraph-separator"),
            pytest.param("\x85", id="next-line"),
            pytest.param("\x0c", id="form-feed"),
            pytest.param("\x0b", id="vertical-tab"),
            pytest.param("\x1e", id="record-separator"),
            pytest.param("\r", id="lone-carriage-return"),
        ],
    )
    def test_only_newline_ends_a_line(self, separator: str) -> None:
        """Only LF (or CRLF) ends a line: other Unicode line breaks stay inside their line."""
        inside = json.dumps({"histology": f"kid{separator}ney"}, ensure_ascii=False)
        between = f'{{"kps": 85}}{separator}{{"kps": 80}}'
        status, out, _ = assess(f"{inside}\n{between}\n{_line()}\n".encode())

        assert status == 1
        assert len(out) == 3
        assert _error(out[0])["fields"] == ["histology"]
        assert out[0]["line"] == 1
        assert out[1]["line"] == 2
        assert _scored(out[2])["sins"]["total"] == 10

    def test_deep_nesting(self) -> None:
        """A deeply nested line is an error of that line only, never a crash."""
        deep = "[" * 100_000 + "]" * 100_000
        lines = [deep, '{"kps": ' + deep + "}", _line()]
        status, out, _ = assess("\n".join(lines) + "\n")

        assert status == 1
        assert len(out) == 3
        assert _error(out[0])["fields"] == []
        assert _error(out[1])["fields"] in ([], ["kps"])
        assert len(json.dumps(out[1])) < 2_000
        assert _scored(out[2])["sins"]["total"] == 10

    def test_file_like_stdin(self, tmp_path: Path) -> None:
        """`assess FILE`, `assess -` and `assess` with no argument give the same output."""
        stdin = (
            ("\ufeff" + _line("none") + "\r\n\r\n" + _line(kps=85) + "\n[1]\n").encode()
            + b"\xff\xfe\n"
            + _line().encode()
        )
        path = tmp_path / "cases.jsonl"
        path.write_bytes(stdin)

        from_file = run_cli("assess", str(path))
        from_dash = run_cli("assess", "-", stdin=stdin)
        from_default = run_cli("assess", stdin=stdin)

        assert from_file[0] == 1
        assert from_dash[:2] == from_file[:2]
        assert from_default[:2] == from_file[:2]
        assert [
            result["scores"]["sins"]["total"] for result in from_file[1] if "scores" in result
        ] == [7, 10]
        assert [result["line"] for result in from_file[1] if "error" in result] == [3, 4, 5]

    def test_missing_file(self, tmp_path: Path) -> None:
        """A FILE that cannot be read: exit 2 with a message naming it, no traceback."""
        path = tmp_path / "no-such-cases.jsonl"
        status, out, stderr = run_cli("assess", str(path))

        assert status == 2
        assert out == []
        assert "no-such-cases.jsonl" in stderr

    def test_directory_as_file(self, tmp_path: Path) -> None:
        """A directory given as FILE cannot be read: exit 2, no traceback."""
        status, out, stderr = run_cli("assess", str(tmp_path))

        assert status == 2
        assert out == []
        assert stderr.strip()

    def test_many_lines(self) -> None:
        """A batch of a thousand lines gives a thousand results in order."""
        pains = ["mechanical", "occasional", "none", "none"] * 250
        status, out, _ = assess("".join(_line(pain) + "\n" for pain in pains))

        assert status == 0
        assert [SINS_BY_PAIN[pain] for pain in pains] == [
            _scored(result)["sins"]["total"] for result in out
        ]


class TestKpsFromEcog:
    """`assess --kps-from-ecog NAME` names the §4.4 conversion for cases that name none."""

    # This option belongs to issue 4.
    def test_applies_named_conversion(self) -> None:
        """The option applies to cases without `kps` and `ecog_to_kps`, and to no others."""
        no_kps = {key: value for key, value in _case().items() if key != "kps"}
        lines = [
            # ECOG 0 -> common 90-100: inside Tokuhashi's 80-100 category (2 points).
            json.dumps({**no_kps, "ecog": 0}),
            # ECOG 1 -> common 70-80 straddles two categories: incomplete, missing kps.
            json.dumps({**no_kps, "ecog": 1}),
            # The case's own conversion wins: ECOG 1 -> ma_2010 80-90.
            json.dumps({**no_kps, "ecog": 1, "ecog_to_kps": "ma_2010"}),
            # KPS given: KPS is used, no conversion.
            json.dumps({**_case(), "ecog": 3}),
        ]
        status, out, _ = assess("\n".join(lines) + "\n", "--kps-from-ecog", "common")

        assert status == 0
        first, second, third, fourth = (_scored(result)["tokuhashi_1990"] for result in out)
        assert (first["status"], first["total"]) == ("complete", 11)
        assert "kps_from_ecog:common" in first["flags"]
        assert second["status"] == "incomplete"
        assert "kps" in second["missing"]
        assert "kps_from_ecog_ambiguous" in second.get("flags", [])
        assert (third["status"], third["total"]) == ("complete", 11)
        assert "kps_from_ecog:ma_2010" in third["flags"]
        assert (fourth["status"], fourth["total"]) == ("complete", 11)
        assert not any(flag.startswith("kps_from_ecog") for flag in fourth["flags"])

    # This option belongs to issue 4.
    def test_without_option_no_conversion(self) -> None:
        """Without the option, ECOG alone never yields a KPS item (§4.4: never implicit)."""
        no_kps = {key: value for key, value in _case().items() if key != "kps"}
        status, out, _ = assess(json.dumps({**no_kps, "ecog": 0}) + "\n")

        assert status == 0
        tokuhashi = _scored(out[0])["tokuhashi_1990"]
        assert tokuhashi["status"] == "incomplete"
        assert "kps" in tokuhashi["missing"]


class TestOtherCommands:
    """`spinemets demo`, `--version` and `--help`."""

    def test_demo(self) -> None:
        """`demo` exits 0 and reports Tomita, Tokuhashi, SINS and ESCC."""
        proc = _run("demo")
        report = proc.stdout.decode("utf-8").lower()

        assert proc.returncode == 0
        for name in ("Tomita", "Tokuhashi", "SINS", "ESCC"):
            assert name.lower() in report

    def test_version(self) -> None:
        """`--version` exits 0 and prints the installed version."""
        proc = _run("--version")

        assert proc.returncode == 0
        assert metadata.version("spinemets") in (proc.stdout + proc.stderr).decode("utf-8")

    def test_help(self) -> None:
        """`--help` exits 0 and names the `assess` command."""
        proc = _run("--help")

        assert proc.returncode == 0
        assert "assess" in proc.stdout.decode("utf-8")


class TestRobustOutput:
    """The command line never ends in a traceback, whatever the console does."""

    def test_assess_on_ascii_console(self) -> None:
        """With an ASCII-only stdout encoding, a non-ASCII echoed value still yields JSON Lines."""
        stdin = json.dumps({"histology": "kidn\u00e9y \u2603"}) + "\n" + _line() + "\n"
        proc = _run("assess", "-", stdin=stdin.encode(), env={"PYTHONIOENCODING": "ascii"})
        out = [_strict_loads(line) for line in proc.stdout.decode("utf-8").splitlines()]

        assert proc.returncode == 1
        assert len(out) == 2
        assert _error(out[0])["fields"] == ["histology"]
        assert _scored(out[1])["sins"]["total"] == 10

    def test_demo_on_ascii_console(self) -> None:
        """With an ASCII-only stdout encoding, `demo` still prints its report and exits 0."""
        proc = _run("demo", env={"PYTHONIOENCODING": "ascii"})

        assert proc.returncode == 0
        assert "tomita" in proc.stdout.decode("utf-8", errors="replace").lower()

    def test_reader_closes_early(self, tmp_path: Path) -> None:
        """When the reader of stdout leaves early (`| head -1`), the command ends quietly."""
        path = tmp_path / "many.jsonl"
        path.write_text((_line() + "\n") * 20_000)
        with subprocess.Popen(
            [sys.executable, "-m", "spinemets", "assess", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as proc:
            assert proc.stdout is not None
            assert proc.stderr is not None
            first = proc.stdout.readline()
            proc.stdout.close()
            stderr = proc.stderr.read()
            proc.wait(timeout=120)

        assert _scored(_strict_loads(first.decode()))["sins"]["total"] == 10
        assert b"Traceback" not in stderr
        assert b"BrokenPipeError" not in stderr
