"""The public API: everything __all__ names is importable, and the CLI's start-up stays lazy."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

import podcast


def test_every_exported_name_resolves() -> None:
    for name in podcast.__all__:
        assert getattr(podcast, name) is not None, name


def test_importing_the_package_loads_no_stage() -> None:
    code = "import sys, podcast; print(sorted(m for m in sys.modules if m.startswith('podcast.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['podcast.errors']"


class Recorder:
    """A Reporter that keeps what it is told: the voice arrives as a structured event, not a string."""

    def __init__(self) -> None:
        self.stages: list[str] = []
        self.voices: list[podcast.VoiceChoice] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append(name)

    def advance(self, count: int) -> None:
        pass

    def voice(self, choice: podcast.VoiceChoice) -> None:
        self.voices.append(choice)


def test_api_builds_an_episode(show, example_path, ffprobe) -> None:
    config = podcast.load_config(show / "podcast.toml")
    recorder = Recorder()
    result = podcast.build_episode(config, example_path, day=date(2026, 11, 20), reporter=recorder)
    assert result.status is podcast.BuildStatus.BUILT and result.audio_path.is_file()
    assert recorder.voices == [result.voice]
    assert result.voice == podcast.VoiceChoice(
        engine="espeak",
        identity=result.episode.voice,
        description="espeak-ng fr (offline)",
        reason="voice.engine = espeak in podcast.toml",
        fallback=False,
        requested=None,
    )
    assert not any(stage.startswith("Voice") for stage in recorder.stages)
    assert result.episode.date == "2026-11-20" and result.episode.engine == "espeak"
    probed = ffprobe(result.audio_path)  # an independent reader: a real MP3 of the announced length
    assert probed["streams"][0]["codec_name"] == "mp3"
    assert abs(float(probed["format"]["duration"]) * 1000 - result.episode.duration_ms) < 100
    assert [e.guid for e in podcast.list_episodes(config)] == [result.episode.guid]

    skipped = podcast.build_episode(config, example_path, reporter=recorder)
    assert skipped.status is podcast.BuildStatus.SKIPPED and skipped.voice is None  # nothing spoken
    assert (skipped.episode.engine, skipped.episode.voice) == (result.episode.engine, result.episode.voice)
    assert len(recorder.voices) == 1


def test_library_errors_speak_of_values_not_flags(show, example_path) -> None:
    """The library refuses a date an RSS feed cannot carry in its own words; the CLI owns '--date'."""
    config = podcast.load_config(show / "podcast.toml")
    with pytest.raises(podcast.PodcastError) as caught:
        podcast.build_episode(config, example_path, day=date(1899, 12, 31))
    assert str(caught.value) == "the episode date must be in 1900 or later, not 1899-12-31"
    assert not (show / ".podcast").exists()  # refused before the show was touched
    with pytest.raises(podcast.PodcastError, match=r"^the episode date must be at most a year from today \(") as caught:
        podcast.build_episode(config, example_path, day=date(9999, 12, 31))
    assert not (show / ".podcast").exists()
    with pytest.raises(podcast.PodcastError) as caught:
        podcast.plan(config, example_path, day=date(1, 1, 1))
    assert "--" not in str(caught.value)
    chosen = podcast.plan(config, example_path, engine="espeak").choice
    assert (chosen.requested, chosen.reason) == ("espeak", "engine espeak asked for")
