"""Hear and check one sentence (``podcast say``): what the rules make of it, the phonemes espeak-ng
would say, and its sound as a WAV file."""

from __future__ import annotations

import logging
import wave
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, PublishError
from .lexicon import Lexicon, default_lexicon

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    written: str
    spoken: str  # after the rules and the lexicon: what the voice is asked to say
    phonemes: str | None = None  # espeak-ng's, when asked for
    audio: Path | None = None


def say(
    text: str,
    *,
    lexicon: Lexicon | None = None,
    phonemes: bool = False,
    audio: Path | None = None,
    voice: str = "fr",
) -> Reading:
    """The spoken form of ``text``; with ``phonemes``, espeak-ng's phonemes of it; with ``audio``,
    espeak-ng speaking it written to that WAV file."""
    from . import speaker

    if not text.strip():
        raise InputError("nothing to say (the text is empty)")
    spoken = speaker(lexicon if lexicon is not None else default_lexicon())(" ".join(text.split()))
    said = None
    if phonemes:
        from .phonemes import phonemes as to_phonemes

        said = to_phonemes(spoken, voice)
    if audio is not None:
        from ..voices.espeak import EspeakVoice

        sound = EspeakVoice(voice=voice, workers=1).synthesize([spoken])[0]
        try:
            with open(audio, "wb") as handle, wave.open(handle, "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(sound.rate)
                out.writeframes(sound.pcm)
        except OSError as err:
            raise PublishError(f"cannot write the audio: {err.strerror}", path=audio) from None
    return Reading(text, spoken, said, audio)
