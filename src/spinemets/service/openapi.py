"""The OpenAPI 3.1 document of the service (``GET /openapi.json``).

The interchange schemas (:func:`spinemets.schema.case_schema`, ``result_schema``) are embedded as
components, so a client generator sees exactly what ``spinemets schema`` prints.
"""

from __future__ import annotations

from typing import Any

from .config import ServiceConfig

__all__ = ["openapi_document"]


def _error() -> dict[str, Any]:
    return {"description": "The interchange error object",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _refs(value: Any) -> Any:
    """JSON Schema ``#/$defs/x`` references rewritten to ``#/components/schemas/x``."""
    if isinstance(value, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/")
                    if k == "$ref" and isinstance(v, str) else _refs(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_refs(v) for v in value]
    return value


def openapi_document(config: ServiceConfig) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with the server's public URL."""
    from .._version import package_version
    from ..schema import case_schema, result_schema

    case, result = _refs(case_schema()), _refs(result_schema())
    defs = {**case.pop("$defs", {}), **result.pop("$defs", {})}
    json_body = {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}},
                 "application/x-ndjson": {"schema": {"type": "string"}}}
    bad = {"400": _error(), "413": _error()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "spinemets service", "version": package_version(),
                 "description": "Published scores for spinal metastases and a NOMS-style "
                                "recommendation. Decision support, not a medical device."},
        "servers": [{"url": config.public_url}],
        "paths": {
            "/assess": {"post": {
                "summary": "One case in, its result out (JSON); or JSON Lines in and out",
                "parameters": [{"name": "ecog_to_kps", "in": "query", "required": False,
                                "schema": {"enum": ["common", "ma_2010", "prasad_2018"]}}],
                "requestBody": {"required": True, "content": json_body},
                "responses": {"200": {"description": "The result (or one line per case)",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/Result"}},
                                          "application/x-ndjson": {
                                              "schema": {"type": "string"}}}},
                              **bad}}},
            "/schema/{name}": {"get": {
                "summary": "JSON Schema of a case or a result",
                "parameters": [{"name": "name", "in": "path", "required": True,
                                "schema": {"enum": ["case", "result"]}}],
                "responses": {"200": {"description": "JSON Schema (draft 2020-12)"}}}},
            "/health": {"get": {"summary": "Liveness (never needs a token)",
                                "responses": {"200": {"description": "ok"}}}},
            "/version": {"get": {"summary": "Library and interchange version",
                                 "responses": {"200": {"description": "versions"}}}},
            "/cds-services": {"get": {"summary": "CDS Hooks discovery",
                                      "responses": {"200": {"description": "services"}}}},
            "/cds-services/{id}": {"post": {
                "summary": "CDS Hooks call (patient-view)",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "cards"}, **bad}}},
            "/cds-services/{id}/feedback": {"post": {
                "summary": "CDS Hooks feedback",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "accepted"}, **bad}}},
        },
        "components": {
            "schemas": {
                "Case": {k: v for k, v in case.items() if k not in ("$schema", "$id")},
                "Result": {k: v for k, v in result.items() if k not in ("$schema", "$id")},
                "Error": {"type": "object", "required": ["interchange", "error"],
                          "properties": {"interchange": {"const": 1}, "error": {
                              "type": "object", "required": ["message", "fields"],
                              "properties": {"message": {"type": "string"},
                                             "fields": {"type": "array",
                                                        "items": {"type": "string"}}}}}},
                **defs,
            },
            "securitySchemes": {"cdsHooksJwt": {"type": "http", "scheme": "bearer",
                                                "bearerFormat": "JWT"}},
        },
    }
