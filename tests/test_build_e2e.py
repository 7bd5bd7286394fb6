"""End to end: an article in, an episode and a feed out, read back by independent readers."""

from __future__ import annotations

from pathlib import Path

import feedparser
import podcastparser
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from podcast.build import build


def _check_published(config, result, ffprobe) -> None:
    mp3 = result.audio_path
    assert mp3.is_file() and mp3.parent == config.publish_dir / "episodes"
    probe = ffprobe(mp3)
    stream = probe["streams"][0]
    assert stream["codec_name"] == "mp3" and stream["sample_rate"] == "44100" and stream["channels"] == 1
    assert abs(float(probe["format"]["duration"]) * 1000 - result.episode.duration_ms) < 100
    assert int(probe["format"]["bit_rate"]) // 1000 in range(90, 100)

    feed_path = config.publish_dir / "feed.xml"
    parsed = feedparser.parse(feed_path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    enclosure = entry.enclosures[0]
    assert enclosure.href == config.base_url + result.episode.audio
    assert int(enclosure.length) == mp3.stat().st_size
    assert enclosure.type == "audio/mpeg"
    assert int(entry.itunes_duration) == round(result.episode.duration_ms / 1000)

    with feed_path.open("rb") as handle:
        gpodder = podcastparser.parse(config.feed_url, handle)
    episode = gpodder["episodes"][0]
    assert episode["enclosures"][0]["file_size"] == mp3.stat().st_size
    assert episode["enclosures"][0]["url"] == config.base_url + result.episode.audio
    assert episode["total_time"] == round(result.episode.duration_ms / 1000)
    assert episode["guid"] == result.episode.guid


def test_example_builds_offline(show_config, example_path: Path, ffprobe) -> None:
    result = build(show_config, example_path)
    assert result.status == "built"
    assert result.episode.engine == "espeak"
    _check_published(show_config, result, ffprobe)
    tags = ID3(result.audio_path)
    assert str(tags["TIT2"]) == "Le Fil Tech : les data centers face à la chaleur de l'été"
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chapters][1:] == [
        "Les data centers cherchent de l'eau et de l'électricité",
        "Le vélo électrique séduit les entreprises françaises",
    ]
    assert MP3(result.audio_path).info.length * 1000 == pytest_approx(result.episode.duration_ms, 60)


def pytest_approx(value: float, tolerance: float):
    import pytest

    return pytest.approx(value, abs=tolerance)


def test_sample_newsletter_builds(show_config, sample_path: Path, ffprobe) -> None:
    result = build(show_config, sample_path)
    _check_published(show_config, result, ffprobe)
    chapters = ffprobe(result.audio_path)["chapters"]
    titles = [c["tags"]["title"] for c in chapters]
    assert titles[1:] == [
        "Meta recrute chez OpenAI pour son nouveau laboratoire d'IA",
        "DeepSeek bientôt interdit en Allemagne",
    ]


def test_rebuild_unchanged_is_skipped(show_config, example_path: Path) -> None:
    first = build(show_config, example_path)
    second = build(show_config, example_path)
    assert second.status == "skipped"
    assert second.episode.guid == first.episode.guid
