"""One chunk of an episode: its two tracks written as the timeline is laid out, then mastered and
encoded alone, so its sound depends on nothing but its own content.

One ffmpeg run brings the voice to the target, compresses it, mixes the music, limits peaks,
applies the gain that usually lands the mix at the target, encodes the MP3 and meters (EBU R128)
exactly what it encodes. Only a chunk that missed the target by more than REENCODE_ABOVE is encoded
again, with the measured correction. Every chunk lands at the target, so the whole episode does too.
Encoded chunks are kept by content (:class:`ChunkStore`), so a one-paragraph edit re-encodes one.
"""

from __future__ import annotations

import array
import hashlib
import logging
import math
import operator
from pathlib import Path
from typing import BinaryIO, Protocol

from . import ffmpeg, mp3
from .config import AudioConfig
from .errors import AudioError
from .pcm import db_to_linear, samples

log = logging.getLogger(__name__)

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
# An article longer than this (seconds) is cut at its next paragraph. The episode's loudness is
# then set per 40 s or so of speech: still far longer than any phrase, so no pumping.
CHUNK_SECONDS = 40
RMS_TO_LUFS = -0.2  # espeak, measured per chunk against ebur128: within 0.6 dB
CHUNK_FORMAT = "chunk-v4"  # bump when mastering changes sound or the store its format (v4: .sum records)


class ChunkStore(Protocol):
    """Where encoded chunks are kept between builds (:class:`podcast.voices.cache.SegmentCache`).
    ``get_chunk`` answers only with a chunk whose length and digest match what ``put_chunk``
    recorded; a damaged one is dropped there and this chunk is encoded again."""

    def get_chunk(self, digest: str) -> Path | None: ...
    def put_chunk(self, digest: str, path: Path) -> None: ...


class Chunk:
    """One chunk's speech track (s16le at the engine's rate) and music track (f32le at the output
    rate), written at their positions as we go; gaps are holes, which read as silence. Positions
    are local to the chunk, and everything written is hashed: the digest names the chunk's sound."""

    def __init__(self, folder: Path, index: int, rate: int, out_rate: int) -> None:
        self.index, self.rate, self.out_rate = index, rate, out_rate
        self.speech_path, self.music_path = folder / f"speech-{index}.raw", folder / f"music-{index}.raw"
        # open while the timeline is laid out, closed by close(): no one block holds them
        self.speech: BinaryIO = open(self.speech_path, "wb")  # noqa: SIM115
        self.music_file: BinaryIO = open(self.music_path, "wb")  # noqa: SIM115
        self.has_music = False  # most chunks of a long article are speech only: no music to mix
        self.clock = 0  # samples at the engine's rate: the one clock everything is placed on
        self.hash = hashlib.sha256()
        self.energy, self.counted = 0, 0  # sum of squares over every 16th speech sample, and how many
        # speech from a voice at another rate (a host and a reader): one more track per rate, which
        # ffmpeg resamples to ``rate`` (soxr) and mixes with the first before anything else is done
        self.others: dict[int, tuple[Path, BinaryIO]] = {}

    def out_sample(self, clock: int) -> int:
        return clock * self.out_rate // self.rate

    def speak(self, pcm: bytes, rate: int | None = None) -> tuple[int, int]:
        """Speech at the clock, in the chunk's rate or ``rate``; returns where it lies, in clock samples."""
        start = self.clock
        if rate is None or rate == self.rate:
            self.speech.seek(start * 2)
            self.speech.write(pcm)
            self.hash.update(b"s%d:%d:" % (start, len(pcm)))
            length = len(pcm) // 2
        else:
            if rate not in self.others:
                path = self.speech_path.with_name(f"speech-{self.index}-{rate}.raw")
                self.others[rate] = (path, open(path, "wb"))  # noqa: SIM115 (closed by close())
            track = self.others[rate][1]
            track.seek(start * rate // self.rate * 2)
            track.write(pcm)
            self.hash.update(b"s%d@%d:%d:" % (start, rate, len(pcm)))
            length = math.ceil(len(pcm) // 2 * self.rate / rate)
        self.hash.update(pcm)
        # A sparse sample of the energy is enough for the compressor's input level (the mix
        # itself is metered exactly as it is encoded) and costs a quarter of a dense one.
        sparse = samples(pcm)[::16]
        self.energy += sum(map(operator.mul, sparse, sparse))
        self.counted += len(sparse)
        self.clock += length
        return start, self.clock

    def play(self, values: array.array[float], at: int | None = None) -> tuple[int, int]:
        """Write music at ``at`` (default: now, moving the clock past it)."""
        start = self.clock if at is None else at
        data = values.tobytes()
        self.music_file.seek(self.out_sample(start) * 4)
        self.music_file.write(data)
        self.has_music = True
        self.hash.update(b"m%d:%s:" % (start, hashlib.sha256(data).hexdigest().encode()))
        length = math.ceil(len(values) * self.rate / self.out_rate)
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
        for rate, (_path, track) in self.others.items():
            track.truncate(math.ceil(self.clock * rate / self.rate) * 2)
            track.close()
        self.hash.update(b"end%d:%d:%s" % (self.clock, total, settings.encode()))
        return total, self.hash.hexdigest()


def settings(cfg: AudioConfig, rate: int) -> str:
    """Everything besides the chunk's samples that changes its encoded bytes."""
    return "|".join(
        map(
            str,
            (
                CHUNK_FORMAT,
                Path(ffmpeg.executable()).name,
                rate,
                cfg.sample_rate,
                cfg.bitrate,
                cfg.mp3_quality,
                cfg.loudness,
                cfg.true_peak,
                COMPRESSOR,
                COMPRESSOR_MAKEUP,
                PEAK_HEADROOM,
                GAIN_ROOM,
                CODEC_LOSS,
                MIX_BIAS,
                REENCODE_ABOVE,
                RMS_TO_LUFS,
                CHUNK_SECONDS,
                LIMITER,
                LAME_VERSION,
            ),
        )
    )


def encode(
    chunk: Chunk, total: int, digest: str, cfg: AudioConfig, store: ChunkStore | None
) -> tuple[mp3.Part, bool, bool]:
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


def _render(chunk: Chunk, total: int, level: float, gain: float, cfg: AudioConfig, encoded: Path) -> float:
    """One ffmpeg run: voice to the target, compressed, resampled, mixed with the music, limited
    GAIN_ROOM under the ceiling, given ``gain`` (limited again only if the gain exceeds that room),
    then encoded; the same samples are metered (EBU R128) on their way to the encoder. Returns their
    integrated loudness."""
    rate, out_rate = chunk.rate, cfg.sample_rate
    ceiling = cfg.true_peak - PEAK_HEADROOM
    limit = min(1.0, max(0.0625, db_to_linear(ceiling - GAIN_ROOM)))
    again = "" if gain <= GAIN_ROOM else "," + LIMITER.format(limit=db_to_linear(ceiling))
    voice = (
        f"[0:a]aformat=sample_fmts=flt,volume={level:.4f}dB,{COMPRESSOR},volume={COMPRESSOR_MAKEUP:.4f}dB,"
        f"aresample={out_rate}:resampler=soxr"
    )
    inputs: list[str | Path] = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", chunk.speech_path]
    if chunk.has_music:
        inputs += ["-f", "f32le", "-ar", str(out_rate), "-ac", "1", "-i", chunk.music_path]
        voice += "[s];[s][1:a]amix=inputs=2:duration=longest:normalize=0"
    if chunk.others:  # the other voices' tracks, brought to the chunk's rate and laid with the first
        first = 1 + chunk.has_music
        labels = "".join(f"[o{i}]" for i in range(len(chunk.others)))
        resampled = "".join(
            f"[{first + i}:a]aformat=sample_fmts=flt,aresample={rate}:resampler=soxr[o{i}];"
            for i in range(len(chunk.others))
        )
        voice = (
            f"{resampled}[0:a]aformat=sample_fmts=flt[v0];[v0]{labels}"
            f"amix=inputs={1 + len(chunk.others)}:duration=longest:normalize=0[v];[v]" + voice.removeprefix("[0:a]")
        )
        for other, (path, _track) in sorted(chunk.others.items()):
            inputs += ["-f", "s16le", "-ar", str(other), "-ac", "1", "-i", path]
    graph = (
        f"{voice},"
        f"apad=whole_len={total},atrim=end_sample={total},{LIMITER.format(limit=limit)},"
        f"volume={gain:.4f}dB{again},"
        # (the limiters' look-ahead shifts timestamps, from which the encoder counts its padding)
        f"apad=whole_len={total},atrim=end_sample={total},asetpts=N/SR/TB,asplit=2[out][meter];"
        f"[meter]ebur128=framelog=quiet,anullsink"
    )
    done = ffmpeg.run(
        [
            *inputs,
            "-filter_complex",
            graph,
            "-map",
            "[out]",
            "-c:a",
            "libmp3lame",
            "-b:a",
            f"{cfg.bitrate}k",
            "-compression_level",
            str(cfg.mp3_quality),
            "-ar",
            str(out_rate),
            "-ac",
            "1",
            # The Info/LAME header carries the frame count and the encoder delay and padding, which
            # joining needs; readers (mutagen among them) only trust those fields when the version
            # string names LAME, which is what encodes here.
            "-map_metadata",
            "-1",
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            "-write_xing",
            "1",
            "-metadata:s:a:0",
            f"encoder=LAME{LAME_VERSION}",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-f",
            "mp3",
            encoded,
        ],
        what="encoding the episode",
    )
    lufs, _ = ffmpeg.parse_ebur128(done.stderr.decode("utf-8", "replace"), peak=False)
    return lufs


def _speech_loudness(chunk: Chunk) -> float:
    """The voice's loudness, estimated from its mean square (pauses excluded: only segments' own
    samples count), good to a dB or two: it only sets how hard the compressor works, the mix is
    measured exactly afterwards. Saves an ffmpeg run per chunk."""
    if not chunk.energy:
        return float("-inf")
    return 10 * math.log10(chunk.energy / chunk.counted / 32768**2) + RMS_TO_LUFS


def _fits(part: mp3.Part, total: int) -> bool:
    """Whether an encoded chunk holds ``total`` samples. ffmpeg's own padding figure is off by a
    few samples when the last frame it feeds LAME is short, so only the frame count is trusted."""
    padded = part.frames * part.samples_per_frame - part.delay - total
    return 0 <= padded < 4096 and abs(part.samples - total) < part.samples_per_frame


def _remove(chunk: Chunk) -> None:
    for path in (chunk.speech_path, chunk.music_path, *(path for path, _ in chunk.others.values())):
        path.unlink(missing_ok=True)
