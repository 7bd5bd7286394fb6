"""Piper's neural French voices, offline: piper-tts (espeak-ng phonemes, onnxruntime on the CPU).

Everything a bad setting can break is checked when the voice is made, before any synthesis: the
model file exists, onnxruntime reads it and it has Piper's inputs, its ``.onnx.json`` sits beside
it, the speaker exists. The model is loaded once per process (:data:`_LOADED`, keyed by path and
sha256), and segments are spoken in parallel on every core.

Parallelism: one onnxruntime session per worker thread, each limited to one intra-op thread, beats
one session shared by the threads (which then fight over its intra-op pool): see
``scripts/bench-piper`` and docs/benchmarks.md for the figures. Sessions share nothing, so a text's audio
never depends on which worker spoke it.

Reproducibility: a Piper voice draws random noise (``RandomNormalLike`` in its graph, seeded by
onnxruntime per session and advancing with every call), so the same text gives slightly different
samples from one synthesis to the next. What stays byte-identical: every rebuild served by the
segment cache (the key holds the model's sha256, its config's sha256 and every setting), and, with
``noise_scale = 0`` and ``noise_w = 0``, any synthesis at all: the PCM is then a pure function of
text, model and settings, whatever the worker or the order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import ConfigError, VoiceError
from .base import Audio, Progress
from .registry import PiperOptions

log = logging.getLogger(__name__)

REQUIRED_INPUTS = ("input", "input_lengths", "scales")


def resolve_model(model: str, base: Path | None = None) -> Path:
    """The .onnx file a ``model`` setting names: a path (relative to ``base``) or an installed voice."""
    if model.endswith(".onnx") or "/" in model or os.sep in model:
        path = Path(model).expanduser()
        return path if path.is_absolute() else (base or Path.cwd()) / path
    from . import store

    found = store.find(model)
    if found is None:
        raise VoiceError(f"voice.piper.model: {store.not_installed(model)}")
    return found


def file_digest(path: Path) -> str:
    """sha256 of a file, remembered per (path, size, mtime): a 60 MB voice is read once per process."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _GUARD:
        known = _DIGESTS.get(key)
    if known is None:
        sha = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
        known = sha.hexdigest()
        with _GUARD:
            _DIGESTS[key] = known
    return known


_GUARD = threading.Lock()
_DIGESTS: dict[tuple[str, int, int], str] = {}
_LOADED: dict[tuple[str, str, str], _Model] = {}  # (model path, model sha256, config sha256)


class _Model:
    """One voice file in memory: its config, and onnxruntime sessions added as workers need them."""

    def __init__(self, path: Path, config_path: Path, key: tuple[str, str, str]) -> None:
        import onnxruntime
        from piper.config import PiperConfig

        self.path = path
        self.key = key
        try:
            self.raw = json.loads(config_path.read_text(encoding="utf-8"))
            self.config = PiperConfig.from_dict(self.raw)
        except (OSError, ValueError, KeyError, TypeError) as err:
            problem = f"missing key {err}" if isinstance(err, KeyError) else err
            raise VoiceError(f"voice.piper.model: {config_path} is not a Piper voice config ({problem})") from None
        self._onnxruntime = onnxruntime
        first = self._session(threads=1)  # reads the graph once: a file that is not ONNX fails here
        names = {item.name for item in first.get_inputs()}
        missing = [name for name in REQUIRED_INPUTS if name not in names]
        if missing:
            raise VoiceError(f"voice.piper.model: {path} is not a Piper voice (no input {missing[0]!r})")
        self.sessions: list[Any] = [first]
        self._shared: Any = None
        self.lock = threading.Lock()

    def _session(self, threads: int) -> Any:
        options = self._onnxruntime.SessionOptions()
        options.log_severity_level = 3  # onnxruntime writes its warnings to stderr itself: errors only
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        try:
            return self._onnxruntime.InferenceSession(
                str(self.path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as err:
            reason = str(err).splitlines()[0][:160] if str(err) else type(err).__name__
            raise VoiceError(
                f"voice.piper.model: {self.path} is not an ONNX model onnxruntime can read ({reason})"
            ) from None

    @property
    def shared(self) -> Any:
        """One session on every core, for a lone text (made on first use)."""
        with self.lock:
            if self._shared is None:
                self._shared = self._session(threads=0)
            return self._shared

    def pool(self, count: int) -> list[Any]:
        """``count`` single-threaded sessions, made once per process and reused by every voice."""
        with self.lock:
            while len(self.sessions) < count:
                self.sessions.append(self._session(threads=1))
            return self.sessions[:count]


def load_model(path: Path) -> _Model:
    """The voice at ``path``, loaded once per process; a missing or unreadable file is one VoiceError."""
    config_path = Path(f"{path}.json")
    if not path.is_file():
        raise VoiceError(f"voice.piper.model: no model file {path}")
    if not config_path.is_file():
        raise VoiceError(f"voice.piper.model: {path.name} needs its config {config_path.name} beside it")
    try:
        key = (str(path.resolve()), file_digest(path), file_digest(config_path))
    except OSError as err:
        raise VoiceError(f"voice.piper.model: cannot read {path}: {err.strerror}") from None
    with _GUARD:
        model = _LOADED.get(key)
    if model is None:
        model = _Model(path, config_path, key)
        with _GUARD:
            model = _LOADED.setdefault(key, model)
    return model


def _import_piper() -> None:
    try:
        import onnxruntime  # noqa: F401
        import piper  # noqa: F401
    except ImportError as err:
        raise VoiceError(f"the piper engine needs piper-tts: pip install 'podcast-builder[piper]' ({err})") from None


class PiperVoice:
    """A Piper voice speaking French on every core; one instance speaks a whole episode."""

    engine: str = "piper"
    max_chars: int | None = None
    rate: int

    def __init__(
        self, options: PiperOptions | None = None, base: Path | None = None, *, shared_session: bool = False
    ) -> None:
        """``shared_session`` makes every worker use one multi-threaded session (for the benchmark)."""
        self.options = options or PiperOptions()
        _import_piper()
        self.path = resolve_model(self.options.model, base)
        self.model = load_model(self.path)
        config = self.model.config
        self.rate = config.sample_rate
        self.speaker_id = self._speaker(config.num_speakers, dict(config.speaker_id_map))
        self.length_scale = _pick(self.options.length_scale, config.length_scale)
        self.noise_scale = _pick(self.options.noise_scale, config.noise_scale)
        self.noise_w = _pick(self.options.noise_w, config.noise_w_scale)
        self.shared_session = shared_session
        from importlib.metadata import version  # phonemes change with the espeak-ng inside piper-tts

        self.piper_version = version("piper-tts")

    def _speaker(self, count: int, names: dict[str, int]) -> int | None:
        wanted = self.options.speaker.strip()
        if count <= 1:
            if wanted:
                raise ConfigError(f"voice.piper.speaker: {self.path.name} has a single speaker; remove the setting")
            return None
        if not wanted:
            return int(self.model.config.default_speaker_id)
        if wanted in names:
            return names[wanted]
        if wanted.isdigit() and int(wanted) < count:
            return int(wanted)
        listed = ", ".join(sorted(names)[:8]) + (" ..." if len(names) > 8 else "")
        raise ConfigError(
            f"voice.piper.speaker: {self.path.name} has no speaker {wanted!r} "
            f"(its {count} speakers: {listed or f'ids 0 to {count - 1}'})"
        )

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(".onnx")

    @property
    def identity(self) -> str:
        _path, model_sha, config_sha = self.model.key
        speaker = "" if self.speaker_id is None else f":speaker={self.speaker_id}"
        return (
            f"piper:{model_sha}:config={config_sha}{speaker}:length={self.length_scale:g}"
            f":noise={self.noise_scale:g}:noise_w={self.noise_w:g}:sr={self.rate}:piper={self.piper_version}"
        )

    @property
    def description(self) -> str:
        speaker = "" if self.speaker_id is None else f", speaker {self.options.speaker or self.speaker_id}"
        return f"Piper {self.name}{speaker} (offline)"

    def _config(self) -> Any:
        from piper.config import SynthesisConfig

        return SynthesisConfig(
            speaker_id=self.speaker_id,
            length_scale=self.length_scale,
            noise_scale=self.noise_scale,
            noise_w_scale=self.noise_w,
        )

    def synthesize(self, texts: Sequence[str], progress: Progress | None = None) -> list[Audio]:
        from piper.voice import PiperVoice as Engine

        texts = list(texts)
        if not texts:
            return []
        workers = min(self.options.workers or os.cpu_count() or 1, len(texts))
        syn = self._config()
        if self.shared_session or workers <= 1:
            sessions = [self.model.shared] * max(workers, 1)
        else:
            sessions = self.model.pool(workers)
        engines: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for session in sessions:
            engines.put(Engine(session=session, config=self.model.config))

        def speak(text: str) -> Audio:
            engine = engines.get()
            try:
                pcm = b"".join(chunk.audio_int16_bytes for chunk in engine.synthesize(text, syn))
            except VoiceError:
                raise
            except Exception as err:
                raise VoiceError(f"Piper could not speak {text[:40]!r}: {err}") from None
            finally:
                engines.put(engine)
            if progress:
                progress(1)
            return Audio(pcm, self.rate)

        if len(sessions) <= 1:
            return [speak(text) for text in texts]
        with ThreadPoolExecutor(max_workers=len(sessions), thread_name_prefix="piper") as pool:
            return list(pool.map(speak, texts))  # in order


def _pick(setting: float | None, default: float) -> float:
    return float(default if setting is None else setting)


def from_options(options: PiperOptions, root: Path | None = None) -> PiperVoice:
    """The registry's factory: the show's ``[voice.piper]`` table -> a voice (paths relative to ``root``)."""
    return PiperVoice(options, root)
