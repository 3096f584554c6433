"""The ASGI application: routes, the JSON API, authentication and access logging.

Starlette (routing, requests, streaming responses) served by uvicorn; see ``docs/service.md``
for why this stack.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import traceback
from collections.abc import Iterator
from typing import IO, Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._json import line as json_line
from .._json import utf8
from .auth import AuthError, Verifier
from .config import ConfigError, ServiceConfig
from .hooks import SERVICE_ID, discovery, gather, validate_call, validate_feedback
from .page import STATIC_DIR, page_html

__all__ = ["create_app"]

_log = logging.getLogger("spinemets.service")

_NDJSON: Final = frozenset({"application/x-ndjson", "application/jsonl", "application/json-lines",
                            "application/x-jsonlines", "application/jsonlines"})
#: Routes that need no JWT even when authentication is on.
_OPEN_PATHS: Final = frozenset({"/health"})


class TooLarge(Exception):
    """A body (or an NDJSON line) past the configured limit."""


def error_object(message: str, fields: list[str] | None = None) -> dict[str, Any]:
    """The interchange error object for a request that is not a case (with the provenance an
    error object carries)."""
    from .._version import package_version

    return {"interchange": 1, "spinemets": package_version(),
            "error": {"message": message, "fields": fields or []}}


_error = error_object


def _json(data: Any, status: int = 200, media_type: str = "application/json") -> Response:
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # a lone surrogate from the input: escape it
        body = json.dumps(data, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=media_type)


def _too_large(limit: int, what: str = "the body") -> Response:
    return _json(_error(f"{what} is larger than the limit of {limit:,} bytes"), 413)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request, limit: int) -> Any:
    """The request's JSON value; ``Response`` (400/413) when it has none."""
    try:
        raw = await _read_body(request, limit)
    except TooLarge:
        return _too_large(limit)
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return _json(_error("the body is not a JSON document (UTF-8)"), 400)


# -- the JSON API ---------------------------------------------------------------------------------


def _conversion(request: Request) -> tuple[Any, Response | None]:
    from ..vocab import EcogToKps

    name = request.query_params.get("ecog_to_kps")
    if name is None:
        return None, None
    names = [member.value for member in EcogToKps]
    if name not in names:
        message = f"ecog_to_kps must be one of {', '.join(names)} (got {name[:40]!r})"
        return None, _json(_error(message, ["ecog_to_kps"]), 400)
    return EcogToKps(name), None


def _score(raw: bytes, conversion: Any) -> tuple[bytes | None, dict[str, Any] | None]:
    """One case's result line exactly as ``spinemets assess`` writes it, or its error object."""
    from ..cli import score_input

    text, error = score_input(raw, conversion)
    return (None, error) if error is not None else (utf8(text), None)


#: Output is sent in chunks of about this size (one thread hop per chunk, not per line).
_CHUNK: Final = 64 * 1024


def _stream_lines(spool: IO[bytes], conversion: Any) -> Iterator[bytes]:
    """Score every non-blank line of *spool*: one output line each, in order (CLI rules)."""
    out: list[bytes] = []
    size = 0
    with spool:
        for number, raw in enumerate(spool, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            line, error = _score(raw, conversion)
            if error is not None:
                error["line"] = number
                line = json_line(error)
            assert line is not None
            out.append(line + b"\n")
            size += len(line) + 1
            if size >= _CHUNK:
                yield b"".join(out)
                out, size = [], 0
    if out:
        yield b"".join(out)


async def _spool(request: Request, config: ServiceConfig) -> IO[bytes]:
    """The NDJSON body in a temporary file (memory up to one line limit, then disk)."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=config.max_body)  # noqa: SIM115
    total = 0
    line = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > config.max_stream:
                raise TooLarge("the body")
            parts = chunk.split(b"\n")
            line += len(parts[0])
            longest = max([line, *(len(p) for p in parts[1:-1])])
            if len(parts) > 1:
                line = len(parts[-1])
                longest = max(longest, line)
            if longest > config.max_body:
                raise TooLarge("a line")
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


class Service:
    """Route handlers bound to one configuration."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config

    async def assess(self, request: Request) -> Response:
        conversion, problem = _conversion(request)
        if problem is not None:
            return problem
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        limit = self.config.max_body
        if media in _NDJSON:
            try:
                spool = await _spool(request, self.config)
            except TooLarge as exc:
                what = exc.args[0] if exc.args else "the body"
                return _too_large(self.config.max_stream if what == "the body" else limit,
                                  what)
            return StreamingResponse(_stream_lines(spool, conversion),
                                     media_type="application/x-ndjson")
        try:
            raw = await _read_body(request, limit)
        except TooLarge:
            return _too_large(limit)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            return _json(_error("invalid input: the body is empty (send one case as JSON)"), 400)
        line, error = _score(raw, conversion)
        if error is not None:
            line = json_line(error)
        return Response(line, status_code=400 if error else 200, media_type="application/json")

    async def schema(self, request: Request) -> Response:
        from ..schema import SCHEMA_NAMES, shipped

        if request.path_params["name"] not in SCHEMA_NAMES:
            return _json(_error("no such schema (case, result)"), 404)
        return Response(shipped(request.path_params["name"]),
                        media_type="application/schema+json")

    async def openapi(self, request: Request) -> Response:
        from .openapi import openapi_document

        return _json(openapi_document(self.config))

    async def health(self, request: Request) -> Response:
        return _json({"status": "ok"})

    async def version(self, request: Request) -> Response:
        from .._version import package_version

        return _json({"spinemets": package_version(), "interchange": 1})

    async def page(self, request: Request) -> Response:
        return HTMLResponse(page_html(), headers=_PAGE_HEADERS)

    async def discovery(self, request: Request) -> Response:
        return _json(discovery())

    async def hook(self, request: Request) -> Response:
        if request.path_params["service_id"] != SERVICE_ID:
            return _json(_error("no such CDS service"), 404)
        body = await _json_body(request, self.config.max_body)
        if isinstance(body, Response):
            return body
        problem = validate_call(body)
        if problem is not None:
            return _json(problem, 400)
        resources, problems = await gather(body)
        return _json(self._cards(resources, problems, body["context"]["patientId"]))

    def _cards(self, resources: list[dict[str, Any]], problems: list[str],
               patient_id: str) -> dict[str, Any]:
        from ..assessment import assess
        from ..cds import cds_response
        from ..interchange import parse_case
        from ..model import Case

        case: Any = None
        try:
            from ..fhir import read_fhir

            reading = read_fhir(resources)
            case = reading.case
            problems = [*problems, *(_problem_text(p) for p in reading.problems)]
        except Exception as exc:
            _log.warning("the prefetch could not be read (%s)", type(exc).__name__)
            problems = [*problems, "the patient's FHIR data could not be read "
                                   f"({type(exc).__name__})"]
        if isinstance(case, dict):
            case = parse_case(case)
        if not isinstance(case, Case):
            case = Case.from_dict({})
        return cds_response(assess(case), calculator_url=self.config.public_url + "/",
                            patient_id=patient_id, problems=problems)

    async def feedback(self, request: Request) -> Response:
        if request.path_params["service_id"] != SERVICE_ID:
            return _json(_error("no such CDS service"), 404)
        body = await _json_body(request, self.config.max_body)
        if isinstance(body, Response):
            return body
        problem, counts = validate_feedback(body)
        if problem is not None:
            return _json(problem, 400)
        _log.info("feedback: %d accepted, %d overridden", counts["accepted"], counts["overridden"])
        return Response(status_code=200)


def _problem_text(problem: Any) -> str:
    """``kps: an integer 10, 20, ..., 100 (got 75)`` for a reader's field problem."""
    field, allowed, got = (getattr(problem, k, "") for k in ("field", "allowed", "got"))
    if not field and not allowed:
        return str(problem)
    return f"{field}: {allowed}" + (f" (got {got})" if got else "")


#: The page loads only its own assets: a Content-Security-Policy says so to the browser.
_PAGE_HEADERS: Final = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'self'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


# -- middleware -----------------------------------------------------------------------------------


class AccessLog:
    """Logs ``METHOD path status time`` (never the query string or the body) and turns any
    unexpected exception into a JSON 500 without a stack trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            # The exception's message may quote input: only its type and place are logged.
            _log.error("internal error %s at %s", type(exc).__name__, where)
            if status == 0:
                status = 500
                body = json.dumps(_error("internal error (logged without its data)")).encode()
                await send({"type": "http.response.start", "status": 500,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
        finally:
            took = (time.perf_counter() - start) * 1000
            client = scope.get("client")
            _log.info('%s "%s %s" %d %.1fms', client[0] if client else "-", scope["method"],
                      scope["path"], status, took)


class Authenticate:
    """Requires a trusted JWT on every route but ``/health`` (when issuers are configured)."""

    def __init__(self, app: ASGIApp, config: ServiceConfig) -> None:
        self.app = app
        self.config = config
        self.verifier = Verifier(config.trusted_issuers) if config.auth_required else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.verifier is None or scope["type"] != "http" or scope["path"] in _OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        try:
            await self.verifier.verify(authorization, self.config.endpoint(scope["path"]))
        except AuthError as exc:
            _log.warning("401 %s %s: %s", scope["method"], scope["path"], exc)
            response = _json(_error(f"unauthorized: {exc}"), 401)
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "not found", 405: "method not allowed"}.get(exc.status_code, exc.detail)
    return _json(_error(str(message)), exc.status_code)


def create_app(config: ServiceConfig | None = None) -> Starlette:
    """The service as an ASGI application (``uvicorn`` or any ASGI server can run it).

    Raises:
        ConfigError: when *config* would expose the service without authentication.
    """
    config = config or ServiceConfig()
    refusal = config.check()
    if refusal is not None:
        raise ConfigError(refusal)
    # uvicorn's access line includes the query string (the calculator link's ?case= carries
    # patient data): it stays off whichever way the app is run; AccessLog writes ours.
    logging.getLogger("uvicorn.access").disabled = True
    service = Service(config)
    routes = [
        Route("/", service.page, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/assess", service.assess, methods=["POST"]),
        Route("/schema/{name:str}", service.schema, methods=["GET"]),
        Route("/openapi.json", service.openapi, methods=["GET"]),
        Route("/health", service.health, methods=["GET"]),
        Route("/version", service.version, methods=["GET"]),
        Route("/cds-services", service.discovery, methods=["GET"]),
        Route("/cds-services/{service_id:str}", service.hook, methods=["POST"]),
        Route("/cds-services/{service_id:str}/feedback", service.feedback, methods=["POST"]),
    ]
    middleware = [Middleware(AccessLog)]
    if config.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"]))
    middleware.append(Middleware(Authenticate, config=config))
    return Starlette(routes=routes, middleware=middleware,
                     exception_handlers={HTTPException: _http_error})
