"""Only the holder of a live token gets in, only as themselves; nothing secret reaches the log."""

from __future__ import annotations

import logging
import time

import jwt
import pytest
from aiohttp import WSMsgType

from astros.security.auth import SECRET_FILE

from .conftest import PASSWORD, PROTECTED, Api

pytestmark = pytest.mark.asyncio(loop_scope="module")


def secret(api: Api) -> bytes:
    return (api.data_path / SECRET_FILE).read_bytes().strip()


async def bad_tokens(api: Api) -> dict[str, str | None]:
    """Every kind of token that must be refused, by name."""
    token = await api.user("tess")
    claims = jwt.decode(token, secret(api), algorithms=["HS256"])
    revoked = await api.auth.create_session(await api.auth.get_user("tess"))
    await api.auth.revoke_session(revoked.id)
    expired = {**claims, "exp": int(time.time()) - 10}
    return {
        "missing": None,
        "malformed": "not.a.jwt",
        "expired": jwt.encode(expired, secret(api), algorithm="HS256"),
        "revoked": revoked.token,
        "forged": jwt.encode(claims, b"0" * 64, algorithm="HS256"),
        "unsigned": jwt.encode(claims, None, algorithm="none"),
        "other-user": jwt.encode({**claims, "sub": "root"}, secret(api), algorithm="HS256"),
    }


async def test_every_protected_endpoint_refuses_every_bad_token(api: Api) -> None:
    for kind, token in (await bad_tokens(api)).items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for method, path in PROTECTED:
            reply = await api.client.request(method, path, json={"text": "timer status"}, headers=headers)
            body = await reply.json()
            assert reply.status == 401, f"{kind} token on {method} {path}: {reply.status}"
            assert body["success"] is False and body["error"]["code"], (kind, path)


async def test_login_and_health_need_no_token(api: Api) -> None:
    assert (await api.client.get("/api/v1/health")).status == 200
    await api.user("tess")
    reply = await api.client.post("/api/v1/auth/login", json={"username": "tess", "password": PASSWORD})
    assert reply.status == 200


async def test_failed_logins_are_limited_per_user(api: Api) -> None:
    await api.auth.add_user("mallory", PASSWORD)
    for _ in range(3):
        reply = await api.client.post("/api/v1/auth/login", json={"username": "mallory", "password": "guess1234"})
        assert reply.status == 401
    reply = await api.client.post("/api/v1/auth/login", json={"username": "mallory", "password": PASSWORD})
    body = await reply.json()
    assert reply.status == 429 and body["error"]["code"] == "too-many-attempts"
    assert int(reply.headers["Retry-After"]) > 0
    # another user is not held up by mallory's attempts
    await api.auth.add_user("nina", PASSWORD)
    reply = await api.client.post("/api/v1/auth/login", json={"username": "nina", "password": PASSWORD})
    assert reply.status == 200


async def test_a_user_cannot_open_another_users_websocket(api: Api, session) -> None:
    token = await api.user("bob")
    async with session.ws_connect(api.ws_url("root")) as ws:
        await ws.send_json({"type": "auth", "data": {"token": token}})
        msg = await ws.receive(timeout=5)
        assert msg.type == WSMsgType.CLOSE and msg.data == 4003


async def test_timers_of_the_household_are_read_as_the_caller(api: Api) -> None:
    """The token decides who is asking: a body or context naming someone else changes nothing."""
    status, body = await api.post(
        "/api/v1/process", {"text": "set a timer for 4 minutes", "context": {"user_id": "root"}}, user="bob"
    )
    assert status == 200 and body["data"]["user_id"] == "bob"


async def test_passwords_and_tokens_never_reach_the_log(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await api.auth.add_user("quinn", "s3cret-Password-xyz")
    reply = await api.client.post("/api/v1/auth/login", json={"username": "quinn", "password": "s3cret-Password-xyz"})
    token = (await reply.json())["data"]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    await api.client.post("/api/v1/process", json={"text": "set a timer for 2 minutes"}, headers=headers)
    await api.client.post("/api/v1/auth/login", json={"username": "quinn", "password": "wrong-Password-abc"})
    await api.client.get("/api/v1/status", headers={"Authorization": f"Bearer {token}x"})
    await api.client.post("/api/v1/auth/logout", headers=headers)
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "quinn logged in" in text  # the log does record what happened
    for secret_text in ("s3cret-Password-xyz", "wrong-Password-abc", token, token.split(".")[2]):
        assert secret_text not in text
