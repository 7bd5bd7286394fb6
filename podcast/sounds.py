"""The show's own sounds: jingles (shipped, or the show's files) and the music bed.

Where they are, that they are usable (checked before any synthesis, so a bad podcast.toml is a
one-line config error), and their samples decoded by ffmpeg at the episode's rate and loudness.
"""

from __future__ import annotations

import array
import math
import sys
import threading
from concurrent.futures import Future
from importlib import resources
from pathlib import Path

from . import ffmpeg
from .config import AudioConfig
from .errors import AudioError, ConfigError
from .pcm import fade_edges

JINGLES = ("intro", "transition", "outro")
JINGLE_FADE_IN = 0.005  # seconds: a custom jingle may start abruptly
JINGLE_FADE_OUT = 0.05


def shipped_jingle(name: str) -> Path:
    return Path(str(resources.files("podcast.jingles").joinpath(f"{name}.flac")))


def _show_file(root: Path, setting: str) -> Path:
    """A path written in podcast.toml's [audio], relative to the show folder."""
    return (root / Path(setting).expanduser()).resolve()


def jingle_paths(cfg: AudioConfig, root: Path) -> dict[str, Path]:
    """The show's own jingles (any format ffmpeg reads) where podcast.toml names them, else ours."""
    paths = {}
    for name in JINGLES:
        custom = getattr(cfg, f"jingle_{name}")
        paths[name] = _show_file(root, custom) if custom else shipped_jingle(name)
    return paths


def music_bed_path(cfg: AudioConfig, root: Path) -> Path | None:
    return _show_file(root, cfg.music_bed) if cfg.music_bed else None


def check_sounds(cfg: AudioConfig, root: Path) -> None:
    """The show's own jingles and music bed exist and ffmpeg reads them: a bad podcast.toml is
    refused (exit 2, naming the setting) before any synthesis, not as an ffmpeg failure after it.
    The decoded sound stays in :func:`_decoded`'s cache for the mastering that follows."""
    custom = [(f"jingle_{name}", cfg.loudness + cfg.jingle_level) for name in JINGLES]
    for setting, loudness in [*custom, ("music_bed", cfg.loudness + cfg.music_bed_level)]:
        if not getattr(cfg, setting):
            continue
        path = _show_file(root, getattr(cfg, setting))
        if not path.is_file():
            raise ConfigError(f"audio.{setting}: no such file", path=path)
        stat = path.stat()
        try:
            pcm = _decoded(path, stat.st_mtime, stat.st_size, cfg.sample_rate, loudness)
        except AudioError as err:
            raise ConfigError(f"audio.{setting} is not a sound ffmpeg can read ({err})", path=path) from None
        if not pcm:
            raise ConfigError(f"audio.{setting} has no sound", path=path)


_DECODED: dict[tuple[Path, float, int, int, float], Future[bytes]] = {}
_DECODED_LOCK = threading.Lock()


def _decoded(path: Path, mtime: float, size: int, rate: int, loudness: float) -> bytes:
    """Float PCM at ``rate`` brought to ``loudness`` LUFS; decoded once per file version, also when
    :func:`prefetch` has it under way in the background (the caller then waits for it)."""
    key = (path, mtime, size, rate, loudness)
    with _DECODED_LOCK:
        future = _DECODED.get(key)
        mine = future is None
        if future is None:
            future = _DECODED[key] = Future()
    if mine:
        try:
            future.set_result(_decode(path, rate, loudness))
        except BaseException as err:
            future.set_exception(err)
            with _DECODED_LOCK:
                del _DECODED[key]  # a failure is not kept: the next build tries again
    return future.result()


def _decode(path: Path, rate: int, loudness: float) -> bytes:
    lufs, _ = ffmpeg.loudness(["-i", path, "-ac", "1", "-ar", str(rate)], peak=False)
    gain = 0.0 if math.isinf(lufs) else loudness - lufs
    pcm: bytes = ffmpeg.run(
        ["-i", path, "-af", f"volume={gain:.4f}dB", "-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1"],
        what=f"decoding {path}",
    ).stdout
    return pcm


def prefetch(cfg: AudioConfig, root: Path) -> None:
    """Start decoding the jingles and the music bed in background threads, for the mastering to
    find them ready. A build calls it before reading and segmenting, which keep one core busy: the
    ffmpeg runs (0.1 s of CPU for the shipped jingles) then no longer compete with the synthesis.
    Errors are kept for the caller that needs the sound (:func:`check_sounds`, :func:`music`)."""
    jingle, bed = cfg.loudness + cfg.jingle_level, cfg.loudness + cfg.music_bed_level
    wanted = [(path, jingle) for path in jingle_paths(cfg, root).values()]
    if cfg.music_bed:
        wanted.append((_show_file(root, cfg.music_bed), bed))

    def decode(path: Path, loudness: float) -> None:
        try:
            stat = path.stat()
            _decoded(path, stat.st_mtime, stat.st_size, cfg.sample_rate, loudness)
        except (OSError, AudioError):
            pass  # said again, where it matters, by check_sounds or music

    for path, loudness in dict.fromkeys(wanted):  # one thread each, as the mastering's pool did
        threading.Thread(target=decode, args=(path, loudness), name="prefetch-sound").start()


def music(path: Path, rate: int, loudness: float, *, fade_in: float, fade_out: float) -> array.array[float]:
    """A jingle or bed as float samples at ``rate``, brought to ``loudness`` LUFS, edges faded."""
    if not path.is_file():
        raise AudioError("audio file not found", path=path)
    stat = path.stat()
    pcm = _decoded(path, stat.st_mtime, stat.st_size, rate, loudness)
    values = array.array("f", pcm)
    if sys.byteorder == "big":  # pragma: no cover
        values.byteswap()
    if not values:
        raise AudioError("audio file has no sound", path=path)
    fade_edges(values, round(fade_in * rate), round(fade_out * rate))
    return values
