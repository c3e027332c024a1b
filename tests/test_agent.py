"""AstrOSAgent end to end: words in, a plugin acts, a sentence out."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import pytest_asyncio

from astros import AstrOSAgent, BasePlugin, Intent, Response, UserRequest, plugin_handler
from astros.config import parse_config
from astros.errors import ProcessingError
from astros.response import EXAMPLES
from astros.types import utcnow

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOME = """
timezone = "UTC"

[home]
area = "Kitchen"

[[home.areas]]
name = "Kitchen"

[[home.areas]]
name = "Bedroom"

[[home.devices]]
name = "Kitchen lights"
domain = "light"
area = "Kitchen"

[[home.devices]]
name = "Bedroom lamp"
domain = "light"
area = "Bedroom"
"""

_sessions = itertools.count()


class Parrot(BasePlugin):
    """A plugin registered by hand, with its own sentences."""

    name = "parrot"
    version = "0.1"
    description = "Repeats a word"
    author = "tests"
    sentences: Path

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def sentence_files(self) -> list[Path]:
        return [self.sentences]

    @plugin_handler("ParrotSay")
    async def say(self, intent: Intent) -> Response:
        return Response(True, f"Polly says {intent.entities['word']}.")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def agent(tmp_path_factory):
    data = tmp_path_factory.mktemp("astros-data")
    agent = AstrOSAgent(config=parse_config(f'data_dir = "{data}"\n' + HOME, "agent-test.toml"))
    await agent.start()
    yield agent
    await agent.stop()


async def ask(agent: AstrOSAgent, text: str, session: str | None = None, user: str = "owner") -> Response:
    session = session or f"session-{next(_sessions)}"
    return await agent.process_request(UserRequest(text, user, session, utcnow()))


async def test_status_while_running(agent) -> None:
    status = await agent.get_status()
    assert status.status == "running"
    assert status.uptime >= 0
    assert status.memory_usage > 0
    assert status.cpu_usage >= 0
    assert status.plugins_loaded == len(agent.plugins.plugins) > 0
    assert {"timers", "home"} <= set(agent.plugins.plugins)


async def test_active_sessions_counts_sessions(agent) -> None:
    before = (await agent.get_status()).active_sessions
    await ask(agent, "what time is it", session="counting-a")
    await ask(agent, "what time is it", session="counting-a")
    await ask(agent, "what time is it", session="counting-b")
    assert (await agent.get_status()).active_sessions == before + 2


async def test_a_timer(agent) -> None:
    reply = await ask(agent, "set a timer for 5 minutes")
    assert reply.success is True
    assert reply.message == "Timer set for 5 minutes."
    assert reply.metadata["intent"] == "HassStartTimer"
    assert "Cancel the timer" in reply.suggestions


async def test_a_light(agent) -> None:
    on = await ask(agent, "turn on the kitchen lights")
    assert (on.success, on.message) == (True, "Turned on the Kitchen lights.")
    assert (await ask(agent, "are the kitchen lights on")).message.startswith("Yes,")
    off = await ask(agent, "kill the lights in the kitchen")
    assert (off.success, off.message) == (True, "Turned off the kitchen lights.")
    assert off.metadata["intent"] == "HassTurnOff"
    state = await ask(agent, "are the kitchen lights on")
    assert state.metadata["intent"] == "HassGetState"
    assert state.message.startswith("No,")


async def test_not_understood_apologises_with_suggestions(agent) -> None:
    reply = await ask(agent, "blorp fizzle wibble")
    assert reply.success is False
    assert reply.message == "Sorry, I didn't understand that."
    assert reply.suggestions == EXAMPLES
    assert reply.metadata["error"] == "not-understood"


async def test_an_empty_request(agent) -> None:
    reply = await ask(agent, "   ")
    assert reply.success is False and reply.message == "I didn't catch a request."


async def test_an_unsure_change_asks_first_then_yes_acts(agent) -> None:
    # Not a template sentence: the tolerant layer guesses HassTurnOn, below action_confidence.
    session = "confirm-yes"
    await ask(agent, "turn off the bedroom lamp")
    question = await ask(agent, "i'd love some light in the bedroom", session=session)
    assert question.requires_followup is True
    assert question.message.startswith("Did you mean: turn on")
    assert "Bedroom" in question.message
    assert (await ask(agent, "is the bedroom lamp on")).message.startswith("No,")  # nothing happened yet

    done = await ask(agent, "yes", session=session)
    assert done.success is True
    assert done.metadata["intent"] == "HassTurnOn"
    assert done.message == "Turned on the bedroom lights."
    assert (await ask(agent, "is the bedroom lamp on")).message == "Yes, the Bedroom lamp is on."


async def test_an_unsure_change_answered_no_does_nothing(agent) -> None:
    session = "confirm-no"
    await ask(agent, "turn off the bedroom lamp")
    question = await ask(agent, "give me light in the bedroom", session=session)
    assert question.requires_followup is True
    assert (await ask(agent, "no", session=session)).message == "Okay, I won't."
    assert (await ask(agent, "is the bedroom lamp on")).message.startswith("No,")
    # The question is not left waiting: a later "yes" is just a "yes".
    assert (await ask(agent, "yes", session=session)).metadata.get("intent") != "HassTurnOn"


async def test_register_plugin_with_its_own_sentences(agent, tmp_path) -> None:
    sentences = tmp_path / "en.yaml"
    sentences.write_text(
        "language: en\n"
        "intents:\n"
        "  ParrotSay:\n"
        "    data:\n"
        "      - sentences:\n"
        "          - \"parrot say {word}\"\n"
        "lists:\n"
        "  word:\n"
        "    values:\n"
        "      - cracker\n"
        "      - hello\n",
        encoding="utf-8",
    )
    parrot = Parrot()
    parrot.sentences = sentences
    agent.register_plugin(parrot)
    reply = await ask(agent, "parrot say cracker")
    assert reply.message == "Polly says cracker."
    assert "parrot" in agent.plugins.plugins
    assert (await agent.get_status()).plugins_loaded == len(agent.plugins.plugins)


async def test_requests_before_start_and_after_stop_are_refused(tmp_path) -> None:
    agent = AstrOSAgent(config=parse_config(f'data_dir = "{tmp_path}"\n[plugins]\nenabled_plugins = ["clock"]\n'))
    with pytest.raises(ProcessingError, match="not running"):
        await ask(agent, "what time is it")
    status = await agent.get_status()
    assert (status.status, status.uptime) == ("stopped", 0)
    await agent.start()
    try:
        reply = await ask(agent, "what time is it")
        assert reply.success and re.search(r"\d", reply.message)
    finally:
        await agent.stop()
    assert (await agent.get_status()).status == "stopped"
    with pytest.raises(ProcessingError):
        await ask(agent, "what time is it")


async def test_chatter_heard_by_the_microphone_is_not_answered_as_a_request(agent) -> None:
    chatter = "You can do for your country."  # a loose guess of the tolerant layer, at its floor
    typed = await ask(agent, chatter)
    assert typed.success and typed.metadata.get("error") != "not-understood"  # typed, it is answered
    spoken = await agent.process_request(UserRequest(chatter, "voice", "session-chatter", utcnow(),
                                                     {"format": "voice", "heard": "dictation"}))
    assert spoken.metadata["error"] == "not-understood"
    command = await agent.process_request(UserRequest("what time is it", "voice", "session-time", utcnow(),
                                                      {"format": "voice", "heard": "dictation"}))
    assert command.success and command.message.startswith("It's")  # a sure match still acts
