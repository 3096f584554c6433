"""Helpers for the service tests: a real uvicorn server on a free loopback port, signing keys
and CDS Hooks client JWTs made in the test."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("jwt")

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from spinemets.service import create_app
from spinemets.service.config import ServiceConfig


def loopback_socket() -> socket.socket:
    """A listening-ready socket bound to a free loopback port (no race for the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def running(config_kwargs: dict[str, Any] | None = None) -> Iterator[str]:
    """Serve ``ServiceConfig(**config_kwargs)`` with uvicorn in a thread; yield its base URL."""
    sock = loopback_socket()
    port = sock.getsockname()[1]
    kwargs = {"port": port, **(config_kwargs or {})}
    app = create_app(ServiceConfig(**kwargs))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False,
                                           lifespan="off", server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


class Signer:
    """A client's key pair, its JWK Set and tokens signed with it."""

    def __init__(self, kind: str = "RSA", kid: str | None = None) -> None:
        self.kid = kid or uuid.uuid4().hex
        if kind == "RSA":
            self.key: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.alg = "RS384"
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        else:
            self.key = ec.generate_private_key(ec.SECP384R1())
            self.alg = "ES384"
            public = jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.jwk = {**public, "kid": self.kid, "use": "sig"}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk]}

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.jwks()), encoding="utf-8")
        return path

    def token(self, *, iss: str, aud: str, lifetime: int = 300, jti: str | None = None,
              now: float | None = None, kid: str | None = None, **extra: Any) -> str:
        now = time.time() if now is None else now
        claims = {"iss": iss, "sub": "client-id", "aud": aud, "exp": int(now + lifetime),
                  "iat": int(now), "jti": jti or uuid.uuid4().hex, **extra}
        return jwt.encode(claims, self.key, algorithm=self.alg,
                          headers={"kid": kid or self.kid, "typ": "JWT"})


@contextmanager
def static_server(routes: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A tiny HTTP server on loopback answering GET *path* (query ignored) with the JSON in
    *routes*; yields its base URL and the requests it saw (path, Authorization)."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            seen.append({"path": self.path, "authorization": self.headers.get("Authorization")})
            body = routes.get(path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
