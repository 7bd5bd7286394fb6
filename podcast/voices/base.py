"""What every speech engine offers, and the audio it returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

Progress = Callable[[int], None]  # called with how many segments were just finished


@dataclass(frozen=True)
class Audio:
    """Raw speech: signed 16-bit little-endian mono PCM at ``rate`` Hz."""

    pcm: bytes
    rate: int

    @property
    def samples(self) -> int:
        return len(self.pcm) // 2

    @property
    def seconds(self) -> float:
        return self.samples / self.rate


@runtime_checkable
class Voice(Protocol):
    """An engine configured with a voice; one instance speaks a whole episode."""

    engine: str  # registry name: "espeak", "gtts", ...
    max_chars: int | None  # longest text one request may carry; None: no limit
    rate: int  # sample rate of the Audio it returns

    @property
    def identity(self) -> str:
        """Engine, voice and options: everything but the text that changes the sound (cache key)."""

    @property
    def description(self) -> str:
        """For producers: "espeak-ng fr (offline)"."""

    def synthesize(self, texts: Sequence[str], progress: Progress | None = None) -> list[Audio]:
        """Speak each text; results in the same order. Raises VoiceError."""
