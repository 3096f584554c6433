"""The command line on hostile input (issue 10): for any bytes, every non-blank line yields exactly
one output line, in order, valid UTF-8 JSON, never a traceback; exit status 0/1/2 as interchange §7
says. Valid lines equal ``assess_dict`` of the same case (a second path through the library).

Most runs are in-process (``main([...])``) for speed; a few go through a real subprocess, where
standard output, ``/dev/full`` and the interpreter's exit flush are real.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinemets
from spinemets.cli import main
from tests.strategies import case_dicts, complete_case_dicts

#: Stands for an integer of 5000 digits (beyond int()'s limit; Hypothesis could not repr it).
_BIG = "<an integer of 5000 digits>"
FIELDS = ["kps", "ecog", "histology", "lesions", "myelopathy", "extraspinal_bone_metastases",
          "albumin_g_dl", "months_diagnosis_to_mscc", "interchange", "level", "escc"]

#: Hostile JSON values: huge and non-finite numbers, lone surrogates, nesting, wrong types.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**80), 2**80)
    | st.sampled_from([2**53, -(2**53), 10**400, _BIG, 0, -0.0, 80, 80.0])
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["\ud800", "T12\udfff", "kidney", "1b", "\x00", "\u2028", "é" * 150]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
keys = st.sampled_from(FIELDS) | st.text(max_size=12) | st.sampled_from(["\ud800", "k\udc00"])


@st.composite
def hostile_objects(draw: st.DrawFn) -> bytes:
    """A JSON object line: random keys and values, possibly a valid case with one field spoiled,
    possibly with a duplicated key."""
    base: dict[str, Any] = draw(case_dicts()) if draw(st.booleans()) else {}
    extra = draw(st.dictionaries(keys, json_values, max_size=3))
    base.update(extra)
    pairs = [json.dumps(k, ensure_ascii=True) + ":" + _encode(v) for k, v in base.items()]
    if len(pairs) > 0 and draw(st.booleans()):
        pairs.append(pairs[draw(st.integers(0, len(pairs) - 1))])  # a duplicated key
    return ("{" + ",".join(pairs) + "}").encode()


def _encode(value: Any) -> str:
    """A JSON value as text; integers of any size in full (beyond int()'s digit limit too)."""
    if value == _BIG:
        return "1" + "0" * 5000
    if isinstance(value, list):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=True) + ":" + _encode(v)
                              for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=True)


SPECIAL = [
    b"NaN", b"[]", b"null", b"1e999", b'"text"', b"{", b"}", b"{}", b'{"kps": 80,}',
    b'{"kps": NaN}', b'{"kps": Infinity}', b'{"kps": -Infinity}', b'{"kps": 1e999}',
    b'{"extraspinal_bone_metastases": 1' + b"0" * 5000 + b"}",
    b'{"months_diagnosis_to_mscc": 1' + b"0" * 400 + b"}",
    b"[" * 100_000, b'{"a":' * 50_000, b"\xef\xbb\xbf{}", b"\xff\xfe{}", b"\xed\xa0\x80",
    b'{"\\ud800": 1}', b'{"lesions": [{"\\udfff": 1}]}', b'{"\\ud800": 1, "\\ud800": 2}',
    b'{"histology": "\\ud800"}', b'{"kps": 80}\x00', b"\x0c{}", b'{"lesions": [null]}',
    b'{"interchange": 1.0}', b'{"interchange": null}', b'{"interchange": true}',
]

valid_cases = st.one_of(case_dicts(allow_null=True), complete_case_dicts())


@st.composite
def lines(draw: st.DrawFn) -> tuple[bytes, dict[str, Any] | None]:
    """One input line (without its end) and, when it is a valid case, the case."""
    kind = draw(st.sampled_from(["valid", "object", "special", "binary", "blank"]))
    if kind == "valid":
        case = draw(valid_cases)
        return json.dumps(case).encode(), case
    if kind == "object":
        return draw(hostile_objects()), None
    if kind == "special":
        return draw(st.sampled_from(SPECIAL)), None
    if kind == "blank":
        return draw(st.sampled_from([b"", b" ", b"\t", b"\r", b"  \t "])), None
    return draw(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b""))), None


@st.composite
def streams(draw: st.DrawFn) -> tuple[bytes, list[tuple[bytes, dict[str, Any] | None]]]:
    """A whole input: lines joined by LF or CRLF, maybe a BOM first, maybe no final newline."""
    items = draw(st.lists(lines(), max_size=12))
    end = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = end.join(line for line, _ in items)
    nonempty = bool(items)
    if nonempty and draw(st.booleans()):
        data += end
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data, items


def physical_lines(data: bytes) -> list[tuple[int, bytes]]:
    """(line number, bytes) of every non-blank line: what the contract promises one output for."""
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    if parts and parts[0].startswith(b"\xef\xbb\xbf"):
        parts[0] = parts[0][3:]
    return [(i, p) for i, p in enumerate(parts, start=1) if p.strip()]


def check_output(data: bytes, out: bytes, status: int,
                 cases: dict[int, dict[str, Any]] | None = None,
                 conversion: str | None = None) -> list[dict[str, Any]]:
    """Assert the contract for input *data*, output *out*, exit *status*; return the objects."""
    expected = physical_lines(data)
    text = out.decode("utf-8")  # strict: the output is valid UTF-8
    assert text == "" or text.endswith("\n")
    got = text.split("\n")[:-1] if text else []
    assert len(got) == len(expected)
    objects = []
    any_error = False
    for (number, raw), line in zip(expected, got, strict=True):
        obj = json.loads(line)
        assert isinstance(obj, dict) and obj["interchange"] == 1
        if "error" in obj:
            any_error = True
            # "spinemets" (the version) and "id" are the provenance and identity echoes.
            assert {"interchange", "error", "line"} <= set(obj) <= {
                "interchange", "error", "line", "spinemets", "id"}
            assert obj["line"] == number
            assert isinstance(obj["error"]["message"], str)
            assert "internal error" not in obj["error"]["message"]
            assert len(obj["error"]["message"]) < 5_000
            assert all(isinstance(f, str) for f in obj["error"]["fields"])
            assert cases is None or number not in cases, (number, cases.get(number))
        else:
            assert set(obj) >= {"interchange", "scores", "recommendation"}
            reference = cases.get(number) if cases else None
            if reference is None:
                reference = json.loads(raw.decode("utf-8"))
            if conversion is not None and reference.get("ecog_to_kps") is None:
                reference = {**reference, "ecog_to_kps": conversion}
            assert obj == spinemets.assess_dict(reference)
        objects.append(obj)
    assert status == (1 if any_error else 0)
    return objects


def _numbered_cases(data: bytes, items: list[tuple[bytes, dict[str, Any] | None]]
                    ) -> dict[int, dict[str, Any]]:
    """Line number -> generated valid case (lines contain no LF, so item i is line i + 1)."""
    return {i: case for i, (_, case) in enumerate(items, start=1) if case is not None}


class TestProperty:
    @given(streams(), st.sampled_from([None, "common", "ma_2010", "prasad_2018"]))
    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def test_mixed_valid_and_hostile_lines(
        self, tmp_path_factory: pytest.TempPathFactory,
        stream: tuple[bytes, list[tuple[bytes, dict[str, Any] | None]]], conversion: str | None,
    ) -> None:
        """Valid cases equal assess_dict, every other line is one error line with its number
        (with --kps-from-ecog: assess_dict of the case with that conversion unless it names one)."""
        data, items = stream
        folder = tmp_path_factory.mktemp("cli")
        src, out = folder / "in.jsonl", folder / "out.jsonl"
        src.write_bytes(data)
        options = ["--kps-from-ecog", conversion] if conversion else []
        status = main(["assess", *options, str(src), "-o", str(out)])
        check_output(data, out.read_bytes(), status, _numbered_cases(data, items), conversion)

    @given(st.binary(max_size=400) | st.lists(st.sampled_from(SPECIAL[:30])).map(b"\n".join))
    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def test_any_bytes(self, tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
        """Any bytes at all: one line per non-blank line, in order, never a traceback."""
        folder = tmp_path_factory.mktemp("cli")
        src, out = folder / "in.jsonl", folder / "out.jsonl"
        src.write_bytes(data)
        status = main(["assess", str(src), "-o", str(out)])
        check_output(data, out.read_bytes(), status)


class TestReproducers:
    """The issue's reproducers, one by one."""

    @pytest.mark.parametrize(
        ("line", "fields"),
        [
            (b'{"\\ud800": 1}', ["\ud800"]),
            (b'{"lesions": [{"\\udfff": 1}]}', ["lesions[0].\udfff"]),
            (b'{"\\ud800": 1, "\\ud800": 2}', ["\ud800"]),
            (b'{"histology": "\\ud800"}', ["histology"]),
            (b'{"months_diagnosis_to_mscc": 1' + b"0" * 400 + b"}", ["months_diagnosis_to_mscc"]),
            (b'{"albumin_g_dl": 1' + b"0" * 400 + b"}", ["albumin_g_dl"]),
        ],
    )
    def test_bad_line_then_good_line(self, tmp_path: Path, line: bytes, fields: list[str]
                                     ) -> None:
        """A lone surrogate or a huge number: an error line, and the next line is still scored."""
        data = line + b'\n{"kps": 80}\n'
        src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
        src.write_bytes(data)
        status = main(["assess", str(src), "-o", str(out)])
        objects = check_output(data, out.read_bytes(), status)
        assert objects[0]["error"]["fields"] == fields
        assert objects[1] == spinemets.assess_dict({"kps": 80})

    def test_surrogates_are_escaped(self, tmp_path: Path) -> None:
        """The output stays ASCII-escaped where the input had a lone surrogate."""
        src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
        src.write_bytes(b'{"\\ud800": 1}\n')
        main(["assess", str(src), "-o", str(out)])
        assert b"\\ud800" in out.read_bytes()

    def test_pretty_output_on_hostile_lines(self, tmp_path: Path) -> None:
        """--pretty writes one indented JSON document per non-blank line, valid UTF-8 too."""
        data = b"\n".join([b'{"\\ud800": 1}', b"\xff", b'{"kps": 80}', b"[" * 5000])
        src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
        src.write_bytes(data)
        assert main(["assess", "--pretty", str(src), "-o", str(out)]) == 1
        decoder = json.JSONDecoder()
        text, documents, at = out.read_bytes().decode("utf-8"), [], 0
        while at < len(text.rstrip()):
            document, at = decoder.raw_decode(text, at)
            documents.append(document)
            at += 1
        assert [d.get("line") for d in documents] == [1, 2, None, 4]
        assert documents[2] == spinemets.assess_dict({"kps": 80})

    @pytest.mark.parametrize("spelling", ["same", "relative", "symlink", "hardlink"])
    def test_refuses_to_overwrite_its_input(self, tmp_path: Path, spelling: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
        src = tmp_path / "a.jsonl"
        content = b'{"kps": 80}\n{"kps": 90}\n'
        src.write_bytes(content)
        target = {"same": str(src), "relative": str(tmp_path / "." / "a.jsonl")}.get(spelling)
        if spelling == "symlink":
            (tmp_path / "b.jsonl").symlink_to(src)
            target = str(tmp_path / "b.jsonl")
        elif spelling == "hardlink":
            os.link(src, tmp_path / "b.jsonl")
            target = str(tmp_path / "b.jsonl")
        assert target is not None
        assert main(["assess", str(src), "-o", target]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "input file" in err and "Traceback" not in err
        assert src.read_bytes() == content

    def test_disk_full(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full on this system")
        src = tmp_path / "in.jsonl"
        src.write_bytes(b'{"kps": 80}\n' * 5000)
        assert main(["assess", str(src), "-o", "/dev/full"]) == 2
        err = capsys.readouterr().err
        assert err == "spinemets: cannot write /dev/full: No space left on device\n"

    def test_read_error_part_way(self, monkeypatch: pytest.MonkeyPatch,
                                 capsysbinary: pytest.CaptureFixture[bytes]) -> None:
        """An I/O error while reading: the lines before it are written, then exit 2."""

        class Failing(io.BytesIO):
            def __iter__(self) -> Any:
                yield b'{"kps": 80}\n'
                raise OSError(errno.EIO, "Input/output error")

        class Stdin:
            buffer = Failing()

        monkeypatch.setattr(sys, "stdin", Stdin())
        assert main(["assess", "-"]) == 2
        captured = capsysbinary.readouterr()
        assert captured.err == b"spinemets: cannot read -: Input/output error\n"
        assert json.loads(captured.out) == spinemets.assess_dict({"kps": 80})

    def test_internal_errors_become_error_lines(self, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        """A bug in scoring (simulated) still yields one error line per line, exit 1."""
        import spinemets.assessment

        calls = iter([RuntimeError("boom"), None])
        expected = spinemets.assess_dict({"kps": 90})

        real = spinemets.assessment.assess

        def flaky(case: Any, *args: Any) -> Any:
            exc = next(calls)
            if exc is not None:
                raise exc
            return real(case, *args)

        monkeypatch.setattr(spinemets.assessment, "assess", flaky)
        src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
        src.write_bytes(b'{"kps": 80}\n{"kps": 90}\n')
        assert main(["assess", str(src), "-o", str(out)]) == 1
        first, second = (json.loads(x) for x in out.read_text("utf-8").splitlines())
        assert first["line"] == 1 and "internal error (RuntimeError)" in first["error"]["message"]
        assert second == expected


def _run(args: list[str], data: bytes = b"", **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "spinemets", *args], input=data, timeout=120,
                          check=False, **kwargs)


class TestSubprocess:
    """Real processes: standard input and output, /dev/full, the interpreter's exit flush."""

    def test_hostile_stream_on_stdin(self) -> None:
        data = b"\n".join([*SPECIAL, json.dumps({"kps": 80}).encode(), b"", b"\xff"]) + b"\r\n"
        done = _run(["assess"], data)
        # bad lines give one summary line on standard error (issue 11), never a traceback
        assert b"Traceback" not in done.stderr
        assert re.fullmatch(rb"spinemets: \d+ of \d+ lines invalid; first at line \d+: [^\n]*\n",
                            done.stderr), done.stderr
        check_output(data, done.stdout, done.returncode)

    def test_stdout_disk_full(self) -> None:
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full on this system")
        with open("/dev/full", "wb") as full:
            done = _run(["assess"], b'{"kps": 80}\n' * 2000, stdout=full, stderr=subprocess.PIPE)
        assert done.returncode == 2
        assert done.stderr == b"spinemets: cannot write standard output: No space left on device\n"

    @pytest.mark.parametrize("args", [["schema", "case"], ["demo"], ["--version"], []])
    def test_every_command_on_a_full_disk(self, args: list[str]) -> None:
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full on this system")
        with open("/dev/full", "wb") as full:
            done = _run(args, stdout=full)
        assert done.returncode == 2
        assert done.stderr == b"spinemets: cannot write standard output: No space left on device\n"

    @pytest.mark.parametrize(
        ("redirect", "status", "message"),
        [("<&-", 2, b"spinemets: cannot read standard input: it is closed\n"),
         (">&-", 2, b"spinemets: cannot write standard output: it is closed\n"),
         ("2>&-", 1, b""),
         ("2>&- >/dev/full", 2, b"")],
    )
    def test_closed_standard_streams(self, tmp_path: Path, redirect: str, status: int,
                                     message: bytes) -> None:
        """A closed standard stream (``<&-``, ``>&-``, ``2>&-``) is reported, never a crash."""
        if not os.path.exists("/dev/full") or not os.path.exists("/bin/sh"):
            pytest.skip("needs /bin/sh and /dev/full")
        src = tmp_path / "in.jsonl"
        src.write_bytes(b'{"kps": 80}\n{"kps": 85}\n')
        name = "-" if redirect == "<&-" else shlex.quote(str(src))
        command = f"{shlex.quote(sys.executable)} -m spinemets assess {name} {redirect}"
        done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, timeout=120,
                              check=False)
        assert (done.returncode, done.stderr) == (status, message)
        if redirect == "2>&-":
            check_output(src.read_bytes(), done.stdout, done.returncode)

    def test_stdout_appending_to_the_input(self, tmp_path: Path) -> None:
        """``spinemets assess a.jsonl >> a.jsonl`` would read its own output for ever: refused."""
        src = tmp_path / "a.jsonl"
        src.write_bytes(b'{"kps": 80}\n')
        with open(src, "ab") as same:
            done = subprocess.run([sys.executable, "-m", "spinemets", "assess", str(src)],
                                  stdout=same, stderr=subprocess.PIPE, timeout=120, check=False)
        assert done.returncode == 2 and b"input file" in done.stderr
        assert src.read_bytes() == b'{"kps": 80}\n'

    def test_closed_pipe_is_quiet(self) -> None:
        """A reader that stops early (``| head -1``) is no error: no traceback, no message."""
        with subprocess.Popen([sys.executable, "-m", "spinemets", "assess"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            assert proc.stderr is not None
            proc.stdout.close()
            try:
                proc.stdin.write(b'{"kps": 80}\n' * 20_000)
                proc.stdin.close()
            except BrokenPipeError:
                pass
            err = proc.stderr.read()
            proc.wait(timeout=120)
        assert b"Traceback" not in err and b"Exception ignored" not in err, err
        assert proc.returncode == 0


def test_check_output_can_fail() -> None:
    """The net itself: a missing, extra or reordered line is caught."""
    data = b'{"kps": 80}\n{"kps": 85}\n'
    good = spinemets.assess_dict({"kps": 80})
    bad = {"interchange": 1, "error": {"message": "x", "fields": ["kps"]}, "line": 2}
    ok = (json.dumps(good) + "\n" + json.dumps(bad) + "\n").encode()
    check_output(data, ok, 1)
    for broken, status in [(ok.split(b"\n")[0] + b"\n", 1), (ok + ok, 1), (ok, 0),
                           ((json.dumps(bad) + "\n" + json.dumps(good) + "\n").encode(), 1)]:
        with pytest.raises(AssertionError):
            check_output(data, broken, status)
