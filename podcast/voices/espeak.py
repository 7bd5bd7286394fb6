"""The offline French voice: the espeak-ng library from the espeakng-loader wheel, through ctypes.

The library keeps global state and is not thread-safe, so one process speaks with one lock held;
parallel synthesis uses worker processes (see :func:`synthesize`).
"""

from __future__ import annotations

import ctypes
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from ..errors import VoiceError
from .base import Audio, Progress

VOICES = ("fr", "fr-be", "fr-ch")
_VOICE_FILES = {"fr": "fr", "fr-be": "fr-BE", "fr-ch": "fr-CH"}

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE, _PITCH = 1, 3
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Library:
    """One initialized espeak-ng per process."""

    _instance: "_Library | None" = None
    _guard = threading.Lock()

    def __init__(self) -> None:
        try:
            import espeakng_loader

            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path()
        except (ImportError, OSError, RuntimeError) as err:
            raise VoiceError(f"the offline voice cannot load espeak-ng: {err}") from None
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        self.rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), 0)
        if self.rate <= 0:
            raise VoiceError("espeak-ng failed to initialize (its data folder is missing?)")
        self._chunks: list[bytes] = []

        def collect(wav: ctypes._Pointer, count: int, _events: int) -> int:
            if count > 0:
                self._chunks.append(ctypes.string_at(wav, count * 2))
            return 0

        self._callback = _CALLBACK(collect)  # keep a reference: the library calls it later
        lib.espeak_SetSynthCallback(self._callback)
        self.lib = lib
        self.lock = threading.Lock()

    @classmethod
    def get(cls) -> "_Library":
        with cls._guard:
            if cls._instance is None or cls._instance.pid != os.getpid():
                instance = cls()
                instance.pid = os.getpid()
                cls._instance = instance
            return cls._instance

    pid: int = 0

    def speak(self, text: str, voice: str, rate: int, pitch: int) -> bytes:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(_VOICE_FILES.get(voice, voice).encode()) != 0:
                raise VoiceError(f"espeak-ng has no voice {voice!r}")
            self.lib.espeak_SetParameter(_RATE, rate, 0)
            self.lib.espeak_SetParameter(_PITCH, pitch, 0)
            data = text.encode("utf-8")
            self._chunks.clear()
            status = self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self.lib.espeak_Synchronize()
            if status != 0:
                raise VoiceError(f"espeak-ng could not speak (error {status})")
            return b"".join(self._chunks)


def _speak_batch(args: tuple[list[str], str, int, int]) -> list[bytes]:
    texts, voice, rate, pitch = args
    library = _Library.get()
    return [library.speak(text, voice, rate, pitch) for text in texts]


@dataclass
class EspeakVoice:
    """espeak-ng speaking French, offline, on every core."""

    voice: str = "fr"
    words_per_minute: int = 170
    pitch: int = 50
    workers: int = 0  # 0: one per core

    engine = "espeak"
    max_chars = None
    rate = 22050

    def __post_init__(self) -> None:
        if self.voice not in VOICES:
            raise VoiceError(f"unknown espeak voice {self.voice!r}; choose one of {', '.join(VOICES)}")
        if not 80 <= self.words_per_minute <= 450:
            raise VoiceError("voice.espeak_rate must be between 80 and 450 words per minute")
        if not 0 <= self.pitch <= 100:
            raise VoiceError("voice.espeak_pitch must be between 0 and 100")
        self.rate = _Library.get().rate

    @property
    def identity(self) -> str:
        return f"espeak-ng:{self.voice}:rate={self.words_per_minute}:pitch={self.pitch}:sr={self.rate}"

    @property
    def description(self) -> str:
        return f"espeak-ng {self.voice} (offline)"

    def synthesize(self, texts: Sequence[str], progress: Progress | None = None) -> list[Audio]:
        texts = list(texts)
        workers = self.workers or os.cpu_count() or 1
        total = sum(len(t) for t in texts)
        if workers <= 1 or total < 4000:
            library = _Library.get()
            out = []
            for text in texts:
                out.append(Audio(library.speak(text, self.voice, self.words_per_minute, self.pitch), self.rate))
                if progress:
                    progress(1)
            return out
        batches = _batches(texts, workers * 4)
        results: list[Audio] = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            jobs = [(batch, self.voice, self.words_per_minute, self.pitch) for batch in batches]
            for batch, pcms in zip(batches, pool.map(_speak_batch, jobs)):
                results.extend(Audio(pcm, self.rate) for pcm in pcms)
                if progress:
                    progress(len(batch))
        return results


def _batches(texts: list[str], count: int) -> list[list[str]]:
    """Contiguous batches of about equal text length, so workers finish together."""
    total = sum(len(t) for t in texts) or 1
    target = total / count
    batches: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if size >= target and batches[-1]:
            batches.append([])
            size = 0
        batches[-1].append(text)
        size += len(text)
    return batches
