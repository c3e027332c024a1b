"""Whisper decoding for commands: a short encoder window, n-best hypotheses, repeats cut.

faster-whisper always encodes a 30 s window; for a two-second command most of that is padding and
the encoder is most of the time. :class:`CommandDecoder` encodes just the audio plus a margin of
1 s (several times faster) for a first greedy guess; when that is not a known command, the caller
lists the n best hypotheses (with and without the home prompt) of the audio plus 8 s, and only
when none of them is a command those of the full 30 s window (whose encoding takes about four
times as long: 0.3 s instead of 0.08 s here). Whisper fed a window shorter than 30 s tends to
repeat what it heard ("next, next, next"), so such decodings get a token budget and the repeats
are cut (:func:`cut_repeats`).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Optional

import numpy as np

from .audio import SAMPLE_RATE

FULL_FRAMES: Final = 3000  # Whisper's 30 s window, in 10 ms feature frames
SHORT_MARGIN_FRAMES: Final = 100  # what a short window adds after the audio
SHORT_MIN_FRAMES: Final = 300
SHORT_MAX_AUDIO_S: Final = 12.0  # longer audio goes straight to the full window
LONG_MARGIN_FRAMES: Final = 800  # what the n-best (long) window adds after the audio
MAX_PROMPT_TOKENS: Final = 223
MAX_NEW_TOKENS: Final = 224  # with the prompt, Whisper's 448 positions


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One decoding: text, mean log-probability per token, whether the home prompt was used,
    Whisper's no-speech probability and how many tokens were decoded."""

    text: str
    score: float
    prompted: bool
    no_speech: float = 0.0
    tokens: int = 0


def cut_repeats(text: str) -> str:
    """``text`` up to where one of its clauses, or its first words, start again ("Next, next,
    next," -> "Next"; "Back, lights, lights," -> "Back, lights"). A clause of three or more words
    that differs from an earlier one only in its first word is a repeat too: Whisper tends to hear
    a repeated "Add apples ..." as "and apples ..."."""
    clauses = [c for c in re.split(r"(?<=[,.!?;])\s*", text.strip()) if c.strip(" ,.!?;")]
    if not clauses:
        return text.strip()
    kept = [clauses[0]]
    for clause in clauses[1:]:
        if any(_repeats(clause, earlier) for earlier in kept):
            break
        kept.append(clause)
    result = " ".join(kept).strip()
    result = result.rstrip(",;") if len(kept) < len(clauses) else result
    return _cut_word_repeat(result)


def _repeats(clause: str, earlier: str) -> bool:
    """True when ``clause`` says ``earlier`` again (its first word aside, when it has three or more)."""
    words, before = _norm(clause).split(), _norm(earlier).split()
    return words == before or (len(words) >= 3 and len(words) == len(before) and words[1:] == before[1:])


def _cut_word_repeat(text: str) -> str:
    """``text`` up to where its first two or more words start again, commas or not ("And, apples
    to my list, and apples to my list" -> "And, apples to my list")."""
    tokens = text.split()
    words = [_norm(token) for token in tokens]
    for period in range(2, len(words) // 2 + 1):
        if words[period : 2 * period] == words[:period]:
            return " ".join(tokens[:period]).rstrip(",;")
    return text


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


class CommandDecoder:
    """Low-level Whisper calls on a loaded :class:`faster_whisper.WhisperModel` (English or a fixed language)."""

    def __init__(self, model: Any, language: str) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.model = model
        self.tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                                   language=language)
        self._pool = ThreadPoolExecutor(model.model.num_workers, thread_name_prefix="whisper-align")

    def encode(self, samples: np.ndarray, frames: int) -> Any:
        """The encoder output for int16 ``samples`` in a window of ``frames`` feature frames
        (:func:`short_frames`, :func:`long_frames` or :data:`FULL_FRAMES`)."""
        features = self.model.feature_extractor(samples.astype(np.float32) / 32768.0)
        features = features[:, :frames]
        if features.shape[-1] < frames:
            features = np.pad(features, ((0, 0), (0, frames - features.shape[-1])))
        return self.model.encode(features)

    def start(self, prompt: Optional[str]) -> list[int]:
        """Decoder start tokens: the prompt (as previous text), then start of transcript, no timestamps."""
        tokens: list[int] = []
        if prompt:
            tokens = [self.tokenizer.sot_prev, *self.tokenizer.encode(" " + prompt.strip())[-MAX_PROMPT_TOKENS:]]
        return tokens + [*self.tokenizer.sot_sequence, self.tokenizer.no_timestamps]

    def decode(self, encoded: Any, prompt: Optional[str], *, beam_size: int = 1, hypotheses: int = 1,
               max_new_tokens: int = MAX_NEW_TOKENS) -> list[Hypothesis]:
        """The ``hypotheses`` best decodings, best first."""
        return self.decode_each(encoded, [prompt], beam_size=beam_size, hypotheses=hypotheses,
                                max_new_tokens=max_new_tokens)[0]

    def decode_each(self, encoded: Any, prompts: list[Optional[str]], *, beam_size: int = 1, hypotheses: int = 1,
                    max_new_tokens: int = MAX_NEW_TOKENS) -> list[list[Hypothesis]]:
        """:meth:`decode` with each of ``prompts``, all at once on the model's workers (one a core:
        two one-thread searches side by side take half the time of two two-thread ones in a row)."""
        pending = []
        for prompt in prompts:
            start = self.start(prompt)
            pending.append(self.model.model.generate(
                encoded, [start], asynchronous=True, beam_size=beam_size, num_hypotheses=hypotheses,
                return_scores=True, return_no_speech_prob=True, max_length=len(start) + max_new_tokens,
                suppress_blank=True)[0])
        return [self._hypotheses(result.result(), prompt) for result, prompt in zip(pending, prompts)]

    def _hypotheses(self, result: Any, prompt: Optional[str]) -> list[Hypothesis]:
        return [Hypothesis(self.tokenizer.decode(ids).strip(), float(score), bool(prompt), result.no_speech_prob,
                           len(ids)) for ids, score in zip(result.sequences_ids, result.scores)]

    def decode_command(self, encoded: Any, prompt: Optional[str], samples: np.ndarray) -> Hypothesis:
        """The greedy decoding of a short window, given first a budget of one command's tokens
        (:func:`short_first_tokens`) and the whole :func:`short_max_tokens` only when that was not
        enough to finish what was said."""
        first = short_first_tokens(samples)
        guess = self.decode(encoded, prompt, max_new_tokens=first)[0]
        if first >= short_max_tokens(samples) or sentence_finished(guess, first):
            return guess
        return self.decode(encoded, prompt, max_new_tokens=short_max_tokens(samples))[0]


    def score(self, encoded: Any, frames: int, texts: list[str], prompt: Optional[str] = None, *,
              after: str = "") -> list[float]:
        """Mean log-probability per token of each of ``texts`` said in ``encoded`` (teacher-forced,
        one batch): how well a known sentence fits the audio, on the scale of :attr:`Hypothesis.score`.
        With ``after`` (a beginning all ``texts`` share, such as a filler), only the tokens after it count."""
        if not texts:
            return []
        tokens = [self.tokenizer.encode(" " + text.strip()) for text in texts]
        skip = len(self.tokenizer.encode(" " + after.strip())) if after.strip() else 0
        start = self.start(prompt)[:-1]  # the aligner adds "no timestamps" itself
        share = -(-len(texts) // self.model.model.num_workers)  # one part of the batch per worker, side by side
        parts = [tokens[i : i + share] for i in range(0, len(tokens), share)]
        results = [r for part in self._pool.map(lambda part: self._align(encoded, frames, start, part), parts)
                   for r in part]
        return [_mean_log(r.text_token_probs[skip:]) if tokens[i][skip:] else -99.0 for i, r in enumerate(results)]

    def _align(self, encoded: Any, frames: int, start: list[int], tokens: list[list[int]]) -> list[Any]:
        import ctranslate2

        batch = np.ascontiguousarray(np.repeat(np.asarray(encoded), len(tokens), axis=0))
        return self.model.model.align(ctranslate2.StorageView.from_array(batch), start, tokens,
                                      [frames] * len(tokens), median_filter_width=1)


def _mean_log(probabilities: Any) -> float:
    """The mean log of ``probabilities`` (floored, so a zero does not make it infinite)."""
    return float(np.mean(np.log(np.maximum(np.asarray(probabilities, np.float32), 1e-9))))


def whisper_style(sentence: str, like: str) -> str:
    """A template sentence written the way Whisper writes (and so scores best): a capital first
    letter, "%" after a number, and the end mark of ``like`` (the text Whisper heard)."""
    text = re.sub(r"(\d) ?(percent|per cent)\b", r"\1%", sentence.strip())
    text = text[:1].upper() + text[1:]
    end = like.strip()[-1:] if like.strip()[-1:] in (".", "?", "!") else ""
    return text + end


def short_frames(samples: np.ndarray) -> int:
    """The short window for ``samples``: the audio plus a margin, in feature frames (even)."""
    frames = min(FULL_FRAMES, max(SHORT_MIN_FRAMES, len(samples) // 160 + 1 + SHORT_MARGIN_FRAMES))
    return frames + frames % 2


def long_frames(samples: np.ndarray) -> int:
    """The long window for ``samples``: the audio plus :data:`LONG_MARGIN_FRAMES`, at most 30 s (even)."""
    frames = min(FULL_FRAMES, len(samples) // 160 + 1 + LONG_MARGIN_FRAMES)
    return frames + frames % 2


def short_max_tokens(samples: np.ndarray) -> int:
    """Tokens a decoding of a window shorter than 30 s may produce: enough for fast speech, not
    for long repeats."""
    return min(MAX_NEW_TOKENS, int(12 + 8 * len(samples) / SAMPLE_RATE))


def short_first_tokens(samples: np.ndarray) -> int:
    """Tokens a short-window decoding gets at first: one spoken command's worth (a command of d
    seconds takes at most about 4 tokens a second), since in a short window Whisper tends to
    repeat the command until its budget runs out, and each token costs several milliseconds."""
    return min(short_max_tokens(samples), int(4 + 4 * len(samples) / SAMPLE_RATE))


def sentence_finished(hypothesis: Hypothesis, tokens: int) -> bool:
    """True when a decoding given ``tokens`` tokens said all it had to say: it stopped before the
    budget, began to repeat itself, or ended a sentence."""
    text = hypothesis.text.strip()
    return hypothesis.tokens < tokens or cut_repeats(text) != text or text.endswith((".", "?", "!"))
