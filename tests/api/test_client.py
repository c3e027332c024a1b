"""HTTPClient against the real server on 127.0.0.1, as a script or phone app would use it."""

from __future__ import annotations

import pytest

from astros.api.client import HTTPClient
from astros.errors import AstrOSError, AuthenticationError

from .conftest import PASSWORD, Api, free_port

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_login_process_plugins_status(api: Api) -> None:
    await api.user("bob")
    async with HTTPClient(api.url) as client:
        login = await client.login("bob", PASSWORD)
        assert login["success"] is True and client.token == login["data"]["token"]
        reply = await client.process_request("set a timer for 12 minutes")
        assert reply["success"] is True and reply["message"] == "Timer set for 12 minutes."
        plugins = await client.get_plugins()
        assert "timers" in {p["name"] for p in plugins}
        status = await client.get_system_status()
        assert status["status"] == "running"
        await client.logout()
        with pytest.raises(AuthenticationError):
            await client.get_system_status()


async def test_a_token_given_up_front_is_used(api: Api) -> None:
    async with HTTPClient(api.url + "/api/v1/", token=await api.user("bob")) as client:
        assert (await client.get_system_status())["status"] == "running"


async def test_clear_errors(api: Api) -> None:
    async with HTTPClient(api.url) as client:
        with pytest.raises(AuthenticationError, match="wrong user name or password") as caught:
            await client.login("bob", "nope-nope-nope")
        assert caught.value.code == "invalid-credentials"
        with pytest.raises(AuthenticationError, match="login"):
            await client.process_request("hello")  # no token yet
    async with HTTPClient(api.url, token=await api.user("carl")) as client:
        with pytest.raises(AstrOSError, match="timers") as caught:
            await client.process_request("set a timer for 1 minute")
        assert caught.value.code == "permission-denied"
    async with HTTPClient(f"http://127.0.0.1:{free_port()}", token="x") as client:
        with pytest.raises(AstrOSError, match="cannot reach AstrOS") as caught:
            await client.get_plugins()
        assert caught.value.code == "connection-failed"
