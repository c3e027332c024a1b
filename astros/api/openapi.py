"""The OpenAPI 3.1 document of the companion API, built from the route table in :mod:`.routes`."""

from __future__ import annotations

from typing import Any, Dict, List

STR = {"type": "string"}
ERROR = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"const": False},
        "error": {"type": "object", "required": ["code", "message"],
                  "properties": {"code": STR, "message": STR}},
    },
}


def _ok(data: Dict[str, Any], message: bool = False) -> Dict[str, Any]:
    props: Dict[str, Any] = {"success": {"type": "boolean"}, "data": data}
    if message:
        props["message"] = STR
    return {"type": "object", "required": ["success", "data"], "properties": props}


def _object(required: List[str], **props: Any) -> Dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


REPLY = _object(
    ["success", "message"],
    success={"type": "boolean"},
    message=STR,
    data={"type": ["object", "null"]},
    suggestions={"type": "array", "items": STR},
    requires_followup={"type": "boolean"},
)
SCHEMAS: Dict[str, Any] = {
    "Error": ERROR,
    "LoginRequest": _object(["username", "password"], username={"type": "string", "maxLength": 64},
                            password={"type": "string", "maxLength": 1024}),
    "LoginReply": _ok(_object(["user_id", "session_id", "token", "expires_at"], user_id=STR, session_id=STR,
                              token=STR, expires_at={"type": "number"})),
    "Message": _object(["success", "message"], success={"type": "boolean"}, message=STR),
    "ProcessRequest": _object(["text"], text={"type": "string", "minLength": 1, "maxLength": 1000},
                              context={"type": "object"}),
    "TtsRequest": _object(["text"], text={"type": "string", "minLength": 1, "maxLength": 1000}),
    "Reply": REPLY,
    "AudioReply": {**REPLY, "properties": {**REPLY["properties"], "transcript": STR,
                                           "audio": {"type": "string", "contentEncoding": "base64",
                                                     "contentMediaType": "audio/wav"}}},
    "Wav": {"type": "string", "contentMediaType": "audio/wav"},
    "PluginsReply": _ok(_object(["plugins"], plugins={"type": "array", "items": _object(
        ["name", "version", "status", "description"], name=STR, version=STR, status={"enum": ["active", "failed"]},
        description=STR, author=STR, intents={"type": "array", "items": STR}, error={"type": ["string", "null"]})})),
    "StatusReply": _ok(_object(
        ["status", "uptime", "plugins_loaded", "active_sessions", "memory_usage", "cpu_usage"],
        status=STR, uptime={"type": "integer"}, plugins_loaded={"type": "integer"},
        active_sessions={"type": "integer"}, memory_usage={"type": "number"}, cpu_usage={"type": "number"},
        version=STR, websocket_clients={"type": "integer"})),
    "HealthReply": _ok(_object(["status", "version"], status=STR, version=STR)),
    "TimersReply": _ok(_object(["timers"], timers={"type": "array", "items": {"type": "object"}}), message=True),
    "ListsReply": _ok(_object(["lists"], lists={"type": "array", "items": _object(
        ["name", "items"], name=STR, items={"type": "integer"})})),
    "ListReply": _ok(_object(["list", "items"], list=STR, items={"type": "array", "items": _object(
        ["id", "item"], id=STR, item=STR, created_at=STR, completed_at={"type": ["string", "null"]})}),
        message=True),
    "OpenApi": {"type": "object"},
}
STATUS_TEXT = {400: "Bad request", 401: "Not logged in, or the token is not valid", 403: "Not allowed",
               404: "Not found", 413: "Body too large", 415: "Wrong content type", 422: "Nothing heard",
               429: "Too many failed logins", 503: "Not available now"}


def _content(kind: str) -> Dict[str, Any]:
    if "/" in kind:
        return {kind: {"schema": {"type": "string", "contentMediaType": kind}}}
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{kind}"}}}


def _operation(route: Any) -> Dict[str, Any]:
    responses: Dict[str, Any] = {"200": {"description": "OK", "content": _content(route.response)}}
    for status in sorted(set(route.errors)):
        responses[str(status)] = {"description": STATUS_TEXT.get(status, "Error"), "content": _content("Error")}
    operation: Dict[str, Any] = {
        "summary": route.summary,
        "operationId": route.handler.__name__,
        "responses": responses,
        "security": [{"bearerAuth": []}] if route.auth else [],
    }
    if route.parameters:
        operation["parameters"] = route.parameters
    if route.request is not None:
        kind, schema = route.request
        body = {kind: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
        operation["requestBody"] = {"required": True, "content": body}
    return operation


def build_document(routes: List[Any], version: str) -> Dict[str, Any]:
    """The OpenAPI 3.1 document for ``routes``."""
    from .routes import PREFIX

    paths: Dict[str, Dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "AstrOS companion API", "version": version,
                 "description": "Talk to an AstrOS appliance: log in, ask, read timers and lists. "
                                "Live updates arrive over the WebSocket /ws/{user_id} (see docs/api.md)."},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
