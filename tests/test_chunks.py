"""Chunked mastering: the joined MP3's header read by ffprobe and mutagen, the chunk cache (an edit
re-encodes one chunk, a rebuild gives the same bytes), and streamed synthesis in batches."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from podcast import master, mp3, sounds
from podcast.config import AudioConfig, VoiceConfig
from podcast.segment import Kind, Pause, Segment
from podcast.timeline import Mastered
from podcast.voices import Audio, load
from podcast.voices.cache import SegmentCache

TEXTS = [
    "Bonjour et bienvenue.",
    "Premier article, première phrase.",
    "Deuxième article, une phrase.",
    "Troisième article, la dernière phrase.",
]


def segments(texts: list[str]) -> list[Segment]:
    out = [Segment(texts[0], Kind.INTRO, None, Pause.ARTICLE, 0, texts[0])]
    out += [Segment(t, Kind.TEXT, i, Pause.ARTICLE, i + 1, t) for i, t in enumerate(texts[1:])]
    return out


@pytest.fixture(scope="module")
def voice():
    return load("espeak", VoiceConfig())


def build(voice, texts: list[str], folder: Path, store: SegmentCache) -> Mastered:
    folder.mkdir(parents=True, exist_ok=True)
    cfg = AudioConfig()
    return master.master(
        segments(texts),
        voice.synthesize(texts),
        cfg,
        folder / "out.mp3",
        jingles=sounds.jingle_paths(cfg, folder),
        chapter_titles=["Un", "Deux", "Trois"],
        store=store,
    )


@pytest.fixture(scope="module")
def built(voice, tmp_path_factory):
    root = tmp_path_factory.mktemp("chunks")
    store = SegmentCache(root / "cache")
    return root, store, build(voice, TEXTS, root / "first", store)


def test_crc16_combine_matches_the_whole() -> None:
    for a, b in ((b"", b"abc"), (b"x", b""), (os.urandom(700), os.urandom(12345))):
        assert mp3.crc16_combine(mp3.crc16(a), mp3.crc16(b), len(b)) == mp3.crc16(a + b)
    assert mp3.crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value


def test_one_header_for_the_whole(built, ffprobe, ffmpeg_exe) -> None:
    _, _, mastered = built
    assert mastered.chunks == 4 and mastered.reused == 0
    data = mastered.path.read_bytes()
    assert data.count(b"Info") == 1  # the chunks' own headers are gone
    part = mp3.read_part(mastered.path)
    assert part.audio_bytes + part.info_size == len(data)
    assert part.music_crc == mp3.crc16(data[part.info_size :])
    # ffmpeg exports the encoder string only when the LAME tag's CRC checks out
    assert ffprobe(mastered.path)["streams"][0]["tags"]["encoder"].startswith("LAME3.100")
    info = MP3(mastered.path).info
    assert abs(info.length * 1000 - mastered.duration_ms) <= 1
    decoded = subprocess.run(
        [ffmpeg_exe, "-v", "error", "-i", str(mastered.path), "-f", "s16le", "-"], capture_output=True, check=True
    ).stdout
    assert round(len(decoded) / 2 / 44.1) == mastered.duration_ms


def test_chapters_start_on_the_transition_jingle(built, ffmpeg_exe) -> None:
    """Where chunks meet, the decoded sound is silent until the chapter mark, then the jingle."""
    _, _, mastered = built
    import array

    pcm = array.array(
        "h",
        subprocess.run(
            [ffmpeg_exe, "-v", "error", "-i", str(mastered.path), "-f", "s16le", "-"], capture_output=True, check=True
        ).stdout,
    )
    assert [c.title for c in mastered.chapters][1:] == ["Un", "Deux", "Trois"]  # the loop below has work to do
    for chapter in mastered.chapters[1:]:
        at = round(chapter.start_ms * 44.1)
        assert max(map(abs, pcm[at - 1500 : at - 100])) < 200
        onset = next(i for i in range(at - 100, at + 2000) if abs(pcm[i]) > 200)
        assert abs(onset - at) <= 0.002 * 44100 + 0.005 * 44100  # within the 5 ms fade-in, +-2 ms


def test_an_edit_reencodes_one_chunk_and_rebuilds_are_identical(built, voice) -> None:
    root, store, first = built
    again = build(voice, TEXTS, root / "again", store)
    assert again.reused == again.chunks and again.path.read_bytes() == first.path.read_bytes()
    edited = TEXTS[:2] + ["Deuxième article, une autre phrase."] + TEXTS[3:]
    changed = build(voice, edited, root / "edited", store)
    assert changed.reused == changed.chunks - 1
    assert changed.placed[:2] == first.placed[:2]


class Counting:
    engine, max_chars, rate, identity, description = "count", None, 8000, "count:v1", "counting"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def synthesize(self, texts, progress=None):
        self.calls.append(list(texts))
        return [Audio(bytes(2 * len(t)), self.rate) for t in texts]


def test_streamed_synthesis_speaks_in_batches_as_consumed(tmp_path: Path) -> None:
    store, voice = SegmentCache(tmp_path), Counting()
    texts = [f"Phrase numéro {i}." for i in range(10)]
    audios, stats = store.synthesize(voice, texts, stream=True, batch_chars=40)
    assert (stats.hits, stats.misses) == (0, 10) and voice.calls == []  # nothing spoken yet
    first = next(audios)
    assert first.samples == len(texts[0]) and len(voice.calls) == 1 and sum(map(len, voice.calls[0])) <= 40
    rest = list(audios)
    assert len(rest) == 9 and [t for call in voice.calls for t in call] == texts
