"""The assistant itself: hello, what it can do, whether it listens, where data goes; announcements.

``HassRespond`` answers small talk about AstrOS. Which question was asked is read from the
``response`` slot when it names a topic (``greeting``, ``capabilities``, ``listening``, ``privacy``,
``about``, ``thanks``) and otherwise from the words of the request ("what can you do?" ->
capabilities). The answers are honest: AstrOS runs on the appliance, listens only for its wake word,
and keeps data on the device - except what the configuration itself sends out (the weather
service gets the configured location; a cloud language model, if one is configured, gets the
questions no skill understood), which the privacy answer names.

"What can I say?" lists what the enabled built-in skills do, with example requests (also in
``Response.suggestions`` and ``data["examples"]``).

``HassBroadcast`` (slot ``message``) publishes an ``announcement`` event ``{message}``, which the
voice output speaks, and answers "Announced: dinner is ready.".

No settings and no permissions.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

from astros.events import EventType
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response

SKILLS: Dict[str, Tuple[str, str]] = {
    "timers": ("run timers", "Set a timer for 5 minutes"),
    "alarms": ("wake you up", "Wake me up at 7"),
    "home": ("control your lights and devices", "Turn off the kitchen lights"),
    "lists": ("keep your shopping and to-do lists", "Add milk to my shopping list"),
    "clock": ("tell you the time and date", "What time is it?"),
    "weather": ("check the weather", "What's the weather like tomorrow?"),
    "media": ("control your media players", "Pause the TV"),
    "volume": ("change my volume", "Turn the volume up"),
}
"""Built-in skill -> (what it lets AstrOS do, an example request)."""

LOCAL_AI_PROVIDERS = frozenset({"", "local", "ollama", "llama_cpp", "llamacpp", "llama.cpp"})

TOPIC_WORDS: List[Tuple[str, re.Pattern[str]]] = [
    ("privacy", re.compile(r"\b(data|privacy|private|cloud|share|sharing|send|sent|stored?|safe)\b")),
    ("listening", re.compile(r"\b(listen\w*|record\w*|hear(ing)? me|spy\w*)\b")),
    ("capabilities", re.compile(r"\b(what can|what do you do|help|commands?|able|skills?|features?|abilities)\b")),
    ("about", re.compile(r"\b(who|your name|what are you|made you|built you)\b")),
    ("thanks", re.compile(r"\b(thank\w*|cheers|good job|well done|great job)\b")),
]

LISTENING = (
    "I hear sound all the time, but only to notice my wake word, and that happens right here on this "
    "device. Nothing is recorded or sent anywhere; after the wake word I listen to one request and "
    "handle it here too."
)
ABOUT = "I'm AstrOS, a voice assistant for your home. I run entirely on this device, and I'm open-source software."


class AssistantPlugin(BasePlugin):
    """Small talk about AstrOS itself, and announcements."""

    name = "assistant"
    version = "1.0.0"
    description = "Greetings, what AstrOS can do, privacy answers and announcements"
    author = "AstrOS"

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @plugin_handler("HassRespond")
    async def respond(self, intent: Intent) -> Response:
        """Answer a greeting or a question about AstrOS."""
        topic = self.topic(intent)
        if topic == "capabilities":
            return self._capabilities()
        answers = {
            "listening": LISTENING,
            "privacy": self._privacy(),
            "about": ABOUT,
            "thanks": "You're welcome!",
        }
        return Response(True, answers.get(topic, "Hi! How can I help?"), data={"topic": topic})

    @plugin_handler("HassBroadcast")
    async def broadcast(self, intent: Intent) -> Response:
        """Announce ``message`` (an ``announcement`` event the voice output speaks)."""
        message = " ".join(str(intent.entities.get("message") or "").split()).strip(" .!")
        if not message:
            return Response(False, "What should I announce?")
        self.context.events.emit(EventType.ANNOUNCEMENT, message=message)
        return Response(True, f"Announced: {message}.", data={"message": message})

    # -- answers ---------------------------------------------------------------------------------

    @staticmethod
    def topic(intent: Intent) -> str:
        """Which question ``intent`` asks: a topic name, or ``greeting``."""
        slot = str(intent.entities.get("response") or "")
        if slot in {name for name, _ in TOPIC_WORDS}:
            return slot
        text = intent.original_request.text.lower().replace("'", "")
        return next((name for name, pattern in TOPIC_WORDS if pattern.search(text)), "greeting")

    def enabled_skills(self) -> List[str]:
        """The built-in skills the configuration lets run, in the order of :data:`SKILLS`."""
        plugins = self.context.config.plugins
        enabled = set(plugins.enabled_plugins)
        wanted = (lambda n: n in enabled) if enabled or not plugins.auto_load else (lambda n: True)
        return [name for name in SKILLS if wanted(name)]

    def _capabilities(self) -> Response:
        skills = self.enabled_skills()
        examples = [SKILLS[name][1] for name in skills]
        if not skills:
            message = "I have no skills switched on right now; see the plugins section of my configuration."
            return Response(True, message, data={"topic": "capabilities", "examples": []})
        abilities = [SKILLS[name][0] for name in skills]
        said = " or ".join(f'"{example}"' for example in examples[:2])
        message = f"I can {_join(abilities)}. Try saying {said}."
        return Response(True, message, data={"topic": "capabilities", "examples": examples}, suggestions=examples[:5])

    def _privacy(self) -> str:
        parts = [
            "Your data stays on this device: I work offline, and what you say, your lists and your "
            "settings are handled and kept here."
        ]
        if "weather" in self.enabled_skills():
            parts.append("When you ask for the weather, your location, never your voice, is sent to the weather service.")
        provider = self.context.config.ai.default_provider
        if provider.lower() not in LOCAL_AI_PROVIDERS:
            parts.append(f"Questions my skills don't understand are sent to {provider}, the language model you set up.")
        return " ".join(parts)


def _join(parts: List[str]) -> str:
    """Parts the way a list is said: a, b and c."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"

