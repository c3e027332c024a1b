"""The OpenAPI document matches the server: valid, every route in it, replies fit its schemas;
and requests generated from it (hypothesis) never get a 5xx or a traceback."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openapi_spec_validator import validate

from astros.api.routes import PREFIX, ROUTES

from .conftest import Api

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def document(api: Api) -> dict[str, Any]:
    status, doc = await api.get("/api/v1/openapi.json")
    assert status == 200
    return doc


async def test_the_document_is_valid_openapi_3_1(api: Api) -> None:
    doc = await document(api)
    validate(doc)
    assert doc["openapi"] == "3.1.0"


async def test_every_route_of_the_server_is_in_the_document(api: Api) -> None:
    paths = (await document(api))["paths"]
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in api.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith(PREFIX) and route.method != "HEAD"
    }
    documented = {(method, path) for path, ops in paths.items() for method in ops}
    assert served == documented


def schema_for(doc: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    content = doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    return {**content, "components": doc["components"]}


async def test_replies_fit_the_documented_schemas(api: Api) -> None:
    doc = await document(api)
    checks = [
        ("post", "/api/v1/process", {"text": "timer status"}),
        ("get", "/api/v1/plugins", None), ("get", "/api/v1/status", None), ("get", "/api/v1/health", None),
        ("get", "/api/v1/timers", None), ("get", "/api/v1/lists", None),
        ("get", "/api/v1/lists/{name}", None), ("post", "/api/v1/process", {"text": 3}),
    ]
    for method, path, body in checks:
        url = path.replace("{name}", "Shopping List")
        reply = await api.client.request(method, url, json=body, headers=await api.bearer("bob"))
        schema = schema_for(doc, path, method, reply.status)
        jsonschema.validate(await reply.json(), schema, cls=jsonschema.Draft202012Validator)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(["text", "context", "username", "password", "x"]), JSON_VALUES, max_size=3),
    JSON_VALUES,
    st.binary(max_size=200),
)
OPERATIONS = [(r.method, PREFIX + r.path, r.auth) for r in ROUTES]


def fill_path(path: str, name: str) -> str:
    return path.replace("{name}", name)


@pytest.mark.timeout(120)
async def test_generated_requests_never_get_a_5xx(api: Api) -> None:
    """A few hundred requests built from the document's operations with arbitrary bodies,
    content types, path values and tokens: every answer is a 2xx-4xx in the envelope."""
    import asyncio

    token = await api.user("bob")
    cases: list[tuple[Any, ...]] = []

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        operation=st.sampled_from(OPERATIONS),
        body=BODIES,
        content_type=st.sampled_from(["application/json", "text/plain", "audio/wav", "", "application/json; x=1"]),
        name=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s),
        auth=st.sampled_from(["good", "none", "junk"]),
    )
    def collect(operation, body, content_type, name, auth) -> None:
        cases.append((operation, body, content_type, name, auth))

    collect()
    for (method, path, _), body, content_type, name, auth in cases:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": content_type} if content_type else {}
        if auth != "none":
            headers["Authorization"] = f"Bearer {token if auth == 'good' else 'x.y.z'}"
        if path.endswith("/auth/logout") and auth == "good":
            continue  # would end the token the other cases use
        from urllib.parse import quote

        reply = await api.client.request(method, fill_path(path, quote(name, safe="")), data=data, headers=headers)
        text = await reply.text()
        assert reply.status < 500 or reply.status == 503, (method, path, reply.status, text)
        assert "Traceback" not in text
        if reply.content_type == "application/json" and reply.status >= 400:
            assert json.loads(text)["error"]["code"]
        await asyncio.sleep(0)
