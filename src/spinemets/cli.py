"""The ``spinemets`` command line.

``spinemets assess [FILE|-]`` streams JSON Lines: one result line per non-blank input line, in
order; a bad line yields its error object (with ``"line"``) and the rest are still scored, and a
one-line summary of the bad lines goes to standard error. A FILE ending in ``.json`` (or
``--document``) is one JSON document, scored as one case. Every result and error line carries
``"spinemets"`` (the version) and the case's ``"id"`` when it has one. Exit
status 0 when every line was valid, 1 otherwise, 2 when FILE cannot be read, the output cannot be
written, or the output is the input file itself (one line on standard error, never a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import io
import json
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

from ._json import utf8

__all__ = ["main"]

_EXAMPLES = """\
examples:
  spinemets demo                          the built-in example case as a report
  spinemets assess cases.jsonl            one result line per case
  cat cases.jsonl | spinemets assess -    the same, from standard input
  spinemets assess --pretty case.json     one case (a .json file is one JSON document), indented
  spinemets assess --ecog-to-kps ma_2010 cohort.jsonl -o results.jsonl
  spinemets schema case                   JSON Schema (draft 2020-12) of a case
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spinemets",
        description="Published decision scores for spinal metastases and a NOMS-style "
                    "recommendation. Research and decision support; not a medical device.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    assess = sub.add_parser(
        "assess",
        help="score JSON Lines cases (interchange v1)",
        description="Read one case per line (JSON Lines) and write one result per line. A FILE "
                    "ending in .json, or --document, is read as one JSON document (one case). "
                    "When any line is invalid, a one-line summary goes to standard error.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    assess.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help="input file; '-' or none for standard input (JSON Lines); a FILE "
                             "ending in .json is one JSON document")
    assess.add_argument("-o", "--output", metavar="OUT", help="write results to OUT")
    assess.add_argument("--pretty", action="store_true", help="indent each result")
    assess.add_argument("--document", action="store_true",
                        help="read the input (FILE or standard input) as one JSON document, "
                             "which may span lines, and score it as one case")
    assess.add_argument(
        "--ecog-to-kps", "--kps-from-ecog", dest="ecog_to_kps", metavar="NAME",
        choices=("common", "ma_2010", "prasad_2018"),
        help="apply this published ECOG-to-KPS conversion to every case that names none "
             "(common, ma_2010, prasad_2018; the case field ecog_to_kps); --kps-from-ecog is "
             "the old name, kept as an alias",
    )
    sub.add_parser("demo", help="print a report of the built-in example case")
    schema = sub.add_parser("schema", help="print the JSON Schema of a case or of a result")
    schema.add_argument("name", choices=("case", "result"), help="which schema")
    _serve_parser(sub)
    return parser


def _serve_parser(sub: Any) -> None:
    """``spinemets serve``: the CDS Hooks service, JSON API and calculator page."""
    serve = sub.add_parser(
        "serve", help="run the CDS Hooks service, JSON API and calculator page",
        description="Serve CDS Hooks (patient-view), POST /assess and the calculator page at /. "
                    "Needs the 'service' extra: pip install 'spinemets[service]'.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--public-url", metavar="URL", default="",
                       help="the address clients use (JWT audience, card links); "
                            "default http://HOST:PORT")
    serve.add_argument("--trusted-issuer", metavar="ISS=JWKS", action="append", default=[],
                       help="trust JWTs from issuer ISS, verified with the JWK Set at JWKS "
                            "(URL or file); repeatable; also read from the environment "
                            "variable SPINEMETS_TRUSTED_ISSUERS (space-separated ISS=JWKS)")
    serve.add_argument("--insecure-no-auth", action="store_true",
                       help="allow running without authentication off loopback")
    serve.add_argument("--cors-origin", metavar="ORIGIN", action="append", default=[],
                       help="allow browser calls from ORIGIN (CORS is off by default); repeatable")
    serve.add_argument("--max-body-bytes", type=int, default=1_000_000, metavar="N",
                       help="largest JSON body and NDJSON line (default 1000000)")
    serve.add_argument("--log-level", default="info",
                       choices=("critical", "error", "warning", "info", "debug"))


def _serve(args: argparse.Namespace) -> int:
    try:
        from .service import run
        from .service.config import ConfigError, ServiceConfig, parse_issuer
    except ImportError as exc:
        print(f"spinemets: serve needs the 'service' extra (pip install 'spinemets[service]'): "
              f"{exc}", file=sys.stderr)
        return 2
    try:
        config = ServiceConfig(
            host=args.host, port=args.port, public_url=args.public_url,
            trusted_issuers=dict(parse_issuer(text) for text in [
                *os.environ.get("SPINEMETS_TRUSTED_ISSUERS", "").split(), *args.trusted_issuer]),
            insecure_no_auth=args.insecure_no_auth, cors_origins=tuple(args.cors_origin),
            max_body=args.max_body_bytes)
    except ConfigError as exc:
        print(f"spinemets: {exc}", file=sys.stderr)
        return 2
    refusal = config.check()
    if refusal is not None:
        print(f"spinemets: {refusal}", file=sys.stderr)
        return 2
    notice = config.notice()
    if notice is not None:
        print(notice, file=sys.stderr)
    print(f"spinemets serve: calculator {config.public_url}/, CDS Hooks discovery "
          f"{config.public_url}/cds-services, JSON API {config.public_url}/assess",
          file=sys.stderr)
    run(config, log_level=args.log_level)
    return 0


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        yield number, raw


def _assess(args: argparse.Namespace) -> int:
    from .vocab import EcogToKps

    conversion = EcogToKps(args.ecog_to_kps) if args.ecog_to_kps else None
    document = args.document or (args.file != "-" and args.file.lower().endswith(".json"))
    if (args.file == "-" and sys.stdin is None) or (not args.output and sys.stdout is None):
        closed = "read standard input" if args.file == "-" and sys.stdin is None else \
            "write standard output"
        return _fail(f"cannot {closed}: it is closed")
    try:
        source: IO[bytes] = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    with source:
        if _same_file(source, args.output):
            name = args.output or "standard output"
            return _fail(f"refusing to write the results to {name}: it is the input file")
        try:
            # JSON Lines are UTF-8 whatever the console's encoding.
            out: IO[bytes] = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
        progress = _Progress(source) if sys.stderr is not None and sys.stderr.isatty() else None
        # Scoring a line allocates no reference cycles, so the cyclic collector would only walk
        # the memo caches over and over; it runs every _COLLECT_EVERY lines instead.
        collecting = gc.isenabled()
        gc.disable()
        try:
            indent = 2 if args.pretty else None
            if document:
                count, bad = _document(source, out, conversion, indent)
            else:
                count, bad = _stream(source, out, conversion, indent, progress)
            status = 1 if bad.count else 0
            try:
                if out is getattr(sys.stdout, "buffer", None):
                    out.flush()
                else:
                    out.close()
            except OSError as exc:
                raise _WriteError from exc
        except _WriteError as exc:
            _discard(out)
            if isinstance(exc.__cause__, BrokenPipeError):
                return 0  # the reader stopped listening (``| head``): not an error of ours
            name = args.output or "standard output"
            return _fail(f"cannot write {name}: {_reason(exc.__cause__)}")
        except OSError as exc:  # reading FILE failed part-way (an I/O error, a vanished mount)
            _discard(out)
            return _fail(f"cannot read {args.file}: {_reason(exc)}")
        finally:
            if collecting:
                gc.enable()
    if progress is not None:
        progress.finish(count)
    if bad.count and sys.stderr is not None:
        with contextlib.suppress(OSError):  # the status says it too
            print(bad.summary(count, document), file=sys.stderr)
    return status


class _Bad:
    """The invalid lines of a run: how many, and the first one's number and message."""

    __slots__ = ("count", "line", "message")

    def __init__(self) -> None:
        self.count = 0
        self.line = 0
        self.message = ""

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if self.count == 1:
            self.line = line
            self.message = message.removeprefix("invalid input: ")

    def summary(self, lines: int, document: bool) -> str:
        """``spinemets: 3 of 1,000 lines invalid; first at line 17: kps ...`` (one line)."""
        message = " ".join(self.message.split())
        if len(message) > _SUMMARY_MESSAGE:
            message = message[: _SUMMARY_MESSAGE - 1] + "…"
        if document:
            return f"spinemets: the document is invalid: {message}"
        return (f"spinemets: {self.count:,} of {lines:,} lines invalid; first at line "
                f"{self.line}: {message}")


_SUMMARY_MESSAGE = 160


class _WriteError(Exception):
    """Writing a result failed (its ``__cause__`` is the ``OSError``)."""


def _fail(message: str) -> int:
    """One line on standard error, exit status 2 (FILE cannot be read)."""
    if sys.stderr is not None:  # with standard error closed, the status says it alone
        with contextlib.suppress(OSError):
            print(f"spinemets: {message}", file=sys.stderr)
    return 2


def _reason(exc: BaseException | None) -> str:
    return (getattr(exc, "strerror", None) or str(exc)) if exc is not None else "unknown error"


def _same_file(source: IO[bytes], output: str | None) -> bool:
    """Whether the output (OUT, or standard output) is the input's own regular file: writing it
    would truncate the input, or append to it while it is read (a loop that never ends)."""
    try:
        here = os.fstat(source.fileno())
        if not stat.S_ISREG(here.st_mode):
            return False
        there = os.stat(output) if output else os.fstat(sys.stdout.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _discard(out: IO[bytes]) -> None:
    """After a write error, drop what is still buffered for *out* so nothing retries it (Python
    flushes standard output once more at exit, which would print a second error)."""
    if out is getattr(sys.stdout, "buffer", None):
        _silence_stdout()
        return
    with contextlib.suppress(OSError):
        out.close()


def _silence_stdout() -> None:
    """Point standard output's descriptor at the null device (after a failed write to it)."""
    with contextlib.suppress(OSError, AttributeError, ValueError, io.UnsupportedOperation):
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


_PROGRESS_EVERY = 10_000
_COLLECT_EVERY = 50_000


class _Progress:
    """A progress line on a terminal's stderr: the share of FILE read (when its size is known)
    and the number of results written."""

    def __init__(self, source: IO[bytes]) -> None:
        try:
            stat = os.fstat(source.fileno())
            self.size = stat.st_size if stat.st_size and os.path.isfile(source.name) else 0
        except (OSError, AttributeError, TypeError, ValueError):
            self.size = 0
        self.read = 0

    def show(self, count: int) -> None:
        share = f"{100 * self.read / self.size:3.0f}% " if self.size else ""
        with contextlib.suppress(OSError):  # a terminal that went away is no reason to stop
            print(f"\rspinemets: {share}{count:,} cases", end="", file=sys.stderr, flush=True)

    def finish(self, count: int) -> None:
        if count >= _PROGRESS_EVERY:
            self.show(count)
            with contextlib.suppress(OSError):
                print(file=sys.stderr)


def _stream(
    source: IO[bytes], out: IO[bytes], conversion: Any, indent: int | None,
    progress: _Progress | None,
) -> tuple[int, _Bad]:
    """Score every non-blank line of *source* onto *out*; return (lines written, bad lines).

    Every non-blank line yields exactly one output line, whatever it holds; a failed write raises
    :class:`_WriteError`.
    """
    bad = _Bad()
    count = 0
    write = out.write
    for number, raw in _lines(source):
        if progress is not None:
            progress.read += len(raw)
        if not raw.strip():
            continue
        text, error = score_input(raw, conversion, indent)
        if error is not None:
            error["line"] = number
            text = _dumps(error, indent)
            bad.add(number, error["error"]["message"])
        try:
            write(utf8(text) + b"\n")
        except OSError as exc:
            raise _WriteError from exc
        count += 1
        if count % _COLLECT_EVERY == 0:
            gc.collect()
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress.show(count)
    return count, bad


def _document(source: IO[bytes], out: IO[bytes], conversion: Any,
              indent: int | None) -> tuple[int, _Bad]:
    """Score the whole of *source* as one JSON document (one case): one output line."""
    bad = _Bad()
    raw = source.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    text, error = score_input(raw, conversion, indent, "the document")
    if error is not None:
        text = _dumps(error, indent)
        bad.add(1, error["error"]["message"])
    try:
        out.write(utf8(text) + b"\n")
    except OSError as exc:
        raise _WriteError from exc
    return 1, bad


def score_input(
    raw: bytes, conversion: Any, indent: int | None = None, what: str = "line"
) -> tuple[str, dict[str, Any] | None]:
    """Score one input (a JSON Lines line or a whole document) as ``spinemets assess`` does.

    Returns ``(result text, None)`` — compact, or indented by *indent* — or ``("", error
    object)`` (with the ``id`` echo, without ``line``). Never raises: a bug of ours becomes an
    "internal error" object. The service's JSON API scores through it too.
    """
    from .assessment import assess
    from .exceptions import InvalidInputError
    from .interchange import error_dict, loads_case

    try:
        case = loads_case(_decode(raw, what))
        if conversion is not None and case.systemic.ecog_to_kps is None:
            case = _with_conversion(case, conversion)
        assessment = assess(case)
        if indent is None:
            return assessment.to_json(), None
        return json.dumps(assessment.to_dict(), indent=indent, ensure_ascii=False), None
    except InvalidInputError as error:
        return "", error_dict(error, _object(raw))
    except Exception as exc:  # a bug of ours: still one output, never a traceback
        return "", _internal(exc)


def _dumps(obj: dict[str, Any], indent: int | None) -> str:
    """An error object as JSON text: compact like a result line, or indented (``--pretty``)."""
    separators = (",", ":") if indent is None else None
    return json.dumps(obj, indent=indent, ensure_ascii=False, separators=separators)


def _object(raw: bytes) -> Any:
    """The JSON value of an invalid input, for echoing its ``id`` (``None`` when unreadable)."""
    from .interchange import loads_json

    try:
        return loads_json(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def _internal(exc: Exception) -> dict[str, Any]:
    """The error object for a bug of ours (the line still gets one output line)."""
    from ._version import package_version
    from .interchange import INTERCHANGE_VERSION

    return {"interchange": INTERCHANGE_VERSION, "spinemets": package_version(),
            "error": {"message": f"internal error ({type(exc).__name__}); please report it with "
                                 "this line", "fields": []}}


def _decode(raw: bytes, what: str = "line") -> str:
    """A line as text; a line that is not UTF-8 is invalid input with no field to name."""
    from .exceptions import InvalidInputError

    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError((), f"invalid input: {what} is not valid UTF-8") from None


def _with_conversion(case: Any, conversion: Any) -> Any:
    from attrs import evolve

    return evolve(case, systemic=evolve(case.systemic, ecog_to_kps=conversion))


def _demo() -> int:
    from .assessment import assess
    from .display import EXAMPLE_CASE, render
    from .interchange import parse_case

    text = render(assess(parse_case(EXAMPLE_CASE)))
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")  # a console that cannot show every character
    _emit(text)
    return 0


def _emit(text: str) -> None:
    """Write *text* to standard output and flush it; a failed write raises :class:`_WriteError`."""
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "it is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        raise _WriteError from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.version:
            from importlib.metadata import version

            _emit(f"spinemets {version('spinemets')} (interchange 1)\n")
            return 0
        if args.command == "assess":
            return _assess(args)
        if args.command == "demo":
            return _demo()
        if args.command == "serve":
            return _serve(args)
        if args.command == "schema":
            from .schema import shipped

            _emit(shipped(args.name))
            return 0
        _emit(parser.format_help())
    except _WriteError as exc:
        _silence_stdout()
        if isinstance(exc.__cause__, BrokenPipeError):
            return 0
        return _fail(f"cannot write standard output: {_reason(exc.__cause__)}")
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
