"""``spinemets serve``: a CDS Hooks service, a JSON API and a calculator page (extra ``service``).

Layout: :mod:`.config` (settings and the start-up checks), :mod:`.app` (the Starlette routes, the
JSON API, access logging), :mod:`.hooks` (CDS Hooks discovery, hook calls, feedback, reading and
fetching FHIR), :mod:`.auth` (JWT client authentication), :mod:`.page` and ``static/`` (the
calculator page and its assets), :mod:`.openapi` (the OpenAPI document).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .config import ServiceConfig

__all__ = ["create_app", "run"]


def create_app(config: ServiceConfig | None = None) -> Starlette:
    """The service as an ASGI application (see :func:`spinemets.service.app.create_app`)."""
    from .app import create_app as _create

    return _create(config)


def _logging(level: str) -> dict[str, Any]:
    """uvicorn's own loggers plus the service's; uvicorn's access log stays off (ours never
    writes a query string)."""
    fmt = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": fmt},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain",
                                "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "spinemets.service": {"handlers": ["stderr"], "level": level.upper(),
                                  "propagate": False},
        },
    }


def run(config: ServiceConfig, *, log_level: str = "info") -> None:
    """Serve *config* with uvicorn until interrupted (the checks are the caller's)."""
    import uvicorn

    uvicorn.run(create_app(config), host=config.host, port=config.port, access_log=False,
                log_config=_logging(log_level), server_header=False, proxy_headers=False)
