"""CDS Hooks client authentication: a signed JWT in ``Authorization: Bearer``.

Follows CDS Hooks 2.0, "Trusting CDS Clients": the client signs a short-lived JWT with a private
key whose public half it publishes as a JWK Set; the service trusts a fixed list of issuers, each
with its JWKS (a URL or a file, ``--trusted-issuer ISS=JWKS``). A token is accepted only when

* its algorithm is asymmetric (RS/PS/ES 256-512, EdDSA; never ``none`` or HMAC) and matches the
  key, and the signature verifies against a key of the issuer's JWKS (chosen by ``kid``);
* ``iss`` is a configured issuer (the JWKS is the configured one: a ``jku`` header is ignored);
* ``aud`` is the called endpoint's URL under ``--public-url``;
* ``exp`` has not passed (30 s leeway for clock skew) and lies at most an hour ahead, and ``iat``
  is present and not in the future;
* ``jti`` is present and has not been seen before from this issuer while unexpired (replay).

Verification uses PyJWT with ``cryptography``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

__all__ = ["ALGORITHMS", "AuthError", "JwksSource", "Verifier"]

#: The signature algorithms accepted (asymmetric only; CDS Hooks recommends ES384 and RS384).
ALGORITHMS: Final = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
LEEWAY: Final = 30
#: The longest a token may still be valid for (bounds the replay memory).
MAX_LIFETIME: Final = 3600
_JWKS_TTL: Final = 300.0
_REFRESH_EVERY: Final = 30.0


class AuthError(Exception):
    """A request whose credentials are missing or not acceptable (the message says why)."""


class JwksSource:
    """One issuer's JWK Set, from an ``http(s)`` URL or a file, cached for five minutes and
    re-read (at most every 30 s) when a token names a ``kid`` it does not hold."""

    def __init__(self, location: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.location = location
        self._clock = clock
        self._keys: list[dict[str, Any]] | None = None
        self._loaded = -1e18
        self._lock = asyncio.Lock()

    async def _read(self) -> list[dict[str, Any]]:
        if self.location.startswith(("http://", "https://")):
            import httpx

            async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as client:
                response = await client.get(self.location, headers={"Accept": "application/json"})
                response.raise_for_status()
                data = response.json()
        else:
            data = json.loads(Path(self.location).read_text(encoding="utf-8"))
        keys = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(keys, list):
            raise ValueError("not a JWK Set (no 'keys' list)")
        return [key for key in keys if isinstance(key, dict)]

    async def keys(self, *, refresh: bool = False) -> list[dict[str, Any]]:
        """The issuer's keys; *refresh* re-reads them unless they were read moments ago."""
        async with self._lock:
            age = self._clock() - self._loaded
            if self._keys is None or age > _JWKS_TTL or (refresh and age > _REFRESH_EVERY):
                try:
                    self._keys = await self._read()
                    self._loaded = self._clock()
                except Exception as exc:
                    if self._keys is None:
                        raise AuthError(
                            f"the issuer's JWKS cannot be read ({type(exc).__name__})"
                        ) from None
                    # Keep the known keys; try again in 30 s, not on every request.
                    self._loaded = self._clock() - _JWKS_TTL + _REFRESH_EVERY
            return self._keys


class Verifier:
    """Checks CDS Hooks client JWTs against the trusted issuers (see the module docstring)."""

    def __init__(self, issuers: dict[str, str], clock: Callable[[], float] = time.time) -> None:
        self.sources = {iss: JwksSource(location) for iss, location in issuers.items()}
        self._clock = clock
        self._seen: dict[tuple[str, str], float] = {}
        self._next_purge = 0.0

    def _remember(self, iss: str, jti: str, exp: float) -> None:
        now = self._clock()
        if now >= self._next_purge:
            self._seen = {k: v for k, v in self._seen.items() if v + LEEWAY >= now}
            self._next_purge = now + 60
        key = (iss, jti)
        if key in self._seen:
            raise AuthError("token replayed (jti already used)")
        self._seen[key] = exp

    async def verify(self, authorization: str | None, audience: str) -> dict[str, Any]:
        """The token's claims, or :class:`AuthError`.

        *authorization* is the request's ``Authorization`` header; *audience* the called
        endpoint's public URL.
        """
        import jwt

        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthError("a Bearer JWT is required (CDS Hooks: Trusting CDS Clients)")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthError("malformed JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AuthError(f"algorithm {str(alg)[:20]!r} is not accepted")
        iss = unverified.get("iss")
        source = self.sources.get(iss) if isinstance(iss, str) else None
        if source is None or not isinstance(iss, str):
            raise AuthError("issuer not trusted")
        jwk = await self._key(source, header.get("kid"))
        if jwk.get("alg") not in (None, alg):
            raise AuthError("algorithm does not match the key")
        try:
            key = jwt.PyJWK(jwk, algorithm=alg)
            claims: dict[str, Any] = jwt.decode(
                token, key=key, algorithms=[alg], audience=audience, issuer=iss, leeway=LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError(f"audience must be {audience}") from None
        except jwt.InvalidSignatureError:
            raise AuthError("signature does not verify") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(f"claim {exc.claim!r} is required") from None
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise AuthError(f"token rejected ({type(exc).__name__})") from None
        exp = float(claims["exp"])
        if exp > self._clock() + MAX_LIFETIME:
            raise AuthError("token lives too long (exp more than an hour ahead)")
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise AuthError("claim 'jti' must be a non-empty string")
        self._remember(iss, jti, exp)
        return claims

    async def _key(self, source: JwksSource, kid: object) -> dict[str, Any]:
        for refresh in (False, True):
            keys = await source.keys(refresh=refresh)
            if kid is None and len(keys) == 1:
                return keys[0]
            for key in keys:
                if kid is not None and key.get("kid") == kid:
                    return key
        raise AuthError("no key of the issuer matches the token's kid")
