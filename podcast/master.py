"""Segments' audio + jingles -> one mastered episode MP3, and where everything landed in it.

Assembly is one linear pass: each segment is trimmed, faded and written at its place in a speech
track on disk, while jingles (and the optional music bed) are written at theirs in a music track.
Neither track is ever held whole in memory, so a two-hour episode costs what a two-minute one does.
One ffmpeg call then mixes the two, applies the loudness gain, limits true peaks (oversampled) and
encodes the MP3; the result is measured with ffmpeg's EBU R128 meter and, if it misses the target,
re-encoded with a corrected gain. Every position is counted in samples, so chapter marks and
transcript cues are exact to the millisecond.
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
from typing import BinaryIO, Iterable, Sequence

from . import ffmpeg
from .config import AudioConfig
from .errors import AudioError
from .segment import Kind, Pause, Segment
from .voices import Audio

log = logging.getLogger(__name__)

JINGLES = ("intro", "transition", "outro")
SILENCE_THRESHOLD = 48  # |sample| below this, at a segment's edges, is silence to trim
LOUDNESS_TOLERANCE = 0.3  # LU: re-encode when the measured MP3 is further than this from target
PEAK_MARGIN = 0.1  # dB kept under the true-peak ceiling, for the decoder's rounding
MAX_PASSES = 5
OVERSAMPLE = 4  # the limiter runs at 4x the output rate, so it sees inter-sample peaks
# Speech reaches the compressor already at the target loudness, so it acts alike on every engine:
# it tames the voice's peaks (espeak's are 18 dB over its loudness) so the limiter barely works.
COMPRESSOR = "acompressor=threshold=0.2:ratio=3:attack=4:release=120:knee=4"
COMPRESSOR_MAKEUP = 5.5  # dB: about what the compressor takes off speech at the target loudness
LAME_VERSION = "3.100"  # the libmp3lame inside imageio-ffmpeg's binary
JINGLE_FADE_IN = 0.005  # seconds: a custom jingle may start abruptly
JINGLE_FADE_OUT = 0.05


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
    lufs: float = float("nan")  # integrated loudness of the final MP3, as ebur128 measured it
    true_peak: float = float("nan")  # dBTP of the final MP3
    passes: int = 1


def shipped_jingle(name: str) -> Path:
    return Path(str(resources.files("podcast.jingles").joinpath(f"{name}.flac")))


def jingle_paths(cfg: AudioConfig, root: Path) -> dict[str, Path]:
    """The show's own jingles (any format ffmpeg reads) where podcast.toml names them, else ours."""
    paths = {}
    for name in JINGLES:
        custom = getattr(cfg, f"jingle_{name}")
        paths[name] = (root / Path(custom).expanduser()).resolve() if custom else shipped_jingle(name)
    return paths


def music_bed_path(cfg: AudioConfig, root: Path) -> Path | None:
    return (root / Path(cfg.music_bed).expanduser()).resolve() if cfg.music_bed else None


# --- speech edits on raw PCM ---------------------------------------------------------------------

def _samples(pcm: bytes) -> array.array:
    samples = array.array("h", pcm)
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    return samples


def trim(pcm: bytes, threshold: int = SILENCE_THRESHOLD, block: int = 64) -> bytes:
    """Drop the silence an engine leaves around a segment, so our pauses are the only pauses."""
    samples = _samples(pcm)
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
    samples = _samples(pcm)
    n = len(samples)
    length = min(length, n // 2)
    if length <= 0:
        return pcm
    for i in range(length):
        gain = i / length
        samples[i] = int(samples[i] * gain)
        samples[n - 1 - i] = int(samples[n - 1 - i] * gain)
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    return samples.tobytes()


def silence(seconds: float, rate: int) -> bytes:
    return bytes(2 * round(seconds * rate))


def _db_to_linear(db: float) -> float:
    return 10 ** (db / 20)


# --- jingles and music bed -----------------------------------------------------------------------

@functools.cache
def _music(path: Path, mtime: float, size: int, rate: int) -> tuple[bytes, float]:
    """Decoded float PCM and its integrated loudness; cached per file version."""
    pcm = ffmpeg.decode(path, rate, sample_format="f32le")
    lufs, _ = ffmpeg.loudness(["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"], input=pcm)
    return pcm, lufs


def music(path: Path, rate: int, loudness: float, *, fade_in: float, fade_out: float) -> array.array:
    """A jingle or bed as float samples at ``rate``, brought to ``loudness`` LUFS, edges faded."""
    if not path.is_file():
        raise AudioError("audio file not found", path=path)
    stat = path.stat()
    pcm, lufs = _music(path, stat.st_mtime, stat.st_size, rate)
    samples = array.array("f", pcm)
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    if not samples:
        raise AudioError("audio file has no sound", path=path)
    gain = 1.0 if math.isinf(lufs) else _db_to_linear(loudness - lufs)
    out = array.array("f", (x * gain for x in samples))
    _fade_edges(out, round(fade_in * rate), round(fade_out * rate))
    return out


def _fade_edges(samples: array.array, fade_in: int, fade_out: int) -> None:
    n = len(samples)
    for i in range(min(fade_in, n)):
        samples[i] *= i / fade_in
    fade_out = min(fade_out, n)
    for i in range(fade_out):
        samples[n - 1 - i] *= i / fade_out


# --- assembly ------------------------------------------------------------------------------------

def pause_seconds(pause: Pause, cfg: AudioConfig) -> float:
    return {
        Pause.PHRASE: cfg.pause_phrase,
        Pause.SENTENCE: cfg.pause_sentence,
        Pause.PARAGRAPH: cfg.pause_paragraph,
        Pause.HEADING: cfg.pause_heading,
        Pause.ARTICLE: cfg.pause_article,
    }[pause]


def pause_after(segment: Segment, following: Segment | None, cfg: AudioConfig) -> float:
    """The silence after a segment: its own boundary, longer before a heading (around it, then)."""
    seconds = pause_seconds(segment.pause, cfg)
    if following is not None and following.kind is Kind.HEADING:
        seconds = max(seconds, cfg.pause_heading)
    return seconds


class _Tracks:
    """The speech track (s16le at the engine's rate) and the music track (f32le at the output
    rate), written at their positions as we go; gaps are left as holes, which read as silence."""

    def __init__(self, folder: Path, rate: int, out_rate: int) -> None:
        self.rate, self.out_rate = rate, out_rate
        self.speech_path, self.music_path = folder / "speech.raw", folder / "music.raw"
        self.speech: BinaryIO = open(self.speech_path, "wb")
        self.music_file: BinaryIO = open(self.music_path, "wb")
        self.clock = 0  # samples at the engine's rate: the one clock everything is placed on

    def out_sample(self, clock: int) -> int:
        return clock * self.out_rate // self.rate

    def ms(self, clock: int) -> int:
        return round(clock * 1000 / self.rate)

    def speak(self, pcm: bytes) -> tuple[int, int]:
        start = self.clock
        self.speech.seek(start * 2)
        self.speech.write(pcm)
        self.clock += len(pcm) // 2
        return start, self.clock

    def play(self, samples: array.array, at: int | None = None) -> tuple[int, int]:
        """Write music at ``at`` (default: now, moving the clock past it)."""
        start = self.clock if at is None else at
        self.music_file.seek(self.out_sample(start) * 4)
        self.music_file.write(samples.tobytes())
        length = math.ceil(len(samples) * self.rate / self.out_rate)
        if at is None:
            self.clock += length
        return start, start + length

    def wait(self, seconds: float) -> None:
        self.clock += round(seconds * self.rate)

    def close(self) -> int:
        """Both tracks padded to the episode's length; returns it in output samples."""
        total = self.out_sample(self.clock)
        self.speech.truncate(self.clock * 2)
        self.music_file.truncate(total * 4)
        self.speech.close()
        self.music_file.close()
        return total


def master(
    segments: Sequence[Segment],
    audios: Iterable[Audio],
    cfg: AudioConfig,
    out: Path,
    *,
    jingles: dict[str, Path],
    chapter_titles: Sequence[str],
    intro_title: str = "Introduction",
    music_bed: Path | None = None,
) -> Mastered:
    """Write the episode MP3 to ``out`` and say where each segment and chapter is in it.

    ``audios`` is consumed once, in order, so it may be a generator: only one segment's sound is
    in memory at a time.
    """
    if not segments:
        raise AudioError("nothing to master: no speech")
    for name, path in jingles.items():
        if not path.is_file():
            raise AudioError(f"{name} jingle not found", path=path)
    if music_bed is not None and not music_bed.is_file():
        raise AudioError("music bed not found", path=music_bed)
    out_rate = cfg.sample_rate
    jingle_level = cfg.loudness + cfg.jingle_level
    loaded: dict[str, array.array] = {}

    def jingle(name: str) -> array.array:
        if name not in loaded:
            loaded[name] = music(jingles[name], out_rate, jingle_level, fade_in=JINGLE_FADE_IN, fade_out=JINGLE_FADE_OUT)
        return loaded[name]

    with tempfile.TemporaryDirectory(prefix="podcast-master-") as tmp:
        audio_iter = iter(audios)
        first = next(audio_iter, None)
        if first is None:
            raise AudioError("nothing to master: no speech")
        rate = first.rate
        tracks = _Tracks(Path(tmp), rate, out_rate)
        try:
            placed, transitions, intro_span = _assemble(
                segments, _chain(first, audio_iter), cfg, tracks, jingle
            )
            if music_bed is not None and intro_span is not None:
                _lay_bed(tracks, music_bed, intro_span, cfg)
        finally:
            total = tracks.close()
        if len(placed) != len(segments):
            raise AudioError(f"{len(segments)} segments but {len(placed)} sounds to master")
        speech_lufs, _ = ffmpeg.loudness(["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", tracks.speech_path])
        if math.isinf(speech_lufs):
            raise AudioError("the voice produced only silence")
        gain, lufs, peak, passes = _encode_to_target(tracks, total, cfg.loudness - speech_lufs, cfg, out)

    duration_ms = round(total * 1000 / out_rate)
    chapters = _chapters(segments, placed, transitions, duration_ms, chapter_titles, intro_title)
    return Mastered(out, duration_ms, tuple(placed), chapters, gain, lufs, peak, passes)


def _chain(first: Audio, rest: Iterable[Audio]) -> Iterable[Audio]:
    yield first
    yield from rest


def _assemble(segments, audios, cfg, tracks, jingle):
    """The one linear pass: intro jingle, speech with pauses, a transition before each article,
    the outro jingle. Returns where the segments and transitions are, and the spoken intro's span."""
    fade_len = round(cfg.fade * tracks.rate)
    placed: list[Placed] = []
    transitions: list[int] = []  # ms where each article's transition jingle starts
    intro_span: tuple[int, int] | None = None
    tracks.play(jingle("intro"))
    tracks.wait(cfg.pause_jingle)
    previous: int | None = None
    spoke = False
    intro_start = tracks.clock if segments[0].article is None else None
    for index, (segment, audio) in enumerate(zip(segments, audios)):
        if audio.rate != tracks.rate:
            raise AudioError("segments of one episode come at different sample rates")
        if segment.article is not None and segment.article != previous:
            if spoke:
                start, _ = tracks.play(jingle("transition"))
                tracks.wait(cfg.pause_jingle)
            else:
                start = 0  # the intro jingle opens the first article
            transitions.append(tracks.ms(start))
            if intro_start is not None and intro_span is None:
                intro_span = (intro_start, start)
        previous = segment.article
        spoke = True
        start, end = tracks.speak(fade(trim(audio.pcm), fade_len))
        placed.append(Placed(index, tracks.ms(start), tracks.ms(end)))
        following = segments[index + 1] if index + 1 < len(segments) else None
        tracks.wait(pause_after(segment, following, cfg))
    tracks.play(jingle("outro"))
    return placed, transitions, intro_span


def _lay_bed(tracks: _Tracks, path: Path, span: tuple[int, int], cfg: AudioConfig) -> None:
    """The music bed under the spoken intro, ducked well below the voice, faded in and out.

    It is written where the music track is silent (between the intro and first transition
    jingles), so it never has to be mixed in Python."""
    start, end = span
    length = tracks.out_sample(end) - tracks.out_sample(start)
    if length <= 0:
        return
    loop = music(path, tracks.out_rate, cfg.loudness + cfg.music_bed_level, fade_in=0.0, fade_out=0.0)
    bed = array.array("f")
    while len(bed) < length:
        bed.extend(loop[: length - len(bed)])
    _fade_edges(bed, round(0.5 * tracks.out_rate), round(1.5 * tracks.out_rate))
    tracks.play(bed, at=start)


def _encode_to_target(tracks: _Tracks, total: int, level: float, cfg: AudioConfig, out: Path):
    """Encode, measure the MP3 itself, correct and re-encode until loudness and true peak hold.

    The limiter makes gain and loudness non-linear and the MP3 codec moves peaks a little, so the
    only honest check is the final file; a couple of passes converge for any engine level."""
    ceiling = cfg.true_peak - 3 * PEAK_MARGIN
    gain = COMPRESSOR_MAKEUP
    lufs = peak = float("nan")
    tried: list[tuple[float, float]] = []  # (gain, lufs) of earlier passes
    for passes in range(1, MAX_PASSES + 1):
        _encode(tracks, total, level, gain, ceiling, cfg, out)
        lufs, peak = ffmpeg.loudness(["-i", out])
        log.debug("pass %d: gain %+.2f dB, ceiling %.2f dBFS -> %.2f LUFS, %.2f dBTP", passes, gain, ceiling, lufs, peak)
        loud_ok = abs(lufs - cfg.loudness) <= LOUDNESS_TOLERANCE
        peak_ok = peak <= cfg.true_peak - PEAK_MARGIN
        if loud_ok and peak_ok:
            break
        tried.append((gain, lufs))
        if not peak_ok:
            ceiling -= peak - (cfg.true_peak - 2 * PEAK_MARGIN)
            tried.clear()  # a new ceiling is a new curve
            continue
        gain = _next_gain(tried, cfg.loudness)
    else:
        log.warning("loudness %.1f LUFS, true peak %.1f dBTP after %d passes", lufs, peak, MAX_PASSES)
    return level + gain, lufs, peak, passes


def _next_gain(tried: list[tuple[float, float]], target: float) -> float:
    """Secant step on the gain -> loudness curve (flattened by the limiter), plain step at first."""
    gain, lufs = tried[-1]
    if len(tried) >= 2:
        (g0, l0), (g1, l1) = tried[-2], tried[-1]
        if l1 - l0 > 0.05 and g1 != g0:
            slope = (l1 - l0) / (g1 - g0)
            return g1 + min(12.0, (target - l1) / max(slope, 0.1))
    return gain + (target - lufs)


def _encode(tracks: _Tracks, total: int, level: float, gain: float, ceiling: float, cfg: AudioConfig, out: Path) -> None:
    """``level`` brings the voice to the target before the compressor; ``gain`` is the makeup after it."""
    out_rate = cfg.sample_rate
    high = out_rate * OVERSAMPLE
    limit = min(1.0, max(0.0625, _db_to_linear(ceiling)))
    graph = (
        f"[0:a]aformat=sample_fmts=flt,volume={level:.4f}dB,{COMPRESSOR},volume={gain:.4f}dB,"
        f"aresample={out_rate}:resampler=soxr[s];"
        f"[s][1:a]amix=inputs=2:duration=longest:normalize=0,"
        f"aresample={high}:resampler=soxr,"
        f"alimiter=limit={limit:.5f}:level=disabled:attack=2:release=60:asc=1:latency=1,"
        f"aresample={out_rate}:resampler=soxr,apad=whole_len={total},atrim=end_sample={total}[out]"
    )
    ffmpeg.run(
        [
            "-f", "s16le", "-ar", str(tracks.rate), "-ac", "1", "-i", tracks.speech_path,
            "-f", "f32le", "-ar", str(out_rate), "-ac", "1", "-i", tracks.music_path,
            "-filter_complex", graph, "-map", "[out]",
            "-c:a", "libmp3lame", "-b:a", f"{cfg.bitrate}k", "-compression_level", str(cfg.mp3_quality),
            "-ar", str(out_rate), "-ac", "1",
            # The Xing/LAME header carries the frame count and the encoder delay and padding, so
            # players know the exact duration; readers (mutagen among them) only trust those
            # fields when the version string names LAME, which is what encodes here.
            "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1",
            "-metadata:s:a:0", f"encoder=LAME{LAME_VERSION}",
            "-fflags", "+bitexact", "-flags:a", "+bitexact",
            "-f", "mp3", out,
        ],
        what="encoding the episode",
    )


def _chapters(
    segments: Sequence[Segment],
    placed: Sequence[Placed],
    transitions: Sequence[int],
    duration_ms: int,
    titles: Sequence[str],
    intro_title: str,
) -> tuple[Chapter, ...]:
    """The intro, then one chapter per article starting at the transition jingle before it."""
    marks: list[tuple[str, int, int | None]] = [(intro_title, 0, None)]
    articles: list[int] = []
    for s in segments:
        if s.article is not None and (not articles or articles[-1] != s.article):
            articles.append(s.article)
    for article, start in zip(articles, transitions):
        marks.append((titles[article], start, article))
    if len(marks) > 1 and marks[1][1] == 0:
        marks.pop(0)  # no spoken intro: the first article starts the episode
    chapters = []
    for i, (title, start, article) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else duration_ms
        chapters.append(Chapter(title, start, end, article))
    return tuple(chapters)
