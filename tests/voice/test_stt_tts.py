"""Speech to text and text to speech with the real models (loaded once for the session)."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from astros.errors import ModelNotFoundError
from astros.voice.engines import VoiceEngines
from astros.voice.stt import WhisperSpeechToText, home_prompt
from astros.voice.tts import PiperTextToSpeech

from astros.voice.audio import read_audio

from .conftest import DATA, WAKE, recording


@pytest.fixture(autouse=True)
def plain_dictation(engines: VoiceEngines):
    """Each test starts from open dictation, whatever the one before it set."""
    prompt, check, candidates = engines.stt.prompt, engines.stt.command_check, engines.stt.candidates
    yield
    engines.stt.prompt, engines.stt.command_check, engines.stt.candidates = prompt, check, candidates


@pytest.fixture
def home_commands(engines: VoiceEngines, agent) -> VoiceEngines:
    """The engines knowing this home's commands, as the pipeline sets them up (prompt, check, grammar)."""
    from astros.voice.known import command_candidates, command_check

    engines.stt.prompt = home_prompt(["Kitchen", "Living Room", "Office", "Kitchen lights", "Living room lamp"])
    engines.stt.command_check = command_check(agent.recognizer, "Living Room")
    engines.stt.candidates = command_candidates(agent.recognizer)
    return engines


async def test_a_command_is_transcribed(engines: VoiceEngines) -> None:
    transcript = await engines.stt.transcribe(recording("turn off lights in the Office"))
    assert transcript.text.lower().rstrip(".") == "turn off lights in the office"
    assert transcript.audio_s == pytest.approx(2.91, abs=0.05)


async def test_home_names_bias_recognition(engines: VoiceEngines) -> None:
    engines.stt.prompt = home_prompt(["Shopping List", "Office"])
    transcript = await engines.stt.transcribe(recording("add apples to my Shopping List"))
    assert "shopping list" in transcript.text.lower()


def test_missing_model_names_the_path(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError, match=f"No faster-whisper model at {tmp_path}"):
        WhisperSpeechToText(str(tmp_path))


def test_missing_voice_names_the_file(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError, match="voice.onnx is missing"):
        PiperTextToSpeech(str(tmp_path / "voice.onnx"))


async def test_first_sentence_arrives_before_the_rest_is_made(engines: VoiceEngines) -> None:
    text = "Timer set for 5 minutes. " + " ".join(["This second sentence is long, and it takes a while to say."] * 3)
    started = time.perf_counter()
    arrivals = []
    async for sentence in engines.tts.synthesize(text):
        arrivals.append((time.perf_counter() - started, len(sentence.samples) / sentence.rate))
        await asyncio.sleep(0)
    assert len(arrivals) == 4
    assert arrivals[0][0] < arrivals[-1][0] / 2
    assert 1.0 < arrivals[0][1] < 3.0


async def test_spoken_reply_transcribes_back(engines: VoiceEngines) -> None:
    from astros.voice.audio import resample

    audio = await asyncio.to_thread(engines.tts.synthesize_all, "Turned off the kitchen lights.")
    text = (await engines.stt.transcribe(resample(audio.samples, audio.rate, 16_000))).text
    assert text.lower().rstrip(".") == "turned off the kitchen lights"


async def test_a_known_command_is_preferred_to_dictation(home_commands: VoiceEngines) -> None:
    stt = home_commands.stt
    weather = await stt.transcribe(recording("what's the weather"))
    noise = await stt.transcribe(read_audio(WAKE / "background_noise.wav")[: 3 * 16_000])
    chatter = await stt.transcribe(read_audio(DATA / "speech" / "general" / "jfk.wav")[: 3 * 16_000])
    assert weather.command.intent == "HassGetWeather" and weather.how in ("short", "grammar", "n-best")
    assert noise.command is None and chatter.command is None


async def test_a_short_window_is_decoded_on_a_budget_of_one_command(engines: VoiceEngines) -> None:
    from astros.voice.decode import short_first_tokens, short_frames, short_max_tokens

    decoder, samples = engines.stt.decoder, recording("turn off lights in the Office")
    encoded = decoder.encode(samples, short_frames(samples))
    whole = decoder.decode(encoded, None, max_new_tokens=short_max_tokens(samples))[0]
    budgeted = decoder.decode_command(encoded, None, samples)
    assert budgeted.tokens <= short_first_tokens(samples) < whole.tokens  # the repeats were never decoded
    assert budgeted.text.lower().startswith("turn off lights in the office")


async def test_commands_the_short_window_misses_are_found_without_the_30_s_window(home_commands: VoiceEngines) -> None:
    from astros.voice.decode import FULL_FRAMES

    stt, windows = home_commands.stt, []
    encode = stt.decoder.encode
    stt.decoder.encode = lambda samples, frames: windows.append(frames) or encode(samples, frames)
    # "pause" after the wake word's last 0.74 s (where it is detected), cut where the pipeline
    # cuts it (1.98 s in all): the short window hears "I can't pause,"
    wake = read_audio(WAKE / "wyoming_openwakeword" / "hey_jarvis.wav")
    try:
        pause = await stt.transcribe(np.concatenate([wake[-11_840:], recording("pause")])[:31_744])
        pause_windows = list(windows)
        noise = await stt.transcribe(read_audio(WAKE / "background_noise.wav")[: 3 * 16_000])
    finally:
        del stt.decoder.encode
    assert pause.command.intent == "HassMediaPause" and pause.text == "Pause.", pause
    assert len(pause_windows) == 2 and FULL_FRAMES not in pause_windows, windows  # the short window, then the long one
    assert noise.command is None and windows[-1] == FULL_FRAMES  # no command in the long window: the full one decides


async def test_a_transcription_no_longer_needed_stops_after_the_short_window(home_commands: VoiceEngines) -> None:
    from astros.voice.stt import Abandoned

    stt = home_commands.stt
    known = await stt.transcribe(recording("what time is it"), lambda: True)
    with pytest.raises(Abandoned):  # not a command in the short window: nothing after it is started
        await stt.transcribe(read_audio(DATA / "speech" / "general" / "jfk.wav")[: 3 * 16_000], lambda: True)
    assert known.command.intent == "HassGetCurrentTime" and known.how == "short"


async def test_the_long_window_is_searched_only_when_the_grammar_finds_nothing(home_commands: VoiceEngines) -> None:
    stt, searches = home_commands.stt, []
    decode_each = stt.decoder.decode_each
    stt.decoder.decode_each = lambda *args, **kwargs: searches.append(args) or decode_each(*args, **kwargs)
    wake = read_audio(WAKE / "wyoming_openwakeword" / "hey_jarvis.wav")
    pause = np.concatenate([wake[-11_840:], recording("pause")])[:31_744]
    try:  # the long window is encoded while the grammar looks: ...
        found = stt._near_or_long(pause, stt.prompt, stt.command_check, lambda: ("Pause.", object(), "grammar"))
        stt._ahead.submit(lambda: None).result()  # ... then given up, once the grammar has a command
        searched_after_a_grammar_find = len(searches)
        missed = stt._near_or_long(pause, stt.prompt, stt.command_check, lambda: None)
    finally:
        del stt.decoder.decode_each
    assert found[0] == "Pause." and searched_after_a_grammar_find == 0
    assert missed[0] == "Pause." and missed[2] == "n-best" and len(searches) == 1
