"""The OpenAPI 3.1 document of the service (``GET /openapi.json``).

Built by :func:`spinemets.schema.openapi`, which embeds the interchange schemas (``Case``,
``Lesion``, ``Result``, ``Error``) as components, with the service's own paths and its public URL.
"""

from __future__ import annotations

from typing import Any, Final

from .config import ServiceConfig

__all__ = ["openapi_document"]

_REF: Final = "#/components/schemas/"
_JSONL: Final = {"schema": {"type": "string", "description": "JSON Lines: one JSON text a line"}}


def _body(name: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": _REF + name}}}}


def _problem(description: str) -> dict[str, Any]:
    return _body("Error", description)


def _json(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"type": "object"}}}}


def _paths() -> dict[str, Any]:
    service_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    too_large = _problem("Larger than the size limit (a body, or one JSON Lines line).")
    return {
        "/assess": {"post": {
            "operationId": "assess",
            "summary": "Score one case (JSON), or JSON Lines in and out",
            "description": "A JSON body is one case; its result is exactly the line "
                           "`spinemets assess` writes. An `application/x-ndjson` body is read "
                           "line by line; the response streams one line per non-blank line.",
            "parameters": [{"name": "ecog_to_kps", "in": "query", "required": False,
                            "description": "ECOG to KPS conversion for cases that name none",
                            "schema": {"enum": ["common", "ma_2010", "prasad_2018"]}}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": _REF + "Case"}},
                "application/x-ndjson": _JSONL}},
            "responses": {
                "200": {"description": "The result, or one result or error line per case.",
                        "content": {"application/json": {"schema": {"$ref": _REF + "Result"}},
                                    "application/x-ndjson": _JSONL}},
                "400": _problem("Not a valid case: every offending field."),
                "413": too_large},
        }},
        "/schema/{name}": {"get": {
            "operationId": "schema", "summary": "JSON Schema of a case or of a result",
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"enum": ["case", "result"]}}],
            "responses": {"200": _json("JSON Schema (draft 2020-12)."),
                          "404": _problem("No such schema.")}}},
        "/health": {"get": {"operationId": "health", "summary": "Liveness; never needs a token",
                            "security": [],
                            "responses": {"200": _json('`{"status": "ok"}`')}}},
        "/version": {"get": {"operationId": "version",
                             "summary": "The library and interchange versions",
                             "responses": {"200": _json("Versions.")}}},
        "/cds-services": {"get": {"operationId": "discovery", "summary": "CDS Hooks discovery",
                                  "responses": {"200": _json("The CDS services.")}}},
        "/cds-services/{id}": {"post": {
            "operationId": "hook", "summary": "CDS Hooks call (patient-view): cards",
            "parameters": [service_id],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object"}}}},
            "responses": {"200": _json("CDS Hooks cards."),
                          "400": _problem("Not a valid hook request."),
                          "404": _problem("No such service."), "413": too_large}}},
        "/cds-services/{id}/feedback": {"post": {
            "operationId": "feedback", "summary": "CDS Hooks feedback",
            "parameters": [service_id],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object"}}}},
            "responses": {"200": {"description": "Received."},
                          "400": _problem("Not valid feedback."),
                          "404": _problem("No such service."), "413": too_large}}},
    }


def openapi_document(config: ServiceConfig) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with the server's public URL and its JWT security scheme."""
    from ..schema import openapi

    document = openapi(_paths(), title="spinemets service",
                       servers=[{"url": config.public_url}])
    if config.auth_required:
        document["components"]["securitySchemes"] = {
            "cdsHooksJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                            "description": "CDS Hooks client JWT (Trusting CDS Clients)"}}
        document["security"] = [{"cdsHooksJwt": []}]
    return document
