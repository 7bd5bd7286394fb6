"""Segments' audio + jingles -> one mastered episode MP3, and where everything landed in it.

The mastering stage lays out the timeline: the episode is cut into chunks at article boundaries,
where there is always silence: the intro jingle with the spoken intro, then a transition jingle
with each article (the outro jingle closes the last); a long article is cut again at a paragraph.
Each chunk is assembled in one linear pass on disk (speech trimmed, faded and placed with its
pauses; jingles and the music bed on a music track), then mastered and encoded alone
(:mod:`podcast.chunks`), at once on every core. Their MP3 frame streams are then joined under one
Xing/LAME header (:mod:`podcast.mp3`). Every position is counted in samples, so chapter marks and
transcript cues (:mod:`podcast.timeline`) are exact to the millisecond.
"""

from __future__ import annotations

import array
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import chunks, mp3
from .chunks import CHUNK_SECONDS, Chunk, ChunkStore
from .config import AudioConfig
from .errors import AudioError
from .pcm import fade, fade_edges, trim
from .segment import Kind, Pause, Segment
from .sounds import JINGLE_FADE_IN, JINGLE_FADE_OUT, music
from .timeline import Mastered, Placed, chapters, pause_after
from .voices import Audio


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
    rate: int | None = None,
) -> Mastered:
    """Write the episode MP3 to ``out`` and say where each segment and chapter is in it.

    ``audios`` is consumed once, in order, so it may be a generator: only one segment's sound is
    in memory at a time, and chunks already assembled are encoded while later ones are spoken.
    ``store`` keeps encoded chunks between builds; ``workers`` (0: one per core) encode at once.
    ``rate`` is the speech's clock (default: the first segment's rate); a segment at another rate
    (a host and a reader from different engines) is resampled to it by ffmpeg when its chunk is encoded.
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
    with (
        tempfile.TemporaryDirectory(prefix=".master-", dir=out.parent) as tmp,
        ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool,
    ):
        # The jingles are decoded and measured by ffmpeg while the first speech is synthesized.
        loaded = {
            name: pool.submit(music, path, out_rate, jingle_level, fade_in=JINGLE_FADE_IN, fade_out=JINGLE_FADE_OUT)
            for name, path in jingles.items()
        }

        def jingle(name: str) -> array.array[float]:
            return loaded[name].result()

        audio_iter = iter(audios)
        first = next(audio_iter, None)
        if first is None:
            raise AudioError("nothing to master: no speech")
        rate = rate or first.rate
        settings = chunks.settings(cfg, rate)
        folder = Path(tmp)
        jobs: list[Future[tuple[mp3.Part, bool, bool]]] = []

        def submit(chunk: Chunk) -> None:
            total, digest = chunk.close(settings)
            plan.lengths.append(total)
            jobs.append(pool.submit(chunks.encode, chunk, total, digest, cfg, store))

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
    marks = chapters(segments, transitions, duration_ms, chapter_titles, intro_title)
    return Mastered(out, duration_ms, tuple(placed), marks, len(parts), sum(reused for *_, reused in parts))


def _chain(first: Audio, rest: Iterable[Audio]) -> Iterator[Audio]:
    yield first
    yield from rest


def _assemble(
    segments: Sequence[Segment],
    audios: Iterable[Audio],
    cfg: AudioConfig,
    folder: Path,
    rate: int,
    jingle: Callable[[str], array.array[float]],
    music_bed: Path | None,
    plan: _Plan,
    submit: Callable[[Chunk], None],
) -> None:
    """The one linear pass: intro jingle, speech with pauses, a new chunk and a transition before
    each article but the first (the intro jingle opens it when there is no spoken intro), a new
    chunk at a paragraph's end in a long article, the outro jingle at the end of the last chunk.
    Each chunk is handed to ``submit`` when complete."""
    out_rate = cfg.sample_rate
    chunk = Chunk(folder, 0, rate, out_rate)
    fade_len = round(cfg.fade * rate)
    chunk.play(jingle("intro"))
    chunk.wait(cfg.pause_jingle)
    previous: int | None = None
    spoke = False
    intro_start = chunk.clock if segments[0].article is None else None
    for index, (segment, audio) in enumerate(zip(segments, audios)):
        if segment.article is not None and segment.article != previous:
            if spoke:
                if chunk.index == 0 and intro_start is not None and music_bed is not None:
                    _lay_bed(chunk, music_bed, (intro_start, chunk.clock), cfg)
                submit(chunk)
                chunk = Chunk(folder, chunk.index + 1, rate, out_rate)
                chunk.play(jingle("transition"))
                chunk.wait(cfg.pause_jingle)
            plan.transitions.append(chunk.index)
        previous = segment.article
        spoke = True
        edge = fade_len if audio.rate == rate else round(cfg.fade * audio.rate)
        start, end = chunk.speak(fade(trim(audio.pcm), edge), audio.rate)
        plan.placed.append((chunk.index, start, end))
        following = segments[index + 1] if index + 1 < len(segments) else None
        chunk.wait(pause_after(segment, following, cfg))
        if (
            segment.article is not None
            and following is not None
            and following.article == segment.article
            and chunk.clock >= CHUNK_SECONDS * rate
            and (segment.pause in (Pause.PARAGRAPH, Pause.HEADING) or following.kind is Kind.HEADING)
        ):
            # a long article goes on in a new chunk after a paragraph's pause: chunks of about
            # equal length keep every core busy, and an edit re-encodes less
            submit(chunk)
            chunk = Chunk(folder, chunk.index + 1, rate, out_rate)
    chunk.play(jingle("outro"))
    submit(chunk)


def _lay_bed(chunk: Chunk, path: Path, span: tuple[int, int], cfg: AudioConfig) -> None:
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
    fade_edges(bed, round(0.5 * chunk.out_rate), round(1.5 * chunk.out_rate))
    chunk.play(bed, at=start)
