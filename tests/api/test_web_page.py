"""The companion web page in headless Chromium (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_asyncio

from .conftest import PASSWORD, Api

pytestmark = pytest.mark.asyncio(loop_scope="module")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.async_api")
if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip("Debian's chromium is not installed (script/setup --test installs it)", allow_module_level=True)


@pytest_asyncio.fixture(loop_scope="module")
async def page(tmp_path: Path):
    async with playwright_api.async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        )
        try:
            yield await context.new_page()
        finally:
            await context.close()


async def log_in(page, api: Api, name: str) -> None:
    if await api.auth.get_user(name) is None:
        await api.auth.add_user(name, PASSWORD)
    await page.goto(api.url + "/")
    await page.fill("#username", name)
    await page.fill("#password", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#app:not([hidden])")


async def test_log_in_set_a_timer_and_see_it(api: Api, page, tmp_path: Path) -> None:
    await log_in(page, api, "bob")
    await page.wait_for_selector("#live.on")  # the WebSocket is connected and authenticated
    await page.fill("#ask-text", "set a timer for 5 minutes")
    await page.press("#ask-text", "Enter")
    await page.wait_for_selector("#conversation li.reply")
    assert await page.inner_text("#conversation li.reply") == "Timer set for 5 minutes."
    timer = page.locator("#timers li", has_text="5 minute timer")
    await timer.wait_for()
    assert "left" in await timer.inner_text()
    await page.wait_for_selector("#events li")  # the timer_started event arrived live
    await page.screenshot(path=str(tmp_path / "page.png"), full_page=True)


async def test_lists_show_their_items(api: Api, page) -> None:
    await log_in(page, api, "bob")
    await page.fill("#ask-text", "add oat milk to my shopping list")
    await page.press("#ask-text", "Enter")
    entry = page.locator("#lists li", has_text="Shopping List")
    await entry.wait_for()
    await entry.click()
    await page.locator("#list-items li", has_text="oat milk").wait_for()


async def test_wrong_password_is_shown(api: Api, page) -> None:
    await page.goto(api.url + "/")
    await page.fill("#username", "bob")
    await page.fill("#password", "not the password")
    await page.click("#login-form button[type=submit]")
    await page.locator("#login-error", has_text="wrong user name or password").wait_for()
    assert await page.is_hidden("#app")


async def test_a_user_without_the_timers_permission_sees_why(api: Api, page) -> None:
    await log_in(page, api, "carl")
    await page.fill("#ask-text", "set a timer for 5 minutes")
    await page.press("#ask-text", "Enter")
    failed = page.locator("#conversation li.failed")
    await failed.wait_for()
    assert "timers" in await failed.inner_text()


async def test_a_recording_reaches_the_server_as_a_wav(api: Api, tmp_path: Path) -> None:
    """Chromium's fake microphone records a tone; the page turns it into a WAV the server accepts
    (a non-WAV would get 'not a WAV file'; speech itself is off in these tests, hence the 503)."""
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    async with playwright_api.async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=args, headless=True,
        )
        try:
            page = await context.new_page()
            await log_in(page, api, "bob")
            await page.click("#record")
            await page.locator("#record", has_text="Stop").wait_for()
            await page.wait_for_timeout(1200)
            await page.click("#record")
            failed = page.locator("#conversation li.failed")
            await failed.wait_for()
            assert "speech is not available" in await failed.inner_text()
        finally:
            await context.close()
