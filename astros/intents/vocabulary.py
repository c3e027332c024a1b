"""The words AstrOS's intents are made of: which intents only read, which take the requesting
area, and the device words that map to Home Assistant's domains and device classes."""

from __future__ import annotations

from typing import Final

# Intents that only read or answer; every other intent changes something and must be sure.
QUERY_INTENTS: Final = frozenset(
    {
        "HassGetState", "HassGetWeather", "HassGetCurrentTime", "HassGetCurrentDate",
        "HassClimateGetTemperature", "HassTimerStatus", "HassNevermind", "HassRespond",
        "AlarmQuery", "HassListGetItems", "AstrosMemoryRecall", "AstrosMemoryList",
        "AstrosSystemStatus", "AstrosFilesOrganizePreview",
    }
)

# Intents that act on "here" (the requesting area) when no device, area or floor is named.
AREA_INTENTS: Final = frozenset(
    {
        "HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition", "HassClimateGetTemperature",
        "HassClimateSetTemperature", "HassMediaPause", "HassMediaUnpause", "HassMediaNext",
        "HassMediaPrevious", "HassMediaSearchAndPlay", "HassMediaPlayerMute", "HassMediaPlayerUnmute",
        "HassSetVolume", "HassSetVolumeRelative", "HassStartTimer",
    }
)

# Nouns of state questions ("are any batteries low?") that name a binary sensor class.
BINARY_SENSOR_NOUNS: Final = frozenset(
    {
        "battery", "carbon_monoxide", "gas", "smoke", "motion", "occupancy", "moisture", "sound",
        "opening", "window", "door",
    }
)

# "things"/"devices" + a state word -> the binary sensor class that state belongs to.
STATE_WORD_CLASSES: Final = {
    "cold": "cold", "hot": "heat", "connected": "connectivity", "disconnected": "connectivity",
    "plugged in": "plug", "unplugged": "plug", "powered on": "power", "powered off": "power",
    "home": "presence", "gone": "presence", "away": "presence", "running": "running",
    "charging": "battery_charging", "low": "battery", "wet": "moisture", "dry": "moisture",
    "triggered": None, "detected": None, "vibrating": "vibration", "locked": "lock",
    "unlocked": "lock",
}

# Binary-sensor answers: what "open", "locked" ... mean as on/off.
BINARY_STATE: Final = {
    "open": "on", "closed": "off", "locked": "off", "unlocked": "on", "on": "on", "off": "off",
}

# Spoken device words -> (domain, device_class) for the tolerant layer.
DEVICE_WORDS: Final = {
    "light": ("light", None), "lights": ("light", None), "lamp": ("light", None), "lamps": ("light", None),
    "lighting": ("light", None), "bulb": ("light", None), "bulbs": ("light", None),
    "fan": ("fan", None), "fans": ("fan", None),
    "switch": ("switch", None), "plug": ("switch", None), "socket": ("switch", None),
    "outlet": ("switch", None),
    "curtain": ("cover", "curtain"), "curtains": ("cover", "curtain"), "blind": ("cover", "blind"),
    "blinds": ("cover", "blind"), "shade": ("cover", "shade"), "shades": ("cover", "shade"),
    "shutters": ("cover", "shutter"), "window": ("cover", "window"), "windows": ("cover", "window"),
    "garage": ("cover", "garage"),
    "lock": ("lock", None), "locks": ("lock", None), "door": ("lock", None), "doors": ("lock", None),
    "vacuum": ("vacuum", None), "roomba": ("vacuum", None), "hoover": ("vacuum", None),
    "tv": ("media_player", None), "television": ("media_player", None), "speaker": ("media_player", None),
    "speakers": ("media_player", None),
    "thermostat": ("climate", None), "heating": ("climate", None), "heater": ("climate", None),
}

COLORS: Final = (
    "red", "green", "blue", "yellow", "orange", "purple", "pink", "white", "warm white", "cool white",
    "cyan", "magenta", "violet", "indigo", "turquoise", "teal", "lime", "amber", "gold", "lavender",
    "brown", "gray", "grey",
)

UP_WORDS: Final = frozenset(
    {"up", "louder", "raise", "increase", "higher", "brighter", "brighten", "more", "boost", "loudest",
     "max", "maximum", "bright", "hear"}
)
DOWN_WORDS: Final = frozenset(
    {"down", "lower", "quieter", "softer", "decrease", "reduce", "dim", "dimmer", "darker", "less",
     "quiet", "low", "soft", "slow", "minimize", "dark"}
)

# "play ..." that asks for a game, not for media: these words in what is to be played.
GAME_WORDS: Final = frozenset(
    {
        "game", "games", "chess", "checkers", "draughts", "poker", "solitaire", "cards", "trivia", "quiz",
        "puzzle", "pinball", "snake", "tic", "toe", "monopoly", "scrabble", "sudoku", "crossword",
        "millionaire", "millionaires", "backgammon", "bingo", "hangman", "blackjack", "dominoes", "darts",
        "riddle", "riddles", "minecraft", "tetris", "football", "soccer", "tennis", "golf", "level",
    }
)
