"""The REST endpoints as a phone app uses them, against a real appliance on loopback."""

from __future__ import annotations

import io
import wave

import pytest

from .conftest import PASSWORD, Api

pytestmark = pytest.mark.asyncio(loop_scope="module")


def wav_bytes(seconds: float = 0.5, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


async def test_login_returns_a_token_the_other_endpoints_accept(api: Api) -> None:
    await api.auth.add_user("lena", PASSWORD)
    reply = await api.client.post("/api/v1/auth/login", json={"username": "lena", "password": PASSWORD})
    body = await reply.json()
    assert reply.status == 200 and body["success"] is True
    assert body["data"]["user_id"] == "lena" and body["data"]["session_id"] and body["data"]["token"]
    status = await api.client.get("/api/v1/status", headers={"Authorization": f"Bearer {body['data']['token']}"})
    assert status.status == 200


async def test_wrong_password_is_401_in_the_envelope(api: Api) -> None:
    await api.user("bob")
    reply = await api.client.post("/api/v1/auth/login", json={"username": "bob", "password": "not it at all"})
    assert reply.status == 401
    assert await reply.json() == {
        "success": False, "error": {"code": "invalid-credentials", "message": "wrong user name or password"}
    }


async def test_process_sets_a_timer_and_the_timers_endpoint_shows_it(api: Api) -> None:
    status, body = await api.post("/api/v1/process", {"text": "set a timer for 5 minutes"})
    assert status == 200
    assert body["success"] is True and body["message"] == "Timer set for 5 minutes."
    assert body["data"]["user_id"] == "bob"
    status, body = await api.get("/api/v1/timers")
    assert status == 200
    assert any(t["seconds"] == 300 for t in body["data"]["timers"])
    assert "5 minute" in body["message"]


async def test_a_request_not_understood_is_an_answer_not_an_error(api: Api) -> None:
    status, body = await api.post("/api/v1/process", {"text": "recite a sonnet about tax law"})
    assert status == 200
    assert body["success"] is False and "understand" in body["message"] and body["suggestions"]


async def test_permissions_of_the_logged_in_user_apply(api: Api) -> None:
    """carl has no 'timers' permission: the API refuses for him what it does for bob."""
    status, body = await api.post("/api/v1/process", {"text": "set a timer for 3 minutes"}, user="carl")
    assert status == 403 and body["error"]["code"] == "permission-denied"
    assert "timers" in body["error"]["message"]
    status, body = await api.get("/api/v1/timers", user="carl")
    assert status == 403
    status, body = await api.get("/api/v1/lists", user="carl")
    assert status == 403


async def test_an_admin_holds_every_permission(api: Api) -> None:
    await api.user("root", admin=True)
    status, body = await api.post("/api/v1/process", {"text": "set a timer for 7 minutes"}, user="root")
    assert status == 200 and body["message"] == "Timer set for 7 minutes."


async def test_lists_and_one_list(api: Api) -> None:
    status, body = await api.post("/api/v1/process", {"text": "add apples to my shopping list"})
    assert status == 200 and body["success"], body
    status, body = await api.get("/api/v1/lists")
    assert status == 200
    lists = {entry["name"]: entry["items"] for entry in body["data"]["lists"]}
    assert lists["Shopping List"] >= 1 and "To-do List" in lists
    status, body = await api.get("/api/v1/lists/Shopping%20List")
    assert status == 200 and body["data"]["list"] == "Shopping List"
    assert [item["item"] for item in body["data"]["items"]] == ["apples"]
    status, body = await api.get("/api/v1/lists/Nonexistent")
    assert status == 404 and body["error"]["code"] == "no-such-list"


async def test_plugins_status_health(api: Api) -> None:
    status, body = await api.get("/api/v1/plugins")
    names = {p["name"]: p for p in body["data"]["plugins"]}
    assert status == 200 and names["timers"]["status"] == "active"
    assert "HassStartTimer" in names["timers"]["intents"]
    status, body = await api.get("/api/v1/status")
    assert status == 200 and body["data"]["status"] == "running" and body["data"]["plugins_loaded"] >= 5
    reply = await api.client.get("/api/v1/health")
    assert reply.status == 200 and (await reply.json())["data"]["status"] == "ok"


async def test_logout_ends_the_token(api: Api) -> None:
    token = await api.user("dora")
    headers = {"Authorization": f"Bearer {token}"}
    reply = await api.client.post("/api/v1/auth/logout", headers=headers)
    assert reply.status == 200 and (await reply.json())["message"] == "Logged out."
    reply = await api.client.get("/api/v1/status", headers=headers)
    assert reply.status == 401 and (await reply.json())["error"]["code"] == "session-revoked"


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "malformed-json"),
        (b"[1, 2]", {"Content-Type": "application/json"}, 400, "invalid-request"),
        (b'{"text": 5}', {"Content-Type": "application/json"}, 400, "invalid-request"),
        (b'{"text": "   "}', {"Content-Type": "application/json"}, 400, "invalid-request"),
        (b"text=hello", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported-media-type"),
        (b"x" * 5_000_000, {"Content-Type": "application/json"}, 413, "payload-too-large"),
        (b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"}, 400, "malformed-json"),
    ],
)
async def test_bad_bodies_get_the_right_4xx_in_the_envelope(api: Api, body, headers, status, code) -> None:
    reply = await api.client.post("/api/v1/process", data=body, headers={**headers, **await api.bearer("bob")})
    assert reply.status == status
    payload = await reply.json()
    assert payload["success"] is False and payload["error"]["code"] == code and payload["error"]["message"]


async def test_unknown_route_and_wrong_method(api: Api) -> None:
    reply = await api.client.get("/api/v1/nothing-here")
    assert reply.status == 404 and (await reply.json())["error"]["code"] == "not-found"
    reply = await api.client.delete("/api/v1/timers")
    assert reply.status == 405 and (await reply.json())["error"]["code"] == "method-not-allowed"


async def test_audio_that_is_not_a_wav_is_a_clear_400(api: Api) -> None:
    headers = {**await api.bearer("bob"), "Content-Type": "audio/wav"}
    reply = await api.client.post("/api/v1/audio", data=b"ID3 this is an mp3, honest", headers=headers)
    body = await reply.json()
    assert reply.status == 400 and body["error"]["code"] == "not-wav" and "not a WAV" in body["error"]["message"]
    reply = await api.client.post("/api/v1/audio", data=b"x", headers={**headers, "Content-Type": "text/plain"})
    assert reply.status == 415


async def test_speech_endpoints_say_when_speech_is_not_available(api: Api) -> None:
    headers = {**await api.bearer("bob"), "Content-Type": "audio/wav"}
    reply = await api.client.post("/api/v1/audio", data=wav_bytes(), headers=headers)
    body = await reply.json()
    assert reply.status == 503 and "speech is not available" in body["error"]["message"]
    status, body = await api.post("/api/v1/tts", {"text": "hello"})
    assert status == 503 and body["error"]["code"] == "speech-unavailable"


async def test_audio_with_an_attached_engine_answers_the_transcript(api: Api) -> None:
    from astros.api.keys import SPEECH

    heard: list[bytes] = []

    async def transcribe(wav: bytes) -> str:
        heard.append(wav)
        return "set a timer for 9 minutes"

    async def synthesize(text: str) -> bytes:
        return wav_bytes(0.1)

    api.app[SPEECH].attach(transcribe, synthesize)
    try:
        headers = {**await api.bearer("bob"), "Content-Type": "audio/wav"}
        reply = await api.client.post("/api/v1/audio", data=wav_bytes(), headers=headers)
        body = await reply.json()
        assert reply.status == 200 and body["transcript"] == "set a timer for 9 minutes"
        assert body["message"] == "Timer set for 9 minutes." and heard
        reply = await api.client.post("/api/v1/tts", json={"text": "hello"}, headers=await api.bearer("bob"))
        assert reply.status == 200 and reply.content_type == "audio/wav"
        assert (await reply.read())[:4] == b"RIFF"
    finally:
        api.app[SPEECH].attach(None, None)


async def test_web_page_is_served(api: Api) -> None:
    reply = await api.client.get("/")
    assert reply.status == 200 and "AstrOS" in await reply.text()
