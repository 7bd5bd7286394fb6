"""Nothing damaged is published: every cache entry is checked on read (a cut, emptied or flipped
segment or chunk is discarded with a warning and made again), the episode's MP3 is walked frame by
frame against the timeline before it is placed, the cover is checked whole before any synthesis,
and two episodes' files never share a name."""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_support import ARTICLE, built_show, copy_of, make_show, one_line, published, run

from podcast import config as config_mod
from podcast import cover, mp3, publish
from podcast.voices import cache as cache_mod
from podcast.voices.base import Audio
from podcast.voices.cache import SegmentCache, key


def _cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _cut_even(data: bytes) -> bytes:
    return data[: len(data) - 2 - len(data) % 2]  # still a whole number of 16-bit samples


def _emptied(data: bytes) -> bytes:
    return b""


def _flipped(data: bytes) -> bytes:
    damaged = bytearray(data)
    for at in (len(data) // 3, len(data) // 2, len(data) - 5):
        damaged[at] ^= 0x5A
    return bytes(damaged)


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "cut in half": _cut_in_half,
    "cut to an even length": _cut_even,
    "emptied": _emptied,
    "flipped bytes": _flipped,
}


class Counting:
    """The voice protocol, with a record of what reaches the engine."""

    engine, max_chars, rate, identity, description = "count", None, 8000, "count:v1", "counting"

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def synthesize(self, texts, progress=None):
        self.spoken.extend(texts)
        return [Audio(hashlib.sha256(t.encode()).digest() * 40, self.rate) for t in texts]


@pytest.mark.parametrize("damage", CORRUPTIONS)
def test_a_damaged_segment_is_discarded_and_spoken_again(tmp_path: Path, damage: str, caplog) -> None:
    store, voice = SegmentCache(tmp_path), Counting()
    text = "Une phrase du cache."
    (first,), _ = store.synthesize(voice, [text])
    path = store.path(key(voice.identity, text))
    path.write_bytes(CORRUPTIONS[damage](path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="podcast.voices.cache"):
        (again,), _ = store.synthesize(voice, [text])
    assert again.pcm == first.pcm  # never the damaged bytes
    assert voice.spoken == [text, text]  # made again
    assert any("damaged cache entry" in r.getMessage() for r in caplog.records), caplog.text
    assert store.get(key(voice.identity, text)) == first.pcm  # and stored again, whole


@pytest.mark.parametrize("damage", CORRUPTIONS)
def test_a_damaged_chunk_is_discarded(tmp_path: Path, damage: str, caplog) -> None:
    store = SegmentCache(tmp_path / "cache")
    encoded = tmp_path / "chunk.mp3"
    encoded.write_bytes(bytes(range(256)) * 40)
    store.put_chunk("c" * 64, encoded)
    assert store.get_chunk("c" * 64) == store.chunk_path("c" * 64)
    path = store.chunk_path("c" * 64)
    path.write_bytes(CORRUPTIONS[damage](path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="podcast.voices.cache"):
        assert store.get_chunk("c" * 64) is None
    assert "damaged cache entry" in caplog.text
    assert not path.exists() and not path.with_name(path.name + cache_mod.SUM_SUFFIX).exists()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A show with one episode built into its own cache (segments and chunks)."""
    return built_show(tmp_path_factory.mktemp("integrity") / "show")


@pytest.fixture
def show(built: Path, tmp_path: Path) -> Path:
    return copy_of(built, tmp_path)


def _chunks(show: Path) -> list[Path]:
    found = sorted((show / "cache" / "chunks").glob("*.mp3"))
    assert found
    return found


def _check_published_audio(toml: Path) -> None:
    config = config_mod.load(toml)
    from podcast.catalog import Catalog

    with Catalog(config.catalog_path) as catalog:
        (episode,) = catalog.episodes()
    walked = mp3.walk((config.publish_dir / episode.audio).read_bytes())
    assert walked.frames == walked.header_frames
    assert abs(walked.samples * 1000 / walked.rate - episode.duration_ms) < 30


def test_a_chunk_cut_in_half_is_encoded_again(show: Path, caplog) -> None:
    """The issue's case: a stored chunk cut in half gave a 6:08 MP3 under a 6:34 feed entry."""
    chunk = _chunks(show)[-1]
    chunk.write_bytes(_cut_in_half(chunk.read_bytes()))
    toml = show / "podcast.toml"
    with caplog.at_level(logging.WARNING, logger="podcast.voices.cache"):
        result = run(toml, "build", "--force", str(show / "port.txt"))
    assert result.exit_code == 0, result.stderr
    assert "damaged cache entry" in caplog.text
    _check_published_audio(toml)


def test_a_length_mismatch_publishes_nothing(show: Path) -> None:
    """A chunk cut in half whose record is forged to match slips past the per-entry check: the
    walk of the staged MP3 still refuses it, and the feed and its files stay as they were."""
    chunk = _chunks(show)[-1]
    data = _cut_in_half(chunk.read_bytes())
    chunk.write_bytes(data)
    chunk.with_name(chunk.name + cache_mod.SUM_SUFFIX).write_text(f"{len(data)} {hashlib.sha256(data).hexdigest()}\n")
    toml = show / "podcast.toml"
    before = published(toml)
    one_line(run(toml, "build", "--force", str(show / "port.txt")), 1, "damaged", "nothing was published")
    assert published(toml) == before


@pytest.mark.parametrize("fault", ["a part's frames missing", "a frame header overwritten"])
def test_a_join_gone_wrong_publishes_nothing(show: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    """The join itself going wrong is caught too, whatever its Info header claims."""
    real_join = mp3.join

    def join(parts, out, last_samples):
        if fault == "a part's frames missing":
            real_join(parts, out, last_samples)
            out.truncate(out.tell() - parts[-1].audio_bytes)  # header still counts its frames
        else:
            real_join(parts, out, last_samples)
            out.seek(len(parts[0].info_frame))  # the first audio frame's header
            out.write(b"\x00" * 4)

    monkeypatch.setattr(mp3, "join", join)
    toml = show / "podcast.toml"
    before = published(toml)
    expected = "decodes to" if fault == "a part's frames missing" else "damaged"
    one_line(run(toml, "build", "--force", str(show / "port.txt")), 1, expected, "nothing was published")
    assert published(toml) == before


# --- the cover -----------------------------------------------------------------------------------


def _jpeg(path: Path, ffmpeg_exe: str) -> bytes:
    subprocess.run(
        [ffmpeg_exe, "-v", "error", "-f", "lavfi", "-i", "testsrc=s=1400x1400", "-frames:v", "1", "-y", str(path)],
        check=True,
    )
    return path.read_bytes()


def test_whole_covers_pass(tmp_path: Path, ffmpeg_exe: str) -> None:
    assert cover.problem(cover.png()) is None
    assert cover.problem(_jpeg(tmp_path / "c.jpg", ffmpeg_exe)) is None


@pytest.mark.parametrize("kind", ["png", "jpg"])
@pytest.mark.parametrize("damage", ["cut in half", "cut near the end", "flipped bytes"])
def test_a_damaged_cover_is_refused(tmp_path: Path, ffmpeg_exe: str, kind: str, damage: str) -> None:
    data = cover.png() if kind == "png" else _jpeg(tmp_path / "c.jpg", ffmpeg_exe)
    if damage == "cut in half":
        data = data[: len(data) // 2]
    elif damage == "cut near the end":
        data = data[:-6]
    else:
        if kind == "jpg":  # entropy-coded bytes carry no checksum: a marker overwritten is what shows
            at = data.index(b"\xff\xda")
            data = data[:at] + b"\x12\x34" + data[at + 2 :]
        else:
            data = _flipped(data)
    assert cover.dimensions(data)  # the header alone passes: what used to be checked
    reason = cover.problem(data)
    assert reason is not None and "damaged" in reason


def test_a_bad_cover_fails_before_any_synthesis(tmp_path: Path) -> None:
    folder = tmp_path / "show"
    toml = make_show(folder, show={"cover": "cover.png"})
    (folder / "cover.png").write_bytes(_cut_in_half(cover.png()))
    (folder / "port.txt").write_text(ARTICLE, encoding="utf-8")
    one_line(run(toml, "build", str(folder / "port.txt")), 2, "cover is damaged")
    assert not (folder / "cache").exists()  # nothing was spoken
    assert published(toml) == {}


# --- names ---------------------------------------------------------------------------------------


def _staged(folder: Path, audio: bytes) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.mp3").write_bytes(audio)
    (folder / "c.json").write_text("{}")
    return {"audio": folder / "a.mp3", "chapters": folder / "c.json"}


def test_two_episodes_with_one_slug_never_share_a_file(tmp_path: Path) -> None:
    """« Le C++ progresse » and « Le C# progresse » slug alike; their numbers keep their files apart."""
    from podcast.fsutil import slugify

    config = config_mod.load(make_show(tmp_path / "show"))
    assert slugify("Le C++ progresse") == slugify("Le C# progresse")
    with publish.staging(config) as folder:
        first = publish.place(config, _staged(folder / "1", b"plus plus"), f"001-{slugify('Le C++ progresse')}")
        second = publish.place(config, _staged(folder / "2", b"plus plus"), f"002-{slugify('Le C# progresse')}")
    assert not set(first.values()) & set(second.values())
    for name in [*first.values(), *second.values()]:
        assert (config.publish_dir / name).is_file()


def test_a_hash_prefix_clash_never_overwrites_a_published_file(tmp_path: Path, monkeypatch) -> None:
    config = config_mod.load(make_show(tmp_path / "show"))
    with publish.staging(config) as folder:
        first = publish.place(config, _staged(folder, b"first"), "001-titre")
    kept = (config.publish_dir / first["audio"]).read_bytes()
    real = hashlib.sha256

    class Clash:  # the second audio's hash made to start like the first's
        def __init__(self, data: bytes = b"") -> None:
            self.inner = real(data)

        def hexdigest(self) -> str:
            digest = self.inner.hexdigest()
            return first["audio"].rsplit("-", 1)[1][:8] + digest[8:] if digest else digest

    monkeypatch.setattr(publish.hashlib, "sha256", Clash)
    with publish.staging(config) as folder:
        second = publish.place(config, _staged(folder, b"second"), "001-titre")
    assert second["audio"] != first["audio"]
    assert (config.publish_dir / first["audio"]).read_bytes() == kept
    assert (config.publish_dir / second["audio"]).read_bytes() == b"second"
