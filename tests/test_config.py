"""Configuration: defaults, clear errors, where the file is found, and the documentation of every key."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from pathlib import Path

import pytest

from astros import config as config_module
from astros.config import (
    AstrOSConfig,
    DatabaseConfig,
    DeviceConfig,
    HomeConfig,
    find_config_file,
    load_config,
    parse_config,
)
from astros.errors import ConfigError

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


@pytest.fixture
def no_config_anywhere(monkeypatch, tmp_path) -> Path:
    """An empty home folder, no ASTROS_CONFIG and no /etc file: where AstrOS would look, nothing."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("ASTROS_CONFIG", raising=False)
    etc = tmp_path / "etc" / "astros" / "config.toml"
    monkeypatch.setattr(config_module, "CONFIG_SEARCH_PATHS", (Path("~/.config/astros/config.toml"), etc))
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- defaults ------------------------------------------------------------------------------------


def test_no_file_means_documented_defaults(no_config_anywhere) -> None:
    config = load_config()
    assert config == AstrOSConfig()
    assert config.source == "<defaults>"
    assert config.data_dir == "~/.local/share/astros"
    assert config.data_path == no_config_anywhere / "home" / ".local" / "share" / "astros"
    assert config.database_path == config.data_path / "astros.db"
    assert config.plugins.auto_load is True and config.plugins.plugin_timeout == 30
    assert config.permissions.default == [
        "home.read", "home.control", "timers", "alarms", "lists", "volume", "memory", "system.read", "files.read",
    ]
    assert config.intents.min_confidence == 0.5 and config.intents.action_confidence == 0.75
    assert config.home == HomeConfig()


def test_empty_file_is_all_defaults() -> None:
    config = parse_config("", "empty.toml")
    assert dataclasses.replace(config, source="<defaults>") == AstrOSConfig()
    assert config.source == "empty.toml"


def test_a_full_home_is_read() -> None:
    config = parse_config(
        """
        timezone = "Europe/Berlin"
        [home]
        area = "Kitchen"
        [[home.floors]]
        name = "Ground floor"
        level = 0
        [[home.areas]]
        name = "Kitchen"
        aliases = ["cookhouse"]
        floor = "Ground floor"
        [[home.devices]]
        name = "Kitchen lights"
        domain = "light"
        area = "Kitchen"
        backend = "gpio"
        pin = "GPIO17"
        [plugins.settings.timers]
        sound = "bell"
        repeat = 3
        """,
        "home.toml",
    )
    assert config.timezone == "Europe/Berlin"
    assert config.home.area == "Kitchen"
    assert config.home.floors[0].level == 0
    assert config.home.areas[0].aliases == ["cookhouse"]
    assert config.home.devices[0] == DeviceConfig(
        name="Kitchen lights", domain="light", area="Kitchen", backend="gpio", pin="GPIO17"
    )
    assert config.plugins.settings == {"timers": {"sound": "bell", "repeat": 3}}


def test_integers_are_accepted_where_numbers_are_expected() -> None:
    config = parse_config("[ai]\ntemperature = 1\n", "f.toml")
    assert config.ai.temperature == 1.0 and isinstance(config.ai.temperature, float)


# -- errors: each names the file, the key and what is allowed ------------------------------------

ERRORS = [
    pytest.param("colour = 1", ["unknown key colour", "allowed keys here:", "data_dir", "timezone"], id="top-level"),
    pytest.param("[databse]\nurl = ''", ["unknown key databse", "database"], id="misspelt table"),
    pytest.param(
        '[[home.areas]]\nname = "Kitchen"\n'
        '[[home.devices]]\nname = "a"\ndomain = "light"\n'
        '[[home.devices]]\nname = "b"\ndomain = "light"\ncolour = "red"',
        ["unknown key home.devices[1].colour", "allowed keys here:", "device_class", "mqtt_format"],
        id="nested unknown key",
    ),
    pytest.param("[plugins]\nplugin_timeout = 'long'", ["plugins.plugin_timeout", "expected an integer", "'long'"],
                 id="wrong type"),
    pytest.param("debug = 1", ["debug", "expected true or false"], id="int for bool"),
    pytest.param("[ai]\ntemperature = true", ["ai.temperature", "expected a number"], id="bool for number"),
    pytest.param("[database]\npool_size = 1.5", ["database.pool_size", "expected an integer"], id="float for int"),
    pytest.param("[plugins]\nenabled_plugins = 'timers'", ["plugins.enabled_plugins", "expected a list"],
                 id="string for list"),
    pytest.param("[plugins]\nenabled_plugins = ['timers', 3]", ["plugins.enabled_plugins[1]", "expected a string"],
                 id="list item type"),
    pytest.param("[plugins.settings]\ntimers = 3", ["plugins.settings.timers", "expected a table"],
                 id="settings not a table"),
    pytest.param("home = 3", ["home", "expected a table"], id="table expected"),
    pytest.param("[plugins]\nplugin_timeout = 0", ["plugins.plugin_timeout", "must be at least 1", "got 0"],
                 id="out of range low"),
    pytest.param("[mqtt]\nport = 70000", ["mqtt.port", "between 1 and 65535"], id="port range"),
    pytest.param("[intents]\nmin_confidence = 1.5", ["intents.min_confidence", "between 0.0 and 1.0"],
                 id="confidence range"),
    pytest.param("log_level = 'loud'", ["log_level", "DEBUG", "WARNING", "'loud'"], id="bad choice"),
    pytest.param('[[home.devices]]\nname = "x"\ndomain = "toaster"', ["home.devices[0].domain", "light", "'toaster'"],
                 id="unknown domain"),
    pytest.param('[[home.devices]]\nname = "x"\ndomain = "light"\nbackend = "gpio"',
                 ["home.devices[0].pin", "GPIO17"], id="gpio without pin"),
    pytest.param('[[home.devices]]\nname = "x"\ndomain = "light"\nbackend = "mqtt"',
                 ["home.devices[0].topic", "needs a topic"], id="mqtt without topic"),
    pytest.param('[[home.devices]]\ndomain = "light"', ["missing key home.devices[0].name"], id="missing name"),
    pytest.param(
        '[[home.areas]]\nname = "Kitchen"\n[[home.areas]]\nname = "Hall"\n'
        '[[home.devices]]\nname = "x"\ndomain = "light"\narea = "Attic"',
        ["home.devices[0].area", "'Attic'", "[[home.areas]]", "Hall, Kitchen"],
        id="device in unknown area",
    ),
    pytest.param('[[home.areas]]\nname = "Kitchen"\nfloor = "Cellar"', ["home.areas[0].floor", "'Cellar'",
                 "none are configured"], id="area on unknown floor"),
    pytest.param('[home]\narea = "Kitchen"', ["home.area", "'Kitchen'", "[[home.areas]]"], id="home area unknown"),
    pytest.param('timezone = "Mars/Olympus_Mons"', ["timezone", "'Mars/Olympus_Mons'", "IANA time zone"],
                 id="unknown time zone"),
    pytest.param('timezone = "../../etc/passwd"', ["timezone", "IANA time zone"], id="time zone path"),
    pytest.param("debug = \n", ["not valid TOML"], id="invalid TOML"),
    pytest.param("[home\n", ["not valid TOML"], id="invalid table header"),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS)
def test_errors_name_the_file_the_key_and_what_is_allowed(text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "/home/ann/.config/astros/config.toml")
    message = str(caught.value)
    assert message.startswith("/home/ann/.config/astros/config.toml: ")
    for part in expected:
        assert part in message
    assert caught.value.code == "config-invalid"
    assert "\n" not in message  # one line a person can read


def test_error_from_a_file_names_that_file(tmp_path) -> None:
    path = write(tmp_path / "astros.toml", "[mqtt]\nport = 'x'\n")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: mqtt.port: expected an integer")):
        load_config(path)


def test_unreadable_file(tmp_path) -> None:
    folder = tmp_path / "a-folder.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match=re.escape(f"{folder}: cannot read the configuration file")):
        load_config(folder)


def test_explicit_missing_file_is_an_error(tmp_path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=re.escape(f"{missing}: cannot read") + ".*No such file"):
        load_config(missing)


def test_file_that_is_not_text(tmp_path) -> None:
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00debug = true")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: not a text file in UTF-8")):
        load_config(path)


# -- lookup order --------------------------------------------------------------------------------


def test_lookup_home_file_before_etc(no_config_anywhere) -> None:
    root = no_config_anywhere
    etc = write(root / "etc" / "astros" / "config.toml", 'log_level = "ERROR"\n')
    assert find_config_file() == etc
    assert load_config().log_level == "ERROR"
    user = write(root / "home" / ".config" / "astros" / "config.toml", 'log_level = "WARNING"\n')
    assert find_config_file() == user
    config = load_config()
    assert config.log_level == "WARNING"
    assert config.source == str(user)


def test_env_variable_beats_the_standard_places(no_config_anywhere, monkeypatch) -> None:
    root = no_config_anywhere
    write(root / "home" / ".config" / "astros" / "config.toml", 'log_level = "WARNING"\n')
    env = write(root / "env.toml", 'log_level = "DEBUG"\n')
    monkeypatch.setenv("ASTROS_CONFIG", str(env))
    assert load_config().log_level == "DEBUG"


def test_explicit_path_beats_everything(no_config_anywhere, monkeypatch) -> None:
    root = no_config_anywhere
    monkeypatch.setenv("ASTROS_CONFIG", str(write(root / "env.toml", 'log_level = "DEBUG"\n')))
    explicit = write(root / "explicit.toml", 'log_level = "CRITICAL"\n')
    assert load_config(explicit).log_level == "CRITICAL"
    assert load_config(str(explicit)).source == str(explicit)


def test_explicit_path_expands_home(no_config_anywhere) -> None:
    write(no_config_anywhere / "home" / "mine.toml", "debug = true\n")
    assert load_config("~/mine.toml").debug is True


# -- data and database paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "DATA/astros.db"),
        ("sqlite:////var/lib/astros/a.db", "/var/lib/astros/a.db"),
        ("sqlite:///relative/a.db", "relative/a.db"),
        ("/srv/astros.db", "/srv/astros.db"),
        ("~/astros.db", "HOME/astros.db"),
    ],
)
def test_database_path_for_url_forms(no_config_anywhere, url: str, expected: str) -> None:
    config = parse_config(f'data_dir = "{no_config_anywhere}/data"\n[database]\nurl = "{url}"\n')
    expected = expected.replace("DATA", f"{no_config_anywhere}/data").replace("HOME", f"{no_config_anywhere}/home")
    assert config.database_path == Path(expected)


def test_data_dir_expands_home(no_config_anywhere) -> None:
    config = parse_config('data_dir = "~/astros-data"\n')
    assert config.data_path == no_config_anywhere / "home" / "astros-data"
    assert config.database_path == no_config_anywhere / "home" / "astros-data" / "astros.db"


# -- the documentation lists exactly the keys that exist, with their real defaults ----------------

TABLES: dict[str, type] = {
    "Top-level keys": AstrOSConfig,
    "[database]": DatabaseConfig,
    "[ai]": config_module.AIConfig,
    "[plugins]": config_module.PluginConfig,
    "[home]": HomeConfig,
    "[[home.floors]]": config_module.FloorConfig,
    "[[home.areas]]": config_module.AreaConfig,
    "[[home.devices]]": DeviceConfig,
    "[mqtt]": config_module.MQTTConfig,
    "[intents]": config_module.IntentsConfig,
    "[permissions]": config_module.PermissionsConfig,
    "[agent]": config_module.AgentConfig,
    "[api]": config_module.ApiConfig,
    "[voice]": config_module.VoiceConfig,
    "[[voice.wake_words]]": config_module.WakeWordConfig,
    "[system]": config_module.SystemConfig,
    "[gpio]": config_module.GpioConfig,
    "[[gpio.buttons]]": config_module.ButtonConfig,
    "[[gpio.leds]]": config_module.LedConfig,
    "[gpio.ring]": config_module.LedRingConfig,
}
TYPE_WORDS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def documented_tables() -> dict[str, dict[str, tuple[str, str]]]:
    """``{section: {key: (type, default)}}`` from the key tables of docs/configuration.md."""
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    section = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### `?([^`]+)`?\s*$", line)
        if heading:
            section = heading.group(1)
            continue
        row = re.match(r"^\| `([a-z_]+)` \| ([^|]+) \| ([^|]+) \|", line)
        if row and section:
            tables.setdefault(section, {})[row.group(1)] = (row.group(2).strip(), row.group(3).strip())
    return tables


def sub_table(hint: typing.Any) -> bool:
    """True for fields that are tables of their own (documented under their own heading)."""
    if dataclasses.is_dataclass(hint):
        return True
    args = typing.get_args(hint)
    return typing.get_origin(hint) is list and bool(args) and dataclasses.is_dataclass(args[0])


def keys_of(cls: type) -> dict[str, dataclasses.Field]:
    hints = typing.get_type_hints(cls)
    return {
        f.name: f
        for f in dataclasses.fields(cls)
        if f.name != "source" and not sub_table(hints[f.name])
    }


def type_word(hint: typing.Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        return type_word(next(a for a in args if a is not type(None)))
    if origin is list:
        return f"list of {type_word(args[0])}s"
    if origin is dict:
        return "table"
    return TYPE_WORDS[hint]


def default_of(f: dataclasses.Field) -> typing.Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return "required"


def test_every_table_is_documented() -> None:
    assert set(documented_tables()) == set(TABLES)


@pytest.mark.parametrize("section", list(TABLES))
def test_documented_keys_match_the_code(section: str) -> None:
    cls = TABLES[section]
    documented = documented_tables()[section]
    fields = keys_of(cls)
    assert sorted(documented) == sorted(fields), f"{section}: docs and code disagree"
    hints = typing.get_type_hints(cls)
    for name, (type_text, default_text) in documented.items():
        assert type_text == type_word(hints[name]), f"{section} {name}: documented type"
        default = default_of(fields[name])
        if default_text in ("none", "required"):
            assert default == (None if default_text == "none" else "required"), f"{section} {name}: default"
        else:
            literal = default_text.strip("`")
            assert tomllib.loads(f"v = {literal}")["v"] == default, f"{section} {name}: documented default"


def test_the_complete_example_in_the_docs_is_valid() -> None:
    text = DOC.read_text(encoding="utf-8")
    examples = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    complete = max(examples, key=len)
    config = parse_config(complete, "example.toml")
    assert config.home.area == "Living Room"
    assert len(config.home.devices) == 3
    for snippet in examples:
        parse_config(snippet, "snippet.toml")


def test_documented_error_lines_are_real(tmp_path) -> None:
    """The "what an error looks like" lines in the docs come from real mistakes."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```text\n(.*?)```", text, flags=re.S).group(1)
    source = "/home/ann/.config/astros/config.toml"
    mistakes = [
        '[[home.areas]]\nname = "Kitchen"\n[[home.devices]]\nname = "a"\ndomain = "light"\n'
        '[[home.devices]]\nname = "b"\ndomain = "light"\ncolour = "red"',
        "[plugins]\nplugin_timeout = 0",
        "[mqtt]\nport = '1883'",
        '[[home.areas]]\nname = "Kitchen"\n[[home.areas]]\nname = "Living Room"\n'
        '[[home.devices]]\nname = "a"\ndomain = "light"\narea = "Attic"',
        'timezone = "Europe/Londn"',
        "[home]\narea\n",
    ]
    for mistake in mistakes:
        with pytest.raises(ConfigError) as caught:
            parse_config(mistake, source)
        assert str(caught.value) in block
