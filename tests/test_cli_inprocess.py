"""The command line run in-process (so coverage sees it): every sub-command and option, and the
stream's guarantees — one line out per non-blank line in, errors in place, exit status."""

from __future__ import annotations

import errno
import io
import json
import sys
from pathlib import Path

import pytest

from spinemets.cli import main

GOOD = {"histology": "breast", "kps": 80, "frankel": "E",
        "lesions": [{"level": "T8", "escc": "1b"}]}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


class TestAssess:
    def test_mixed_lines_keep_order_and_name_bad_fields(self, tmp_path: Path) -> None:
        """Good, bad, blank and non-JSON lines: one output line each (blank skipped), exit 1."""
        src = _write(tmp_path, [json.dumps(GOOD), '{"kps": 85}', "   ", "not json",
                                json.dumps(GOOD)])
        out = tmp_path / "out.jsonl"

        assert main(["assess", str(src), "-o", str(out)]) == 1
        lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        assert len(lines) == 4
        assert "scores" in lines[0] and "scores" in lines[3]
        assert lines[1]["error"]["fields"] == ["kps"] and lines[1]["line"] == 2
        assert lines[2]["error"]["fields"] == [] and lines[2]["line"] == 4

    def test_all_good_exits_0_and_matches_the_dict_form(self, tmp_path: Path) -> None:
        """Every valid line is scored; the fast JSON line equals the dict form."""
        import spinemets

        src = _write(tmp_path, [json.dumps(GOOD)] * 3)
        out = tmp_path / "out.jsonl"

        assert main(["assess", str(src), "-o", str(out)]) == 0
        expected = spinemets.assess_dict(GOOD)
        assert [expected] * 3 == [json.loads(x) for x in out.read_text("utf-8").splitlines()]

    def test_pretty_and_conversion(self, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
                                   ) -> None:
        """--pretty indents; --kps-from-ecog fills the conversion of cases that name none."""
        case = {"ecog": 0, "histology": "breast", "extraspinal_bone_metastases": 0,
                "vertebral_metastases": 1, "visceral_metastases": "none", "frankel": "E"}
        src = _write(tmp_path, [json.dumps(case)])

        assert main(["assess", "--pretty", "--kps-from-ecog", "common", str(src)]) == 0
        text = capsysbinary.readouterr().out.decode()
        result = json.loads(text)
        assert text.startswith("{\n  ")
        assert result["scores"]["tokuhashi_2005"]["status"] == "complete"
        assert "kps_from_ecog:common" in result["scores"]["tokuhashi_2005"]["flags"]

    def test_invalid_utf8_is_an_error_of_its_line(self, tmp_path: Path) -> None:
        """A line that is not UTF-8 yields its own error; the next line is scored."""
        src = tmp_path / "in.jsonl"
        src.write_bytes(b'{"kps": "\xff"}\n' + json.dumps(GOOD).encode() + b"\n")
        out = tmp_path / "out.jsonl"

        assert main(["assess", str(src), "-o", str(out)]) == 1
        first, second = (json.loads(x) for x in out.read_text("utf-8").splitlines())
        assert first["error"]["fields"] == [] and first["line"] == 1
        assert "scores" in second

    def test_unreadable_file_exits_2(self, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
        """A missing FILE exits 2 with a message."""
        assert main(["assess", str(tmp_path / "absent.jsonl")]) == 2
        assert "cannot read" in capsys.readouterr().err

    def test_unwritable_output_exits_2(self, tmp_path: Path) -> None:
        """An output path in a missing folder exits 2."""
        src = _write(tmp_path, [json.dumps(GOOD)])

        assert main(["assess", str(src), "-o", str(tmp_path / "no" / "out.jsonl")]) == 2


class TestOtherCommands:
    def test_demo(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo report names every seed score and the recommendation."""
        assert main(["demo"]) == 0
        text = capsys.readouterr().out
        for word in ("Tomita", "Tokuhashi", "SINS", "ESCC", "NOMS recommendation",
                     "not a medical device"):
            assert word in text

    @pytest.mark.parametrize("name", ["case", "result"])
    def test_schema(self, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        """``schema NAME`` prints a JSON Schema."""
        assert main(["schema", name]) == 0
        assert "2020-12" in json.loads(capsys.readouterr().out)["$schema"]

    def test_version_and_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the version; no command prints help."""
        assert main(["--version"]) == 0
        assert "spinemets" in capsys.readouterr().out
        assert main([]) == 0
        assert "assess" in capsys.readouterr().out


class TestProgress:
    def test_progress_line_shows_share_of_file_and_count(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """On a terminal, the progress line gives the share of FILE read and the cases written."""
        from spinemets.cli import _Progress

        src = _write(tmp_path, [json.dumps(GOOD)] * 4)
        with src.open("rb") as stream:
            progress = _Progress(stream)
            progress.read = src.stat().st_size // 2
            progress.show(2)

        assert capsys.readouterr().err == "\rspinemets:  50% 2 cases"

    def test_stdin_has_no_share(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A stream of unknown size shows the count only."""
        import io

        from spinemets.cli import _Progress

        progress = _Progress(io.BytesIO(b"{}\n"))
        progress.show(7)

        assert capsys.readouterr().err == "\rspinemets: 7 cases"


class _Failing(io.StringIO):
    """A text stream whose writes fail with *error* (a full disk, a reader gone away)."""

    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


FULL = Path("/dev/full")


class TestWriteFailures:
    """Every failed write is one line on stderr and exit status 2; a reader that stopped
    listening (a broken pipe, ``| head``) is no error."""

    @pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")
    @pytest.mark.parametrize("document", [False, True], ids=["lines", "document"])
    def test_a_full_disk_exits_2_naming_the_output(
        self, tmp_path: Path, document: bool, capsys: pytest.CaptureFixture[str]
    ) -> None:
        src = _write(tmp_path, [json.dumps(GOOD)] * (1 if document else 200))
        argv = ["assess", str(src), "-o", str(FULL), *(["--document"] if document else [])]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"spinemets: cannot write {FULL}: ")
        assert err.count("\n") == 1

    @pytest.mark.parametrize("command", [["demo"], ["--version"], ["schema", "case"]])
    def test_a_broken_pipe_exits_0(self, command: list[str], monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setattr(sys, "stdout", _Failing(BrokenPipeError(errno.EPIPE, "Broken pipe")))
        assert main(command) == 0
        assert capsys.readouterr().err == ""

    @pytest.mark.parametrize("command", [["demo"], ["--version"], ["schema", "result"]])
    def test_a_failed_write_exits_2(self, command: list[str], monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setattr(sys, "stdout", _Failing(OSError(errno.ENOSPC, "No space left")))
        assert main(command) == 2
        assert capsys.readouterr().err == "spinemets: cannot write standard output: No space left\n"

    def test_a_closed_stdout_exits_2(self, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setattr(sys, "stdout", None)
        assert main(["demo"]) == 2
        assert "cannot write standard output: it is closed" in capsys.readouterr().err

    def test_an_interrupt_exits_130(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import spinemets.cli

        def interrupted() -> int:
            raise KeyboardInterrupt

        monkeypatch.setattr(spinemets.cli, "_demo", interrupted)
        assert main(["demo"]) == 130


class TestProgressOnATerminal:
    def test_the_line_counts_up_and_ends_at_the_whole_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With a progress step of 2 lines, 5 cases show 2, 4 and finally 5 at 100 %."""
        import spinemets.cli

        monkeypatch.setattr(spinemets.cli, "_PROGRESS_EVERY", 2)
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        src = _write(tmp_path, [json.dumps(GOOD)] * 5)
        assert main(["assess", str(src), "-o", str(tmp_path / "out.jsonl")]) == 0
        shown = terminal.getvalue().split("\r")[1:]
        assert [s.rsplit(" ", 2)[-2] for s in shown] == ["2", "4", "5"]
        assert shown[-1] == "spinemets: 100% 5 cases\n"
