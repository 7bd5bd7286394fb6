"""The offline French voice: the espeak-ng library from the espeakng-loader wheel, through ctypes.

The library keeps global state and is not thread-safe, so each copy of it speaks with one lock held.
Parallel synthesis loads more copies: the shared library file is copied to a private temporary
folder once per extra core and each copy is opened on its own (RTLD_LOCAL, another inode), so each
has its own globals and threads speak at once (ctypes releases the GIL during the call). Worker
processes were tried first: forking a process whose espeak-ng was initialized, then initializing
it again in the child, crashed the children now and then under load (segmentation faults inside
espeak_Synth), and spawning fresh interpreters costs more than the synthesis itself.

Every call starts from the same state, so a text always gives the same samples whatever was spoken
before it in the process: the synthesis cache is keyed by text, and builds must be reproducible
whichever worker speaks which sentence. espeak-ng does not offer that by itself (statics in its wave
generator carry over from one text to the next): :mod:`.espeak_reset` puts them back before each text,
after a self-check at load; where that is not possible, the library is reloaded before each text.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, VoiceError
from . import espeak_reset, registry
from .base import Audio, Progress
from .registry import EspeakOptions

log = logging.getLogger(__name__)

PARALLEL_MIN_CHARS = 1000  # below this, loading another copy of the library costs more than it saves
_VOICE_FILES = {"fr": "fr", "fr-be": "fr-BE", "fr-ch": "fr-CH"}

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1  # and no espeakENDPAUSE: the mastering stage owns every pause
_RATE, _VOLUME, _PITCH, _RANGE, _PUNCTUATION, _CAPITALS, _WORDGAP = 1, 2, 3, 4, 5, 6, 7
_SEED = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


def _loader_paths() -> tuple[str, bytes]:
    try:
        import espeakng_loader

        return espeakng_loader.get_library_path(), espeakng_loader.get_data_path().encode()
    except (ImportError, OSError, RuntimeError) as err:
        raise VoiceError(f"the offline voice cannot load espeak-ng: {err}") from None


_COPIES_DIR: str | None = None
_COPIES_PREFIX = "podcast-espeak-"


def _private_copy(source: str, index: int) -> str:
    """The library file copied to this process's temporary folder. The copy is deleted as soon as
    it is loaded (:meth:`_Library.forget_file`: the mapping lives on), and the folder at exit; a
    folder left by a killed process (its pid in the name) is removed by the next one."""
    global _COPIES_DIR
    if _COPIES_DIR is None:
        sweep_leftovers()
        _COPIES_DIR = tempfile.mkdtemp(prefix=f"{_COPIES_PREFIX}{os.getpid()}-")
        atexit.register(shutil.rmtree, _COPIES_DIR, True)
    target = os.path.join(_COPIES_DIR, f"libespeak-ng-{index}.so")
    if not os.path.exists(target):
        try:
            os.makedirs(_COPIES_DIR, mode=0o700, exist_ok=True)  # emptied and removed once copies load
            shutil.copyfile(source, target)
        except OSError as err:
            raise VoiceError(f"cannot copy espeak-ng for parallel synthesis: {err.strerror}") from None
    return target


def sweep_leftovers() -> None:
    """Remove the copy folders of processes that no longer run (killed before their exit hook)."""
    root = tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        pid_text = name.removeprefix(_COPIES_PREFIX).split("-", 1)[0]
        if not name.startswith(_COPIES_PREFIX) or not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
            continue  # still running (or another user's process): not ours to remove
        except ProcessLookupError:
            pass
        except OSError:
            continue
        log.debug("removing %s, left by a killed process", name)
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)


class _Library:
    """One initialized copy of espeak-ng; :meth:`get` is the process's first, :meth:`pool` adds more."""

    _instance: _Library | None = None
    _copies: list[_Library] = []
    _guard = threading.Lock()

    def __init__(self, path: str | None = None) -> None:
        source, self.data = _loader_paths()
        self.path = path or source
        self._chunks: list[bytes] = []

        def collect(wav: ctypes._Pointer, count: int, _events: int) -> int:
            if count > 0:
                self._chunks.append(ctypes.string_at(wav, count * 2))
            return 0

        self._callback = _CALLBACK(collect)  # keep a reference: the library calls it later
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self._open()
        self._spoken = False
        self._reset = espeak_reset.history_reset(self.lib, self.path)
        if self._reset is None:
            log.debug("espeak-ng's symbol table is unavailable: reloading the library before each text")
            return
        problem = espeak_reset.self_check(lambda text: self.speak(text, *espeak_reset.CHECK_SETTINGS))
        if problem:
            log.warning("espeak-ng: %s; reloading the library before each text instead (slower)", problem)
            self._reset = None
        self.forget_file()

    def forget_file(self) -> None:
        """Delete this copy's private file once it is loaded and never reloaded: the kernel keeps the
        mapping, and nothing is left in the temporary folder even if the process is killed."""
        if self._reset is None or _COPIES_DIR is None or os.path.dirname(self.path) != _COPIES_DIR:
            return  # the shared original, or a copy reloaded before each text: kept
        try:
            os.unlink(self.path)
            os.rmdir(_COPIES_DIR)  # fails while another copy is being made: fine, the exit hook removes it
        except OSError:
            pass

    def _open(self) -> None:
        try:
            lib = ctypes.CDLL(self.path)
        except OSError as err:
            raise VoiceError(f"the offline voice cannot load espeak-ng: {err}") from None
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        self.rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, self.data, 0)
        if self.rate <= 0:
            raise VoiceError("espeak-ng failed to initialize (its data folder is missing?)")
        lib.espeak_SetSynthCallback(self._callback)
        self._seed = getattr(lib, "espeak_ng_SetRandSeed", None)  # espeak-ng >= 1.52
        if self._seed is not None:
            self._seed.argtypes = [ctypes.c_long]
        self.lib = lib

    def _reload(self) -> None:
        """A fresh copy of the library's state: unload it, then load and initialize it again."""
        import _ctypes

        self.lib.espeak_Terminate()
        handle = self.lib._handle
        del self.lib
        _ctypes.dlclose(handle)
        self._open()

    @classmethod
    def get(cls) -> _Library:
        with cls._guard:
            if cls._instance is None or cls._instance.pid != os.getpid():
                sweep_leftovers()  # what a killed run left, at the next start
                cls._instance = cls()
                cls._copies = []
            return cls._instance

    @classmethod
    def pool(cls, count: int) -> list[_Library]:
        """``count`` independent copies (the first is :meth:`get`'s), loaded once per process."""
        copies = [cls.get()]
        cls.load_copies(count, copies.append)
        return copies

    @classmethod
    def load_copies(cls, count: int, ready: Callable[[_Library], None]) -> None:
        """Hand the copies after the first, up to ``count`` in all, to ``ready`` one by one as each
        is loaded (or found loaded): synthesis starts on the first while the others load."""
        first = cls.get()
        for index in range(count - 1):
            with cls._guard:
                if len(cls._copies) <= index:
                    cls._copies.append(cls(_private_copy(first.path, len(cls._copies) + 1)))
                copy = cls._copies[index]
            ready(copy)

    def speak(self, text: str, voice: str, rate: int, pitch: int) -> bytes:
        with self.lock:
            if self._reset is not None:
                self._reset()
            elif self._spoken:
                self._reload()
            self._spoken = True
            if self._seed is not None:  # breath noise and Klatt voices draw from espeak's own generator
                self._seed(_SEED)
            if self.lib.espeak_SetVoiceByName(_VOICE_FILES.get(voice, voice).encode()) != 0:
                raise VoiceError(f"espeak-ng has no voice {voice!r}")
            for parameter, value in (
                (_RATE, rate),
                (_PITCH, pitch),
                (_RANGE, 50),
                (_VOLUME, 100),
                (_PUNCTUATION, 0),
                (_CAPITALS, 0),
                (_WORDGAP, 0),
            ):
                self.lib.espeak_SetParameter(parameter, value, 0)
            data = text.encode("utf-8")
            self._chunks.clear()
            status = self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self.lib.espeak_Synchronize()
            if status != 0:
                raise VoiceError(f"espeak-ng could not speak (error {status})")
            return b"".join(self._chunks)


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
        try:
            registry.check("espeak", EspeakOptions(voice=self.voice, rate=self.words_per_minute, pitch=self.pitch))
        except ConfigError as err:
            raise VoiceError(str(err)) from None
        self.rate = _Library.get().rate

    @property
    def identity(self) -> str:
        # "fresh": samples no longer depend on what was spoken before, unlike older cache entries.
        return f"espeak-ng:{self.voice}:rate={self.words_per_minute}:pitch={self.pitch}:sr={self.rate}:fresh"

    @property
    def description(self) -> str:
        return f"espeak-ng {self.voice} (offline)"

    def synthesize(self, texts: Sequence[str], progress: Progress | None = None) -> list[Audio]:
        texts = list(texts)
        workers = self.workers or os.cpu_count() or 1
        if workers <= 1 or sum(map(len, texts)) < PARALLEL_MIN_CHARS:
            library = _Library.get()
            return [self._speak(library, text, progress) for text in texts]
        libraries: queue.SimpleQueue[_Library] = queue.SimpleQueue()
        libraries.put(_Library.get())

        def speak(text: str) -> Audio:
            library = libraries.get()  # a copy per thread while it speaks: copies share nothing
            try:
                return self._speak(library, text, progress)
            finally:
                libraries.put(library)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="espeak") as pool:
            # The other copies load (copy, dlopen, initialize, self-check: ~20 ms each) on a worker
            # while the first copy already speaks; each joins as soon as it is ready.
            loading = pool.submit(_Library.load_copies, workers, libraries.put)
            spoken = list(pool.map(speak, texts))  # in order
        loading.result()  # a copy that could not load is an error, as when copies loaded first
        return spoken

    def _speak(self, library: _Library, text: str, progress: Progress | None) -> Audio:
        audio = Audio(library.speak(text, self.voice, self.words_per_minute, self.pitch), self.rate)
        if progress:
            progress(1)
        return audio


def from_options(options: EspeakOptions, root: Path | None = None) -> EspeakVoice:
    """The registry's factory: the show's ``[voice.espeak]`` table -> a voice."""
    return EspeakVoice(voice=options.voice, words_per_minute=options.rate, pitch=options.pitch)
