"""The service's settings: where it listens, the address clients use, who may call it.

Secure by default: bound to a non-loopback address, the service refuses to start unless trusted
issuers are configured (or ``insecure_no_auth`` says otherwise); CORS is off unless origins are
named; access logs carry method, path, status and time only (never a query string or a body: the
calculator link's ``?case=`` holds patient data).
"""

from __future__ import annotations

import ipaddress
from typing import Final

from attrs import field, frozen

__all__ = ["DEFAULT_MAX_BODY", "ConfigError", "ServiceConfig", "is_loopback", "parse_issuer"]

#: Largest JSON body, and largest NDJSON line, in bytes (1 MB).
DEFAULT_MAX_BODY: Final = 1_000_000
#: Largest NDJSON body as a whole (the input is spooled to disk past the line limit).
DEFAULT_MAX_STREAM: Final = 1_000_000_000


class ConfigError(ValueError):
    """A setting that cannot work (the message says which and why)."""


def is_loopback(host: str) -> bool:
    """Whether *host* is a loopback name or address (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_issuer(text: str) -> tuple[str, str]:
    """``ISS=JWKS`` → ``(iss, jwks)``; JWKS is an ``http(s)://`` URL or a file path."""
    # Both sides may be URLs holding "=": split before the JWKS URL when there is one.
    cut = next((i for i in range(len(text)) if text[i] == "="
                and text.startswith(("http://", "https://"), i + 1)), text.find("="))
    iss, jwks = (text[:cut], text[cut + 1:]) if cut > 0 else ("", "")
    if not iss or not jwks:
        raise ConfigError(f"--trusted-issuer wants ISS=JWKS (a JWKS URL or file), got {text!r}")
    return iss, jwks


def _default_public_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


@frozen(kw_only=True)
class ServiceConfig:
    """Everything ``spinemets serve`` takes on its command line.

    ``public_url`` is the address clients use (default ``http://HOST:PORT``): a JWT's ``aud``
    must be the called endpoint under it, and card links point under it.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    #: Issuer (``iss``) → its JWKS (a URL or a file path).
    trusted_issuers: dict[str, str] = field(factory=dict)
    insecure_no_auth: bool = False
    cors_origins: tuple[str, ...] = ()
    max_body: int = DEFAULT_MAX_BODY
    max_stream: int = DEFAULT_MAX_STREAM

    def __attrs_post_init__(self) -> None:
        if not self.public_url:
            object.__setattr__(self, "public_url", _default_public_url(self.host, self.port))
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if not self.public_url.startswith(("http://", "https://")):
            raise ConfigError(f"--public-url must be an http(s) URL, got {self.public_url!r}")
        if self.max_body < 1:
            raise ConfigError("the size limit must be at least 1 byte")

    @property
    def auth_required(self) -> bool:
        """Whether calls need a JWT: whenever trusted issuers are configured."""
        return bool(self.trusted_issuers)

    def check(self) -> str | None:
        """Why the service must not start (``None`` when it may).

        Off loopback, it needs trusted issuers unless ``insecure_no_auth`` is set.
        """
        if is_loopback(self.host) or self.trusted_issuers or self.insecure_no_auth:
            return None
        return (f"refusing to listen on {self.host} without authentication: give "
                "--trusted-issuer ISS=JWKS (repeatable), or --insecure-no-auth to run open "
                "on a network you trust")

    def notice(self) -> str | None:
        """The start-up notice of an open service (``None`` when calls need a JWT)."""
        if self.auth_required:
            return None
        where = "loopback only" if is_loopback(self.host) else self.host
        return (f"spinemets serve: running WITHOUT authentication ({where}); configure "
                "--trusted-issuer ISS=JWKS before exposing it")

    def endpoint(self, path: str) -> str:
        """The public URL of *path* (``/cds-services/x`` → ``https://host/cds-services/x``)."""
        return self.public_url + path
