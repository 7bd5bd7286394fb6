"""Segments' audio + jingles -> one mastered episode MP3, and where everything landed in it.

Speech is joined once (no quadratic appends), pauses come from the segments' boundaries, loudness
is measured with ffmpeg's EBU R128 meter and corrected to the show's target, a limiter keeps the
true peak under the ceiling, and a single ffmpeg call resamples, mixes in the jingles and encodes.
"""

from __future__ import annotations

import array
import functools
import logging
import math
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

from . import ffmpeg
from .config import AudioConfig
from .errors import AudioError
from .segment import Kind, Pause, Segment
from .voices import Audio

log = logging.getLogger(__name__)

JINGLES = ("intro", "transition", "outro")
SILENCE_THRESHOLD = 48  # |sample| below this, at a segment's edges, is silence to trim


@dataclass(frozen=True)
class Placed:
    """A segment's place in the episode, in milliseconds."""

    index: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int
    article: int | None


@dataclass(frozen=True)
class Mastered:
    path: Path
    duration_ms: int
    placed: tuple[Placed, ...]
    chapters: tuple[Chapter, ...]
    loudness_gain_db: float


def shipped_jingle(name: str) -> Path:
    return Path(str(resources.files("podcast.jingles").joinpath(f"{name}.flac")))


def jingle_paths(cfg: AudioConfig, root: Path) -> dict[str, Path]:
    paths = {}
    for name in JINGLES:
        custom = getattr(cfg, f"jingle_{name}")
        paths[name] = (root / custom).resolve() if custom else shipped_jingle(name)
    return paths


# --- speech edits on raw PCM ---------------------------------------------------------------------

def trim(pcm: bytes, threshold: int = SILENCE_THRESHOLD, block: int = 64) -> bytes:
    """Drop the silence an engine leaves around a segment, so our pauses are the only pauses."""
    samples = array.array("h", pcm)
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    n = len(samples)
    start = 0
    while start < n and max(map(abs, samples[start : start + block])) < threshold:
        start += block
    end = n
    while end > start and max(map(abs, samples[max(start, end - block) : end])) < threshold:
        end -= block
    start = max(0, start - block)
    end = min(n, end + block)
    return pcm[start * 2 : end * 2]


def fade(pcm: bytes, length: int) -> bytes:
    """A short linear fade at both edges: no click where speech meets silence."""
    samples = array.array("h", pcm)
    n = len(samples)
    length = min(length, n // 2)
    if length <= 0:
        return pcm
    for i in range(length):
        gain = i / length
        samples[i] = int(samples[i] * gain)
        samples[n - 1 - i] = int(samples[n - 1 - i] * gain)
    return samples.tobytes()


def silence(seconds: float, rate: int) -> bytes:
    return bytes(2 * round(seconds * rate))


# --- loudness ------------------------------------------------------------------------------------

@functools.cache
def _jingle_loudness(path: Path, mtime: float, size: int) -> float:
    lufs, _ = ffmpeg.loudness_of_pcm(ffmpeg.decode(path, 44100), 44100)
    return lufs


def jingle_gain(path: Path, target: float) -> float:
    stat = path.stat()
    lufs = _jingle_loudness(path, stat.st_mtime, stat.st_size)
    return 0.0 if math.isinf(lufs) else target - lufs


def _jingle_seconds(path: Path) -> float:
    stat = path.stat()
    return _jingle_duration(path, stat.st_mtime, stat.st_size)


@functools.cache
def _jingle_duration(path: Path, mtime: float, size: int) -> float:
    return len(ffmpeg.decode(path, 44100)) / 2 / 44100


# --- assembly ------------------------------------------------------------------------------------

def pause_seconds(pause: Pause, cfg: AudioConfig) -> float:
    return {
        Pause.PHRASE: cfg.pause_phrase,
        Pause.SENTENCE: cfg.pause_sentence,
        Pause.PARAGRAPH: cfg.pause_paragraph,
        Pause.HEADING: cfg.pause_heading,
        Pause.ARTICLE: cfg.pause_article,
    }[pause]


@dataclass
class _Part:
    jingle: str | None = None  # name of a jingle, or None for speech
    start_sample: int = 0  # speech: where in the joined speech track
    samples: int = 0


def master(
    segments: Sequence[Segment],
    audios: Sequence[Audio],
    cfg: AudioConfig,
    out: Path,
    *,
    jingles: dict[str, Path],
    chapter_titles: Sequence[str],
    intro_title: str = "Introduction",
) -> Mastered:
    """Write the episode MP3 to ``out`` and say where each segment and chapter is in it."""
    if len(segments) != len(audios) or not segments:
        raise AudioError("nothing to master: no speech")
    rate = audios[0].rate
    if any(a.rate != rate for a in audios):
        raise AudioError("segments of one episode come at different sample rates")
    for name, path in jingles.items():
        if not path.is_file():
            raise AudioError(f"{name} jingle not found", path=path)

    fade_len = round(cfg.fade * rate)
    speech: list[bytes] = []
    position = 0  # samples in the speech track
    parts: list[_Part] = [_Part(jingle="intro")]
    spans: list[tuple[int, int, int]] = []  # (part index, start sample in part, end sample in part)
    previous_article: int | None = -1

    def close_speech() -> None:
        part = parts[-1]
        if part.jingle is None:
            part.samples = position - part.start_sample

    for index, (segment, audio) in enumerate(zip(segments, audios)):
        if segment.article is not None and segment.article != previous_article:
            close_speech()
            parts.append(_Part(jingle="transition"))
        previous_article = segment.article
        if parts[-1].jingle is not None:
            parts.append(_Part(start_sample=position))
        pcm = fade(trim(audio.pcm), fade_len)
        start = position - parts[-1].start_sample
        speech.append(pcm)
        position += len(pcm) // 2
        spans.append((len(parts) - 1, start, position - parts[-1].start_sample))
        gap = silence(pause_seconds(segment.pause, cfg), rate)
        speech.append(gap)
        position += len(gap) // 2
    close_speech()
    parts.append(_Part(jingle="outro"))

    track = b"".join(speech)
    lufs, _peak = ffmpeg.loudness_of_pcm(track, rate)
    gain = 0.0 if math.isinf(lufs) else cfg.loudness - lufs

    # Where each part starts in the episode, in seconds.
    starts: list[float] = []
    clock = 0.0
    for part in parts:
        starts.append(clock)
        clock += _jingle_seconds(jingles[part.jingle]) if part.jingle else part.samples / rate
    duration_ms = round(clock * 1000)
    placed = tuple(
        Placed(i, round((starts[p] + a / rate) * 1000), round((starts[p] + b / rate) * 1000))
        for i, (p, a, b) in enumerate(spans)
    )
    chapters = _chapters(segments, placed, parts, starts, duration_ms, chapter_titles, intro_title)

    with tempfile.TemporaryDirectory(prefix="podcast-master-") as tmp:
        raw = Path(tmp) / "speech.raw"
        raw.write_bytes(track)
        _encode(raw, rate, parts, jingles, gain, cfg, out)
    return Mastered(out, duration_ms, placed, chapters, gain)


def _chapters(
    segments: Sequence[Segment],
    placed: Sequence[Placed],
    parts: list[_Part],
    starts: list[float],
    duration_ms: int,
    titles: Sequence[str],
    intro_title: str,
) -> tuple[Chapter, ...]:
    """The intro, then one chapter per article starting at the transition jingle before it."""
    marks: list[tuple[str, int, int | None]] = [(intro_title, 0, None)]
    transitions = [round(starts[i] * 1000) for i, p in enumerate(parts) if p.jingle == "transition"]
    articles = sorted({s.article for s in segments if s.article is not None})
    for article, start in zip(articles, transitions):
        marks.append((titles[article], start, article))
    if len(marks) > 1 and marks[1][1] == 0:
        marks.pop(0)  # no intro at all
    chapters = []
    for i, (title, start, article) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else duration_ms
        chapters.append(Chapter(title, start, end, article))
    return tuple(chapters)


def _db_to_linear(db: float) -> float:
    return 10 ** (db / 20)


def _encode(raw: Path, rate: int, parts: list[_Part], jingles: dict[str, Path], gain: float, cfg: AudioConfig, out: Path) -> None:
    out_rate = cfg.sample_rate
    inputs: list[str] = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", str(raw)]
    used = sorted({p.jingle for p in parts if p.jingle})
    index_of = {}
    for name in used:
        index_of[name] = len(index_of) + 1
        inputs += ["-i", str(jingles[name])]
    filters: list[str] = []
    labels: list[str] = []
    uses = {name: sum(1 for p in parts if p.jingle == name) for name in used}
    counters = {name: 0 for name in used}
    for name in used:
        j_gain = jingle_gain(jingles[name], cfg.loudness)
        outs = "".join(f"[j{name}{k}]" for k in range(uses[name]))
        filters.append(
            f"[{index_of[name]}:a]aformat=sample_fmts=fltp:channel_layouts=mono,aresample={out_rate},"
            f"volume={j_gain:.3f}dB,asplit={uses[name]}{outs}"
            if uses[name] > 1
            else f"[{index_of[name]}:a]aformat=sample_fmts=fltp:channel_layouts=mono,aresample={out_rate},"
            f"volume={j_gain:.3f}dB{outs}"
        )
    speech_parts = [p for p in parts if p.jingle is None]
    if len(speech_parts) > 1:
        outs = "".join(f"[s{k}]" for k in range(len(speech_parts)))
        filters.append(f"[0:a]aformat=sample_fmts=fltp,volume={gain:.3f}dB,asplit={len(speech_parts)}{outs}")
    else:
        filters.append(f"[0:a]aformat=sample_fmts=fltp,volume={gain:.3f}dB[s0]")
    k = 0
    for i, part in enumerate(parts):
        label = f"[p{i}]"
        if part.jingle:
            source = f"[j{part.jingle}{counters[part.jingle]}]"
            counters[part.jingle] += 1
            filters.append(f"{source}anull{label}")
        else:
            filters.append(
                f"[s{k}]atrim=start_sample={part.start_sample}:end_sample={part.start_sample + part.samples},"
                f"asetpts=PTS-STARTPTS,aresample={out_rate}{label}"
            )
            k += 1
        labels.append(label)
    ceiling = _db_to_linear(cfg.true_peak - 1.0)
    filters.append(
        "".join(labels)
        + f"concat=n={len(labels)}:v=0:a=1,alimiter=limit={ceiling:.4f}:level=disabled:attack=5:release=50:asc=1[out]"
    )
    ffmpeg.run(
        [
            *inputs,
            "-filter_complex", ";".join(filters),
            "-map", "[out]",
            "-c:a", "libmp3lame", "-b:a", f"{cfg.bitrate}k", "-ar", str(out_rate), "-ac", "1",
            "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1",
            "-fflags", "+bitexact", "-flags:a", "+bitexact",
            "-f", "mp3", str(out),
        ],
        what="encoding the episode",
    )
