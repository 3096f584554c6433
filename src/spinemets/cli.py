"""The ``spinemets`` command line (interchange §7).

``spinemets assess [FILE|-]`` streams JSON Lines: one result line per non-blank input line, in
order; a bad line yields its error object (with ``"line"``) and the rest are still scored. Exit
status 0 when every line was valid, 1 otherwise, 2 when FILE cannot be read.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

__all__ = ["main"]

_EXAMPLES = """\
examples:
  spinemets demo                          the built-in example case as a report
  spinemets assess cases.jsonl            one result line per case
  cat cases.jsonl | spinemets assess -    the same, from standard input
  spinemets assess --pretty case.json     one case, indented
  spinemets assess --kps-from-ecog ma_2010 cohort.jsonl -o results.jsonl
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
        description="Read one case per line (JSON Lines) and write one result per line.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    assess.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help="input file; '-' or none for standard input")
    assess.add_argument("-o", "--output", metavar="OUT", help="write results to OUT")
    assess.add_argument("--pretty", action="store_true", help="indent each result")
    assess.add_argument(
        "--kps-from-ecog", metavar="NAME", choices=("common", "ma_2010", "prasad_2018"),
        help="apply this ECOG-to-KPS conversion to every case that names none "
             "(common, ma_2010, prasad_2018; interchange §4.4)",
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

    conversion = EcogToKps(args.kps_from_ecog) if args.kps_from_ecog else None
    try:
        source: IO[bytes] = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"spinemets: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        # JSON Lines are UTF-8 whatever the console's encoding (interchange §7).
        out: IO[bytes] = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115
    except OSError as exc:
        print(f"spinemets: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        if source is not sys.stdin.buffer:
            source.close()
        return 2
    progress = _Progress(source) if sys.stderr.isatty() else None
    # Scoring a line allocates no reference cycles, so the cyclic collector would only walk the
    # memo caches over and over; it runs every _COLLECT_EVERY lines instead.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with source:
            count, status = _stream(source, out, conversion, 2 if args.pretty else None, progress)
    finally:
        if collecting:
            gc.enable()
    if progress is not None:
        progress.finish(count)
    if out is not sys.stdout.buffer:
        out.close()
    else:
        out.flush()
    return status


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
        print(f"\rspinemets: {share}{count:,} cases", end="", file=sys.stderr, flush=True)

    def finish(self, count: int) -> None:
        if count >= _PROGRESS_EVERY:
            self.show(count)
            print(file=sys.stderr)


def _stream(
    source: IO[bytes], out: IO[bytes], conversion: Any, indent: int | None,
    progress: _Progress | None,
) -> tuple[int, int]:
    """Score every non-blank line of *source* onto *out*; return (lines written, exit status)."""
    from .assessment import assess
    from .exceptions import InvalidInputError
    from .interchange import error_dict, loads_case

    status = 0
    count = 0
    for number, raw in _lines(source):
        if progress is not None:
            progress.read += len(raw)
        if not raw.strip():
            continue
        line: bytes
        try:
            case = loads_case(_decode(raw))
            if conversion is not None and case.systemic.ecog_to_kps is None:
                case = _with_conversion(case, conversion)
            assessment = assess(case)
            if indent is None:
                line = assessment.to_json().encode()
            else:
                line = json.dumps(assessment.to_dict(), indent=indent, ensure_ascii=False).encode()
        except InvalidInputError as error:
            result = error_dict(error)
            result["line"] = number
            line = json.dumps(result, indent=indent, ensure_ascii=False).encode()
            status = 1
        out.write(line + b"\n")
        count += 1
        if count % _COLLECT_EVERY == 0:
            gc.collect()
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress.show(count)
    return count, status


def _decode(raw: bytes) -> str:
    """A line as text; a line that is not UTF-8 is invalid input with no field to name."""
    from .exceptions import InvalidInputError

    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError((), "invalid input: line is not valid UTF-8") from None


def _with_conversion(case: Any, conversion: Any) -> Any:
    from attrs import evolve

    return evolve(case, systemic=evolve(case.systemic, ecog_to_kps=conversion))


def _demo() -> int:
    from .assessment import assess
    from .interchange import parse_case
    from .report import EXAMPLE_CASE, render

    text = render(assess(parse_case(EXAMPLE_CASE)))
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")  # a console that cannot show every character
    sys.stdout.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        print(f"spinemets {version('spinemets')} (interchange 1)")
        return 0
    try:
        if args.command == "assess":
            return _assess(args)
        if args.command == "demo":
            return _demo()
        if args.command == "serve":
            return _serve(args)
        if args.command == "schema":
            from .schema import shipped

            sys.stdout.write(shipped(args.name))
            return 0
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
