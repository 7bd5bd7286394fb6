"""Segments' audio + jingles -> one mastered episode MP3, and where everything landed in it.

The episode is cut into chunks at article boundaries, where there is always silence: the intro
jingle with the spoken intro, then a transition jingle with each article (the outro jingle closes
the last). Each chunk is assembled in one linear pass on disk (speech trimmed, faded and placed
with its pauses; jingles and the music bed on a music track), then mastered alone, so its sound
depends on nothing but its own content:

one ffmpeg run brings the voice to the target, compresses it, mixes the music, limits peaks,
applies the gain that usually lands the mix at the target, encodes the MP3 and meters (EBU R128)
exactly what it encodes. Only a chunk that missed the target by more than REENCODE_ABOVE is encoded
again, with the measured correction.

Every chunk lands at the target, so the whole does too. Chunks are
encoded at once on every core and cached by content, so a one-paragraph edit re-encodes one
chunk. Their MP3 frame streams are then joined under one Xing/LAME header (:mod:`podcast.mp3`).
Every position is counted in samples, so chapter marks and transcript cues are exact to the
millisecond.
"""

from __future__ import annotations

import array
import functools
import hashlib
import logging
import math
import operator
import os
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Protocol, Sequence

from . import ffmpeg, mp3
from .config import AudioConfig
from .errors import AudioError, ConfigError
from .segment import Kind, Pause, Segment
from .voices import Audio

log = logging.getLogger(__name__)

JINGLES = ("intro", "transition", "outro")
SILENCE_THRESHOLD = 48  # |sample| below this, at a segment's edges, is silence to trim
# Speech reaches the compressor already at the target loudness, so it acts alike on every engine:
# it tames the voice's peaks (espeak's are 18 dB over its loudness) so the limiter barely works.
COMPRESSOR = "acompressor=threshold=0.2:ratio=3:attack=4:release=120:knee=4"
COMPRESSOR_MAKEUP = 5.5  # dB: about what the compressor takes off speech at the target loudness
# The limiter runs at the output rate with its ceiling this far under the true-peak target: speech
# resampled from <= 24 kHz has little energy near Nyquist, so inter-sample overs and the MP3
# codec's overshoot stay well inside this (measured on loud, quiet and clipped voices: tests).
PEAK_HEADROOM = 0.5
# The mix is limited this much lower again, so the final gain (usually a few tenths of a dB) needs
# no limiter of its own: the gain is then exactly linear, and one filter cheaper.
GAIN_ROOM = 1.0
# LAME takes this much off the integrated loudness of speech whatever the bitrate (measured with
# ebur128 before and after encoding, 48-128 kbit/s, -q 2 and 7: 0.4 LU), so the gain adds it back.
CODEC_LOSS = 0.4
# With the voice brought to the target before the compressor and the makeup after it, the mix
# lands this far under the target (measured per chunk on the sample and the example: 0.0-0.3 LU):
# the gain each chunk is encoded with, before anything is measured.
MIX_BIAS = 0.15
# A chunk is encoded in one ffmpeg run that meters what it encodes; only when that misses the
# target by more than this is it encoded again with the measured correction (a second run).
REENCODE_ABOVE = 0.5
LIMITER = "alimiter=limit={limit:.5f}:level=disabled:attack=2:release=60:asc=1:latency=1"
LAME_VERSION = "3.100"  # the libmp3lame inside imageio-ffmpeg's binary
JINGLE_FADE_IN = 0.005  # seconds: a custom jingle may start abruptly
JINGLE_FADE_OUT = 0.05
# An article longer than this (seconds) is cut at its next paragraph. The episode's loudness is
# then set per 40 s or so of speech: still far longer than any phrase, so no pumping.
CHUNK_SECONDS = 40
RMS_TO_LUFS = -0.2  # espeak, measured per chunk against ebur128: within 0.6 dB
CHUNK_FORMAT = "chunk-v3"  # bump when mastering changes sound, so cached chunks are not reused


class ChunkStore(Protocol):
    """Where encoded chunks are kept between builds (:class:`podcast.voices.cache.SegmentCache`)."""

    def get_chunk(self, digest: str) -> Path | None: ...
    def put_chunk(self, digest: str, path: Path) -> None: ...


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
    chunks: int = 1  # how many chunks the episode was cut into
    reused: int = 0  # of which taken, already encoded, from the chunk store


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
    The decoded sound stays in :func:`_music`'s cache for the mastering that follows."""
    custom = [(f"jingle_{name}", cfg.loudness + cfg.jingle_level) for name in JINGLES]
    for setting, loudness in [*custom, ("music_bed", cfg.loudness + cfg.music_bed_level)]:
        if not getattr(cfg, setting):
            continue
        path = _show_file(root, getattr(cfg, setting))
        if not path.is_file():
            raise ConfigError(f"audio.{setting}: no such file", path=path)
        stat = path.stat()
        try:
            pcm = _music(path, stat.st_mtime, stat.st_size, cfg.sample_rate, loudness)
        except AudioError as err:
            raise ConfigError(f"audio.{setting} is not a sound ffmpeg can read ({err})", path=path) from None
        if not pcm:
            raise ConfigError(f"audio.{setting} has no sound", path=path)


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
def _music(path: Path, mtime: float, size: int, rate: int, loudness: float) -> bytes:
    """Float PCM at ``rate`` brought to ``loudness`` LUFS; cached per file version."""
    lufs, _ = ffmpeg.loudness(["-i", path, "-ac", "1", "-ar", str(rate)], peak=False)
    gain = 0.0 if math.isinf(lufs) else loudness - lufs
    pcm = ffmpeg.run(["-i", path, "-af", f"volume={gain:.4f}dB", "-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1"],
                     what=f"decoding {path}").stdout
    return pcm


def music(path: Path, rate: int, loudness: float, *, fade_in: float, fade_out: float) -> array.array:
    """A jingle or bed as float samples at ``rate``, brought to ``loudness`` LUFS, edges faded."""
    if not path.is_file():
        raise AudioError("audio file not found", path=path)
    stat = path.stat()
    pcm = _music(path, stat.st_mtime, stat.st_size, rate, loudness)
    samples = array.array("f", pcm)
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    if not samples:
        raise AudioError("audio file has no sound", path=path)
    _fade_edges(samples, round(fade_in * rate), round(fade_out * rate))
    return samples


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


class _Chunk:
    """One chunk's speech track (s16le at the engine's rate) and music track (f32le at the output
    rate), written at their positions as we go; gaps are holes, which read as silence. Positions
    are local to the chunk, and everything written is hashed: the digest names the chunk's sound."""

    def __init__(self, folder: Path, index: int, rate: int, out_rate: int) -> None:
        self.index, self.rate, self.out_rate = index, rate, out_rate
        self.speech_path, self.music_path = folder / f"speech-{index}.raw", folder / f"music-{index}.raw"
        self.speech: BinaryIO = open(self.speech_path, "wb")
        self.music_file: BinaryIO = open(self.music_path, "wb")
        self.has_music = False  # most chunks of a long article are speech only: no music to mix
        self.clock = 0  # samples at the engine's rate: the one clock everything is placed on
        self.hash = hashlib.sha256()
        self.energy, self.counted = 0, 0  # sum of squares over every 16th speech sample, and how many

    def out_sample(self, clock: int) -> int:
        return clock * self.out_rate // self.rate

    def speak(self, pcm: bytes) -> tuple[int, int]:
        start = self.clock
        self.speech.seek(start * 2)
        self.speech.write(pcm)
        self.hash.update(b"s%d:%d:" % (start, len(pcm)))
        self.hash.update(pcm)
        # A sparse sample of the energy is enough for the compressor's input level (the mix
        # itself is metered exactly as it is encoded) and costs a quarter of a dense one.
        sparse = _samples(pcm)[::16]
        self.energy += sum(map(operator.mul, sparse, sparse))
        self.counted += len(sparse)
        self.clock += len(pcm) // 2
        return start, self.clock

    def play(self, samples: array.array, at: int | None = None) -> tuple[int, int]:
        """Write music at ``at`` (default: now, moving the clock past it)."""
        start = self.clock if at is None else at
        data = samples.tobytes()
        self.music_file.seek(self.out_sample(start) * 4)
        self.music_file.write(data)
        self.has_music = True
        self.hash.update(b"m%d:%s:" % (start, hashlib.sha256(data).hexdigest().encode()))
        length = math.ceil(len(samples) * self.rate / self.out_rate)
        if at is None:
            self.clock += length
        return start, start + length

    def wait(self, seconds: float) -> None:
        self.clock += round(seconds * self.rate)

    def close(self, settings: str) -> tuple[int, str]:
        """Both tracks padded to the chunk's length; returns it in output samples, and the digest."""
        total = self.out_sample(self.clock)
        self.speech.truncate(self.clock * 2)
        self.music_file.truncate(total * 4)
        self.speech.close()
        self.music_file.close()
        self.hash.update(b"end%d:%d:%s" % (self.clock, total, settings.encode()))
        return total, self.hash.hexdigest()


@dataclass
class _Plan:
    """Where things are, chunk-locally, while the chunks are still being encoded."""

    placed: list[tuple[int, int, int]] = field(default_factory=list)  # (chunk, start, end) clocks
    transitions: list[int] = field(default_factory=list)  # chunk each article's chapter starts
    lengths: list[int] = field(default_factory=list)  # output samples per chunk


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
    store: ChunkStore | None = None,
    workers: int = 0,
) -> Mastered:
    """Write the episode MP3 to ``out`` and say where each segment and chapter is in it.

    ``audios`` is consumed once, in order, so it may be a generator: only one segment's sound is
    in memory at a time, and chunks already assembled are encoded while later ones are spoken.
    ``store`` keeps encoded chunks between builds; ``workers`` (0: one per core) encode at once.
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
    # The work folder sits beside the output (the build's staging folder): a killed build's
    # leftovers are cleaned with it, and long episodes do not fill a small /tmp.
    with tempfile.TemporaryDirectory(prefix=".master-", dir=out.parent) as tmp, \
            ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        # The jingles are decoded and measured by ffmpeg while the first speech is synthesized.
        loaded = {
            name: pool.submit(music, path, out_rate, jingle_level, fade_in=JINGLE_FADE_IN, fade_out=JINGLE_FADE_OUT)
            for name, path in jingles.items()
        }

        def jingle(name: str) -> array.array:
            return loaded[name].result()

        audio_iter = iter(audios)
        first = next(audio_iter, None)
        if first is None:
            raise AudioError("nothing to master: no speech")
        rate = first.rate
        settings = _settings(cfg, rate)
        folder = Path(tmp)
        jobs: list[Future[tuple[mp3.Part, bool, bool]]] = []

        def submit(chunk: _Chunk) -> None:
            total, digest = chunk.close(settings)
            plan.lengths.append(total)
            jobs.append(pool.submit(_encode_chunk, chunk, total, digest, cfg, store))

        plan = _Plan()
        try:
            _assemble(segments, _chain(first, audio_iter), cfg, folder, rate, jingle, music_bed, plan, submit)
            parts = [job.result() for job in jobs]
        finally:
            for job in jobs:
                job.cancel()
        if len(plan.placed) != len(segments):
            raise AudioError(f"{len(segments)} segments but {len(plan.placed)} sounds to master")
        if all(silent for _, silent, _ in parts):
            raise AudioError("the voice produced only silence")
        with open(out, "wb") as handle:
            mp3.join([part for part, _, _ in parts], handle, plan.lengths[-1])

    starts = [0]  # output sample where each chunk's sound starts once joined
    for part, _, _ in parts[:-1]:
        starts.append(starts[-1] + part.frames * part.samples_per_frame)
    total = starts[-1] + plan.lengths[-1]

    def ms(chunk: int, clock: int) -> int:
        num = 1000 * (starts[chunk] * rate + clock * out_rate)
        den = out_rate * rate
        return (2 * num + den) // (2 * den)

    placed = [Placed(i, ms(c, a), ms(c, b)) for i, (c, a, b) in enumerate(plan.placed)]
    transitions = [ms(c, 0) for c in plan.transitions]
    duration_ms = round(total * 1000 / out_rate)
    chapters = _chapters(segments, placed, transitions, duration_ms, chapter_titles, intro_title)
    return Mastered(out, duration_ms, tuple(placed), chapters, len(parts), sum(reused for *_, reused in parts))


def _chain(first: Audio, rest: Iterable[Audio]) -> Iterator[Audio]:
    yield first
    yield from rest


def _assemble(segments, audios, cfg, folder, rate, jingle, music_bed, plan, submit) -> None:
    """The one linear pass: intro jingle, speech with pauses, a new chunk and a transition before
    each article but the first (the intro jingle opens it when there is no spoken intro), a new
    chunk at a paragraph's end in a long article, the outro jingle at the end of the last chunk.
    Each chunk is handed to ``submit`` when complete."""
    out_rate = cfg.sample_rate
    chunk = _Chunk(folder, 0, rate, out_rate)
    fade_len = round(cfg.fade * rate)
    chunk.play(jingle("intro"))
    chunk.wait(cfg.pause_jingle)
    previous: int | None = None
    spoke = False
    intro_start = chunk.clock if segments[0].article is None else None
    for index, (segment, audio) in enumerate(zip(segments, audios)):
        if audio.rate != rate:
            raise AudioError("segments of one episode come at different sample rates")
        if segment.article is not None and segment.article != previous:
            if spoke:
                if chunk.index == 0 and intro_start is not None and music_bed is not None:
                    _lay_bed(chunk, music_bed, (intro_start, chunk.clock), cfg)
                submit(chunk)
                chunk = _Chunk(folder, chunk.index + 1, rate, out_rate)
                chunk.play(jingle("transition"))
                chunk.wait(cfg.pause_jingle)
            plan.transitions.append(chunk.index)
        previous = segment.article
        spoke = True
        start, end = chunk.speak(fade(trim(audio.pcm), fade_len))
        plan.placed.append((chunk.index, start, end))
        following = segments[index + 1] if index + 1 < len(segments) else None
        chunk.wait(pause_after(segment, following, cfg))
        if (segment.article is not None and following is not None and following.article == segment.article
                and chunk.clock >= CHUNK_SECONDS * rate
                and (segment.pause in (Pause.PARAGRAPH, Pause.HEADING) or following.kind is Kind.HEADING)):
            # a long article goes on in a new chunk after a paragraph's pause: chunks of about
            # equal length keep every core busy, and an edit re-encodes less
            submit(chunk)
            chunk = _Chunk(folder, chunk.index + 1, rate, out_rate)
    chunk.play(jingle("outro"))
    submit(chunk)


def _lay_bed(chunk: _Chunk, path: Path, span: tuple[int, int], cfg: AudioConfig) -> None:
    """The music bed under the spoken intro, ducked well below the voice, faded in and out.

    It is written where the music track is silent (between the intro jingle and the chunk's end),
    so it never has to be mixed in Python."""
    start, end = span
    length = chunk.out_sample(end) - chunk.out_sample(start)
    if length <= 0:
        return
    loop = music(path, chunk.out_rate, cfg.loudness + cfg.music_bed_level, fade_in=0.0, fade_out=0.0)
    bed = array.array("f")
    while len(bed) < length:
        bed.extend(loop[: length - len(bed)])
    _fade_edges(bed, round(0.5 * chunk.out_rate), round(1.5 * chunk.out_rate))
    chunk.play(bed, at=start)


# --- mastering one chunk -------------------------------------------------------------------------

def _settings(cfg: AudioConfig, rate: int) -> str:
    """Everything besides the chunk's samples that changes its encoded bytes."""
    return "|".join(map(str, (
        CHUNK_FORMAT, Path(ffmpeg.executable()).name, rate, cfg.sample_rate, cfg.bitrate, cfg.mp3_quality,
        cfg.loudness, cfg.true_peak, COMPRESSOR, COMPRESSOR_MAKEUP, PEAK_HEADROOM, GAIN_ROOM, CODEC_LOSS, MIX_BIAS,
        REENCODE_ABOVE, RMS_TO_LUFS, CHUNK_SECONDS, LIMITER, LAME_VERSION,
    )))


def _encode_chunk(chunk: _Chunk, total: int, digest: str, cfg: AudioConfig,
                  store: ChunkStore | None) -> tuple[mp3.Part, bool, bool]:
    """The chunk's MP3 (from the store, or encoded: one ffmpeg run, two when the first misses the
    target loudness), whether its voice was silent and whether it came from the store."""
    cached = store.get_chunk(digest) if store is not None else None
    if cached is not None:
        try:
            part = mp3.read_part(cached)
            if _fits(part, total):
                _remove(chunk)
                return part, False, True
        except (OSError, AudioError):
            pass  # damaged: encode again
    speech_lufs = _speech_loudness(chunk)
    silent = math.isinf(speech_lufs)
    level = 0.0 if silent else cfg.loudness - speech_lufs
    encoded = chunk.speech_path.with_suffix(".mp3")
    gain = MIX_BIAS + CODEC_LOSS
    lufs = _render(chunk, total, level, gain, cfg, encoded)
    miss = cfg.loudness + CODEC_LOSS - lufs
    log.debug("chunk %d: voice %+.2f dB, gain %+.2f dB -> %.2f LUFS before encoding", chunk.index, level, gain, lufs)
    if not math.isinf(lufs) and abs(miss) > REENCODE_ABOVE:
        gain += miss
        lufs = _render(chunk, total, level, gain, cfg, encoded)
        log.debug("chunk %d: encoded again with gain %+.2f dB -> %.2f LUFS", chunk.index, gain, lufs)
    _remove(chunk)
    part = mp3.read_part(encoded)
    if not _fits(part, total):
        raise AudioError(f"the encoder made {part.samples} samples of a {total}-sample chunk")
    if store is not None:
        store.put_chunk(digest, encoded)
    return part, silent, False


def _render(chunk: _Chunk, total: int, level: float, gain: float, cfg: AudioConfig, encoded: Path) -> float:
    """One ffmpeg run: voice to the target, compressed, resampled, mixed with the music, limited
    GAIN_ROOM under the ceiling, given ``gain`` (limited again only if the gain exceeds that room),
    then encoded; the same samples are metered (EBU R128) on their way to the encoder. Returns their
    integrated loudness."""
    rate, out_rate = chunk.rate, cfg.sample_rate
    ceiling = cfg.true_peak - PEAK_HEADROOM
    limit = min(1.0, max(0.0625, _db_to_linear(ceiling - GAIN_ROOM)))
    again = "" if gain <= GAIN_ROOM else "," + LIMITER.format(limit=_db_to_linear(ceiling))
    voice = (f"[0:a]aformat=sample_fmts=flt,volume={level:.4f}dB,{COMPRESSOR},volume={COMPRESSOR_MAKEUP:.4f}dB,"
             f"aresample={out_rate}:resampler=soxr")
    inputs = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", chunk.speech_path]
    if chunk.has_music:
        inputs += ["-f", "f32le", "-ar", str(out_rate), "-ac", "1", "-i", chunk.music_path]
        voice += "[s];[s][1:a]amix=inputs=2:duration=longest:normalize=0"
    graph = (
        f"{voice},"
        f"apad=whole_len={total},atrim=end_sample={total},{LIMITER.format(limit=limit)},"
        f"volume={gain:.4f}dB{again},"
        # (the limiters' look-ahead shifts timestamps, from which the encoder counts its padding)
        f"apad=whole_len={total},atrim=end_sample={total},asetpts=N/SR/TB,asplit=2[out][meter];"
        f"[meter]ebur128=framelog=quiet,anullsink"
    )
    done = ffmpeg.run(
        [*inputs, "-filter_complex", graph, "-map", "[out]",
         "-c:a", "libmp3lame", "-b:a", f"{cfg.bitrate}k", "-compression_level", str(cfg.mp3_quality),
         "-ar", str(out_rate), "-ac", "1",
         # The Info/LAME header carries the frame count and the encoder delay and padding, which
         # joining needs; readers (mutagen among them) only trust those fields when the version
         # string names LAME, which is what encodes here.
         "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1",
         "-metadata:s:a:0", f"encoder=LAME{LAME_VERSION}",
         "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "mp3", encoded],
        what="encoding the episode",
    )
    lufs, _ = ffmpeg.parse_ebur128(done.stderr.decode("utf-8", "replace"), peak=False)
    return lufs


def _speech_loudness(chunk: _Chunk) -> float:
    """The voice's loudness, estimated from its mean square (pauses excluded: only segments' own
    samples count), good to a dB or two: it only sets how hard the compressor works, the mix is
    measured exactly afterwards. Saves an ffmpeg run per chunk."""
    if not chunk.energy:
        return float("-inf")
    return 10 * math.log10(chunk.energy / chunk.counted / 32768**2) + RMS_TO_LUFS


def _fits(part: mp3.Part, total: int) -> bool:
    """Whether an encoded chunk holds ``total`` samples. ffmpeg's own padding figure is off by a
    few samples when the last frame it feeds LAME is short, so only the frame count is trusted."""
    return 0 <= part.frames * part.samples_per_frame - part.delay - total < 4096 and abs(part.samples - total) < part.samples_per_frame


def _remove(chunk: _Chunk) -> None:
    for path in (chunk.speech_path, chunk.music_path):
        path.unlink(missing_ok=True)


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
