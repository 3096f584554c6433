"""CDS Hooks client authentication on a real server: signed JWTs from trusted issuers (keys made
in the test), checked for signature, issuer, audience (the endpoint under --public-url), expiry
and jti replay; /health stays open."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests._service import Signer, running, static_server

if TYPE_CHECKING:
    import httpx
else:
    httpx = pytest.importorskip("httpx")

ISS = "https://ehr.example.org"
PUBLIC = "https://cds.example.org/spinemets"
HOOK = "/cds-services/spinemets-patient-view"
BODY = {"hook": "patient-view", "hookInstance": "i-1", "context": {"patientId": "42"}}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    rsa, ec, stranger = Signer("RSA"), Signer("EC"), Signer("RSA")
    folder = tmp_path_factory.mktemp("jwks")
    return {"rsa": rsa, "ec": ec, "stranger": stranger,
            "file": rsa.write(folder / "ehr.json")}


@pytest.fixture(scope="module")
def secured(keys: dict[str, Any]) -> Iterator[tuple[httpx.Client, str]]:
    """A server trusting ISS (JWKS file) and a second issuer (JWKS URL), with a public URL
    that differs from the address it is bound to (as behind a reverse proxy)."""
    with static_server({"/jwks": keys["ec"].jwks()}) as (jwks_base, _):
        issuers = {ISS: str(keys["file"]), "https://other.example": f"{jwks_base}/jwks"}
        with running({"trusted_issuers": issuers, "public_url": PUBLIC}) as url, \
                httpx.Client(base_url=url, timeout=30) as client:
            yield client, url


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post(client: httpx.Client, token: str | None, path: str = HOOK) -> httpx.Response:
    headers = _bearer(token) if token is not None else {}
    return client.post(path, json=BODY, headers=headers)


def _rejected(response: httpx.Response, why: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert why in response.json()["error"]["message"]


class TestJwt:
    def test_accepted(self, secured: tuple[httpx.Client, str], keys: dict[str, Any]) -> None:
        """A token from the trusted issuer, aud = the endpoint under --public-url: cards."""
        client, _ = secured
        token = keys["rsa"].token(iss=ISS, aud=PUBLIC + HOOK)
        response = _post(client, token)
        assert response.status_code == 200
        assert response.json()["cards"]
        discovery = client.get("/cds-services",
                               headers=_bearer(keys["rsa"].token(iss=ISS,
                                                                 aud=PUBLIC + "/cds-services")))
        assert discovery.status_code == 200

    def test_second_issuer_from_a_jwks_url(self, secured: tuple[httpx.Client, str],
                                           keys: dict[str, Any]) -> None:
        """ES384 from an issuer whose JWKS is read over HTTP."""
        client, _ = secured
        token = keys["ec"].token(iss="https://other.example", aud=PUBLIC + "/assess")
        response = client.post("/assess", json={"kps": 80}, headers=_bearer(token))
        assert response.status_code == 200

    def test_health_is_open_everything_else_is_not(
            self, secured: tuple[httpx.Client, str]) -> None:
        client, _ = secured
        assert client.get("/health").status_code == 200
        for method, path in (("GET", "/"), ("GET", "/cds-services"), ("POST", HOOK),
                             ("POST", "/assess"), ("GET", "/schema/case"), ("GET", "/version"),
                             ("GET", "/openapi.json"), ("GET", "/static/calculator.js"),
                             ("POST", HOOK + "/feedback"), ("GET", "/nope")):
            _rejected(client.request(method, path, json={}), "Bearer JWT is required")

    def test_expired(self, secured: tuple[httpx.Client, str], keys: dict[str, Any]) -> None:
        client, _ = secured
        token = keys["rsa"].token(iss=ISS, aud=PUBLIC + HOOK, now=time.time() - 600)
        _rejected(_post(client, token), "expired")

    def test_wrong_audience(self, secured: tuple[httpx.Client, str],
                            keys: dict[str, Any]) -> None:
        """Another endpoint, the bound address instead of the public URL, another host."""
        client, url = secured
        for aud in (PUBLIC + "/cds-services", url + HOOK, "https://evil.example" + HOOK):
            _rejected(_post(client, keys["rsa"].token(iss=ISS, aud=aud)), "audience")

    def test_wrong_issuer(self, secured: tuple[httpx.Client, str], keys: dict[str, Any]) -> None:
        client, _ = secured
        token = keys["rsa"].token(iss="https://untrusted.example", aud=PUBLIC + HOOK)
        _rejected(_post(client, token), "issuer not trusted")

    def test_bad_signature(self, secured: tuple[httpx.Client, str], keys: dict[str, Any]) -> None:
        """Signed by a stranger's key under the trusted key's kid; a tampered payload."""
        client, _ = secured
        forged = keys["stranger"].token(iss=ISS, aud=PUBLIC + HOOK, kid=keys["rsa"].kid)
        _rejected(_post(client, forged), "signature")
        header, payload, signature = keys["rsa"].token(iss=ISS, aud=PUBLIC + HOOK).split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["context"] = "tampered"
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        _rejected(_post(client, f"{header}.{payload}.{signature}"), "signature")

    def test_unknown_kid(self, secured: tuple[httpx.Client, str], keys: dict[str, Any]) -> None:
        client, _ = secured
        token = keys["rsa"].token(iss=ISS, aud=PUBLIC + HOOK, kid="not-a-key")
        _rejected(_post(client, token), "kid")

    def test_replayed_jti(self, secured: tuple[httpx.Client, str], keys: dict[str, Any]) -> None:
        client, _ = secured
        jti = uuid.uuid4().hex
        assert _post(client, keys["rsa"].token(iss=ISS, aud=PUBLIC + HOOK, jti=jti)
                     ).status_code == 200
        # The very same token again, and a fresh token reusing the jti.
        _rejected(_post(client, keys["rsa"].token(iss=ISS, aud=PUBLIC + HOOK, jti=jti)),
                  "replayed")

    def test_missing_claims_and_long_lifetime(self, secured: tuple[httpx.Client, str],
                                              keys: dict[str, Any]) -> None:
        import jwt

        client, _ = secured
        now = int(time.time())
        for missing in ("jti", "exp", "iat"):
            claims = {"iss": ISS, "aud": PUBLIC + HOOK, "exp": now + 300, "iat": now,
                      "jti": uuid.uuid4().hex}
            del claims[missing]
            token = jwt.encode(claims, keys["rsa"].key, algorithm="RS384",
                               headers={"kid": keys["rsa"].kid})
            _rejected(_post(client, token), missing)
        token = keys["rsa"].token(iss=ISS, aud=PUBLIC + HOOK, lifetime=7200)
        _rejected(_post(client, token), "too long")

    def test_symmetric_and_none_algorithms(self, secured: tuple[httpx.Client, str],
                                           keys: dict[str, Any]) -> None:
        """HS256 keyed with the public key (the classic confusion attack) and alg none."""
        import jwt

        client, _ = secured
        claims = {"iss": ISS, "aud": PUBLIC + HOOK, "exp": int(time.time()) + 300,
                  "iat": int(time.time()), "jti": uuid.uuid4().hex}
        none = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
        _rejected(_post(client, none), "not accepted")

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        header = b64(json.dumps({"alg": "HS256", "kid": keys["rsa"].kid}).encode())
        body = b64(json.dumps(claims).encode())
        _rejected(_post(client, f"{header}.{body}.{b64(b'x' * 32)}"), "not accepted")
        _rejected(_post(client, "not.a.jwt"), "malformed")
        _rejected(client.post(HOOK, json=BODY, headers={"Authorization": "Basic eDp5"}),
                  "Bearer")


def test_jwks_file_missing_means_401_not_500(tmp_path: Path) -> None:
    """A JWKS that cannot be read: the call is refused (401), the service keeps running."""
    signer = Signer("RSA")
    with running({"trusted_issuers": {ISS: str(tmp_path / "absent.json")}}) as url:
        token = signer.token(iss=ISS, aud=url + HOOK)
        response = httpx.post(url + HOOK, json=BODY, headers=_bearer(token))
        _rejected(response, "JWKS cannot be read")
        assert httpx.get(url + "/health").status_code == 200


def test_jwks_url_is_cached_and_re_read_for_rotation() -> None:
    """A JWKS URL: read once, cached five minutes; a token with an unknown kid re-reads it, at
    most every 30 seconds; a failed re-read keeps the keys already known."""
    import asyncio

    from spinemets.service.auth import JwksSource

    a, b = Signer("RSA"), Signer("EC")
    now = [0.0]
    routes: dict[str, Any] = {"/jwks": {"keys": [a.jwk]}}
    with static_server(routes) as (base, seen):
        source = JwksSource(f"{base}/jwks", clock=lambda: now[0])

        def kids(refresh: bool = False) -> list[str]:
            return [k["kid"] for k in asyncio.run(source.keys(refresh=refresh))]

        assert kids() == [a.kid]
        routes["/jwks"] = {"keys": [a.jwk, b.jwk]}  # the issuer rotates in a new key
        now[0] = 10
        assert kids(refresh=True) == [a.kid]  # re-read moments ago: not again
        now[0] = 31
        assert kids(refresh=True) == [a.kid, b.kid]
        now[0] = 200
        assert kids() == [a.kid, b.kid] and len(seen) == 2  # cached
        del routes["/jwks"]  # the URL now fails
        now[0] = 600
        assert kids() == [a.kid, b.kid]  # the known keys stay
        assert len(seen) == 3
        now[0] = 620
        assert kids() == [a.kid, b.kid] and len(seen) == 3  # no retry on every request
        now[0] = 631
        assert kids() == [a.kid, b.kid] and len(seen) == 4
